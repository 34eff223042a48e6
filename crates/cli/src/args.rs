//! Command-line grammar (clap). Names and flags here are a contract with users' scripts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Outpost: publish videos to TikTok, Instagram and Reddit, and keep their insights locally.
#[derive(Debug, Parser)]
#[command(name = "outpost", version, about, propagate_version = true)]
pub struct Cli {
    /// Data directory (database, logs, config.toml). Default: the platform's per-user data
    /// dir (~/.local/share/outpost on Linux). Also OUTPOST_DATA_DIR.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,

    /// More console logging (-v info, -vv debug, -vvv trace). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the data dir, database schema, vault and accounts.
    Status,
    /// Inspect or rotate the encrypted token vault.
    Vault(VaultArgs),
    /// Print metrics in the Prometheus text format.
    Metrics,
    /// Connect an account: prints the authorize URL, opens the browser, waits for approval.
    Connect {
        /// tiktok, instagram or reddit.
        platform: outpost_core::Platform,
        /// Print the URL only; do not open a browser.
        #[arg(long)]
        no_browser: bool,
        /// Seconds to wait for the approval (1 to 86400).
        #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
        timeout: u64,
    },
    /// Hand an `outpost://oauth/callback?...` link to the waiting `outpost connect`.
    Callback {
        /// The full callback URL, or `-` to read it from standard input (keeps the one-time
        /// code out of the process list).
        url: String,
    },
    /// List connected accounts.
    Accounts,
    /// Revoke an account's tokens and delete them (history kept unless --purge).
    Disconnect {
        /// Account: id, platform:username, or username.
        account: String,
        /// Also delete the account's history (media, insights, comments, jobs).
        #[arg(long)]
        purge: bool,
    },
    /// Refresh tokens now (all accounts, or one).
    Refresh {
        /// Account: id, platform:username, or username.
        account: Option<String>,
        /// Refresh even when not due.
        #[arg(long)]
        force: bool,
    },
    /// Developer-app credentials kept in the vault.
    Credentials {
        /// What to do.
        #[command(subcommand)]
        action: CredentialsAction,
    },
    /// The token broker: holds client secrets and performs code exchange and refresh.
    Broker {
        /// What to do.
        #[command(subcommand)]
        action: BrokerAction,
    },
    /// Sync insights now (progress on stderr).
    Sync {
        /// Only this platform.
        #[arg(long)]
        platform: Option<outpost_core::Platform>,
        /// Only this account (id, platform:username or username).
        #[arg(long)]
        account: Option<String>,
    },
    /// Export the local insight history.
    Insights {
        /// Only this account (id, platform:username or username).
        #[arg(long)]
        account: Option<String>,
        /// Only snapshots from this date on (YYYY-MM-DD, UTC).
        #[arg(long, value_name = "DATE")]
        since: Option<chrono::NaiveDate>,
        /// CSV instead of text (use --json for JSON).
        #[arg(long, conflicts_with = "json")]
        csv: bool,
    },
    /// Queue a video, image, URL or text post for one or more accounts.
    Publish(Box<PublishArgs>),
    /// The upload queue: list jobs, or retry, cancel, pause and resume.
    Queue(QueueArgs),
    /// Watched folders: files dropped into them are published.
    Watch {
        /// What to do.
        #[command(subcommand)]
        action: WatchAction,
    },
    /// The headless engine in the foreground until Ctrl-C: watched folders, upload queue
    /// workers, insights sync schedule, token refresher and platform events.
    Run {
        /// Also serve the metrics in Prometheus text at http://ADDR/metrics, for a bearer
        /// token taken from OUTPOST_METRICS_TOKEN (requests without it get 401).
        #[arg(long, value_name = "ADDR")]
        metrics_addr: Option<std::net::SocketAddr>,
    },
    /// The dashboard's reports from the local history (offline).
    Analytics(AnalyticsArgs),
    /// Platform events: the local webhook receiver.
    Events {
        /// What to do.
        #[command(subcommand)]
        action: EventsAction,
    },
    /// Run the local emulator of the TikTok, Instagram and Reddit APIs until Ctrl-C.
    Sandbox(SandboxArgs),
}

