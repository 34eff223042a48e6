//! Insights sync: for each connected account, read its numbers from the platform and write
//! them into the local history (media upserted, one snapshot per metric per run), so the
//! dashboard works offline.
//!
//! Owns the plan of calls (fewest calls first: listings carry most counters; Instagram's
//! per-post insights only for recent posts or when a week old), quota awareness (every
//! answer's usage headers; a run pauses before the platform would throttle it and says when
//! to resume), deleted posts (marked, not removed), and the `sync_runs` history. One
//! account failing never stops the others.

mod store;

use std::time::Instant;

use serde::Serialize;

use crate::clock::SharedClock;
use crate::db::accounts::{Account, AccountStatus};
use crate::db::DbError;
use crate::error::{ErrorPayload, UserFacing};
use crate::oauth::tokens::RefreshOutcome;
use crate::oauth::{Connector, OAuthError};
use crate::platform::Platform;
use crate::platforms::insights::{metric, Usage};
use crate::platforms::PlatformError;
use crate::telemetry::metrics as m;

/// Errors that stop a whole sync (per-account failures are reported, not raised).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Some accounts could not be synced (see [`check`]); their reports say why.
    #[error("{count} account(s) could not be synced{}", first.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    AccountsFailed {
        /// How many.
        count: usize,
        /// The first failure's message.
        first: Option<String>,
    },
}

impl UserFacing for SyncError {
    fn code(&self) -> &'static str {
        match self {
            SyncError::Db(e) => e.code(),
            SyncError::AccountsFailed { .. } => "sync.failed",
        }
    }
}

/// For a front end that ends in an error when a sync left accounts behind: `Err` naming how
/// many failed and the first one's reason, `Ok` when none failed (paused ones are not
/// failures: they resume on their own).
pub fn check(reports: &[AccountSync]) -> Result<(), SyncError> {
    let failed: Vec<&AccountSync> = reports.iter().filter(|r| r.status == "failed").collect();
    match failed.first() {
        None => Ok(()),
        Some(first) => Err(SyncError::AccountsFailed {
            count: failed.len(),
            first: first.error.as_ref().map(|e| e.message.clone()),
        }),
    }
}

/// What to sync and how carefully.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Only this platform.
    pub platform: Option<Platform>,
    /// Only this account.
    pub account: Option<i64>,
    /// Pause when less than this fraction of the platform's quota is left.
    pub min_quota: f64,
    /// Most listing pages read per account and run.
    pub max_pages: usize,
    /// Posts younger than this get their detailed insights every run (days).
    pub recent_days: i64,
    /// Older posts get them when the last fetch is older than this (days).
    pub old_every_days: i64,
    /// Posts whose detailed insights are younger than this are skipped (ms): a run resumed
    /// after a quota pause or a restart continues where it stopped.
    pub min_refresh_ms: i64,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            platform: None,
            account: None,
            min_quota: 0.1,
            max_pages: 50,
            recent_days: 30,
            old_every_days: 7,
            min_refresh_ms: 3_600_000,
        }
    }
}

/// The outcome of one account's sync.
#[derive(Debug, Clone, Serialize)]
pub struct AccountSync {
    /// Account id.
    pub account_id: i64,
    /// Platform.
    pub platform: Platform,
    /// `ok`, `paused` (quota) or `failed`.
    pub status: &'static str,
    /// API calls made.
    pub calls: u32,
    /// Media seen.
    pub media: u32,
    /// Snapshots written.
    pub snapshots: u32,
    /// Media newly marked deleted.
    pub deleted: u32,
    /// New comments stored.
    pub comments: u32,
    /// When paused: seconds until the quota recovers, when known.
    pub resume_after_secs: Option<u64>,
    /// When failed: why.
    pub error: Option<ErrorPayload>,
}

impl AccountSync {
    /// A run of `account_id` that has done nothing yet, and nothing wrong.
    fn ok(account_id: i64, platform: Platform) -> Self {
        Self {
            account_id,
            platform,
            status: "ok",
            calls: 0,
            media: 0,
            snapshots: 0,
            deleted: 0,
            comments: 0,
            resume_after_secs: None,
            error: None,
        }
    }
}

