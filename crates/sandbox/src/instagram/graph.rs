//! The Graph API surface of Instagram Login: one dispatcher for `/{version}/{node}` and
//! `/{version}/{node}/{edge}` (the version segment is optional, as on graph.instagram.com),
//! the per-account hourly budget with its usage headers, user and media nodes with field
//! selection, media and comment lists with cursor paging, and account and media insights
//! computed from [`crate::insights`].

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{json, Map, Value};

use super::publish::{self, status_of};
use super::{app_scoped_id, params, timestamp, token_of, InstagramError, CALLS_PER_HOUR};
use crate::config::Platform;
use crate::state::{AccessToken, MediaItem, Shared, User};
use crate::{det, insights, web};

const USER_FIELDS: &[&str] = &[
    "id",
    "user_id",
    "username",
    "name",
    "account_type",
    "profile_picture_url",
    "followers_count",
    "follows_count",
    "media_count",
    "biography",
    "website",
];
const MEDIA_FIELDS: &[&str] = &[
    "id",
    "caption",
    "media_type",
    "media_product_type",
    "media_url",
    "permalink",
    "thumbnail_url",
    "timestamp",
    "username",
    "like_count",
    "comments_count",
    "shortcode",
    "is_comment_enabled",
    "owner",
    "children",
];
const COMMENT_FIELDS: &[&str] = &[
    "id",
    "text",
    "timestamp",
    "username",
    "like_count",
    "hidden",
    "from",
    "media",
    "parent_id",
];
const DEPRECATED_METRICS: &[&str] = &[
    "impressions",
    "plays",
    "clips_replays_count",
    "ig_reels_aggregated_all_plays_count",
    "video_views",
    "engagement",
];
const REELS_METRICS: &[&str] = &[
    "views",
    "reach",
    "likes",
    "comments",
    "saved",
    "shares",
    "total_interactions",
    "ig_reels_avg_watch_time",
    "ig_reels_video_view_total_time",
    "reposts",
];
const FEED_METRICS: &[&str] = &[
    "views",
    "reach",
    "likes",
    "comments",
    "saved",
    "shares",
    "total_interactions",
    "follows",
    "profile_visits",
    "reposts",
];
const ACCOUNT_METRICS: &[&str] = &[
    "reach",
    "views",
    "accounts_engaged",
    "total_interactions",
    "likes",
    "comments",
    "shares",
    "saves",
    "replies",
    "follows_and_unfollows",
    "profile_links_taps",
    "follower_count",
];

enum Node {
    User(User),
    Container(publish::Container),
    Media(MediaItem),
}

