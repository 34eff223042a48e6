// The publish form's state, what stops it from being sent, and the `publish_submit`
// request it becomes. Limits (lengths, sizes, kinds) are the core's: the form only checks
// what a posting UI must ask of the creator (TikTok's content-sharing rules: a privacy
// level chosen by hand, the commercial-content choice, the music-usage consent) and
// what the request needs to be built at all. The core validates everything on submit.

import { accountTarget, localInputToRfc3339 } from '$lib/format';
import type {
  Account,
  Container,
  CreatorInfo,
  Limits,
  MediaKind,
  Platform,
  Probe,
  PublishOptions,
  PublishRequest,
} from '$lib/bindings';
import { countUnits } from '$lib/text';

export type SourceMode = 'file' | 'url' | 'text';

export interface TiktokFormState {
  /** One of the creator's `privacy_level_options`; never preselected. */
  privacy_level: string | null;
  draft: boolean;
  /** "Allow users to …": off until the creator turns them on. */
  allow_comment: boolean;
  allow_duet: boolean;
  allow_stitch: boolean;
  /** "Disclose commercial content", then which kind. */
  commercial: boolean;
  brand_organic: boolean;
  brand_content: boolean;
  is_aigc: boolean;
  /** The creator agreed to TikTok's Music Usage Confirmation (and Branded Content Policy). */
  consent: boolean;
}

export interface InstagramFormState {
  kind: 'reels' | 'image' | 'carousel';
  share_to_feed: boolean;
  /** Public URLs of the other carousel items, one a line. */
  carousel: string;
}

export interface RedditFormState {
  subreddit: string;
  title: string;
  flair_id: string;
  flair_text: string;
  nsfw: boolean;
  spoiler: boolean;
  send_replies: boolean;
  /** Body of a text post. */
  text: string;
}

export interface PublishForm {
  mode: SourceMode;
  file: string | null;
  url: string;
  targets: Account[];
  caption: string;
  tiktok: TiktokFormState;
  instagram: InstagramFormState;
  reddit: RedditFormState;
  schedule: 'now' | 'at';
  /** `datetime-local` value. */
  at: string;
}

export function emptyTiktok(): TiktokFormState {
  return {
    privacy_level: null,
    draft: false,
    allow_comment: false,
    allow_duet: false,
    allow_stitch: false,
    commercial: false,
    brand_organic: false,
    brand_content: false,
    is_aigc: false,
    consent: false,
  };
}

export function emptyForm(): PublishForm {
  return {
    mode: 'file',
    file: null,
    url: '',
    targets: [],
    caption: '',
    tiktok: emptyTiktok(),
    instagram: { kind: 'reels', share_to_feed: true, carousel: '' },
    reddit: {
      subreddit: '',
      title: '',
      flair_id: '',
      flair_text: '',
      nsfw: false,
      spoiler: false,
      send_replies: true,
      text: '',
    },
    schedule: 'now',
    at: '',
  };
}

const VIDEO_CONTAINERS: Container[] = ['mp4', 'mov', 'webm'];

/** What kind of post the source makes, for `media_limits` (null until a file is probed). */
export function mediaKind(form: Pick<PublishForm, 'mode' | 'targets'>, probe: Probe | null): MediaKind | null {
  if (form.mode === 'text') return 'text';
  if (form.mode === 'url') {
    const onlyReddit = form.targets.length > 0 && form.targets.every((a) => a.platform === 'reddit');
    return onlyReddit ? 'link' : 'video';
  }
  if (!probe) return null;
  if (VIDEO_CONTAINERS.includes(probe.container)) return 'video';
  if (probe.container === 'unknown') return null;
  return 'image';
}

/** Platforms among the targets, in a stable order. */
export function targetPlatforms(targets: Account[]): Platform[] {
  const order: Platform[] = ['tiktok', 'instagram', 'reddit'];
  return order.filter((p) => targets.some((a) => a.platform === p));
}

/** The TikTok choices the creators of all TikTok targets allow. */
export function combinedCreatorInfo(infos: CreatorInfo[]): CreatorInfo | null {
  if (infos.length === 0) return null;
  const [first, ...rest] = infos;
  return {
    nickname: first.nickname,
    username: first.username,
    privacy_level_options: first.privacy_level_options.filter((o) =>
      rest.every((i) => i.privacy_level_options.includes(o)),
    ),
    comment_disabled: infos.some((i) => i.comment_disabled),
    duet_disabled: infos.some((i) => i.duet_disabled),
    stitch_disabled: infos.some((i) => i.stitch_disabled),
    max_video_post_duration_sec: Math.min(...infos.map((i) => i.max_video_post_duration_sec ?? Infinity)),
  };
}

