//! The media host: an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO...) that local
//! files are uploaded to when a platform fetches media itself from a public URL
//! (Instagram's `image_url`/`video_url`; docs/media-host.md). Owns the object keys
//! (`outpost/<BLAKE3 of the content>/<file name>`), SigV4 presigned requests (built by
//! `rusty-s3`, which does no I/O), the PUT streamed from disk in constant memory through
//! the core's HTTP client, the public URL handed to the platform (`public_base_url/KEY`,
//! else a presigned GET valid 24 hours) and deleting an object once the post is out.
//!
//! The bucket's secret key never leaves this module except inside a signature; presigned
//! URLs are never logged nor put in an error (their signatures are registered with the
//! redactor as well).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use serde::{Deserialize, Serialize};
use tokio::io::AsyncReadExt;
use url::Url;

use crate::config::MediaHostConfig;
use crate::error::UserFacing;
use crate::http::Http;
use crate::telemetry::redact;

/// First segment of every key Outpost writes (a lifecycle rule on it tidies leftovers).
pub const KEY_PREFIX: &str = "outpost";
/// How long a presigned PUT or DELETE may start after it was signed.
pub const WRITE_VALID_FOR: Duration = Duration::from_secs(60 * 60);
/// How long a presigned GET handed to the platform stays valid (Instagram containers
/// expire after 24 hours too).
pub const READ_VALID_FOR: Duration = Duration::from_secs(24 * 60 * 60);
/// Longest file name kept in a key.
const MAX_NAME: usize = 100;
/// Largest error body read from the host.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Errors of the media host. Messages never carry a URL (presigned URLs hold signatures).
#[derive(Debug, thiserror::Error)]
pub enum MediaHostError {
    /// The configured endpoint and bucket do not make a usable URL.
    #[error("the media host's endpoint cannot be used ({0}); check endpoint and bucket in [media_host] (docs/media-host.md)")]
    Endpoint(String),
    /// The file could not be read.
    #[error("cannot read {path} for the media host: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Connection refused, DNS, TLS, reset.
    #[error("the media host could not be reached: {reason}")]
    Unreachable {
        /// Why, without the URL.
        reason: String,
    },
    /// No answer in time.
    #[error("the media host did not answer in time")]
    Timeout,
    /// The host answered with an error.
    #[error("{}", refused_message(action, *status, code.as_deref(), message.as_deref()))]
    Refused {
        /// What was asked: `store the file`, `delete the file`.
        action: &'static str,
        /// HTTP status.
        status: u16,
        /// S3's `<Code>` (`AccessDenied`, `SignatureDoesNotMatch`, `NoSuchBucket`...).
        code: Option<String>,
        /// S3's `<Message>`.
        message: Option<String>,
    },
}

fn refused_message(action: &str, status: u16, code: Option<&str>, message: Option<&str>) -> String {
    let mut text = format!("the media host refused to {action} (HTTP {status}");
    if let Some(code) = code {
        text.push_str(", ");
        text.push_str(code);
    }
    text.push(')');
    if let Some(message) = message.filter(|m| !m.is_empty()) {
        text.push_str(": ");
        text.push_str(message);
    }
    if matches!(status, 401 | 403)
        || matches!(
            code,
            Some("InvalidAccessKeyId" | "SignatureDoesNotMatch" | "AccessDenied")
        )
    {
        text.push_str(
            ". Check OUTPOST_MEDIA_HOST_ACCESS_KEY_ID, OUTPOST_MEDIA_HOST_SECRET_ACCESS_KEY, the bucket \
             and the region in [media_host] (docs/media-host.md)",
        );
    } else if code == Some("NoSuchBucket") {
        text.push_str(". Check the bucket name in [media_host] (docs/media-host.md)");
    }
    text
}

impl UserFacing for MediaHostError {
    fn code(&self) -> &'static str {
        match self {
            MediaHostError::Endpoint(_) => "media_host.endpoint",
            MediaHostError::Io { .. } => "media_host.io",
            MediaHostError::Unreachable { .. } => "media_host.unreachable",
            MediaHostError::Timeout => "media_host.timeout",
            MediaHostError::Refused {
                status: 401 | 403, ..
            } => "media_host.denied",
            MediaHostError::Refused { .. } => "media_host.refused",
        }
    }
}

