//! TikTok's Content Posting API (requests and shapes only): creator info, the FILE_UPLOAD
//! chunk plan exactly as documented, direct-post and inbox init, chunked `Content-Range`
//! PUTs streamed from disk in constant memory, and the publish status. The queue's workers
//! (issue 5) decide when to call what; nothing here retries or stores.

use std::path::Path;

use serde::Serialize;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use ts_rs::TS;

use super::{json_body, PlatformClient, PlatformError};
use crate::config::Host;
use crate::platform::Platform;
use crate::vault::SecretValue;

const P: Platform = Platform::Tiktok;
/// Chunk size Outpost uses (between the documented 5 MB minimum and 64 MB maximum).
pub const DEFAULT_CHUNK: u64 = 10_000_000;
/// Largest chunk TikTok accepts (except the last, which absorbs the remainder).
pub const MAX_CHUNK: u64 = 64_000_000;
/// Most chunks per upload.
pub const MAX_CHUNKS: u64 = 1000;

/// What the creator allows (show the nickname; offer only these privacy levels).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CreatorInfo {
    /// Nickname to show in the posting UI.
    pub nickname: Option<String>,
    /// Handle.
    pub username: Option<String>,
    /// Privacy levels the creator may choose from (no default may be preselected).
    pub privacy_level_options: Vec<String>,
    /// Comments disabled by the creator.
    pub comment_disabled: bool,
    /// Duets disabled.
    pub duet_disabled: bool,
    /// Stitches disabled.
    pub stitch_disabled: bool,
    /// Longest video the creator may post, seconds.
    pub max_video_post_duration_sec: Option<u64>,
}

/// How a file is cut for FILE_UPLOAD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ChunkPlan {
    /// Bytes in the file.
    pub video_size: u64,
    /// Size of every chunk but the last.
    pub chunk_size: u64,
    /// `floor(video_size / chunk_size)`.
    pub total_chunk_count: u64,
}

impl ChunkPlan {
    /// The documented plan: under one default chunk the file goes whole; otherwise chunks of
    /// 10 MB (bigger when the 1000-chunk cap requires it), the last absorbing the remainder.
    pub fn for_size(video_size: u64) -> Result<ChunkPlan, PlatformError> {
        let bad = |reason: String| PlatformError::Rejected {
            platform: P,
            status: 0,
            code: "invalid_file_upload".into(),
            message: reason,
        };
        if video_size == 0 {
            return Err(bad("the video is empty".into()));
        }
        if video_size <= DEFAULT_CHUNK {
            return Ok(ChunkPlan {
                video_size,
                chunk_size: video_size,
                total_chunk_count: 1,
            });
        }
        let chunk_size = DEFAULT_CHUNK.max(video_size.div_ceil(MAX_CHUNKS));
        if chunk_size > MAX_CHUNK {
            return Err(bad(format!(
                "the video is {video_size} bytes: more than TikTok's {MAX_CHUNKS} chunks of {MAX_CHUNK} bytes"
            )));
        }
        Ok(ChunkPlan {
            video_size,
            chunk_size,
            total_chunk_count: video_size / chunk_size,
        })
    }

    /// Byte range `[first, last]` of chunk `index` (0-based).
    pub fn range(&self, index: u64) -> (u64, u64) {
        let first = index * self.chunk_size;
        let last = if index + 1 == self.total_chunk_count {
            self.video_size - 1
        } else {
            first + self.chunk_size - 1
        };
        (first, last)
    }
}

/// A started post: where to send the bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Initiated {
    /// `publish_id`: store it before sending a byte (it identifies the post for status).
    pub publish_id: String,
    /// Upload URL (FILE_UPLOAD), valid one hour.
    pub upload_url: Option<String>,
}

/// The state of a publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishStatus {
    /// PROCESSING_UPLOAD, PROCESSING_DOWNLOAD, SEND_TO_USER_INBOX, PUBLISH_COMPLETE, FAILED.
    pub status: String,
    /// Why it failed.
    pub fail_reason: Option<String>,
    /// Public post ids, once moderated (`publicaly_available_post_id`, sic).
    pub post_ids: Vec<String>,
    /// Bytes TikTok has received.
    pub uploaded_bytes: Option<u64>,
}

impl PublishStatus {
    /// No further change will come.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self.status.as_str(),
            "PUBLISH_COMPLETE" | "SEND_TO_USER_INBOX" | "FAILED"
        )
    }
}

