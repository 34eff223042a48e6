//! TikTok Content Posting API: creator info, direct-post and inbox init (with every
//! documented validation: privacy options, audit rules, daily caps, FILE_UPLOAD chunk
//! math, verified PULL_FROM_URL prefixes), the upload host's sequential Content-Range
//! PUTs (streamed and hashed, never buffered; 206 then 201, 403 after one hour, 416 out
//! of order), and the status state machine driven by sandbox time.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::error::ok;
use super::{
    authorize_call, json_body, per_minute, TikTokError, MODERATION_SECS, PROCESSING_SECS,
    UPLOAD_URL_TTL,
};
use crate::config::Platform;
use crate::state::{MediaItem, Shared, State as SandboxState, User};
use crate::{det, web, webhook};

/// 1 MB as TikTok counts it for chunk bounds (binary).
const MB: u64 = 1024 * 1024;
/// Smallest non-final chunk.
pub const MIN_CHUNK: u64 = 5 * MB;
/// Largest non-final chunk.
pub const MAX_CHUNK: u64 = 64 * MB;
/// Largest final chunk.
pub const MAX_LAST_CHUNK: u64 = 128 * MB;
/// Largest video.
pub const MAX_VIDEO: u64 = 4 * 1024 * MB;
/// Direct posts per creator per 24 h.
pub const DAILY_POSTS: usize = 15;
/// Pending inbox shares per creator per 24 h.
pub const DAILY_INBOX: usize = 5;
const CAPTION_UTF16_MAX: usize = 2200;

/// Direct post or upload to inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `/v2/post/publish/video/init/`.
    Direct,
    /// `/v2/post/publish/inbox/video/init/`.
    Inbox,
}

/// Where the video comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Chunked PUTs to the upload URL.
    File {
        /// Total bytes.
        video_size: u64,
        /// Size of every chunk but the last.
        chunk_size: u64,
        /// Number of chunks.
        total_chunks: u64,
    },
    /// TikTok pulls the URL.
    Url {
        /// The video URL.
        url: String,
    },
    /// Photo post: TikTok pulls every image.
    Photos {
        /// The image URLs.
        urls: Vec<String>,
    },
}

/// One publish (a `publish_id`).
#[derive(Debug, Clone)]
pub struct Publish {
    /// `publish_id`.
    pub id: String,
    /// Creator's open_id.
    pub user_id: String,
    /// App.
    pub client_id: String,
    /// Direct or inbox.
    pub mode: Mode,
    /// Source.
    pub source: Source,
    /// Caption (`post_info.title`).
    pub title: String,
    /// Effective privacy level.
    pub privacy: String,
    /// Init time.
    pub created_at: i64,
    /// Secret part of the upload URL.
    pub upload_token: String,
    /// Bytes accepted so far.
    pub received: u64,
    hasher: Sha256,
    chunk_in_progress: bool,
    /// SHA-256 of the whole upload once complete.
    pub content_sha256: Option<String>,
    /// When the last byte arrived (or the pull started).
    pub committed_at: Option<i64>,
    /// Ends in FAILED (`publish_fail` fault at commit time).
    pub failed: bool,
    /// Public post id once moderated.
    pub post_id: String,
    completion_sent: bool,
    public_sent: bool,
}

/// All publishes.
#[derive(Debug, Default)]
pub struct TikTokState {
    /// By publish id.
    pub publishes: HashMap<String, Publish>,
}

