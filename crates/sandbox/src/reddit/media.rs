//! Reddit's media upload lease (`POST /api/media/asset.json`) and the in-process fake
//! S3 bucket it points at: a multipart POST of the lease's fields, in order, then the
//! `file` part, with no Reddit auth; answered with S3's 201 XML (`<Location>`), or S3
//! XML errors (`EntityTooLarge`, `InvalidArgument`...). The file is streamed and hashed.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{add_headers, api_prelude, RedditError};
use crate::config::Platform;
use crate::oauth as common;
use crate::state::Shared;

/// Largest image.
pub const MAX_IMAGE_BYTES: u64 = 20 * 1024 * 1024;
/// Largest video.
pub const MAX_VIDEO_BYTES: u64 = 1024 * 1024 * 1024;
const MIME_TYPES: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/gif",
    "video/mp4",
    "video/quicktime",
];

/// One leased upload.
#[derive(Debug, Clone)]
pub struct Asset {
    /// `asset_id`.
    pub asset_id: String,
    /// S3 key.
    pub key: String,
    /// Declared MIME type.
    pub mimetype: String,
    /// The lease's policy (must come back unchanged).
    pub policy: String,
    /// Owner.
    pub user_id: String,
    /// Bytes stored, once uploaded.
    pub uploaded: Option<u64>,
    /// SHA-256 of the stored bytes.
    pub sha256: Option<String>,
    /// The post submitted with this asset.
    pub post_id: Option<String>,
}

/// Leases by key, and media posts that failed processing.
#[derive(Debug, Default)]
pub struct RedditState {
    /// By S3 key.
    pub assets: HashMap<String, Asset>,
    /// Media posts whose processing failed (`publish_fail` fault).
    pub failed_posts: std::collections::HashSet<String>,
}

/// `POST /api/media/asset.json`.
pub async fn lease(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let (t, rate) = match api_prelude(&shared, &headers, &["submit"]) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let params = common::parse_pairs(&body);
    let (Some(filepath), Some(mimetype)) = (
        params.get("filepath").filter(|f| !f.is_empty()),
        params.get("mimetype"),
    ) else {
        return RedditError::Http(StatusCode::BAD_REQUEST).into_response();
    };
    if !MIME_TYPES.contains(&mimetype.as_str()) {
        return RedditError::Http(StatusCode::BAD_REQUEST).into_response();
    }
    let mut state = shared.lock();
    let asset_id = state.next_alnum("reddit-asset", 13).to_lowercase();
    let folder = if mimetype.starts_with("video/") {
        "rte_videos"
    } else {
        "rte_images"
    };
    let key = format!("{folder}/{asset_id}");
    let policy = base64::engine::general_purpose::STANDARD.encode(
        json!({"conditions": [{"bucket": "reddit-uploaded-media"}, {"key": key}, {"acl": "private"}]}).to_string(),
    );
    let signature = hex::encode(Sha256::digest(format!("{}:{policy}", shared.seed)));
    state.reddit.assets.insert(
        key.clone(),
        Asset {
            asset_id: asset_id.clone(),
            key: key.clone(),
            mimetype: mimetype.clone(),
            policy: policy.clone(),
            user_id: t.user_id.clone(),
            uploaded: None,
            sha256: None,
            post_id: None,
        },
    );
    let authority = shared.origin.trim_start_matches("http://").to_string();
    let action = format!("//{authority}/reddit/_s3/reddit-uploaded-media");
    let ws = format!("ws://{authority}/reddit/_ws/{key}?m={}", &signature[..16]);
    let body = json!({
        "args": {
            "action": action,
            "fields": [
                {"name": "acl", "value": "private"},
                {"name": "key", "value": key},
                {"name": "X-Amz-Credential", "value": "SANDBOXKEY/20261125/us-east-1/s3/aws4_request"},
                {"name": "X-Amz-Algorithm", "value": "AWS4-HMAC-SHA256"},
                {"name": "X-Amz-Date", "value": "20261125T000000Z"},
                {"name": "success_action_status", "value": "201"},
                {"name": "content-type", "value": mimetype},
                {"name": "x-amz-storage-class", "value": "STANDARD"},
                {"name": "x-amz-meta-ext", "value": filepath.rsplit('.').next().unwrap_or("")},
                {"name": "policy", "value": policy},
                {"name": "X-Amz-Signature", "value": signature},
            ],
        },
        "asset": {
            "asset_id": asset_id,
            "processing_state": "incomplete",
            "payload": {"filepath": filepath},
            "websocket_url": ws,
        },
    });
    let mut response = crate::web::json(StatusCode::OK, &body);
    add_headers(&mut response, &rate);
    response
}