impl MediaHostError {
    /// Worth trying again later (network trouble, a 5xx, throttling).
    pub fn is_transient(&self) -> bool {
        match self {
            MediaHostError::Unreachable { .. } | MediaHostError::Timeout => true,
            MediaHostError::Refused { status, code, .. } => {
                *status >= 500
                    || *status == 429
                    || matches!(code.as_deref(), Some("SlowDown" | "RequestTimeout"))
            }
            _ => false,
        }
    }
}

/// An object stored on the media host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostedObject {
    /// The object's key in the bucket.
    pub key: String,
    /// The URL the platform fetches it from.
    pub url: String,
    /// When `url` stops working (unix ms), for a presigned GET; `None` for a public URL.
    pub expires_at: Option<i64>,
}

impl HostedObject {
    /// Whether `url` still works at `now_ms` with `margin_ms` to spare.
    pub fn usable_at(&self, now_ms: i64, margin_ms: i64) -> bool {
        self.expires_at
            .is_none_or(|at| at > now_ms.saturating_add(margin_ms))
    }
}

/// A configured media host.
#[derive(Clone)]
pub struct MediaHost {
    bucket: Bucket,
    credentials: Credentials,
    public_base_url: Option<Url>,
    http: Http,
}

impl std::fmt::Debug for MediaHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaHost")
            .field("bucket", &self.bucket.name())
            .field("region", &self.bucket.region())
            .field(
                "public_base_url",
                &self.public_base_url.as_ref().map(Url::as_str),
            )
            .finish_non_exhaustive()
    }
}

impl MediaHost {
    /// A media host over `config`, sending through `http`.
    pub fn new(config: &MediaHostConfig, http: Http) -> Result<MediaHost, MediaHostError> {
        let mut endpoint = config.endpoint.clone();
        // Path-style URLs are `ENDPOINT/BUCKET/KEY`: keep the endpoint's path prefix.
        if !endpoint.path().ends_with('/') {
            let path = format!("{}/", endpoint.path());
            endpoint.set_path(&path);
        }
        let style = if config.path_style {
            UrlStyle::Path
        } else {
            UrlStyle::VirtualHost
        };
        let bucket = Bucket::new(
            endpoint,
            style,
            config.bucket.clone(),
            config.region.clone(),
        )
        .map_err(|e| MediaHostError::Endpoint(format!("{e:?}")))?;
        Ok(MediaHost {
            bucket,
            credentials: Credentials::new(
                config.access_key_id.clone(),
                config.secret_access_key.expose().to_owned(),
            ),
            public_base_url: config.public_base_url.clone(),
            http,
        })
    }

