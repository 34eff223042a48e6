//! The scanner: lists the media files of a folder (the startup rescan), and turns one
//! settled file into queue jobs — sidecar and folder defaults merged, targets resolved to
//! accounts, content hashed, one idempotent enqueue per target account. A file whose
//! metadata is wrong is left untouched and gets `NAME.error.txt` beside it.

use std::path::{Path, PathBuf};

use super::filter::{classify, Classification, MediaKind};
use super::hash::{hash_file, FileHash};
use super::settle::FileStamp;
use super::sidecar::{load_defaults, load_sidecar, merge, PostSpec, Target};
use super::WatchError;
use crate::clock::SharedClock;
use crate::db::accounts::AccountStatus;
use crate::db::{Database, DbError};
use crate::queue::{enqueue, Enqueued, NewJob};

/// A media file found in a watched folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The file.
    pub path: PathBuf,
    /// Video or image.
    pub kind: MediaKind,
    /// Size and modification time when it was seen (settled).
    pub stamp: FileStamp,
}

impl Candidate {
    /// A candidate for `path` if it is a media file that counts (blocking: stats it).
    pub fn of(path: &Path) -> Result<Option<Candidate>, WatchError> {
        let Classification::Media(kind) = classify(path) else {
            return Ok(None);
        };
        let meta = std::fs::metadata(path).map_err(|e| WatchError::io(path, e))?;
        if !meta.is_file() {
            return Ok(None);
        }
        Ok(Some(Candidate {
            path: path.to_owned(),
            kind,
            stamp: FileStamp {
                size: meta.len(),
                modified: meta.modified().ok(),
            },
        }))
    }
}

/// One job the file became (new, or the one already queued for the same content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// The target as resolved.
    pub target: Target,
    /// The account.
    pub account_id: i64,
    /// New job or existing one.
    pub enqueued: Enqueued,
}

/// What became of a candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// One entry per target account.
    Queued {
        /// The jobs.
        jobs: Vec<Queued>,
        /// The content hash.
        hash: String,
    },
    /// The sidecar, folder defaults or targets are wrong: nothing was queued, the file is
    /// untouched and `error_file` says why.
    Invalid {
        /// The reason, for people.
        reason: String,
        /// The `NAME.error.txt` written beside the file.
        error_file: PathBuf,
    },
    /// The file changed (or vanished) since it settled; look at it again later.
    Changed,
}

/// The media files directly inside `dir` (not in subfolders), sorted by path (blocking).
/// Temporary, partial and hidden files are skipped (logged at debug level with the reason).
pub fn scan_folder(dir: &Path) -> Result<Vec<Candidate>, WatchError> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| WatchError::io(dir, e))? {
        let path = entry.map_err(|e| WatchError::io(dir, e))?.path();
        match classify(&path) {
            Classification::Media(_) => match Candidate::of(&path) {
                Ok(Some(c)) => found.push(c),
                Ok(None) => {}
                // Removed between listing and stat: not there any more.
                Err(WatchError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            },
            Classification::Ignored(reason) => {
                tracing::debug!(path = %path.display(), reason, "watch: skipped");
            }
            Classification::Sidecar | Classification::FolderDefaults => {}
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

/// The error file of a media file: `NAME.error.txt`.
pub fn error_file(media: &Path) -> PathBuf {
    media.with_extension("error.txt")
}

/// Turn a settled candidate into jobs, one per target account. A metadata problem writes
/// `NAME.error.txt` and returns [`Outcome::Invalid`]; storage or I/O failures are errors.
pub async fn process_candidate(
    db: &Database,
    clock: &SharedClock,
    candidate: &Candidate,
) -> Result<Outcome, WatchError> {
    match plan(db, candidate).await {
        Ok(Some((spec, accounts, hash))) => {
            let mut jobs = Vec::with_capacity(accounts.len());
            for (target, account_id) in accounts {
                let job = NewJob {
                    account_id,
                    content_hash: hash.hex.clone(),
                    source_path: candidate.path.to_string_lossy().into_owned(),
                    kind: candidate.kind.as_str().to_owned(),
                    options: spec.job_options(&target),
                    publish_at: spec.publish_at.map(|t| t.timestamp_millis()),
                    bytes_total: i64::try_from(hash.len).ok(),
                };
                let enqueued = enqueue(db, &job, clock.now_millis()).await?;
                tracing::info!(
                    path = %candidate.path.display(),
                    target = %target,
                    ?enqueued,
                    "watch: queued"
                );
                jobs.push(Queued {
                    target,
                    account_id,
                    enqueued,
                });
            }
            let stale = error_file(&candidate.path);
            blocking(move || match std::fs::remove_file(&stale) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(WatchError::io(&stale, e))
                }
                _ => Ok(()),
            })
            .await?;
            Ok(Outcome::Queued {
                jobs,
                hash: hash.hex,
            })
        }
        Ok(None) => Ok(Outcome::Changed),
        Err(e) if e.is_file_problem() => {
            let reason = e.to_string();
            tracing::warn!(path = %candidate.path.display(), %reason, "watch: not queued");
            let file = error_file(&candidate.path);
            let text = format!(
                "Outpost did not queue {}:\n{reason}\n\nFix it and save the file again; Outpost looks at it again by itself.\n",
                candidate.path.display()
            );
            let path = file.clone();
            blocking(move || {
                if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                    std::fs::write(&path, text).map_err(|e| WatchError::io(&path, e))?;
                }
                Ok(())
            })
            .await?;
            Ok(Outcome::Invalid {
                reason,
                error_file: file,
            })
        }
        Err(e) => Err(e),
    }
}

