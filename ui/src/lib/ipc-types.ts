// The IPC contract between the web UI and the Rust core, in one file.
//
// Every type here mirrors what the Rust side serialises with serde: snake_case fields,
// `null` for `Option::None`, unix milliseconds for times unless a field says otherwise.
// This file is meant to be replaced by types generated from Rust (ts-rs); keep the names
// identical and change nothing here that the Rust side does not send. Calls go through
// `api.ts` only.
//
// Command arguments are camelCase objects (that is how Tauri maps `account_id: i64` in a
// `#[tauri::command]` to `invoke('…', { accountId })`); errors reject with `ErrorPayload`.

// ---------------------------------------------------------------------------------------
// Shared

/** `outpost_core::platform::Platform`. */
export type Platform = 'tiktok' | 'instagram' | 'reddit';

/** `outpost_core::error::ErrorPayload`: what every failed command rejects with. */
export interface ErrorPayload {
  /** Stable machine code, e.g. `oauth.state_unknown`, `publish.bad_file`. */
  code: string;
  /** Written for people, already redacted by the core. */
  message: string;
}

// ---------------------------------------------------------------------------------------
// App

export interface AppInfo {
  version: string;
  sandbox_mode: boolean;
  data_dir: string;
}

// ---------------------------------------------------------------------------------------
// Accounts and connecting

export type AccountStatus = 'active' | 'needs_reconnect' | 'disconnected';

export interface Account {
  id: number;
  platform: Platform;
  platform_user_id: string;
  username: string | null;
  display_name: string | null;
  avatar_url: string | null;
  status: AccountStatus;
  status_reason: string | null;
}

export interface ScopeInfo {
  scope: string;
  /** What Outpost may do with it, in plain words. */
  description: string;
}

export interface PlatformInfo {
  platform: Platform;
  display_name: string;
  scopes: ScopeInfo[];
  requirements: string[];
}

export interface ConnectStart {
  authorize_url: string;
}

/** Event `account-connected`. */
export interface AccountConnected {
  account: Account;
}

/** Event `connect-failed`. */
export interface ConnectFailed {
  platform: Platform;
  error: ErrorPayload;
}

/** `outpost_core::platforms::tiktok_publish::CreatorInfo`. */
export interface CreatorInfo {
  nickname: string | null;
  username: string | null;
  privacy_level_options: string[];
  comment_disabled: boolean;
  duet_disabled: boolean;
  stitch_disabled: boolean;
  max_video_post_duration_sec: number | null;
}

// ---------------------------------------------------------------------------------------
// Media

/** `outpost_core::media::MediaKind`. */
export type MediaKind = 'video' | 'image' | 'text' | 'link';

/** `outpost_core::media::limits::CountUnit`: `chars` = Unicode scalar values, `utf16` = UTF-16 code units. */
export type CountUnit = 'chars' | 'utf16';

/** `outpost_core::media::limits::TextLimit`. */
export interface TextLimit {
  /** The field's name for people: `caption`, `title`, `description`, `text`. */
  field: string;
  max: number;
  unit: CountUnit;
  required: boolean;
}

/** `outpost_core::media::probe::Container`. */
export type Container = 'mp4' | 'mov' | 'webm' | 'jpeg' | 'png' | 'gif' | 'unknown';

/** `outpost_core::media::limits::AspectRange` (width ÷ height). */
export interface AspectRange {
  min: number;
  max: number;
}

/** `outpost_core::media::limits::Limits`: what a platform accepts for one kind of post. */
export interface Limits {
  platform: Platform;
  kind: MediaKind;
  /** What people call such posts: `Instagram Reels`, `Reddit image posts`. */
  post_type: string;
  supported: boolean;
  caption: TextLimit | null;
  title: TextLimit | null;
  max_hashtags: number | null;
  max_mentions: number | null;
  containers: Container[];
  max_bytes: number | null;
  min_duration_secs: number | null;
  max_duration_secs: number | null;
  min_side_px: number | null;
  max_side_px: number | null;
  max_width_px: number | null;
  aspect_ratio: AspectRange | null;
}

/** `outpost_core::media::probe::Probe`. */
export interface Probe {
  bytes: number;
  container: Container;
  duration_secs: number | null;
  width: number | null;
  height: number | null;
}

// ---------------------------------------------------------------------------------------
// Publishing

export type PublishSource = { file: string } | { url: string } | { text: true };

/** `outpost_core::publish::options::TiktokOptions` (keys of `options.tiktok`). */
export interface TiktokOptions {
  privacy_level?: string | null;
  draft?: boolean;
  disable_comment?: boolean;
  disable_duet?: boolean;
  disable_stitch?: boolean;
  brand_organic?: boolean;
  brand_content?: boolean;
  is_aigc?: boolean;
  video_cover_timestamp_ms?: number | null;
}

