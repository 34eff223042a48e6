//! Publish form helpers: `media_limits` (the platform's limits, from the core) and
//! `probe_file` (what a file is, from its header).

use std::path::PathBuf;

use outpost_core::media::{self, Limits, MediaKind, Probe};
use outpost_core::Platform;

use crate::error::{fail, shell_error, CmdResult};

/// `media_limits`.
#[tauri::command]
pub async fn media_limits(platform: Platform, kind: MediaKind) -> CmdResult<Limits> {
    Ok(media::limits::limits(platform, kind))
}

/// `probe_file`.
#[tauri::command]
pub async fn probe_file(path: PathBuf) -> CmdResult<Probe> {
    tokio::task::spawn_blocking(move || media::probe(&path))
        .await
        .map_err(|e| shell_error("media.probe", e.to_string()))?
        .map_err(fail)
}
