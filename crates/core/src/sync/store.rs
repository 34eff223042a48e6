//! Writes of the sync: media upserts, snapshots (idempotent per subject, metric and time),
//! deleted-post marking and the `sync_runs` history.

use serde::Serialize;
use sqlx::Row;

use super::AccountSync;
use crate::db::{Database, DbError};
use crate::platforms::insights::MediaItem;

pub(super) async fn start_run(db: &Database, account_id: i64, now: i64) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO sync_runs (account_id, started_at) VALUES (?1, ?2) RETURNING id",
    )
    .bind(account_id)
    .bind(now)
    .fetch_one(db.pool())
    .await?)
}

pub(super) async fn finish_run(
    db: &Database,
    run_id: i64,
    now: i64,
    r: &AccountSync,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE sync_runs SET finished_at = ?2, status = ?3, calls = ?4, items_updated = ?5, \
         resume_after = ?6, error = ?7 WHERE id = ?1",
    )
    .bind(run_id)
    .bind(now)
    .bind(r.status)
    .bind(i64::from(r.calls))
    .bind(i64::from(r.media))
    .bind(r.resume_after_secs.map(|s| now + (s as i64) * 1000))
    .bind(
        r.error
            .as_ref()
            .map(|e| format!("{}: {}", e.code, e.message)),
    )
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Insert or update a post; returns its local id and when its insights were last fetched.
pub(super) async fn upsert_media(
    db: &Database,
    account_id: i64,
    item: &MediaItem,
    now: i64,
) -> Result<(i64, Option<i64>), DbError> {
    let row = sqlx::query(
        "INSERT INTO media (account_id, platform_media_id, kind, caption, permalink, thumbnail_url, duration_ms, created_at, synced_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
         ON CONFLICT (account_id, platform_media_id) DO UPDATE SET kind = excluded.kind, \
           caption = excluded.caption, permalink = excluded.permalink, thumbnail_url = excluded.thumbnail_url, \
           duration_ms = COALESCE(excluded.duration_ms, duration_ms), created_at = COALESCE(excluded.created_at, created_at), \
           synced_at = excluded.synced_at, deleted_at = NULL \
         RETURNING id, insights_at",
    )
    .bind(account_id)
    .bind(&item.id)
    .bind(&item.kind)
    .bind(&item.caption)
    .bind(&item.permalink)
    .bind(&item.thumbnail_url)
    .bind(item.duration_ms)
    .bind(item.created_at)
    .bind(now)
    .fetch_one(db.pool())
    .await?;
    Ok((row.get("id"), row.get("insights_at")))
}

/// Write one snapshot per metric at `now`; returns how many were new.
pub(super) async fn snapshots(
    db: &Database,
    account_id: i64,
    kind: &str,
    subject_id: i64,
    metrics: &[(&'static str, f64)],
    now: i64,
) -> Result<u32, DbError> {
    let mut tx = db.begin_write().await?;
    let mut written = 0;
    for (metric, value) in metrics {
        let done = sqlx::query(
            "INSERT INTO insight_snapshots (account_id, subject_kind, subject_id, metric, value, captured_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             ON CONFLICT (subject_kind, subject_id, metric, captured_at) DO UPDATE SET value = excluded.value",
        )
        .bind(account_id)
        .bind(kind)
        .bind(subject_id)
        .bind(*metric)
        .bind(*value)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        written += done.rows_affected() as u32;
    }
    tx.commit().await?;
    Ok(written)
}

/// The comment count stored by the previous sync (before `now`), if any.
pub(super) async fn previous_comment_count(
    db: &Database,
    media_id: i64,
    now: i64,
) -> Result<Option<f64>, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT value FROM insight_snapshots WHERE subject_kind = 'media' AND subject_id = ?1 \
         AND metric = 'comments' AND captured_at < ?2 ORDER BY captured_at DESC LIMIT 1",
    )
    .bind(media_id)
    .bind(now)
    .fetch_optional(db.pool())
    .await?)
}

