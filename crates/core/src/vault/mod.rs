//! The token vault: the only place where secrets exist in clear.
//!
//! Every secret (access and refresh tokens, client secrets, PKCE verifiers) is stored in the
//! `secrets` table as an AES-256-GCM record (see [`cipher`]) bound by its associated data to
//! this vault, its owner and its field. The 256-bit data key lives in the OS keyring
//! ([`keystore::OsKeyring`]) or, where no keyring exists, is derived from
//! `OUTPOST_VAULT_PASSPHRASE` with Argon2id ([`passphrase`]). There is no plaintext
//! fallback and no key file.
//!
//! Key rotation writes the new key first, re-encrypts every record and switches the active
//! key in one SQLite transaction, and only then deletes the old key: a crash at any point
//! leaves every record readable with a key that still exists. Each record names the key
//! that sealed it, so mixed states are never ambiguous.

pub mod cipher;
pub mod keystore;
pub mod passphrase;
mod secret;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use sqlx::Row;
use tokio::sync::Mutex;

pub use secret::SecretValue;

use self::cipher::{DataKey, OpenFailure};
use self::keystore::{KeyStore, KeyStoreError};
use self::passphrase::KdfParams;
use crate::clock::SharedClock;
use crate::config::VaultBackendChoice;
use crate::db::{Database, DbError};
use crate::error::UserFacing;
use crate::platform::Platform;
use crate::telemetry::{metrics as m, redact};

const PASSPHRASE_HELP: &str = "set OUTPOST_VAULT_PASSPHRASE to a passphrase of your own \
(keep it: it is needed every time Outpost starts), or run Outpost in a desktop session \
with a Secret Service keyring (GNOME Keyring, KWallet)";

/// Errors from the vault. Messages name owners and fields, never values.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// Neither a keyring nor a passphrase is available.
    #[error("no way to protect secrets on this machine: {keyring_reason}. To continue, {PASSPHRASE_HELP}")]
    NoBackend {
        /// Why the keyring could not be used.
        keyring_reason: String,
    },
    /// The keyring is required but does not answer.
    #[error("{0}")]
    KeyringUnavailable(String),
    /// The vault uses a passphrase and none was given.
    #[error("the vault is locked: its key is protected by a passphrase and OUTPOST_VAULT_PASSPHRASE is not set")]
    Locked,
    /// The keyring has no entry for a key the database uses.
    #[error(
        "the vault key #{key_id} is missing from the OS keyring (service \"outpost\"); the \
         keyring may have been reset. Secrets sealed with it cannot be read: reconnect your accounts"
    )]
    KeyMissing {
        /// Key id.
        key_id: i64,
    },
    /// The keyring holds a key, but not the one these records were sealed with.
    #[error("the key in the OS keyring does not match vault key #{key_id} (wrong key); secrets were not read")]
    WrongKey {
        /// Key id.
        key_id: i64,
    },
    /// The passphrase does not derive the vault's key.
    #[error(
        "wrong vault passphrase: OUTPOST_VAULT_PASSPHRASE does not unlock vault key #{key_id}"
    )]
    WrongPassphrase {
        /// Key id.
        key_id: i64,
    },
    /// Configuration asks for one backend; the vault was created with another.
    #[error(
        "the vault's key is kept by the {actual} backend but the configuration asks for \
         {configured}; set OUTPOST_VAULT_BACKEND=auto (or {actual}), or use `outpost vault \
         rotate --backend {configured}` to move it"
    )]
    BackendMismatch {
        /// Backend of the stored key.
        actual: Backend,
        /// Backend asked for.
        configured: Backend,
    },
    /// A record failed authentication.
    #[error("the stored secret {field} of {owner} has been tampered with (authentication failed); it was not used")]
    Tampered {
        /// Owner.
        owner: String,
        /// Field.
        field: String,
    },
    /// A record belongs to another owner/field.
    #[error("the stored secret {field} of {owner} belongs to another account or field (rows swapped or copied); it was not used")]
    WrongBinding {
        /// Owner.
        owner: String,
        /// Field.
        field: String,
    },
    /// A record is too short.
    #[error("the stored secret {field} of {owner} is truncated ({len} bytes); it was not used")]
    Truncated {
        /// Owner.
        owner: String,
        /// Field.
        field: String,
        /// Length found.
        len: usize,
    },
    /// A record of a format this build does not know.
    #[error("the stored secret {field} of {owner} uses record format {version}, unknown to this version of Outpost")]
    UnsupportedRecord {
        /// Owner.
        owner: String,
        /// Field.
        field: String,
        /// Format version.
        version: u8,
    },
    /// A record names a key the vault does not have.
    #[error("the stored secret {field} of {owner} was sealed with key #{key_id}, which this vault does not know")]
    UnknownKey {
        /// Owner.
        owner: String,
        /// Field.
        field: String,
        /// Key id.
        key_id: i64,
    },
    /// A key row is damaged.
    #[error("vault key #{key_id} is damaged: {reason}")]
    DamagedKey {
        /// Key id.
        key_id: i64,
        /// What is wrong.
        reason: String,
    },
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for VaultError {
    fn from(e: sqlx::Error) -> Self {
        VaultError::Db(e.into())
    }
}