/// Splits `a,b{c,d},e` at top-level commas.
fn split_fields(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for ch in raw.chars() {
        match ch {
            '{' => {
                depth += 1;
                cur.push(ch);
            }
            '}' => {
                depth -= 1;
                cur.push(ch);
            }
            ',' if depth == 0 => {
                if !cur.trim().is_empty() {
                    out.push(cur.trim().to_string());
                }
                cur.clear();
            }
            _ => cur.push(ch),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

fn fields(
    p: &HashMap<String, String>,
    allowed: &[&str],
    default: &[&str],
    node_type: &str,
) -> Result<Vec<String>, InstagramError> {
    let list = match p.get("fields").filter(|f| !f.trim().is_empty()) {
        Some(f) => split_fields(f),
        None => default.iter().map(|s| s.to_string()).collect(),
    };
    for f in &list {
        let name = f.split('{').next().unwrap_or("");
        if !allowed.contains(&name) {
            return Err(InstagramError::param(format!(
                "(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})"
            )));
        }
    }
    Ok(list)
}

fn usage_headers(response: &mut Response, account: &str, used: u32, reset_ms: i64) {
    let pct = used.saturating_mul(100) / CALLS_PER_HOUR;
    let regain = if used >= CALLS_PER_HOUR {
        (reset_ms + 59_999) / 60_000
    } else {
        0
    };
    let app =
        json!({"call_count": pct, "total_cputime": pct / 2, "total_time": pct / 2}).to_string();
    let buc = json!({account: [{
        "type": "instagram", "call_count": pct, "total_cputime": pct / 2, "total_time": pct / 2,
        "estimated_time_to_regain_access": regain,
    }]})
    .to_string();
    if let (Ok(a), Ok(b)) = (HeaderValue::from_str(&app), HeaderValue::from_str(&buc)) {
        response.headers_mut().insert("x-app-usage", a);
        response
            .headers_mut()
            .insert("x-business-use-case-usage", b);
    }
}

/// Fallback handler of the Instagram router: every Graph path.
pub async fn dispatch(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri
        .path()
        .strip_prefix("/instagram")
        .unwrap_or(uri.path())
        .to_string();
    let mut segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.first().is_some_and(|s| {
        s.len() > 1
            && s.starts_with('v')
            && s[1..]
                .split('.')
                .all(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    }) {
        segments.remove(0);
    }
    let p = match params(&uri, &headers, &body) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let now = shared.clock.now();
    let token = token_of(&p, &headers);
    let t = match shared
        .lock()
        .authenticate(Platform::Instagram, token.as_deref(), now)
    {
        Ok(t) => t,
        Err(e) => return InstagramError::from_auth(e).into_response(),
    };
    let hit = shared.lock().windows.sliding(
        &format!("instagram:{}", t.user_id),
        shared.clock.now_ms(),
        3_600_000,
        CALLS_PER_HOUR,
    );
    let mut response = if hit.allowed {
        route(&shared, &method, &segments, &p, &t, now, &uri)
            .unwrap_or_else(IntoResponse::into_response)
    } else {
        InstagramError::throttled().into_response()
    };
    usage_headers(&mut response, &t.user_id, hit.used, hit.reset_ms);
    response
}

fn resolve(shared: &Shared, id: &str, t: &AccessToken) -> Option<Node> {
    let state = shared.lock();
    let me = state.user(Platform::Instagram, &t.user_id)?.clone();
    if id == "me" || id == me.id || id == app_scoped_id(shared.seed, &me.id) {
        return Some(Node::User(me));
    }
    if let Some(c) = state
        .instagram
        .containers
        .get(id)
        .filter(|c| c.user_id == me.id)
    {
        return Some(Node::Container(c.clone()));
    }
    state
        .media
        .iter()
        .find(|m| m.platform == Platform::Instagram && m.id == id && m.owner == me.id)
        .cloned()
        .map(Node::Media)
}

fn need(t: &AccessToken, scope: &str) -> Result<(), InstagramError> {
    if t.scopes.iter().any(|s| s == scope) {
        Ok(())
    } else {
        Err(InstagramError::permission(scope))
    }
}

fn route(
    shared: &Shared,
    method: &Method,
    segments: &[&str],
    p: &HashMap<String, String>,
    t: &AccessToken,
    now: i64,
    uri: &Uri,
) -> Result<Response, InstagramError> {
    need(t, "instagram_business_basic")?;
    let Some(id) = segments.first() else {
        return Err(InstagramError::graph(
            2500,
            None,
            "Unknown path components: /",
        ));
    };
    let method_name = if method == Method::GET { "get" } else { "post" };
    let node = resolve(shared, id, t).ok_or_else(|| InstagramError::no_object(id, method_name))?;
    let edge = segments.get(1).copied();
    if segments.len() > 2 {
        return Err(InstagramError::graph(
            2500,
            None,
            format!("Unknown path components: /{}", segments[2..].join("/")),
        ));
    }
    let ok = |v: Value| web::json(StatusCode::OK, &v);
    match (method.as_str(), &node, edge) {
        ("GET", Node::User(u), None) => Ok(ok(user_json(
            shared,
            u,
            &fields(p, USER_FIELDS, &["id"], "IGUser")?,
            now,
        ))),
        ("GET", Node::User(u), Some("media")) => media_list(shared, u, p, now, uri),
        ("POST", Node::User(u), Some("media")) => {
            publish::create_container(shared, t, &u.id, p, now)
        }
        ("POST", Node::User(u), Some("media_publish")) => {
            publish::media_publish(shared, t, &u.id, p, now)
        }
        ("GET", Node::User(u), Some("content_publishing_limit")) => {
            publish::publishing_limit(shared, t, &u.id, p, now)
        }
        ("GET", Node::User(u), Some("insights")) => {
            need(t, "instagram_business_manage_insights")?;
            account_insights(shared, u, p, now)
        }
        ("GET", Node::Container(c), None) => {
            let list = fields(
                p,
                &["id", "status_code", "status"],
                &["id"],
                "ShadowIGMediaBuilder",
            )?;
            let all = shared.lock().instagram.containers.clone();
            let (code, status) = status_of(&all, c, now);
            let mut out = Map::new();
            for f in list {
                let v = match f.as_str() {
                    "status_code" => json!(code),
                    "status" => json!(status),
                    _ => json!(c.id),
                };
                out.insert(f, v);
            }
            Ok(ok(Value::Object(out)))
        }
        ("GET", Node::Media(m), None) => Ok(ok(media_json(
            shared,
            m,
            &fields(p, MEDIA_FIELDS, &["id"], "IGMedia")?,
            now,
        ))),
        ("GET", Node::Media(m), Some("insights")) => {
            need(t, "instagram_business_manage_insights")?;
            media_insights(shared, m, p, now)
        }
        ("GET", Node::Media(m), Some("comments")) => comments(shared, m, p, now, uri),
        (_, _, Some(e)) => Err(InstagramError::graph(
            2500,
            None,
            format!("Unknown path components: /{e}"),
        )),
        _ => Err(InstagramError::no_object(id, method_name)),
    }
}

fn user_json(shared: &Shared, u: &User, list: &[String], now: i64) -> Value {
    let seed = shared.seed;
    let media_count = shared
        .lock()
        .media
        .iter()
        .filter(|m| m.platform == Platform::Instagram && m.owner == u.id && m.public)
        .count();
    let mut out = Map::new();
    for f in list {
        let v = match f.as_str() {
            "id" => json!(app_scoped_id(seed, &u.id)),
            "user_id" => json!(u.id),
            "username" => json!(u.username),
            "name" => json!(u.display_name),
            "account_type" => json!("MEDIA_CREATOR"),
            "profile_picture_url" => json!(format!(
                "{}/static/profile/{}.jpg",
                shared.base(Platform::Instagram),
                u.username
            )),
            "followers_count" => json!(insights::followers(seed, &u.id, now)),
            "follows_count" => json!(100 + det::hash_str(seed, &format!("follows:{}", u.id)) % 900),
            "media_count" => json!(media_count),
            "biography" => json!("Creator account played by the Outpost sandbox."),
            "website" => json!("https://outpost.example/"),
            _ => Value::Null,
        };
        out.insert(f.clone(), v);
    }
    Value::Object(out)
}

fn product_type(m: &MediaItem) -> (&'static str, &'static str) {
    match m.kind.as_str() {
        "REELS" => ("VIDEO", "REELS"),
        "CAROUSEL_ALBUM" => ("CAROUSEL_ALBUM", "FEED"),
        "STORY" => ("IMAGE", "STORY"),
        _ => ("IMAGE", "FEED"),
    }
}

fn media_json(shared: &Shared, m: &MediaItem, list: &[String], now: i64) -> Value {
    let seed = shared.seed;
    let base = shared.base(Platform::Instagram);
    let (media_type, product) = product_type(m);
    let shortcode = det::alnum(seed, &format!("shortcode:{}", m.id), 11);
    let age = now - m.created_at;
    let metric = |name: &str| insights::media_metric(seed, &m.id, name, age).unwrap_or(0);
    let username = shared
        .lock()
        .user(Platform::Instagram, &m.owner)
        .map(|u| u.username.clone())
        .unwrap_or_default();
    let mut out = Map::new();
    for f in list {
        let name = f.split('{').next().unwrap_or("");
        let v = match name {
            "id" => json!(m.id),
            "caption" => json!(m.caption),
            "media_type" => json!(media_type),
            "media_product_type" => json!(product),
            "media_url" => json!(format!(
                "{base}/static/media/{}.{}",
                m.id,
                if media_type == "VIDEO" { "mp4" } else { "jpg" }
            )),
            "permalink" => json!(format!(
                "{base}/{}/{shortcode}/",
                if product == "REELS" { "reel" } else { "p" }
            )),
            "thumbnail_url" if media_type == "VIDEO" => {
                json!(format!("{base}/static/media/{}.jpg", m.id))
            }
            "thumbnail_url" => continue,
            "timestamp" => json!(timestamp(m.created_at)),
            "username" => json!(username),
            "like_count" => json!(metric("likes")),
            "comments_count" => json!(metric("comments")),
            "shortcode" => json!(shortcode),
            "is_comment_enabled" => json!(true),
            "owner" => json!({"id": m.owner}),
            "children" if media_type == "CAROUSEL_ALBUM" => {
                let data: Vec<Value> = (0..3)
                    .map(|k| {
                        let id = det::digits(seed, &format!("child:{}:{k}", m.id), 17);
                        json!({"id": id, "media_type": "IMAGE", "media_url": format!("{base}/static/media/{id}.jpg")})
                    })
                    .collect();
                json!({"data": data})
            }
            "children" => continue,
            _ => Value::Null,
        };
        out.insert(name.to_string(), v);
    }
    Value::Object(out)
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

fn unb64(s: &str) -> Option<String> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
}

fn limit_param(p: &HashMap<String, String>, default: usize) -> Result<usize, InstagramError> {
    match p.get("limit") {
        None => Ok(default),
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .map(|n| n.min(100))
            .ok_or_else(|| InstagramError::param("(#100) limit must be a positive integer.")),
    }
}

/// One page of `items` (already ordered) after the `after` cursor, with Graph paging.
fn page(
    shared: &Shared,
    uri: &Uri,
    p: &HashMap<String, String>,
    ids: &[String],
    default_limit: usize,
) -> Result<(std::ops::Range<usize>, Value), InstagramError> {
    let limit = limit_param(p, default_limit)?;
    let start = match p.get("after") {
        None => 0,
        Some(c) => {
            let id = unb64(c)
                .ok_or_else(|| InstagramError::param("(#100) The after cursor is invalid."))?;
            ids.iter()
                .position(|i| *i == id)
                .map(|i| i + 1)
                .ok_or_else(|| InstagramError::param("(#100) The after cursor is invalid."))?
        }
    };
    let start = start.min(ids.len());
    let end = (start + limit).min(ids.len());
    let mut paging = json!({});
    if end > start {
        paging["cursors"] = json!({"before": b64(&ids[start]), "after": b64(&ids[end - 1])});
    }
    if end < ids.len() {
        let mut q: Vec<(String, String)> = p
            .iter()
            .filter(|(k, _)| *k != "after")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        q.sort();
        q.push(("after".into(), b64(&ids[end - 1])));
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(q)
            .finish();
        let path = uri.path().strip_prefix("/instagram").unwrap_or(uri.path());
        paging["next"] = json!(format!(
            "{}{path}?{query}",
            shared.base(Platform::Instagram)
        ));
    }
    Ok((start..end, paging))
}

fn media_list(
    shared: &Shared,
    u: &User,
    p: &HashMap<String, String>,
    now: i64,
    uri: &Uri,
) -> Result<Response, InstagramError> {
    let list = fields(p, MEDIA_FIELDS, &["id"], "IGMedia")?;
    let mut media: Vec<MediaItem> = shared
        .lock()
        .media
        .iter()
        .filter(|m| m.platform == Platform::Instagram && m.owner == u.id && m.public)
        .cloned()
        .collect();
    media.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let ids: Vec<String> = media.iter().map(|m| m.id.clone()).collect();
    let (range, paging) = page(shared, uri, p, &ids, 25)?;
    let data: Vec<Value> = media[range]
        .iter()
        .map(|m| media_json(shared, m, &list, now))
        .collect();
    Ok(web::json(
        StatusCode::OK,
        &json!({"data": data, "paging": paging}),
    ))
}

const WORDS: &[&str] = &[
    "love", "this", "great", "edit", "so", "good", "wow", "nice", "cut", "music", "fire", "more",
];

fn comments(
    shared: &Shared,
    m: &MediaItem,
    p: &HashMap<String, String>,
    now: i64,
    uri: &Uri,
) -> Result<Response, InstagramError> {
    let list = fields(p, COMMENT_FIELDS, &["timestamp", "text", "id"], "IGComment")?;
    let seed = shared.seed;
    let count = insights::media_metric(seed, &m.id, "comments", now - m.created_at)
        .unwrap_or(0)
        .min(500) as usize;
    let ids: Vec<String> = (0..count)
        .rev()
        .map(|i| det::digits(seed, &format!("igc:{}:{i}", m.id), 17))
        .collect();
    let (range, paging) = page(shared, uri, p, &ids, 25)?;
    let data: Vec<Value> = range
        .map(|pos| {
            let i = count - 1 - pos;
            let h = det::hash_str(seed, &format!("igc-text:{}:{i}", m.id));
            let text: Vec<&str> = (0..3)
                .map(|k| WORDS[((h >> (k * 8)) % WORDS.len() as u64) as usize])
                .collect();
            let username = format!("fan_{}", h % 997);
            let ts = (m.created_at + (i as i64 + 1) * 600).min(now);
            let mut out = Map::new();
            for f in &list {
                let name = f.split('{').next().unwrap_or("");
                let v = match name {
                    "id" => json!(ids[pos]),
                    "text" => json!(text.join(" ")),
                    "timestamp" => json!(timestamp(ts)),
                    "username" => json!(username),
                    "like_count" => json!(h % 50),
                    "hidden" => json!(false),
                    "from" => json!({"id": det::digits(seed, &username, 17), "username": username}),
                    "media" => json!({"id": m.id, "media_product_type": product_type(m).1}),
                    _ => continue,
                };
                out.insert(name.to_string(), v);
            }
            Value::Object(out)
        })
        .collect();
    Ok(web::json(
        StatusCode::OK,
        &json!({"data": data, "paging": paging}),
    ))
}

fn title(metric: &str) -> String {
    let mut s = metric.replace('_', " ");
    if let Some(first) = s.get(..1) {
        s = first.to_uppercase() + &s[1..];
    }
    s
}

fn metrics_param(p: &HashMap<String, String>) -> Result<Vec<String>, InstagramError> {
    let raw = p
        .get("metric")
        .filter(|m| !m.trim().is_empty())
        .ok_or_else(|| InstagramError::param("(#100) The parameter metric is required."))?;
    let list: Vec<String> = raw
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(d) = list
        .iter()
        .find(|m| DEPRECATED_METRICS.contains(&m.as_str()))
    {
        return Err(InstagramError::param(format!(
            "(#100) The metric {d} is no longer supported: it was deprecated on 2025-04-21. Use views or total_interactions."
        )));
    }
    Ok(list)
}

fn media_insights(
    shared: &Shared,
    m: &MediaItem,
    p: &HashMap<String, String>,
    now: i64,
) -> Result<Response, InstagramError> {
    let list = metrics_param(p)?;
    let (_, product) = product_type(m);
    let valid = if product == "REELS" {
        REELS_METRICS
    } else {
        FEED_METRICS
    };
    if let Some(bad) = list.iter().find(|x| !valid.contains(&x.as_str())) {
        return Err(InstagramError::param(format!(
            "(#100) metric[{}] must be one of the following values: {}",
            list.iter().position(|x| x == bad).unwrap_or(0),
            valid.join(", ")
        )));
    }
    let age = now - m.created_at;
    let data: Vec<Value> = list
        .iter()
        .map(|name| {
            let value = insights::media_metric(shared.seed, &m.id, name, age).unwrap_or(0);
            json!({
                "name": name, "period": "lifetime", "values": [{"value": value}],
                "title": title(name), "description": format!("Lifetime {} of the media (sandbox synthetic).", name.replace('_', " ")),
                "id": format!("{}/insights/{name}/lifetime", m.id),
            })
        })
        .collect();
    Ok(web::json(StatusCode::OK, &json!({"data": data})))
}

fn unix_param(p: &HashMap<String, String>, name: &str) -> Result<Option<i64>, InstagramError> {
    p.get(name)
        .map(|v| {
            v.parse::<i64>().map_err(|_| {
                InstagramError::param(format!("(#100) {name} must be a unix timestamp."))
            })
        })
        .transpose()
}

fn account_insights(
    shared: &Shared,
    u: &User,
    p: &HashMap<String, String>,
    now: i64,
) -> Result<Response, InstagramError> {
    let list = metrics_param(p)?;
    if let Some(bad) = list.iter().find(|x| !ACCOUNT_METRICS.contains(&x.as_str())) {
        return Err(InstagramError::param(format!(
            "(#100) metric[{}] must be one of the following values: {}",
            list.iter().position(|x| x == bad).unwrap_or(0),
            ACCOUNT_METRICS.join(", ")
        )));
    }
    if p.get("period").map(String::as_str) != Some("day") {
        return Err(InstagramError::param(
            "(#100) The period parameter is required and must be day for these metrics.",
        ));
    }
    let until = unix_param(p, "until")?.unwrap_or(now).min(now);
    let since = unix_param(p, "since")?.unwrap_or(until - 86_400);
    if since >= until || until - since > 30 * 86_400 {
        return Err(InstagramError::param(
            "(#100) since must be before until and the range at most 30 days.",
        ));
    }
    let metric_type = p
        .get("metric_type")
        .map(String::as_str)
        .unwrap_or("time_series");
    let seed = shared.seed;
    let mut data = Vec::new();
    for name in &list {
        let id = format!("{}/insights/{name}/day", u.id);
        match metric_type {
            "total_value" => {
                let value = if name == "follower_count" {
                    insights::followers(seed, &u.id, until)
                        .saturating_sub(insights::followers(seed, &u.id, since))
                } else {
                    insights::account_window(seed, &u.id, name, since, until)
                };
                data.push(json!({"name": name, "period": "day", "title": title(name), "description": "Sandbox synthetic account metric.", "total_value": {"value": value}, "id": id}));
            }
            "time_series" if name == "reach" || name == "follower_count" => {
                let mut values = Vec::new();
                let mut day = since - since.rem_euclid(86_400);
                while day < until {
                    let value = if name == "reach" {
                        insights::account_daily_reach(seed, &u.id, day)
                    } else {
                        insights::followers(seed, &u.id, day + 86_400)
                            .saturating_sub(insights::followers(seed, &u.id, day))
                    };
                    values.push(json!({"value": value, "end_time": timestamp(day + 86_400)}));
                    day += 86_400;
                }
                data.push(json!({"name": name, "period": "day", "values": values, "title": title(name), "description": "Sandbox synthetic account metric.", "id": id}));
            }
            "time_series" => {
                return Err(InstagramError::param(format!(
                    "(#100) The metric {name} only supports metric_type=total_value."
                )))
            }
            other => {
                return Err(InstagramError::param(format!(
                    "(#100) Invalid metric_type: {other}."
                )))
            }
        }
    }
    Ok(web::json(StatusCode::OK, &json!({"data": data})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_lists_split_at_top_level_commas_only() {
        assert_eq!(
            split_fields("id,children{id,media_type},caption"),
            vec!["id", "children{id,media_type}", "caption"]
        );
        assert_eq!(split_fields(" id , "), vec!["id"]);
    }

    #[test]
    fn cursors_round_trip() {
        assert_eq!(unb64(&b64("123")).as_deref(), Some("123"));
        assert_eq!(unb64("!!"), None);
    }
}
