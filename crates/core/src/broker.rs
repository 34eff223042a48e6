//! The token broker: a small stateless HTTP service (`outpost broker serve`) for whoever
//! distributes Outpost. It holds the platforms' client secrets — which Meta and TikTok say
//! must not live on creators' devices — and does only two things with them: exchange an
//! authorization code (with the app's PKCE verifier passed through) and refresh a token.
//! It stores nothing and logs no secret. Wire format: [`crate::platforms::broker`].

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::clock::SharedClock;
use crate::error::UserFacing;
use crate::platform::Platform;
use crate::platforms::{PlatformClient, PlatformError, TokenSet};
use crate::vault::SecretValue;

/// Largest request body accepted.
pub const MAX_REQUEST: usize = 16 * 1024;

#[derive(Debug, Deserialize)]
#[serde(tag = "grant_type", rename_all = "snake_case")]
enum Grant {
    AuthorizationCode {
        code: String,
        redirect_uri: String,
        code_verifier: Option<String>,
    },
    RefreshToken {
        refresh_token: String,
    },
}

#[derive(Clone)]
struct BrokerState {
    clients: Arc<HashMap<Platform, PlatformClient>>,
    clock: SharedClock,
}

/// The broker's routes over one client (with its secret) per platform it serves.
pub fn router(clients: HashMap<Platform, PlatformClient>, clock: SharedClock) -> axum::Router {
    let clients = clients
        .into_iter()
        .map(|(p, c)| (p, c.without_broker()))
        .collect();
    axum::Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/v1/{platform}/token", post(token))
        .layer(DefaultBodyLimit::max(MAX_REQUEST))
        .with_state(BrokerState {
            clients: Arc::new(clients),
            clock,
        })
}

/// Serve on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    clients: HashMap<Platform, PlatformClient>,
    clock: SharedClock,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(clients, clock))
        .with_graceful_shutdown(shutdown)
        .await
}

fn error(status: StatusCode, code: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": code, "error_description": description})),
    )
        .into_response()
}

async fn token(
    State(state): State<BrokerState>,
    Path(platform): Path<String>,
    body: Result<Json<Grant>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(platform) = platform.parse::<Platform>() else {
        return error(
            StatusCode::NOT_FOUND,
            "unknown_platform",
            "this broker serves tiktok, instagram and reddit",
        );
    };
    let Some(client) = state.clients.get(&platform) else {
        return error(
            StatusCode::NOT_FOUND,
            "platform_not_configured",
            "this broker holds no credentials for that platform",
        );
    };
    let grant = match body {
        Ok(Json(grant)) => grant,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return error(StatusCode::PAYLOAD_TOO_LARGE, "request_too_large", "the request body is too large");
        }
        Err(_) => return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "expected JSON with grant_type authorization_code (code, redirect_uri, code_verifier) or refresh_token (refresh_token)",
            ),
    };
    let now = state.clock.now_millis();
    let result = match grant {
        Grant::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => {
            let verifier = code_verifier.map(SecretValue::new);
            client
                .exchange_code(
                    &SecretValue::new(code),
                    &redirect_uri,
                    verifier.as_ref(),
                    now,
                )
                .await
        }
        Grant::RefreshToken { refresh_token } => {
            client.refresh(&SecretValue::new(refresh_token), now).await
        }
    };
    match result {
        Ok(tokens) => {
            tracing::info!(platform = %platform, "broker issued tokens");
            (StatusCode::OK, Json(token_json(&tokens, now))).into_response()
        }
        Err(e) => {
            tracing::info!(platform = %platform, error_code = e.code(), error = %e, "broker request refused");
            let message = e.to_payload().message;
            match e {
                PlatformError::InvalidGrant { .. } => {
                    error(StatusCode::BAD_REQUEST, "invalid_grant", &message)
                }
                PlatformError::Unauthorized { .. } => {
                    error(StatusCode::UNAUTHORIZED, "unauthorized", &message)
                }
                PlatformError::RateLimited { .. } => {
                    error(StatusCode::TOO_MANY_REQUESTS, "rate_limited", &message)
                }
                PlatformError::MissingSecret { .. } => error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "broker_misconfigured",
                    &message,
                ),
                _ => error(StatusCode::BAD_GATEWAY, "upstream_error", &message),
            }
        }
    }
}

fn token_json(t: &TokenSet, now: i64) -> serde_json::Value {
    let secs = |at: Option<i64>| at.map(|a| ((a - now) / 1000).max(0));
    json!({
        "access_token": t.access_token.expose(),
        "expires_in": secs(t.access_expires_at),
        "refresh_token": t.refresh_token.as_ref().map(SecretValue::expose),
        "refresh_expires_in": secs(t.refresh_expires_at),
        "scope": t.scopes.join(","),
        "user_id": t.user_id,
        "token_type": "Bearer",
    })
}

/// The listen address default for `outpost broker serve`.
pub fn default_addr() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8788))
}
