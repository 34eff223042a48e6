//! TikTok Login Kit for Desktop: the authorize page and its decision, the token endpoint
//! (code exchange with hex PKCE, rotating refresh) and revoke.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{split_scopes, TikTokError, ACCESS_TTL, CODE_TTL, REFRESH_TTL, SCOPES};
use crate::config::{PkceEncoding, Platform, RegisteredApp};
use crate::oauth::{self as common, ConsentPage};
use crate::state::{AccessToken, AuthCode, RefreshToken, Shared, TokenKind};
use crate::web;

struct AuthRequest {
    app: RegisteredApp,
    redirect_uri: String,
    scopes: Vec<String>,
    state: Option<String>,
    challenge: Option<String>,
}

fn deny_redirect(
    req_redirect: &str,
    state: Option<&str>,
    error: &str,
    description: &str,
) -> Response {
    let mut params = vec![("error", error), ("error_description", description)];
    if let Some(s) = state {
        params.push(("state", s));
    }
    web::redirect(&common::redirect_with(req_redirect, &params, None))
}

/// Validates an authorize request; errors before the redirect URI is trusted are pages.
fn validate(shared: &Shared, params: &HashMap<String, String>) -> Result<AuthRequest, Response> {
    let page = |m: &str| web::html(StatusCode::BAD_REQUEST, common::error_page("TikTok", m));
    let client_key = params.get("client_key").map(String::as_str).unwrap_or("");
    let app = shared
        .lock()
        .app(Platform::TikTok, client_key)
        .cloned()
        .ok_or_else(|| page("Something went wrong: client_key is invalid or missing."))?;
    let redirect_uri = params.get("redirect_uri").cloned().unwrap_or_default();
    if !common::redirect_matches(&app.redirect_uris, &redirect_uri) {
        return Err(page(
            "Something went wrong: redirect_uri does not match the registered redirect URIs.",
        ));
    }
    let state = params.get("state").cloned();
    let st = state.as_deref();
    if params.get("response_type").map(String::as_str) != Some("code") {
        return Err(deny_redirect(
            &redirect_uri,
            st,
            "unsupported_response_type",
            "response_type must be code.",
        ));
    }
    let scopes = split_scopes(params.get("scope").map(String::as_str).unwrap_or(""));
    if scopes.is_empty() || scopes.iter().any(|s| !SCOPES.contains(&s.as_str())) {
        return Err(deny_redirect(
            &redirect_uri,
            st,
            "invalid_scope",
            "The scope parameter is invalid.",
        ));
    }
    let challenge = params
        .get("code_challenge")
        .filter(|c| !c.is_empty())
        .cloned();
    if app.pkce != PkceEncoding::None {
        if challenge.is_none() {
            return Err(deny_redirect(
                &redirect_uri,
                st,
                "invalid_request",
                "code_challenge is required.",
            ));
        }
        if params.get("code_challenge_method").map(String::as_str) != Some("S256") {
            return Err(deny_redirect(
                &redirect_uri,
                st,
                "invalid_request",
                "code_challenge_method must be S256.",
            ));
        }
    }
    Ok(AuthRequest {
        app,
        redirect_uri,
        scopes,
        state,
        challenge,
    })
}

/// `GET /v2/auth/authorize/`: the consent page.
pub async fn authorize_page(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let params = web::query(&uri);
    let req = match validate(&shared, &params) {
        Ok(r) => r,
        Err(response) => return response,
    };
    let accounts = shared.lock().usernames(Platform::TikTok);
    let action = format!("{}/v2/auth/authorize/", shared.base(Platform::TikTok));
    let page = ConsentPage {
        platform_label: "TikTok",
        app_name: &req.app.name,
        accounts: &accounts,
        scopes: &req.scopes,
        action: &action,
        params: &params,
    };
    web::html(StatusCode::OK, page.render())
}

/// `POST /v2/auth/authorize/`: the Authorize / Deny buttons.
pub async fn authorize_decision(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let params = common::parse_pairs(&body);
    let req = match validate(&shared, &params) {
        Ok(r) => r,
        Err(response) => return response,
    };
    if params.get("decision").map(String::as_str) != Some("allow") {
        return deny_redirect(
            &req.redirect_uri,
            req.state.as_deref(),
            "access_denied",
            "The user denied the request.",
        );
    }
    let now = shared.clock.now();
    let code = {
        let mut state = shared.lock();
        let account = params.get("account").map(String::as_str);
        let Some(user_id) = state
            .consenting_user(Platform::TikTok, account)
            .map(|u| u.id.clone())
        else {
            return web::html(
                StatusCode::BAD_REQUEST,
                common::error_page("TikTok", "Unknown account."),
            );
        };
        let code = format!(
            "{}*!{}",
            state.next_alnum("tt-code", 40),
            state.next_alnum("tt-code2", 8)
        );
        state.codes.insert(
            code.clone(),
            AuthCode {
                platform: Platform::TikTok,
                client_id: req.app.client_id.clone(),
                user_id,
                redirect_uri: req.redirect_uri.clone(),
                scopes: req.scopes.clone(),
                code_challenge: req.challenge.clone(),
                expires_at: now + CODE_TTL,
                used: false,
                permanent: true,
            },
        );
        code
    };
    let scopes = req.scopes.join(",");
    let mut out = vec![("code", code.as_str()), ("scopes", scopes.as_str())];
    if let Some(s) = req.state.as_deref() {
        out.push(("state", s));
    }
    web::redirect(&common::redirect_with(&req.redirect_uri, &out, None))
}

fn bad(error: &'static str, description: &str) -> Response {
    TikTokError::oauth(StatusCode::BAD_REQUEST, error, description).into_response()
}

