//! TikTok's two error envelopes: OAuth endpoints answer
//! `{"error", "error_description", "log_id"}`; v2 API endpoints (and the sandbox's
//! upload host) answer `{"data": {}, "error": {"code", "message", "log_id"}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::state::AuthFailure;
use crate::web;

/// A TikTok error, rendered in the envelope of the endpoint family.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TikTokError {
    /// OAuth endpoint error (`/v2/oauth/...`).
    #[error("{error}: {description}")]
    OAuth {
        /// HTTP status.
        status: StatusCode,
        /// `invalid_request`, `invalid_grant`, `invalid_client`...
        error: &'static str,
        /// Human text.
        description: String,
    },
    /// v2 API error.
    #[error("{code}: {message}")]
    Api {
        /// HTTP status.
        status: StatusCode,
        /// `access_token_invalid`, `invalid_params`, `rate_limit_exceeded`...
        code: &'static str,
        /// Human text.
        message: String,
    },
}

impl TikTokError {
    /// An OAuth-envelope error.
    pub fn oauth(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        TikTokError::OAuth {
            status,
            error,
            description: description.into(),
        }
    }

    /// An API-envelope error.
    pub fn api(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        TikTokError::Api {
            status,
            code,
            message: message.into(),
        }
    }

    /// `400 invalid_params`.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::api(StatusCode::BAD_REQUEST, "invalid_params", message)
    }

    /// `429 rate_limit_exceeded`.
    pub fn rate_limited() -> Self {
        Self::api(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_exceeded",
            "The API rate limit was exceeded. Please try again later.",
        )
    }

    /// `500 internal_error`.
    pub fn internal() -> Self {
        Self::api(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Something went wrong. Please try again later.",
        )
    }

    /// `401 scope_not_authorized`.
    pub fn scope(scope: &str) -> Self {
        Self::api(
            StatusCode::UNAUTHORIZED,
            "scope_not_authorized",
            format!("The user did not authorize the scope required for completing this request ({scope})."),
        )
    }

    /// The error for a refused bearer token.
    pub fn from_auth(failure: AuthFailure) -> Self {
        let message = match failure {
            AuthFailure::Missing | AuthFailure::Invalid => {
                "The access token is invalid or not found in the request."
            }
            AuthFailure::Expired => "The access token has expired.",
            AuthFailure::Revoked => "The access token has been revoked.",
        };
        Self::api(StatusCode::UNAUTHORIZED, "access_token_invalid", message)
    }
}

impl IntoResponse for TikTokError {
    fn into_response(self) -> Response {
        match self {
            TikTokError::OAuth {
                status,
                error,
                description,
            } => web::json(
                status,
                &json!({"error": error, "error_description": description, "log_id": web::log_id()}),
            ),
            TikTokError::Api {
                status,
                code,
                message,
            } => web::json(
                status,
                &json!({"data": {}, "error": {"code": code, "message": message, "log_id": web::log_id()}}),
            ),
        }
    }
}

/// A successful v2 API answer: `{"data": data, "error": {"code": "ok", ...}}`.
pub fn ok(data: serde_json::Value) -> Response {
    web::json(
        StatusCode::OK,
        &json!({"data": data, "error": {"code": "ok", "message": "", "log_id": web::log_id()}}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_use_the_v2_envelope() {
        let r = TikTokError::invalid_params("bad").into_response();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let r = TikTokError::from_auth(AuthFailure::Expired).into_response();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
}
