//! Pending OAuth attempts: a fresh unguessable `state` per attempt, stored only as a hash
//! with its platform, redirect URI, scopes and expiry (10 minutes); the PKCE verifier in the
//! vault. Consuming is atomic and single use: unknown, expired, reused and cross-platform
//! states are distinct errors.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::OAuthError;
use crate::db::Database;
use crate::platform::Platform;
use crate::vault::{SecretOwner, SecretValue, Vault};

/// How long an attempt may wait for its callback.
pub const ATTEMPT_TTL_MS: i64 = 10 * 60 * 1000;
const VERIFIER_FIELD: &str = "pkce_verifier";

/// A consumed attempt, ready for the code exchange.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// Platform.
    pub platform: Platform,
    /// Redirect URI used in the authorize request (sent again at the exchange).
    pub redirect_uri: String,
    /// Scopes asked for.
    pub scopes: Vec<String>,
    /// Client id used.
    pub client_id: Option<String>,
    /// PKCE verifier, where used.
    pub verifier: Option<SecretValue>,
}

/// A pending attempt as seen by `outpost callback` (not consumed).
#[derive(Debug, Clone)]
pub struct PendingInfo {
    /// Platform.
    pub platform: Platform,
    /// Port of the waiting `outpost connect`, if any.
    pub handoff_port: Option<u16>,
    /// Whether it expired.
    pub expired: bool,
    /// Whether it was used.
    pub consumed: bool,
}

/// Hash of a state, as stored.
pub fn state_hash(state: &str) -> String {
    hex::encode(Sha256::digest(state.as_bytes()))
}

