//! Publishing end to end against the sandbox over loopback: jobs queued with
//! `publish::submit`, worked by a real `Publisher` on a real SQLite file, and checked from
//! both sides (the job's state and the sandbox's record of what was published, and how
//! many times). Covers every platform and post kind, the sandbox's faults, validation,
//! quota, revoked tokens, cancel/retry/pause, scheduling and resuming a stopped upload.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use outpost_core::clock::{self, SharedClock};
use outpost_core::config::QueueSettings;
use outpost_core::media::fixture;
use outpost_core::publish::submit::{submit, PostRequest, Source};
use outpost_core::publish::Publisher;
use outpost_core::queue::{self, Enqueued, Job, JobState};
use outpost_sandbox::config::Platform as SP;
use outpost_sandbox::faults::FaultSpec;
use outpost_sandbox::Sandbox;
use serde_json::{json, Map, Value};
use support::{fast_clock, frozen_sandbox, world_with, World};

fn settings() -> QueueSettings {
    QueueSettings {
        retry_base_ms: 50,
        retry_max_secs: 1,
        status_poll_secs: 1,
        max_attempts: 30,
        ..QueueSettings::default()
    }
}

struct Run {
    w: World,
    publisher: Publisher,
    clock: SharedClock,
    dir: tempfile::TempDir,
    _ticker: tokio::task::JoinHandle<()>,
}

async fn setup() -> Run {
    outpost_core::telemetry::metrics::install();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(std::env::var("TEST_LOG").unwrap_or_else(|_| "off".into()))
        .with_test_writer()
        .try_init();
    let sandbox = frozen_sandbox().await;
    let ticker = fast_clock(&sandbox);
    let w = world_with(sandbox).await;
    let clock = clock::system();
    let publisher = Publisher::new(w.connector.clone(), clock.clone(), settings());
    Run {
        w,
        publisher,
        clock,
        dir: tempfile::tempdir().unwrap(),
        _ticker: ticker,
    }
}

impl Run {
    fn video(&self, name: &str, seconds: u32, bytes: u64) -> PathBuf {
        let path = self.dir.path().join(name);
        fixture::write_mp4(&path, seconds, bytes).unwrap();
        path
    }

    async fn queue(&self, source: Source, target: &str, caption: &str, options: Value) -> Vec<i64> {
        let Value::Object(options) = options else {
            panic!()
        };
        let request = PostRequest {
            source,
            targets: vec![target.parse().unwrap()],
            caption: Some(caption.into()),
            options,
            publish_at: None,
        };
        submit(self.w.connector.db(), &self.clock, &request)
            .await
            .unwrap()
            .into_iter()
            .map(|q| match q.enqueued {
                Enqueued::New(id) | Enqueued::Existing(id) => id,
            })
            .collect()
    }

    async fn job(&self, id: i64) -> Job {
        queue::get(self.w.connector.db(), id)
            .await
            .unwrap()
            .unwrap()
    }

    /// Work the queue until every job of `ids` is final (or `limit` passes).
    async fn work(&self, ids: &[i64], limit: Duration) -> Vec<Job> {
        let db = self.w.connector.db().clone();
        let ids2 = ids.to_vec();
        let done = async move {
            let began = std::time::Instant::now();
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let mut all = true;
                for id in &ids2 {
                    all &= queue::get(&db, *id)
                        .await
                        .unwrap()
                        .unwrap()
                        .state
                        .is_terminal();
                }
                if all || began.elapsed() > limit {
                    return;
                }
            }
        };
        self.publisher.run(done).await.unwrap();
        let mut out = Vec::new();
        for id in ids {
            out.push(self.job(*id).await);
        }
        out
    }
}

/// Calls the sandbox saw whose `"METHOD /path"` starts with `prefix`.
fn calls_starting(sandbox: &Sandbox, prefix: &str) -> u64 {
    sandbox
        .inspect()
        .calls_by_endpoint
        .iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .map(|(_, n)| n)
        .sum()
}

fn no_options() -> Value {
    json!({})
}

fn assert_published(jobs: &[Job]) {
    for j in jobs {
        assert_eq!(
            j.state,
            JobState::Published,
            "job {} {:?}: {:?} / {:?}",
            j.id,
            j.source_path,
            j.last_error,
            j.step_detail
        );
    }
}