/// Insert or update comments of a post; returns the ones that were new.
pub(super) async fn upsert_comments<'c>(
    db: &Database,
    media_id: i64,
    comments: &'c [crate::platforms::insights::CommentItem],
) -> Result<Vec<&'c crate::platforms::insights::CommentItem>, DbError> {
    let mut tx = db.begin_write().await?;
    let mut new = Vec::new();
    for c in comments {
        let existed: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM comments WHERE media_id = ?1 AND platform_comment_id = ?2",
        )
        .bind(media_id)
        .bind(&c.id)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO comments (media_id, platform_comment_id, author, body, like_count, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             ON CONFLICT (media_id, platform_comment_id) DO UPDATE SET author = excluded.author, body = excluded.body, \
             like_count = excluded.like_count",
        )
        .bind(media_id)
        .bind(&c.id)
        .bind(&c.author)
        .bind(&c.body)
        .bind(c.like_count)
        .bind(c.created_at)
        .execute(&mut *tx)
        .await?;
        if existed.is_none() {
            new.push(c);
        }
    }
    tx.commit().await?;
    Ok(new)
}

pub(super) async fn mark_insights(db: &Database, media_id: i64, now: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE media SET insights_at = ?2 WHERE id = ?1")
        .bind(media_id)
        .bind(now)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// After a complete listing: posts not seen any more are marked deleted (history kept).
pub(super) async fn mark_deleted(
    db: &Database,
    account_id: i64,
    seen: &[String],
    now: i64,
) -> Result<u32, DbError> {
    let known: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, platform_media_id FROM media WHERE account_id = ?1 AND deleted_at IS NULL",
    )
    .bind(account_id)
    .fetch_all(db.pool())
    .await?;
    let seen: std::collections::HashSet<&str> = seen.iter().map(String::as_str).collect();
    let mut marked = 0;
    for (id, platform_id) in known {
        if !seen.contains(platform_id.as_str()) {
            sqlx::query("UPDATE media SET deleted_at = ?2 WHERE id = ?1")
                .bind(id)
                .bind(now)
                .execute(db.pool())
                .await?;
            marked += 1;
        }
    }
    Ok(marked)
}

/// One row of `sync_runs`.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SyncRun {
    /// Run id.
    pub id: i64,
    /// Account.
    pub account_id: i64,
    /// Start, unix ms.
    pub started_at: i64,
    /// End, unix ms.
    pub finished_at: Option<i64>,
    /// running, ok, paused, failed.
    pub status: String,
    /// API calls.
    pub calls: i64,
    /// Media updated.
    pub items_updated: i64,
    /// Error, if failed.
    pub error: Option<String>,
}

/// The last `limit` runs of an account, newest first.
pub async fn recent_runs(
    db: &Database,
    account_id: i64,
    limit: i64,
) -> Result<Vec<SyncRun>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, account_id, started_at, finished_at, status, calls, items_updated, error \
         FROM sync_runs WHERE account_id = ?1 ORDER BY started_at DESC, id DESC LIMIT ?2",
    )
    .bind(account_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

/// An active account whose insights have not been synced successfully for a while.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StaleSync {
    /// Account.
    pub account_id: i64,
    /// End of its last successful run, unix ms; `None` when it never had one.
    pub last_ok: Option<i64>,
    /// When the account was connected, unix ms.
    pub connected_at: i64,
    /// The error of its latest run, when that run failed.
    pub last_error: Option<String>,
}

/// Active accounts with no successful sync since `since` (unix ms). An account connected
/// after `since` that has not synced yet is not stale.
pub async fn stale_accounts(db: &Database, since: i64) -> Result<Vec<StaleSync>, DbError> {
    Ok(sqlx::query_as(
        "SELECT account_id, last_ok, connected_at, last_error FROM ( \
           SELECT a.id AS account_id, a.created_at AS connected_at, \
             (SELECT MAX(r.finished_at) FROM sync_runs r WHERE r.account_id = a.id AND r.status = 'ok') AS last_ok, \
             (SELECT r.error FROM sync_runs r WHERE r.account_id = a.id ORDER BY r.id DESC LIMIT 1) AS last_error \
           FROM accounts a WHERE a.status = 'active' \
         ) WHERE COALESCE(last_ok, connected_at) < ?1 ORDER BY account_id",
    )
    .bind(since)
    .fetch_all(db.pool())
    .await?)
}

/// When the last sync run of any account ended (unix ms), whatever its outcome.
pub async fn last_finished(db: &Database) -> Result<Option<i64>, DbError> {
    Ok(sqlx::query_scalar("SELECT MAX(finished_at) FROM sync_runs")
        .fetch_one(db.pool())
        .await?)
}

