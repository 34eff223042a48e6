//! The oauth.reddit.com endpoints a creator app uses: `/api/v1/me`, `/api/submit`
//! (link, self, image, video; business errors inside HTTP 200; per-account RATELIMIT;
//! ALREADY_SUB for a repeated link), and the listings that carry a post's stats
//! (`/api/info`, `/by_id`, `/user/{name}/submitted`, `/comments/{id}`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::error::business_error;
use super::{
    add_headers, api_prelude, subreddit_rule, RateHeaders, RedditError, SUBMITS_PER_10_MIN,
};
use crate::config::Platform;
use crate::state::{MediaItem, Shared};
use crate::{det, insights, oauth as common, web};

fn respond(mut response: Response, rate: &RateHeaders) -> Response {
    add_headers(&mut response, rate);
    response
}

/// `GET /api/v1/me`.
pub async fn me(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let (t, rate) = match api_prelude(&shared, &headers, &["identity"]) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(user) = shared.lock().user(Platform::Reddit, &t.user_id).cloned() else {
        return RedditError::Http(StatusCode::UNAUTHORIZED).into_response();
    };
    let now = shared.clock.now();
    let seed = shared.seed;
    let link_karma =
        insights::account_window(seed, &user.id, "link_karma", insights::ACCOUNT_ANCHOR, now);
    let comment_karma = insights::account_window(
        seed,
        &user.id,
        "comment_karma",
        insights::ACCOUNT_ANCHOR,
        now,
    );
    let body = json!({
        "name": user.username,
        "id": user.id,
        "icon_img": format!("{}/static/avatar/{}.png", shared.base(Platform::Reddit), user.username),
        "created_utc": user.created_at as f64,
        "link_karma": link_karma,
        "comment_karma": comment_karma,
        "total_karma": link_karma + comment_karma,
        "verified": true,
        "has_verified_email": true,
        "over_18": false,
        "is_suspended": false,
    });
    respond(web::json(StatusCode::OK, &body), &rate)
}

/// The URL slug Reddit derives from a title.
pub fn slug(title: &str) -> String {
    let s: String = title
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    s.split('_')
        .filter(|p| !p.is_empty())
        .take(8)
        .collect::<Vec<_>>()
        .join("_")
}

