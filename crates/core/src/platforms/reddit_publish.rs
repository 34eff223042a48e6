//! Reddit submissions (requests and shapes only): the media upload lease
//! (`/api/media/asset.json`), the multipart upload of a file to the lease's storage
//! (streamed from disk in constant memory, without Reddit's token), `/api/submit` with its
//! business errors read from inside HTTP 200, the media post's websocket that carries the
//! post id Reddit does not put in the submit answer, and a look through the account's
//! submitted posts for when a submit's outcome is unknown. The queue's workers decide when
//! to call what; nothing here retries or stores.

use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, UPGRADE};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::{self, protocol::Role, Message, WebSocket};
use url::Url;

use super::{json_body, PlatformClient, PlatformError};
use crate::config::Host;
use crate::http::{HttpError, HttpResponse};
use crate::platform::Platform;
use crate::vault::SecretValue;

const P: Platform = Platform::Reddit;

/// `code` of a [`PlatformError::Rejected`]: Reddit says on the media websocket that
/// processing the image or video failed (no post exists).
pub const MEDIA_PROCESSING_FAILED: &str = "media_processing_failed";

/// What is posted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubmissionKind {
    /// A link post.
    Link {
        /// The link.
        url: String,
    },
    /// A text post (markdown).
    SelfText {
        /// Body.
        text: String,
    },
    /// An image post: the media URL of an uploaded lease.
    Image {
        /// From [`PlatformClient::reddit_upload_to_lease`].
        media_url: String,
    },
    /// A video post, with its poster image (both uploaded leases).
    Video {
        /// The video's media URL.
        media_url: String,
        /// The poster image's media URL.
        poster_url: String,
    },
    /// A silent looping video ("videogif"), with its poster image.
    VideoGif {
        /// The video's media URL.
        media_url: String,
        /// The poster image's media URL.
        poster_url: String,
    },
}

impl SubmissionKind {
    fn name(&self) -> &'static str {
        match self {
            SubmissionKind::Link { .. } => "link",
            SubmissionKind::SelfText { .. } => "self",
            SubmissionKind::Image { .. } => "image",
            SubmissionKind::Video { .. } => "video",
            SubmissionKind::VideoGif { .. } => "videogif",
        }
    }
}

/// One `/api/submit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    /// Subreddit name without `r/` (a profile: `u_<username>`).
    pub subreddit: String,
    /// Title (at most 300 characters).
    pub title: String,
    /// What is posted.
    pub kind: SubmissionKind,
    /// Not safe for work.
    pub nsfw: bool,
    /// Spoiler.
    pub spoiler: bool,
    /// Flair template id (some subreddits require one).
    pub flair_id: Option<String>,
    /// Flair text (editable templates only).
    pub flair_text: Option<String>,
    /// Send replies to the account's inbox.
    pub send_replies: bool,
}

/// A media upload lease: where and how to send the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lease {
    /// Absolute upload URL (Reddit gives it protocol-relative; resolved against the API
    /// base URL's scheme).
    pub action: String,
    /// Form fields to send first, in this order.
    pub fields: Vec<(String, String)>,
    /// Asset id (for galleries and inline media).
    pub asset_id: String,
    /// The asset's websocket, when given (it reports the post that uses the asset).
    pub websocket_url: Option<String>,
}

/// What `/api/submit` answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Submitted {
    /// A link or text post: it exists.
    Post {
        /// Post id, without `t3_`.
        id: String,
        /// Its URL.
        url: Option<String>,
    },
    /// An image or video post: the id comes on this websocket
    /// ([`PlatformClient::reddit_await_media_post`]).
    Media {
        /// Absolute `ws://` or `wss://` URL.
        websocket_url: String,
    },
}

/// One post of a user's submitted listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedditListingPost {
    /// Post id, without `t3_`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Subreddit name, without `r/`.
    pub subreddit: String,
    /// The link (link and media posts) or the post's own URL (text posts).
    pub url: Option<String>,
    /// Body of a text post.
    pub selftext: Option<String>,
    /// Creation time, unix seconds.
    pub created_utc: i64,
}