pub(super) fn privacy_options(user: &User) -> Vec<&'static str> {
    if user.private_account {
        vec!["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
    } else {
        vec!["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
    }
}

/// `POST /v2/post/publish/creator_info/query/`.
pub async fn creator_info(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let run = || -> Result<Response, TikTokError> {
        let token = web::auth_token(&headers);
        let mut state = shared.lock();
        let t = authorize_call(
            &mut state,
            token.as_deref(),
            shared.clock.now(),
            &["video.publish"],
        )?;
        per_minute(
            &mut state,
            "creator_info",
            token.as_deref().unwrap_or(""),
            shared.clock.now_ms(),
            20,
        )?;
        let user = state
            .user(Platform::TikTok, &t.user_id)
            .cloned()
            .ok_or_else(TikTokError::internal)?;
        Ok(ok(json!({
            "creator_avatar_url": format!("{}/static/avatar/{}.jpeg", shared.base(Platform::TikTok), user.username),
            "creator_username": user.username,
            "creator_nickname": user.display_name,
            "privacy_level_options": privacy_options(&user),
            "comment_disabled": false,
            "duet_disabled": false,
            "stitch_disabled": true,
            "max_video_post_duration_sec": 600,
        })))
    };
    run().unwrap_or_else(IntoResponse::into_response)
}

/// `POST /v2/post/publish/video/init/`.
pub async fn direct_init(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    init(&shared, &headers, &body, Mode::Direct).unwrap_or_else(IntoResponse::into_response)
}

/// `POST /v2/post/publish/inbox/video/init/`.
pub async fn inbox_init(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    init(&shared, &headers, &body, Mode::Inbox).unwrap_or_else(IntoResponse::into_response)
}

fn positive(v: &Value, name: &str) -> Result<u64, TikTokError> {
    v.get(name)
        .and_then(Value::as_u64)
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            TikTokError::invalid_params(format!("source_info.{name} must be a positive integer."))
        })
}

/// Validates FILE_UPLOAD sizes exactly as documented.
pub fn check_chunks(video_size: u64, chunk_size: u64, total: u64) -> Result<(), String> {
    if video_size > MAX_VIDEO {
        return Err(format!(
            "video_size exceeds the maximum of {MAX_VIDEO} bytes."
        ));
    }
    if video_size < MIN_CHUNK {
        if chunk_size != video_size || total != 1 {
            return Err("A video under 5 MB must be uploaded as one chunk with chunk_size equal to video_size.".into());
        }
        return Ok(());
    }
    if chunk_size > video_size {
        return Err("chunk_size must not exceed video_size.".into());
    }
    if chunk_size < MIN_CHUNK {
        return Err("chunk_size must be at least 5 MB.".into());
    }
    if chunk_size > MAX_CHUNK && chunk_size != video_size {
        return Err("chunk_size must be at most 64 MB.".into());
    }
    if chunk_size == video_size && video_size > MAX_CHUNK {
        return Err("A video over 64 MB must be uploaded in chunks.".into());
    }
    let expected = video_size / chunk_size;
    if total != expected {
        return Err(format!(
            "total_chunk_count must be floor(video_size / chunk_size) = {expected}."
        ));
    }
    if !(1..=1000).contains(&total) {
        return Err("total_chunk_count must be between 1 and 1000.".into());
    }
    let last = video_size - (total - 1) * chunk_size;
    if last > MAX_LAST_CHUNK {
        return Err("The last chunk must not exceed 128 MB.".into());
    }
    Ok(())
}

/// What every direct post (video or photo) must pass for this creator and app: a privacy
/// level the creator offers, a private account for an unaudited app, the daily post cap.
pub(super) fn check_direct_post(
    state: &SandboxState,
    app: &crate::config::RegisteredApp,
    user: &User,
    privacy: &str,
    now: i64,
) -> Result<(), TikTokError> {
    if !privacy_options(user).contains(&privacy) {
        return Err(TikTokError::api(
            StatusCode::BAD_REQUEST,
            "privacy_level_option_mismatch",
            "privacy_level is not one of the creator's privacy_level_options.",
        ));
    }
    if !app.audited && !user.private_account {
        return Err(TikTokError::api(
            StatusCode::FORBIDDEN,
            "unaudited_client_can_only_post_to_private_accounts",
            "Unaudited clients can only post to a private account.",
        ));
    }
    if count_recent(state, &user.id, Mode::Direct, now - 86_400) >= DAILY_POSTS {
        return Err(TikTokError::api(
            StatusCode::FORBIDDEN,
            "spam_risk_too_many_posts",
            "The creator has reached the daily post cap.",
        ));
    }
    Ok(())
}

