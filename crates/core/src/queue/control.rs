//! What the workers and the front ends do with stored jobs besides moving their state:
//! saving upload progress, finding the jobs that are due, listing, the queue-wide pause,
//! and the creator's cancel and retry.

use sqlx::Row;

use super::state::JobState;
use super::store::{row_to_job, transition, Job, QueueError, JOB_SELECT};
use crate::db::Database;

/// Record progress of a job still in `state` (bytes and chunks the platform acknowledged,
/// the step, the upload session). Fails with [`QueueError::Conflict`] when the job moved
/// meanwhile (cancelled by the creator), so the worker stops at once.
pub async fn save_progress(
    db: &Database,
    job: i64,
    state: JobState,
    progress: &Progress<'_>,
    now: i64,
) -> Result<(), QueueError> {
    let done = sqlx::query(
        "UPDATE jobs SET bytes_acked = COALESCE(?3, bytes_acked), chunks_acked = COALESCE(?4, chunks_acked), \
         step_detail = COALESCE(?5, step_detail), upload_session = COALESCE(?6, upload_session), \
         platform_media_id = COALESCE(?7, platform_media_id), updated_at = ?8, \
         platform_publish_id = COALESCE(?9, platform_publish_id) \
         WHERE id = ?1 AND state = ?2",
    )
    .bind(job)
    .bind(state.as_str())
    .bind(progress.bytes_acked)
    .bind(progress.chunks_acked)
    .bind(progress.step)
    .bind(progress.session.map(|v| v.to_string()))
    .bind(progress.media_id)
    .bind(now)
    .bind(progress.publish_id)
    .execute(db.pool())
    .await?
    .rows_affected();
    if done == 1 {
        return Ok(());
    }
    let actual: Option<String> = sqlx::query_scalar("SELECT state FROM jobs WHERE id = ?1")
        .bind(job)
        .fetch_optional(db.pool())
        .await?;
    match actual {
        None => Err(QueueError::NotFound(job)),
        Some(actual) => Err(QueueError::Conflict {
            job,
            expected: state,
            actual: actual.parse()?,
        }),
    }
}

/// Progress to record; `None` fields are left as they are.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress<'a> {
    /// Bytes acknowledged.
    pub bytes_acked: Option<i64>,
    /// Chunks acknowledged.
    pub chunks_acked: Option<i64>,
    /// The step, for people.
    pub step: Option<&'a str>,
    /// Upload session to keep.
    pub session: Option<&'a serde_json::Value>,
    /// The post's id, when it arrives late (TikTok's public id after moderation).
    pub media_id: Option<&'a str>,
    /// The platform's publish id, when the publish call answered after the job moved to
    /// `publishing`.
    pub publish_id: Option<&'a str>,
}

/// Jobs a worker should pick up at `now`, oldest first: queued ones whose time has come,
/// quota waits that are over, and posts whose outcome must be checked with the platform.
pub async fn due(db: &Database, now: i64, limit: i64) -> Result<Vec<Job>, QueueError> {
    let rows = sqlx::query(&format!(
        "{JOB_SELECT} WHERE j.state IN ('queued', 'waiting_for_quota', 'publishing', 'processing') \
         AND (j.next_attempt_at IS NULL OR j.next_attempt_at <= ?1) \
         AND (j.publish_at IS NULL OR j.publish_at <= ?1 OR j.state != 'queued') \
         ORDER BY COALESCE(j.next_attempt_at, j.publish_at, j.created_at), j.id LIMIT ?2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_to_job).collect()
}

/// Jobs left half-way by a process that stopped (validating or uploading). Only the
/// process holding the engine lock may call this: it knows no one else is working on them.
pub async fn orphans(db: &Database) -> Result<Vec<Job>, QueueError> {
    let rows = sqlx::query(&format!(
        "{JOB_SELECT} WHERE j.state IN ('validating', 'uploading') ORDER BY j.id"
    ))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_to_job).collect()
}

/// Which jobs to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListFilter {
    /// Include finished jobs (published, cancelled) older than a day.
    pub all: bool,
    /// At most this many (newest first); 0 = 500.
    pub limit: i64,
}