/// `outpost publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The video or image file, or a public URL (TikTok and Instagram fetch it; for Reddit
    /// it is a link post). Leave it out with --text for a Reddit text post.
    #[arg(value_name = "FILE")]
    pub file: Option<String>,
    /// Where: tiktok, instagram or reddit, optionally with the account (reddit:myname).
    /// Repeat or separate with commas.
    #[arg(long = "to", value_name = "PLATFORM[:ACCOUNT]", required = true, num_args = 1.., value_delimiter = ',')]
    pub to: Vec<String>,
    /// Caption (TikTok title, Instagram caption; Reddit title unless --title).
    #[arg(long)]
    pub caption: Option<String>,
    /// TikTok privacy level, one of the creator's options (e.g. PUBLIC_TO_EVERYONE,
    /// SELF_ONLY). Required for a TikTok post: TikTok allows no default.
    #[arg(long, value_name = "LEVEL")]
    pub privacy: Option<String>,
    /// TikTok: upload to the creator's inbox as a draft instead of posting.
    #[arg(long)]
    pub draft: bool,
    /// Publish at this time (RFC 3339, e.g. 2026-12-01T18:00:00+01:00, or local
    /// "2026-12-01 18:00").
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Wait until every job is published or failed, showing progress (works the queue
    /// itself when no `outpost run` does).
    #[arg(long)]
    pub wait: bool,
    /// Reddit: subreddit (r/name or name).
    #[arg(long)]
    pub subreddit: Option<String>,
    /// Reddit: post title (default: the caption's first line).
    #[arg(long)]
    pub title: Option<String>,
    /// Reddit: body of a text post.
    #[arg(long)]
    pub text: Option<String>,
    /// Reddit: flair template id.
    #[arg(long)]
    pub flair_id: Option<String>,
    /// Reddit: flair text.
    #[arg(long)]
    pub flair_text: Option<String>,
    /// Reddit: mark NSFW.
    #[arg(long)]
    pub nsfw: bool,
    /// Reddit: mark as a spoiler.
    #[arg(long)]
    pub spoiler: bool,
    /// Reddit: poster image of a video post.
    #[arg(long, value_name = "IMAGE")]
    pub poster: Option<String>,
    /// Instagram: reels, image or carousel.
    #[arg(long, value_name = "KIND")]
    pub ig_kind: Option<String>,
    /// Instagram: more carousel items (public https URLs).
    #[arg(long, value_name = "URL")]
    pub carousel: Vec<String>,
    /// TikTok: turn comments off.
    #[arg(long)]
    pub disable_comment: bool,
    /// TikTok: turn duets off.
    #[arg(long)]
    pub disable_duet: bool,
    /// TikTok: turn stitches off.
    #[arg(long)]
    pub disable_stitch: bool,
    /// TikTok: the post promotes your own brand.
    #[arg(long)]
    pub brand_organic: bool,
    /// TikTok: the post is a paid partnership.
    #[arg(long)]
    pub brand_content: bool,
    /// Any per-platform option, e.g. `instagram.share_to_feed=false` (value parsed as JSON
    /// when it is, else taken as text). Repeatable.
    #[arg(long = "option", value_name = "PLATFORM.KEY=VALUE")]
    pub options: Vec<String>,
}

/// `outpost queue`.
#[derive(Debug, Args)]
pub struct QueueArgs {
    /// Also list finished jobs older than a day.
    #[arg(long)]
    pub all: bool,
    /// What to do (default: list).
    #[command(subcommand)]
    pub action: Option<QueueAction>,
}

/// Queue actions.
#[derive(Debug, Subcommand)]
pub enum QueueAction {
    /// Queue a failed job again (refused once it reached the platform's publish step).
    Retry {
        /// Job id.
        id: i64,
    },
    /// Cancel a job that has not reached the publish step.
    Cancel {
        /// Job id.
        id: i64,
    },
    /// Pause the queue: running uploads stop after their current chunk.
    Pause,
    /// Resume the queue.
    Resume,
    /// One job with its history.
    Show {
        /// Job id.
        id: i64,
    },
}

/// `outpost watch`.
#[derive(Debug, Subcommand)]
pub enum WatchAction {
    /// Watch a folder (its files go to --to unless a sidecar or outpost.toml says else).
    Add {
        /// The folder.
        dir: PathBuf,
        /// Default targets: platform or platform:account. Repeat or separate with commas.
        #[arg(long = "to", value_name = "PLATFORM[:ACCOUNT]", num_args = 1.., value_delimiter = ',')]
        to: Vec<String>,
    },
    /// Stop watching a folder (its files stay where they are).
    Remove {
        /// The folder.
        dir: PathBuf,
    },
    /// The watched folders.
    List,
}

