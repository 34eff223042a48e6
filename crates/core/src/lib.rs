//! outpost-core: the Outpost engine.
//!
//! Every front end (the `outpost` CLI, the Tauri desktop shell) calls into this crate and
//! only this crate; it knows nothing about windows or terminals. Each module owns one
//! concern, has its own error type, and maps that error to a stable [`error::ErrorPayload`]
//! that a UI can branch on.
//!
//! Secrets (tokens, client secrets, PKCE verifiers) are only ever held as
//! [`vault::SecretValue`] and stored through [`vault::Vault`]; nothing else in the crate sees
//! them in clear, and [`telemetry`] redacts anything that slips into a log line anyway.

#![warn(missing_docs)]

pub mod analytics;
pub mod broker;
pub mod clock;
pub mod config;
pub mod db;
pub mod diagnostics;
pub mod error;
pub mod events;
pub mod http;
pub mod media;
pub mod oauth;
pub mod platform;
pub mod platforms;
pub mod publish;
pub mod queue;
pub mod sync;
pub mod telemetry;
pub mod vault;
pub mod watch;

pub use platform::Platform;