pub(super) fn count_recent(state: &SandboxState, user_id: &str, mode: Mode, since: i64) -> usize {
    state
        .tiktok
        .publishes
        .values()
        .filter(|p| p.user_id == user_id && p.mode == mode && p.created_at > since)
        .count()
}

fn init(
    shared: &Arc<Shared>,
    headers: &HeaderMap,
    body: &[u8],
    mode: Mode,
) -> Result<Response, TikTokError> {
    let token = web::auth_token(headers);
    let now = shared.clock.now();
    let mut state = shared.lock();
    let scope = if mode == Mode::Direct {
        "video.publish"
    } else {
        "video.upload"
    };
    let t = authorize_call(&mut state, token.as_deref(), now, &[scope])?;
    per_minute(
        &mut state,
        "init",
        token.as_deref().unwrap_or(""),
        shared.clock.now_ms(),
        6,
    )?;
    let body = json_body(body)?;
    let user = state
        .user(Platform::TikTok, &t.user_id)
        .cloned()
        .ok_or_else(TikTokError::internal)?;
    let app = state
        .app(Platform::TikTok, &t.client_id)
        .cloned()
        .ok_or_else(TikTokError::internal)?;
    let (title, privacy) = if mode == Mode::Direct {
        let post_info = body
            .get("post_info")
            .filter(|v| v.is_object())
            .ok_or_else(|| TikTokError::invalid_params("post_info is required."))?;
        let privacy = post_info
            .get("privacy_level")
            .and_then(Value::as_str)
            .ok_or_else(|| TikTokError::invalid_params("post_info.privacy_level is required."))?;
        let title = match post_info.get("title") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                return Err(TikTokError::invalid_params(
                    "post_info.title must be a string.",
                ))
            }
        };
        if title.encode_utf16().count() > CAPTION_UTF16_MAX {
            return Err(TikTokError::invalid_params(
                "post_info.title exceeds 2200 UTF-16 code units.",
            ));
        }
        check_direct_post(&state, &app, &user, privacy, now)?;
        let privacy = if app.audited {
            privacy.to_string()
        } else {
            "SELF_ONLY".to_string()
        };
        (title, privacy)
    } else {
        if count_recent(&state, &user.id, Mode::Inbox, now - 86_400) >= DAILY_INBOX {
            return Err(TikTokError::api(
                StatusCode::FORBIDDEN,
                "spam_risk_too_many_pending_share",
                "The creator has too many pending inbox shares.",
            ));
        }
        (String::new(), "SELF_ONLY".to_string())
    };
    let source_info = body
        .get("source_info")
        .filter(|v| v.is_object())
        .ok_or_else(|| TikTokError::invalid_params("source_info is required."))?;
    let source = match source_info.get("source").and_then(Value::as_str) {
        Some("FILE_UPLOAD") => {
            let video_size = positive(source_info, "video_size")?;
            let chunk_size = positive(source_info, "chunk_size")?;
            let total_chunks = positive(source_info, "total_chunk_count")?;
            check_chunks(video_size, chunk_size, total_chunks)
                .map_err(TikTokError::invalid_params)?;
            Source::File {
                video_size,
                chunk_size,
                total_chunks,
            }
        }
        Some("PULL_FROM_URL") => {
            let url = source_info
                .get("video_url")
                .and_then(Value::as_str)
                .filter(|u| !u.is_empty())
                .ok_or_else(|| TikTokError::invalid_params("source_info.video_url is required."))?;
            let verified = url.starts_with("https://")
                && app
                    .verified_url_prefixes
                    .iter()
                    .any(|p| url.starts_with(p.as_str()));
            if !verified {
                return Err(TikTokError::api(
                    StatusCode::FORBIDDEN,
                    "url_ownership_unverified",
                    "The video_url's domain or URL prefix is not verified for this app.",
                ));
            }
            Source::Url {
                url: url.to_string(),
            }
        }
        _ => {
            return Err(TikTokError::invalid_params(
                "source_info.source must be FILE_UPLOAD or PULL_FROM_URL.",
            ))
        }
    };
    let kind = if matches!(source, Source::File { .. }) {
        "file"
    } else {
        "url"
    };
    let (id, upload_token) = insert_publish(
        &mut state,
        &user.id,
        &app.client_id,
        mode,
        source.clone(),
        title,
        privacy,
        now,
        kind,
    );
    if matches!(source, Source::Url { .. }) {
        return Ok(ok(json!({"publish_id": id})));
    }
    let upload_url = format!(
        "{}/video/?upload_id={}&upload_token={}",
        shared.base(Platform::TikTok),
        id.rsplit('.').next().unwrap_or(&id),
        upload_token
    );
    Ok(ok(json!({"publish_id": id, "upload_url": upload_url})))
}