fn s3_error(status: StatusCode, code: &str, message: &str, extra: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message>{extra}<RequestId>SANDBOX</RequestId></Error>"
    );
    (status, [(header::CONTENT_TYPE, "application/xml")], body).into_response()
}

/// `POST` to the lease's `action`: the fake S3 bucket.
pub async fn s3_upload(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    if request.headers().contains_key(header::AUTHORIZATION) {
        return s3_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "Only one auth mechanism allowed; only the X-Amz-Algorithm form field is supported.",
            "",
        );
    }
    let Ok(mut multipart) = Multipart::from_request(request, &()).await else {
        return s3_error(
            StatusCode::BAD_REQUEST,
            "MalformedPOSTRequest",
            "The body of your POST request is not well-formed multipart/form-data.",
            "",
        );
    };
    let mut fields: HashMap<String, String> = HashMap::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                return s3_error(
                    StatusCode::BAD_REQUEST,
                    "MalformedPOSTRequest",
                    "The body of your POST request is not well-formed multipart/form-data.",
                    "",
                )
            }
        };
        let name = field.name().unwrap_or("").to_string();
        if name != "file" {
            match field.text().await {
                Ok(v) => {
                    fields.insert(name, v);
                }
                Err(_) => {
                    return s3_error(
                        StatusCode::BAD_REQUEST,
                        "MalformedPOSTRequest",
                        "A form field could not be read.",
                        "",
                    )
                }
            }
            continue;
        }
        let key = fields.get("key").cloned().unwrap_or_default();
        let asset = shared.lock().reddit.assets.get(&key).cloned();
        let Some(asset) = asset else {
            return s3_error(
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$key\"]",
                "",
            );
        };
        if fields.get("policy") != Some(&asset.policy) {
            return s3_error(
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "Invalid according to Policy: the policy does not match.",
                "",
            );
        }
        let max = if asset.mimetype.starts_with("video/") {
            MAX_VIDEO_BYTES
        } else {
            MAX_IMAGE_BYTES
        };
        let mut field = field;
        let mut size: u64 = 0;
        let mut hasher = Sha256::new();
        loop {
            match field.chunk().await {
                Ok(Some(bytes)) => {
                    size += bytes.len() as u64;
                    if size > max {
                        return s3_error(
                            StatusCode::BAD_REQUEST,
                            "EntityTooLarge",
                            "Your proposed upload exceeds the maximum allowed size",
                            &format!("<MaxSizeAllowed>{max}</MaxSizeAllowed>"),
                        );
                    }
                    hasher.update(&bytes);
                }
                Ok(None) => break,
                Err(_) => {
                    return s3_error(
                        StatusCode::BAD_REQUEST,
                        "IncompleteBody",
                        "The request body terminated unexpectedly",
                        "",
                    )
                }
            }
        }
        let sha = hex::encode(hasher.finalize());
        let location = format!(
            "{}/_s3/reddit-uploaded-media/{key}",
            shared.base(Platform::Reddit)
        );
        if let Some(a) = shared.lock().reddit.assets.get_mut(&key) {
            a.uploaded = Some(size);
            a.sha256 = Some(sha.clone());
        }
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse><Location>{location}</Location><Bucket>reddit-uploaded-media</Bucket><Key>{key}</Key><ETag>\"{}\"</ETag></PostResponse>",
            &sha[..32]
        );
        return (
            StatusCode::CREATED,
            [(header::CONTENT_TYPE, "application/xml")],
            body,
        )
            .into_response();
    }
    s3_error(
        StatusCode::BAD_REQUEST,
        "InvalidArgument",
        "POST requires exactly one file upload per request.",
        "",
    )
}
