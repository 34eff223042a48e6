//! What each platform accepts, per kind of post: text lengths (and how the platform counts
//! them), hashtags and mentions, containers, file size, duration and picture size. Plain
//! data, `Serialize`d for the UI's counters; [`validate`](mod@super::validate) checks a post against it.
//!
//! Sources: `platform-apis-detail.md` (TikTok §1.5 "Media constraints" and photo posts,
//! Instagram §2.3 "Caption limits" and "Media specs", Reddit §3.4 title and §3.5 upload
//! MIME types), aligned with what the sandbox refuses. Sizes are binary (1 MB = 1,048,576
//! bytes, as the sandbox counts them). Limits the contract sheet does not give are left
//! out (`None`) rather than guessed, except where a field says otherwise.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::probe::Container;
use crate::platform::Platform;

const MB: u64 = 1024 * 1024;
const GB: u64 = 1024 * MB;

/// TikTok video caption (`post_info.title`): 2,200 UTF-16 code units.
pub const TIKTOK_CAPTION_MAX: usize = 2200;
/// TikTok photo post title: 90 characters.
pub const TIKTOK_PHOTO_TITLE_MAX: usize = 90;
/// TikTok photo post description: 4,000 characters.
pub const TIKTOK_PHOTO_DESCRIPTION_MAX: usize = 4000;
/// TikTok's largest video: 4 GB.
pub const TIKTOK_MAX_VIDEO_BYTES: u64 = 4 * GB;
/// TikTok's longest video when the creator's own limit (`max_video_post_duration_sec`
/// from creator info) is not known: 10 minutes, the limit of uploads to the inbox.
pub const TIKTOK_DEFAULT_MAX_DURATION_SECS: u64 = 600;
/// Instagram caption: 2,200 characters.
pub const INSTAGRAM_CAPTION_MAX: usize = 2200;
/// Instagram hashtags per caption.
pub const INSTAGRAM_HASHTAGS_MAX: usize = 30;
/// Instagram @-mentions per caption.
pub const INSTAGRAM_MENTIONS_MAX: usize = 20;
/// Instagram Reels: 300 MB.
pub const INSTAGRAM_MAX_VIDEO_BYTES: u64 = 300 * MB;
/// Instagram images: 8 MB.
pub const INSTAGRAM_MAX_IMAGE_BYTES: u64 = 8 * MB;
/// Reddit title: 300 characters.
pub const REDDIT_TITLE_MAX: usize = 300;
/// Reddit self-post text: 40,000 characters (Reddit's site limit; not in the contract
/// sheet, and not enforced by the sandbox).
pub const REDDIT_TEXT_MAX: usize = 40_000;
/// Reddit videos: 1 GB.
pub const REDDIT_MAX_VIDEO_BYTES: u64 = GB;
/// Reddit images: 20 MB.
pub const REDDIT_MAX_IMAGE_BYTES: u64 = 20 * MB;

/// What a post carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    /// A video file.
    Video,
    /// An image file.
    Image,
    /// Text only (a Reddit self post).
    Text,
    /// A link (a Reddit link post).
    Link,
}

impl MediaKind {
    /// Lowercase stable name (`video`), as the queue's `kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Video => "video",
            MediaKind::Image => "image",
            MediaKind::Text => "text",
            MediaKind::Link => "link",
        }
    }
}

impl From<crate::watch::MediaKind> for MediaKind {
    fn from(kind: crate::watch::MediaKind) -> Self {
        match kind {
            crate::watch::MediaKind::Video => MediaKind::Video,
            crate::watch::MediaKind::Image => MediaKind::Image,
        }
    }
}

/// How a platform counts the length of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CountUnit {
    /// Unicode scalar values (Rust `chars()`, JavaScript `[...text].length`): an emoji
    /// such as 🎉 is 1, a flag or a family emoji is several.
    Chars,
    /// UTF-16 code units (JavaScript `text.length`): characters outside the Basic
    /// Multilingual Plane, most emoji among them, count 2.
    Utf16,
}

impl CountUnit {
    /// The length of `text` in this unit.
    pub fn count(self, text: &str) -> usize {
        match self {
            CountUnit::Chars => text.chars().count(),
            CountUnit::Utf16 => text.encode_utf16().count(),
        }
    }
}

/// A limit on one text field of a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct TextLimit {
    /// The field's name for people: `caption`, `title`, `description`, `text`.
    pub field: &'static str,
    /// Most units allowed.
    pub max: usize,
    /// How the platform counts.
    pub unit: CountUnit,
    /// Whether the field must have non-blank text.
    pub required: bool,
}

