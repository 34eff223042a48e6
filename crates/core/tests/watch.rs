//! Watched folders end to end: a real temporary folder, real file-system events, a real
//! SQLite queue. Every wait is a bounded poll (it fails after a generous timeout), never a
//! timed assertion.

use std::path::{Path, PathBuf};
use std::time::Duration;

use outpost_core::db::accounts::AccountProfile;
use outpost_core::db::Database;
use outpost_core::queue::Enqueued;
use outpost_core::watch::{Outcome, Report, WatchOptions, Watcher};
use outpost_core::Platform;
use tokio::sync::broadcast;

const TIMEOUT: Duration = Duration::from_secs(90);

struct Setup {
    _dir: tempfile::TempDir,
    folder: PathBuf,
    db: Database,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("drop");
    std::fs::create_dir(&folder).unwrap();
    let folder = std::fs::canonicalize(&folder).unwrap();
    let db = Database::open(&dir.path().join("outpost.db"))
        .await
        .unwrap();
    db.accounts()
        .upsert(
            &AccountProfile {
                platform: Platform::Tiktok,
                platform_user_id: "tt-1".into(),
                username: Some("creator".into()),
                display_name: None,
                avatar_url: None,
            },
            0,
        )
        .await
        .unwrap();
    std::fs::write(folder.join("outpost.toml"), "targets = [\"tiktok\"]\n").unwrap();
    Setup {
        _dir: dir,
        folder,
        db,
    }
}

async fn start(s: &Setup) -> Watcher {
    Watcher::start(
        s.db.clone(),
        outpost_core::clock::system(),
        vec![s.folder.clone()],
        WatchOptions {
            settle: Duration::from_millis(1500),
            debounce: Duration::from_millis(200),
            poll: Duration::from_millis(100),
        },
    )
    .await
    .unwrap()
}

async fn jobs(db: &Database) -> Vec<(String, String, Option<i64>)> {
    sqlx::query_as("SELECT source_path, content_hash, bytes_total FROM jobs ORDER BY id")
        .fetch_all(db.pool())
        .await
        .unwrap()
}

