import { calls, canvasInk, expect, open, test } from './harness';

test('diagnostics: metric charts, alerts, redacted log lines', async ({ page }) => {
  await open(page, '/diagnostics');
  for (const id of ['chart-api-calls', 'chart-api-errors', 'chart-latency', 'chart-workers']) {
    const ink = await canvasInk(page.getByTestId(id));
    expect(ink.series, `${id}: bars drawn`).toBeGreaterThan(100);
  }
  await expect(page.getByTestId('alerts')).toContainText('Instagram @lind.studio needs reconnecting');
  await expect(page.getByTestId('latency-table')).toContainText('TikTok upload.chunk');
  await expect(page.getByTestId('latency-table')).toContainText('1,840 ms');
  await expect(page.getByTestId('workers-table')).toContainText('publish');
  // The start-up gauge reads as a time, not a count.
  const startup = page.getByTestId('metrics-table').locator('tr', { hasText: 'outpost_app_startup_seconds' });
  await expect(startup).toContainText('442 ms');
  const logs = page.getByTestId('logs-table');
  await expect(logs).toContainText('token=[REDACTED]');
  await expect(logs.locator('tbody tr')).toHaveCount(9);
  await page.getByLabel('Show').selectOption('error');
  await expect(logs.locator('tbody tr')).toHaveCount(1);
  await expect(logs).toContainText('job 40 failed');
});

test('settings: save, watched folders through the folder picker, read-only data dir', async ({ page }) => {
  await open(page, '/settings');
  await expect(page.getByTestId('data-dir')).toHaveText('/home/maya/.local/share/outpost');
  await expect(page.getByTestId('data-dir').locator('input')).toHaveCount(0);
  await expect(page.getByText('Sandbox', { exact: true })).toBeVisible();

  const save = page.getByRole('button', { name: 'Save settings' });
  await expect(save).toBeDisabled();
  await page.getByLabel('Sync insights').selectOption({ label: 'Every 3 hours' });
  await page.getByRole('checkbox', { name: /Notifications/ }).uncheck();
  await page.getByRole('checkbox', { name: /Start Outpost when I log in/ }).check();
  await save.click();
  await expect(page.getByText('Saved.')).toBeVisible();
  expect(await calls(page, 'settings_set')).toEqual([
    {
      cmd: 'settings_set',
      args: { settings: { sync_interval_secs: 10_800, notifications: false, close_to_tray: true, start_at_login: true } },
    },
  ]);

  const folders = page.getByTestId('watched-folders');
  // A folder from config.toml is shown but cannot be removed here.
  await expect(folders).toContainText('/home/maya/Videos/reddit-clips');
  await expect(folders.getByRole('button', { name: 'Remove /home/maya/Videos/reddit-clips' })).toHaveCount(0);

  await folders.getByRole('button', { name: 'Add a folder…' }).click();
  const add = page.getByTestId('add-folder');
  await expect(add).toContainText('/home/maya/Videos/weekend-edits');
  await add.getByRole('checkbox', { name: 'TikTok @maya.outdoors' }).check();
  await add.getByRole('checkbox', { name: 'Reddit u/maya_lind' }).check();
  await add.getByRole('button', { name: 'Watch this folder' }).click();
  await expect(folders).toContainText('Publishes to: TikTok maya.outdoors, Reddit maya_lind');
  expect(await calls(page, 'pick_folder')).toHaveLength(1);
  expect(await calls(page, 'watch_add')).toEqual([
    { cmd: 'watch_add', args: { path: '/home/maya/Videos/weekend-edits', targets: ['tiktok:maya.outdoors', 'reddit:maya_lind'] } },
  ]);

  await folders.getByRole('button', { name: 'Remove /home/maya/Videos/outpost-drop' }).click();
  await expect(folders).toContainText('Stopped watching /home/maya/Videos/outpost-drop');
  expect(await calls(page, 'watch_remove')).toEqual([{ cmd: 'watch_remove', args: { path: '/home/maya/Videos/outpost-drop' } }]);
});

test('live mode has no sandbox banner', async ({ page }) => {
  await open(page, '/settings', '?sandbox=0');
  await expect(page.getByText('Live', { exact: true })).toBeVisible();
  await expect(page.getByTestId('sandbox-banner')).toHaveCount(0);
});

test('going live: a developer app saved in Settings, then a restart into live mode', async ({ page }) => {
  await open(page, '/settings');
  const apps = page.getByTestId('developer-apps');
  await expect(apps.getByTestId('developer-app-tiktok')).toContainText('Not set');
  await expect(apps.getByTestId('go-live')).toHaveCount(0);

  await apps.getByRole('button', { name: 'Add the TikTok developer app' }).click();
  await apps.getByLabel('TikTok client id').fill('awx8k2tiktokapp');
  await apps.getByLabel('TikTok client secret').fill('not-a-real-secret');
  await expect(apps.getByLabel('TikTok client secret')).toHaveAttribute('type', 'password');
  await page.screenshot({ path: 'test-results/screenshots/settings-developer-app-1280x800-light.png', fullPage: true });
  await apps.getByRole('button', { name: 'Save' }).click();
  await expect(apps.getByTestId('developer-app-tiktok')).toContainText('Saved in the vault');
  await expect(apps.getByRole('status').first()).toContainText('TikTok developer app saved in the vault.');
  expect(await calls(page, 'developer_app_set')).toEqual([
    {
      cmd: 'developer_app_set',
      args: { platform: 'tiktok', clientId: 'awx8k2tiktokapp', clientSecret: 'not-a-real-secret' },
    },
  ]);

  // Reddit's installed app has no secret: none is asked for or sent.
  await apps.getByRole('button', { name: 'Add the Reddit developer app' }).click();
  await expect(apps.getByLabel('Reddit client secret')).toHaveCount(0);
  await apps.getByLabel('Reddit client id').fill('rdInstalledApp');
  await apps.getByRole('button', { name: 'Save' }).click();
  expect((await calls(page, 'developer_app_set'))[1].args).toEqual({
    platform: 'reddit',
    clientId: 'rdInstalledApp',
    clientSecret: null,
  });

  await apps.getByTestId('go-live').getByRole('button', { name: 'Restart in live mode' }).click();
  expect(await calls(page, 'app_restart')).toHaveLength(1);
});

test('a developer app the core refuses shows why', async ({ page }) => {
  await open(page, '/settings');
  const apps = page.getByTestId('developer-apps');
  await apps.getByRole('button', { name: 'Add the Instagram developer app' }).click();
  await apps.getByLabel('Instagram client id').fill('two words');
  await apps.getByLabel('Instagram client secret').fill('x');
  await page.evaluate(() =>
    window.__outpost.backend.failures.set('developer_app_set', {
      code: 'credentials.invalid_client_id',
      message: 'Instagram client ids are one word of at most 200 characters, as the developer portal shows them',
    }),
  );
  await apps.getByRole('button', { name: 'Save' }).click();
  await expect(apps.getByRole('alert')).toContainText('Instagram client ids are one word');
  await expect(apps.getByTestId('developer-app-instagram')).toContainText('Not set');
});
