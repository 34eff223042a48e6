//! End-to-end tests of the `outpost` binary: real processes, real SQLite files, real
//! signals, and (when the test script provides one) a real Secret Service.

mod broker;
mod chromium;
mod connect;
mod errors;
mod events;
mod keyring;
mod publish;
mod sandbox;
mod status;
mod support;
mod sync;
mod vault_kill;
