//! Queueing a post from the command line or the publish form: the request as both front
//! ends give it ([`PublishRequest`]: targets, time and options as text) read into a
//! [`PostRequest`] with every mistake named, then the source (a file, or a URL the platform
//! fetches, or a Reddit text post) hashed for dedupe, the targets resolved to accounts, the
//! options checked (unknown keys, caption limits, the file's header), and one idempotent
//! job per target account. Files are never moved: only watched folders are tidied.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use ts_rs::TS;

use super::options::{InstagramOptions, PostOptions, RedditOptions, TiktokOptions};
use super::{check, is_url_source, PublishError};
use crate::clock::SharedClock;
use crate::db::accounts::AccountStatus;
use crate::db::{Database, DbError};
use crate::media::MediaKind;
use crate::platform::Platform;
use crate::queue::{enqueue, Enqueued, NewJob};
use crate::watch::{hash_file, Target};

/// What to publish.
#[derive(Debug, Clone)]
pub enum Source {
    /// A local video or image.
    File(PathBuf),
    /// A public URL the platform fetches (TikTok PULL_FROM_URL, Instagram `video_url` /
    /// `image_url`), or the link of a Reddit link post.
    Url(String),
    /// A Reddit text post (the body is `reddit.text`).
    Text,
}

/// A post to queue.
#[derive(Debug, Clone)]
pub struct PostRequest {
    /// The media.
    pub source: Source,
    /// Where to.
    pub targets: Vec<Target>,
    /// Caption.
    pub caption: Option<String>,
    /// Per-platform options (`{"tiktok": {...}, "reddit": {...}}`).
    pub options: Map<String, Value>,
    /// Publish no earlier than this.
    pub publish_at: Option<DateTime<Utc>>,
}

/// What to publish as the publish form sends it: `{file}`, `{url}` or `{text: true}`.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(untagged)]
pub enum PublishSource {
    /// A local file.
    File {
        /// Its path.
        file: String,
    },
    /// A URL the platform fetches (or a Reddit link).
    Url {
        /// The URL.
        url: String,
    },
    /// A Reddit text post.
    Text {
        /// Always true.
        text: bool,
    },
}

impl PublishSource {
    /// The command line's `FILE` argument: a URL when it starts with `http(s)://`, else a
    /// path.
    pub fn from_arg(arg: &str) -> PublishSource {
        if is_url_source(arg) {
            PublishSource::Url {
                url: arg.to_owned(),
            }
        } else {
            PublishSource::File {
                file: arg.to_owned(),
            }
        }
    }
}

/// The `request` argument of `publish_submit`, and what `outpost publish` makes of its
/// flags: a post with its targets, time and options still as given.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct PublishRequest {
    /// What.
    pub source: PublishSource,
    /// `platform` or `platform:account`.
    pub targets: Vec<String>,
    /// Caption.
    pub caption: Option<String>,
    /// Per-platform options, kept as JSON here: the core checks them for each job.
    #[serde(default)]
    #[ts(as = "PublishOptions")]
    pub options: Map<String, Value>,
    /// RFC 3339, or null for now.
    pub publish_at: Option<String>,
}

/// The shape of `PublishRequest.options` in TypeScript: each platform's options as the
/// core reads them (`null` for "not set"). Only a type for the bindings.
#[derive(TS)]
#[ts(optional_fields)]
pub struct PublishOptions {
    /// TikTok's.
    pub tiktok: Option<TiktokOptions>,
    /// Instagram's.
    pub instagram: Option<InstagramOptions>,
    /// Reddit's.
    pub reddit: Option<RedditOptions>,
}

impl PublishRequest {
    /// The post to [`submit`]: targets parsed (blank ones skipped), the time read, an empty
    /// caption as none, and options set to `null` ("not set" in the form) left out.
    pub fn to_post_request(self) -> Result<PostRequest, PublishError> {
        let publish_at = match self.publish_at.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => Some(parse_time(s)?),
            _ => None,
        };
        Ok(PostRequest {
            source: match self.source {
                PublishSource::File { file } => Source::File(file.into()),
                PublishSource::Url { url } => Source::Url(url),
                PublishSource::Text { .. } => Source::Text,
            },
            targets: parse_targets(&self.targets)?,
            caption: self.caption.filter(|c| !c.is_empty()),
            options: drop_nulls(self.options),
            publish_at,
        })
    }
}

