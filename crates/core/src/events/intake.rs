//! The door: [`Intake::receive`] takes `(platform, headers, raw body)`, and either stores
//! the events it carries (deduplicated by `(platform, event id)`) or refuses the delivery
//! with an [`EventsError`] that says which HTTP status to answer. Nothing is processed
//! here: the processor is woken and the platform gets its answer at once.
//!
//! Secrets come in as [`SecretValue`]s ([`WebhookSecrets::resolve`] reads them from the
//! configuration and the vault) and never reach a log line: refusals are logged with the
//! platform, the error code and the body length only.

use std::sync::Arc;

use axum::http::HeaderMap;
use serde::Serialize;
use tokio::sync::Notify;

use super::{parse, verify, EventsError, NewEvent};
use crate::clock::SharedClock;
use crate::config::Config;
use crate::db::{Database, DbError};
use crate::error::UserFacing;
use crate::oauth::credentials;
use crate::platform::Platform;
use crate::telemetry::metrics as m;
use crate::vault::{SecretValue, Vault, VaultError};

/// Largest webhook body accepted (1 MiB; real deliveries are a few KiB).
pub const MAX_BODY: usize = 1024 * 1024;

/// What verifies deliveries: TikTok's client secret, Instagram's app secret, and the
/// verify token configured for Meta's subscription handshake.
#[derive(Debug, Clone, Default)]
pub struct WebhookSecrets {
    /// Key of `TikTok-Signature`.
    pub tiktok_client_secret: Option<SecretValue>,
    /// Key of `X-Hub-Signature-256` (the Instagram app secret for Instagram Login apps).
    pub instagram_app_secret: Option<SecretValue>,
    /// The `hub.verify_token` expected in Meta's handshake.
    pub instagram_verify_token: Option<SecretValue>,
}

impl WebhookSecrets {
    /// The configured client secrets (environment, config or vault, as for connecting),
    /// plus the verify token chosen by the creator.
    pub async fn resolve(
        config: &Config,
        vault: &Vault,
        instagram_verify_token: Option<SecretValue>,
    ) -> Result<WebhookSecrets, VaultError> {
        let secret =
            |c: Option<crate::platforms::ClientCredentials>| c.and_then(|c| c.client_secret);
        Ok(WebhookSecrets {
            tiktok_client_secret: secret(
                credentials::resolve(config, vault, Platform::Tiktok).await?,
            ),
            instagram_app_secret: secret(
                credentials::resolve(config, vault, Platform::Instagram).await?,
            ),
            instagram_verify_token,
        })
    }

    /// Platforms whose deliveries can be verified.
    pub fn platforms(&self) -> Vec<Platform> {
        let mut out = Vec::new();
        if self.tiktok_client_secret.is_some() {
            out.push(Platform::Tiktok);
        }
        if self.instagram_app_secret.is_some() {
            out.push(Platform::Instagram);
        }
        out
    }
}

/// What an accepted delivery added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntakeOutcome {
    /// Platform.
    pub platform: Platform,
    /// Events stored now (to be processed).
    pub stored: usize,
    /// Events already known (a redelivery: accepted, not processed again).
    pub duplicates: usize,
}

/// Verifies and stores deliveries.
#[derive(Debug, Clone)]
pub struct Intake {
    db: Database,
    secrets: Arc<WebhookSecrets>,
    clock: SharedClock,
    replay_window_secs: i64,
    wakeup: Arc<Notify>,
}

impl Intake {
    /// An intake over the database, with the default replay window.
    pub fn new(db: Database, secrets: WebhookSecrets, clock: SharedClock) -> Self {
        Self {
            db,
            secrets: Arc::new(secrets),
            clock,
            replay_window_secs: verify::REPLAY_WINDOW_SECS,
            wakeup: Arc::new(Notify::new()),
        }
    }

    /// Another replay window (seconds either side of now).
    pub fn with_replay_window(mut self, secs: i64) -> Self {
        self.replay_window_secs = secs;
        self
    }

    /// Notified after each delivery that stored something (the processor waits on it).
    pub fn wakeup(&self) -> Arc<Notify> {
        self.wakeup.clone()
    }

