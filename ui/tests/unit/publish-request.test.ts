import { describe, expect, it } from 'vitest';
import type { Account } from '../../src/lib/bindings';
import { buildPublishRequest, emptyForm, formProblems, mediaKind } from '../../src/pages/publish/publish-form';

const acc = (id: number, platform: Account['platform'], username: string): Account => ({
  id,
  platform,
  platform_user_id: `p${id}`,
  username,
  display_name: null,
  avatar_url: null,
  status: 'active',
  status_reason: null,
});

describe('the publish_submit request', () => {
  it('carries one target per account and only the options of their platforms', () => {
    const form = emptyForm();
    form.file = '/v/clip.mp4';
    form.caption = 'Ridge at dusk\n#hiking';
    form.targets = [acc(2, 'instagram', 'maya.outdoors'), acc(3, 'reddit', 'maya_lind')];
    form.reddit.subreddit = ' r/hiking ';
    form.reddit.flair_text = 'OC';
    form.reddit.nsfw = true;
    expect(buildPublishRequest(form)).toEqual({
      source: { file: '/v/clip.mp4' },
      targets: ['instagram:maya.outdoors', 'reddit:maya_lind'],
      caption: 'Ridge at dusk\n#hiking',
      options: {
        instagram: { kind: 'reels', share_to_feed: true },
        reddit: { subreddit: 'r/hiking', nsfw: true, spoiler: false, send_replies: true, flair_text: 'OC' },
      },
      publish_at: null,
    });
  });

  it('sends a Reddit text post as {text: true} with its body, and a schedule in RFC 3339', () => {
    const form = emptyForm();
    form.mode = 'text';
    form.targets = [acc(3, 'reddit', 'maya_lind')];
    form.reddit.subreddit = 'outpost_sandbox';
    form.reddit.title = 'A question';
    form.reddit.text = 'Body text';
    form.schedule = 'at';
    form.at = '2026-12-01T18:00';
    const req = buildPublishRequest(form);
    expect(req.source).toEqual({ text: true });
    expect(req.caption).toBeNull();
    expect(req.options.reddit).toMatchObject({ title: 'A question', text: 'Body text' });
    expect(req.publish_at).toMatch(/^2026-12-01T18:00:00[+-]\d\d:\d\d$/);
    expect(Date.parse(req.publish_at!)).toBe(new Date(2026, 11, 1, 18, 0).getTime());
  });

  it('picks the kind of post for media_limits from the source', () => {
    const probe = { bytes: 1, container: 'jpeg' as const, duration_secs: null, width: 1, height: 1 };
    expect(mediaKind({ mode: 'file', targets: [] }, probe)).toBe('image');
    expect(mediaKind({ mode: 'file', targets: [] }, { ...probe, container: 'mov' })).toBe('video');
    expect(mediaKind({ mode: 'file', targets: [] }, null)).toBeNull();
    expect(mediaKind({ mode: 'url', targets: [acc(3, 'reddit', 'm')] }, null)).toBe('link');
    expect(mediaKind({ mode: 'url', targets: [acc(2, 'instagram', 'm')] }, null)).toBe('video');
    expect(mediaKind({ mode: 'text', targets: [] }, null)).toBe('text');
  });

  it('needs a file, a target and a subreddit before anything is sent', () => {
    const form = emptyForm();
    form.targets = [acc(3, 'reddit', 'maya_lind')];
    expect(formProblems(form, { probe: null, limits: {}, tiktokCreator: null })).toEqual([
      'Choose a file to publish.',
      'Name the subreddit to post to.',
    ]);
  });
});
