// The IPC contract between the web UI and the Rust side, generated from the Rust types
// by crates/desktop/src/bindings.rs (ts-rs). Do not edit: change the Rust types, then run
//   OUTPOST_WRITE_BINDINGS=1 cargo test -p outpost-desktop --bin outpost-desktop bindings
// from the repository root. Integers are `number`; `Option` is `T | null`.

/**
 * A stored account.
 */
export type Account = {
  /**
   * Local id.
   */
  id: number,
  /**
   * Platform.
   */
  platform: Platform,
  /**
   * The platform's user id (TikTok open_id, Instagram user id, Reddit id).
   */
  platform_user_id: string,
  /**
   * Handle.
   */
  username: string | null,
  /**
   * Display name.
   */
  display_name: string | null,
  /**
   * Avatar URL.
   */
  avatar_url: string | null,
  /**
   * Status.
   */
  status: AccountStatus,
  /**
   * Why the status is what it is (e.g. the platform's reason for needs_reconnect).
   */
  status_reason: string | null,
};

/**
 * Payload of `account-connected`.
 */
export type AccountConnected = {
  /**
   * The account.
   */
  account: Account,
};

/**
 * Account status as stored.
 */
export type AccountStatus = "active" | "needs_reconnect" | "disconnected";

/**
 * An alert.
 */
export type Alert = {
  /**
   * Warning or error.
   */
  level: AlertLevel,
  /**
   * For people.
   */
  message: string,
};

/**
 * How serious an alert is.
 */
export type AlertLevel = "warning" | "error";

/**
 * The answer of `app_info`.
 */
export type AppInfo = {
  /**
   * The app's version.
   */
  version: string,
  /**
   * Sandbox mode: the banner shows.
   */
  sandbox_mode: boolean,
  /**
   * The data folder in use.
   */
  data_dir: string,
};

/**
 * An accepted range of picture aspect ratios, as width ÷ height, both ends included.
 */
export type AspectRange = {
  /**
   * Narrowest (e.g. 0.8 for 4:5).
   */
  min: number,
  /**
   * Widest (e.g. 1.91 for 1.91:1).
   */
  max: number,
};

/**
 * When the account's audience responds best.
 */
export type BestTimes = {
  /**
   * Account.
   */
  account_id: number,
  /**
   * Period the posts were published in.
   */
  period: Period,
  /**
   * Offset local times are taken at, minutes east of UTC.
   */
  utc_offset_minutes: number,
  /**
   * Fewest rated posts a group needs to be a candidate for "best".
   */
  min_posts: number,
  /**
   * All 24 hours, 0 to 23 (empty hours have 0 posts).
   */
  by_hour: Array<HourBucket>,
  /**
   * All 7 weekdays, Monday to Sunday.
   */
  by_weekday: Array<WeekdayBucket>,
  /**
   * The weekday × hour slots that have posts, Monday 00h first.
   */
  slots: Array<SlotBucket>,
  /**
   * Hour with the best average engagement rate.
   */
  best_hour: number | null,
  /**
   * Weekday with the best average engagement rate.
   */
  best_weekday: Weekday | null,
  /**
   * Weekday × hour slot with the best average engagement rate.
   */
  best_slot: [Weekday, number] | null,
};

/**
 * A value this period and the previous one, with the change between them.
 */
export type Comparison = {
  /**
   * Value over the current period (`None`: no data).
   */
  current: number | null,
  /**
   * Value over the previous period of equal length (`None`: no data).
   */
  previous: number | null,
  /**
   * `current - previous`, when both are known.
   */
  delta: number | null,
  /**
   * `delta / |previous| × 100`, when both are known and `previous` is not 0.
   */
  change_pct: number | null,
};

/**
 * Payload of `connect-failed`.
 */
export type ConnectFailed = {
  /**
   * Which platform's sign-in failed.
   */
  platform: Platform,
  /**
   * Why.
   */
  error: ErrorPayload,
};

/**
 * The answer of `connect_start`.
 */
export type ConnectStart = {
  /**
   * The authorize page (opened in the browser; shown by the UI to copy as a fallback).
   */
  authorize_url: string,
};