/// Checks `client_key` + `client_secret`.
fn client(shared: &Shared, params: &HashMap<String, String>) -> Result<RegisteredApp, Response> {
    let key = params.get("client_key").map(String::as_str).unwrap_or("");
    let secret = params
        .get("client_secret")
        .map(String::as_str)
        .unwrap_or("");
    let app = shared.lock().app(Platform::TikTok, key).cloned();
    match app {
        Some(app) if app.client_secret.as_deref() == Some(secret) => Ok(app),
        _ => Err(TikTokError::oauth(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client key or secret is invalid.",
        )
        .into_response()),
    }
}

fn issue(
    shared: &Shared,
    app: &RegisteredApp,
    user_id: &str,
    scopes: &[String],
    from_code: bool,
) -> Response {
    let now = shared.clock.now();
    let mut state = shared.lock();
    let access = format!("act.{}", state.next_alnum("tt-access", 60));
    let refresh = format!("rft.{}", state.next_alnum("tt-refresh", 60));
    state.refresh.insert(
        refresh.clone(),
        RefreshToken {
            platform: Platform::TikTok,
            client_id: app.client_id.clone(),
            user_id: user_id.to_string(),
            scopes: scopes.to_vec(),
            expires_at: Some(now + REFRESH_TTL),
            revoked: false,
        },
    );
    state.tokens.insert(
        access.clone(),
        AccessToken {
            platform: Platform::TikTok,
            client_id: app.client_id.clone(),
            user_id: user_id.to_string(),
            scopes: scopes.to_vec(),
            issued_at: now,
            expires_at: now + ACCESS_TTL,
            revoked: false,
            kind: TokenKind::Short,
            from_code,
            refresh_token: Some(refresh.clone()),
        },
    );
    web::json(
        StatusCode::OK,
        &json!({
            "access_token": access,
            "expires_in": ACCESS_TTL,
            "open_id": user_id,
            "refresh_expires_in": REFRESH_TTL,
            "refresh_token": refresh,
            "scope": scopes.join(","),
            "token_type": "Bearer",
        }),
    )
}

/// `POST /v2/oauth/token/`: authorization_code and refresh_token grants.
pub async fn token(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let params = common::parse_pairs(&body);
    let app = match client(&shared, &params) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let now = shared.clock.now();
    match params.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let Some(code) = params.get("code").filter(|c| !c.is_empty()) else {
                return bad("invalid_request", "code is required.");
            };
            let redirect_uri = params.get("redirect_uri").cloned().unwrap_or_default();
            let grant = {
                let mut state = shared.lock();
                let Some(record) = state.codes.get_mut(code) else {
                    return bad("invalid_grant", "Authorization code is invalid.");
                };
                if record.platform != Platform::TikTok || record.client_id != app.client_id {
                    return bad("invalid_grant", "Authorization code is invalid.");
                }
                if record.used || now >= record.expires_at {
                    return bad("invalid_grant", "Authorization code is expired.");
                }
                if record.redirect_uri != redirect_uri {
                    return bad(
                        "invalid_request",
                        "redirect_uri does not match the authorization request.",
                    );
                }
                if common::verify_pkce(
                    app.pkce,
                    record.code_challenge.as_deref(),
                    params.get("code_verifier").map(String::as_str),
                )
                .is_err()
                {
                    return bad(
                        "invalid_request",
                        "Code verifier or code challenge is invalid.",
                    );
                }
                record.used = true;
                (record.user_id.clone(), record.scopes.clone())
            };
            issue(&shared, &app, &grant.0, &grant.1, true)
        }
        Some("refresh_token") => {
            let Some(rt) = params.get("refresh_token").filter(|c| !c.is_empty()) else {
                return bad("invalid_request", "refresh_token is required.");
            };
            let grant = {
                let mut state = shared.lock();
                let Some(record) = state.refresh.get_mut(rt) else {
                    return bad("invalid_grant", "Refresh token is invalid or expired.");
                };
                if record.platform != Platform::TikTok
                    || record.client_id != app.client_id
                    || record.revoked
                    || record.expires_at.is_some_and(|e| now >= e)
                {
                    return bad("invalid_grant", "Refresh token is invalid or expired.");
                }
                // Rotation: the old refresh token stops working once a new one is issued.
                record.revoked = true;
                (record.user_id.clone(), record.scopes.clone())
            };
            issue(&shared, &app, &grant.0, &grant.1, false)
        }
        Some(_) => bad("unsupported_grant_type", "The grant_type is not supported."),
        None => bad("invalid_request", "grant_type is required."),
    }
}

/// `POST /v2/oauth/revoke/`: revokes an access token and its refresh token.
pub async fn revoke(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let params = common::parse_pairs(&body);
    let app = match client(&shared, &params) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(token) = params.get("token").filter(|t| !t.is_empty()) else {
        return bad("invalid_request", "token is required.");
    };
    let now = shared.clock.now();
    let mut state = shared.lock();
    let (refresh, user_id) = match state.tokens.get_mut(token) {
        Some(t) if t.platform == Platform::TikTok && t.client_id == app.client_id => {
            t.revoked = true;
            (t.refresh_token.clone(), t.user_id.clone())
        }
        _ => return bad("invalid_request", "The token is invalid."),
    };
    if let Some(r) = refresh.and_then(|r| state.refresh.get_mut(&r)) {
        r.revoked = true;
    }
    // reason 5: the developer revoked the authorization.
    let secret = app.client_secret.clone().unwrap_or_default();
    let event = crate::webhook::tiktok_event(
        &app.client_id,
        &secret,
        "authorization.removed",
        now,
        &user_id,
        &json!({"reason": 5}),
    );
    state.queue_webhook(event);
    web::json(StatusCode::OK, &json!({}))
}
