//! The optional local receiver (`outpost events serve`) for creators who relay webhooks to
//! their machine. Routes:
//!
//! | route | what |
//! | --- | --- |
//! | `POST /webhooks/tiktok` | TikTok deliveries (`TikTok-Signature`) |
//! | `POST /webhooks/instagram` | Meta deliveries (`X-Hub-Signature-256`) |
//! | `GET /webhooks/instagram` | Meta's subscription handshake (`hub.mode`, `hub.verify_token`, `hub.challenge`) |
//! | `POST /webhooks`, `GET /webhooks` | one URL for both: the platform is told by the signature header present |
//! | `GET /healthz` | `ok` |
//!
//! Answers: 200 `{"stored": n, "duplicates": m}` (a redelivery is a 200 too, so the
//! platform stops retrying), 401 forged/unsigned/replayed, 400 malformed, 413 over
//! [`MAX_BODY`], 404 platform not configured, 500 when the database failed (the platform
//! retries). Error bodies are `{"error": code, "message": …}`, with no secret in them.
//! [`serve`] also runs the [`Processor`] until shutdown.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::intake::{Intake, WebhookSecrets, MAX_BODY};
use super::process::Processor;
use super::{verify, EventsError};
use crate::clock::SharedClock;
use crate::db::Database;
use crate::error::UserFacing;
use crate::platform::Platform;

/// How often the worker looks for events stored by another process.
pub const POLL_EVERY: Duration = Duration::from_secs(30);

/// The receiver's parts: the intake behind the routes and the processor behind it.
#[derive(Debug, Clone)]
pub struct ReceiverState {
    intake: Intake,
    processor: Processor,
}

impl ReceiverState {
    /// A receiver over the database with these secrets.
    pub fn new(db: Database, secrets: WebhookSecrets, clock: SharedClock) -> Self {
        Self {
            intake: Intake::new(db.clone(), secrets, clock.clone()),
            processor: Processor::new(db, clock),
        }
    }

    /// From parts built by the caller (e.g. an intake with another replay window).
    pub fn from_parts(intake: Intake, processor: Processor) -> Self {
        Self { intake, processor }
    }

    /// The intake.
    pub fn intake(&self) -> &Intake {
        &self.intake
    }

    /// The processor (subscribe to it for processed events).
    pub fn processor(&self) -> &Processor {
        &self.processor
    }
}

/// The receiver's routes, with the body limit.
pub fn router(state: ReceiverState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/webhooks/tiktok", axum::routing::post(tiktok))
        .route("/webhooks/instagram", get(handshake).post(instagram))
        .route("/webhooks", get(handshake).post(detect))
        // One byte over the limit is enough to tell an oversize body; the intake checks the
        // exact limit.
        .layer(DefaultBodyLimit::max(MAX_BODY + 1))
        .with_state(state)
}

/// Serves on `listener` and processes events until `shutdown` resolves; then stops
/// accepting, lets in-flight deliveries finish and stops the worker (events it did not
/// reach stay stored and are processed at the next start).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: ReceiverState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let worker = {
        let processor = state.processor.clone();
        let wakeup = state.intake.wakeup();
        tokio::spawn(async move {
            processor
                .run(wakeup, POLL_EVERY, async move {
                    let _ = stopped.wait_for(|s| *s).await;
                })
                .await;
        })
    };
    let result = axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await;
    let _ = stop.send(true);
    let _ = worker.await;
    result
}

fn refusal(e: &EventsError) -> Response {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let payload = e.to_payload();
    // The caller is a platform (or anyone on the network): internal failures are logged
    // by the intake, not described to it.
    let message = if status.is_server_error() {
        "the event could not be stored; retry later".to_owned()
    } else {
        payload.message
    };
    (
        status,
        Json(json!({"error": payload.code, "message": message})),
    )
        .into_response()
}

async fn receive(
    state: &ReceiverState,
    platform: Platform,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(rejection) => {
            let e = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                EventsError::TooLarge { limit: MAX_BODY }
            } else {
                EventsError::malformed(platform, "the body could not be read")
            };
            tracing::warn!(platform = %platform, status = e.http_status(), error_code = e.code(), "webhook refused");
            return refusal(&e);
        }
    };
    match state.intake.receive(platform, headers, &body).await {
        Ok(o) => (
            StatusCode::OK,
            Json(json!({"stored": o.stored, "duplicates": o.duplicates})),
        )
            .into_response(),
        Err(e) => refusal(&e),
    }
}

