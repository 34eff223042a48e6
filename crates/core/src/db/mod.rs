//! The SQLite database: one file, WAL, foreign keys on, a busy timeout, and the embedded
//! migrations from the workspace's `migrations/` applied at open.
//!
//! Owns the connection pool and the repositories (one submodule per table group). A
//! database written by a newer Outpost (a migration this build does not know) is refused
//! before anything is written.

pub mod accounts;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use crate::error::UserFacing;

static MIGRATOR: Migrator = sqlx::migrate!("../../migrations");

/// Errors from the database layer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The file was written by a newer Outpost.
    #[error(
        "the database {path} was written by a newer version of Outpost (schema {found}, this \
         version knows up to {supported}); upgrade Outpost, or point --data-dir elsewhere. \
         The file was not modified"
    )]
    NewerSchema {
        /// Database file.
        path: PathBuf,
        /// Highest migration version in the file.
        found: i64,
        /// Highest migration this build knows.
        supported: i64,
    },
    /// The disk (or the file system's quota) is full.
    #[error("the disk is full: Outpost could not write to its database. Free some space and retry; nothing was lost")]
    DiskFull,
    /// The file is not a usable SQLite database.
    #[error("the database {path} cannot be opened: {reason}")]
    Open {
        /// Database file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Migrations failed.
    #[error("the database schema could not be updated: {0}")]
    Migrate(String),
    /// A row asked for does not exist (the message says what to do).
    #[error("{0}")]
    NotFound(String),
    /// Any other SQL error.
    #[error("database error: {0}")]
    Sql(String),
}

impl UserFacing for DbError {
    fn code(&self) -> &'static str {
        match self {
            DbError::NewerSchema { .. } => "db.newer_schema",
            DbError::DiskFull => "db.disk_full",
            DbError::Open { .. } => "db.open",
            DbError::Migrate(_) => "db.migrate",
            DbError::NotFound(_) => "db.not_found",
            DbError::Sql(_) => "db.sql",
        }
    }
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        if is_disk_full(&e) {
            return DbError::DiskFull;
        }
        DbError::Sql(e.to_string())
    }
}

/// Whether an error is SQLite's "database or disk is full" (SQLITE_FULL, code 13).
pub fn is_disk_full(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            db.code().as_deref() == Some("13") || db.message().contains("disk is full")
        }
        sqlx::Error::Io(io) => io.raw_os_error() == Some(28), // ENOSPC
        _ => false,
    }
}

/// The open database.
#[derive(Debug, Clone)]
pub struct Database {
    pool: SqlitePool,
    path: PathBuf,
}

impl Database {
    /// Open (creating if missing) the database at `path` and bring its schema up to date.
    pub async fn open(path: &Path) -> Result<Database, DbError> {
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(|e| DbError::Open {
                path: path.to_owned(),
                reason: e.to_string(),
            })?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| {
                if is_disk_full(&e) {
                    DbError::DiskFull
                } else {
                    DbError::Open {
                        path: path.to_owned(),
                        reason: e.to_string(),
                    }
                }
            })?;
        let db = Database {
            pool,
            path: path.to_owned(),
        };
        db.refuse_newer_schema().await?;
        MIGRATOR.run(&db.pool).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::Execute(inner) if is_disk_full(&inner) => {
                DbError::DiskFull
            }
            other => DbError::Migrate(other.to_string()),
        })?;
        Ok(db)
    }

    /// The connection pool, for repositories.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A transaction that takes the write lock at once (`BEGIN IMMEDIATE`), waiting up to
    /// the busy timeout for it. A read-then-write transaction begun the default (deferred)
    /// way fails at once with "database is locked" when another connection writes between
    /// its read and its write; this one waits its turn instead.
    pub async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Highest applied migration version.
    pub async fn schema_version(&self) -> Result<i64, DbError> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = 1")
                .fetch_one(&self.pool)
                .await?;
        Ok(v.unwrap_or(0))
    }

    /// Highest migration version this build knows.
    pub fn supported_schema_version() -> i64 {
        MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Close the pool, checkpointing the WAL.
    pub async fn close(self) {
        self.pool.close().await;
    }

    async fn refuse_newer_schema(&self) -> Result<(), DbError> {
        let has_table: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(|e| DbError::Open {
            path: self.path.clone(),
            reason: e.to_string(),
        })?;
        if has_table == 0 {
            return Ok(());
        }
        let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations")
            .fetch_all(&self.pool)
            .await?;
        let known: BTreeSet<i64> = MIGRATOR.iter().map(|m| m.version).collect();
        if let Some(&unknown) = applied.iter().filter(|v| !known.contains(v)).max() {
            return Err(DbError::NewerSchema {
                path: self.path.clone(),
                found: unknown,
                supported: Self::supported_schema_version(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn open_applies_migrations_with_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("t.db")).await.unwrap();
        assert_eq!(
            db.schema_version().await.unwrap(),
            Database::supported_schema_version()
        );
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(fk, 1);
        for table in [
            "accounts",
            "secrets",
            "oauth_states",
            "media",
            "insight_snapshots",
            "comments",
            "jobs",
            "job_events",
            "platform_events",
            "vault_keys",
        ] {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name=?",
            )
            .bind(table)
            .fetch_one(db.pool())
            .await
            .unwrap();
            assert_eq!(n, 1, "table {table}");
        }
        // Reopening is a no-op.
        db.close().await;
        let again = Database::open(&dir.path().join("t.db")).await.unwrap();
        assert_eq!(
            again.schema_version().await.unwrap(),
            Database::supported_schema_version()
        );
    }

    #[tokio::test]
    async fn database_from_a_newer_outpost_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let db = Database::open(&path).await.unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
             VALUES (99990101000000, 'from the future', CURRENT_TIMESTAMP, 1, x'00', 0)",
        )
        .execute(db.pool())
        .await
        .unwrap();
        let before = schema_fingerprint(&db).await;
        db.close().await;
        let err = Database::open(&path).await.unwrap_err();
        assert!(
            matches!(
                err,
                DbError::NewerSchema {
                    found: 99990101000000,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("newer version of Outpost"));
        assert_eq!(err.code(), "db.newer_schema");
        let raw = SqlitePoolOptions::new()
            .connect_with(SqliteConnectOptions::new().filename(&path))
            .await
            .unwrap();
        let after = schema_fingerprint(&Database {
            pool: raw,
            path: path.clone(),
        })
        .await;
        assert!(
            before == after,
            "the schema or migration history was modified"
        );
    }

    async fn schema_fingerprint(db: &Database) -> String {
        sqlx::query_scalar(
            "SELECT (SELECT group_concat(version) FROM _sqlx_migrations) || '|' || \
             (SELECT group_concat(sql) FROM sqlite_master)",
        )
        .fetch_one(db.pool())
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn a_file_that_is_not_sqlite_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        std::fs::write(&path, vec![0x42u8; 8192]).unwrap();
        let err = Database::open(&path).await.unwrap_err();
        assert!(
            err.to_string().contains("cannot be opened")
                || err.to_string().contains("not a database"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn foreign_keys_are_enforced() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("t.db")).await.unwrap();
        let err =
            sqlx::query("INSERT INTO media (account_id, platform_media_id) VALUES (424242, 'x')")
                .execute(db.pool())
                .await
                .unwrap_err();
        assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
    }
}
