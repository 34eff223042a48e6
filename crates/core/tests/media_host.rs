//! Instagram through the media host, end to end against the sandbox over loopback: a local
//! file is uploaded to the sandbox's S3-compatible bucket (presigned PUT, checked like S3
//! checks it), the container gets the object's public URL, the job is published once and
//! the object deleted; a resumed job does not upload again; without a media host the job
//! stops before any upload with `publish.needs_public_url`, naming the setting.

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use outpost_core::clock::{self, ManualClock, SharedClock};
use outpost_core::config::QueueSettings;
use outpost_core::media::fixture;
use outpost_core::oauth::Connector;
use outpost_core::publish::submit::{submit, PostRequest, Source};
use outpost_core::publish::Publisher;
use outpost_core::queue::{self, Enqueued, Job, JobState};
use outpost_core::Platform;
use outpost_sandbox::config::Platform as SP;
use outpost_sandbox::faults::FaultSpec;
use outpost_sandbox::{s3host, Sandbox};
use serde_json::json;
use sha2::{Digest, Sha256};
use support::{connect, engine, fast_clock, frozen_sandbox, sandbox_env, Engine};

const PUBLIC_BASE: &str = "https://media.outpost.example";
const BUCKET: &str = "outpost-media";

fn media_host_env(sandbox: &Sandbox) -> Vec<(&'static str, String)> {
    vec![
        ("OUTPOST_MEDIA_HOST_ENDPOINT", sandbox.media_host_url()),
        ("OUTPOST_MEDIA_HOST_BUCKET", BUCKET.into()),
        ("OUTPOST_MEDIA_HOST_REGION", "us-east-1".into()),
        (
            "OUTPOST_MEDIA_HOST_ACCESS_KEY_ID",
            s3host::ACCESS_KEY_ID.into(),
        ),
        (
            "OUTPOST_MEDIA_HOST_SECRET_ACCESS_KEY",
            s3host::SECRET_ACCESS_KEY.into(),
        ),
        // As if a CDN served the bucket over https (Meta fetches https only).
        ("OUTPOST_MEDIA_HOST_PUBLIC_BASE_URL", PUBLIC_BASE.into()),
    ]
}

struct Run {
    sandbox: Sandbox,
    connector: Connector,
    publisher: Publisher,
    clock: SharedClock,
    files: tempfile::TempDir,
    _data: tempfile::TempDir,
    _ticker: tokio::task::JoinHandle<()>,
}

fn settings() -> QueueSettings {
    QueueSettings {
        retry_base_ms: 50,
        retry_max_secs: 1,
        status_poll_secs: 1,
        max_attempts: 30,
        ..QueueSettings::default()
    }
}

