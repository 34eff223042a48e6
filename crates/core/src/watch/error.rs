//! The watch module's one error type.

use std::path::PathBuf;

use crate::db::DbError;
use crate::error::UserFacing;
use crate::queue::QueueError;

/// Errors of watched folders.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// A sidecar (`NAME.json`, `NAME.txt`) or folder defaults file (`outpost.toml`) is invalid.
    #[error("{file}: {field}: {reason}")]
    InvalidMetadata {
        /// The file at fault.
        file: PathBuf,
        /// The field at fault (`targets[1]`, `publish_at`…), or `(file)` for the whole file.
        field: String,
        /// What is wrong, for people.
        reason: String,
    },
    /// No target: neither the sidecar nor the folder defaults name one.
    #[error("{file}: no targets; add \"targets\" to {file_stem}.json or `targets` to outpost.toml in the folder")]
    NoTargets {
        /// The media file.
        file: PathBuf,
        /// Its name without extension.
        file_stem: String,
    },
    /// A target names no connected account (or several).
    #[error("{file}: target {target:?}: {reason}")]
    UnknownAccount {
        /// The media file.
        file: PathBuf,
        /// The target as written.
        target: String,
        /// Why it did not resolve.
        reason: String,
    },
    /// Reading a file or folder failed.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Watching a folder failed.
    #[error("cannot watch {path}: {reason}")]
    Watch {
        /// The folder.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The queue refused the job.
    #[error(transparent)]
    Queue(#[from] QueueError),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl WatchError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        WatchError::Io {
            path: path.to_owned(),
            source,
        }
    }

    pub(crate) fn invalid(
        file: &std::path::Path,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        WatchError::InvalidMetadata {
            file: file.to_owned(),
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Whether the error is about the file's metadata or targets (the creator must fix
    /// something beside the file), as opposed to an I/O or storage failure.
    pub fn is_file_problem(&self) -> bool {
        matches!(
            self,
            WatchError::InvalidMetadata { .. }
                | WatchError::NoTargets { .. }
                | WatchError::UnknownAccount { .. }
        )
    }
}

impl UserFacing for WatchError {
    fn code(&self) -> &'static str {
        match self {
            WatchError::InvalidMetadata { .. } => "watch.invalid_metadata",
            WatchError::NoTargets { .. } => "watch.no_targets",
            WatchError::UnknownAccount { .. } => "watch.unknown_account",
            WatchError::Io { .. } => "watch.io",
            WatchError::Watch { .. } => "watch.watch_failed",
            WatchError::Queue(e) => e.code(),
            WatchError::Db(e) => e.code(),
        }
    }
}
