//! The watcher: file-system events (debounced by `notify-debouncer-full`) and a startup
//! rescan feed a set of pending files; each is re-stat'ed on every poll until it settles,
//! then handed to [`process_candidate`]. One task per [`Watcher`], stopped by
//! [`Watcher::shutdown`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use notify_debouncer_full::notify::RecursiveMode;
use notify_debouncer_full::{new_debouncer, DebounceEventResult};
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;

use super::filter::{classify, Classification};
use super::scan::{process_candidate, scan_folder, Candidate, Outcome};
use super::settle::{FileStamp, SettleTracker};
use super::WatchError;
use crate::clock::SharedClock;
use crate::db::Database;

/// Timings of a watcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchOptions {
    /// How long size and modification time must stay unchanged before a file counts.
    pub settle: Duration,
    /// Debounce window of file-system events.
    pub debounce: Duration,
    /// How often pending files are checked.
    pub poll: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            settle: Duration::from_secs(3),
            debounce: Duration::from_millis(500),
            poll: Duration::from_millis(500),
        }
    }
}

/// What the watcher did with a file (for notifications and the UI).
#[derive(Debug, Clone)]
pub struct Report {
    /// The media file.
    pub path: PathBuf,
    /// What became of it; `Err` holds the message of a storage or I/O failure (the file is
    /// tried again after another settle window).
    pub outcome: Result<Outcome, String>,
}

/// A running watcher over some folders.
#[derive(Debug)]
pub struct Watcher {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    reports: broadcast::Sender<Report>,
}

