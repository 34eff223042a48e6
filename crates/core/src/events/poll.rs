//! The polling fallback's way into the same pipeline: without a relay, the publish worker
//! (TikTok's status fetch) and the sync (Instagram's comment listing) see the same facts a
//! webhook would carry. These constructors turn such observations into [`NewEvent`]s that
//! the [`Processor`](super::Processor) applies exactly like webhooks, and [`record`] stores
//! them (`outpost_events_received_total{source="poll"}`).
//!
//! Ids are chosen so that sources dedupe against each other: a polled comment has the id a
//! webhook for it has (`comment:<id>`); a polled publish status is `poll:<publish id>:<event>`,
//! seen once however often it is polled (and a webhook for the same transition is harmless:
//! the job is already in that state, so it is kept with a note).

use serde_json::{json, Value};
use tokio::sync::Notify;

use super::{intake, NewEvent};
use crate::clock::SharedClock;
use crate::db::{Database, DbError};
use crate::platform::Platform;
use crate::telemetry::metrics as m;

/// A TikTok publish status worth an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishStatus {
    /// `PUBLISH_COMPLETE`, with the public post id once TikTok gives it.
    Complete {
        /// `publicaly_available_post_id[0]` (sic), when present.
        post_id: Option<String>,
    },
    /// `SEND_TO_USER_INBOX`: the draft is in the creator's inbox.
    InboxDelivered,
    /// `FAILED`, with `fail_reason`.
    Failed {
        /// TikTok's `fail_reason`.
        reason: String,
    },
}

fn tiktok_event(open_id: &str, publish_id: &str, event: &str, content: Value, at: i64) -> NewEvent {
    NewEvent {
        platform: Platform::Tiktok,
        event_id: format!("poll:{publish_id}:{event}"),
        kind: event.to_owned(),
        platform_user_id: Some(open_id.to_owned()),
        payload: json!({
            "source": "poll",
            "event": event,
            "create_time": at,
            "user_openid": open_id,
            "content": content.to_string(),
        }),
    }
}

/// The events a polled TikTok publish status stands for (a completed post with its public
/// id is two: complete, then publicly available), shaped like TikTok's webhooks.
pub fn tiktok_publish_status(
    open_id: &str,
    publish_id: &str,
    status: &PublishStatus,
    observed_at_secs: i64,
) -> Vec<NewEvent> {
    let at = observed_at_secs;
    match status {
        PublishStatus::Complete { post_id } => {
            let mut out = vec![tiktok_event(
                open_id,
                publish_id,
                "post.publish.complete",
                json!({"publish_id": publish_id}),
                at,
            )];
            if let Some(post_id) = post_id {
                out.push(tiktok_event(
                    open_id,
                    publish_id,
                    "post.publish.publicly_available",
                    json!({"publish_id": publish_id, "post_id": post_id}),
                    at,
                ));
            }
            out
        }
        PublishStatus::InboxDelivered => vec![tiktok_event(
            open_id,
            publish_id,
            "post.publish.inbox_delivered",
            json!({"publish_id": publish_id, "publish_type": "INBOX_SHARE"}),
            at,
        )],
        PublishStatus::Failed { reason } => vec![tiktok_event(
            open_id,
            publish_id,
            "post.publish.failed",
            json!({"publish_id": publish_id, "reason": reason}),
            at,
        )],
    }
}

/// A polled Instagram comment, shaped (and identified) like the `comments` webhook change.
pub fn instagram_comment(
    account_user_id: &str,
    media_id: &str,
    comment_id: &str,
    text: Option<&str>,
    username: Option<&str>,
    time_secs: i64,
) -> NewEvent {
    NewEvent {
        platform: Platform::Instagram,
        event_id: format!("comment:{comment_id}"),
        kind: "comments".into(),
        platform_user_id: Some(account_user_id.to_owned()),
        payload: json!({
            "object": "instagram",
            "source": "poll",
            "entry_id": account_user_id,
            "time": time_secs,
            "field": "comments",
            "value": {"id": comment_id, "text": text, "from": {"username": username},
                      "media": {"id": media_id}},
        }),
    }
}

