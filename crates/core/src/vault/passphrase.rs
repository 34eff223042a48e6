//! Deriving a data key from a passphrase with Argon2id, for machines without an OS keyring.
//! The salt and cost parameters are stored per key in `vault_keys`; the passphrase and the
//! derived key never are.

use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use zeroize::Zeroizing;

use super::cipher::DataKey;
use super::SecretValue;

/// Argon2id cost parameters (memory in KiB, iterations, parallelism).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory cost in KiB.
    pub m_cost: u32,
    /// Iterations.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl Default for KdfParams {
    /// OWASP's recommended Argon2id minimum (19 MiB, 2 iterations, 1 lane).
    fn default() -> Self {
        Self {
            m_cost: 19 * 1024,
            t_cost: 2,
            p_cost: 1,
        }
    }
}

/// A fresh 16-byte salt.
pub fn new_salt() -> [u8; 16] {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    salt
}

/// Derive a 256-bit key. Fails only on out-of-range parameters (a tampered row).
pub fn derive(passphrase: &SecretValue, salt: &[u8], params: KdfParams) -> Result<DataKey, String> {
    let params = Params::new(params.m_cost, params.t_cost, params.p_cost, Some(32))
        .map_err(|e| format!("invalid key derivation parameters: {e}"))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(passphrase.expose().as_bytes(), salt, out.as_mut())
        .map_err(|e| format!("key derivation failed: {e}"))?;
    Ok(DataKey::from_bytes(*out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_passphrase_and_salt_give_the_same_key_and_others_differ() {
        let params = KdfParams {
            m_cost: 1024,
            t_cost: 1,
            p_cost: 1,
        };
        let salt = new_salt();
        let p = SecretValue::new("correct horse battery staple");
        let a = derive(&p, &salt, params).unwrap();
        let b = derive(&p, &salt, params).unwrap();
        assert_eq!(a.as_bytes(), b.as_bytes());
        let c = derive(&SecretValue::new("wrong"), &salt, params).unwrap();
        assert_ne!(a.as_bytes(), c.as_bytes());
        let d = derive(&p, &new_salt(), params).unwrap();
        assert_ne!(a.as_bytes(), d.as_bytes());
        assert!(derive(
            &p,
            &salt,
            KdfParams {
                m_cost: 1,
                t_cost: 0,
                p_cost: 0
            }
        )
        .is_err());
    }
}