impl UserFacing for VaultError {
    fn code(&self) -> &'static str {
        match self {
            VaultError::NoBackend { .. } => "vault.no_backend",
            VaultError::KeyringUnavailable(_) => "vault.keyring_unavailable",
            VaultError::Locked => "vault.locked",
            VaultError::KeyMissing { .. } => "vault.key_missing",
            VaultError::WrongKey { .. } => "vault.wrong_key",
            VaultError::WrongPassphrase { .. } => "vault.wrong_passphrase",
            VaultError::BackendMismatch { .. } => "vault.backend_mismatch",
            VaultError::Tampered { .. } => "vault.tampered",
            VaultError::WrongBinding { .. } => "vault.wrong_binding",
            VaultError::Truncated { .. } => "vault.truncated",
            VaultError::UnsupportedRecord { .. } => "vault.unsupported_record",
            VaultError::UnknownKey { .. } => "vault.unknown_key",
            VaultError::DamagedKey { .. } => "vault.damaged_key",
            VaultError::Db(e) => e.code(),
        }
    }
}

/// Where a data key is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// The OS keyring.
    Keyring,
    /// Derived from a passphrase.
    Passphrase,
}

impl Backend {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Keyring => "keyring",
            Backend::Passphrase => "passphrase",
        }
    }

    fn parse(s: &str, key_id: i64) -> Result<Self, VaultError> {
        match s {
            "keyring" => Ok(Backend::Keyring),
            "passphrase" => Ok(Backend::Passphrase),
            other => Err(VaultError::DamagedKey {
                key_id,
                reason: format!("unknown backend {other:?}"),
            }),
        }
    }

    fn from_choice(choice: VaultBackendChoice) -> Option<Backend> {
        match choice {
            VaultBackendChoice::Auto => None,
            VaultBackendChoice::Keyring => Some(Backend::Keyring),
            VaultBackendChoice::Passphrase => Some(Backend::Passphrase),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who a secret belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SecretOwner {
    /// A connected account (`accounts.id`).
    Account(i64),
    /// A platform's developer-app credentials.
    Client(Platform),
    /// A pending OAuth attempt (by state hash).
    OAuthAttempt(String),
    /// Anything else, by name.
    Other(String),
}

impl fmt::Display for SecretOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretOwner::Account(id) => write!(f, "account:{id}"),
            SecretOwner::Client(p) => write!(f, "client:{p}"),
            SecretOwner::OAuthAttempt(h) => write!(f, "oauth:{h}"),
            SecretOwner::Other(s) => f.write_str(s),
        }
    }
}

/// How the vault finds its key.
#[derive(Clone)]
pub struct VaultOptions {
    /// Backend asked for by configuration.
    pub choice: VaultBackendChoice,
    /// `OUTPOST_VAULT_PASSPHRASE`, if set.
    pub passphrase: Option<SecretValue>,
    /// The keyring implementation.
    pub keystore: Arc<dyn KeyStore>,
    /// Argon2id parameters for new passphrase keys.
    pub kdf: KdfParams,
}

impl VaultOptions {
    /// Options from configuration, with the real OS keyring.
    pub fn from_config(config: &crate::config::Config) -> Self {
        Self {
            choice: config.vault_backend,
            passphrase: config.vault_passphrase.clone(),
            keystore: Arc::new(keystore::OsKeyring),
            kdf: KdfParams::default(),
        }
    }
}

impl fmt::Debug for VaultOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VaultOptions")
            .field("choice", &self.choice)
            .field("passphrase", &self.passphrase)
            .field("keystore", &self.keystore)
            .field("kdf", &self.kdf)
            .finish()
    }
}

/// What `rotate` should do.
#[derive(Debug, Clone, Default)]
pub struct RotateOptions {
    /// Move the key to this backend (default: keep the current one).
    pub backend: Option<Backend>,
    /// A new passphrase for a passphrase key (default: keep the current passphrase).
    pub new_passphrase: Option<SecretValue>,
}