/// `POST /api/submit`.
pub async fn submit(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (t, rate) = match api_prelude(&shared, &headers, &["submit"]) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let p = common::parse_pairs(&body);
    let get = |k: &str| {
        p.get(k)
            .map(String::as_str)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let (sr, kind, title) = (get("sr"), get("kind"), get("title"));
    let now = shared.clock.now();
    let username = shared
        .lock()
        .user(Platform::Reddit, &t.user_id)
        .map(|u| u.username.clone())
        .unwrap_or_default();
    let fail =
        |code: &str, msg: &str, field: &str| respond(business_error(code, msg, field), &rate);
    if sr.is_empty() {
        return fail("SUBREDDIT_REQUIRED", "you must specify a subreddit", "sr");
    }
    let Some(rule) = subreddit_rule(sr.trim_start_matches("r/"), &username) else {
        return fail("SUBREDDIT_NOEXIST", "that subreddit doesn't exist", "sr");
    };
    let sr = sr.trim_start_matches("r/").to_string();
    if !["link", "self", "image", "video", "videogif"].contains(&kind.as_str()) {
        return fail("INVALID_OPTION", "that option is not valid", "kind");
    }
    if title.is_empty() {
        return fail("NO_TEXT", "we need something here", "title");
    }
    if title.chars().count() > 300 {
        return fail("TOO_LONG", "this is too long (max: 300)", "title");
    }
    if kind == "self" && rule == "no_selfs" {
        return fail("NO_SELFS", "that subreddit doesn't allow text posts", "sr");
    }
    if kind != "self" && rule == "no_links" {
        return fail("NO_LINKS", "that subreddit only allows text posts", "sr");
    }
    if rule == "flair" && get("flair_id").is_empty() {
        return fail(
            "SUBMIT_VALIDATION_FLAIR_REQUIRED",
            "Your post must contain post flair.",
            "flair",
        );
    }
    let url = get("url");
    let media_sha = if kind == "link" {
        if url.is_empty() {
            return fail("NO_URL", "a url is required", "url");
        }
        if url::Url::parse(&url).is_err() {
            return fail("BAD_URL", "you should check that url", "url");
        }
        None
    } else if kind == "self" {
        None
    } else {
        let state = shared.lock();
        let asset = state.reddit.assets.values().find(|a| {
            a.user_id == t.user_id
                && a.uploaded.is_some()
                && !url.is_empty()
                && url.ends_with(&format!("/{}", a.key))
        });
        let Some(asset) = asset else {
            return fail("BAD_URL", "you should check that url", "url");
        };
        if kind == "video" && get("video_poster_url").is_empty() {
            return fail(
                "NO_URL",
                "a video poster image is required",
                "video_poster_url",
            );
        }
        Some((
            asset.sha256.clone(),
            asset.uploaded.unwrap_or(0),
            asset.key.clone(),
        ))
    };
    let mut state = shared.lock();
    if kind == "link"
        && get("resubmit") != "true"
        && state.media.iter().any(|m| {
            m.platform == Platform::Reddit
                && m.subreddit.as_deref() == Some(sr.as_str())
                && m.body.as_deref() == Some(url.as_str())
        })
    {
        drop(state);
        return fail("ALREADY_SUB", "that link has already been submitted", "url");
    }
    let hit = state.windows.sliding(
        &format!("reddit:submit:{}", t.user_id),
        shared.clock.now_ms(),
        600_000,
        SUBMITS_PER_10_MIN,
    );
    if !hit.allowed {
        let minutes = (hit.reset_ms + 59_999) / 60_000;
        drop(state);
        return fail(
            "RATELIMIT",
            &format!("you are doing that too much. try again in {minutes} minutes."),
            "ratelimit",
        );
    }
    let id = state.next_alnum("reddit-post", 7).to_lowercase();
    let text = get("text");
    // A media post's processing fails under the `publish_fail` fault (told on its websocket).
    let failed = media_sha.is_some() && state.faults.publish_fail;
    if let Some((_, _, key)) = &media_sha {
        if let Some(asset) = state.reddit.assets.get_mut(key) {
            asset.post_id = Some(id.clone());
        }
        if failed {
            state.reddit.failed_posts.insert(id.clone());
        }
    }
    state.media.push(MediaItem {
        platform: Platform::Reddit,
        id: id.clone(),
        owner: t.user_id.clone(),
        caption: title.clone(),
        kind: kind.clone(),
        created_at: now,
        public: !failed,
        subreddit: Some(sr.clone()),
        body: Some(if kind == "self" {
            text.clone()
        } else {
            url.clone()
        }),
        duration: 0,
    });
    let (fingerprint, sha, bytes) = match &media_sha {
        Some((sha, bytes, _)) => (
            format!("sha256:{}", sha.clone().unwrap_or_default()),
            sha.clone(),
            *bytes,
        ),
        None if kind == "self" => (format!("self:{sr}:{text}"), None, 0),
        None => (format!("url:{sr}:{url}"), None, 0),
    };
    if !failed {
        state.record_publish(
            Platform::Reddit,
            &id,
            &t.user_id,
            &fingerprint,
            &title,
            sha,
            bytes,
            &kind,
            now,
        );
    }
    drop(state);
    let base = shared.base(Platform::Reddit);
    let data = if media_sha.is_some() {
        let authority = shared.origin.trim_start_matches("http://");
        json!({"user_submitted_page": format!("{base}/user/{username}/submitted/"), "websocket_url": format!("ws://{authority}/reddit/_ws/post/{id}")})
    } else {
        json!({"url": format!("{base}/r/{sr}/comments/{id}/{}/", slug(&title)), "drafts_count": 0, "id": id, "name": format!("t3_{id}")})
    };
    respond(
        web::json(
            StatusCode::OK,
            &json!({"json": {"errors": [], "data": data}}),
        ),
        &rate,
    )
}

fn post_json(shared: &Shared, m: &MediaItem, username: &str, now: i64) -> Value {
    let seed = shared.seed;
    let age = now - m.created_at;
    let score = insights::media_metric(seed, &m.id, "likes", age).unwrap_or(0);
    let comments = insights::media_metric(seed, &m.id, "comments", age).unwrap_or(0);
    let ratio = 0.80 + (det::hash_str(seed, &format!("ratio:{}", m.id)) % 20) as f64 / 100.0;
    let sr = m.subreddit.clone().unwrap_or_default();
    let base = shared.base(Platform::Reddit);
    let permalink = format!("/r/{sr}/comments/{}/{}/", m.id, slug(&m.caption));
    let is_self = m.kind == "self";
    json!({"kind": "t3", "data": {
        "id": m.id, "name": format!("t3_{}", m.id), "title": m.caption, "subreddit": sr,
        "subreddit_name_prefixed": format!("r/{sr}"), "author": username, "score": score, "ups": score,
        "downs": 0, "upvote_ratio": ratio, "num_comments": comments, "created_utc": m.created_at as f64,
        "url": if is_self { format!("{base}{permalink}") } else { m.body.clone().unwrap_or_default() },
        "permalink": permalink, "is_self": is_self,
        "selftext": if is_self { m.body.clone().unwrap_or_default() } else { String::new() },
        "is_video": m.kind == "video", "view_count": null, "removed_by_category": null,
        "over_18": false, "spoiler": false,
    }})
}

fn listing(children: Vec<Value>, after: Option<String>) -> Value {
    json!({"kind": "Listing", "data": {"after": after, "before": null, "dist": children.len(), "children": children}})
}

fn posts_by_fullnames(shared: &Shared, names: &str) -> Vec<Value> {
    let now = shared.clock.now();
    let state = shared.lock();
    names
        .split(',')
        .filter_map(|n| n.trim().strip_prefix("t3_"))
        .filter_map(|id| {
            state
                .media
                .iter()
                .find(|m| m.platform == Platform::Reddit && m.id == id && m.public)
        })
        .map(|m| {
            let username = state
                .user(Platform::Reddit, &m.owner)
                .map(|u| u.username.clone())
                .unwrap_or_default();
            post_json(shared, m, &username, now)
        })
        .collect()
}

/// `GET /api/info?id=t3_a,t3_b`.
pub async fn info(State(shared): State<Arc<Shared>>, headers: HeaderMap, uri: Uri) -> Response {
    let (_, rate) = match api_prelude(&shared, &headers, &["read"]) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let ids = web::query(&uri).get("id").cloned().unwrap_or_default();
    respond(
        web::json(
            StatusCode::OK,
            &listing(posts_by_fullnames(&shared, &ids), None),
        ),
        &rate,
    )
}

/// `GET /by_id/t3_a,t3_b`.
pub async fn by_id(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(names): Path<String>,
) -> Response {
    let (_, rate) = match api_prelude(&shared, &headers, &["read"]) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let posts = posts_by_fullnames(&shared, &names);
    if posts.is_empty() {
        return respond(
            RedditError::Http(StatusCode::NOT_FOUND).into_response(),
            &rate,
        );
    }
    respond(web::json(StatusCode::OK, &listing(posts, None)), &rate)
}

/// `GET /user/{name}/submitted?limit=&after=`.
pub async fn submitted(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(name): Path<String>,
    uri: Uri,
) -> Response {
    let (_, rate) = match api_prelude(&shared, &headers, &["history", "read"]) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let q = web::query(&uri);
    let limit = q
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(25)
        .clamp(1, 100);
    let now = shared.clock.now();
    let state = shared.lock();
    let Some(user) = state
        .users
        .iter()
        .find(|u| u.platform == Platform::Reddit && u.username == name)
        .cloned()
    else {
        drop(state);
        return respond(
            RedditError::Http(StatusCode::NOT_FOUND).into_response(),
            &rate,
        );
    };
    let mut posts: Vec<&MediaItem> = state
        .media
        .iter()
        .filter(|m| m.platform == Platform::Reddit && m.owner == user.id && m.public)
        .collect();
    posts.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let start = match q.get("after").and_then(|a| a.strip_prefix("t3_")) {
        Some(id) => posts
            .iter()
            .position(|m| m.id == id)
            .map_or(posts.len(), |i| i + 1),
        None => 0,
    };
    let page: Vec<&MediaItem> = posts.iter().skip(start).take(limit).copied().collect();
    let after = (start + page.len() < posts.len())
        .then(|| page.last().map(|m| format!("t3_{}", m.id)))
        .flatten();
    let children = page
        .iter()
        .map(|m| post_json(&shared, m, &user.username, now))
        .collect();
    drop(state);
    respond(web::json(StatusCode::OK, &listing(children, after)), &rate)
}

/// `GET /comments/{id}`: `[post listing, comment listing]`.
pub async fn comments(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
    let (_, rate) = match api_prelude(&shared, &headers, &["read"]) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let id = id.trim_start_matches("t3_").to_string();
    let limit = web::query(&uri)
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(100)
        .clamp(1, 500);
    let now = shared.clock.now();
    let seed = shared.seed;
    let state = shared.lock();
    let Some(m) = state
        .media
        .iter()
        .find(|m| m.platform == Platform::Reddit && m.id == id)
        .cloned()
    else {
        drop(state);
        return respond(
            RedditError::Http(StatusCode::NOT_FOUND).into_response(),
            &rate,
        );
    };
    let username = state
        .user(Platform::Reddit, &m.owner)
        .map(|u| u.username.clone())
        .unwrap_or_default();
    drop(state);
    let count =
        insights::media_metric(seed, &m.id, "comments", now - m.created_at).unwrap_or(0) as usize;
    let comments: Vec<Value> = (0..count.min(limit))
        .map(|i| {
            let cid = det::alnum(seed, &format!("rc:{}:{i}", m.id), 7).to_lowercase();
            let h = det::hash_str(seed, &cid);
            json!({"kind": "t1", "data": {
                "id": cid, "name": format!("t1_{cid}"), "body": format!("sandbox comment {i}"),
                "author": format!("redditor_{}", h % 997), "score": h % 40,
                "created_utc": (m.created_at + (i as i64 + 1) * 300).min(now) as f64,
                "parent_id": format!("t3_{}", m.id), "link_id": format!("t3_{}", m.id),
            }})
        })
        .collect();
    let post = post_json(&shared, &m, &username, now);
    respond(
        web::json(
            StatusCode::OK,
            &json!([listing(vec![post], None), listing(comments, None)]),
        ),
        &rate,
    )
}