/// An accepted range of picture aspect ratios, as width ÷ height, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
pub struct AspectRange {
    /// Narrowest (e.g. 0.8 for 4:5).
    pub min: f64,
    /// Widest (e.g. 1.91 for 1.91:1).
    pub max: f64,
}

/// What a platform accepts for one kind of post. `None` means "no limit Outpost knows of".
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Limits {
    /// The platform.
    pub platform: Platform,
    /// The kind of post.
    pub kind: MediaKind,
    /// What people call such posts: `Instagram Reels`, `Reddit image posts`.
    pub post_type: &'static str,
    /// Whether the platform takes this kind of post at all (Instagram and TikTok take no
    /// text or link posts).
    pub supported: bool,
    /// The limit on the caption (TikTok video: the caption; TikTok photo: the description;
    /// Instagram: the caption; Reddit text post: the text). `None`: not sent.
    pub caption: Option<TextLimit>,
    /// The limit on the title (Reddit: required; TikTok photo: optional). `None`: not sent.
    pub title: Option<TextLimit>,
    /// Most hashtags in the caption (see [`count_hashtags`]).
    pub max_hashtags: Option<usize>,
    /// Most @-mentions in the caption (see [`count_mentions`]).
    pub max_mentions: Option<usize>,
    /// Containers accepted, in the platform's order of preference (empty: no file).
    pub containers: &'static [Container],
    /// Largest file, in bytes.
    pub max_bytes: Option<u64>,
    /// Shortest video, in seconds.
    pub min_duration_secs: Option<u64>,
    /// Longest video, in seconds.
    pub max_duration_secs: Option<u64>,
    /// Shortest side of the picture, in pixels.
    pub min_side_px: Option<u32>,
    /// Longest side of the picture, in pixels.
    pub max_side_px: Option<u32>,
    /// Widest picture, in pixels.
    pub max_width_px: Option<u32>,
    /// Accepted aspect ratios.
    pub aspect_ratio: Option<AspectRange>,
}

impl Limits {
    /// The same limits with the longest video set to `secs`, when given: the creator's own
    /// limit as the platform reports it at run time (TikTok's creator info
    /// `max_video_post_duration_sec`). Only video posts have a duration.
    pub fn with_max_duration(mut self, secs: Option<u64>) -> Self {
        if let (Some(secs), MediaKind::Video, true) = (secs, self.kind, self.supported) {
            self.max_duration_secs = Some(secs);
        }
        self
    }

    fn unsupported(platform: Platform, kind: MediaKind, post_type: &'static str) -> Self {
        Limits {
            platform,
            kind,
            post_type,
            supported: false,
            caption: None,
            title: None,
            max_hashtags: None,
            max_mentions: None,
            containers: &[],
            max_bytes: None,
            min_duration_secs: None,
            max_duration_secs: None,
            min_side_px: None,
            max_side_px: None,
            max_width_px: None,
            aspect_ratio: None,
        }
    }
}

const fn text(field: &'static str, max: usize, unit: CountUnit, required: bool) -> TextLimit {
    TextLimit {
        field,
        max,
        unit,
        required,
    }
}

