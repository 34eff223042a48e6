//! An S3-compatible bucket, path-style under `/_s3/{bucket}/{*key}`, standing in for the
//! media host Outpost uploads local files to when Instagram must fetch them from a public
//! URL (docs/media-host.md). Not a platform: no faults, no call log.
//!
//! - `PUT` needs a SigV4 presigned query (`X-Amz-Algorithm`, `X-Amz-Credential`,
//!   `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Signature`) signed with
//!   [`ACCESS_KEY_ID`]/[`SECRET_ACCESS_KEY`] (any region), checked against sandbox time and
//!   recomputed like S3 does; a `Content-Length` is required and the body is streamed and
//!   hashed (SHA-256). Refusals are S3 XML errors (`AccessDenied`, `SignatureDoesNotMatch`,
//!   `InvalidAccessKeyId`, `AuthorizationQueryParametersError`, `MissingContentLength`,
//!   `EntityTooLarge`, `IncompleteBody`, `NoSuchKey`).
//! - `GET`/`HEAD` serve an object back: presigned (checked the same way), or anonymous, as
//!   a public-read bucket behind a CDN would.
//! - `DELETE` (presigned) removes the bytes; the object stays in the inspection, marked
//!   deleted.
//!
//! Objects are kept in memory ([`Store`]) and listed in the inspection
//! (`media_host_objects`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::state::Shared;

/// The access key id the sandbox bucket accepts.
pub const ACCESS_KEY_ID: &str = "OUTPOSTSANDBOXKEY";
/// Its secret (a sandbox value, public on purpose).
pub const SECRET_ACCESS_KEY: &str = "outpost-sandbox-media-host-secret";
/// Largest object accepted (kept in memory).
pub const MAX_OBJECT_BYTES: u64 = 512 * 1024 * 1024;
/// Longest presigned validity S3 allows (7 days).
pub const MAX_EXPIRES_SECS: i64 = 604_800;

/// An object as the inspection shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MediaHostObject {
    /// Bucket.
    pub bucket: String,
    /// Key.
    pub key: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content (hex).
    pub sha256: String,
    /// `Content-Type` it was stored with.
    pub content_type: String,
    /// Deleted since (the bytes are gone).
    pub deleted: bool,
    /// How many PUTs stored it (a client that uploads twice shows 2).
    #[serde(default)]
    pub uploads: u32,
}

#[derive(Debug, Clone)]
struct Object {
    data: Bytes,
    info: MediaHostObject,
}

/// The bucket's objects, by (bucket, key).
#[derive(Debug, Default)]
pub struct Store {
    objects: Mutex<BTreeMap<(String, String), Object>>,
}

impl Store {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<(String, String), Object>> {
        self.objects.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every object stored so far (deleted ones included), by bucket and key.
    pub fn objects(&self) -> Vec<MediaHostObject> {
        self.lock().values().map(|o| o.info.clone()).collect()
    }

    /// The bytes of a live object.
    pub fn get(&self, bucket: &str, key: &str) -> Option<Bytes> {
        self.lock()
            .get(&(bucket.to_owned(), key.to_owned()))
            .filter(|o| !o.info.deleted)
            .map(|o| o.data.clone())
    }
}

/// The `/_s3` routes (the [`Store`] comes as an `Extension`).
pub fn router() -> Router<Arc<Shared>> {
    Router::new().route(
        "/{bucket}/{*key}",
        get(get_object).put(put_object).delete(delete_object),
    )
}

/// Why S3 refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Refusal {
    /// HTTP status.
    pub status: u16,
    /// S3's error code.
    pub code: &'static str,
    /// S3's message.
    pub message: String,
}

impl S3Refusal {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        S3Refusal {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for S3Refusal {
    fn into_response(self) -> Response {
        s3_error(
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::FORBIDDEN),
            self.code,
            &self.message,
        )
    }
}

fn s3_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>SANDBOX</RequestId></Error>"
    );
    (status, [(header::CONTENT_TYPE, "application/xml")], body).into_response()
}

