//! "Finished writing" detection: a file counts once its size and modification time have
//! stayed the same for a whole settle window, measured on an injectable clock.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::clock::SharedClock;

/// What a stat of the file saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time.
    pub modified: Option<SystemTime>,
}

impl FileStamp {
    /// Stat `path` (blocking).
    pub fn of(path: &Path) -> std::io::Result<FileStamp> {
        let meta = std::fs::metadata(path)?;
        Ok(FileStamp {
            size: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

/// Tracks files until they settle.
#[derive(Debug)]
pub struct SettleTracker {
    clock: SharedClock,
    window_ms: i64,
    seen: HashMap<PathBuf, (FileStamp, i64)>,
}

impl SettleTracker {
    /// A tracker with the given settle window.
    pub fn new(clock: SharedClock, window: Duration) -> Self {
        Self {
            clock,
            window_ms: i64::try_from(window.as_millis()).unwrap_or(i64::MAX),
            seen: HashMap::new(),
        }
    }

    /// Record what a stat of `path` saw now; true once the same stamp has been seen for
    /// the whole window (the file is then forgotten, so a later change starts over).
    pub fn observe(&mut self, path: &Path, stamp: FileStamp) -> bool {
        let now = self.clock.now_millis();
        match self.seen.get_mut(path) {
            Some((seen, since)) if *seen == stamp => {
                if now - *since >= self.window_ms {
                    self.seen.remove(path);
                    true
                } else {
                    false
                }
            }
            Some(entry) => {
                *entry = (stamp, now);
                false
            }
            None => {
                self.seen.insert(path.to_owned(), (stamp, now));
                false
            }
        }
    }

    /// Stop tracking `path` (it disappeared).
    pub fn forget(&mut self, path: &Path) {
        self.seen.remove(path);
    }

    /// Number of files being tracked.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether no file is being tracked.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use chrono::TimeZone;
    use std::sync::Arc;

    fn stamp(size: u64, secs: u64) -> FileStamp {
        FileStamp {
            size,
            modified: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)),
        }
    }

    fn tracker() -> (ManualClock, SettleTracker) {
        let clock = ManualClock::new(chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
        let tracker = SettleTracker::new(Arc::new(clock.clone()), Duration::from_secs(2));
        (clock, tracker)
    }

    #[test]
    fn a_file_settles_only_after_a_full_unchanged_window() {
        let (clock, mut t) = tracker();
        let p = Path::new("/v/clip.mp4");
        assert!(!t.observe(p, stamp(10, 1)));
        clock.advance(chrono::Duration::milliseconds(1999));
        assert!(!t.observe(p, stamp(10, 1)));
        clock.advance(chrono::Duration::milliseconds(1));
        assert!(t.observe(p, stamp(10, 1)));
        assert!(t.is_empty());
    }

    #[test]
    fn growth_or_a_new_mtime_restarts_the_window() {
        let (clock, mut t) = tracker();
        let p = Path::new("/v/clip.mp4");
        assert!(!t.observe(p, stamp(10, 1)));
        clock.advance(chrono::Duration::seconds(3));
        assert!(!t.observe(p, stamp(20, 1)), "grew");
        clock.advance(chrono::Duration::seconds(3));
        assert!(!t.observe(p, stamp(20, 2)), "touched");
        clock.advance(chrono::Duration::seconds(1));
        assert!(!t.observe(p, stamp(20, 2)));
        clock.advance(chrono::Duration::seconds(1));
        assert!(t.observe(p, stamp(20, 2)));
    }

    #[test]
    fn forgotten_files_start_over() {
        let (clock, mut t) = tracker();
        let p = Path::new("/v/clip.mp4");
        t.observe(p, stamp(1, 1));
        clock.advance(chrono::Duration::seconds(5));
        t.forget(p);
        assert_eq!(t.len(), 0);
        assert!(!t.observe(p, stamp(1, 1)));
    }
}
