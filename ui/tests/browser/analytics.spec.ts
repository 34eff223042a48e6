// The dashboard draws its charts (real uPlot on a real canvas), shows the same numbers in
// tables, sorts through the core, changes account and period, and exports CSV.

import { calls, canvasInk, expect, open, test } from './harness';

test('charts draw, the table sorts, CSV is saved', async ({ page }) => {
  await open(page, '/analytics');
  for (const id of ['chart-followers', 'chart-post-views', 'chart-post-engagement', 'chart-best-hour', 'chart-best-weekday']) {
    const chart = page.getByTestId(id);
    await expect(chart.locator('[role="img"]')).toHaveAttribute('aria-label', /.{20,}/);
    const ink = await canvasInk(chart);
    expect(ink.width, id).toBeGreaterThan(200);
    expect(ink.ink, `${id}: something drawn`).toBeGreaterThan(500);
    expect(ink.series, `${id}: the series drawn in its colour`).toBeGreaterThan(100);
  }
  await expect(page.getByTestId('totals')).toContainText('Followers');

  const table = page.getByTestId('posts-table');
  const rows = table.locator('tbody tr');
  const count = await rows.count();
  expect(count).toBeGreaterThan(5);

  // Sorting asks the core (by, asc), highest first.
  await table.getByRole('button', { name: /^Views/ }).click();
  await expect(table.locator('th[aria-sort="descending"]')).toContainText('Views');
  const views = async () =>
    (await rows.locator('td:nth-of-type(2)').allInnerTexts()).map((t) => Number(t.replace(/\D/g, '')));
  await expect.poll(async () => {
    const v = await views();
    return v.every((x, i) => i === 0 || v[i - 1] >= x);
  }).toBe(true);
  expect(await calls(page, 'analytics_posts')).toContainEqual({
    cmd: 'analytics_posts',
    args: { accountId: 1, days: 30, by: 'views', asc: false },
  });
  await table.getByRole('button', { name: /^Views/ }).click();
  await expect(table.locator('th[aria-sort="ascending"]')).toContainText('Views');

  // The follower numbers are in a table as well.
  await page.getByText('Followers per day (table)').click();
  await expect(page.getByTestId('followers-table').locator('tbody tr')).toHaveCount(30);

  await page.getByRole('button', { name: 'Export CSV' }).click();
  await expect(page.getByTestId('analytics-notice')).toContainText('Saved to /home/maya/Downloads/outpost-tiktok-maya.outdoors-30d-');
  expect(await calls(page, 'analytics_csv')).toEqual([{ cmd: 'analytics_csv', args: { accountId: 1, days: 30 } }]);
  const [save] = await calls(page, 'save_text_file');
  expect(save.args?.suggestedName).toMatch(/^outpost-tiktok-maya\.outdoors-30d-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(String(save.args?.text)).toMatch(/^media_id,platform_media_id,created_at,caption,views/);
});

test('account and period selectors ask the core again', async ({ page }) => {
  await open(page, '/analytics');
  await expect(page.getByTestId('chart-followers').locator('canvas')).toHaveCount(1);
  await page.getByLabel('Period', { exact: true }).selectOption('90');
  await page.getByLabel('Account', { exact: true }).selectOption({ label: 'Instagram · @maya.outdoors' });
  await expect(page.getByRole('heading', { name: 'Views and reach per post' })).toBeVisible();
  const offset = await page.evaluate(() => -new Date().getTimezoneOffset());
  for (const cmd of ['analytics_growth', 'analytics_best_times']) {
    expect(await calls(page, cmd)).toContainEqual({ cmd, args: { accountId: 2, days: 90, utcOffsetMinutes: offset } });
  }
  expect(await calls(page, 'analytics_totals')).toContainEqual({ cmd: 'analytics_totals', args: { accountId: 2, days: 90 } });
  await expect(page.getByTestId('best-slot')).toContainText(/did best on \w+days around \d\d:00/);
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(page.getByTestId('analytics-notice')).toContainText('Insights synced.');
  expect((await calls(page, 'sync_now')).length).toBe(1);
});