/** What stops the TikTok part of the form from being sent (empty: nothing). */
export function tiktokProblems(s: TiktokFormState, creator: CreatorInfo | null): string[] {
  const out: string[] = [];
  if (!creator) {
    out.push("TikTok's creator settings have not loaded yet.");
    return out;
  }
  if (!s.draft) {
    if (s.privacy_level === null) out.push('Choose who can see the TikTok post.');
    else if (!creator.privacy_level_options.includes(s.privacy_level))
      out.push('The TikTok privacy you chose is not one your account allows: choose again.');
  }
  if (s.commercial && !s.brand_organic && !s.brand_content)
    out.push('You turned on commercial content disclosure: say whether it promotes your brand, branded content, or both.');
  if (!s.consent) out.push("Agree to TikTok's Music Usage Confirmation before posting.");
  return out;
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim();
}

/** The Reddit title that will be used: the one typed, else the caption's first line. */
export function redditEffectiveTitle(form: PublishForm): string {
  return form.reddit.title.trim() || firstLine(form.caption);
}

/** Everything that stops the form from being sent, in the order of the form. */
export function formProblems(
  form: PublishForm,
  ctx: {
    probe: Probe | null;
    limits: Partial<Record<Platform, Limits | null>>;
    tiktokCreator: CreatorInfo | null;
  },
): string[] {
  const out: string[] = [];
  if (form.mode === 'file' && !form.file) out.push('Choose a file to publish.');
  if (form.mode === 'file' && form.file && ctx.probe?.container === 'unknown')
    out.push('Outpost does not recognise this file as a video or an image.');
  if (form.mode === 'url' && !/^https?:\/\/\S+$/i.test(form.url.trim())) out.push('Enter an http(s) address.');
  if (form.targets.length === 0) out.push('Choose at least one account to publish to.');
  const platforms = targetPlatforms(form.targets);
  for (const p of platforms) {
    const l = ctx.limits[p];
    if (l && !l.supported) out.push(`${l.post_type} are not supported.`);
    if (l?.caption && countUnits(captionFor(p, form), l.caption.unit) > l.caption.max)
      out.push(`The ${l.post_type.replace(/s$/, '')} ${l.caption.field} is too long.`);
  }
  if (platforms.includes('tiktok')) out.push(...tiktokProblems(form.tiktok, ctx.tiktokCreator));
  if (platforms.includes('reddit')) {
    if (!form.reddit.subreddit.trim()) out.push('Name the subreddit to post to.');
    const title = ctx.limits.reddit?.title;
    if (title?.required && !redditEffectiveTitle(form)) out.push('Give the Reddit post a title (or a caption).');
    if (title && countUnits(redditEffectiveTitle(form), title.unit) > title.max) out.push('The Reddit title is too long.');
  }
  if (platforms.includes('instagram') && form.instagram.kind === 'carousel' && carouselUrls(form).length === 0)
    out.push('Add the public addresses of the other carousel items.');
  if (form.schedule === 'at' && !localInputToRfc3339(form.at)) out.push('Choose the date and time to publish at.');
  return out;
}

/** The text a platform's caption limit applies to (Reddit text posts: the body). */
export function captionFor(platform: Platform, form: PublishForm): string {
  if (platform === 'reddit') return form.mode === 'text' ? form.reddit.text : '';
  return form.caption;
}

function carouselUrls(form: PublishForm): string[] {
  return form.instagram.carousel
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
}

const orNull = (s: string): string | null => (s.trim() === '' ? null : s.trim());

/** The `publish_submit` request for this form. */
export function buildPublishRequest(form: PublishForm): PublishRequest {
  const platforms = targetPlatforms(form.targets);
  const options: PublishOptions = {};
  if (platforms.includes('tiktok')) {
    const t = form.tiktok;
    options.tiktok = {
      privacy_level: t.draft ? null : t.privacy_level,
      draft: t.draft,
      disable_comment: !t.allow_comment,
      disable_duet: !t.allow_duet,
      disable_stitch: !t.allow_stitch,
      brand_organic: t.commercial && t.brand_organic,
      brand_content: t.commercial && t.brand_content,
      is_aigc: t.is_aigc,
    };
  }
  if (platforms.includes('instagram')) {
    const i = form.instagram;
    options.instagram = { kind: i.kind };
    if (i.kind === 'reels') options.instagram.share_to_feed = i.share_to_feed;
    if (i.kind === 'carousel') options.instagram.carousel = carouselUrls(form);
  }
  if (platforms.includes('reddit')) {
    const r = form.reddit;
    options.reddit = {
      subreddit: r.subreddit.trim(),
      nsfw: r.nsfw,
      spoiler: r.spoiler,
      send_replies: r.send_replies,
    };
    const title = orNull(r.title);
    if (title) options.reddit.title = title;
    const flairId = orNull(r.flair_id);
    if (flairId) options.reddit.flair_id = flairId;
    const flairText = orNull(r.flair_text);
    if (flairText) options.reddit.flair_text = flairText;
    if (form.mode === 'text') options.reddit.text = r.text;
  }
  const source: PublishRequest['source'] =
    form.mode === 'file' ? { file: form.file ?? '' } : form.mode === 'url' ? { url: form.url.trim() } : { text: true };
  return {
    source,
    targets: form.targets.map(accountTarget),
    caption: form.caption.trim() === '' ? null : form.caption,
    options,
    publish_at: form.schedule === 'at' ? localInputToRfc3339(form.at) : null,
  };
}