/// Creates a publish (`{v|p}_pub_{kind}~v2-1.<digits>`); pulled sources are committed at
/// once. Returns the publish id and the upload token.
#[allow(clippy::too_many_arguments)]
pub(super) fn insert_publish(
    state: &mut SandboxState,
    user_id: &str,
    client_id: &str,
    mode: Mode,
    source: Source,
    title: String,
    privacy: String,
    now: i64,
    kind: &str,
) -> (String, String) {
    let prefix = if matches!(source, Source::Photos { .. }) {
        "p"
    } else {
        "v"
    };
    let id = format!(
        "{prefix}_pub_{kind}~v2-1.{}",
        state.next_digits("tt-publish", 19)
    );
    let upload_token = state.next_alnum("tt-upload-token", 32);
    let post_id = state.next_digits("tt-post", 19);
    let pulled = !matches!(source, Source::File { .. });
    let publish = Publish {
        id: id.clone(),
        user_id: user_id.to_string(),
        client_id: client_id.to_string(),
        mode,
        source,
        title,
        privacy,
        created_at: now,
        upload_token: upload_token.clone(),
        received: 0,
        hasher: Sha256::new(),
        chunk_in_progress: false,
        content_sha256: None,
        committed_at: None,
        failed: false,
        post_id,
        completion_sent: false,
        public_sent: false,
    };
    state.tiktok.publishes.insert(id.clone(), publish);
    if pulled {
        commit(state, &id, now);
    }
    (id, upload_token)
}

/// Marks a publish as fully received and records it.
fn commit(state: &mut SandboxState, id: &str, now: i64) {
    let failed = state.faults.publish_fail;
    let Some(p) = state.tiktok.publishes.get_mut(id) else {
        return;
    };
    p.committed_at = Some(now);
    p.failed = failed;
    let (fingerprint, sha, bytes) = match &p.source {
        Source::File { video_size, .. } => {
            let sha = hex::encode(p.hasher.clone().finalize());
            p.content_sha256 = Some(sha.clone());
            (format!("sha256:{sha}"), Some(sha), *video_size)
        }
        Source::Url { url } => (format!("url:{url}"), None, 0),
        Source::Photos { urls } => (format!("photos:{}", urls.join("|")), None, 0),
    };
    let p = p.clone();
    if !failed {
        let via = if p.mode == Mode::Direct {
            "direct_post"
        } else {
            "inbox"
        };
        state.record_publish(
            Platform::TikTok,
            &p.id,
            &p.user_id,
            &fingerprint,
            &p.title,
            sha,
            bytes,
            via,
            now,
        );
    }
}

fn upload_error(status: StatusCode, message: &str) -> Response {
    let code = if status == StatusCode::BAD_REQUEST {
        "invalid_file_upload"
    } else {
        "invalid_params"
    };
    TikTokError::api(status, code, message).into_response()
}

/// `bytes FIRST-LAST/TOTAL`.
pub fn parse_content_range(value: &str) -> Option<(u64, u64, u64)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (first, last) = range.split_once('-')?;
    let (first, last, total) = (
        first.trim().parse().ok()?,
        last.trim().parse().ok()?,
        total.trim().parse().ok()?,
    );
    (first <= last && last < total).then_some((first, last, total))
}

/// Clears the in-progress flag of a chunk even if the request is abandoned.
struct ChunkGuard {
    shared: Arc<Shared>,
    id: String,
}

