//! The watched folders registered with `outpost watch add` (or the app's settings), with
//! their default targets; config.toml's `watch_folders` are watched as well. Paths are
//! stored canonical, so a folder is registered once however it was spelled.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sqlx::Row;

use super::sidecar::Target;
use super::WatchError;
use crate::db::Database;

/// A watched folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
}
