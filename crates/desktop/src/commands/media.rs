//! Publish form helpers: `media_limits` (the platform's limits, from the core) and
//! `probe_file` (what a file is, from its header).

use std::path::PathBuf;

use outpost_core::media::{self, Limits, MediaKind, Probe};
use outpost_core::Platform;

use crate::error::{fail, shell_error, CmdResult};

/// The `kind` argument: the core's `MediaKind` has no `Deserialize` (glue).
pub fn parse_kind(kind: &str) -> CmdResult<MediaKind> {
    match kind {
        "video" => Ok(MediaKind::Video),
        "image" => Ok(MediaKind::Image),
        "text" => Ok(MediaKind::Text),
        "link" => Ok(MediaKind::Link),
        other => Err(shell_error(
            "media.kind",
            format!("unknown kind {other:?}: video, image, text or link"),
        )),
    }
}

/// `media_limits`.
#[tauri::command]
pub async fn media_limits(platform: Platform, kind: String) -> CmdResult<Limits> {
    Ok(media::limits::limits(platform, parse_kind(&kind)?))
}

/// `probe_file`.
#[tauri::command]
pub async fn probe_file(path: PathBuf) -> CmdResult<Probe> {
    tokio::task::spawn_blocking(move || media::probe(&path))
        .await
        .map_err(|e| shell_error("media.probe", e.to_string()))?
        .map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_as_the_core_names_them() {
        for k in [
            MediaKind::Video,
            MediaKind::Image,
            MediaKind::Text,
            MediaKind::Link,
        ] {
            assert_eq!(parse_kind(k.as_str()).unwrap(), k);
        }
        assert_eq!(parse_kind("reel").unwrap_err().code, "media.kind");
    }
}