impl Drop for ChunkGuard {
    fn drop(&mut self) {
        if let Some(p) = self.shared.lock().tiktok.publishes.get_mut(&self.id) {
            p.chunk_in_progress = false;
        }
    }
}

/// `PUT {upload_url}`: one chunk.
pub async fn upload_chunk(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let q = web::query(&uri);
    let (Some(upload_id), Some(upload_token)) = (q.get("upload_id"), q.get("upload_token")) else {
        return upload_error(
            StatusCode::BAD_REQUEST,
            "upload_id and upload_token are required.",
        );
    };
    let now = shared.clock.now();
    let content_type = web::header_str(&headers, "content-type").unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if !["video/mp4", "video/quicktime", "video/webm"].contains(&mime) {
        return upload_error(
            StatusCode::BAD_REQUEST,
            "Content-Type must be video/mp4, video/quicktime or video/webm.",
        );
    }
    let Some((first, last, total)) =
        web::header_str(&headers, "content-range").and_then(parse_content_range)
    else {
        return upload_error(
            StatusCode::BAD_REQUEST,
            "Content-Range must be `bytes FIRST-LAST/TOTAL`.",
        );
    };
    let declared = last - first + 1;
    if let Some(len) = web::header_str(&headers, "content-length") {
        if len.trim().parse::<u64>().ok() != Some(declared) {
            return upload_error(
                StatusCode::BAD_REQUEST,
                "Content-Length does not match Content-Range.",
            );
        }
    }
    let (id, mut hasher, is_last) = {
        let mut state = shared.lock();
        let Some(p) = state.tiktok.publishes.values_mut().find(|p| {
            p.id.rsplit('.').next() == Some(upload_id.as_str()) && &p.upload_token == upload_token
        }) else {
            return upload_error(StatusCode::NOT_FOUND, "Unknown upload URL.");
        };
        let Source::File {
            video_size,
            chunk_size,
            total_chunks,
        } = p.source.clone()
        else {
            return upload_error(
                StatusCode::BAD_REQUEST,
                "This publish does not take uploads.",
            );
        };
        if now > p.created_at + UPLOAD_URL_TTL {
            return upload_error(StatusCode::FORBIDDEN, "The upload URL has expired.");
        }
        if p.committed_at.is_some() {
            return upload_error(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "The upload is already complete.",
            );
        }
        if total != video_size {
            return upload_error(
                StatusCode::BAD_REQUEST,
                "Content-Range total does not match video_size.",
            );
        }
        if p.chunk_in_progress || first != p.received {
            return upload_error(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "Content-Range does not match the bytes received so far; chunks are sequential.",
            );
        }
        let index = first / chunk_size;
        let is_last = index + 1 == total_chunks;
        let expected = if is_last {
            video_size - first
        } else {
            chunk_size
        };
        if declared != expected {
            return upload_error(
                StatusCode::BAD_REQUEST,
                &format!(
                    "Chunk {} must be {expected} bytes, Content-Range says {declared}.",
                    index + 1
                ),
            );
        }
        p.chunk_in_progress = true;
        (p.id.clone(), p.hasher.clone(), is_last)
    };
    let _guard = ChunkGuard {
        shared: shared.clone(),
        id: id.clone(),
    };
    let mut received: u64 = 0;
    let mut stream = body.into_data_stream();
    while let Some(frame) = stream.next().await {
        let Ok(bytes) = frame else {
            return upload_error(
                StatusCode::BAD_REQUEST,
                "The request body could not be read.",
            );
        };
        received += bytes.len() as u64;
        if received > declared {
            return upload_error(
                StatusCode::BAD_REQUEST,
                "The body is longer than Content-Range declares.",
            );
        }
        hasher.update(&bytes);
    }
    if received != declared {
        return upload_error(
            StatusCode::BAD_REQUEST,
            "The body is shorter than Content-Range declares.",
        );
    }
    let mut state = shared.lock();
    let Some(p) = state.tiktok.publishes.get_mut(&id) else {
        return upload_error(StatusCode::NOT_FOUND, "Unknown upload URL.");
    };
    p.received += received;
    p.hasher = hasher;
    if is_last {
        commit(&mut state, &id, shared.clock.now());
        StatusCode::CREATED.into_response()
    } else {
        StatusCode::PARTIAL_CONTENT.into_response()
    }
}

