//! Shared by the engine's end-to-end tests: a sandbox, a connector on a manual clock set to
//! the sandbox's time, and one connected account per platform (approved like a browser
//! would, through the sandbox's consent form).
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use outpost_core::clock::{ManualClock, SharedClock};
use outpost_core::config::{Config, ConfigSources};
use outpost_core::db::Database;
use outpost_core::http::Http;
use outpost_core::oauth::{callback, Connector};
use outpost_core::vault::keystore::MemoryKeyStore;
use outpost_core::vault::passphrase::KdfParams;
use outpost_core::vault::{Vault, VaultOptions};
use outpost_core::Platform;
use outpost_sandbox::config as sc;
use outpost_sandbox::{Platform as SP, Sandbox, SandboxConfig};

/// Approve on the sandbox's consent page; returns the redirect's Location.
pub async fn approve(authorize_url: &str) -> String {
    outpost_sandbox::consent::decide(authorize_url, true, None)
        .await
        .unwrap()
}

/// Everything a test needs.
pub struct World {
    pub sandbox: Sandbox,
    pub connector: Connector,
    pub manual: ManualClock,
    pub ids: Vec<(Platform, i64)>,
    pub _dir: tempfile::TempDir,
}

/// A sandbox, a connector on a manual clock set to the sandbox's time, and one connected
/// account per platform.
pub async fn world() -> World {
    world_with(Sandbox::start_default().await.unwrap()).await
}

/// The environment that points every platform at `sandbox` with its seeded apps.
pub fn sandbox_env(sandbox: &Sandbox) -> HashMap<String, String> {
    [
        ("OUTPOST_TIKTOK_BASE_URL", sandbox.base_url(SP::TikTok)),
        ("OUTPOST_TIKTOK_CLIENT_ID", sc::TIKTOK_CLIENT_KEY.into()),
        (
            "OUTPOST_TIKTOK_CLIENT_SECRET",
            sc::TIKTOK_CLIENT_SECRET.into(),
        ),
        (
            "OUTPOST_INSTAGRAM_BASE_URL",
            sandbox.base_url(SP::Instagram),
        ),
        ("OUTPOST_INSTAGRAM_CLIENT_ID", sc::INSTAGRAM_APP_ID.into()),
        (
            "OUTPOST_INSTAGRAM_CLIENT_SECRET",
            sc::INSTAGRAM_APP_SECRET.into(),
        ),
        (
            "OUTPOST_INSTAGRAM_REDIRECT_URI",
            "https://outpost.example/oauth/instagram/".into(),
        ),
        ("OUTPOST_REDDIT_BASE_URL", sandbox.base_url(SP::Reddit)),
        ("OUTPOST_REDDIT_CLIENT_ID", sc::REDDIT_CLIENT_ID.into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The engine's parts over a data dir: configuration from `env`, the database, a vault whose
/// key lives in memory, and the connector.
pub struct Engine {
    /// Configuration.
    pub config: Arc<Config>,
    /// Database.
    pub db: Database,
    /// Connector (its vault: `connector.vault()`).
    pub connector: Connector,
}

/// Build an [`Engine`].
pub async fn engine(
    data_dir: &std::path::Path,
    env: HashMap<String, String>,
    clock: SharedClock,
) -> Engine {
    let config = Arc::new(
        Config::load(&ConfigSources {
            data_dir_flag: Some(data_dir.to_owned()),
            env,
        })
        .unwrap(),
    );
    let db = Database::open(&config.database_path()).await.unwrap();
    let vault = Vault::new(
        db.clone(),
        VaultOptions {
            choice: config.vault_backend,
            passphrase: None,
            keystore: Arc::new(MemoryKeyStore::default()),
            kdf: KdfParams::default(),
        },
        clock.clone(),
    );
    let connector = Connector::new(
        db.clone(),
        Arc::new(vault),
        Http::new().unwrap(),
        config.clone(),
        clock,
    );
    Engine {
        config,
        db,
        connector,
    }
}

/// Connect `platform`'s first sandbox account through its consent page; returns its id.
pub async fn connect(connector: &Connector, platform: Platform) -> i64 {
    let redirect = match platform {
        Platform::Tiktok => "http://127.0.0.1:49999/callback".to_owned(),
        _ => connector.fixed_redirect_uri(platform).unwrap(),
    };
    let started = connector.start(platform, &redirect, None).await.unwrap();
    let location = approve(started.authorize_url.as_str()).await;
    let query = location.split_once('?').unwrap().1;
    let cb = callback::parse_url(&format!("outpost://oauth/callback?{query}")).unwrap();
    connector.finish(Some(platform), &cb).await.unwrap().id
}

/// [`world`] over a given sandbox.
pub async fn world_with(sandbox: Sandbox) -> World {
    let dir = tempfile::tempdir().unwrap();
    let manual = ManualClock::new(Utc.timestamp_opt(sandbox.now(), 0).unwrap());
    let clock: SharedClock = Arc::new(manual.clone());
    let Engine { connector, .. } = engine(dir.path(), sandbox_env(&sandbox), clock).await;
    let mut ids = Vec::new();
    for platform in Platform::ALL {
        ids.push((platform, connect(&connector, platform).await));
    }

    World {
        sandbox,
        connector,
        manual,
        ids,
        _dir: dir,
    }
}

/// A sandbox whose clock moves only when told to.
pub async fn frozen_sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        frozen_clock: true,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

/// Sandbox time runs 20× faster than ours (2 s every 100 ms, through the control API), so
/// platform processing measured in seconds of platform time is quick.
pub fn fast_clock(sandbox: &Sandbox) -> tokio::task::JoinHandle<()> {
    let url = format!("{}/clock/advance", sandbox.control_url());
    tokio::spawn(async move {
        let http = reqwest::Client::new();
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            let _ = http.post(&url).body(r#"{"seconds": 2}"#).send().await;
        }
    })
}
