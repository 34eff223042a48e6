//! TikTok Display API: `GET /v2/user/info/` with field filtering per scope, and
//! `POST /v2/video/list/` (cursor paging over public videos, newest first) and
//! `POST /v2/video/query/`, with synthetic counters that grow with sandbox time.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::error::ok;
use super::{authorize_call, fields_param, json_body, TikTokError};
use crate::config::Platform;
use crate::insights;
use crate::state::{MediaItem, Shared, State as SandboxState};
use crate::web;

const BASIC: &[&str] = &[
    "open_id",
    "union_id",
    "avatar_url",
    "avatar_url_100",
    "avatar_large_url",
    "display_name",
];
const PROFILE: &[&str] = &[
    "bio_description",
    "profile_deep_link",
    "is_verified",
    "username",
];
const STATS: &[&str] = &[
    "follower_count",
    "following_count",
    "likes_count",
    "video_count",
];

const VIDEO_FIELDS: &[&str] = &[
    "id",
    "create_time",
    "cover_image_url",
    "share_url",
    "video_description",
    "duration",
    "height",
    "width",
    "title",
    "embed_html",
    "embed_link",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
];

/// Per-minute limit of the Display API endpoints, per app.
const DISPLAY_PER_MINUTE: u32 = 600;

/// `GET /v2/user/info/`.
pub async fn user_info(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    match user_info_inner(&shared, &headers, &uri) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn user_info_inner(
    shared: &Shared,
    headers: &HeaderMap,
    uri: &Uri,
) -> Result<Response, TikTokError> {
    let token = web::auth_token(headers);
    let now = shared.clock.now();
    let mut state = shared.lock();
    let t = authorize_call(&mut state, token.as_deref(), now, &["user.info.basic"])?;
    super::per_minute(
        &mut state,
        "display",
        &t.client_id,
        shared.clock.now_ms(),
        DISPLAY_PER_MINUTE,
    )?;
    let all: Vec<&str> = BASIC.iter().chain(PROFILE).chain(STATS).copied().collect();
    let fields = fields_param(&web::query(uri), &all)?;
    for f in &fields {
        let needed = if PROFILE.contains(&f.as_str()) {
            Some("user.info.profile")
        } else if STATS.contains(&f.as_str()) {
            Some("user.info.stats")
        } else {
            None
        };
        if let Some(scope) = needed.filter(|s| !t.scopes.iter().any(|g| g == s)) {
            return Err(TikTokError::api(
                axum::http::StatusCode::UNAUTHORIZED,
                "scope_permission_missed",
                format!("The field {f} requires the scope {scope}."),
            ));
        }
    }
    let user = state
        .user(Platform::TikTok, &t.user_id)
        .cloned()
        .ok_or_else(|| TikTokError::from_auth(crate::state::AuthFailure::Invalid))?;
    let video_count = state
        .media
        .iter()
        .filter(|m| m.platform == Platform::TikTok && m.owner == user.id && m.public)
        .count();
    let base = shared.base(Platform::TikTok);
    let seed = shared.seed;
    let mut out = Map::new();
    for f in fields {
        let v = match f.as_str() {
            "open_id" => json!(user.id),
            "union_id" => json!(format!(
                "u{}",
                crate::det::alnum(seed, &format!("union:{}", user.id), 31)
            )),
            "avatar_url" | "avatar_url_100" | "avatar_large_url" => {
                json!(format!(
                    "{base}/static/avatar/{}.jpeg?size={f}",
                    user.username
                ))
            }
            "display_name" => json!(user.display_name),
            "bio_description" => json!("Creator account played by the Outpost sandbox."),
            "profile_deep_link" => json!(format!("{base}/@{}", user.username)),
            "is_verified" => json!(false),
            "username" => json!(user.username),
            "follower_count" => json!(insights::followers(seed, &user.id, now)),
            "following_count" => {
                json!(50 + crate::det::hash_str(seed, &format!("following:{}", user.id)) % 400)
            }
            "likes_count" => json!(insights::account_window(
                seed,
                &user.id,
                "likes",
                insights::ACCOUNT_ANCHOR,
                now
            )),
            "video_count" => json!(video_count),
            _ => Value::Null,
        };
        out.insert(f, v);
    }
    Ok(ok(json!({"user": out})))
}

fn video_json(shared: &Shared, m: &MediaItem, fields: &[String], now: i64) -> Value {
    let base = shared.base(Platform::TikTok);
    let seed = shared.seed;
    let age = now - m.created_at;
    let metric = |name: &str| insights::media_metric(seed, &m.id, name, age).unwrap_or(0);
    let mut out = Map::new();
    for f in fields {
        let v = match f.as_str() {
            "id" => json!(m.id),
            "create_time" => json!(m.created_at),
            "cover_image_url" => json!(format!("{base}/static/cover/{}.jpeg", m.id)),
            "share_url" => json!(format!("{base}/@sandbox.creator/video/{}", m.id)),
            "video_description" | "title" => json!(m.caption.chars().take(150).collect::<String>()),
            "duration" => json!(m.duration),
            "height" => json!(1920),
            "width" => json!(1080),
            "embed_html" => json!(format!(
                "<blockquote class=\"tiktok-embed\" data-video-id=\"{}\"></blockquote>",
                m.id
            )),
            "embed_link" => json!(format!("{base}/embed/v2/{}", m.id)),
            "like_count" => json!(metric("likes")),
            "comment_count" => json!(metric("comments")),
            "share_count" => json!(metric("shares")),
            "view_count" => json!(metric("views")),
            _ => Value::Null,
        };
        out.insert(f.clone(), v);
    }
    Value::Object(out)
}

fn list_prelude(
    shared: &Shared,
    headers: &HeaderMap,
    uri: &Uri,
) -> Result<(String, Vec<String>, i64), TikTokError> {
    let token = web::auth_token(headers);
    let now = shared.clock.now();
    let mut state = shared.lock();
    let t = authorize_call(&mut state, token.as_deref(), now, &["video.list"])?;
    super::per_minute(
        &mut state,
        "display",
        &t.client_id,
        shared.clock.now_ms(),
        DISPLAY_PER_MINUTE,
    )?;
    let fields = fields_param(&web::query(uri), VIDEO_FIELDS)?;
    Ok((t.user_id, fields, now))
}

fn own_public(state: &SandboxState, user_id: &str) -> Vec<MediaItem> {
    let mut v: Vec<MediaItem> = state
        .media
        .iter()
        .filter(|m| {
            m.platform == Platform::TikTok && m.owner == user_id && m.public && m.kind == "VIDEO"
        })
        .cloned()
        .collect();
    v.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    v
}

/// `POST /v2/video/list/`.
pub async fn video_list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let run = || -> Result<Response, TikTokError> {
        let (user_id, fields, now) = list_prelude(&shared, &headers, &uri)?;
        let body = json_body(&body)?;
        let max_count = match body.get("max_count") {
            None | Some(Value::Null) => 10,
            Some(v) => v.as_i64().filter(|n| (1..=20).contains(n)).ok_or_else(|| {
                TikTokError::invalid_params("max_count must be an integer between 1 and 20.")
            })?,
        };
        let cursor = match body.get("cursor") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_i64()
                    .ok_or_else(|| TikTokError::invalid_params("cursor must be an integer."))?,
            ),
        };
        let all = own_public(&shared.lock(), &user_id);
        let remaining: Vec<&MediaItem> = all
            .iter()
            .filter(|m| cursor.is_none_or(|c| m.created_at * 1000 < c))
            .collect();
        let page: Vec<&MediaItem> = remaining.iter().take(max_count as usize).copied().collect();
        let has_more = remaining.len() > page.len();
        let next_cursor = page
            .last()
            .map_or(cursor.unwrap_or(0), |m| m.created_at * 1000);
        let videos: Vec<Value> = page
            .iter()
            .map(|m| video_json(&shared, m, &fields, now))
            .collect();
        Ok(ok(
            json!({"videos": videos, "cursor": next_cursor, "has_more": has_more}),
        ))
    };
    run().unwrap_or_else(IntoResponse::into_response)
}

/// `POST /v2/video/query/`.
pub async fn video_query(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let run = || -> Result<Response, TikTokError> {
        let (user_id, fields, now) = list_prelude(&shared, &headers, &uri)?;
        let body = json_body(&body)?;
        let ids: Vec<String> = body
            .pointer("/filters/video_ids")
            .and_then(Value::as_array)
            .ok_or_else(|| TikTokError::invalid_params("filters.video_ids is required."))?
            .iter()
            .map(|v| v.as_str().map(String::from))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| TikTokError::invalid_params("filters.video_ids must be strings."))?;
        if ids.is_empty() || ids.len() > 20 {
            return Err(TikTokError::invalid_params(
                "filters.video_ids must hold 1 to 20 ids.",
            ));
        }
        let state = shared.lock();
        let videos: Vec<Value> =
            ids.iter()
                .filter_map(|id| {
                    state.media.iter().find(|m| {
                        m.platform == Platform::TikTok && m.owner == user_id && &m.id == id
                    })
                })
                .map(|m| video_json(&shared, m, &fields, now))
                .collect();
        Ok(ok(json!({"videos": videos})))
    };
    run().unwrap_or_else(IntoResponse::into_response)
}
