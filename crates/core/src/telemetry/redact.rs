//! Secret redaction for everything that leaves the process as text: log lines (both the
//! JSON files and the console), error messages shown to people, panic messages.
//!
//! Two nets, applied to every line:
//! 1. **By shape**: fields and parameters whose name says "secret" (`*token`, `*secret`,
//!    `*password`, `*passphrase`, `code`, `code_verifier`, `authorization`, `api_key`,
//!    `cookie`) in `name=value` form (tracing fields, URL queries, form bodies) and in JSON
//!    (`"name": "value"`, also escaped inside another JSON string), `Bearer`/`Basic`
//!    credentials, and `user:password@` in URLs.
//! 2. **By value**: every secret the vault has sealed or opened in this process, and every
//!    secret read from the environment, is registered here and replaced wherever it appears,
//!    whatever the path it took.

use std::borrow::Cow;
use std::sync::{LazyLock, RwLock};

use aho_corasick::{AhoCorasick, MatchKind};
use regex::{Captures, Regex};
use zeroize::Zeroizing;

/// What a redacted value is replaced with.
pub const REDACTED: &str = "[REDACTED]";
/// Shorter strings are not registered as known secrets (they would match everywhere).
pub const MIN_KNOWN_SECRET_LEN: usize = 8;
const MAX_KNOWN_SECRETS: usize = 4096;

const NAMES: &str = r"(?:[a-z0-9_.-]*(?:token|secret|password|passphrase)|code|code_verifier|authorization|api_key|apikey|cookie)";

