//! Configuration: where the data lives and how each platform is reached.
//!
//! Sources, strongest first: command-line flags (`--data-dir`), environment variables
//! (`OUTPOST_*`), the data dir's `config.toml`, built-in defaults. A bad value is an error
//! that names the key it came from. Client secrets are accepted from the environment only
//! (held in memory, never written anywhere) or from the vault; a `client_secret` in
//! `config.toml` is refused so that no secret sits in a plain file. The same goes for the
//! media host's bucket key (`[media_host]`, docs/media-host.md): its secret comes from
//! `OUTPOST_MEDIA_HOST_SECRET_ACCESS_KEY` only.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::error::UserFacing;
use crate::platform::Platform;
use crate::vault::SecretValue;

/// File name of the configuration inside the data dir.
pub const CONFIG_FILE: &str = "config.toml";
/// File name of the database inside the data dir.
pub const DATABASE_FILE: &str = "outpost.db";
/// Folder of the log files inside the data dir.
pub const LOGS_DIR: &str = "logs";
/// Default interval between insight syncs.
pub const DEFAULT_SYNC_INTERVAL: Duration = Duration::from_secs(6 * 60 * 60);

/// Errors while loading configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// No data dir given and the platform has no standard one (no home directory).
    #[error("cannot find a data directory: set --data-dir or OUTPOST_DATA_DIR")]
    NoDataDir,
    /// A value is present but wrong.
    #[error("invalid value for {key}: {reason}")]
    Invalid {
        /// The key (environment variable or `file: section.key`).
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The config file is not valid TOML or has unknown keys.
    #[error("cannot read {path}: {message}")]
    Parse {
        /// Path of the file.
        path: PathBuf,
        /// The parser's explanation (names line and key).
        message: String,
    },
    /// The config file or data dir cannot be read or created.
    #[error("cannot access {path}: {source}")]
    Io {
        /// Path involved.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
}

impl UserFacing for ConfigError {
    fn code(&self) -> &'static str {
        match self {
            ConfigError::NoDataDir => "config.no_data_dir",
            ConfigError::Invalid { .. } => "config.invalid",
            ConfigError::Parse { .. } => "config.parse",
            ConfigError::Io { .. } => "config.io",
        }
    }
}

/// The hosts of a platform. With a base URL override they all map onto one origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    /// The page the browser opens to authorize (e.g. www.tiktok.com).
    Authorize,
    /// The OAuth token endpoint's host.
    Token,
    /// The REST/Graph API host.
    Api,
    /// The upload host, where the platform has a fixed one (Instagram's resumable upload).
    Upload,
}

/// Which redirect a platform's OAuth flow uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RedirectMode {
    /// `http://127.0.0.1:<ephemeral port>/callback`, served by Outpost.
    Loopback,
    /// `outpost://oauth/callback`, delivered as a deep link.
    CustomScheme,
    /// An HTTPS bridge page that forwards the query to `outpost://oauth/callback`.
    HttpsBridge,
}

impl RedirectMode {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            RedirectMode::Loopback => "loopback",
            RedirectMode::CustomScheme => "custom-scheme",
            RedirectMode::HttpsBridge => "https-bridge",
        }
    }

    fn parse(key: &str, value: &str) -> Result<Self, ConfigError> {
        match value.trim() {
            "loopback" => Ok(RedirectMode::Loopback),
            "custom-scheme" => Ok(RedirectMode::CustomScheme),
            "https-bridge" => Ok(RedirectMode::HttpsBridge),
            other => Err(ConfigError::Invalid {
                key: key.to_owned(),
                reason: format!(
                    "{other:?} is not a redirect mode (loopback, custom-scheme, https-bridge)"
                ),
            }),
        }
    }
}

/// How a PKCE code challenge is encoded (TikTok's desktop guide uses hex).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PkceEncoding {
    /// RFC 7636 S256: base64url(SHA-256(verifier)) without padding.
    Base64url,
    /// Lowercase hex of SHA-256(verifier).
    Hex,
}

/// Which key store the vault uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VaultBackendChoice {
    /// The OS keyring when it answers, else a passphrase from `OUTPOST_VAULT_PASSPHRASE`.
    Auto,
    /// The OS keyring only.
    Keyring,
    /// A key derived from `OUTPOST_VAULT_PASSPHRASE` only.
    Passphrase,
}

impl VaultBackendChoice {
    fn parse(key: &str, value: &str) -> Result<Self, ConfigError> {
        match value.trim() {
            "auto" => Ok(Self::Auto),
            "keyring" => Ok(Self::Keyring),
            "passphrase" => Ok(Self::Passphrase),
            other => Err(ConfigError::Invalid {
                key: key.to_owned(),
                reason: format!("{other:?} is not a vault backend (auto, keyring, passphrase)"),
            }),
        }
    }
}

/// Where a platform's requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    platform: Platform,
    base_override: Option<Url>,
}

impl Endpoints {
    /// The real hosts, or one origin when `base_override` is set.
    pub fn new(platform: Platform, base_override: Option<Url>) -> Self {
        Self {
            platform,
            base_override,
        }
    }

