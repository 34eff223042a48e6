//! Platform clients: one module per platform holding only its requests and response
//! shapes (TikTok, Instagram, Reddit), behind one [`PlatformClient`] with the same calls for
//! all three. Transport, tracing and metrics come from [`crate::http`]; base URLs from
//! [`crate::config::Endpoints`], so the same code talks to the real platforms and to the
//! sandbox. The scopes asked for ([`default_scopes`]) are described for people in
//! [`permissions`].

pub mod broker;
pub mod insights;
pub mod instagram;
pub mod instagram_publish;
pub mod permissions;
pub mod reddit;
pub mod reddit_publish;
pub mod tiktok;
pub mod tiktok_publish;

use serde_json::Value;
use url::Url;

use crate::config::{Endpoints, PkceEncoding, RedirectMode};
use crate::error::UserFacing;
use crate::http::{Http, HttpError, HttpResponse};
use crate::platform::Platform;
use crate::vault::SecretValue;

/// A developer app's credentials.
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    /// Client id (TikTok: client key; Instagram: app id).
    pub client_id: String,
    /// Client secret, where the platform has one.
    pub client_secret: Option<SecretValue>,
}

/// Parameters of an authorize URL.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest<'a> {
    /// Exact redirect URI (also sent at the code exchange).
    pub redirect_uri: &'a str,
    /// CSRF state.
    pub state: &'a str,
    /// PKCE challenge (S256 with the platform's encoding), where used.
    pub code_challenge: Option<&'a str>,
    /// Scopes asked for.
    pub scopes: &'a [String],
}

/// Tokens from a code exchange or a refresh. Times are unix milliseconds.
#[derive(Debug, Clone)]
pub struct TokenSet {
    /// Access token.
    pub access_token: SecretValue,
    /// When it expires.
    pub access_expires_at: Option<i64>,
    /// Refresh token (TikTok rotates it; Instagram has none: the access token refreshes itself).
    pub refresh_token: Option<SecretValue>,
    /// When the refresh token expires.
    pub refresh_expires_at: Option<i64>,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// The user the token belongs to, when the response says.
    pub user_id: Option<String>,
}

/// A profile as Outpost stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Platform user id.
    pub platform_user_id: String,
    /// Handle.
    pub username: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// Avatar URL.
    pub avatar_url: Option<String>,
}

/// Errors from a platform call.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// Transport failure.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// A code or refresh token was refused (expired, used, revoked, wrong verifier).
    #[error("{} refused the authorization: {reason}", platform.display_name())]
    InvalidGrant {
        /// Platform.
        platform: Platform,
        /// The platform's reason, in its words.
        reason: String,
    },
    /// The access token is invalid, expired or revoked.
    #[error("{} no longer accepts this account's sign-in: {reason}", platform.display_name())]
    Unauthorized {
        /// Platform.
        platform: Platform,
        /// The platform's reason.
        reason: String,
    },
    /// The platform's client secret is needed and missing.
    #[error(
        "no client secret for {}: set OUTPOST_{}_CLIENT_SECRET or run `outpost credentials set {}`",
        platform.display_name(), platform.env_name(), platform.as_str()
    )]
    MissingSecret {
        /// Platform.
        platform: Platform,
    },
    /// Too many requests.
    #[error("{} is rate limiting Outpost{}", platform.display_name(), retry_after_secs.map(|s| format!("; retry in {s} s")).unwrap_or_default())]
    RateLimited {
        /// Platform.
        platform: Platform,
        /// Seconds to wait, when the platform says.
        retry_after_secs: Option<u64>,
    },
    /// Any other refusal.
    #[error("{} refused the request ({code}, HTTP {status}): {message}", platform.display_name())]
    Rejected {
        /// Platform.
        platform: Platform,
        /// HTTP status.
        status: u16,
        /// The platform's error code.
        code: String,
        /// The platform's message.
        message: String,
    },
    /// The answer is not what the contract says.
    #[error("{} answered {endpoint} with something unexpected: {reason}", platform.display_name())]
    BadResponse {
        /// Platform.
        platform: Platform,
        /// Endpoint.
        endpoint: &'static str,
        /// What is wrong.
        reason: String,
    },
}

