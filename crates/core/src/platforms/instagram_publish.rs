//! Instagram content publishing (requests and shapes only): containers for Reels (by a
//! public `video_url` or by resumable upload), images, carousel items and carousels; the
//! resumable upload of a local file in parts streamed from disk in constant memory; the
//! container status; `media_publish`; the publishing limit; a published post's permalink.
//! Graph errors the publish flow branches on get stable codes (`not_ready`,
//! `publishing_limit`, `container_expired`, `container_failed`, `offset_mismatch`). The
//! queue's workers decide when to call what; nothing here retries or stores.

use std::path::Path;

use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use url::Url;

use super::instagram::GRAPH_VERSION;
use super::{json_body, Fields, PlatformClient, PlatformError};
use crate::config::Host;
use crate::http::HttpResponse;
use crate::platform::Platform;
use crate::vault::SecretValue;

const P: Platform = Platform::Instagram;

/// `code` of a [`PlatformError::Rejected`]: `media_publish` before the container is
/// `FINISHED` (Graph 9007/2207027); wait and publish again.
pub const NOT_READY: &str = "not_ready";
/// The account's publishing limit for the moving 24 hours is reached (9/2207042).
pub const PUBLISHING_LIMIT: &str = "publishing_limit";
/// The container was not published within 24 hours (-2/2207020): create a new one.
pub const CONTAINER_EXPIRED: &str = "container_expired";
/// Processing the container failed (-1/2207032): create a new one.
pub const CONTAINER_FAILED: &str = "container_failed";
/// A resumable upload part was sent at an offset other than the bytes the host holds.
pub const OFFSET_MISMATCH: &str = "offset_mismatch";

/// What a container holds. Captions only where Instagram allows them (not on carousel
/// items).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContainerSpec {
    /// A Reel Meta fetches from a public https URL.
    ReelFromUrl {
        /// Public https URL of the video.
        video_url: String,
        /// Caption.
        caption: String,
        /// Also show it in the feed (not only the Reels tab).
        share_to_feed: bool,
        /// Frame used as the cover, in milliseconds from the start.
        thumb_offset_ms: Option<u64>,
    },
    /// A Reel whose bytes are sent with [`PlatformClient::ig_upload_part`].
    ReelResumable {
        /// Caption.
        caption: String,
        /// Also show it in the feed.
        share_to_feed: bool,
        /// Frame used as the cover, in milliseconds from the start.
        thumb_offset_ms: Option<u64>,
    },
    /// A feed image (JPEG) Meta fetches from a public https URL.
    Image {
        /// Public https URL of the JPEG.
        image_url: String,
        /// Caption.
        caption: String,
    },
    /// An image carousel item (`is_carousel_item=true`).
    CarouselImage {
        /// Public https URL of the JPEG.
        image_url: String,
    },
    /// A video carousel item fetched from a URL (`media_type=VIDEO`, `is_carousel_item`).
    CarouselVideo {
        /// Public https URL of the video.
        video_url: String,
    },
    /// A video carousel item sent by resumable upload.
    CarouselVideoResumable,
    /// The carousel itself, over 2 to 10 finished items.
    Carousel {
        /// Container ids of the items, in order.
        children: Vec<String>,
        /// Caption.
        caption: String,
    },
}

impl ContainerSpec {
    /// Whether the bytes go through the resumable upload host.
    pub fn is_resumable(&self) -> bool {
        matches!(
            self,
            ContainerSpec::ReelResumable { .. } | ContainerSpec::CarouselVideoResumable
        )
    }

