//! Sandbox mode: with no platform client id configured, the app starts the platform
//! emulator (`outpost-sandbox`) in-process on an ephemeral loopback port and points every
//! client at it, with the sandbox's seeded developer apps. The same `OUTPOST_*` overrides
//! the CLI's end-to-end tests use, given to `Config::load` as its environment.
//!
//! Sandbox data lives apart from real data, in `DATA/sandbox/`: the emulator forgets its
//! accounts when the app quits, and a creator's real accounts must never mix with demo
//! ones. Its vault uses a passphrase key (a fixed, published passphrase) unless
//! `OUTPOST_VAULT_BACKEND` / `OUTPOST_VAULT_PASSPHRASE` say otherwise: the tokens it holds
//! are the emulator's, worth nothing, and demo mode must work without an OS keyring.

use std::collections::HashMap;
use std::path::Path;

use outpost_core::clock;
use outpost_core::config::{Config, ConfigSources};
use outpost_core::db::accounts::AccountStatus;
use outpost_core::db::Database;
use outpost_core::oauth::credentials;
use outpost_core::vault::{Vault, VaultOptions};
use outpost_sandbox::config as seeded;
use outpost_sandbox::{Platform as SandboxPlatform, Sandbox, SandboxConfig};

use crate::error::{fail, shell_error, ErrorPayload};

/// The vault passphrase of sandbox data dirs. Public on purpose: it protects demo tokens.
pub const SANDBOX_PASSPHRASE: &str = "outpost sandbox mode: demo tokens only";

/// The sub-folder of the data dir that sandbox mode uses.
pub const SANDBOX_DIR: &str = "sandbox";

/// Configuration overrides for a sandbox whose platforms are served at `base_url(p)`.
/// Variables already in `env` for the vault are kept (a keyring can be asked for).
pub fn sandbox_env(
    env: &HashMap<String, String>,
    data_dir: &Path,
    base_url: impl Fn(SandboxPlatform) -> String,
) -> HashMap<String, String> {
    let mut out = env.clone();
    let mut set = |k: &str, v: String| {
        out.insert(k.to_owned(), v);
    };
    set(
        "OUTPOST_DATA_DIR",
        data_dir.join(SANDBOX_DIR).to_string_lossy().into_owned(),
    );
    set("OUTPOST_TIKTOK_BASE_URL", base_url(SandboxPlatform::TikTok));
    set("OUTPOST_TIKTOK_CLIENT_ID", seeded::TIKTOK_CLIENT_KEY.into());
    set(
        "OUTPOST_TIKTOK_CLIENT_SECRET",
        seeded::TIKTOK_CLIENT_SECRET.into(),
    );
    set(
        "OUTPOST_INSTAGRAM_BASE_URL",
        base_url(SandboxPlatform::Instagram),
    );
    set(
        "OUTPOST_INSTAGRAM_CLIENT_ID",
        seeded::INSTAGRAM_APP_ID.into(),
    );
    set(
        "OUTPOST_INSTAGRAM_CLIENT_SECRET",
        seeded::INSTAGRAM_APP_SECRET.into(),
    );
    // No HTTPS bridge exists in demo mode: the sandbox accepts the loopback redirect.
    set("OUTPOST_INSTAGRAM_REDIRECT", "loopback".into());
    set("OUTPOST_REDDIT_BASE_URL", base_url(SandboxPlatform::Reddit));
    set("OUTPOST_REDDIT_CLIENT_ID", seeded::REDDIT_CLIENT_ID.into());
    // Reddit keeps its default: the `outpost://oauth/callback` deep link.
    set("OUTPOST_REDDIT_REDIRECT", "custom-scheme".into());
    if !env.contains_key("OUTPOST_VAULT_BACKEND") && !env.contains_key("OUTPOST_VAULT_PASSPHRASE") {
        set("OUTPOST_VAULT_BACKEND", "passphrase".into());
        set("OUTPOST_VAULT_PASSPHRASE", SANDBOX_PASSPHRASE.into());
    }
    out
}

/// The configuration the app runs with, and the sandbox when in sandbox mode.
pub struct Loaded {
    /// Configuration (pointing at the sandbox in sandbox mode).
    pub config: Config,
    /// The configuration of the creator's real data (the same as `config` in live mode):
    /// where Settings keeps developer apps, so that the next start can go live.
    pub live: Config,
    /// Sandbox mode because `OUTPOST_SANDBOX` asks for it (a restart would not go live).
    pub sandbox_forced: bool,
    /// The real database, if deciding the mode opened it.
    pub live_db: Option<Database>,
    /// The in-process emulator, kept alive for the app's lifetime.
    pub sandbox: Option<Sandbox>,
}

