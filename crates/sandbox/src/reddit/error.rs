//! Reddit's error shapes: HTTP errors `{"message": "Unauthorized", "error": 401}`, token
//! endpoint errors `{"error": "invalid_grant"}` inside HTTP 200 (as Reddit answers them),
//! and business errors inside HTTP 200 as `json.errors` triples (built by the handlers).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::web;

/// A Reddit error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RedditError {
    /// An HTTP-level error (401, 403, 404, 429...).
    #[error("HTTP {0}")]
    Http(StatusCode),
    /// A token endpoint error, answered with HTTP 200.
    #[error("{0}")]
    OAuth(&'static str),
}

impl IntoResponse for RedditError {
    fn into_response(self) -> Response {
        match self {
            RedditError::Http(status) => web::json(
                status,
                &json!({"message": status.canonical_reason().unwrap_or("Error"), "error": status.as_u16()}),
            ),
            RedditError::OAuth(error) => web::json(StatusCode::OK, &json!({"error": error})),
        }
    }
}

/// `{"json": {"errors": [[code, message, field]]}}` in HTTP 200.
pub fn business_error(code: &str, message: &str, field: &str) -> Response {
    web::json(
        StatusCode::OK,
        &json!({"json": {"errors": [[code, message, field]]}}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_errors_are_http_200() {
        assert_eq!(
            RedditError::OAuth("invalid_grant").into_response().status(),
            StatusCode::OK
        );
        assert_eq!(
            RedditError::Http(StatusCode::FORBIDDEN)
                .into_response()
                .status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            business_error("RATELIMIT", "m", "ratelimit").status(),
            StatusCode::OK
        );
    }
}