/// Status of a publish at `now`: `(status, fail_reason, post ids, uploaded, downloaded)`.
pub fn status_of(
    p: &Publish,
    seed: u64,
    now: i64,
) -> (&'static str, &'static str, Vec<u64>, u64, u64) {
    let pulled = match &p.source {
        Source::Url { url } => Some(10 * MB + det::hash_str(seed, url) % (50 * MB)),
        Source::Photos { urls } => Some(
            urls.iter()
                .map(|u| 200_000 + det::hash_str(seed, u) % (2 * MB))
                .sum(),
        ),
        Source::File { .. } => None,
    };
    let uploaded = if pulled.is_some() { 0 } else { p.received };
    let Some(c) = p.committed_at else {
        return ("PROCESSING_UPLOAD", "", Vec::new(), uploaded, 0);
    };
    if now < c + PROCESSING_SECS {
        return match pulled {
            Some(size) => {
                let done =
                    size * u64::try_from((now - c).max(0)).unwrap_or(0) / PROCESSING_SECS as u64;
                ("PROCESSING_DOWNLOAD", "", Vec::new(), 0, done)
            }
            None => ("PROCESSING_UPLOAD", "", Vec::new(), uploaded, 0),
        };
    }
    let downloaded = pulled.unwrap_or(0);
    if p.failed {
        return ("FAILED", "internal", Vec::new(), uploaded, downloaded);
    }
    if p.mode == Mode::Inbox {
        return ("SEND_TO_USER_INBOX", "", Vec::new(), uploaded, downloaded);
    }
    let ids = if now >= c + MODERATION_SECS && p.privacy != "SELF_ONLY" {
        p.post_id.parse().map(|n| vec![n]).unwrap_or_default()
    } else {
        Vec::new()
    };
    ("PUBLISH_COMPLETE", "", ids, uploaded, downloaded)
}

/// `POST /v2/post/publish/status/fetch/`.
pub async fn status_fetch(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let run = || -> Result<Response, TikTokError> {
        let token = web::auth_token(&headers);
        let now = shared.clock.now();
        let mut state = shared.lock();
        let t = authorize_call(
            &mut state,
            token.as_deref(),
            now,
            &["video.upload", "video.publish"],
        )?;
        per_minute(
            &mut state,
            "status",
            token.as_deref().unwrap_or(""),
            shared.clock.now_ms(),
            30,
        )?;
        let body = json_body(&body)?;
        let id = body
            .get("publish_id")
            .and_then(Value::as_str)
            .ok_or_else(|| TikTokError::invalid_params("publish_id is required."))?;
        let p = state
            .tiktok
            .publishes
            .get(id)
            .filter(|p| p.user_id == t.user_id)
            .ok_or_else(|| TikTokError::invalid_params("publish_id is invalid."))?;
        let (status, fail_reason, ids, uploaded, downloaded) = status_of(p, shared.seed, now);
        let mut data = json!({
            "status": status,
            "uploaded_bytes": uploaded,
            "downloaded_bytes": downloaded,
        });
        if !fail_reason.is_empty() {
            data["fail_reason"] = json!(fail_reason);
        }
        if status == "PUBLISH_COMPLETE" {
            data["publicaly_available_post_id"] = json!(ids);
        }
        Ok(ok(data))
    };
    run().unwrap_or_else(IntoResponse::into_response)
}

