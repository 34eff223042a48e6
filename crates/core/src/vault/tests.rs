//! Vault behaviour: round trips, every failure kind, backends, rotation and its crash points.

use std::sync::Arc;

use super::keystore::MemoryKeyStore;
use super::*;
use crate::clock;

const FAST_KDF: KdfParams = KdfParams {
    m_cost: 1024,
    t_cost: 1,
    p_cost: 1,
};

struct Fixture {
    _dir: tempfile::TempDir,
    db: Database,
    store: Arc<MemoryKeyStore>,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(&dir.path().join("v.db")).await.unwrap();
    Fixture {
        _dir: dir,
        db,
        store: Arc::new(MemoryKeyStore::default()),
    }
}

impl Fixture {
    fn vault(&self, choice: VaultBackendChoice, passphrase: Option<&str>) -> Vault {
        Vault::new(
            self.db.clone(),
            VaultOptions {
                choice,
                passphrase: passphrase.map(SecretValue::new),
                keystore: self.store.clone(),
                kdf: FAST_KDF,
            },
            clock::system(),
        )
    }

    fn keyring_vault(&self) -> Vault {
        self.vault(VaultBackendChoice::Auto, None)
    }

    async fn raw_record(&self, owner: &str, field: &str) -> Vec<u8> {
        sqlx::query_scalar("SELECT record FROM secrets WHERE owner = ?1 AND field = ?2")
            .bind(owner)
            .bind(field)
            .fetch_one(self.db.pool())
            .await
            .unwrap()
    }

    async fn set_raw_record(&self, owner: &str, field: &str, record: &[u8]) {
        sqlx::query("UPDATE secrets SET record = ?3 WHERE owner = ?1 AND field = ?2")
            .bind(owner)
            .bind(field)
            .bind(record)
            .execute(self.db.pool())
            .await
            .unwrap();
    }
}

fn acct(id: i64) -> SecretOwner {
    SecretOwner::Account(id)
}

#[tokio::test]
async fn put_get_round_trip_and_nothing_in_clear_in_the_database() {
    let f = fixture().await;
    let vault = f.keyring_vault();
    let token = SecretValue::new("tt-access-0123456789abcdef");
    vault.put(&acct(1), "access_token", &token).await.unwrap();
    assert_eq!(
        vault.get(&acct(1), "access_token").await.unwrap().unwrap(),
        token
    );
    assert!(vault
        .get(&acct(1), "refresh_token")
        .await
        .unwrap()
        .is_none());

    f.db.pool().close().await;
    let dir = f._dir.path();
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !bytes
                .windows(token.expose().len())
                .any(|w| w == token.expose().as_bytes()),
            "plaintext token found on disk"
        );
    }
}

#[tokio::test]
async fn a_fresh_vault_opened_again_reads_its_secrets() {
    let f = fixture().await;
    f.keyring_vault()
        .put(
            &acct(1),
            "access_token",
            &SecretValue::new("first-process-token"),
        )
        .await
        .unwrap();
    let again = f.keyring_vault();
    assert_eq!(
        again
            .get(&acct(1), "access_token")
            .await
            .unwrap()
            .unwrap()
            .expose(),
        "first-process-token"
    );
}

#[tokio::test]
async fn flipped_byte_is_reported_as_tampering() {
    let f = fixture().await;
    let vault = f.keyring_vault();
    vault
        .put(
            &acct(1),
            "access_token",
            &SecretValue::new("abcdefgh12345678"),
        )
        .await
        .unwrap();
    let mut record = f.raw_record("account:1", "access_token").await;
    let mid = record.len() - 5;
    record[mid] ^= 0x20;
    f.set_raw_record("account:1", "access_token", &record).await;
    let err = f
        .keyring_vault()
        .get(&acct(1), "access_token")
        .await
        .unwrap_err();
    assert!(matches!(err, VaultError::Tampered { .. }), "{err}");
    assert_eq!(err.code(), "vault.tampered");
    assert!(!err.to_string().contains("abcdefgh12345678"));
}