fn bad(endpoint: &'static str, reason: impl Into<String>) -> PlatformError {
    PlatformError::BadResponse {
        platform: P,
        endpoint,
        reason: reason.into(),
    }
}

/// Seconds in Reddit's "try again in 9 minutes." (or seconds, or hours).
fn ratelimit_secs(message: &str) -> Option<u64> {
    let lower = message.to_ascii_lowercase();
    let rest = &lower[lower.find("try again in ")? + "try again in ".len()..];
    let mut words = rest.split_whitespace();
    let n: u64 = words.next()?.parse().ok()?;
    let unit = words.next().unwrap_or("");
    let scale = if unit.starts_with("hour") {
        3600
    } else if unit.starts_with("minute") {
        60
    } else if unit.starts_with("second") || unit.starts_with("ms") {
        1
    } else {
        return None;
    };
    Some(n * scale)
}

/// The first of `json.errors` (`[[CODE, message, field], ...]`), if any.
fn submit_error(v: &Value) -> Option<PlatformError> {
    let first = v.pointer("/json/errors")?.as_array()?.first()?;
    let part = |i: usize| first.get(i).and_then(Value::as_str).unwrap_or_default();
    let (code, message) = (part(0), part(1));
    Some(if code == "RATELIMIT" {
        PlatformError::RateLimited {
            platform: P,
            retry_after_secs: ratelimit_secs(message),
        }
    } else {
        PlatformError::Rejected {
            platform: P,
            status: 200,
            code: if code.is_empty() { "unknown" } else { code }.to_owned(),
            message: if message.is_empty() { code } else { message }.to_owned(),
        }
    })
}

/// The post id in a permalink `…/comments/<id>/<slug>/`.
fn post_id_from_permalink(permalink: &str) -> Option<String> {
    let path = permalink.split(['?', '#']).next()?;
    let mut segments = path.split('/');
    segments.find(|s| *s == "comments")?;
    segments
        .next()
        .map(|id| id.trim_start_matches("t3_"))
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        .map(str::to_owned)
}

/// The text of `<Name>…</Name>` in an S3 XML answer.
fn xml_tag<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let len = xml[start..].find(&format!("</{name}>"))?;
    Some(xml[start..start + len].trim())
}

/// A storage answer that is not a success: S3's `<Error><Code>…<Message>…` as Rejected.
fn s3_error(resp: &HttpResponse) -> PlatformError {
    let xml = String::from_utf8_lossy(&resp.body);
    let code = xml_tag(&xml, "Code").filter(|c| !c.is_empty());
    PlatformError::Rejected {
        platform: P,
        status: resp.status,
        code: code.unwrap_or("http").to_owned(),
        message: xml_tag(&xml, "Message")
            .filter(|m| !m.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| format!("the media storage answered HTTP {}", resp.status)),
    }
}

/// A quoted `Content-Disposition` parameter, escaped as browsers do.
fn quoted(s: &str) -> String {
    s.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// The `multipart/form-data` bytes around the file: every field in order, then the head of
/// the `file` part (`head`), and the closing boundary (`tail`).
fn multipart_frame(
    boundary: &str,
    fields: &[(String, String)],
    file_name: &str,
    mimetype: &str,
) -> (Vec<u8>, Vec<u8>) {
    let mut head = String::new();
    for (name, value) in fields {
        head.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n{value}\r\n",
            quoted(name)
        ));
    }
    let mimetype: String = mimetype.chars().filter(|c| !c.is_control()).collect();
    head.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: {mimetype}\r\n\r\n",
        quoted(file_name)
    ));
    (
        head.into_bytes(),
        format!("\r\n--{boundary}--\r\n").into_bytes(),
    )
}

/// What a media websocket said.
enum SocketNews {
    /// The post exists: its id.
    Posted(String),
    /// Processing failed.
    Failed(String),
}

