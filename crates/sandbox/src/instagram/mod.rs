//! Instagram emulation (Instagram API with Instagram Login): the authorize page (code with
//! a trailing `#_`), code → short-lived token, short → long-lived exchange, refresh with
//! the 24-hour rule, the Graph API nodes and edges a creator app uses (`/me`, media,
//! comments, insights), content publishing with containers (by URL, by resumable upload,
//! images, carousels), `media_publish` and the publishing limit, with the per-account
//! hourly call budget reported in `X-App-Usage` / `X-Business-Use-Case-Usage`. Served
//! under `/instagram` for all of its hosts (www.instagram.com, api.instagram.com,
//! graph.instagram.com and the resumable upload host).

mod error;
mod graph;
mod oauth;
mod publish;

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

pub use error::InstagramError;
pub use publish::{Container, InstagramState};

use crate::config::Platform;
use crate::det;
use crate::state::{AccessToken, MediaItem, Shared, State, User};
use crate::web;

/// Graph API version used in URLs the sandbox hands out.
pub const API_VERSION: &str = "v23.0";
/// Authorization code lifetime (1 hour).
pub const CODE_TTL: i64 = 3600;
/// Short-lived token lifetime (1 hour).
pub const SHORT_TTL: i64 = 3600;
/// Long-lived token lifetime (60 days).
pub const LONG_TTL: i64 = 60 * 86_400;
/// A long-lived token can be refreshed once it is this old.
pub const REFRESH_MIN_AGE: i64 = 86_400;
/// Calls per account per hour.
pub const CALLS_PER_HOUR: u32 = 200;
/// Published posts per account per moving 24 hours.
pub const PUBLISH_QUOTA: usize = 100;

/// Every scope the sandbox knows (the names in force since 2025-01-27).
pub const SCOPES: &[&str] = &[
    "instagram_business_basic",
    "instagram_business_content_publish",
    "instagram_business_manage_comments",
    "instagram_business_manage_insights",
    "instagram_business_manage_messages",
];

/// The Instagram routes.
pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/oauth/authorize",
            get(oauth::authorize_page).post(oauth::authorize_decision),
        )
        .route(
            "/oauth/authorize/",
            get(oauth::authorize_page).post(oauth::authorize_decision),
        )
        .route("/oauth/access_token", post(oauth::code_exchange))
        .route("/access_token", get(oauth::long_lived))
        .route("/refresh_access_token", get(oauth::refresh))
        .route(
            "/ig-api-upload/{version}/{container}",
            post(publish::rupload).layer(DefaultBodyLimit::disable()),
        )
        .fallback(graph::dispatch)
}

/// The throttling answer used by the `429burst` fault.
pub fn throttled() -> Response {
    InstagramError::throttled().into_response()
}

/// The 5xx answer used by the `5xx` fault.
pub fn server_error() -> Response {
    InstagramError::internal().into_response()
}

/// Seeds the professional account `sandbox.creator` with 30 media (every 3rd a carousel,
/// others alternate Reels and images), one per day before `now`, and a second account
/// `sandbox.brand` with 5 images.
pub fn seed(state: &mut State, now: i64) {
    let seed = state.seed;
    let user_id = det::digits(seed, "ig-user", 17);
    state.users.push(User {
        platform: Platform::Instagram,
        id: user_id.clone(),
        username: "sandbox.creator".into(),
        display_name: "Sandbox Creator".into(),
        private_account: false,
        created_at: now - 4 * 365 * 86_400,
    });
    for i in 0..30 {
        let kind = match i % 3 {
            0 => "CAROUSEL_ALBUM",
            1 => "REELS",
            _ => "IMAGE",
        };
        state.media.push(MediaItem {
            platform: Platform::Instagram,
            id: det::digits(seed, &format!("ig-media-{i}"), 17),
            owner: user_id.clone(),
            caption: format!("Sandbox post #{} #outpost", 30 - i),
            kind: kind.into(),
            created_at: now - (i + 1) * 86_400,
            public: true,
            subreddit: None,
            body: None,
            duration: if kind == "REELS" { 30 } else { 0 },
        });
    }
    let brand = det::digits(seed, "ig-user-brand", 17);
    state.users.push(User {
        platform: Platform::Instagram,
        id: brand.clone(),
        username: "sandbox.brand".into(),
        display_name: "Sandbox Brand".into(),
        private_account: false,
        created_at: now - 2 * 365 * 86_400,
    });
    for i in 0..5 {
        state.media.push(MediaItem {
            platform: Platform::Instagram,
            id: det::digits(seed, &format!("ig-brand-media-{i}"), 17),
            owner: brand.clone(),
            caption: format!("Brand post #{}", 5 - i),
            kind: "IMAGE".into(),
            created_at: now - (i + 1) * 2 * 86_400,
            public: true,
            subreddit: None,
            body: None,
            duration: 0,
        });
    }
}

/// The app-scoped id of an account (`id` on `/me`); `user_id` is the account id.
pub fn app_scoped_id(seed: u64, user_id: &str) -> String {
    det::digits(seed, &format!("ig-app-scoped:{user_id}"), 17)
}

/// Query parameters merged with form or JSON body parameters (body wins).
pub fn params(
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<HashMap<String, String>, InstagramError> {
    let mut p = web::query(uri);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(p);
    }
    let is_json = web::header_str(headers, "content-type").is_some_and(|c| c.contains("json"));
    if is_json {
        let v: serde_json::Value = serde_json::from_slice(body)
            .map_err(|_| InstagramError::param("(#100) The request body is not valid JSON."))?;
        let obj = v.as_object().ok_or_else(|| {
            InstagramError::param("(#100) The request body must be a JSON object.")
        })?;
        for (k, v) in obj {
            let s = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            p.insert(k.clone(), s);
        }
    } else {
        p.extend(crate::oauth::parse_pairs(body));
    }
    Ok(p)
}

/// The token of a Graph request: `access_token` parameter or `Authorization` header.
pub fn token_of(params: &HashMap<String, String>, headers: &HeaderMap) -> Option<String> {
    params
        .get("access_token")
        .filter(|t| !t.is_empty())
        .cloned()
        .or_else(|| web::auth_token(headers))
}

/// Authenticates and checks one scope.
pub fn authorize_call(
    state: &mut State,
    token: Option<&str>,
    now: i64,
    scope: Option<&str>,
) -> Result<AccessToken, InstagramError> {
    let t = state
        .authenticate(Platform::Instagram, token, now)
        .map_err(InstagramError::from_auth)?;
    if let Some(scope) = scope {
        if !t.scopes.iter().any(|s| s == scope) {
            return Err(InstagramError::permission(scope));
        }
    }
    Ok(t)
}

/// `2026-11-25T11:41:19+0000`.
pub fn timestamp(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%S+0000").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_use_metas_offset_format() {
        assert_eq!(timestamp(1_633_174_587), "2021-10-02T11:36:27+0000");
    }
}