/// `platform` or `platform:account` each; blank entries are skipped.
pub fn parse_targets(list: &[String]) -> Result<Vec<Target>, PublishError> {
    list.iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<Target>()
                .map_err(|e| PublishError::invalid("publish.bad_target", format!("{t}: {e}")))
        })
        .collect()
}

/// When to publish: RFC 3339, or a local "YYYY-MM-DD HH:MM[:SS]" / "YYYY-MM-DDTHH:MM[:SS]".
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, PublishError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, format) {
            if let Some(t) = Local.from_local_datetime(&naive).earliest() {
                return Ok(t.with_timezone(&Utc));
            }
        }
    }
    Err(PublishError::invalid(
        "publish.bad_time",
        format!(
            "{s:?} is not a time like 2026-12-01T18:00:00+01:00 or \"2026-12-01 18:00\" (local)"
        ),
    ))
}

/// Options as the core reads them: the form sends `null` for "not set", the core reads a
/// missing key as that.
pub fn drop_nulls(options: Map<String, Value>) -> Map<String, Value> {
    options
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| match v {
            Value::Object(m) => (k, Value::Object(drop_nulls(m))),
            other => (k, other),
        })
        .collect()
}

/// One queued job.
#[derive(Debug, Clone, Serialize, TS)]
pub struct QueuedJob {
    /// `platform[:account]` as asked.
    pub target: String,
    /// The account's id.
    pub account_id: i64,
    /// The job, new or already queued for the same content.
    pub enqueued: Enqueued,
}

