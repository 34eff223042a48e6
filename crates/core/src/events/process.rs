//! Applying stored events, off the request path. Each event is handled in one transaction
//! that first claims the row (`processed_at` set only if still unset) and then applies its
//! effect, so an event is applied exactly once even with two workers or a crash midway:
//!
//! | event | effect |
//! | --- | --- |
//! | TikTok `post.publish.complete`, `post.publish.inbox_delivered` | the job whose `platform_publish_id` is the `publish_id` becomes `published` |
//! | TikTok `post.publish.failed` | that job becomes `failed`, with the platform's reason |
//! | TikTok `post.publish.publicly_available` | the job records the public `post_id` |
//! | TikTok `authorization.removed` | the account with that `user_openid` becomes `needs_reconnect`, with the reason |
//! | Instagram `comments`, `live_comments` | the comment is stored when its media is known |
//! | anything else, or nothing matching | kept, processed, with a note saying why nothing changed |
//!
//! Jobs move only as the queue's state machine allows ([`JobState::can_go`]: from
//! `publishing` or `processing`), with a `job_events` row, as `queue::transition` writes
//! them.
//!
//! The outcome and its note are kept in the event's `payload_json` under `outpost_result`,
//! counted in `outpost_events_processed_total`, and broadcast as [`ProcessedEvent`]s.
//! A transient failure (the database) leaves the row for the next pass.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{json, Value};
use sqlx::{Row, SqliteConnection};
use tokio::sync::{broadcast, Notify};

use super::parse;
use crate::clock::SharedClock;
use crate::db::{Database, DbError};
use crate::oauth::{AccountEvent, Connector};
use crate::platform::Platform;
use crate::queue::JobState;
use crate::telemetry::metrics as m;
use crate::telemetry::redact;

/// Rows fetched per query.
const BATCH: i64 = 100;

/// What processing an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The event changed a job, an account or the comments.
    Applied,
    /// Nothing to change (no matching job, unknown media, an event Outpost does not act
    /// on, already applied); the note says which.
    Ignored,
    /// The stored event could not be read; it will not be retried.
    Failed,
}

impl Outcome {
    /// Stable name (metrics label, `outpost_result.outcome`).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Ignored => "ignored",
            Outcome::Failed => "failed",
        }
    }
}

/// One processed event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcessedEvent {
    /// Row id in `platform_events`.
    pub id: i64,
    /// Platform.
    pub platform: Platform,
    /// The event's dedupe id.
    pub event_id: String,
    /// Event kind.
    pub kind: String,
    /// What happened.
    pub outcome: Outcome,
    /// Why, for people.
    pub note: String,
    /// The account concerned, when known.
    pub account_id: Option<i64>,
    /// The job changed, if any.
    pub job_id: Option<i64>,
}

/// One pass over the unprocessed events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProcessReport {
    /// Events processed in this pass.
    pub processed: Vec<ProcessedEvent>,
    /// Events left unprocessed by a transient error (retried on the next pass).
    pub errors: usize,
}

/// Applies stored events.
#[derive(Debug, Clone)]
pub struct Processor {
    db: Database,
    clock: SharedClock,
    updates: broadcast::Sender<ProcessedEvent>,
    connector: Option<Connector>,
}

struct Pending {
    id: i64,
    platform: String,
    event_id: String,
    kind: String,
    account_id: Option<i64>,
    payload: String,
    received_at: i64,
}

/// An effect's result before it is recorded.
struct Effect {
    outcome: Outcome,
    note: String,
    account_id: Option<i64>,
    job_id: Option<i64>,
    /// Set when the account was marked `needs_reconnect` (the reason shown to people).
    reconnect_reason: Option<String>,
}

impl Effect {
    fn ignored(note: impl Into<String>) -> Self {
        Effect {
            outcome: Outcome::Ignored,
            note: note.into(),
            account_id: None,
            job_id: None,
            reconnect_reason: None,
        }
    }

    fn failed(note: impl Into<String>) -> Self {
        Effect {
            outcome: Outcome::Failed,
            ..Effect::ignored(note)
        }
    }

    fn applied(note: impl Into<String>) -> Self {
        Effect {
            outcome: Outcome::Applied,
            ..Effect::ignored(note)
        }
    }
}

