//! `outpost vault rotate` killed with SIGKILL at random moments never loses a secret.

use std::time::{Duration, Instant};

use outpost_core::config::VaultBackendChoice;
use outpost_core::vault::SecretOwner;
use rand::Rng;

use crate::support::*;

const SECRETS: i64 = 3000;
const ROUNDS: usize = 12;
const PASSPHRASE: &str = "kill-test passphrase 1234";

/// Start a rotation, kill it after a random delay, then check every secret. The delay range
/// comes from an uninterrupted rotation measured first, so kills land before, during and
/// after the re-encryption transaction. The test asserts outcomes, never timings.
pub async fn rotate_and_kill_repeatedly(
    data: &std::path::Path,
    env: &[(&str, &str)],
    vault_choice: VaultBackendChoice,
    passphrase: Option<&str>,
) {
    let (_db, vault) = open_vault(data, vault_choice, passphrase).await;
    seed(&vault, SECRETS).await;

    let started = Instant::now();
    let full = run(outpost(data)
        .args(["vault", "rotate"])
        .envs(env.iter().copied()));
    assert!(full.status.success(), "{}", stderr(&full));
    let full_ms = started.elapsed().as_millis().max(20) as u64;

    let mut rng = rand::thread_rng();
    let mut interrupted = 0;
    for round in 0..ROUNDS {
        let mut child = outpost(data)
            .args(["vault", "rotate"])
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.gen_range(0..=full_ms * 5 / 4)));
        if child.try_wait().unwrap().is_none() {
            interrupted += 1;
        }
        child.kill().ok(); // SIGKILL on Unix
        child.wait().unwrap();

        let (_db, fresh) = open_vault(data, vault_choice, passphrase).await;
        let report = fresh.verify().await.unwrap();
        assert_eq!(
            report.readable,
            SECRETS as u64,
            "round {round}: {:?}",
            report.failures.first()
        );
        assert_eq!(report.total, SECRETS as u64, "round {round}");
    }
    eprintln!("{ROUNDS} rounds, {interrupted} killed mid-run (full rotation took {full_ms} ms)");

    // After all that, the vault still rotates and every value is intact.
    let last = run(outpost(data)
        .args(["vault", "rotate"])
        .envs(env.iter().copied()));
    assert!(last.status.success(), "{}", stderr(&last));
    let (_db, fresh) = open_vault(data, vault_choice, passphrase).await;
    assert_all_readable(&fresh, SECRETS).await;
    assert!(fresh
        .get(&SecretOwner::Account(SECRETS), "access_token")
        .await
        .unwrap()
        .is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn rotation_killed_at_random_moments_never_loses_a_secret_passphrase_backend() {
    let dir = tempfile::tempdir().unwrap();
    rotate_and_kill_repeatedly(
        dir.path(),
        &[
            ("OUTPOST_VAULT_BACKEND", "passphrase"),
            ("OUTPOST_VAULT_PASSPHRASE", PASSPHRASE),
        ],
        VaultBackendChoice::Passphrase,
        Some(PASSPHRASE),
    )
    .await;
    // No secret in clear anywhere in the data dir (database, WAL, logs).
    let text = all_text_below(dir.path());
    assert!(!text.contains(&token(42)));
    assert!(!text.contains(PASSPHRASE));
}
