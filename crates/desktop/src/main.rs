//! outpost-desktop: the Tauri 2 shell over outpost-core. It opens the web UI (`ui/dist`)
//! in a window, runs the engine (upload queue, watched folders, token refresher, insights
//! schedule, events) inside on Tauri's tokio runtime, answers the UI's commands with thin
//! calls into the core, receives `outpost://` links (single instance), and lives in the
//! tray. With no platform credentials it runs in sandbox mode against an in-process
//! emulator of the platforms.

#[cfg(test)]
mod bindings;
mod commands;
mod connect;
mod deep_link;
mod display;
mod engine;
mod error;
mod forward;
mod locale;
mod notify;
mod sandbox_mode;
mod settings;
mod startup;
mod state;
#[cfg(test)]
mod test_env;
mod tray;
mod ui_events;

use tauri::webview::PageLoadEvent;
use tauri::{Manager, RunEvent, WebviewWindowBuilder, WindowEvent};

use crate::state::AppState;

/// SIGTERM or Ctrl-C: quit like the tray's Quit (the engine stops at a safe point).
fn exit_on_signals(app: tauri::AppHandle) {
    tauri::async_runtime::spawn(async move {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = tokio::signal::ctrl_c() => {}
                    }
                }
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        app.exit(0);
    });
}

fn main() {
    startup::begin();
    // GTK panics without a display: say so in one line instead.
    if let Some(message) = display::missing_display(|k| std::env::var(k).ok()) {
        eprintln!("{message}");
        std::process::exit(1);
    }
    locale::ensure_web_language();
    // Single instance first, before anything of ours runs: a second launch hands its
    // arguments (an `outpost://` link) to the running app over D-Bus and exits here.
    let built = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            // With the `deep-link` feature the link itself reaches `deep_link::handle`.
            ui_events::focus_main(app);
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        // Start at login: an XDG autostart entry, a macOS launch agent, the Windows Run key.
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            None,
        ))
        .invoke_handler(commands::handler())
        .on_page_load(|_, payload| {
            if payload.event() == PageLoadEvent::Finished {
                startup::page_loaded();
            }
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                let to_tray = window
                    .app_handle()
                    .try_state::<AppState>()
                    .map(|st| st.settings.blocking_lock().close_to_tray)
                    .unwrap_or(false);
                if to_tray && window.app_handle().tray_by_id("main").is_some() {
                    api.prevent_close();
                    let _ = window.hide();
                }
            }
        })
        .setup(|app| {
            let handle = app.handle().clone();
            let state = match tauri::async_runtime::block_on(AppState::open()) {
                Ok(state) => state,
                Err(e) => {
                    eprintln!("outpost-desktop: cannot start: {} ({})", e.message, e.code);
                    std::process::exit(1);
                }
            };
            app.manage(state);
            match tray::create(&handle) {
                Ok(t) => {
                    app.manage(t);
                }
                Err(e) => tracing::warn!(error = %e, "no tray icon"),
            }
            let window = app
                .config()
                .app
                .windows
                .iter()
                .find(|w| w.label == ui_events::MAIN_WINDOW)
                .cloned()
                .ok_or("tauri.conf.json has no main window")?;
            WebviewWindowBuilder::from_config(&handle, &window)?.build()?;
            deep_link::setup(&handle);
            forward::start(&handle);
            exit_on_signals(handle);
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match built {
        Ok(app) => app,
        Err(e) => {
            eprintln!("outpost-desktop: cannot start: {e}");
            std::process::exit(1);
        }
    };
    app.run(|app, event| {
        if let RunEvent::Exit = event {
            if let Some(st) = app.try_state::<AppState>() {
                tauri::async_runtime::block_on(st.engine.stop());
            }
        }
    });
}
