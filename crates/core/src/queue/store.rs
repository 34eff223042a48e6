//! Persisting jobs: idempotent enqueueing and transitions written with their history.

use serde::Serialize;
use sqlx::Row;

use super::state::{JobState, TransitionError};
use crate::db::{Database, DbError};
use crate::error::UserFacing;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "job", rename_all = "snake_case")]
pub enum Enqueued {
    /// A new job.
    New(i64),
    /// The same content was already queued for that account: its job.
    Existing(i64),
}

/// A stored job.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    /// Id.
    pub id: i64,
    /// Target account.
    pub account_id: i64,
    /// Content hash.
    pub content_hash: String,
    /// File.
    pub source_path: String,
    /// State.
    pub state: JobState,
    /// Attempts so far.
    pub attempts: i64,
    /// Bytes acknowledged by the platform.
    pub bytes_acked: i64,
    /// Total bytes.
    pub bytes_total: Option<i64>,
    /// The platform's publish id, once the publish call answered.
    pub platform_publish_id: Option<String>,
    /// The post's id on the platform.
    pub platform_media_id: Option<String>,
    /// Last error, for people.
    pub last_error: Option<String>,
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
    let mut tx = db.pool().begin().await?;
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
    if !from.can_go(to) {
        return Err(TransitionError::NotAllowed { from, to }.into());
    }
    let mut tx = db.pool().begin().await?;
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
    if from == JobState::Failed && to == JobState::Queued && publish_id.is_some() {
        return Err(QueueError::AlreadyPublished(job_id));
    }
    let attempts_delta = i64::from(to == JobState::Validating);
    sqlx::query(
        "UPDATE jobs SET state = ?2, updated_at = ?3, attempts = attempts + ?4, \
         last_error = CASE WHEN ?2 = 'failed' THEN ?5 ELSE last_error END WHERE id = ?1 AND state = ?6",
    )
    .bind(job_id)
    .bind(to.as_str())
    .bind(now)
    .bind(attempts_delta)
    .bind(detail)
    .bind(from.as_str())
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
    let row = sqlx::query(
        "SELECT id, account_id, content_hash, source_path, state, attempts, bytes_acked, bytes_total, \
         platform_publish_id, platform_media_id, last_error FROM jobs WHERE id = ?1",
    )
    .bind(job_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Job {
        id: r.get("id"),
        account_id: r.get("account_id"),
        content_hash: r.get("content_hash"),
        source_path: r.get("source_path"),
        state: r.get::<&str, _>("state").parse()?,
        attempts: r.get("attempts"),
        bytes_acked: r.get("bytes_acked"),
        bytes_total: r.get("bytes_total"),
        platform_publish_id: r.get("platform_publish_id"),
        platform_media_id: r.get("platform_media_id"),
        last_error: r.get("last_error"),
    }))
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
    use crate::platform::Platform;
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