    /// The secrets in use.
    pub fn secrets(&self) -> &WebhookSecrets {
        &self.secrets
    }

    /// Verifies one delivery and stores its events. `Ok` means "answer 200" (also for a
    /// redelivery); every `Err` carries its status ([`EventsError::http_status`]).
    pub async fn receive(
        &self,
        platform: Platform,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<IntakeOutcome, EventsError> {
        let result = self.receive_inner(platform, headers, body).await;
        match &result {
            Ok(o) => tracing::info!(
                platform = %platform,
                stored = o.stored,
                duplicates = o.duplicates,
                body_len = body.len(),
                "webhook accepted"
            ),
            Err(e) => tracing::warn!(
                platform = %platform,
                status = e.http_status(),
                error_code = e.code(),
                error = %e,
                body_len = body.len(),
                "webhook refused"
            ),
        }
        result
    }

    async fn receive_inner(
        &self,
        platform: Platform,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<IntakeOutcome, EventsError> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let events = match platform {
            Platform::Reddit => return Err(EventsError::Unsupported { platform }),
            Platform::Tiktok => {
                let secret = self
                    .secrets
                    .tiktok_client_secret
                    .as_ref()
                    .ok_or(EventsError::NotConfigured { platform })?;
                check_size(body)?;
                let now = self.clock.now().timestamp();
                verify::verify_tiktok(
                    header(verify::TIKTOK_HEADER),
                    body,
                    secret,
                    now,
                    self.replay_window_secs,
                )?;
                parse::tiktok(body)?
            }
            Platform::Instagram => {
                let secret = self
                    .secrets
                    .instagram_app_secret
                    .as_ref()
                    .ok_or(EventsError::NotConfigured { platform })?;
                check_size(body)?;
                verify::verify_meta(platform, header(verify::META_HEADER), body, secret)?;
                parse::instagram(body)?
            }
        };
        let stored = store(&self.db, &events, self.clock.now_millis()).await?;
        for _ in 0..stored {
            m::event_received(platform, "webhook");
        }
        if stored > 0 {
            self.wakeup.notify_one();
        }
        Ok(IntakeOutcome {
            platform,
            stored,
            duplicates: events.len() - stored,
        })
    }

    /// Meta's GET handshake: the challenge to echo, or a refusal (403/400/404).
    pub fn handshake(
        &self,
        mode: Option<&str>,
        verify_token: Option<&str>,
        challenge: Option<&str>,
    ) -> Result<String, EventsError> {
        let expected =
            self.secrets
                .instagram_verify_token
                .as_ref()
                .ok_or(EventsError::NotConfigured {
                    platform: Platform::Instagram,
                });
        let result = expected.and_then(|e| verify::handshake(mode, verify_token, challenge, e));
        match &result {
            Ok(_) => tracing::info!(platform = "instagram", "webhook subscription verified"),
            Err(e) => tracing::warn!(
                platform = "instagram",
                status = e.http_status(),
                error_code = e.code(),
                "webhook subscription handshake refused"
            ),
        }
        result
    }
}

fn check_size(body: &[u8]) -> Result<(), EventsError> {
    if body.len() > MAX_BODY {
        return Err(EventsError::TooLarge { limit: MAX_BODY });
    }
    Ok(())
}

/// Stores events that are new, in one transaction (a delivery is kept whole or not at
/// all); events already stored are left untouched. Returns how many were new. The account
/// is linked when its platform user id is known.
pub async fn store(db: &Database, events: &[NewEvent], received_at: i64) -> Result<usize, DbError> {
    Ok(store_each(db, events, received_at)
        .await?
        .into_iter()
        .filter(|new| *new)
        .count())
}

/// [`store`], telling for each event whether it was new.
pub async fn store_each(
    db: &Database,
    events: &[NewEvent],
    received_at: i64,
) -> Result<Vec<bool>, DbError> {
    let mut tx = db.begin_write().await?;
    let mut stored = Vec::with_capacity(events.len());
    for e in events {
        let done = sqlx::query(
            "INSERT INTO platform_events (platform, event_id, kind, account_id, payload_json, received_at) \
             VALUES (?1, ?2, ?3, \
                     (SELECT id FROM accounts WHERE platform = ?1 AND platform_user_id = ?4), ?5, ?6) \
             ON CONFLICT (platform, event_id) DO NOTHING",
        )
        .bind(e.platform.as_str())
        .bind(&e.event_id)
        .bind(&e.kind)
        .bind(&e.platform_user_id)
        .bind(e.payload.to_string())
        .bind(received_at)
        .execute(&mut *tx)
        .await?;
        stored.push(done.rows_affected() == 1);
    }
    tx.commit().await?;
    Ok(stored)
}

#[cfg(test)]
mod tests {

