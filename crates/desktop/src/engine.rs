//! The engine inside the app, as `outpost run` hosts it: the upload queue's workers
//! (`Publisher`), watched folders (`Watcher`), the insights schedule (`Syncer`), the token
//! refresher and the platform events processor, on Tauri's tokio runtime. It holds the
//! data dir's engine lock; when another engine (`outpost run`, another app) holds it, the
//! window still works and that engine works the queue.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use outpost_core::config::Config;
use outpost_core::db::Database;
use outpost_core::oauth::Connector;
use outpost_core::publish::lock::EngineLock;
use outpost_core::publish::Publisher;
use outpost_core::sync::Syncer;
use outpost_core::telemetry::metrics;
use outpost_core::watch::{registry, Outcome, WatchOptions, Watcher};
use outpost_core::{clock, events};
use tauri::async_runtime::{self, JoinHandle};
use tokio::sync::{watch, Mutex, Notify};

/// How often due tokens are looked for.
const REFRESH_EVERY: Duration = Duration::from_secs(300);
/// How often this process's metrics are added to the shared totals.
const FLUSH_EVERY: Duration = Duration::from_secs(30);
/// How long stopping waits for the workers to reach a safe point.
const STOP_WAIT: Duration = Duration::from_secs(10);

/// The running engine.
pub struct Engine {
    db: Database,
    stop_tx: watch::Sender<bool>,
    interval_tx: watch::Sender<Duration>,
    watch_restart: Arc<Notify>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    /// Why this process does not work the queue (another engine holds the lock).
    pub not_running: Option<String>,
    /// Held while the workers run; released by `stop` (a restart's new process takes it).
    lock: std::sync::Mutex<Option<EngineLock>>,
}

/// What the engine runs over.
pub struct Parts {
    /// Configuration.
    pub config: Arc<Config>,
    /// Database.
    pub db: Database,
    /// Connector.
    pub connector: Connector,
    /// The queue's workers.
    pub publisher: Publisher,
    /// Insights sync.
    pub syncer: Syncer,
    /// Sync interval to start with.
    pub sync_interval: Duration,
}

async fn stopped(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}

impl Engine {
    /// Take the engine lock and start every worker (or none, when the lock is held).
    pub async fn start(parts: Parts) -> Engine {
        let (stop_tx, stop_rx) = watch::channel(false);
        let (interval_tx, interval_rx) = watch::channel(parts.sync_interval);
        let watch_restart = Arc::new(Notify::new());
        let lock = match EngineLock::try_acquire(&parts.config.data_dir) {
            Ok(lock) => lock,
            Err(e) => {
                tracing::warn!(error = %e, "engine not started here");
                return Engine {
                    db: parts.db,
                    stop_tx,
                    interval_tx,
                    watch_restart,
                    tasks: Mutex::new(Vec::new()),
                    not_running: Some(format!(
                        "Another Outpost engine works this data folder's queue ({e}); uploads, sync and watched folders run there, not in this window."
                    )),
                    lock: std::sync::Mutex::new(None),
                };
            }
        };
        let mut tasks = Vec::new();
        let Parts {
            config,
            db,
            connector,
            publisher,
            syncer,
            ..
        } = parts;

        let p = publisher.clone();
        let rx = stop_rx.clone();
        tasks.push(async_runtime::spawn(async move {
            if let Err(e) = p.run(stopped(rx)).await {
                tracing::error!(error = %e, "the upload queue stopped");
            }
        }));

        let processor =
            events::Processor::new(db.clone(), clock::system()).with_connector(connector.clone());
        let rx = stop_rx.clone();
        tasks.push(async_runtime::spawn(async move {
            processor
                .run(
                    Arc::new(Notify::new()),
                    Duration::from_secs(30),
                    stopped(rx),
                )
                .await;
        }));

        let c = connector.clone();
        let rx = stop_rx.clone();
        tasks.push(async_runtime::spawn(async move {
            c.run_refresher(REFRESH_EVERY, stopped(rx)).await;
        }));

        let rx = stop_rx.clone();
        tasks.push(async_runtime::spawn(schedule(syncer, interval_rx, rx)));

        let rx = stop_rx.clone();
        tasks.push(async_runtime::spawn(watch_folders(
            db.clone(),
            config.clone(),
            publisher.clone(),
            watch_restart.clone(),
            rx,
        )));

        let flush_db = db.clone();
        let stop = stopped(stop_rx.clone());
        tasks.push(async_runtime::spawn(async move {
            tokio::pin!(stop);
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(FLUSH_EVERY) => flush(&flush_db).await,
                    _ = &mut stop => return,
                }
            }
        }));
        tracing::info!("engine started");
        Engine {
            db,
            stop_tx,
            interval_tx,
            watch_restart,
            tasks: Mutex::new(tasks),
            not_running: None,
            lock: std::sync::Mutex::new(Some(lock)),
        }
    }

    /// Use a new sync interval from now on.
    pub fn set_sync_interval(&self, every: Duration) {
        let _ = self.interval_tx.send(every);
    }

    /// Watched folders changed: restart the watcher over the new list.
    pub fn folders_changed(&self) {
        self.watch_restart.notify_one();
    }

    /// Stop every worker (uploads stop after their chunk in flight) and save the metrics.
    pub async fn stop(&self) {
        // A restart stops the engine before the app exits, which stops it again.
        if self.stop_tx.send_replace(true) {
            return;
        }
        let tasks: Vec<_> = std::mem::take(&mut *self.tasks.lock().await);
        let all = futures_join(tasks);
        if tokio::time::timeout(STOP_WAIT, all).await.is_err() {
            tracing::warn!("the engine did not stop within {STOP_WAIT:?}");
        }
        flush(&self.db).await;
        if let Ok(mut lock) = self.lock.lock() {
            lock.take();
        }
        tracing::info!("engine stopped");
    }
}