/// RFC 3986 encoding as SigV4 wants it: unreserved characters kept, the rest `%XX`.
fn aws_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The SigV4 signature of a presigned request: `params` are the decoded query parameters
/// without `X-Amz-Signature`, `headers` the signed headers (lowercase names) and values.
pub fn signature(
    secret: &str,
    method: &str,
    path: &str,
    params: &[(String, String)],
    headers: &[(String, String)],
) -> String {
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let date = get("X-Amz-Date");
    let scope = get("X-Amz-Credential")
        .split_once('/')
        .map(|(_, s)| s)
        .unwrap_or("");
    let mut query: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "X-Amz-Signature")
        .map(|(k, v)| (aws_encode(k), aws_encode(v)))
        .collect();
    query.sort();
    let query: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut canonical_headers = String::new();
    let mut names = Vec::new();
    for (name, value) in headers {
        canonical_headers.push_str(&format!("{name}:{}\n", value.trim()));
        names.push(name.as_str());
    }
    let canonical = format!(
        "{method}\n{path}\n{}\n{canonical_headers}\n{}\nUNSIGNED-PAYLOAD",
        query.join("&"),
        names.join(";")
    );
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let mut parts = scope.split('/');
    let (day, region, service) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let mut key = hmac(format!("AWS4{secret}").as_bytes(), day);
    key = hmac(&key, region);
    key = hmac(&key, service);
    key = hmac(&key, "aws4_request");
    hex::encode(hmac(&key, &to_sign))
}

/// Check a presigned request like S3 does: the parameters are all there, the key id is
/// known (`secret_for` gives its secret), it has not expired at `now` (unix seconds) and
/// the signature matches. `header` gives the value of a signed header (lowercase name).
/// Returns the access key id.
pub fn verify_presigned(
    method: &str,
    path: &str,
    raw_query: &str,
    header: impl Fn(&str) -> Option<String>,
    now: i64,
    secret_for: impl Fn(&str) -> Option<String>,
) -> Result<String, S3Refusal> {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(raw_query.as_bytes())
        .into_owned()
        .collect();
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let (Some(algorithm), Some(credential), Some(date), Some(expires), Some(signed), Some(given)) = (
        get("X-Amz-Algorithm"),
        get("X-Amz-Credential"),
        get("X-Amz-Date"),
        get("X-Amz-Expires"),
        get("X-Amz-SignedHeaders"),
        get("X-Amz-Signature"),
    ) else {
        return Err(S3Refusal::new(
            403,
            "AccessDenied",
            "Access Denied: this bucket needs a presigned request (X-Amz-Algorithm, X-Amz-Credential, \
             X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature).",
        ));
    };
    let bad_query = |m: &str| S3Refusal::new(400, "AuthorizationQueryParametersError", m);
    if algorithm != "AWS4-HMAC-SHA256" {
        return Err(bad_query(
            "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"",
        ));
    }
    let scope: Vec<&str> = credential.split('/').collect();
    if scope.len() != 5 || scope[3] != "s3" || scope[4] != "aws4_request" {
        return Err(bad_query(
            "Error parsing the X-Amz-Credential parameter; the credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".",
        ));
    }
    let Ok(signed_at) = chrono::NaiveDateTime::parse_from_str(&date, "%Y%m%dT%H%M%SZ") else {
        return Err(bad_query(
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
        ));
    };
    if !date.starts_with(scope[1]) {
        return Err(bad_query(
            "The date of X-Amz-Credential does not match X-Amz-Date.",
        ));
    }
    let expires: i64 = match expires.parse() {
        Ok(e) if (1..=MAX_EXPIRES_SECS).contains(&e) => e,
        _ => {
            return Err(bad_query(
                "X-Amz-Expires must be a number of seconds from 1 to 604800 (7 days)",
            ))
        }
    };
    let Some(secret) = secret_for(scope[0]) else {
        return Err(S3Refusal::new(
            403,
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
        ));
    };
    if now > signed_at.and_utc().timestamp() + expires {
        return Err(S3Refusal::new(403, "AccessDenied", "Request has expired"));
    }
    let mut headers = Vec::new();
    for name in signed.split(';') {
        let value = header(name).unwrap_or_default();
        headers.push((name.to_owned(), value));
    }
    let expected = signature(&secret, method, path, &params, &headers);
    if expected != given {
        return Err(S3Refusal::new(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        ));
    }
    Ok(scope[0].to_owned())
}

