//! TikTok emulation: Login Kit for Desktop (authorize page, token, refresh with rotating
//! refresh tokens, revoke, hex PKCE), Display API (user info, video list/query) and the
//! Content Posting API (creator info, direct post and inbox init, FILE_UPLOAD chunk rules,
//! Content-Range PUTs, PULL_FROM_URL, photo posts, status progression) with its per-token rate limits
//! and daily caps. Served under `/tiktok`; every real path is appended to that base
//! (`open.tiktokapis.com`, `www.tiktok.com` and the upload host alike).

mod api;
mod error;
mod oauth;
mod photo;
mod publish;

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;

pub use error::TikTokError;
pub use publish::{Publish, TikTokState};

use crate::config::Platform;
use crate::det;
use crate::state::{MediaItem, Shared, State, User};

/// Access token lifetime (current docs: 2 hours).
pub const ACCESS_TTL: i64 = 2 * 3600;
/// Refresh token lifetime (current docs: 180 days).
pub const REFRESH_TTL: i64 = 180 * 86_400;
/// Authorization code lifetime (sandbox choice).
pub const CODE_TTL: i64 = 600;
/// Upload URL lifetime (1 hour).
pub const UPLOAD_URL_TTL: i64 = 3600;
/// Seconds between the last byte (or the pull init) and a terminal status.
pub const PROCESSING_SECS: i64 = 5;
/// Seconds between the last byte and the public post id (moderation).
pub const MODERATION_SECS: i64 = 30;

/// Every scope the sandbox knows.
pub const SCOPES: &[&str] = &[
    "user.info.basic",
    "user.info.profile",
    "user.info.stats",
    "video.list",
    "video.upload",
    "video.publish",
];

/// The TikTok routes.
pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/v2/auth/authorize/",
            get(oauth::authorize_page).post(oauth::authorize_decision),
        )
        .route("/v2/oauth/token/", post(oauth::token))
        .route("/v2/oauth/revoke/", post(oauth::revoke))
        .route("/v2/user/info/", get(api::user_info))
        .route("/v2/video/list/", post(api::video_list))
        .route("/v2/video/query/", post(api::video_query))
        .route(
            "/v2/post/publish/creator_info/query/",
            post(publish::creator_info),
        )
        .route("/v2/post/publish/video/init/", post(publish::direct_init))
        .route(
            "/v2/post/publish/inbox/video/init/",
            post(publish::inbox_init),
        )
        .route("/v2/post/publish/content/init/", post(photo::content_init))
        .route(
            "/v2/post/publish/status/fetch/",
            post(publish::status_fetch),
        )
        .route(
            "/video/",
            put(publish::upload_chunk).layer(DefaultBodyLimit::disable()),
        )
        .fallback(not_found)
}

async fn not_found() -> Response {
    TikTokError::api(StatusCode::NOT_FOUND, "invalid_params", "Unknown endpoint.").into_response()
}

/// The throttling answer used by the `429burst` fault.
pub fn throttled() -> Response {
    TikTokError::rate_limited().into_response()
}

/// The 5xx answer used by the `5xx` fault.
pub fn server_error() -> Response {
    TikTokError::internal().into_response()
}

/// Seeds the TikTok creator (public account, 25 public videos, one per day before `now`)
/// and a second, private account `sandbox.private` without public videos.
pub fn seed(state: &mut State, now: i64) {
    let seed = state.seed;
    let open_id = format!(
        "{}-{}-{}",
        det::alnum(seed, "tt-openid-a", 8).to_lowercase(),
        det::alnum(seed, "tt-openid-b", 4).to_lowercase(),
        det::alnum(seed, "tt-openid-c", 12).to_lowercase()
    );
    state.users.push(User {
        platform: Platform::TikTok,
        id: open_id.clone(),
        username: "sandbox.creator".into(),
        display_name: "Sandbox Creator".into(),
        private_account: false,
        created_at: now - 3 * 365 * 86_400,
    });
    for i in 0..25 {
        let id = det::digits(seed, &format!("tt-video-{i}"), 19);
        state.media.push(MediaItem {
            platform: Platform::TikTok,
            id,
            owner: open_id.clone(),
            caption: format!("Sandbox video #{} #outpost", 25 - i),
            kind: "VIDEO".into(),
            created_at: now - (i + 1) * 86_400,
            public: true,
            subreddit: None,
            body: None,
            duration: 15 + (det::hash_str(seed, &format!("tt-dur-{i}")) % 160) as u32,
        });
    }
    state.users.push(User {
        platform: Platform::TikTok,
        id: det::alnum(seed, "tt-openid-private", 32).to_lowercase(),
        username: "sandbox.private".into(),
        display_name: "Sandbox Private".into(),
        private_account: true,
        created_at: now - 365 * 86_400,
    });
}

/// Advances publishes to `now`: emits their webhooks and lists completed direct posts.
pub fn tick(state: &mut State, now: i64) {
    publish::tick(state, now);
}

/// Parses a comma-separated scope list.
pub fn split_scopes(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Grants of a token as a set-like map for quick checks.
fn has_scope(scopes: &[String], scope: &str) -> bool {
    scopes.iter().any(|s| s == scope)
}

/// Checks the bearer token and one of `any_scope`; returns the token's user id.
fn authorize_call(
    state: &mut State,
    token: Option<&str>,
    now: i64,
    any_scope: &[&str],
) -> Result<crate::state::AccessToken, TikTokError> {
    let t = state
        .authenticate(Platform::TikTok, token, now)
        .map_err(TikTokError::from_auth)?;
    if !any_scope.is_empty() && !any_scope.iter().any(|s| has_scope(&t.scopes, s)) {
        return Err(TikTokError::scope(&any_scope.join(" or ")));
    }
    Ok(t)
}

/// Counts a call against a per-token per-minute bucket.
fn per_minute(
    state: &mut State,
    bucket: &str,
    token: &str,
    now_ms: i64,
    limit: u32,
) -> Result<(), TikTokError> {
    let hit = state
        .windows
        .sliding(&format!("tiktok:{bucket}:{token}"), now_ms, 60_000, limit);
    if hit.allowed {
        Ok(())
    } else {
        Err(TikTokError::rate_limited())
    }
}

/// Parses a JSON body (empty means `{}`), answering `invalid_params` on bad JSON.
fn json_body(body: &[u8]) -> Result<serde_json::Value, TikTokError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::json!({}));
    }
    let v: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| TikTokError::invalid_params(format!("Request body is not valid JSON: {e}")))?;
    if v.is_object() {
        Ok(v)
    } else {
        Err(TikTokError::invalid_params(
            "Request body must be a JSON object.",
        ))
    }
}

/// `fields` query parameter, required and validated against `allowed`.
fn fields_param(
    query: &HashMap<String, String>,
    allowed: &[&str],
) -> Result<Vec<String>, TikTokError> {
    let raw = query
        .get("fields")
        .filter(|f| !f.trim().is_empty())
        .ok_or_else(|| TikTokError::invalid_params("The fields parameter is required."))?;
    let fields = split_scopes(raw);
    if let Some(bad) = fields.iter().find(|f| !allowed.contains(&f.as_str())) {
        return Err(TikTokError::invalid_params(format!("Invalid field: {bad}")));
    }
    Ok(fields)
}
