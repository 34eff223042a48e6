//! What the app opened at start-up, shared by commands, the tray and the event forwarders:
//! configuration, database, connector, the engine's workers, the desktop settings.

use std::sync::Arc;

use outpost_core::config::Config;
use outpost_core::db::Database;
use outpost_core::oauth::Connector;
use outpost_core::publish::Publisher;
use outpost_core::sync::Syncer;
use outpost_core::telemetry::{self, TelemetryGuard, TelemetryOptions};
use outpost_core::vault::{Vault, VaultOptions};
use outpost_core::{clock, http};
use outpost_sandbox::Sandbox;
use tokio::sync::Mutex;

use crate::connect::PendingConnects;
use crate::engine::{Engine, Parts};
use crate::error::{fail, ErrorPayload};
use crate::settings::DesktopSettings;

/// The app's state (managed by Tauri).
pub struct AppState {
    /// Configuration.
    pub config: Arc<Config>,
    /// The configuration of the creator's real data (the same as `config` in live mode;
    /// in sandbox mode, where Settings keeps developer apps for the next start).
    pub live_config: Arc<Config>,
    /// Sandbox mode because `OUTPOST_SANDBOX` asks for it.
    pub sandbox_forced: bool,
    /// The real database (`db` itself in live mode; opened when first needed in sandbox
    /// mode, by Settings → Your developer apps).
    pub live_db: tokio::sync::OnceCell<Database>,
    /// Sandbox mode (no platform credentials: the platforms are emulated in-process).
    pub sandbox_mode: bool,
    /// Database.
    pub db: Database,
    /// Accounts and tokens.
    pub connector: Connector,
    /// The queue's workers (run by the engine when it holds the lock).
    pub publisher: Publisher,
    /// Insights sync.
    pub syncer: Syncer,
    /// The background engine.
    pub engine: Engine,
    /// Sign-ins waiting for their callback.
    pub connects: PendingConnects,
    /// The window's preferences.
    pub settings: Mutex<DesktopSettings>,
    _sandbox: Option<Sandbox>,
    _telemetry: TelemetryGuard,
}

impl AppState {
    /// Load configuration (starting the sandbox in sandbox mode), logging, the database,
    /// the vault, and start the engine.
    pub async fn open() -> Result<AppState, ErrorPayload> {
        let loaded = crate::sandbox_mode::load().await?;
        let sandbox_mode = loaded.sandbox.is_some();
        let live_config = Arc::new(loaded.live);
        let config = loaded.config;
        // Every secret the configuration holds never appears in a log line (both
        // configurations: in sandbox mode the real one may hold the creator's secrets).
        config.pin_secrets_for_redaction();
        live_config.pin_secrets_for_redaction();
        config.ensure_data_dir().map_err(fail)?;
        let telemetry = telemetry::init(&TelemetryOptions {
            logs_dir: Some(config.logs_dir()),
            verbosity: 0,
            console: true,
        })
        .map_err(fail)?;
        // Live: the database deciding the mode opened is this one.
        let db = match loaded.live_db.clone().filter(|_| !sandbox_mode) {
            Some(db) => db,
            None => Database::open(&config.database_path())
                .await
                .map_err(fail)?,
        };
        if sandbox_mode {
            let now = clock::system().now_millis();
            crate::sandbox_mode::mark_for_reconnect(&db, now).await?;
        }
        let config = Arc::new(config);
        let vault = Vault::new(
            db.clone(),
            VaultOptions::from_config(&config),
            clock::system(),
        );
        let connector = Connector::new(
            db.clone(),
            Arc::new(vault),
            http::Http::new().map_err(fail)?,
            config.clone(),
            clock::system(),
        );
        let publisher = Publisher::new(connector.clone(), clock::system(), config.queue.clone());
        let syncer = Syncer::new(connector.clone(), clock::system());
        let settings = DesktopSettings::load(&DesktopSettings::path(&config.data_dir));
        let engine = Engine::start(Parts {
            config: config.clone(),
            db: db.clone(),
            connector: connector.clone(),
            publisher: publisher.clone(),
            syncer: syncer.clone(),
            sync_interval: settings.sync_interval(config.sync_interval),
        })
        .await;
        let live_db = match (sandbox_mode, loaded.live_db) {
            (false, _) => tokio::sync::OnceCell::new_with(Some(db.clone())),
            (true, opened) => tokio::sync::OnceCell::new_with(opened),
        };
        Ok(AppState {
            config,
            live_config,
            sandbox_forced: loaded.sandbox_forced,
            live_db,
            sandbox_mode,
            db,
            connector,
            publisher,
            syncer,
            engine,
            connects: PendingConnects::default(),
            settings: Mutex::new(settings),
            _sandbox: loaded.sandbox,
            _telemetry: telemetry,
        })
    }
}
