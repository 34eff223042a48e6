//! Queueing a post from the command line or the publish form: the source (a file, or a
//! URL the platform fetches, or a Reddit text post) hashed for dedupe, the targets resolved
//! to accounts, the options checked (unknown keys, caption limits, the file's header), and
//! one idempotent job per target account. Files are never moved: only watched folders are
//! tidied.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Map, Value};
use ts_rs::TS;

use super::options::PostOptions;
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