/**
 * A container format, recognised by its magic bytes.
 */
export type Container = "mp4" | "mov" | "webm" | "jpeg" | "png" | "gif" | "unknown";

/**
 * How a platform counts the length of a text.
 */
export type CountUnit = "chars" | "utf16";

/**
 * What the creator allows (show the nickname; offer only these privacy levels).
 */
export type CreatorInfo = {
  /**
   * Nickname to show in the posting UI.
   */
  nickname: string | null,
  /**
   * Handle.
   */
  username: string | null,
  /**
   * Privacy levels the creator may choose from (no default may be preselected).
   */
  privacy_level_options: Array<string>,
  /**
   * Comments disabled by the creator.
   */
  comment_disabled: boolean,
  /**
   * Duets disabled.
   */
  duet_disabled: boolean,
  /**
   * Stitches disabled.
   */
  stitch_disabled: boolean,
  /**
   * Longest video the creator may post, seconds.
   */
  max_video_post_duration_sec: number | null,
};

/**
 * Where a platform's developer app comes from.
 */
export type CredentialSource = "configuration" | "vault";

/**
 * One platform's developer app, as Settings shows it.
 */
export type DeveloperApp = {
  /**
   * The platform.
   */
  platform: Platform,
  /**
   * Where its client id comes from; `null` when none is configured.
   */
  source: CredentialSource | null,
  /**
   * Whether the platform needs the client secret too (TikTok, Instagram).
   */
  secret_required: boolean,
};

/**
 * The answer of `developer_apps` and `developer_app_set`.
 */
export type DeveloperApps = {
  /**
   * One per platform.
   */
  apps: Array<DeveloperApp>,
  /**
   * The app runs in sandbox mode now.
   */
  sandbox_mode: boolean,
  /**
   * A restart would change the mode (an app was configured while in sandbox mode).
   */
  restart_to_go_live: boolean,
};

/**
 * The answer of `diagnostics`.
 */
export type Diagnostics = {
  /**
   * Metrics.
   */
  metrics: Array<MetricSample>,
  /**
   * Recent log lines, oldest first.
   */
  logs: Array<LogLine>,
  /**
   * Alerts.
   */
  alerts: Array<Alert>,
};

/**
 * Result of an enqueue.
 */
export type Enqueued = { "outcome": "new", "job": number } | { "outcome": "existing", "job": number };

/**
 * Serializable error for the UI and `--json` output.
 */
export type ErrorPayload = {
  /**
   * Stable code, e.g. `vault.locked`, `config.invalid`.
   */
  code: string,
  /**
   * Message for a person, safe to show.
   */
  message: string,
};

/**
 * A file in a watched folder that Outpost could not queue or publish, as its
 * `NAME.error.txt` says (so the queue view can show it beside the jobs).
 */
export type FileProblem = {
  /**
   * The media file.
   */
  file: string,
  /**
   * The error file's text.
   */
  reason: string,
};

/**
 * One local day of follower growth.
 */
export type FollowerDay = {
  /**
   * Local calendar date.
   */
  date: string,
  /**
   * Last followers value captured that day (`None`: no snapshot that day).
   */
  followers: number | null,
  /**
   * When that value was captured, unix ms.
   */
  captured_at: number | null,
  /**
   * Change since the previous known value (`None` on days without data, and on the first
   * known value when nothing precedes it).
   */
  delta: number | null,
  /**
   * Number of days `delta` spans: 1 when the previous known value is from the day
   * before, more across a gap.
   */
  delta_days: number | null,
};

/**
 * Follower growth of one account over a period.
 */
export type FollowerGrowth = {
  /**
   * Account.
   */
  account_id: number,
  /**
   * The period.
   */
  period: Period,
  /**
   * Offset the days are cut at, minutes east of UTC.
   */
  utc_offset_minutes: number,
  /**
   * Followers at the start of the period: the last snapshot before it, if any.
   */
  baseline: number | null,
  /**
   * Followers at the end of the period: the last snapshot in it, if any.
   */
  last: number | null,
  /**
   * Change over the period: `last - baseline`, or, without a baseline, `last - ` the
   * value of the first day with data; `None` without data in the period.
   */
  net_change: number | null,
  /**
   * Every local day the period touches, in order.
   */
  days: Array<FollowerDay>,
};