/// The limits of `platform` for `kind` posts.
///
/// How each platform counts text (from the contract sheet and the sandbox):
/// - TikTok counts a video's caption (`post_info.title`, ≤ 2,200) in **UTF-16 code
///   units**, so most emoji count 2; a photo post's title (≤ 90) and description
///   (≤ 4,000) in characters.
/// - Instagram counts the caption (≤ 2,200, ≤ 30 hashtags, ≤ 20 @-mentions) in
///   **characters** (Unicode scalar values).
/// - Reddit counts the title (≤ 300, required, blank counts as missing: Reddit trims it)
///   in **characters**.
///
/// Files: TikTok videos MP4, WebM or MOV, ≤ 4 GB, each side 360–4,096 px, at most the
/// creator's limit (see [`Limits::with_max_duration`]; 10 minutes by default); TikTok
/// photo posts JPEG (TikTok pulls photos from a verified URL: a local file needs hosting).
/// Instagram Reels MP4 or MOV, 3 s – 15 min, ≤ 300 MB, ≤ 1,920 px wide, aspect 0.01:1 to
/// 10:1; Instagram images JPEG only, ≤ 8 MB, aspect 4:5 to 1.91:1 (Meta rescales widths
/// outside 320–1,440 px, so width is not checked). Reddit videos MP4 or MOV ≤ 1 GB,
/// images JPEG, PNG or GIF ≤ 20 MB.
pub fn limits(platform: Platform, kind: MediaKind) -> Limits {
    use CountUnit::{Chars, Utf16};
    let base = |post_type| Limits {
        supported: true,
        ..Limits::unsupported(platform, kind, post_type)
    };
    match (platform, kind) {
        (Platform::Tiktok, MediaKind::Video) => Limits {
            caption: Some(text("caption", TIKTOK_CAPTION_MAX, Utf16, false)),
            containers: &[Container::Mp4, Container::WebM, Container::Mov],
            max_bytes: Some(TIKTOK_MAX_VIDEO_BYTES),
            max_duration_secs: Some(TIKTOK_DEFAULT_MAX_DURATION_SECS),
            min_side_px: Some(360),
            max_side_px: Some(4096),
            ..base("TikTok videos")
        },
        (Platform::Tiktok, MediaKind::Image) => Limits {
            caption: Some(text(
                "description",
                TIKTOK_PHOTO_DESCRIPTION_MAX,
                Chars,
                false,
            )),
            title: Some(text("title", TIKTOK_PHOTO_TITLE_MAX, Chars, false)),
            containers: &[Container::Jpeg],
            ..base("TikTok photo posts")
        },
        (Platform::Tiktok, MediaKind::Text) => {
            Limits::unsupported(platform, kind, "TikTok text posts")
        }
        (Platform::Tiktok, MediaKind::Link) => {
            Limits::unsupported(platform, kind, "TikTok link posts")
        }
        (Platform::Instagram, MediaKind::Video) => Limits {
            caption: Some(text("caption", INSTAGRAM_CAPTION_MAX, Chars, false)),
            max_hashtags: Some(INSTAGRAM_HASHTAGS_MAX),
            max_mentions: Some(INSTAGRAM_MENTIONS_MAX),
            containers: &[Container::Mp4, Container::Mov],
            max_bytes: Some(INSTAGRAM_MAX_VIDEO_BYTES),
            min_duration_secs: Some(3),
            max_duration_secs: Some(15 * 60),
            max_width_px: Some(1920),
            aspect_ratio: Some(AspectRange {
                min: 0.01,
                max: 10.0,
            }),
            ..base("Instagram Reels")
        },
        (Platform::Instagram, MediaKind::Image) => Limits {
            caption: Some(text("caption", INSTAGRAM_CAPTION_MAX, Chars, false)),
            max_hashtags: Some(INSTAGRAM_HASHTAGS_MAX),
            max_mentions: Some(INSTAGRAM_MENTIONS_MAX),
            containers: &[Container::Jpeg],
            max_bytes: Some(INSTAGRAM_MAX_IMAGE_BYTES),
            aspect_ratio: Some(AspectRange {
                min: 0.8,
                max: 1.91,
            }),
            ..base("Instagram image posts")
        },
        (Platform::Instagram, MediaKind::Text) => {
            Limits::unsupported(platform, kind, "Instagram text posts")
        }
        (Platform::Instagram, MediaKind::Link) => {
            Limits::unsupported(platform, kind, "Instagram link posts")
        }
        (Platform::Reddit, _) => {
            let title = Some(text("title", REDDIT_TITLE_MAX, Chars, true));
            match kind {
                MediaKind::Video => Limits {
                    title,
                    containers: &[Container::Mp4, Container::Mov],
                    max_bytes: Some(REDDIT_MAX_VIDEO_BYTES),
                    ..base("Reddit video posts")
                },
                MediaKind::Image => Limits {
                    title,
                    containers: &[Container::Jpeg, Container::Png, Container::Gif],
                    max_bytes: Some(REDDIT_MAX_IMAGE_BYTES),
                    ..base("Reddit image posts")
                },
                MediaKind::Text => Limits {
                    title,
                    caption: Some(text("text", REDDIT_TEXT_MAX, Chars, false)),
                    ..base("Reddit text posts")
                },
                MediaKind::Link => Limits {
                    title,
                    ..base("Reddit link posts")
                },
            }
        }
    }
}

/// A letter, digit (any script) or `_`: what a hashtag or name is made of.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether a whitespace-separated token is a web address (`https://…`, `www.…`,
/// `example.com/…`): its `#` and `@` are part of the address, not tags.
fn is_url(token: &str) -> bool {
    let token = token.trim_start_matches(|c: char| !c.is_alphanumeric());
    if token.contains("://") || token.to_ascii_lowercase().starts_with("www.") {
        return true;
    }
    match token.split_once('/') {
        Some((host, _)) => {
            host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
                && host
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
        }
        None => false,
    }
}

