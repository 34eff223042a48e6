//! The events the UI listens to (`Events` in `ui/src/lib/bindings.ts`, from [`table`]):
//! `job-update`, `account-connected`, `connect-failed`; and bringing the window to the front.

use outpost_core::db::accounts::Account;
use outpost_core::publish::JobUpdate;
use outpost_core::Platform;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use ts_rs::TS;

use crate::error::ErrorPayload;

/// Event name of job progress.
pub const JOB_UPDATE: &str = "job-update";
/// Event name of a completed sign-in.
pub const ACCOUNT_CONNECTED: &str = "account-connected";
/// Event name of a failed sign-in.
pub const CONNECT_FAILED: &str = "connect-failed";
/// The main window's label.
pub const MAIN_WINDOW: &str = "main";

/// Payload of `account-connected`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AccountConnected {
    /// The account.
    pub account: Account,
}

/// Payload of `connect-failed`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ConnectFailed {
    /// Which platform's sign-in failed.
    pub platform: Platform,
    /// Why.
    pub error: ErrorPayload,
}

/// Every event with its payload, for the TypeScript bindings.
#[cfg(test)]
pub fn table() -> Vec<(&'static str, crate::bindings::TypeRef)> {
    use crate::bindings::TypeRef;
    vec![
        (JOB_UPDATE, TypeRef::of::<JobUpdate>("JobUpdate")),
        (
            ACCOUNT_CONNECTED,
            TypeRef::of::<AccountConnected>("AccountConnected"),
        ),
        (
            CONNECT_FAILED,
            TypeRef::of::<ConnectFailed>("ConnectFailed"),
        ),
    ]
}

fn emit<R: Runtime, T: Serialize + Clone>(app: &AppHandle<R>, event: &str, payload: T) {
    if let Err(e) = app.emit(event, payload) {
        tracing::warn!(error = %e, event, "could not send an event to the window");
    }
}

/// Send a job update to the window.
pub fn job_update<R: Runtime>(app: &AppHandle<R>, u: &JobUpdate) {
    emit(app, JOB_UPDATE, u.clone());
}

/// A sign-in completed: tell the window and bring it to the front.
pub fn connected<R: Runtime>(app: &AppHandle<R>, account: Account) {
    emit(app, ACCOUNT_CONNECTED, AccountConnected { account });
    focus_main(app);
}

/// A sign-in failed: tell the window and bring it to the front.
pub fn connect_failed<R: Runtime>(app: &AppHandle<R>, platform: Platform, error: ErrorPayload) {
    emit(app, CONNECT_FAILED, ConnectFailed { platform, error });
    focus_main(app);
}

/// Show, restore and focus the main window.
pub fn focus_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window(MAIN_WINDOW) {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}
