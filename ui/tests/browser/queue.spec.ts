// The queue follows `job-update` events live; retry, cancel, pause and resume call the core.

import { calls, emit, expect, open, test } from './harness';

const MB = 1024 * 1024;

test('progress moves with job-update events, and a new job appears', async ({ page }) => {
  await open(page, '/queue');
  const job = page.getByTestId('job-41');
  const bar = job.getByRole('progressbar');
  await expect(bar).toHaveAttribute('aria-valuenow', String(20 * MB));
  await expect(job).toContainText('chunk 3 of 5');

  await emit(page, 'job-update', {
    job: 41,
    platform: 'tiktok',
    account: 'tiktok:maya.outdoors',
    state: 'uploading',
    step: 'chunk 5 of 5',
    bytes_acked: 40 * MB,
    bytes_total: 48_234_112,
    error: null,
  });
  await expect(bar).toHaveAttribute('aria-valuenow', String(40 * MB));
  await expect(bar).toHaveAttribute('aria-valuetext', '40 MB of 46 MB');
  await expect(job).toContainText('chunk 5 of 5');

  await emit(page, 'job-update', {
    job: 41,
    platform: 'tiktok',
    account: 'tiktok:maya.outdoors',
    state: 'processing',
    step: 'TikTok is processing the video',
    bytes_acked: 48_234_112,
    bytes_total: 48_234_112,
    error: null,
  });
  await expect(job.getByTestId('job-state')).toHaveText('Processing');
  await expect(bar).toHaveAttribute('aria-valuenow', '48234112');

  // An update for a job the page has not seen: it reads the queue again.
  const before = (await calls(page, 'queue_list')).length;
  await page.evaluate(() => {
    const b = window.__outpost.backend;
    b.jobs.push({ ...b.jobs[0], id: 77, state: 'validating', source_path: '/home/maya/Videos/new-drop.mp4', created_at: Date.now() });
  });
  await emit(page, 'job-update', {
    job: 77,
    platform: 'tiktok',
    account: 'tiktok:maya.outdoors',
    state: 'validating',
    step: null,
    bytes_acked: 0,
    bytes_total: null,
    error: null,
  });
  await expect(page.getByTestId('job-77')).toContainText('new-drop.mp4');
  expect((await calls(page, 'queue_list')).length).toBeGreaterThan(before);
});

test('retry, cancel, pause and resume; errors and file problems in plain words', async ({ page }) => {
  await open(page, '/queue');
  const failed = page.getByTestId('job-40');
  await expect(failed.getByRole('alert')).toContainText('r/hikingg does not exist.');
  await expect(failed.getByRole('alert')).toContainText('reddit.subreddit_not_found');
  await expect(page.getByTestId('file-problems')).toContainText('teaser-v2.mov');
  await expect(page.getByTestId('file-problems')).toContainText('unknown option "privcy_level"');

  await failed.getByRole('button', { name: /Retry/ }).click();
  await expect(page.getByTestId('job-40').getByTestId('job-state')).toHaveText('Queued');
  expect(await calls(page, 'queue_retry')).toEqual([{ cmd: 'queue_retry', args: { id: 40 } }]);

  await page.getByTestId('job-42').getByRole('button', { name: /Cancel/ }).click();
  expect(await calls(page, 'queue_cancel')).toEqual([{ cmd: 'queue_cancel', args: { id: 42 } }]);
  await expect(page.getByTestId('job-42').getByTestId('job-state')).toHaveText('Cancelled');

  await page.getByRole('button', { name: 'Pause uploads' }).click();
  await expect(page.getByTestId('queue-paused')).toBeVisible();
  await page.getByRole('button', { name: 'Resume uploads' }).click();
  await expect(page.getByTestId('queue-paused')).toHaveCount(0);
  expect((await calls(page, 'queue_pause')).length).toBe(1);
  expect((await calls(page, 'queue_resume')).length).toBe(1);

  await page.getByRole('checkbox', { name: 'Show finished jobs' }).check();
  await expect(page.getByTestId('job-35')).toContainText('Published');
  expect(await calls(page, 'queue_list')).toContainEqual({ cmd: 'queue_list', args: { all: true } });
});