/**
 * Posts published at one local hour of the day.
 */
export type HourBucket = {
  /**
   * Local hour, 0–23.
   */
  hour: number,
  /**
   * Posts published in the group.
   */
  posts: number,
  /**
   * Of those, posts with an engagement rate.
   */
  rated_posts: number,
  /**
   * Mean engagement rate of the rated posts.
   */
  avg_engagement_rate: number | null,
  /**
   * Mean views of the posts with a views figure.
   */
  avg_views: number | null,
};

/**
 * Instagram post settings.
 */
export type InstagramOptions = {
  /**
   * `reels` (default for videos), `image` (default for images) or `carousel`.
   */
  kind?: string | null,
  /**
   * Also show the Reel in the feed (default true).
   */
  share_to_feed?: boolean | null,
  /**
   * Cover frame offset, in milliseconds.
   */
  thumb_offset_ms?: number | null,
  /**
   * Carousel items after the job's own file: public URLs of JPEG images or videos.
   */
  carousel?: Array<string>,
  /**
   * Send a local video by resumable upload (default: the `[instagram]
   * resumable_upload` setting, itself true); `false` goes through the media host.
   */
  resumable_upload?: boolean | null,
};

/**
 * A stored job.
 */
export type Job = {
  /**
   * Id.
   */
  id: number,
  /**
   * Target account.
   */
  account_id: number,
  /**
   * The account's platform.
   */
  platform: Platform,
  /**
   * The account's handle (or platform user id), for people.
   */
  account: string,
  /**
   * Content hash.
   */
  content_hash: string,
  /**
   * File (or URL, for posts the platform fetches itself).
   */
  source_path: string,
  /**
   * video, image, link, text.
   */
  kind: string,
  /**
   * State.
   */
  state: JobState,
  /**
   * Caption, target and per-platform options (any JSON; `null` when unreadable).
   */
  options: unknown,
  /**
   * Publish no earlier than this (unix ms).
   */
  publish_at: number | null,
  /**
   * Attempts so far.
   */
  attempts: number,
  /**
   * Not before this (unix ms): the next retry or status check.
   */
  next_attempt_at: number | null,
  /**
   * Bytes acknowledged by the platform.
   */
  bytes_acked: number,
  /**
   * Chunks acknowledged by the platform.
   */
  chunks_acked: number,
  /**
   * Total bytes.
   */
  bytes_total: number | null,
  /**
   * The platform's publish id, once the irreversible publish call was made.
   */
  platform_publish_id: string | null,
  /**
   * The post's id on the platform.
   */
  platform_media_id: string | null,
  /**
   * Stable code of the last error.
   */
  last_error_code: string | null,
  /**
   * Last error, for people.
   */
  last_error: string | null,
  /**
   * The step in progress, for people.
   */
  step_detail: string | null,
  /**
   * Where the file was moved once published.
   */
  moved_to: string | null,
  /**
   * Created (unix ms).
   */
  created_at: number,
  /**
   * Last change (unix ms).
   */
  updated_at: number,
};

/**
 * Where a job is.
 */
export type JobState = "queued" | "validating" | "uploading" | "publishing" | "processing" | "published" | "failed" | "cancelled" | "waiting_for_quota";

/**
 * What happened to a job, for the UI, notifications and `outpost publish --wait`.
 */
export type JobUpdate = {
  /**
   * Job id.
   */
  job: number,
  /**
   * Platform.
   */
  platform: Platform,
  /**
   * Account label.
   */
  account: string,
  /**
   * State now.
   */
  state: JobState,
  /**
   * The step, for people.
   */
  step: string | null,
  /**
   * Bytes acknowledged.
   */
  bytes_acked: number,
  /**
   * Bytes in all.
   */
  bytes_total: number | null,
  /**
   * The error, when it failed or will be retried.
   */
  error: string | null,
};

/**
 * What a platform accepts for one kind of post. `None` means "no limit Outpost knows of".
 */
