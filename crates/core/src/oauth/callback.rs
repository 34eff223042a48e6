//! Parsing OAuth redirects (`outpost://oauth/callback?...` deep links and
//! `http://127.0.0.1:PORT/callback?...` loopback requests) strictly: hostile or broken
//! input is a clear error, never a panic and never a half-read parameter.

use std::collections::HashMap;

use crate::error::UserFacing;
use crate::vault::SecretValue;

/// Longest callback URL accepted.
pub const MAX_URL_LEN: usize = 8 * 1024;
/// Longest single parameter value accepted.
pub const MAX_VALUE_LEN: usize = 4 * 1024;

/// Why a callback is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// Longer than the limits.
    #[error("the sign-in link is too long ({0} characters); it was not used")]
    TooLong(usize),
    /// Not a URL.
    #[error("the sign-in link is not a valid URL")]
    NotAUrl,
    /// Another scheme, host or path.
    #[error("the link is not an Outpost sign-in callback (expected outpost://oauth/callback or http://127.0.0.1:PORT/callback, got {0})")]
    WrongTarget(String),
    /// Bad percent-encoding or not UTF-8.
    #[error("the sign-in link has a badly encoded {0} parameter")]
    BadEncoding(String),
    /// A parameter given twice.
    #[error("the sign-in link repeats the {0} parameter")]
    Duplicate(String),
    /// A required parameter is missing.
    #[error("the sign-in link has no {0} parameter")]
    Missing(String),
    /// A fragment other than Instagram's `#_`.
    #[error("the sign-in link carries unexpected data after '#'; it was not used")]
    UnexpectedFragment,
    /// Control characters in a value.
    #[error("the sign-in link's {0} parameter contains invalid characters")]
    InvalidValue(String),
}

impl UserFacing for CallbackError {
    fn code(&self) -> &'static str {
        "oauth.bad_callback"
    }
}

/// What the platform sent back.
#[derive(Debug, Clone)]
pub enum CallbackOutcome {
    /// Approved: an authorization code.
    Code {
        /// The code (single use, short-lived; still a secret).
        code: SecretValue,
        /// Scopes granted, when the platform lists them.
        scopes: Option<String>,
    },
    /// Refused or failed at the platform.
    Error {
        /// `error` (e.g. `access_denied`).
        error: String,
        /// `error_description` / `error_reason`.
        description: Option<String>,
    },
}

/// A parsed callback. Its `Debug` shows neither the code nor the raw query.
#[derive(Clone)]
pub struct Callback {
    /// The `state` to match against a pending attempt.
    pub state: String,
    /// Code or error.
    pub outcome: CallbackOutcome,
    /// The raw query, to hand the callback on unchanged.
    pub query: String,
}

impl std::fmt::Debug for Callback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Callback")
            .field("state", &"[REDACTED]")
            .field("outcome", &self.outcome)
            .finish_non_exhaustive()
    }
}

/// Parse a full callback URL.
pub fn parse_url(input: &str) -> Result<Callback, CallbackError> {
    let input = input.trim();
    if input.len() > MAX_URL_LEN {
        return Err(CallbackError::TooLong(input.len()));
    }
    let url = url::Url::parse(input).map_err(|_| CallbackError::NotAUrl)?;
    let host = url.host_str().unwrap_or("");
    let path = url.path();
    let target_ok = match url.scheme() {
        "outpost" => host == "oauth" && matches!(path, "/callback" | "/callback/"),
        "http" => {
            matches!(host, "127.0.0.1" | "localhost" | "[::1]")
                && matches!(path, "/callback" | "/callback/")
        }
        _ => false,
    };
    if !target_ok {
        let shown: String = format!("{}://{}{}", url.scheme(), host, path)
            .chars()
            .take(80)
            .collect();
        return Err(CallbackError::WrongTarget(shown));
    }
    match url.fragment() {
        None | Some("") | Some("_") => {}
        Some(_) => return Err(CallbackError::UnexpectedFragment),
    }
    // The raw query, as sent: url::Url keeps it percent-encoded.
    let query = url.query().unwrap_or("");
    parse_query(query)
}

/// Parse the query string of a callback.
pub fn parse_query(query: &str) -> Result<Callback, CallbackError> {
    if query.len() > MAX_URL_LEN {
        return Err(CallbackError::TooLong(query.len()));
    }
    let mut params: HashMap<String, String> = HashMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(raw_key).ok_or_else(|| CallbackError::BadEncoding(shorten(raw_key)))?;
        let value = decode(raw_value).ok_or_else(|| CallbackError::BadEncoding(shorten(&key)))?;
        if value.len() > MAX_VALUE_LEN {
            return Err(CallbackError::TooLong(value.len()));
        }
        if !matches!(
            key.as_str(),
            "state" | "code" | "error" | "error_description" | "error_reason" | "scopes" | "scope"
        ) {
            continue; // unknown parameters are ignored, never trusted
        }
        if value.chars().any(char::is_control) {
            return Err(CallbackError::InvalidValue(key));
        }
        if params.insert(key.clone(), value).is_some() {
            return Err(CallbackError::Duplicate(key));
        }
    }
    let state = params
        .remove("state")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| CallbackError::Missing("state".into()))?;
    let outcome = match params.remove("error").filter(|e| !e.is_empty()) {
        Some(error) => CallbackOutcome::Error {
            error,
            description: params
                .remove("error_description")
                .or_else(|| params.remove("error_reason"))
                .map(|d| d.replace('+', " ")),
        },
        None => {
            let code = params
                .remove("code")
                .map(|c| c.trim_end_matches("#_").to_owned())
                .filter(|c| !c.is_empty())
                .ok_or_else(|| CallbackError::Missing("code".into()))?;
            CallbackOutcome::Code {
                code: SecretValue::new(code),
                scopes: params.remove("scopes").or_else(|| params.remove("scope")),
            }
        }
    };
    Ok(Callback {
        state,
        outcome,
        query: query.to_owned(),
    })
}

