//! Reddit installed-app OAuth (HTTP Basic with the client id and an empty password, or the
//! secret of a web/script app), `duration=permanent` refresh tokens, `/api/v1/me`, revoke.
//! Requests and response shapes only.

use url::Url;

use super::{
    expiry, json_body, retry_after, split_scopes, AuthorizeRequest, ClientCredentials, Fields,
    PlatformClient, PlatformError, Profile, TokenSet,
};
use crate::config::{Endpoints, Host};
use crate::http::HttpResponse;
use crate::platform::Platform;
use crate::vault::SecretValue;

const P: Platform = Platform::Reddit;

pub(super) fn authorize_url(
    e: &Endpoints,
    creds: &ClientCredentials,
    req: &AuthorizeRequest<'_>,
) -> Url {
    let mut url = e.url(Host::Authorize, "/api/v1/authorize");
    url.query_pairs_mut()
        .append_pair("client_id", &creds.client_id)
        .append_pair("response_type", "code")
        .append_pair("state", req.state)
        .append_pair("redirect_uri", req.redirect_uri)
        .append_pair("duration", "permanent")
        .append_pair("scope", &req.scopes.join(" "));
    url
}

pub(super) fn error(
    resp: &HttpResponse,
    body: Option<&serde_json::Value>,
) -> Option<PlatformError> {
    if resp.status == 429 {
        return Some(PlatformError::RateLimited {
            platform: P,
            retry_after_secs: retry_after(resp).or_else(|| {
                resp.headers
                    .get("x-ratelimit-reset")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<f64>().ok())
                    .map(|v| v.ceil() as u64)
            }),
        });
    }
    let error = body.and_then(|b| b.get("error"));
    match error {
        Some(serde_json::Value::String(code)) => Some(match code.as_str() {
            "invalid_grant" => PlatformError::InvalidGrant {
                platform: P,
                reason: "the code or refresh token is invalid, used or revoked".into(),
            },
            other => PlatformError::Rejected {
                platform: P,
                status: resp.status,
                code: other.to_owned(),
                message: body
                    .and_then(|b| b.get("message"))
                    .and_then(|m| m.as_str())
                    .unwrap_or(other)
                    .to_owned(),
            },
        }),
        _ if resp.status == 401 || resp.status == 403 => Some(PlatformError::Unauthorized {
            platform: P,
            reason: format!("HTTP {}", resp.status),
        }),
        _ if !resp.is_success() => Some(PlatformError::Rejected {
            platform: P,
            status: resp.status,
            code: "http".into(),
            message: format!("HTTP {}", resp.status),
        }),
        _ => None,
    }
}

fn basic(c: &PlatformClient, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    let password = c
        .creds
        .client_secret
        .as_ref()
        .map(|s| s.expose().to_owned())
        .unwrap_or_default();
    req.basic_auth(&c.creds.client_id, Some(password))
}

async fn token_call(
    c: &PlatformClient,
    endpoint: &'static str,
    form: &[(&str, &str)],
    now: i64,
) -> Result<TokenSet, PlatformError> {
    token_call_inner(c, endpoint, form, now)
        .await
        .map_err(|e| match e {
            // A 401 from the token endpoint is about the app's credentials, not the account.
            PlatformError::Unauthorized { .. } => PlatformError::Rejected {
                platform: P,
                status: 401,
                code: "invalid_client".into(),
                message:
                    "Reddit does not accept Outpost's client id (check OUTPOST_REDDIT_CLIENT_ID)"
                        .into(),
            },
            other => other,
        })
}

async fn token_call_inner(
    c: &PlatformClient,
    endpoint: &'static str,
    form: &[(&str, &str)],
    now: i64,
) -> Result<TokenSet, PlatformError> {
    let req = basic(
        c,
        c.http
            .client()
            .post(c.endpoints.url(Host::Token, "/api/v1/access_token"))
            .form(form),
    );
    let resp = c.http.send(P, endpoint, req).await?;
    let body = resp.json();
    if let Some(e) = error(&resp, body.as_ref()) {
        return Err(e);
    }
    let body = json_body(P, endpoint, &resp)?;
    let f = Fields::new(P, endpoint, &body);
    Ok(TokenSet {
        access_token: f.secret("access_token")?,
        access_expires_at: expiry(now, Some(f.req_seconds("expires_in")?)),
        refresh_token: f.opt_secret("refresh_token")?,
        refresh_expires_at: None,
        scopes: f
            .opt_str("scope")
            .map(|s| split_scopes(&s))
            .unwrap_or_default(),
        user_id: None,
    })
}

pub(super) async fn exchange_code(
    c: &PlatformClient,
    code: &SecretValue,
    redirect_uri: &str,
    now: i64,
) -> Result<TokenSet, PlatformError> {
    token_call(
        c,
        "oauth.access_token",
        &[
            ("grant_type", "authorization_code"),
            ("code", code.expose()),
            ("redirect_uri", redirect_uri),
        ],
        now,
    )
    .await
}

pub(super) async fn refresh(
    c: &PlatformClient,
    refresh_token: &SecretValue,
    now: i64,
) -> Result<TokenSet, PlatformError> {
    let mut set = token_call(
        c,
        "oauth.refresh",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
        ],
        now,
    )
    .await?;
    // Reddit keeps the refresh token unless it sends a new one.
    if set.refresh_token.is_none() {
        set.refresh_token = Some(refresh_token.clone());
    }
    Ok(set)
}

pub(super) async fn profile(
    c: &PlatformClient,
    access: &SecretValue,
) -> Result<Profile, PlatformError> {
    let req = c
        .http
        .client()
        .get(c.endpoints.url(Host::Api, "/api/v1/me"))
        .bearer_auth(access.expose());
    let resp = c.http.send(P, "me", req).await?;
    let body = resp.json();
    if let Some(e) = error(&resp, body.as_ref()) {
        return Err(e);
    }
    let body = json_body(P, "me", &resp)?;
    let f = Fields::new(P, "me", &body);
    let name = f.str("name")?;
    Ok(Profile {
        platform_user_id: f.str("id")?,
        username: Some(name.clone()),
        display_name: Some(format!("u/{name}")),
        avatar_url: f.opt_str("icon_img").map(|u| u.replace("&amp;", "&")),
    })
}

pub(super) async fn revoke(c: &PlatformClient, token: &SecretValue) -> Result<(), PlatformError> {
    let req = basic(
        c,
        c.http
            .client()
            .post(c.endpoints.url(Host::Token, "/api/v1/revoke_token"))
            .form(&[
                ("token", token.expose()),
                ("token_type_hint", "refresh_token"),
            ]),
    );
    let resp = c.http.send(P, "oauth.revoke", req).await?;
    match error(&resp, resp.json().as_ref()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
