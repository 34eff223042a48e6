//! OAuth building blocks shared by the three platforms: redirect URI matching (exact,
//! with the `*` port wildcard), PKCE verification in each encoding, the consent page
//! (real HTML with the app, the scopes and Authorize / Deny buttons), form and query
//! parsing, HTTP Basic credentials and redirect construction. Platform rules (which
//! error, which envelope) stay in the platform modules.

use std::collections::HashMap;

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::config::PkceEncoding;

/// A check of an authorize or token request that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    /// A required parameter is missing or empty.
    #[error("missing parameter `{0}`")]
    Missing(&'static str),
    /// No app with this client id.
    #[error("unknown client id")]
    UnknownClient,
    /// The redirect URI is not registered for the app.
    #[error("redirect_uri is not registered for this app")]
    RedirectMismatch,
    /// The PKCE verifier does not match the challenge.
    #[error("code verifier or code challenge is invalid")]
    PkceMismatch,
}

/// Splits a scope list written with commas or spaces (Instagram, Reddit).
pub fn split_scope_list(raw: &str) -> Vec<String> {
    raw.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Parses `a=b&c=d` (form body or query string); the last value of a repeated key wins.
pub fn parse_pairs(input: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(input).into_owned().collect()
}

/// A required, non-empty parameter.
pub fn required<'a>(
    params: &'a HashMap<String, String>,
    name: &'static str,
) -> Result<&'a str, OAuthError> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or(OAuthError::Missing(name))
}

/// Whether `given` matches one of the `registered` redirect URIs exactly, where a
/// registered port `*` matches any port.
pub fn redirect_matches(registered: &[String], given: &str) -> bool {
    registered.iter().any(|r| {
        if r == given {
            return true;
        }
        let Some((prefix, rest)) = r.split_once(":*") else {
            return false;
        };
        let Some(after_prefix) = given.strip_prefix(prefix) else {
            return false;
        };
        let Some(port_and_rest) = after_prefix.strip_prefix(':') else {
            return false;
        };
        let digits = port_and_rest.bytes().take_while(u8::is_ascii_digit).count();
        digits > 0 && digits <= 5 && &port_and_rest[digits..] == rest
    })
}

/// Lowercase hex of SHA-256(verifier) (TikTok desktop).
pub fn challenge_hex(verifier: &str) -> String {
    hex::encode(Sha256::digest(verifier.as_bytes()))
}

/// BASE64URL-NOPAD(SHA-256(verifier)) (RFC 7636 S256).
pub fn challenge_b64(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Whether a verifier is well formed (RFC 7636: 43-128 unreserved characters).
pub fn verifier_well_formed(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// Verifies a PKCE `code_verifier` against the stored challenge.
pub fn verify_pkce(
    encoding: PkceEncoding,
    challenge: Option<&str>,
    verifier: Option<&str>,
) -> Result<(), OAuthError> {
    if encoding == PkceEncoding::None {
        return Ok(());
    }
    let (Some(challenge), Some(verifier)) = (challenge, verifier) else {
        return Err(OAuthError::PkceMismatch);
    };
    if !verifier_well_formed(verifier) {
        return Err(OAuthError::PkceMismatch);
    }
    let ok = match encoding {
        PkceEncoding::Hex => challenge_hex(verifier) == challenge,
        PkceEncoding::Base64Url => challenge_b64(verifier) == challenge,
        PkceEncoding::Either => {
            challenge_hex(verifier) == challenge || challenge_b64(verifier) == challenge
        }
        PkceEncoding::None => true,
    };
    if ok {
        Ok(())
    } else {
        Err(OAuthError::PkceMismatch)
    }
}

/// Appends query parameters to a redirect URI (keeping any it already has) and an
/// optional fragment.
pub fn redirect_with(
    redirect_uri: &str,
    params: &[(&str, &str)],
    fragment: Option<&str>,
) -> String {
    let mut out = redirect_uri.to_string();
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter().copied())
        .finish();
    if !query.is_empty() {
        out.push(if out.contains('?') { '&' } else { '?' });
        out.push_str(&query);
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// `user:password` from an `Authorization: Basic ...` header value.
pub fn basic_credentials(header: Option<&str>) -> Option<(String, String)> {
    let value = header?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_string(), pass.to_string()))
}

/// Escapes text for HTML.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What the consent page shows and posts back.
pub struct ConsentPage<'a> {
    /// "TikTok", "Instagram", "Reddit".
    pub platform_label: &'a str,
    /// The app's name.
    pub app_name: &'a str,
    /// The accounts one can continue as (the first is preselected).
    pub accounts: &'a [String],
    /// Scopes asked.
    pub scopes: &'a [String],
    /// Where the form posts (the authorize path).
    pub action: &'a str,
    /// The authorize request's parameters, posted back as hidden fields.
    pub params: &'a HashMap<String, String>,
}

