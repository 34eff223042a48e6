//! Token upkeep: storing a token set atomically, refreshing before expiry with each
//! platform's rules, marking accounts that must reconnect, and disconnecting.
//!
//! Rules: TikTok access tokens live hours and its refresh tokens rotate (the new pair is
//! written in one transaction before the access token is used); Reddit access tokens live
//! about a day with a permanent refresh token; Instagram has no refresh token — the
//! long-lived token (60 days) refreshes itself, only once at least 24 hours old. A
//! cross-process lease makes sure only one process refreshes an account at a time.

use std::time::Duration;

use serde::Serialize;

use super::{AccountEvent, Connector, OAuthError};
use crate::db::accounts::{Account, AccountStatus};
use crate::platform::Platform;
use crate::platforms::{PlatformError, TokenSet};
use crate::telemetry::{metrics as m, redact};
use crate::vault::{SecretOwner, SecretValue, Vault};

const ACCESS: &str = "access_token";
const REFRESH: &str = "refresh_token";
const MINUTE: i64 = 60_000;
const DAY: i64 = 24 * 60 * MINUTE;
/// Refresh lease length: longer than the slowest possible HTTP call (15 s connect + 120 s).
const LEASE_MS: i64 = 5 * MINUTE;

/// Write a token set for an account in one transaction.
pub async fn store(vault: &Vault, account_id: i64, tokens: &TokenSet) -> Result<(), OAuthError> {
    let owner = SecretOwner::Account(account_id);
    let mut fields = vec![(ACCESS, &tokens.access_token, tokens.access_expires_at)];
    if let Some(r) = &tokens.refresh_token {
        fields.push((REFRESH, r, tokens.refresh_expires_at));
    }
    vault.put_all(&owner, &fields).await?;
    if tokens.refresh_token.is_none() {
        vault.delete(&owner, REFRESH).await?;
    }
    Ok(())
}

/// Whether an access token expiring at `expires_at` should be refreshed at `now`.
pub fn refresh_due(platform: Platform, expires_at: Option<i64>, now: i64) -> bool {
    let Some(expires_at) = expires_at else {
        return false;
    };
    let remaining = expires_at - now;
    match platform {
        // Refresh well before expiry; TikTok's and Reddit's tokens are short-lived.
        Platform::Tiktok | Platform::Reddit => remaining < 10 * MINUTE,
        // Long-lived tokens last 60 days and may only be refreshed once 24 h old: refresh
        // in their last 30 days (always older than 24 h), and never once expired.
        Platform::Instagram => remaining < 30 * DAY && remaining > 0,
    }
}

/// What a refresh did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefreshOutcome {
    /// New tokens stored.
    Refreshed,
    /// Not due yet (or another process just refreshed).
    NotNeeded,
}

/// Result of a disconnect.
#[derive(Debug, Clone, Serialize)]
pub struct DisconnectReport {
    /// Whether the platform revoked the token.
    pub revoked_at_platform: bool,
    /// Why it was not revoked, when it was not.
    pub revoke_note: Option<String>,
    /// Secrets deleted from the vault.
    pub secrets_deleted: u64,
    /// Jobs cancelled.
    pub jobs_cancelled: u64,
    /// Whether the account's history was deleted too.
    pub purged: bool,
}

fn label(a: &Account) -> String {
    match &a.username {
        Some(u) => format!("@{u}"),
        None => format!("#{}", a.id),
    }
}

