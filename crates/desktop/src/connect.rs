//! Connecting accounts from the window. `connect_start` records the attempt with
//! `Connector::start` and opens the system browser; the callback arrives either at a
//! loopback listener (TikTok, and Instagram in sandbox mode) or as an
//! `outpost://oauth/callback?…` deep link (Reddit, Instagram through the HTTPS bridge,
//! or any platform when a browser hands the link over). Either way `Connector::finish`
//! completes it (for the loopback, through `oauth::loopback` as `outpost connect` does) and
//! the window hears `account-connected` or `connect-failed`.

use std::collections::HashMap;
use std::time::Duration;

use outpost_core::config::RedirectMode;
use outpost_core::oauth::{attempts, callback, loopback};
use outpost_core::Platform;
use serde::Serialize;
use tauri::async_runtime::{self, JoinHandle};
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::Mutex;
use ts_rs::TS;

use crate::error::{fail, CmdResult};
use crate::state::AppState;
use crate::ui_events;

/// How long a loopback listener waits for the browser.
const WAIT: Duration = Duration::from_secs(600);

/// The answer of `connect_start`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ConnectStart {
    /// The authorize page (opened in the browser; shown by the UI to copy as a fallback).
    pub authorize_url: String,
}

struct Pending {
    state: String,
    listener: Option<JoinHandle<()>>,
}

/// The sign-in in progress per platform (a new one replaces the old).
#[derive(Default)]
pub struct PendingConnects {
    by_platform: Mutex<HashMap<Platform, Pending>>,
}

impl PendingConnects {
    async fn replace(&self, platform: Platform, pending: Pending) {
        if let Some(old) = self.by_platform.lock().await.insert(platform, pending) {
            if let Some(l) = old.listener {
                l.abort();
            }
        }
    }

    /// Forget the sign-in with `state` (done), stopping its listener unless `keep_listener`.
    async fn done(&self, state: &str, keep_listener: bool) -> Option<Platform> {
        let mut map = self.by_platform.lock().await;
        let platform = map
            .iter()
            .find(|(_, p)| p.state == state)
            .map(|(k, _)| *k)?;
        if let Some(p) = map.remove(&platform) {
            if let (false, Some(l)) = (keep_listener, p.listener) {
                l.abort();
            }
        }
        Some(platform)
    }

    async fn only_platform(&self) -> Option<Platform> {
        let map = self.by_platform.lock().await;
        (map.len() == 1)
            .then(|| map.keys().next().copied())
            .flatten()
    }
}

/// Start connecting `platform`: record the attempt, open the browser, and wait for the
/// callback in the background.
pub async fn start<R: Runtime>(
    app: &AppHandle<R>,
    st: &AppState,
    platform: Platform,
) -> CmdResult<ConnectStart> {
    let connector = &st.connector;
    let started;
    let pending = match connector.redirect_mode(platform) {
        RedirectMode::Loopback => {
            let mut listener = loopback::Listener::start().await.map_err(fail)?;
            started = connector
                .start(platform, &listener.redirect_uri(), Some(listener.port()))
                .await
                .map_err(fail)?;
            let state = started.state.clone();
            let app = app.clone();
            let task = async_runtime::spawn(async move {
                let st = app.state::<AppState>();
                match listener.wait_for(platform, &state, WAIT).await {
                    Ok(delivery) => {
                        // From here the sign-in is this task's: a deep link for the same
                        // attempt must not stop it half-way.
                        st.connects.done(&state, true).await;
                        match loopback::finish(&st.connector, platform, delivery).await {
                            Ok(account) => ui_events::connected(&app, account),
                            Err(e) => ui_events::connect_failed(&app, platform, fail(e)),
                        }
                    }
                    Err(e) => {
                        // Timed out: said only when no deep link or newer sign-in took over.
                        if st.connects.done(&state, true).await.is_some() {
                            ui_events::connect_failed(&app, platform, fail(e));
                        }
                    }
                }
                listener.close().await;
            });
            Pending {
                state: started.state.clone(),
                listener: Some(task),
            }
        }
        _ => {
            let redirect = connector.fixed_redirect_uri(platform).map_err(fail)?;
            started = connector
                .start(platform, &redirect, None)
                .await
                .map_err(fail)?;
            Pending {
                state: started.state.clone(),
                listener: None,
            }
        }
    };
    st.connects.replace(platform, pending).await;
    let authorize_url = started.authorize_url.to_string();
    if let Err(e) = open::that_detached(&authorize_url) {
        tracing::warn!(error = %e, "could not open the browser; the window shows the link");
    }
    Ok(ConnectStart { authorize_url })
}

/// Complete a sign-in from an `outpost://oauth/callback?…` link.
pub async fn complete_from_url<R: Runtime>(app: &AppHandle<R>, url: &str) {
    let st = app.state::<AppState>();
    let parsed = match callback::parse_url(url) {
        Ok(p) => p,
        Err(e) => {
            let payload = fail(e);
            tracing::warn!(code = %payload.code, "a sign-in link was refused");
            match st.connects.only_platform().await {
                Some(platform) => ui_events::connect_failed(app, platform, payload),
                None => ui_events::focus_main(app),
            }
            return;
        }
    };
    let now = chrono::Utc::now().timestamp_millis();
    let platform = match attempts::lookup(&st.db, &parsed.state, now).await {
        Ok(Some(info)) => Some(info.platform),
        _ => st.connects.only_platform().await,
    };
    // A loopback listener waiting for the same attempt has nothing left to do.
    st.connects.done(&parsed.state, false).await;
    match st.connector.finish(None, &parsed).await {
        Ok(account) => ui_events::connected(app, account),
        Err(e) => {
            let payload = fail(e);
            match platform {
                Some(p) => ui_events::connect_failed(app, p, payload),
                None => {
                    tracing::warn!(code = %payload.code, "a sign-in link matched no attempt");
                    ui_events::focus_main(app);
                }
            }
        }
    }
}