impl ConsentPage<'_> {
    /// Renders the page.
    pub fn render(&self) -> String {
        let mut keys: Vec<&String> = self
            .params
            .keys()
            .filter(|k| *k != "decision" && *k != "account")
            .collect();
        keys.sort();
        let hidden: String = keys
            .iter()
            .map(|k| {
                format!(
                    "      <input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
                    html_escape(k),
                    html_escape(&self.params[*k])
                )
            })
            .collect();
        let options: String = self
            .accounts
            .iter()
            .map(|a| {
                format!(
                    "        <option value=\"{0}\">@{0}</option>\n",
                    html_escape(a)
                )
            })
            .collect();
        let scopes: String = self
            .scopes
            .iter()
            .map(|s| format!("      <li><code>{}</code></li>\n", html_escape(s)))
            .collect();
        format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  \
             <title>Authorize {app} - {platform} (Outpost sandbox)</title>\n</head>\n<body>\n  \
             <h1>{platform}</h1>\n  <p><strong>{app}</strong> would like to access your {platform} \
             account.</p>\n  <p>It asks for:</p>\n  <ul id=\"scopes\">\n{scopes}  </ul>\n  \
             <form id=\"consent\" method=\"post\" action=\"{action}\">\n{hidden}      \
             <label>Continue as <select name=\"account\">\n{options}      </select></label>\n      \
             <button type=\"submit\" name=\"decision\" value=\"allow\">Authorize</button>\n      \
             <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n  </form>\n  \
             <p><small>This is the Outpost sandbox: no real {platform} account is involved.</small></p>\n\
             </body>\n</html>\n",
            app = html_escape(self.app_name),
            platform = html_escape(self.platform_label),
            action = html_escape(self.action),
        )
    }
}

/// A plain HTML error page (the authorize endpoints never redirect to an unverified URI).
pub fn error_page(platform_label: &str, message: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{p} - error</title></head>\n\
         <body>\n  <h1>{p}</h1>\n  <p id=\"error\">{m}</p>\n</body>\n</html>\n",
        p = html_escape(platform_label),
        m = html_escape(message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    #[test]
    fn pkce_test_vectors_from_the_contract_sheet() {
        assert_eq!(
            challenge_b64(RFC_VERIFIER),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(
            challenge_hex(RFC_VERIFIER),
            "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3"
        );
    }

    #[test]
    fn pkce_checks_the_configured_encoding() {
        let hex = challenge_hex(RFC_VERIFIER);
        let b64 = challenge_b64(RFC_VERIFIER);
        assert!(verify_pkce(PkceEncoding::Hex, Some(&hex), Some(RFC_VERIFIER)).is_ok());
        assert_eq!(
            verify_pkce(PkceEncoding::Hex, Some(&b64), Some(RFC_VERIFIER)),
            Err(OAuthError::PkceMismatch)
        );
        assert!(verify_pkce(PkceEncoding::Base64Url, Some(&b64), Some(RFC_VERIFIER)).is_ok());
        assert!(verify_pkce(PkceEncoding::Base64Url, Some(&hex), Some(RFC_VERIFIER)).is_err());
        assert!(verify_pkce(PkceEncoding::Either, Some(&hex), Some(RFC_VERIFIER)).is_ok());
        assert!(verify_pkce(PkceEncoding::Either, Some(&b64), Some(RFC_VERIFIER)).is_ok());
        assert!(verify_pkce(PkceEncoding::Hex, Some(&hex), None).is_err());
        assert!(verify_pkce(
            PkceEncoding::Hex,
            Some(&challenge_hex("short")),
            Some("short")
        )
        .is_err());
        assert!(verify_pkce(PkceEncoding::None, None, None).is_ok());
    }

    #[test]
    fn redirect_matching_is_exact_except_for_a_wildcard_port() {
        let reg = vec![
            "http://127.0.0.1:*/callback/".to_string(),
            "https://outpost.example/oauth/instagram/".to_string(),
        ];
        assert!(redirect_matches(&reg, "http://127.0.0.1:49152/callback/"));
        assert!(!redirect_matches(&reg, "http://127.0.0.1:49152/callback"));
        assert!(!redirect_matches(&reg, "http://127.0.0.1/callback/"));
        assert!(!redirect_matches(
            &reg,
            "http://127.0.0.1:49152/callback/?x=1"
        ));
        assert!(!redirect_matches(
            &reg,
            "http://127.0.0.1:4915200/callback/"
        ));
        assert!(!redirect_matches(&reg, "http://localhost:49152/callback/"));
        assert!(redirect_matches(
            &reg,
            "https://outpost.example/oauth/instagram/"
        ));
        assert!(!redirect_matches(
            &reg,
            "https://outpost.example/oauth/instagram"
        ));
    }

    #[test]
    fn redirects_keep_existing_queries_and_add_fragments() {
        assert_eq!(
            redirect_with("http://x/cb", &[("code", "a b"), ("state", "s")], Some("_")),
            "http://x/cb?code=a+b&state=s#_"
        );
        assert_eq!(
            redirect_with("http://x/cb?k=1", &[("code", "c")], None),
            "http://x/cb?k=1&code=c"
        );
    }

    #[test]
    fn basic_credentials_allow_an_empty_password() {
        let header = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("client:")
        );
        assert_eq!(
            basic_credentials(Some(&header)),
            Some(("client".into(), String::new()))
        );
        assert_eq!(basic_credentials(Some("Bearer x")), None);
        assert_eq!(basic_credentials(Some("Basic !!!")), None);
        assert_eq!(basic_credentials(None), None);
    }

    #[test]
    fn consent_page_escapes_and_carries_the_request() {
        let mut params = HashMap::new();
        params.insert("state".to_string(), "<s>\"".to_string());
        let page = ConsentPage {
            platform_label: "TikTok",
            app_name: "App & Co",
            accounts: &["me".to_string(), "alt".to_string()],
            scopes: &["video.upload".to_string()],
            action: "/tiktok/v2/auth/authorize/",
            params: &params,
        }
        .render();
        assert!(page.contains("App &amp; Co"));
        assert!(page.contains("name=\"state\" value=\"&lt;s&gt;&quot;\""));
        assert!(page.contains("value=\"allow\">Authorize</button>"));
        assert!(page.contains("value=\"deny\">Deny</button>"));
        assert!(page.contains("<code>video.upload</code>"));
        assert!(page.contains("<option value=\"alt\">@alt</option>"));
    }
}