/// Result of a rotation.
#[derive(Debug, Clone, Serialize)]
pub struct RotationReport {
    /// Key before.
    pub old_key_id: i64,
    /// Key after.
    pub new_key_id: i64,
    /// Backend of the new key.
    pub backend: Backend,
    /// Number of secrets re-encrypted.
    pub secrets: u64,
}

/// The vault's state for `outpost status` and the diagnostics page.
#[derive(Debug, Clone, Serialize)]
pub struct VaultStatus {
    /// `ready`, `uninitialized` or `unavailable`.
    pub state: &'static str,
    /// Backend of the active key (or the one that would be used).
    pub backend: Option<Backend>,
    /// Description of where the key is kept.
    pub location: Option<String>,
    /// Active key id.
    pub key_id: Option<i64>,
    /// Number of stored secrets.
    pub secrets: i64,
    /// Why it is unavailable, with what to do.
    pub problem: Option<crate::error::ErrorPayload>,
}

/// Result of checking every record.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// Records checked.
    pub total: u64,
    /// Records that decrypted.
    pub readable: u64,
    /// Records that failed, with why.
    pub failures: Vec<VerifyFailure>,
}

/// One unreadable record.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyFailure {
    /// Owner.
    pub owner: String,
    /// Field.
    pub field: String,
    /// Why.
    pub error: crate::error::ErrorPayload,
}

#[derive(Debug, Clone)]
struct KeyRow {
    key_id: i64,
    key_ref: String,
    backend: Backend,
    check_value: Vec<u8>,
    kdf: Option<(Vec<u8>, KdfParams)>,
}

/// The vault over one database.
pub struct Vault {
    db: Database,
    opts: VaultOptions,
    clock: SharedClock,
    keys: Mutex<HashMap<i64, DataKey>>,
    vault_id: std::sync::OnceLock<String>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vault")
            .field("opts", &self.opts)
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// A vault over `db`. Nothing is read or created until first use.
    pub fn new(db: Database, opts: VaultOptions, clock: SharedClock) -> Self {
        Self {
            db,
            opts,
            clock,
            keys: Mutex::new(HashMap::new()),
            vault_id: std::sync::OnceLock::new(),
        }
    }

    /// Store (or replace) a secret.
    pub async fn put(
        &self,
        owner: &SecretOwner,
        field: &str,
        value: &SecretValue,
    ) -> Result<(), VaultError> {
        self.put_all(owner, &[(field, value, None)]).await
    }

    /// Store several fields of one owner in one transaction (all or nothing), each with an
    /// optional expiry (unix ms, not secret). Used for token pairs: a rotated refresh token
    /// and its access token land together or not at all.
    pub async fn put_all(
        &self,
        owner: &SecretOwner,
        fields: &[(&str, &SecretValue, Option<i64>)],
    ) -> Result<(), VaultError> {
        self.ensure_ready().await?;
        for _ in 0..5 {
            let mut tx = self.db.begin_write().await?;
            if self.put_all_in(&mut tx, owner, fields).await? {
                tx.commit().await?;
                return Ok(());
            }
            tx.rollback().await?;
        }
        m::vault_operation("put", "error");
        Err(VaultError::Db(DbError::Sql(
            "the vault key kept changing while writing secrets; retry".into(),
        )))
    }

    /// Make sure the vault has an active key that can be used (creating the first one if
    /// needed). Call before [`Vault::put_all_in`], which must not create keys inside the
    /// caller's transaction.
    pub async fn ensure_ready(&self) -> Result<(), VaultError> {
        self.vault_id().await?;
        self.active_key().await.map(|_| ())
    }

    /// Write several fields of one owner inside the caller's transaction, so that they land
    /// together with the caller's other writes (an account and its tokens). `Ok(false)` when
    /// the active key changed meanwhile (a rotation): roll back and retry.
    pub async fn put_all_in(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
        owner: &SecretOwner,
        fields: &[(&str, &SecretValue, Option<i64>)],
    ) -> Result<bool, VaultError> {
        let owner_s = owner.to_string();
        let vault_id = self.vault_id().await?;
        for (_, value, _) in fields {
            redact::register_secret(value.expose());
        }
        let (key_id, key) = self.active_key().await?;
        for (field, value, expires_at) in fields {
            let aad = cipher::associated_data(&vault_id, &owner_s, field);
            let record = cipher::seal(&key, key_id as u32, &aad, value.expose().as_bytes());
            // Written only while that key is still the active one, so that a rotation
            // committing in between cannot strand this record on a retired key.
            let done = sqlx::query(
                "INSERT INTO secrets (owner, field, key_id, record, expires_at, updated_at) \
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS \
                   (SELECT 1 FROM vault_keys WHERE key_id = ?3 AND state = 'active') \
                 ON CONFLICT (owner, field) DO UPDATE SET key_id = excluded.key_id, \
                   record = excluded.record, expires_at = excluded.expires_at, \
                   updated_at = excluded.updated_at",
            )
            .bind(&owner_s)
            .bind(*field)
            .bind(key_id)
            .bind(&record)
            .bind(*expires_at)
            .bind(self.clock.now_millis())
            .execute(&mut **tx)
            .await?;
            if done.rows_affected() != 1 {
                self.keys.lock().await.remove(&key_id);
                return Ok(false);
            }
        }
        m::vault_operation("put", "ok");
        Ok(true)
    }

