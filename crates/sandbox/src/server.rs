//! The HTTP server: one axum router with a nest per platform (`/tiktok`, `/instagram`,
//! `/reddit`), the media host's S3-compatible bucket (`/_s3`, not a platform) and the
//! inspection API (`/_sandbox`), plus the middleware every platform
//! request goes through: time-driven state updates, fault injection (latency, 5xx,
//! dropped bodies, 429 bursts), the call log and webhook delivery.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::{Extension, Router};
use bytes_stream::truncated_body;

use crate::config::Platform;
use crate::faults::Decision;
use crate::state::{CallRecord, Shared};
use crate::{inspect, instagram, reddit, s3host, tiktok, web, webhook};

/// The whole application; `media_host` holds the `/_s3` bucket's objects.
pub fn app(shared: Arc<Shared>, media_host: Arc<s3host::Store>) -> Router {
    let platforms = Router::new()
        .nest("/tiktok", tiktok::router())
        .nest("/instagram", instagram::router())
        .nest("/reddit", reddit::router())
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            platform_layer,
        ));
    Router::new()
        .merge(platforms)
        .nest("/_s3", s3host::router())
        .nest("/_sandbox", inspect::router())
        .layer(Extension(media_host))
        .with_state(shared)
}

fn platform_of(path: &str) -> Option<Platform> {
    let first = path.trim_start_matches('/').split('/').next()?;
    Platform::from_name(first)
}

fn is_authorize_page(platform: Platform, path: &str) -> bool {
    match platform {
        Platform::TikTok => path.ends_with("/v2/auth/authorize/"),
        Platform::Instagram => path.ends_with("/oauth/authorize"),
        Platform::Reddit => path.contains("/api/v1/authorize"),
    }
}

fn throttled(platform: Platform) -> Response {
    match platform {
        Platform::TikTok => tiktok::throttled(),
        Platform::Instagram => instagram::throttled(),
        Platform::Reddit => reddit::throttled(),
    }
}

fn server_error(platform: Platform) -> Response {
    match platform {
        Platform::TikTok => tiktok::server_error(),
        Platform::Instagram => instagram::server_error(),
        Platform::Reddit => reddit::server_error(),
    }
}

async fn platform_layer(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    let Some(platform) = platform_of(&path) else {
        return next.run(request).await;
    };
    let method = request.method().to_string();
    let token = web::auth_token(request.headers())
        .or_else(|| web::query(request.uri()).get("access_token").cloned());
    let n = shared.seq.fetch_add(1, Ordering::Relaxed);
    let (faults, burst) = {
        let now = shared.clock.now();
        let mut state = shared.lock();
        state.tick(now);
        let faults = state.faults.clone();
        let mut burst = false;
        if !is_authorize_page(platform, &path) {
            if let Some(left) = state.burst_left.get_mut(&platform).filter(|l| **l > 0) {
                *left -= 1;
                burst = true;
            }
        }
        (faults, burst)
    };
    webhook::flush(&shared).await;
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    let decision = faults.decide(shared.seed, n);
    let response = if burst {
        throttled(platform)
    } else if decision == Decision::ServerError {
        server_error(platform)
    } else {
        next.run(request).await
    };
    {
        let at_ms = shared.clock.now_ms();
        let mut state = shared.lock();
        state.record_call(CallRecord {
            platform,
            method,
            path,
            token,
            status: response.status().as_u16(),
            at_ms,
        });
    }
    webhook::flush(&shared).await;
    if decision == Decision::Drop {
        return truncate(response).await;
    }
    response
}

/// Serves half of the body, then aborts the connection.
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let full = bytes.len();
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(full.max(2)));
    Response::from_parts(parts, truncated_body(bytes))
}

mod bytes_stream {
    use axum::body::{Body, Bytes};

    /// A body that yields the first half of `bytes` and then fails.
    pub fn truncated_body(bytes: Bytes) -> Body {
        let half = bytes.slice(..bytes.len() / 2);
        let items: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(half),
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "sandbox fault: dropped",
            )),
        ];
        Body::from_stream(futures_util::stream::iter(items))
    }
}
