//! PKCE (RFC 7636): a fresh verifier per attempt and its S256 challenge in the encoding the
//! platform expects (base64url per the RFC; lowercase hex for TikTok's desktop flow).
//!
//! Written here rather than taken from the `oauth2` crate: that crate only produces the
//! base64url form, and TikTok's desktop guide requires hex; the whole job is SHA-256 and
//! an encoding.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::config::PkceEncoding;
use crate::vault::SecretValue;

const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
/// Verifier length (RFC 7636 allows 43 to 128).
pub const VERIFIER_LEN: usize = 64;

/// A verifier and its challenge.
#[derive(Debug, Clone)]
pub struct Pkce {
    /// Secret verifier, sent at the code exchange.
    pub verifier: SecretValue,
    /// Public challenge, sent in the authorize URL.
    pub challenge: String,
}

/// A fresh verifier from the OS generator and its challenge.
pub fn generate(encoding: PkceEncoding) -> Pkce {
    let mut rng = rand::rngs::OsRng;
    let verifier: String = (0..VERIFIER_LEN)
        .map(|_| UNRESERVED[rng.gen_range(0..UNRESERVED.len())] as char)
        .collect();
    let challenge = challenge(&verifier, encoding);
    Pkce {
        verifier: SecretValue::new(verifier),
        challenge,
    }
}

/// The S256 challenge of `verifier` in `encoding`.
pub fn challenge(verifier: &str, encoding: PkceEncoding) -> String {
    let digest = Sha256::digest(verifier.as_bytes());
    match encoding {
        PkceEncoding::Base64url => URL_SAFE_NO_PAD.encode(digest),
        PkceEncoding::Hex => hex::encode(digest),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(
            challenge(
                "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
                PkceEncoding::Base64url
            ),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let hex = challenge(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            PkceEncoding::Hex,
        );
        assert_eq!(hex.len(), 64);
        assert_eq!(
            hex,
            "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3"
        );
    }

    #[test]
    fn verifiers_are_fresh_and_well_formed() {
        let a = generate(PkceEncoding::Hex);
        let b = generate(PkceEncoding::Hex);
        assert_ne!(a.verifier, b.verifier);
        assert_eq!(a.verifier.expose().len(), VERIFIER_LEN);
        assert!(a.verifier.expose().bytes().all(|c| UNRESERVED.contains(&c)));
        assert_eq!(
            a.challenge,
            challenge(a.verifier.expose(), PkceEncoding::Hex)
        );
    }
}