export type Limits = {
  /**
   * The platform.
   */
  platform: Platform,
  /**
   * The kind of post.
   */
  kind: MediaKind,
  /**
   * What people call such posts: `Instagram Reels`, `Reddit image posts`.
   */
  post_type: string,
  /**
   * Whether the platform takes this kind of post at all (Instagram and TikTok take no
   * text or link posts).
   */
  supported: boolean,
  /**
   * The limit on the caption (TikTok video: the caption; TikTok photo: the description;
   * Instagram: the caption; Reddit text post: the text). `None`: not sent.
   */
  caption: TextLimit | null,
  /**
   * The limit on the title (Reddit: required; TikTok photo: optional). `None`: not sent.
   */
  title: TextLimit | null,
  /**
   * Most hashtags in the caption (see [`count_hashtags`]).
   */
  max_hashtags: number | null,
  /**
   * Most @-mentions in the caption (see [`count_mentions`]).
   */
  max_mentions: number | null,
  /**
   * Containers accepted, in the platform's order of preference (empty: no file).
   */
  containers: Array<Container>,
  /**
   * Largest file, in bytes.
   */
  max_bytes: number | null,
  /**
   * Shortest video, in seconds.
   */
  min_duration_secs: number | null,
  /**
   * Longest video, in seconds.
   */
  max_duration_secs: number | null,
  /**
   * Shortest side of the picture, in pixels.
   */
  min_side_px: number | null,
  /**
   * Longest side of the picture, in pixels.
   */
  max_side_px: number | null,
  /**
   * Widest picture, in pixels.
   */
  max_width_px: number | null,
  /**
   * Accepted aspect ratios.
   */
  aspect_ratio: AspectRange | null,
};

/**
 * A log line.
 */
export type LogLine = {
  /**
   * RFC 3339.
   */
  at: string,
  /**
   * Level.
   */
  level: string,
  /**
   * Module.
   */
  target: string,
  /**
   * Message (redacted by the core when written).
   */
  message: string,
};

/**
 * What a post carries.
 */
export type MediaKind = "video" | "image" | "text" | "link";

/**
 * One counter over both periods.
 */
export type MetricComparison = {
  /**
   * Canonical metric name.
   */
  metric: string,
  /**
   * Value over the current period (`None`: no data).
   */
  current: number | null,
  /**
   * Value over the previous period of equal length (`None`: no data).
   */
  previous: number | null,
  /**
   * `current - previous`, when both are known.
   */
  delta: number | null,
  /**
   * `delta / |previous| × 100`, when both are known and `previous` is not 0.
   */
  change_pct: number | null,
};

/**
 * The kind of a metric series.
 */
export type MetricKind = "counter" | "gauge" | "histogram";

/**
 * One metric series.
 */
export type MetricSample = {
  /**
   * Name.
   */
  name: string,
  /**
   * Labels.
   */
  labels: { [key in string]: string },
  /**
   * Counter, gauge or histogram.
   */
  kind: MetricKind,
  /**
   * Counter or gauge value, or the histogram's count.
   */
  value: number,
  /**
   * Histograms: sum of the observations (left out for counters).
   */
  sum?: number,
  /**
   * Histograms: number of observations (left out for counters).
   */
  count?: number,
};

/**
 * A half-open time range `[start, end)` in unix milliseconds (UTC).
 */
export type Period = { start_ms: number, end_ms: number, };

/**
 * Totals of an account over a period and the previous period of equal length.
 */
export type PeriodTotals = {
  /**
   * Account.
   */
  account_id: number,
  /**
   * The period asked for.
   */
  current: Period,
  /**
   * The period of equal length just before it.
   */
  previous: Period,
  /**
   * Gains of views, reach, likes, comments, shares, saves (in that order).
   */
  metrics: Array<MetricComparison>,
  /**
   * Gains of likes + comments + shares + saves.
   */
  interactions: Comparison,
  /**
   * Interactions gained / reach gained (or / views gained when no reach was gained).
   */
  engagement_rate: Comparison,
  /**
   * Followers at the end of each period.
   */
  followers: Comparison,
  /**
   * Followers gained during each period.
   */
  followers_gained: Comparison,
  /**
   * Posts published in each period (deleted ones left out, as in the performance table).
   */
  posts: Comparison,
};

