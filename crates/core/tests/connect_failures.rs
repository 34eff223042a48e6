//! A sign-in that fails after the browser step leaves nothing behind: a token response with
//! missing or mistyped fields, a profile call failing after a good exchange. A platform is
//! played here by a tiny local server that answers exactly what each case needs.

use std::collections::HashMap;

use axum::routing::{get, post};
use axum::Json;
use outpost_core::clock;
use outpost_core::db::Database;
use outpost_core::error::UserFacing;
use outpost_core::oauth::callback;
use outpost_core::Platform;
use serde_json::{json, Value};

mod support;

async fn fake_tiktok(token: Value, profile: (u16, Value)) -> String {
    let app = axum::Router::new()
        .route("/v2/oauth/token/", post(move || async move { Json(token) }))
        .route(
            "/v2/user/info/",
            get(move || async move {
                (
                    axum::http::StatusCode::from_u16(profile.0).unwrap(),
                    Json(profile.1),
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

async fn attempt_with(
    token: Value,
    profile: (u16, Value),
) -> (outpost_core::oauth::OAuthError, Database, tempfile::TempDir) {
    let base = fake_tiktok(token, profile).await;
    let dir = tempfile::tempdir().unwrap();
    let env: HashMap<String, String> = [
        ("OUTPOST_TIKTOK_BASE_URL", base),
        ("OUTPOST_TIKTOK_CLIENT_ID", "client-key".to_owned()),
        (
            "OUTPOST_TIKTOK_CLIENT_SECRET",
            "client-secret-value".to_owned(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let support::Engine { db, connector, .. } =
        support::engine(dir.path(), env, clock::system()).await;
    let started = connector
        .start(Platform::Tiktok, "http://127.0.0.1:5/callback", None)
        .await
        .unwrap();
    let cb = callback::parse_url(&format!(
        "http://127.0.0.1:5/callback?code=the-code&state={}",
        started.state
    ))
    .unwrap();
    let err = connector
        .finish(Some(Platform::Tiktok), &cb)
        .await
        .unwrap_err();
    (err, db, dir)
}

async fn nothing_stored(db: &Database) {
    assert_eq!(
        db.accounts().count().await.unwrap(),
        0,
        "no account may be left behind"
    );
    let secrets: i64 = sqlx_count(
        db,
        "SELECT COUNT(*) FROM secrets WHERE owner LIKE 'account:%'",
    )
    .await;
    assert_eq!(secrets, 0, "no token may be left behind");
}

async fn sqlx_count(db: &Database, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

fn good_token() -> Value {
    json!({"access_token": "act.good", "expires_in": 7200, "refresh_token": "rft.good",
           "refresh_expires_in": 15552000, "open_id": "user-1", "scope": "user.info.basic", "token_type": "Bearer"})
}

fn good_profile() -> (u16, Value) {
    (
        200,
        json!({"data": {"user": {"open_id": "user-1", "display_name": "U"}}, "error": {"code": "ok", "message": ""}}),
    )
}

#[tokio::test]
async fn a_token_response_missing_fields_stores_nothing() {
    let mut token = good_token();
    token.as_object_mut().unwrap().remove("access_token");
    let (err, db, _dir) = attempt_with(token, good_profile()).await;
    assert_eq!(err.code(), "platform.bad_response");
    assert!(err.to_string().contains("access_token is missing"), "{err}");
    nothing_stored(&db).await;
}

#[tokio::test]
async fn a_token_response_with_wrong_types_stores_nothing() {
    let mut token = good_token();
    token["expires_in"] = json!("two hours");
    let (err, db, _dir) = attempt_with(token, good_profile()).await;
    assert_eq!(err.code(), "platform.bad_response");
    assert!(err.to_string().contains("expires_in"), "{err}");
    nothing_stored(&db).await;

    let mut token = good_token();
    token["access_token"] = json!({"nested": true});
    let (err, db, _dir) = attempt_with(token, good_profile()).await;
    assert_eq!(err.code(), "platform.bad_response");
    nothing_stored(&db).await;
}

#[tokio::test]
async fn a_profile_failure_after_a_good_exchange_leaves_no_half_connected_account() {
    let (err, db, _dir) = attempt_with(
        good_token(),
        (
            500,
            json!({"data": {}, "error": {"code": "internal_error", "message": "try later"}}),
        ),
    )
    .await;
    assert_eq!(err.code(), "platform.rejected");
    nothing_stored(&db).await;
    assert!(!err.to_string().contains("act.good"));
}

#[tokio::test]
async fn a_token_error_envelope_becomes_a_clear_refusal() {
    let (err, db, _dir) = attempt_with(
        json!({"error": "invalid_grant", "error_description": "Authorization code is expired.", "log_id": "x"}),
        good_profile(),
    )
    .await;
    assert_eq!(err.code(), "oauth.invalid_grant");
    assert!(
        err.to_string().contains("Authorization code is expired"),
        "{err}"
    );
    nothing_stored(&db).await;
}