    /// The documented host for `host` on this platform (platform-apis.md).
    pub fn real_host(platform: Platform, host: Host) -> &'static str {
        match (platform, host) {
            (Platform::Tiktok, Host::Authorize) => "https://www.tiktok.com",
            (Platform::Tiktok, Host::Token | Host::Api | Host::Upload) => {
                "https://open.tiktokapis.com"
            }
            (Platform::Instagram, Host::Authorize) => "https://www.instagram.com",
            (Platform::Instagram, Host::Token) => "https://api.instagram.com",
            (Platform::Instagram, Host::Api) => "https://graph.instagram.com",
            (Platform::Instagram, Host::Upload) => "https://rupload.facebook.com",
            (Platform::Reddit, Host::Authorize | Host::Token) => "https://www.reddit.com",
            (Platform::Reddit, Host::Api | Host::Upload) => "https://oauth.reddit.com",
        }
    }

    /// Whether a base URL override is in force.
    pub fn is_overridden(&self) -> bool {
        self.base_override.is_some()
    }

    /// The base URL override, if any.
    pub fn base_override(&self) -> Option<&Url> {
        self.base_override.as_ref()
    }

    /// Full URL of a documented `path` (starting with `/`) on `host`. With an override the
    /// override's path prefix is kept and the documented path appended.
    pub fn url(&self, host: Host, path: &str) -> Url {
        let base = match &self.base_override {
            Some(url) => url.as_str().trim_end_matches('/').to_owned(),
            None => Self::real_host(self.platform, host).to_owned(),
        };
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        // Both parts are validated: a base URL without query or fragment and an ASCII path.
        Url::parse(&format!("{base}{path}")).unwrap_or_else(|_| {
            Url::parse(Self::real_host(self.platform, host)).expect("static host URL is valid")
        })
    }
}

/// One platform's settings.
#[derive(Clone)]
pub struct PlatformConfig {
    /// Which platform.
    pub platform: Platform,
    /// Client id (TikTok: client key).
    pub client_id: Option<String>,
    /// Client secret from the environment; never persisted.
    pub client_secret: Option<SecretValue>,
    /// Redirect kind; `None` means the platform's default.
    pub redirect_mode: Option<RedirectMode>,
    /// Explicit redirect URI (e.g. the HTTPS bridge page for Instagram).
    pub redirect_uri: Option<Url>,
    /// PKCE challenge encoding; `None` means the platform's default.
    pub pkce_encoding: Option<PkceEncoding>,
    /// Where requests go.
    pub endpoints: Endpoints,
    /// Token broker performing code exchange and refresh with the client secret it holds.
    pub broker_url: Option<Url>,
    /// Instagram only: the developer app may use the resumable upload host for local videos
    /// (default true; apps that cannot set `[instagram] resumable_upload = false`, and local
    /// videos then go through the media host).
    pub resumable_upload: bool,
}

impl std::fmt::Debug for PlatformConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatformConfig")
            .field("platform", &self.platform)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[REDACTED]"),
            )
            .field("redirect_mode", &self.redirect_mode)
            .field("redirect_uri", &self.redirect_uri.as_ref().map(Url::as_str))
            .field("pkce_encoding", &self.pkce_encoding)
            .field("endpoints", &self.endpoints)
            .field("broker_url", &self.broker_url.as_ref().map(Url::as_str))
            .field("resumable_upload", &self.resumable_upload)
            .finish()
    }
}

/// The whole configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Folder holding the database, logs and config.toml.
    pub data_dir: PathBuf,
    /// Per-platform settings, in [`Platform::ALL`] order.
    pub platforms: Vec<PlatformConfig>,
    /// Vault key store.
    pub vault_backend: VaultBackendChoice,
    /// Interval between insight syncs.
    pub sync_interval: Duration,
    /// Watched folders.
    pub watch_folders: Vec<PathBuf>,
    /// The upload queue's settings (`[queue]` in config.toml).
    pub queue: QueueSettings,
    /// The bucket local media is uploaded to when a platform fetches media itself from a
    /// public URL (`[media_host]`, `OUTPOST_MEDIA_HOST_*`); `None` when not set up.
    pub media_host: Option<MediaHostConfig>,
    /// `OUTPOST_VAULT_PASSPHRASE`: unlocks a passphrase-protected vault.
    pub vault_passphrase: Option<SecretValue>,
    /// `OUTPOST_VAULT_NEW_PASSPHRASE`: the passphrase `outpost vault rotate` switches to.
    pub vault_new_passphrase: Option<SecretValue>,
}

/// Where configuration comes from: flags and an environment (the process's, or a map in tests).
#[derive(Debug, Clone, Default)]
pub struct ConfigSources {
    /// `--data-dir`, if given.
    pub data_dir_flag: Option<PathBuf>,
    /// Environment variables.
    pub env: HashMap<String, String>,
}

impl ConfigSources {
    /// Flags plus the process environment (only `OUTPOST_*` variables are kept).
    pub fn from_process(data_dir_flag: Option<PathBuf>) -> Self {
        Self {
            data_dir_flag,
            env: std::env::vars()
                .filter(|(k, _)| k.starts_with("OUTPOST_"))
                .collect(),
        }
    }

    fn var(&self, key: &str) -> Option<&str> {
        self.env
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    sync_interval_secs: Option<u64>,
    #[serde(default)]
    watch_folders: Vec<PathBuf>,
    #[serde(default)]
    vault: FileVault,
    #[serde(default)]
    queue: QueueSettings,
    media_host: Option<FileMediaHost>,
    #[serde(default)]
    tiktok: FilePlatform,
    #[serde(default)]
    instagram: FilePlatform,
    #[serde(default)]
    reddit: FilePlatform,
}

/// What to do with a scheduled post whose time passed while Outpost was not running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissedSchedule {
    /// Publish it at the next start.
    #[default]
    Publish,
    /// Hold it (paused in the queue, marked) until the creator says.
    Ask,
}

/// The upload queue's settings (`[queue]` in config.toml).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueueSettings {
    /// Jobs uploading at the same time, per platform.
    pub concurrency_per_platform: usize,
    /// First retry delay of a transient failure, in milliseconds (doubles per attempt).
    pub retry_base_ms: u64,
    /// Longest retry delay, in seconds.
    pub retry_max_secs: u64,
    /// Attempts before a job that keeps failing transiently is marked failed.
    pub max_attempts: u32,
    /// How often a post being processed by the platform is checked, in seconds.
    pub status_poll_secs: u64,
    /// Subfolder of a watched folder that published files are moved to; empty: leave them.
    pub published_folder: String,
    /// A scheduled post whose time passed while Outpost was closed.
    pub missed_schedule: MissedSchedule,
    /// Settle window of watched folders, in milliseconds.
    pub settle_ms: u64,
}

