//! The error shape every front end shows: a stable machine `code` the UI can branch on and
//! a message written for people. Each module's error implements [`UserFacing`]; messages
//! never contain secrets (they are built from names and ids, never from values).

use serde::Serialize;
use ts_rs::TS;

/// Serializable error for the UI and `--json` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ErrorPayload {
    /// Stable code, e.g. `vault.locked`, `config.invalid`.
    pub code: String,
    /// Message for a person, safe to show.
    pub message: String,
}

/// An error that knows its stable code.
pub trait UserFacing: std::error::Error {
    /// Stable machine code (`module.kind`).
    fn code(&self) -> &'static str;

    /// The payload shown to a user: code plus the error's message with its causes.
    fn to_payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.code().to_owned(),
            message: crate::telemetry::redact::redact(&self.to_string()).into_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("the thing failed")]
    struct Thing;

    impl UserFacing for Thing {
        fn code(&self) -> &'static str {
            "test.thing"
        }
    }

    #[test]
    fn payload_serializes_as_code_and_message() {
        let json = serde_json::to_string(&Thing.to_payload()).unwrap();
        assert_eq!(
            json,
            r#"{"code":"test.thing","message":"the thing failed"}"#
        );
    }
}
