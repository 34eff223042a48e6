//! What the platforms report about accounts and their posts, in one shape for all three:
//! account stats, pages of media with their counters, Instagram's per-media insights, and
//! the usage headers that tell how much of the quota is left. Requests and shapes only;
//! planning and storage live in `crate::sync`.

use serde::Serialize;
use serde_json::Value;

use super::{instagram::GRAPH_VERSION, json_body, PlatformClient, PlatformError};
use crate::config::Host;
use crate::http::HttpResponse;
use crate::platform::Platform;
use crate::vault::SecretValue;

/// Canonical metric names stored in `insight_snapshots.metric`.
pub mod metric {
    /// Views / plays.
    pub const VIEWS: &str = "views";
    /// Accounts reached (Instagram).
    pub const REACH: &str = "reach";
    /// Likes.
    pub const LIKES: &str = "likes";
    /// Comments.
    pub const COMMENTS: &str = "comments";
    /// Shares.
    pub const SHARES: &str = "shares";
    /// Saves.
    pub const SAVES: &str = "saves";
    /// Followers of the account.
    pub const FOLLOWERS: &str = "followers";
    /// Accounts followed.
    pub const FOLLOWING: &str = "following";
    /// Number of posts of the account.
    pub const POSTS: &str = "posts";
    /// Total likes received (TikTok) or karma (Reddit).
    pub const TOTAL_LIKES: &str = "total_likes";
    /// Reddit score.
    pub const SCORE: &str = "score";
    /// Reddit upvote ratio (0..1).
    pub const UPVOTE_RATIO: &str = "upvote_ratio";
}

/// One post as listed by the platform.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MediaItem {
    /// The platform's id.
    pub id: String,
    /// video, image, carousel, reel, link, self…
    pub kind: String,
    /// Caption or title.
    pub caption: Option<String>,
    /// Public link.
    pub permalink: Option<String>,
    /// Thumbnail.
    pub thumbnail_url: Option<String>,
    /// Creation time, unix ms.
    pub created_at: Option<i64>,
    /// Duration, ms.
    pub duration_ms: Option<i64>,
    /// Counters the listing itself carries.
    pub metrics: Vec<(&'static str, f64)>,
}

/// One comment on a post.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommentItem {
    /// The platform's id.
    pub id: String,
    /// Author's handle.
    pub author: Option<String>,
    /// Text.
    pub body: Option<String>,
    /// Likes or score.
    pub like_count: Option<i64>,
    /// Creation time, unix ms.
    pub created_at: Option<i64>,
}

/// A page of media.
#[derive(Debug, Clone, Default)]
pub struct MediaPage {
    /// Items, newest first.
    pub items: Vec<MediaItem>,
    /// Cursor of the next page, if any.
    pub next: Option<String>,
}

/// How much of the platform's quota is left, from the last answer's headers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Usage {
    /// Fraction of the quota left (0 = exhausted, 1 = untouched).
    pub remaining: f64,
    /// Seconds until the quota recovers, when the platform says.
    pub reset_secs: Option<u64>,
}

fn header<'a>(resp: &'a HttpResponse, name: &str) -> Option<&'a str> {
    resp.headers.get(name).and_then(|v| v.to_str().ok())
}

