//! TikTok: Login Kit for Desktop (PKCE with the hex challenge), token exchange and rotating
//! refresh, user info, revoke. Requests and response shapes only.

use url::Url;

use super::{
    expiry, json_body, retry_after, split_scopes, AuthorizeRequest, ClientCredentials, Fields,
    PlatformClient, PlatformError, Profile, TokenSet,
};
use crate::config::{Endpoints, Host};
use crate::http::HttpResponse;
use crate::platform::Platform;
use crate::vault::SecretValue;

const P: Platform = Platform::Tiktok;

pub(super) fn authorize_url(
    e: &Endpoints,
    creds: &ClientCredentials,
    req: &AuthorizeRequest<'_>,
) -> Url {
    let mut url = e.url(Host::Authorize, "/v2/auth/authorize/");
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("client_key", &creds.client_id)
            .append_pair("scope", &req.scopes.join(","))
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", req.redirect_uri)
            .append_pair("state", req.state);
        if let Some(challenge) = req.code_challenge {
            q.append_pair("code_challenge", challenge)
                .append_pair("code_challenge_method", "S256");
        }
    }
    url
}

/// OAuth errors: `{"error", "error_description", "log_id"}`; API errors:
/// `{"data", "error": {"code", "message", "log_id"}}` with `code == "ok"` on success.
fn oauth_error(resp: &HttpResponse, body: &serde_json::Value) -> Option<PlatformError> {
    if resp.status == 429 {
        return Some(PlatformError::RateLimited {
            platform: P,
            retry_after_secs: retry_after(resp),
        });
    }
    let code = body.get("error").and_then(|e| e.as_str())?;
    let message = body
        .get("error_description")
        .and_then(|d| d.as_str())
        .unwrap_or(code)
        .to_owned();
    Some(match code {
        "invalid_grant" if resp.status < 500 => PlatformError::InvalidGrant {
            platform: P,
            reason: message,
        },
        _ => PlatformError::Rejected {
            platform: P,
            status: resp.status,
            code: code.to_owned(),
            message,
        },
    })
}

pub(super) fn api_error(resp: &HttpResponse, body: &serde_json::Value) -> Option<PlatformError> {
    if resp.status == 429 {
        return Some(PlatformError::RateLimited {
            platform: P,
            retry_after_secs: retry_after(resp),
        });
    }
    let error = body.get("error")?;
    let code = error
        .get("code")
        .and_then(|c| c.as_str())
        .unwrap_or("unknown");
    if code == "ok" && resp.status < 400 {
        return None;
    }
    let message = error
        .get("message")
        .and_then(|m| m.as_str())
        .unwrap_or(code)
        .to_owned();
    Some(match code {
        "access_token_invalid" => PlatformError::Unauthorized {
            platform: P,
            reason: message,
        },
        "rate_limit_exceeded" => PlatformError::RateLimited {
            platform: P,
            retry_after_secs: retry_after(resp),
        },
        _ => PlatformError::Rejected {
            platform: P,
            status: resp.status,
            code: code.to_owned(),
            message,
        },
    })
}

fn token_set(
    resp: &HttpResponse,
    endpoint: &'static str,
    now: i64,
) -> Result<TokenSet, PlatformError> {
    let body = json_body(P, endpoint, resp)?;
    if let Some(err) = oauth_error(resp, &body) {
        return Err(err);
    }
    if !resp.is_success() {
        return Err(PlatformError::Rejected {
            platform: P,
            status: resp.status,
            code: "http".into(),
            message: format!("HTTP {}", resp.status),
        });
    }
    let f = Fields::new(P, endpoint, &body);
    Ok(TokenSet {
        access_token: f.secret("access_token")?,
        access_expires_at: expiry(now, Some(f.req_seconds("expires_in")?)),
        refresh_token: Some(f.secret("refresh_token")?),
        refresh_expires_at: expiry(now, Some(f.req_seconds("refresh_expires_in")?)),
        scopes: f
            .opt_str("scope")
            .map(|s| split_scopes(&s))
            .unwrap_or_default(),
        user_id: Some(f.str("open_id")?),
    })
}

pub(super) async fn exchange_code(
    c: &PlatformClient,
    code: &SecretValue,
    redirect_uri: &str,
    verifier: Option<&SecretValue>,
    now: i64,
) -> Result<TokenSet, PlatformError> {
    let secret = c.secret()?;
    let mut form = vec![
        ("client_key", c.creds.client_id.as_str()),
        ("client_secret", secret.expose()),
        ("code", code.expose()),
        ("grant_type", "authorization_code"),
        ("redirect_uri", redirect_uri),
    ];
    if let Some(v) = verifier {
        form.push(("code_verifier", v.expose()));
    }
    let req = c
        .http
        .client()
        .post(c.endpoints.url(Host::Token, "/v2/oauth/token/"))
        .form(&form);
    let resp = c.http.send(P, "oauth.token", req).await?;
    token_set(&resp, "oauth.token", now)
}

pub(super) async fn refresh(
    c: &PlatformClient,
    refresh_token: &SecretValue,
    now: i64,
) -> Result<TokenSet, PlatformError> {
    let secret = c.secret()?;
    let form = [
        ("client_key", c.creds.client_id.as_str()),
        ("client_secret", secret.expose()),
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.expose()),
    ];
    let req = c
        .http
        .client()
        .post(c.endpoints.url(Host::Token, "/v2/oauth/token/"))
        .form(&form);
    let resp = c.http.send(P, "oauth.refresh", req).await?;
    token_set(&resp, "oauth.refresh", now)
}

pub(super) async fn profile(
    c: &PlatformClient,
    access: &SecretValue,
) -> Result<Profile, PlatformError> {
    let mut url = c.endpoints.url(Host::Api, "/v2/user/info/");
    url.query_pairs_mut().append_pair(
        "fields",
        "open_id,union_id,avatar_url,display_name,username",
    );
    let req = c.http.client().get(url).bearer_auth(access.expose());
    let resp = c.http.send(P, "user.info", req).await?;
    let body = json_body(P, "user.info", &resp)?;
    if let Some(err) = api_error(&resp, &body) {
        return Err(err);
    }
    let user = body
        .get("data")
        .and_then(|d| d.get("user"))
        .ok_or_else(|| PlatformError::BadResponse {
            platform: P,
            endpoint: "user.info",
            reason: "data.user is missing".into(),
        })?;
    let f = Fields::new(P, "user.info", user);
    Ok(Profile {
        platform_user_id: f.str("open_id")?,
        username: f.opt_str("username"),
        display_name: f.opt_str("display_name"),
        avatar_url: f.opt_str("avatar_url"),
    })
}

pub(super) async fn revoke(c: &PlatformClient, access: &SecretValue) -> Result<(), PlatformError> {
    let secret = c.secret()?;
    let form = [
        ("client_key", c.creds.client_id.as_str()),
        ("client_secret", secret.expose()),
        ("token", access.expose()),
    ];
    let req = c
        .http
        .client()
        .post(c.endpoints.url(Host::Token, "/v2/oauth/revoke/"))
        .form(&form);
    let resp = c.http.send(P, "oauth.revoke", req).await?;
    if resp.is_success() {
        return Ok(());
    }
    let body = json_body(P, "oauth.revoke", &resp)?;
    Err(
        oauth_error(&resp, &body).unwrap_or(PlatformError::Rejected {
            platform: P,
            status: resp.status,
            code: "http".into(),
            message: format!("HTTP {}", resp.status),
        }),
    )
}