    /// The form parameters of `POST /{ig-user-id}/media`.
    fn params(&self) -> Vec<(&'static str, String)> {
        let reel = |caption: &str, share: bool, thumb: Option<u64>| {
            let mut p = vec![
                ("media_type", "REELS".to_owned()),
                ("caption", caption.to_owned()),
                ("share_to_feed", share.to_string()),
            ];
            if let Some(ms) = thumb {
                p.push(("thumb_offset", ms.to_string()));
            }
            p
        };
        match self {
            ContainerSpec::ReelFromUrl {
                video_url,
                caption,
                share_to_feed,
                thumb_offset_ms,
            } => {
                let mut p = reel(caption, *share_to_feed, *thumb_offset_ms);
                p.push(("video_url", video_url.clone()));
                p
            }
            ContainerSpec::ReelResumable {
                caption,
                share_to_feed,
                thumb_offset_ms,
            } => {
                let mut p = reel(caption, *share_to_feed, *thumb_offset_ms);
                p.push(("upload_type", "resumable".into()));
                p
            }
            ContainerSpec::Image { image_url, caption } => vec![
                ("image_url", image_url.clone()),
                ("caption", caption.clone()),
            ],
            ContainerSpec::CarouselImage { image_url } => vec![
                ("image_url", image_url.clone()),
                ("is_carousel_item", "true".into()),
            ],
            ContainerSpec::CarouselVideo { video_url } => vec![
                ("media_type", "VIDEO".into()),
                ("video_url", video_url.clone()),
                ("is_carousel_item", "true".into()),
            ],
            ContainerSpec::CarouselVideoResumable => vec![
                ("media_type", "VIDEO".into()),
                ("upload_type", "resumable".into()),
                ("is_carousel_item", "true".into()),
            ],
            ContainerSpec::Carousel { children, caption } => vec![
                ("media_type", "CAROUSEL".into()),
                ("children", children.join(",")),
                ("caption", caption.clone()),
            ],
        }
    }
}

/// A created container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreatedContainer {
    /// Container id: store it before anything else (status and publish need it).
    pub id: String,
    /// Where the parts of a resumable upload go (absolute); `None` for the other kinds.
    pub upload_uri: Option<String>,
}

/// Where a container stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerStatus {
    /// `IN_PROGRESS`, `FINISHED`, `ERROR`, `EXPIRED`, `PUBLISHED`; empty when Instagram
    /// gave none (which counts as failed).
    pub code: String,
    /// Instagram's free text (for `ERROR`, the reason).
    pub status: String,
}

impl ContainerStatus {
    /// Processing is done: publish it.
    pub fn is_ready(&self) -> bool {
        self.code == "FINISHED"
    }

    /// It will never publish (`ERROR`, `EXPIRED`, or no code at all): a new container is
    /// needed.
    pub fn is_failed(&self) -> bool {
        matches!(self.code.as_str(), "ERROR" | "EXPIRED" | "")
    }

    /// Already published (a publish whose answer was lost went through).
    pub fn is_published(&self) -> bool {
        self.code == "PUBLISHED"
    }
}

/// The account's API publishing budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PublishingLimit {
    /// Posts published through the API in the window.
    pub used: u64,
    /// Posts allowed in the window (`config.quota_total`).
    pub total: u64,
    /// Length of the moving window, seconds (`config.quota_duration`).
    pub window_secs: u64,
}

/// Give the Graph errors the publish flow branches on a stable code (the original
/// `code/subcode` stays in the message).
fn named(e: PlatformError) -> PlatformError {
    let PlatformError::Rejected {
        platform,
        status,
        code,
        message,
    } = e
    else {
        return e;
    };
    let (main, sub) = code.split_once('/').unwrap_or((code.as_str(), ""));
    let name = match (main, sub) {
        (_, "2207027") | ("9007", "") => Some(NOT_READY),
        (_, "2207042") => Some(PUBLISHING_LIMIT),
        (_, "2207020") => Some(CONTAINER_EXPIRED),
        (_, "2207032") => Some(CONTAINER_FAILED),
        _ => None,
    };
    match name {
        Some(name) => PlatformError::Rejected {
            platform,
            status,
            code: name.to_owned(),
            message: format!("{message} ({code})"),
        },
        None => PlatformError::Rejected {
            platform,
            status,
            code,
            message,
        },
    }
}

