//! Instagram content publishing: containers (Reels by `video_url` or by resumable upload,
//! images, carousel items and carousels, stories), their status progression with sandbox
//! time (`IN_PROGRESS` → `FINISHED`, or `ERROR` under the `container_error` fault,
//! `EXPIRED` after 24 hours, `PUBLISHED`), the resumable upload host (`offset` /
//! `file_size` headers, streamed and hashed), `media_publish` and
//! `content_publishing_limit`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use futures_util::StreamExt;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{InstagramError, API_VERSION, PUBLISH_QUOTA};
use crate::config::Platform;
use crate::state::{AccessToken, MediaItem, Shared};
use crate::web;

/// Largest video accepted by the resumable upload host.
pub const MAX_VIDEO_BYTES: u64 = 300 * 1024 * 1024;
/// Containers not published within this many seconds expire.
pub const CONTAINER_TTL: i64 = 86_400;
/// Processing time of a video container after its bytes are available.
pub const VIDEO_PROCESSING_SECS: i64 = 10;
/// Processing time of an image or carousel container.
pub const IMAGE_PROCESSING_SECS: i64 = 2;
const CAPTION_MAX: usize = 2200;
const HASHTAGS_MAX: usize = 30;
const MENTIONS_MAX: usize = 20;

/// Where a container's media comes from.
#[derive(Debug, Clone)]
pub enum ContainerSource {
    /// `video_url` / `image_url` (Meta fetches it).
    Url(String),
    /// Bytes sent to the resumable upload host.
    Resumable {
        /// Total announced in `file_size`.
        file_size: Option<u64>,
        /// Bytes received.
        received: u64,
        /// Running hash of the bytes.
        hasher: Sha256,
        /// A chunk is being received.
        in_progress: bool,
    },
    /// Carousel children container ids.
    Children(Vec<String>),
}

/// A media container.
#[derive(Debug, Clone)]
pub struct Container {
    /// Container id.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// `REELS`, `IMAGE`, `VIDEO` (carousel item), `CAROUSEL`, `STORIES`.
    pub media_type: String,
    /// `is_carousel_item=true`.
    pub carousel_item: bool,
    /// Caption.
    pub caption: String,
    /// Media source.
    pub source: ContainerSource,
    /// Creation time.
    pub created_at: i64,
    /// When processing is done (`None` until the bytes are all there).
    pub ready_at: Option<i64>,
    /// Ends in ERROR (fault at creation).
    pub error: bool,
    /// Media id once published.
    pub published_media: Option<String>,
}

/// All containers.
#[derive(Debug, Default)]
pub struct InstagramState {
    /// By id.
    pub containers: HashMap<String, Container>,
}

/// `status_code` and `status` of a container at `now`.
pub fn status_of(
    all: &HashMap<String, Container>,
    c: &Container,
    now: i64,
) -> (&'static str, String) {
    if c.published_media.is_some() {
        return ("PUBLISHED", "Published".into());
    }
    if now >= c.created_at + CONTAINER_TTL {
        return (
            "EXPIRED",
            "Expired: the container was not published within 24 hours.".into(),
        );
    }
    let Some(ready) = c.ready_at else {
        return (
            "IN_PROGRESS",
            "In Progress: waiting for the upload to complete.".into(),
        );
    };
    if now < ready {
        return ("IN_PROGRESS", "In Progress".into());
    }
    if c.error {
        return (
            "ERROR",
            "Error: Media upload has failed with error code 2207003.".into(),
        );
    }
    if let ContainerSource::Children(ids) = &c.source {
        for id in ids {
            if let Some(child) = all.get(id) {
                let (code, _) = status_of(all, child, now);
                if code == "ERROR" {
                    return ("ERROR", "Error: a carousel item failed to process.".into());
                }
            }
        }
    }
    (
        "FINISHED",
        "Finished: Media has been uploaded and it is ready to be published.".into(),
    )
}

