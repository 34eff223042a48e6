//! TikTok photo posts: `POST /v2/post/publish/content/init/` with `media_type=PHOTO`,
//! `post_mode` `DIRECT_POST` (scope `video.publish`) or `MEDIA_UPLOAD` (inbox, scope
//! `video.upload`), images pulled from verified URLs only (1 to 35), `photo_cover_index`
//! within them, title ≤ 90 and description ≤ 4000 characters. Status and webhooks follow
//! the video publishes.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::error::ok;
use super::publish::{check_direct_post, count_recent, insert_publish, Mode, Source, DAILY_INBOX};
use super::{authorize_call, json_body, per_minute, TikTokError};
use crate::config::Platform;
use crate::web;

/// Most images in one photo post.
pub const MAX_PHOTOS: usize = 35;
const TITLE_MAX: usize = 90;
const DESCRIPTION_MAX: usize = 4000;

/// `POST /v2/post/publish/content/init/`.
pub async fn content_init(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    init(&shared, &headers, &body).unwrap_or_else(IntoResponse::into_response)
}

use crate::state::Shared;

fn text(v: &Value, name: &str, max: usize) -> Result<String, TikTokError> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) if s.chars().count() <= max => Ok(s.clone()),
        Some(Value::String(_)) => Err(TikTokError::invalid_params(format!(
            "post_info.{name} exceeds {max} characters."
        ))),
        Some(_) => Err(TikTokError::invalid_params(format!(
            "post_info.{name} must be a string."
        ))),
    }
}

fn init(shared: &Arc<Shared>, headers: &HeaderMap, body: &[u8]) -> Result<Response, TikTokError> {
    let token = web::auth_token(headers);
    let now = shared.clock.now();
    let mut state = shared.lock();
    let t = authorize_call(
        &mut state,
        token.as_deref(),
        now,
        &["video.publish", "video.upload"],
    )?;
    per_minute(
        &mut state,
        "init",
        token.as_deref().unwrap_or(""),
        shared.clock.now_ms(),
        6,
    )?;
    let body = json_body(body)?;
    if body.get("media_type").and_then(Value::as_str) != Some("PHOTO") {
        return Err(TikTokError::invalid_params("media_type must be PHOTO."));
    }
    let mode = match body.get("post_mode").and_then(Value::as_str) {
        Some("DIRECT_POST") => Mode::Direct,
        Some("MEDIA_UPLOAD") => Mode::Inbox,
        _ => {
            return Err(TikTokError::invalid_params(
                "post_mode must be DIRECT_POST or MEDIA_UPLOAD.",
            ))
        }
    };
    let scope = if mode == Mode::Direct {
        "video.publish"
    } else {
        "video.upload"
    };
    if !t.scopes.iter().any(|s| s == scope) {
        return Err(TikTokError::scope(scope));
    }
    let user = state
        .user(Platform::TikTok, &t.user_id)
        .cloned()
        .ok_or_else(TikTokError::internal)?;
    let app = state
        .app(Platform::TikTok, &t.client_id)
        .cloned()
        .ok_or_else(TikTokError::internal)?;
    let post_info = body.get("post_info").cloned().unwrap_or_else(|| json!({}));
    if !post_info.is_object() {
        return Err(TikTokError::invalid_params("post_info must be an object."));
    }
    let title = text(&post_info, "title", TITLE_MAX)?;
    text(&post_info, "description", DESCRIPTION_MAX)?;
    let privacy = if mode == Mode::Direct {
        let privacy = post_info
            .get("privacy_level")
            .and_then(Value::as_str)
            .ok_or_else(|| TikTokError::invalid_params("post_info.privacy_level is required."))?;
        check_direct_post(&state, &app, &user, privacy, now)?;
        if app.audited {
            privacy.to_string()
        } else {
            "SELF_ONLY".to_string()
        }
    } else {
        if count_recent(&state, &user.id, Mode::Inbox, now - 86_400) >= DAILY_INBOX {
            return Err(TikTokError::api(
                StatusCode::FORBIDDEN,
                "spam_risk_too_many_pending_share",
                "The creator has too many pending inbox shares.",
            ));
        }
        "SELF_ONLY".to_string()
    };
    let source_info = body
        .get("source_info")
        .filter(|v| v.is_object())
        .ok_or_else(|| TikTokError::invalid_params("source_info is required."))?;
    if source_info.get("source").and_then(Value::as_str) != Some("PULL_FROM_URL") {
        return Err(TikTokError::invalid_params(
            "Photo posts only support source PULL_FROM_URL.",
        ));
    }
    let urls: Vec<String> = source_info
        .get("photo_images")
        .and_then(Value::as_array)
        .ok_or_else(|| TikTokError::invalid_params("source_info.photo_images is required."))?
        .iter()
        .map(|u| u.as_str().map(String::from))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| TikTokError::invalid_params("source_info.photo_images must be URLs."))?;
    if urls.is_empty() || urls.len() > MAX_PHOTOS {
        return Err(TikTokError::invalid_params(
            "source_info.photo_images must hold 1 to 35 URLs.",
        ));
    }
    let cover = source_info
        .get("photo_cover_index")
        .map_or(Some(0), Value::as_u64);
    if cover.is_none_or(|c| c as usize >= urls.len()) {
        return Err(TikTokError::invalid_params(
            "source_info.photo_cover_index is out of range.",
        ));
    }
    let unverified = urls.iter().any(|u| {
        !(u.starts_with("https://")
            && app
                .verified_url_prefixes
                .iter()
                .any(|p| u.starts_with(p.as_str())))
    });
    if unverified {
        return Err(TikTokError::api(
            StatusCode::FORBIDDEN,
            "url_ownership_unverified",
            "A photo URL's domain or URL prefix is not verified for this app.",
        ));
    }
    let (id, _) = insert_publish(
        &mut state,
        &user.id,
        &app.client_id,
        mode,
        Source::Photos { urls },
        title,
        privacy,
        now,
        "url",
    );
    Ok(ok(json!({"publish_id": id})))
}