/// The post's text and settings (direct post).
#[derive(Debug, Clone, Serialize)]
pub struct PostInfo {
    /// Caption.
    pub title: String,
    /// One of the creator's `privacy_level_options`, chosen by the creator.
    pub privacy_level: String,
    /// Disable duets.
    pub disable_duet: bool,
    /// Disable comments.
    pub disable_comment: bool,
    /// Disable stitches.
    pub disable_stitch: bool,
    /// Promoting the creator's own brand.
    pub brand_organic_toggle: bool,
    /// Branded content for a third party.
    pub brand_content_toggle: bool,
    /// AI-generated content.
    pub is_aigc: bool,
    /// Cover frame, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_cover_timestamp_ms: Option<u64>,
}

impl PlatformClient {
    async fn tiktok_post(
        &self,
        endpoint: &'static str,
        path: &str,
        access: &SecretValue,
        body: &Value,
    ) -> Result<Value, PlatformError> {
        let req = self
            .http
            .client()
            .post(self.endpoints.url(Host::Api, path))
            .bearer_auth(access.expose())
            .json(body);
        let resp = self.http.send(P, endpoint, req).await?;
        let value = json_body(P, endpoint, &resp)?;
        if let Some(e) = super::api_error(P, &resp, &value) {
            return Err(e);
        }
        Ok(value)
    }