    use chrono::{TimeZone, Utc};
    use serde_json::json;

    use super::*;
    use crate::clock::ManualClock;
    use crate::events::verify::tests::{meta_header, tiktok_header};

    const TT_SECRET: &str = "tt-secret-for-tests";
    const IG_SECRET: &str = "ig-secret-for-tests";

    async fn setup() -> (tempfile::TempDir, Database, ManualClock, Intake) {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("t.db")).await.unwrap();
        let clock = ManualClock::new(Utc.timestamp_opt(1_700_000_000, 0).unwrap());
        let intake = Intake::new(
            db.clone(),
            WebhookSecrets {
                tiktok_client_secret: Some(SecretValue::new(TT_SECRET)),
                instagram_app_secret: Some(SecretValue::new(IG_SECRET)),
                instagram_verify_token: Some(SecretValue::new("vt-for-tests-123")),
            },
            Arc::new(clock.clone()),
        );
        (dir, db, clock, intake)
    }

    fn tiktok_body(event: &str, content: serde_json::Value) -> String {
        json!({"client_key": "ck", "event": event, "create_time": 1_700_000_000,
               "user_openid": "oid", "content": content.to_string()})
        .to_string()
    }

    fn headers(name: &str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
        h
    }

    async fn count(db: &Database) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM platform_events")
            .fetch_one(db.pool())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_signed_tiktok_event_is_stored_once_and_redeliveries_are_duplicates() {
        let (_d, db, clock, intake) = setup().await;
        let body = tiktok_body("post.publish.complete", json!({"publish_id": "p1"}));
        let h = headers(
            "TikTok-Signature",
            &tiktok_header(TT_SECRET, 1_700_000_000, body.as_bytes()),
        );
        let first = intake
            .receive(Platform::Tiktok, &h, body.as_bytes())
            .await
            .unwrap();
        assert_eq!((first.stored, first.duplicates), (1, 0));
        // TikTok retries later with a fresh signature timestamp: same event.
        clock.advance(chrono::Duration::seconds(120));
        let h2 = headers(
            "TikTok-Signature",
            &tiktok_header(TT_SECRET, 1_700_000_120, body.as_bytes()),
        );
        let again = intake
            .receive(Platform::Tiktok, &h2, body.as_bytes())
            .await
            .unwrap();
        assert_eq!((again.stored, again.duplicates), (0, 1));
        assert_eq!(count(&db).await, 1);
        let (kind, processed): (String, Option<i64>) =
            sqlx::query_as("SELECT kind, processed_at FROM platform_events")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(kind, "post.publish.complete");
        assert_eq!(processed, None);
    }

    #[tokio::test]
    async fn the_account_is_linked_when_known() {
        let (_d, db, _clock, intake) = setup().await;
        let account = db
            .accounts()
            .upsert(
                &crate::db::accounts::AccountProfile {
                    platform: Platform::Tiktok,
                    platform_user_id: "oid".into(),
                    username: None,
                    display_name: None,
                    avatar_url: None,
                },
                1,
            )
            .await
            .unwrap();
        let body = tiktok_body("authorization.removed", json!({"reason": 1}));
        let h = headers(
            "TikTok-Signature",
            &tiktok_header(TT_SECRET, 1_700_000_000, body.as_bytes()),
        );
        intake
            .receive(Platform::Tiktok, &h, body.as_bytes())
            .await
            .unwrap();
        let linked: Option<i64> = sqlx::query_scalar("SELECT account_id FROM platform_events")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(linked, Some(account));
    }

