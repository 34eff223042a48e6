//! Repository of connected platform accounts (profile and status; tokens are in the vault).

use serde::Serialize;
use sqlx::Row;
use ts_rs::TS;

use super::{Database, DbError};
use crate::platform::Platform;

/// Account status as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Tokens are valid (as far as Outpost knows).
    Active,
    /// A refresh was rejected; the creator must connect again.
    NeedsReconnect,
    /// Disconnected by the creator; history kept.
    Disconnected,
}

impl AccountStatus {
    /// Stable name, as in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::NeedsReconnect => "needs_reconnect",
            AccountStatus::Disconnected => "disconnected",
        }
    }

    fn parse(s: &str) -> Result<Self, DbError> {
        match s {
            "active" => Ok(Self::Active),
            "needs_reconnect" => Ok(Self::NeedsReconnect),
            "disconnected" => Ok(Self::Disconnected),
            other => Err(DbError::Sql(format!("unknown account status {other:?}"))),
        }
    }
}

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Account {
    /// Local id.
    pub id: i64,
    /// Platform.
    pub platform: Platform,
    /// The platform's user id (TikTok open_id, Instagram user id, Reddit id).
    pub platform_user_id: String,
    /// Handle.
    pub username: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// Avatar URL.
    pub avatar_url: Option<String>,
    /// Status.
    pub status: AccountStatus,
    /// Why the status is what it is (e.g. the platform's reason for needs_reconnect).
    pub status_reason: Option<String>,
}

impl Account {
    /// How the account is named to people: its handle, or the platform's user id when it
    /// has none.
    pub fn name(&self) -> &str {
        self.username.as_deref().unwrap_or(&self.platform_user_id)
    }
}

/// Profile fields for an upsert.
#[derive(Debug, Clone)]
pub struct AccountProfile {
    /// Platform.
    pub platform: Platform,
    /// The platform's user id.
    pub platform_user_id: String,
    /// Handle.
    pub username: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// Avatar URL.
    pub avatar_url: Option<String>,
}

/// Insert, or update the profile of the account with the same (platform, user id), on a
/// connection or inside a transaction; a reconnected account becomes active again.
pub async fn upsert_on(
    conn: &mut sqlx::SqliteConnection,
    profile: &AccountProfile,
    now_millis: i64,
) -> Result<i64, DbError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (platform, platform_user_id, username, display_name, avatar_url, status, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6, ?6) \
         ON CONFLICT (platform, platform_user_id) DO UPDATE SET \
           username = excluded.username, display_name = excluded.display_name, \
           avatar_url = excluded.avatar_url, status = 'active', status_reason = NULL, \
           updated_at = excluded.updated_at \
         RETURNING id",
    )
    .bind(profile.platform.as_str())
    .bind(&profile.platform_user_id)
    .bind(&profile.username)
    .bind(&profile.display_name)
    .bind(&profile.avatar_url)
    .bind(now_millis)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// Record granted scopes and the access token's expiry, on a connection or in a transaction.
pub async fn set_token_info_on(
    conn: &mut sqlx::SqliteConnection,
    id: i64,
    scopes: Option<&str>,
    expires_at: Option<i64>,
    now_millis: i64,
) -> Result<(), DbError> {
    sqlx::query("UPDATE accounts SET scopes = COALESCE(?2, scopes), token_expires_at = ?3, updated_at = ?4 WHERE id = ?1")
        .bind(id)
        .bind(scopes)
        .bind(expires_at)
        .bind(now_millis)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Accounts table access.
#[derive(Debug, Clone)]
pub struct Accounts<'a> {
    db: &'a Database,
}

impl Database {
    /// The accounts repository.
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts { db: self }
    }
}