    /// Read a secret and its expiry (unix ms).
    pub async fn get_with_expiry(
        &self,
        owner: &SecretOwner,
        field: &str,
    ) -> Result<Option<(SecretValue, Option<i64>)>, VaultError> {
        let expires: Option<Option<i64>> =
            sqlx::query_scalar("SELECT expires_at FROM secrets WHERE owner = ?1 AND field = ?2")
                .bind(owner.to_string())
                .bind(field)
                .fetch_optional(self.db.pool())
                .await?;
        match (self.get(owner, field).await?, expires) {
            (Some(v), Some(e)) => Ok(Some((v, e))),
            (Some(v), None) => Ok(Some((v, None))),
            (None, _) => Ok(None),
        }
    }

    /// Read a secret; `Ok(None)` when there is none.
    pub async fn get(
        &self,
        owner: &SecretOwner,
        field: &str,
    ) -> Result<Option<SecretValue>, VaultError> {
        let owner_s = owner.to_string();
        let row = sqlx::query("SELECT key_id, record FROM secrets WHERE owner = ?1 AND field = ?2")
            .bind(&owner_s)
            .bind(field)
            .fetch_optional(self.db.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let result = self
            .decrypt(&owner_s, field, row.get("key_id"), row.get("record"))
            .await;
        m::vault_operation("get", if result.is_ok() { "ok" } else { "error" });
        result.map(Some)
    }

    /// Delete one secret.
    pub async fn delete(&self, owner: &SecretOwner, field: &str) -> Result<(), VaultError> {
        sqlx::query("DELETE FROM secrets WHERE owner = ?1 AND field = ?2")
            .bind(owner.to_string())
            .bind(field)
            .execute(self.db.pool())
            .await?;
        Ok(())
    }

    /// Delete every secret of an owner.
    pub async fn delete_owner(&self, owner: &SecretOwner) -> Result<u64, VaultError> {
        let done = sqlx::query("DELETE FROM secrets WHERE owner = ?1")
            .bind(owner.to_string())
            .execute(self.db.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Whether a secret is stored, without decrypting it (no key is needed).
    pub async fn contains(&self, owner: &SecretOwner, field: &str) -> Result<bool, VaultError> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM secrets WHERE owner = ?1 AND field = ?2",
        )
        .bind(owner.to_string())
        .bind(field)
        .fetch_one(self.db.pool())
        .await?
            > 0)
    }

