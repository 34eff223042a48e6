//! Instagram error envelopes: the Graph API's
//! `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}` and the legacy
//! `{"error_type", "code", "error_message"}` of `api.instagram.com/oauth/access_token`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::state::AuthFailure;
use crate::web;

/// An Instagram error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InstagramError {
    /// Graph API error.
    #[error("({code}/{subcode:?}) {message}")]
    Graph {
        /// HTTP status.
        status: StatusCode,
        /// `error.code`.
        code: i64,
        /// `error.error_subcode`.
        subcode: Option<i64>,
        /// `error.message`.
        message: String,
        /// `error.is_transient`.
        transient: bool,
    },
    /// `api.instagram.com/oauth/access_token` error.
    #[error("{message}")]
    Legacy {
        /// `error_message`.
        message: String,
    },
}

impl InstagramError {
    /// A Graph error with HTTP 400 (403 for permission codes).
    pub fn graph(code: i64, subcode: Option<i64>, message: impl Into<String>) -> Self {
        let status = if code == 10 || (200..300).contains(&code) {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::BAD_REQUEST
        };
        InstagramError::Graph {
            status,
            code,
            subcode,
            message: message.into(),
            transient: false,
        }
    }

    /// Code 100, invalid parameter.
    pub fn param(message: impl Into<String>) -> Self {
        Self::graph(100, None, message)
    }

    /// Code 10, permission missing.
    pub fn permission(scope: &str) -> Self {
        Self::graph(
            10,
            None,
            format!("(#10) Application does not have permission for this action ({scope})."),
        )
    }

    /// Code 100 subcode 33: unknown object.
    pub fn no_object(id: &str, method: &str) -> Self {
        Self::graph(
            100,
            Some(33),
            format!(
                "Unsupported {method} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation."
            ),
        )
    }

    /// Code 80002: Instagram business-use-case limit.
    pub fn throttled() -> Self {
        Self::graph(
            80002,
            None,
            "There have been too many calls to this Instagram account. Wait a bit and try again.",
        )
    }

    /// Code 2, transient, HTTP 500.
    pub fn internal() -> Self {
        InstagramError::Graph {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: 2,
            subcode: None,
            message: "An unexpected error has occurred. Please retry your request later.".into(),
            transient: true,
        }
    }

    /// The error for a refused token (code 190 and its subcodes).
    pub fn from_auth(failure: AuthFailure) -> Self {
        match failure {
            AuthFailure::Missing => Self::graph(
                2500,
                None,
                "An active access token must be used to query information about the current user.",
            ),
            AuthFailure::Invalid => Self::graph(
                190,
                None,
                "Invalid OAuth access token - Cannot parse access token",
            ),
            AuthFailure::Expired => Self::graph(
                190,
                Some(463),
                "Error validating access token: Session has expired.",
            ),
            AuthFailure::Revoked => Self::graph(
                190,
                Some(458),
                "Error validating access token: The user has not authorized application.",
            ),
        }
    }

    /// A legacy token-endpoint error.
    pub fn legacy(message: impl Into<String>) -> Self {
        InstagramError::Legacy {
            message: message.into(),
        }
    }
}

impl IntoResponse for InstagramError {
    fn into_response(self) -> Response {
        match self {
            InstagramError::Graph {
                status,
                code,
                subcode,
                message,
                transient,
            } => {
                let mut error = json!({
                    "message": message,
                    "type": "OAuthException",
                    "code": code,
                    "is_transient": transient,
                    "fbtrace_id": web::fbtrace_id(),
                });
                if let Some(s) = subcode {
                    error["error_subcode"] = json!(s);
                }
                web::json(status, &json!({"error": error}))
            }
            InstagramError::Legacy { message } => web::json(
                StatusCode::BAD_REQUEST,
                &json!({"error_type": "OAuthException", "code": 400, "error_message": message}),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_errors_are_403_and_others_400() {
        assert_eq!(
            InstagramError::permission("x").into_response().status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            InstagramError::param("x").into_response().status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            InstagramError::internal().into_response().status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert!(matches!(
            InstagramError::from_auth(AuthFailure::Expired),
            InstagramError::Graph {
                code: 190,
                subcode: Some(463),
                ..
            }
        ));
    }
}