/** `outpost_core::publish::options::InstagramOptions` (keys of `options.instagram`). */
export interface InstagramOptions {
  kind?: 'reels' | 'image' | 'carousel' | null;
  share_to_feed?: boolean | null;
  thumb_offset_ms?: number | null;
  carousel?: string[];
}

/** `outpost_core::publish::options::RedditOptions` (keys of `options.reddit`). */
export interface RedditOptions {
  subreddit?: string | null;
  title?: string | null;
  flair_id?: string | null;
  flair_text?: string | null;
  nsfw?: boolean;
  spoiler?: boolean;
  text?: string | null;
  poster?: string | null;
  send_replies?: boolean | null;
}

export interface PublishOptions {
  tiktok?: TiktokOptions;
  instagram?: InstagramOptions;
  reddit?: RedditOptions;
}

/** The `request` argument of `publish_submit`. */
export interface PublishRequest {
  source: PublishSource;
  /** `platform` or `platform:account` (username or platform user id). */
  targets: string[];
  caption: string | null;
  options: PublishOptions;
  /** RFC 3339, or null for "as soon as possible". */
  publish_at: string | null;
}

/** `outpost_core::queue::Enqueued`. */
export type Enqueued = { outcome: 'new'; job: number } | { outcome: 'existing'; job: number };

/** `outpost_core::publish::submit::QueuedJob`. */
export interface QueuedJob {
  target: string;
  account_id: number;
  enqueued: Enqueued;
}

// ---------------------------------------------------------------------------------------
// Queue

/** `outpost_core::queue::JobState`. */
export type JobState =
  | 'queued'
  | 'validating'
  | 'uploading'
  | 'publishing'
  | 'processing'
  | 'published'
  | 'failed'
  | 'cancelled'
  | 'waiting_for_quota';

/** `outpost_core::queue::Job`. Times are unix ms. */
export interface Job {
  id: number;
  account_id: number;
  platform: Platform;
  /** The account as people name it (`tiktok:ridge.runner`). */
  account: string;
  content_hash: string;
  source_path: string;
  kind: string;
  state: JobState;
  options: Record<string, unknown>;
  publish_at: number | null;
  attempts: number;
  next_attempt_at: number | null;
  bytes_acked: number;
  chunks_acked: number;
  bytes_total: number | null;
  upload_session?: unknown;
  platform_publish_id: string | null;
  platform_media_id: string | null;
  last_error_code: string | null;
  last_error: string | null;
  step_detail: string | null;
  moved_to: string | null;
  created_at: number;
  updated_at: number;
}

/** `outpost_core::watch::FileProblem`: a watched file with an error file beside it. */
export interface FileProblem {
  file: string;
  reason: string;
}

export interface QueueListing {
  paused: boolean;
  jobs: Job[];
  file_problems: FileProblem[];
}

/** Event `job-update`. */
export interface JobUpdate {
  job: number;
  platform: Platform;
  account: string;
  state: JobState;
  step: string | null;
  bytes_acked: number;
  bytes_total: number | null;
  error: string | null;
}

// ---------------------------------------------------------------------------------------
// Analytics (outpost_core::analytics; see docs/analytics.md)

/** `analytics::Period`: `[start_ms, end_ms)`. */
export interface Period {
  start_ms: number;
  end_ms: number;
}

/** `analytics::FollowerDay`. */
export interface FollowerDay {
  /** Local calendar date, `YYYY-MM-DD`. */
  date: string;
  followers: number | null;
  captured_at: number | null;
  delta: number | null;
  /** Days `delta` spans (1 for consecutive days, more across a gap). */
  delta_days: number | null;
}

/** `analytics::FollowerGrowth`, the answer of `analytics_growth`. */
export interface FollowerGrowth {
  account_id: number;
  period: Period;
  utc_offset_minutes: number;
  baseline: number | null;
  last: number | null;
  net_change: number | null;
  days: FollowerDay[];
}

/** `analytics::PostColumn`: the sortable columns (`by` of `analytics_posts`). */
export type PostColumn =
  | 'created_at'
  | 'views'
  | 'reach'
  | 'likes'
  | 'comments'
  | 'shares'
  | 'saves'
  | 'interactions'
  | 'engagement_rate';

/** `analytics::RateBasis`. */
export type RateBasis = 'reach' | 'views';

/** `analytics::PostRow`. */
export interface PostRow {
  media_id: number;
  platform_media_id: string;
  kind: string;
  caption: string | null;
  permalink: string | null;
  thumbnail_url: string | null;
  created_at: number;
  views: number | null;
  reach: number | null;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  saves: number | null;
  interactions: number | null;
  /** A fraction (0.05 = 5 %). */
  engagement_rate: number | null;
  rate_basis: RateBasis | null;
}

/** `analytics::Comparison`. */
export interface Comparison {
  current: number | null;
  previous: number | null;
  delta: number | null;
  change_pct: number | null;
}

/** `analytics::MetricComparison` (a `Comparison` flattened beside the metric's name). */
export interface MetricComparison extends Comparison {
  metric: string;
}

