//! The tray icon: a status line (uploads in flight, last sync), Open, Pause/Resume queue,
//! Sync now, Quit. The status is read from the core (the queue and the sync runs).

use outpost_core::queue::{self, ListFilter};
use outpost_core::sync::{self, SyncOptions};
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Wry};

use crate::state::AppState;
use crate::ui_events;

/// The menu items whose text changes.
pub struct Tray {
    status: MenuItem<Wry>,
    pause: MenuItem<Wry>,
}

/// The status line: what the queue is doing and when insights were last synced.
pub fn status_line(in_flight: usize, paused: bool, last_sync: Option<i64>, now: i64) -> String {
    let queue = match (paused, in_flight) {
        (true, 0) => "Queue paused".to_owned(),
        (true, n) => format!("Queue paused ({n} in flight)"),
        (false, 0) => "No uploads in flight".to_owned(),
        (false, 1) => "1 upload in flight".to_owned(),
        (false, n) => format!("{n} uploads in flight"),
    };
    let sync = match last_sync {
        None => "never synced".to_owned(),
        Some(t) => {
            let mins = (now - t).max(0) / 60_000;
            match mins {
                0 => "synced just now".to_owned(),
                1..=59 => format!("synced {mins} min ago"),
                60..=2879 => format!("synced {} h ago", mins / 60),
                _ => format!("synced {} days ago", mins / 1440),
            }
        }
    };
    format!("{queue} · {sync}")
}

/// Build the tray icon and its menu.
pub fn create(app: &AppHandle) -> tauri::Result<Tray> {
    let status = MenuItem::with_id(app, "status", "Starting…", false, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", "Open Outpost", true, None::<&str>)?;
    let pause = MenuItem::with_id(app, "pause", "Pause queue", true, None::<&str>)?;
    let sync = MenuItem::with_id(app, "sync", "Sync now", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Outpost", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &status,
            &PredefinedMenuItem::separator(app)?,
            &open,
            &pause,
            &sync,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let mut builder = TrayIconBuilder::with_id("main")
        .tooltip("Outpost")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => ui_events::focus_main(app),
            "pause" => {
                let app = app.clone();
                tauri::async_runtime::spawn(async move { toggle_pause(&app).await });
            }
            "sync" => {
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    let st = app.state::<AppState>();
                    if let Err(e) = st.syncer.sync(&SyncOptions::default(), &|_| {}).await {
                        tracing::warn!(error = %e, "sync from the tray failed");
                    }
                    refresh(&app).await;
                });
            }
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    Ok(Tray { status, pause })
}

async fn toggle_pause(app: &AppHandle) {
    let st = app.state::<AppState>();
    let now = chrono::Utc::now().timestamp_millis();
    let paused = queue::is_paused(&st.db).await.unwrap_or(false);
    if let Err(e) = queue::set_paused(&st.db, !paused, now).await {
        tracing::warn!(error = %e, "could not pause or resume the queue");
    }
    st.publisher.wake();
    refresh(app).await;
}

/// Update the status line and the pause item from the core's state.
pub async fn refresh(app: &AppHandle) {
    let (Some(st), Some(tray)) = (app.try_state::<AppState>(), app.try_state::<Tray>()) else {
        return;
    };
    let now = chrono::Utc::now().timestamp_millis();
    let jobs = queue::list(&st.db, ListFilter::default(), now)
        .await
        .unwrap_or_default();
    let flying = jobs.iter().filter(|j| j.state.is_in_flight()).count();
    let paused = queue::is_paused(&st.db).await.unwrap_or(false);
    let last_sync = sync::last_finished(&st.db).await.unwrap_or(None);
    let line = status_line(flying, paused, last_sync, now);
    let _ = tray.status.set_text(&line);
    let _ = tray.pause.set_text(if paused {
        "Resume queue"
    } else {
        "Pause queue"
    });
    if let Some(icon) = app.tray_by_id("main") {
        let _ = icon.set_tooltip(Some(format!("Outpost — {line}")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        let now = 10_000_000_000;
        assert_eq!(
            status_line(0, false, None, now),
            "No uploads in flight · never synced"
        );
        assert_eq!(
            status_line(2, false, Some(now - 5 * 60_000), now),
            "2 uploads in flight · synced 5 min ago"
        );
        assert_eq!(
            status_line(0, true, Some(now - 3 * 3_600_000), now),
            "Queue paused · synced 3 h ago"
        );
    }
}