/// Emits webhooks and lists completed direct posts as sandbox time passes.
pub fn tick(state: &mut SandboxState, now: i64) {
    let seed = state.seed;
    let mut events: Vec<(String, String, &'static str, Value)> = Vec::new();
    let mut new_media: Vec<MediaItem> = Vec::new();
    for p in state.tiktok.publishes.values_mut() {
        let Some(c) = p.committed_at else { continue };
        let publish_type = if p.mode == Mode::Direct {
            "DIRECT_POST"
        } else {
            "INBOX_SHARE"
        };
        if now >= c + PROCESSING_SECS && !p.completion_sent {
            p.completion_sent = true;
            let (event, content) = if p.failed {
                (
                    "post.publish.failed",
                    json!({"publish_id": p.id, "reason": "internal", "publish_type": publish_type}),
                )
            } else if p.mode == Mode::Inbox {
                (
                    "post.publish.inbox_delivered",
                    json!({"publish_id": p.id, "publish_type": publish_type}),
                )
            } else {
                new_media.push(MediaItem {
                    platform: Platform::TikTok,
                    id: p.post_id.clone(),
                    owner: p.user_id.clone(),
                    caption: p.title.clone(),
                    kind: if matches!(p.source, Source::Photos { .. }) {
                        "PHOTO"
                    } else {
                        "VIDEO"
                    }
                    .into(),
                    created_at: c + PROCESSING_SECS,
                    public: p.privacy == "PUBLIC_TO_EVERYONE",
                    subreddit: None,
                    body: None,
                    duration: 15 + (det::hash_str(seed, &p.id) % 160) as u32,
                });
                (
                    "post.publish.complete",
                    json!({"publish_id": p.id, "publish_type": publish_type}),
                )
            };
            events.push((p.client_id.clone(), p.user_id.clone(), event, content));
        }
        let (status, _, ids, _, _) = status_of(p, seed, now);
        if status == "PUBLISH_COMPLETE" && !ids.is_empty() && !p.public_sent {
            p.public_sent = true;
            events.push((
                p.client_id.clone(),
                p.user_id.clone(),
                "post.publish.publicly_available",
                json!({"publish_id": p.id, "post_id": p.post_id, "publish_type": publish_type}),
            ));
        }
    }
    state.media.extend(new_media);
    for (client_id, user_id, event, content) in events {
        let Some(app) = state.app(Platform::TikTok, &client_id).cloned() else {
            continue;
        };
        let secret = app.client_secret.unwrap_or_default();
        let record = webhook::tiktok_event(&app.client_id, &secret, event, now, &user_id, &content);
        state.queue_webhook(record);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_rules_follow_the_worked_example() {
        assert!(check_chunks(50_000_123, 10_000_000, 5).is_ok());
        assert!(
            check_chunks(50_000_123, 10_000_000, 6).is_err(),
            "ceil instead of floor"
        );
        assert!(check_chunks(3_000_000, 3_000_000, 1).is_ok());
        assert!(
            check_chunks(3_000_000, 1_000_000, 3).is_err(),
            "small video must be one chunk"
        );
        assert!(
            check_chunks(60 * MB, 60 * MB, 1).is_ok(),
            "up to 64 MB may go whole"
        );
        assert!(
            check_chunks(100 * MB, 100 * MB, 1).is_err(),
            "over 64 MB must be chunked"
        );
        assert!(
            check_chunks(100 * MB, 4 * MB, 25).is_err(),
            "chunks under 5 MB"
        );
        assert!(
            check_chunks(100 * MB, 65 * MB, 1).is_err(),
            "chunk over 64 MB"
        );
        assert!(
            check_chunks(191 * MB, 64 * MB, 2).is_ok(),
            "last chunk absorbs up to 127 MB"
        );
        assert!(check_chunks(200 * MB, 64 * MB, 3).is_ok());
        assert!(check_chunks(6000 * MB, 5 * MB, 1200).is_err(), "over 4 GB");
        assert!(
            check_chunks(5 * 1001 * MB, 5 * MB, 1001).is_err(),
            "over 1000 chunks"
        );
    }

    #[test]
    fn content_range_parsing() {
        assert_eq!(parse_content_range("bytes 0-9/10"), Some((0, 9, 10)));
        assert_eq!(
            parse_content_range("bytes 40000000-50000122/50000123"),
            Some((40_000_000, 50_000_122, 50_000_123))
        );
        assert_eq!(parse_content_range("bytes 5-4/10"), None);
        assert_eq!(parse_content_range("bytes 0-10/10"), None);
        assert_eq!(parse_content_range("bytes */10"), None);
        assert_eq!(parse_content_range("0-9/10"), None);
    }
}
