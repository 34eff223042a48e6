//! `outpost status`: where the data is, the schema, the vault, the accounts, and the
//! alerts of the desktop's Diagnostics page (`outpost_core::diagnostics::alerts`).

use outpost_core::db::Database;
use outpost_core::diagnostics::{self, Alert, AlertLevel, AlertOptions};
use outpost_core::error::ErrorPayload;
use outpost_core::vault::VaultStatus;
use serde::Serialize;

use crate::context::{fail, Context};
use crate::output::Output;

#[derive(Serialize)]
struct Status {
    data_dir: String,
    database: String,
    schema_version: i64,
    supported_schema_version: i64,
    logs_dir: String,
    mode: &'static str,
    vault: VaultStatus,
    accounts: i64,
    alerts: Vec<Alert>,
}

pub async fn run(ctx: &Context, out: &Output) -> Result<(), ErrorPayload> {
    let vault = ctx.vault().status().await.map_err(fail)?;
    // Sandbox mode: no developer app configured anywhere (environment, config.toml, vault).
    let sandbox = outpost_core::oauth::credentials::sandbox_mode(&ctx.config, &ctx.vault())
        .await
        .map_err(fail)?;
    let status = Status {
        data_dir: ctx.config.data_dir.display().to_string(),
        database: ctx.db.path().display().to_string(),
        schema_version: ctx.db.schema_version().await.map_err(fail)?,
        supported_schema_version: Database::supported_schema_version(),
        logs_dir: ctx.config.logs_dir().display().to_string(),
        mode: if sandbox { "sandbox" } else { "live" },
        accounts: ctx.db.accounts().count().await.map_err(fail)?,
        vault,
        alerts: diagnostics::alerts(
            &ctx.db,
            &AlertOptions {
                now: chrono::Utc::now().timestamp_millis(),
                sync_interval: ctx.config.sync_interval,
                engine_not_running: None,
            },
        )
        .await
        .map_err(fail)?,
    };
    let vault_line = super::vault::describe(&status.vault);
    let mode_line = if sandbox {
        "sandbox (no platform credentials configured)".to_owned()
    } else {
        "live".to_owned()
    };
    let mut lines = vec![
        ("Data dir", status.data_dir.clone()),
        (
            "Database",
            format!("{} (schema {})", status.database, status.schema_version),
        ),
        ("Logs", status.logs_dir.clone()),
        ("Mode", mode_line),
        ("Vault", vault_line),
        ("Accounts", status.accounts.to_string()),
    ];
    lines.extend(status.alerts.iter().map(|a| {
        let level = match a.level {
            AlertLevel::Error => "error",
            AlertLevel::Warning => "warning",
        };
        ("Alert", format!("{level}: {}", a.message))
    }));
    out.record(&status, &lines);
    Ok(())
}