/**
 * A social platform Outpost can connect to.
 */
export type Platform = "tiktok" | "instagram" | "reddit";

/**
 * The answer of `platform_info`.
 */
export type PlatformInfo = {
  /**
   * Platform.
   */
  platform: Platform,
  /**
   * Its name for people.
   */
  display_name: string,
  /**
   * Scopes asked for.
   */
  scopes: Array<ScopeInfo>,
  /**
   * What the account needs.
   */
  requirements: Array<string>,
};

/**
 * A column of the performance table, to sort by or rank posts on.
 */
export type PostColumn = "created_at" | "views" | "reach" | "likes" | "comments" | "shares" | "saves" | "interactions" | "engagement_rate";

/**
 * One post with its latest counters.
 */
export type PostRow = {
  /**
   * Local media id.
   */
  media_id: number,
  /**
   * The platform's id.
   */
  platform_media_id: string,
  /**
   * video, image, carousel, reel, link…
   */
  kind: string,
  /**
   * Caption or title.
   */
  caption: string | null,
  /**
   * Public link.
   */
  permalink: string | null,
  /**
   * Thumbnail.
   */
  thumbnail_url: string | null,
  /**
   * Publication time, unix ms.
   */
  created_at: number,
  /**
   * Latest views.
   */
  views: number | null,
  /**
   * Latest reach.
   */
  reach: number | null,
  /**
   * Latest likes.
   */
  likes: number | null,
  /**
   * Latest comments.
   */
  comments: number | null,
  /**
   * Latest shares.
   */
  shares: number | null,
  /**
   * Latest saves.
   */
  saves: number | null,
  /**
   * likes + comments + shares + saves (missing ones as 0; `None` when all are missing).
   */
  interactions: number | null,
  /**
   * interactions / reach, or / views without reach.
   */
  engagement_rate: number | null,
  /**
   * What `engagement_rate` was divided by (`None` when there is no rate).
   */
  rate_basis: RateBasis | null,
};

/**
 * What a file is, as far as its headers say.
 */
export type Probe = {
  /**
   * File size in bytes.
   */
  bytes: number,
  /**
   * Container format, from the magic bytes.
   */
  container: Container,
  /**
   * Duration in seconds, for a video whose headers give it (`None` for images, and for
   * videos that do not say, e.g. a WebM recorded live).
   */
  duration_secs: number | null,
  /**
   * Picture width in pixels as displayed (after a 90° rotation or EXIF orientation).
   */
  width: number | null,
  /**
   * Picture height in pixels as displayed.
   */
  height: number | null,
};

/**
 * The shape of `PublishRequest.options` in TypeScript: each platform's options as the
 * core reads them (`null` for "not set"). Only a type for the bindings.
 */
export type PublishOptions = {
  /**
   * TikTok's.
   */
  tiktok?: TiktokOptions,
  /**
   * Instagram's.
   */
  instagram?: InstagramOptions,
  /**
   * Reddit's.
   */
  reddit?: RedditOptions,
};

/**
 * The `request` argument of `publish_submit`, and what `outpost publish` makes of its
 * flags: a post with its targets, time and options still as given.
 */
export type PublishRequest = {
  /**
   * What.
   */
  source: PublishSource,
  /**
   * `platform` or `platform:account`.
   */
  targets: Array<string>,
  /**
   * Caption.
   */
  caption: string | null,
  /**
   * Per-platform options, kept as JSON here: the core checks them for each job.
   */
  options: PublishOptions,
  /**
   * RFC 3339, or null for now.
   */
  publish_at: string | null,
};

/**
 * What to publish as the publish form sends it: `{file}`, `{url}` or `{text: true}`.
 */
export type PublishSource = {
  /**
   * Its path.
   */
  file: string,
} | {
  /**
   * The URL.
   */
  url: string,
} | {
  /**
   * Always true.
   */
  text: boolean,
};

/**
 * The answer of `queue_list`.
 */
export type QueueListing = {
  /**
   * The creator paused the queue.
   */
  paused: boolean,
  /**
   * Jobs, newest first.
   */
  jobs: Array<Job>,
  /**
   * Watched files that could not be queued.
   */
  file_problems: Array<FileProblem>,
};

