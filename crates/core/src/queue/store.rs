//! Persisting jobs: idempotent enqueueing and transitions written with their history.

use serde::Serialize;
use sqlx::Row;
use ts_rs::TS;

use super::state::{JobState, TransitionError};
use crate::db::{Database, DbError};
use crate::error::UserFacing;
use crate::platform::Platform;

/// Errors of the queue store.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The state machine refuses it.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The job is no longer in the state the caller saw (another worker moved it).
    #[error("job {job} is {actual}, not {expected}; it was not changed")]
    Conflict {
        /// Job id.
        job: i64,
        /// The state the caller expected.
        expected: JobState,
        /// The state it is in.
        actual: JobState,
    },
    /// A failed job that already made its publish call cannot start again.
    #[error("job {0} already reached the platform's publish step; retrying it could post twice. Check the post on the platform instead")]
    AlreadyPublished(i64),
    /// No such job.
    #[error("no job with id {0}")]
    NotFound(i64),
    /// Too late to cancel: the publish call was made.
    #[error("job {0} is {1}: the platform already has the post, so it can no longer be cancelled (delete it on the platform if needed)")]
    TooLate(i64, JobState),
    /// Nothing to retry.
    #[error("job {0} is {1}; only failed jobs (or jobs waiting for quota) can be retried")]
    NotRetriable(i64, JobState),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for QueueError {
    fn from(e: sqlx::Error) -> Self {
        QueueError::Db(e.into())
    }
}

impl UserFacing for QueueError {
    fn code(&self) -> &'static str {
        match self {
            QueueError::Transition(_) => "queue.transition",
            QueueError::Conflict { .. } => "queue.conflict",
            QueueError::AlreadyPublished(_) => "queue.already_published",
            QueueError::NotFound(_) => "queue.not_found",
            QueueError::TooLate(..) => "queue.too_late",
            QueueError::NotRetriable(..) => "queue.not_retriable",
            QueueError::Db(e) => e.code(),
        }
    }
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// Target account.
    pub account_id: i64,
    /// BLAKE3 (or other) hash of the content: the dedupe key with the account.
    pub content_hash: String,
    /// The file.
    pub source_path: String,
    /// video, image…
    pub kind: String,
    /// Caption and per-platform options.
    pub options: serde_json::Value,
    /// Publish no earlier than this (unix ms).
    pub publish_at: Option<i64>,
    /// Size in bytes.
    pub bytes_total: Option<i64>,
}

/// Result of an enqueue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "outcome", content = "job", rename_all = "snake_case")]
pub enum Enqueued {
    /// A new job.
    New(i64),
    /// The same content was already queued for that account: its job.
    Existing(i64),
}

/// A stored job.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Job {
    /// Id.
    pub id: i64,
    /// Target account.
    pub account_id: i64,
    /// The account's platform.
    pub platform: Platform,
    /// The account's handle (or platform user id), for people.
    pub account: String,
    /// Content hash.
    pub content_hash: String,
    /// File (or URL, for posts the platform fetches itself).
    pub source_path: String,
    /// video, image, link, text.
    pub kind: String,
    /// State.
    pub state: JobState,
    /// Caption, target and per-platform options (any JSON; `null` when unreadable).
    #[ts(type = "unknown")]
    pub options: serde_json::Value,
    /// Publish no earlier than this (unix ms).
    pub publish_at: Option<i64>,
    /// Attempts so far.
    pub attempts: i64,
    /// Not before this (unix ms): the next retry or status check.
    pub next_attempt_at: Option<i64>,
    /// Bytes acknowledged by the platform.
    pub bytes_acked: i64,
    /// Chunks acknowledged by the platform.
    pub chunks_acked: i64,
    /// Total bytes.
    pub bytes_total: Option<i64>,
    /// The platform's upload session (upload URL, container id...), as the worker saved it.
    #[serde(skip)]
    pub upload_session: Option<serde_json::Value>,
    /// The platform's publish id, once the irreversible publish call was made.
    pub platform_publish_id: Option<String>,
    /// The post's id on the platform.
    pub platform_media_id: Option<String>,
    /// Stable code of the last error.
    pub last_error_code: Option<String>,
    /// Last error, for people.
    pub last_error: Option<String>,
    /// The step in progress, for people.
    pub step_detail: Option<String>,
    /// Where the file was moved once published.
    pub moved_to: Option<String>,
    /// Created (unix ms).
    pub created_at: i64,
    /// Last change (unix ms).
    pub updated_at: i64,
}