impl Default for QueueSettings {
    fn default() -> Self {
        Self {
            concurrency_per_platform: 2,
            retry_base_ms: 2_000,
            retry_max_secs: 900,
            max_attempts: 8,
            status_poll_secs: 5,
            published_folder: "published".into(),
            missed_schedule: MissedSchedule::Publish,
            settle_ms: 3_000,
        }
    }
}

impl QueueSettings {
    fn checked(self) -> Result<Self, ConfigError> {
        let bad = |key: &str, reason: &str| ConfigError::Invalid {
            key: format!("config.toml: queue.{key}"),
            reason: reason.into(),
        };
        if self.concurrency_per_platform == 0 || self.concurrency_per_platform > 16 {
            return Err(bad("concurrency_per_platform", "must be between 1 and 16"));
        }
        if self.max_attempts == 0 {
            return Err(bad("max_attempts", "must be at least 1"));
        }
        if self.status_poll_secs == 0 {
            return Err(bad("status_poll_secs", "must be at least 1"));
        }
        if self.published_folder.contains(['/', '\\']) || self.published_folder == ".." {
            return Err(bad(
                "published_folder",
                "must be a plain folder name (it is created inside each watched folder)",
            ));
        }
        Ok(self)
    }
}

/// The media host: an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO...) that local
/// media is uploaded to when a platform fetches media itself from a public URL (Instagram's
/// `image_url`/`video_url`). `[media_host]` in config.toml, each key overridden by
/// `OUTPOST_MEDIA_HOST_<KEY>`; the secret key comes from
/// `OUTPOST_MEDIA_HOST_SECRET_ACCESS_KEY` only (docs/media-host.md).
#[derive(Clone)]
pub struct MediaHostConfig {
    /// The S3 API endpoint (`https://s3.eu-west-1.amazonaws.com`,
    /// `https://<account>.r2.cloudflarestorage.com`, `http://127.0.0.1:9000`).
    pub endpoint: Url,
    /// Bucket name.
    pub bucket: String,
    /// Region of the signature (`us-east-1`; R2: `auto`).
    pub region: String,
    /// Access key id (not secret; the key's secret is `secret_access_key`).
    pub access_key_id: String,
    /// The access key's secret, from the environment only; never persisted.
    pub secret_access_key: SecretValue,
    /// Public https origin serving the bucket's objects (a CDN, an R2 public bucket
    /// domain): the object's URL is this plus `/KEY`. `None`: presigned GET links.
    pub public_base_url: Option<Url>,
    /// Path-style requests (`ENDPOINT/BUCKET/KEY`, default) rather than virtual-hosted
    /// (`BUCKET.ENDPOINT-HOST/KEY`).
    pub path_style: bool,
}

