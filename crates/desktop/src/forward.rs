//! Forwards the engine's broadcasts: job updates to the window (`job-update`), to
//! notifications and to the tray's status line; account events (a needed reconnect) to
//! notifications. Runs for the app's lifetime.

use std::time::Duration;

use tauri::async_runtime;
use tauri::{AppHandle, Manager};
use tokio::sync::broadcast::error::RecvError;

use crate::notify::{self, Notifier};
use crate::state::AppState;
use crate::{tray, ui_events};

/// How often the tray's status line is refreshed without an update.
const TRAY_EVERY: Duration = Duration::from_secs(30);

async fn notifications_on(app: &AppHandle) -> bool {
    app.state::<AppState>().settings.lock().await.notifications
}

/// Start the forwarders.
pub fn start(app: &AppHandle) {
    let st = app.state::<AppState>();
    let mut jobs = st.publisher.subscribe();
    let mut accounts = st.connector.subscribe();

    let a = app.clone();
    async_runtime::spawn(async move {
        let mut notifier = Notifier::default();
        let mut last_state = std::collections::HashMap::new();
        loop {
            match jobs.recv().await {
                Ok(u) => {
                    ui_events::job_update(&a, &u);
                    if let Some(note) = notifier.for_job(&u) {
                        if notifications_on(&a).await {
                            notify::show(&a, &note);
                        }
                    }
                    // The tray only cares about state changes, not every chunk; a job
                    // that ended is forgotten (the map holds the jobs in progress only).
                    let changed = if u.state.is_terminal() {
                        last_state.remove(&u.job) != Some(u.state)
                    } else {
                        last_state.insert(u.job, u.state) != Some(u.state)
                    };
                    if changed {
                        tray::refresh(&a).await;
                    }
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            }
        }
    });

    let a = app.clone();
    async_runtime::spawn(async move {
        loop {
            match accounts.recv().await {
                Ok(e) => {
                    if let Some(note) = notify::for_account(&e) {
                        if notifications_on(&a).await {
                            notify::show(&a, &note);
                        }
                    }
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            }
        }
    });

    let a = app.clone();
    async_runtime::spawn(async move {
        loop {
            tray::refresh(&a).await;
            tokio::time::sleep(TRAY_EVERY).await;
        }
    });
}