async fn futures_join(tasks: Vec<JoinHandle<()>>) {
    for t in tasks {
        let _ = t.await;
    }
}

async fn flush(db: &Database) {
    if let Err(e) = metrics::install().flush(db).await {
        tracing::warn!(error = %e, "could not save metrics");
    }
}

/// The insights schedule, restarted when the interval changes.
async fn schedule(
    syncer: Syncer,
    mut interval: watch::Receiver<Duration>,
    stop: watch::Receiver<bool>,
) {
    loop {
        let every = *interval.borrow_and_update();
        let mut stop_rx = stop.clone();
        let mut changed = interval.clone();
        syncer
            .run_scheduler(every, async move {
                tokio::select! {
                    _ = stop_rx.wait_for(|s| *s) => {}
                    _ = changed.changed() => {}
                }
            })
            .await;
        if *stop.borrow() {
            return;
        }
    }
}

/// The watched folders' watcher, restarted when the list changes; queued files wake the
/// queue.
async fn watch_folders(
    db: Database,
    config: Arc<Config>,
    publisher: Publisher,
    restart: Arc<Notify>,
    stop: watch::Receiver<bool>,
) {
    let options = WatchOptions {
        settle: Duration::from_millis(config.queue.settle_ms),
        ..WatchOptions::default()
    };
    loop {
        let folders: Vec<PathBuf> = match registry::list(&db, &config.watch_folders).await {
            Ok(list) => list
                .into_iter()
                .map(|f| f.path)
                .filter(|p| {
                    let ok = p.is_dir();
                    if !ok {
                        tracing::warn!(folder = %p.display(), "watched folder is missing; skipped");
                    }
                    ok
                })
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, "could not list watched folders");
                Vec::new()
            }
        };
        let watcher = if folders.is_empty() {
            None
        } else {
            match Watcher::start(db.clone(), clock::system(), folders, options).await {
                Ok(w) => Some(w),
                Err(e) => {
                    tracing::warn!(error = %e, "could not watch the folders");
                    None
                }
            }
        };
        let mut reports = watcher.as_ref().map(Watcher::subscribe);
        let stop_now = stopped(stop.clone());
        tokio::pin!(stop_now);
        let stopping = loop {
            tokio::select! {
                _ = &mut stop_now => break true,
                _ = restart.notified() => break false,
                r = async {
                    match reports.as_mut() {
                        Some(rx) => rx.recv().await,
                        None => std::future::pending().await,
                    }
                } => match r {
                    Ok(report) => match &report.outcome {
                        Ok(Outcome::Queued { .. }) => publisher.wake(),
                        Ok(Outcome::Invalid { reason, .. }) => {
                            tracing::info!(file = %report.path.display(), %reason, "not queued")
                        }
                        Ok(Outcome::Changed) => {}
                        Err(e) => tracing::warn!(file = %report.path.display(), error = %e, "could not queue"),
                    },
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => publisher.wake(),
                    Err(_) => reports = None,
                },
            }
        };
        if let Some(w) = watcher {
            w.shutdown().await;
        }
        if stopping {
            return;
        }
    }
}
