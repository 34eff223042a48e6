//! Webhook authenticity, on the raw bytes and before any parsing: TikTok's
//! `TikTok-Signature: t=<unix seconds>,s=<hex HMAC-SHA256(client_secret, "<t>.<body>")>`
//! with `t` inside a replay window, Meta's `X-Hub-Signature-256: sha256=<hex
//! HMAC-SHA256(app_secret, body)>`, and Meta's GET subscription handshake.
//!
//! MACs are compared with `hmac`'s `verify_slice` and the verify token with `subtle`, both
//! in constant time. Nothing here logs: callers log the outcome, never the header or key.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::EventsError;
use crate::platform::Platform;
use crate::vault::SecretValue;

/// TikTok's signature header.
pub const TIKTOK_HEADER: &str = "TikTok-Signature";
/// Meta's signature header (the legacy SHA-1 `X-Hub-Signature` is ignored).
pub const META_HEADER: &str = "X-Hub-Signature-256";
/// Default replay window: a TikTok signature timestamp further than this from now (either
/// way) is refused.
pub const REPLAY_WINDOW_SECS: i64 = 300;

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &SecretValue) -> HmacSha256 {
    // HMAC accepts keys of any length: this never fails for HMAC-SHA256.
    <HmacSha256 as Mac>::new_from_slice(key.expose().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC-SHA256 takes keys of any length"))
}

/// The two parts of a `TikTok-Signature` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TikTokSignature {
    /// Signed timestamp (unix seconds).
    pub t: i64,
    /// Candidate MACs (more than one `s=` is tolerated, e.g. during a secret rotation).
    pub macs: Vec<Vec<u8>>,
}

/// Parses `t=<ts>,s=<hex>` (split on `,` then on the first `=`; spaces tolerated).
pub fn parse_tiktok_header(value: &str) -> Option<TikTokSignature> {
    let mut t = None;
    let mut macs = Vec::new();
    for part in value.split(',') {
        let (k, v) = part.split_once('=')?;
        match k.trim() {
            "t" => t = Some(v.trim().parse::<i64>().ok()?),
            "s" => macs.push(hex::decode(v.trim()).ok()?),
            _ => {}
        }
    }
    let t = t?;
    (!macs.is_empty()).then_some(TikTokSignature { t, macs })
}