impl Accounts<'_> {
    /// Insert, or update the profile of the account with the same (platform, user id);
    /// a reconnected account becomes active again. Returns the local id.
    pub async fn upsert(&self, profile: &AccountProfile, now_millis: i64) -> Result<i64, DbError> {
        let mut conn = self.db.pool().acquire().await?;
        upsert_on(&mut conn, profile, now_millis).await
    }

    /// Number of accounts (any status).
    pub async fn count(&self) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
            .fetch_one(self.db.pool())
            .await?)
    }

    /// All accounts, by platform then id.
    pub async fn list(&self) -> Result<Vec<Account>, DbError> {
        self.select("", None).await
    }

    async fn select(&self, filter: &'static str, id: Option<i64>) -> Result<Vec<Account>, DbError> {
        let sql = format!(
            "SELECT id, platform, platform_user_id, username, display_name, avatar_url, status, status_reason \
             FROM accounts {filter} ORDER BY platform, id"
        );
        let mut query = sqlx::query(&sql);
        if let Some(id) = id {
            query = query.bind(id);
        }
        let rows = query.fetch_all(self.db.pool()).await?;
        rows.iter()
            .map(|row| {
                let platform: String = row.get("platform");
                Ok(Account {
                    id: row.get("id"),
                    platform: platform
                        .parse()
                        .map_err(|e: crate::platform::UnknownPlatform| {
                            DbError::Sql(e.to_string())
                        })?,
                    platform_user_id: row.get("platform_user_id"),
                    username: row.get("username"),
                    display_name: row.get("display_name"),
                    avatar_url: row.get("avatar_url"),
                    status: AccountStatus::parse(row.get::<&str, _>("status"))?,
                    status_reason: row.get("status_reason"),
                })
            })
            .collect()
    }

    /// One account by local id.
    pub async fn get(&self, id: i64) -> Result<Option<Account>, DbError> {
        Ok(self
            .select("WHERE id = ?1", Some(id))
            .await?
            .into_iter()
            .next())
    }

    /// Find an account from what a person typed: its local id, `platform:username`,
    /// `platform` (when it has one account) or a username unique across platforms.
    pub async fn find(&self, selector: &str) -> Result<Account, DbError> {
        let all = self.list().await?;
        let selector = selector.trim();
        if let Ok(id) = selector.parse::<i64>() {
            return all.into_iter().find(|a| a.id == id).ok_or_else(|| {
                DbError::NotFound(format!(
                    "no account with id {id}; `outpost accounts` lists them"
                ))
            });
        }
        let (platform, name) = match selector.split_once(':') {
            Some((p, n)) => (
                Some(
                    p.parse::<Platform>()
                        .map_err(|e| DbError::NotFound(e.to_string()))?,
                ),
                Some(n),
            ),
            None => match selector.parse::<Platform>() {
                Ok(p) => (Some(p), None),
                Err(_) => (None, Some(selector)),
            },
        };
        let matches: Vec<Account> = all
            .into_iter()
            .filter(|a| platform.is_none_or(|p| a.platform == p))
            .filter(|a| {
                name.is_none_or(|n| {
                    let n = n.trim_start_matches('@');
                    a.username.as_deref() == Some(n) || a.platform_user_id == n
                })
            })
            .collect();
        match matches.len() {
            1 => Ok(matches.into_iter().next().expect("one")),
            0 => Err(DbError::NotFound(format!(
                "no account matches {selector:?}; `outpost accounts` lists them"
            ))),
            n => Err(DbError::NotFound(format!(
                "{n} accounts match {selector:?}; use the id from `outpost accounts`"
            ))),
        }
    }

    /// Record granted scopes and the access token's expiry after a connect or refresh.
    pub async fn set_token_info(
        &self,
        id: i64,
        scopes: Option<&str>,
        expires_at: Option<i64>,
        now_millis: i64,
    ) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE accounts SET scopes = COALESCE(?2, scopes), token_expires_at = ?3, updated_at = ?4 WHERE id = ?1",
        )
        .bind(id)
        .bind(scopes)
        .bind(expires_at)
        .bind(now_millis)
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// Take the refresh lease until `until` (unix ms) if nobody holds it. `true` when taken.
    pub async fn take_refresh_lease(
        &self,
        id: i64,
        owner: &str,
        now_millis: i64,
        until: i64,
    ) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE accounts SET refresh_lease_until = ?3, refresh_lease_owner = ?4 WHERE id = ?1 \
             AND (refresh_lease_until IS NULL OR refresh_lease_until <= ?2)",
        )
        .bind(id)
        .bind(now_millis)
        .bind(until)
        .bind(owner)
        .execute(self.db.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Give the refresh lease back (only if this owner still holds it).
    pub async fn release_refresh_lease(&self, id: i64, owner: &str) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE accounts SET refresh_lease_until = NULL, refresh_lease_owner = NULL \
             WHERE id = ?1 AND refresh_lease_owner = ?2",
        )
        .bind(id)
        .bind(owner)
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// Delete an account and everything recorded about it (media, insights, comments, jobs).
    pub async fn purge(&self, id: i64) -> Result<(), DbError> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query("DELETE FROM jobs WHERE account_id = ?1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM accounts WHERE id = ?1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Access token expiry (unix ms), if known.
    pub async fn token_expires_at(&self, id: i64) -> Result<Option<i64>, DbError> {
        Ok(
            sqlx::query_scalar("SELECT token_expires_at FROM accounts WHERE id = ?1")
                .bind(id)
                .fetch_optional(self.db.pool())
                .await?
                .flatten(),
        )
    }

    /// Set an account's status with a reason for people.
    pub async fn set_status(
        &self,
        id: i64,
        status: AccountStatus,
        reason: Option<&str>,
        now_millis: i64,
    ) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE accounts SET status = ?1, status_reason = ?2, updated_at = ?3 WHERE id = ?4",
        )
        .bind(status.as_str())
        .bind(reason)
        .bind(now_millis)
        .bind(id)
        .execute(self.db.pool())
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(user: &str, name: &str) -> AccountProfile {
        AccountProfile {
            platform: Platform::Tiktok,
            platform_user_id: user.into(),
            username: Some(name.into()),
            display_name: None,
            avatar_url: None,
        }
    }

    #[tokio::test]
    async fn reconnecting_the_same_user_updates_instead_of_duplicating() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("t.db")).await.unwrap();
        let a = db
            .accounts()
            .upsert(&profile("u1", "first"), 1)
            .await
            .unwrap();
        db.accounts()
            .set_status(a, AccountStatus::NeedsReconnect, Some("revoked"), 2)
            .await
            .unwrap();
        let b = db
            .accounts()
            .upsert(&profile("u1", "renamed"), 3)
            .await
            .unwrap();
        assert_eq!(a, b);
        db.accounts()
            .upsert(&profile("u2", "other"), 4)
            .await
            .unwrap();
        let list = db.accounts().list().await.unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].username.as_deref(), Some("renamed"));
        assert_eq!(list[0].status, AccountStatus::Active);
        assert_eq!(db.accounts().count().await.unwrap(), 2);
    }
}