impl Processor {
    /// A processor over the database.
    pub fn new(db: Database, clock: SharedClock) -> Self {
        Self {
            db,
            clock,
            updates: broadcast::channel(256).0,
            connector: None,
        }
    }

    /// Also announce accounts that must be connected again on the connector's
    /// [`AccountEvent`] channel, the one the desktop shell turns into notifications.
    pub fn with_connector(mut self, connector: Connector) -> Self {
        self.connector = Some(connector);
        self
    }

    /// Processed events from now on (for the desktop shell's notifications).
    pub fn subscribe(&self) -> broadcast::Receiver<ProcessedEvent> {
        self.updates.subscribe()
    }

    /// Processes every event unprocessed at the start of the pass, oldest first.
    pub async fn process_pending(&self) -> Result<ProcessReport, DbError> {
        let mut report = ProcessReport::default();
        let mut after = 0_i64;
        loop {
            let rows = sqlx::query(
                "SELECT id, platform, event_id, kind, account_id, payload_json, received_at \
                 FROM platform_events WHERE processed_at IS NULL AND id > ?1 ORDER BY id LIMIT ?2",
            )
            .bind(after)
            .bind(BATCH)
            .fetch_all(self.db.pool())
            .await?;
            if rows.is_empty() {
                return Ok(report);
            }
            for row in rows {
                let pending = Pending {
                    id: row.get("id"),
                    platform: row.get("platform"),
                    event_id: row.get("event_id"),
                    kind: row.get("kind"),
                    account_id: row.get("account_id"),
                    payload: row.get("payload_json"),
                    received_at: row.get("received_at"),
                };
                after = pending.id;
                match self.process_one(&pending).await {
                    Ok(Some(done)) => {
                        let _ = self.updates.send(done.clone());
                        report.processed.push(done);
                    }
                    Ok(None) => {} // another worker took it
                    Err(e) => {
                        report.errors += 1;
                        tracing::warn!(event = pending.id, kind = %pending.kind, error = %e, "event processing failed; it will be retried");
                        if let Ok(p) = pending.platform.parse::<Platform>() {
                            m::event_processed(p, "error", self.latency(pending.received_at));
                        }
                    }
                }
            }
        }
    }

    fn latency(&self, received_at: i64) -> Duration {
        let ms = self.clock.now_millis().saturating_sub(received_at).max(0);
        Duration::from_millis(u64::try_from(ms).unwrap_or(0))
    }

    async fn process_one(&self, p: &Pending) -> Result<Option<ProcessedEvent>, DbError> {
        let now = self.clock.now_millis();
        let mut tx = self.db.begin_write().await?;
        let claimed = sqlx::query(
            "UPDATE platform_events SET processed_at = ?2 WHERE id = ?1 AND processed_at IS NULL",
        )
        .bind(p.id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            return Ok(None);
        }
        let platform = p.platform.parse::<Platform>().ok();
        let payload = serde_json::from_str::<Value>(&p.payload).ok();
        let effect = match (platform, payload) {
            (Some(_), None) => Effect::failed("the stored payload is not JSON"),
            (None, _) => Effect::failed(format!("unknown platform {:?}", p.platform)),
            (Some(Platform::Tiktok), Some(v)) => tiktok(&mut tx, &p.kind, &v, now).await?,
            (Some(Platform::Instagram), Some(v)) => instagram(&mut tx, &p.kind, &v).await?,
            (Some(Platform::Reddit), Some(_)) => Effect::ignored("Reddit events are not acted on"),
        };
        let account_id = effect.account_id.or(p.account_id);
        sqlx::query(
            "UPDATE platform_events SET account_id = ?2, payload_json = CASE \
               WHEN json_valid(payload_json) THEN json_set(payload_json, '$.outpost_result', json(?3)) \
               ELSE payload_json END \
             WHERE id = ?1",
        )
        .bind(p.id)
        .bind(account_id)
        .bind(json!({"outcome": effect.outcome.as_str(), "note": effect.note}).to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let platform = platform.unwrap_or(Platform::Tiktok);
        if let (Some(connector), Some(reason), Some(account_id)) =
            (&self.connector, &effect.reconnect_reason, account_id)
        {
            connector.emit(AccountEvent::NeedsReconnect {
                account_id,
                platform,
                reason: reason.clone(),
            });
        }
        m::event_processed(
            platform,
            effect.outcome.as_str(),
            self.latency(p.received_at),
        );
        tracing::info!(
            platform = %platform,
            event = p.id,
            kind = %p.kind,
            outcome = effect.outcome.as_str(),
            note = %effect.note,
            "event processed"
        );
        Ok(Some(ProcessedEvent {
            id: p.id,
            platform,
            event_id: p.event_id.clone(),
            kind: p.kind.clone(),
            outcome: effect.outcome,
            note: effect.note,
            account_id,
            job_id: effect.job_id,
        }))
    }

    /// Processes pending events at start, then whenever `wakeup` is notified (the intake
    /// does after storing) or every `poll_every` (events stored by another process), until
    /// `shutdown` resolves. Passes that did something are worker runs in the metrics.
    pub async fn run(
        &self,
        wakeup: Arc<Notify>,
        poll_every: Duration,
        shutdown: impl Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        loop {
            let started = Instant::now();
            match self.process_pending().await {
                Ok(r) if r.processed.is_empty() && r.errors == 0 => {}
                Ok(r) => m::worker_run("events", r.errors == 0, started.elapsed()),
                Err(e) => {
                    tracing::warn!(error = %e, "event processing could not run");
                    m::worker_run("events", false, started.elapsed());
                }
            }
            tokio::select! {
                _ = wakeup.notified() => {}
                _ = tokio::time::sleep(poll_every) => {}
                _ = &mut shutdown => return,
            }
        }
    }
}

fn str_of<'a>(v: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// The TikTok jobs with this publish id: (id, state).
async fn tiktok_jobs(
    tx: &mut SqliteConnection,
    publish_id: &str,
) -> Result<Vec<(i64, String, i64)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT j.id, j.state, j.account_id FROM jobs j JOIN accounts a ON a.id = j.account_id \
         WHERE a.platform = 'tiktok' AND j.platform_publish_id = ?1 ORDER BY j.id",
    )
    .bind(publish_id)
    .fetch_all(&mut *tx)
    .await?)
}

