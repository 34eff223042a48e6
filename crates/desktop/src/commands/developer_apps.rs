//! Settings → Your developer apps: `developer_apps`, `developer_app_set` and `app_restart`.
//! Developer apps are kept in the vault of the creator's real data dir (never a file), even
//! while the app runs in sandbox mode: the next start then goes live
//! (`crate::sandbox_mode::wants_sandbox`). Secrets come in, never go out.

use outpost_core::db::Database;
use outpost_core::oauth::credentials::{self, CredentialSource};
use outpost_core::telemetry::redact;
use outpost_core::vault::{SecretValue, Vault, VaultOptions};
use outpost_core::{clock, Platform};
use serde::Serialize;
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::error::{fail, CmdResult};
use crate::state::AppState;

/// One platform's developer app, as Settings shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DeveloperApp {
    /// The platform.
    pub platform: Platform,
    /// Where its client id comes from; `null` when none is configured.
    pub source: Option<CredentialSource>,
    /// Whether the platform needs the client secret too (TikTok, Instagram).
    pub secret_required: bool,
}

/// The answer of `developer_apps` and `developer_app_set`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DeveloperApps {
    /// One per platform.
    pub apps: Vec<DeveloperApp>,
    /// The app runs in sandbox mode now.
    pub sandbox_mode: bool,
    /// A restart would change the mode (an app was configured while in sandbox mode).
    pub restart_to_go_live: bool,
}

async fn live_vault(state: &AppState) -> CmdResult<Vault> {
    let config = &state.live_config;
    let db = state
        .live_db
        .get_or_try_init(|| async {
            config.ensure_data_dir().map_err(fail)?;
            Database::open(&config.database_path()).await.map_err(fail)
        })
        .await?;
    Ok(Vault::new(
        db.clone(),
        VaultOptions::from_config(config),
        clock::system(),
    ))
}

async fn describe(state: &AppState, vault: &Vault) -> CmdResult<DeveloperApps> {
    let sources = credentials::sources(&state.live_config, vault)
        .await
        .map_err(fail)?;
    let any = sources.iter().any(|(_, s)| s.is_some());
    Ok(DeveloperApps {
        apps: sources
            .into_iter()
            .map(|(platform, source)| DeveloperApp {
                platform,
                source,
                secret_required: credentials::secret_required(platform),
            })
            .collect(),
        sandbox_mode: state.sandbox_mode,
        restart_to_go_live: state.sandbox_mode && any && !state.sandbox_forced,
    })
}

/// `developer_apps`.
#[tauri::command]
pub async fn developer_apps(state: State<'_, AppState>) -> CmdResult<DeveloperApps> {
    let vault = live_vault(&state).await?;
    describe(&state, &vault).await
}

/// `developer_app_set`: keep a platform's client id (and secret) in the real vault.
#[tauri::command]
pub async fn developer_app_set(
    state: State<'_, AppState>,
    platform: Platform,
    client_id: String,
    client_secret: Option<String>,
) -> CmdResult<DeveloperApps> {
    let secret = client_secret.map(SecretValue::new);
    if let Some(s) = &secret {
        // From now on this value never appears in a log line, in this process.
        redact::register_pinned_secret(s.expose());
    }
    let vault = live_vault(&state).await?;
    credentials::set(&vault, platform, &client_id, secret.as_ref())
        .await
        .map_err(fail)?;
    tracing::info!(%platform, "developer app saved");
    describe(&state, &vault).await
}

/// `app_restart`: stop the engine at a safe point and start again (to go live).
#[tauri::command]
pub async fn app_restart(app: AppHandle, state: State<'_, AppState>) -> CmdResult<()> {
    state.engine.stop().await;
    tracing::info!("restarting");
    app.restart()
}
