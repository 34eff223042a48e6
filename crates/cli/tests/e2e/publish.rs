//! Publishing through the command line against the sandbox: `outpost publish --wait` to
//! each platform, `outpost queue`, `outpost watch`, and the crash test: `outpost run` on a
//! watched folder killed with SIGKILL at random moments, restarted, until every video is
//! published — each exactly once, as the sandbox's inspection proves.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use outpost_core::media::fixture;
use outpost_sandbox::{Platform as SP, Sandbox, SandboxConfig};
use rand::{Rng, SeedableRng};

use crate::connect::{connect_via_handoff, connect_via_loopback};
use crate::support::*;

/// A sandbox whose clock runs 20× faster than real time (platform processing is quick).
async fn fast_sandbox() -> (Sandbox, tokio::task::JoinHandle<()>) {
    let sandbox = Sandbox::start(SandboxConfig {
        frozen_clock: true,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let url = format!("{}/clock/advance", sandbox.control_url());
    let ticker = tokio::spawn(async move {
        let http = reqwest::Client::new();
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let _ = http.post(&url).body(r#"{"seconds": 2}"#).send().await;
        }
    });
    (sandbox, ticker)
}

async fn connect_all(data: &Path, env: &[(String, String)]) {
    connect_via_loopback(data, env).await;
    connect_via_handoff(data, env, "reddit", None).await;
    connect_via_handoff(
        data,
        env,
        "instagram",
        Some("https://outpost.example/oauth/instagram/"),
    )
    .await;
}

/// Quick retries and polls, a short settle window.
fn fast_config(data: &Path) {
    std::fs::create_dir_all(data).unwrap();
    std::fs::write(
        data.join("config.toml"),
        "[queue]\nretry_base_ms = 100\nretry_max_secs = 2\nstatus_poll_secs = 1\nsettle_ms = 300\nmax_attempts = 50\n",
    )
    .unwrap();
}

/// A fast sandbox, a data dir with quick queue settings, and all three accounts connected.
async fn connected() -> (
    Sandbox,
    tokio::task::JoinHandle<()>,
    tempfile::TempDir,
    std::path::PathBuf,
    Vec<(String, String)>,
) {
    let (sandbox, ticker) = fast_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    fast_config(&data);
    let env = sandbox_env(&sandbox);
    connect_all(&data, &env).await;
    (sandbox, ticker, dir, data, env)
}

fn queue_json(data: &Path, env: &[(String, String)]) -> serde_json::Value {
    let out = run(outpost(data)
        .args(["--json", "queue", "--all"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn publish_with_wait_reaches_each_platform_once() {
    let (sandbox, _ticker, dir, data, env) = connected().await;
    let clip = dir.path().join("clip.mp4");
    fixture::write_mp4(&clip, 20, 12_000_000).unwrap();
    let envs = || env.iter().map(|(k, v)| (k, v));

    let out = run(outpost(&data)
        .args(["publish"])
        .arg(&clip)
        .args([
            "--to",
            "tiktok",
            "--privacy",
            "SELF_ONLY",
            "--caption",
            "From the CLI #outpost",
            "--wait",
        ])
        .envs(envs()));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("published"), "{}", stdout(&out));
    let out = run(outpost(&data)
        .args(["--json", "publish"])
        .arg(&clip)
        .args([
            "--to",
            "instagram,reddit",
            "--subreddit",
            "r/videos",
            "--title",
            "A clip",
            "--caption",
            "Reel",
            "--wait",
        ])
        .envs(envs()));
    assert!(out.status.success(), "{}", stderr(&out));
    let jobs: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(jobs.as_array().unwrap().len(), 2);
    for j in jobs.as_array().unwrap() {
        assert_eq!(j["state"], "published", "{j}");
    }
    // The same content for the same account is never queued twice.
    let again = run(outpost(&data)
        .args(["publish"])
        .arg(&clip)
        .args(["--to", "tiktok", "--privacy", "SELF_ONLY"])
        .envs(envs()));
    assert!(
        stdout(&again).contains("already queued"),
        "{}",
        stdout(&again)
    );
    let seen = sandbox.inspect();
    assert_eq!(seen.published.len(), 3, "{:?}", seen.published);
    assert_eq!(seen.max_publish_count(), 1);
    assert_eq!(seen.published_on(SP::TikTok).len(), 1);

    // TikTok's upload link carries an upload token: it was kept in the vault only.
    let text = all_text_below(&data);
    assert!(
        !text.contains("upload_token="),
        "an upload link reached the data dir in clear"
    );
    let listed = queue_json(&data, &env);
    assert_eq!(listed["jobs"].as_array().unwrap().len(), 3, "{listed}");
    let text = run(outpost(&data).arg("queue").envs(envs()));
    assert!(stdout(&text).contains("published"), "{}", stdout(&text));
    let id = listed["jobs"][0]["id"].as_i64().unwrap();
    let cancel = run(outpost(&data)
        .args(["queue", "cancel", &id.to_string()])
        .envs(envs()));
    assert!(!cancel.status.success());
    assert!(
        stderr(&cancel).contains("can no longer be cancelled"),
        "{}",
        stderr(&cancel)
    );
    let show = run(outpost(&data)
        .args(["queue", "show", &id.to_string()])
        .envs(envs()));
    assert!(
        stdout(&show).contains("uploading → publishing"),
        "{}",
        stdout(&show)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_with_the_reason_and_nothing_queued() {
    let sandbox = Sandbox::start_default().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let env = sandbox_env(&sandbox);
    connect_via_loopback(&data, &env).await;
    let envs = || env.iter().map(|(k, v)| (k, v));
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "publish".into(),
                dir.path().join("missing.mp4").display().to_string(),
                "--to".into(),
                "tiktok".into(),
            ],
            "missing.mp4",
        ),
        (
            vec![
                "publish".into(),
                "https://x.example/v.mp4".into(),
                "--to".into(),
                "myspace".into(),
            ],
            "unknown platform",
        ),
        (
            vec![
                "publish".into(),
                "https://x.example/v.mp4".into(),
                "--to".into(),
                "reddit".into(),
            ],
            "no account matches",
        ),
        (
            vec![
                "publish".into(),
                "https://x.example/v.mp4".into(),
                "--to".into(),
                "tiktok".into(),
                "--at".into(),
                "tomorrow-ish".into(),
            ],
            "--at",
        ),
        (
            vec![
                "publish".into(),
                "https://x.example/v.mp4".into(),
                "--to".into(),
                "tiktok".into(),
                "--option".into(),
                "tiktok.privacy=x".into(),
            ],
            "privacy",
        ),
    ];
    for (args, needle) in cases {
        let out = run(outpost(&data).args(&args).envs(envs()));
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr(&out).to_lowercase().contains(&needle.to_lowercase()),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // A truncated download and an over-long caption.
    let cut = dir.path().join("cut.mp4");
    fixture::write_truncated_mp4(&cut, 10, 5_000_000, 2_000_000).unwrap();
    let out = run(outpost(&data)
        .arg("publish")
        .arg(&cut)
        .args(["--to", "tiktok"])
        .envs(envs()));
    assert!(stderr(&out).contains("incomplete"), "{}", stderr(&out));
    let ok = dir.path().join("ok.mp4");
    fixture::write_mp4(&ok, 10, 500_000).unwrap();
    let long = "é".repeat(2201);
    let out = run(outpost(&data)
        .arg("publish")
        .arg(&ok)
        .args(["--to", "tiktok", "--caption", &long])
        .envs(envs()));
    assert!(
        stderr(&out).contains("2,201") && stderr(&out).contains("2,200"),
        "{}",
        stderr(&out)
    );
    assert_eq!(queue_json(&data, &env)["jobs"].as_array().unwrap().len(), 0);
}

/// An `outpost run` child that is killed when dropped (a failing test leaves none behind).
struct Engine(Child);

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_engine(data: &Path, env: &[(String, String)]) -> Engine {
    Engine(
        outpost(data)
            .arg("run")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn killing_the_engine_at_random_moments_loses_nothing_and_publishes_each_video_once() {
    let (sandbox, _ticker, dir, data, env) = connected().await;
    let drop = dir.path().join("drop");
    std::fs::create_dir(&drop).unwrap();
    let envs = || env.iter().map(|(k, v)| (k, v));
    let add = run(outpost(&data)
        .args(["watch", "add"])
        .arg(&drop)
        .args(["--to", "tiktok,instagram"])
        .envs(envs()));
    assert!(add.status.success(), "{}", stderr(&add));
    std::fs::write(drop.join("outpost.toml"), "[options.tiktok]\nprivacy_level = \"SELF_ONLY\"\n[options.reddit]\nsubreddit = \"videos\"\n").unwrap();
    // A video with a broken sidecar is left alone, with the reason beside it and in the queue.
    fixture::write_mp4(&drop.join("broken.mp4"), 10, 300_000).unwrap();
    std::fs::write(
        drop.join("broken.json"),
        r#"{"targets": ["tiktok"], "captoin": "typo"}"#,
    )
    .unwrap();
    // A video arrives before each run, for Instagram (every third in several chunks or
    // parts); every other one goes to TikTok as well, and the first two to Reddit too. The
    // numbers stay inside the platforms' own caps: TikTok allows 15 posts a day per
    // creator and counts every upload it started, including those a kill abandoned before
    // Outpost could record them; Reddit allows 5 posts per 10 minutes.
    const ROUNDS: usize = 12;
    const PER_ROUND: usize = 1;
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
    let mut killed_mid_flight = 0;
    for round in 0..ROUNDS {
        for k in 0..PER_ROUND {
            let i = round * PER_ROUND + k;
            let size = if i % 3 == 0 {
                22_000_000 + i as u64
            } else {
                2_000_000 + i as u64 * 1000
            };
            let targets = if i < 2 {
                r#"["tiktok", "instagram", "reddit"]"#
            } else if i % 2 == 0 {
                r#"["tiktok", "instagram"]"#
            } else {
                r#"["instagram"]"#
            };
            std::fs::write(
                drop.join(format!("v{i:02}.json")),
                format!(r#"{{"targets": {targets}, "caption": "video {i}"}}"#),
            )
            .unwrap();
            fixture::write_mp4(&drop.join(format!("v{i:02}.mp4")), 10 + i as u32, size).unwrap();
        }
        let mut engine = start_engine(&data, &env);
        tokio::time::sleep(Duration::from_millis(rng.gen_range(300..2000))).await;
        engine.0.kill().unwrap();
        engine.0.wait().unwrap();
        let q = queue_json(&data, &env);
        let jobs = q["jobs"].as_array().unwrap();
        let in_flight = jobs
            .iter()
            .filter(|j| {
                matches!(
                    j["state"].as_str(),
                    Some("validating" | "uploading" | "publishing" | "processing")
                )
            })
            .count();
        killed_mid_flight += usize::from(in_flight > 0);
        eprintln!(
            "round {round}: {} jobs, {in_flight} in flight when killed",
            jobs.len()
        );
    }
    const VIDEOS: usize = ROUNDS * PER_ROUND;
    // Instagram: all; TikTok: the first two and the even ones; Reddit: the first two.
    let expected = VIDEOS + (2 + (2..VIDEOS).filter(|i| i % 2 == 0).count()) + 2;
    // A last run to the end.
    let mut engine = start_engine(&data, &env);
    let began = Instant::now();
    let jobs = loop {
        let q = queue_json(&data, &env);
        let jobs = q["jobs"].as_array().unwrap().clone();
        if jobs.len() == expected && jobs.iter().all(|j| j["state"] == "published") {
            break jobs;
        }
        if began.elapsed() > Duration::from_secs(240) {
            let open: Vec<_> = jobs.iter().filter(|j| j["state"] != "published").collect();
            panic!("{} jobs, not published: {open:#?}", jobs.len());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    // SIGTERM stops it cleanly.
    sigterm(&engine.0);
    let status = engine.0.wait().unwrap();
    assert!(status.success(), "{status:?}");

    assert_eq!(jobs.len(), expected, "no job lost, none duplicated");
    let seen = sandbox.inspect();
    assert_eq!(seen.published.len(), expected, "{:#?}", seen.published);
    // The sandbox counts commits per content; the same video goes to two or three
    // platforms, so count per (platform, content).
    let mut per_target = std::collections::BTreeMap::new();
    for p in &seen.published {
        *per_target
            .entry((format!("{:?}", p.platform), p.logical_key.clone()))
            .or_insert(0) += 1;
    }
    assert!(
        per_target.values().all(|n| *n == 1),
        "published twice: {per_target:?}"
    );
    assert_eq!(per_target.len(), expected);
    assert_eq!(seen.published_on(SP::Reddit).len(), 2);
    assert!(
        killed_mid_flight >= 1,
        "at least one kill must land mid-flight: {killed_mid_flight}"
    );
    // Every file moved to published/ with its sidecar; nothing left but the defaults.
    let left: Vec<String> = std::fs::read_dir(&drop)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "published")
        .collect();
    let mut left = left;
    left.sort();
    assert_eq!(
        left,
        [
            "broken.error.txt",
            "broken.json",
            "broken.mp4",
            "outpost.toml"
        ]
    );
    let problems = queue_json(&data, &env)["file_problems"].clone();
    assert_eq!(problems.as_array().unwrap().len(), 1, "{problems}");
    assert!(
        problems[0]["reason"].as_str().unwrap().contains("captoin"),
        "{problems}"
    );
    assert_eq!(
        std::fs::read_dir(drop.join("published")).unwrap().count(),
        VIDEOS * 2
    );
}

fn sigterm(child: &Child) {
    let out = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .output()
        .unwrap();
    assert!(out.status.success());
}