    /// Number of stored secrets.
    pub async fn count(&self) -> Result<i64, VaultError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM secrets")
            .fetch_one(self.db.pool())
            .await?)
    }

    /// The vault's state, never failing for an unavailable key (that is reported).
    pub async fn status(&self) -> Result<VaultStatus, VaultError> {
        let secrets = self.count().await?;
        let active = self.active_row().await?;
        let Some(row) = active else {
            let backend = Backend::from_choice(self.opts.choice);
            return Ok(VaultStatus {
                state: "uninitialized",
                backend,
                location: None,
                key_id: None,
                secrets,
                problem: None,
            });
        };
        let location = Some(self.describe(row.backend));
        match self.key_for_row(&row).await {
            Ok(_) => Ok(VaultStatus {
                state: "ready",
                backend: Some(row.backend),
                location,
                key_id: Some(row.key_id),
                secrets,
                problem: None,
            }),
            Err(e) => Ok(VaultStatus {
                state: "unavailable",
                backend: Some(row.backend),
                location,
                key_id: Some(row.key_id),
                secrets,
                problem: Some(e.to_payload()),
            }),
        }
    }

    /// Decrypt every record and report which fail and why.
    pub async fn verify(&self) -> Result<VerifyReport, VaultError> {
        let rows =
            sqlx::query("SELECT owner, field, key_id, record FROM secrets ORDER BY owner, field")
                .fetch_all(self.db.pool())
                .await?;
        let mut report = VerifyReport {
            total: 0,
            readable: 0,
            failures: Vec::new(),
        };
        for row in rows {
            report.total += 1;
            let owner: String = row.get("owner");
            let field: String = row.get("field");
            match self
                .decrypt(&owner, &field, row.get("key_id"), row.get("record"))
                .await
            {
                Ok(_) => report.readable += 1,
                Err(e) => report.failures.push(VerifyFailure {
                    owner,
                    field,
                    error: e.to_payload(),
                }),
            }
        }
        Ok(report)
    }

    /// Re-encrypt every secret under a new key (see the module docs for crash safety).
    pub async fn rotate(&self, opts: RotateOptions) -> Result<RotationReport, VaultError> {
        self.cleanup_unused_keys().await?;
        let (old_key_id, _) = self.active_key().await?;
        let old_row = self
            .key_row(old_key_id)
            .await?
            .ok_or(VaultError::KeyMissing { key_id: old_key_id })?;
        let backend = opts.backend.unwrap_or(old_row.backend);
        let passphrase = opts
            .new_passphrase
            .clone()
            .or_else(|| self.opts.passphrase.clone());

        // Every key a record uses must be loaded before the transaction starts.
        let used: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT key_id FROM secrets")
            .fetch_all(self.db.pool())
            .await?;
        for key_id in used {
            self.key_by_id(key_id).await?;
        }

        let max_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(key_id), 0) FROM vault_keys")
            .fetch_one(self.db.pool())
            .await?;
        let new_key_id = max_id + 1;
        let (row, new_key) = self
            .create_key(new_key_id, backend, passphrase.as_ref())
            .await?;
        self.insert_key_row(&row, "pending").await?;

        let vault_id = self.vault_id().await?;
        let keys = self.keys.lock().await.clone();
        let mut tx = self.db.begin_write().await?;
        // Take the write lock first so that no secret is written between read and switch.
        sqlx::query("UPDATE vault_keys SET state = 'pending' WHERE key_id = ?1")
            .bind(new_key_id)
            .execute(&mut *tx)
            .await?;
        let rows = sqlx::query("SELECT owner, field, key_id, record FROM secrets")
            .fetch_all(&mut *tx)
            .await?;
        let mut secrets = 0u64;
        for r in &rows {
            let owner: String = r.get("owner");
            let field: String = r.get("field");
            let record: Vec<u8> = r.get("record");
            let key_id: i64 = r.get("key_id");
            let aad = cipher::associated_data(&vault_id, &owner, &field);
            let key = keys.get(&key_id).ok_or_else(|| VaultError::UnknownKey {
                owner: owner.clone(),
                field: field.clone(),
                key_id,
            })?;
            let plain =
                cipher::open(key, &aad, &record).map_err(|f| open_error(&owner, &field, f))?;
            let sealed = cipher::seal(&new_key, new_key_id as u32, &aad, &plain);
            sqlx::query(
                "UPDATE secrets SET key_id = ?1, record = ?2 WHERE owner = ?3 AND field = ?4",
            )
            .bind(new_key_id)
            .bind(&sealed)
            .bind(&owner)
            .bind(&field)
            .execute(&mut *tx)
            .await?;
            secrets += 1;
        }
        let retired = sqlx::query(
            "UPDATE vault_keys SET state = 'retired' WHERE state = 'active' AND key_id = ?1",
        )
        .bind(old_key_id)
        .execute(&mut *tx)
        .await?;
        if retired.rows_affected() != 1 {
            return Err(VaultError::Db(DbError::Sql(
                "another rotation changed the vault key at the same time; nothing was changed, retry".into(),
            )));
        }
        sqlx::query("UPDATE vault_keys SET state = 'active' WHERE key_id = ?1")
            .bind(new_key_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;

        self.keys.lock().await.insert(new_key_id, new_key);
        if let Some(p) = &opts.new_passphrase {
            redact::register_pinned_secret(p.expose());
        }
        // The old key is now unused; removing it is tidy-up, retried by the next rotation.
        if let Err(e) = self.cleanup_unused_keys().await {
            tracing::warn!(error = %e, "could not remove the retired vault key yet");
        }
        m::vault_operation("rotate", "ok");
        tracing::info!(old_key_id, new_key_id, backend = %backend, secrets, "vault key rotated");
        Ok(RotationReport {
            old_key_id,
            new_key_id,
            backend,
            secrets,
        })
    }

    fn describe(&self, backend: Backend) -> String {
        match backend {
            Backend::Keyring => self.opts.keystore.describe(),
            Backend::Passphrase => "passphrase (Argon2id, OUTPOST_VAULT_PASSPHRASE)".into(),
        }
    }

    async fn decrypt(
        &self,
        owner: &str,
        field: &str,
        column_key_id: i64,
        record: Vec<u8>,
    ) -> Result<SecretValue, VaultError> {
        let header = cipher::header(&record).map_err(|f| open_error(owner, field, f))?;
        if i64::from(header.key_id) != column_key_id {
            return Err(VaultError::Tampered {
                owner: owner.into(),
                field: field.into(),
            });
        }
        let key = match self.key_by_id(column_key_id).await {
            Err(VaultError::DamagedKey { .. }) | Err(VaultError::KeyMissing { .. })
                if self.key_row(column_key_id).await?.is_none() =>
            {
                return Err(VaultError::UnknownKey {
                    owner: owner.into(),
                    field: field.into(),
                    key_id: column_key_id,
                })
            }
            other => other?,
        };
        let vault_id = self.vault_id().await?;
        let aad = cipher::associated_data(&vault_id, owner, field);
        let plain = cipher::open(&key, &aad, &record).map_err(|f| open_error(owner, field, f))?;
        let text = String::from_utf8(plain.to_vec()).map_err(|_| VaultError::Tampered {
            owner: owner.into(),
            field: field.into(),
        })?;
        redact::register_secret(&text);
        Ok(SecretValue::new(text))
    }

    async fn vault_id(&self) -> Result<String, VaultError> {
        if let Some(id) = self.vault_id.get() {
            return Ok(id.clone());
        }
        sqlx::query(
            "INSERT OR IGNORE INTO vault_meta (id, vault_id, created_at) VALUES (1, ?1, ?2)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(self.clock.now_millis())
        .execute(self.db.pool())
        .await?;
        let id: String = sqlx::query_scalar("SELECT vault_id FROM vault_meta WHERE id = 1")
            .fetch_one(self.db.pool())
            .await?;
        let _ = self.vault_id.set(id.clone());
        Ok(id)
    }

    async fn active_row(&self) -> Result<Option<KeyRow>, VaultError> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT key_id FROM vault_keys WHERE state = 'active'")
                .fetch_optional(self.db.pool())
                .await?;
        match id {
            Some(id) => self.key_row(id).await,
            None => Ok(None),
        }
    }

    async fn key_row(&self, key_id: i64) -> Result<Option<KeyRow>, VaultError> {
        let row = sqlx::query(
            "SELECT key_id, key_ref, backend, check_value, kdf_salt, kdf_m_cost, kdf_t_cost, kdf_p_cost \
             FROM vault_keys WHERE key_id = ?1",
        )
        .bind(key_id)
        .fetch_optional(self.db.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let backend = Backend::parse(row.get("backend"), key_id)?;
        let kdf = match backend {
            Backend::Keyring => None,
            Backend::Passphrase => {
                let salt: Option<Vec<u8>> = row.get("kdf_salt");
                let m: Option<i64> = row.get("kdf_m_cost");
                let t: Option<i64> = row.get("kdf_t_cost");
                let p: Option<i64> = row.get("kdf_p_cost");
                let (Some(salt), Some(m), Some(t), Some(p)) = (salt, m, t, p) else {
                    return Err(VaultError::DamagedKey {
                        key_id,
                        reason: "key derivation parameters are missing".into(),
                    });
                };
                // Bounded so that a tampered row cannot make Outpost allocate without limit.
                let conv = |v: i64, max: u32| {
                    u32::try_from(v)
                        .ok()
                        .filter(|v| *v >= 1 && *v <= max)
                        .ok_or_else(|| VaultError::DamagedKey {
                            key_id,
                            reason: "key derivation parameters are out of range".into(),
                        })
                };
                Some((
                    salt,
                    KdfParams {
                        m_cost: conv(m, 1 << 20)?,
                        t_cost: conv(t, 64)?,
                        p_cost: conv(p, 16)?,
                    },
                ))
            }
        };
        Ok(Some(KeyRow {
            key_id,
            key_ref: row.get("key_ref"),
            backend,
            check_value: row.get("check_value"),
            kdf,
        }))
    }

    async fn active_key(&self) -> Result<(i64, DataKey), VaultError> {
        for _ in 0..3 {
            match self.active_row().await? {
                Some(row) => {
                    let key = self.key_for_row(&row).await?;
                    return Ok((row.key_id, key));
                }
                None => self.initialize().await?,
            }
        }
        Err(VaultError::Db(DbError::Sql(
            "the vault could not be initialized; retry".into(),
        )))
    }

    async fn key_by_id(&self, key_id: i64) -> Result<DataKey, VaultError> {
        if let Some(key) = self.keys.lock().await.get(&key_id) {
            return Ok(key.clone());
        }
        let row = self
            .key_row(key_id)
            .await?
            .ok_or(VaultError::KeyMissing { key_id })?;
        self.key_for_row(&row).await
    }

    async fn key_for_row(&self, row: &KeyRow) -> Result<DataKey, VaultError> {
        if let Some(key) = self.keys.lock().await.get(&row.key_id) {
            return Ok(key.clone());
        }
        if let Some(configured) = Backend::from_choice(self.opts.choice) {
            if configured != row.backend {
                return Err(VaultError::BackendMismatch {
                    actual: row.backend,
                    configured,
                });
            }
        }
        let key = match row.backend {
            Backend::Keyring => {
                let store = self.opts.keystore.clone();
                let key_ref = row.key_ref.clone();
                let loaded = tokio::task::spawn_blocking(move || store.load(&key_ref))
                    .await
                    .map_err(|e| VaultError::KeyringUnavailable(e.to_string()))?;
                match loaded {
                    Ok(Some(key)) => key,
                    Ok(None) => return Err(VaultError::KeyMissing { key_id: row.key_id }),
                    Err(KeyStoreError::Corrupt { .. }) => {
                        return Err(VaultError::WrongKey { key_id: row.key_id })
                    }
                    Err(KeyStoreError::Unavailable(reason)) => {
                        return Err(VaultError::KeyringUnavailable(reason))
                    }
                }
            }
            Backend::Passphrase => {
                let passphrase = self.opts.passphrase.clone().ok_or(VaultError::Locked)?;
                let (salt, params) = row.kdf.clone().ok_or(VaultError::DamagedKey {
                    key_id: row.key_id,
                    reason: "key derivation parameters are missing".into(),
                })?;
                let key_id = row.key_id;
                tokio::task::spawn_blocking(move || passphrase::derive(&passphrase, &salt, params))
                    .await
                    .map_err(|e| VaultError::DamagedKey {
                        key_id,
                        reason: e.to_string(),
                    })?
                    .map_err(|reason| VaultError::DamagedKey { key_id, reason })?
            }
        };
        if !cipher::key_matches(&key, &row.key_ref, &row.check_value) {
            return Err(match row.backend {
                Backend::Keyring => VaultError::WrongKey { key_id: row.key_id },
                Backend::Passphrase => VaultError::WrongPassphrase { key_id: row.key_id },
            });
        }
        self.keys.lock().await.insert(row.key_id, key.clone());
        Ok(key)
    }

    /// Create key material for `backend` (stored in the keyring first when that is the backend).
    async fn create_key(
        &self,
        key_id: i64,
        backend: Backend,
        passphrase: Option<&SecretValue>,
    ) -> Result<(KeyRow, DataKey), VaultError> {
        let key_ref = uuid::Uuid::new_v4().to_string();
        match backend {
            Backend::Keyring => {
                let key = DataKey::generate();
                let store = self.opts.keystore.clone();
                let (r, k) = (key_ref.clone(), key.clone());
                let stored = tokio::task::spawn_blocking(move || {
                    store.store(&r, &k)?;
                    // Read it back: a keyring that accepts writes but forgets them is no keyring.
                    match store.load(&r)? {
                        Some(back) if back.as_bytes() == k.as_bytes() => Ok(()),
                        _ => Err(KeyStoreError::Unavailable(
                            "the OS keyring did not keep the key written to it".into(),
                        )),
                    }
                })
                .await
                .map_err(|e| VaultError::KeyringUnavailable(e.to_string()))?;
                stored.map_err(|e| VaultError::KeyringUnavailable(e.to_string()))?;
                let check_value = cipher::key_check_value(&key, &key_ref);
                Ok((
                    KeyRow {
                        key_id,
                        key_ref,
                        backend,
                        check_value,
                        kdf: None,
                    },
                    key,
                ))
            }
            Backend::Passphrase => {
                let passphrase = passphrase.cloned().ok_or(VaultError::Locked)?;
                let salt = passphrase::new_salt().to_vec();
                let params = self.opts.kdf;
                let s = salt.clone();
                let key = tokio::task::spawn_blocking(move || {
                    passphrase::derive(&passphrase, &s, params)
                })
                .await
                .map_err(|e| VaultError::DamagedKey {
                    key_id,
                    reason: e.to_string(),
                })?
                .map_err(|reason| VaultError::DamagedKey { key_id, reason })?;
                let check_value = cipher::key_check_value(&key, &key_ref);
                Ok((
                    KeyRow {
                        key_id,
                        key_ref,
                        backend,
                        check_value,
                        kdf: Some((salt, params)),
                    },
                    key,
                ))
            }
        }
    }

    async fn insert_key_row(&self, row: &KeyRow, state: &str) -> Result<(), VaultError> {
        let (salt, params) = match &row.kdf {
            Some((s, p)) => (Some(s.clone()), Some(*p)),
            None => (None, None),
        };
        sqlx::query(
            "INSERT INTO vault_keys (key_id, key_ref, backend, state, check_value, kdf_salt, \
             kdf_m_cost, kdf_t_cost, kdf_p_cost, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .bind(row.key_id)
        .bind(&row.key_ref)
        .bind(row.backend.as_str())
        .bind(state)
        .bind(&row.check_value)
        .bind(salt)
        .bind(params.map(|p| i64::from(p.m_cost)))
        .bind(params.map(|p| i64::from(p.t_cost)))
        .bind(params.map(|p| i64::from(p.p_cost)))
        .bind(self.clock.now_millis())
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// First use: choose a backend, create the first key.
    async fn initialize(&self) -> Result<(), VaultError> {
        self.vault_id().await?;
        let passphrase = self.opts.passphrase.clone();
        let (row, key) = match Backend::from_choice(self.opts.choice) {
            Some(backend) => self.create_key(1, backend, passphrase.as_ref()).await?,
            None => match self.create_key(1, Backend::Keyring, None).await {
                Ok(created) => created,
                Err(VaultError::KeyringUnavailable(reason)) => match &passphrase {
                    Some(p) => {
                        tracing::info!("no OS keyring available; the vault key is derived from OUTPOST_VAULT_PASSPHRASE");
                        self.create_key(1, Backend::Passphrase, Some(p)).await?
                    }
                    None => {
                        return Err(VaultError::NoBackend {
                            keyring_reason: reason,
                        })
                    }
                },
                Err(e) => return Err(e),
            },
        };
        match self.insert_key_row(&row, "active").await {
            Ok(()) => {
                tracing::info!(backend = %row.backend, "vault initialized");
                self.keys.lock().await.insert(row.key_id, key);
                Ok(())
            }
            Err(VaultError::Db(DbError::Sql(msg))) if msg.contains("UNIQUE") => {
                // Another process initialized the vault first: use its key, drop ours.
                self.forget_key_material(&row).await;
                Ok(())
            }
            Err(e) => {
                self.forget_key_material(&row).await;
                Err(e)
            }
        }
    }

    async fn forget_key_material(&self, row: &KeyRow) {
        if row.backend == Backend::Keyring {
            let store = self.opts.keystore.clone();
            let key_ref = row.key_ref.clone();
            let _ = tokio::task::spawn_blocking(move || store.delete(&key_ref)).await;
        }
    }

    /// Remove keys that no record uses and that are not active: pending keys of a rotation
    /// that crashed, and keys retired by a finished rotation.
    async fn cleanup_unused_keys(&self) -> Result<(), VaultError> {
        let rows = sqlx::query(
            "SELECT key_id FROM vault_keys k WHERE state != 'active' \
             AND NOT EXISTS (SELECT 1 FROM secrets s WHERE s.key_id = k.key_id)",
        )
        .fetch_all(self.db.pool())
        .await?;
        for r in rows {
            let key_id: i64 = r.get("key_id");
            if let Some(row) = self.key_row(key_id).await? {
                if row.backend == Backend::Keyring {
                    let store = self.opts.keystore.clone();
                    let key_ref = row.key_ref.clone();
                    tokio::task::spawn_blocking(move || store.delete(&key_ref))
                        .await
                        .map_err(|e| VaultError::KeyringUnavailable(e.to_string()))?
                        .map_err(|e| VaultError::KeyringUnavailable(e.to_string()))?;
                }
            }
            sqlx::query(
                "DELETE FROM vault_keys WHERE key_id = ?1 AND state != 'active' \
                 AND NOT EXISTS (SELECT 1 FROM secrets s WHERE s.key_id = ?1)",
            )
            .bind(key_id)
            .execute(self.db.pool())
            .await?;
            self.keys.lock().await.remove(&key_id);
        }
        Ok(())
    }
}

fn open_error(owner: &str, field: &str, failure: OpenFailure) -> VaultError {
    let (owner, field) = (owner.to_owned(), field.to_owned());
    match failure {
        OpenFailure::Truncated(len) => VaultError::Truncated { owner, field, len },
        OpenFailure::UnknownVersion(version) => VaultError::UnsupportedRecord {
            owner,
            field,
            version,
        },
        OpenFailure::WrongBinding => VaultError::WrongBinding { owner, field },
        OpenFailure::Tampered => VaultError::Tampered { owner, field },
    }
}

#[cfg(test)]
mod tests;
