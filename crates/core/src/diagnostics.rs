//! The engine's health for a creator, as the desktop's Diagnostics page and `outpost
//! status` show it: alerts worth acting on (accounts to reconnect, insights not synced for
//! more than twice the sync interval, failed posts, and whatever the caller knows about its
//! engine), and the full report behind the page (the metrics as samples from
//! [`telemetry::samples`], the last lines of the JSON logs from [`telemetry::logs`]).
//!
//! Read-only: it reports from the database and the log files, and changes nothing.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;
use ts_rs::TS;

use crate::db::accounts::AccountStatus;
use crate::db::{Database, DbError};
use crate::error::UserFacing;
use crate::queue::{self, JobState, ListFilter, QueueError};
use crate::sync;
use crate::telemetry::logs::{self, LogLine};
use crate::telemetry::samples::{self, MetricSample};

/// Log lines a report carries by default.
pub const LOG_LINES: usize = 200;

/// Errors reading what the report needs.
#[derive(Debug, thiserror::Error)]
pub enum DiagnosticsError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The queue could not be listed.
    #[error(transparent)]
    Queue(#[from] QueueError),
}

impl UserFacing for DiagnosticsError {
    fn code(&self) -> &'static str {
        match self {
            DiagnosticsError::Db(e) => e.code(),
            DiagnosticsError::Queue(e) => e.code(),
        }
    }
}

/// How serious an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum AlertLevel {
    /// Worth a look.
    Warning,
    /// Something the creator must fix.
    Error,
}

/// An alert.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Alert {
    /// Warning or error.
    pub level: AlertLevel,
    /// For people.
    pub message: String,
}

/// The answer of `diagnostics`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Diagnostics {
    /// Metrics.
    pub metrics: Vec<MetricSample>,
    /// Recent log lines, oldest first.
    pub logs: Vec<LogLine>,
    /// Alerts.
    pub alerts: Vec<Alert>,
}

/// What the alerts are judged against.
#[derive(Debug, Clone)]
pub struct AlertOptions {
    /// Now, unix ms.
    pub now: i64,
    /// How often insights are synced: an account not synced for twice this is stale.
    pub sync_interval: Duration,
    /// Why the engine does not run in the caller's process, when the caller knows (shown
    /// first, as a warning).
    pub engine_not_running: Option<String>,
}

/// What a report reads besides the database.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// What the alerts are judged against.
    pub alerts: AlertOptions,
    /// The folder of the JSON log files (`Config::logs_dir`).
    pub logs_dir: PathBuf,
    /// Log lines to include, at most.
    pub log_lines: usize,
}

/// A duration for people: `45 s`, `12 min`, `13 h`, `3 days`.
fn span(ms: i64) -> String {
    let secs = ms.max(0) / 1000;
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => format!("{} min", secs / 60),
        3600..=172_799 => format!("{} h", secs / 3600),
        _ => format!("{} days", secs / 86_400),
    }
}

