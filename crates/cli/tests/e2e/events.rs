//! `outpost events serve`: the sandbox's signed webhooks reach the CLI's receiver and change
//! the local state (here: TikTok's `authorization.removed` marks the account).

use std::process::Stdio;

use outpost_core::config::VaultBackendChoice;
use outpost_core::vault::SecretOwner;
use outpost_sandbox::{Platform as SP, Sandbox};

use crate::connect::connect_via_loopback;
use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_revocation_webhook_marks_the_account_through_the_cli_receiver() {
    let sandbox = Sandbox::start_default().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = sandbox_env(&sandbox);
    connect_via_loopback(dir.path(), &env).await;

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut receiver = outpost(dir.path())
        .args(["events", "serve", "--addr", &format!("127.0.0.1:{port}")])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let health = format!("http://127.0.0.1:{port}/healthz");
    let mut up = false;
    for _ in 0..100 {
        if http
            .get(&health)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(up, "the receiver did not come up");
    sandbox.set_webhook_url(Some(format!("http://127.0.0.1:{port}/webhooks/tiktok")));

    // The creator removes Outpost's access on TikTok's side.
    let (_db, vault) = open_vault(
        dir.path(),
        VaultBackendChoice::Passphrase,
        Some(TEST_PASSPHRASE),
    )
    .await;
    let token = vault
        .get(&SecretOwner::Account(1), "access_token")
        .await
        .unwrap()
        .unwrap();
    let revoked = http
        .post(format!("{}/v2/oauth/revoke/", sandbox.base_url(SP::TikTok)))
        .form(&[
            ("client_key", outpost_sandbox::config::TIKTOK_CLIENT_KEY),
            (
                "client_secret",
                outpost_sandbox::config::TIKTOK_CLIENT_SECRET,
            ),
            ("token", token.expose()),
        ])
        .send()
        .await
        .unwrap();
    assert!(revoked.status().is_success());

    let mut marked = false;
    for _ in 0..100 {
        let listed = run(outpost(dir.path())
            .args(["--json", "accounts"])
            .envs(env.iter().map(|(k, v)| (k, v))));
        if stdout(&listed).contains("needs_reconnect") {
            marked = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = receiver.kill();
    let _ = receiver.wait();
    assert!(
        marked,
        "the authorization.removed webhook did not mark the account"
    );
    sandbox.shutdown().await;
}
