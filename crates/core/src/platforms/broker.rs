//! The client side of the token broker: when a platform has a broker URL, the code exchange
//! and the refresh go to the broker (which holds the client secret) instead of the
//! platform. Wire format: `POST {broker}/v1/{platform}/token` with JSON
//! `{"grant_type": "authorization_code", "code", "redirect_uri", "code_verifier"?}` or
//! `{"grant_type": "refresh_token", "refresh_token"}`; the answer is a normalised token
//! response, or `{"error", "error_description"}` (see [`crate::broker`]).

use serde::Serialize;
use url::Url;

use super::{
    expiry, json_body, retry_after, split_scopes, Fields, PlatformClient, PlatformError, TokenSet,
};
use crate::vault::SecretValue;

/// A request to the broker.
#[derive(Serialize)]
#[serde(tag = "grant_type", rename_all = "snake_case")]
pub enum BrokerGrant<'a> {
    /// Exchange a code.
    AuthorizationCode {
        /// The code.
        code: &'a str,
        /// Redirect URI used in the authorize request.
        redirect_uri: &'a str,
        /// PKCE verifier, where used.
        #[serde(skip_serializing_if = "Option::is_none")]
        code_verifier: Option<&'a str>,
    },
    /// Refresh (Instagram: the long-lived token itself).
    RefreshToken {
        /// The refresh token.
        refresh_token: &'a str,
    },
}

/// Call the broker for `grant`.
pub async fn call(
    c: &PlatformClient,
    broker: &Url,
    grant: &BrokerGrant<'_>,
    now: i64,
) -> Result<TokenSet, PlatformError> {
    let platform = c.platform;
    let url = format!(
        "{}/v1/{}/token",
        broker.as_str().trim_end_matches('/'),
        platform.as_str()
    );
    let endpoint = match grant {
        BrokerGrant::AuthorizationCode { .. } => "broker.token",
        BrokerGrant::RefreshToken { .. } => "broker.refresh",
    };
    let resp = c
        .http
        .send(platform, endpoint, c.http.client().post(url).json(grant))
        .await?;
    let body = json_body(platform, endpoint, &resp)?;
    if !resp.is_success() {
        let code = body
            .get("error")
            .and_then(|e| e.as_str())
            .unwrap_or("broker_error")
            .to_owned();
        let message = body
            .get("error_description")
            .and_then(|e| e.as_str())
            .unwrap_or("the token broker refused the request")
            .to_owned();
        return Err(match (resp.status, code.as_str()) {
            (_, "invalid_grant") => PlatformError::InvalidGrant {
                platform,
                reason: message,
            },
            (429, _) => PlatformError::RateLimited {
                platform,
                retry_after_secs: retry_after(&resp),
            },
            (status, _) => PlatformError::Rejected {
                platform,
                status,
                code,
                message: format!("token broker: {message}"),
            },
        });
    }
    let f = Fields::new(platform, endpoint, &body);
    Ok(TokenSet {
        access_token: f.secret("access_token")?,
        access_expires_at: expiry(now, Some(f.req_seconds("expires_in")?)),
        refresh_token: f.opt_secret("refresh_token")?,
        refresh_expires_at: expiry(now, f.seconds("refresh_expires_in")?),
        scopes: f
            .opt_str("scope")
            .map(|s| split_scopes(&s))
            .unwrap_or_default(),
        user_id: f.opt_str("user_id"),
    })
}

/// Exchange a code through the broker.
pub async fn exchange(
    c: &PlatformClient,
    broker: &Url,
    code: &SecretValue,
    redirect_uri: &str,
    verifier: Option<&SecretValue>,
    now: i64,
) -> Result<TokenSet, PlatformError> {
    let grant = BrokerGrant::AuthorizationCode {
        code: code.expose(),
        redirect_uri,
        code_verifier: verifier.map(SecretValue::expose),
    };
    call(c, broker, &grant, now).await
}
