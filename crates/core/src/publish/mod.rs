//! Publishing: the queue's workers. A [`Publisher`] picks due jobs from `core::queue`,
//! runs each through its platform's pipeline (validate → upload → publish → processing →
//! published) with bounded concurrency per platform, and writes every step to SQLite
//! before the next one, so that a process killed at any moment resumes where it was and
//! never publishes twice:
//!
//! - an upload resumes from what the platform acknowledged (or restarts when its session
//!   expired: nothing was published yet);
//! - the irreversible publish call is preceded by the move to `publishing`; a job found in
//!   `publishing` after a restart asks the platform what happened instead of calling again;
//! - transient failures (network, 5xx, 429) are retried with backoff and jitter; refusals
//!   stop the job at once with the platform's reason; a refused sign-in marks the account
//!   `needs_reconnect`.
//!
//! Only one process works the queue of a data dir at a time ([`lock::EngineLock`]).

mod check;
mod files;
mod instagram;
pub mod lock;
pub mod media_host;
pub mod options;
mod reddit;
pub mod retry;
pub mod submit;
mod tiktok;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{broadcast, watch, Notify, Semaphore};
use tokio::task::JoinSet;
use ts_rs::TS;

use crate::clock::SharedClock;
use crate::config::{MissedSchedule, QueueSettings};
use crate::db::Database;
use crate::error::UserFacing;
use crate::oauth::tokens::RefreshOutcome;
use crate::oauth::{Connector, OAuthError};
use crate::platform::Platform;
use crate::platforms::{PlatformClient, PlatformError};
use crate::queue::{self, Changes, Job, JobState, Progress, QueueError};
use crate::telemetry::metrics as m;
use crate::vault::SecretValue;

pub use options::PostOptions;
pub use retry::RetryPolicy;
pub use tiktok::creator_info as tiktok_creator_info;

/// `next_attempt_at` of a scheduled post held until the creator says (missed while closed).
const HELD: i64 = i64::MAX;

/// Errors of publishing.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The post or file breaks a rule (ours or the platform's): fix it and retry.
    #[error("{message}")]
    Invalid {
        /// Stable code.
        code: &'static str,
        /// What is wrong, naming the limit and the value.
        message: String,
    },
    /// A platform call failed.
    #[error(transparent)]
    Platform(#[from] PlatformError),
    /// Signing in to the account failed.
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    /// The queue's storage.
    #[error(transparent)]
    Queue(#[from] QueueError),
    /// The media host (Instagram's public URLs for local files) failed.
    #[error(transparent)]
    MediaHost(#[from] media_host::MediaHostError),
    /// A file could not be read or moved.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl PublishError {
    /// A rule broken by the post or file.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        PublishError::Invalid {
            code,
            message: message.into(),
        }
    }

    fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        PublishError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

impl UserFacing for PublishError {
    fn code(&self) -> &'static str {
        match self {
            PublishError::Invalid { code, .. } => code,
            PublishError::Platform(e) => e.code(),
            PublishError::OAuth(e) => e.code(),
            PublishError::Queue(e) => e.code(),
            PublishError::MediaHost(e) => e.code(),
            PublishError::Io { .. } => "publish.io",
        }
    }
}

impl From<crate::db::DbError> for PublishError {
    fn from(e: crate::db::DbError) -> Self {
        PublishError::Queue(QueueError::Db(e))
    }
}

/// What happened to a job, for the UI, notifications and `outpost publish --wait`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct JobUpdate {
    /// Job id.
    pub job: i64,
    /// Platform.
    pub platform: Platform,
    /// Account label.
    pub account: String,
    /// State now.
    pub state: JobState,
    /// The step, for people.
    pub step: Option<String>,
    /// Bytes acknowledged.
    pub bytes_acked: i64,
    /// Bytes in all.
    pub bytes_total: Option<i64>,
    /// The error, when it failed or will be retried.
    pub error: Option<String>,
}