/// Moves the job with `publish_id` to `to` when the queue's state machine allows it from
/// the job's current state (`publishing`/`processing` → `published`/`failed`); otherwise the
/// job is left alone and the note says why. Written like `queue::transition` (state, history
/// row, `last_error` on failure), inside the event's transaction. `failure` is the error
/// code and message of a failed publish.
async fn transition(
    tx: &mut SqliteConnection,
    publish_id: &str,
    to: JobState,
    failure: Option<(&str, String)>,
    now: i64,
) -> Result<Effect, DbError> {
    let jobs = tiktok_jobs(tx, publish_id).await?;
    let Some((job, from, account)) = jobs.into_iter().next() else {
        return Ok(Effect::ignored(format!(
            "no job has publish id {publish_id}; kept for reference"
        )));
    };
    let left_alone = |note: String| Effect {
        account_id: Some(account),
        job_id: Some(job),
        ..Effect::ignored(note)
    };
    match from.parse::<JobState>() {
        Ok(current) if current == to => {
            return Ok(left_alone(format!("job {job} is already {to}")));
        }
        Ok(current) if !current.can_go(to) => {
            return Ok(left_alone(format!(
                "job {job} is {current}; the queue does not move it to {to}"
            )));
        }
        Ok(_) => {}
        Err(_) => {
            return Ok(left_alone(format!(
                "job {job} has an unknown state {from:?}"
            )))
        }
    }
    let (code, message) = match &failure {
        Some((c, m)) => (Some(*c), Some(m.as_str())),
        None => (None, None),
    };
    let detail = message.unwrap_or("the platform reported the post published");
    let moved = sqlx::query(
        "UPDATE jobs SET state = ?2, updated_at = ?3, \
         last_error_code = CASE WHEN ?2 = 'failed' THEN ?4 ELSE last_error_code END, \
         last_error = CASE WHEN ?2 = 'failed' THEN ?5 ELSE last_error END \
         WHERE id = ?1 AND state = ?6",
    )
    .bind(job)
    .bind(to.as_str())
    .bind(now)
    .bind(code)
    .bind(message)
    .bind(&from)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved == 0 {
        return Ok(left_alone(format!(
            "job {job} changed meanwhile; left alone"
        )));
    }
    sqlx::query(
        "INSERT INTO job_events (job_id, from_state, to_state, detail, at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .bind(job)
    .bind(&from)
    .bind(to.as_str())
    .bind(detail)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(Effect {
        account_id: Some(account),
        job_id: Some(job),
        ..Effect::applied(format!("job {job}: {from} -> {to}"))
    })
}

/// TikTok's `authorization.removed` reasons.
pub fn removal_reason(code: i64) -> &'static str {
    match code {
        1 => "you disconnected Outpost in TikTok",
        2 => "the TikTok account was deleted",
        3 => "the account's age changed",
        4 => "the account was banned",
        5 => "the app's developer revoked the access",
        _ => "no reason given",
    }
}

