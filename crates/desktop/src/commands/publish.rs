//! `publish_submit`: the publish form's request, as the core's `PostRequest`, queued with
//! `publish::submit` (which checks everything), then the queue is woken.

use chrono::{DateTime, Utc};
use outpost_core::clock;
use outpost_core::publish::options::{InstagramOptions, RedditOptions, TiktokOptions};
use outpost_core::publish::submit::{self, PostRequest, QueuedJob, Source};
use outpost_core::watch::Target;
use serde::Deserialize;
use serde_json::{Map, Value};
use tauri::State;
use ts_rs::TS;

use crate::error::{fail, shell_error, CmdResult, ErrorPayload};
use crate::state::AppState;

/// What to publish: `{file}`, `{url}` or `{text: true}`.
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
        #[allow(dead_code)]
        text: bool,
    },
}

/// The `request` argument of `publish_submit`: the publish form.
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
#[allow(dead_code)]
pub struct PublishOptions {
    /// TikTok's.
    pub tiktok: Option<TiktokOptions>,
    /// Instagram's.
    pub instagram: Option<InstagramOptions>,
    /// Reddit's.
    pub reddit: Option<RedditOptions>,
}

/// Options as the core reads them: the form sends `null` for "not set", the core reads a
/// missing key as that (glue).
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

/// The core's request for the form's.
pub fn to_post_request(r: PublishRequest) -> Result<PostRequest, ErrorPayload> {
    let targets = r
        .targets
        .iter()
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            t.parse::<Target>()
                .map_err(|e| shell_error("publish.bad_target", format!("{t}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let publish_at = match r.publish_at.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => Some(
            DateTime::parse_from_rfc3339(s)
                .map_err(|_| {
                    shell_error(
                        "publish.bad_time",
                        format!("{s:?} is not a time like 2026-12-01T18:00:00+01:00"),
                    )
                })?
                .with_timezone(&Utc),
        ),
        None => None,
    };
    Ok(PostRequest {
        source: match r.source {
            PublishSource::File { file } => Source::File(file.into()),
            PublishSource::Url { url } => Source::Url(url),
            PublishSource::Text { .. } => Source::Text,
        },
        targets,
        caption: r.caption.filter(|c| !c.is_empty()),
        options: drop_nulls(r.options),
        publish_at,
    })
}

/// `publish_submit`.
#[tauri::command]
pub async fn publish_submit(
    state: State<'_, AppState>,
    request: PublishRequest,
) -> CmdResult<Vec<QueuedJob>> {
    let request = to_post_request(request)?;
    let queued = submit::submit(&state.db, &clock::system(), &request)
        .await
        .map_err(fail)?;
    state.publisher.wake();
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_forms_request_becomes_the_cores() {
        let r: PublishRequest = serde_json::from_value(json!({
            "source": {"file": "/tmp/a.mp4"},
            "targets": ["tiktok:ridge", "reddit"],
            "caption": "Ridge",
            "options": {"tiktok": {"privacy_level": "SELF_ONLY", "video_cover_timestamp_ms": null}},
            "publish_at": "2026-12-01T18:00:00+01:00"
        }))
        .unwrap();
        let p = to_post_request(r).unwrap();
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
    }

    #[test]
    fn a_bad_time_is_named() {
        let r: PublishRequest = serde_json::from_value(json!({
            "source": {"text": true}, "targets": ["reddit"], "caption": null,
            "options": {}, "publish_at": "tomorrow"
        }))
        .unwrap();
        assert_eq!(to_post_request(r).unwrap_err().code, "publish.bad_time");
    }
}
