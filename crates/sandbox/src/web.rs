//! Small HTTP helpers shared by the handlers: reading tokens and query strings from a
//! request, building JSON, HTML and empty responses, and support log ids. No platform
//! rules here.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// The token of `Authorization: Bearer|bearer|OAuth <token>`, if any.
pub fn auth_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth") {
        let token = token.trim();
        (!token.is_empty()).then(|| token.to_string())
    } else {
        None
    }
}

/// The query string as a map.
pub fn query(uri: &Uri) -> HashMap<String, String> {
    crate::oauth::parse_pairs(uri.query().unwrap_or("").as_bytes())
}

/// A header as text.
pub fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A JSON response.
pub fn json(status: StatusCode, value: &serde_json::Value) -> Response {
    let body = serde_json::to_string(value).unwrap_or_else(|_| "{}".to_string());
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=UTF-8"),
        )],
        body,
    )
        .into_response()
}

/// An HTML response.
pub fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

/// A redirect (302 Found) to `location`.
pub fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => (StatusCode::FOUND, [(header::LOCATION, v)]).into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "invalid redirect").into_response(),
    }
}

static LOG_SEQ: AtomicU64 = AtomicU64::new(1);

/// A TikTok-style support id: `YYYYMMDDHHMMSS` + 18 hex digits.
pub fn log_id() -> String {
    let n = LOG_SEQ.fetch_add(1, Ordering::Relaxed);
    format!(
        "{}{:018X}",
        chrono::Utc::now().format("%Y%m%d%H%M%S"),
        crate::det::mix64(n) >> 8
    )
}

/// A Meta-style `fbtrace_id`.
pub fn fbtrace_id() -> String {
    let n = LOG_SEQ.fetch_add(1, Ordering::Relaxed);
    crate::det::alnum(n, "fbtrace", 23)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_token_accepts_bearer_and_oauth_schemes() {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer abc"),
        );
        assert_eq!(auth_token(&h).as_deref(), Some("abc"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("OAuth xyz"));
        assert_eq!(auth_token(&h).as_deref(), Some("xyz"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic Zm9vOg=="),
        );
        assert_eq!(auth_token(&h), None);
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(auth_token(&h), None);
    }

    #[test]
    fn log_ids_are_unique_and_shaped_like_tiktok_ones() {
        let a = log_id();
        assert_eq!(a.len(), 32);
        assert_ne!(a, log_id());
    }
}