/// One websocket text message: `{"type": "success", "payload": {"redirect": permalink}}`
/// or `{"type": "failed"}`; anything else is not the outcome yet.
fn socket_news(text: &str) -> Result<Option<SocketNews>, PlatformError> {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return Ok(None);
    };
    match v.get("type").and_then(Value::as_str) {
        Some("success") => {
            let redirect = v
                .pointer("/payload/redirect")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("media.websocket", "success without payload.redirect"))?;
            post_id_from_permalink(redirect)
                .map(|id| Some(SocketNews::Posted(id)))
                .ok_or_else(|| bad("media.websocket", "payload.redirect holds no post id"))
        }
        Some("failed") => Ok(Some(SocketNews::Failed(
            v.pointer("/payload/message")
                .and_then(Value::as_str)
                .unwrap_or("Reddit could not process the media")
                .to_owned(),
        ))),
        _ => Ok(None),
    }
}

/// The byte pipe between tungstenite (which reads and writes synchronously) and the
/// upgraded connection (async): reads say `WouldBlock` until more bytes are fed in.
#[derive(Default)]
struct Pipe {
    input: Vec<u8>,
    read: usize,
    eof: bool,
    output: Vec<u8>,
}

impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.read < self.input.len() {
            let n = buf.len().min(self.input.len() - self.read);
            buf[..n].copy_from_slice(&self.input[self.read..self.read + n]);
            self.read += n;
            if self.read == self.input.len() {
                self.input.clear();
                self.read = 0;
            }
            Ok(n)
        } else if self.eof {
            Ok(0)
        } else {
            Err(std::io::ErrorKind::WouldBlock.into())
        }
    }
}

impl Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.output.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl PlatformClient {
    /// Send an oauth.reddit.com call and return its JSON body, or Reddit's error.
    async fn reddit_call(
        &self,
        endpoint: &'static str,
        req: reqwest::RequestBuilder,
    ) -> Result<Value, PlatformError> {
        let resp = self.http.send(P, endpoint, req).await?;
        let body = resp.json();
        if let Some(e) = super::reddit::error(&resp, body.as_ref()) {
            return Err(e);
        }
        json_body(P, endpoint, &resp)
    }

