//! What happens to a watched-folder file when its jobs end: once every job made from it
//! is published, the file (with its sidecars and poster) moves to the folder's
//! `published/` subfolder (configurable; never overwriting); a failed job writes
//! `NAME.error.txt` beside the file, saying why and how to retry. Files queued from the
//! command line or the publish form are never moved.

use std::path::{Path, PathBuf};

use super::PublishError;
use crate::config::QueueSettings;
use crate::db::Database;
use crate::queue::{self, Job, JobState};
use crate::watch::error_file;

/// Tidy up after `job` reached a final state.
pub(super) async fn after_final(
    db: &Database,
    settings: &QueueSettings,
    job: &Job,
) -> Result<(), PublishError> {
    if job.options.get("origin").and_then(|v| v.as_str()) != Some("watch") {
        return Ok(());
    }
    let jobs = queue::jobs_for_source(db, &job.source_path).await?;
    let source = PathBuf::from(&job.source_path);
    let failed: Vec<&Job> = jobs
        .iter()
        .filter(|j| j.state == JobState::Failed)
        .collect();
    if !failed.is_empty() {
        let mut text = format!("Outpost could not publish {}:\n", source.display());
        for j in &failed {
            text.push_str(&format!(
                "- {} ({}), job {}: {}\n",
                j.platform.display_name(),
                j.account,
                j.id,
                j.last_error.as_deref().unwrap_or("no reason recorded")
            ));
        }
        text.push_str("\nFix what is named above, then run `outpost queue retry ID` (or use Retry in the app's queue).\n");
        let path = error_file(&source);
        return blocking(move || {
            if source.exists() {
                std::fs::write(&path, text).map_err(|e| PublishError::io(&path, e))?;
            }
            Ok(())
        })
        .await;
    }
    let all_published = jobs
        .iter()
        .all(|j| matches!(j.state, JobState::Published | JobState::Cancelled))
        && jobs.iter().any(|j| j.state == JobState::Published);
    if !all_published
        || settings.published_folder.is_empty()
        || jobs.iter().any(|j| j.moved_to.is_some())
    {
        return Ok(());
    }
    let folder_name = settings.published_folder.clone();
    let moved = blocking(move || move_with_companions(&source, &folder_name)).await?;
    if let Some(to) = moved {
        tracing::info!(from = %job.source_path, to = %to.display(), "queue: moved the published file");
        queue::set_moved(db, &job.source_path, &to.to_string_lossy()).await?;
    }
    Ok(())
}

/// Move `media` and its sidecars into `<its folder>/<folder_name>/`; `None` when it is gone.
fn move_with_companions(media: &Path, folder_name: &str) -> Result<Option<PathBuf>, PublishError> {
    if !media.exists() {
        return Ok(None);
    }
    let parent = media.parent().unwrap_or(Path::new("."));
    let target_dir = parent.join(folder_name);
    std::fs::create_dir_all(&target_dir).map_err(|e| PublishError::io(&target_dir, e))?;
    let stem = media
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = media
        .extension()
        .map(|s| format!(".{}", s.to_string_lossy()))
        .unwrap_or_default();
    // A free name: clip.mp4, clip-1.mp4, clip-2.mp4...
    let mut new_stem = stem.clone();
    let mut n = 0;
    while target_dir.join(format!("{new_stem}{ext}")).exists() {
        n += 1;
        new_stem = format!("{stem}-{n}");
    }
    let target = target_dir.join(format!("{new_stem}{ext}"));
    rename(media, &target)?;
    for suffix in [
        ".json",
        ".txt",
        ".poster.jpg",
        ".poster.jpeg",
        ".poster.png",
    ] {
        let companion = parent.join(format!("{stem}{suffix}"));
        if companion.exists() {
            rename(&companion, &target_dir.join(format!("{new_stem}{suffix}")))?;
        }
    }
    let _ = std::fs::remove_file(error_file(media));
    Ok(Some(target))
}

/// Rename, or copy then delete across file systems.
fn rename(from: &Path, to: &Path) -> Result<(), PublishError> {
    match std::fs::rename(from, to) {
        Ok(()) => Ok(()),
        Err(_) => {
            std::fs::copy(from, to).map_err(|e| PublishError::io(to, e))?;
            std::fs::remove_file(from).map_err(|e| PublishError::io(from, e))
        }
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, PublishError> + Send + 'static,
) -> Result<T, PublishError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| PublishError::io(Path::new(""), std::io::Error::other(e.to_string())))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_published_file_moves_with_its_sidecars_without_overwriting() {
        let dir = tempfile::tempdir().unwrap();
        let media = dir.path().join("clip.mp4");
        std::fs::write(&media, b"video").unwrap();
        std::fs::write(dir.path().join("clip.json"), b"{}").unwrap();
        std::fs::write(dir.path().join("clip.error.txt"), b"old").unwrap();
        std::fs::create_dir(dir.path().join("published")).unwrap();
        std::fs::write(dir.path().join("published/clip.mp4"), b"earlier").unwrap();
        let to = move_with_companions(&media, "published").unwrap().unwrap();
        assert_eq!(to, dir.path().join("published/clip-1.mp4"));
        assert_eq!(std::fs::read(&to).unwrap(), b"video");
        assert!(dir.path().join("published/clip-1.json").exists());
        assert!(!media.exists() && !dir.path().join("clip.error.txt").exists());
        assert_eq!(
            std::fs::read(dir.path().join("published/clip.mp4")).unwrap(),
            b"earlier"
        );
        assert!(move_with_companions(&media, "published").unwrap().is_none());
    }
}