impl std::fmt::Debug for MediaHostConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaHostConfig")
            .field("endpoint", &self.endpoint.as_str())
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"[REDACTED]")
            .field(
                "public_base_url",
                &self.public_base_url.as_ref().map(Url::as_str),
            )
            .field("path_style", &self.path_style)
            .finish()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileVault {
    backend: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePlatform {
    client_id: Option<String>,
    client_secret: Option<toml::Value>,
    redirect: Option<String>,
    redirect_uri: Option<String>,
    pkce_encoding: Option<String>,
    base_url: Option<String>,
    broker_url: Option<String>,
    resumable_upload: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileMediaHost {
    endpoint: Option<String>,
    bucket: Option<String>,
    region: Option<String>,
    access_key_id: Option<String>,
    secret_access_key: Option<toml::Value>,
    public_base_url: Option<String>,
    path_style: Option<bool>,
}

impl FileConfig {
    fn platform(&self, p: Platform) -> &FilePlatform {
        match p {
            Platform::Tiktok => &self.tiktok,
            Platform::Instagram => &self.instagram,
            Platform::Reddit => &self.reddit,
        }
    }
}

/// The platform's standard per-user data dir (XDG_DATA_HOME/outpost on Linux).
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("app", "Outpost", "Outpost").map(|d| d.data_dir().to_path_buf())
}

/// Parse and check a base URL override: http(s), a host, no query or fragment.
pub fn parse_base_url(key: &str, value: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        key: key.to_owned(),
        reason,
    };
    let url =
        Url::parse(value.trim()).map_err(|e| invalid(format!("{value:?} is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "{value:?} must be an http:// or https:// URL"
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid(format!("{value:?} has no host")));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(format!(
            "{value:?} must not have a query or fragment"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("the URL must not carry credentials".to_owned()));
    }
    Ok(url)
}

/// Parse a service URL (the token broker): like a base URL, and HTTPS unless on loopback.
pub fn parse_service_url(key: &str, value: &str) -> Result<Url, ConfigError> {
    let url = parse_base_url(key, value)?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if url.scheme() != "https" && !loopback {
        return Err(ConfigError::Invalid {
            key: key.to_owned(),
            reason: "a token broker must be reached over https:// (plain http only on 127.0.0.1)"
                .into(),
        });
    }
    Ok(url)
}

impl Config {
    /// Load from flags, environment and the data dir's config.toml.
    pub fn load(sources: &ConfigSources) -> Result<Config, ConfigError> {
        let data_dir = match (&sources.data_dir_flag, sources.var("OUTPOST_DATA_DIR")) {
            (Some(flag), _) => flag.clone(),
            (None, Some(env)) => PathBuf::from(env),
            (None, None) => default_data_dir().ok_or(ConfigError::NoDataDir)?,
        };
        let file = read_file_config(&data_dir.join(CONFIG_FILE))?;

        let mut platforms = Vec::with_capacity(Platform::ALL.len());
        for platform in Platform::ALL {
            platforms.push(platform_config(platform, file.platform(platform), sources)?);
        }

        let vault_backend = match sources.var("OUTPOST_VAULT_BACKEND") {
            Some(v) => VaultBackendChoice::parse("OUTPOST_VAULT_BACKEND", v)?,
            None => match &file.vault.backend {
                Some(v) => VaultBackendChoice::parse("config.toml: vault.backend", v)?,
                None => VaultBackendChoice::Auto,
            },
        };

        let sync_interval = match sources.var("OUTPOST_SYNC_INTERVAL_SECS") {
            Some(v) => parse_interval("OUTPOST_SYNC_INTERVAL_SECS", v)?,
            None => match file.sync_interval_secs {
                Some(0) => {
                    return Err(ConfigError::Invalid {
                        key: "config.toml: sync_interval_secs".into(),
                        reason: "must be at least 1 second".into(),
                    })
                }
                Some(secs) => Duration::from_secs(secs),
                None => DEFAULT_SYNC_INTERVAL,
            },
        };

        Ok(Config {
            data_dir,
            platforms,
            vault_backend,
            sync_interval,
            watch_folders: file.watch_folders,
            queue: file.queue.checked()?,
            media_host: media_host_config(file.media_host.as_ref(), sources)?,
            vault_passphrase: sources
                .var("OUTPOST_VAULT_PASSPHRASE")
                .map(|v| SecretValue::new(v.to_owned())),
            vault_new_passphrase: sources
                .var("OUTPOST_VAULT_NEW_PASSPHRASE")
                .map(|v| SecretValue::new(v.to_owned())),
        })
    }

    /// Settings of one platform.
    pub fn platform(&self, platform: Platform) -> &PlatformConfig {
        self.platforms
            .iter()
            .find(|p| p.platform == platform)
            .expect("every platform has a config")
    }

    /// Path of the SQLite database.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join(DATABASE_FILE)
    }

    /// Folder of the JSON log files.
    pub fn logs_dir(&self) -> PathBuf {
        self.data_dir.join(LOGS_DIR)
    }

    /// Sandbox mode: no platform has real client credentials configured.
    pub fn sandbox_mode(&self) -> bool {
        self.platforms.iter().all(|p| p.client_id.is_none())
    }

    /// Pin every secret this configuration holds (client secrets, both vault passphrases,
    /// the media host's key) for redaction, so that none reaches a log line, an error or a
    /// panic message. Each front end calls it right after loading, before logging starts.
    pub fn pin_secrets_for_redaction(&self) {
        let client_secrets = self.platforms.iter().map(|p| p.client_secret.as_ref());
        let others = [
            self.vault_passphrase.as_ref(),
            self.vault_new_passphrase.as_ref(),
            self.media_host.as_ref().map(|m| &m.secret_access_key),
        ];
        for secret in client_secrets.chain(others).flatten() {
            crate::telemetry::redact::register_pinned_secret(secret.expose());
        }
    }

    /// Create the data dir (and logs dir) if missing.
    pub fn ensure_data_dir(&self) -> Result<(), ConfigError> {
        for dir in [self.data_dir.clone(), self.logs_dir()] {
            std::fs::create_dir_all(&dir)
                .map_err(|source| ConfigError::Io { path: dir, source })?;
        }
        Ok(())
    }
}

fn parse_interval(key: &str, value: &str) -> Result<Duration, ConfigError> {
    match value.trim().parse::<u64>() {
        Ok(secs) if secs > 0 => Ok(Duration::from_secs(secs)),
        _ => Err(ConfigError::Invalid {
            key: key.to_owned(),
            reason: format!("{value:?} is not a whole number of seconds above 0"),
        }),
    }
}

fn read_file_config(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileConfig::default()),
        Err(source) => {
            return Err(ConfigError::Io {
                path: path.to_owned(),
                source,
            })
        }
    };
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: e.to_string().trim().to_owned(),
    })
}

