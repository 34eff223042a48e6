//! Hand-made test data for the analytics tests: a fresh database in a temporary directory
//! and helpers that insert accounts, posts and snapshots directly, at times given in days
//! and hours after [`T0`] (Monday 2026-01-05 00:00 UTC).

use tempfile::TempDir;

use super::{metric, DAY_MS, HOUR_MS};
use crate::db::Database;

/// Monday 2026-01-05T00:00:00Z, unix ms.
pub(crate) const T0: i64 = 1_767_571_200_000;

/// `T0` plus whole days and hours.
pub(crate) fn at(day: i64, hour: i64) -> i64 {
    T0 + day * DAY_MS + hour * HOUR_MS
}

/// A database with helpers to fill it.
pub(crate) struct Fixture {
    pub db: Database,
    _dir: TempDir,
}

impl Fixture {
    pub async fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("analytics.db"))
            .await
            .unwrap();
        Fixture { db, _dir: dir }
    }

    /// A new account; returns its id.
    pub async fn account(&self, platform: &str, user: &str) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO accounts (platform, platform_user_id, username, created_at, updated_at) \
             VALUES (?1, ?2, ?2, 0, 0) RETURNING id",
        )
        .bind(platform)
        .bind(user)
        .fetch_one(self.db.pool())
        .await
        .unwrap()
    }

    /// A post created at `created_at`; returns its id.
    pub async fn post(&self, account: i64, name: &str, created_at: Option<i64>) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO media (account_id, platform_media_id, caption, created_at) \
             VALUES (?1, ?2, ?2, ?3) RETURNING id",
        )
        .bind(account)
        .bind(name)
        .bind(created_at)
        .fetch_one(self.db.pool())
        .await
        .unwrap()
    }

    /// Mark a post deleted on the platform.
    pub async fn delete(&self, media: i64, at: i64) {
        sqlx::query("UPDATE media SET deleted_at = ?2 WHERE id = ?1")
            .bind(media)
            .bind(at)
            .execute(self.db.pool())
            .await
            .unwrap();
    }

    /// One snapshot.
    pub async fn snap(
        &self,
        account: i64,
        kind: &str,
        subject: i64,
        name: &str,
        value: f64,
        captured_at: i64,
    ) {
        sqlx::query(
            "INSERT INTO insight_snapshots (account_id, subject_kind, subject_id, metric, value, captured_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(account)
        .bind(kind)
        .bind(subject)
        .bind(name)
        .bind(value)
        .bind(captured_at)
        .execute(self.db.pool())
        .await
        .unwrap();
    }

    /// A followers snapshot of an account.
    pub async fn followers(&self, account: i64, value: f64, captured_at: i64) {
        self.snap(
            account,
            "account",
            account,
            metric::FOLLOWERS,
            value,
            captured_at,
        )
        .await;
    }

    /// Several counters of one post captured at the same time.
    pub async fn post_snaps(
        &self,
        account: i64,
        media: i64,
        captured_at: i64,
        values: &[(&str, f64)],
    ) {
        for (name, value) in values {
            self.snap(account, "media", media, name, *value, captured_at)
                .await;
        }
    }
}
