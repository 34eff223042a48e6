//! Platform events end to end: the sandbox sends its real signed webhooks to the receiver
//! (`outpost_core::events::serve`) and the database reflects them — a TikTok publish that
//! completes and one that fails update their jobs, an Instagram comment on a known media is
//! stored, a TikTok revoke marks the account `needs_reconnect` (and is announced on the
//! connector's account events); Meta's handshake passes; a redelivery is accepted but not
//! applied twice; replayed, forged and tampered deliveries are refused. Both clocks are
//! moved together; every wait is a bounded poll.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use outpost_core::clock::{ManualClock, SharedClock};
use outpost_core::db::accounts::AccountStatus;
use outpost_core::db::Database;
use outpost_core::events::{self, Intake, Processor, ReceiverState, WebhookSecrets};
use outpost_core::oauth::{AccountEvent, Connector};
use outpost_core::telemetry::metrics;
use outpost_core::vault::SecretValue;
use outpost_core::Platform;
use outpost_sandbox::config as sc;
use outpost_sandbox::{Platform as SP, Sandbox, SandboxConfig};
use serde_json::{json, Value};

mod support;

const VERIFY_TOKEN: &str = "e2e-verify-token";

/// Polls `probe` every 20 ms until it returns `Some`, for at most 15 s.
async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

struct World {
    sandbox: Sandbox,
    connector: Connector,
    db: Database,
    manual: ManualClock,
    receiver: String,
    tiktok: i64,
    instagram: i64,
    http: reqwest::Client,
    stop: tokio::sync::oneshot::Sender<()>,
    served: tokio::task::JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

impl World {
    /// Moves sandbox time and Outpost's clock forward together; the sandbox delivers the
    /// webhooks that became due before this returns.
    async fn advance(&self, secs: u64) {
        self.manual
            .advance(chrono::Duration::seconds(i64::try_from(secs).unwrap()));
        self.sandbox.advance_clock(Duration::from_secs(secs)).await;
    }