fn https_or_fetch_error(url: &str) -> Result<(), InstagramError> {
    let parsed = url::Url::parse(url).map_err(|_| {
        InstagramError::graph(
            9004,
            Some(2_207_052),
            "The media could not be fetched from this URI.",
        )
    })?;
    if parsed.scheme() != "https" {
        return Err(InstagramError::graph(
            9004,
            Some(2_207_052),
            "The media could not be fetched from this URI.",
        ));
    }
    Ok(())
}

fn check_caption(caption: &str) -> Result<(), InstagramError> {
    if caption.chars().count() > CAPTION_MAX {
        return Err(InstagramError::param(
            "(#100) The caption is longer than 2200 characters.",
        ));
    }
    let hashtags = caption
        .split_whitespace()
        .filter(|w| w.starts_with('#') && w.len() > 1)
        .count();
    let mentions = caption
        .split_whitespace()
        .filter(|w| w.starts_with('@') && w.len() > 1)
        .count();
    if hashtags > HASHTAGS_MAX || mentions > MENTIONS_MAX {
        return Err(InstagramError::graph(
            100,
            Some(2_207_040),
            "The caption has more than 30 hashtags or more than 20 @-mentions.",
        ));
    }
    Ok(())
}

/// `POST /{ig-user-id}/media`.
pub fn create_container(
    shared: &Shared,
    t: &AccessToken,
    user_id: &str,
    p: &HashMap<String, String>,
    now: i64,
) -> Result<Response, InstagramError> {
    if !t
        .scopes
        .iter()
        .any(|s| s == "instagram_business_content_publish")
    {
        return Err(InstagramError::permission(
            "instagram_business_content_publish",
        ));
    }
    let media_type = p.get("media_type").map(String::as_str).unwrap_or("");
    let carousel_item = p.get("is_carousel_item").is_some_and(|v| v == "true");
    let caption = if carousel_item {
        String::new()
    } else {
        p.get("caption").cloned().unwrap_or_default()
    };
    check_caption(&caption)?;
    let resumable = p.get("upload_type").is_some_and(|v| v == "resumable");
    let mut state = shared.lock();
    let (kind, source, ready_in): (&str, ContainerSource, Option<i64>) = match media_type {
        "CAROUSEL" => {
            let children: Vec<String> = p
                .get("children")
                .map(|c| c.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default();
            if !(2..=10).contains(&children.len()) {
                return Err(InstagramError::graph(100, Some(2_207_028), "A carousel needs between 2 and 10 children."));
            }
            for id in &children {
                let child = state
                    .instagram
                    .containers
                    .get(id)
                    .filter(|c| c.user_id == user_id && c.carousel_item)
                    .ok_or_else(|| InstagramError::param(format!("(#100) Param children contains an invalid carousel item id {id}.")))?;
                let (code, _) = status_of(&state.instagram.containers, child, now);
                if code != "FINISHED" {
                    return Err(InstagramError::graph(9007, Some(2_207_027), format!("The carousel item {id} is not ready ({code}).")));
                }
            }
            ("CAROUSEL", ContainerSource::Children(children), Some(IMAGE_PROCESSING_SECS))
        }
        "REELS" | "VIDEO" | "STORIES" if media_type != "VIDEO" || carousel_item => {
            if media_type == "STORIES" && p.contains_key("image_url") {
                let url = &p["image_url"];
                https_or_fetch_error(url)?;
                ("STORIES", ContainerSource::Url(url.clone()), Some(IMAGE_PROCESSING_SECS))
            } else if resumable {
                let source = ContainerSource::Resumable { file_size: None, received: 0, hasher: Sha256::new(), in_progress: false };
                (media_type, source, None)
            } else {
                let url = p
                    .get("video_url")
                    .filter(|u| !u.is_empty())
                    .ok_or_else(|| InstagramError::param("(#100) The parameter video_url is required (or upload_type=resumable)."))?;
                https_or_fetch_error(url)?;
                (media_type, ContainerSource::Url(url.clone()), Some(VIDEO_PROCESSING_SECS))
            }
        }
        "VIDEO" => {
            return Err(InstagramError::graph(
                100,
                Some(2_207_089),
                "The media_type VIDEO is only for carousel items: use media_type=REELS for a single video.",
            ))
        }
        "" | "IMAGE" => {
            let url = p
                .get("image_url")
                .filter(|u| !u.is_empty())
                .ok_or_else(|| InstagramError::param("(#100) The parameter image_url is required."))?;
            https_or_fetch_error(url)?;
            let path = url.split(['?', '#']).next().unwrap_or("").to_ascii_lowercase();
            if !(path.ends_with(".jpg") || path.ends_with(".jpeg")) {
                return Err(InstagramError::graph(36001, Some(2_207_005), "The image format is not supported: only JPEG is."));
            }
            ("IMAGE", ContainerSource::Url(url.clone()), Some(IMAGE_PROCESSING_SECS))
        }
        other => return Err(InstagramError::param(format!("(#100) Invalid media_type: {other}."))),
    };
    let id = state.next_digits("ig-container", 17);
    let error = state.faults.container_error;
    let container = Container {
        id: id.clone(),
        user_id: user_id.to_string(),
        media_type: kind.to_string(),
        carousel_item,
        caption,
        source,
        created_at: now,
        ready_at: ready_in.map(|s| now + s),
        error,
        published_media: None,
    };
    let resumable_uri = matches!(container.source, ContainerSource::Resumable { .. }).then(|| {
        format!(
            "{}/ig-api-upload/{API_VERSION}/{id}",
            shared.base(Platform::Instagram)
        )
    });
    state.instagram.containers.insert(id.clone(), container);
    let body = match resumable_uri {
        Some(uri) => json!({"id": id, "uri": uri}),
        None => json!({"id": id}),
    };
    Ok(web::json(StatusCode::OK, &body))
}

fn fingerprint(all: &HashMap<String, Container>, c: &Container) -> (String, Option<String>, u64) {
    match &c.source {
        ContainerSource::Url(u) => (format!("url:{u}"), None, 0),
        ContainerSource::Resumable {
            hasher, received, ..
        } => {
            let sha = hex::encode(hasher.clone().finalize());
            (format!("sha256:{sha}"), Some(sha), *received)
        }
        ContainerSource::Children(ids) => {
            let mut parts = Vec::new();
            let mut bytes = 0;
            for id in ids {
                if let Some(child) = all.get(id) {
                    let (f, _, b) = fingerprint(all, child);
                    parts.push(f);
                    bytes += b;
                }
            }
            (format!("carousel:{}", parts.join("|")), None, bytes)
        }
    }
}

/// `POST /{ig-user-id}/media_publish?creation_id=...`.
pub fn media_publish(
    shared: &Shared,
    t: &AccessToken,
    user_id: &str,
    p: &HashMap<String, String>,
    now: i64,
) -> Result<Response, InstagramError> {
    if !t
        .scopes
        .iter()
        .any(|s| s == "instagram_business_content_publish")
    {
        return Err(InstagramError::permission(
            "instagram_business_content_publish",
        ));
    }
    let creation_id = p
        .get("creation_id")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| InstagramError::param("(#100) The parameter creation_id is required."))?;
    let mut state = shared.lock();
    let c = state
        .instagram
        .containers
        .get(creation_id)
        .filter(|c| c.user_id == user_id)
        .cloned()
        .ok_or_else(|| InstagramError::no_object(creation_id, "post"))?;
    if c.carousel_item {
        return Err(InstagramError::param(
            "(#100) A carousel item cannot be published on its own.",
        ));
    }
    let (code, _) = status_of(&state.instagram.containers, &c, now);
    match code {
        "FINISHED" => {}
        "IN_PROGRESS" => {
            return Err(InstagramError::graph(
                9007,
                Some(2_207_027),
                "Media ID is not available",
            ))
        }
        "ERROR" => {
            return Err(InstagramError::graph(
                -1,
                Some(2_207_032),
                "Create media has failed. Please try again with a new container.",
            ))
        }
        "EXPIRED" => {
            return Err(InstagramError::graph(
                -2,
                Some(2_207_020),
                "The media container has expired. Please create a new one.",
            ))
        }
        _ => {
            return Err(InstagramError::param(
                "(#100) The media container has already been published.",
            ))
        }
    }
    let recent = state
        .published
        .iter()
        .filter(|r| {
            r.platform == Platform::Instagram && r.user_id == user_id && r.at > now - 86_400
        })
        .count();
    if recent >= PUBLISH_QUOTA {
        return Err(InstagramError::graph(
            9,
            Some(2_207_042),
            "The account has reached its limit of published posts for 24 hours.",
        ));
    }
    let media_id = state.next_digits("ig-media", 17);
    let (fp, sha, bytes) = fingerprint(&state.instagram.containers, &c);
    let (kind, via) = match c.media_type.as_str() {
        "CAROUSEL" => ("CAROUSEL_ALBUM", "carousel"),
        "IMAGE" => ("IMAGE", "image"),
        "STORIES" => ("STORY", "story"),
        _ => ("REELS", "reels"),
    };
    if let Some(stored) = state.instagram.containers.get_mut(&c.id) {
        stored.published_media = Some(media_id.clone());
    }
    state.media.push(MediaItem {
        platform: Platform::Instagram,
        id: media_id.clone(),
        owner: user_id.to_string(),
        caption: c.caption.clone(),
        kind: kind.into(),
        created_at: now,
        public: kind != "STORY",
        subreddit: None,
        body: None,
        duration: if kind == "REELS" { 30 } else { 0 },
    });
    state.record_publish(
        Platform::Instagram,
        &media_id,
        user_id,
        &fp,
        &c.caption,
        sha,
        bytes,
        via,
        now,
    );
    Ok(web::json(StatusCode::OK, &json!({"id": media_id})))
}

