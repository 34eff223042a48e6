//! `app_info`: version, sandbox mode, data dir; `window_painted`: the UI's first frame.

use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::CmdResult;
use crate::state::AppState;

/// The answer of `app_info`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    /// The app's version.
    pub version: String,
    /// Sandbox mode: the banner shows.
    pub sandbox_mode: bool,
    /// The data folder in use.
    pub data_dir: String,
}

/// `app_info`.
#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> CmdResult<AppInfo> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        sandbox_mode: state.sandbox_mode,
        data_dir: state.config.data_dir.display().to_string(),
    })
}

/// `window_painted`: the UI drew its first frame (start-up timing, `crate::startup`).
#[tauri::command]
pub async fn window_painted() -> CmdResult<()> {
    crate::startup::painted();
    Ok(())
}