fn shorten(s: &str) -> String {
    s.chars().take(32).collect()
}

/// Strict percent-decoding (`+` is a space, as in forms): `None` on a stray `%` or bad UTF-8.
fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hi = *bytes.get(i + 1)?;
                let lo = *bytes.get(i + 2)?;
                let hex = |b: u8| (b as char).to_digit(16);
                out.push((hex(hi)? * 16 + hex(lo)?) as u8);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(c: &Callback) -> &str {
        match &c.outcome {
            CallbackOutcome::Code { code, .. } => code.expose(),
            CallbackOutcome::Error { .. } => panic!("expected a code"),
        }
    }

    #[test]
    fn accepts_deep_links_and_loopback_requests() {
        let c =
            parse_url("outpost://oauth/callback?code=abc%2Fdef&state=s1&scopes=user.info.basic")
                .unwrap();
        assert_eq!((c.state.as_str(), code_of(&c)), ("s1", "abc/def"));
        let c = parse_url("http://127.0.0.1:49152/callback/?state=s2&code=x").unwrap();
        assert_eq!(code_of(&c), "x");
        // Instagram appends #_ to the redirect.
        let c = parse_url("outpost://oauth/callback?code=IGcode&state=s3#_").unwrap();
        assert_eq!(code_of(&c), "IGcode");
        let c = parse_query("code=IGcode%23_&state=s4").unwrap();
        assert_eq!(code_of(&c), "IGcode");
    }

    #[test]
    fn platform_errors_are_outcomes_not_failures() {
        let c = parse_url("outpost://oauth/callback?error=access_denied&error_description=The+user+denied&state=s").unwrap();
        match c.outcome {
            CallbackOutcome::Error { error, description } => {
                assert_eq!(error, "access_denied");
                assert_eq!(description.as_deref(), Some("The user denied"));
            }
            CallbackOutcome::Code { .. } => panic!("expected an error"),
        }
    }

    #[test]
    fn hostile_and_malformed_links_are_refused_clearly() {
        use CallbackError::*;
        let cases: &[(&str, CallbackError)] = &[
            (
                "https://evil.example/callback?code=a&state=b",
                WrongTarget("https://evil.example/callback".into()),
            ),
            (
                "outpost://oauth/other?code=a&state=b",
                WrongTarget("outpost://oauth/other".into()),
            ),
            (
                "outpost://evil/callback?code=a&state=b",
                WrongTarget("outpost://evil/callback".into()),
            ),
            (
                "http://192.168.1.2:80/callback?code=a&state=b",
                WrongTarget("http://192.168.1.2/callback".into()),
            ),
            ("outpost://oauth/callback?code=a", Missing("state".into())),
            ("outpost://oauth/callback?state=b", Missing("code".into())),
            (
                "outpost://oauth/callback?state=&code=a",
                Missing("state".into()),
            ),
            (
                "outpost://oauth/callback?code=a&code=b&state=s",
                Duplicate("code".into()),
            ),
            (
                "outpost://oauth/callback?code=a&state=s&state=t",
                Duplicate("state".into()),
            ),
            (
                "outpost://oauth/callback?code=%zz&state=s",
                BadEncoding("code".into()),
            ),
            (
                "outpost://oauth/callback?code=%ff%fe&state=s",
                BadEncoding("code".into()),
            ),
            (
                "outpost://oauth/callback?code=a%0Ab&state=s",
                InvalidValue("code".into()),
            ),
            (
                "outpost://oauth/callback?code=a&state=s#access_token=x",
                UnexpectedFragment,
            ),
            ("not a url", NotAUrl),
        ];
        for (input, expected) in cases {
            assert_eq!(&parse_url(input).unwrap_err(), expected, "{input}");
        }
        let huge = format!(
            "outpost://oauth/callback?state=s&code={}",
            "a".repeat(MAX_URL_LEN)
        );
        assert!(matches!(parse_url(&huge).unwrap_err(), TooLong(_)));
        let big_value = format!("state=s&code={}", "a".repeat(MAX_VALUE_LEN + 1));
        assert!(matches!(parse_query(&big_value).unwrap_err(), TooLong(_)));
    }

    #[test]
    fn error_messages_never_echo_the_code() {
        let err = parse_url("outpost://oauth/callback?code=SECRETCODE&code=SECRETCODE2&state=s")
            .unwrap_err();
        assert!(!err.to_string().contains("SECRETCODE"));
    }
}
