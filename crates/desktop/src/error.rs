//! Errors as the UI receives them: the core's own `ErrorPayload {code, message}`.

pub use outpost_core::error::ErrorPayload;
use outpost_core::error::UserFacing;

/// A core module's error as the payload the UI shows.
pub fn fail<E: UserFacing>(e: E) -> ErrorPayload {
    e.to_payload()
}

/// An error of the shell itself (a dialog, a file write), with a stable code.
pub fn shell_error(code: &str, message: impl Into<String>) -> ErrorPayload {
    ErrorPayload {
        code: code.to_owned(),
        message: message.into(),
    }
}

/// What every command returns.
pub type CmdResult<T> = Result<T, ErrorPayload>;