/**
 * One queued job.
 */
export type QueuedJob = {
  /**
   * `platform[:account]` as asked.
   */
  target: string,
  /**
   * The account's id.
   */
  account_id: number,
  /**
   * The job, new or already queued for the same content.
   */
  enqueued: Enqueued,
};

/**
 * What an engagement rate is divided by.
 */
export type RateBasis = "reach" | "views";

/**
 * Reddit post settings.
 */
export type RedditOptions = {
  /**
   * Subreddit (with or without `r/`). Required.
   */
  subreddit?: string | null,
  /**
   * Post title (default: the caption's first line).
   */
  title?: string | null,
  /**
   * Flair template id.
   */
  flair_id?: string | null,
  /**
   * Flair text.
   */
  flair_text?: string | null,
  /**
   * Not safe for work.
   */
  nsfw?: boolean,
  /**
   * Spoiler.
   */
  spoiler?: boolean,
  /**
   * Body of a text post.
   */
  text?: string | null,
  /**
   * Poster image for a video post (a path); default `NAME.poster.jpg` beside the video.
   */
  poster?: string | null,
  /**
   * Send replies to the creator's inbox (default true).
   */
  send_replies?: boolean | null,
};

/**
 * A scope and what Outpost may do with it.
 */
export type ScopeInfo = {
  /**
   * The platform's scope name.
   */
  scope: string,
  /**
   * In plain words.
   */
  description: string,
};

/**
 * The answer of `settings_get`.
 */
export type Settings = {
  /**
   * Seconds between insight syncs.
   */
  sync_interval_secs: number,
  /**
   * Notifications.
   */
  notifications: boolean,
  /**
   * Close to tray.
   */
  close_to_tray: boolean,
  /**
   * Start at login.
   */
  start_at_login: boolean,
  /**
   * Data folder.
   */
  data_dir: string,
  /**
   * Sandbox mode.
   */
  sandbox_mode: boolean,
  /**
   * Watched folders.
   */
  watched_folders: Array<WatchedFolder>,
};

/**
 * What the UI may change (`settings_set`'s argument).
 */
export type SettingsUpdate = {
  /**
   * Seconds between insight syncs.
   */
  sync_interval_secs: number,
  /**
   * Notifications on or off.
   */
  notifications: boolean,
  /**
   * Close to tray.
   */
  close_to_tray: boolean,
  /**
   * Start at login.
   */
  start_at_login: boolean,
};

/**
 * Posts published at one local hour of one weekday.
 */
export type SlotBucket = {
  /**
   * Local weekday.
   */
  weekday: Weekday,
  /**
   * Local hour, 0–23.
   */
  hour: number,
  /**
   * Posts published in the group.
   */
  posts: number,
  /**
   * Of those, posts with an engagement rate.
   */
  rated_posts: number,
  /**
   * Mean engagement rate of the rated posts.
   */
  avg_engagement_rate: number | null,
  /**
   * Mean views of the posts with a views figure.
   */
  avg_views: number | null,
};

/**
 * A limit on one text field of a post.
 */
export type TextLimit = {
  /**
   * The field's name for people: `caption`, `title`, `description`, `text`.
   */
  field: string,
  /**
   * Most units allowed.
   */
  max: number,
  /**
   * How the platform counts.
   */
  unit: CountUnit,
  /**
   * Whether the field must have non-blank text.
   */
  required: boolean,
};

/**
 * TikTok post settings (the posting UI's fields).
 */
export type TiktokOptions = {
  /**
   * One of the creator's `privacy_level_options`; required for a direct post (TikTok
   * forbids a default).
   */
  privacy_level?: string | null,
  /**
   * Upload to the creator's TikTok inbox as a draft instead of posting.
   */
  draft?: boolean,
  /**
   * Turn comments off.
   */
  disable_comment?: boolean,
  /**
   * Turn duets off.
   */
  disable_duet?: boolean,
  /**
   * Turn stitches off.
   */
  disable_stitch?: boolean,
  /**
   * Promotes the creator's own brand.
   */
  brand_organic?: boolean,
  /**
   * Paid partnership with a third party.
   */
  brand_content?: boolean,
  /**
   * AI-generated content.
   */
  is_aigc?: boolean,
  /**
   * Cover frame, in milliseconds.
   */
  video_cover_timestamp_ms?: number | null,
};