fn check(
    shared: &Shared,
    method: &Method,
    uri: &OriginalUri,
    headers: &HeaderMap,
) -> Result<(), S3Refusal> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    verify_presigned(
        method.as_str(),
        uri.path(),
        uri.query().unwrap_or(""),
        header,
        shared.clock.now(),
        |id| (id == ACCESS_KEY_ID).then(|| SECRET_ACCESS_KEY.to_owned()),
    )
    .map(|_| ())
}

fn no_such_key() -> Response {
    s3_error(
        StatusCode::NOT_FOUND,
        "NoSuchKey",
        "The specified key does not exist.",
    )
}

fn etag(sha256: &str) -> String {
    format!("\"{}\"", &sha256[..32.min(sha256.len())])
}

async fn put_object(
    State(shared): State<Arc<Shared>>,
    Extension(store): Extension<Arc<Store>>,
    method: Method,
    uri: OriginalUri,
    Path((bucket, key)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Err(refusal) = check(&shared, &method, &uri, &headers) {
        return refusal.into_response();
    }
    let Some(declared) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    else {
        return s3_error(
            StatusCode::LENGTH_REQUIRED,
            "MissingContentLength",
            "You must provide the Content-Length HTTP header.",
        );
    };
    if declared > MAX_OBJECT_BYTES {
        return s3_error(
            StatusCode::BAD_REQUEST,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size",
        );
    }
    let mut data = Vec::with_capacity(usize::try_from(declared.min(8 * 1024 * 1024)).unwrap_or(0));
    let mut hasher = Sha256::new();
    let mut stream = body.into_data_stream();
    while let Some(frame) = stream.next().await {
        let Ok(bytes) = frame else {
            return s3_error(
                StatusCode::BAD_REQUEST,
                "IncompleteBody",
                "The request body terminated unexpectedly",
            );
        };
        if data.len() as u64 + bytes.len() as u64 > declared {
            return s3_error(
                StatusCode::BAD_REQUEST,
                "IncompleteBody",
                "The body is longer than the Content-Length.",
            );
        }
        hasher.update(&bytes);
        data.extend_from_slice(&bytes);
    }
    if data.len() as u64 != declared {
        return s3_error(
            StatusCode::BAD_REQUEST,
            "IncompleteBody",
            "You did not provide the number of bytes specified by the Content-Length HTTP header.",
        );
    }
    let sha256 = hex::encode(hasher.finalize());
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("binary/octet-stream")
        .to_owned();
    let mut objects = store.lock();
    let uploads = objects
        .get(&(bucket.clone(), key.clone()))
        .map_or(0, |o| o.info.uploads)
        + 1;
    let info = MediaHostObject {
        bucket: bucket.clone(),
        key: key.clone(),
        bytes: declared,
        sha256: sha256.clone(),
        content_type,
        deleted: false,
        uploads,
    };
    objects.insert(
        (bucket, key),
        Object {
            data: Bytes::from(data),
            info,
        },
    );
    drop(objects);
    (StatusCode::OK, [(header::ETAG, etag(&sha256))]).into_response()
}

async fn get_object(
    State(shared): State<Arc<Shared>>,
    Extension(store): Extension<Arc<Store>>,
    method: Method,
    uri: OriginalUri,
    Path((bucket, key)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    // Presigned when it says so; anonymous otherwise (a public-read bucket).
    if uri.query().is_some_and(|q| q.contains("X-Amz-")) {
        if let Err(refusal) = check(&shared, &method, &uri, &headers) {
            return refusal.into_response();
        }
    }
    let object = store.lock().get(&(bucket, key)).cloned();
    match object {
        Some(o) if !o.info.deleted => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, o.info.content_type.clone()),
                (header::ETAG, etag(&o.info.sha256)),
            ],
            o.data,
        )
            .into_response(),
        _ => no_such_key(),
    }
}