impl UserFacing for PlatformError {
    fn code(&self) -> &'static str {
        match self {
            PlatformError::Http(e) => e.code(),
            PlatformError::InvalidGrant { .. } => "oauth.invalid_grant",
            PlatformError::Unauthorized { .. } => "platform.unauthorized",
            PlatformError::MissingSecret { .. } => "platform.missing_secret",
            PlatformError::RateLimited { .. } => "platform.rate_limited",
            PlatformError::Rejected { .. } => "platform.rejected",
            PlatformError::BadResponse { .. } => "platform.bad_response",
        }
    }
}

impl PlatformError {
    /// Worth trying again later (network trouble, a 5xx, throttling); everything else is
    /// a refusal that the same request will meet again.
    pub fn is_transient(&self) -> bool {
        match self {
            PlatformError::Http(HttpError::Unreachable { .. } | HttpError::Timeout { .. }) => true,
            PlatformError::RateLimited { .. } => true,
            PlatformError::Rejected { status, .. } => *status >= 500 || *status == 429,
            PlatformError::BadResponse { reason, .. } => reason.starts_with("HTTP 5"),
            _ => false,
        }
    }

    /// The platform's hint for when to try again, in seconds.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            PlatformError::RateLimited {
                retry_after_secs, ..
            } => *retry_after_secs,
            _ => None,
        }
    }
}

/// Scopes Outpost asks for by default.
pub fn default_scopes(platform: Platform) -> Vec<String> {
    let scopes: &[&str] = match platform {
        Platform::Tiktok => &[
            "user.info.basic",
            "user.info.profile",
            "user.info.stats",
            "video.list",
            "video.upload",
            "video.publish",
        ],
        Platform::Instagram => &[
            "instagram_business_basic",
            "instagram_business_content_publish",
            "instagram_business_manage_comments",
            "instagram_business_manage_insights",
        ],
        Platform::Reddit => &[
            "identity",
            "submit",
            "read",
            "edit",
            "mysubreddits",
            "flair",
        ],
    };
    scopes.iter().map(|s| (*s).to_owned()).collect()
}

/// The redirect each platform accepts from a desktop app (platform-apis.md).
pub fn default_redirect_mode(platform: Platform) -> RedirectMode {
    match platform {
        Platform::Tiktok => RedirectMode::Loopback,
        Platform::Instagram => RedirectMode::HttpsBridge,
        Platform::Reddit => RedirectMode::CustomScheme,
    }
}

/// PKCE use per platform: `None` where the platform does not document PKCE.
pub fn default_pkce(platform: Platform) -> Option<PkceEncoding> {
    match platform {
        Platform::Tiktok => Some(PkceEncoding::Hex),
        Platform::Instagram | Platform::Reddit => None,
    }
}

/// One platform's client.
#[derive(Debug, Clone)]
pub struct PlatformClient {
    /// Which platform.
    pub platform: Platform,
    endpoints: Endpoints,
    http: Http,
    creds: ClientCredentials,
    broker: Option<Url>,
}

impl PlatformClient {
    /// A client for `platform` with these endpoints and credentials.
    pub fn new(
        platform: Platform,
        endpoints: Endpoints,
        http: Http,
        creds: ClientCredentials,
    ) -> Self {
        Self {
            platform,
            endpoints,
            http,
            creds,
            broker: None,
        }
    }

    /// Send code exchanges and refreshes to a token broker instead of the platform.
    pub fn with_broker(mut self, broker: Option<Url>) -> Self {
        self.broker = broker;
        self
    }

    /// Drop the broker: talk to the platform itself (what the broker does).
    pub fn without_broker(mut self) -> Self {
        self.broker = None;
        self
    }

    /// The client id in use.
    pub fn client_id(&self) -> &str {
        &self.creds.client_id
    }

    fn secret(&self) -> Result<&SecretValue, PlatformError> {
        self.creds
            .client_secret
            .as_ref()
            .ok_or(PlatformError::MissingSecret {
                platform: self.platform,
            })
    }

