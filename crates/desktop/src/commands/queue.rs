//! Queue page: `queue_list`, `queue_retry`, `queue_cancel`, `queue_pause`, `queue_resume`.

use outpost_core::clock;
use outpost_core::queue::{self, Job, ListFilter};
use outpost_core::watch::registry::{self, FileProblem};
use serde::Serialize;
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::error::{fail, CmdResult};
use crate::state::AppState;
use crate::tray;

/// The answer of `queue_list`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct QueueListing {
    /// The creator paused the queue.
    pub paused: bool,
    /// Jobs, newest first.
    pub jobs: Vec<Job>,
    /// Watched files that could not be queued.
    pub file_problems: Vec<FileProblem>,
}

fn now() -> i64 {
    clock::system().now_millis()
}

/// `queue_list`.
#[tauri::command]
pub async fn queue_list(state: State<'_, AppState>, all: bool) -> CmdResult<QueueListing> {
    let jobs = queue::list(&state.db, ListFilter { all, limit: 0 }, now())
        .await
        .map_err(fail)?;
    let paused = queue::is_paused(&state.db).await.map_err(fail)?;
    let folders = registry::list(&state.db, &state.config.watch_folders)
        .await
        .map_err(fail)?;
    let file_problems = tokio::task::spawn_blocking(move || registry::problems(&folders))
        .await
        .unwrap_or_default();
    Ok(QueueListing {
        paused,
        jobs,
        file_problems,
    })
}

/// `queue_retry`.
#[tauri::command]
pub async fn queue_retry(state: State<'_, AppState>, id: i64) -> CmdResult<()> {
    queue::retry(&state.db, id, now()).await.map_err(fail)?;
    state.publisher.wake();
    Ok(())
}

/// `queue_cancel`.
#[tauri::command]
pub async fn queue_cancel(state: State<'_, AppState>, id: i64) -> CmdResult<()> {
    queue::cancel(&state.db, id, now()).await.map_err(fail)?;
    Ok(())
}

async fn set_paused(app: &AppHandle, state: &AppState, paused: bool) -> CmdResult<()> {
    queue::set_paused(&state.db, paused, now())
        .await
        .map_err(fail)?;
    state.publisher.wake();
    tray::refresh(app).await;
    Ok(())
}

/// `queue_pause`: running uploads stop after their current chunk.
#[tauri::command]
pub async fn queue_pause(app: AppHandle, state: State<'_, AppState>) -> CmdResult<()> {
    set_paused(&app, &state, true).await
}

/// `queue_resume`.
#[tauri::command]
pub async fn queue_resume(app: AppHandle, state: State<'_, AppState>) -> CmdResult<()> {
    set_paused(&app, &state, false).await
}