/// Environment variable that forces sandbox mode even with developer apps configured.
pub const FORCE_SANDBOX: &str = "OUTPOST_SANDBOX";

/// `OUTPOST_SANDBOX=1` (or `true`, `yes`) in `env`.
pub fn sandbox_forced(env: &HashMap<String, String>) -> bool {
    env.get(FORCE_SANDBOX)
        .is_some_and(|v| matches!(v.trim(), "1" | "true" | "yes"))
}

/// How the app starts.
pub struct Decision {
    /// Sandbox mode.
    pub sandbox: bool,
    /// Sandbox mode because `OUTPOST_SANDBOX` asks for it.
    pub forced: bool,
    /// The real database, when deciding had to open it (the app reuses it).
    pub live_db: Option<Database>,
}

/// Sandbox mode unless a developer app is configured: in the environment, config.toml, or
/// the vault of the real data dir (Settings → Your developer apps, `outpost credentials
/// set`). `OUTPOST_SANDBOX=1` forces it. Reads no secret: no keyring is asked, and no real
/// database is created.
pub async fn decide(
    config: &Config,
    env: &HashMap<String, String>,
) -> Result<Decision, ErrorPayload> {
    let decision = |sandbox, live_db| Decision {
        sandbox,
        forced: false,
        live_db,
    };
    if sandbox_forced(env) {
        return Ok(Decision {
            forced: true,
            ..decision(true, None)
        });
    }
    if !config.sandbox_mode() {
        return Ok(decision(false, None));
    }
    let path = config.database_path();
    if !path.exists() {
        return Ok(decision(true, None));
    }
    let db = Database::open(&path).await.map_err(fail)?;
    let vault = Vault::new(
        db.clone(),
        VaultOptions::from_config(config),
        clock::system(),
    );
    let sandbox = credentials::sandbox_mode(config, &vault)
        .await
        .map_err(fail)?;
    Ok(decision(sandbox, Some(db)))
}

/// What a sandbox account says after a restart.
pub const EMULATOR_RESTARTED: &str =
    "The sandbox starts empty each time Outpost starts: connect this account again.";

/// The emulator starts empty each time: accounts connected to an earlier run of it can no
/// longer refresh their tokens. Mark them for reconnecting at once (the Connect page offers
/// Reconnect) rather than let the first upload or sync fail. Their local history stays.
pub async fn mark_for_reconnect(db: &Database, now_millis: i64) -> Result<usize, ErrorPayload> {
    let mut marked = 0;
    for a in db.accounts().list().await.map_err(fail)? {
        if a.status == AccountStatus::Active {
            db.accounts()
                .set_status(
                    a.id,
                    AccountStatus::NeedsReconnect,
                    Some(EMULATOR_RESTARTED),
                    now_millis,
                )
                .await
                .map_err(fail)?;
            marked += 1;
        }
    }
    Ok(marked)
}

