//! Which files count: media by extension, never temporary, partial or hidden files.

use std::path::Path;

/// What a media file is, as the queue's `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// mp4, mov, webm, m4v.
    Video,
    /// jpg, jpeg, png.
    Image,
}

impl MediaKind {
    /// The queue's `kind` value.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Video => "video",
            MediaKind::Image => "image",
        }
    }
}

/// How a file name is classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classification {
    /// A media file to publish.
    Media(MediaKind),
    /// A per-file sidecar (`NAME.json`, `NAME.txt`) or poster (`NAME.poster.jpg`).
    Sidecar,
    /// The folder defaults (`outpost.toml`).
    FolderDefaults,
    /// Ignored, with the reason.
    Ignored(&'static str),
}

/// The folder defaults file name.
pub const FOLDER_DEFAULTS: &str = "outpost.toml";

const VIDEO: [&str; 4] = ["mp4", "mov", "webm", "m4v"];
const IMAGE: [&str; 3] = ["jpg", "jpeg", "png"];
const PARTIAL: [&str; 4] = ["part", "crdownload", "tmp", "download"];

/// Classify a path by its file name alone.
pub fn classify(path: &Path) -> Classification {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return Classification::Ignored("name is not valid UTF-8");
    };
    if name.starts_with('.') {
        return Classification::Ignored("hidden file");
    }
    if name.ends_with('~') || (name.starts_with('#') && name.ends_with('#')) {
        return Classification::Ignored("editor backup or autosave file");
    }
    if name == FOLDER_DEFAULTS {
        return Classification::FolderDefaults;
    }
    let Some((_, ext)) = name.rsplit_once('.') else {
        return Classification::Ignored("no extension");
    };
    let ext = ext.to_ascii_lowercase();
    if PARTIAL.contains(&ext.as_str()) {
        return Classification::Ignored("partial or temporary download");
    }
    if matches!(ext.as_str(), "swp" | "swo" | "swx") {
        return Classification::Ignored("editor swap file");
    }
    if IMAGE.contains(&ext.as_str()) && name[..name.len() - ext.len() - 1].ends_with(".poster") {
        // `NAME.poster.jpg`: the poster of NAME's Reddit video post, not a post itself.
        Classification::Sidecar
    } else if VIDEO.contains(&ext.as_str()) {
        Classification::Media(MediaKind::Video)
    } else if IMAGE.contains(&ext.as_str()) {
        Classification::Media(MediaKind::Image)
    } else if ext == "json" || (ext == "txt" && !name.ends_with(".error.txt")) {
        Classification::Sidecar
    } else {
        Classification::Ignored("not a supported media file")
    }
}

/// The media kind of `path`, if it is a media file that counts.
pub fn media_kind(path: &Path) -> Option<MediaKind> {
    match classify(path) {
        Classification::Media(kind) => Some(kind),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(name: &str) -> Classification {
        classify(Path::new("/videos").join(name).as_path())
    }

    #[test]
    fn videos_and_images_count_whatever_the_case() {
        for name in ["clip.mp4", "a.MOV", "b.webm", "c.m4v", "x.y.Mp4"] {
            assert_eq!(c(name), Classification::Media(MediaKind::Video), "{name}");
        }
        for name in ["p.jpg", "p.JPEG", "p.png"] {
            assert_eq!(c(name), Classification::Media(MediaKind::Image), "{name}");
        }
    }

    #[test]
    fn temporary_partial_hidden_and_swap_files_are_ignored() {
        for name in [
            "clip.mp4.part",
            "clip.mp4.crdownload",
            "clip.tmp",
            "clip.mp4.download",
            "clip.mp4.PART",
            ".clip.mp4",
            ".DS_Store",
            "clip.mp4~",
            "#clip.txt#",
            ".clip.txt.swp",
            "clip.txt.swp",
            "clip.swo",
            "clip",
            "notes.pdf",
        ] {
            assert!(matches!(c(name), Classification::Ignored(_)), "{name}");
        }
    }

    #[test]
    fn sidecars_defaults_and_error_files_are_told_apart() {
        assert_eq!(c("clip.json"), Classification::Sidecar);
        assert_eq!(c("clip.txt"), Classification::Sidecar);
        assert_eq!(c("clip.poster.jpg"), Classification::Sidecar);
        assert_eq!(c("clip.poster.PNG"), Classification::Sidecar);
        assert_eq!(c("poster.jpg"), Classification::Media(MediaKind::Image));
        assert_eq!(c("outpost.toml"), Classification::FolderDefaults);
        assert!(matches!(c("clip.error.txt"), Classification::Ignored(_)));
        assert_eq!(media_kind(Path::new("clip.mp4")), Some(MediaKind::Video));
        assert_eq!(media_kind(Path::new("clip.json")), None);
    }
}