    /// Lease an upload for a file named `file_name` of type `mimetype` (`image/jpeg`,
    /// `image/png`, `image/gif`, `video/mp4`, `video/quicktime`).
    pub async fn reddit_media_lease(
        &self,
        access: &SecretValue,
        file_name: &str,
        mimetype: &str,
    ) -> Result<Lease, PlatformError> {
        const E: &str = "media.asset";
        let req = self
            .http
            .client()
            .post(self.endpoints.url(Host::Api, "/api/media/asset.json"))
            .bearer_auth(access.expose())
            .form(&[("filepath", file_name), ("mimetype", mimetype)]);
        let v = self.reddit_call(E, req).await?;
        let action = v
            .pointer("/args/action")
            .and_then(Value::as_str)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| bad(E, "args.action is missing"))?;
        // Protocol-relative (`//host/path`): take the scheme of the API we talk to.
        let action = self
            .endpoints
            .url(Host::Api, "/")
            .join(action)
            .map_err(|_| bad(E, "args.action is not a URL"))?;
        if !matches!(action.scheme(), "https" | "http") {
            return Err(bad(E, "args.action is not an http(s) URL"));
        }
        let fields: Vec<(String, String)> = v
            .pointer("/args/fields")
            .and_then(Value::as_array)
            .ok_or_else(|| bad(E, "args.fields is missing"))?
            .iter()
            .filter_map(|f| {
                let name = f.get("name")?.as_str()?.to_owned();
                let value = match f.get("value")? {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                Some((name, value))
            })
            .collect();
        if !fields.iter().any(|(n, v)| n == "key" && !v.is_empty()) {
            return Err(bad(E, "args.fields has no key"));
        }
        let asset = v.get("asset").unwrap_or(&Value::Null);
        let text = |k: &str| {
            asset
                .get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Ok(Lease {
            action: action.as_str().trim_end_matches('/').to_owned(),
            fields,
            asset_id: text("asset_id").ok_or_else(|| bad(E, "asset.asset_id is missing"))?,
            websocket_url: text("websocket_url"),
        })
    }

    /// Upload `file` to a lease: a multipart POST of the lease's fields in order, then the
    /// file, streamed from disk; no Reddit token is sent. Returns the media URL to submit
    /// (`action/key`). Storage refusals (S3 XML `<Code>`, `<Message>`) are
    /// [`PlatformError::Rejected`] with that code.
    pub async fn reddit_upload_to_lease(
        &self,
        lease: &Lease,
        file: &Path,
        mimetype: &str,
    ) -> Result<String, PlatformError> {
        const E: &str = "media.upload";
        let key = lease
            .fields
            .iter()
            .find(|(n, _)| n == "key")
            .map(|(_, v)| v.clone())
            .ok_or_else(|| bad(E, "the lease has no key"))?;
        let io = |e: std::io::Error| PlatformError::BadResponse {
            platform: P,
            endpoint: E,
            reason: format!("cannot read the file: {e}"),
        };
        let f = tokio::fs::File::open(file).await.map_err(io)?;
        let size = f.metadata().await.map_err(io)?.len();
        let file_name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("upload");
        let boundary = format!("outpost-{:032x}", rand::thread_rng().gen::<u128>());
        let (head, tail) = multipart_frame(&boundary, &lease.fields, file_name, mimetype);
        let total = head.len() as u64 + size + tail.len() as u64;
        let stream = AsyncReadExt::chain(
            AsyncReadExt::chain(std::io::Cursor::new(head), f.take(size)),
            std::io::Cursor::new(tail),
        );
        let req = self
            .http
            .client()
            .post(lease.action.as_str())
            .header(
                CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header(CONTENT_LENGTH, total)
            .body(crate::http::streamed_body(stream));
        let resp = self.http.send(P, E, req).await?;
        if !resp.is_success() {
            return Err(s3_error(&resp));
        }
        Ok(format!("{}/{key}", lease.action))
    }

    /// Submit a post. Business errors come inside HTTP 200 as `json.errors`: the first one
    /// is a [`PlatformError::Rejected`] with Reddit's code (`SUBREDDIT_NOEXIST`,
    /// `NO_SELFS`, `ALREADY_SUB`…), except `RATELIMIT`, which is
    /// [`PlatformError::RateLimited`] with the wait Reddit names.
    pub async fn reddit_submit(
        &self,
        access: &SecretValue,
        s: &Submission,
    ) -> Result<Submitted, PlatformError> {
        const E: &str = "submit";
        let flag = |b: bool| if b { "true" } else { "false" }.to_owned();
        let mut form: Vec<(&str, String)> = vec![
            ("api_type", "json".into()),
            ("sr", s.subreddit.clone()),
            ("kind", s.kind.name().into()),
            ("title", s.title.clone()),
            ("nsfw", flag(s.nsfw)),
            ("spoiler", flag(s.spoiler)),
            ("sendreplies", flag(s.send_replies)),
        ];
        match &s.kind {
            SubmissionKind::Link { url } => form.push(("url", url.clone())),
            SubmissionKind::SelfText { text } => form.push(("text", text.clone())),
            SubmissionKind::Image { media_url } => form.push(("url", media_url.clone())),
            SubmissionKind::Video {
                media_url,
                poster_url,
            }
            | SubmissionKind::VideoGif {
                media_url,
                poster_url,
            } => {
                form.push(("url", media_url.clone()));
                form.push(("video_poster_url", poster_url.clone()));
            }
        }
        if let Some(id) = &s.flair_id {
            form.push(("flair_id", id.clone()));
        }
        if let Some(text) = &s.flair_text {
            form.push(("flair_text", text.clone()));
        }
        let req = self
            .http
            .client()
            .post(self.endpoints.url(Host::Api, "/api/submit"))
            .bearer_auth(access.expose())
            .form(&form);
        let v = self.reddit_call(E, req).await?;
        if let Some(e) = submit_error(&v) {
            return Err(e);
        }
        let data = v
            .pointer("/json/data")
            .ok_or_else(|| bad(E, "json.data is missing"))?;
        let text = |k: &str| {
            data.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        if let Some(id) = text("id").or_else(|| text("name")) {
            return Ok(Submitted::Post {
                id: id.trim_start_matches("t3_").to_owned(),
                url: text("url"),
            });
        }
        match text("websocket_url") {
            Some(websocket_url) => Ok(Submitted::Media { websocket_url }),
            None => Err(bad(E, "json.data has neither an id nor a websocket_url")),
        }
    }

    /// Wait on a media post's websocket for its one message: the post id (from the
    /// permalink in `payload.redirect`), or a [`PlatformError::Rejected`] with code
    /// [`MEDIA_PROCESSING_FAILED`]. Past `timeout` it is [`HttpError::Timeout`]; like a
    /// socket that closes without saying, that leaves the outcome unknown: the post may
    /// exist ([`PlatformClient::reddit_find_submitted`] tells).
    pub async fn reddit_await_media_post(
        &self,
        websocket_url: &str,
        timeout: Duration,
    ) -> Result<String, PlatformError> {
        const E: &str = "media.websocket";
        let span = tracing::debug_span!("api_call", platform = %P, endpoint = E);
        let started = Instant::now();
        let outcome = tracing::Instrument::instrument(
            tokio::time::timeout(timeout, self.media_socket(websocket_url)),
            span,
        )
        .await;
        let result = match outcome {
            Ok(r) => r,
            Err(_) => Err(HttpError::Timeout {
                platform: P,
                endpoint: E,
            }
            .into()),
        };
        let status = match &result {
            Ok(_) => 101,
            Err(PlatformError::Rejected { status, .. }) => *status,
            Err(_) => 0,
        };
        crate::telemetry::metrics::api_call(P, E, status, started.elapsed());
        result
    }

    async fn media_socket(&self, websocket_url: &str) -> Result<String, PlatformError> {
        const E: &str = "media.websocket";
        let mut url = Url::parse(websocket_url).map_err(|_| bad(E, "not a URL"))?;
        // The HTTP request that the websocket upgrades (RFC 6455 §4.1).
        let scheme = match url.scheme() {
            "wss" | "https" => "https",
            "ws" | "http" => "http",
            _ => return Err(bad(E, "not a ws:// or wss:// URL")),
        };
        url.set_scheme(scheme)
            .map_err(|_| bad(E, "not a ws:// or wss:// URL"))?;
        let key = tungstenite::handshake::client::generate_key();
        let transport = |e: reqwest::Error| -> PlatformError {
            HttpError::Unreachable {
                platform: P,
                endpoint: E,
                reason: e.without_url().to_string(),
            }
            .into()
        };
        // Through the shared client (User-Agent, TLS, connect timeout), but not
        // `Http::send`, which reads the body: the connection is kept for the websocket.
        // The caller's span and metric stand in for the ones `Http::send` records.
        let resp = self
            .http
            .client()
            .get(url)
            .header(CONNECTION, "Upgrade")
            .header(UPGRADE, "websocket")
            .header("Sec-WebSocket-Version", "13")
            .header("Sec-WebSocket-Key", &key)
            .send()
            .await
            .map_err(transport)?;
        let status = resp.status().as_u16();
        if status != 101 {
            return Err(PlatformError::Rejected {
                platform: P,
                status,
                code: "http".into(),
                message: format!("the media websocket answered HTTP {status}"),
            });
        }
        let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
        if resp
            .headers()
            .get("Sec-WebSocket-Accept")
            .and_then(|v| v.to_str().ok())
            != Some(accept.as_str())
        {
            return Err(bad(E, "the websocket handshake answer is wrong"));
        }
        let mut conn = resp.upgrade().await.map_err(transport)?;
        let mut ws = WebSocket::from_raw_socket(Pipe::default(), Role::Client, None);
        let closed = || {
            bad(
                E,
                "the websocket closed without saying what became of the post",
            )
        };
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match ws.read() {
                Ok(Message::Text(text)) => match socket_news(text.as_str())? {
                    Some(SocketNews::Posted(id)) => return Ok(id),
                    Some(SocketNews::Failed(message)) => {
                        return Err(PlatformError::Rejected {
                            platform: P,
                            status: 0,
                            code: MEDIA_PROCESSING_FAILED.into(),
                            message,
                        })
                    }
                    None => {}
                },
                Ok(Message::Close(_)) => return Err(closed()),
                Ok(_) => {}
                Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    // Send what tungstenite queued (pongs, the close reply), then wait for
                    // more bytes.
                    let out = std::mem::take(&mut ws.get_mut().output);
                    let io = |e: std::io::Error| -> PlatformError {
                        HttpError::Unreachable {
                            platform: P,
                            endpoint: E,
                            reason: e.to_string(),
                        }
                        .into()
                    };
                    if !out.is_empty() {
                        conn.write_all(&out).await.map_err(io)?;
                    }
                    let n = conn.read(&mut buf).await.map_err(io)?;
                    let pipe = ws.get_mut();
                    if n == 0 {
                        pipe.eof = true;
                    } else {
                        pipe.input.extend_from_slice(&buf[..n]);
                    }
                }
                Err(
                    tungstenite::Error::ConnectionClosed
                    | tungstenite::Error::AlreadyClosed
                    | tungstenite::Error::Protocol(_),
                ) => return Err(closed()),
                Err(e) => return Err(bad(E, format!("websocket: {e}"))),
            }
        }
    }

    /// Look through `username`'s submitted posts, newest first, for the first one
    /// `matches` accepts, reading at most `limit` posts (for a submit whose outcome is
    /// unknown, e.g. after a crash or a websocket that timed out).
    pub async fn reddit_find_submitted(
        &self,
        access: &SecretValue,
        username: &str,
        matches: &(dyn Fn(&RedditListingPost) -> bool + Sync),
        limit: usize,
    ) -> Result<Option<RedditListingPost>, PlatformError> {
        const E: &str = "submitted";
        let mut after: Option<String> = None;
        let mut seen = 0usize;
        while seen < limit {
            let mut url = self.endpoints.url(Host::Api, "/user");
            if let Ok(mut path) = url.path_segments_mut() {
                path.pop_if_empty().push(username).push("submitted");
            }
            url.query_pairs_mut()
                .append_pair("limit", &(limit - seen).min(100).to_string())
                .append_pair("raw_json", "1");
            if let Some(a) = &after {
                url.query_pairs_mut().append_pair("after", a);
            }
            let req = self.http.client().get(url).bearer_auth(access.expose());
            let v = self.reddit_call(E, req).await?;
            let data = v.get("data").ok_or_else(|| bad(E, "data is missing"))?;
            let children = data
                .get("children")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if children.is_empty() {
                return Ok(None);
            }
            for child in &children {
                seen += 1;
                if let Some(post) = child.get("data").and_then(listing_post) {
                    if matches(&post) {
                        return Ok(Some(post));
                    }
                }
                if seen >= limit {
                    break;
                }
            }
            after = data
                .get("after")
                .and_then(Value::as_str)
                .filter(|a| !a.is_empty())
                .map(str::to_owned);
            if after.is_none() {
                break;
            }
        }
        Ok(None)
    }
}

/// A listing child's `data` as a [`RedditListingPost`].
fn listing_post(d: &Value) -> Option<RedditListingPost> {
    let text = |k: &str| {
        d.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Some(RedditListingPost {
        id: text("id").or_else(|| text("name").map(|n| n.trim_start_matches("t3_").to_owned()))?,
        title: text("title").unwrap_or_default(),
        subreddit: text("subreddit").unwrap_or_default(),
        url: text("url"),
        selftext: text("selftext"),
        created_utc: d
            .get("created_utc")
            .and_then(Value::as_f64)
            .map(|t| t as i64)
            .unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratelimit_waits_are_read_in_any_unit() {
        assert_eq!(
            ratelimit_secs("you are doing that too much. try again in 9 minutes."),
            Some(540)
        );
        assert_eq!(ratelimit_secs("Try again in 1 minute."), Some(60));
        assert_eq!(ratelimit_secs("try again in 30 seconds."), Some(30));
        assert_eq!(ratelimit_secs("try again later"), None);
    }

    #[test]
    fn business_errors_inside_200_become_refusals_or_waits() {
        let v = serde_json::json!({"json": {"errors": [["SUBREDDIT_NOEXIST", "that subreddit doesn't exist", "sr"]]}});
        match submit_error(&v) {
            Some(PlatformError::Rejected { code, message, .. }) => {
                assert_eq!(code, "SUBREDDIT_NOEXIST");
                assert!(message.contains("doesn't exist"));
            }
            other => panic!("{other:?}"),
        }
        let v = serde_json::json!({"json": {"errors": [["RATELIMIT", "you are doing that too much. try again in 4 minutes.", "ratelimit"]]}});
        assert!(matches!(
            submit_error(&v),
            Some(PlatformError::RateLimited {
                retry_after_secs: Some(240),
                ..
            })
        ));
        assert!(submit_error(&serde_json::json!({"json": {"errors": [], "data": {}}})).is_none());
    }

    #[test]
    fn post_ids_come_from_permalinks() {
        assert_eq!(
            post_id_from_permalink("https://www.reddit.com/r/videos/comments/abc123/my_clip/")
                .as_deref(),
            Some("abc123")
        );
        assert_eq!(
            post_id_from_permalink("/r/x/comments/t3_zz9/").as_deref(),
            Some("zz9")
        );
        assert_eq!(
            post_id_from_permalink("https://www.reddit.com/user/a/submitted/"),
            None
        );
    }

    #[test]
    fn storage_errors_are_read_from_s3_xml() {
        let resp = HttpResponse {
            status: 400,
            headers: Default::default(),
            body: b"<?xml version=\"1.0\"?>\n<Error><Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed size</Message><MaxSizeAllowed>1</MaxSizeAllowed></Error>".to_vec(),
        };
        match s3_error(&resp) {
            PlatformError::Rejected {
                status,
                code,
                message,
                ..
            } => {
                assert_eq!((status, code.as_str()), (400, "EntityTooLarge"));
                assert!(message.contains("maximum allowed size"));
            }
            other => panic!("{other:?}"),
        }
        let html = HttpResponse {
            status: 503,
            headers: Default::default(),
            body: b"<html>busy</html>".to_vec(),
        };
        assert!(s3_error(&html).is_transient());
    }

    #[test]
    fn multipart_frames_keep_field_order_and_end_with_the_file() {
        let fields = vec![
            ("acl".to_owned(), "private".to_owned()),
            ("key".to_owned(), "rte_images/a".to_owned()),
        ];
        let (head, tail) = multipart_frame("B", &fields, "a\"b.jpg", "image/jpeg");
        let head = String::from_utf8(head).unwrap();
        assert_eq!(
            head,
            "--B\r\nContent-Disposition: form-data; name=\"acl\"\r\n\r\nprivate\r\n\
             --B\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nrte_images/a\r\n\
             --B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a%22b.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
        );
        assert_eq!(tail, b"\r\n--B--\r\n");
    }

    #[test]
    fn socket_messages_tell_the_outcome() {
        assert!(matches!(
            socket_news(r#"{"type":"success","payload":{"redirect":"https://r.example/r/a/comments/q1w2/t/"}}"#),
            Ok(Some(SocketNews::Posted(id))) if id == "q1w2"
        ));
        assert!(matches!(
            socket_news(r#"{"type":"failed"}"#),
            Ok(Some(SocketNews::Failed(_)))
        ));
        assert!(matches!(socket_news(r#"{"type":"progress"}"#), Ok(None)));
        assert!(socket_news(r#"{"type":"success","payload":{}}"#).is_err());
    }

    #[test]
    fn listing_children_are_read() {
        let d = serde_json::json!({"id": "abc", "title": "T", "subreddit": "videos",
            "url": "https://x.example/", "selftext": "", "created_utc": 1700000000.0});
        let p = listing_post(&d).unwrap();
        assert_eq!(
            (p.id.as_str(), p.selftext, p.created_utc),
            ("abc", None, 1_700_000_000)
        );
    }
}