/// Active accounts due for a sync at `now`: never synced successfully, last success older
/// than `every_ms`, or paused with the quota back.
pub(super) async fn due_accounts(
    db: &Database,
    now: i64,
    every_ms: i64,
) -> Result<Vec<i64>, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT a.id FROM accounts a WHERE a.status = 'active' AND ( \
           NOT EXISTS (SELECT 1 FROM sync_runs r WHERE r.account_id = a.id AND r.status = 'ok' AND r.finished_at > ?1 - ?2) \
         ) AND NOT EXISTS (SELECT 1 FROM sync_runs r WHERE r.account_id = a.id AND r.status = 'paused' AND r.resume_after > ?1 \
             AND r.id = (SELECT MAX(id) FROM sync_runs WHERE account_id = a.id)) \
         ORDER BY a.id",
    )
    .bind(now)
    .bind(every_ms)
    .fetch_all(db.pool())
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::accounts::AccountProfile;
    use crate::platform::Platform;

    /// A Reddit account per (user, connected at); their ids.
    async fn accounts(db: &Database, users: &[(&str, i64)]) -> Vec<i64> {
        let mut ids = Vec::new();
        for (user, at) in users {
            let p = AccountProfile {
                platform: Platform::Reddit,
                platform_user_id: (*user).into(),
                username: None,
                display_name: None,
                avatar_url: None,
            };
            ids.push(db.accounts().upsert(&p, *at).await.unwrap());
        }
        ids
    }

    #[tokio::test]
    async fn due_accounts_follow_the_interval_and_pauses() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("s.db")).await.unwrap();
        let ids = accounts(&db, &[("a", 0), ("b", 0), ("c", 0)]).await;
        let hour = 3_600_000;
        // a: synced 10 minutes ago; b: synced 2 hours ago; c: paused until later.
        for (id, finished, status, resume) in [
            (ids[0], 50 * 60_000, "ok", None),
            (ids[1], 0, "ok", None),
            (ids[2], 55 * 60_000, "paused", Some(2 * hour)),
        ] {
            sqlx::query("INSERT INTO sync_runs (account_id, started_at, finished_at, status, resume_after) VALUES (?1, ?2, ?2, ?3, ?4)")
                .bind(id).bind(finished).bind(status).bind(resume)
                .execute(db.pool()).await.unwrap();
        }
        let now = hour;
        assert_eq!(due_accounts(&db, now, hour).await.unwrap(), vec![ids[1]]);
        // Later the pause is over and c is due as well.
        assert_eq!(due_accounts(&db, 3 * hour, hour).await.unwrap(), ids);
    }

    #[tokio::test]
    async fn stale_accounts_had_no_successful_sync_since_the_cut() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("s.db")).await.unwrap();
        let hour = 3_600_000;
        // a, b, c, d connected at 0; e connected at 10 h.
        let users = [("a", 0), ("b", 0), ("c", 0), ("d", 0), ("e", 10 * hour)];
        let ids = accounts(&db, &users).await;
        // a: ok at 9 h; b: ok at 1 h, failed at 9 h; c: never synced; d: ok at 1 h but
        // needs reconnecting (its own alert); e: new, not synced yet.
        for (id, finished, status) in [
            (ids[0], 9 * hour, "ok"),
            (ids[1], hour, "ok"),
            (ids[1], 9 * hour, "failed"),
            (ids[3], hour, "ok"),
        ] {
            let error = (status == "failed").then_some("platform.revoked: token refused");
            sqlx::query("INSERT INTO sync_runs (account_id, started_at, finished_at, status, error) VALUES (?1, ?2, ?2, ?3, ?4)")
                .bind(id).bind(finished).bind(status).bind(error)
                .execute(db.pool()).await.unwrap();
        }
        sqlx::query("UPDATE accounts SET status = 'needs_reconnect' WHERE id = ?1")
            .bind(ids[3])
            .execute(db.pool())
            .await
            .unwrap();
        let stale = stale_accounts(&db, 8 * hour).await.unwrap();
        assert_eq!(
            stale,
            vec![
                StaleSync {
                    account_id: ids[1],
                    last_ok: Some(hour),
                    connected_at: 0,
                    last_error: Some("platform.revoked: token refused".into()),
                },
                StaleSync {
                    account_id: ids[2],
                    last_ok: None,
                    connected_at: 0,
                    last_error: None,
                },
            ]
        );
        assert!(stale_accounts(&db, 0).await.unwrap().is_empty());
        assert_eq!(last_finished(&db).await.unwrap(), Some(9 * hour));
    }
}
