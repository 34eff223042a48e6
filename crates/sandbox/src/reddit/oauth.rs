//! Reddit installed-app OAuth: the authorize page (`duration`, comma- or space-separated
//! scopes, exactly one registered redirect URI), the token endpoint with HTTP Basic
//! `client_id:` (empty password), non-rotating refresh tokens for `duration=permanent`,
//! and `revoke_token`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{RedditError, ACCESS_TTL, CODE_TTL, SCOPES};
use crate::config::{Platform, RegisteredApp};
use crate::oauth::{self as common, ConsentPage};
use crate::state::{AccessToken, AuthCode, RefreshToken, Shared, TokenKind};
use crate::web;

struct AuthRequest {
    app: RegisteredApp,
    redirect_uri: String,
    scopes: Vec<String>,
    state: String,
    permanent: bool,
}

fn validate(shared: &Shared, params: &HashMap<String, String>) -> Result<AuthRequest, Response> {
    let page = |m: &str| web::html(StatusCode::BAD_REQUEST, common::error_page("Reddit", m));
    let client_id = params.get("client_id").map(String::as_str).unwrap_or("");
    let app = shared
        .lock()
        .app(Platform::Reddit, client_id)
        .cloned()
        .ok_or_else(|| page("invalid client id"))?;
    let redirect_uri = params.get("redirect_uri").cloned().unwrap_or_default();
    if !common::redirect_matches(&app.redirect_uris, &redirect_uri) {
        return Err(page("invalid redirect_uri parameter"));
    }
    let state = params.get("state").cloned().unwrap_or_default();
    let fail = |error: &str| {
        let mut p = vec![("error", error)];
        if !state.is_empty() {
            p.push(("state", state.as_str()));
        }
        web::redirect(&common::redirect_with(&redirect_uri, &p, None))
    };
    if params.get("response_type").map(String::as_str) != Some("code") {
        return Err(fail("unsupported_response_type"));
    }
    if state.is_empty() {
        return Err(fail("invalid_request"));
    }
    let permanent = match params.get("duration").map(String::as_str) {
        Some("permanent") => true,
        Some("temporary") | None => false,
        Some(_) => return Err(fail("invalid_request")),
    };
    let scopes = common::split_scope_list(params.get("scope").map(String::as_str).unwrap_or(""));
    if scopes.is_empty() || scopes.iter().any(|s| !SCOPES.contains(&s.as_str())) {
        return Err(fail("invalid_scope"));
    }
    Ok(AuthRequest {
        app,
        redirect_uri,
        scopes,
        state,
        permanent,
    })
}

/// `GET /api/v1/authorize` (and `.compact`).
pub async fn authorize_page(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let params = web::query(&uri);
    let req = match validate(&shared, &params) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let accounts = shared.lock().usernames(Platform::Reddit);
    let action = format!(
        "{}{}",
        shared.base(Platform::Reddit),
        uri.path().strip_prefix("/reddit").unwrap_or(uri.path())
    );
    web::html(
        StatusCode::OK,
        ConsentPage {
            platform_label: "Reddit",
            app_name: &req.app.name,
            accounts: &accounts,
            scopes: &req.scopes,
            action: &action,
            params: &params,
        }
        .render(),
    )
}

/// `POST /api/v1/authorize`: Allow / Decline.
pub async fn authorize_decision(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let params = common::parse_pairs(&body);
    let req = match validate(&shared, &params) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if params.get("decision").map(String::as_str) != Some("allow") {
        return web::redirect(&common::redirect_with(
            &req.redirect_uri,
            &[("error", "access_denied"), ("state", &req.state)],
            None,
        ));
    }
    let now = shared.clock.now();
    let mut state = shared.lock();
    let account = params.get("account").map(String::as_str);
    let Some(user_id) = state
        .consenting_user(Platform::Reddit, account)
        .map(|u| u.id.clone())
    else {
        return web::html(
            StatusCode::BAD_REQUEST,
            common::error_page("Reddit", "Unknown account."),
        );
    };
    let code = state.next_alnum("reddit-code", 30);
    state.codes.insert(
        code.clone(),
        AuthCode {
            platform: Platform::Reddit,
            client_id: req.app.client_id.clone(),
            user_id,
            redirect_uri: req.redirect_uri.clone(),
            scopes: req.scopes.clone(),
            code_challenge: None,
            expires_at: now + CODE_TTL,
            used: false,
            permanent: req.permanent,
        },
    );
    web::redirect(&common::redirect_with(
        &req.redirect_uri,
        &[("state", &req.state), ("code", &code)],
        None,
    ))
}

