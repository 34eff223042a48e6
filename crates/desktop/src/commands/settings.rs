//! Settings page: `settings_get`, `settings_set` (the window's preferences and the sync
//! interval), `watch_add`, `watch_remove` (watched folders, through `watch::registry`).

use std::path::PathBuf;

use outpost_core::clock;
use outpost_core::watch::{registry, Target, WatchedFolder};
use serde::Serialize;
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::error::{fail, shell_error, CmdResult};
use crate::settings::{self as prefs, DesktopSettings, SettingsUpdate};
use crate::state::AppState;

/// The answer of `settings_get`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Settings {
    /// Seconds between insight syncs.
    pub sync_interval_secs: u64,
    /// Notifications.
    pub notifications: bool,
    /// Close to tray.
    pub close_to_tray: bool,
    /// Start at login.
    pub start_at_login: bool,
    /// Data folder.
    pub data_dir: String,
    /// Sandbox mode.
    pub sandbox_mode: bool,
    /// Watched folders.
    pub watched_folders: Vec<WatchedFolder>,
}

/// `settings_get`.
#[tauri::command]
pub async fn settings_get(state: State<'_, AppState>) -> CmdResult<Settings> {
    let s = state.settings.lock().await.clone();
    let watched_folders = registry::list(&state.db, &state.config.watch_folders)
        .await
        .map_err(fail)?;
    Ok(Settings {
        sync_interval_secs: s.sync_interval(state.config.sync_interval).as_secs(),
        notifications: s.notifications,
        close_to_tray: s.close_to_tray,
        start_at_login: s.start_at_login,
        data_dir: state.config.data_dir.display().to_string(),
        sandbox_mode: state.sandbox_mode,
        watched_folders,
    })
}

/// `settings_set`.
#[tauri::command]
pub async fn settings_set(
    app: AppHandle,
    state: State<'_, AppState>,
    settings: SettingsUpdate,
) -> CmdResult<()> {
    let mut current = state.settings.lock().await;
    let mut next: DesktopSettings = current.clone();
    next.apply(&settings)?;
    if next.start_at_login != current.start_at_login {
        prefs::set_autostart(&app, next.start_at_login)?;
    }
    next.save(&DesktopSettings::path(&state.config.data_dir))?;
    let interval = next.sync_interval(state.config.sync_interval);
    if interval != current.sync_interval(state.config.sync_interval) {
        state.engine.set_sync_interval(interval);
    }
    *current = next;
    Ok(())
}

/// `watch_add`: watch `path`, with default targets (checked against the accounts).
#[tauri::command]
pub async fn watch_add(
    state: State<'_, AppState>,
    path: PathBuf,
    targets: Vec<String>,
) -> CmdResult<()> {
    let mut parsed = Vec::new();
    for t in targets.iter().filter(|t| !t.trim().is_empty()) {
        let target: Target = t
            .parse()
            .map_err(|e| shell_error("watch.bad_target", format!("{t}: {e}")))?;
        state
            .db
            .accounts()
            .find(&target.selector())
            .await
            .map_err(|e| shell_error("watch.unknown_account", format!("{t}: {e}")))?;
        parsed.push(target);
    }
    registry::add(&state.db, &path, &parsed, clock::system().now_millis())
        .await
        .map_err(fail)?;
    state.engine.folders_changed();
    Ok(())
}

/// `watch_remove`.
#[tauri::command]
pub async fn watch_remove(state: State<'_, AppState>, path: PathBuf) -> CmdResult<()> {
    if !registry::remove(&state.db, &path).await.map_err(fail)? {
        return Err(shell_error(
            "watch.not_watched",
            format!("{} is not a watched folder", path.display()),
        ));
    }
    state.engine.folders_changed();
    Ok(())
}
