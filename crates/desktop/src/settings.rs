//! The window's own preferences, kept in `DATA/desktop.json`: notifications, close to tray,
//! start at login, and the sync interval chosen in the app (it overrides config.toml's
//! `sync_interval_secs`, as the app is where it was last changed).
//!
//! Shell-side glue: outpost-core has no writer for configuration yet.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime};
use tauri_plugin_autostart::ManagerExt;
use ts_rs::TS;

use crate::error::{shell_error, ErrorPayload};

/// The file, in the data dir.
pub const FILE: &str = "desktop.json";

/// Stored preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DesktopSettings {
    /// Desktop notifications for published, failed, needs-reconnect, quota.
    pub notifications: bool,
    /// Closing the window hides it; the engine keeps running in the tray.
    pub close_to_tray: bool,
    /// Start with the session (`set_autostart`).
    pub start_at_login: bool,
    /// Sync interval chosen in the app, if any.
    pub sync_interval_secs: Option<u64>,
}

impl Default for DesktopSettings {
    fn default() -> Self {
        Self {
            notifications: true,
            close_to_tray: true,
            start_at_login: false,
            sync_interval_secs: None,
        }
    }
}

/// What the UI may change (`settings_set`'s argument).
#[derive(Debug, Clone, Deserialize, TS)]
pub struct SettingsUpdate {
    /// Seconds between insight syncs.
    pub sync_interval_secs: u64,
    /// Notifications on or off.
    pub notifications: bool,
    /// Close to tray.
    pub close_to_tray: bool,
    /// Start at login.
    pub start_at_login: bool,
}

impl DesktopSettings {
    /// The file's path in `data_dir`.
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join(FILE)
    }

    /// Read the file; missing means defaults, unreadable is logged and means defaults.
    pub fn load(path: &Path) -> DesktopSettings {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "desktop.json is not valid; using defaults");
                DesktopSettings::default()
            }),
            Err(_) => DesktopSettings::default(),
        }
    }

    /// Write the file atomically (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<(), ErrorPayload> {
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| shell_error("settings.save", e.to_string()))?;
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| {
                shell_error(
                    "settings.save",
                    format!("could not save {}: {e}", path.display()),
                )
            })
    }

    /// Apply an update from the UI; refuses an interval under a minute.
    pub fn apply(&mut self, update: &SettingsUpdate) -> Result<(), ErrorPayload> {
        if update.sync_interval_secs < 60 {
            return Err(shell_error(
                "settings.invalid",
                "the sync interval must be at least 60 seconds",
            ));
        }
        self.notifications = update.notifications;
        self.close_to_tray = update.close_to_tray;
        self.start_at_login = update.start_at_login;
        self.sync_interval_secs = Some(update.sync_interval_secs);
        Ok(())
    }

    /// The interval to sync at: the app's choice, else the configured one.
    pub fn sync_interval(&self, configured: Duration) -> Duration {
        self.sync_interval_secs
            .map(Duration::from_secs)
            .unwrap_or(configured)
    }
}

/// Start with the session or not, the way the system does it (`tauri-plugin-autostart`:
/// an XDG autostart entry on Linux, a launch agent on macOS, the Run key on Windows).
pub fn set_autostart<R: Runtime>(app: &AppHandle<R>, enabled: bool) -> Result<(), ErrorPayload> {
    let launcher = app.autolaunch();
    let done = if enabled {
        launcher.enable()
    } else {
        launcher.disable()
    };
    done.map_err(|e| {
        shell_error(
            "settings.autostart",
            format!("could not change whether Outpost starts at login: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = DesktopSettings::path(dir.path());
        assert_eq!(DesktopSettings::load(&path), DesktopSettings::default());
        let mut s = DesktopSettings::default();
        s.apply(&SettingsUpdate {
            sync_interval_secs: 3600,
            notifications: false,
            close_to_tray: false,
            start_at_login: false,
        })
        .unwrap();
        s.save(&path).unwrap();
        assert_eq!(DesktopSettings::load(&path), s);
        assert_eq!(
            s.sync_interval(Duration::from_secs(5)),
            Duration::from_secs(3600)
        );
    }

    #[test]
    fn refuses_a_tiny_interval() {
        let mut s = DesktopSettings::default();
        let e = s
            .apply(&SettingsUpdate {
                sync_interval_secs: 5,
                notifications: true,
                close_to_tray: true,
                start_at_login: false,
            })
            .unwrap_err();
        assert_eq!(e.code, "settings.invalid");
    }
}