/// The columns [`row_to_job`] reads (jobs `j` joined with accounts `a`).
pub(crate) const JOB_SELECT: &str = "SELECT j.id, j.account_id, a.platform, \
     COALESCE(a.username, a.platform_user_id) AS account, j.content_hash, j.source_path, j.kind, \
     j.state, j.options_json, j.publish_at, j.attempts, j.next_attempt_at, j.bytes_acked, \
     j.chunks_acked, j.bytes_total, j.upload_session, j.platform_publish_id, j.platform_media_id, \
     j.last_error_code, j.last_error, j.step_detail, j.moved_to, j.created_at, j.updated_at \
     FROM jobs j JOIN accounts a ON a.id = j.account_id";

pub(crate) fn row_to_job(r: &sqlx::sqlite::SqliteRow) -> Result<Job, QueueError> {
    let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    Ok(Job {
        id: r.get("id"),
        account_id: r.get("account_id"),
        platform: r
            .get::<&str, _>("platform")
            .parse()
            .map_err(|_| QueueError::Db(DbError::Sql("unknown platform in accounts".into())))?,
        account: r.get("account"),
        content_hash: r.get("content_hash"),
        source_path: r.get("source_path"),
        kind: r.get("kind"),
        state: r.get::<&str, _>("state").parse()?,
        options: json(r.get("options_json")).unwrap_or(serde_json::Value::Null),
        publish_at: r.get("publish_at"),
        attempts: r.get("attempts"),
        next_attempt_at: r.get("next_attempt_at"),
        bytes_acked: r.get("bytes_acked"),
        chunks_acked: r.get("chunks_acked"),
        bytes_total: r.get("bytes_total"),
        upload_session: json(r.get("upload_session")),
        platform_publish_id: r.get("platform_publish_id"),
        platform_media_id: r.get("platform_media_id"),
        last_error_code: r.get("last_error_code"),
        last_error: r.get("last_error"),
        step_detail: r.get("step_detail"),
        moved_to: r.get("moved_to"),
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
    })
}

/// One recorded transition.
#[derive(Debug, Clone, Serialize)]
pub struct JobEvent {
    /// From (None for creation).
    pub from: Option<JobState>,
    /// To.
    pub to: JobState,
    /// Why.
    pub detail: Option<String>,
    /// When, unix ms.
    pub at: i64,
}

/// Enqueue `job` unless the same content is already queued for the same account.
pub async fn enqueue(db: &Database, job: &NewJob, now: i64) -> Result<Enqueued, QueueError> {
    let mut tx = db.begin_write().await?;
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO jobs (account_id, content_hash, source_path, kind, state, options_json, publish_at, bytes_total, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?6, ?7, ?8, ?8) \
         ON CONFLICT (content_hash, account_id) DO NOTHING RETURNING id",
    )
    .bind(job.account_id)
    .bind(&job.content_hash)
    .bind(&job.source_path)
    .bind(&job.kind)
    .bind(job.options.to_string())
    .bind(job.publish_at)
    .bind(job.bytes_total)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let result = match inserted {
        Some(id) => {
            sqlx::query("INSERT INTO job_events (job_id, from_state, to_state, detail, at) VALUES (?1, NULL, 'queued', 'enqueued', ?2)")
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            Enqueued::New(id)
        }
        None => Enqueued::Existing(
            sqlx::query_scalar("SELECT id FROM jobs WHERE content_hash = ?1 AND account_id = ?2")
                .bind(&job.content_hash)
                .bind(job.account_id)
                .fetch_one(&mut *tx)
                .await?,
        ),
    };
    tx.commit().await?;
    Ok(result)
}

/// What a transition also records besides the state.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// The platform's publish id (stored with the move to `publishing`, before the call).
    pub publish_id: Option<String>,
    /// The post's id on the platform.
    pub media_id: Option<String>,
    /// The upload session to keep (left as it was when `None`).
    pub session: Option<serde_json::Value>,
    /// Not before this (unix ms); cleared when `None`.
    pub next_attempt_at: Option<i64>,
    /// Stable code of the error that caused this move (kept with `detail` as the last error).
    pub error_code: Option<String>,
    /// The step now in progress, for people; cleared when `None`.
    pub step_detail: Option<String>,
}

