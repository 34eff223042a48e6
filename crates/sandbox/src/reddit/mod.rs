//! Reddit emulation: installed-app OAuth (authorize page, Basic `client_id:` token
//! endpoint, `duration=permanent` refresh tokens that do not rotate, revoke), the
//! oauth.reddit.com API a creator app uses (`/api/v1/me`, `/api/submit` with errors in
//! HTTP 200, the media upload lease and an in-process fake S3 for it, listings), the
//! per-client QPM budget with `X-Ratelimit-*` headers, and the User-Agent rule. Served
//! under `/reddit` for www.reddit.com and oauth.reddit.com alike.

mod api;
mod error;
mod media;
mod oauth;
mod ws;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

pub use error::RedditError;
pub use media::{Asset, RedditState};

use crate::config::Platform;
use crate::state::{AccessToken, MediaItem, Shared, State, User};
use crate::{det, web};

/// Access token lifetime (1 hour, as documented).
pub const ACCESS_TTL: i64 = 3600;
/// Authorization code lifetime (sandbox choice).
pub const CODE_TTL: i64 = 600;
/// Requests per OAuth client id per 10-minute period (100 QPM averaged).
pub const REQUESTS_PER_PERIOD: u32 = 1000;
/// The rate-limit period.
pub const PERIOD_MS: i64 = 600_000;
/// Submissions per account per 10 minutes before `RATELIMIT`.
pub const SUBMITS_PER_10_MIN: u32 = 5;

/// Every scope the sandbox knows.
pub const SCOPES: &[&str] = &[
    "identity",
    "edit",
    "flair",
    "history",
    "modconfig",
    "modflair",
    "modlog",
    "modposts",
    "modwiki",
    "mysubreddits",
    "privatemessages",
    "read",
    "report",
    "save",
    "submit",
    "subscribe",
    "vote",
    "wikiedit",
    "wikiread",
];

/// The Reddit routes.
pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/api/v1/authorize",
            get(oauth::authorize_page).post(oauth::authorize_decision),
        )
        .route(
            "/api/v1/authorize.compact",
            get(oauth::authorize_page).post(oauth::authorize_decision),
        )
        .route("/api/v1/access_token", post(oauth::token))
        .route("/api/v1/revoke_token", post(oauth::revoke))
        .route("/api/v1/me", get(api::me))
        .route("/api/submit", post(api::submit))
        .route("/api/info", get(api::info))
        .route("/by_id/{names}", get(api::by_id))
        .route("/user/{name}/submitted", get(api::submitted))
        .route("/comments/{id}", get(api::comments))
        .route("/api/media/asset.json", post(media::lease))
        .route("/_ws/post/{id}", get(ws::post_socket))
        .route("/_ws/{folder}/{asset}", get(ws::asset_socket))
        .route(
            "/_s3/reddit-uploaded-media",
            post(media::s3_upload).layer(DefaultBodyLimit::disable()),
        )
        .fallback(not_found)
}

async fn not_found() -> Response {
    RedditError::Http(StatusCode::NOT_FOUND).into_response()
}

/// The throttling answer used by the `429burst` fault.
pub fn throttled() -> Response {
    RedditError::Http(StatusCode::TOO_MANY_REQUESTS).into_response()
}

/// The 5xx answer used by the `5xx` fault (Reddit's are HTML).
pub fn server_error() -> Response {
    web::html(
        StatusCode::SERVICE_UNAVAILABLE,
        "<!doctype html><html><head><title>Reddit - 503</title></head><body><h1>all of our servers are busy right now</h1></body></html>".into(),
    )
}

/// Known subreddits and their rules (see docs/platforms.md).
pub fn subreddit_rule(name: &str, username: &str) -> Option<&'static str> {
    match name {
        "outpost_sandbox" | "test" | "videos" | "pics" => Some("any"),
        "linksonly" => Some("no_selfs"),
        "selfonly" => Some("no_links"),
        "flairrequired" => Some("flair"),
        n if n == format!("u_{username}") => Some("any"),
        _ => None,
    }
}