/// Runs syncs.
#[derive(Debug, Clone)]
pub struct Syncer {
    connector: Connector,
    clock: SharedClock,
}

enum Stop {
    Paused(Option<u64>),
    Failed(ErrorPayload),
}

impl Syncer {
    /// A syncer using the connector's accounts and tokens.
    pub fn new(connector: Connector, clock: SharedClock) -> Self {
        Self { connector, clock }
    }

    /// Sync every matching active account; `progress` receives one line per step.
    pub async fn sync(
        &self,
        opts: &SyncOptions,
        progress: &(dyn Fn(&str) + Sync),
    ) -> Result<Vec<AccountSync>, SyncError> {
        let accounts: Vec<Account> = self
            .connector
            .db()
            .accounts()
            .list()
            .await?
            .into_iter()
            .filter(|a| a.status == AccountStatus::Active)
            .filter(|a| opts.platform.is_none_or(|p| a.platform == p))
            .filter(|a| opts.account.is_none_or(|id| a.id == id))
            .collect();
        let mut out = Vec::with_capacity(accounts.len());
        for account in &accounts {
            progress(&format!(
                "syncing {} account #{}…",
                account.platform.display_name(),
                account.id
            ));
            let report = self.sync_account(account, opts, progress).await?;
            progress(&format!(
                "{} #{}: {} ({} calls, {} media, {} snapshots)",
                account.platform,
                account.id,
                report.status,
                report.calls,
                report.media,
                report.snapshots
            ));
            out.push(report);
        }
        Ok(out)
    }

    async fn sync_account(
        &self,
        account: &Account,
        opts: &SyncOptions,
        progress: &(dyn Fn(&str) + Sync),
    ) -> Result<AccountSync, SyncError> {
        let db = self.connector.db();
        let started = Instant::now();
        let now = self.clock.now_millis();
        let run_id = store::start_run(db, account.id, now).await?;
        let mut report = AccountSync::ok(account.id, account.platform);
        let outcome = self
            .fetch_and_store(account, opts, now, &mut report, progress)
            .await;
        match outcome {
            Ok(()) => {}
            Err(Stop::Paused(resume)) => {
                report.status = "paused";
                report.resume_after_secs = resume;
            }
            Err(Stop::Failed(e)) => {
                report.status = "failed";
                report.error = Some(e);
            }
        }
        store::finish_run(db, run_id, self.clock.now_millis(), &report).await?;
        m::worker_run("sync", report.status != "failed", started.elapsed());
        Ok(report)
    }