#[tokio::test]
async fn truncated_record_is_reported_as_truncated() {
    let f = fixture().await;
    let vault = f.keyring_vault();
    vault
        .put(
            &acct(1),
            "access_token",
            &SecretValue::new("abcdefgh12345678"),
        )
        .await
        .unwrap();
    let record = f.raw_record("account:1", "access_token").await;
    f.set_raw_record("account:1", "access_token", &record[..30])
        .await;
    let err = vault.get(&acct(1), "access_token").await.unwrap_err();
    assert!(
        matches!(err, VaultError::Truncated { len: 30, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn swapped_rows_are_reported_as_belonging_elsewhere() {
    let f = fixture().await;
    let vault = f.keyring_vault();
    vault
        .put(
            &acct(1),
            "access_token",
            &SecretValue::new("token-of-account-one"),
        )
        .await
        .unwrap();
    vault
        .put(
            &acct(2),
            "access_token",
            &SecretValue::new("token-of-account-two"),
        )
        .await
        .unwrap();
    vault
        .put(
            &acct(1),
            "refresh_token",
            &SecretValue::new("refresh-of-account-one"),
        )
        .await
        .unwrap();
    let one = f.raw_record("account:1", "access_token").await;
    let two = f.raw_record("account:2", "access_token").await;
    f.set_raw_record("account:1", "access_token", &two).await;
    f.set_raw_record("account:2", "access_token", &one).await;
    for owner in [acct(1), acct(2)] {
        let err = vault.get(&owner, "access_token").await.unwrap_err();
        assert!(matches!(err, VaultError::WrongBinding { .. }), "{err}");
    }
    // Copied onto another field of the same account.
    let refresh = f.raw_record("account:1", "refresh_token").await;
    f.set_raw_record("account:1", "access_token", &refresh)
        .await;
    let err = vault.get(&acct(1), "access_token").await.unwrap_err();
    assert!(matches!(err, VaultError::WrongBinding { .. }), "{err}");
}

#[tokio::test]
async fn wrong_key_in_the_keyring_is_reported_as_wrong_key() {
    let f = fixture().await;
    f.keyring_vault()
        .put(
            &acct(1),
            "access_token",
            &SecretValue::new("abcdefgh12345678"),
        )
        .await
        .unwrap();
    let key_ref: String = sqlx::query_scalar("SELECT key_ref FROM vault_keys WHERE state='active'")
        .fetch_one(f.db.pool())
        .await
        .unwrap();
    f.store.store(&key_ref, &DataKey::generate()).unwrap();
    let err = f
        .keyring_vault()
        .get(&acct(1), "access_token")
        .await
        .unwrap_err();
    assert!(matches!(err, VaultError::WrongKey { key_id: 1 }), "{err}");

    f.store.put_raw(&key_ref, "not base64 at all!");
    let err = f
        .keyring_vault()
        .get(&acct(1), "access_token")
        .await
        .unwrap_err();
    assert!(matches!(err, VaultError::WrongKey { .. }), "{err}");

    f.store.delete(&key_ref).unwrap();
    let err = f
        .keyring_vault()
        .get(&acct(1), "access_token")
        .await
        .unwrap_err();
    assert!(matches!(err, VaultError::KeyMissing { key_id: 1 }), "{err}");
}

#[tokio::test]
async fn without_keyring_or_passphrase_the_error_says_what_to_do() {
    let f = fixture().await;
    f.store
        .set_unavailable(Some("Secret Service: no result found"));
    let err = f
        .keyring_vault()
        .put(
            &acct(1),
            "access_token",
            &SecretValue::new("abcdefgh12345678"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, VaultError::NoBackend { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("OUTPOST_VAULT_PASSPHRASE"), "{msg}");
    assert!(msg.contains("Secret Service"), "{msg}");
    // Nothing was stored, in any form.
    assert_eq!(f.keyring_vault().count().await.unwrap(), 0);
    let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM vault_keys")
        .fetch_one(f.db.pool())
        .await
        .unwrap();
    assert_eq!(keys, 0);
}

#[tokio::test]
async fn passphrase_backend_is_used_when_no_keyring_answers() {
    let f = fixture().await;
    f.store.set_unavailable(Some("no D-Bus session"));
    let vault = f.vault(VaultBackendChoice::Auto, Some("my long passphrase"));
    vault
        .put(
            &acct(1),
            "access_token",
            &SecretValue::new("pp-token-12345678"),
        )
        .await
        .unwrap();
    let status = vault.status().await.unwrap();
    assert_eq!(status.backend, Some(Backend::Passphrase));
    assert_eq!(status.state, "ready");

    let again = f.vault(VaultBackendChoice::Auto, Some("my long passphrase"));
    assert_eq!(
        again
            .get(&acct(1), "access_token")
            .await
            .unwrap()
            .unwrap()
            .expose(),
        "pp-token-12345678"
    );

    let wrong = f.vault(VaultBackendChoice::Auto, Some("not my passphrase"));
    let err = wrong.get(&acct(1), "access_token").await.unwrap_err();
    assert!(matches!(err, VaultError::WrongPassphrase { .. }), "{err}");

    let locked = f.vault(VaultBackendChoice::Auto, None);
    let err = locked.get(&acct(1), "access_token").await.unwrap_err();
    assert!(matches!(err, VaultError::Locked), "{err}");
    assert_eq!(locked.status().await.unwrap().state, "unavailable");

    let mismatch = f.vault(VaultBackendChoice::Keyring, Some("my long passphrase"));
    let err = mismatch.get(&acct(1), "access_token").await.unwrap_err();
    assert!(matches!(err, VaultError::BackendMismatch { .. }), "{err}");
}

#[tokio::test]
async fn explicit_keyring_choice_fails_clearly_when_the_keyring_is_gone() {
    let f = fixture().await;
    f.store.set_unavailable(Some(
        "Unable to autolaunch a dbus-daemon without a $DISPLAY",
    ));
    let err = f
        .vault(VaultBackendChoice::Keyring, Some("ignored passphrase"))
        .put(&acct(1), "t", &SecretValue::new("abcdefgh12345678"))
        .await
        .unwrap_err();
    assert!(matches!(err, VaultError::KeyringUnavailable(_)), "{err}");
    assert!(err.to_string().contains("dbus-daemon"));
}

#[tokio::test]
async fn rotation_re_encrypts_everything_and_removes_the_old_key() {
    let f = fixture().await;
    let vault = f.keyring_vault();
    for i in 0..50 {
        vault
            .put(
                &acct(i),
                "access_token",
                &SecretValue::new(format!("token-number-{i:04}")),
            )
            .await
            .unwrap();
    }
    let before = f.raw_record("account:7", "access_token").await;
    let report = vault.rotate(RotateOptions::default()).await.unwrap();
    assert_eq!(
        (report.old_key_id, report.new_key_id, report.secrets),
        (1, 2, 50)
    );
    assert_ne!(f.raw_record("account:7", "access_token").await, before);
    assert_eq!(f.store.len(), 1, "old key deleted from the keyring");
    let fresh = f.keyring_vault();
    for i in 0..50 {
        assert_eq!(
            fresh
                .get(&acct(i), "access_token")
                .await
                .unwrap()
                .unwrap()
                .expose(),
            format!("token-number-{i:04}")
        );
    }
    assert_eq!(fresh.verify().await.unwrap().readable, 50);
}

#[tokio::test]
async fn rotation_can_change_passphrase_and_move_between_backends() {
    let f = fixture().await;
    let vault = f.vault(VaultBackendChoice::Auto, Some("old passphrase"));
    f.store.set_unavailable(Some("none"));
    vault
        .put(
            &acct(1),
            "access_token",
            &SecretValue::new("moving-token-1234"),
        )
        .await
        .unwrap();
    vault
        .rotate(RotateOptions {
            backend: None,
            new_passphrase: Some(SecretValue::new("new passphrase")),
        })
        .await
        .unwrap();
    let err = f
        .vault(VaultBackendChoice::Auto, Some("old passphrase"))
        .get(&acct(1), "access_token")
        .await
        .unwrap_err();
    assert!(
        matches!(err, VaultError::WrongPassphrase { key_id: 2 }),
        "{err}"
    );

    f.store.set_unavailable(None);
    let new = f.vault(VaultBackendChoice::Auto, Some("new passphrase"));
    new.rotate(RotateOptions {
        backend: Some(Backend::Keyring),
        new_passphrase: None,
    })
    .await
    .unwrap();
    let keyring_only = f.vault(VaultBackendChoice::Auto, None);
    assert_eq!(
        keyring_only
            .get(&acct(1), "access_token")
            .await
            .unwrap()
            .unwrap()
            .expose(),
        "moving-token-1234"
    );
    assert_eq!(
        keyring_only.status().await.unwrap().backend,
        Some(Backend::Keyring)
    );
}

#[tokio::test]
async fn a_rotation_that_died_before_committing_leaves_everything_readable() {
    let f = fixture().await;
    let vault = f.keyring_vault();
    for i in 0..10 {
        vault
            .put(
                &acct(i),
                "access_token",
                &SecretValue::new(format!("crash-token-{i:04}")),
            )
            .await
            .unwrap();
    }
    // Simulate a process killed after the new key was written and its row inserted, but
    // before the re-encryption transaction committed (the transaction is rolled back).
    let (row, _key) = vault.create_key(2, Backend::Keyring, None).await.unwrap();
    vault.insert_key_row(&row, "pending").await.unwrap();
    {
        let mut tx = f.db.pool().begin().await.unwrap();
        sqlx::query("UPDATE secrets SET key_id = 2")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.rollback().await.unwrap();
    }
    let fresh = f.keyring_vault();
    assert_eq!(fresh.verify().await.unwrap().readable, 10);
    // The next rotation cleans the orphan up and succeeds.
    let report = fresh.rotate(RotateOptions::default()).await.unwrap();
    assert_eq!(report.secrets, 10);
    assert_eq!(f.store.len(), 1);
    assert_eq!(f.keyring_vault().verify().await.unwrap().readable, 10);
}

#[tokio::test]
async fn a_rotation_that_died_after_committing_leaves_everything_readable() {
    let f = fixture().await;
    let vault = f.keyring_vault();
    for i in 0..10 {
        vault
            .put(
                &acct(i),
                "access_token",
                &SecretValue::new(format!("crash-token-{i:04}")),
            )
            .await
            .unwrap();
    }
    vault.rotate(RotateOptions::default()).await.unwrap();
    // Simulate a crash before the old key's clean-up by re-adding a retired row whose key
    // is still in the keyring: nothing uses it, reads work, the next rotation removes it.
    let (row, _) = vault.create_key(9, Backend::Keyring, None).await.unwrap();
    vault.insert_key_row(&row, "retired").await.unwrap();
    assert_eq!(f.store.len(), 2);
    assert_eq!(f.keyring_vault().verify().await.unwrap().readable, 10);
    f.keyring_vault()
        .rotate(RotateOptions::default())
        .await
        .unwrap();
    assert_eq!(f.store.len(), 1);
}

#[tokio::test]
async fn a_write_racing_a_rotation_never_lands_on_a_retired_key() {
    let f = fixture().await;
    let writer = f.keyring_vault();
    writer
        .put(
            &acct(1),
            "access_token",
            &SecretValue::new("before-rotation-1"),
        )
        .await
        .unwrap();
    // The writer has key 1 cached; another process rotates to key 2 and deletes key 1.
    f.keyring_vault()
        .rotate(RotateOptions::default())
        .await
        .unwrap();
    writer
        .put(
            &acct(2),
            "access_token",
            &SecretValue::new("after-rotation-22"),
        )
        .await
        .unwrap();
    let key_id: i64 = sqlx::query_scalar("SELECT key_id FROM secrets WHERE owner = 'account:2'")
        .fetch_one(f.db.pool())
        .await
        .unwrap();
    assert_eq!(key_id, 2);
    assert_eq!(f.keyring_vault().verify().await.unwrap().readable, 2);
}

#[tokio::test]
async fn verify_lists_each_bad_record_with_its_code() {
    let f = fixture().await;
    let vault = f.keyring_vault();
    vault
        .put(&acct(1), "a", &SecretValue::new("good-secret-000001"))
        .await
        .unwrap();
    vault
        .put(&acct(2), "a", &SecretValue::new("good-secret-000002"))
        .await
        .unwrap();
    let r = f.raw_record("account:2", "a").await;
    f.set_raw_record("account:2", "a", &r[..10]).await;
    let report = vault.verify().await.unwrap();
    assert_eq!((report.total, report.readable), (2, 1));
    assert_eq!(report.failures[0].error.code, "vault.truncated");
}

#[tokio::test]
async fn delete_owner_removes_all_of_an_accounts_secrets() {
    let f = fixture().await;
    let vault = f.keyring_vault();
    vault
        .put(
            &acct(1),
            "access_token",
            &SecretValue::new("aaaaaaaaaaaaaaaa"),
        )
        .await
        .unwrap();
    vault
        .put(
            &acct(1),
            "refresh_token",
            &SecretValue::new("bbbbbbbbbbbbbbbb"),
        )
        .await
        .unwrap();
    vault
        .put(
            &acct(2),
            "access_token",
            &SecretValue::new("cccccccccccccccc"),
        )
        .await
        .unwrap();
    assert_eq!(vault.delete_owner(&acct(1)).await.unwrap(), 2);
    assert_eq!(vault.count().await.unwrap(), 1);
}
