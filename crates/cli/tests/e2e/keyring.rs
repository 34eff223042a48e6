//! The vault against a real Secret Service (gnome-keyring in a private D-Bus session, which
//! `scripts/test.sh` starts and announces with OUTPOST_TEST_SECRET_SERVICE=1; CI runs it).

use outpost_core::config::VaultBackendChoice;
use outpost_core::vault::{SecretOwner, SecretValue};

use crate::support::*;

fn secret_service_available() -> bool {
    if std::env::var("OUTPOST_TEST_SECRET_SERVICE").as_deref() == Ok("1") {
        return true;
    }
    eprintln!("skipped: no Secret Service for this run (scripts/test.sh provides one)");
    false
}

#[tokio::test(flavor = "multi_thread")]
async fn keyring_key_survives_into_other_processes_and_rotation() {
    if !secret_service_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_db, vault) = open_vault(dir.path(), VaultBackendChoice::Keyring, None).await;
    let token = SecretValue::new("keyring-e2e-token-value-123");
    vault
        .put(&SecretOwner::Account(1), "access_token", &token)
        .await
        .unwrap();

    // Another process finds the key in the Secret Service and can read the secret.
    let status = run(outpost(dir.path())
        .args(["--json", "vault", "status"])
        .env("OUTPOST_VAULT_BACKEND", "keyring"));
    assert!(status.status.success(), "{}", stderr(&status));
    let json: serde_json::Value = serde_json::from_str(&stdout(&status)).unwrap();
    assert_eq!(json["backend"], "keyring");
    assert_eq!(json["check"]["readable"], 1);

    let rotated = run(outpost(dir.path()).args(["vault", "rotate"]));
    assert!(rotated.status.success(), "{}", stderr(&rotated));

    let (_db, fresh) = open_vault(dir.path(), VaultBackendChoice::Auto, None).await;
    assert_eq!(
        fresh
            .get(&SecretOwner::Account(1), "access_token")
            .await
            .unwrap()
            .unwrap(),
        token
    );
    assert!(!all_text_below(dir.path()).contains(token.expose()));
}

#[tokio::test(flavor = "multi_thread")]
async fn keyring_rotation_killed_at_random_moments_never_loses_a_secret() {
    if !secret_service_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    crate::vault_kill::rotate_and_kill_repeatedly(
        dir.path(),
        &[("OUTPOST_VAULT_BACKEND", "keyring")],
        VaultBackendChoice::Keyring,
        None,
    )
    .await;
}