impl Run {
    /// [`assert_published`], with each unpublished job's history in the message.
    async fn assert_published(&self, jobs: &[Job]) {
        if let Some(j) = jobs.iter().find(|j| j.state != JobState::Published) {
            let history = queue::history(self.w.connector.db(), j.id).await.unwrap();
            let steps: Vec<String> = history
                .iter()
                .map(|e| format!("{:?}->{} ({:?}) @{}", e.from, e.to, e.detail, e.at))
                .collect();
            panic!(
                "job {} is {} ({:?}; {:?}):\n{}",
                j.id,
                j.state,
                j.last_error,
                j.step_detail,
                steps.join("\n")
            );
        }
        assert_published(jobs);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tiktok_direct_post_and_draft_publish_once_each() {
    let r = setup().await;
    let big = r.video("big.mp4", 30, 25_000_123);
    let small = r.video("small.mp4", 12, 3_000_000);
    let mut ids = r
        .queue(
            Source::File(big),
            "tiktok",
            "Big clip #outpost",
            json!({"tiktok": {"privacy_level": "SELF_ONLY"}}),
        )
        .await;
    ids.extend(
        r.queue(
            Source::File(small),
            "tiktok",
            "Draft",
            json!({"tiktok": {"draft": true}}),
        )
        .await,
    );
    let jobs = r.work(&ids, Duration::from_secs(60)).await;
    r.assert_published(&jobs).await;
    assert_eq!(jobs[0].chunks_acked, 2, "25 MB goes as 10 MB + 15 MB");
    assert_eq!(jobs[0].bytes_acked, 25_000_123);
    assert!(jobs[0].platform_publish_id.is_some());
    assert!(
        jobs[1]
            .step_detail
            .as_deref()
            .unwrap_or("")
            .contains("inbox"),
        "{:?}",
        jobs[1].step_detail
    );
    let seen = r.w.sandbox.inspect();
    assert_eq!(
        seen.published_on(SP::TikTok).len(),
        2,
        "{:?}",
        seen.published
    );
    assert_eq!(seen.max_publish_count(), 1);
    assert_eq!(
        calls_starting(&r.w.sandbox, "PUT /tiktok/"),
        3,
        "2 chunks + 1"
    );
    let published = outpost_core::telemetry::metrics::counter_value(
        "outpost_publishes_total",
        &[("platform", "tiktok"), ("outcome", "published")],
    );
    assert!(published >= 2, "publishes are counted: {published}");
}

#[tokio::test(flavor = "multi_thread")]
async fn tiktok_posts_are_checked_against_the_creator_before_any_byte() {
    let r = setup().await;
    let a = r.video("a.mp4", 10, 1_000_000);
    let b = r.video("b.mp4", 10, 1_100_000);
    let no_privacy = r.queue(Source::File(a), "tiktok", "x", no_options()).await;
    let bad_privacy = r
        .queue(
            Source::File(b),
            "tiktok",
            "y",
            json!({"tiktok": {"privacy_level": "NOBODY_AT_ALL"}}),
        )
        .await;
    let jobs = r
        .work(&[no_privacy[0], bad_privacy[0]], Duration::from_secs(30))
        .await;
    assert_eq!(jobs[0].state, JobState::Failed);
    let e0 = jobs[0].last_error.clone().unwrap();
    assert!(
        e0.contains("privacy_level") && e0.contains("SELF_ONLY"),
        "{e0}"
    );
    assert_eq!(jobs[1].state, JobState::Failed);
    assert!(jobs[1]
        .last_error
        .as_deref()
        .unwrap()
        .contains("NOBODY_AT_ALL"));
    assert!(calls_starting(&r.w.sandbox, "POST /tiktok/v2/post/publish/creator_info") >= 2);
    assert_eq!(
        calls_starting(&r.w.sandbox, "POST /tiktok/v2/post/publish/video"),
        0
    );
    assert_eq!(calls_starting(&r.w.sandbox, "PUT /tiktok/"), 0);
    // Over-long captions are refused when queued, naming the limit and the value.
    let c = r.video("c.mp4", 10, 1_200_000);
    let request = PostRequest {
        source: Source::File(c),
        targets: vec!["instagram".parse().unwrap()],
        caption: Some("x".repeat(2300)),
        options: Map::new(),
        publish_at: None,
    };
    let err = submit(r.w.connector.db(), &r.clock, &request)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("2,300") && err.contains("2,200"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn instagram_reels_images_and_carousels_publish_once_each() {
    let r = setup().await;
    // A 20 MB Reel by resumable upload (three parts), one from a public URL, an image and a
    // carousel from URLs.
    let reel = r.video("reel.mp4", 20, 20_000_000);
    let mut ids = r
        .queue(
            Source::File(reel),
            "instagram",
            "Local reel #one",
            no_options(),
        )
        .await;
    ids.extend(
        r.queue(
            Source::Url("https://cdn.example.com/clip.mp4".into()),
            "instagram",
            "URL reel",
            no_options(),
        )
        .await,
    );
    ids.extend(
        r.queue(
            Source::Url("https://cdn.example.com/photo.jpg".into()),
            "instagram",
            "An image",
            no_options(),
        )
        .await,
    );
    ids.extend(
        r.queue(
            Source::Url("https://cdn.example.com/one.jpg".into()),
            "instagram",
            "A carousel",
            json!({"instagram": {"kind": "carousel", "carousel": ["https://cdn.example.com/two.jpg", "https://cdn.example.com/three.mp4"]}}),
        )
        .await,
    );
    let jobs = r.work(&ids, Duration::from_secs(90)).await;
    r.assert_published(&jobs).await;
    assert_eq!(jobs[0].bytes_acked, 20_000_000);
    assert_eq!(jobs[0].chunks_acked, 3);
    for j in &jobs {
        assert!(j.platform_media_id.is_some(), "{j:?}");
    }
    let seen = r.w.sandbox.inspect();
    assert_eq!(seen.published_on(SP::Instagram).len(), 4);
    assert_eq!(seen.max_publish_count(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn instagram_says_plainly_when_a_local_image_has_no_public_url() {
    let r = setup().await;
    let img = r.dir.path().join("photo.jpg");
    fixture::write_jpeg(&img).unwrap();
    let ids = r
        .queue(Source::File(img), "instagram", "Local image", no_options())
        .await;
    let before = calls_starting(&r.w.sandbox, "POST /instagram/");
    let jobs = r.work(&ids, Duration::from_secs(20)).await;
    assert_eq!(jobs[0].state, JobState::Failed);
    assert_eq!(
        jobs[0].last_error_code.as_deref(),
        Some("publish.needs_public_url")
    );
    assert_eq!(
        calls_starting(&r.w.sandbox, "POST /instagram/"),
        before,
        "nothing sent"
    );
    assert!(r.w.sandbox.inspect().published.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn reddit_link_text_image_and_video_posts_publish_once_each() {
    let r = setup().await;
    let clip = r.video("clip.mp4", 15, 4_000_000);
    let img = r.dir.path().join("pic.jpg");
    fixture::write_jpeg(&img).unwrap();
    let reddit = |title: &str| json!({"reddit": {"subreddit": "r/outpost_sandbox", "title": title, "nsfw": false, "spoiler": true}});
    let mut ids = r
        .queue(
            Source::Url("https://example.com/article".into()),
            "reddit",
            "",
            reddit("A link"),
        )
        .await;
    ids.extend(
        r.queue(Source::Text, "reddit", "", json!({"reddit": {"subreddit": "outpost_sandbox", "title": "Text", "text": "Hello from Outpost"}}))
            .await,
    );
    ids.extend(
        r.queue(Source::File(img), "reddit", "", reddit("A picture"))
            .await,
    );
    ids.extend(
        r.queue(Source::File(clip), "reddit", "", reddit("A video"))
            .await,
    );
    let jobs = r.work(&ids, Duration::from_secs(60)).await;
    r.assert_published(&jobs).await;
    for j in &jobs {
        assert!(j.platform_media_id.is_some(), "{j:?}");
    }
    let seen = r.w.sandbox.inspect();
    assert_eq!(
        seen.published_on(SP::Reddit).len(),
        4,
        "{:?}",
        seen.published
    );
    assert_eq!(seen.max_publish_count(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn reddit_refusals_are_reported_in_plain_words() {
    let r = setup().await;
    let ids = r
        .queue(
            Source::Url("https://example.com/x".into()),
            "reddit",
            "",
            json!({"reddit": {"subreddit": "no_such_place_here", "title": "t"}}),
        )
        .await;
    let missing = r
        .queue(
            Source::Url("https://example.com/y".into()),
            "reddit",
            "t",
            no_options(),
        )
        .await;
    let jobs = r.work(&[ids[0], missing[0]], Duration::from_secs(20)).await;
    assert_eq!(jobs[0].state, JobState::Failed);
    assert!(
        jobs[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("SUBREDDIT_NOEXIST"),
        "{:?}",
        jobs[0].last_error
    );
    assert_eq!(
        jobs[1].last_error_code.as_deref(),
        Some("publish.subreddit_required")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn transient_faults_are_retried_and_still_publish_exactly_once() {
    let r = setup().await;
    r.w.sandbox
        .set_faults("5xx=0.25,drop=0.1,429burst=3".parse::<FaultSpec>().unwrap());
    let mut ids = Vec::new();
    for i in 0..3u64 {
        let v = r.video(&format!("t{i}.mp4"), 10, 12_000_000 + i);
        ids.extend(
            r.queue(
                Source::File(v),
                "tiktok",
                &format!("fault {i}"),
                json!({"tiktok": {"privacy_level": "SELF_ONLY"}}),
            )
            .await,
        );
        let v = r.video(&format!("i{i}.mp4"), 10, 9_000_000 + i);
        ids.extend(
            r.queue(
                Source::File(v),
                "instagram",
                &format!("fault {i}"),
                no_options(),
            )
            .await,
        );
    }
    let jobs = r.work(&ids, Duration::from_secs(180)).await;
    r.w.sandbox.set_faults(FaultSpec::default());
    r.assert_published(&jobs).await;
    let seen = r.w.sandbox.inspect();
    assert_eq!(seen.published.len(), 6, "{:?}", seen.published);
    assert_eq!(seen.max_publish_count(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_containers_and_failed_media_stop_with_the_reason() {
    let r = setup().await;
    r.w.sandbox
        .set_faults("container_error,publish_fail".parse::<FaultSpec>().unwrap());
    let reel = r.video("reel.mp4", 10, 2_000_000);
    let clip = r.video("clip.mp4", 10, 2_100_000);
    let ig = r
        .queue(Source::File(reel), "instagram", "bad", no_options())
        .await;
    let rd = r
        .queue(
            Source::File(clip),
            "reddit",
            "",
            json!({"reddit": {"subreddit": "videos", "title": "bad video"}}),
        )
        .await;
    let jobs = r.work(&[ig[0], rd[0]], Duration::from_secs(60)).await;
    for j in &jobs {
        assert_eq!(j.state, JobState::Failed, "{j:?}");
        assert_eq!(
            j.last_error_code.as_deref(),
            Some("publish.platform_failed"),
            "{j:?}"
        );
    }
    assert!(
        jobs[0].last_error.as_deref().unwrap().contains("2207003"),
        "{:?}",
        jobs[0].last_error
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_authorization_fails_the_job_and_asks_for_a_reconnect() {
    let r = setup().await;
    r.w.sandbox.revoke_all_tokens();
    let v = r.video("v.mp4", 10, 1_000_000);
    let ids = r
        .queue(
            Source::File(v),
            "tiktok",
            "x",
            json!({"tiktok": {"privacy_level": "SELF_ONLY"}}),
        )
        .await;
    let jobs = r.work(&ids, Duration::from_secs(30)).await;
    assert_eq!(jobs[0].state, JobState::Failed);
    assert_eq!(
        jobs[0].last_error_code.as_deref(),
        Some("account.needs_reconnect"),
        "{:?}",
        jobs[0].last_error
    );
    assert!(jobs[0]
        .last_error
        .as_deref()
        .unwrap()
        .contains("outpost connect tiktok"));
    let account =
        r.w.connector
            .db()
            .accounts()
            .get(jobs[0].account_id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(account.status.as_str(), "needs_reconnect");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stopped_upload_resumes_from_what_the_platform_has() {
    let r = setup().await;
    let v = r.video("long.mp4", 60, 45_000_000);
    let ids = r
        .queue(
            Source::File(v),
            "tiktok",
            "resume me",
            json!({"tiktok": {"privacy_level": "SELF_ONLY"}}),
        )
        .await;
    // Each answer takes 300 ms, so the engine is stopped between two chunks.
    r.w.sandbox
        .set_faults("latency=300ms".parse::<FaultSpec>().unwrap());
    // Stop the engine as soon as the second chunk is acknowledged.
    let db = r.w.connector.db().clone();
    let id = ids[0];
    r.publisher
        .run(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(20)).await;
                if queue::get(&db, id).await.unwrap().unwrap().chunks_acked >= 2 {
                    return;
                }
            }
        })
        .await
        .unwrap();
    let stopped = r.job(id).await;
    assert!(
        matches!(
            stopped.state,
            JobState::Uploading | JobState::Publishing | JobState::Published
        ),
        "{stopped:?}"
    );
    r.w.sandbox.set_faults(FaultSpec::default());
    let before = calls_starting(&r.w.sandbox, "PUT /tiktok/");
    // A new engine (as after a restart) picks it up where it was.
    let again = Publisher::new(r.w.connector.clone(), r.clock.clone(), settings());
    let run = Run {
        publisher: again,
        ..r
    };
    let jobs = run.work(&ids, Duration::from_secs(60)).await;
    run.assert_published(&jobs).await;
    let puts = calls_starting(&run.w.sandbox, "PUT /tiktok/") - before;
    assert!(
        (1..=3).contains(&puts),
        "resumed, not restarted: {puts} more chunk PUTs for 4 chunks"
    );
    assert_eq!(run.w.sandbox.inspect().max_publish_count(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_retry_pause_and_schedule() {
    let r = setup().await;
    let db = r.w.connector.db().clone();
    let now = r.clock.now_millis();
    let a = r.video("a.mp4", 10, 1_000_001);
    let b = r.video("b.mp4", 10, 1_000_002);
    let c = r.video("c.mp4", 10, 1_000_003);
    let cancelled = r
        .queue(
            Source::File(a),
            "tiktok",
            "a",
            json!({"tiktok": {"privacy_level": "SELF_ONLY"}}),
        )
        .await[0];
    queue::cancel(&db, cancelled, now).await.unwrap();
    // Fails for want of a privacy level, then is fixed and retried.
    let fixable = r.queue(Source::File(b), "tiktok", "b", no_options()).await[0];
    // Scheduled an hour ahead: it waits.
    let request = PostRequest {
        source: Source::File(c),
        targets: vec!["tiktok".parse().unwrap()],
        caption: Some("later".into()),
        options: serde_json::from_value(json!({"tiktok": {"privacy_level": "SELF_ONLY"}})).unwrap(),
        publish_at: Some(chrono::Utc::now() + chrono::Duration::hours(1)),
    };
    let Enqueued::New(later) = submit(&db, &r.clock, &request).await.unwrap()[0].enqueued else {
        panic!()
    };
    let jobs = r.work(&[cancelled, fixable], Duration::from_secs(30)).await;
    assert_eq!(jobs[0].state, JobState::Cancelled);
    assert_eq!(jobs[1].state, JobState::Failed);
    assert_eq!(r.job(later).await.state, JobState::Queued);

    sqlx::query("UPDATE jobs SET options_json = json_set(options_json, '$.options.privacy_level', 'SELF_ONLY') WHERE id = ?1")
        .bind(fixable)
        .execute(db.pool())
        .await
        .unwrap();
    queue::set_paused(&db, true, now).await.unwrap();
    queue::retry(&db, fixable, now).await.unwrap();
    r.work(&[fixable], Duration::from_secs(2)).await;
    assert_eq!(
        r.job(fixable).await.state,
        JobState::Queued,
        "paused: nothing starts"
    );
    queue::set_paused(&db, false, now).await.unwrap();
    let jobs = r.work(&[fixable], Duration::from_secs(30)).await;
    r.assert_published(&jobs).await;
    assert!(matches!(
        queue::cancel(&db, fixable, now).await,
        Err(queue::QueueError::TooLate(..))
    ));
    assert_eq!(r.job(later).await.state, JobState::Queued);
    assert_eq!(r.w.sandbox.inspect().published.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn tiktoks_daily_cap_makes_the_next_post_wait_for_quota() {
    let r = setup().await;
    let mut ids = Vec::new();
    for i in 0..16u64 {
        let v = r.video(&format!("d{i}.mp4"), 5, 200_000 + i);
        ids.extend(
            r.queue(
                Source::File(v),
                "tiktok",
                &format!("daily {i}"),
                json!({"tiktok": {"privacy_level": "SELF_ONLY"}}),
            )
            .await,
        );
    }
    let db = r.w.connector.db().clone();
    let watched = ids.clone();
    r.publisher
        .run(async move {
            let began = std::time::Instant::now();
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let mut published = 0;
                let mut waiting = 0;
                for id in &watched {
                    match queue::get(&db, *id).await.unwrap().unwrap().state {
                        JobState::Published => published += 1,
                        JobState::WaitingForQuota => waiting += 1,
                        _ => {}
                    }
                }
                if (published == 15 && waiting == 1) || began.elapsed() > Duration::from_secs(90) {
                    return;
                }
            }
        })
        .await
        .unwrap();
    let mut waiting = Vec::new();
    for id in &ids {
        let j = r.job(*id).await;
        if j.state != JobState::Published {
            waiting.push(j);
        }
    }
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    let w = &waiting[0];
    assert_eq!(w.state, JobState::WaitingForQuota, "{w:?}");
    let text = w.step_detail.clone().unwrap_or_default();
    assert!(
        text.contains("daily limit") && text.contains("UTC"),
        "{text}"
    );
    let until = w.next_attempt_at.unwrap();
    assert!(
        until > r.clock.now_millis() + 23 * 3_600_000,
        "waits for the window: {until}"
    );
    assert_eq!(r.w.sandbox.inspect().published_on(SP::TikTok).len(), 15);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_upload_link_starts_a_new_upload_and_posts_once() {
    let r = setup().await;
    let v = r.video("late.mp4", 60, 35_000_000);
    let ids = r
        .queue(
            Source::File(v),
            "tiktok",
            "late",
            json!({"tiktok": {"privacy_level": "SELF_ONLY"}}),
        )
        .await;
    // Slow answers, so the engine is stopped after the first chunk.
    r.w.sandbox
        .set_faults("latency=300ms".parse::<FaultSpec>().unwrap());
    let (db, id) = (r.w.connector.db().clone(), ids[0]);
    r.publisher
        .run(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(20)).await;
                if queue::get(&db, id).await.unwrap().unwrap().chunks_acked >= 1 {
                    return;
                }
            }
        })
        .await
        .unwrap();
    r.w.sandbox.set_faults(FaultSpec::default());
    assert_eq!(r.job(id).await.state, JobState::Uploading);
    let first = r.job(id).await.upload_session.unwrap()["publish_id"].clone();
    // Two hours pass on TikTok's side: the upload link (valid one hour) is dead.
    r.w.sandbox.advance_clock(Duration::from_secs(7200)).await;
    let jobs = r.work(&ids, Duration::from_secs(60)).await;
    r.assert_published(&jobs).await;
    let second = jobs[0].platform_publish_id.clone().unwrap();
    assert_ne!(first.as_str().unwrap(), second, "a new upload session");
    let seen = r.w.sandbox.inspect();
    assert_eq!(seen.published_on(SP::TikTok).len(), 1);
    assert_eq!(seen.max_publish_count(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missed_schedule_publishes_at_start_or_waits_to_be_asked() {
    let r = setup().await;
    let db = r.w.connector.db().clone();
    let mut ids = Vec::new();
    for name in ["missed-a.mp4", "missed-b.mp4"] {
        let request = PostRequest {
            source: Source::File(r.video(name, 10, 900_000 + ids.len() as u64)),
            targets: vec!["tiktok".parse().unwrap()],
            caption: Some(name.into()),
            options: serde_json::from_value(json!({"tiktok": {"privacy_level": "SELF_ONLY"}}))
                .unwrap(),
            // Due an hour ago, while Outpost was closed.
            publish_at: Some(chrono::Utc::now() - chrono::Duration::hours(1)),
        };
        let Enqueued::New(id) = submit(&db, &r.clock, &request).await.unwrap()[0].enqueued else {
            panic!()
        };
        ids.push(id);
    }
    // `missed_schedule = "ask"`: held, saying why, until the creator retries it.
    let asking = Publisher::new(
        r.w.connector.clone(),
        r.clock.clone(),
        QueueSettings {
            missed_schedule: outpost_core::config::MissedSchedule::Ask,
            ..settings()
        },
    );
    let run = Run {
        publisher: asking,
        ..r
    };
    run.work(&ids[..1], Duration::from_secs(3)).await;
    let held = run.job(ids[0]).await;
    assert_eq!(held.state, JobState::Queued);
    assert!(
        held.step_detail
            .as_deref()
            .unwrap_or("")
            .contains("scheduled time passed"),
        "{held:?}"
    );
    queue::retry(&db, ids[0], run.clock.now_millis())
        .await
        .unwrap();
    let jobs = run.work(&ids[..1], Duration::from_secs(30)).await;
    run.assert_published(&jobs).await;
    // The default publishes at the next start.
    let default = Publisher::new(run.w.connector.clone(), run.clock.clone(), settings());
    let run = Run {
        publisher: default,
        ..run
    };
    let jobs = run.work(&ids[1..], Duration::from_secs(30)).await;
    run.assert_published(&jobs).await;
}