/// `GET /{ig-user-id}/content_publishing_limit`.
pub fn publishing_limit(
    shared: &Shared,
    t: &AccessToken,
    user_id: &str,
    p: &HashMap<String, String>,
    now: i64,
) -> Result<Response, InstagramError> {
    if !t
        .scopes
        .iter()
        .any(|s| s == "instagram_business_content_publish")
    {
        return Err(InstagramError::permission(
            "instagram_business_content_publish",
        ));
    }
    let since = match p.get("since") {
        Some(s) => s
            .parse::<i64>()
            .map_err(|_| InstagramError::param("(#100) since must be a unix timestamp."))?,
        None => now - 86_400,
    };
    let usage = shared
        .lock()
        .published
        .iter()
        .filter(|r| {
            r.platform == Platform::Instagram
                && r.user_id == user_id
                && r.at > since.max(now - 86_400)
        })
        .count();
    let fields: Vec<&str> = p.get("fields").map_or(vec!["quota_usage"], |f| {
        f.split(',').map(str::trim).collect()
    });
    let mut entry = serde_json::Map::new();
    for f in fields {
        match f {
            "quota_usage" => entry.insert("quota_usage".into(), json!(usage)),
            "config" => entry.insert("config".into(), json!({"quota_total": PUBLISH_QUOTA, "quota_duration": 86_400})),
            other => return Err(InstagramError::param(format!("(#100) Tried accessing nonexisting field ({other}) on node type (ContentPublishingLimit)"))),
        };
    }
    Ok(web::json(
        StatusCode::OK,
        &json!({"data": [Value::Object(entry)]}),
    ))
}