/// Metadata, accounts and hash of a candidate; `None` when the file changed meanwhile.
async fn plan(
    db: &Database,
    candidate: &Candidate,
) -> Result<Option<(PostSpec, Vec<(Target, i64)>, FileHash)>, WatchError> {
    let media = candidate.path.clone();
    let folder = media.parent().unwrap_or(Path::new(".")).to_owned();
    let registered = super::registry::targets_for(db, &folder).await?;
    let spec = blocking(move || {
        let mut defaults = load_defaults(&folder)?;
        // The targets given with `outpost watch add` stand in for outpost.toml's.
        if defaults.targets.is_none() {
            defaults.targets = registered;
        }
        let sidecar = load_sidecar(&media)?;
        merge(&media, &defaults, sidecar.as_ref())
    })
    .await?;

    let mut accounts: Vec<(Target, i64)> = Vec::with_capacity(spec.targets.len());
    for target in &spec.targets {
        let account = match db.accounts().find(&target.selector()).await {
            Ok(a) => a,
            Err(DbError::NotFound(reason)) => {
                return Err(WatchError::UnknownAccount {
                    file: candidate.path.clone(),
                    target: target.to_string(),
                    reason,
                })
            }
            Err(e) => return Err(e.into()),
        };
        if account.status == AccountStatus::Disconnected {
            return Err(WatchError::UnknownAccount {
                file: candidate.path.clone(),
                target: target.to_string(),
                reason: format!(
                    "the {} account {} is disconnected; connect it again or change the target",
                    target.platform.display_name(),
                    account.name()
                ),
            });
        }
        if !accounts.iter().any(|(_, id)| *id == account.id) {
            accounts.push((target.clone(), account.id));
        }
    }

    let media = candidate.path.clone();
    let expected = candidate.stamp;
    let hashed = blocking(move || {
        let hash = match hash_file(&media) {
            Ok(h) => h,
            Err(WatchError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                return Ok(None)
            }
            Err(e) => return Err(e),
        };
        // Settle re-check: the bytes hashed are the bytes that settled.
        let now = FileStamp::of(&media).ok();
        Ok((now == Some(expected) && hash.len == expected.size).then_some(hash))
    })
    .await?;
    Ok(hashed.map(|hash| (spec, accounts, hash)))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, WatchError> + Send + 'static,
) -> Result<T, WatchError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| WatchError::Io {
            path: PathBuf::new(),
            source: std::io::Error::other(format!("background task failed: {e}")),
        })?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::accounts::AccountProfile;
    use crate::platform::Platform;

    async fn setup() -> (tempfile::TempDir, PathBuf, Database, SharedClock, i64, i64) {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("drop");
        std::fs::create_dir(&folder).unwrap();
        let db = Database::open(&dir.path().join("w.db")).await.unwrap();
        let mut ids = Vec::new();
        for (platform, user) in [(Platform::Tiktok, "tt"), (Platform::Instagram, "ig")] {
            ids.push(
                db.accounts()
                    .upsert(
                        &AccountProfile {
                            platform,
                            platform_user_id: format!("{user}-id"),
                            username: Some(user.into()),
                            display_name: None,
                            avatar_url: None,
                        },
                        0,
                    )
                    .await
                    .unwrap(),
            );
        }
        (dir, folder, db, crate::clock::system(), ids[0], ids[1])
    }

    fn candidate(path: &Path) -> Candidate {
        Candidate::of(path).unwrap().unwrap()
    }

    #[test]
    fn scan_lists_media_only_sorted_and_not_in_subfolders() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "b.mp4",
            "a.MOV",
            "c.mp4.part",
            ".d.mp4",
            "a.json",
            "e.png",
            "f.txt",
        ] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        std::fs::create_dir(dir.path().join("published")).unwrap();
        std::fs::write(dir.path().join("published/old.mp4"), b"x").unwrap();
        std::fs::create_dir(dir.path().join("folder.mp4")).unwrap();
        let names: Vec<String> = scan_folder(dir.path())
            .unwrap()
            .iter()
            .map(|c| c.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.MOV", "b.mp4", "e.png"]);
    }

    #[tokio::test]
    async fn one_job_per_target_and_none_for_the_same_content_again() {
        let (_d, folder, db, clock, tt, ig) = setup().await;
        std::fs::write(
            folder.join("outpost.toml"),
            "targets = [\"tiktok\", \"instagram:ig\"]\n",
        )
        .unwrap();
        std::fs::write(folder.join("clip.mp4"), b"video bytes").unwrap();
        std::fs::write(folder.join("clip.txt"), "My caption\n").unwrap();
        let Outcome::Queued { jobs, .. } =
            process_candidate(&db, &clock, &candidate(&folder.join("clip.mp4")))
                .await
                .unwrap()
        else {
            panic!("not queued")
        };
        assert_eq!(
            jobs.iter().map(|j| j.account_id).collect::<Vec<_>>(),
            [tt, ig]
        );
        assert!(jobs.iter().all(|j| matches!(j.enqueued, Enqueued::New(_))));
        let Enqueued::New(first) = jobs[0].enqueued else {
            unreachable!()
        };
        let job = crate::queue::get(&db, first).await.unwrap().unwrap();
        assert_eq!(job.bytes_total, Some(11));
        assert_eq!(
            job.content_hash,
            blake3::hash(b"video bytes").to_hex().to_string()
        );

        // A copy under another name: the existing jobs, nothing new.
        std::fs::copy(folder.join("clip.mp4"), folder.join("copy.mp4")).unwrap();
        let Outcome::Queued { jobs: again, .. } =
            process_candidate(&db, &clock, &candidate(&folder.join("copy.mp4")))
                .await
                .unwrap()
        else {
            panic!("not queued")
        };
        assert!(
            again
                .iter()
                .all(|j| matches!(j.enqueued, Enqueued::Existing(_))),
            "{again:?}"
        );
    }

    #[tokio::test]
    async fn bad_metadata_writes_an_error_file_and_queues_nothing() {
        let (_d, folder, db, clock, _, ig) = setup().await;
        db.accounts()
            .set_status(ig, AccountStatus::Disconnected, None, 0)
            .await
            .unwrap();
        let media = folder.join("clip.mp4");
        std::fs::write(&media, b"video").unwrap();
        for (sidecar, expected) in [
            (
                r#"{"targets": ["tiktok"], "publish_at": "soon"}"#,
                "publish_at",
            ),
            (r#"{"targets": ["reddit"]}"#, "reddit"),
            (r#"{"caption": "no targets"}"#, "no targets"),
            (r#"{"targets": ["instagram:ig"]}"#, "disconnected"),
        ] {
            std::fs::write(folder.join("clip.json"), sidecar).unwrap();
            let outcome = process_candidate(&db, &clock, &candidate(&media))
                .await
                .unwrap();
            let Outcome::Invalid { reason, error_file } = outcome else {
                panic!("{outcome:?}")
            };
            assert!(reason.contains(expected), "{reason}");
            let written = std::fs::read_to_string(&error_file).unwrap();
            assert!(written.contains(expected), "{written}");
            assert!(error_file.ends_with("clip.error.txt"));
        }
        assert_eq!(std::fs::read(&media).unwrap(), b"video");
        let jobs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(jobs, 0);

        // Fixed: queued, and the stale error file goes away.
        std::fs::write(folder.join("clip.json"), r#"{"targets": ["tiktok"]}"#).unwrap();
        let outcome = process_candidate(&db, &clock, &candidate(&media))
            .await
            .unwrap();
        assert!(matches!(outcome, Outcome::Queued { .. }), "{outcome:?}");
        assert!(!folder.join("clip.error.txt").exists());
    }

    #[tokio::test]
    async fn a_file_that_changed_after_settling_is_not_queued_yet() {
        let (_d, folder, db, clock, _, _) = setup().await;
        std::fs::write(folder.join("outpost.toml"), "targets = [\"tiktok\"]\n").unwrap();
        let media = folder.join("clip.mp4");
        std::fs::write(&media, b"part one").unwrap();
        let seen = candidate(&media);
        std::fs::write(&media, b"part one and two").unwrap();
        assert_eq!(
            process_candidate(&db, &clock, &seen).await.unwrap(),
            Outcome::Changed
        );
        std::fs::remove_file(&media).unwrap();
        assert_eq!(
            process_candidate(&db, &clock, &seen).await.unwrap(),
            Outcome::Changed
        );
    }
}
