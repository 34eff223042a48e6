//! Checks shared by the pipelines before any byte is sent: the file is there and is a
//! media file the platform accepts (read from its header), and the caption and title fit
//! the platform's limits (`core::media`). Every problem names the limit and the value.

use std::path::Path;

use super::PublishError;
use crate::media::{self, MediaKind, Probe};
use crate::platform::Platform;

/// Probe `path` (off the async threads). A missing, unreadable, truncated or unknown file
/// is refused with what is wrong.
pub(super) async fn probe(path: &Path) -> Result<Probe, PublishError> {
    let owned = path.to_owned();
    let result = tokio::task::spawn_blocking(move || media::probe(&owned))
        .await
        .map_err(|e| PublishError::io(path, std::io::Error::other(e.to_string())))?;
    result
        .map_err(|e| PublishError::invalid("publish.bad_file", format!("{}: {e}", path.display())))
}

/// Check a post against `platform`'s limits for `kind`.
pub(super) fn limits(
    platform: Platform,
    kind: MediaKind,
    probe: Option<&Probe>,
    caption: &str,
    title: Option<&str>,
    max_duration: Option<u64>,
) -> Result<(), PublishError> {
    media::validate(platform, kind, probe, caption, title, max_duration)
        .map_err(|e| PublishError::invalid("publish.invalid_post", e.to_string()))
}
