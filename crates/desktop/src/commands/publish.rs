//! `publish_submit`: the publish form's request, read by the core
//! (`PublishRequest::to_post_request`, as for `outpost publish`), queued with
//! `publish::submit` (which checks everything), then the queue is woken.

use outpost_core::clock;
use outpost_core::publish::submit::{self, QueuedJob};
use tauri::State;

use crate::error::{fail, CmdResult};
use crate::state::AppState;

pub use outpost_core::publish::submit::PublishRequest;

/// `publish_submit`.
#[tauri::command]
pub async fn publish_submit(
    state: State<'_, AppState>,
    request: PublishRequest,
) -> CmdResult<Vec<QueuedJob>> {
    let request = request.to_post_request().map_err(fail)?;
    let queued = submit::submit(&state.db, &clock::system(), &request)
        .await
        .map_err(fail)?;
    state.publisher.wake();
    Ok(queued)
}