/// Stores polled events (new ones only) and wakes the processor when given. Returns how
/// many were new.
pub async fn record(
    db: &Database,
    clock: &SharedClock,
    events: &[NewEvent],
    wakeup: Option<&Notify>,
) -> Result<usize, DbError> {
    let flags = intake::store_each(db, events, clock.now_millis()).await?;
    let mut stored = 0;
    for (e, new) in events.iter().zip(flags) {
        if new {
            stored += 1;
            m::event_received(e.platform, "poll");
        }
    }
    if stored > 0 {
        if let Some(w) = wakeup {
            w.notify_one();
        }
    }
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::clock::ManualClock;
    use crate::db::accounts::AccountProfile;
    use crate::events::{parse, Outcome, Processor};

    async fn setup() -> (tempfile::TempDir, Database, SharedClock, i64, i64) {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("t.db")).await.unwrap();
        let clock: SharedClock = Arc::new(ManualClock::new(
            Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
        ));
        let profile = |platform, id: &str| AccountProfile {
            platform,
            platform_user_id: id.into(),
            username: None,
            display_name: None,
            avatar_url: None,
        };
        let tiktok = db
            .accounts()
            .upsert(&profile(Platform::Tiktok, "oid"), 1)
            .await
            .unwrap();
        let instagram = db
            .accounts()
            .upsert(&profile(Platform::Instagram, "178"), 1)
            .await
            .unwrap();
        (dir, db, clock, tiktok, instagram)
    }

    #[tokio::test]
    async fn a_polled_publish_status_moves_the_job_once() {
        let (_d, db, clock, tiktok, _) = setup().await;
        let job: i64 = sqlx::query_scalar(
            "INSERT INTO jobs (account_id, content_hash, source_path, state, platform_publish_id, created_at, updated_at) \
             VALUES (?1, 'h', '/v.mp4', 'publishing', 'pub-1', 1, 1) RETURNING id",
        )
        .bind(tiktok)
        .fetch_one(db.pool())
        .await
        .unwrap();
        let status = PublishStatus::Complete {
            post_id: Some("7301".into()),
        };
        let events = tiktok_publish_status("oid", "pub-1", &status, 1_700_000_000);
        assert_eq!(record(&db, &clock, &events, None).await.unwrap(), 2);
        // Polled again: nothing new.
        let again = tiktok_publish_status("oid", "pub-1", &status, 1_700_000_060);
        assert_eq!(record(&db, &clock, &again, None).await.unwrap(), 0);
        let report = Processor::new(db.clone(), clock.clone())
            .process_pending()
            .await
            .unwrap();
        let outcomes: Vec<Outcome> = report.processed.iter().map(|p| p.outcome).collect();
        assert_eq!(outcomes, [Outcome::Applied, Outcome::Applied]);
        let (state, post): (String, Option<String>) =
            sqlx::query_as("SELECT state, platform_media_id FROM jobs WHERE id = ?1")
                .bind(job)
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(
            (state.as_str(), post.as_deref()),
            ("published", Some("7301"))
        );

        let failed = tiktok_publish_status(
            "oid",
            "pub-2",
            &PublishStatus::Failed {
                reason: "internal".into(),
            },
            1,
        );
        assert_eq!(failed[0].kind, "post.publish.failed");
        assert_eq!(
            parse::tiktok_content(&failed[0].payload).unwrap()["reason"],
            "internal"
        );
    }

    #[tokio::test]
    async fn a_polled_comment_and_its_webhook_are_one_event() {
        let (_d, db, clock, _, instagram) = setup().await;
        sqlx::query("INSERT INTO media (account_id, platform_media_id) VALUES (?1, 'm1')")
            .bind(instagram)
            .execute(db.pool())
            .await
            .unwrap();
        let polled = instagram_comment("178", "m1", "c1", Some("hi"), Some("fan"), 1_755_779_280);
        assert_eq!(record(&db, &clock, &[polled], None).await.unwrap(), 1);
        let webhook = json!({"object": "instagram", "entry": [{"id": "178", "time": 1_755_779_280,
            "changes": [{"field": "comments", "value": {"id": "c1", "text": "hi",
            "from": {"id": "9", "username": "fan"}, "media": {"id": "m1"}}}]}]})
        .to_string();
        let events = parse::instagram(webhook.as_bytes()).unwrap();
        assert_eq!(intake::store(&db, &events, 2).await.unwrap(), 0);
        let report = Processor::new(db.clone(), clock)
            .process_pending()
            .await
            .unwrap();
        assert_eq!(report.processed.len(), 1);
        assert_eq!(report.processed[0].outcome, Outcome::Applied);
        let author: Option<String> =
            sqlx::query_scalar("SELECT author FROM comments WHERE platform_comment_id = 'c1'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(author.as_deref(), Some("fan"));
    }
}