fn rupload_error(status: StatusCode, kind: &str, message: &str, retriable: bool) -> Response {
    web::json(
        status,
        &json!({"debug_info": {"retriable": retriable, "type": kind, "message": message}}),
    )
}

struct UploadGuard {
    shared: Arc<Shared>,
    id: String,
}

impl Drop for UploadGuard {
    fn drop(&mut self) {
        if let Some(c) = self.shared.lock().instagram.containers.get_mut(&self.id) {
            if let ContainerSource::Resumable { in_progress, .. } = &mut c.source {
                *in_progress = false;
            }
        }
    }
}

/// `POST /ig-api-upload/{version}/{container-id}` (rupload host).
pub async fn rupload(
    State(shared): State<Arc<Shared>>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let now = shared.clock.now();
    let token = web::auth_token(&headers);
    let header_u64 =
        |name: &str| web::header_str(&headers, name).and_then(|v| v.trim().parse::<u64>().ok());
    let (Some(offset), Some(file_size)) = (header_u64("offset"), header_u64("file_size")) else {
        return rupload_error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "The offset and file_size headers are required.",
            false,
        );
    };
    if file_size == 0 || file_size > MAX_VIDEO_BYTES {
        return rupload_error(
            StatusCode::BAD_REQUEST,
            "FileSizeError",
            "file_size must be between 1 byte and 300 MB.",
            false,
        );
    }
    let mut hasher = {
        let mut state = shared.lock();
        let t = match state.authenticate(Platform::Instagram, token.as_deref(), now) {
            Ok(t) => t,
            Err(e) => {
                return rupload_error(StatusCode::UNAUTHORIZED, "AuthError", &e.to_string(), false)
            }
        };
        let Some(c) = state
            .instagram
            .containers
            .get_mut(&id)
            .filter(|c| c.user_id == t.user_id)
        else {
            return rupload_error(
                StatusCode::NOT_FOUND,
                "NotFound",
                "Unknown container.",
                false,
            );
        };
        let ContainerSource::Resumable {
            file_size: announced,
            received,
            hasher,
            in_progress,
        } = &mut c.source
        else {
            return rupload_error(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "This container was not created with upload_type=resumable.",
                false,
            );
        };
        if announced.is_some_and(|a| a != file_size) {
            return rupload_error(
                StatusCode::BAD_REQUEST,
                "FileSizeError",
                "file_size differs from the first upload request.",
                false,
            );
        }
        if *in_progress || offset != *received {
            let message =
                format!("offset {offset} does not match the {received} bytes received so far.");
            return rupload_error(StatusCode::BAD_REQUEST, "OffsetMismatch", &message, true);
        }
        if *received == file_size {
            return rupload_error(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "The upload is already complete.",
                false,
            );
        }
        *announced = Some(file_size);
        *in_progress = true;
        hasher.clone()
    };
    let _guard = UploadGuard {
        shared: shared.clone(),
        id: id.clone(),
    };
    let room = file_size - offset;
    let mut got: u64 = 0;
    let mut stream = body.into_data_stream();
    while let Some(frame) = stream.next().await {
        let Ok(bytes) = frame else {
            return rupload_error(
                StatusCode::BAD_REQUEST,
                "ReadError",
                "The request body could not be read.",
                true,
            );
        };
        got += bytes.len() as u64;
        if got > room {
            return rupload_error(
                StatusCode::BAD_REQUEST,
                "FileSizeError",
                "The body goes past file_size.",
                false,
            );
        }
        hasher.update(&bytes);
    }
    let done_at = shared.clock.now();
    let mut state = shared.lock();
    if let Some(c) = state.instagram.containers.get_mut(&id) {
        if let ContainerSource::Resumable {
            received,
            hasher: stored,
            ..
        } = &mut c.source
        {
            *received += got;
            *stored = hasher;
            if *received == file_size {
                c.ready_at = Some(done_at + VIDEO_PROCESSING_SECS);
            }
        }
    }
    web::json(
        StatusCode::OK,
        &json!({"success": true, "message": "Upload successful."}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions_are_limited_in_length_hashtags_and_mentions() {
        assert!(check_caption("hello #a @b").is_ok());
        assert!(check_caption(&"x".repeat(2201)).is_err());
        let tags: String = (0..31).map(|i| format!("#t{i} ")).collect();
        assert!(matches!(
            check_caption(&tags),
            Err(InstagramError::Graph {
                subcode: Some(2_207_040),
                ..
            })
        ));
        let mentions: String = (0..21).map(|i| format!("@u{i} ")).collect();
        assert!(check_caption(&mentions).is_err());
    }
}
