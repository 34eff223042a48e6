// Connecting an account: the platform page says what Outpost may do and what it needs;
// Connect calls `connect_start`; the core's `account-connected` / `connect-failed` events
// turn into a success card or a plain error.

import { calls, expect, open, test } from './harness';

test('connect TikTok from nothing: waiting, then the core says it worked', async ({ page }) => {
  await open(page, '/connect', '?scenario=fresh');
  const card = page.getByTestId('platform-card-tiktok');
  await expect(card).toHaveAttribute('data-state', 'not_connected');
  await card.getByRole('link', { name: 'Connect TikTok' }).click();

  await expect(page.getByRole('heading', { level: 1, name: 'Connect TikTok' })).toBeVisible();
  await expect(page.getByText('Post videos to your profile, only when you ask it to.')).toBeVisible();
  await expect(page.getByText(/Until this TikTok app passes TikTok’s audit/)).toBeVisible();

  await page.getByRole('button', { name: 'Connect TikTok' }).click();
  const flow = page.getByTestId('connect-flow');
  await expect(flow).toHaveAttribute('data-step', 'waiting');
  await expect(page.getByLabel('Sign-in address')).toHaveValue(/\/tiktok\/v2\/auth\/authorize\//);
  expect(await calls(page, 'connect_start')).toEqual([{ cmd: 'connect_start', args: { platform: 'tiktok' } }]);

  await page.evaluate(() => window.__outpost.backend.completeConnect('tiktok', 'maya.outdoors'));
  await expect(page.getByTestId('connect-success')).toContainText('Connected as @maya.outdoors');
  await expect(page.getByTestId('account-10')).toContainText('@maya.outdoors');

  await page.getByRole('link', { name: '← All accounts' }).click();
  await expect(page.getByTestId('platform-card-tiktok')).toHaveAttribute('data-state', 'connected');
  await expect(page.getByTestId('platform-card-tiktok')).toContainText('@maya.outdoors');
});

test('a refused sign-in is shown in plain words, with a way to try again', async ({ page }) => {
  await open(page, '/connect/instagram', '?scenario=fresh');
  await expect(page.getByText(/A professional Instagram account \(Business or Creator\)/)).toBeVisible();
  await page.getByRole('button', { name: 'Connect Instagram' }).click();
  await expect(page.getByTestId('connect-flow')).toHaveAttribute('data-step', 'waiting');

  // Another platform's failure is not ours.
  await page.evaluate(() =>
    window.__outpost.backend.failConnect('reddit', { code: 'oauth.access_denied', message: 'Reddit said no.' }),
  );
  await expect(page.getByTestId('connect-flow')).toHaveAttribute('data-step', 'waiting');

  await page.evaluate(() =>
    window.__outpost.backend.failConnect('instagram', {
      code: 'instagram.not_professional',
      message: 'This Instagram account is a personal account. Switch it to a Business or Creator account in the Instagram app, then connect again.',
    }),
  );
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Instagram sign-in did not finish');
  await expect(alert).toContainText('This Instagram account is a personal account.');
  await expect(alert).toContainText('instagram.not_professional');
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByTestId('connect-flow')).toHaveAttribute('data-step', 'waiting');
  expect(await calls(page, 'connect_start')).toHaveLength(2);
});

test('connect_start itself failing is shown too', async ({ page }) => {
  await open(page, '/connect/reddit', '?scenario=fresh');
  await page.evaluate(() =>
    window.__outpost.backend.failures.set('connect_start', {
      code: 'oauth.no_client',
      message: 'No Reddit developer app is configured. Run `outpost credentials set reddit --client-id …` first.',
    }),
  );
  await page.getByRole('button', { name: 'Connect Reddit' }).click();
  await expect(page.getByRole('alert')).toContainText('No Reddit developer app is configured.');
});

test('reconnect and disconnect an account', async ({ page }) => {
  await open(page, '/connect/instagram');
  const stale = page.getByTestId('account-4');
  await expect(stale).toContainText('Needs reconnecting');
  await expect(stale).toContainText('Instagram refused to renew access');
  await stale.getByRole('button', { name: 'Reconnect' }).click();
  await expect(page.getByTestId('connect-flow')).toHaveAttribute('data-step', 'waiting');
  expect(await calls(page, 'connect_start')).toEqual([{ cmd: 'connect_start', args: { platform: 'instagram' } }]);

  await stale.getByRole('button', { name: 'Disconnect @lind.studio' }).click();
  await expect(stale).toContainText('Outpost asks Instagram to revoke its access');
  await stale.getByRole('button', { name: 'Yes, disconnect' }).click();
  await expect(page.getByText('@lind.studio is disconnected.')).toBeVisible();
  await expect(page.getByTestId('account-4')).toHaveCount(0);
  expect(await calls(page, 'account_disconnect')).toEqual([{ cmd: 'account_disconnect', args: { accountId: 4 } }]);
});