    async fn post(&self, path: &str, header: (&str, &str), body: &str) -> (u16, Value) {
        let resp = self
            .http
            .post(format!("{}{path}", self.receiver))
            .header(header.0, header.1)
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Starts a TikTok direct post pulled from a verified URL; returns its publish id.
    async fn tiktok_publish(&self, name: &str) -> String {
        let token = self.connector.access_token(self.tiktok).await.unwrap();
        let resp: Value = self
            .http
            .post(format!(
                "{}/v2/post/publish/video/init/",
                self.sandbox.base_url(SP::TikTok)
            ))
            .bearer_auth(token.expose())
            .json(&json!({
                "post_info": {"title": name, "privacy_level": "PUBLIC_TO_EVERYONE"},
                "source_info": {"source": "PULL_FROM_URL",
                                "video_url": format!("https://media.outpost.example/{name}.mp4")},
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        resp["data"]["publish_id"]
            .as_str()
            .unwrap_or_else(|| panic!("{resp}"))
            .to_owned()
    }

    async fn job(&self, publish_id: &str) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO jobs (account_id, content_hash, source_path, state, platform_publish_id, created_at, updated_at) \
             VALUES (?1, ?2, '/videos/e2e.mp4', 'publishing', ?2, 1, 1) RETURNING id",
        )
        .bind(self.tiktok)
        .bind(publish_id)
        .fetch_one(self.db.pool())
        .await
        .unwrap()
    }

    async fn job_row(&self, id: i64) -> (String, Option<String>, Option<String>) {
        sqlx::query_as("SELECT state, last_error, platform_media_id FROM jobs WHERE id = ?1")
            .bind(id)
            .fetch_one(self.db.pool())
            .await
            .unwrap()
    }
}

async fn world() -> World {
    metrics::install();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let receiver = format!("http://{}", listener.local_addr().unwrap());
    let sandbox = Sandbox::start(SandboxConfig {
        frozen_clock: true,
        webhook_url: Some(format!("{receiver}/webhooks/tiktok")),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let manual = ManualClock::new(Utc.timestamp_opt(sandbox.now(), 0).unwrap());
    let clock: SharedClock = Arc::new(manual.clone());
    let support::Engine {
        config,
        db,
        connector,
    } = support::engine(dir.path(), support::sandbox_env(&sandbox), clock.clone()).await;
    let secrets = WebhookSecrets::resolve(
        &config,
        connector.vault(),
        Some(SecretValue::new(VERIFY_TOKEN)),
    )
    .await
    .unwrap();
    assert_eq!(secrets.platforms(), [Platform::Tiktok, Platform::Instagram]);
    let mut ids = HashMap::new();
    for platform in [Platform::Tiktok, Platform::Instagram] {
        ids.insert(platform, support::connect(&connector, platform).await);
    }

    let state = ReceiverState::from_parts(
        Intake::new(db.clone(), secrets, clock.clone()),
        Processor::new(db.clone(), clock).with_connector(connector.clone()),
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(events::serve(listener, state, async {
        let _ = stopped.await;
    }));
    World {
        sandbox,
        connector,
        db,
        manual,
        receiver,
        tiktok: ids[&Platform::Tiktok],
        instagram: ids[&Platform::Instagram],
        http: reqwest::Client::new(),
        stop,
        served,
        _dir: dir,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sandbox_webhooks_update_jobs_comments_and_accounts() {
    let world = world().await;
    let w = &world;

    // 1. A TikTok publish completes: the job is published and gets its public post id.
    let ok_publish = w.tiktok_publish("e2e-ok").await;
    let ok_job = w.job(&ok_publish).await;
    w.advance(40).await;
    let (state, error, post_id) = eventually("the job to be published", || async move {
        let row = w.job_row(ok_job).await;
        (row.0 == "published" && row.2.is_some()).then_some(row)
    })
    .await;
    assert_eq!(state, "published");
    assert_eq!(error, None);
    assert!(!post_id.unwrap().is_empty());

    // 2. A TikTok publish fails: the job is failed with the platform's reason.
    w.sandbox.set_faults("publish_fail".parse().unwrap());
    let bad_publish = w.tiktok_publish("e2e-bad").await;
    let bad_job = w.job(&bad_publish).await;
    w.advance(10).await;
    let (_, error, _) = eventually("the job to fail", || async move {
        let row = w.job_row(bad_job).await;
        (row.0 == "failed").then_some(row)
    })
    .await;
    assert!(error.unwrap().contains("internal"));
    w.sandbox.set_faults(Default::default());

    // 3. A redelivery of the real signed webhook is accepted and not applied again.
    let sent = w.sandbox.inspect().webhooks;
    let complete = sent
        .iter()
        .find(|h| h.event == "post.publish.complete")
        .expect("the sandbox sent post.publish.complete")
        .clone();
    let header = (
        complete.signature_header.0.as_str(),
        complete.signature_header.1.as_str(),
    );
    let (status, body) = w.post("/webhooks/tiktok", header, &complete.body).await;
    assert_eq!((status, body["duplicates"].as_u64()), (200, Some(1)));
    let history: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM job_events WHERE job_id = ?1")
        .bind(ok_job)
        .fetch_one(w.db.pool())
        .await
        .unwrap();
    assert_eq!(history, 1, "the redelivery was applied again");

    // 4. Forged and tampered copies are refused.
    let tampered = complete
        .body
        .replace("post.publish.complete", "post.publish.failed");
    let (status, body) = w.post("/webhooks/tiktok", header, &tampered).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("events.signature_invalid"))
    );
    let forged =
        outpost_sandbox::webhook::tiktok_header("not-the-secret", w.sandbox.now(), &complete.body);
    let (status, _) = w
        .post(
            "/webhooks/tiktok",
            ("TikTok-Signature", &forged),
            &complete.body,
        )
        .await;
    assert_eq!(status, 401);
    let (status, body) = w
        .post(
            "/webhooks/tiktok",
            header,
            "{\"event\": \"post.publish.complete\"",
        )
        .await;
    assert_eq!(status, 401, "{body}"); // the signature covers the body: a 400 needs a valid one
    let malformed = "{\"event\": \"post.publish.complete\"}";
    let signed = outpost_sandbox::webhook::tiktok_header(
        sc::TIKTOK_CLIENT_SECRET,
        w.sandbox.now(),
        malformed,
    );
    let (status, body) = w
        .post("/webhooks/tiktok", ("TikTok-Signature", &signed), malformed)
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("events.malformed"))
    );

    // 5. Ten minutes later the same genuine delivery is a replay.
    w.advance(600).await;
    let (status, body) = w.post("/webhooks/tiktok", header, &complete.body).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("events.replayed"))
    );

    // 6. Meta's subscription handshake.
    w.sandbox
        .set_webhook_url(Some(format!("{}/webhooks/instagram", w.receiver)));
    assert!(w
        .sandbox
        .verify_instagram_webhook(VERIFY_TOKEN)
        .await
        .unwrap());
    assert!(!w.sandbox.verify_instagram_webhook("guess").await.unwrap());

    // 7. An Instagram comment on a media Outpost knows is stored; one on another is kept.
    let known = outpost_sandbox::det::digits(w.sandbox.seed(), "ig-media-0", 17);
    let other = outpost_sandbox::det::digits(w.sandbox.seed(), "ig-media-1", 17);
    let media: i64 = sqlx::query_scalar(
        "INSERT INTO media (account_id, platform_media_id, kind) VALUES (?1, ?2, 'CAROUSEL_ALBUM') RETURNING id",
    )
    .bind(w.instagram)
    .bind(&known)
    .fetch_one(w.db.pool())
    .await
    .unwrap();
    let comment = w
        .sandbox
        .emit_instagram_comment(&known, "love this one")
        .await
        .unwrap();
    let comment = comment.as_str();
    let (author, text): (Option<String>, Option<String>) =
        eventually("the comment to be stored", || async move {
            sqlx::query_as(
                "SELECT author, body FROM comments WHERE media_id = ?1 AND platform_comment_id = ?2",
            )
            .bind(media)
            .bind(comment)
            .fetch_optional(w.db.pool())
            .await
            .unwrap()
        })
        .await;
    assert_eq!(author.as_deref(), Some("sandbox_fan"));
    assert_eq!(text.as_deref(), Some("love this one"));
    let elsewhere = w
        .sandbox
        .emit_instagram_comment(&other, "first!")
        .await
        .unwrap();
    let elsewhere = format!("comment:{elsewhere}");
    let elsewhere = elsewhere.as_str();
    let (account, note): (Option<i64>, String) = eventually("the other comment to be processed", || async move {
        sqlx::query_as(
            "SELECT account_id, json_extract(payload_json, '$.outpost_result.note') FROM platform_events \
             WHERE platform = 'instagram' AND event_id = ?1 AND processed_at IS NOT NULL",
        )
        .bind(elsewhere)
        .fetch_optional(w.db.pool())
        .await
        .unwrap()
    })
    .await;
    assert_eq!(account, Some(w.instagram));
    assert!(note.contains("does not know"), "{note}");
    let comments: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments")
        .fetch_one(w.db.pool())
        .await
        .unwrap();
    assert_eq!(comments, 1);

    // 8. The app revokes the TikTok authorization: the account must be reconnected. The
    //    shared URL tells TikTok from Instagram by the signature header.
    w.sandbox
        .set_webhook_url(Some(format!("{}/webhooks", w.receiver)));
    let mut account_events = w.connector.subscribe();
    let token = w.connector.access_token(w.tiktok).await.unwrap();
    let revoked = w
        .http
        .post(format!(
            "{}/v2/oauth/revoke/",
            w.sandbox.base_url(SP::TikTok)
        ))
        .form(&[
            ("client_key", sc::TIKTOK_CLIENT_KEY),
            ("client_secret", sc::TIKTOK_CLIENT_SECRET),
            ("token", token.expose()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status().as_u16(), 200);
    let account = eventually("the account to need a reconnect", || async move {
        let a = w.db.accounts().get(w.tiktok).await.unwrap().unwrap();
        (a.status == AccountStatus::NeedsReconnect).then_some(a)
    })
    .await;
    assert!(
        account
            .status_reason
            .as_deref()
            .unwrap()
            .contains("developer revoked"),
        "{account:?}"
    );
    // … and the desktop shell hears about it on the connector's account events.
    let announced = tokio::time::timeout(Duration::from_secs(15), account_events.recv())
        .await
        .expect("an account event within 15 s")
        .unwrap();
    match announced {
        AccountEvent::NeedsReconnect {
            account_id,
            platform,
            reason,
        } => {
            assert_eq!((account_id, platform), (w.tiktok, Platform::Tiktok));
            assert!(reason.contains("developer revoked"), "{reason}");
        }
        other => panic!("unexpected account event {other:?}"),
    }
    let instagram = w.db.accounts().get(w.instagram).await.unwrap().unwrap();
    assert_eq!(instagram.status, AccountStatus::Active);

    // Every webhook the sandbox sent was answered 200, and all were processed.
    let sent = w.sandbox.inspect().webhooks;
    assert!(sent.len() >= 6, "{sent:?}");
    for h in &sent {
        assert_eq!(
            h.delivered_status,
            Some(200),
            "{} was not accepted",
            h.event
        );
    }
    let (total, unprocessed): (i64, i64) =
        eventually("every event to be processed", || async move {
            let counts: (i64, i64) = sqlx::query_as(
                "SELECT COUNT(*), COUNT(*) - COUNT(processed_at) FROM platform_events",
            )
            .fetch_one(w.db.pool())
            .await
            .unwrap();
            (counts.1 == 0).then_some(counts)
        })
        .await;
    assert_eq!(total, i64::try_from(sent.len()).unwrap());
    assert_eq!(unprocessed, 0);
    assert!(
        metrics::counter_value(
            "outpost_events_received_total",
            &[("platform", "tiktok"), ("source", "webhook")]
        ) >= 4
    );
    assert!(
        metrics::counter_value(
            "outpost_events_processed_total",
            &[("platform", "instagram"), ("outcome", "applied")]
        ) >= 1
    );

    let World {
        stop,
        served,
        sandbox,
        ..
    } = world;
    stop.send(()).unwrap();
    served.await.unwrap().unwrap();
    sandbox.shutdown().await;
}
