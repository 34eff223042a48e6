//! The watched folders registered with `outpost watch add` (or the app's settings), with
//! their default targets; config.toml's `watch_folders` are watched as well. Paths are
//! stored canonical, so a folder is registered once however it was spelled.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sqlx::Row;
use ts_rs::TS;

use super::sidecar::Target;
use super::WatchError;
use crate::db::Database;

/// A watched folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct WatchedFolder {
    /// The folder (canonical).
    pub path: PathBuf,
    /// Default targets for its files (used when neither sidecar nor `outpost.toml` name any).
    pub targets: Vec<String>,
    /// From config.toml (not removable with `outpost watch remove`).
    pub from_config: bool,
}

fn canonical(dir: &Path) -> Result<PathBuf, WatchError> {
    let path = std::fs::canonicalize(dir).map_err(|e| WatchError::io(dir, e))?;
    if !path.is_dir() {
        return Err(WatchError::io(
            dir,
            std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
        ));
    }
    Ok(path)
}

fn storage(e: sqlx::Error) -> WatchError {
    WatchError::Db(e.into())
}

/// Register `dir` (replacing its targets when already registered).
pub async fn add(
    db: &Database,
    dir: &Path,
    targets: &[Target],
    now: i64,
) -> Result<WatchedFolder, WatchError> {
    let path = canonical(dir)?;
    let joined = targets
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    sqlx::query(
        "INSERT INTO watched_folders (path, targets, added_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (path) DO UPDATE SET targets = excluded.targets",
    )
    .bind(path.to_string_lossy().as_ref())
    .bind((!joined.is_empty()).then_some(joined))
    .bind(now)
    .execute(db.pool())
    .await
    .map_err(storage)?;
    Ok(WatchedFolder {
        path,
        targets: targets.iter().map(ToString::to_string).collect(),
        from_config: false,
    })
}

/// Unregister `dir`; `false` when it was not registered.
pub async fn remove(db: &Database, dir: &Path) -> Result<bool, WatchError> {
    let path = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    let done = sqlx::query("DELETE FROM watched_folders WHERE path = ?1")
        .bind(path.to_string_lossy().as_ref())
        .execute(db.pool())
        .await
        .map_err(storage)?
        .rows_affected();
    Ok(done > 0)
}

/// Every watched folder: the registered ones, then config.toml's (missing ones included,
/// so that the caller can say they are missing).
pub async fn list(
    db: &Database,
    from_config: &[PathBuf],
) -> Result<Vec<WatchedFolder>, WatchError> {
    let rows = sqlx::query("SELECT path, targets FROM watched_folders ORDER BY added_at, path")
        .fetch_all(db.pool())
        .await
        .map_err(storage)?;
    let mut out: Vec<WatchedFolder> = rows
        .iter()
        .map(|r| WatchedFolder {
            path: PathBuf::from(r.get::<String, _>("path")),
            targets: r
                .get::<Option<String>, _>("targets")
                .map(|t| t.split(',').map(str::to_owned).collect())
                .unwrap_or_default(),
            from_config: false,
        })
        .collect();
    for dir in from_config {
        let path = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone());
        if !out.iter().any(|f| f.path == path) {
            out.push(WatchedFolder {
                path,
                targets: Vec::new(),
                from_config: true,
            });
        }
    }
    Ok(out)
}

/// The default targets registered for `folder`, if any.
pub async fn targets_for(db: &Database, folder: &Path) -> Result<Option<Vec<Target>>, WatchError> {
    let targets: Option<Option<String>> =
        sqlx::query_scalar("SELECT targets FROM watched_folders WHERE path = ?1")
            .bind(folder.to_string_lossy().as_ref())
            .fetch_optional(db.pool())
            .await
            .map_err(storage)?;
    Ok(targets
        .flatten()
        .map(|t| {
            t.split(',')
                .filter_map(|s| s.parse().ok())
                .collect::<Vec<Target>>()
        })
        .filter(|t| !t.is_empty()))
}

/// A file in a watched folder that Outpost could not queue or publish, as its
/// `NAME.error.txt` says (so the queue view can show it beside the jobs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FileProblem {
    /// The media file.
    pub file: PathBuf,
    /// The error file's text.
    pub reason: String,
}

/// The files of `folders` that have an error file beside them (blocking: reads the folders).
pub fn problems(folders: &[WatchedFolder]) -> Vec<FileProblem> {
    let mut out = Vec::new();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(&folder.path) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let Some(stem) = name.strip_suffix(".error.txt") else {
                continue;
            };
            // The media file is the one whose error file this is: NAME.<ext> beside it.
            let media = std::fs::read_dir(&folder.path).ok().and_then(|all| {
                all.flatten().map(|e| e.path()).find(|p| {
                    p != &path
                        && p.file_stem().and_then(|s| s.to_str()) == Some(stem)
                        && matches!(super::classify(p), super::Classification::Media(_))
                })
            });
            if let (Some(file), Ok(reason)) = (media, std::fs::read_to_string(&path)) {
                out.push(FileProblem {
                    file,
                    reason: reason.trim().to_owned(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.file.cmp(&b.file));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn folders_are_registered_once_with_their_targets() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("r.db")).await.unwrap();
        let drop = dir.path().join("drop");
        std::fs::create_dir(&drop).unwrap();
        let tiktok: Target = "tiktok".parse().unwrap();
        add(&db, &drop, std::slice::from_ref(&tiktok), 1)
            .await
            .unwrap();
        // Another spelling of the same folder replaces the targets.
        let reddit: Target = "reddit:me".parse().unwrap();
        add(&db, &drop.join("."), std::slice::from_ref(&reddit), 2)
            .await
            .unwrap();
        let all = list(&db, &[dir.path().join("missing")]).await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].targets, vec!["reddit:me".to_string()]);
        assert!(all[1].from_config);
        let canonical = std::fs::canonicalize(&drop).unwrap();
        assert_eq!(
            targets_for(&db, &canonical).await.unwrap(),
            Some(vec![reddit])
        );
        assert!(remove(&db, &drop).await.unwrap());
        assert!(!remove(&db, &drop).await.unwrap());
        assert!(add(&db, &dir.path().join("nope"), &[], 3).await.is_err());
    }

    #[test]
    fn problems_are_the_media_files_with_an_error_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.mp4"), b"v").unwrap();
        std::fs::write(dir.path().join("a.error.txt"), b"bad sidecar\n").unwrap();
        std::fs::write(dir.path().join("b.mp4"), b"v").unwrap();
        // An error file whose video is gone is not a problem any more.
        std::fs::write(dir.path().join("gone.error.txt"), b"old").unwrap();
        let folder = WatchedFolder {
            path: dir.path().to_owned(),
            targets: vec![],
            from_config: false,
        };
        let found = problems(&[folder]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].file, dir.path().join("a.mp4"));
        assert_eq!(found[0].reason, "bad sidecar");
    }
}