impl Connector {
    /// A valid access token for the account, refreshing first when due. Never hands out a
    /// token that is known to be expired.
    pub async fn access_token(&self, account_id: i64) -> Result<SecretValue, OAuthError> {
        let account = self.account(account_id).await?;
        let owner = Self::account_owner(account_id);
        let (token, expires) = self
            .vault
            .get_with_expiry(&owner, ACCESS)
            .await?
            .ok_or_else(|| OAuthError::NeedsReconnect {
                platform: account.platform,
                account: label(&account),
                reason: "no token is stored".into(),
            })?;
        let now = self.clock().now_millis();
        if !refresh_due(account.platform, expires, now) && expires.is_none_or(|e| e > now) {
            return Ok(token);
        }
        if let Err(e) = self.refresh(account_id, false).await {
            // A transient failure while the current token is still valid: use it.
            let still_valid = expires.is_some_and(|e| e > now + MINUTE);
            if still_valid && !matches!(e, OAuthError::NeedsReconnect { .. }) {
                tracing::info!(account = account_id, error = %e, "refresh failed; the current token is still valid");
                return Ok(token);
            }
            return Err(e);
        }
        let (token, expires) = self
            .vault
            .get_with_expiry(&owner, ACCESS)
            .await?
            .ok_or_else(|| OAuthError::NeedsReconnect {
                platform: account.platform,
                account: label(&account),
                reason: "no token is stored".into(),
            })?;
        if expires.is_some_and(|e| e <= self.clock().now_millis()) {
            return Err(OAuthError::NeedsReconnect {
                platform: account.platform,
                account: label(&account),
                reason: "the access token expired and could not be refreshed".into(),
            });
        }
        Ok(token)
    }

    async fn account(&self, account_id: i64) -> Result<Account, OAuthError> {
        let account = self.db().accounts().get(account_id).await?.ok_or_else(|| {
            crate::db::DbError::NotFound(format!("no account with id {account_id}"))
        })?;
        match account.status {
            AccountStatus::Active => Ok(account),
            _ => Err(OAuthError::NeedsReconnect {
                platform: account.platform,
                account: label(&account),
                reason: account
                    .status_reason
                    .clone()
                    .unwrap_or_else(|| format!("the account is {}", account.status.as_str())),
            }),
        }
    }

