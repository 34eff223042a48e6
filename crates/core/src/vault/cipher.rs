//! AES-256-GCM over single secrets, and the on-disk record format.
//!
//! Record layout (all binary):
//! `version (1) | key_id (4, big endian) | binding (8) | nonce (12) | ciphertext + tag (>= 16)`.
//! `binding` is the first 8 bytes of SHA-256 of the associated data, so that a record
//! copied onto another row is reported as such rather than as generic tampering; the
//! associated data itself (vault id, owner, field) is authenticated by GCM. The nonce is
//! 96 random bits from the OS generator, fresh for every encryption.

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{AeadCore, Aes256Gcm, Key, Nonce};
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Record format version written by this build.
pub const RECORD_VERSION: u8 = 1;
const HEADER_LEN: usize = 1 + 4 + 8 + 12;
const TAG_LEN: usize = 16;
const KEY_CHECK_PLAINTEXT: &[u8] = b"outpost vault key check v1";

/// A 256-bit data key. Zeroed on drop; never printed.
#[derive(Clone)]
pub struct DataKey(Zeroizing<[u8; 32]>);

impl DataKey {
    /// A fresh random key from the OS generator.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(bytes.as_mut());
        Self(bytes)
    }

    /// From raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// Raw bytes, for a key store.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(self.0.as_ref()))
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey([REDACTED])")
    }
}

/// Why a record could not be opened (the vault adds owner and field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenFailure {
    /// Shorter than a header plus a tag.
    Truncated(usize),
    /// A format version this build does not know.
    UnknownVersion(u8),
    /// The binding belongs to another owner/field.
    WrongBinding,
    /// Authentication failed: modified bytes.
    Tampered,
}

/// The parsed header of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordHeader {
    /// Key that encrypted it.
    pub key_id: u32,
}

/// Associated data binding a ciphertext to its vault, owner and field.
pub fn associated_data(vault_id: &str, owner: &str, field: &str) -> Vec<u8> {
    let mut aad = b"outpost-vault/v1".to_vec();
    for part in [vault_id, owner, field] {
        aad.push(0);
        aad.extend_from_slice(part.as_bytes());
    }
    aad
}

fn binding(aad: &[u8]) -> [u8; 8] {
    let digest = Sha256::digest(aad);
    let mut out = [0u8; 8];
    out.copy_from_slice(&digest[..8]);
    out
}

/// Encrypt `plaintext` into a record.
pub fn seal(key: &DataKey, key_id: u32, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let ciphertext = key
        .cipher()
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("AES-GCM encryption of an in-memory buffer cannot fail");
    let mut record = Vec::with_capacity(HEADER_LEN + ciphertext.len());
    record.push(RECORD_VERSION);
    record.extend_from_slice(&key_id.to_be_bytes());
    record.extend_from_slice(&binding(aad));
    record.extend_from_slice(&nonce);
    record.extend_from_slice(&ciphertext);
    record
}

/// Read a record's header without decrypting.
pub fn header(record: &[u8]) -> Result<RecordHeader, OpenFailure> {
    if record.len() < HEADER_LEN + TAG_LEN {
        return Err(OpenFailure::Truncated(record.len()));
    }
    if record[0] != RECORD_VERSION {
        return Err(OpenFailure::UnknownVersion(record[0]));
    }
    let key_id = u32::from_be_bytes(record[1..5].try_into().expect("4 bytes"));
    Ok(RecordHeader { key_id })
}

/// Decrypt a record.
pub fn open(key: &DataKey, aad: &[u8], record: &[u8]) -> Result<Zeroizing<Vec<u8>>, OpenFailure> {
    header(record)?;
    if record[5..13] != binding(aad) {
        return Err(OpenFailure::WrongBinding);
    }
    let nonce = Nonce::from_slice(&record[13..HEADER_LEN]);
    key.cipher()
        .decrypt(
            nonce,
            Payload {
                msg: &record[HEADER_LEN..],
                aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| OpenFailure::Tampered)
}

/// A check value proving which key a vault_keys row belongs to.
pub fn key_check_value(key: &DataKey, key_ref: &str) -> Vec<u8> {
    seal(key, 0, key_ref.as_bytes(), KEY_CHECK_PLAINTEXT)
}

/// Whether `key` is the key that produced `check`.
pub fn key_matches(key: &DataKey, key_ref: &str, check: &[u8]) -> bool {
    matches!(open(key, key_ref.as_bytes(), check), Ok(p) if p.as_slice() == KEY_CHECK_PLAINTEXT)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn round_trip() {
        let key = DataKey::generate();
        let aad = associated_data("v", "account:1", "access_token");
        let record = seal(&key, 7, &aad, b"tok");
        assert_eq!(header(&record).unwrap().key_id, 7);
        assert_eq!(open(&key, &aad, &record).unwrap().as_slice(), b"tok");
    }

    #[test]
    fn nonces_never_repeat_over_many_encryptions() {
        let key = DataKey::generate();
        let aad = associated_data("v", "o", "f");
        let mut seen = HashSet::new();
        for _ in 0..200_000 {
            let record = seal(&key, 1, &aad, b"same plaintext");
            let nonce: [u8; 12] = record[13..25].try_into().unwrap();
            assert!(seen.insert(nonce), "nonce reused");
        }
    }

    #[test]
    fn every_failure_is_distinct() {
        let key = DataKey::generate();
        let aad = associated_data("v", "account:1", "access_token");
        let record = seal(&key, 1, &aad, b"secret-token");

        let mut flipped = record.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x01;
        assert_eq!(
            open(&key, &aad, &flipped).unwrap_err(),
            OpenFailure::Tampered
        );

        let mut flipped_body = record.clone();
        flipped_body[HEADER_LEN] ^= 0x80;
        assert_eq!(
            open(&key, &aad, &flipped_body).unwrap_err(),
            OpenFailure::Tampered
        );

        assert_eq!(
            open(&key, &aad, &record[..20]).unwrap_err(),
            OpenFailure::Truncated(20)
        );
        let other_row = associated_data("v", "account:2", "access_token");
        assert_eq!(
            open(&key, &other_row, &record).unwrap_err(),
            OpenFailure::WrongBinding
        );
        let other_field = associated_data("v", "account:1", "refresh_token");
        assert_eq!(
            open(&key, &other_field, &record).unwrap_err(),
            OpenFailure::WrongBinding
        );

        let mut future = record.clone();
        future[0] = 9;
        assert_eq!(
            open(&key, &aad, &future).unwrap_err(),
            OpenFailure::UnknownVersion(9)
        );

        let wrong_key = DataKey::generate();
        assert_eq!(
            open(&wrong_key, &aad, &record).unwrap_err(),
            OpenFailure::Tampered
        );
    }

    #[test]
    fn key_check_tells_keys_apart() {
        let key = DataKey::generate();
        let check = key_check_value(&key, "ref-1");
        assert!(key_matches(&key, "ref-1", &check));
        assert!(!key_matches(&DataKey::generate(), "ref-1", &check));
        assert!(!key_matches(&key, "ref-2", &check));
    }

    #[test]
    fn debug_of_a_key_is_redacted() {
        assert_eq!(
            format!("{:?}", DataKey::from_bytes([7; 32])),
            "DataKey([REDACTED])"
        );
    }
}