    async fn fetch_and_store(
        &self,
        account: &Account,
        opts: &SyncOptions,
        now: i64,
        report: &mut AccountSync,
        progress: &(dyn Fn(&str) + Sync),
    ) -> Result<(), Stop> {
        let db = self.connector.db();
        let fail = |e: &dyn UserFacing| Stop::Failed(e.to_payload());
        // A throttled answer pauses the account's sync until the platform's reset hint.
        let platform_stop = |e: PlatformError| match e {
            PlatformError::RateLimited {
                retry_after_secs, ..
            } => Stop::Paused(retry_after_secs),
            other => fail(&OAuthError::from(other)),
        };
        let mut token = self
            .connector
            .access_token(account.id)
            .await
            .map_err(|e| fail(&e))?;
        let client = self
            .connector
            .client(account.platform)
            .await
            .map_err(|e| fail(&e))?;
        let check = |usage: Option<Usage>| -> Result<(), Stop> {
            match usage {
                Some(u) if u.remaining < opts.min_quota => Err(Stop::Paused(u.reset_secs)),
                _ => Ok(()),
            }
        };

        report.calls += 1;
        let (stats, usage) = match client.account_stats(&token).await {
            Ok(v) => v,
            // The platform no longer accepts the token (revoked, expired early): one forced
            // refresh; a refused refresh marks the account needs_reconnect.
            Err(PlatformError::Unauthorized { reason, .. }) => {
                report.calls += 1;
                let refreshed = self
                    .connector
                    .refresh(account.id, true)
                    .await
                    .map_err(|e| fail(&e))?;
                let retried = match refreshed {
                    RefreshOutcome::Refreshed => {
                        token = self
                            .connector
                            .access_token(account.id)
                            .await
                            .map_err(|e| fail(&e))?;
                        client.account_stats(&token).await
                    }
                    RefreshOutcome::NotNeeded => Err(PlatformError::Unauthorized {
                        platform: account.platform,
                        reason: reason.clone(),
                    }),
                };
                match retried {
                    Ok(v) => v,
                    Err(PlatformError::Unauthorized { reason, .. }) => {
                        self.connector
                            .mark_needs_reconnect(account.id, &reason)
                            .await
                            .map_err(|e| fail(&e))?;
                        return Err(fail(&OAuthError::NeedsReconnect {
                            platform: account.platform,
                            account: format!("#{}", account.id),
                            reason,
                        }));
                    }
                    Err(e) => return Err(platform_stop(e)),
                }
            }
            Err(e) => return Err(platform_stop(e)),
        };
        report.snapshots += store::snapshots(db, account.id, "account", account.id, &stats, now)
            .await
            .map_err(|e| fail(&e))?;
        check(usage)?;

        let mut cursor: Option<String> = None;
        let mut seen = Vec::new();
        let mut complete = false;
        for _ in 0..opts.max_pages {
            report.calls += 1;
            let (page, usage) = client
                .media_page(&token, account.username.as_deref(), cursor.as_deref())
                .await
                .map_err(platform_stop)?;
            let mut all_old_and_fresh = !page.items.is_empty();
            for item in &page.items {
                let (media_id, insights_at) = store::upsert_media(db, account.id, item, now)
                    .await
                    .map_err(|e| fail(&e))?;
                seen.push(item.id.clone());
                report.media += 1;
                report.snapshots +=
                    store::snapshots(db, account.id, "media", media_id, &item.metrics, now)
                        .await
                        .map_err(|e| fail(&e))?;
                let age_days = item.created_at.map(|c| (now - c) / 86_400_000).unwrap_or(0);
                // Comments only when their count went up since the last sync (one call each).
                let count = item
                    .metrics
                    .iter()
                    .find(|(m, _)| *m == metric::COMMENTS)
                    .map(|(_, v)| *v);
                let before = store::previous_comment_count(db, media_id, now)
                    .await
                    .map_err(|e| fail(&e))?;
                // On a first sync only recent posts' comments are read; older ones as they change.
                if count.is_some_and(|c| c > before.unwrap_or(0.0))
                    && (before.is_some() || age_days < opts.recent_days)
                {
                    check(usage)?;
                    report.calls += 1;
                    match client.media_comments(&token, &item.id).await {
                        Ok(Some((comments, usage))) => {
                            let new = store::upsert_comments(db, media_id, &comments)
                                .await
                                .map_err(|e| fail(&e))?;
                            report.comments += new.len() as u32;
                            // The same facts a comments webhook carries: without a relay,
                            // the events pipeline (notifications) learns of them here.
                            if account.platform == Platform::Instagram && !new.is_empty() {
                                let events: Vec<_> = new
                                    .iter()
                                    .map(|c| {
                                        crate::events::poll::instagram_comment(
                                            &account.platform_user_id,
                                            &item.id,
                                            &c.id,
                                            c.body.as_deref(),
                                            c.author.as_deref(),
                                            c.created_at.unwrap_or(now) / 1000,
                                        )
                                    })
                                    .collect();
                                crate::events::poll::record(db, &self.clock, &events, None)
                                    .await
                                    .map_err(|e| fail(&e))?;
                            }
                            check(usage)?;
                        }
                        Ok(None) => report.calls -= 1,
                        Err(PlatformError::RateLimited {
                            retry_after_secs, ..
                        }) => return Err(Stop::Paused(retry_after_secs)),
                        Err(e) => {
                            tracing::info!(media = %item.id, error = %e, "comments unavailable")
                        }
                    }
                }
                // Fetched within the hour (a run resumed after a pause or a restart):
                // skip, so the run continues where it stopped instead of starting over.
                let just_done = insights_at.is_some_and(|t| now - t < opts.min_refresh_ms);
                let recent = age_days < opts.recent_days && !just_done;
                let stale = insights_at.is_none_or(|t| now - t >= opts.old_every_days * 86_400_000);
                if !(recent || stale) {
                    continue;
                }
                all_old_and_fresh = false;
                if account.platform == Platform::Instagram && item.kind != "carousel_child" {
                    check(usage)?;
                    report.calls += 1;
                    let (metrics, usage) = match client.media_insights(&token, &item.id).await {
                        Ok(v) => v,
                        Err(PlatformError::RateLimited {
                            retry_after_secs, ..
                        }) => {
                            return Err(Stop::Paused(retry_after_secs));
                        }
                        Err(e) => {
                            // One post's insights (e.g. "not enough viewers") never fail the sync.
                            tracing::info!(media = %item.id, error = %e, "post insights unavailable");
                            continue;
                        }
                    };
                    report.snapshots +=
                        store::snapshots(db, account.id, "media", media_id, &metrics, now)
                            .await
                            .map_err(|e| fail(&e))?;
                    store::mark_insights(db, media_id, now)
                        .await
                        .map_err(|e| fail(&e))?;
                    check(usage)?;
                }
            }
            check(usage)?;
            match page.next {
                // Old posts refreshed within the week: the rest of the history can wait.
                Some(_) if all_old_and_fresh => break,
                Some(next) => cursor = Some(next),
                None => {
                    complete = true;
                    break;
                }
            }
            progress(&format!("  {} media so far", report.media));
        }
        if complete {
            report.deleted = store::mark_deleted(db, account.id, &seen, now)
                .await
                .map_err(|e| fail(&e))?;
        }
        Ok(())
    }
}

