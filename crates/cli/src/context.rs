//! What every command needs, opened on demand: configuration, logging, the database, the vault.

use outpost_core::clock;
use outpost_core::config::{Config, ConfigSources};
use outpost_core::db::Database;
use outpost_core::error::{ErrorPayload, UserFacing};
use outpost_core::telemetry::{self, TelemetryGuard, TelemetryOptions};
use outpost_core::vault::{Vault, VaultOptions};

use crate::args::Cli;

/// An opened environment for one command.
pub struct Context {
    /// Configuration.
    pub config: Config,
    /// The database.
    pub db: Database,
    _telemetry: TelemetryGuard,
}

/// Convert any module error into the payload the CLI prints.
pub fn fail<E: UserFacing>(e: E) -> ErrorPayload {
    e.to_payload()
}

impl Context {
    /// Load configuration, start logging into the data dir, open the database.
    pub async fn open(cli: &Cli) -> Result<Context, ErrorPayload> {
        let config =
            Config::load(&ConfigSources::from_process(cli.data_dir.clone())).map_err(fail)?;
        config.pin_secrets_for_redaction();
        config.ensure_data_dir().map_err(fail)?;
        let telemetry = telemetry::init(&TelemetryOptions {
            logs_dir: Some(config.logs_dir()),
            verbosity: cli.verbose,
            console: true,
        })
        .map_err(fail)?;
        let db = Database::open(&config.database_path())
            .await
            .map_err(fail)?;
        Ok(Context {
            config,
            db,
            _telemetry: telemetry,
        })
    }

    /// The vault over this database, with the configured backend.
    pub fn vault(&self) -> Vault {
        Vault::new(
            self.db.clone(),
            VaultOptions::from_config(&self.config),
            clock::system(),
        )
    }

    /// The account connector (OAuth and tokens).
    pub fn connector(&self) -> Result<outpost_core::oauth::Connector, ErrorPayload> {
        let http = outpost_core::http::Http::new().map_err(fail)?;
        Ok(outpost_core::oauth::Connector::new(
            self.db.clone(),
            std::sync::Arc::new(self.vault()),
            http,
            std::sync::Arc::new(self.config.clone()),
            clock::system(),
        ))
    }

    /// Add this process's metrics to the database totals.
    pub async fn flush_metrics(&self) {
        if let Err(e) = telemetry::metrics::install().flush(&self.db).await {
            tracing::warn!(error = %e, "could not save metrics");
        }
    }
}