async fn tiktok(
    tx: &mut SqliteConnection,
    kind: &str,
    envelope: &Value,
    now: i64,
) -> Result<Effect, DbError> {
    let Ok(content) = parse::tiktok_content(envelope) else {
        return Ok(Effect::failed("the stored content is unreadable"));
    };
    let publish_id = str_of(&content, "publish_id");
    match (kind, publish_id) {
        ("post.publish.complete" | "post.publish.inbox_delivered", Some(id)) => {
            transition(tx, id, JobState::Published, None, now).await
        }
        ("post.publish.failed", Some(id)) => {
            let reason = content
                .get("reason")
                .map(|r| match r {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .unwrap_or_else(|| "no reason given".into());
            let message = redact::redact(&format!("TikTok reported the publish failed: {reason}"))
                .into_owned();
            transition(
                tx,
                id,
                JobState::Failed,
                Some(("tiktok.publish_failed", message)),
                now,
            )
            .await
        }
        ("post.publish.publicly_available", Some(id)) => {
            let Some(post_id) = str_of(&content, "post_id") else {
                return Ok(Effect::ignored("no post_id in the event"));
            };
            let Some((job, _, account)) = tiktok_jobs(tx, id).await?.into_iter().next() else {
                return Ok(Effect::ignored(format!(
                    "no job has publish id {id}; kept for reference"
                )));
            };
            sqlx::query("UPDATE jobs SET platform_media_id = ?2, updated_at = ?3 WHERE id = ?1")
                .bind(job)
                .bind(post_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            Ok(Effect {
                account_id: Some(account),
                job_id: Some(job),
                ..Effect::applied(format!("job {job}: public post id {post_id}"))
            })
        }
        ("authorization.removed", _) => {
            let user = envelope
                .get("user_openid")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let code = content.get("reason").and_then(Value::as_i64).unwrap_or(0);
            let account: Option<(i64, String)> = sqlx::query_as(
                "SELECT id, status FROM accounts WHERE platform = 'tiktok' AND platform_user_id = ?1",
            )
            .bind(user)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((id, status)) = account else {
                return Ok(Effect::ignored("no connected account has this open_id"));
            };
            if status == "disconnected" {
                return Ok(Effect {
                    account_id: Some(id),
                    ..Effect::ignored(format!("account {id} was already disconnected"))
                });
            }
            let reason = format!(
                "TikTok removed Outpost's access ({}); connect the account again",
                removal_reason(code)
            );
            sqlx::query(
                "UPDATE accounts SET status = 'needs_reconnect', status_reason = ?2, updated_at = ?3 \
                 WHERE id = ?1",
            )
            .bind(id)
            .bind(&reason)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tracing::warn!(
                event = "account.needs_reconnect",
                platform = "tiktok",
                account = id,
                reason = %reason,
                "account must be connected again"
            );
            Ok(Effect {
                account_id: Some(id),
                reconnect_reason: Some(reason),
                ..Effect::applied(format!(
                    "account {id} needs reconnect: {}",
                    removal_reason(code)
                ))
            })
        }
        (other, _) => Ok(Effect::ignored(format!(
            "`{other}` events are kept but not acted on"
        ))),
    }
}

async fn instagram(
    tx: &mut SqliteConnection,
    kind: &str,
    change: &Value,
) -> Result<Effect, DbError> {
    if kind != "comments" && kind != "live_comments" {
        return Ok(Effect::ignored(format!(
            "`{kind}` changes are kept but not acted on"
        )));
    }
    let value = &change["value"];
    let text_of = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let (Some(comment_id), Some(media_id)) =
        (text_of(&value["id"]), text_of(&value["media"]["id"]))
    else {
        return Ok(Effect::failed("the stored comment has no id or media id"));
    };
    let media: Option<(i64, i64)> = sqlx::query_as(
        "SELECT m.id, m.account_id FROM media m JOIN accounts a ON a.id = m.account_id \
         WHERE a.platform = 'instagram' AND m.platform_media_id = ?1 ORDER BY m.id LIMIT 1",
    )
    .bind(&media_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((media_row, account)) = media else {
        return Ok(Effect::ignored(format!(
            "comment on media {media_id}, which Outpost does not know; kept for reference"
        )));
    };
    let created_at = change["time"].as_i64().map(|t| t.saturating_mul(1000));
    let inserted = sqlx::query(
        "INSERT INTO comments (media_id, platform_comment_id, author, body, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (media_id, platform_comment_id) DO NOTHING",
    )
    .bind(media_row)
    .bind(&comment_id)
    .bind(value["from"]["username"].as_str())
    .bind(value["text"].as_str())
    .bind(created_at)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let note = if inserted == 1 {
        format!("comment {comment_id} stored on media {media_row}")
    } else {
        format!("comment {comment_id} was already stored")
    };
    Ok(Effect {
        outcome: if inserted == 1 {
            Outcome::Applied
        } else {
            Outcome::Ignored
        },
        note,
        account_id: Some(account),
        job_id: None,
        reconnect_reason: None,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::clock::ManualClock;
    use crate::db::accounts::{AccountProfile, AccountStatus};
    use crate::events::{parse, NewEvent};

    struct World {
        _dir: tempfile::TempDir,
        db: Database,
        processor: Processor,
        tiktok: i64,
        instagram: i64,
    }

    async fn world() -> World {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("t.db")).await.unwrap();
        let clock = ManualClock::new(Utc.timestamp_opt(1_700_000_000, 0).unwrap());
        let profile = |platform, id: &str| AccountProfile {
            platform,
            platform_user_id: id.into(),
            username: Some(format!("{id}-name")),
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
        World {
            _dir: dir,
            processor: Processor::new(db.clone(), Arc::new(clock)),
            db,
            tiktok,
            instagram,
        }
    }

    async fn job(db: &Database, account: i64, publish_id: &str, state: &str) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO jobs (account_id, content_hash, source_path, state, platform_publish_id, created_at, updated_at) \
             VALUES (?1, ?2, '/v.mp4', ?3, ?2, 1, 1) RETURNING id",
        )
        .bind(account)
        .bind(publish_id)
        .bind(state)
        .fetch_one(db.pool())
        .await
        .unwrap()
    }

    async fn tiktok_event(db: &Database, event: &str, content: Value, at: i64) {
        let body = json!({"client_key": "ck", "event": event, "create_time": at,
                          "user_openid": "oid", "content": content.to_string()})
        .to_string();
        let events: Vec<NewEvent> = parse::tiktok(body.as_bytes()).unwrap();
        crate::events::intake::store(db, &events, 1_700_000_000_000)
            .await
            .unwrap();
    }

    async fn job_state(db: &Database, id: i64) -> (String, Option<String>, Option<String>) {
        sqlx::query_as("SELECT state, last_error, platform_media_id FROM jobs WHERE id = ?1")
            .bind(id)
            .fetch_one(db.pool())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn publish_events_move_the_matching_jobs() {
        let w = world().await;
        let ok = job(&w.db, w.tiktok, "pub-ok", "publishing").await;
        let bad = job(&w.db, w.tiktok, "pub-bad", "publishing").await;
        tiktok_event(
            &w.db,
            "post.publish.complete",
            json!({"publish_id": "pub-ok"}),
            1,
        )
        .await;
        tiktok_event(
            &w.db,
            "post.publish.publicly_available",
            json!({"publish_id": "pub-ok", "post_id": "7300"}),
            2,
        )
        .await;
        tiktok_event(
            &w.db,
            "post.publish.failed",
            json!({"publish_id": "pub-bad", "reason": "file_format_check_failed"}),
            3,
        )
        .await;
        // A failure arriving after completion does not undo it.
        tiktok_event(
            &w.db,
            "post.publish.failed",
            json!({"publish_id": "pub-ok", "reason": "x"}),
            4,
        )
        .await;
        let mut updates = w.processor.subscribe();
        let report = w.processor.process_pending().await.unwrap();
        let outcomes: Vec<Outcome> = report.processed.iter().map(|p| p.outcome).collect();
        assert_eq!(
            outcomes,
            [
                Outcome::Applied,
                Outcome::Applied,
                Outcome::Applied,
                Outcome::Ignored
            ]
        );
        assert_eq!(report.errors, 0);
        assert_eq!(
            job_state(&w.db, ok).await,
            ("published".into(), None, Some("7300".into()))
        );
        let (state, error, _) = job_state(&w.db, bad).await;
        assert_eq!(state, "failed");
        assert!(error.unwrap().contains("file_format_check_failed"));
        let history: Vec<(String, String)> =
            sqlx::query_as("SELECT from_state, to_state FROM job_events WHERE job_id = ?1")
                .bind(ok)
                .fetch_all(w.db.pool())
                .await
                .unwrap();
        assert_eq!(history, [("publishing".to_owned(), "published".to_owned())]);
        let first = updates.recv().await.unwrap();
        assert_eq!((first.job_id, first.account_id), (Some(ok), Some(w.tiktok)));
        // Nothing is processed twice.
        assert!(w
            .processor
            .process_pending()
            .await
            .unwrap()
            .processed
            .is_empty());
        let unprocessed: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM platform_events WHERE processed_at IS NULL")
                .fetch_one(w.db.pool())
                .await
                .unwrap();
        assert_eq!(unprocessed, 0);
    }

    #[tokio::test]
    async fn jobs_move_only_as_the_queue_state_machine_allows() {
        let w = world().await;
        let processing = job(&w.db, w.tiktok, "pub-processing", "processing").await;
        let queued = job(&w.db, w.tiktok, "pub-queued", "queued").await;
        let cancelled = job(&w.db, w.tiktok, "pub-cancelled", "cancelled").await;
        for (i, id) in ["pub-processing", "pub-queued", "pub-cancelled"]
            .iter()
            .enumerate()
        {
            let at = i64::try_from(i).unwrap();
            tiktok_event(
                &w.db,
                "post.publish.complete",
                json!({"publish_id": id}),
                at,
            )
            .await;
        }
        let report = w.processor.process_pending().await.unwrap();
        let outcomes: Vec<Outcome> = report.processed.iter().map(|p| p.outcome).collect();
        assert_eq!(
            outcomes,
            [Outcome::Applied, Outcome::Ignored, Outcome::Ignored]
        );
        assert!(
            report.processed[2].note.contains("cancelled"),
            "{:?}",
            report.processed[2]
        );
        assert_eq!(job_state(&w.db, processing).await.0, "published");
        assert_eq!(job_state(&w.db, queued).await.0, "queued");
        assert_eq!(job_state(&w.db, cancelled).await.0, "cancelled");
    }

    #[tokio::test]
    async fn an_event_without_a_job_is_kept_processed_with_a_note() {
        let w = world().await;
        tiktok_event(
            &w.db,
            "post.publish.complete",
            json!({"publish_id": "nobody"}),
            1,
        )
        .await;
        tiktok_event(
            &w.db,
            "video.publish.completed",
            json!({"share_id": "s"}),
            2,
        )
        .await;
        let report = w.processor.process_pending().await.unwrap();
        assert_eq!(report.processed.len(), 2);
        assert!(report
            .processed
            .iter()
            .all(|p| p.outcome == Outcome::Ignored));
        let notes: Vec<(String, Option<i64>)> = sqlx::query_as(
            "SELECT json_extract(payload_json, '$.outpost_result.note'), processed_at FROM platform_events ORDER BY id",
        )
        .fetch_all(w.db.pool())
        .await
        .unwrap();
        assert!(
            notes[0].0.contains("no job has publish id nobody"),
            "{notes:?}"
        );
        assert!(notes[1].0.contains("not acted on"), "{notes:?}");
        assert!(notes.iter().all(|n| n.1.is_some()));
        // The payload itself is intact.
        let event: String = sqlx::query_scalar(
            "SELECT json_extract(payload_json, '$.event') FROM platform_events ORDER BY id LIMIT 1",
        )
        .fetch_one(w.db.pool())
        .await
        .unwrap();
        assert_eq!(event, "post.publish.complete");
    }

    #[tokio::test]
    async fn authorization_removed_marks_the_account_unless_disconnected() {
        let w = world().await;
        tiktok_event(&w.db, "authorization.removed", json!({"reason": 5}), 1).await;
        let report = w.processor.process_pending().await.unwrap();
        assert_eq!(report.processed[0].outcome, Outcome::Applied);
        let account = w.db.accounts().get(w.tiktok).await.unwrap().unwrap();
        assert_eq!(account.status, AccountStatus::NeedsReconnect);
        assert!(account.status_reason.unwrap().contains("developer revoked"));

        // The echo of the creator's own disconnect leaves the account disconnected.
        w.db.accounts()
            .set_status(
                w.tiktok,
                AccountStatus::Disconnected,
                Some("disconnected by you"),
                2,
            )
            .await
            .unwrap();
        tiktok_event(&w.db, "authorization.removed", json!({"reason": 1}), 2).await;
        let report = w.processor.process_pending().await.unwrap();
        assert_eq!(report.processed[0].outcome, Outcome::Ignored);
        let account = w.db.accounts().get(w.tiktok).await.unwrap().unwrap();
        assert_eq!(account.status, AccountStatus::Disconnected);
    }

    /// media_id, platform_comment_id, author, body, created_at.
    type CommentRow = (i64, String, Option<String>, Option<String>, Option<i64>);

    async fn ig_comment(db: &Database, comment: &str, media: &str) {
        let body = json!({"object": "instagram", "entry": [{"id": "178", "time": 1_755_779_280, "changes": [
            {"field": "comments", "value": {"id": comment, "text": "nice!",
             "from": {"id": "9", "username": "fan"}, "media": {"id": media}}}]}]})
        .to_string();
        let events = parse::instagram(body.as_bytes()).unwrap();
        crate::events::intake::store(db, &events, 1).await.unwrap();
    }

    #[tokio::test]
    async fn comments_on_known_media_are_stored_others_kept() {
        let w = world().await;
        let media: i64 = sqlx::query_scalar(
            "INSERT INTO media (account_id, platform_media_id) VALUES (?1, 'm-known') RETURNING id",
        )
        .bind(w.instagram)
        .fetch_one(w.db.pool())
        .await
        .unwrap();
        ig_comment(&w.db, "c1", "m-known").await;
        ig_comment(&w.db, "c2", "m-unknown").await;
        let report = w.processor.process_pending().await.unwrap();
        let outcomes: Vec<Outcome> = report.processed.iter().map(|p| p.outcome).collect();
        assert_eq!(outcomes, [Outcome::Applied, Outcome::Ignored]);
        let stored: Vec<CommentRow> = sqlx::query_as(
            "SELECT media_id, platform_comment_id, author, body, created_at FROM comments",
        )
        .fetch_all(w.db.pool())
        .await
        .unwrap();
        assert_eq!(
            stored,
            [(
                media,
                "c1".into(),
                Some("fan".into()),
                Some("nice!".into()),
                Some(1_755_779_280_000)
            )]
        );
        assert_eq!(report.processed[0].account_id, Some(w.instagram));
    }

    #[tokio::test]
    async fn an_unreadable_stored_event_fails_once_and_is_not_retried() {
        let w = world().await;
        sqlx::query(
            "INSERT INTO platform_events (platform, event_id, kind, payload_json, received_at) \
             VALUES ('tiktok', 'x', 'post.publish.complete', 'not json', 1)",
        )
        .execute(w.db.pool())
        .await
        .unwrap();
        let report = w.processor.process_pending().await.unwrap();
        assert_eq!(report.processed[0].outcome, Outcome::Failed);
        assert!(w
            .processor
            .process_pending()
            .await
            .unwrap()
            .processed
            .is_empty());
    }

    #[tokio::test]
    async fn the_worker_processes_on_wakeup_and_stops_on_shutdown() {
        let w = world().await;
        let wakeup = Arc::new(Notify::new());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let processor = w.processor.clone();
        let mut updates = w.processor.subscribe();
        let worker = tokio::spawn({
            let wakeup = wakeup.clone();
            async move {
                processor
                    .run(wakeup, Duration::from_secs(3600), async {
                        let _ = stopped.await;
                    })
                    .await
            }
        });
        tiktok_event(&w.db, "authorization.removed", json!({"reason": 2}), 1).await;
        wakeup.notify_one();
        let done = tokio::time::timeout(Duration::from_secs(10), updates.recv())
            .await
            .expect("processed within 10 s")
            .unwrap();
        assert_eq!(done.kind, "authorization.removed");
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(10), worker)
            .await
            .expect("worker stopped")
            .unwrap();
    }
}