fn platform_config(
    platform: Platform,
    file: &FilePlatform,
    sources: &ConfigSources,
) -> Result<PlatformConfig, ConfigError> {
    let name = platform.env_name();
    let file_key = |k: &str| format!("config.toml: {}.{k}", platform.as_str());
    let env_key = |k: &str| format!("OUTPOST_{name}_{k}");

    if file.client_secret.is_some() {
        return Err(ConfigError::Invalid {
            key: file_key("client_secret"),
            reason: format!(
                "secrets are not kept in config.toml; set {} in the environment or run \
                 `outpost credentials set {}`, then remove the line",
                env_key("CLIENT_SECRET"),
                platform.as_str()
            ),
        });
    }

    let client_id = sources
        .var(&env_key("CLIENT_ID"))
        .map(str::to_owned)
        .or_else(|| file.client_id.clone().filter(|s| !s.is_empty()));
    if let Some(id) = &client_id {
        if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ConfigError::Invalid {
                key: env_key("CLIENT_ID"),
                reason: "must not contain spaces or control characters".into(),
            });
        }
    }
    let client_secret = sources
        .var(&env_key("CLIENT_SECRET"))
        .map(|s| SecretValue::new(s.to_owned()));

    let base_url = match sources.var(&env_key("BASE_URL")) {
        Some(v) => Some(parse_base_url(&env_key("BASE_URL"), v)?),
        None => match &file.base_url {
            Some(v) => Some(parse_base_url(&file_key("base_url"), v)?),
            None => None,
        },
    };

    let redirect_mode = match sources.var(&env_key("REDIRECT")) {
        Some(v) => Some(RedirectMode::parse(&env_key("REDIRECT"), v)?),
        None => match &file.redirect {
            Some(v) => Some(RedirectMode::parse(&file_key("redirect"), v)?),
            None => None,
        },
    };

    let redirect_uri = match sources
        .var(&env_key("REDIRECT_URI"))
        .map(|v| (env_key("REDIRECT_URI"), v.to_owned()))
        .or_else(|| {
            file.redirect_uri
                .clone()
                .map(|v| (file_key("redirect_uri"), v))
        }) {
        Some((key, v)) => Some(Url::parse(v.trim()).map_err(|e| ConfigError::Invalid {
            key,
            reason: format!("{v:?} is not a URL ({e})"),
        })?),
        None => None,
    };

    let pkce_encoding = match sources
        .var(&env_key("PKCE_ENCODING"))
        .map(|v| (env_key("PKCE_ENCODING"), v.to_owned()))
        .or_else(|| {
            file.pkce_encoding
                .clone()
                .map(|v| (file_key("pkce_encoding"), v))
        }) {
        Some((key, v)) => Some(match v.trim() {
            "hex" => PkceEncoding::Hex,
            "base64url" => PkceEncoding::Base64url,
            other => {
                return Err(ConfigError::Invalid {
                    key,
                    reason: format!("{other:?} is not a PKCE encoding (hex, base64url)"),
                })
            }
        }),
        None => None,
    };

    let broker_url = match sources.var(&env_key("BROKER_URL")) {
        Some(v) => Some(parse_service_url(&env_key("BROKER_URL"), v)?),
        None => match &file.broker_url {
            Some(v) => Some(parse_service_url(&file_key("broker_url"), v)?),
            None => None,
        },
    };

    if file.resumable_upload.is_some() && platform != Platform::Instagram {
        return Err(ConfigError::Invalid {
            key: file_key("resumable_upload"),
            reason: "only [instagram] has this setting".into(),
        });
    }
    let resumable_upload = match sources.var(&env_key("RESUMABLE_UPLOAD")) {
        Some(v) if platform == Platform::Instagram => parse_bool(&env_key("RESUMABLE_UPLOAD"), v)?,
        _ => file.resumable_upload.unwrap_or(true),
    };

    Ok(PlatformConfig {
        broker_url,
        resumable_upload,
        platform,
        client_id,
        client_secret,
        redirect_mode,
        redirect_uri,
        pkce_encoding,
        endpoints: Endpoints::new(platform, base_url),
    })
}

fn parse_bool(key: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        other => Err(ConfigError::Invalid {
            key: key.to_owned(),
            reason: format!("{other:?} is not true or false"),
        }),
    }
}