/// A sandbox, an engine whose environment adds `extra` to the sandbox's, a connected
/// Instagram account and a publisher.
async fn setup(extra: impl FnOnce(&Sandbox) -> Vec<(&'static str, String)>) -> Run {
    setup_with(extra, settings()).await
}

async fn setup_with(
    extra: impl FnOnce(&Sandbox) -> Vec<(&'static str, String)>,
    settings: QueueSettings,
) -> Run {
    outpost_core::telemetry::metrics::install();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(std::env::var("TEST_LOG").unwrap_or_else(|_| "off".into()))
        .with_test_writer()
        .try_init();
    let sandbox = frozen_sandbox().await;
    let ticker = fast_clock(&sandbox);
    let mut env: HashMap<String, String> = sandbox_env(&sandbox);
    env.extend(extra(&sandbox).into_iter().map(|(k, v)| (k.to_owned(), v)));
    let data = tempfile::tempdir().unwrap();
    let manual: SharedClock = Arc::new(ManualClock::new(
        Utc.timestamp_opt(sandbox.now(), 0).unwrap(),
    ));
    let Engine { connector, .. } = engine(data.path(), env, manual).await;
    connect(&connector, Platform::Instagram).await;
    let clock = clock::system();
    let publisher = Publisher::new(connector.clone(), clock.clone(), settings);
    Run {
        sandbox,
        connector,
        publisher,
        clock,
        files: tempfile::tempdir().unwrap(),
        _data: data,
        _ticker: ticker,
    }
}

impl Run {
    fn jpeg(&self, name: &str) -> PathBuf {
        let path = self.files.path().join(name);
        fixture::write_jpeg(&path).unwrap();
        path
    }

    async fn queue(&self, path: PathBuf, caption: &str, options: serde_json::Value) -> i64 {
        let serde_json::Value::Object(options) = options else {
            panic!("options are an object")
        };
        let request = PostRequest {
            source: Source::File(path),
            targets: vec!["instagram".parse().unwrap()],
            caption: Some(caption.into()),
            options,
            publish_at: None,
        };
        let queued = submit(self.connector.db(), &self.clock, &request)
            .await
            .unwrap();
        match queued[0].enqueued {
            Enqueued::New(id) | Enqueued::Existing(id) => id,
        }
    }

    async fn job(&self, id: i64) -> Job {
        queue::get(self.connector.db(), id).await.unwrap().unwrap()
    }

    /// Work the queue until the job is final (or `limit` passes).
    async fn work(&self, id: i64, limit: Duration) -> Job {
        let db = self.connector.db().clone();
        let done = async move {
            let began = std::time::Instant::now();
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let job = queue::get(&db, id).await.unwrap().unwrap();
                if job.state.is_terminal() || began.elapsed() > limit {
                    return;
                }
            }
        };
        self.publisher.run(done).await.unwrap();
        self.job(id).await
    }

    async fn assert_published(&self, job: &Job) {
        if job.state != JobState::Published {
            let history = queue::history(self.connector.db(), job.id).await.unwrap();
            let steps: Vec<String> = history
                .iter()
                .map(|e| format!("{:?}->{} ({:?})", e.from, e.to, e.detail))
                .collect();
            panic!(
                "job {} is {} ({:?}: {:?}; {:?}):\n{}",
                job.id,
                job.state,
                job.last_error_code,
                job.last_error,
                job.step_detail,
                steps.join("\n")
            );
        }
    }
}

fn sha256_file(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

/// The sandbox's logical key of an Instagram post made from `url` with `caption`.
fn logical_key_of_url(url: &str, caption: &str) -> String {
    hex::encode(Sha256::digest(format!("url:{url}\n{caption}")))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_local_image_is_published_through_the_media_host() {
    let r = setup(media_host_env).await;
    let img = r.jpeg("Beach day.jpg");
    let id = r.queue(img.clone(), "From the media host", json!({})).await;
    let job = r.work(id, Duration::from_secs(60)).await;
    r.assert_published(&job).await;
    assert!(job.platform_media_id.is_some());

    // The bytes went to the bucket, once, under outpost/<BLAKE3>/<name>.
    let seen = r.sandbox.inspect();
    assert_eq!(
        seen.media_host_objects.len(),
        1,
        "{:?}",
        seen.media_host_objects
    );
    let object = &seen.media_host_objects[0];
    let blake3 = blake3::hash(&std::fs::read(&img).unwrap())
        .to_hex()
        .to_string();
    assert_eq!(object.bucket, BUCKET);
    assert_eq!(object.key, format!("outpost/{blake3}/Beach-day.jpg"));
    assert_eq!(object.sha256, sha256_file(&img));
    assert_eq!(object.bytes, std::fs::metadata(&img).unwrap().len());
    assert_eq!(object.content_type, "image/jpeg");
    assert_eq!(object.uploads, 1);
    // Instagram has its copy: the object was deleted after publishing.
    assert!(object.deleted, "{object:?}");

    // The container's image_url was the public URL recorded in the job's session.
    let public = format!("{PUBLIC_BASE}/{}", object.key);
    let session = job.upload_session.clone().unwrap();
    assert_eq!(session["media_host"]["url"], public.as_str());
    assert_eq!(session["media_host"]["key"], object.key.as_str());
    let published = seen.published_on(SP::Instagram);
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].via, "image");
    assert_eq!(
        published[0].logical_key,
        logical_key_of_url(&public, "From the media host")
    );
    assert_eq!(seen.max_publish_count(), 1);
    assert_eq!(seen.calls_to("POST", "/instagram/ig-api-upload"), 0);
    assert_eq!(job.bytes_acked, object.bytes as i64);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resumed_job_does_not_upload_the_file_again() {
    let r = setup(media_host_env).await;
    let img = r.jpeg("again.jpg");
    // The first Instagram call after the upload (the container) is throttled: the job goes
    // back to the queue with its session and picks up where it was.
    r.sandbox
        .set_faults("429burst=1".parse::<FaultSpec>().unwrap());
    let id = r.queue(img.clone(), "Twice?", json!({})).await;
    let job = r.work(id, Duration::from_secs(60)).await;
    r.assert_published(&job).await;
    let history = queue::history(r.connector.db(), id).await.unwrap();
    assert!(
        history
            .iter()
            .filter(|e| e.to == JobState::Uploading)
            .count()
            >= 2,
        "the job ran the uploading step twice: {history:?}"
    );
    let seen = r.sandbox.inspect();
    assert_eq!(seen.media_host_objects.len(), 1);
    assert_eq!(seen.media_host_objects[0].uploads, 1, "uploaded once");
    assert_eq!(seen.media_host_objects[0].sha256, sha256_file(&img));
    assert_eq!(seen.max_publish_count(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_local_video_goes_through_the_media_host_when_resumable_upload_is_off() {
    let r = setup(|s| {
        let mut env = media_host_env(s);
        env.push(("OUTPOST_INSTAGRAM_RESUMABLE_UPLOAD", "false".into()));
        env
    })
    .await;
    let reel = r.files.path().join("reel.mp4");
    fixture::write_mp4(&reel, 12, 3_000_000).unwrap();
    let id = r.queue(reel.clone(), "Hosted reel", json!({})).await;
    let job = r.work(id, Duration::from_secs(90)).await;
    r.assert_published(&job).await;
    let seen = r.sandbox.inspect();
    assert_eq!(seen.calls_to("POST", "/instagram/ig-api-upload"), 0);
    let object = &seen.media_host_objects[0];
    assert_eq!(object.sha256, sha256_file(&reel));
    assert_eq!(object.content_type, "video/mp4");
    let published = seen.published_on(SP::Instagram);
    assert_eq!(published[0].via, "reels");
    assert_eq!(
        published[0].logical_key,
        logical_key_of_url(&format!("{PUBLIC_BASE}/{}", object.key), "Hosted reel")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_local_image_in_a_carousel_goes_through_the_media_host() {
    let r = setup(media_host_env).await;
    let img = r.jpeg("first.jpg");
    let id = r
        .queue(
            img.clone(),
            "Carousel",
            json!({"instagram": {"kind": "carousel", "carousel": ["https://cdn.example.com/two.jpg"]}}),
        )
        .await;
    let job = r.work(id, Duration::from_secs(60)).await;
    r.assert_published(&job).await;
    let seen = r.sandbox.inspect();
    assert_eq!(seen.media_host_objects[0].sha256, sha256_file(&img));
    assert_eq!(seen.published_on(SP::Instagram)[0].via, "carousel");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_media_host_a_local_image_fails_before_any_upload() {
    let r = setup(|_| Vec::new()).await;
    let img = r.jpeg("photo.jpg");
    let id = r.queue(img, "Local image", json!({})).await;
    let job = r.work(id, Duration::from_secs(20)).await;
    assert_eq!(job.state, JobState::Failed);
    assert_eq!(
        job.last_error_code.as_deref(),
        Some("publish.needs_public_url")
    );
    let message = job.last_error.unwrap_or_default();
    assert!(message.contains("[media_host]"), "{message}");
    assert!(message.contains("docs/media-host.md"), "{message}");
    let seen = r.sandbox.inspect();
    assert!(seen.media_host_objects.is_empty());
    assert!(seen.published.is_empty());
    assert_eq!(seen.calls_to("POST", "/instagram/ig-api-upload"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_resumable_upload_or_a_media_host_a_local_video_fails_plainly() {
    let r = setup(|_| vec![("OUTPOST_INSTAGRAM_RESUMABLE_UPLOAD", "false".into())]).await;
    let reel = r.files.path().join("reel.mp4");
    fixture::write_mp4(&reel, 12, 1_000_000).unwrap();
    let id = r.queue(reel, "No way up", json!({})).await;
    let job = r.work(id, Duration::from_secs(20)).await;
    assert_eq!(job.state, JobState::Failed);
    assert_eq!(
        job.last_error_code.as_deref(),
        Some("publish.needs_public_url")
    );
    let message = job.last_error.unwrap_or_default();
    assert!(message.contains("resumable_upload"), "{message}");
    assert!(message.contains("docs/media-host.md"), "{message}");
    let seen = r.sandbox.inspect();
    assert_eq!(seen.calls_to("POST", "/instagram/ig-api-upload"), 0);
    assert!(seen.published.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_bucket_secret_stops_the_job_with_the_reason() {
    let r = setup(|s| {
        let mut env = media_host_env(s);
        env.retain(|(k, _)| *k != "OUTPOST_MEDIA_HOST_SECRET_ACCESS_KEY");
        env.push((
            "OUTPOST_MEDIA_HOST_SECRET_ACCESS_KEY",
            "not-the-bucket-secret-123".into(),
        ));
        env
    })
    .await;
    let id = r.queue(r.jpeg("p.jpg"), "Denied", json!({})).await;
    let job = r.work(id, Duration::from_secs(20)).await;
    assert_eq!(job.state, JobState::Failed);
    assert_eq!(job.last_error_code.as_deref(), Some("media_host.denied"));
    let message = job.last_error.unwrap_or_default();
    assert!(message.contains("SignatureDoesNotMatch"), "{message}");
    assert!(!message.contains("not-the-bucket-secret-123"), "{message}");
    assert!(!message.contains("X-Amz-Signature"), "{message}");
    let seen = r.sandbox.inspect();
    assert!(seen.media_host_objects.is_empty());
    assert!(seen.published.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_media_host_is_retried_then_given_up_on() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let r = setup_with(
        move |s| {
            let mut env = media_host_env(s);
            env.retain(|(k, _)| *k != "OUTPOST_MEDIA_HOST_ENDPOINT");
            env.push((
                "OUTPOST_MEDIA_HOST_ENDPOINT",
                format!("http://127.0.0.1:{port}"),
            ));
            env
        },
        QueueSettings {
            max_attempts: 2,
            ..settings()
        },
    )
    .await;
    let id = r.queue(r.jpeg("p.jpg"), "Nobody home", json!({})).await;
    let job = r.work(id, Duration::from_secs(30)).await;
    assert_eq!(job.state, JobState::Failed);
    let message = job.last_error.unwrap_or_default();
    assert!(message.contains("gave up after 2 attempts"), "{message}");
    assert!(
        message.contains("media host could not be reached"),
        "{message}"
    );
    assert!(r.sandbox.inspect().published.is_empty());
}
