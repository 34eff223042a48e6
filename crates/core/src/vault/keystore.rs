//! Where data keys are kept when the vault uses the OS keyring: the [`KeyStore`] trait, its
//! real implementation over the `keyring` crate (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows), and an in-process store for tests.
//!
//! Calls block (D-Bus, system APIs): the vault runs them on `spawn_blocking`.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::cipher::DataKey;

/// Keyring service name under which Outpost's entries live.
pub const KEYRING_SERVICE: &str = "outpost";

/// Errors from a key store.
#[derive(Debug, thiserror::Error)]
pub enum KeyStoreError {
    /// No usable keyring (no Secret Service, locked, no D-Bus session).
    #[error("{0}")]
    Unavailable(String),
    /// The stored entry is not a key Outpost wrote.
    #[error("the keyring entry {entry} does not hold a valid Outpost key")]
    Corrupt {
        /// Entry name.
        entry: String,
    },
}

/// A place that keeps data keys by reference.
pub trait KeyStore: Send + Sync + std::fmt::Debug + 'static {
    /// Short name for status output.
    fn describe(&self) -> String;
    /// Store `key` under `key_ref`.
    fn store(&self, key_ref: &str, key: &DataKey) -> Result<(), KeyStoreError>;
    /// Load the key under `key_ref`; `Ok(None)` when there is no such entry.
    fn load(&self, key_ref: &str) -> Result<Option<DataKey>, KeyStoreError>;
    /// Delete the entry (missing is fine).
    fn delete(&self, key_ref: &str) -> Result<(), KeyStoreError>;
}

fn entry_name(key_ref: &str) -> String {
    format!("vault-key:{key_ref}")
}

/// The OS keyring.
#[derive(Debug, Default)]
pub struct OsKeyring;

impl OsKeyring {
    fn entry(key_ref: &str) -> Result<keyring::Entry, KeyStoreError> {
        keyring::Entry::new(KEYRING_SERVICE, &entry_name(key_ref)).map_err(unavailable)
    }
}

/// Turn the keyring crate's many backend messages into one a person can act on.
fn unavailable(e: keyring::Error) -> KeyStoreError {
    let detail = e.to_string();
    KeyStoreError::Unavailable(format!(
        "the OS keyring is not available ({detail}). On Linux a Secret Service provider \
         (GNOME Keyring or KWallet) must be running and unlocked in your session"
    ))
}

impl KeyStore for OsKeyring {
    fn describe(&self) -> String {
        format!("OS keyring (service \"{KEYRING_SERVICE}\")")
    }

    fn store(&self, key_ref: &str, key: &DataKey) -> Result<(), KeyStoreError> {
        let encoded = zeroize::Zeroizing::new(STANDARD.encode(key.as_bytes()));
        Self::entry(key_ref)?
            .set_password(&encoded)
            .map_err(unavailable)
    }

    fn load(&self, key_ref: &str) -> Result<Option<DataKey>, KeyStoreError> {
        match Self::entry(key_ref)?.get_password() {
            Ok(encoded) => {
                let encoded = zeroize::Zeroizing::new(encoded);
                decode_key(key_ref, &encoded).map(Some)
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn delete(&self, key_ref: &str) -> Result<(), KeyStoreError> {
        match Self::entry(key_ref)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }
}

fn decode_key(key_ref: &str, encoded: &str) -> Result<DataKey, KeyStoreError> {
    let bytes = zeroize::Zeroizing::new(STANDARD.decode(encoded.trim()).map_err(|_| {
        KeyStoreError::Corrupt {
            entry: entry_name(key_ref),
        }
    })?);
    let array: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| KeyStoreError::Corrupt {
            entry: entry_name(key_ref),
        })?;
    Ok(DataKey::from_bytes(array))
}

/// An in-process key store for tests. Never chosen by configuration: it forgets every key
/// when the process ends.
#[derive(Debug, Default)]
pub struct MemoryKeyStore {
    keys: Mutex<HashMap<String, String>>,
    unavailable: Mutex<Option<String>>,
}

impl MemoryKeyStore {
    /// Make every call fail as an unavailable keyring would.
    pub fn set_unavailable(&self, reason: Option<&str>) {
        *self.unavailable.lock().expect("lock") = reason.map(str::to_owned);
    }

    /// Overwrite an entry with arbitrary text (to test corrupt or foreign keys).
    pub fn put_raw(&self, key_ref: &str, value: &str) {
        self.keys
            .lock()
            .expect("lock")
            .insert(key_ref.to_owned(), value.to_owned());
    }

    /// Number of entries held.
    pub fn len(&self) -> usize {
        self.keys.lock().expect("lock").len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn check(&self) -> Result<(), KeyStoreError> {
        match &*self.unavailable.lock().expect("lock") {
            Some(reason) => Err(KeyStoreError::Unavailable(reason.clone())),
            None => Ok(()),
        }
    }
}

impl KeyStore for MemoryKeyStore {
    fn describe(&self) -> String {
        "in-memory test key store".into()
    }

    fn store(&self, key_ref: &str, key: &DataKey) -> Result<(), KeyStoreError> {
        self.check()?;
        self.put_raw(key_ref, &STANDARD.encode(key.as_bytes()));
        Ok(())
    }

    fn load(&self, key_ref: &str) -> Result<Option<DataKey>, KeyStoreError> {
        self.check()?;
        match self.keys.lock().expect("lock").get(key_ref) {
            Some(encoded) => decode_key(key_ref, encoded).map(Some),
            None => Ok(None),
        }
    }

    fn delete(&self, key_ref: &str) -> Result<(), KeyStoreError> {
        self.check()?;
        self.keys.lock().expect("lock").remove(key_ref);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs only where a Secret Service is reachable; `scripts/test.sh` starts one
    /// (gnome-keyring inside dbus-run-session) and sets OUTPOST_TEST_SECRET_SERVICE=1, so
    /// in CI this test is required to pass.
    #[test]
    fn os_keyring_round_trips_a_key_through_the_secret_service() {
        if std::env::var("OUTPOST_TEST_SECRET_SERVICE").as_deref() != Ok("1") {
            eprintln!("skipped: OUTPOST_TEST_SECRET_SERVICE is not 1 (scripts/test.sh sets it)");
            return;
        }
        let store = OsKeyring;
        let key_ref = format!("unit-test-{}", uuid::Uuid::new_v4());
        let key = DataKey::generate();
        store
            .store(&key_ref, &key)
            .expect("store in Secret Service");
        let loaded = store.load(&key_ref).expect("load").expect("entry present");
        assert_eq!(loaded.as_bytes(), key.as_bytes());
        store.delete(&key_ref).expect("delete");
        assert!(store.load(&key_ref).expect("load after delete").is_none());
    }
}
