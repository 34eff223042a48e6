//! What the desktop's Queue page and `outpost queue` show: the queue's jobs and its pause
//! switch, with the watched files that could not be queued (the media files beside an
//! error file, from [`super::registry::problems`]).

use std::path::PathBuf;

use serde::Serialize;
use ts_rs::TS;

use super::registry::{self, FileProblem};
use super::WatchError;
use crate::db::Database;
use crate::queue::{self, Job, ListFilter};

/// The answer of `queue_list`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct QueueListing {
    /// The creator paused the queue.
    pub paused: bool,
    /// Jobs, newest first.
    pub jobs: Vec<Job>,
    /// Watched files that could not be queued.
    pub file_problems: Vec<FileProblem>,
}

/// The queue at `now`: every job when `all`, else the unfinished ones and those finished in
/// the last day (`queue::list`); the watched folders are the registered ones and
/// `config_folders` (`Config::watch_folders`).
pub async fn queue_listing(
    db: &Database,
    config_folders: &[PathBuf],
    all: bool,
    now: i64,
) -> Result<QueueListing, WatchError> {
    let jobs = queue::list(db, ListFilter { all, limit: 0 }, now).await?;
    let paused = queue::is_paused(db).await?;
    let folders = registry::list(db, config_folders).await?;
    let file_problems = tokio::task::spawn_blocking(move || registry::problems(&folders))
        .await
        .unwrap_or_default();
    Ok(QueueListing {
        paused,
        jobs,
        file_problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock;

    #[tokio::test]
    async fn jobs_pause_and_the_files_that_could_not_be_queued() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("o.db")).await.unwrap();
        let drop = dir.path().join("drop");
        std::fs::create_dir(&drop).unwrap();
        std::fs::write(drop.join("a.mp4"), b"v").unwrap();
        std::fs::write(drop.join("a.error.txt"), b"a.mp4\nno targets\n").unwrap();
        let now = clock::system().now_millis();
        queue::set_paused(&db, true, now).await.unwrap();
        let listing = queue_listing(&db, std::slice::from_ref(&drop), false, now)
            .await
            .unwrap();
        assert!(listing.paused);
        assert!(listing.jobs.is_empty());
        assert_eq!(listing.file_problems.len(), 1);
        assert_eq!(listing.file_problems[0].file, drop.join("a.mp4"));
    }
}
