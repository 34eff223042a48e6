// The publish form builds the `publish_submit` request the core expects.

import { calls, emit, expect, open, test } from './harness';

test('publish to TikTok, Instagram and Reddit: the request carries every choice', async ({ page }) => {
  await open(page, '/publish');
  await page.getByRole('button', { name: 'Choose a file…' }).click();
  await expect(page.getByTestId('chosen-file')).toContainText('/home/maya/Videos/ridge-at-dusk.mp4');
  await expect(page.getByTestId('chosen-file')).toContainText('MP4 · 46 MB · 43 s · 1080×1920');

  await page.getByRole('checkbox', { name: 'TikTok @maya.outdoors' }).check();
  await page.getByRole('checkbox', { name: 'Instagram @maya.outdoors' }).check();
  await page.getByRole('checkbox', { name: 'Reddit u/maya_lind' }).check();
  await expect(page.getByTestId('limits-instagram')).toContainText('Instagram Reels: MP4, MOV · up to 300 MB · 3 s to 15 min');

  // TikTok counts UTF-16 units, Instagram characters: the emoji makes the difference.
  await page.getByRole('textbox', { name: 'Caption' }).fill('Ridge at dusk 🌄\n#hiking #goldenhour @trailfan');
  const counters = page.getByTestId('caption-counter');
  await expect(counters.filter({ hasText: 'TikTok caption' })).toContainText('46 / 2,200 UTF-16 units');
  await expect(counters.filter({ hasText: 'Instagram caption' })).toContainText('45 / 2,200 characters');
  await expect(counters.filter({ hasText: 'Instagram caption' })).toContainText('2 / 30 hashtags');
  await expect(counters.filter({ hasText: 'Instagram caption' })).toContainText('1 / 20 mentions');

  const tiktok = page.getByTestId('tiktok-form');
  await expect(tiktok.getByTestId('tiktok-posting-as')).toContainText('Maya Lind');
  await expect(tiktok.getByRole('radio', { checked: true })).toHaveCount(0);
  await expect(tiktok.getByRole('checkbox', { name: /^Duet/ })).toBeDisabled();
  await expect(tiktok.getByTestId('tiktok-processing-note')).toBeVisible();

  // Submit without the TikTok choices: blocked, nothing sent.
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByTestId('publish-problems')).toContainText('Choose who can see the TikTok post.');
  await expect(page.getByTestId('publish-problems')).toContainText('Name the subreddit to post to.');
  expect(await calls(page, 'publish_submit')).toEqual([]);

  await tiktok.getByRole('radio', { name: 'Followers', exact: true }).check();
  await tiktok.getByRole('checkbox', { name: /^Comment/ }).check();
  await tiktok.getByRole('checkbox', { name: /Disclose commercial content/ }).check();
  await tiktok.getByRole('checkbox', { name: /Your brand/ }).check();
  await tiktok.getByRole('checkbox', { name: /I agree to TikTok's/ }).check();

  const instagram = page.getByTestId('instagram-form');
  await instagram.getByRole('checkbox', { name: 'Also show the Reel in my feed' }).uncheck();

  const reddit = page.getByTestId('reddit-form');
  await reddit.getByLabel('Subreddit').fill('r/hiking');
  await expect(reddit.getByTestId('caption-counter')).toContainText('15 / 300 characters');
  await reddit.getByLabel('Title').fill('Ridge at dusk, Jotunheimen [OC]');
  await reddit.getByLabel(/Flair text/).fill('Photo/Video');
  await reddit.getByRole('checkbox', { name: 'Spoiler' }).check();

  await page.getByRole('radio', { name: 'At a time I choose' }).check();
  await page.getByLabel('Publish at (your local time)').fill('2026-12-01T18:30');

  await page.screenshot({ path: 'test-results/screenshots/publish-filled-1280x800-light.png', fullPage: true });
  await page.getByRole('button', { name: 'Schedule' }).click();
  await expect(page.getByTestId('publish-results')).toContainText('queued as job 50');

  const [submit] = await calls(page, 'publish_submit');
  expect(submit.args).toEqual({
    request: {
      source: { file: '/home/maya/Videos/ridge-at-dusk.mp4' },
      targets: ['tiktok:maya.outdoors', 'instagram:maya.outdoors', 'reddit:maya_lind'],
      caption: 'Ridge at dusk 🌄\n#hiking #goldenhour @trailfan',
      options: {
        tiktok: {
          privacy_level: 'FOLLOWER_OF_CREATOR',
          draft: false,
          disable_comment: false,
          disable_duet: true,
          disable_stitch: true,
          brand_organic: true,
          brand_content: false,
          is_aigc: false,
        },
        instagram: { kind: 'reels', share_to_feed: false },
        reddit: {
          subreddit: 'r/hiking',
          title: 'Ridge at dusk, Jotunheimen [OC]',
          flair_text: 'Photo/Video',
          nsfw: false,
          spoiler: true,
          send_replies: true,
        },
      },
      // Europe/Paris in December: UTC+1.
      publish_at: '2026-12-01T18:30:00+01:00',
    },
  });
  expect(await calls(page, 'media_limits')).toContainEqual({ cmd: 'media_limits', args: { platform: 'tiktok', kind: 'video' } });
  expect(await calls(page, 'tiktok_creator_info')).toEqual([{ cmd: 'tiktok_creator_info', args: { accountId: 1 } }]);
  await page.screenshot({ path: 'test-results/screenshots/publish-submitted-1280x800-light.png' });
});

test('a file dropped on the window is chosen', async ({ page }) => {
  await open(page, '/publish');
  await emit(page, 'tauri://drag-enter', { paths: ['/home/maya/Pictures/summit.jpg'], position: { x: 300, y: 300 } });
  await expect(page.getByTestId('drop-zone')).toContainText('Drop to use this file');
  await emit(page, 'tauri://drag-drop', { paths: ['/home/maya/Pictures/summit.jpg'], position: { x: 300, y: 300 } });
  await expect(page.getByTestId('chosen-file')).toContainText('/home/maya/Pictures/summit.jpg');
  await expect(page.getByTestId('chosen-file')).toContainText('JPEG');
  expect(await calls(page, 'probe_file')).toEqual([{ cmd: 'probe_file', args: { path: '/home/maya/Pictures/summit.jpg' } }]);

  // An image: Instagram posts it as an image, with the caption limit the core gives.
  await page.getByRole('checkbox', { name: 'Instagram @maya.outdoors' }).check();
  await expect(page.getByTestId('instagram-form').getByLabel('Post as')).toHaveValue('image');
  await expect(page.getByTestId('limits-instagram')).toContainText('Instagram image posts: JPEG · up to 8.0 MB');
  expect(await calls(page, 'media_limits')).toContainEqual({ cmd: 'media_limits', args: { platform: 'instagram', kind: 'image' } });
});

test('a Reddit text post, and the core’s refusal shown as it said it', async ({ page }) => {
  await open(page, '/publish');
  await page.getByRole('radio', { name: 'A text post (Reddit)' }).check();
  await page.getByRole('checkbox', { name: 'Reddit u/maya_lind' }).check();
  const reddit = page.getByTestId('reddit-form');
  await reddit.getByLabel('Subreddit').fill('outpost_sandbox');
  await reddit.getByLabel('Title').fill('Which trail next?');
  await reddit.getByLabel('Post text').fill('Torn between two ridges.');
  await expect(reddit.getByTestId('caption-counter').filter({ hasText: 'Reddit text' })).toContainText('24 / 40,000 characters');
  await page.evaluate(() =>
    window.__outpost.backend.failures.set('publish_submit', {
      code: 'reddit.subreddit_not_found',
      message: 'r/outpost_sandbox does not exist.',
    }),
  );
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByRole('alert')).toContainText('r/outpost_sandbox does not exist.');
  const [submit] = await calls(page, 'publish_submit');
  expect(submit.args).toMatchObject({
    request: {
      source: { text: true },
      targets: ['reddit:maya_lind'],
      caption: null,
      options: { reddit: { subreddit: 'outpost_sandbox', title: 'Which trail next?', text: 'Torn between two ridges.' } },
      publish_at: null,
    },
  });
});