async fn delete_object(
    State(shared): State<Arc<Shared>>,
    Extension(store): Extension<Arc<Store>>,
    method: Method,
    uri: OriginalUri,
    Path((bucket, key)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(refusal) = check(&shared, &method, &uri, &headers) {
        return refusal.into_response();
    }
    if let Some(o) = store.lock().get_mut(&(bucket, key)) {
        o.info.deleted = true;
        o.data = Bytes::new();
    }
    StatusCode::NO_CONTENT.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    const AWS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    /// 2013-05-24T00:00:00Z, the date of AWS's documented examples.
    const AWS_DATE: i64 = 1_369_353_600;

    fn aws(id: &str) -> Option<String> {
        (id == "AKIAIOSFODNN7EXAMPLE").then(|| AWS_SECRET.to_owned())
    }

    fn host(value: &'static str) -> impl Fn(&str) -> Option<String> {
        move |name| (name == "host").then(|| value.to_owned())
    }

    const AWS_QUERY: &str = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host";

    #[test]
    fn aws_documented_presigned_urls_verify() {
        // AWS's "query string authentication" example (GET), and the same URL for PUT.
        for (method, sig) in [
            (
                "GET",
                "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
            ),
            (
                "PUT",
                "f4db56459304dafaa603a99a23c6bea8821890259a65c18ff503a4a72a80efd9",
            ),
        ] {
            let query = format!("{AWS_QUERY}&X-Amz-Signature={sig}");
            let id = verify_presigned(
                method,
                "/test.txt",
                &query,
                host("examplebucket.s3.amazonaws.com"),
                AWS_DATE + 60,
                aws,
            )
            .unwrap();
            assert_eq!(id, "AKIAIOSFODNN7EXAMPLE");
        }
    }

    #[test]
    fn refusals_are_s3s() {
        let good = format!(
            "{AWS_QUERY}&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        );
        let verify = |method: &str, path: &str, query: &str, now: i64| {
            verify_presigned(
                method,
                path,
                query,
                host("examplebucket.s3.amazonaws.com"),
                now,
                aws,
            )
            .unwrap_err()
        };
        let r = verify("GET", "/test.txt", "", AWS_DATE);
        assert_eq!((r.status, r.code), (403, "AccessDenied"));
        let r = verify("GET", "/test.txt", &good, AWS_DATE + 86_401);
        assert_eq!((r.status, r.code), (403, "AccessDenied"));
        assert_eq!(r.message, "Request has expired");
        let r = verify("GET", "/other.txt", &good, AWS_DATE);
        assert_eq!((r.status, r.code), (403, "SignatureDoesNotMatch"));
        let r = verify("PUT", "/test.txt", &good, AWS_DATE);
        assert_eq!(r.code, "SignatureDoesNotMatch");
        let r = verify(
            "GET",
            "/test.txt",
            &good.replace("AKIAIOSFODNN7EXAMPLE", "SOMEONEELSE"),
            AWS_DATE,
        );
        assert_eq!((r.status, r.code), (403, "InvalidAccessKeyId"));
        let r = verify(
            "GET",
            "/test.txt",
            &good.replace("Expires=86400", "Expires=999999"),
            AWS_DATE,
        );
        assert_eq!(
            (r.status, r.code),
            (400, "AuthorizationQueryParametersError")
        );
    }

    /// Presign like a client would (the verifier's own pieces; the AWS examples above
    /// pin them to S3's behaviour).
    fn presign(method: &str, origin: &str, path: &str, now: i64, expires: i64) -> String {
        let date = chrono::DateTime::from_timestamp(now, 0)
            .unwrap()
            .format("%Y%m%dT%H%M%SZ")
            .to_string();
        let params: Vec<(String, String)> = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256".to_owned()),
            (
                "X-Amz-Credential",
                format!("{ACCESS_KEY_ID}/{}/auto/s3/aws4_request", &date[..8]),
            ),
            ("X-Amz-Date", date.clone()),
            ("X-Amz-Expires", expires.to_string()),
            ("X-Amz-SignedHeaders", "host".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let authority = origin.trim_start_matches("http://");
        let sig = signature(
            SECRET_ACCESS_KEY,
            method,
            path,
            &params,
            &[("host".to_owned(), authority.to_owned())],
        );
        let query: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", aws_encode(v)))
            .collect();
        format!("{origin}{path}?{}&X-Amz-Signature={sig}", query.join("&"))
    }

    #[tokio::test]
    async fn put_get_head_and_delete_over_http() {
        let sandbox = crate::Sandbox::start_default().await.unwrap();
        let origin = format!("http://{}", sandbox.addr());
        let now = sandbox.now();
        let path = "/_s3/media/outpost/abc/photo.jpg";
        let http = reqwest::Client::new();
        let data = b"\xff\xd8\xff not really a jpeg".to_vec();

        // Without a signature, or with an expired one, nothing is stored.
        let r = http
            .put(format!("{origin}{path}"))
            .body(data.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("<Code>AccessDenied</Code>"));
        let r = http
            .put(presign("PUT", &origin, path, now - 7200, 3600))
            .body(data.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert!(r.text().await.unwrap().contains("Request has expired"));
        let tampered = presign("PUT", &origin, path, now, 3600).replace("photo.jpg", "other.jpg");
        let r = http.put(tampered).body(data.clone()).send().await.unwrap();
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("<Code>SignatureDoesNotMatch</Code>"));
        assert!(sandbox.inspect().media_host_objects.is_empty());

        let r = http
            .put(presign("PUT", &origin, path, now, 3600))
            .header("content-type", "image/jpeg")
            .body(data.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let sha = hex::encode(Sha256::digest(&data));
        let seen = sandbox.inspect().media_host_objects;
        assert_eq!(
            seen,
            vec![MediaHostObject {
                bucket: "media".into(),
                key: "outpost/abc/photo.jpg".into(),
                bytes: data.len() as u64,
                sha256: sha.clone(),
                content_type: "image/jpeg".into(),
                deleted: false,
                uploads: 1,
            }]
        );

        // Anonymous and presigned reads; HEAD has the headers only.
        let r = http.get(format!("{origin}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/jpeg");
        assert_eq!(r.bytes().await.unwrap().as_ref(), data.as_slice());
        let r = http
            .get(presign("GET", &origin, path, now, 60))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let r = http
            .get(presign("GET", &origin, path, now - 600, 60))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = http
            .head(presign("HEAD", &origin, path, now, 60))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers()["content-length"],
            data.len().to_string().as_str()
        );
        let r = http
            .get(format!("{origin}/_s3/media/outpost/abc/missing.jpg"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        assert!(r.text().await.unwrap().contains("NoSuchKey"));

        // DELETE needs a signature too; afterwards the object is gone but still listed.
        let r = http.delete(format!("{origin}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let r = http
            .delete(presign("DELETE", &origin, path, now, 60))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        assert_eq!(
            http.get(format!("{origin}{path}"))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
        let seen = sandbox.inspect().media_host_objects;
        assert!(seen[0].deleted && seen[0].sha256 == sha);

        // Platform routes are untouched.
        let r = http
            .get(format!(
                "{}/v23.0/me",
                sandbox.base_url(crate::Platform::Instagram)
            ))
            .send()
            .await
            .unwrap();
        assert_ne!(r.status(), 404);
        sandbox.shutdown().await;
    }

    #[tokio::test]
    async fn a_put_needs_a_content_length_that_matches_the_body() {
        let sandbox = crate::Sandbox::start_default().await.unwrap();
        let origin = format!("http://{}", sandbox.addr());
        let url = presign("PUT", &origin, "/_s3/media/k", sandbox.now(), 600);
        let chunks: Vec<Result<&'static [u8], std::io::Error>> = vec![Ok(b"abc")];
        let r = reqwest::Client::new()
            .put(&url)
            .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
                chunks,
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 411);
        assert!(r.text().await.unwrap().contains("MissingContentLength"));
        assert!(sandbox.inspect().media_host_objects.is_empty());
        sandbox.shutdown().await;
    }
}
