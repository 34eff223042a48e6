//! `outpost sync` and `outpost insights` through the CLI against the sandbox.

use outpost_sandbox::Sandbox;

use crate::connect::connect_via_loopback;
use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn sync_then_export_insights_as_json_and_csv() {
    let sandbox = Sandbox::start_default().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = sandbox_env(&sandbox);
    connect_via_loopback(dir.path(), &env).await;

    let out = run(outpost(dir.path())
        .args(["--json", "sync"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert!(out.status.success(), "{}", stderr(&out));
    let reports: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(reports[0]["status"], "ok", "{reports}");
    assert!(reports[0]["media"].as_u64().unwrap() > 0);
    assert!(
        stderr(&out).contains("syncing TikTok"),
        "progress goes to stderr"
    );

    let csv = run(outpost(dir.path())
        .args(["insights", "--csv"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert!(csv.status.success(), "{}", stderr(&csv));
    let text = stdout(&csv);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("captured_at,platform,account,subject,media_id,metric,value")
    );
    let rows: Vec<&str> = lines.collect();
    assert!(
        rows.iter().any(|r| r.contains(",account,,followers,")),
        "{text}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains(",media,") && r.contains(",views,")),
        "{text}"
    );

    let json = run(outpost(dir.path())
        .args(["--json", "insights", "--since", "2000-01-01"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    let parsed: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(parsed.as_array().unwrap().len(), rows.len());
    let future = run(outpost(dir.path())
        .args(["--json", "insights", "--since", "2999-01-01"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert_eq!(stdout(&future).trim(), "[]");
    let bad = run(outpost(dir.path())
        .args(["insights", "--since", "yesterday"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert_eq!(bad.status.code(), Some(2));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_engine_syncs_a_stale_account_at_start_and_stops_on_sigterm() {
    let sandbox = Sandbox::start_default().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = sandbox_env(&sandbox);
    connect_via_loopback(dir.path(), &env).await;
    let mut engine = outpost(dir.path())
        .arg("run")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut synced = false;
    for _ in 0..150 {
        let out = run(outpost(dir.path())
            .args(["--json", "insights"])
            .envs(env.iter().map(|(k, v)| (k, v))));
        if stdout(&out).trim() != "[]" && out.status.success() {
            synced = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let term = std::process::Command::new("kill")
        .args(["-TERM", &engine.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let status = engine.wait().unwrap();
    assert!(synced, "the engine did not sync the never-synced account");
    assert!(
        status.success(),
        "the engine must stop cleanly on SIGTERM: {status:?}"
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_account_in_a_multi_account_sync_fails_alone() {
    // TikTok lives on one sandbox, Reddit on another: revoking the first touches TikTok only.
    let tiktok_side = Sandbox::start_default().await.unwrap();
    let reddit_side = Sandbox::start_default().await.unwrap();
    let env = split_env(&tiktok_side, &reddit_side);
    let dir = tempfile::tempdir().unwrap();
    connect_via_loopback(dir.path(), &env).await;
    crate::connect::connect_via_handoff(dir.path(), &env, "reddit", None).await;
    tiktok_side.revoke_all_tokens();
    let out = run(outpost(dir.path())
        .args(["--json", "sync"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert_eq!(out.status.code(), Some(1));
    let reports: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let outcomes = per_platform(&reports, "status");
    assert_eq!(outcomes, ["reddit:ok", "tiktok:failed"]);
    let accounts = run(outpost(dir.path())
        .args(["--json", "accounts"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert!(stdout(&accounts).contains("needs_reconnect"));
    tiktok_side.shutdown().await;
    reddit_side.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_engine_serves_metrics_behind_a_bearer_token() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let token = "metrics-token-for-tests-0123";
    let mut engine = outpost(dir.path())
        .args(["run", "--metrics-addr", "127.0.0.1:0"])
        .env("OUTPOST_METRICS_TOKEN", token)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Keep draining stderr: a closed pipe would kill the engine at its next message.
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr_pipe = engine.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("metrics at ") {
                let _ = tx.send(rest.trim().to_owned());
            }
        }
    });
    let url = rx.recv_timeout(std::time::Duration::from_secs(30)).ok();
    let url = url.expect("the engine prints where the metrics are");
    let http = reqwest::Client::new();
    assert_eq!(http.get(&url).send().await.unwrap().status(), 401);
    assert_eq!(
        http.get(&url)
            .bearer_auth("wrong-token-0123456789")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let ok = http.get(&url).bearer_auth(token).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert!(ok
        .text()
        .await
        .unwrap()
        .contains("# TYPE outpost_api_calls_total counter"));
    std::process::Command::new("kill")
        .args(["-TERM", &engine.id().to_string()])
        .status()
        .unwrap();
    assert!(engine.wait().unwrap().success());

    let no_token = run(outpost(dir.path()).args(["run", "--metrics-addr", "127.0.0.1:0"]));
    assert_eq!(no_token.status.code(), Some(1));
    assert!(
        stderr(&no_token).contains("OUTPOST_METRICS_TOKEN"),
        "{}",
        stderr(&no_token)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn analytics_reports_read_the_synced_history() {
    let sandbox = Sandbox::start_default().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = sandbox_env(&sandbox);
    connect_via_loopback(dir.path(), &env).await;
    let synced = run(outpost(dir.path())
        .arg("sync")
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert!(synced.status.success(), "{}", stderr(&synced));
    let report = |args: &[&str]| {
        let out = run(outpost(dir.path())
            .args(["--json", "analytics"])
            .args(args)
            .args(["--account", "tiktok", "--days", "3650"])
            .envs(env.iter().map(|(k, v)| (k, v))));
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        serde_json::from_str::<serde_json::Value>(&stdout(&out)).unwrap()
    };
    let growth = report(&["growth"]);
    assert!(growth["last"].as_f64().unwrap() > 0.0, "{growth}");
    let posts = report(&["posts"]);
    assert!(!posts.as_array().unwrap().is_empty());
    let top = report(&["top", "--by", "views", "--limit", "3"]);
    let views: Vec<f64> = top
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["views"].as_f64().unwrap())
        .collect();
    assert_eq!(views.len(), 3);
    assert!(views.windows(2).all(|w| w[0] >= w[1]), "{views:?}");
    for name in ["totals", "engagement", "best-times"] {
        report(&[name]);
    }
    // The desktop's export, from the same core function.
    let csv = run(outpost(dir.path())
        .args(["analytics", "posts", "--csv", "--by", "created_at", "--asc"])
        .args(["--account", "tiktok", "--days", "3650"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert!(csv.status.success(), "{}", stderr(&csv));
    let text = stdout(&csv);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            outpost_core::analytics::csv::POST_COLUMNS
                .join(",")
                .as_str()
        )
    );
    assert_eq!(lines.count(), posts.as_array().unwrap().len(), "{text}");
    let not_csv = run(outpost(dir.path())
        .args(["analytics", "growth", "--csv", "--account", "tiktok"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert!(
        stderr(&not_csv).contains("--csv is for"),
        "{}",
        stderr(&not_csv)
    );
    // Just synced: nothing to warn about.
    let status = run(outpost(dir.path())
        .args(["--json", "status"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    let status: serde_json::Value = serde_json::from_str(&stdout(&status)).unwrap();
    assert_eq!(status["alerts"], serde_json::json!([]), "{status}");
    // More than two intervals without a sync: the stale-sync alert.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let stale = run(outpost(dir.path())
        .arg("status")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("OUTPOST_SYNC_INTERVAL_SECS", "1"));
    let text = stdout(&stale);
    assert!(
        text.contains("Alert:")
            && text.contains("Insights of TikTok account")
            && text.contains("(they sync every 1 s)"),
        "{text}"
    );
    let bad = run(outpost(dir.path())
        .args(["analytics", "top", "--account", "tiktok", "--by", "vibes"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert_eq!(bad.status.code(), Some(1));
    sandbox.shutdown().await;
}