/// Read the usage headers (Reddit `X-Ratelimit-*`, Meta `X-App-Usage` /
/// `X-Business-Use-Case-Usage`).
pub fn usage(resp: &HttpResponse) -> Option<Usage> {
    if let (Some(rem), Some(used)) = (
        header(resp, "x-ratelimit-remaining"),
        header(resp, "x-ratelimit-used"),
    ) {
        let rem: f64 = rem.trim().parse().ok()?;
        let used: f64 = used.trim().parse().ok()?;
        let reset = header(resp, "x-ratelimit-reset")
            .and_then(|r| r.trim().parse::<f64>().ok())
            .map(|r| r.ceil() as u64);
        return Some(Usage {
            remaining: if rem + used > 0.0 {
                rem / (rem + used)
            } else {
                1.0
            },
            reset_secs: reset,
        });
    }
    let mut worst: Option<f64> = None;
    let mut regain: Option<u64> = None;
    let mut consider = |v: &Value| {
        for key in ["call_count", "total_time", "total_cputime"] {
            if let Some(p) = v.get(key).and_then(Value::as_f64) {
                worst = Some(worst.map_or(p, |w: f64| w.max(p)));
            }
        }
        if let Some(m) = v
            .get("estimated_time_to_regain_access")
            .and_then(Value::as_u64)
        {
            regain = Some(regain.map_or(m * 60, |r: u64| r.max(m * 60)));
        }
    };
    if let Some(app) =
        header(resp, "x-app-usage").and_then(|h| serde_json::from_str::<Value>(h).ok())
    {
        consider(&app);
    }
    if let Some(buc) = header(resp, "x-business-use-case-usage")
        .and_then(|h| serde_json::from_str::<Value>(h).ok())
    {
        if let Some(map) = buc.as_object() {
            for entries in map.values() {
                for e in entries.as_array().into_iter().flatten() {
                    consider(e);
                }
            }
        }
    }
    worst.map(|pct| Usage {
        remaining: (1.0 - pct / 100.0).clamp(0.0, 1.0),
        reset_secs: regain,
    })
}

/// Log a metric Outpost does not know (new, or deprecated by the platform) once per process,
/// then skip it silently: never fatal, never a flood.
fn note_unknown_metric(platform: Platform, name: &str) {
    use std::collections::HashSet;
    use std::sync::{LazyLock, Mutex};
    static SEEN: LazyLock<Mutex<HashSet<String>>> = LazyLock::new(|| Mutex::new(HashSet::new()));
    let first = SEEN
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(format!("{platform}:{name}"));
    if first {
        tracing::info!(platform = %platform, metric = name, "unknown metric skipped (logged once)");
    }
}