/// Count tags starting with `sigil` in `text`, skipping web addresses. A tag starts at a
/// `sigil` followed by a word character, when the character before is not `blocked` (or
/// the sigil follows a tag directly, as in `#one#two`, when `chained`).
fn count_tags(text: &str, sigil: char, blocked: fn(char) -> bool, chained: bool) -> usize {
    let mut total = 0;
    for token in text.split_whitespace().filter(|t| !is_url(t)) {
        let mut prev: Option<char> = None;
        let mut in_tag = false;
        let mut chars = token.chars().peekable();
        while let Some(c) = chars.next() {
            if c == sigil {
                let free = prev.is_none_or(|p| !blocked(p)) || (chained && in_tag);
                in_tag = free && chars.peek().is_some_and(|&n| is_word(n));
                if in_tag {
                    total += 1;
                }
            } else if !is_word(c) {
                in_tag = false;
            }
            prev = Some(c);
        }
    }
    total
}

/// Hashtags in `text`: `#` followed by letters, digits (any script) or `_`, not inside a
/// word (`C#`), an HTML entity (`&#39;`) or a web address (`https://x.com/#top`).
/// `#one#two` is two hashtags; `##tag` is one; a lone `#` or `##` is none.
pub fn count_hashtags(text: &str) -> usize {
    count_tags(text, '#', |p| is_word(p) || p == '&', true)
}

