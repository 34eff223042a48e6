//! Business Login for Instagram: the authorize page (redirect carries `code` and a
//! trailing `#_`), `POST /oauth/access_token` (short-lived token, legacy error
//! envelope), `GET /access_token` (`ig_exchange_token`, long-lived) and
//! `GET /refresh_access_token` (`ig_refresh_token`, at least 24 hours old).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{InstagramError, CODE_TTL, LONG_TTL, REFRESH_MIN_AGE, SCOPES, SHORT_TTL};
use crate::config::{Platform, RegisteredApp};
use crate::oauth::{self as common, ConsentPage};
use crate::state::{AccessToken, AuthCode, Shared, TokenKind};
use crate::web;

struct AuthRequest {
    app: RegisteredApp,
    redirect_uri: String,
    scopes: Vec<String>,
    state: Option<String>,
}

fn validate(shared: &Shared, params: &HashMap<String, String>) -> Result<AuthRequest, Response> {
    let page = |m: &str| web::html(StatusCode::BAD_REQUEST, common::error_page("Instagram", m));
    let client_id = params.get("client_id").map(String::as_str).unwrap_or("");
    let app = shared
        .lock()
        .app(Platform::Instagram, client_id)
        .cloned()
        .ok_or_else(|| page("Invalid Request: Invalid platform app"))?;
    let redirect_uri = params.get("redirect_uri").cloned().unwrap_or_default();
    if !common::redirect_matches(&app.redirect_uris, &redirect_uri) {
        return Err(page("Invalid Request: The redirect_uri does not match the registered Valid OAuth Redirect URIs."));
    }
    if params.get("response_type").map(String::as_str) != Some("code") {
        return Err(page("Invalid Request: response_type must be code."));
    }
    let scopes = common::split_scope_list(params.get("scope").map(String::as_str).unwrap_or(""));
    if let Some(bad) = scopes.iter().find(|s| !SCOPES.contains(&s.as_str())) {
        return Err(page(&format!("Invalid Scopes: {bad}")));
    }
    if scopes.is_empty() {
        return Err(page("Invalid Request: the scope parameter is required."));
    }
    Ok(AuthRequest {
        app,
        redirect_uri,
        scopes,
        state: params.get("state").cloned(),
    })
}

/// `GET /oauth/authorize`.
pub async fn authorize_page(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let params = web::query(&uri);
    let req = match validate(&shared, &params) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let accounts = shared.lock().usernames(Platform::Instagram);
    let action = format!("{}/oauth/authorize", shared.base(Platform::Instagram));
    web::html(
        StatusCode::OK,
        ConsentPage {
            platform_label: "Instagram",
            app_name: &req.app.name,
            accounts: &accounts,
            scopes: &req.scopes,
            action: &action,
            params: &params,
        }
        .render(),
    )
}

/// `POST /oauth/authorize`: Authorize / Deny.
pub async fn authorize_decision(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let params = common::parse_pairs(&body);
    let req = match validate(&shared, &params) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let st = req.state.as_deref();
    if params.get("decision").map(String::as_str) != Some("allow") {
        let mut p = vec![
            ("error", "access_denied"),
            ("error_reason", "user_denied"),
            ("error_description", "The user denied your request."),
        ];
        if let Some(s) = st {
            p.push(("state", s));
        }
        return web::redirect(&common::redirect_with(&req.redirect_uri, &p, Some("_")));
    }
    let now = shared.clock.now();
    let code = {
        let mut state = shared.lock();
        let account = params.get("account").map(String::as_str);
        let Some(user_id) = state
            .consenting_user(Platform::Instagram, account)
            .map(|u| u.id.clone())
        else {
            return web::html(
                StatusCode::BAD_REQUEST,
                common::error_page("Instagram", "Unknown account."),
            );
        };
        let code = format!("AQ{}", state.next_alnum("ig-code", 160));
        state.codes.insert(
            code.clone(),
            AuthCode {
                platform: Platform::Instagram,
                client_id: req.app.client_id.clone(),
                user_id,
                redirect_uri: req.redirect_uri.clone(),
                scopes: req.scopes.clone(),
                code_challenge: None,
                expires_at: now + CODE_TTL,
                used: false,
                permanent: true,
            },
        );
        code
    };
    let mut p = vec![("code", code.as_str())];
    if let Some(s) = st {
        p.push(("state", s));
    }
    web::redirect(&common::redirect_with(&req.redirect_uri, &p, Some("_")))
}

