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