    /// The authorize page URL to open in the system browser.
    pub fn authorize_url(&self, req: &AuthorizeRequest<'_>) -> Url {
        match self.platform {
            Platform::Tiktok => tiktok::authorize_url(&self.endpoints, &self.creds, req),
            Platform::Instagram => instagram::authorize_url(&self.endpoints, &self.creds, req),
            Platform::Reddit => reddit::authorize_url(&self.endpoints, &self.creds, req),
        }
    }

    /// Exchange an authorization code (Instagram: and turn it into a long-lived token).
    pub async fn exchange_code(
        &self,
        code: &SecretValue,
        redirect_uri: &str,
        verifier: Option<&SecretValue>,
        now_millis: i64,
    ) -> Result<TokenSet, PlatformError> {
        if let Some(b) = &self.broker {
            return broker::exchange(self, b, code, redirect_uri, verifier, now_millis).await;
        }
        match self.platform {
            Platform::Tiktok => {
                tiktok::exchange_code(self, code, redirect_uri, verifier, now_millis).await
            }
            Platform::Instagram => {
                instagram::exchange_code(self, code, redirect_uri, now_millis).await
            }
            Platform::Reddit => reddit::exchange_code(self, code, redirect_uri, now_millis).await,
        }
    }

    /// Refresh: TikTok and Reddit take the refresh token; Instagram the long-lived token.
    pub async fn refresh(
        &self,
        token: &SecretValue,
        now_millis: i64,
    ) -> Result<TokenSet, PlatformError> {
        if let Some(b) = &self.broker {
            let grant = broker::BrokerGrant::RefreshToken {
                refresh_token: token.expose(),
            };
            let mut set = broker::call(self, b, &grant, now_millis).await?;
            // Reddit keeps the refresh token unless a new one is sent.
            if self.platform == Platform::Reddit && set.refresh_token.is_none() {
                set.refresh_token = Some(token.clone());
            }
            return Ok(set);
        }
        match self.platform {
            Platform::Tiktok => tiktok::refresh(self, token, now_millis).await,
            Platform::Instagram => instagram::refresh(self, token, now_millis).await,
            Platform::Reddit => reddit::refresh(self, token, now_millis).await,
        }
    }

    /// The signed-in user's profile.
    pub async fn profile(&self, access: &SecretValue) -> Result<Profile, PlatformError> {
        match self.platform {
            Platform::Tiktok => tiktok::profile(self, access).await,
            Platform::Instagram => instagram::profile(self, access).await,
            Platform::Reddit => reddit::profile(self, access).await,
        }
    }

    /// Revoke a token where the platform has an endpoint for it; `Ok(false)` where not.
    pub async fn revoke(&self, token: &SecretValue) -> Result<bool, PlatformError> {
        match self.platform {
            Platform::Tiktok => tiktok::revoke(self, token).await.map(|_| true),
            Platform::Instagram => Ok(false),
            Platform::Reddit => reddit::revoke(self, token).await.map(|_| true),
        }
    }
}