impl Watcher {
    /// Watch `folders` (not their subfolders): rescan them now (files added while Outpost
    /// was not running), then follow their events until [`Watcher::shutdown`].
    pub async fn start(
        db: Database,
        clock: SharedClock,
        folders: Vec<PathBuf>,
        options: WatchOptions,
    ) -> Result<Watcher, WatchError> {
        let folders = tokio::task::spawn_blocking(move || {
            folders
                .iter()
                .map(|f| std::fs::canonicalize(f).map_err(|e| WatchError::io(f, e)))
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(|e| WatchError::Watch {
            path: PathBuf::new(),
            reason: e.to_string(),
        })??;

        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let mut debouncer = new_debouncer(
            options.debounce,
            None,
            move |result: DebounceEventResult| {
                let _ = events_tx.send(result);
            },
        )
        .map_err(|e| WatchError::Watch {
            path: folders.first().cloned().unwrap_or_default(),
            reason: e.to_string(),
        })?;
        for folder in &folders {
            debouncer
                .watch(folder, RecursiveMode::NonRecursive)
                .map_err(|e| WatchError::Watch {
                    path: folder.clone(),
                    reason: e.to_string(),
                })?;
        }

        let (stop, stop_rx) = watch::channel(false);
        let (reports, _) = broadcast::channel(1024);
        let state = Loop {
            db,
            tracker: SettleTracker::new(clock.clone(), options.settle),
            clock,
            folders,
            pending: BTreeSet::new(),
            reports: reports.clone(),
        };
        let task = tokio::spawn(async move {
            state.run(events_rx, stop_rx, options.poll).await;
            // Joins the debouncer's thread (up to one of its ticks).
            let _ = tokio::task::spawn_blocking(move || debouncer.stop()).await;
        });
        Ok(Watcher {
            stop,
            task,
            reports,
        })
    }

    /// Reports of what happens to each file from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Report> {
        self.reports.subscribe()
    }

    /// Stop watching; returns once the file being processed (if any) is done.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

struct Loop {
    db: Database,
    clock: SharedClock,
    tracker: SettleTracker,
    folders: Vec<PathBuf>,
    pending: BTreeSet<PathBuf>,
    reports: broadcast::Sender<Report>,
}

impl Loop {
    async fn run(
        mut self,
        mut events: mpsc::UnboundedReceiver<DebounceEventResult>,
        mut stop: watch::Receiver<bool>,
        poll: Duration,
    ) {
        self.rescan_all().await;
        let mut tick = tokio::time::interval(poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.changed() => break,
                Some(result) = events.recv() => self.on_events(result).await,
                _ = tick.tick() => self.check_pending(&stop).await,
            }
            if *stop.borrow() {
                break;
            }
        }
    }

    async fn rescan_all(&mut self) {
        for folder in self.folders.clone() {
            self.rescan(folder).await;
        }
    }

    async fn rescan(&mut self, folder: PathBuf) {
        let shown = folder.clone();
        match tokio::task::spawn_blocking(move || scan_folder(&folder)).await {
            Ok(Ok(found)) => self.pending.extend(found.into_iter().map(|c| c.path)),
            Ok(Err(e)) => {
                tracing::warn!(folder = %shown.display(), error = %e, "watch: rescan failed")
            }
            Err(e) => tracing::warn!(folder = %shown.display(), error = %e, "watch: rescan failed"),
        }
    }

    async fn on_events(&mut self, result: DebounceEventResult) {
        let events = match result {
            Ok(events) => events,
            Err(errors) => {
                for e in errors {
                    tracing::warn!(error = %e, "watch: event error");
                }
                // Events may have been lost: look at everything again.
                self.rescan_all().await;
                return;
            }
        };
        let mut rescan: BTreeSet<PathBuf> = BTreeSet::new();
        let mut sidecars: Vec<PathBuf> = Vec::new();
        for event in events {
            if event.event.need_rescan() {
                rescan.extend(self.folders.iter().cloned());
                continue;
            }
            for path in &event.event.paths {
                let Some(folder) = path.parent() else {
                    continue;
                };
                if !self.folders.iter().any(|f| f == folder) {
                    continue;
                }
                match classify(path) {
                    Classification::Media(_) => {
                        self.pending.insert(path.clone());
                    }
                    // A sidecar appeared or changed: look at its media file again (a fixed
                    // sidecar retries a file that was refused).
                    Classification::Sidecar => sidecars.push(path.clone()),
                    Classification::FolderDefaults => {
                        rescan.insert(folder.to_owned());
                    }
                    Classification::Ignored(_) => {}
                }
            }
        }
        if !sidecars.is_empty() {
            if let Ok(found) = tokio::task::spawn_blocking(move || {
                sidecars
                    .iter()
                    .flat_map(|s| media_siblings(s))
                    .collect::<Vec<_>>()
            })
            .await
            {
                self.pending.extend(found);
            }
        }
        for folder in rescan {
            self.rescan(folder).await;
        }
    }

    async fn check_pending(&mut self, stop: &watch::Receiver<bool>) {
        if self.pending.is_empty() {
            return;
        }
        let paths: Vec<PathBuf> = self.pending.iter().cloned().collect();
        let Ok(stamps) = tokio::task::spawn_blocking(move || {
            paths
                .into_iter()
                .map(|p| {
                    let stamp = FileStamp::of(&p).ok().filter(|_| p.is_file());
                    (p, stamp)
                })
                .collect::<Vec<_>>()
        })
        .await
        else {
            return;
        };
        for (path, stamp) in stamps {
            if *stop.borrow() {
                return;
            }
            let Some(stamp) = stamp else {
                self.pending.remove(&path);
                self.tracker.forget(&path);
                continue;
            };
            if !self.tracker.observe(&path, stamp) {
                continue;
            }
            self.pending.remove(&path);
            let Some(kind) = super::filter::media_kind(&path) else {
                continue;
            };
            let candidate = Candidate {
                path: path.clone(),
                kind,
                stamp,
            };
            let outcome = process_candidate(&self.db, &self.clock, &candidate).await;
            let retry = match &outcome {
                Ok(Outcome::Changed) => true,
                Ok(_) => false,
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "watch: will try again");
                    true
                }
            };
            if retry {
                self.pending.insert(path.clone());
            }
            let _ = self.reports.send(Report {
                path,
                outcome: outcome.map_err(|e| e.to_string()),
            });
        }
    }
}

/// The media files a sidecar belongs to (same name, any media extension).
fn media_siblings(sidecar: &Path) -> Vec<PathBuf> {
    const EXTENSIONS: [&str; 7] = ["mp4", "mov", "webm", "m4v", "jpg", "jpeg", "png"];
    EXTENSIONS
        .iter()
        .flat_map(|ext| [ext.to_string(), ext.to_ascii_uppercase()])
        .map(|ext| sidecar.with_extension(ext))
        .filter(|p| p.is_file())
        .collect()
}
