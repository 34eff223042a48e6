//! The one HTTP stack every platform client uses: a shared `reqwest` client with timeouts
//! and a descriptive User-Agent, a tracing span and metrics (`outpost_api_calls_total`,
//! `outpost_api_call_seconds`) per call, and errors that never carry a URL (queries can hold
//! tokens). Platform modules build requests and parse bodies; nothing else.

use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use tracing::Instrument;

use crate::error::UserFacing;
use crate::platform::Platform;
use crate::telemetry::metrics as m;

/// User-Agent sent to every platform (Reddit requires a descriptive one).
pub const USER_AGENT: &str = concat!(
    "desktop:app.outpost:v",
    env!("CARGO_PKG_VERSION"),
    " (Outpost desktop app)"
);
/// Largest response body read (a hostile or broken server cannot exhaust memory).
pub const MAX_BODY: usize = 8 * 1024 * 1024;

/// Transport failures (no usable HTTP response).
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// Connection refused, DNS, TLS, reset.
    #[error("{} could not be reached ({endpoint}): {reason}", platform.display_name())]
    Unreachable {
        /// Platform.
        platform: Platform,
        /// Endpoint name.
        endpoint: &'static str,
        /// Why, without the URL.
        reason: String,
    },
    /// No answer in time.
    #[error("{} did not answer in time ({endpoint})", platform.display_name())]
    Timeout {
        /// Platform.
        platform: Platform,
        /// Endpoint name.
        endpoint: &'static str,
    },
    /// The answer was larger than [`MAX_BODY`].
    #[error("{} sent an oversized answer ({endpoint})", platform.display_name())]
    TooLarge {
        /// Platform.
        platform: Platform,
        /// Endpoint name.
        endpoint: &'static str,
    },
    /// The client could not be built (TLS back end).
    #[error("cannot set up HTTP: {0}")]
    Setup(String),
}

impl UserFacing for HttpError {
    fn code(&self) -> &'static str {
        match self {
            HttpError::Unreachable { .. } => "http.unreachable",
            HttpError::Timeout { .. } => "http.timeout",
            HttpError::TooLarge { .. } => "http.too_large",
            HttpError::Setup(_) => "http.setup",
        }
    }
}

/// Bytes read from disk per step when a request body streams a file: large enough that an
/// upload is not paced by reads (tokio's default of 4 KiB made a read and a socket write per
/// 4 KiB, an eighth of what `curl` reaches on loopback), small enough to stay constant memory.
pub const UPLOAD_BUFFER: usize = 256 * 1024;

/// A request body streaming `reader` from disk in [`UPLOAD_BUFFER`] steps.
pub fn streamed_body<R>(reader: R) -> reqwest::Body
where
    R: tokio::io::AsyncRead + Send + Sync + 'static,
{
    reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::with_capacity(
        reader,
        UPLOAD_BUFFER,
    ))
}

/// A response read in full.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Body as JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// The shared HTTP client.
#[derive(Debug, Clone)]
pub struct Http {
    client: reqwest::Client,
}

impl Http {
    /// A client with Outpost's timeouts. Redirects are not followed: OAuth and upload
    /// endpoints must answer directly.
    pub fn new() -> Result<Http, HttpError> {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(120))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| HttpError::Setup(e.without_url().to_string()))?;
        Ok(Http { client })
    }

    /// The underlying client, to build requests.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Send a request and read its whole body, with tracing and metrics.
    pub async fn send(
        &self,
        platform: Platform,
        endpoint: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<HttpResponse, HttpError> {
        let span = tracing::debug_span!("api_call", platform = %platform, endpoint);
        async move {
            let started = Instant::now();
            let result = read(platform, endpoint, request).await;
            let status = result.as_ref().map(|r| r.status).unwrap_or(0);
            m::api_call(platform, endpoint, status, started.elapsed());
            match &result {
                Ok(r) => tracing::debug!(
                    status = r.status,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "api call"
                ),
                Err(e) => tracing::info!(error = %e, "api call failed"),
            }
            result
        }
        .instrument(span)
        .await
    }
}

async fn read(
    platform: Platform,
    endpoint: &'static str,
    request: reqwest::RequestBuilder,
) -> Result<HttpResponse, HttpError> {
    let transport = |e: reqwest::Error| {
        if e.is_timeout() {
            HttpError::Timeout { platform, endpoint }
        } else {
            HttpError::Unreachable {
                platform,
                endpoint,
                reason: error_chain(&e.without_url()),
            }
        }
    };
    let mut response = request.send().await.map_err(transport)?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(HttpError::TooLarge { platform, endpoint });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}

/// An error and its causes, joined with ": " (strip URLs first: `reqwest::Error::without_url`).
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
