//! Connecting accounts end to end through the CLI against the sandbox: the loopback
//! redirect (TikTok), the custom scheme handed over by `outpost callback` (Reddit), the
//! HTTPS bridge (Instagram); then refresh, disconnect, and the bad-input cases.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};

use outpost_core::config::VaultBackendChoice;
use outpost_core::vault::SecretOwner;
use outpost_sandbox::Sandbox;

use crate::support::*;

struct Connecting {
    child: Child,
    authorize_url: String,
}

fn start_connect(
    data: &Path,
    env: &[(String, String)],
    platform: &str,
    extra: &[&str],
) -> Connecting {
    let mut child = outpost(data)
        .args(["connect", platform, "--no-browser", "--timeout", "60"])
        .args(extra)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(
        first.starts_with("http://"),
        "expected the authorize URL, got {first:?}"
    );
    Connecting {
        child,
        authorize_url: first.trim().to_owned(),
    }
}

fn finish(c: Connecting) -> std::process::Output {
    c.child.wait_with_output().unwrap()
}

fn callback_cmd(data: &Path, env: &[(String, String)], url: &str) -> std::process::Output {
    run(outpost(data)
        .args(["callback", url])
        .envs(env.iter().map(|(k, v)| (k, v))))
}

pub(crate) async fn connect_via_loopback(data: &Path, env: &[(String, String)]) -> String {
    connect_via_loopback_as(data, env, None).await
}

async fn connect_via_loopback_as(
    data: &Path,
    env: &[(String, String)],
    account: Option<&str>,
) -> String {
    let c = start_connect(data, env, "tiktok", &[]);
    assert!(c.authorize_url.contains("code_challenge_method=S256"));
    let location = browser_decide_as(&c.authorize_url, "allow", account).await;
    assert!(location.starts_with("http://127.0.0.1:"), "{location}");
    let page = reqwest::get(&location).await.unwrap();
    let status = page.status();
    let text = page.text().await.unwrap();
    assert!(
        status.is_success() && text.contains("is connected"),
        "{status}: {text}"
    );
    let out = finish(c);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("tiktok"), "{}", stdout(&out));
    // The Connect page's plain words came first.
    let about = outpost_core::platforms::permissions::info(outpost_core::Platform::Tiktok);
    assert!(
        stderr(&out).contains(&about.scopes[0].description)
            && stderr(&out).contains(&about.requirements[0]),
        "{}",
        stderr(&out)
    );
    location
}

pub(crate) async fn connect_via_handoff(
    data: &Path,
    env: &[(String, String)],
    platform: &str,
    bridge: Option<&str>,
) -> String {
    let c = start_connect(data, env, platform, &[]);
    let location = browser_decide(&c.authorize_url, "allow").await;
    let deep_link = match bridge {
        // The HTTPS bridge page forwards its query to the custom scheme (docs/oauth-bridge.html).
        Some(prefix) => {
            assert!(location.starts_with(prefix), "{location}");
            format!(
                "outpost://oauth/callback?{}",
                location.split_once('?').unwrap().1
            )
        }
        None => location,
    };
    assert!(
        deep_link.starts_with("outpost://oauth/callback?"),
        "{deep_link}"
    );
    let handed = callback_cmd(data, env, &deep_link);
    assert!(handed.status.success(), "{}", stderr(&handed));
    let out = finish(c);
    assert!(out.status.success(), "{}", stderr(&out));
    deep_link
}

