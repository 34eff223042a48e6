//! Platform events (issue 6): webhook intake with signature verification, replay protection
//! and dedupe, and their asynchronous processing.
//!
//! The path of one delivery:
//!
//! 1. [`intake::Intake::receive`] takes `(platform, headers, raw body)`: refuses bodies over
//!    [`intake::MAX_BODY`], checks the signature on the raw bytes in constant time
//!    ([`verify`]: TikTok's `TikTok-Signature: t=…,s=…` with its timestamp inside the replay
//!    window, Meta's `X-Hub-Signature-256: sha256=…`), parses the payload into one or more
//!    events ([`parse`]) and stores them in `platform_events`, deduplicated by
//!    `(platform, event id)`. Nothing else happens on the request path.
//! 2. [`process::Processor`] picks up unprocessed rows and applies them, each in one
//!    transaction that also marks the row processed (so an event is applied once even with
//!    two workers): publish completed/failed updates the job with that publish id, a new
//!    comment on a known media is stored, `authorization.removed` marks the account
//!    `needs_reconnect`.
//! 3. [`poll`] lets the polling fallback (publish status, comment listing) feed the same
//!    table, with ids that dedupe against the webhooks for the same facts.
//! 4. [`server`] is the optional local receiver (`outpost events serve`): the routes, Meta's
//!    GET verification handshake, the body limit, and the worker, until shutdown.
//!
//! Every refusal is one [`EventsError`] with the HTTP status it maps to; messages and logs
//! carry the platform, the reason and the body length, never a secret or a signature.

pub mod intake;
pub mod parse;
pub mod poll;
pub mod process;
pub mod server;
pub mod verify;

use crate::db::DbError;
use crate::error::UserFacing;
use crate::platform::Platform;

pub use intake::{Intake, IntakeOutcome, WebhookSecrets, MAX_BODY};
pub use parse::NewEvent;
pub use process::{Outcome, ProcessedEvent, Processor};
pub use server::{router, serve, ReceiverState};

/// Why a webhook delivery (or a verification handshake) was refused, or could not be kept.
#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    /// The platform sends no webhooks Outpost understands (Reddit).
    #[error("{} does not send webhooks", platform.display_name())]
    Unsupported {
        /// Platform.
        platform: Platform,
    },
    /// The secret needed to verify this platform's signatures is not configured.
    #[error(
        "{} webhooks are not set up on this receiver: configure the app's client secret \
         (OUTPOST_{}_CLIENT_SECRET or `outpost credentials set {}`)",
        platform.display_name(), platform.env_name(), platform.as_str()
    )]
    NotConfigured {
        /// Platform.
        platform: Platform,
    },
    /// The signature header is absent or unreadable.
    #[error("the {header} header is missing or malformed; the delivery was not accepted")]
    SignatureMissing {
        /// Platform.
        platform: Platform,
        /// Header name.
        header: &'static str,
    },
    /// The signature does not match the body: forged, altered, or signed with another secret.
    #[error("the {} signature does not match the body; the delivery was not accepted", platform.display_name())]
    SignatureInvalid {
        /// Platform.
        platform: Platform,
    },
    /// The signed timestamp is outside the replay window.
    #[error(
        "the {} signature timestamp is {skew_secs} s away from now (more than {window_secs} s): \
         a replay, or a clock that is wrong; the delivery was not accepted",
        platform.display_name()
    )]
    Replayed {
        /// Platform.
        platform: Platform,
        /// |now - signed timestamp|, in seconds.
        skew_secs: i64,
        /// Allowed skew, in seconds.
        window_secs: i64,
    },
    /// The body is larger than [`MAX_BODY`].
    #[error("the webhook body is larger than {limit} bytes; the delivery was not accepted")]
    TooLarge {
        /// Limit in bytes.
        limit: usize,
    },
    /// The body is signed but not the payload the platform documents.
    #[error("malformed {} webhook: {reason}", platform.display_name())]
    Malformed {
        /// Platform.
        platform: Platform,
        /// What is wrong (never a copy of the body).
        reason: String,
    },
    /// Meta's verification handshake named another mode or the wrong verify token.
    #[error("webhook verification refused: the mode or the verify token does not match")]
    HandshakeRefused,
    /// Meta's verification handshake lacks `hub.challenge` (or another parameter).
    #[error("webhook verification request is missing {0}")]
    HandshakeMalformed(&'static str),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl UserFacing for EventsError {
    fn code(&self) -> &'static str {
        match self {
            EventsError::Unsupported { .. } => "events.unsupported_platform",
            EventsError::NotConfigured { .. } => "events.not_configured",
            EventsError::SignatureMissing { .. } => "events.signature_missing",
            EventsError::SignatureInvalid { .. } => "events.signature_invalid",
            EventsError::Replayed { .. } => "events.replayed",
            EventsError::TooLarge { .. } => "events.too_large",
            EventsError::Malformed { .. } => "events.malformed",
            EventsError::HandshakeRefused => "events.handshake_refused",
            EventsError::HandshakeMalformed(_) => "events.handshake_malformed",
            EventsError::Db(e) => e.code(),
        }
    }
}

impl EventsError {
    /// The HTTP status a receiver answers with: 401 forged or replayed, 400 malformed,
    /// 413 too large, 403 refused handshake, 404 unsupported or unconfigured platform,
    /// 500 when the event could not be stored (the platform retries later).
    pub fn http_status(&self) -> u16 {
        match self {
            EventsError::Unsupported { .. } | EventsError::NotConfigured { .. } => 404,
            EventsError::SignatureMissing { .. }
            | EventsError::SignatureInvalid { .. }
            | EventsError::Replayed { .. } => 401,
            EventsError::TooLarge { .. } => 413,
            EventsError::Malformed { .. } | EventsError::HandshakeMalformed(_) => 400,
            EventsError::HandshakeRefused => 403,
            EventsError::Db(_) => 500,
        }
    }

    pub(crate) fn malformed(platform: Platform, reason: impl Into<String>) -> Self {
        EventsError::Malformed {
            platform,
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_maps_to_its_status_and_code() {
        let p = Platform::Tiktok;
        let cases: Vec<(EventsError, u16, &str)> = vec![
            (
                EventsError::SignatureInvalid { platform: p },
                401,
                "events.signature_invalid",
            ),
            (
                EventsError::SignatureMissing {
                    platform: p,
                    header: "TikTok-Signature",
                },
                401,
                "events.signature_missing",
            ),
            (
                EventsError::Replayed {
                    platform: p,
                    skew_secs: 900,
                    window_secs: 300,
                },
                401,
                "events.replayed",
            ),
            (EventsError::malformed(p, "x"), 400, "events.malformed"),
            (EventsError::TooLarge { limit: 10 }, 413, "events.too_large"),
            (
                EventsError::HandshakeRefused,
                403,
                "events.handshake_refused",
            ),
            (
                EventsError::NotConfigured { platform: p },
                404,
                "events.not_configured",
            ),
            (EventsError::Db(DbError::DiskFull), 500, "db.disk_full"),
        ];
        for (e, status, code) in cases {
            assert_eq!(e.http_status(), status, "{e}");
            assert_eq!(e.code(), code);
            assert!(!e.to_payload().message.is_empty());
        }
    }
}
