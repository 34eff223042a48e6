//! The token broker: `outpost connect` and `outpost refresh` work with no client secret on
//! the creator's machine, the broker (another process) holding it.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use outpost_sandbox::Sandbox;

use crate::connect::{connect_via_handoff, connect_via_loopback};
use crate::support::*;

struct Broker(std::process::Child);

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_and_refresh_through_the_broker_without_a_local_secret() {
    let sandbox = Sandbox::start_default().await.unwrap();
    let server_dir = tempfile::tempdir().unwrap();
    let full_env = sandbox_env(&sandbox);
    let mut child = outpost(server_dir.path())
        .args(["broker", "serve", "--addr", "127.0.0.1:0"])
        .envs(full_env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _broker = Broker(child);
    let url = line
        .split_whitespace()
        .nth(1)
        .expect("broker URL")
        .to_owned();
    assert!(
        line.contains("tiktok") && line.contains("instagram"),
        "{line}"
    );

    // The creator's machine: client ids and the broker, no secrets.
    let mut env: Vec<(String, String)> = full_env
        .into_iter()
        .filter(|(k, _)| !k.ends_with("_CLIENT_SECRET"))
        .collect();
    env.push(("OUTPOST_TIKTOK_BROKER_URL".into(), url.clone()));
    env.push(("OUTPOST_INSTAGRAM_BROKER_URL".into(), url.clone()));
    let dir = tempfile::tempdir().unwrap();
    connect_via_loopback(dir.path(), &env).await;
    connect_via_handoff(
        dir.path(),
        &env,
        "instagram",
        Some("https://outpost.example/oauth/instagram/"),
    )
    .await;

    let refreshed = run(outpost(dir.path())
        .args(["--json", "refresh", "tiktok", "--force"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert!(refreshed.status.success(), "{}", stderr(&refreshed));
    assert!(
        stdout(&refreshed).contains("\"refreshed\""),
        "{}",
        stdout(&refreshed)
    );

    let text = all_text_below(dir.path());
    for secret in [
        outpost_sandbox::config::TIKTOK_CLIENT_SECRET,
        outpost_sandbox::config::INSTAGRAM_APP_SECRET,
    ] {
        assert!(!text.contains(secret));
    }

    // Bad requests get the broker's error envelope.
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{url}/v1/tiktok/token"))
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["error"],
        "invalid_request"
    );
    let r = http
        .post(format!("{url}/v1/myspace/token"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = http
        .post(format!("{url}/v1/tiktok/token"))
        .json(&serde_json::json!({"grant_type": "authorization_code", "code": "forged", "redirect_uri": "http://127.0.0.1:1/callback"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["error"],
        "invalid_grant"
    );
    let r = http
        .post(format!("{url}/v1/tiktok/token"))
        .header("content-type", "application/json")
        .body("x".repeat(64 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    sandbox.shutdown().await;
}