/// Move a job from `from` to `to`, recording why. Applies only if the job is still in
/// `from` (so two workers, or a worker restarted after a crash, cannot both move it).
pub async fn transition(
    db: &Database,
    job_id: i64,
    from: JobState,
    to: JobState,
    detail: Option<&str>,
    now: i64,
) -> Result<(), QueueError> {
    transition_with(db, job_id, from, to, detail, now, &Changes::default()).await
}

/// [`transition`], recording `changes` in the same transaction: an id the platform returned
/// is stored together with the state that says the call was made.
pub async fn transition_with(
    db: &Database,
    job_id: i64,
    from: JobState,
    to: JobState,
    detail: Option<&str>,
    now: i64,
    changes: &Changes,
) -> Result<(), QueueError> {
    if !from.can_go(to) {
        return Err(TransitionError::NotAllowed { from, to }.into());
    }
    let mut tx = db.begin_write().await?;
    let current: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT state, platform_publish_id FROM jobs WHERE id = ?1")
            .bind(job_id)
            .fetch_optional(&mut *tx)
            .await?;
    let (current, publish_id) = current.ok_or(QueueError::NotFound(job_id))?;
    let current: JobState = current.parse()?;
    if current != from {
        return Err(QueueError::Conflict {
            job: job_id,
            expected: from,
            actual: current,
        });
    }
    if from == JobState::Failed && to == JobState::Queued {
        // A job that ever reached the publish step is never sent again: the platform may
        // have the post even if Outpost never learned its id.
        let reached: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM job_events WHERE job_id = ?1 AND to_state = 'publishing')",
        )
        .bind(job_id)
        .fetch_one(&mut *tx)
        .await?;
        if publish_id.is_some() || reached {
            return Err(QueueError::AlreadyPublished(job_id));
        }
    }
    let attempts_delta = i64::from(to == JobState::Validating);
    let records_error = to == JobState::Failed || changes.error_code.is_some();
    sqlx::query(
        "UPDATE jobs SET state = ?2, updated_at = ?3, attempts = attempts + ?4, \
         last_error = CASE WHEN ?7 THEN ?5 WHEN ?2 = 'published' THEN NULL ELSE last_error END, \
         last_error_code = CASE WHEN ?7 THEN ?8 WHEN ?2 = 'published' THEN NULL ELSE last_error_code END, \
         platform_publish_id = COALESCE(?9, platform_publish_id), \
         platform_media_id = COALESCE(?10, platform_media_id), \
         upload_session = COALESCE(?11, upload_session), \
         next_attempt_at = ?12, step_detail = ?13 \
         WHERE id = ?1 AND state = ?6",
    )
    .bind(job_id)
    .bind(to.as_str())
    .bind(now)
    .bind(attempts_delta)
    .bind(detail)
    .bind(from.as_str())
    .bind(records_error)
    .bind(changes.error_code.as_deref().or(records_error.then_some("queue.failed")))
    .bind(changes.publish_id.as_deref())
    .bind(changes.media_id.as_deref())
    .bind(changes.session.as_ref().map(|v| v.to_string()))
    .bind(changes.next_attempt_at)
    .bind(changes.step_detail.as_deref())
    .execute(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO job_events (job_id, from_state, to_state, detail, at) VALUES (?1, ?2, ?3, ?4, ?5)")
        .bind(job_id)
        .bind(from.as_str())
        .bind(to.as_str())
        .bind(detail)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// One job.
pub async fn get(db: &Database, job_id: i64) -> Result<Option<Job>, QueueError> {
    let row = sqlx::query(&format!("{JOB_SELECT} WHERE j.id = ?1"))
        .bind(job_id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(row_to_job).transpose()
}

/// A job's transitions, oldest first.
pub async fn history(db: &Database, job_id: i64) -> Result<Vec<JobEvent>, QueueError> {
    let rows = sqlx::query(
        "SELECT from_state, to_state, detail, at FROM job_events WHERE job_id = ?1 ORDER BY id",
    )
    .bind(job_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(JobEvent {
                from: r
                    .get::<Option<&str>, _>("from_state")
                    .map(str::parse)
                    .transpose()?,
                to: r.get::<&str, _>("to_state").parse()?,
                detail: r.get("detail"),
                at: r.get("at"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::accounts::AccountProfile;
    use JobState::*;

    async fn setup() -> (tempfile::TempDir, Database, i64) {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("q.db")).await.unwrap();
        let account = db
            .accounts()
            .upsert(
                &AccountProfile {
                    platform: Platform::Tiktok,
                    platform_user_id: "u".into(),
                    username: None,
                    display_name: None,
                    avatar_url: None,
                },
                0,
            )
            .await
            .unwrap();
        (dir, db, account)
    }

    fn job(account_id: i64, hash: &str) -> NewJob {
        NewJob {
            account_id,
            content_hash: hash.into(),
            source_path: "/videos/clip.mp4".into(),
            kind: "video".into(),
            options: serde_json::json!({"caption": "hello"}),
            publish_at: None,
            bytes_total: Some(1234),
        }
    }

    #[tokio::test]
    async fn the_same_content_for_the_same_account_is_queued_once() {
        let (_d, db, account) = setup().await;
        let first = enqueue(&db, &job(account, "h1"), 1).await.unwrap();
        let Enqueued::New(id) = first else {
            panic!("{first:?}")
        };
        assert_eq!(
            enqueue(&db, &job(account, "h1"), 2).await.unwrap(),
            Enqueued::Existing(id)
        );
        assert!(matches!(
            enqueue(&db, &job(account, "h2"), 3).await.unwrap(),
            Enqueued::New(_)
        ));
    }

    #[tokio::test]
    async fn transitions_apply_once_and_are_recorded() {
        let (_d, db, account) = setup().await;
        let Enqueued::New(id) = enqueue(&db, &job(account, "h"), 1).await.unwrap() else {
            unreachable!()
        };
        transition(&db, id, Queued, Validating, None, 2)
            .await
            .unwrap();
        // A second worker that also saw `queued` is refused.
        let err = transition(&db, id, Queued, Validating, None, 3)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                QueueError::Conflict {
                    expected: Queued,
                    actual: Validating,
                    ..
                }
            ),
            "{err}"
        );
        transition(&db, id, Validating, Uploading, None, 4)
            .await
            .unwrap();
        // Not allowed by the machine at all.
        let err = transition(&db, id, Uploading, Published, None, 5)
            .await
            .unwrap_err();
        assert!(matches!(err, QueueError::Transition(_)));
        transition(&db, id, Uploading, Publishing, Some("publish call"), 6)
            .await
            .unwrap();
        transition(&db, id, Publishing, Processing, None, 7)
            .await
            .unwrap();
        transition(&db, id, Processing, Published, None, 8)
            .await
            .unwrap();
        let stored = get(&db, id).await.unwrap().unwrap();
        assert_eq!((stored.state, stored.attempts), (Published, 1));
        let steps: Vec<JobState> = history(&db, id)
            .await
            .unwrap()
            .iter()
            .map(|e| e.to)
            .collect();
        assert_eq!(
            steps,
            [Queued, Validating, Uploading, Publishing, Processing, Published]
        );
    }

    #[tokio::test]
    async fn a_failed_job_that_reached_the_publish_step_cannot_be_retried() {
        let (_d, db, account) = setup().await;
        let Enqueued::New(id) = enqueue(&db, &job(account, "h"), 1).await.unwrap() else {
            unreachable!()
        };
        transition(&db, id, Queued, Validating, None, 2)
            .await
            .unwrap();
        transition(
            &db,
            id,
            Validating,
            Failed,
            Some("caption too long (2300 > 2200)"),
            3,
        )
        .await
        .unwrap();
        assert_eq!(
            get(&db, id).await.unwrap().unwrap().last_error.as_deref(),
            Some("caption too long (2300 > 2200)")
        );
        // Before any publish call, retrying is fine.
        transition(&db, id, Failed, Queued, Some("retry"), 4)
            .await
            .unwrap();
        for (from, to) in [
            (Queued, Validating),
            (Validating, Uploading),
            (Uploading, Publishing),
        ] {
            transition(&db, id, from, to, None, 5).await.unwrap();
        }
        sqlx::query("UPDATE jobs SET platform_publish_id = 'v_pub_1' WHERE id = ?1")
            .bind(id)
            .execute(db.pool())
            .await
            .unwrap();
        transition(&db, id, Publishing, Failed, Some("status FAILED"), 6)
            .await
            .unwrap();
        let err = transition(&db, id, Failed, Queued, None, 7)
            .await
            .unwrap_err();
        assert!(matches!(err, QueueError::AlreadyPublished(_)), "{err}");
    }
}