/// `outpost sandbox`.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Listen address (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: std::net::SocketAddr,
    /// Seed for every deterministic choice (ids, tokens, faults, synthetic metrics).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Faults to inject, e.g. `latency=50ms,5xx=0.1,drop=0.05,429burst=3` (docs/platforms.md).
    #[arg(long, value_name = "SPEC")]
    pub faults: Option<String>,
    /// POST the platforms' signed webhooks to this URL.
    #[arg(long, value_name = "URL")]
    pub webhook_url: Option<String>,
}

/// `outpost vault`.
#[derive(Debug, Args)]
pub struct VaultArgs {
    /// Vault action.
    #[command(subcommand)]
    pub action: VaultAction,
}

/// Vault actions.
#[derive(Debug, Subcommand)]
pub enum VaultAction {
    /// Backend, key and number of secrets; checks that every secret can be decrypted.
    Status,
    /// Re-encrypt every secret under a new key (crash-safe).
    Rotate {
        /// Move the key to another backend.
        #[arg(long, value_enum)]
        backend: Option<BackendArg>,
    },
}

/// Vault backends on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BackendArg {
    /// The OS keyring.
    Keyring,
    /// A passphrase (OUTPOST_VAULT_PASSPHRASE; OUTPOST_VAULT_NEW_PASSPHRASE to change it).
    Passphrase,
}

/// `outpost credentials`.
#[derive(Debug, Subcommand)]
pub enum CredentialsAction {
    /// Store a platform's client id, and its client secret read from standard input (one
    /// line; never a command-line argument, which other users could see).
    Set {
        /// tiktok, instagram or reddit.
        platform: outpost_core::Platform,
        /// Client id (TikTok: client key; Instagram: app id).
        #[arg(long)]
        client_id: String,
        /// Read no secret (Reddit installed apps have none).
        #[arg(long)]
        no_secret: bool,
    },
}

/// `outpost broker`.
#[derive(Debug, Subcommand)]
pub enum BrokerAction {
    /// Serve until Ctrl-C. Credentials come from OUTPOST_<PLATFORM>_CLIENT_ID and
    /// OUTPOST_<PLATFORM>_CLIENT_SECRET (or config.toml for the ids).
    Serve {
        /// Listen address.
        #[arg(long, default_value = "127.0.0.1:8788")]
        addr: std::net::SocketAddr,
    },
}

/// `outpost events`.
#[derive(Debug, Subcommand)]
pub enum EventsAction {
    /// Receive relayed TikTok and Instagram webhooks until Ctrl-C: verify, store, process.
    Serve {
        /// Listen address.
        #[arg(long, default_value = "127.0.0.1:8789")]
        addr: std::net::SocketAddr,
    },
}

/// `outpost analytics`.
#[derive(Debug, Args)]
pub struct AnalyticsArgs {
    /// Which report.
    #[arg(value_enum)]
    pub report: Report,
    /// Account: id, platform:username or username.
    #[arg(long)]
    pub account: String,
    /// The last N days (rolling).
    #[arg(long, default_value_t = 30)]
    pub days: u32,
    /// Your offset from UTC in minutes, for days and hours (e.g. 60, -300).
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub utc_offset: i32,
    /// Column to sort or rank by (created_at, views, reach, likes, comments, shares, saves,
    /// interactions, engagement_rate).
    #[arg(long)]
    pub by: Option<String>,
    /// Smallest first (posts report).
    #[arg(long)]
    pub asc: bool,
    /// How many posts (top report).
    #[arg(long, default_value_t = 10)]
    pub limit: u32,
    /// Posts a time slot needs before it can be "best" (best-times report).
    #[arg(long, default_value_t = outpost_core::analytics::DEFAULT_MIN_POSTS)]
    pub min_posts: u32,
    /// Posts and top reports: CSV with the desktop export's columns instead of the table.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
}

/// Reports.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Report {
    /// Followers per day with day-over-day change.
    Growth,
    /// Every post of the period with its latest counters and engagement rate.
    Posts,
    /// The best posts by a column.
    Top,
    /// Totals of the period against the previous one.
    Totals,
    /// The account's engagement rate over its posts of the period.
    Engagement,
    /// Best hour and weekday to post, from the account's own history.
    BestTimes,
}
