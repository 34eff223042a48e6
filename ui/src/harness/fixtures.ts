// Realistic data for the harness: a creator with TikTok, Instagram and Reddit accounts, a
// queue in motion, months of insights. Deterministic (seeded), relative to the real clock
// so that "today" and "in 3 hours" read right.

import type {
  Account,
  BestTimes,
  Container,
  CreatorInfo,
  Diagnostics,
  FollowerDay,
  FollowerGrowth,
  HourBucket,
  Job,
  Limits,
  MediaKind,
  PeriodTotals,
  Platform,
  PlatformInfo,
  PostColumn,
  PostRow,
  Settings,
  SlotBucket,
  TextLimit,
  Weekday,
  WeekdayBucket,
} from '../lib/bindings';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MB = 1024 * 1024;

/** A small seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DATA_DIR = '/home/maya/.local/share/outpost';

export function accounts(scenario: string): Account[] {
  if (scenario === 'fresh') return [];
  return [
    {
      id: 1,
      platform: 'tiktok',
      platform_user_id: '7301845522109',
      username: 'maya.outdoors',
      display_name: 'Maya Lind',
      avatar_url: null,
      status: 'active',
      status_reason: null,
    },
    {
      id: 2,
      platform: 'instagram',
      platform_user_id: '17841400008460056',
      username: 'maya.outdoors',
      display_name: 'Maya Lind · trails & ridges',
      avatar_url: null,
      status: 'active',
      status_reason: null,
    },
    {
      id: 3,
      platform: 'reddit',
      platform_user_id: 't2_9xk2m',
      username: 'maya_lind',
      display_name: null,
      avatar_url: null,
      status: 'active',
      status_reason: null,
    },
    {
      id: 4,
      platform: 'instagram',
      platform_user_id: '17841400001234567',
      username: 'lind.studio',
      display_name: 'Lind Studio',
      avatar_url: null,
      status: 'needs_reconnect',
      status_reason:
        'Instagram refused to renew access (the password changed or access was removed in Instagram). Reconnect to keep publishing.',
    },
  ];
}

export const PLATFORM_INFO: Record<Platform, PlatformInfo> = {
  tiktok: {
    platform: 'tiktok',
    display_name: 'TikTok',
    scopes: [
      { scope: 'user.info.basic', description: 'See your TikTok name and profile picture.' },
      { scope: 'user.info.profile', description: 'See your profile details, such as your bio and profile link.' },
      { scope: 'user.info.stats', description: 'See your follower, following and like counts.' },
      { scope: 'video.list', description: 'List your public videos with their views, likes, comments and shares.' },
      { scope: 'video.upload', description: 'Upload videos to your TikTok inbox as drafts you finish in the app.' },
      { scope: 'video.publish', description: 'Post videos to your profile, only when you ask it to.' },
    ],
    requirements: [
      'A TikTok account that can post videos.',
      'Until this TikTok app passes TikTok’s audit, every post is private (“Only me”), and your account must be private when posting.',
    ],
  },
  instagram: {
    platform: 'instagram',
    display_name: 'Instagram',
    scopes: [
      { scope: 'instagram_business_basic', description: 'See your profile and the posts on it.' },
      { scope: 'instagram_business_content_publish', description: 'Publish the Reels, images and carousels you choose.' },
      { scope: 'instagram_business_manage_comments', description: 'Read the comments on your posts.' },
      { scope: 'instagram_business_manage_insights', description: 'Read views, reach, likes, saves and follower counts.' },
    ],
    requirements: [
      'A professional Instagram account (Business or Creator). Personal accounts cannot be used: switch in the Instagram app under Settings → Account type and tools.',
      'While this Instagram app is in development, your account must be added as an Instagram Tester.',
    ],
  },
  reddit: {
    platform: 'reddit',
    display_name: 'Reddit',
    scopes: [
      { scope: 'identity', description: 'See your Reddit username.' },
      { scope: 'submit', description: 'Submit the posts you ask it to.' },
      { scope: 'read', description: 'Read your posts and their scores.' },
      { scope: 'edit', description: 'Edit the posts it made for you.' },
      { scope: 'mysubreddits', description: 'See the subreddits you belong to.' },
      { scope: 'flair', description: 'Set the flair of your posts.' },
    ],
    requirements: ['A Reddit account allowed to post in the subreddits you choose (some ask for karma or account age).'],
  },
};

export function creatorInfo(): CreatorInfo {
  return {
    nickname: 'Maya Lind',
    username: 'maya.outdoors',
    privacy_level_options: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY'],
    comment_disabled: false,
    duet_disabled: true,
    stitch_disabled: false,
    max_video_post_duration_sec: 600,
  };
}

// The core's limits table (outpost_core::media::limits), as `media_limits` answers.
const text = (field: string, max: number, unit: 'chars' | 'utf16', required: boolean): TextLimit => ({
  field,
  max,
  unit,
  required,
});

export function mediaLimits(platform: Platform, kind: MediaKind): Limits {
  const names: Record<Platform, Record<MediaKind, string>> = {
    tiktok: { video: 'TikTok videos', image: 'TikTok photo posts', text: 'TikTok text posts', link: 'TikTok link posts' },
    instagram: {
      video: 'Instagram Reels',
      image: 'Instagram image posts',
      text: 'Instagram text posts',
      link: 'Instagram link posts',
    },
    reddit: { video: 'Reddit video posts', image: 'Reddit image posts', text: 'Reddit text posts', link: 'Reddit link posts' },
  };
  const base: Limits = {
    platform,
    kind,
    post_type: names[platform][kind],
    supported: false,
    caption: null,
    title: null,
    max_hashtags: null,
    max_mentions: null,
    containers: [],
    max_bytes: null,
    min_duration_secs: null,
    max_duration_secs: null,
    min_side_px: null,
    max_side_px: null,
    max_width_px: null,
    aspect_ratio: null,
  };
  const on = (extra: Partial<Limits>): Limits => ({ ...base, supported: true, ...extra });
  if (platform === 'tiktok') {
    if (kind === 'video')
      return on({
        caption: text('caption', 2200, 'utf16', false),
        containers: ['mp4', 'webm', 'mov'],
        max_bytes: 4096 * MB,
        max_duration_secs: 600,
        min_side_px: 360,
        max_side_px: 4096,
      });
    if (kind === 'image')
      return on({
        caption: text('description', 4000, 'chars', false),
        title: text('title', 90, 'chars', false),
        containers: ['jpeg'],
      });
    return base;
  }
  if (platform === 'instagram') {
    const common = {
      caption: text('caption', 2200, 'chars', false),
      max_hashtags: 30,
      max_mentions: 20,
    };
    if (kind === 'video')
      return on({
        ...common,
        containers: ['mp4', 'mov'],
        max_bytes: 300 * MB,
        min_duration_secs: 3,
        max_duration_secs: 900,
        max_width_px: 1920,
        aspect_ratio: { min: 0.01, max: 10 },
      });
    if (kind === 'image')
      return on({ ...common, containers: ['jpeg'], max_bytes: 8 * MB, aspect_ratio: { min: 0.8, max: 1.91 } });
    return base;
  }
  const title = text('title', 300, 'chars', true);
  if (kind === 'video') return on({ title, containers: ['mp4', 'mov'], max_bytes: 1024 * MB });
  if (kind === 'image') return on({ title, containers: ['jpeg', 'png', 'gif'], max_bytes: 20 * MB });
  if (kind === 'text') return on({ title, caption: text('text', 40_000, 'chars', false) });
  return on({ title });
}

export function probe(path: string) {
  const ext = path.split('.').pop()?.toLowerCase() ?? '';
  const container: Container =
    ext === 'mp4' ? 'mp4' : ext === 'mov' ? 'mov' : ext === 'webm' ? 'webm' : ext === 'jpg' || ext === 'jpeg' ? 'jpeg' : ext === 'png' ? 'png' : 'unknown';
  const video = ['mp4', 'mov', 'webm'].includes(container);
  return {
    bytes: video ? 48_234_112 : 2_811_904,
    container,
    duration_secs: video ? 42.6 : null,
    width: 1080,
    height: video ? 1920 : 1350,
  };
}

// The queue.
export function jobs(now: number): Job[] {
  const base = {
    content_hash: '',
    options: {},
    attempts: 1,
    next_attempt_at: null,
    chunks_acked: 0,
    platform_publish_id: null,
    platform_media_id: null,
    last_error_code: null,
    last_error: null,
    step_detail: null,
    moved_to: null,
    publish_at: null,
  };
  const file = '/home/maya/Videos/outpost-drop/ridge-at-dusk.mp4';
  const hash = 'b3f1c2a9d84e7f10c5a6b2d3e4f5061728394a5b6c7d8e9f0a1b2c3d4e5f6071';
  return [
    {
      ...base,
      id: 41,
      account_id: 1,
      platform: 'tiktok',
      account: 'tiktok:maya.outdoors',
      content_hash: hash,
      source_path: file,
      kind: 'video',
      state: 'uploading',
      bytes_acked: 20 * MB,
      chunks_acked: 2,
      bytes_total: 48_234_112,
      platform_publish_id: 'v_pub_file~v2-1.7301845',
      step_detail: 'chunk 3 of 5',
      created_at: now - 4 * 60_000,
      updated_at: now - 5_000,
    },
    {
      ...base,
      id: 42,
      account_id: 2,
      platform: 'instagram',
      account: 'instagram:maya.outdoors',
      content_hash: hash,
      source_path: file,
      kind: 'video',
      state: 'queued',
      bytes_acked: 0,
      bytes_total: 48_234_112,
      publish_at: now + 3 * HOUR,
      created_at: now - 4 * 60_000,
      updated_at: now - 4 * 60_000,
    },
    {
      ...base,
      id: 38,
      account_id: 1,
      platform: 'tiktok',
      account: 'tiktok:maya.outdoors',
      content_hash: 'a1',
      source_path: '/home/maya/Videos/outpost-drop/lake-loop-timelapse.mp4',
      kind: 'video',
      state: 'processing',
      bytes_acked: 31_457_280,
      bytes_total: 31_457_280,
      chunks_acked: 3,
      platform_publish_id: 'v_pub_file~v2-1.7301811',
      step_detail: 'TikTok is processing the video',
      created_at: now - 20 * 60_000,
      updated_at: now - 60_000,
    },
    {
      ...base,
      id: 39,
      account_id: 2,
      platform: 'instagram',
      account: 'instagram:maya.outdoors',
      content_hash: 'a2',
      source_path: '/home/maya/Videos/outpost-drop/summit-sunrise.mp4',
      kind: 'video',
      state: 'waiting_for_quota',
      bytes_acked: 0,
      bytes_total: 22_020_096,
      next_attempt_at: now + 2 * HOUR + 40 * 60_000,
      step_detail: "Instagram's limit of 50 posts in 24 hours is reached",
      created_at: now - 2 * HOUR,
      updated_at: now - HOUR,
    },
    {
      ...base,
      id: 40,
      account_id: 3,
      platform: 'reddit',
      account: 'reddit:maya_lind',
      content_hash: 'a3',
      source_path: '/home/maya/Videos/outpost-drop/gear-check.mp4',
      kind: 'video',
      state: 'failed',
      attempts: 1,
      bytes_acked: 0,
      bytes_total: 12_582_912,
      last_error_code: 'reddit.subreddit_not_found',
      last_error: 'r/hikingg does not exist. Check the subreddit’s name in the file’s sidecar, then retry.',
      created_at: now - 3 * HOUR,
      updated_at: now - 3 * HOUR,
    },
    {
      ...base,
      id: 35,
      account_id: 1,
      platform: 'tiktok',
      account: 'tiktok:maya.outdoors',
      content_hash: 'a4',
      source_path: '/home/maya/Videos/outpost-drop/published/trail-mix.mp4',
      kind: 'video',
      state: 'published',
      bytes_acked: 18_874_368,
      bytes_total: 18_874_368,
      platform_media_id: '7302000112233445566',
      moved_to: '/home/maya/Videos/outpost-drop/published/trail-mix.mp4',
      created_at: now - 26 * HOUR,
      updated_at: now - 25 * HOUR,
    },
    {
      ...base,
      id: 36,
      account_id: 3,
      platform: 'reddit',
      account: 'reddit:maya_lind',
      content_hash: 'a5',
      source_path: '',
      kind: 'text',
      state: 'cancelled',
      bytes_acked: 0,
      bytes_total: null,
      created_at: now - 30 * HOUR,
      updated_at: now - 29 * HOUR,
    },
  ];
}

export const FILE_PROBLEMS = [
  {
    file: '/home/maya/Videos/outpost-drop/teaser-v2.mov',
    reason:
      'teaser-v2.json: unknown option "privcy_level" for tiktok; known options: privacy_level, draft, disable_comment, disable_duet, disable_stitch, brand_organic, brand_content, is_aigc, video_cover_timestamp_ms',
  },
];

// Analytics.

function localDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function growth(account: Account, days: number, offset: number, now: number): FollowerGrowth {
  const r = rng(account.id * 7919 + 17);
  const start = now - days * DAY;
  let followers = account.platform === 'reddit' ? 1_240 : account.platform === 'tiktok' ? 18_400 : 9_650;
  // Walk from far back so every period ends on the same numbers.
  const history: number[] = [];
  for (let i = 0; i < 400; i++) {
    followers += Math.round((r() - 0.25) * (account.platform === 'reddit' ? 6 : 55));
    history.push(followers);
  }
  const values = history.slice(history.length - days);
  const baseline = history[history.length - days - 1] ?? null;
  const list: FollowerDay[] = [];
  let last: number | null = baseline;
  let gap = 0;
  for (let i = 0; i < days; i++) {
    const dayMs = start + (i + 1) * DAY;
    // Two days without a sync a week ago: shown as a gap, not invented.
    const missing = i === days - 8 || i === days - 7;
    if (missing) {
      list.push({ date: localDate(dayMs), followers: null, captured_at: null, delta: null, delta_days: null });
      gap++;
      continue;
    }
    const v = values[i];
    list.push({
      date: localDate(dayMs),
      followers: v,
      captured_at: dayMs - 2 * HOUR,
      delta: last === null ? null : v - last,
      delta_days: last === null ? null : gap + 1,
    });
    last = v;
    gap = 0;
  }
  const lastValue = [...list].reverse().find((d) => d.followers !== null)?.followers ?? null;
  return {
    account_id: account.id,
    period: { start_ms: start, end_ms: now },
    utc_offset_minutes: offset,
    baseline,
    last: lastValue,
    net_change: lastValue !== null && baseline !== null ? lastValue - baseline : null,
    days: list,
  };
}

const CAPTIONS = [
  'Ridge at dusk 🌄 #hiking #goldenhour',
  'Lake loop in 60 seconds #timelapse',
  'What I pack for a 20 km day #gear',
  'Summit sunrise, -4 °C and worth it',
  'Trail mix ranking (controversial) #snacks',
  'First snow on the north face',
  'How I plan a route with offline maps',
  'Foggy forest walk, no talking #asmr',
  'Reply to @trailfan: yes, the boots held up',
  'Night sky from the hut 🌌 #astro',
  'Switchbacks, explained',
  'Packing light: the 5 kg challenge',
];

export function allPosts(account: Account, now: number): PostRow[] {
  const r = rng(account.id * 104_729 + 3);
  const rows: PostRow[] = [];
  const ig = account.platform === 'instagram';
  const tt = account.platform === 'tiktok';
  let t = now - 2 * HOUR;
  for (let i = 0; i < 140; i++) {
    t -= Math.round((1.2 + r() * 3.2) * DAY);
    const d = new Date(t);
    // Mostly afternoons and evenings; a Saturday-evening habit every fourth post.
    if (i % 4 === 1) {
      d.setDate(d.getDate() - ((d.getDay() + 1) % 7));
      d.setHours(19, Math.floor(r() * 60), 0, 0);
      t = d.getTime();
    } else {
      d.setHours(12 + Math.floor(r() * 10), Math.floor(r() * 60), 0, 0);
    }
    const created = d.getTime();
    const boost = d.getDay() === 6 || d.getDay() === 0 ? 1.6 : 1;
    const views = Math.round((2_000 + r() * 30_000) * boost * (tt ? 2.2 : 1));
    const reach = ig ? Math.round(views * (0.55 + r() * 0.3)) : null;
    const likes = Math.round(views * (0.03 + r() * 0.06) * (d.getHours() >= 18 ? 1.4 : 1));
    const comments = Math.round(likes * (0.02 + r() * 0.08));
    const shares = account.platform === 'reddit' ? null : Math.round(likes * (0.05 + r() * 0.2));
    const saves = ig ? Math.round(likes * (0.1 + r() * 0.3)) : null;
    const interactions = likes + comments + (shares ?? 0) + (saves ?? 0);
    const denominator = reach && reach > 0 ? reach : views;
    rows.push({
      media_id: account.id * 1000 + i,
      platform_media_id: `${account.platform}-${7_302_000_000 + i * 7919}`,
      kind: ig ? (i % 4 === 0 ? 'carousel' : i % 3 === 0 ? 'image' : 'reels') : tt ? 'video' : i % 3 === 0 ? 'text' : 'video',
      caption: CAPTIONS[i % CAPTIONS.length],
      permalink: null,
      thumbnail_url: null,
      created_at: created,
      views,
      reach,
      likes,
      comments,
      shares,
      saves,
      interactions,
      engagement_rate: interactions / denominator,
      rate_basis: reach ? 'reach' : 'views',
    });
  }
  return rows;
}

export function posts(account: Account, days: number, by: PostColumn, asc: boolean, now: number): PostRow[] {
  const rows = allPosts(account, now).filter((p) => p.created_at >= now - days * DAY);
  return rows.sort((a, b) => {
    const va = a[by];
    const vb = b[by];
    if (va === null && vb === null) return a.media_id - b.media_id;
    if (va === null) return 1;
    if (vb === null) return -1;
    const c = (va as number) - (vb as number) || a.media_id - b.media_id;
    return asc ? c : -c;
  });
}

export function totals(account: Account, days: number, now: number): PeriodTotals {
  const cur = allPosts(account, now).filter((p) => p.created_at >= now - days * DAY);
  const prev = allPosts(account, now).filter((p) => p.created_at >= now - 2 * days * DAY && p.created_at < now - days * DAY);
  const sum = (rows: PostRow[], k: 'views' | 'reach' | 'likes' | 'comments' | 'shares' | 'saves') =>
    rows.some((p) => p[k] !== null) ? rows.reduce((s, p) => s + (p[k] ?? 0), 0) : null;
  const cmp = (c: number | null, p: number | null) => ({
    current: c,
    previous: p,
    delta: c !== null && p !== null ? c - p : null,
    change_pct: c !== null && p !== null && p !== 0 ? ((c - p) / Math.abs(p)) * 100 : null,
  });
  const metrics = (['views', 'reach', 'likes', 'comments', 'shares', 'saves'] as const).map((m) => ({
    metric: m,
    ...cmp(sum(cur, m), sum(prev, m)),
  }));
  const inter = (rows: PostRow[]) => rows.reduce((s, p) => s + (p.interactions ?? 0), 0);
  const denom = (rows: PostRow[]) => rows.reduce((s, p) => s + (p.reach ?? p.views ?? 0), 0);
  const g = growth(account, days, 0, now);
  const gPrev = growth(account, Math.min(days * 2, 399), 0, now);
  const prevEnd = gPrev.days[gPrev.days.length - days - 1]?.followers ?? null;
  return {
    account_id: account.id,
    current: { start_ms: now - days * DAY, end_ms: now },
    previous: { start_ms: now - 2 * days * DAY, end_ms: now - days * DAY },
    metrics,
    interactions: cmp(inter(cur), inter(prev)),
    engagement_rate: cmp(inter(cur) / Math.max(denom(cur), 1), inter(prev) / Math.max(denom(prev), 1)),
    followers: cmp(g.last, prevEnd),
    followers_gained: cmp(g.net_change, gPrev.baseline !== null && prevEnd !== null ? prevEnd - gPrev.baseline : null),
    posts: cmp(cur.length, prev.length),
  };
}

const WEEKDAYS: Weekday[] = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export function bestTimes(account: Account, days: number, offset: number, now: number): BestTimes {
  const rows = allPosts(account, now).filter((p) => p.created_at >= now - days * DAY);
  const minPosts = 3;
  type Acc = { posts: number; rated: number; rate: number; viewed: number; views: number };
  const empty = (): Acc => ({ posts: 0, rated: 0, rate: 0, viewed: 0, views: 0 });
  const hours = Array.from({ length: 24 }, empty);
  const wds = Array.from({ length: 7 }, empty);
  const slots = new Map<string, Acc>();
  for (const p of rows) {
    const local = p.created_at + offset * 60_000;
    const wd = (Math.floor(local / DAY) + 3) % 7;
    const h = Math.floor((local % DAY) / HOUR);
    const key = `${wd}:${h}`;
    if (!slots.has(key)) slots.set(key, empty());
    for (const a of [hours[h], wds[wd], slots.get(key)!]) {
      a.posts++;
      if (p.engagement_rate !== null) {
        a.rated++;
        a.rate += p.engagement_rate;
      }
      if (p.views !== null) {
        a.viewed++;
        a.views += p.views;
      }
    }
  }
  const stats = (a: Acc) => ({
    posts: a.posts,
    rated_posts: a.rated,
    avg_engagement_rate: a.rated ? a.rate / a.rated : null,
    avg_views: a.viewed ? a.views / a.viewed : null,
  });
  const by_hour: HourBucket[] = hours.map((a, hour) => ({ hour, ...stats(a) }));
  const by_weekday: WeekdayBucket[] = wds.map((a, i) => ({ weekday: WEEKDAYS[i], ...stats(a) }));
  const slotList: SlotBucket[] = [...slots.entries()]
    .map(([k, a]) => {
      const [wd, h] = k.split(':').map(Number);
      return { weekday: WEEKDAYS[wd], hour: h, ...stats(a), _o: wd * 24 + h };
    })
    .sort((a, b) => a._o - b._o)
    .map(({ _o, ...s }) => s);
  const pick = <T extends { rated_posts: number; avg_engagement_rate: number | null }>(list: T[]) =>
    list
      .filter((b) => b.rated_posts >= minPosts)
      .reduce<T | null>((best, b) => (!best || (b.avg_engagement_rate ?? 0) > (best.avg_engagement_rate ?? 0) ? b : best), null);
  const bh = pick(by_hour);
  const bw = pick(by_weekday);
  const bs = pick(slotList);
  return {
    account_id: account.id,
    period: { start_ms: now - days * DAY, end_ms: now },
    utc_offset_minutes: offset,
    min_posts: minPosts,
    by_hour,
    by_weekday,
    slots: slotList,
    best_hour: bh?.hour ?? null,
    best_weekday: bw?.weekday ?? null,
    best_slot: bs ? [bs.weekday, bs.hour] : null,
  };
}

export function csv(account: Account, days: number, now: number): string {
  const rows = posts(account, days, 'created_at', true, now);
  const head = 'media_id,platform_media_id,created_at,caption,views,reach,likes,comments,shares,saves,interactions,engagement_rate';
  const q = (s: string | null) => (s === null ? '' : `"${s.replaceAll('"', '""')}"`);
  const n = (v: number | null) => (v === null ? '' : String(v));
  return [
    head,
    ...rows.map((r) =>
      [r.media_id, r.platform_media_id, new Date(r.created_at).toISOString(), q(r.caption), n(r.views), n(r.reach), n(r.likes), n(r.comments), n(r.shares), n(r.saves), n(r.interactions), n(r.engagement_rate)].join(','),
    ),
  ].join('\n');
}

// Diagnostics.

export function diagnostics(now: number): Diagnostics {
  const api = (platform: string, endpoint: string, status: string, value: number) => ({
    name: 'outpost_api_calls_total',
    labels: { endpoint, platform, status },
    kind: 'counter' as const,
    value,
  });
  const lat = (platform: string, endpoint: string, count: number, avgMs: number) => ({
    name: 'outpost_api_call_seconds',
    labels: { endpoint, platform },
    kind: 'histogram' as const,
    value: count,
    count,
    sum: (count * avgMs) / 1000,
  });
  const runs = (worker: string, outcome: string, value: number) => ({
    name: 'outpost_worker_runs_total',
    labels: { outcome, worker },
    kind: 'counter' as const,
    value,
  });
  const at = (minsAgo: number) => new Date(now - minsAgo * 60_000).toISOString();
  return {
    metrics: [
      api('tiktok', 'video.init', '200', 14),
      api('tiktok', 'upload.chunk', '206', 52),
      api('tiktok', 'upload.chunk', '201', 14),
      api('tiktok', 'publish.status', '200', 61),
      api('tiktok', 'video.list', '200', 118),
      api('tiktok', 'video.init', '429', 2),
      api('instagram', 'media.create', '200', 21),
      api('instagram', 'media.publish', '200', 19),
      api('instagram', 'media.insights', '200', 342),
      api('instagram', 'media.publish', '400', 1),
      api('reddit', 'submit', '200', 9),
      api('reddit', 'media.asset', '200', 6),
      api('reddit', 'submit', '404', 3),
      api('reddit', 'me', '0', 1),
      lat('tiktok', 'video.init', 16, 310),
      lat('tiktok', 'upload.chunk', 66, 1840),
      lat('tiktok', 'video.list', 118, 240),
      lat('instagram', 'media.publish', 20, 920),
      lat('instagram', 'media.insights', 342, 180),
      lat('reddit', 'submit', 12, 450),
      runs('publish', 'ok', 58),
      runs('publish', 'error', 3),
      runs('sync', 'ok', 112),
      runs('sync', 'error', 1),
      runs('refresh', 'ok', 40),
      runs('watch', 'ok', 231),
      { name: 'outpost_uploads_total', labels: { platform: 'tiktok' }, kind: 'counter', value: 14 },
      { name: 'outpost_upload_bytes_total', labels: { platform: 'tiktok' }, kind: 'counter', value: 512_000_000 },
      { name: 'outpost_publishes_total', labels: { outcome: 'published', platform: 'tiktok' }, kind: 'counter', value: 13 },
      { name: 'outpost_publishes_total', labels: { outcome: 'failed', platform: 'reddit' }, kind: 'counter', value: 3 },
      { name: 'outpost_app_startup_seconds', labels: { milestone: 'first_paint' }, kind: 'gauge', value: 0.442 },
    ],
    logs: [
      { at: at(1), level: 'INFO', target: 'outpost_core::publish::tiktok', message: 'job 41: chunk 2 of 5 acknowledged (20971520 of 48234112 bytes)' },
      { at: at(2), level: 'INFO', target: 'outpost_core::publish::tiktok', message: 'job 38: publish status PROCESSING_UPLOAD' },
      { at: at(6), level: 'INFO', target: 'outpost_core::watch::scan', message: 'queued ridge-at-dusk.mp4 for tiktok:maya.outdoors, instagram:maya.outdoors' },
      { at: at(9), level: 'WARN', target: 'outpost_core::watch::scan', message: 'teaser-v2.mov not queued: unknown option "privcy_level" for tiktok (wrote teaser-v2.mov.error.txt)' },
      { at: at(35), level: 'WARN', target: 'outpost_core::publish::instagram', message: 'job 39: Instagram publishing limit reached; waiting until 18:40' },
      { at: at(64), level: 'INFO', target: 'outpost_core::sync', message: 'sync finished: 3 accounts, 214 snapshots, 0 errors' },
      { at: at(180), level: 'ERROR', target: 'outpost_core::publish::reddit', message: 'job 40 failed: reddit.subreddit_not_found (r/hikingg)' },
      { at: at(182), level: 'INFO', target: 'outpost_core::http', message: 'POST https://oauth.reddit.com/api/submit → 404 (token=[REDACTED])' },
      { at: at(240), level: 'WARN', target: 'outpost_core::oauth', message: 'account 4 (instagram:lind.studio) needs reconnecting: refresh refused (invalid_grant)' },
    ],
    alerts: [
      { level: 'warning', message: 'Instagram @lind.studio needs reconnecting: Instagram refused to renew access.' },
      { level: 'error', message: '1 file in a watched folder was not queued: teaser-v2.mov (see the Queue page).' },
    ],
  };
}

export function settings(sandbox: boolean): Settings {
  return {
    sync_interval_secs: 21_600,
    notifications: true,
    close_to_tray: true,
    start_at_login: false,
    data_dir: DATA_DIR,
    sandbox_mode: sandbox,
    watched_folders: [
      { path: '/home/maya/Videos/outpost-drop', targets: ['tiktok', 'instagram:maya.outdoors'], from_config: false },
      { path: '/home/maya/Videos/reddit-clips', targets: ['reddit'], from_config: true },
    ],
  };
}