    /// Take the account's cross-process lease, waiting up to 30 s for another holder.
    /// The lease outlives the longest HTTP call, and only its owner can release it.
    async fn lease(&self, account_id: i64) -> Result<String, OAuthError> {
        let owner = uuid::Uuid::new_v4().to_string();
        let accounts = self.db().accounts();
        let mut waited = Duration::ZERO;
        loop {
            let now = self.clock().now_millis();
            if accounts
                .take_refresh_lease(account_id, &owner, now, now + LEASE_MS)
                .await?
            {
                return Ok(owner);
            }
            if waited >= Duration::from_secs(30) {
                return Err(OAuthError::Db(crate::db::DbError::Sql(
                    "another Outpost process is refreshing this account; try again shortly".into(),
                )));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            waited += Duration::from_millis(200);
        }
    }

    /// Refresh an account's tokens if due (or always, with `force`).
    pub async fn refresh(
        &self,
        account_id: i64,
        force: bool,
    ) -> Result<RefreshOutcome, OAuthError> {
        self.account(account_id).await?;
        let owner = self.lease(account_id).await?;
        // Read the account again under the lease: it may have been disconnected meanwhile.
        let result = match self.account(account_id).await {
            Ok(account) => self.refresh_locked(&account, force).await,
            Err(e) => Err(e),
        };
        self.db()
            .accounts()
            .release_refresh_lease(account_id, &owner)
            .await?;
        result
    }

    async fn refresh_locked(
        &self,
        account: &Account,
        force: bool,
    ) -> Result<RefreshOutcome, OAuthError> {
        let owner = Self::account_owner(account.id);
        let now = self.clock().now_millis();
        let (access, expires) = match self.vault.get_with_expiry(&owner, ACCESS).await? {
            Some(pair) => pair,
            None => {
                return self
                    .mark_reconnect(account, "no token is stored".into())
                    .await
            }
        };
        if !force && !refresh_due(account.platform, expires, now) && expires.is_none_or(|e| e > now)
        {
            return Ok(RefreshOutcome::NotNeeded);
        }
        let grant = match account.platform {
            Platform::Instagram => {
                if expires.is_some_and(|e| e <= now) {
                    return self
                        .mark_reconnect(account, "the Instagram token expired".into())
                        .await;
                }
                // Instagram refuses to refresh a token younger than 24 hours (it was issued
                // for 60 days): not even a forced refresh is sent then.
                if expires.is_some_and(|e| e - now > 59 * DAY) {
                    return Ok(RefreshOutcome::NotNeeded);
                }
                access
            }
            Platform::Tiktok | Platform::Reddit => {
                match self.vault.get_with_expiry(&owner, REFRESH).await? {
                    Some((r, r_exp)) if r_exp.is_none_or(|e| e > now) => r,
                    Some(_) => {
                        return self
                            .mark_reconnect(account, "the refresh token expired".into())
                            .await
                    }
                    None => {
                        return self
                            .mark_reconnect(account, "no refresh token is stored".into())
                            .await
                    }
                }
            }
        };
        let client = self.client(account.platform).await?;
        match client.refresh(&grant, now).await {
            Ok(tokens) => {
                store(&self.vault, account.id, &tokens).await?;
                let scopes = (!tokens.scopes.is_empty()).then(|| tokens.scopes.join(" "));
                self.db()
                    .accounts()
                    .set_token_info(account.id, scopes.as_deref(), tokens.access_expires_at, now)
                    .await?;
                m::token_refresh(account.platform, true);
                tracing::info!(platform = %account.platform, account = account.id, "tokens refreshed");
                Ok(RefreshOutcome::Refreshed)
            }
            Err(PlatformError::InvalidGrant { reason, .. }) => {
                // If another process refreshed (and rotated) in the meantime, the grant we
                // sent is simply stale: nothing is wrong with the account.
                let field = if account.platform == Platform::Instagram {
                    ACCESS
                } else {
                    REFRESH
                };
                let current = self.vault.get(&owner, field).await?;
                if current.as_ref().is_some_and(|c| c != &grant) {
                    return Ok(RefreshOutcome::NotNeeded);
                }
                self.mark_reconnect(account, reason).await
            }
            Err(e) => {
                m::token_refresh(account.platform, false);
                Err(e.into())
            }
        }
    }

    /// Mark an account as needing a new sign-in (the platform refused its tokens in a way a
    /// refresh cannot fix); emits [`AccountEvent::NeedsReconnect`].
    pub async fn mark_needs_reconnect(
        &self,
        account_id: i64,
        reason: &str,
    ) -> Result<(), OAuthError> {
        let account = self.db().accounts().get(account_id).await?.ok_or_else(|| {
            crate::db::DbError::NotFound(format!("no account with id {account_id}"))
        })?;
        match self.mark_reconnect::<()>(&account, reason.to_owned()).await {
            Err(OAuthError::NeedsReconnect { .. }) | Ok(()) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn mark_reconnect<T>(&self, account: &Account, reason: String) -> Result<T, OAuthError> {
        let reason = redact::redact(&reason).into_owned();
        let now = self.clock().now_millis();
        self.db()
            .accounts()
            .set_status(
                account.id,
                AccountStatus::NeedsReconnect,
                Some(&reason),
                now,
            )
            .await?;
        // The event the desktop shell turns into a notification.
        tracing::warn!(
            event = "account.needs_reconnect",
            platform = %account.platform,
            account = account.id,
            reason = %reason,
            "account must be connected again"
        );
        m::token_refresh(account.platform, false);
        self.emit(AccountEvent::NeedsReconnect {
            account_id: account.id,
            platform: account.platform,
            reason: reason.clone(),
        });
        Err(OAuthError::NeedsReconnect {
            platform: account.platform,
            account: label(account),
            reason,
        })
    }

    /// Refresh due tokens every `every` until `shutdown` resolves: the engine's background
    /// refresher (`outpost run` and the desktop app host it). Each pass is a worker run in
    /// the metrics; a failing account never stops the others.
    pub async fn run_refresher(
        &self,
        every: Duration,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        loop {
            let started = std::time::Instant::now();
            let ok = match self.refresh_all(false).await {
                Ok(results) => {
                    for (account, r) in &results {
                        if let Err(e) = r {
                            tracing::warn!(platform = %account.platform, account = account.id, error = %e, "background refresh failed");
                        }
                    }
                    results.iter().all(|(_, r)| r.is_ok())
                }
                Err(e) => {
                    tracing::warn!(error = %e, "background refresh could not run");
                    false
                }
            };
            m::worker_run("token_refresher", ok, started.elapsed());
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = &mut shutdown => return,
            }
        }
    }

    /// Refresh every active account that is due; one failing never stops the others.
    pub async fn refresh_all(
        &self,
        force: bool,
    ) -> Result<Vec<(Account, Result<RefreshOutcome, OAuthError>)>, OAuthError> {
        let mut results = Vec::new();
        for account in self.db().accounts().list().await? {
            if account.status != AccountStatus::Active {
                continue;
            }
            let r = self.refresh(account.id, force).await;
            results.push((account, r));
        }
        Ok(results)
    }

    /// Revoke at the platform where possible, delete the secrets, cancel pending jobs; keep
    /// the account's history unless `purge`.
    pub async fn disconnect(
        &self,
        account_id: i64,
        purge: bool,
    ) -> Result<DisconnectReport, OAuthError> {
        let account = self.db().accounts().get(account_id).await?.ok_or_else(|| {
            crate::db::DbError::NotFound(format!("no account with id {account_id}"))
        })?;
        // Under the lease: a refresh in flight cannot store tokens after they are deleted.
        let lease = self.lease(account_id).await?;
        let result = self.disconnect_locked(&account, purge).await;
        self.db()
            .accounts()
            .release_refresh_lease(account_id, &lease)
            .await?;
        result
    }

    async fn disconnect_locked(
        &self,
        account: &Account,
        purge: bool,
    ) -> Result<DisconnectReport, OAuthError> {
        let account_id = account.id;
        let owner = Self::account_owner(account_id);
        let token_field = match account.platform {
            Platform::Reddit => REFRESH,
            _ => ACCESS,
        };
        let (revoked_at_platform, revoke_note) = match (
            self.vault.get(&owner, token_field).await,
            self.client(account.platform).await,
        ) {
            (Ok(Some(token)), Ok(client)) => match client.revoke(&token).await {
                Ok(true) => (true, None),
                Ok(false) => (
                    false,
                    Some(format!(
                        "{} has no revoke endpoint; remove Outpost under your account's apps and websites settings",
                        account.platform.display_name()
                    )),
                ),
                Err(e) => (false, Some(format!("could not revoke at the platform: {e}"))),
            },
            (Ok(None), _) => (false, Some("no token was stored".into())),
            (Err(e), _) => (false, Some(format!("the stored token could not be read: {e}"))),
            (_, Err(e)) => (false, Some(format!("could not reach the platform: {e}"))),
        };
        let revoke_note = revoke_note.map(|n| redact::redact(&n).into_owned());
        let secrets_deleted = self.vault.delete_owner(&owner).await?;
        let now = self.clock().now_millis();
        let jobs_cancelled = sqlx::query(
            "UPDATE jobs SET state = 'cancelled', updated_at = ?2 WHERE account_id = ?1 \
             AND state NOT IN ('published', 'failed', 'cancelled')",
        )
        .bind(account_id)
        .bind(now)
        .execute(self.db().pool())
        .await
        .map_err(crate::db::DbError::from)?
        .rows_affected();
        if purge {
            self.db().accounts().purge(account_id).await?;
        } else {
            self.db()
                .accounts()
                .set_status(
                    account_id,
                    AccountStatus::Disconnected,
                    Some("disconnected by you"),
                    now,
                )
                .await?;
        }
        tracing::info!(platform = %account.platform, account = account_id, purge, revoked_at_platform, "account disconnected");
        self.emit(AccountEvent::Disconnected {
            account_id,
            platform: account.platform,
        });
        Ok(DisconnectReport {
            revoked_at_platform,
            revoke_note,
            secrets_deleted,
            jobs_cancelled,
            purged: purge,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_rules_per_platform() {
        let now = 1_000 * DAY;
        assert!(!refresh_due(
            Platform::Tiktok,
            Some(now + 2 * 60 * MINUTE),
            now
        ));
        assert!(refresh_due(Platform::Tiktok, Some(now + 5 * MINUTE), now));
        assert!(refresh_due(Platform::Reddit, Some(now - MINUTE), now));
        assert!(!refresh_due(Platform::Instagram, Some(now + 59 * DAY), now));
        assert!(refresh_due(Platform::Instagram, Some(now + 29 * DAY), now));
        assert!(
            !refresh_due(Platform::Instagram, Some(now - DAY), now),
            "expired: only a new sign-in helps"
        );
        assert!(!refresh_due(Platform::Tiktok, None, now));
    }
}