/// Seeds `sandbox_creator` with 30 posts (alternating link and self) in
/// r/outpost_sandbox, and a second account `sandbox_alt` with 5 self posts.
pub fn seed(state: &mut State, now: i64) {
    let seed = state.seed;
    let id = det::alnum(seed, "reddit-user", 7).to_lowercase();
    state.users.push(User {
        platform: Platform::Reddit,
        id: id.clone(),
        username: "sandbox_creator".into(),
        display_name: "sandbox_creator".into(),
        private_account: false,
        created_at: now - 5 * 365 * 86_400,
    });
    for i in 0..30 {
        let link = i % 2 == 0;
        state.media.push(MediaItem {
            platform: Platform::Reddit,
            id: det::alnum(seed, &format!("reddit-post-{i}"), 7).to_lowercase(),
            owner: id.clone(),
            caption: format!("Sandbox post number {}", 30 - i),
            kind: if link { "link" } else { "self" }.into(),
            created_at: now - (i + 1) * 86_400,
            public: true,
            subreddit: Some("outpost_sandbox".into()),
            body: Some(if link {
                format!("https://outpost.example/clip/{i}")
            } else {
                "Posted by the sandbox seed.".into()
            }),
            duration: 0,
        });
    }
    let alt = det::alnum(seed, "reddit-user-alt", 7).to_lowercase();
    state.users.push(User {
        platform: Platform::Reddit,
        id: alt.clone(),
        username: "sandbox_alt".into(),
        display_name: "sandbox_alt".into(),
        private_account: false,
        created_at: now - 365 * 86_400,
    });
    for i in 0..5 {
        state.media.push(MediaItem {
            platform: Platform::Reddit,
            id: det::alnum(seed, &format!("reddit-alt-post-{i}"), 7).to_lowercase(),
            owner: alt.clone(),
            caption: format!("Alt post number {}", 5 - i),
            kind: "self".into(),
            created_at: now - (i + 1) * 3 * 86_400,
            public: true,
            subreddit: Some("outpost_sandbox".into()),
            body: Some("Posted by the sandbox seed.".into()),
            duration: 0,
        });
    }
}

/// The `X-Ratelimit-Used`, `-Remaining` and `-Reset` headers of one answer.
pub type RateHeaders = [(&'static str, String); 3];

/// What every oauth.reddit.com call goes through: User-Agent, bearer token, scope and
/// the client's QPM budget. Returns the token and the rate headers to add.
pub fn api_prelude(
    shared: &Shared,
    headers: &HeaderMap,
    any_scope: &[&str],
) -> Result<(AccessToken, RateHeaders), Response> {
    if web::header_str(headers, "user-agent").is_none_or(|ua| ua.trim().is_empty()) {
        return Err(RedditError::Http(StatusCode::TOO_MANY_REQUESTS).into_response());
    }
    let now = shared.clock.now();
    let mut state = shared.lock();
    let t = state
        .authenticate(Platform::Reddit, web::auth_token(headers).as_deref(), now)
        .map_err(|_| RedditError::Http(StatusCode::UNAUTHORIZED).into_response())?;
    let hit = state.windows.fixed(
        &format!("reddit:{}", t.client_id),
        shared.clock.now_ms(),
        PERIOD_MS,
        REQUESTS_PER_PERIOD,
    );
    let rate = [
        ("x-ratelimit-used", hit.used.to_string()),
        (
            "x-ratelimit-remaining",
            format!(
                "{:.1}",
                f64::from(REQUESTS_PER_PERIOD.saturating_sub(hit.used))
            ),
        ),
        (
            "x-ratelimit-reset",
            ((hit.reset_ms + 999) / 1000).to_string(),
        ),
    ];
    if !hit.allowed {
        let mut r = RedditError::Http(StatusCode::TOO_MANY_REQUESTS).into_response();
        add_headers(&mut r, &rate);
        return Err(r);
    }
    if !any_scope.is_empty() && !any_scope.iter().any(|s| t.scopes.iter().any(|g| g == s)) {
        let mut r = RedditError::Http(StatusCode::FORBIDDEN).into_response();
        add_headers(&mut r, &rate);
        return Err(r);
    }
    Ok((t, rate))
}

/// Adds the `X-Ratelimit-*` headers.
pub fn add_headers(response: &mut Response, headers: &RateHeaders) {
    for (name, value) in headers {
        if let Ok(v) = HeaderValue::from_str(value) {
            response.headers_mut().insert(*name, v);
        }
    }
}