static KEY_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?i)(^|[\s?&;,{{(\["'=])({NAMES})=("(?:[^"\\]|\\.)*"|[^\s&,;"')}}\]]+)"#
    ))
    .expect("valid regex")
});
static JSON_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?i)(\\?")({NAMES})(\\?"\s*:\s*)\\?"(?:[^"\\]|\\[^"])*\\?""#
    ))
    .expect("valid regex")
});
/// Rust `Debug` output: `access_token: "value"`.
static DEBUG_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r#"(?i)(^|[\s{{(,])({NAMES}): "(?:[^"\\]|\\.)*""#)).expect("valid regex")
});
static AUTH_SCHEME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(bearer|basic)\s+([A-Za-z0-9\-._~+/]+)(=*)([A-Za-z0-9]?)")
        .expect("valid regex")
});
static URL_USERINFO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(://)[^/\s:@]+:[^/\s@]+@").expect("valid regex"));

struct Known {
    values: Vec<Zeroizing<String>>,
    /// Parallel to `values`: never evicted.
    pinned: Vec<bool>,
    matcher: Option<AhoCorasick>,
}

static KNOWN: LazyLock<RwLock<Known>> = LazyLock::new(|| {
    RwLock::new(Known {
        values: Vec::new(),
        pinned: Vec::new(),
        matcher: None,
    })
});

/// Remember a secret value so that it is redacted wherever it appears from now on. Only
/// values Outpost has reason to hold are registered (sealed or opened by the vault, issued
/// by a platform, a code whose state matched an attempt): never raw input. The most recent
/// [`MAX_KNOWN_SECRETS`] are kept; see [`register_pinned_secret`] for values that must stay.
pub fn register_secret(value: &str) {
    register(value, false);
}

/// Like [`register_secret`], for secrets that live as long as the process (client secrets and
/// passphrases from the environment): never evicted.
pub fn register_pinned_secret(value: &str) {
    register(value, true);
}

fn register(value: &str, pinned: bool) {
    if value.len() < MIN_KNOWN_SECRET_LEN {
        return;
    }
    let mut known = KNOWN.write().unwrap_or_else(|e| e.into_inner());
    known.insert(value, pinned, MAX_KNOWN_SECRETS);
}

impl Known {
    /// Add a value (keeping at most `cap` values that are not pinned) and rebuild the matcher.
    fn insert(&mut self, value: &str, pinned: bool, cap: usize) {
        if let Some(pos) = self.values.iter().position(|v| v.as_str() == value) {
            self.pinned[pos] |= pinned;
            return;
        }
        if !pinned && self.pinned.iter().filter(|p| !**p).count() >= cap {
            // Evict the oldest value that is not pinned.
            if let Some(oldest) = self.pinned.iter().position(|p| !*p) {
                self.values.remove(oldest);
                self.pinned.remove(oldest);
            }
        }
        self.values.push(Zeroizing::new(value.to_owned()));
        self.pinned.push(pinned);
        self.matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(self.values.iter().map(|v| v.as_bytes()))
            .ok();
    }
}

/// Redact secrets from `text`. Borrowed when nothing was found.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out: Cow<'_, str> = Cow::Borrowed(text);

    {
        let known = KNOWN.read().unwrap_or_else(|e| e.into_inner());
        if let Some(matcher) = &known.matcher {
            if matcher.is_match(out.as_ref()) {
                out = Cow::Owned(
                    matcher.replace_all(out.as_ref(), &vec![REDACTED; known.values.len()]),
                );
            }
        }
    }

    if AUTH_SCHEME.is_match(&out) {
        out = Cow::Owned(
            AUTH_SCHEME
                .replace_all(&out, |c: &Captures<'_>| {
                    // `Bearer name=value` is a field list after the word Bearer, not a credential.
                    if !c[3].is_empty() && !c[4].is_empty() {
                        c[0].to_owned()
                    } else {
                        format!("{} {REDACTED}{}", &c[1], &c[4])
                    }
                })
                .into_owned(),
        );
    }
    if URL_USERINFO.is_match(&out) {
        out = Cow::Owned(
            URL_USERINFO
                .replace_all(&out, format!("$1{REDACTED}@"))
                .into_owned(),
        );
    }
    if JSON_FIELD.is_match(&out) {
        out = Cow::Owned(
            JSON_FIELD
                .replace_all(&out, |c: &Captures<'_>| {
                    format!("{}{}{}{}{REDACTED}{}", &c[1], &c[2], &c[3], &c[1], &c[1])
                })
                .into_owned(),
        );
    }
    if DEBUG_FIELD.is_match(&out) {
        out = Cow::Owned(
            DEBUG_FIELD
                .replace_all(&out, format!("$1$2: \"{REDACTED}\""))
                .into_owned(),
        );
    }
    if KEY_VALUE.is_match(&out) {
        out = Cow::Owned(
            KEY_VALUE
                .replace_all(&out, |c: &Captures<'_>| {
                    let value = &c[3];
                    let numeric = value.trim_matches('"').bytes().all(|b| b.is_ascii_digit());
                    let already = value.trim_matches('"').starts_with("[REDACTED");
                    if (numeric && c[2].eq_ignore_ascii_case("code")) || already {
                        c[0].to_owned()
                    } else {
                        format!("{}{}={REDACTED}", &c[1], &c[2])
                    }
                })
                .into_owned(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(s: &str) -> String {
        redact(s).into_owned()
    }

    #[test]
    fn field_names_are_redacted_in_key_value_form() {
        assert_eq!(
            clean("refresh token=abc.def-ghi ok"),
            format!("refresh token={REDACTED} ok")
        );
        assert_eq!(
            clean(r#"access_token="q w e" x=1"#),
            format!("access_token={REDACTED} x=1")
        );
        assert_eq!(
            clean("client_secret=zzz"),
            format!("client_secret={REDACTED}")
        );
        assert_eq!(
            clean("password=hunter2 passphrase=p"),
            format!("password={REDACTED} passphrase={REDACTED}")
        );
        assert_eq!(
            clean("Authorization=xyz"),
            format!("Authorization={REDACTED}")
        );
    }

    #[test]
    fn url_queries_and_form_bodies_are_redacted() {
        let url = "GET https://x.test/cb?code=AUTHCODE123&state=s1&access_token=TOK456#frag";
        let out = clean(url);
        assert!(
            !out.contains("AUTHCODE123") && !out.contains("TOK456"),
            "{out}"
        );
        assert!(out.contains("state=s1"));
        let form = "grant_type=refresh_token&refresh_token=RT-999&client_key=abc";
        let out = clean(form);
        assert!(!out.contains("RT-999"), "{out}");
        assert!(out.contains("grant_type=refresh_token") && out.contains("client_key=abc"));
    }

    #[test]
    fn json_bodies_are_redacted_even_when_escaped() {
        let body =
            r#"{"access_token":"AT-1","expires_in":7200,"refresh_token": "RT-2","open_id":"u1"}"#;
        let out = clean(body);
        assert!(!out.contains("AT-1") && !out.contains("RT-2"), "{out}");
        assert!(out.contains(r#""expires_in":7200"#) && out.contains(r#""open_id":"u1""#));
        let escaped = r#"{"message":"body={\"access_token\":\"AT-3\",\"x\":1}"}"#;
        let out = clean(escaped);
        assert!(!out.contains("AT-3"), "{out}");
        assert!(out.contains(r#"\"x\":1"#), "{out}");
    }

    #[test]
    fn authorization_headers_and_url_credentials_are_redacted() {
        let out = clean("authorization: Bearer eyJhbGciOi.payload.sig");
        assert!(!out.contains("eyJhbGciOi"), "{out}");
        let out = clean(r#"{"authorization": "Basic dXNlcjpwYXNz"}"#);
        assert!(!out.contains("dXNlcjpwYXNz"), "{out}");
        let out = clean("connecting to https://user:pa55word@host.test/x");
        assert!(!out.contains("pa55word"), "{out}");
    }

    #[test]
    fn debug_output_and_quoted_bodies_are_redacted() {
        let out = clean(r#"Tokens { access_token: "AT-dbg-1", expires_in: 3600 }"#);
        assert!(!out.contains("AT-dbg-1"), "{out}");
        assert!(out.contains("expires_in: 3600"));
        let out = clean(r#"body="refresh_token=RT-q-2&grant_type=refresh_token""#);
        assert!(!out.contains("RT-q-2"), "{out}");
    }

    #[test]
    fn harmless_text_is_left_alone() {
        for s in [
            "status_code=500 error_code=190 token_type=Bearer expires_in=3600",
            "Instagram said: error code 190 (OAuthException)",
            r#"{"error":{"code":190,"message":"bad"}}"#,
            "code=400",
        ] {
            assert_eq!(clean(s), s);
        }
    }

    #[test]
    fn pinned_secrets_survive_any_number_of_newer_ones() {
        let mut known = Known {
            values: Vec::new(),
            pinned: Vec::new(),
            matcher: None,
        };
        known.insert("pinned-client-secret", true, 3);
        for i in 0..10 {
            known.insert(&format!("rotating-token-{i:02}"), false, 3);
        }
        let kept: Vec<&str> = known.values.iter().map(|v| v.as_str()).collect();
        assert_eq!(
            kept,
            [
                "pinned-client-secret",
                "rotating-token-07",
                "rotating-token-08",
                "rotating-token-09"
            ]
        );
        assert!(known.matcher.is_some());
    }

    #[test]
    fn registered_values_are_redacted_anywhere() {
        register_secret("zq-unusual-secret-value-123");
        let out = clean("weird path: prefixzq-unusual-secret-value-123suffix in free text");
        assert!(!out.contains("zq-unusual-secret-value-123"), "{out}");
        register_secret("short");
        assert_eq!(clean("a short word"), "a short word");
    }
}