/// The alerts, most pressing kinds first: the engine, accounts to reconnect, stale
/// insights, failed posts.
pub async fn alerts(db: &Database, opts: &AlertOptions) -> Result<Vec<Alert>, DiagnosticsError> {
    let mut alerts = Vec::new();
    if let Some(reason) = &opts.engine_not_running {
        alerts.push(Alert {
            level: AlertLevel::Warning,
            message: reason.clone(),
        });
    }
    let accounts = db.accounts().list().await?;
    for a in accounts
        .iter()
        .filter(|a| a.status == AccountStatus::NeedsReconnect)
    {
        alerts.push(Alert {
            level: AlertLevel::Error,
            message: format!(
                "Reconnect {} account {}{}",
                a.platform.display_name(),
                a.name(),
                a.status_reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ),
        });
    }
    let interval_ms = i64::try_from(opts.sync_interval.as_millis()).unwrap_or(i64::MAX);
    let since = opts.now.saturating_sub(interval_ms.saturating_mul(2));
    for stale in sync::stale_accounts(db, since).await? {
        let Some(a) = accounts.iter().find(|a| a.id == stale.account_id) else {
            continue;
        };
        let every = span(interval_ms);
        let since_when = match stale.last_ok {
            Some(at) => format!("not synced for {}", span(opts.now - at)),
            None => format!(
                "never synced since it was connected {} ago",
                span(opts.now - stale.connected_at)
            ),
        };
        let why = match &stale.last_error {
            Some(e) => format!("the last attempt failed: {e}"),
            None => "the logs say why".to_owned(),
        };
        let message = format!(
            "Insights of {} account {} {since_when} (they sync every {every}); {why}",
            a.platform.display_name(),
            a.name(),
        );
        alerts.push(Alert {
            level: AlertLevel::Warning,
            message,
        });
    }
    let failed = queue::list(db, ListFilter::default(), opts.now)
        .await?
        .iter()
        .filter(|j| j.state == JobState::Failed)
        .count();
    if failed > 0 {
        alerts.push(Alert {
            level: AlertLevel::Warning,
            message: format!("{failed} post(s) failed; the queue says why"),
        });
    }
    Ok(alerts)
}