/// Load the configuration from the process; in sandbox mode start the emulator first.
pub async fn load() -> Result<Loaded, ErrorPayload> {
    let sources = ConfigSources::from_process(None);
    let config = Config::load(&sources).map_err(fail)?;
    let decision = decide(&config, &sources.env).await?;
    if !decision.sandbox {
        return Ok(Loaded {
            live: config.clone(),
            config,
            sandbox: None,
            sandbox_forced: false,
            live_db: decision.live_db,
        });
    }
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .map_err(|e| shell_error("sandbox.start", format!("the sandbox did not start: {e}")))?;
    let env = sandbox_env(&sources.env, &config.data_dir, |p| sandbox.base_url(p));
    let live = config;
    let config = Config::load(&ConfigSources {
        data_dir_flag: None,
        env,
    })
    .map_err(fail)?;
    tracing::info!(addr = %sandbox.addr(), "sandbox mode: platforms emulated in-process");
    Ok(Loaded {
        config,
        live,
        sandbox: Some(sandbox),
        sandbox_forced: decision.forced,
        live_db: decision.live_db,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(p: SandboxPlatform) -> String {
        format!("http://127.0.0.1:4000/{}", p.name())
    }

    #[test]
    fn points_every_platform_at_the_sandbox_in_its_own_data_dir() {
        let env = sandbox_env(&HashMap::new(), Path::new("/data"), url);
        let dir = tempfile::tempdir().unwrap();
        let mut env2 = env.clone();
        env2.insert(
            "OUTPOST_DATA_DIR".into(),
            dir.path().to_string_lossy().into_owned(),
        );
        assert_eq!(env["OUTPOST_DATA_DIR"], "/data/sandbox");
        assert_eq!(env["OUTPOST_VAULT_BACKEND"], "passphrase");
        let config = Config::load(&ConfigSources {
            data_dir_flag: None,
            env: env2,
        })
        .unwrap();
        for p in outpost_core::Platform::ALL {
            let pc = config.platform(p);
            assert!(pc.client_id.is_some(), "{p:?}");
            assert!(pc.endpoints.is_overridden(), "{p:?}");
        }
    }

    fn load_in(dir: &Path, env: &[(&str, &str)]) -> (Config, HashMap<String, String>) {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let config = Config::load(&ConfigSources {
            data_dir_flag: Some(dir.to_path_buf()),
            env: env.clone(),
        })
        .unwrap();
        (config, env)
    }

    #[tokio::test]
    async fn goes_live_once_a_developer_app_is_stored_and_never_creates_real_data() {
        let dir = tempfile::tempdir().unwrap();
        let (config, env) = load_in(dir.path(), &[]);
        assert!(decide(&config, &env).await.unwrap().sandbox);
        assert!(
            !config.database_path().exists(),
            "deciding must not create the real database"
        );

        // Settings stores a developer app in the real data dir's vault.
        let (config, env) = load_in(
            dir.path(),
            &[
                ("OUTPOST_VAULT_BACKEND", "passphrase"),
                ("OUTPOST_VAULT_PASSPHRASE", "a passphrase for this test"),
            ],
        );
        let db = Database::open(&config.database_path()).await.unwrap();
        let vault = Vault::new(db, VaultOptions::from_config(&config), clock::system());
        credentials::store(&vault, outpost_core::Platform::Reddit, "rd-app", None)
            .await
            .unwrap();
        // Deciding needs no key: without the passphrase it still sees the stored app.
        let (plain, plain_env) = load_in(dir.path(), &[]);
        assert!(!decide(&plain, &plain_env).await.unwrap().sandbox);
        assert!(!decide(&config, &env).await.unwrap().sandbox);

        let (forced, forced_env) = load_in(dir.path(), &[(FORCE_SANDBOX, "1")]);
        let d = decide(&forced, &forced_env).await.unwrap();
        assert!(d.sandbox && d.forced);
        let (off, off_env) = load_in(dir.path(), &[(FORCE_SANDBOX, "0")]);
        let d = decide(&off, &off_env).await.unwrap();
        assert!(!d.sandbox && !d.forced);
        assert!(d.live_db.is_some(), "the database it opened is handed on");
    }

    #[tokio::test]
    async fn accounts_of_an_earlier_sandbox_ask_to_be_connected_again() {
        use outpost_core::db::accounts::AccountProfile;
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("o.db")).await.unwrap();
        let profile = |id: &str| AccountProfile {
            platform: outpost_core::Platform::Tiktok,
            platform_user_id: id.into(),
            username: Some(id.into()),
            display_name: None,
            avatar_url: None,
        };
        let a = db.accounts().upsert(&profile("a"), 1).await.unwrap();
        let b = db.accounts().upsert(&profile("b"), 1).await.unwrap();
        db.accounts()
            .set_status(b, AccountStatus::Disconnected, None, 1)
            .await
            .unwrap();
        assert_eq!(mark_for_reconnect(&db, 2).await.unwrap(), 1);
        let a = db.accounts().get(a).await.unwrap().unwrap();
        assert_eq!(a.status, AccountStatus::NeedsReconnect);
        assert_eq!(a.status_reason.as_deref(), Some(EMULATOR_RESTARTED));
        let b = db.accounts().get(b).await.unwrap().unwrap();
        assert_eq!(b.status, AccountStatus::Disconnected, "left as it was");
    }

    #[tokio::test]
    async fn a_client_id_in_the_environment_means_live() {
        let dir = tempfile::tempdir().unwrap();
        let (config, env) = load_in(dir.path(), &[("OUTPOST_TIKTOK_CLIENT_ID", "tt")]);
        assert!(!decide(&config, &env).await.unwrap().sandbox);
    }

    #[test]
    fn keeps_a_vault_the_user_chose() {
        let mut given = HashMap::new();
        given.insert("OUTPOST_VAULT_BACKEND".to_owned(), "keyring".to_owned());
        let env = sandbox_env(&given, Path::new("/d"), url);
        assert_eq!(env["OUTPOST_VAULT_BACKEND"], "keyring");
        assert!(!env.contains_key("OUTPOST_VAULT_PASSPHRASE"));
    }
}