/// Why a job's run stopped before its end.
#[derive(Debug)]
enum Halt {
    /// Classified by [`Publisher::settle`].
    Error(PublishError),
    /// The platform's posting quota is used up until `until` (unix ms).
    Quota { until: i64, message: String },
    /// Look again at `until` without changing state (processing, not ready yet).
    Wait { until: i64, step: String },
    /// The engine is stopping: leave the job where it is; it resumes at next start.
    Stopped,
    /// The creator paused the queue.
    Paused,
    /// Someone else moved the job (the creator cancelled it).
    Gone,
}

impl<E: Into<PublishError>> From<E> for Halt {
    fn from(e: E) -> Self {
        match e.into() {
            PublishError::Queue(QueueError::Conflict { .. }) => Halt::Gone,
            other => Halt::Error(other),
        }
    }
}

type Step<T = ()> = Result<T, Halt>;

struct Inner {
    connector: Connector,
    clock: SharedClock,
    settings: QueueSettings,
    retry: RetryPolicy,
    updates: broadcast::Sender<JobUpdate>,
    wake: Notify,
    stop: watch::Receiver<bool>,
    running: Mutex<HashSet<i64>>,
    slots: HashMap<Platform, Arc<Semaphore>>,
}

/// The queue's workers.
#[derive(Clone)]
pub struct Publisher {
    inner: Arc<Inner>,
    stop_tx: Arc<watch::Sender<bool>>,
}

impl std::fmt::Debug for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publisher").finish_non_exhaustive()
    }
}

impl Publisher {
    /// Workers over the connector's database, with `settings`.
    pub fn new(connector: Connector, clock: SharedClock, settings: QueueSettings) -> Publisher {
        let (stop_tx, stop) = watch::channel(false);
        let (updates, _) = broadcast::channel(4096);
        let slots = Platform::ALL
            .into_iter()
            .map(|p| {
                (
                    p,
                    Arc::new(Semaphore::new(settings.concurrency_per_platform)),
                )
            })
            .collect();
        let retry = RetryPolicy {
            base: Duration::from_millis(settings.retry_base_ms.max(1)),
            max: Duration::from_secs(settings.retry_max_secs.max(1)),
            max_attempts: settings.max_attempts,
        };
        Publisher {
            inner: Arc::new(Inner {
                connector,
                clock,
                settings,
                retry,
                updates,
                wake: Notify::new(),
                stop,
                running: Mutex::new(HashSet::new()),
                slots,
            }),
            stop_tx: Arc::new(stop_tx),
        }
    }