/// A new random state (256 bits, base64url).
pub fn new_state() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Record a new attempt; returns its state.
#[allow(clippy::too_many_arguments)]
pub async fn create(
    db: &Database,
    vault: &Vault,
    now: i64,
    platform: Platform,
    redirect_uri: &str,
    scopes: &[String],
    client_id: &str,
    verifier: Option<&SecretValue>,
    handoff_port: Option<u16>,
) -> Result<String, OAuthError> {
    purge_expired(db, vault, now).await?;
    let state = new_state();
    let hash = state_hash(&state);
    sqlx::query(
        "INSERT INTO oauth_states (state_hash, platform, redirect_uri, scopes, created_at, expires_at, handoff_port, client_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .bind(&hash)
    .bind(platform.as_str())
    .bind(redirect_uri)
    .bind(scopes.join(" "))
    .bind(now)
    .bind(now + ATTEMPT_TTL_MS)
    .bind(handoff_port.map(i64::from))
    .bind(client_id)
    .execute(db.pool())
    .await
    .map_err(crate::db::DbError::from)?;
    // The row first, then the verifier: a failure here leaves no orphaned secret.
    if let Some(v) = verifier {
        if let Err(e) = vault
            .put(&SecretOwner::OAuthAttempt(hash.clone()), VERIFIER_FIELD, v)
            .await
        {
            let _ = sqlx::query("DELETE FROM oauth_states WHERE state_hash = ?1")
                .bind(&hash)
                .execute(db.pool())
                .await;
            return Err(e.into());
        }
    }
    Ok(state)
}

/// Look an attempt up without consuming it.
pub async fn lookup(
    db: &Database,
    state: &str,
    now: i64,
) -> Result<Option<PendingInfo>, OAuthError> {
    let row = sqlx::query("SELECT platform, handoff_port, expires_at, consumed_at FROM oauth_states WHERE state_hash = ?1")
        .bind(state_hash(state))
        .fetch_optional(db.pool())
        .await
        .map_err(crate::db::DbError::from)?;
    let Some(row) = row else { return Ok(None) };
    let platform: String = row.get("platform");
    Ok(Some(PendingInfo {
        platform: platform.parse().map_err(|_| OAuthError::StateUnknown)?,
        handoff_port: row
            .get::<Option<i64>, _>("handoff_port")
            .and_then(|p| u16::try_from(p).ok()),
        expired: row.get::<i64, _>("expires_at") <= now,
        consumed: row.get::<Option<i64>, _>("consumed_at").is_some(),
    }))
}

/// Consume an attempt (single use). `expected` is the platform the caller is connecting.
pub async fn consume(
    db: &Database,
    vault: &Vault,
    now: i64,
    state: &str,
    expected: Option<Platform>,
) -> Result<Attempt, OAuthError> {
    let hash = state_hash(state);
    let info = lookup(db, state, now)
        .await?
        .ok_or(OAuthError::StateUnknown)?;
    if info.consumed {
        return Err(OAuthError::StateReused);
    }
    if info.expired {
        return Err(OAuthError::StateExpired);
    }
    if let Some(expected) = expected {
        if expected != info.platform {
            return Err(OAuthError::StateWrongPlatform {
                expected,
                got: info.platform,
            });
        }
    }
    let row = sqlx::query(
        "UPDATE oauth_states SET consumed_at = ?2 WHERE state_hash = ?1 AND consumed_at IS NULL AND expires_at > ?2 \
         RETURNING platform, redirect_uri, scopes, client_id",
    )
    .bind(&hash)
    .bind(now)
    .fetch_optional(db.pool())
    .await
    .map_err(crate::db::DbError::from)?
    .ok_or(OAuthError::StateReused)?;
    let owner = SecretOwner::OAuthAttempt(hash);
    let verifier = vault.get(&owner, VERIFIER_FIELD).await?;
    vault.delete_owner(&owner).await?;
    let scopes: String = row.get("scopes");
    Ok(Attempt {
        platform: info.platform,
        redirect_uri: row.get("redirect_uri"),
        scopes: scopes.split_whitespace().map(str::to_owned).collect(),
        client_id: row.get("client_id"),
        verifier,
    })
}

/// Forget attempts that expired more than a day ago (and their verifiers).
pub async fn purge_expired(db: &Database, vault: &Vault, now: i64) -> Result<(), OAuthError> {
    let old: Vec<String> =
        sqlx::query_scalar("SELECT state_hash FROM oauth_states WHERE expires_at < ?1")
            .bind(now - 24 * 3600 * 1000)
            .fetch_all(db.pool())
            .await
            .map_err(crate::db::DbError::from)?;
    for hash in old {
        vault
            .delete_owner(&SecretOwner::OAuthAttempt(hash.clone()))
            .await?;
        sqlx::query("DELETE FROM oauth_states WHERE state_hash = ?1")
            .bind(hash)
            .execute(db.pool())
            .await
            .map_err(crate::db::DbError::from)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock;
    use crate::config::VaultBackendChoice;
    use crate::vault::keystore::MemoryKeyStore;
    use crate::vault::passphrase::KdfParams;
    use crate::vault::VaultOptions;

    async fn setup() -> (tempfile::TempDir, Database, Vault) {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("a.db")).await.unwrap();
        let vault = Vault::new(
            db.clone(),
            VaultOptions {
                choice: VaultBackendChoice::Auto,
                passphrase: None,
                keystore: Arc::new(MemoryKeyStore::default()),
                kdf: KdfParams {
                    m_cost: 1024,
                    t_cost: 1,
                    p_cost: 1,
                },
            },
            clock::system(),
        );
        (dir, db, vault)
    }

    async fn new_attempt(db: &Database, vault: &Vault, now: i64, platform: Platform) -> String {
        let verifier = SecretValue::new("v".repeat(64));
        create(
            db,
            vault,
            now,
            platform,
            "http://127.0.0.1:1/callback",
            &["s".into()],
            "cid",
            Some(&verifier),
            Some(4242),
        )
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn a_state_is_single_use_and_carries_its_verifier() {
        let (_d, db, vault) = setup().await;
        let state = new_attempt(&db, &vault, 1_000, Platform::Tiktok).await;
        let info = lookup(&db, &state, 1_000).await.unwrap().unwrap();
        assert_eq!(info.handoff_port, Some(4242));
        let attempt = consume(&db, &vault, 2_000, &state, Some(Platform::Tiktok))
            .await
            .unwrap();
        assert_eq!(attempt.verifier.unwrap().expose(), "v".repeat(64));
        assert_eq!(attempt.redirect_uri, "http://127.0.0.1:1/callback");
        assert!(matches!(
            consume(&db, &vault, 2_001, &state, None).await,
            Err(OAuthError::StateReused)
        ));
        // The verifier is gone with the attempt.
        assert_eq!(vault.count().await.unwrap(), 0);
    }

    #[tokio::test]
    async fn unknown_expired_and_cross_platform_states_are_refused() {
        let (_d, db, vault) = setup().await;
        assert!(matches!(
            consume(&db, &vault, 0, "forged", None).await,
            Err(OAuthError::StateUnknown)
        ));

        let state = new_attempt(&db, &vault, 1_000, Platform::Tiktok).await;
        let late = 1_000 + ATTEMPT_TTL_MS;
        assert!(matches!(
            consume(&db, &vault, late, &state, None).await,
            Err(OAuthError::StateExpired)
        ));

        let state = new_attempt(&db, &vault, 1_000, Platform::Reddit).await;
        let err = consume(&db, &vault, 1_500, &state, Some(Platform::Tiktok))
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            OAuthError::StateWrongPlatform {
                expected: Platform::Tiktok,
                got: Platform::Reddit
            }
        ));
        // Refusing it for the wrong platform did not use it up.
        assert!(consume(&db, &vault, 1_600, &state, Some(Platform::Reddit))
            .await
            .is_ok());
    }

    #[tokio::test]
    async fn old_attempts_and_their_verifiers_are_purged() {
        let (_d, db, vault) = setup().await;
        new_attempt(&db, &vault, 0, Platform::Tiktok).await;
        assert_eq!(vault.count().await.unwrap(), 1);
        purge_expired(&db, &vault, 2 * 24 * 3600 * 1000)
            .await
            .unwrap();
        assert_eq!(vault.count().await.unwrap(), 0);
    }
}