    #[tokio::test]
    async fn forged_replayed_malformed_and_oversize_deliveries_are_refused_and_not_stored() {
        let (_d, db, _clock, intake) = setup().await;
        let body = tiktok_body("post.publish.complete", json!({"publish_id": "p1"}));
        let status = |r: Result<IntakeOutcome, EventsError>| r.unwrap_err().http_status();

        let forged = headers(
            "TikTok-Signature",
            &tiktok_header("wrong", 1_700_000_000, body.as_bytes()),
        );
        assert_eq!(
            status(
                intake
                    .receive(Platform::Tiktok, &forged, body.as_bytes())
                    .await
            ),
            401
        );
        assert_eq!(
            status(
                intake
                    .receive(Platform::Tiktok, &HeaderMap::new(), body.as_bytes())
                    .await
            ),
            401
        );

        let old = headers(
            "TikTok-Signature",
            &tiktok_header(TT_SECRET, 1_700_000_000 - 301, body.as_bytes()),
        );
        let err = intake
            .receive(Platform::Tiktok, &old, body.as_bytes())
            .await
            .unwrap_err();
        assert!(
            matches!(err, EventsError::Replayed { skew_secs: 301, .. }),
            "{err}"
        );

        let garbage = b"{\"event\": 1}";
        let signed = headers(
            "TikTok-Signature",
            &tiktok_header(TT_SECRET, 1_700_000_000, garbage),
        );
        assert_eq!(
            status(intake.receive(Platform::Tiktok, &signed, garbage).await),
            400
        );

        let huge = vec![b' '; MAX_BODY + 1];
        let signed = headers(
            "TikTok-Signature",
            &tiktok_header(TT_SECRET, 1_700_000_000, &huge),
        );
        assert_eq!(
            status(intake.receive(Platform::Tiktok, &signed, &huge).await),
            413
        );

        let ig = json!({"object": "instagram", "entry": [{"id": "1", "time": 1, "changes": [
            {"field": "comments", "value": {"id": "c", "media": {"id": "m"}}}]}]})
        .to_string();
        let forged = headers("X-Hub-Signature-256", &meta_header("wrong", ig.as_bytes()));
        assert_eq!(
            status(
                intake
                    .receive(Platform::Instagram, &forged, ig.as_bytes())
                    .await
            ),
            401
        );
        // Signed with the TikTok scheme on the Instagram route: no Meta signature.
        assert_eq!(
            status(
                intake
                    .receive(Platform::Instagram, &old, ig.as_bytes())
                    .await
            ),
            401
        );

        assert_eq!(
            status(
                intake
                    .receive(Platform::Reddit, &HeaderMap::new(), b"{}")
                    .await
            ),
            404
        );
        assert_eq!(count(&db).await, 0);
    }

    #[tokio::test]
    async fn an_unconfigured_platform_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("t.db")).await.unwrap();
        let intake = Intake::new(db, WebhookSecrets::default(), crate::clock::system());
        let err = intake
            .receive(Platform::Instagram, &HeaderMap::new(), b"{}")
            .await
            .unwrap_err();
        assert!(matches!(err, EventsError::NotConfigured { .. }));
        assert!(matches!(
            intake.handshake(Some("subscribe"), Some("x"), Some("1")),
            Err(EventsError::NotConfigured { .. })
        ));
    }

    #[tokio::test]
    async fn an_instagram_delivery_with_several_changes_is_stored_whole() {
        let (_d, db, _clock, intake) = setup().await;
        let ig = json!({"object": "instagram", "entry": [{"id": "1", "time": 1, "changes": [
            {"field": "comments", "value": {"id": "c1", "media": {"id": "m"}}},
            {"field": "comments", "value": {"id": "c2", "media": {"id": "m"}}}]}]})
        .to_string();
        let h = headers(
            "X-Hub-Signature-256",
            &meta_header(IG_SECRET, ig.as_bytes()),
        );
        let o = intake
            .receive(Platform::Instagram, &h, ig.as_bytes())
            .await
            .unwrap();
        assert_eq!((o.stored, o.duplicates), (2, 0));
        let o = intake
            .receive(Platform::Instagram, &h, ig.as_bytes())
            .await
            .unwrap();
        assert_eq!((o.stored, o.duplicates), (0, 2));
        assert_eq!(count(&db).await, 2);
    }
}