impl Syncer {
    /// The engine's sync schedule: every minute, sync the accounts whose last successful
    /// sync is older than `every` (so a stale account syncs at start) and paused accounts
    /// whose quota is back. Runs until `shutdown` resolves.
    pub async fn run_scheduler(
        &self,
        every: std::time::Duration,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        let tick = every.min(std::time::Duration::from_secs(60));
        loop {
            let now = self.clock.now_millis();
            match store::due_accounts(self.connector.db(), now, every.as_millis() as i64).await {
                Ok(due) => {
                    for account in due {
                        let opts = SyncOptions {
                            account: Some(account),
                            ..SyncOptions::default()
                        };
                        if let Err(e) = self.sync(&opts, &|line| tracing::info!("{line}")).await {
                            tracing::warn!(account, error = %e, "scheduled sync failed");
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot plan the sync"),
            }
            tokio::select! {
                _ = tokio::time::sleep(tick) => {}
                _ = &mut shutdown => return,
            }
        }
    }
}

/// The last runs of an account (newest first).
pub use store::{last_finished, recent_runs, stale_accounts, StaleSync, SyncRun};

#[cfg(test)]
mod tests {
    use super::*;

    fn report(status: &'static str, error: Option<&str>) -> AccountSync {
        AccountSync {
            status,
            error: error.map(|m| ErrorPayload {
                code: "platform.x".into(),
                message: m.into(),
            }),
            ..AccountSync::ok(1, Platform::Reddit)
        }
    }

    #[test]
    fn check_names_the_failures_and_lets_pauses_pass() {
        assert!(check(&[report("ok", None), report("paused", None)]).is_ok());
        let err = check(&[
            report("ok", None),
            report("failed", Some("token refused")),
            report("failed", Some("later")),
        ])
        .unwrap_err();
        assert_eq!(err.code(), "sync.failed");
        assert_eq!(
            err.to_string(),
            "2 account(s) could not be synced: token refused"
        );
    }
}
