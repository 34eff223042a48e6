//! One engine per data dir: the process that works the queue (`outpost run`, the desktop
//! app, or `outpost publish --wait` when neither runs) holds an exclusive OS file lock on
//! `engine.lock`. The OS releases it when the process dies, however it dies, so the next
//! engine can resume the jobs the dead one left half-way, knowing no one else touches them.

use std::fs::{File, OpenOptions};

use fs4::fs_std::FileExt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The lock file's name in the data dir.
pub const LOCK_FILE: &str = "engine.lock";

/// Errors taking the lock.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another engine holds it.
    #[error("another Outpost engine is running on this data dir{}", pid.as_ref().map(|p| format!(" (process {p})")).unwrap_or_default())]
    Busy {
        /// Its process id, as it wrote it.
        pid: Option<String>,
    },
    /// The lock file could not be opened.
    #[error("cannot open {path}: {source}")]
    Io {
        /// The lock file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl crate::error::UserFacing for LockError {
    fn code(&self) -> &'static str {
        match self {
            LockError::Busy { .. } => "engine.busy",
            LockError::Io { .. } => "engine.lock_io",
        }
    }
}

/// The held lock; released on drop (or by the OS when the process ends).
#[derive(Debug)]
pub struct EngineLock {
    _file: File,
}

impl EngineLock {
    /// Take the lock of `data_dir` without waiting.
    pub fn try_acquire(data_dir: &Path) -> Result<EngineLock, LockError> {
        let path = data_dir.join(LOCK_FILE);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io)?;
        // fs4 rather than `File::try_lock`: the latter needs Rust 1.89, above our MSRV.
        if !FileExt::try_lock_exclusive(&file).map_err(io)? {
            let pid = std::fs::read_to_string(&path)
                .ok()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty());
            return Err(LockError::Busy { pid });
        }
        file.set_len(0).map_err(io)?;
        write!(file, "{}", std::process::id()).map_err(io)?;
        Ok(EngineLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_holder_at_a_time_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let held = EngineLock::try_acquire(dir.path()).unwrap();
        let err = EngineLock::try_acquire(dir.path()).unwrap_err();
        assert!(
            matches!(&err, LockError::Busy { pid: Some(p) } if *p == std::process::id().to_string()),
            "{err}"
        );
        drop(held);
        EngineLock::try_acquire(dir.path()).unwrap();
    }
}