/// Jobs for the queue view, newest first: everything not finished, and what finished in
/// the last day (or everything, with `all`).
pub async fn list(db: &Database, filter: ListFilter, now: i64) -> Result<Vec<Job>, QueueError> {
    let limit = if filter.limit > 0 { filter.limit } else { 500 };
    let rows = sqlx::query(&format!(
        "{JOB_SELECT} WHERE ?1 OR j.state NOT IN ('published', 'cancelled') OR j.updated_at >= ?2 \
         ORDER BY j.id DESC LIMIT ?3"
    ))
    .bind(filter.all)
    .bind(now - 86_400_000)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_to_job).collect()
}

/// Every job made from one file.
pub async fn jobs_for_source(db: &Database, source: &str) -> Result<Vec<Job>, QueueError> {
    let rows = sqlx::query(&format!(
        "{JOB_SELECT} WHERE j.source_path = ?1 ORDER BY j.id"
    ))
    .bind(source)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_to_job).collect()
}

/// Record where a published file was moved.
pub async fn set_moved(db: &Database, source: &str, moved_to: &str) -> Result<(), QueueError> {
    sqlx::query("UPDATE jobs SET moved_to = ?2 WHERE source_path = ?1")
        .bind(source)
        .bind(moved_to)
        .execute(db.pool())
        .await?;
    Ok(())
}

const PAUSED: &str = "paused";

/// Whether the creator paused the queue (no new uploads start; running ones stop after
/// their current chunk and wait).
pub async fn is_paused(db: &Database) -> Result<bool, QueueError> {
    let v: Option<String> = sqlx::query_scalar("SELECT value FROM queue_flags WHERE name = ?1")
        .bind(PAUSED)
        .fetch_optional(db.pool())
        .await?;
    Ok(v.as_deref() == Some("true"))
}

/// Pause or resume the whole queue.
pub async fn set_paused(db: &Database, paused: bool, now: i64) -> Result<(), QueueError> {
    sqlx::query(
        "INSERT INTO queue_flags (name, value, updated_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(PAUSED)
    .bind(if paused { "true" } else { "false" })
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Cancel a job that has not made its publish call. A job being uploaded stops after the
/// chunk in flight (its worker sees the change).
pub async fn cancel(db: &Database, job: i64, now: i64) -> Result<JobState, QueueError> {
    let state = current_state(db, job).await?;
    match state {
        JobState::Publishing | JobState::Processing | JobState::Published => {
            Err(QueueError::TooLate(job, state))
        }
        JobState::Cancelled => Ok(state),
        from => {
            transition(db, job, from, JobState::Cancelled, Some("cancelled"), now).await?;
            Ok(JobState::Cancelled)
        }
    }
}

/// Queue a failed (or quota-waiting) job again, now; a queued one goes now (no retry
/// wait, no missed schedule held). Refused when it already reached the publish call
/// ([`QueueError::AlreadyPublished`]).
pub async fn retry(db: &Database, job: i64, now: i64) -> Result<JobState, QueueError> {
    let state = current_state(db, job).await?;
    match state {
        JobState::Failed | JobState::WaitingForQuota => {
            transition(db, job, state, JobState::Queued, Some("retry"), now).await?;
            // A retry starts the upload afresh: the old session may have expired.
            sqlx::query(
                "UPDATE jobs SET upload_session = NULL, bytes_acked = 0, chunks_acked = 0, attempts = 0 WHERE id = ?1",
            )
            .bind(job)
            .execute(db.pool())
            .await?;
            Ok(JobState::Queued)
        }
        JobState::Queued => {
            // Now: no wait for a retry, and a schedule that already passed (a post held
            // after a missed time) is settled, so a restart does not hold it again.
            sqlx::query(
                "UPDATE jobs SET next_attempt_at = NULL, \
                 publish_at = CASE WHEN publish_at <= ?2 THEN NULL ELSE publish_at END \
                 WHERE id = ?1 AND state = 'queued'",
            )
            .bind(job)
            .bind(now)
            .execute(db.pool())
            .await?;
            Ok(state)
        }
        other => Err(QueueError::NotRetriable(job, other)),
    }
}

async fn current_state(db: &Database, job: i64) -> Result<JobState, QueueError> {
    let row = sqlx::query("SELECT state FROM jobs WHERE id = ?1")
        .bind(job)
        .fetch_optional(db.pool())
        .await?
        .ok_or(QueueError::NotFound(job))?;
    Ok(row.get::<&str, _>("state").parse()?)
}