fn basic_app(shared: &Shared, headers: &HeaderMap) -> Result<RegisteredApp, Response> {
    let unauthorized = || RedditError::Http(StatusCode::UNAUTHORIZED).into_response();
    let (id, secret) = common::basic_credentials(web::header_str(headers, "authorization"))
        .ok_or_else(unauthorized)?;
    let app = shared
        .lock()
        .app(Platform::Reddit, &id)
        .cloned()
        .ok_or_else(unauthorized)?;
    if app.client_secret.as_deref().unwrap_or("") != secret {
        return Err(unauthorized());
    }
    Ok(app)
}

/// `POST /api/v1/access_token`.
pub async fn token(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let app = match basic_app(&shared, &headers) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let params = common::parse_pairs(&body);
    let now = shared.clock.now();
    let mut state = shared.lock();
    let (user_id, scopes, new_refresh, old_refresh) =
        match params.get("grant_type").map(String::as_str) {
            Some("authorization_code") => {
                let (Some(code), Some(redirect)) = (params.get("code"), params.get("redirect_uri"))
                else {
                    return RedditError::OAuth("invalid_request").into_response();
                };
                let Some(record) = state
                    .codes
                    .get_mut(code)
                    .filter(|c| c.platform == Platform::Reddit && c.client_id == app.client_id)
                else {
                    return RedditError::OAuth("invalid_grant").into_response();
                };
                if record.used || now >= record.expires_at || &record.redirect_uri != redirect {
                    return RedditError::OAuth("invalid_grant").into_response();
                }
                record.used = true;
                let (u, s, p) = (
                    record.user_id.clone(),
                    record.scopes.clone(),
                    record.permanent,
                );
                (u, s, p, None)
            }
            Some("refresh_token") => {
                let Some(rt) = params.get("refresh_token") else {
                    return RedditError::OAuth("invalid_request").into_response();
                };
                let Some(r) = state.refresh.get(rt).filter(|r| {
                    r.platform == Platform::Reddit && r.client_id == app.client_id && !r.revoked
                }) else {
                    return RedditError::OAuth("invalid_grant").into_response();
                };
                (r.user_id.clone(), r.scopes.clone(), false, Some(rt.clone()))
            }
            _ => return RedditError::OAuth("unsupported_grant_type").into_response(),
        };
    let access = format!("eyJ{}", state.next_alnum("reddit-access", 80));
    let refresh = new_refresh.then(|| {
        format!(
            "{}-{}",
            state.next_digits("reddit-rt-a", 12),
            state.next_alnum("reddit-rt-b", 30)
        )
    });
    if let Some(r) = &refresh {
        state.refresh.insert(
            r.clone(),
            RefreshToken {
                platform: Platform::Reddit,
                client_id: app.client_id.clone(),
                user_id: user_id.clone(),
                scopes: scopes.clone(),
                expires_at: None,
                revoked: false,
            },
        );
    }
    state.tokens.insert(
        access.clone(),
        AccessToken {
            platform: Platform::Reddit,
            client_id: app.client_id.clone(),
            user_id,
            scopes: scopes.clone(),
            issued_at: now,
            expires_at: now + ACCESS_TTL,
            revoked: false,
            kind: TokenKind::Short,
            from_code: old_refresh.is_none(),
            refresh_token: refresh.clone().or(old_refresh),
        },
    );
    let mut body = json!({
        "access_token": access,
        "token_type": "bearer",
        "expires_in": ACCESS_TTL,
        "scope": scopes.join(" "),
    });
    if let Some(r) = refresh {
        body["refresh_token"] = json!(r);
    }
    web::json(StatusCode::OK, &body)
}

/// `POST /api/v1/revoke_token`.
pub async fn revoke(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let app = match basic_app(&shared, &headers) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let params = common::parse_pairs(&body);
    let Some(token) = params.get("token").filter(|t| !t.is_empty()) else {
        return RedditError::Http(StatusCode::BAD_REQUEST).into_response();
    };
    let mut state = shared.lock();
    if let Some(r) = state
        .refresh
        .get_mut(token)
        .filter(|r| r.client_id == app.client_id)
    {
        r.revoked = true;
        for t in state.tokens.values_mut() {
            if t.refresh_token.as_deref() == Some(token.as_str()) {
                t.revoked = true;
            }
        }
    } else if let Some(t) = state
        .tokens
        .get_mut(token)
        .filter(|t| t.client_id == app.client_id)
    {
        t.revoked = true;
    }
    StatusCode::NO_CONTENT.into_response()
}