    /// What the creator allows, to validate a post before any byte is sent.
    pub async fn tiktok_creator_info(
        &self,
        access: &SecretValue,
    ) -> Result<CreatorInfo, PlatformError> {
        let v = self
            .tiktok_post(
                "creator_info",
                "/v2/post/publish/creator_info/query/",
                access,
                &json!({}),
            )
            .await?;
        let d = v.get("data").cloned().unwrap_or(Value::Null);
        let text = |k: &str| d.get(k).and_then(Value::as_str).map(str::to_owned);
        let flag = |k: &str| d.get(k).and_then(Value::as_bool).unwrap_or(false);
        Ok(CreatorInfo {
            nickname: text("creator_nickname"),
            username: text("creator_username"),
            privacy_level_options: d
                .get("privacy_level_options")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|o| o.as_str().map(str::to_owned))
                .collect(),
            comment_disabled: flag("comment_disabled"),
            duet_disabled: flag("duet_disabled"),
            stitch_disabled: flag("stitch_disabled"),
            max_video_post_duration_sec: d
                .get("max_video_post_duration_sec")
                .and_then(Value::as_u64),
        })
    }

    /// Start a FILE_UPLOAD post: direct (with `post`) or to the creator's inbox (without).
    pub async fn tiktok_init_upload(
        &self,
        access: &SecretValue,
        plan: &ChunkPlan,
        post: Option<&PostInfo>,
    ) -> Result<Initiated, PlatformError> {
        let source = json!({
            "source": "FILE_UPLOAD",
            "video_size": plan.video_size,
            "chunk_size": plan.chunk_size,
            "total_chunk_count": plan.total_chunk_count,
        });
        self.tiktok_init(access, source, post).await
    }

    /// Start a PULL_FROM_URL post (TikTok downloads `video_url`, which must be on a domain
    /// verified for the app). Irreversible once answered: TikTok posts what it downloads.
    pub async fn tiktok_init_pull(
        &self,
        access: &SecretValue,
        video_url: &str,
        post: Option<&PostInfo>,
    ) -> Result<Initiated, PlatformError> {
        let source = json!({"source": "PULL_FROM_URL", "video_url": video_url});
        self.tiktok_init(access, source, post).await
    }

    async fn tiktok_init(
        &self,
        access: &SecretValue,
        source: Value,
        post: Option<&PostInfo>,
    ) -> Result<Initiated, PlatformError> {
        let (endpoint, path, body) = match post {
            Some(info) => (
                "video.init",
                "/v2/post/publish/video/init/",
                json!({"post_info": info, "source_info": source}),
            ),
            None => (
                "inbox.init",
                "/v2/post/publish/inbox/video/init/",
                json!({"source_info": source}),
            ),
        };
        let v = self.tiktok_post(endpoint, path, access, &body).await?;
        let publish_id = v
            .pointer("/data/publish_id")
            .and_then(Value::as_str)
            .ok_or_else(|| PlatformError::BadResponse {
                platform: P,
                endpoint,
                reason: "data.publish_id is missing".into(),
            })?
            .to_owned();
        Ok(Initiated {
            publish_id,
            upload_url: v
                .pointer("/data/upload_url")
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
    }

    /// Send chunk `index` of `file`, streamed from disk. `Ok(true)` when TikTok answers
    /// 201 (the upload is complete), `Ok(false)` for 206 (more to send).
    pub async fn tiktok_upload_chunk(
        &self,
        upload_url: &str,
        file: &Path,
        content_type: &str,
        plan: &ChunkPlan,
        index: u64,
    ) -> Result<bool, PlatformError> {
        let (first, last) = plan.range(index);
        let len = last - first + 1;
        let io = |e: std::io::Error| PlatformError::BadResponse {
            platform: P,
            endpoint: "upload",
            reason: format!("cannot read the video: {e}"),
        };
        let mut f = tokio::fs::File::open(file).await.map_err(io)?;
        f.seek(std::io::SeekFrom::Start(first)).await.map_err(io)?;
        let body = crate::http::streamed_body(f.take(len));
        // The upload URL is absolute and handed out by TikTok (the sandbox's under its base).
        let req = self
            .http
            .client()
            .put(upload_url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .header(reqwest::header::CONTENT_LENGTH, len)
            .header(
                reqwest::header::CONTENT_RANGE,
                format!("bytes {first}-{last}/{}", plan.video_size),
            )
            .body(body);
        let resp = self.http.send(P, "upload", req).await?;
        match resp.status {
            201 => Ok(true),
            206 => Ok(false),
            403 => Err(PlatformError::Rejected {
                platform: P,
                status: 403,
                code: "upload_url_expired".into(),
                message: "the upload link expired (valid one hour); the upload starts again".into(),
            }),
            status => Err(PlatformError::Rejected {
                platform: P,
                status,
                code: if status == 416 {
                    "range_mismatch".into()
                } else {
                    "upload_failed".into()
                },
                message: format!(
                    "TikTok refused chunk {} of {} (HTTP {status})",
                    index + 1,
                    plan.total_chunk_count
                ),
            }),
        }
    }

    /// Where a publish stands.
    pub async fn tiktok_publish_status(
        &self,
        access: &SecretValue,
        publish_id: &str,
    ) -> Result<PublishStatus, PlatformError> {
        let v = self
            .tiktok_post(
                "status.fetch",
                "/v2/post/publish/status/fetch/",
                access,
                &json!({"publish_id": publish_id}),
            )
            .await?;
        let d = v.get("data").cloned().unwrap_or(Value::Null);
        Ok(PublishStatus {
            status: d
                .get("status")
                .and_then(Value::as_str)
                .ok_or_else(|| PlatformError::BadResponse {
                    platform: P,
                    endpoint: "status.fetch",
                    reason: "data.status is missing".into(),
                })?
                .to_owned(),
            fail_reason: d
                .get("fail_reason")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            post_ids: d
                .get("publicaly_available_post_id")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|x| {
                    x.as_str()
                        .map(str::to_owned)
                        .or_else(|| x.as_u64().map(|n| n.to_string()))
                })
                .collect(),
            uploaded_bytes: d.get("uploaded_bytes").and_then(Value::as_u64),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_plans_follow_the_documented_rules() {
        // The contract sheet's worked example, with Outpost's 10 MB chunks.
        let p = ChunkPlan::for_size(50_000_123).unwrap();
        assert_eq!((p.chunk_size, p.total_chunk_count), (10_000_000, 5));
        assert_eq!(p.range(4), (40_000_000, 50_000_122));
        assert_eq!(p.range(0), (0, 9_999_999));
        // Small files go whole.
        let p = ChunkPlan::for_size(3_000_000).unwrap();
        assert_eq!(
            (p.chunk_size, p.total_chunk_count, p.range(0)),
            (3_000_000, 1, (0, 2_999_999))
        );
        // The 1000-chunk cap raises the chunk size; the last chunk stays under twice a chunk.
        let p = ChunkPlan::for_size(20_000_000_000).unwrap();
        assert!(p.total_chunk_count <= MAX_CHUNKS && p.chunk_size <= MAX_CHUNK);
        let (first, last) = p.range(p.total_chunk_count - 1);
        assert!(last - first + 1 < 2 * p.chunk_size);
        assert!(ChunkPlan::for_size(0).is_err());
        assert!(ChunkPlan::for_size(65_000_000_000).is_err());
    }
}