/// The resumable upload host's answer: `{"success": true}`, or
/// `{"debug_info": {"retriable", "type", "message"}}`.
///
/// Mapped as [`PlatformClient::ig_upload_part`] documents.
fn rupload_outcome(resp: &HttpResponse) -> Result<(), PlatformError> {
    let body = resp.json().unwrap_or(Value::Null);
    let success = body.get("success").and_then(Value::as_bool);
    if resp.is_success() && success != Some(false) && body.get("debug_info").is_none() {
        return Ok(());
    }
    let info = body.get("debug_info").unwrap_or(&Value::Null);
    let kind = info
        .get("type")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("http");
    let text = info
        .get("message")
        .and_then(Value::as_str)
        .or_else(|| body.get("message").and_then(Value::as_str))
        .unwrap_or("the upload host refused the part");
    let retriable = info
        .get("retriable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let status = resp.status;
    Err(if kind == "OffsetMismatch" {
        PlatformError::Rejected {
            platform: P,
            status,
            code: OFFSET_MISMATCH.into(),
            message: text.to_owned(),
        }
    } else if status == 401 || kind == "AuthError" {
        PlatformError::Unauthorized {
            platform: P,
            reason: text.to_owned(),
        }
    } else if retriable && status < 500 {
        PlatformError::Rejected {
            platform: P,
            status: 503,
            code: kind.to_owned(),
            message: format!("{text} (retriable; the upload host answered HTTP {status})"),
        }
    } else {
        PlatformError::Rejected {
            platform: P,
            status,
            code: kind.to_owned(),
            message: text.to_owned(),
        }
    })
}

impl PlatformClient {
    /// `/{GRAPH_VERSION}/{segments...}` on the Graph host, each segment escaped.
    fn graph_url(&self, segments: &[&str]) -> Url {
        let mut url = self.endpoints.url(Host::Api, &format!("/{GRAPH_VERSION}"));
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// Send a Graph call and return its JSON body, or its error with publishing codes named.
    async fn graph(
        &self,
        endpoint: &'static str,
        req: reqwest::RequestBuilder,
    ) -> Result<Value, PlatformError> {
        let resp = self.http.send(P, endpoint, req).await?;
        let body = resp.json().unwrap_or(Value::Null);
        if let Some(e) = super::api_error(P, &resp, &body) {
            return Err(named(e));
        }
        json_body(P, endpoint, &resp)
    }

    /// Create a container (`POST /{ig-user-id}/media`). For a resumable kind the upload
    /// URI is the one Instagram returns, else the documented upload host's.
    pub async fn ig_create_container(
        &self,
        access: &SecretValue,
        ig_user_id: &str,
        spec: &ContainerSpec,
    ) -> Result<CreatedContainer, PlatformError> {
        let req = self
            .http
            .client()
            .post(self.graph_url(&[ig_user_id, "media"]))
            .bearer_auth(access.expose())
            .form(&spec.params());
        let v = self.graph("media.create", req).await?;
        let f = Fields::new(P, "media.create", &v);
        let id = f.str("id")?;
        let upload_uri = match f.opt_str("uri") {
            Some(uri) => Some(uri),
            None if spec.is_resumable() => Some(
                self.endpoints
                    .url(
                        Host::Upload,
                        &format!("/ig-api-upload/{GRAPH_VERSION}/{id}"),
                    )
                    .to_string(),
            ),
            None => None,
        };
        Ok(CreatedContainer { id, upload_uri })
    }

    /// Send bytes `[offset, offset + len)` of `file` (of `file_size` bytes in all) to a
    /// resumable container's `upload_uri`, streamed from disk (`Authorization: OAuth`,
    /// `offset` and `file_size` headers). Parts must follow each other: the next one starts
    /// where this one ended; processing starts once all `file_size` bytes arrived.
    ///
    /// Errors: a part at the wrong offset is a [`PlatformError::Rejected`] with code
    /// [`OFFSET_MISMATCH`] (not transient: the host holds a different number of bytes than
    /// the caller thinks, and has no call to ask how many; a new container is the way
    /// out). Any other failure the host marks `retriable` is a `Rejected` with status 503,
    /// so that [`PlatformError::is_transient`] says to send the same part again (the
    /// host's own status is in the message); the rest keep the host's status, with
    /// `debug_info.type` as the code. A refused token is [`PlatformError::Unauthorized`].
    pub async fn ig_upload_part(
        &self,
        access: &SecretValue,
        upload_uri: &str,
        file: &Path,
        offset: u64,
        len: u64,
        file_size: u64,
    ) -> Result<(), PlatformError> {
        if len == 0 || offset.checked_add(len).is_none_or(|end| end > file_size) {
            return Err(PlatformError::Rejected {
                platform: P,
                status: 0,
                code: "invalid_part".into(),
                message: format!(
                    "bytes {offset}..+{len} do not fit in a file of {file_size} bytes"
                ),
            });
        }
        let io = |e: std::io::Error| PlatformError::BadResponse {
            platform: P,
            endpoint: "rupload",
            reason: format!("cannot read the video: {e}"),
        };
        let mut f = tokio::fs::File::open(file).await.map_err(io)?;
        f.seek(std::io::SeekFrom::Start(offset)).await.map_err(io)?;
        let body = crate::http::streamed_body(f.take(len));
        let mut auth =
            HeaderValue::from_str(&format!("OAuth {}", access.expose())).map_err(|_| {
                PlatformError::Unauthorized {
                    platform: P,
                    reason: "the access token cannot be sent in a header".into(),
                }
            })?;
        auth.set_sensitive(true);
        // The URI is absolute, handed out by Instagram at container creation.
        let req = self
            .http
            .client()
            .post(upload_uri)
            .header(AUTHORIZATION, auth)
            .header("offset", offset)
            .header("file_size", file_size)
            .header(CONTENT_TYPE, "application/octet-stream")
            .header(CONTENT_LENGTH, len)
            .body(body);
        let resp = self.http.send(P, "rupload", req).await?;
        rupload_outcome(&resp)
    }

    /// A container's `status_code` and `status`.
    pub async fn ig_container_status(
        &self,
        access: &SecretValue,
        container_id: &str,
    ) -> Result<ContainerStatus, PlatformError> {
        let mut url = self.graph_url(&[container_id]);
        url.query_pairs_mut()
            .append_pair("fields", "status_code,status");
        let req = self.http.client().get(url).bearer_auth(access.expose());
        let v = self.graph("container.status", req).await?;
        let text = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Ok(ContainerStatus {
            code: text("status_code"),
            status: text("status"),
        })
    }

    /// Publish a `FINISHED` container; returns the media id.
    pub async fn ig_media_publish(
        &self,
        access: &SecretValue,
        ig_user_id: &str,
        container_id: &str,
    ) -> Result<String, PlatformError> {
        let req = self
            .http
            .client()
            .post(self.graph_url(&[ig_user_id, "media_publish"]))
            .bearer_auth(access.expose())
            .form(&[("creation_id", container_id)]);
        let v = self.graph("media_publish", req).await?;
        Fields::new(P, "media_publish", &v).str("id")
    }

    /// Posts published through the API in the moving window, and the allowance.
    pub async fn ig_publishing_limit(
        &self,
        access: &SecretValue,
        ig_user_id: &str,
    ) -> Result<PublishingLimit, PlatformError> {
        const E: &str = "content_publishing_limit";
        let mut url = self.graph_url(&[ig_user_id, E]);
        url.query_pairs_mut()
            .append_pair("fields", "quota_usage,config");
        let req = self.http.client().get(url).bearer_auth(access.expose());
        let v = self.graph(E, req).await?;
        let bad = |reason: &str| PlatformError::BadResponse {
            platform: P,
            endpoint: E,
            reason: reason.into(),
        };
        let entry = v.pointer("/data/0").ok_or_else(|| bad("data is empty"))?;
        let number = |ptr: &str| {
            entry.pointer(ptr).and_then(|n| {
                n.as_u64()
                    .or_else(|| n.as_str().and_then(|s| s.parse().ok()))
            })
        };
        Ok(PublishingLimit {
            used: number("/quota_usage").ok_or_else(|| bad("quota_usage is missing"))?,
            total: number("/config/quota_total")
                .ok_or_else(|| bad("config.quota_total is missing"))?,
            window_secs: number("/config/quota_duration").unwrap_or(86_400),
        })
    }

    /// A published post's public link, when Instagram gives one.
    pub async fn ig_media_permalink(
        &self,
        access: &SecretValue,
        media_id: &str,
    ) -> Result<Option<String>, PlatformError> {
        let mut url = self.graph_url(&[media_id]);
        url.query_pairs_mut().append_pair("fields", "permalink");
        let req = self.http.client().get(url).bearer_auth(access.expose());
        let v = self.graph("media.permalink", req).await?;
        Ok(Fields::new(P, "media.permalink", &v).opt_str("permalink"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: Default::default(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn rejected_code(e: &PlatformError) -> &str {
        match e {
            PlatformError::Rejected { code, .. } => code,
            _ => "",
        }
    }

    #[test]
    fn container_states_read_as_documented() {
        let s = |code: &str| ContainerStatus {
            code: code.into(),
            status: String::new(),
        };
        assert!(s("FINISHED").is_ready() && !s("FINISHED").is_failed());
        assert!(s("ERROR").is_failed() && s("EXPIRED").is_failed());
        // Meta sometimes answers an empty status_code: that is a failure, not "wait".
        assert!(s("").is_failed());
        assert!(!s("IN_PROGRESS").is_failed() && !s("IN_PROGRESS").is_ready());
        assert!(s("PUBLISHED").is_published() && !s("PUBLISHED").is_failed());
    }

    #[test]
    fn publish_errors_get_stable_codes() {
        let graph = |code: &str| PlatformError::Rejected {
            platform: P,
            status: 400,
            code: code.into(),
            message: "m".into(),
        };
        for (theirs, ours) in [
            ("9007/2207027", NOT_READY),
            ("9007", NOT_READY),
            ("9/2207042", PUBLISHING_LIMIT),
            ("-2/2207020", CONTAINER_EXPIRED),
            ("-1/2207032", CONTAINER_FAILED),
            ("100/2207089", "100/2207089"),
        ] {
            let e = named(graph(theirs));
            assert_eq!(rejected_code(&e), ours, "{theirs}");
            assert!(e.to_string().contains(theirs), "{e}");
        }
    }

    #[test]
    fn upload_answers_map_to_offset_mismatch_transient_or_refused() {
        assert!(rupload_outcome(&resp(200, r#"{"success":true,"message":"ok"}"#)).is_ok());
        let mismatch = rupload_outcome(&resp(
            400,
            r#"{"debug_info":{"retriable":true,"type":"OffsetMismatch","message":"offset 0"}}"#,
        ))
        .unwrap_err();
        assert_eq!(rejected_code(&mismatch), OFFSET_MISMATCH);
        assert!(!mismatch.is_transient());
        let retry = rupload_outcome(&resp(
            400,
            r#"{"debug_info":{"retriable":true,"type":"ReadError","message":"cut"}}"#,
        ))
        .unwrap_err();
        assert!(retry.is_transient(), "{retry}");
        assert!(retry.to_string().contains("HTTP 400"), "{retry}");
        let fatal = rupload_outcome(&resp(
            400,
            r#"{"debug_info":{"retriable":false,"type":"FileSizeError","message":"too big"}}"#,
        ))
        .unwrap_err();
        assert_eq!(rejected_code(&fatal), "FileSizeError");
        assert!(!fatal.is_transient());
        assert!(matches!(
            rupload_outcome(&resp(401, r#"{"debug_info":{"type":"AuthError"}}"#)),
            Err(PlatformError::Unauthorized { .. })
        ));
        let html = rupload_outcome(&resp(502, "<html>bad gateway</html>")).unwrap_err();
        assert!(html.is_transient(), "{html}");
    }

    #[test]
    fn container_parameters_follow_the_contract() {
        let p = ContainerSpec::CarouselVideoResumable.params();
        assert!(p.contains(&("media_type", "VIDEO".into())));
        assert!(p.contains(&("is_carousel_item", "true".into())));
        assert!(p.contains(&("upload_type", "resumable".into())));
        let p = ContainerSpec::ReelFromUrl {
            video_url: "https://cdn.example/a.mp4".into(),
            caption: "c".into(),
            share_to_feed: false,
            thumb_offset_ms: Some(1500),
        }
        .params();
        assert!(p.contains(&("media_type", "REELS".into())));
        assert!(p.contains(&("thumb_offset", "1500".into())));
        assert!(p.contains(&("share_to_feed", "false".into())));
        // No caption on carousel items.
        let p = ContainerSpec::CarouselImage {
            image_url: "https://cdn.example/a.jpg".into(),
        }
        .params();
        assert!(p.iter().all(|(k, _)| *k != "caption"));
        let p = ContainerSpec::Carousel {
            children: vec!["1".into(), "2".into()],
            caption: "c".into(),
        }
        .params();
        assert!(p.contains(&("children", "1,2".into())));
    }
}