async fn tiktok(
    State(state): State<ReceiverState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    receive(&state, Platform::Tiktok, &headers, body).await
}

async fn instagram(
    State(state): State<ReceiverState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    receive(&state, Platform::Instagram, &headers, body).await
}

/// `POST /webhooks`: TikTok when `TikTok-Signature` is present, else Instagram (whose
/// intake refuses a delivery without `X-Hub-Signature-256`).
async fn detect(
    State(state): State<ReceiverState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let platform = if headers.contains_key(verify::TIKTOK_HEADER) {
        Platform::Tiktok
    } else {
        Platform::Instagram
    };
    receive(&state, platform, &headers, body).await
}

async fn handshake(
    State(state): State<ReceiverState>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| params.get(k).map(String::as_str);
    match state.intake.handshake(
        get("hub.mode"),
        get("hub.verify_token"),
        get("hub.challenge"),
    ) {
        Ok(challenge) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            challenge,
        )
            .into_response(),
        Err(e) => refusal(&e),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::Utc;
    use serde_json::Value;

    use super::*;
    use crate::clock::{Clock, ManualClock};
    use crate::events::verify::tests::{meta_header, tiktok_header};
    use crate::vault::SecretValue;

    const TT: &str = "tt-server-secret";
    const IG: &str = "ig-server-secret";

    struct Running {
        _dir: tempfile::TempDir,
        db: Database,
        base: String,
        clock: ManualClock,
        stop: tokio::sync::oneshot::Sender<()>,
        task: tokio::task::JoinHandle<std::io::Result<()>>,
        http: reqwest::Client,
    }

    async fn start() -> Running {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("t.db")).await.unwrap();
        let clock = ManualClock::new(Utc::now());
        let state = ReceiverState::new(
            db.clone(),
            WebhookSecrets {
                tiktok_client_secret: Some(SecretValue::new(TT)),
                instagram_app_secret: Some(SecretValue::new(IG)),
                instagram_verify_token: Some(SecretValue::new("verify-me")),
            },
            Arc::new(clock.clone()),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, state, async {
            let _ = stopped.await;
        }));
        Running {
            _dir: dir,
            db,
            base,
            clock,
            stop,
            task,
            http: reqwest::Client::new(),
        }
    }

    impl Running {
        async fn post(
            &self,
            path: &str,
            header: Option<(&str, String)>,
            body: Vec<u8>,
        ) -> (u16, Value) {
            let mut req = self.http.post(format!("{}{path}", self.base)).body(body);
            if let Some((k, v)) = header {
                req = req.header(k, v);
            }
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap();
            (
                status,
                serde_json::from_str(&text).unwrap_or(Value::String(text)),
            )
        }

        async fn stop(self) {
            self.stop.send(()).unwrap();
            self.task.await.unwrap().unwrap();
        }
    }

    fn tiktok_body(publish_id: &str) -> String {
        json!({"client_key": "ck", "event": "post.publish.complete", "create_time": 1,
               "user_openid": "oid", "content": json!({"publish_id": publish_id}).to_string()})
        .to_string()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn each_kind_of_delivery_gets_its_status() {
        let r = start().await;
        let now = r.clock.now().timestamp();
        let body = tiktok_body("p1");
        let signed =
            |t: i64, body: &str| Some(("TikTok-Signature", tiktok_header(TT, t, body.as_bytes())));

        let (s, v) = r
            .post(
                "/webhooks/tiktok",
                signed(now, &body),
                body.clone().into_bytes(),
            )
            .await;
        assert_eq!(
            (s, v["stored"].as_u64(), v["duplicates"].as_u64()),
            (200, Some(1), Some(0))
        );
        let (s, v) = r
            .post(
                "/webhooks/tiktok",
                signed(now, &body),
                body.clone().into_bytes(),
            )
            .await;
        assert_eq!(
            (s, v["duplicates"].as_u64()),
            (200, Some(1)),
            "a redelivery is accepted"
        );

        let (s, v) = r
            .post(
                "/webhooks/tiktok",
                Some((
                    "TikTok-Signature",
                    tiktok_header("forged", now, body.as_bytes()),
                )),
                body.clone().into_bytes(),
            )
            .await;
        assert_eq!(
            (s, v["error"].as_str()),
            (401, Some("events.signature_invalid"))
        );
        let (s, _) = r
            .post("/webhooks/tiktok", None, body.clone().into_bytes())
            .await;
        assert_eq!(s, 401);
        let (s, v) = r
            .post(
                "/webhooks/tiktok",
                signed(now - 600, &body),
                body.clone().into_bytes(),
            )
            .await;
        assert_eq!((s, v["error"].as_str()), (401, Some("events.replayed")));

        let junk = "{\"event\":\"x\"}";
        let (s, v) = r
            .post("/webhooks/tiktok", signed(now, junk), junk.into())
            .await;
        assert_eq!((s, v["error"].as_str()), (400, Some("events.malformed")));

        let huge = vec![b'x'; MAX_BODY + 10];
        let (s, v) = r
            .post(
                "/webhooks/tiktok",
                Some(("TikTok-Signature", tiktok_header(TT, now, &huge))),
                huge,
            )
            .await;
        assert_eq!((s, v["error"].as_str()), (413, Some("events.too_large")));

        let ig = json!({"object": "instagram", "entry": [{"id": "178", "time": now, "changes": [
            {"field": "comments", "value": {"id": "c1", "text": "hi", "media": {"id": "m1"}}}]}]})
        .to_string();
        let (s, v) = r
            .post(
                "/webhooks/instagram",
                Some(("X-Hub-Signature-256", meta_header(IG, ig.as_bytes()))),
                ig.clone().into_bytes(),
            )
            .await;
        assert_eq!((s, v["stored"].as_u64()), (200, Some(1)));
        let (s, _) = r
            .post(
                "/webhooks/instagram",
                Some(("X-Hub-Signature-256", meta_header(TT, ig.as_bytes()))),
                ig.clone().into_bytes(),
            )
            .await;
        assert_eq!(s, 401);
        // The shared URL tells the platforms apart by their signature header.
        let body2 = tiktok_body("p2");
        let (s, v) = r
            .post("/webhooks", signed(now, &body2), body2.clone().into_bytes())
            .await;
        assert_eq!((s, v["stored"].as_u64()), (200, Some(1)));
        let (s, v) = r
            .post(
                "/webhooks",
                Some(("X-Hub-Signature-256", meta_header(IG, ig.as_bytes()))),
                ig.into_bytes(),
            )
            .await;
        assert_eq!((s, v["duplicates"].as_u64()), (200, Some(1)));

        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM platform_events")
            .fetch_one(r.db.pool())
            .await
            .unwrap();
        assert_eq!(stored, 3);
        // The worker processes them (no job or media matches: processed with a note).
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let left: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM platform_events WHERE processed_at IS NULL",
            )
            .fetch_one(r.db.pool())
            .await
            .unwrap();
            if left == 0 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{left} events left unprocessed"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        r.stop().await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_database_failure_is_a_500_without_details() {
        let r = start().await;
        r.db.clone().close().await;
        let now = r.clock.now().timestamp();
        let body = tiktok_body("p1");
        let header = tiktok_header(TT, now, body.as_bytes());
        let (s, v) = r
            .post(
                "/webhooks/tiktok",
                Some(("TikTok-Signature", header)),
                body.into_bytes(),
            )
            .await;
        assert_eq!(s, 500, "{v}");
        assert_eq!(v["message"], "the event could not be stored; retry later");
        r.stop().await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_meta_handshake_echoes_the_challenge() {
        let r = start().await;
        for path in ["/webhooks/instagram", "/webhooks"] {
            let resp = r
                .http
                .get(format!("{}{path}", r.base))
                .query(&[
                    ("hub.mode", "subscribe"),
                    ("hub.challenge", "1158201444"),
                    ("hub.verify_token", "verify-me"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status().as_u16(), 200);
            assert!(resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain"));
            assert_eq!(resp.text().await.unwrap(), "1158201444");
        }
        let wrong = r
            .http
            .get(format!("{}/webhooks/instagram", r.base))
            .query(&[
                ("hub.mode", "subscribe"),
                ("hub.challenge", "1"),
                ("hub.verify_token", "nope"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status().as_u16(), 403);
        let body = wrong.text().await.unwrap();
        assert!(!body.contains("verify-me"));
        let missing = r
            .http
            .get(format!(
                "{}/webhooks/instagram?hub.mode=subscribe&hub.verify_token=verify-me",
                r.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status().as_u16(), 400);
        let health = r
            .http
            .get(format!("{}/healthz", r.base))
            .send()
            .await
            .unwrap();
        assert_eq!(health.text().await.unwrap(), "ok");
        r.stop().await;
    }
}
