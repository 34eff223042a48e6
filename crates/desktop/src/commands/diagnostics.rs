//! Diagnostics page: `diagnostics`, the core's report (`outpost_core::diagnostics`: metrics,
//! recent log lines, alerts) judged against this window's engine and sync interval.

use outpost_core::diagnostics::{self, AlertOptions, ReportOptions, LOG_LINES};
use tauri::State;

use crate::error::{fail, CmdResult};
use crate::state::AppState;

pub use outpost_core::diagnostics::Diagnostics;

/// `diagnostics`.
#[tauri::command]
pub async fn diagnostics(state: State<'_, AppState>) -> CmdResult<Diagnostics> {
    let sync_interval = state
        .settings
        .lock()
        .await
        .sync_interval(state.config.sync_interval);
    let options = ReportOptions {
        alerts: AlertOptions {
            now: chrono::Utc::now().timestamp_millis(),
            sync_interval,
            engine_not_running: state.engine.not_running.clone(),
        },
        logs_dir: state.config.logs_dir(),
        log_lines: LOG_LINES,
    };
    diagnostics::report(&state.db, &options).await.map_err(fail)
}