/**
 * A watched folder.
 */
export type WatchedFolder = {
  /**
   * The folder (canonical).
   */
  path: string,
  /**
   * Default targets for its files (used when neither sidecar nor `outpost.toml` name any).
   */
  targets: Array<string>,
  /**
   * From config.toml (not removable with `outpost watch remove`).
   */
  from_config: boolean,
};

/**
 * `chrono::Weekday` as serde writes it (`"Mon"` … `"Sun"`), named for the TypeScript
 * bindings of the analytics types (chrono's own binding is a plain `string`).
 */
export type Weekday = "Mon" | "Tue" | "Wed" | "Thu" | "Fri" | "Sat" | "Sun";

/**
 * Posts published on one local weekday.
 */
export type WeekdayBucket = {
  /**
   * Local weekday.
   */
  weekday: Weekday,
  /**
   * Posts published in the group.
   */
  posts: number,
  /**
   * Of those, posts with an engagement rate.
   */
  rated_posts: number,
  /**
   * Mean engagement rate of the rated posts.
   */
  avg_engagement_rate: number | null,
  /**
   * Mean views of the posts with a views figure.
   */
  avg_views: number | null,
};

/** Every command, by the name `invoke` takes: its arguments (camelCase, as Tauri maps
 * them; `undefined` for none) and what it resolves to. Failures reject with `ErrorPayload`. */
export interface Commands {
  app_info: { args: undefined; result: AppInfo };
  window_painted: { args: undefined; result: null };
  accounts_list: { args: undefined; result: Array<Account> };
  platform_info: { args: { platform: Platform }; result: PlatformInfo };
  connect_start: { args: { platform: Platform }; result: ConnectStart };
  account_disconnect: { args: { accountId: number }; result: null };
  tiktok_creator_info: { args: { accountId: number }; result: CreatorInfo };
  media_limits: { args: { platform: Platform; kind: MediaKind }; result: Limits };
  pick_file: { args: undefined; result: string | null };
  pick_folder: { args: undefined; result: string | null };
  probe_file: { args: { path: string }; result: Probe };
  publish_submit: { args: { request: PublishRequest }; result: Array<QueuedJob> };
  queue_list: { args: { all: boolean }; result: QueueListing };
  queue_retry: { args: { id: number }; result: null };
  queue_cancel: { args: { id: number }; result: null };
  queue_pause: { args: undefined; result: null };
  queue_resume: { args: undefined; result: null };
  analytics_growth: { args: { accountId: number; days: number; utcOffsetMinutes: number }; result: FollowerGrowth };
  analytics_posts: { args: { accountId: number; days: number; by: PostColumn; asc: boolean }; result: Array<PostRow> };
  analytics_totals: { args: { accountId: number; days: number }; result: PeriodTotals };
  analytics_best_times: { args: { accountId: number; days: number; utcOffsetMinutes: number }; result: BestTimes };
  analytics_csv: { args: { accountId: number; days: number }; result: string };
  save_text_file: { args: { suggestedName: string; text: string }; result: string | null };
  sync_now: { args: undefined; result: null };
  diagnostics: { args: undefined; result: Diagnostics };
  settings_get: { args: undefined; result: Settings };
  settings_set: { args: { settings: SettingsUpdate }; result: null };
  watch_add: { args: { path: string; targets: Array<string> }; result: null };
  watch_remove: { args: { path: string }; result: null };
  developer_apps: { args: undefined; result: DeveloperApps };
  developer_app_set: { args: { platform: Platform; clientId: string; clientSecret: string | null }; result: DeveloperApps };
  app_restart: { args: undefined; result: null };
}

export type CommandName = keyof Commands;

/** Every event, by the name `listen` takes, with its payload. */
export interface Events {
  'account-connected': AccountConnected;
  'connect-failed': ConnectFailed;
  'job-update': JobUpdate;
}

export type EventName = keyof Events;