#[tokio::test(flavor = "multi_thread")]
async fn all_three_platforms_connect_refresh_and_disconnect_through_the_cli() {
    let sandbox = Sandbox::start_default().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let env = sandbox_env(&sandbox);

    let tiktok_cb = connect_via_loopback(data, &env).await;
    let reddit_cb = connect_via_handoff(data, &env, "reddit", None).await;
    let ig_cb = connect_via_handoff(
        data,
        &env,
        "instagram",
        Some("https://outpost.example/oauth/instagram/"),
    )
    .await;

    let listed = run(outpost(data)
        .args(["--json", "accounts"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    let accounts: serde_json::Value = serde_json::from_str(&stdout(&listed)).unwrap();
    let platforms: Vec<&str> = accounts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["platform"].as_str().unwrap())
        .collect();
    assert_eq!(platforms, ["instagram", "reddit", "tiktok"]);
    assert!(accounts
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["status"] == "active"));

    // A used callback cannot be replayed.
    let replay = callback_cmd(data, &env, &reddit_cb);
    assert_eq!(replay.status.code(), Some(1));
    assert!(
        stderr(&replay).contains("already used"),
        "{}",
        stderr(&replay)
    );

    // Tokens refresh (TikTok rotates its refresh token). Instagram's long-lived token may
    // only be refreshed once 24 hours old, so even a forced refresh leaves it alone.
    let refreshed = run(outpost(data)
        .args(["--json", "refresh", "--force"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert!(
        refreshed.status.success(),
        "{} {}",
        stdout(&refreshed),
        stderr(&refreshed)
    );
    let rows: serde_json::Value = serde_json::from_str(&stdout(&refreshed)).unwrap();
    let outcomes = per_platform(&rows, "outcome");
    assert_eq!(
        outcomes,
        [
            "instagram:not_needed",
            "reddit:refreshed",
            "tiktok:refreshed"
        ]
    );

    // Nothing secret in clear anywhere in the data dir (database, WAL, logs at trace level).
    let (_db, vault) =
        open_vault(data, VaultBackendChoice::Passphrase, Some(TEST_PASSPHRASE)).await;
    let mut secrets = vec![
        outpost_sandbox::config::TIKTOK_CLIENT_SECRET.to_owned(),
        outpost_sandbox::config::INSTAGRAM_APP_SECRET.to_owned(),
        TEST_PASSPHRASE.to_owned(),
    ];
    for id in 1..=3 {
        for field in ["access_token", "refresh_token"] {
            if let Some(v) = vault.get(&SecretOwner::Account(id), field).await.unwrap() {
                secrets.push(v.expose().to_owned());
            }
        }
    }
    assert!(
        secrets.len() >= 8,
        "expected stored tokens, got {}",
        secrets.len()
    );
    for cb in [&tiktok_cb, &reddit_cb, &ig_cb] {
        let code = url::Url::parse(cb)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap()
            .1
            .into_owned();
        secrets.push(code.trim_end_matches("#_").to_owned());
    }
    let text = all_text_below(data);
    for s in &secrets {
        assert!(
            !text.contains(s.as_str()),
            "a secret was found in clear in the data dir"
        );
    }

    // Disconnect revokes at the platform and keeps history unless --purge.
    let out = run(outpost(data)
        .args(["--json", "disconnect", "tiktok"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["revoked_at_platform"], true);
    let out = run(outpost(data)
        .args(["--json", "disconnect", "reddit", "--purge"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = run(outpost(data)
        .args(["--json", "accounts"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    let accounts: serde_json::Value = serde_json::from_str(&stdout(&listed)).unwrap();
    let states = per_platform(&accounts, "status");
    assert_eq!(states, ["instagram:active", "tiktok:disconnected"]);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn several_accounts_of_one_platform_connect_side_by_side() {
    let sandbox = Sandbox::start_default().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = sandbox_env(&sandbox);
    connect_via_loopback_as(dir.path(), &env, Some("sandbox.creator")).await;
    connect_via_loopback_as(dir.path(), &env, Some("sandbox.private")).await;
    let listed = run(outpost(dir.path())
        .args(["--json", "accounts"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    let accounts: serde_json::Value = serde_json::from_str(&stdout(&listed)).unwrap();
    let names: Vec<&str> = accounts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["sandbox.creator", "sandbox.private"]);
    // Naming the platform alone is ambiguous now; the username is not.
    let out = run(outpost(dir.path())
        .args(["refresh", "tiktok"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert!(
        stderr(&out).contains("2 accounts match"),
        "{}",
        stderr(&out)
    );
    let out = run(outpost(dir.path())
        .args(["refresh", "tiktok:sandbox.private", "--force"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert!(out.status.success(), "{}", stderr(&out));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_kept_in_the_vault_replace_the_environment() {
    use std::io::Write;
    let sandbox = Sandbox::start_default().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env: Vec<(String, String)> = sandbox_env(&sandbox)
        .into_iter()
        .filter(|(k, _)| !k.starts_with("OUTPOST_TIKTOK_CLIENT_"))
        .collect();
    let mut set = outpost(dir.path())
        .args([
            "credentials",
            "set",
            "tiktok",
            "--client-id",
            outpost_sandbox::config::TIKTOK_CLIENT_KEY,
        ])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(
        set.stdin.take().unwrap(),
        "{}",
        outpost_sandbox::config::TIKTOK_CLIENT_SECRET
    )
    .unwrap();
    let out = set.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    connect_via_loopback(dir.path(), &env).await;
    assert!(!all_text_below(dir.path()).contains(outpost_sandbox::config::TIKTOK_CLIENT_SECRET));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reconnecting_the_same_user_updates_the_account() {
    let sandbox = Sandbox::start_default().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = sandbox_env(&sandbox);
    connect_via_loopback(dir.path(), &env).await;
    connect_via_loopback(dir.path(), &env).await;
    let listed = run(outpost(dir.path())
        .args(["--json", "accounts"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    let accounts: serde_json::Value = serde_json::from_str(&stdout(&listed)).unwrap();
    assert_eq!(accounts.as_array().unwrap().len(), 1);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn denial_forged_state_and_timeouts_connect_nothing() {
    let sandbox = Sandbox::start_default().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let env = sandbox_env(&sandbox);

    // The creator clicks Deny.
    let c = start_connect(data, &env, "tiktok", &[]);
    let location = browser_decide(&c.authorize_url, "deny").await;
    let page = reqwest::get(&location).await.unwrap();
    assert_eq!(page.status(), 400);
    let out = finish(c);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("declined"), "{}", stderr(&out));

    // A forged state is refused by `outpost callback`, and a link for a waiting Reddit
    // sign-in with a forged state does not disturb it.
    let forged = callback_cmd(
        data,
        &env,
        "outpost://oauth/callback?code=abc&state=forged-state",
    );
    assert_eq!(forged.status.code(), Some(1));
    assert!(stderr(&forged).contains("unknown"), "{}", stderr(&forged));

    // Malformed deep links.
    for bad in [
        "outpost://oauth/elsewhere?code=a&state=b",
        "outpost://oauth/callback?code=%zz&state=b",
        "garbage",
    ] {
        let out = callback_cmd(data, &env, bad);
        assert_eq!(out.status.code(), Some(1), "{bad}");
        assert!(!stderr(&out).contains("panicked"));
    }

    // Nobody approves.
    let out = run(outpost(data)
        .args(["connect", "reddit", "--no-browser", "--timeout", "1"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no answer"), "{}", stderr(&out));

    // A platform without credentials says what to do.
    let out = run(outpost(data)
        .args(["connect", "tiktok", "--no-browser"])
        .env("OUTPOST_VAULT_PASSPHRASE", TEST_PASSPHRASE));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("outpost credentials set tiktok"),
        "{}",
        stderr(&out)
    );

    let listed = run(outpost(data)
        .args(["--json", "accounts"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert_eq!(stdout(&listed).trim(), "[]");
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_account_is_marked_needs_reconnect_and_others_carry_on() {
    // Two sandboxes: TikTok lives on the first, Reddit on the second, so that revoking
    // everything on the first touches only the TikTok account.
    let tiktok_side = Sandbox::start_default().await.unwrap();
    let reddit_side = Sandbox::start_default().await.unwrap();
    let env = split_env(&tiktok_side, &reddit_side);
    let dir = tempfile::tempdir().unwrap();
    connect_via_loopback(dir.path(), &env).await;
    connect_via_handoff(dir.path(), &env, "reddit", None).await;
    tiktok_side.revoke_all_tokens();

    let out = run(outpost(dir.path())
        .args(["--json", "refresh", "--force"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert_eq!(out.status.code(), Some(1), "one account failed");
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let outcomes = per_platform(&rows, "outcome");
    assert_eq!(outcomes, ["reddit:refreshed", "tiktok:failed"]);

    let listed = run(outpost(dir.path())
        .args(["--json", "accounts"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    let accounts: serde_json::Value = serde_json::from_str(&stdout(&listed)).unwrap();
    let states = per_platform(&accounts, "status");
    assert_eq!(states, ["reddit:active", "tiktok:needs_reconnect"]);

    let metrics = run(outpost(dir.path())
        .arg("metrics")
        .envs(env.iter().map(|(k, v)| (k, v))));
    let text = stdout(&metrics);
    assert!(
        text.contains(r#"outpost_token_refreshes_total{outcome="error",platform="tiktok"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"outpost_token_refreshes_total{outcome="ok",platform="reddit"} 1"#),
        "{text}"
    );
    tiktok_side.shutdown().await;
    reddit_side.shutdown().await;
}