/// Verifies a TikTok delivery: the header's MAC over `"<t>.<body>"` keyed with the client
/// secret, then `|now - t| <= window_secs`. Returns the signed timestamp.
pub fn verify_tiktok(
    header: Option<&str>,
    body: &[u8],
    client_secret: &SecretValue,
    now_secs: i64,
    window_secs: i64,
) -> Result<i64, EventsError> {
    let platform = Platform::Tiktok;
    let sig = header
        .and_then(parse_tiktok_header)
        .ok_or(EventsError::SignatureMissing {
            platform,
            header: TIKTOK_HEADER,
        })?;
    let mut m = mac(client_secret);
    m.update(sig.t.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    let matched = sig
        .macs
        .iter()
        .any(|candidate| m.clone().verify_slice(candidate).is_ok());
    if !matched {
        return Err(EventsError::SignatureInvalid { platform });
    }
    let skew_secs = now_secs.saturating_sub(sig.t).saturating_abs();
    if skew_secs > window_secs {
        return Err(EventsError::Replayed {
            platform,
            skew_secs,
            window_secs,
        });
    }
    Ok(sig.t)
}

/// Verifies a Meta delivery: `sha256=<hex>` is the MAC of the raw body keyed with the app
/// secret (for Instagram Login apps, the Instagram app secret).
pub fn verify_meta(
    platform: Platform,
    header: Option<&str>,
    body: &[u8],
    app_secret: &SecretValue,
) -> Result<(), EventsError> {
    let missing = EventsError::SignatureMissing {
        platform,
        header: META_HEADER,
    };
    let hex_mac = header
        .and_then(|h| h.trim().strip_prefix("sha256="))
        .ok_or(missing)?;
    let candidate = hex::decode(hex_mac).map_err(|_| EventsError::SignatureMissing {
        platform,
        header: META_HEADER,
    })?;
    let mut m = mac(app_secret);
    m.update(body);
    m.verify_slice(&candidate)
        .map_err(|_| EventsError::SignatureInvalid { platform })
}

/// Meta's subscription handshake: with `hub.mode=subscribe` and a `hub.verify_token` equal
/// (constant time) to the configured one, the answer is `hub.challenge`, echoed verbatim.
pub fn handshake(
    mode: Option<&str>,
    verify_token: Option<&str>,
    challenge: Option<&str>,
    expected_token: &SecretValue,
) -> Result<String, EventsError> {
    let mode = mode.ok_or(EventsError::HandshakeMalformed("hub.mode"))?;
    let token = verify_token.ok_or(EventsError::HandshakeMalformed("hub.verify_token"))?;
    let challenge = challenge.ok_or(EventsError::HandshakeMalformed("hub.challenge"))?;
    let token_ok: bool = token
        .as_bytes()
        .ct_eq(expected_token.expose().as_bytes())
        .into();
    if mode != "subscribe" || !token_ok {
        return Err(EventsError::HandshakeRefused);
    }
    Ok(challenge.to_owned())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Test helper: a TikTok header for `body` at `t`.
    pub(crate) fn tiktok_header(secret: &str, t: i64, body: &[u8]) -> String {
        let mut m = mac(&SecretValue::new(secret));
        m.update(format!("{t}.").as_bytes());
        m.update(body);
        format!("t={t},s={}", hex::encode(m.finalize().into_bytes()))
    }

    /// Test helper: a Meta header for `body`.
    pub(crate) fn meta_header(secret: &str, body: &[u8]) -> String {
        let mut m = mac(&SecretValue::new(secret));
        m.update(body);
        format!("sha256={}", hex::encode(m.finalize().into_bytes()))
    }

    const SHEET_BODY: &str = r#"{"client_key":"bwo2m45353a6k85","event":"authorization.removed","create_time":1615338610,"user_openid":"act.example12345Example12345Example","content":"{\"reason\": 1 }"}"#;
    const SHEET_HEADER: &str =
        "t=1633174587,s=39c29244091b6bb0d67eca735a97218805842b7c8cea52dde8296f6c0c36ae09";
    const SHEET_T: i64 = 1_633_174_587;

    fn secret(s: &str) -> SecretValue {
        SecretValue::new(s)
    }

    #[test]
    fn tiktok_contract_sheet_vector_verifies() {
        let t = verify_tiktok(
            Some(SHEET_HEADER),
            SHEET_BODY.as_bytes(),
            &secret("test_client_secret"),
            SHEET_T,
            REPLAY_WINDOW_SECS,
        )
        .unwrap();
        assert_eq!(t, SHEET_T);
        assert_eq!(
            tiktok_header("test_client_secret", SHEET_T, SHEET_BODY.as_bytes()),
            SHEET_HEADER
        );
    }

    #[test]
    fn tiktok_header_tolerates_spaces_order_and_extra_macs() {
        let h = "s=00, t = 1633174587 ,s=39c29244091b6bb0d67eca735a97218805842b7c8cea52dde8296f6c0c36ae09";
        verify_tiktok(
            Some(h),
            SHEET_BODY.as_bytes(),
            &secret("test_client_secret"),
            SHEET_T,
            REPLAY_WINDOW_SECS,
        )
        .unwrap();
    }

    #[test]
    fn tiktok_forgeries_are_refused() {
        let s = secret("test_client_secret");
        let verify = |h: Option<&str>, body: &str, key: &SecretValue| {
            verify_tiktok(h, body.as_bytes(), key, SHEET_T, REPLAY_WINDOW_SECS)
        };
        // Altered body (one byte).
        let altered = SHEET_BODY.replace("\\\"reason\\\": 1", "\\\"reason\\\": 2");
        assert!(matches!(
            verify(Some(SHEET_HEADER), &altered, &s),
            Err(EventsError::SignatureInvalid { .. })
        ));
        // Another secret.
        assert!(matches!(
            verify(Some(SHEET_HEADER), SHEET_BODY, &secret("other")),
            Err(EventsError::SignatureInvalid { .. })
        ));
        // The timestamp moved (signature no longer covers it).
        let moved = SHEET_HEADER.replace("t=1633174587", "t=1633174588");
        assert!(matches!(
            verify_tiktok(
                Some(&moved),
                SHEET_BODY.as_bytes(),
                &s,
                SHEET_T + 1,
                REPLAY_WINDOW_SECS
            ),
            Err(EventsError::SignatureInvalid { .. })
        ));
        // Missing or unreadable headers.
        for h in [
            None,
            Some(""),
            Some("t=1633174587"),
            Some("s=abcd"),
            Some("t=x,s=abcd"),
            Some("t=1633174587,s=zz"),
            Some("garbage"),
        ] {
            assert!(
                matches!(
                    verify(h, SHEET_BODY, &s),
                    Err(EventsError::SignatureMissing { .. })
                ),
                "{h:?}"
            );
        }
        // A truncated MAC is a mismatch, not a prefix match.
        let short = &SHEET_HEADER[..SHEET_HEADER.len() - 2];
        assert!(matches!(
            verify(Some(short), SHEET_BODY, &s),
            Err(EventsError::SignatureInvalid { .. })
        ));
    }

    #[test]
    fn tiktok_replay_window_is_enforced_both_ways() {
        let s = secret("test_client_secret");
        let at = |now: i64| {
            verify_tiktok(
                Some(SHEET_HEADER),
                SHEET_BODY.as_bytes(),
                &s,
                now,
                REPLAY_WINDOW_SECS,
            )
        };
        assert!(at(SHEET_T + 300).is_ok());
        assert!(at(SHEET_T - 300).is_ok());
        match at(SHEET_T + 301) {
            Err(EventsError::Replayed {
                skew_secs: 301,
                window_secs: 300,
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            at(SHEET_T - 3600),
            Err(EventsError::Replayed { .. })
        ));
    }

    #[test]
    fn meta_signature_rfc4231_vector_and_forgeries() {
        // RFC 4231 test case 2: key "Jefe".
        let body = b"what do ya want for nothing?";
        let good = "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(meta_header("Jefe", body), good);
        let p = Platform::Instagram;
        verify_meta(p, Some(good), body, &secret("Jefe")).unwrap();
        assert!(matches!(
            verify_meta(
                p,
                Some(good),
                b"what do ya want for nothing!",
                &secret("Jefe")
            ),
            Err(EventsError::SignatureInvalid { .. })
        ));
        assert!(matches!(
            verify_meta(p, Some(good), body, &secret("jefe")),
            Err(EventsError::SignatureInvalid { .. })
        ));
        for h in [
            None,
            Some("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            Some("sha1=5bdcc146"),
            Some("sha256=not-hex"),
        ] {
            assert!(
                matches!(
                    verify_meta(p, h, body, &secret("Jefe")),
                    Err(EventsError::SignatureMissing { .. })
                ),
                "{h:?}"
            );
        }
    }

    #[test]
    fn handshake_echoes_the_challenge_only_for_the_right_token() {
        let expected = secret("my-verify-token");
        assert_eq!(
            handshake(
                Some("subscribe"),
                Some("my-verify-token"),
                Some("1158201444"),
                &expected
            )
            .unwrap(),
            "1158201444"
        );
        for (mode, token) in [
            ("subscribe", "my-verify-token-2"),
            ("subscribe", "my-verify-toke"),
            ("subscribe", ""),
            ("unsubscribe", "my-verify-token"),
        ] {
            assert!(matches!(
                handshake(Some(mode), Some(token), Some("1"), &expected),
                Err(EventsError::HandshakeRefused)
            ));
        }
        assert!(matches!(
            handshake(Some("subscribe"), Some("my-verify-token"), None, &expected),
            Err(EventsError::HandshakeMalformed("hub.challenge"))
        ));
    }
}