fn num(v: &Value, key: &str) -> Option<f64> {
    match v.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn metrics(v: &Value, pairs: &[(&'static str, &str)]) -> Vec<(&'static str, f64)> {
    pairs
        .iter()
        .filter_map(|(ours, theirs)| num(v, theirs).map(|x| (*ours, x)))
        .collect()
}

fn bad(platform: Platform, endpoint: &'static str, reason: &str) -> PlatformError {
    PlatformError::BadResponse {
        platform,
        endpoint,
        reason: reason.to_owned(),
    }
}

impl PlatformClient {
    async fn read(
        &self,
        endpoint: &'static str,
        req: reqwest::RequestBuilder,
    ) -> Result<(Value, Option<Usage>), PlatformError> {
        let resp = self.http.send(self.platform, endpoint, req).await?;
        let usage = usage(&resp);
        let body = json_body(self.platform, endpoint, &resp)?;
        if let Some(err) = super::api_error(self.platform, &resp, &body) {
            return Err(err);
        }
        Ok((body, usage))
    }

    /// Account-level numbers (followers and the like), with the quota left.
    pub async fn account_stats(
        &self,
        access: &SecretValue,
    ) -> Result<(Vec<(&'static str, f64)>, Option<Usage>), PlatformError> {
        use metric::*;
        match self.platform {
            Platform::Tiktok => {
                let mut url = self.endpoints.url(Host::Api, "/v2/user/info/");
                url.query_pairs_mut().append_pair(
                    "fields",
                    "open_id,follower_count,following_count,likes_count,video_count",
                );
                let (body, usage) = self
                    .read(
                        "user.info",
                        self.http.client().get(url).bearer_auth(access.expose()),
                    )
                    .await?;
                let user = body
                    .pointer("/data/user")
                    .ok_or_else(|| bad(self.platform, "user.info", "data.user is missing"))?;
                Ok((
                    metrics(
                        user,
                        &[
                            (FOLLOWERS, "follower_count"),
                            (FOLLOWING, "following_count"),
                            (TOTAL_LIKES, "likes_count"),
                            (POSTS, "video_count"),
                        ],
                    ),
                    usage,
                ))
            }
            Platform::Instagram => {
                let mut url = self
                    .endpoints
                    .url(Host::Api, &format!("/{GRAPH_VERSION}/me"));
                url.query_pairs_mut().append_pair(
                    "fields",
                    "user_id,followers_count,follows_count,media_count",
                );
                let (body, usage) = self
                    .read(
                        "me",
                        self.http.client().get(url).bearer_auth(access.expose()),
                    )
                    .await?;
                Ok((
                    metrics(
                        &body,
                        &[
                            (FOLLOWERS, "followers_count"),
                            (FOLLOWING, "follows_count"),
                            (POSTS, "media_count"),
                        ],
                    ),
                    usage,
                ))
            }
            Platform::Reddit => {
                let url = self.endpoints.url(Host::Api, "/api/v1/me");
                let (body, usage) = self
                    .read(
                        "me",
                        self.http.client().get(url).bearer_auth(access.expose()),
                    )
                    .await?;
                Ok((metrics(&body, &[(TOTAL_LIKES, "total_karma")]), usage))
            }
        }
    }

    /// One page of the account's posts, newest first. `username` is needed for Reddit.
    pub async fn media_page(
        &self,
        access: &SecretValue,
        username: Option<&str>,
        cursor: Option<&str>,
    ) -> Result<(MediaPage, Option<Usage>), PlatformError> {
        use metric::*;
        match self.platform {
            Platform::Tiktok => {
                let mut url = self.endpoints.url(Host::Api, "/v2/video/list/");
                url.query_pairs_mut().append_pair(
                    "fields",
                    "id,title,video_description,create_time,cover_image_url,share_url,duration,like_count,comment_count,share_count,view_count",
                );
                let mut body = serde_json::json!({"max_count": 20});
                if let Some(c) = cursor.and_then(|c| c.parse::<i64>().ok()) {
                    body["cursor"] = c.into();
                }
                let (resp, usage) = self
                    .read(
                        "video.list",
                        self.http
                            .client()
                            .post(url)
                            .bearer_auth(access.expose())
                            .json(&body),
                    )
                    .await?;
                let data = resp
                    .get("data")
                    .ok_or_else(|| bad(self.platform, "video.list", "data is missing"))?;
                let items = data
                    .get("videos")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|v| {
                        Some(MediaItem {
                            id: text(v, "id").or_else(|| num(v, "id").map(|n| n.to_string()))?,
                            kind: "video".into(),
                            caption: text(v, "video_description").or_else(|| text(v, "title")),
                            permalink: text(v, "share_url"),
                            thumbnail_url: text(v, "cover_image_url"),
                            created_at: num(v, "create_time").map(|s| (s * 1000.0) as i64),
                            duration_ms: num(v, "duration").map(|s| (s * 1000.0) as i64),
                            metrics: metrics(
                                v,
                                &[
                                    (VIEWS, "view_count"),
                                    (LIKES, "like_count"),
                                    (COMMENTS, "comment_count"),
                                    (SHARES, "share_count"),
                                ],
                            ),
                        })
                    })
                    .collect();
                let more = data
                    .get("has_more")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let next = if more {
                    num(data, "cursor").map(|c| (c as i64).to_string())
                } else {
                    None
                };
                Ok((MediaPage { items, next }, usage))
            }
            Platform::Instagram => {
                let url = match cursor {
                    // Meta's `paging.next` is absolute; only follow it on our own API origin.
                    Some(next) if next.starts_with(self.endpoints.url(Host::Api, "/").as_str()) => {
                        url::Url::parse(next)
                            .map_err(|_| bad(self.platform, "media", "paging.next is not a URL"))?
                    }
                    Some(_) => {
                        return Err(bad(
                            self.platform,
                            "media",
                            "paging.next points outside the API",
                        ))
                    }
                    None => {
                        let mut u = self
                            .endpoints
                            .url(Host::Api, &format!("/{GRAPH_VERSION}/me/media"));
                        u.query_pairs_mut()
                            .append_pair("fields", "id,caption,media_type,media_product_type,permalink,thumbnail_url,timestamp,like_count,comments_count")
                            .append_pair("limit", "50");
                        u
                    }
                };
                let (resp, usage) = self
                    .read(
                        "media",
                        self.http.client().get(url).bearer_auth(access.expose()),
                    )
                    .await?;
                let items = resp
                    .get("data")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|v| {
                        let product = text(v, "media_product_type").unwrap_or_default();
                        let kind = match (text(v, "media_type").as_deref(), product.as_str()) {
                            (_, "REELS") => "reel",
                            (Some("CAROUSEL_ALBUM"), _) => "carousel",
                            (Some("VIDEO"), _) => "video",
                            _ => "image",
                        };
                        Some(MediaItem {
                            id: text(v, "id")?,
                            kind: kind.into(),
                            caption: text(v, "caption"),
                            permalink: text(v, "permalink"),
                            thumbnail_url: text(v, "thumbnail_url"),
                            created_at: text(v, "timestamp")
                                .and_then(|t| {
                                    chrono::DateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S%z").ok()
                                })
                                .map(|t| t.timestamp_millis()),
                            duration_ms: None,
                            metrics: metrics(
                                v,
                                &[(LIKES, "like_count"), (COMMENTS, "comments_count")],
                            ),
                        })
                    })
                    .collect();
                let next = resp
                    .pointer("/paging/next")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                Ok((MediaPage { items, next }, usage))
            }
            Platform::Reddit => {
                let name = username.ok_or_else(|| {
                    bad(self.platform, "submitted", "the account has no username")
                })?;
                let mut url = self
                    .endpoints
                    .url(Host::Api, &format!("/user/{name}/submitted"));
                url.query_pairs_mut()
                    .append_pair("limit", "100")
                    .append_pair("raw_json", "1");
                if let Some(after) = cursor {
                    url.query_pairs_mut().append_pair("after", after);
                }
                let (resp, usage) = self
                    .read(
                        "submitted",
                        self.http.client().get(url).bearer_auth(access.expose()),
                    )
                    .await?;
                let data = resp
                    .get("data")
                    .ok_or_else(|| bad(self.platform, "submitted", "data is missing"))?;
                let items = data
                    .get("children")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|c| {
                        let v = c.get("data")?;
                        Some(MediaItem {
                            id: text(v, "id")?,
                            kind: if v.get("is_self").and_then(Value::as_bool).unwrap_or(false) {
                                "self".into()
                            } else {
                                "link".into()
                            },
                            caption: text(v, "title"),
                            permalink: text(v, "permalink"),
                            thumbnail_url: text(v, "thumbnail").filter(|t| t.starts_with("http")),
                            created_at: num(v, "created_utc").map(|s| (s * 1000.0) as i64),
                            duration_ms: None,
                            metrics: metrics(
                                v,
                                &[
                                    (SCORE, "score"),
                                    (UPVOTE_RATIO, "upvote_ratio"),
                                    (COMMENTS, "num_comments"),
                                ],
                            ),
                        })
                    })
                    .collect();
                Ok((
                    MediaPage {
                        items,
                        next: text(data, "after"),
                    },
                    usage,
                ))
            }
        }
    }

    /// The newest comments of a post (Instagram, Reddit; TikTok's Display API has none, so
    /// `Ok(None)` without a call).
    pub async fn media_comments(
        &self,
        access: &SecretValue,
        media_id: &str,
    ) -> Result<Option<(Vec<CommentItem>, Option<Usage>)>, PlatformError> {
        match self.platform {
            Platform::Tiktok => Ok(None),
            Platform::Instagram => {
                let mut url = self
                    .endpoints
                    .url(Host::Api, &format!("/{GRAPH_VERSION}/{media_id}/comments"));
                url.query_pairs_mut()
                    .append_pair("fields", "id,text,timestamp,username,like_count")
                    .append_pair("limit", "50");
                let (body, usage) = self
                    .read(
                        "media.comments",
                        self.http.client().get(url).bearer_auth(access.expose()),
                    )
                    .await?;
                let items = body
                    .get("data")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|c| {
                        Some(CommentItem {
                            id: text(c, "id")?,
                            author: text(c, "username"),
                            body: text(c, "text"),
                            like_count: num(c, "like_count").map(|n| n as i64),
                            created_at: text(c, "timestamp")
                                .and_then(|t| {
                                    chrono::DateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S%z").ok()
                                })
                                .map(|t| t.timestamp_millis()),
                        })
                    })
                    .collect();
                Ok(Some((items, usage)))
            }
            Platform::Reddit => {
                let mut url = self
                    .endpoints
                    .url(Host::Api, &format!("/comments/{media_id}"));
                url.query_pairs_mut()
                    .append_pair("limit", "100")
                    .append_pair("raw_json", "1");
                let (body, usage) = self
                    .read(
                        "comments",
                        self.http.client().get(url).bearer_auth(access.expose()),
                    )
                    .await?;
                let items = body
                    .get(1)
                    .and_then(|listing| listing.pointer("/data/children"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|c| c.get("kind").and_then(Value::as_str) == Some("t1"))
                    .filter_map(|c| {
                        let d = c.get("data")?;
                        Some(CommentItem {
                            id: text(d, "id")?,
                            author: text(d, "author"),
                            body: text(d, "body"),
                            like_count: num(d, "score").map(|n| n as i64),
                            created_at: num(d, "created_utc").map(|s| (s * 1000.0) as i64),
                        })
                    })
                    .collect();
                Ok(Some((items, usage)))
            }
        }
    }

    /// Instagram's lifetime insights of one post (views, reach, shares, saves).
    pub async fn media_insights(
        &self,
        access: &SecretValue,
        media_id: &str,
    ) -> Result<(Vec<(&'static str, f64)>, Option<Usage>), PlatformError> {
        use metric::*;
        let mut url = self
            .endpoints
            .url(Host::Api, &format!("/{GRAPH_VERSION}/{media_id}/insights"));
        url.query_pairs_mut()
            .append_pair("metric", "views,reach,shares,saved");
        let (body, usage) = self
            .read(
                "media.insights",
                self.http.client().get(url).bearer_auth(access.expose()),
            )
            .await?;
        let mut out = Vec::new();
        for entry in body
            .get("data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = entry.get("name").and_then(Value::as_str).unwrap_or("");
            let ours = match name {
                "views" => VIEWS,
                "reach" => REACH,
                // Likes and comments come from the listing's live counters (`like_count`,
                // `comments_count`); the insights' copies lag and are not stored twice.
                "likes" | "comments" => continue,
                "shares" => SHARES,
                "saved" => SAVES,
                other => {
                    note_unknown_metric(self.platform, other);
                    continue;
                }
            };
            let value = entry
                .pointer("/values/0/value")
                .or_else(|| entry.pointer("/total_value/value"))
                .and_then(Value::as_f64);
            if let Some(v) = value {
                out.push((ours, v));
            }
        }
        Ok((out, usage))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(headers: &[(&str, &str)]) -> HttpResponse {
        let mut map = reqwest::header::HeaderMap::new();
        for (k, v) in headers {
            map.insert(
                reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        HttpResponse {
            status: 200,
            headers: map,
            body: Vec::new(),
        }
    }

    #[test]
    fn usage_headers_are_read_per_platform() {
        let r = usage(&resp(&[
            ("x-ratelimit-remaining", "250.0"),
            ("x-ratelimit-used", "750"),
            ("x-ratelimit-reset", "120"),
        ]))
        .unwrap();
        assert_eq!(
            r,
            Usage {
                remaining: 0.25,
                reset_secs: Some(120)
            }
        );
        let r = usage(&resp(&[
            ("x-app-usage", r#"{"call_count":10,"total_time":5,"total_cputime":2}"#),
            ("x-business-use-case-usage", r#"{"178":[{"type":"instagram","call_count":95,"total_time":3,"total_cputime":1,"estimated_time_to_regain_access":7}]}"#),
        ]))
        .unwrap();
        assert!((r.remaining - 0.05).abs() < 1e-9);
        assert_eq!(r.reset_secs, Some(420));
        assert!(usage(&resp(&[])).is_none());
    }
}
