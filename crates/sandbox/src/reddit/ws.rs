//! The media websockets Reddit hands out for image and video posts (which get no post id
//! in the submit answer): `websocket_url` of the submit answer (`/_ws/post/{id}`) and of
//! the lease (`/_ws/{folder}/{asset}`, usable before submitting). Each sends one message,
//! `{"type": "success", "payload": {"redirect": "<post URL>"}}` (or `{"type": "failed"}`
//! under the `publish_fail` fault), then closes.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::RedditError;
use crate::config::Platform;
use crate::state::Shared;

/// How long a lease websocket waits for the post that uses its asset.
const ASSET_WAIT: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(25);

/// The message for a post id: its permalink, or `failed` when the post failed.
fn outcome(shared: &Shared, post_id: &str) -> Option<String> {
    let state = shared.lock();
    let post = state
        .media
        .iter()
        .find(|m| m.platform == Platform::Reddit && m.id == post_id)?;
    let failed = state.reddit.failed_posts.contains(post_id);
    let sr = post.subreddit.clone().unwrap_or_default();
    let message = if failed {
        json!({"type": "failed", "payload": {"message": "media processing failed"}})
    } else {
        json!({"type": "success", "payload": {"redirect": format!(
            "{}/r/{sr}/comments/{}/{}/",
            shared.base(Platform::Reddit),
            post.id,
            super::api::slug(&post.caption)
        )}})
    };
    Some(message.to_string())
}

async fn send_and_close(mut socket: WebSocket, message: String) {
    if socket.send(Message::Text(message.into())).await.is_ok() {
        let _ = socket.send(Message::Close(None)).await;
    }
}

/// `GET /_ws/post/{id}`.
pub async fn post_socket(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let Some(message) = outcome(&shared, &id) else {
        return RedditError::Http(StatusCode::NOT_FOUND).into_response();
    };
    upgrade.on_upgrade(move |socket| send_and_close(socket, message))
}

/// `GET /_ws/{folder}/{asset}`: waits for the post that uses the asset.
pub async fn asset_socket(
    State(shared): State<Arc<Shared>>,
    Path((folder, asset)): Path<(String, String)>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let key = format!("{folder}/{asset}");
    if !shared.lock().reddit.assets.contains_key(&key) {
        return RedditError::Http(StatusCode::NOT_FOUND).into_response();
    }
    upgrade.on_upgrade(move |socket| async move {
        let mut waited = Duration::ZERO;
        while waited < ASSET_WAIT {
            let post = shared
                .lock()
                .reddit
                .assets
                .get(&key)
                .and_then(|a| a.post_id.clone());
            if let Some(message) = post.and_then(|id| outcome(&shared, &id)) {
                send_and_close(socket, message).await;
                return;
            }
            tokio::time::sleep(POLL).await;
            waited += POLL;
        }
        let mut socket = socket;
        let _ = socket.send(Message::Close(None)).await;
    })
}