/// Helpers for reading contract fields with clear errors.
pub(crate) struct Fields<'a> {
    platform: Platform,
    endpoint: &'static str,
    value: &'a Value,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(platform: Platform, endpoint: &'static str, value: &'a Value) -> Self {
        Self {
            platform,
            endpoint,
            value,
        }
    }

    fn bad(&self, reason: String) -> PlatformError {
        PlatformError::BadResponse {
            platform: self.platform,
            endpoint: self.endpoint,
            reason,
        }
    }

    pub(crate) fn str(&self, name: &str) -> Result<String, PlatformError> {
        match self.value.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            Some(Value::String(_)) => Err(self.bad(format!("field {name} is empty"))),
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(other) => {
                Err(self.bad(format!("field {name} is a {}, not a string", kind(other))))
            }
            None => Err(self.bad(format!("field {name} is missing"))),
        }
    }

    pub(crate) fn opt_str(&self, name: &str) -> Option<String> {
        match self.value.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        }
    }

    pub(crate) fn secret(&self, name: &str) -> Result<SecretValue, PlatformError> {
        match self.value.get(name) {
            Some(Value::String(s)) if !s.is_empty() => {
                // Known from now on: redacted wherever it might be echoed (an error body).
                crate::telemetry::redact::register_secret(s);
                Ok(SecretValue::new(s.clone()))
            }
            Some(other) => {
                Err(self.bad(format!("field {name} is a {}, not a string", kind(other))))
            }
            None => Err(self.bad(format!("field {name} is missing"))),
        }
    }

    pub(crate) fn opt_secret(&self, name: &str) -> Result<Option<SecretValue>, PlatformError> {
        match self.value.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.secret(name).map(Some),
        }
    }

    /// A lifetime the contract promises: missing is an error, not "never expires".
    pub(crate) fn req_seconds(&self, name: &str) -> Result<i64, PlatformError> {
        self.seconds(name)?
            .ok_or_else(|| self.bad(format!("field {name} is missing")))
    }

    pub(crate) fn seconds(&self, name: &str) -> Result<Option<i64>, PlatformError> {
        match self.value.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => {
                n.as_i64().filter(|v| *v >= 0).map(Some).ok_or_else(|| {
                    self.bad(format!("field {name} is not a whole number of seconds"))
                })
            }
            Some(Value::String(s)) => s
                .parse::<i64>()
                .ok()
                .filter(|v| *v >= 0)
                .map(Some)
                .ok_or_else(|| self.bad(format!("field {name} is not a whole number of seconds"))),
            Some(other) => {
                Err(self.bad(format!("field {name} is a {}, not a number", kind(other))))
            }
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

/// The platform's error for an API answer, if it is one.
pub(crate) fn api_error(
    platform: Platform,
    resp: &HttpResponse,
    body: &Value,
) -> Option<PlatformError> {
    match platform {
        Platform::Tiktok => tiktok::api_error(resp, body),
        Platform::Instagram => instagram::error(resp, body),
        Platform::Reddit => reddit::error(resp, Some(body)),
    }
}

/// Parse a JSON body or fail with a [`PlatformError::BadResponse`].
pub(crate) fn json_body(
    platform: Platform,
    endpoint: &'static str,
    resp: &HttpResponse,
) -> Result<Value, PlatformError> {
    resp.json().ok_or_else(|| PlatformError::BadResponse {
        platform,
        endpoint,
        reason: format!("HTTP {} with a body that is not JSON", resp.status),
    })
}

/// Seconds from now to an absolute unix-ms time.
pub(crate) fn expiry(now_millis: i64, seconds: Option<i64>) -> Option<i64> {
    seconds.map(|s| now_millis.saturating_add(s.saturating_mul(1000)))
}

/// Split a scope list on commas and spaces.
pub(crate) fn split_scopes(s: &str) -> Vec<String> {
    s.split([',', ' '])
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `Retry-After` in seconds, when present.
pub(crate) fn retry_after(resp: &HttpResponse) -> Option<u64> {
    resp.headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_report_missing_and_mistyped_values() {
        let v: Value = serde_json::json!({"a": "x", "n": 5, "e": "", "o": {}, "neg": -1});
        let f = Fields::new(Platform::Tiktok, "token", &v);
        assert_eq!(f.str("a").unwrap(), "x");
        assert_eq!(f.str("n").unwrap(), "5");
        assert!(f
            .str("missing")
            .unwrap_err()
            .to_string()
            .contains("missing"));
        assert!(f.str("e").unwrap_err().to_string().contains("empty"));
        assert!(f.secret("o").unwrap_err().to_string().contains("object"));
        assert_eq!(f.seconds("n").unwrap(), Some(5));
        assert!(f.seconds("neg").is_err());
        assert_eq!(f.seconds("missing").unwrap(), None);
    }

    #[test]
    fn scopes_split_on_commas_and_spaces() {
        assert_eq!(split_scopes("a,b c,,d"), vec!["a", "b", "c", "d"]);
    }
}