    /// Updates of every job from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<JobUpdate> {
        self.inner.updates.subscribe()
    }

    /// Look for due jobs now (a job was queued, retried or resumed).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    fn db(&self) -> &Database {
        self.inner.connector.db()
    }

    /// Work the queue until `stop` completes; then let every job reach a safe point (the
    /// chunk in flight finishes; nothing is left half-written) and return.
    pub async fn run(
        &self,
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<(), PublishError> {
        let _ = self.stop_tx.send(false);
        self.recover().await?;
        let mut tasks = JoinSet::new();
        tokio::pin!(stop);
        let poll = Duration::from_millis(500);
        loop {
            if let Err(e) = self.start_due(&mut tasks).await {
                tracing::warn!(error = %e, "queue: could not read due jobs");
            }
            tokio::select! {
                _ = &mut stop => break,
                _ = self.inner.wake.notified() => {}
                _ = tokio::time::sleep(poll) => {}
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        let _ = self.stop_tx.send(true);
        while tasks.join_next().await.is_some() {}
        Ok(())
    }

    /// At start: jobs another process left half-way go back to the queue (their upload
    /// session and progress are kept, and each resumes by asking the platform), and
    /// scheduled posts whose time passed while Outpost was closed follow the setting.
    async fn recover(&self) -> Result<(), PublishError> {
        let now = self.inner.clock.now_millis();
        for job in queue::orphans(self.db()).await? {
            tracing::info!(job = job.id, state = %job.state, "queue: resuming a job left by a stopped process");
            let changes = Changes {
                step_detail: Some("resuming after a restart".into()),
                ..Changes::default()
            };
            match queue::transition_with(
                self.db(),
                job.id,
                job.state,
                JobState::Queued,
                Some("resumed after a restart"),
                now,
                &changes,
            )
            .await
            {
                Ok(()) | Err(QueueError::Conflict { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        if self.inner.settings.missed_schedule == MissedSchedule::Ask {
            sqlx::query(
                "UPDATE jobs SET next_attempt_at = ?2, step_detail = 'its scheduled time passed while Outpost was closed: retry it to publish now' \
                 WHERE state = 'queued' AND publish_at IS NOT NULL AND publish_at < ?1 AND next_attempt_at IS NULL AND attempts = 0",
            )
            .bind(now)
            .bind(HELD)
            .execute(self.db().pool())
            .await
            .map_err(|e| PublishError::Queue(e.into()))?;
        } else {
            // Back to "publish": what was held for the creator goes now.
            sqlx::query(
                "UPDATE jobs SET next_attempt_at = NULL, step_detail = NULL WHERE state = 'queued' AND next_attempt_at = ?1",
            )
            .bind(HELD)
            .execute(self.db().pool())
            .await
            .map_err(|e| PublishError::Queue(e.into()))?;
        }
        Ok(())
    }

    fn is_running(&self, job: i64) -> bool {
        self.inner
            .running
            .lock()
            .expect("running set")
            .contains(&job)
    }

    async fn start_due(&self, tasks: &mut JoinSet<()>) -> Result<(), PublishError> {
        if queue::is_paused(self.db()).await? {
            return Ok(());
        }
        let now = self.inner.clock.now_millis();
        // A job left validating or uploading with no task here (its outcome could not be
        // written) goes back to the queue; this process is the only engine.
        for job in queue::orphans(self.db()).await? {
            if self.is_running(job.id) {
                continue;
            }
            let changes = Changes {
                next_attempt_at: Some(now + 1_000),
                ..Changes::default()
            };
            let _ = queue::transition_with(
                self.db(),
                job.id,
                job.state,
                JobState::Queued,
                Some("picked up again"),
                now,
                &changes,
            )
            .await;
        }
        for job in queue::due(self.db(), now, 64).await? {
            if self.is_running(job.id) {
                continue;
            }
            let Ok(permit) = self.inner.slots[&job.platform].clone().try_acquire_owned() else {
                continue;
            };
            self.inner
                .running
                .lock()
                .expect("running set")
                .insert(job.id);
            let this = self.clone();
            tasks.spawn(async move {
                let id = job.id;
                this.run_job(job).await;
                this.inner.running.lock().expect("running set").remove(&id);
                drop(permit);
                this.inner.wake.notify_one();
            });
        }
        Ok(())
    }

    /// Run one job as far as it goes now.
    async fn run_job(&self, job: Job) {
        let id = job.id;
        let began = std::time::Instant::now();
        let result = self.drive(job).await;
        let job = match queue::get(self.db(), id).await {
            Ok(Some(j)) => j,
            _ => return,
        };
        let ok = result.is_ok()
            || matches!(
                result,
                Err(Halt::Wait { .. } | Halt::Stopped | Halt::Paused | Halt::Quota { .. })
            );
        m::worker_run("publish", ok, began.elapsed());
        if let Err(halt) = result {
            self.settle(job, halt).await;
        } else {
            self.emit(&job, None);
            if job.state.is_terminal() {
                self.forget_secrets(job.id).await;
            }
            if let Err(e) = files::after_final(self.db(), &self.inner.settings, &job).await {
                tracing::warn!(job = id, error = %e, "queue: could not tidy the published file");
            }
        }
    }

    async fn drive(&self, mut job: Job) -> Step {
        if job.state == JobState::WaitingForQuota {
            queue::transition(
                self.db(),
                job.id,
                job.state,
                JobState::Queued,
                Some("quota window passed"),
                self.now(),
            )
            .await?;
            job.state = JobState::Queued;
        }
        let opts = PostOptions::parse(job.platform, &job.options).map_err(Halt::Error)?;
        let client = self.inner.connector.client(job.platform).await?;
        let token = self.inner.connector.access_token(job.account_id).await?;
        let mut ctx = JobCtx {
            p: self,
            job,
            opts,
            client,
            token,
        };
        if ctx.job.state == JobState::Queued {
            ctx.go(JobState::Validating, None, Changes::default())
                .await?;
        }
        match ctx.job.platform {
            Platform::Tiktok => tiktok::drive(&mut ctx).await,
            Platform::Instagram => instagram::drive(&mut ctx).await,
            Platform::Reddit => reddit::drive(&mut ctx).await,
        }
    }

    /// Decide what a halted job becomes.
    async fn settle(&self, job: Job, halt: Halt) {
        let now = self.now();
        let db = self.db();
        let result = match halt {
            Halt::Stopped | Halt::Gone => Ok(()),
            Halt::Paused => {
                if job.state == JobState::Uploading || job.state == JobState::Validating {
                    let changes = Changes {
                        step_detail: Some("paused".into()),
                        ..Changes::default()
                    };
                    queue::transition_with(
                        db,
                        job.id,
                        job.state,
                        JobState::Queued,
                        Some("paused"),
                        now,
                        &changes,
                    )
                    .await
                } else {
                    Ok(())
                }
            }
            Halt::Wait { until, step } => {
                if matches!(job.state, JobState::Validating | JobState::Uploading) {
                    // Only queued, publishing and processing jobs are picked up again.
                    let changes = Changes {
                        next_attempt_at: Some(until),
                        step_detail: Some(step.clone()),
                        ..Changes::default()
                    };
                    queue::transition_with(
                        db,
                        job.id,
                        job.state,
                        JobState::Queued,
                        Some(&step),
                        now,
                        &changes,
                    )
                    .await
                } else {
                    self.hold(&job, until, &step, None, None).await
                }
            }
            Halt::Quota { until, message } => {
                let changes = Changes {
                    next_attempt_at: Some(until),
                    error_code: Some("publish.quota".into()),
                    step_detail: Some(message.clone()),
                    ..Changes::default()
                };
                match job.state {
                    JobState::Uploading | JobState::Queued => {
                        queue::transition_with(
                            db,
                            job.id,
                            job.state,
                            JobState::WaitingForQuota,
                            Some(&message),
                            now,
                            &changes,
                        )
                        .await
                    }
                    JobState::Validating => {
                        let r = queue::transition_with(
                            db,
                            job.id,
                            job.state,
                            JobState::Uploading,
                            Some("checked"),
                            now,
                            &Changes::default(),
                        )
                        .await;
                        match r {
                            Ok(()) => {
                                queue::transition_with(
                                    db,
                                    job.id,
                                    JobState::Uploading,
                                    JobState::WaitingForQuota,
                                    Some(&message),
                                    now,
                                    &changes,
                                )
                                .await
                            }
                            Err(e) => Err(e),
                        }
                    }
                    _ => {
                        self.hold(&job, until, &message, Some("publish.quota"), Some(&message))
                            .await
                    }
                }
            }
            Halt::Error(e) => self.settle_error(&job, e).await,
        };
        if let Err(e) = result {
            if !matches!(e, QueueError::Conflict { .. }) {
                tracing::warn!(job = job.id, error = %e, "queue: could not record the job's outcome");
            }
        }
        if let Ok(Some(job)) = queue::get(db, job.id).await {
            match job.state {
                JobState::Failed => m::publish(job.platform, "failed"),
                JobState::WaitingForQuota => m::publish(job.platform, "quota"),
                _ => {}
            }
            self.emit(&job, job.last_error.clone());
            if job.state.is_terminal() {
                self.forget_secrets(job.id).await;
                if let Err(e) = files::after_final(db, &self.inner.settings, &job).await {
                    tracing::warn!(job = job.id, error = %e, "queue: could not write the error file");
                }
            }
        }
    }

    async fn settle_error(&self, job: &Job, e: PublishError) -> Result<(), QueueError> {
        let message = crate::telemetry::redact::redact(&e.to_string()).into_owned();
        let code = e.code().to_owned();
        // A refused sign-in: one forced refresh, then the account must be reconnected.
        if let PublishError::Platform(PlatformError::Unauthorized { reason, .. }) = &e {
            match self.inner.connector.refresh(job.account_id, true).await {
                Ok(RefreshOutcome::Refreshed) => {
                    return self
                        .retry_later(job, "signed in again", &code, Some(Duration::ZERO))
                        .await;
                }
                Ok(RefreshOutcome::NotNeeded) | Err(_) => {
                    let _ = self
                        .inner
                        .connector
                        .mark_needs_reconnect(job.account_id, reason)
                        .await;
                    let text = format!(
                        "{message}. Reconnect the account (outpost connect {}) and retry the job.",
                        job.platform.as_str()
                    );
                    return self.fail(job, "account.needs_reconnect", &text).await;
                }
            }
        }
        if let PublishError::OAuth(OAuthError::NeedsReconnect { .. }) = &e {
            let text = format!(
                "{message}. Reconnect the account (outpost connect {}) and retry the job.",
                job.platform.as_str()
            );
            return self.fail(job, "account.needs_reconnect", &text).await;
        }
        let transient = match &e {
            PublishError::Platform(p) => p.is_transient(),
            PublishError::OAuth(OAuthError::Platform(p)) => p.is_transient(),
            PublishError::OAuth(OAuthError::Http(_)) => true,
            PublishError::Queue(QueueError::Db(_)) => true,
            PublishError::MediaHost(e) => e.is_transient(),
            _ => false,
        };
        if !transient {
            return self.fail(job, &code, &message).await;
        }
        let hint = match &e {
            PublishError::Platform(p) => p.retry_after_secs().map(Duration::from_secs),
            _ => None,
        };
        self.retry_later(job, &message, &code, hint).await
    }

    async fn retry_later(
        &self,
        job: &Job,
        message: &str,
        code: &str,
        hint: Option<Duration>,
    ) -> Result<(), QueueError> {
        let attempts = u32::try_from(job.attempts).unwrap_or(u32::MAX);
        let in_upload = matches!(
            job.state,
            JobState::Validating | JobState::Uploading | JobState::Queued
        );
        // Throttling passes by itself: it never uses up the job's attempts.
        let throttled = code == "platform.rate_limited";
        if in_upload && !throttled && !self.inner.retry.allows(attempts) {
            let text = format!("gave up after {attempts} attempts: {message}");
            return self.fail(job, code, &text).await;
        }
        let delay = match hint {
            Some(d) if d.is_zero() => Duration::ZERO,
            _ => self.inner.retry.delay(attempts.max(1), hint),
        };
        let until = self.now() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2);
        let step = format!("retrying in {}: {message}", human_delay(delay));
        tracing::info!(job = job.id, state = %job.state, delay_ms = delay.as_millis() as u64, error = %message, "queue: transient failure");
        if in_upload && job.state != JobState::Queued {
            let changes = Changes {
                next_attempt_at: Some(until),
                error_code: Some(code.to_owned()),
                step_detail: Some(step.clone()),
                ..Changes::default()
            };
            queue::transition_with(
                self.db(),
                job.id,
                job.state,
                JobState::Queued,
                Some(message),
                self.now(),
                &changes,
            )
            .await
        } else {
            self.hold(job, until, &step, Some(code), Some(message))
                .await
        }
    }

    /// Keep the job in its state and look again at `until`.
    async fn hold(
        &self,
        job: &Job,
        until: i64,
        step: &str,
        code: Option<&str>,
        error: Option<&str>,
    ) -> Result<(), QueueError> {
        sqlx::query(
            "UPDATE jobs SET next_attempt_at = ?3, step_detail = ?4, last_error_code = COALESCE(?5, last_error_code), \
             last_error = COALESCE(?6, last_error), updated_at = ?7 WHERE id = ?1 AND state = ?2",
        )
        .bind(job.id)
        .bind(job.state.as_str())
        .bind(until)
        .bind(step)
        .bind(code)
        .bind(error)
        .bind(self.now())
        .execute(self.db().pool())
        .await?;
        Ok(())
    }

    async fn fail(&self, job: &Job, code: &str, message: &str) -> Result<(), QueueError> {
        tracing::warn!(job = job.id, platform = %job.platform.as_str(), code, error = %message, "queue: job failed");
        let changes = Changes {
            error_code: Some(code.to_owned()),
            ..Changes::default()
        };
        let from = job.state;
        if from == JobState::Queued {
            // Queued cannot fail directly: it fails while being validated.
            queue::transition(
                self.db(),
                job.id,
                from,
                JobState::Validating,
                None,
                self.now(),
            )
            .await?;
            return queue::transition_with(
                self.db(),
                job.id,
                JobState::Validating,
                JobState::Failed,
                Some(message),
                self.now(),
                &changes,
            )
            .await;
        }
        queue::transition_with(
            self.db(),
            job.id,
            from,
            JobState::Failed,
            Some(message),
            self.now(),
            &changes,
        )
        .await
    }

    /// Drop what a finished job kept in the vault (a TikTok upload link).
    async fn forget_secrets(&self, job: i64) {
        let owner = crate::vault::SecretOwner::Other(format!("job:{job}"));
        if let Err(e) = self.inner.connector.vault().delete_owner(&owner).await {
            tracing::warn!(job, error = %e, "queue: could not delete the job's secrets");
        }
    }

    fn emit(&self, job: &Job, error: Option<String>) {
        let _ = self.inner.updates.send(JobUpdate {
            job: job.id,
            platform: job.platform,
            account: job.account.clone(),
            state: job.state,
            step: job.step_detail.clone(),
            bytes_acked: job.bytes_acked,
            bytes_total: job.bytes_total,
            error,
        });
    }

    fn now(&self) -> i64 {
        self.inner.clock.now_millis()
    }
}

fn human_delay(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0 => "a moment".into(),
        1..=119 => format!("{s} s"),
        120..=7199 => format!("{} min", s / 60),
        _ => format!("{} h", s / 3600),
    }
}

/// One job being driven, with what its pipeline needs.
struct JobCtx<'a> {
    p: &'a Publisher,
    job: Job,
    opts: PostOptions,
    client: PlatformClient,
    token: SecretValue,
}

impl JobCtx<'_> {
    fn db(&self) -> &Database {
        self.p.db()
    }

    fn now(&self) -> i64 {
        self.p.now()
    }

    fn settings(&self) -> &QueueSettings {
        &self.p.inner.settings
    }

    /// Move the job on (from the state it is in), recording `changes` in the same write.
    async fn go(&mut self, to: JobState, detail: Option<&str>, changes: Changes) -> Step {
        queue::transition_with(
            self.db(),
            self.job.id,
            self.job.state,
            to,
            detail,
            self.now(),
            &changes,
        )
        .await?;
        match (self.job.state, to) {
            (JobState::Uploading, JobState::Publishing) => {
                m::upload(
                    self.job.platform,
                    true,
                    u64::try_from(self.job.bytes_acked).unwrap_or(0),
                );
            }
            (_, JobState::Published) => m::publish(self.job.platform, "published"),
            _ => {}
        }
        self.job.state = to;
        if let Some(id) = changes.publish_id {
            self.job.platform_publish_id = Some(id);
        }
        if let Some(id) = changes.media_id {
            self.job.platform_media_id = Some(id);
        }
        if let Some(s) = changes.session {
            self.job.upload_session = Some(s);
        }
        self.job.step_detail = changes.step_detail;
        self.p.emit(&self.job, None);
        Ok(())
    }

    /// Record progress; stops with [`Halt::Gone`] when the job was cancelled meanwhile.
    async fn progress(&mut self, progress: Progress<'_>) -> Step {
        queue::save_progress(
            self.db(),
            self.job.id,
            self.job.state,
            &progress,
            self.now(),
        )
        .await?;
        if let Some(b) = progress.bytes_acked {
            self.job.bytes_acked = b;
        }
        if let Some(c) = progress.chunks_acked {
            self.job.chunks_acked = c;
        }
        if let Some(s) = progress.session {
            self.job.upload_session = Some(s.clone());
        }
        if let Some(s) = progress.step {
            self.job.step_detail = Some(s.to_owned());
        }
        self.p.emit(&self.job, None);
        Ok(())
    }

    /// A safe point between two steps: stop here if the engine is stopping or the queue
    /// was paused.
    async fn checkpoint(&self) -> Step {
        if *self.p.inner.stop.borrow() {
            return Err(Halt::Stopped);
        }
        if queue::is_paused(self.db()).await.map_err(Halt::from)? {
            return Err(Halt::Paused);
        }
        Ok(())
    }

    /// Wait `delay` (a status poll), returning early with [`Halt::Stopped`] when the engine
    /// stops.
    async fn sleep(&self, delay: Duration) -> Step {
        let mut stop = self.p.inner.stop.clone();
        tokio::select! {
            _ = tokio::time::sleep(delay) => Ok(()),
            _ = stop.wait_for(|s| *s) => Err(Halt::Stopped),
        }
    }

    fn poll_interval(&self) -> Duration {
        Duration::from_secs(self.settings().status_poll_secs)
    }

    /// The local file of the job (not for URL sources).
    fn file(&self) -> PathBuf {
        PathBuf::from(&self.job.source_path)
    }

    /// When the account's posting window frees a place: the oldest post Outpost published
    /// in the last `window_ms` leaves it then (an hour from now when Outpost knows of none).
    /// Returns the time (unix ms) and its text for people.
    async fn quota_frees_at(&self, window_ms: i64) -> Result<(i64, String), Halt> {
        let oldest: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(updated_at) FROM jobs WHERE account_id = ?1 AND state = 'published' AND updated_at > ?2",
        )
        .bind(self.job.account_id)
        .bind(self.now() - window_ms)
        .fetch_one(self.db().pool())
        .await
        .map_err(|e| Halt::from(QueueError::from(e)))?;
        let until = oldest.map_or(self.now() + 3_600_000, |t| t + window_ms);
        let at = chrono::DateTime::from_timestamp_millis(until)
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default();
        Ok((until, at))
    }

    /// The account's id on the platform.
    async fn account_user_id(&self) -> Result<String, Halt> {
        let account = self
            .db()
            .accounts()
            .get(self.job.account_id)
            .await
            .map_err(|e| Halt::Error(e.into()))?
            .ok_or(Halt::Gone)?;
        Ok(account.platform_user_id)
    }

    fn session_str(&self, key: &str) -> Option<String> {
        self.job
            .upload_session
            .as_ref()
            .and_then(|s| s.get(key))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    }
}

/// Whether a job's source is a URL the platform fetches itself.
pub fn is_url_source(source: &str) -> bool {
    source.starts_with("https://") || source.starts_with("http://")
}