/** `analytics::PeriodTotals`, the answer of `analytics_totals`. */
export interface PeriodTotals {
  account_id: number;
  current: Period;
  previous: Period;
  metrics: MetricComparison[];
  interactions: Comparison;
  engagement_rate: Comparison;
  followers: Comparison;
  followers_gained: Comparison;
  posts: Comparison;
}

/** `chrono::Weekday` as serde writes it. */
export type Weekday = 'Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat' | 'Sun';

/** `analytics::BucketStats`. */
export interface BucketStats {
  posts: number;
  rated_posts: number;
  avg_engagement_rate: number | null;
  avg_views: number | null;
}

export interface HourBucket extends BucketStats {
  hour: number;
}

export interface WeekdayBucket extends BucketStats {
  weekday: Weekday;
}

export interface SlotBucket extends BucketStats {
  weekday: Weekday;
  hour: number;
}

/** `analytics::BestTimes`, the answer of `analytics_best_times`. */
export interface BestTimes {
  account_id: number;
  period: Period;
  utc_offset_minutes: number;
  min_posts: number;
  by_hour: HourBucket[];
  by_weekday: WeekdayBucket[];
  slots: SlotBucket[];
  best_hour: number | null;
  best_weekday: Weekday | null;
  best_slot: [Weekday, number] | null;
}

// ---------------------------------------------------------------------------------------
// Diagnostics

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  kind: 'counter' | 'histogram';
  value: number;
  /** Histograms: sum of the observations (seconds for `*_seconds`). */
  sum?: number;
  /** Histograms: number of observations. */
  count?: number;
}

export interface LogLine {
  /** RFC 3339. */
  at: string;
  level: string;
  target: string;
  /** Redacted by the core. */
  message: string;
}

export interface Alert {
  level: 'warning' | 'error';
  message: string;
}

export interface Diagnostics {
  metrics: MetricSample[];
  logs: LogLine[];
  alerts: Alert[];
}

// ---------------------------------------------------------------------------------------
// Settings

/** `outpost_core::watch::WatchedFolder`. */
export interface WatchedFolder {
  path: string;
  targets: string[];
  /** From config.toml: shown, not removable here. */
  from_config: boolean;
}

export interface Settings {
  sync_interval_secs: number;
  notifications: boolean;
  close_to_tray: boolean;
  start_at_login: boolean;
  data_dir: string;
  sandbox_mode: boolean;
  watched_folders: WatchedFolder[];
}

/** The `settings` argument of `settings_set`: the settings the UI may change. */
export interface SettingsUpdate {
  sync_interval_secs: number;
  notifications: boolean;
  close_to_tray: boolean;
  start_at_login: boolean;
}

// ---------------------------------------------------------------------------------------
// The command and event tables (names exactly as `invoke` / `listen` take them)

export interface Commands {
  app_info: { args: undefined; result: AppInfo };
  accounts_list: { args: undefined; result: Account[] };
  platform_info: { args: { platform: Platform }; result: PlatformInfo };
  connect_start: { args: { platform: Platform }; result: ConnectStart };
  account_disconnect: { args: { accountId: number }; result: null };
  tiktok_creator_info: { args: { accountId: number }; result: CreatorInfo };
  media_limits: { args: { platform: Platform; kind: MediaKind }; result: Limits };
  pick_file: { args: undefined; result: string | null };
  pick_folder: { args: undefined; result: string | null };
  probe_file: { args: { path: string }; result: Probe };
  publish_submit: { args: { request: PublishRequest }; result: QueuedJob[] };
  queue_list: { args: { all: boolean }; result: QueueListing };
  queue_retry: { args: { id: number }; result: null };
  queue_cancel: { args: { id: number }; result: null };
  queue_pause: { args: undefined; result: null };
  queue_resume: { args: undefined; result: null };
  analytics_growth: {
    args: { accountId: number; days: number; utcOffsetMinutes: number };
    result: FollowerGrowth;
  };
  analytics_posts: {
    args: { accountId: number; days: number; by: PostColumn; asc: boolean };
    result: PostRow[];
  };
  analytics_totals: { args: { accountId: number; days: number }; result: PeriodTotals };
  analytics_best_times: {
    args: { accountId: number; days: number; utcOffsetMinutes: number };
    result: BestTimes;
  };
  analytics_csv: { args: { accountId: number; days: number }; result: string };
  save_text_file: { args: { suggestedName: string; text: string }; result: string | null };
  sync_now: { args: undefined; result: null };
  diagnostics: { args: undefined; result: Diagnostics };
  settings_get: { args: undefined; result: Settings };
  settings_set: { args: { settings: SettingsUpdate }; result: null };
  watch_add: { args: { path: string; targets: string[] }; result: null };
  watch_remove: { args: { path: string }; result: null };
}

export type CommandName = keyof Commands;

export interface Events {
  'account-connected': AccountConnected;
  'connect-failed': ConnectFailed;
  'job-update': JobUpdate;
}

export type EventName = keyof Events;