    /// The key of a file whose content hash is `content_id`:
    /// `outpost/<content_id>/<file name>` (the name reduced to letters, digits, `.`, `-`,
    /// `_`). The same content gets the same key, so an upload repeated after a crash
    /// replaces the object instead of adding one.
    pub fn object_key(content_id: &str, path: &Path) -> String {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut clean = String::with_capacity(name.len());
        for c in name.chars() {
            let c = if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            };
            if !(c == '-' && clean.ends_with('-')) {
                clean.push(c);
            }
        }
        if clean.chars().count() > MAX_NAME {
            clean = clean
                .chars()
                .skip(clean.chars().count() - MAX_NAME)
                .collect();
        }
        let clean = clean.trim_start_matches(['.', '-']);
        let clean = if clean.is_empty() { "media" } else { clean };
        let id: String = content_id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(64)
            .collect();
        format!("{KEY_PREFIX}/{id}/{clean}")
    }

    /// A presigned `PUT` of `key`, valid [`WRITE_VALID_FOR`].
    pub fn presigned_put(&self, key: &str) -> Url {
        self.bucket
            .put_object(Some(&self.credentials), key)
            .sign(WRITE_VALID_FOR)
    }

    /// A presigned `DELETE` of `key`, valid [`WRITE_VALID_FOR`].
    pub fn presigned_delete(&self, key: &str) -> Url {
        self.bucket
            .delete_object(Some(&self.credentials), key)
            .sign(WRITE_VALID_FOR)
    }

    /// The URL the platform fetches `key` from: `public_base_url/KEY` when configured,
    /// else a presigned GET valid [`READ_VALID_FOR`] (with its expiry, unix ms).
    pub fn public_url(&self, key: &str) -> (String, Option<i64>) {
        match &self.public_base_url {
            Some(base) => (
                format!("{}/{key}", base.as_str().trim_end_matches('/')),
                None,
            ),
            None => {
                let signed_at = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default();
                let url = self
                    .bucket
                    .get_object(Some(&self.credentials), key)
                    .sign(READ_VALID_FOR);
                register_signature(&url);
                let expires = signed_at + READ_VALID_FOR;
                (
                    url.to_string(),
                    Some(i64::try_from(expires.as_millis()).unwrap_or(i64::MAX)),
                )
            }
        }
    }

    /// Upload `path` (streamed from disk in constant memory) with `content_type`, and
    /// return where the platform can fetch it.
    pub async fn put_file(
        &self,
        path: &Path,
        content_type: &str,
    ) -> Result<HostedObject, MediaHostError> {
        let io = |source: std::io::Error| MediaHostError::Io {
            path: path.to_owned(),
            source,
        };
        let owned = path.to_owned();
        let hash = tokio::task::spawn_blocking(move || {
            let mut file = std::fs::File::open(&owned)?;
            crate::watch::hash::hash_reader(&mut file)
        })
        .await
        .map_err(|e| io(std::io::Error::other(e.to_string())))?
        .map_err(io)?;
        let key = Self::object_key(&hash.hex, path);
        let file = tokio::fs::File::open(path).await.map_err(io)?;
        let len = file.metadata().await.map_err(io)?.len();
        let url = self.presigned_put(&key);
        register_signature(&url);
        // `take`: never more than the announced length, even if the file grows meanwhile.
        let body = crate::http::streamed_body(file.take(len));
        let request = self
            .http
            .client()
            .put(url)
            .header(CONTENT_TYPE, content_type)
            .header(CONTENT_LENGTH, len)
            // The client's 120 s limit is for API calls; a whole video at 128 KiB/s or better.
            .timeout(Duration::from_secs(120 + len / (128 * 1024)))
            .body(body);
        let began = std::time::Instant::now();
        let (status, body) = send(request).await?;
        if !(200..300).contains(&status) {
            let (code, message) = s3_error(&body);
            tracing::info!(
                status,
                code = code.as_deref().unwrap_or(""),
                "media host: upload refused"
            );
            return Err(MediaHostError::Refused {
                action: "store the file",
                status,
                code,
                message,
            });
        }
        tracing::debug!(
            key,
            bytes = len,
            elapsed_ms = began.elapsed().as_millis() as u64,
            "media host: stored"
        );
        let (url, expires_at) = self.public_url(&key);
        Ok(HostedObject {
            key,
            url,
            expires_at,
        })
    }

    /// Delete `key` (an object already gone counts as deleted).
    pub async fn delete(&self, key: &str) -> Result<(), MediaHostError> {
        let url = self.presigned_delete(key);
        register_signature(&url);
        let (status, body) = send(self.http.client().delete(url)).await?;
        if (200..300).contains(&status) || status == 404 {
            tracing::debug!(key, "media host: deleted");
            return Ok(());
        }
        let (code, message) = s3_error(&body);
        Err(MediaHostError::Refused {
            action: "delete the file",
            status,
            code,
            message,
        })
    }
}

/// Keep a presigned URL's signature out of every log line and error.
fn register_signature(url: &Url) {
    if let Some((_, sig)) = url.query_pairs().find(|(k, _)| k == "X-Amz-Signature") {
        redact::register_secret(&sig);
    }
}