/// Poll the jobs table until `done` holds; panics after [`TIMEOUT`].
async fn wait_jobs(
    db: &Database,
    what: &str,
    done: impl Fn(&[(String, String, Option<i64>)]) -> bool,
) -> Vec<(String, String, Option<i64>)> {
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        let now = jobs(db).await;
        if done(&now) {
            return now;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}; jobs: {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The next report about `path`; panics after [`TIMEOUT`].
async fn report_for(reports: &mut broadcast::Receiver<Report>, path: &Path) -> Report {
    tokio::time::timeout(TIMEOUT, async {
        loop {
            match reports.recv().await {
                Ok(r) if r.path == path => return r,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(e) => panic!("{e}"),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no report for {}", path.display()))
}

fn hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_written_slowly_is_queued_once_after_it_settles() {
    let s = setup().await;
    let watcher = start(&s).await;
    let path = s.folder.join("slow.mp4");
    let chunk = vec![7u8; 64 * 1024];
    let mut all = Vec::new();
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&path).unwrap();
        // About 2.5 s of writing, with pauses shorter than the settle window.
        for _ in 0..10 {
            file.write_all(&chunk).unwrap();
            file.flush().unwrap();
            all.extend_from_slice(&chunk);
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    let full = hash(&all);
    let done = wait_jobs(&s.db, "the complete file", |j| {
        j.iter().any(|r| r.1 == full)
    })
    .await;
    // A partial version would have been queued before the complete one: there is none.
    assert_eq!(done.len(), 1, "{done:?}");
    assert_eq!(done[0].0, path.to_string_lossy());
    assert_eq!(done[0].2, Some(all.len() as i64));
    watcher.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_download_renamed_into_place_is_queued() {
    let s = setup().await;
    let watcher = start(&s).await;
    let mut reports = watcher.subscribe();
    let part = s.folder.join("clip.mp4.part");
    std::fs::write(&part, b"downloaded video").unwrap();
    let path = s.folder.join("clip.mp4");
    std::fs::rename(&part, &path).unwrap();
    let report = report_for(&mut reports, &path).await;
    assert!(
        matches!(report.outcome, Ok(Outcome::Queued { .. })),
        "{report:?}"
    );
    let done = jobs(&s.db).await;
    assert_eq!(done.len(), 1, "{done:?}");
    assert_eq!(done[0].0, path.to_string_lossy());
    assert_eq!(done[0].1, hash(b"downloaded video"));
    watcher.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_file_copied_under_other_names_is_not_queued_again() {
    let s = setup().await;
    let watcher = start(&s).await;
    let mut reports = watcher.subscribe();
    let first = s.folder.join("original.mp4");
    std::fs::write(&first, b"the same content").unwrap();
    let report = report_for(&mut reports, &first).await;
    let Ok(Outcome::Queued { jobs: queued, .. }) = report.outcome else {
        panic!("{report:?}")
    };
    let Enqueued::New(id) = queued[0].enqueued else {
        panic!("{queued:?}")
    };
    for name in ["copy 1.mp4", "copy 2.MOV"] {
        let copy = s.folder.join(name);
        std::fs::copy(&first, &copy).unwrap();
        let report = report_for(&mut reports, &copy).await;
        let Ok(Outcome::Queued { jobs: again, .. }) = report.outcome else {
            panic!("{report:?}")
        };
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].enqueued, Enqueued::Existing(id));
    }
    assert_eq!(jobs(&s.db).await.len(), 1);
    watcher.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_sidecar_writes_an_error_file_and_queues_nothing_until_fixed() {
    let s = setup().await;
    let watcher = start(&s).await;
    let mut reports = watcher.subscribe();
    std::fs::write(
        s.folder.join("bad.json"),
        r#"{"targets": ["tiktok"], "publish_at": "next friday"}"#,
    )
    .unwrap();
    let path = s.folder.join("bad.mp4");
    std::fs::write(&path, b"video").unwrap();
    let report = report_for(&mut reports, &path).await;
    let Ok(Outcome::Invalid { reason, error_file }) = report.outcome else {
        panic!("{report:?}")
    };
    assert!(
        reason.contains("bad.json") && reason.contains("publish_at"),
        "{reason}"
    );
    assert_eq!(error_file, s.folder.join("bad.error.txt"));
    assert!(std::fs::read_to_string(&error_file)
        .unwrap()
        .contains("publish_at"));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"video",
        "the video is untouched"
    );
    assert!(jobs(&s.db).await.is_empty());

    // Fixing the sidecar is enough: the video is looked at again.
    std::fs::write(
        s.folder.join("bad.json"),
        r#"{"targets": ["tiktok"], "caption": "fixed"}"#,
    )
    .unwrap();
    let report = report_for(&mut reports, &path).await;
    assert!(
        matches!(report.outcome, Ok(Outcome::Queued { .. })),
        "{report:?}"
    );
    assert!(!error_file.exists());
    assert_eq!(jobs(&s.db).await.len(), 1);
    watcher.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_added_while_not_running_are_found_at_start() {
    let s = setup().await;
    std::fs::write(s.folder.join("while-away.mp4"), b"offline").unwrap();
    std::fs::write(s.folder.join("ignored.mp4.crdownload"), b"partial").unwrap();
    let watcher = start(&s).await;
    let done = wait_jobs(&s.db, "the rescan", |j| !j.is_empty()).await;
    assert_eq!(done[0].1, hash(b"offline"));
    watcher.shutdown().await;
    assert_eq!(jobs(&s.db).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_files_dropped_at_once_are_each_queued_exactly_once() {
    const N: usize = 2000;
    let s = setup().await;
    let watcher = start(&s).await;
    let folder = s.folder.clone();
    tokio::task::spawn_blocking(move || {
        for i in 0..N {
            std::fs::write(
                folder.join(format!("clip-{i:04}.mp4")),
                format!("video {i}"),
            )
            .unwrap();
        }
    })
    .await
    .unwrap();
    let done = wait_jobs(&s.db, "all files", |j| j.len() >= N).await;
    watcher.shutdown().await;
    assert_eq!(done.len(), N);
    let mut paths: Vec<&str> = done.iter().map(|j| j.0.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    assert_eq!(paths.len(), N, "one job per file");
    assert_eq!(jobs(&s.db).await.len(), N, "nothing more after shutdown");
}