/// Queue `request`: one job per target account (the same content for the same account is
/// never queued twice). Everything that can be checked without the platform is checked
/// first; nothing is queued when something is wrong.
pub async fn submit(
    db: &Database,
    clock: &SharedClock,
    request: &PostRequest,
) -> Result<Vec<QueuedJob>, PublishError> {
    if request.targets.is_empty() {
        return Err(PublishError::invalid(
            "publish.no_targets",
            "say where to publish: --to tiktok, instagram or reddit (optionally platform:account)",
        ));
    }
    let caption = request.caption.clone().unwrap_or_default();
    let (source_path, kind, hash, bytes, probe) = match &request.source {
        Source::File(path) => {
            let path = std::fs::canonicalize(path).map_err(|e| PublishError::io(path, e))?;
            let probe = check::probe(&path).await?;
            let kind = if probe.container.is_video() {
                "video"
            } else {
                "image"
            };
            let owned = path.clone();
            let hash = tokio::task::spawn_blocking(move || hash_file(&owned))
                .await
                .map_err(|e| PublishError::io(&path, std::io::Error::other(e.to_string())))?
                .map_err(|e| PublishError::invalid("publish.bad_file", e.to_string()))?;
            (
                path.to_string_lossy().into_owned(),
                kind,
                hash.hex,
                Some(hash.len),
                Some(probe),
            )
        }
        Source::Url(url) => {
            if !is_url_source(url) || url::Url::parse(url).is_err() {
                return Err(PublishError::invalid(
                    "publish.bad_url",
                    format!("{url:?} is not an http(s) URL"),
                ));
            }
            let kind = if request
                .targets
                .iter()
                .all(|t| t.platform == Platform::Reddit)
            {
                "link"
            } else {
                "video"
            };
            (
                url.clone(),
                kind,
                blake3::hash(url.as_bytes()).to_hex().to_string(),
                None,
                None,
            )
        }
        Source::Text => {
            let text = request
                .options
                .get("reddit")
                .and_then(|r| r.get("text"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let key = format!("text\n{caption}\n{text}");
            (
                String::new(),
                "text",
                blake3::hash(key.as_bytes()).to_hex().to_string(),
                None,
                None,
            )
        }
    };
    let mut planned = Vec::new();
    for target in &request.targets {
        let account = match db.accounts().find(&target.selector()).await {
            Ok(a) => a,
            Err(DbError::NotFound(reason)) => {
                return Err(PublishError::invalid(
                    "publish.unknown_account",
                    format!("{target}: {reason}"),
                ))
            }
            Err(e) => return Err(e.into()),
        };
        if account.status == AccountStatus::Disconnected {
            return Err(PublishError::invalid(
                "publish.account_disconnected",
                format!(
                    "{target}: the account is disconnected; run `outpost connect {}`",
                    target.platform.as_str()
                ),
            ));
        }
        let stored = json!({
            "caption": request.caption,
            "target": target.to_string(),
            "origin": "submit",
            "options": request.options.get(target.platform.as_str()).cloned().unwrap_or_else(|| json!({})),
        });
        let opts = PostOptions::parse(target.platform, &stored)?;
        if kind != "text"
            && kind != "link"
            && !(target.platform == Platform::Reddit && kind == "video" && probe.is_none())
        {
            let media_kind = if kind == "image" {
                MediaKind::Image
            } else {
                MediaKind::Video
            };
            let title =
                (target.platform == Platform::Reddit).then(|| opts.reddit.title_or(&caption));
            check::limits(
                target.platform,
                media_kind,
                probe.as_ref(),
                &caption,
                title.as_deref(),
                None,
            )?;
        }
        if planned
            .iter()
            .any(|(_, id, _): &(Target, i64, Value)| *id == account.id)
        {
            continue;
        }
        planned.push((target.clone(), account.id, stored));
    }
    let now = clock.now_millis();
    let mut out = Vec::with_capacity(planned.len());
    for (target, account_id, options) in planned {
        let job = NewJob {
            account_id,
            content_hash: hash.clone(),
            source_path: source_path.clone(),
            kind: kind.into(),
            options,
            publish_at: request.publish_at.map(|t| t.timestamp_millis()),
            bytes_total: bytes.and_then(|b| i64::try_from(b).ok()),
        };
        let enqueued = enqueue(db, &job, now).await?;
        out.push(QueuedJob {
            target: target.to_string(),
            account_id,
            enqueued,
        });
    }
    Ok(out)
}

/// `NAME.poster.jpg|jpeg|png` beside a video, if there is one.
pub fn poster_beside(video: &Path) -> Option<PathBuf> {
    let stem = video.file_stem()?.to_string_lossy().into_owned();
    let dir = video.parent()?;
    ["jpg", "jpeg", "png"]
        .iter()
        .map(|ext| dir.join(format!("{stem}.poster.{ext}")))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_request_becomes_the_cores() {
        let r: PublishRequest = serde_json::from_value(json!({
            "source": {"file": "/tmp/a.mp4"},
            "targets": ["tiktok:ridge", "reddit", " "],
            "caption": "Ridge",
            "options": {"tiktok": {"privacy_level": "SELF_ONLY", "video_cover_timestamp_ms": null}},
            "publish_at": "2026-12-01T18:00:00+01:00"
        }))
        .unwrap();
        let p = r.to_post_request().unwrap();
        assert!(matches!(p.source, Source::File(_)));
        assert_eq!(p.targets.len(), 2);
        assert_eq!(p.options["tiktok"], json!({"privacy_level": "SELF_ONLY"}));
        assert_eq!(
            p.publish_at.unwrap().to_rfc3339(),
            "2026-12-01T17:00:00+00:00"
        );
    }

    #[test]
    fn text_and_url_sources() {
        let t: PublishSource = serde_json::from_value(json!({"text": true})).unwrap();
        assert!(matches!(t, PublishSource::Text { .. }));
        let u: PublishSource = serde_json::from_value(json!({"url": "https://x"})).unwrap();
        assert!(matches!(u, PublishSource::Url { .. }));
        assert!(matches!(
            PublishSource::from_arg("http://host/v.mp4"),
            PublishSource::Url { .. }
        ));
        assert!(matches!(
            PublishSource::from_arg("clips/v.mp4"),
            PublishSource::File { .. }
        ));
    }

    #[test]
    fn a_bad_time_or_target_is_named() {
        let r: PublishRequest = serde_json::from_value(json!({
            "source": {"text": true}, "targets": ["reddit"], "caption": "",
            "options": {}, "publish_at": "tomorrow"
        }))
        .unwrap();
        let err = r.clone().to_post_request().unwrap_err();
        assert!(
            matches!(&err, PublishError::Invalid { code: "publish.bad_time", message } if message.contains("tomorrow")),
            "{err}"
        );
        let none = PublishRequest {
            publish_at: Some(" ".into()),
            ..r.clone()
        };
        let p = none.to_post_request().unwrap();
        assert!(p.publish_at.is_none() && p.caption.is_none());
        let bad = PublishRequest {
            targets: vec!["myspace".into()],
            publish_at: None,
            ..r
        };
        assert!(matches!(
            bad.to_post_request().unwrap_err(),
            PublishError::Invalid {
                code: "publish.bad_target",
                ..
            }
        ));
    }

    #[test]
    fn local_times_are_read() {
        for s in ["2026-12-01 18:00", "2026-12-01T18:00:30"] {
            assert!(parse_time(s).is_ok(), "{s}");
        }
    }
}