/// The Diagnostics page: every metric (this process's flushed first), the last log lines
/// and the alerts.
pub async fn report(db: &Database, opts: &ReportOptions) -> Result<Diagnostics, DiagnosticsError> {
    let metrics = samples::current(db).await?;
    let (dir, max) = (opts.logs_dir.clone(), opts.log_lines);
    let logs = tokio::task::spawn_blocking(move || logs::recent(&dir, max))
        .await
        .unwrap_or_default();
    Ok(Diagnostics {
        metrics,
        logs,
        alerts: alerts(db, &opts.alerts).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::accounts::AccountProfile;
    use crate::platform::Platform;

    const HOUR: i64 = 3_600_000;

    async fn db() -> (Database, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("d.db")).await.unwrap();
        (db, dir)
    }

    async fn account(db: &Database, platform: Platform, user: &str, at: i64) -> i64 {
        let p = AccountProfile {
            platform,
            platform_user_id: format!("{user}-id"),
            username: Some(user.into()),
            display_name: None,
            avatar_url: None,
        };
        db.accounts().upsert(&p, at).await.unwrap()
    }

    async fn synced(db: &Database, account: i64, at: i64, status: &str) {
        let error = (status == "failed").then_some("http.timeout: the platform did not answer");
        sqlx::query(
            "INSERT INTO sync_runs (account_id, started_at, finished_at, status, error) VALUES (?1, ?2, ?2, ?3, ?4)",
        )
        .bind(account)
        .bind(at)
        .bind(status)
        .bind(error)
        .execute(db.pool())
        .await
        .unwrap();
    }

    fn opts(now: i64) -> AlertOptions {
        AlertOptions {
            now,
            sync_interval: Duration::from_secs(6 * 3600),
            engine_not_running: None,
        }
    }

    #[test]
    fn spans_for_people() {
        assert_eq!(span(45_000), "45 s");
        assert_eq!(span(12 * 60_000), "12 min");
        assert_eq!(span(13 * HOUR), "13 h");
        assert_eq!(span(72 * HOUR), "3 days");
        assert_eq!(span(-5), "0 s");
    }

    #[tokio::test]
    async fn insights_older_than_twice_the_interval_raise_a_stale_sync_alert() {
        let (db, _dir) = db().await;
        let fresh = account(&db, Platform::Tiktok, "fresh", 0).await;
        let old = account(&db, Platform::Instagram, "old", 0).await;
        let never = account(&db, Platform::Reddit, "never", 0).await;
        let now = 30 * HOUR;
        // Within twice the 6 h interval (synced 11 h ago): fine.
        synced(&db, fresh, now - 11 * HOUR, "ok").await;
        // Last success 13 h ago; a failed run since does not count.
        synced(&db, old, now - 13 * HOUR, "ok").await;
        synced(&db, old, now - HOUR, "failed").await;
        let _ = never;
        let alerts = alerts(&db, &opts(now)).await.unwrap();
        assert_eq!(alerts.len(), 2, "{alerts:?}");
        assert!(alerts.iter().all(|a| a.level == AlertLevel::Warning));
        assert_eq!(
            alerts[0].message,
            "Insights of Instagram account old not synced for 13 h (they sync every 6 h); \
             the last attempt failed: http.timeout: the platform did not answer"
        );
        assert_eq!(
            alerts[1].message,
            "Insights of Reddit account never never synced since it was connected 30 h ago \
             (they sync every 6 h); the logs say why"
        );
        assert!(!alerts.iter().any(|a| a.message.contains("fresh")));
    }

    #[tokio::test]
    async fn a_new_account_is_not_stale_before_two_intervals_pass() {
        let (db, _dir) = db().await;
        let now = 100 * HOUR;
        account(&db, Platform::Tiktok, "new", now - 11 * HOUR).await;
        assert!(alerts(&db, &opts(now)).await.unwrap().is_empty());
        let later = alerts(&db, &opts(now + 2 * HOUR)).await.unwrap();
        assert_eq!(later.len(), 1, "{later:?}");
        assert!(later[0].message.contains("never synced"), "{later:?}");
    }

    #[tokio::test]
    async fn engine_reconnect_and_failed_posts_in_order() {
        let (db, _dir) = db().await;
        let now = 10 * HOUR;
        let id = account(&db, Platform::Reddit, "ridge", now).await;
        sqlx::query(
            "UPDATE accounts SET status = 'needs_reconnect', status_reason = 'refresh refused' WHERE id = ?1",
        )
        .bind(id)
        .execute(db.pool())
        .await
        .unwrap();
        let job = queue::NewJob {
            account_id: id,
            content_hash: "h".into(),
            source_path: "/videos/clip.mp4".into(),
            kind: "video".into(),
            options: serde_json::json!({}),
            publish_at: None,
            bytes_total: None,
        };
        let queue::Enqueued::New(job) = queue::enqueue(&db, &job, now).await.unwrap() else {
            unreachable!()
        };
        queue::transition(&db, job, JobState::Queued, JobState::Validating, None, now)
            .await
            .unwrap();
        queue::transition(
            &db,
            job,
            JobState::Validating,
            JobState::Failed,
            Some("too long"),
            now,
        )
        .await
        .unwrap();
        let alerts = alerts(
            &db,
            &AlertOptions {
                engine_not_running: Some("Another engine works the queue".into()),
                ..opts(now)
            },
        )
        .await
        .unwrap();
        assert_eq!(
            alerts,
            vec![
                Alert {
                    level: AlertLevel::Warning,
                    message: "Another engine works the queue".into()
                },
                Alert {
                    level: AlertLevel::Error,
                    message: "Reconnect Reddit account ridge: refresh refused".into()
                },
                Alert {
                    level: AlertLevel::Warning,
                    message: "1 post(s) failed; the queue says why".into()
                },
            ]
        );
    }

    #[tokio::test]
    async fn a_report_has_metrics_logs_and_alerts() {
        let (db, dir) = db().await;
        let logs_dir = dir.path().join("logs");
        std::fs::create_dir_all(&logs_dir).unwrap();
        std::fs::write(
            logs_dir.join("outpost.2026-11-25.jsonl"),
            "{\"timestamp\":\"2026-11-25T10:00:00Z\",\"level\":\"INFO\",\"fields\":{\"message\":\"engine started\"},\"target\":\"t\"}\n",
        )
        .unwrap();
        let report = report(
            &db,
            &ReportOptions {
                alerts: opts(HOUR),
                logs_dir,
                log_lines: LOG_LINES,
            },
        )
        .await
        .unwrap();
        assert_eq!(report.logs.len(), 1);
        assert_eq!(report.logs[0].message, "engine started");
        assert!(report.alerts.is_empty());
    }
}