/// `POST /oauth/access_token` (api.instagram.com): code → short-lived token.
pub async fn code_exchange(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let params = common::parse_pairs(&body);
    let run = || -> Result<Response, InstagramError> {
        for field in [
            "client_id",
            "client_secret",
            "grant_type",
            "redirect_uri",
            "code",
        ] {
            if params.get(field).is_none_or(|v| v.is_empty()) {
                return Err(InstagramError::legacy(format!(
                    "Missing required field {field}"
                )));
            }
        }
        let app = shared
            .lock()
            .app(Platform::Instagram, &params["client_id"])
            .cloned()
            .ok_or_else(|| InstagramError::legacy("Invalid platform app"))?;
        if app.client_secret.as_deref() != Some(params["client_secret"].as_str()) {
            return Err(InstagramError::legacy("Error validating client secret."));
        }
        if params["grant_type"] != "authorization_code" {
            return Err(InstagramError::legacy("Invalid grant_type"));
        }
        let now = shared.clock.now();
        let mut state = shared.lock();
        let record = state
            .codes
            .get_mut(&params["code"])
            .filter(|c| c.platform == Platform::Instagram && c.client_id == app.client_id)
            .ok_or_else(|| {
                InstagramError::legacy("Matching code was not found or was already used")
            })?;
        if record.used {
            return Err(InstagramError::legacy(
                "This authorization code has been used",
            ));
        }
        if now >= record.expires_at {
            return Err(InstagramError::legacy(
                "This authorization code has expired",
            ));
        }
        if record.redirect_uri != params["redirect_uri"] {
            return Err(InstagramError::legacy(
                "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
            ));
        }
        record.used = true;
        let (user_id, scopes) = (record.user_id.clone(), record.scopes.clone());
        let token = format!("IGAA{}", state.next_alnum("ig-short", 120));
        state.tokens.insert(
            token.clone(),
            AccessToken {
                platform: Platform::Instagram,
                client_id: app.client_id.clone(),
                user_id: user_id.clone(),
                scopes: scopes.clone(),
                issued_at: now,
                expires_at: now + SHORT_TTL,
                revoked: false,
                kind: TokenKind::Short,
                from_code: true,
                refresh_token: None,
            },
        );
        Ok(web::json(
            StatusCode::OK,
            &json!({"data": [{"access_token": token, "user_id": user_id, "permissions": scopes.join(",")}]}),
        ))
    };
    run().unwrap_or_else(IntoResponse::into_response)
}

fn issue_long(shared: &Shared, from: &AccessToken) -> Response {
    let now = shared.clock.now();
    let mut state = shared.lock();
    let token = format!("IGAA{}", state.next_alnum("ig-long", 160));
    state.tokens.insert(
        token.clone(),
        AccessToken {
            platform: Platform::Instagram,
            client_id: from.client_id.clone(),
            user_id: from.user_id.clone(),
            scopes: from.scopes.clone(),
            issued_at: now,
            expires_at: now + LONG_TTL,
            revoked: false,
            kind: TokenKind::Long,
            from_code: true,
            refresh_token: None,
        },
    );
    web::json(
        StatusCode::OK,
        &json!({"access_token": token, "token_type": "bearer", "expires_in": LONG_TTL}),
    )
}

/// `GET /access_token?grant_type=ig_exchange_token&client_secret=...&access_token=SHORT`.
pub async fn long_lived(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let q = web::query(&uri);
    let run = || -> Result<Response, InstagramError> {
        if q.get("grant_type").map(String::as_str) != Some("ig_exchange_token") {
            return Err(InstagramError::param(
                "Unsupported grant_type: expected ig_exchange_token.",
            ));
        }
        let now = shared.clock.now();
        let t = shared
            .lock()
            .authenticate_without_faults(
                Platform::Instagram,
                q.get("access_token").map(String::as_str),
                now,
            )
            .map_err(InstagramError::from_auth)?;
        let secret = shared
            .lock()
            .app(Platform::Instagram, &t.client_id)
            .and_then(|a| a.client_secret.clone());
        if secret.is_none() || q.get("client_secret") != secret.as_ref() {
            return Err(InstagramError::graph(
                1,
                None,
                "Error validating client secret.",
            ));
        }
        if t.kind != TokenKind::Short {
            return Err(InstagramError::param(
                "The access token is already a long-lived token.",
            ));
        }
        Ok(issue_long(&shared, &t))
    };
    run().unwrap_or_else(IntoResponse::into_response)
}

/// `GET /refresh_access_token?grant_type=ig_refresh_token&access_token=LONG`.
pub async fn refresh(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let q = web::query(&uri);
    let run = || -> Result<Response, InstagramError> {
        if q.get("grant_type").map(String::as_str) != Some("ig_refresh_token") {
            return Err(InstagramError::param(
                "Unsupported grant_type: expected ig_refresh_token.",
            ));
        }
        let now = shared.clock.now();
        let t = shared
            .lock()
            .authenticate_without_faults(
                Platform::Instagram,
                q.get("access_token").map(String::as_str),
                now,
            )
            .map_err(InstagramError::from_auth)?;
        if !t.scopes.iter().any(|s| s == "instagram_business_basic") {
            return Err(InstagramError::permission("instagram_business_basic"));
        }
        if t.kind != TokenKind::Long {
            return Err(InstagramError::param(
                "Only long-lived access tokens can be refreshed.",
            ));
        }
        if now - t.issued_at < REFRESH_MIN_AGE {
            return Err(InstagramError::param(
                "The access token must be at least 24 hours old to be refreshed.",
            ));
        }
        Ok(issue_long(&shared, &t))
    };
    run().unwrap_or_else(IntoResponse::into_response)
}