/// @-mentions in `text`: `@` followed by letters, digits or `_`, not inside an e-mail
/// address (`me@example.com`, `first.last@x.org`) or a web address
/// (`https://medium.com/@name`). `@@name` is one mention; a lone `@` is none.
pub fn count_mentions(text: &str) -> usize {
    count_tags(
        text,
        '@',
        |p| is_word(p) || matches!(p, '.' | '-' | '+' | '%'),
        false,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_and_write_as_their_stable_names() {
        for k in [
            MediaKind::Video,
            MediaKind::Image,
            MediaKind::Text,
            MediaKind::Link,
        ] {
            let name = serde_json::Value::from(k.as_str());
            assert_eq!(serde_json::to_value(k).unwrap(), name);
            assert_eq!(serde_json::from_value::<MediaKind>(name).unwrap(), k);
        }
        assert!(serde_json::from_value::<MediaKind>("reel".into()).is_err());
    }

    #[test]
    fn every_platform_and_kind_has_limits_and_only_supported_kinds_take_files() {
        for platform in Platform::ALL {
            for kind in [
                MediaKind::Video,
                MediaKind::Image,
                MediaKind::Text,
                MediaKind::Link,
            ] {
                let l = limits(platform, kind);
                assert_eq!((l.platform, l.kind), (platform, kind));
                assert!(l.post_type.contains(platform.display_name()));
                let file = matches!(kind, MediaKind::Video | MediaKind::Image);
                assert_eq!(
                    !l.containers.is_empty(),
                    l.supported && file,
                    "{platform} {kind:?}"
                );
                for c in l.containers {
                    assert_eq!(c.is_video(), kind == MediaKind::Video);
                }
            }
        }
        assert!(limits(Platform::Reddit, MediaKind::Text).supported);
        assert!(limits(Platform::Reddit, MediaKind::Link).supported);
        assert!(!limits(Platform::Instagram, MediaKind::Text).supported);
        assert!(!limits(Platform::Tiktok, MediaKind::Link).supported);
    }

    #[test]
    fn limits_match_the_contract_sheet_and_the_sandbox() {
        let tiktok = limits(Platform::Tiktok, MediaKind::Video);
        assert_eq!(tiktok.caption.unwrap().max, 2200);
        assert_eq!(tiktok.caption.unwrap().unit, CountUnit::Utf16);
        assert_eq!(tiktok.max_bytes, Some(4 * 1024 * 1024 * 1024));
        assert_eq!(
            tiktok.containers,
            &[Container::Mp4, Container::WebM, Container::Mov]
        );
        let reels = limits(Platform::Instagram, MediaKind::Video);
        assert_eq!(reels.caption.unwrap().unit, CountUnit::Chars);
        assert_eq!(
            (reels.max_hashtags, reels.max_mentions),
            (Some(30), Some(20))
        );
        assert_eq!(
            (reels.min_duration_secs, reels.max_duration_secs),
            (Some(3), Some(900))
        );
        assert_eq!(reels.max_bytes, Some(300 * 1024 * 1024));
        assert_eq!(
            limits(Platform::Instagram, MediaKind::Image).containers,
            &[Container::Jpeg]
        );
        let reddit = limits(Platform::Reddit, MediaKind::Video);
        let title = reddit.title.unwrap();
        assert_eq!((title.max, title.required), (300, true));
        assert_eq!(reddit.max_bytes, Some(1024 * 1024 * 1024));
        assert_eq!(
            limits(Platform::Reddit, MediaKind::Image).max_bytes,
            Some(20 * 1024 * 1024)
        );
        let mimes: Vec<_> = [MediaKind::Image, MediaKind::Video]
            .into_iter()
            .flat_map(|k| {
                limits(Platform::Reddit, k)
                    .containers
                    .iter()
                    .map(|c| c.mime())
            })
            .collect();
        assert_eq!(
            mimes,
            [
                "image/jpeg",
                "image/png",
                "image/gif",
                "video/mp4",
                "video/quicktime"
            ]
        );
    }

    #[test]
    fn the_creators_own_duration_limit_replaces_the_default_for_videos_only() {
        let l = limits(Platform::Tiktok, MediaKind::Video);
        assert_eq!(l.max_duration_secs, Some(600));
        assert_eq!(
            l.clone().with_max_duration(None).max_duration_secs,
            Some(600)
        );
        assert_eq!(l.with_max_duration(Some(180)).max_duration_secs, Some(180));
        let image = limits(Platform::Tiktok, MediaKind::Image).with_max_duration(Some(180));
        assert_eq!(image.max_duration_secs, None);
    }

    #[test]
    fn limits_serialize_for_the_ui() {
        let json = serde_json::to_value(limits(Platform::Instagram, MediaKind::Video)).unwrap();
        assert_eq!(json["platform"], "instagram");
        assert_eq!(json["kind"], "video");
        assert_eq!(json["caption"]["max"], 2200);
        assert_eq!(json["caption"]["unit"], "chars");
        assert_eq!(json["containers"], serde_json::json!(["mp4", "mov"]));
        assert_eq!(json["max_duration_secs"], 900);
        assert_eq!(json["aspect_ratio"]["max"], 10.0);
        let json = serde_json::to_value(limits(Platform::Tiktok, MediaKind::Video)).unwrap();
        assert_eq!(json["caption"]["unit"], "utf16");
        assert!(json["title"].is_null());
    }

    #[test]
    fn units_count_emoji_differently() {
        let text = "hi 🎉"; // U+1F389: one scalar value, two UTF-16 units
        assert_eq!(CountUnit::Chars.count(text), 4);
        assert_eq!(CountUnit::Utf16.count(text), 5);
        assert_eq!(CountUnit::Chars.count("é"), 1);
        assert_eq!(CountUnit::Chars.count("e\u{301}"), 2); // combining accent: two scalars
        assert_eq!(CountUnit::Chars.count("🇫🇷"), 2); // a flag is two regional indicators
        assert_eq!(CountUnit::Utf16.count("🇫🇷"), 4);
        assert_eq!(CountUnit::Chars.count(""), 0);
    }

    #[test]
    fn hashtags_are_counted_like_instagram_shows_them() {
        assert_eq!(count_hashtags("#travel #food"), 2);
        assert_eq!(count_hashtags("#one#two"), 2);
        assert_eq!(count_hashtags("##tag"), 1);
        assert_eq!(count_hashtags("## # #"), 0);
        assert_eq!(count_hashtags("I love C# and F#"), 0);
        assert_eq!(count_hashtags("it&#39;s"), 0);
        assert_eq!(count_hashtags("(#tag), #tag2. #tag_3!"), 3);
        assert_eq!(count_hashtags("#日本 #café #Ünïcödé #١٢٣"), 4);
        assert_eq!(count_hashtags("#🔥 #- #"), 0);
        assert_eq!(count_hashtags("#2024"), 1);
        assert_eq!(count_hashtags("https://example.com/page#section"), 0);
        assert_eq!(
            count_hashtags("see example.com/#/route and www.x.com/#top"),
            0
        );
        assert_eq!(count_hashtags("line one\n#tag\tline #two"), 2);
        assert_eq!(count_hashtags(""), 0);
    }

    #[test]
    fn mentions_skip_emails_and_urls() {
        assert_eq!(count_mentions("thanks @anna and @bob_2!"), 2);
        assert_eq!(count_mentions("write to me@example.com"), 0);
        assert_eq!(
            count_mentions("first.last@example.org first-last@x.io a+b@c.de"),
            0
        );
        assert_eq!(count_mentions("https://medium.com/@author/post"), 0);
        assert_eq!(count_mentions("medium.com/@author"), 0);
        assert_eq!(count_mentions("@@name"), 1);
        assert_eq!(count_mentions("@ alone, and @"), 0);
        assert_eq!(count_mentions("(@anna)"), 1);
        assert_eq!(count_mentions("@anna@bob"), 1);
        assert_eq!(count_mentions("@élodie"), 1);
        assert_eq!(count_mentions("#tag @name #tag2"), 1);
    }
}
