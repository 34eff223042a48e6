//! Instagram API with Instagram Login: authorize, code → short-lived → long-lived token,
//! refresh of the long-lived token (no refresh token exists), `/me`. Requests and response
//! shapes only.

use url::Url;

use super::{
    expiry, json_body, retry_after, split_scopes, AuthorizeRequest, ClientCredentials, Fields,
    PlatformClient, PlatformError, Profile, TokenSet,
};
use crate::config::{Endpoints, Host};
use crate::http::HttpResponse;
use crate::platform::Platform;
use crate::vault::SecretValue;

const P: Platform = Platform::Instagram;
/// The Graph API version Outpost is written against.
pub const GRAPH_VERSION: &str = "v23.0";

pub(super) fn authorize_url(
    e: &Endpoints,
    creds: &ClientCredentials,
    req: &AuthorizeRequest<'_>,
) -> Url {
    let mut url = e.url(Host::Authorize, "/oauth/authorize");
    url.query_pairs_mut()
        .append_pair("client_id", &creds.client_id)
        .append_pair("redirect_uri", req.redirect_uri)
        .append_pair("response_type", "code")
        .append_pair("scope", &req.scopes.join(","))
        .append_pair("state", req.state);
    url
}

/// Graph errors `{"error": {message, type, code, error_subcode}}` and the token endpoint's
/// legacy `{"error_type", "code", "error_message"}`.
pub(super) fn error(resp: &HttpResponse, body: &serde_json::Value) -> Option<PlatformError> {
    if let Some(err) = body.get("error").filter(|e| e.is_object()) {
        let code = err.get("code").and_then(|c| c.as_i64()).unwrap_or(0);
        let subcode = err.get("error_subcode").and_then(|c| c.as_i64());
        let message = err
            .get("message")
            .and_then(|m| m.as_str())
            .unwrap_or("unknown error")
            .to_owned();
        return Some(match code {
            190 => PlatformError::Unauthorized {
                platform: P,
                reason: message,
            },
            4 | 17 | 32 | 613 | 80002 => PlatformError::RateLimited {
                platform: P,
                retry_after_secs: retry_after(resp),
            },
            _ => PlatformError::Rejected {
                platform: P,
                status: resp.status,
                code: match subcode {
                    Some(s) => format!("{code}/{s}"),
                    None => code.to_string(),
                },
                message,
            },
        });
    }
    if let Some(kind) = body.get("error_type").and_then(|t| t.as_str()) {
        let message = body
            .get("error_message")
            .and_then(|m| m.as_str())
            .unwrap_or(kind)
            .to_owned();
        return Some(if kind == "OAuthException" && resp.status == 400 {
            PlatformError::InvalidGrant {
                platform: P,
                reason: message,
            }
        } else {
            PlatformError::Rejected {
                platform: P,
                status: resp.status,
                code: kind.to_owned(),
                message,
            }
        });
    }
    if resp.status == 429 {
        return Some(PlatformError::RateLimited {
            platform: P,
            retry_after_secs: retry_after(resp),
        });
    }
    (!resp.is_success()).then(|| PlatformError::Rejected {
        platform: P,
        status: resp.status,
        code: "http".into(),
        message: format!("HTTP {}", resp.status),
    })
}

fn checked(
    resp: &HttpResponse,
    endpoint: &'static str,
) -> Result<serde_json::Value, PlatformError> {
    let body = json_body(P, endpoint, resp)?;
    match error(resp, &body) {
        Some(e) => Err(e),
        None => Ok(body),
    }
}

fn long_lived(
    resp: &HttpResponse,
    endpoint: &'static str,
    now: i64,
    user_id: Option<String>,
    scopes: Vec<String>,
) -> Result<TokenSet, PlatformError> {
    let body = checked(resp, endpoint)?;
    let f = Fields::new(P, endpoint, &body);
    Ok(TokenSet {
        access_token: f.secret("access_token")?,
        access_expires_at: expiry(now, Some(f.req_seconds("expires_in")?)),
        refresh_token: None,
        refresh_expires_at: None,
        scopes,
        user_id,
    })
}

pub(super) async fn exchange_code(
    c: &PlatformClient,
    code: &SecretValue,
    redirect_uri: &str,
    now: i64,
) -> Result<TokenSet, PlatformError> {
    let secret = c.secret()?;
    let code = code.expose().trim_end_matches("#_");
    let form = [
        ("client_id", c.creds.client_id.as_str()),
        ("client_secret", secret.expose()),
        ("grant_type", "authorization_code"),
        ("redirect_uri", redirect_uri),
        ("code", code),
    ];
    let req = c
        .http
        .client()
        .post(c.endpoints.url(Host::Token, "/oauth/access_token"))
        .form(&form);
    let resp = c.http.send(P, "oauth.access_token", req).await?;
    let body = checked(&resp, "oauth.access_token")?;
    // Business Login wraps the token in `data: [...]`; older docs show it flat.
    let inner = match body
        .get("data")
        .and_then(|d| d.as_array())
        .and_then(|a| a.first())
    {
        Some(first) => first.clone(),
        None => body.clone(),
    };
    let f = Fields::new(P, "oauth.access_token", &inner);
    let short = f.secret("access_token")?;
    let user_id = f.str("user_id")?;
    let scopes = f
        .opt_str("permissions")
        .map(|s| split_scopes(&s))
        .unwrap_or_default();

    let mut url = c.endpoints.url(Host::Api, "/access_token");
    url.query_pairs_mut()
        .append_pair("grant_type", "ig_exchange_token")
        .append_pair("client_secret", secret.expose())
        .append_pair("access_token", short.expose());
    let resp = c
        .http
        .send(P, "oauth.long_lived", c.http.client().get(url))
        .await?;
    long_lived(&resp, "oauth.long_lived", now, Some(user_id), scopes)
}

pub(super) async fn refresh(
    c: &PlatformClient,
    long: &SecretValue,
    now: i64,
) -> Result<TokenSet, PlatformError> {
    let mut url = c.endpoints.url(Host::Api, "/refresh_access_token");
    url.query_pairs_mut()
        .append_pair("grant_type", "ig_refresh_token")
        .append_pair("access_token", long.expose());
    let resp = c
        .http
        .send(P, "oauth.refresh", c.http.client().get(url))
        .await?;
    long_lived(&resp, "oauth.refresh", now, None, Vec::new()).map_err(|e| match e {
        // A refused refresh means the token is dead: only a new sign-in helps.
        PlatformError::Unauthorized { reason, .. } => PlatformError::InvalidGrant {
            platform: P,
            reason,
        },
        other => other,
    })
}

pub(super) async fn profile(
    c: &PlatformClient,
    access: &SecretValue,
) -> Result<Profile, PlatformError> {
    let mut url = c.endpoints.url(Host::Api, &format!("/{GRAPH_VERSION}/me"));
    url.query_pairs_mut().append_pair(
        "fields",
        "user_id,username,name,account_type,profile_picture_url",
    );
    let req = c.http.client().get(url).bearer_auth(access.expose());
    let resp = c.http.send(P, "me", req).await?;
    let body = checked(&resp, "me")?;
    let f = Fields::new(P, "me", &body);
    Ok(Profile {
        platform_user_id: f.str("user_id").or_else(|_| f.str("id"))?,
        username: f.opt_str("username"),
        display_name: f.opt_str("name"),
        avatar_url: f.opt_str("profile_picture_url"),
    })
}