/// Send and read a bounded body; errors without the URL.
async fn send(request: reqwest::RequestBuilder) -> Result<(u16, Vec<u8>), MediaHostError> {
    let transport = |e: reqwest::Error| {
        if e.is_timeout() {
            MediaHostError::Timeout
        } else {
            MediaHostError::Unreachable {
                reason: crate::http::error_chain(&e.without_url()),
            }
        }
    };
    let mut response = request.send().await.map_err(transport)?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        let room = MAX_ERROR_BODY.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok((status, body))
}

/// `<Code>` and `<Message>` of an S3 error document.
fn s3_error(body: &[u8]) -> (Option<String>, Option<String>) {
    let text = String::from_utf8_lossy(body);
    let element = |name: &str| {
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        let start = text.find(&open)? + open.len();
        let end = start + text[start..].find(&close)?;
        let value = text[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&");
        let value: String = value.trim().chars().take(300).collect();
        (!value.is_empty()).then_some(value)
    };
    (element("Code"), element("Message"))
}

#[cfg(test)]
mod tests {
    use sha2::Digest;

    use super::*;
    use crate::vault::SecretValue;

    const SECRET: &str = "media-host-unit-test-secret-0123";

    fn config(endpoint: &str, public: Option<&str>, path_style: bool) -> MediaHostConfig {
        MediaHostConfig {
            endpoint: endpoint.parse().unwrap(),
            bucket: "outpost-media".into(),
            region: "eu-west-1".into(),
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: SecretValue::new(SECRET),
            public_base_url: public.map(|u| u.parse().unwrap()),
            path_style,
        }
    }

    fn host(endpoint: &str, public: Option<&str>, path_style: bool) -> MediaHost {
        MediaHost::new(&config(endpoint, public, path_style), Http::new().unwrap()).unwrap()
    }

    fn query(url: &Url) -> std::collections::HashMap<String, String> {
        url.query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    #[test]
    fn keys_are_the_content_hash_and_a_clean_file_name() {
        let key = MediaHost::object_key("ab12cd", Path::new("/home/me/Videos/My Holiday (1).JPG"));
        assert_eq!(key, "outpost/ab12cd/My-Holiday-1-.JPG");
        assert_eq!(
            MediaHost::object_key("ab12cd", Path::new("/x/photo.jpg")),
            "outpost/ab12cd/photo.jpg"
        );
        // Nothing that could climb out of the prefix or hide the file.
        assert_eq!(
            MediaHost::object_key("../ab", Path::new("/x/..")),
            "outpost/ab/media"
        );
        assert_eq!(
            MediaHost::object_key("ab", Path::new("/x/.hidden.jpg")),
            "outpost/ab/hidden.jpg"
        );
        assert_eq!(
            MediaHost::object_key("ab", Path::new("/x/été à Paris.jpg")),
            "outpost/ab/t-Paris.jpg"
        );
        let long = format!("/x/{}.mp4", "a".repeat(300));
        let key = MediaHost::object_key("ab", Path::new(&long));
        assert!(
            key.ends_with(".mp4") && key.len() <= "outpost/ab/".len() + MAX_NAME,
            "{key}"
        );
    }

    #[test]
    fn presigned_put_is_a_path_style_sigv4_url_without_the_secret() {
        let h = host("http://127.0.0.1:9000/s3", None, true);
        let url = h.presigned_put("outpost/ab12/photo.jpg");
        assert_eq!(
            format!("{}://{}{}", url.scheme(), url.authority(), url.path()),
            "http://127.0.0.1:9000/s3/outpost-media/outpost/ab12/photo.jpg"
        );
        let q = query(&url);
        assert_eq!(q["X-Amz-Algorithm"], "AWS4-HMAC-SHA256");
        let scope: Vec<&str> = q["X-Amz-Credential"].split('/').collect();
        assert_eq!(scope[0], "AKIDEXAMPLE");
        assert_eq!(scope[1].len(), 8, "{scope:?}");
        assert_eq!(&scope[2..], ["eu-west-1", "s3", "aws4_request"]);
        assert_eq!(q["X-Amz-Expires"], "3600");
        assert_eq!(q["X-Amz-SignedHeaders"], "host");
        assert_eq!(q["X-Amz-Signature"].len(), 64);
        assert!(q["X-Amz-Signature"].chars().all(|c| c.is_ascii_hexdigit()));
        assert!(!url.as_str().contains(SECRET));
        assert!(!format!("{h:?}").contains(SECRET));
    }

    #[test]
    fn virtual_hosted_style_puts_the_bucket_in_the_host() {
        let h = host("https://s3.eu-west-1.amazonaws.com", None, false);
        let url = h.presigned_put("outpost/ab/photo.jpg");
        assert_eq!(
            url.host_str(),
            Some("outpost-media.s3.eu-west-1.amazonaws.com")
        );
        assert_eq!(url.path(), "/outpost/ab/photo.jpg");
    }

    #[test]
    fn the_public_url_is_the_base_plus_the_key_or_a_presigned_get() {
        for base in [
            "https://media.outpost.example",
            "https://media.outpost.example/",
        ] {
            let h = host("http://127.0.0.1:9000", Some(base), true);
            assert_eq!(
                h.public_url("outpost/ab/photo.jpg"),
                (
                    "https://media.outpost.example/outpost/ab/photo.jpg".to_owned(),
                    None
                )
            );
        }
        let h = host(
            "https://r2.example.com",
            Some("https://cdn.example.com/bucket"),
            true,
        );
        assert_eq!(
            h.public_url("outpost/ab/p.jpg").0,
            "https://cdn.example.com/bucket/outpost/ab/p.jpg"
        );

        let h = host("https://s3.example.com", None, true);
        let now = i64::try_from(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_millis(),
        )
        .unwrap();
        let (url, expires) = h.public_url("outpost/ab/p.jpg");
        let url: Url = url.parse().unwrap();
        assert_eq!(url.path(), "/outpost-media/outpost/ab/p.jpg");
        let q = query(&url);
        assert_eq!(q["X-Amz-Expires"], "86400");
        let expires = expires.unwrap();
        assert!(
            (expires - now - 86_400_000).abs() < 60_000,
            "{expires} vs {now}"
        );
        let hosted = HostedObject {
            key: "k".into(),
            url: url.to_string(),
            expires_at: Some(expires),
        };
        assert!(hosted.usable_at(now, 3_600_000));
        assert!(!hosted.usable_at(now + 86_000_000, 3_600_000));
    }

    #[test]
    fn signatures_are_what_an_s3_server_computes() {
        let h = host("http://127.0.0.1:9000/s3", None, true);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        for (method, url) in [
            ("PUT", h.presigned_put("outpost/ab/photo.jpg")),
            ("DELETE", h.presigned_delete("outpost/ab/photo.jpg")),
        ] {
            outpost_sandbox::s3host::verify_presigned(
                method,
                url.path(),
                url.query().unwrap(),
                |name| (name == "host").then(|| "127.0.0.1:9000".to_owned()),
                now,
                |_| Some(SECRET.to_owned()),
            )
            .unwrap();
            let wrong = outpost_sandbox::s3host::verify_presigned(
                method,
                url.path(),
                url.query().unwrap(),
                |name| (name == "host").then(|| "127.0.0.1:9000".to_owned()),
                now,
                |_| Some("another-secret".to_owned()),
            )
            .unwrap_err();
            assert_eq!(wrong.code, "SignatureDoesNotMatch");
        }
    }

    #[test]
    fn s3_errors_are_read_and_classified() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. Check your key &amp; signing method.</Message><RequestId>1</RequestId></Error>"#;
        let (code, message) = s3_error(body);
        assert_eq!(code.as_deref(), Some("SignatureDoesNotMatch"));
        assert!(message
            .as_deref()
            .unwrap()
            .ends_with("key & signing method."));
        let e = MediaHostError::Refused {
            action: "store the file",
            status: 403,
            code,
            message,
        };
        assert_eq!(e.code(), "media_host.denied");
        assert!(!e.is_transient());
        assert!(
            e.to_string()
                .contains("OUTPOST_MEDIA_HOST_SECRET_ACCESS_KEY"),
            "{e}"
        );
        let slow = MediaHostError::Refused {
            action: "store the file",
            status: 503,
            code: Some("SlowDown".into()),
            message: None,
        };
        assert!(slow.is_transient());
        assert_eq!(slow.code(), "media_host.refused");
        assert_eq!(s3_error(b"not xml"), (None, None));
        assert!(MediaHostError::Timeout.is_transient());
    }

    #[tokio::test]
    async fn put_get_and_delete_against_an_s3_compatible_server() {
        let sandbox = outpost_sandbox::Sandbox::start_default().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("photo one.jpg");
        crate::media::fixture::write_jpeg(&path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let mut cfg = config(&sandbox.media_host_url(), None, true);
        cfg.access_key_id = outpost_sandbox::s3host::ACCESS_KEY_ID.into();
        cfg.secret_access_key = SecretValue::new(outpost_sandbox::s3host::SECRET_ACCESS_KEY);
        let h = MediaHost::new(&cfg, Http::new().unwrap()).unwrap();

        let hosted = h.put_file(&path, "image/jpeg").await.unwrap();
        let hash = blake3::hash(&bytes).to_hex().to_string();
        assert_eq!(hosted.key, format!("outpost/{hash}/photo-one.jpg"));
        assert!(hosted.expires_at.is_some());
        // The presigned GET serves the bytes back.
        let fetched = reqwest::get(&hosted.url).await.unwrap();
        assert_eq!(fetched.status(), 200);
        assert_eq!(fetched.bytes().await.unwrap().as_ref(), bytes.as_slice());
        // Again: the same key, replaced.
        assert_eq!(
            h.put_file(&path, "image/jpeg").await.unwrap().key,
            hosted.key
        );
        let seen = sandbox.inspect();
        assert_eq!(seen.media_host_objects.len(), 1);
        assert_eq!(seen.media_host_objects[0].key, hosted.key);
        assert_eq!(seen.media_host_objects[0].uploads, 2);
        assert_eq!(
            seen.media_host_objects[0].sha256,
            hex::encode(sha2::Sha256::digest(&bytes))
        );
        assert_eq!(seen.media_host_objects[0].content_type, "image/jpeg");

        h.delete(&hosted.key).await.unwrap();
        assert!(sandbox.inspect().media_host_objects[0].deleted);
        assert_eq!(reqwest::get(&hosted.url).await.unwrap().status(), 404);
        h.delete(&hosted.key).await.unwrap();

        // A wrong secret is refused, and the message neither shows it nor a URL.
        cfg.secret_access_key = SecretValue::new(SECRET);
        let wrong = MediaHost::new(&cfg, Http::new().unwrap()).unwrap();
        let e = wrong.put_file(&path, "image/jpeg").await.unwrap_err();
        assert_eq!(e.code(), "media_host.denied");
        assert!(e.to_string().contains("SignatureDoesNotMatch"), "{e}");
        assert!(!e.to_string().contains(SECRET));
        assert!(!e.to_string().contains("X-Amz"), "{e}");

        // A missing file says which.
        let e = h
            .put_file(&dir.path().join("gone.jpg"), "image/jpeg")
            .await
            .unwrap_err();
        assert_eq!(e.code(), "media_host.io");
        assert!(e.to_string().contains("gone.jpg"));
        sandbox.shutdown().await;
    }

    #[tokio::test]
    async fn an_unreachable_host_is_transient_and_names_no_url() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let h = host(&format!("http://127.0.0.1:{port}"), None, true);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.jpg");
        crate::media::fixture::write_jpeg(&path).unwrap();
        let e = h.put_file(&path, "image/jpeg").await.unwrap_err();
        assert!(e.is_transient(), "{e}");
        assert!(!e.to_string().contains("X-Amz"), "{e}");
        assert!(!e.to_string().contains("127.0.0.1"), "{e}");
    }
}
