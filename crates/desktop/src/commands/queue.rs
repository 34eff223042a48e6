//! Queue page: `queue_list`, `queue_retry`, `queue_cancel`, `queue_pause`, `queue_resume`.

use outpost_core::clock;
use outpost_core::queue;
use outpost_core::watch::overview;
use tauri::{AppHandle, State};

use crate::error::{fail, CmdResult};
use crate::state::AppState;
use crate::tray;

pub use outpost_core::watch::overview::QueueListing;

fn now() -> i64 {
    clock::system().now_millis()
}

/// `queue_list`.
#[tauri::command]
pub async fn queue_list(state: State<'_, AppState>, all: bool) -> CmdResult<QueueListing> {
    overview::queue_listing(&state.db, &state.config.watch_folders, all, now())
        .await
        .map_err(fail)
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