/// `[media_host]` and `OUTPOST_MEDIA_HOST_*`: `None` when nothing is set; otherwise every
/// required key must be there (a half-filled section names the first missing key).
fn media_host_config(
    file: Option<&FileMediaHost>,
    sources: &ConfigSources,
) -> Result<Option<MediaHostConfig>, ConfigError> {
    const SECRET_ENV: &str = "OUTPOST_MEDIA_HOST_SECRET_ACCESS_KEY";
    let empty = FileMediaHost::default();
    let f = file.unwrap_or(&empty);
    let file_key = |k: &str| format!("config.toml: media_host.{k}");
    let env_key = |k: &str| format!("OUTPOST_MEDIA_HOST_{}", k.to_ascii_uppercase());
    if f.secret_access_key.is_some() {
        return Err(ConfigError::Invalid {
            key: file_key("secret_access_key"),
            reason: format!(
                "secrets are not kept in config.toml; set {SECRET_ENV} in the environment, then remove the line"
            ),
        });
    }
    // (key in errors, value): the environment beats the file.
    let pick = |k: &str, from_file: &Option<String>| -> Option<(String, String)> {
        sources
            .var(&env_key(k))
            .map(|v| (env_key(k), v.trim().to_owned()))
            .or_else(|| {
                from_file
                    .as_ref()
                    .map(|v| (file_key(k), v.trim().to_owned()))
            })
    };
    let endpoint = pick("endpoint", &f.endpoint);
    let bucket = pick("bucket", &f.bucket);
    let region = pick("region", &f.region);
    let access_key_id = pick("access_key_id", &f.access_key_id);
    let public_base_url = pick("public_base_url", &f.public_base_url);
    let path_style = match sources.var(&env_key("path_style")) {
        Some(v) => Some(parse_bool(&env_key("path_style"), v)?),
        None => f.path_style,
    };
    let secret = sources.var(SECRET_ENV);
    let anything = file.is_some()
        || [
            &endpoint,
            &bucket,
            &region,
            &access_key_id,
            &public_base_url,
        ]
        .iter()
        .any(|v| v.is_some())
        || path_style.is_some()
        || secret.is_some();
    if !anything {
        return Ok(None);
    }
    let required = |k: &str, v: Option<(String, String)>| {
        v.filter(|(_, v)| !v.is_empty())
            .ok_or_else(|| ConfigError::Invalid {
                key: file_key(k),
                reason: format!(
                    "missing: the media host needs endpoint, bucket, region and access_key_id; \
                     set {k} in [media_host] or {} in the environment (docs/media-host.md)",
                    env_key(k)
                ),
            })
    };
    let (endpoint_key, endpoint) = required("endpoint", endpoint)?;
    let (bucket_key, bucket) = required("bucket", bucket)?;
    let (region_key, region) = required("region", region)?;
    let (access_key, access_key_id) = required("access_key_id", access_key_id)?;
    let secret = secret.ok_or_else(|| ConfigError::Invalid {
        key: SECRET_ENV.into(),
        reason: "missing: the media host's secret access key is read from the environment only \
                 (docs/media-host.md)"
            .into(),
    })?;

    let endpoint = parse_base_url(&endpoint_key, &endpoint)?;
    let invalid = |key: &str, reason: &str| ConfigError::Invalid {
        key: key.to_owned(),
        reason: reason.to_owned(),
    };
    let bucket_ok = (3..=255).contains(&bucket.len())
        && bucket
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
    if !bucket_ok {
        return Err(invalid(
            &bucket_key,
            "a bucket name is 3 to 63 lowercase letters, digits, dots and dashes",
        ));
    }
    if region
        .chars()
        .any(|c| !(c.is_ascii_alphanumeric() || c == '-'))
    {
        return Err(invalid(
            &region_key,
            "a region is letters, digits and dashes (us-east-1; auto for Cloudflare R2)",
        ));
    }
    if access_key_id
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '/')
    {
        return Err(invalid(
            &access_key,
            "must not contain spaces, slashes or control characters",
        ));
    }
    let public_base_url = match public_base_url.filter(|(_, v)| !v.is_empty()) {
        Some((key, v)) => {
            let url = parse_base_url(&key, &v)?;
            if url.scheme() != "https" {
                return Err(invalid(
                    &key,
                    "Instagram fetches media only over https: the public base URL must be https://",
                ));
            }
            Some(url)
        }
        None => None,
    };
    if public_base_url.is_none() && endpoint.scheme() != "https" {
        return Err(invalid(
            &endpoint_key,
            "without public_base_url Instagram fetches presigned links from the endpoint itself, \
             which must then be https://; set public_base_url to the https address serving the bucket",
        ));
    }
    Ok(Some(MediaHostConfig {
        endpoint,
        bucket,
        region,
        access_key_id,
        secret_access_key: SecretValue::new(secret.to_owned()),
        public_base_url,
        path_style: path_style.unwrap_or(true),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(dir: &Path, env: &[(&str, &str)]) -> ConfigSources {
        ConfigSources {
            data_dir_flag: Some(dir.to_owned()),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn unset_base_url_uses_the_documented_hosts() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::load(&sources(dir.path(), &[])).unwrap();
        let tiktok = &config.platform(Platform::Tiktok).endpoints;
        assert_eq!(
            tiktok.url(Host::Authorize, "/v2/auth/authorize/").as_str(),
            "https://www.tiktok.com/v2/auth/authorize/"
        );
        assert_eq!(
            tiktok.url(Host::Token, "/v2/oauth/token/").as_str(),
            "https://open.tiktokapis.com/v2/oauth/token/"
        );
        let ig = &config.platform(Platform::Instagram).endpoints;
        assert_eq!(
            ig.url(Host::Token, "/oauth/access_token").as_str(),
            "https://api.instagram.com/oauth/access_token"
        );
        assert_eq!(
            ig.url(Host::Api, "/v23.0/me").as_str(),
            "https://graph.instagram.com/v23.0/me"
        );
        let reddit = &config.platform(Platform::Reddit).endpoints;
        assert_eq!(
            reddit.url(Host::Api, "/api/v1/me").as_str(),
            "https://oauth.reddit.com/api/v1/me"
        );
        assert!(config.sandbox_mode());
    }

    #[test]
    fn base_url_override_maps_every_host_onto_one_origin_keeping_the_prefix() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::load(&sources(
            dir.path(),
            &[("OUTPOST_TIKTOK_BASE_URL", "http://127.0.0.1:4000/tiktok/")],
        ))
        .unwrap();
        let e = &config.platform(Platform::Tiktok).endpoints;
        for host in [Host::Authorize, Host::Token, Host::Api, Host::Upload] {
            assert_eq!(
                e.url(host, "/v2/oauth/token/").as_str(),
                "http://127.0.0.1:4000/tiktok/v2/oauth/token/"
            );
        }
        // Other platforms keep their real hosts.
        assert!(!config.platform(Platform::Reddit).endpoints.is_overridden());
    }

    #[test]
    fn environment_wins_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "sync_interval_secs = 60\n[reddit]\nclient_id = \"from-file\"\nbase_url = \"http://127.0.0.1:1/file\"\n",
        )
        .unwrap();
        let config = Config::load(&sources(
            dir.path(),
            &[
                ("OUTPOST_REDDIT_CLIENT_ID", "from-env"),
                ("OUTPOST_REDDIT_BASE_URL", "http://127.0.0.1:2/env"),
            ],
        ))
        .unwrap();
        let reddit = config.platform(Platform::Reddit);
        assert_eq!(reddit.client_id.as_deref(), Some("from-env"));
        assert_eq!(
            reddit.endpoints.url(Host::Api, "/api/v1/me").as_str(),
            "http://127.0.0.1:2/env/api/v1/me"
        );
        assert_eq!(config.sync_interval, Duration::from_secs(60));
        assert!(!config.sandbox_mode());
    }

    #[test]
    fn bad_values_name_their_key() {
        let dir = tempfile::tempdir().unwrap();
        for (key, value) in [
            ("OUTPOST_TIKTOK_BASE_URL", "not a url"),
            ("OUTPOST_INSTAGRAM_BASE_URL", "ftp://example.com"),
            ("OUTPOST_REDDIT_BASE_URL", "http://127.0.0.1:9/x?y=1"),
            ("OUTPOST_TIKTOK_REDIRECT", "carrier-pigeon"),
            ("OUTPOST_VAULT_BACKEND", "shoebox"),
            ("OUTPOST_SYNC_INTERVAL_SECS", "0"),
            ("OUTPOST_TIKTOK_PKCE_ENCODING", "rot13"),
            ("OUTPOST_TIKTOK_BROKER_URL", "http://broker.example.com/"),
        ] {
            let err = Config::load(&sources(dir.path(), &[(key, value)])).unwrap_err();
            assert!(err.to_string().contains(key), "{key}: {err}");
            assert_eq!(err.code(), "config.invalid");
        }
    }

    #[test]
    fn bad_file_is_a_parse_error_naming_the_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[tiktok]\nclient_idd = \"x\"\n",
        )
        .unwrap();
        let err = Config::load(&sources(dir.path(), &[])).unwrap_err();
        assert!(err.to_string().contains("client_idd"), "{err}");
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[tiktok]\nbase_url = \"nope\"\n",
        )
        .unwrap();
        let err = Config::load(&sources(dir.path(), &[])).unwrap_err();
        assert!(err.to_string().contains("tiktok.base_url"), "{err}");
    }

    #[test]
    fn client_secret_in_the_file_is_refused_and_env_secret_is_redacted_in_debug() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[tiktok]\nclient_secret = \"s3cr3t-value\"\n",
        )
        .unwrap();
        let err = Config::load(&sources(dir.path(), &[])).unwrap_err();
        assert!(err.to_string().contains("tiktok.client_secret"));
        assert!(!err.to_string().contains("s3cr3t-value"));

        std::fs::remove_file(dir.path().join(CONFIG_FILE)).unwrap();
        let config = Config::load(&sources(
            dir.path(),
            &[("OUTPOST_TIKTOK_CLIENT_SECRET", "env-secret-value-123")],
        ))
        .unwrap();
        let secret = config
            .platform(Platform::Tiktok)
            .client_secret
            .as_ref()
            .unwrap();
        assert_eq!(secret.expose(), "env-secret-value-123");
        assert!(!format!("{config:?}").contains("env-secret-value-123"));
    }

    const MEDIA_SECRET: &str = "media-host-secret-value-42";

    fn media_file(dir: &Path, body: &str) {
        std::fs::write(dir.join(CONFIG_FILE), format!("[media_host]\n{body}")).unwrap();
    }

    #[test]
    fn media_host_is_none_until_something_is_set() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::load(&sources(dir.path(), &[])).unwrap();
        assert!(config.media_host.is_none());
        assert!(config.platform(Platform::Instagram).resumable_upload);
    }

    #[test]
    fn every_configured_secret_is_pinned_for_redaction() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = [
            (
                "OUTPOST_TIKTOK_CLIENT_SECRET",
                "tiktok-secret-for-pinning-1",
            ),
            ("OUTPOST_VAULT_PASSPHRASE", "old passphrase for pinning 2"),
            (
                "OUTPOST_VAULT_NEW_PASSPHRASE",
                "new passphrase for pinning 3",
            ),
            (
                "OUTPOST_MEDIA_HOST_SECRET_ACCESS_KEY",
                "media-key-for-pinning-4",
            ),
            ("OUTPOST_MEDIA_HOST_ENDPOINT", "https://s3.example.com"),
            ("OUTPOST_MEDIA_HOST_BUCKET", "outpost-media"),
            ("OUTPOST_MEDIA_HOST_REGION", "auto"),
            ("OUTPOST_MEDIA_HOST_ACCESS_KEY_ID", "AKIAPINNING"),
        ];
        let config = Config::load(&sources(dir.path(), &secrets)).unwrap();
        assert!(config.media_host.is_some());
        config.pin_secrets_for_redaction();
        for (_, value) in &secrets[..4] {
            let line = format!("failed with {value} inside");
            let shown = crate::telemetry::redact::redact(&line);
            assert!(!shown.contains(value), "{shown}");
        }
    }

    #[test]
    fn media_host_from_the_file_with_the_secret_from_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        media_file(
            dir.path(),
            "endpoint = \"https://s3.eu-west-1.amazonaws.com\"\nbucket = \"outpost-media\"\n\
             region = \"eu-west-1\"\naccess_key_id = \"AKIAEXAMPLE\"\n",
        );
        let config = Config::load(&sources(
            dir.path(),
            &[("OUTPOST_MEDIA_HOST_SECRET_ACCESS_KEY", MEDIA_SECRET)],
        ))
        .unwrap();
        let m = config.media_host.as_ref().unwrap();
        assert_eq!(m.endpoint.as_str(), "https://s3.eu-west-1.amazonaws.com/");
        assert_eq!(m.bucket, "outpost-media");
        assert_eq!(m.region, "eu-west-1");
        assert_eq!(m.access_key_id, "AKIAEXAMPLE");
        assert_eq!(m.secret_access_key.expose(), MEDIA_SECRET);
        assert!(m.public_base_url.is_none());
        assert!(m.path_style, "path style is the default");
        assert!(!format!("{config:?}").contains(MEDIA_SECRET));
    }

    #[test]
    fn media_host_environment_wins_over_the_file_and_can_stand_alone() {
        let dir = tempfile::tempdir().unwrap();
        media_file(
            dir.path(),
            "endpoint = \"https://file.example.com\"\nbucket = \"from-file\"\nregion = \"auto\"\n\
             access_key_id = \"FILEKEY\"\npath_style = false\n",
        );
        let env = [
            ("OUTPOST_MEDIA_HOST_ENDPOINT", "http://127.0.0.1:9000/s3"),
            ("OUTPOST_MEDIA_HOST_BUCKET", "from-env"),
            ("OUTPOST_MEDIA_HOST_REGION", "us-east-1"),
            ("OUTPOST_MEDIA_HOST_ACCESS_KEY_ID", "ENVKEY"),
            (
                "OUTPOST_MEDIA_HOST_PUBLIC_BASE_URL",
                "https://media.example.com/outpost/",
            ),
            ("OUTPOST_MEDIA_HOST_SECRET_ACCESS_KEY", MEDIA_SECRET),
        ];
        let config = Config::load(&sources(dir.path(), &env)).unwrap();
        let m = config.media_host.unwrap();
        assert_eq!(m.endpoint.as_str(), "http://127.0.0.1:9000/s3");
        assert_eq!(m.bucket, "from-env");
        assert_eq!(m.region, "us-east-1");
        assert_eq!(m.access_key_id, "ENVKEY");
        assert_eq!(
            m.public_base_url.unwrap().as_str(),
            "https://media.example.com/outpost/"
        );
        assert!(!m.path_style, "the file's path_style is kept");

        // The environment alone is enough.
        std::fs::remove_file(dir.path().join(CONFIG_FILE)).unwrap();
        let config = Config::load(&sources(dir.path(), &env)).unwrap();
        assert_eq!(config.media_host.unwrap().bucket, "from-env");
    }

    #[test]
    fn a_half_filled_media_host_names_the_missing_key() {
        let dir = tempfile::tempdir().unwrap();
        let secret = [("OUTPOST_MEDIA_HOST_SECRET_ACCESS_KEY", MEDIA_SECRET)];
        media_file(dir.path(), "endpoint = \"https://s3.example.com\"\n");
        let err = Config::load(&sources(dir.path(), &secret)).unwrap_err();
        assert_eq!(err.code(), "config.invalid");
        assert!(err.to_string().contains("media_host.bucket"), "{err}");
        assert!(
            err.to_string().contains("OUTPOST_MEDIA_HOST_BUCKET"),
            "{err}"
        );

        media_file(
            dir.path(),
            "endpoint = \"https://s3.example.com\"\nbucket = \"b-1\"\nregion = \"auto\"\n",
        );
        let err = Config::load(&sources(dir.path(), &secret)).unwrap_err();
        assert!(
            err.to_string().contains("media_host.access_key_id"),
            "{err}"
        );

        media_file(
            dir.path(),
            "endpoint = \"https://s3.example.com\"\nbucket = \"b-1\"\nregion = \"auto\"\naccess_key_id = \"K\"\n",
        );
        let err = Config::load(&sources(dir.path(), &[])).unwrap_err();
        assert!(
            err.to_string()
                .contains("OUTPOST_MEDIA_HOST_SECRET_ACCESS_KEY"),
            "{err}"
        );

        // A secret alone (nothing else) is half a media host too.
        std::fs::remove_file(dir.path().join(CONFIG_FILE)).unwrap();
        let err = Config::load(&sources(dir.path(), &secret)).unwrap_err();
        assert!(err.to_string().contains("media_host.endpoint"), "{err}");
        assert!(!err.to_string().contains(MEDIA_SECRET));
    }

    #[test]
    fn media_host_secret_in_the_file_is_refused_without_echoing_it() {
        let dir = tempfile::tempdir().unwrap();
        media_file(
            dir.path(),
            &format!(
                "endpoint = \"https://s3.example.com\"\nsecret_access_key = \"{MEDIA_SECRET}\"\n"
            ),
        );
        let err = Config::load(&sources(dir.path(), &[])).unwrap_err();
        assert!(
            err.to_string().contains("media_host.secret_access_key"),
            "{err}"
        );
        assert!(!err.to_string().contains(MEDIA_SECRET));
    }

    #[test]
    fn media_host_bad_values_name_their_key() {
        let dir = tempfile::tempdir().unwrap();
        let base = [
            ("OUTPOST_MEDIA_HOST_ENDPOINT", "https://s3.example.com"),
            ("OUTPOST_MEDIA_HOST_BUCKET", "outpost"),
            ("OUTPOST_MEDIA_HOST_REGION", "auto"),
            ("OUTPOST_MEDIA_HOST_ACCESS_KEY_ID", "KEY"),
            ("OUTPOST_MEDIA_HOST_SECRET_ACCESS_KEY", MEDIA_SECRET),
        ];
        assert!(Config::load(&sources(dir.path(), &base))
            .unwrap()
            .media_host
            .is_some());
        for (key, value) in [
            ("OUTPOST_MEDIA_HOST_ENDPOINT", "not a url"),
            // Instagram could not fetch presigned links from plain http.
            ("OUTPOST_MEDIA_HOST_ENDPOINT", "http://minio.lan:9000"),
            ("OUTPOST_MEDIA_HOST_BUCKET", "a/b"),
            ("OUTPOST_MEDIA_HOST_REGION", "eu west"),
            ("OUTPOST_MEDIA_HOST_ACCESS_KEY_ID", "has space"),
            (
                "OUTPOST_MEDIA_HOST_PUBLIC_BASE_URL",
                "http://cdn.example.com",
            ),
            ("OUTPOST_MEDIA_HOST_PATH_STYLE", "sometimes"),
        ] {
            let mut env: Vec<(&str, &str)> =
                base.iter().filter(|(k, _)| *k != key).copied().collect();
            env.push((key, value));
            let err = Config::load(&sources(dir.path(), &env)).unwrap_err();
            assert!(err.to_string().contains(key), "{key}={value}: {err}");
            assert_eq!(err.code(), "config.invalid");
        }
    }

    #[test]
    fn instagram_resumable_upload_can_be_turned_off() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[instagram]\nresumable_upload = false\n",
        )
        .unwrap();
        let config = Config::load(&sources(dir.path(), &[])).unwrap();
        assert!(!config.platform(Platform::Instagram).resumable_upload);
        let config = Config::load(&sources(
            dir.path(),
            &[("OUTPOST_INSTAGRAM_RESUMABLE_UPLOAD", "true")],
        ))
        .unwrap();
        assert!(config.platform(Platform::Instagram).resumable_upload);
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[tiktok]\nresumable_upload = false\n",
        )
        .unwrap();
        let err = Config::load(&sources(dir.path(), &[])).unwrap_err();
        assert!(err.to_string().contains("tiktok.resumable_upload"), "{err}");
    }

    #[test]
    fn data_dir_flag_beats_environment() {
        let dir = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        let mut s = sources(
            dir.path(),
            &[("OUTPOST_DATA_DIR", other.path().to_str().unwrap())],
        );
        assert_eq!(Config::load(&s).unwrap().data_dir, dir.path());
        s.data_dir_flag = None;
        assert_eq!(Config::load(&s).unwrap().data_dir, other.path());
    }
}
