//! Whether a post fits a platform's [`Limits`]: every problem at once (a creator fixes them
//! all in one go), each naming the limit and the value, e.g. "caption is 2,305 characters;
//! Instagram allows 2,200". Pure: it judges a [`Probe`] and the text, and reads nothing.

use std::fmt;

use super::limits::{count_hashtags, count_mentions, limits, CountUnit, Limits, MediaKind};
use super::probe::{Container, Probe};
use super::thousands;
use crate::error::{ErrorPayload, UserFacing};
use crate::platform::Platform;

/// One reason a post does not fit.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// The platform takes no such posts (Instagram text posts).
    Unsupported {
        /// The platform.
        platform: Platform,
        /// The kind of post.
        kind: MediaKind,
    },
    /// A text field is longer than allowed.
    TextTooLong {
        /// The platform.
        platform: Platform,
        /// The field: `caption`, `title`, `description`, `text`.
        field: &'static str,
        /// Its length, in `unit`.
        count: usize,
        /// Most allowed.
        max: usize,
        /// How the platform counts.
        unit: CountUnit,
    },
    /// A required title is missing or blank.
    TitleMissing {
        /// What the post is (`Reddit video posts`).
        post_type: &'static str,
    },
    /// Too many hashtags in the caption.
    TooManyHashtags {
        /// The platform.
        platform: Platform,
        /// Hashtags found.
        count: usize,
        /// Most allowed.
        max: usize,
    },
    /// Too many @-mentions in the caption.
    TooManyMentions {
        /// The platform.
        platform: Platform,
        /// Mentions found.
        count: usize,
        /// Most allowed.
        max: usize,
    },
    /// A file for a post that carries none (a Reddit text post).
    UnexpectedFile {
        /// What the post is.
        post_type: &'static str,
    },
    /// The file is neither a video nor an image Outpost recognises.
    UnrecognisedFile,
    /// An image where a video is required, or the other way round.
    WrongKind {
        /// What the file is.
        container: Container,
        /// What the post is.
        post_type: &'static str,
        /// What the post needs.
        needs: MediaKind,
        /// The containers the platform accepts.
        accepted: &'static [Container],
    },
    /// A container the platform does not accept.
    FormatNotAccepted {
        /// The platform.
        platform: Platform,
        /// What the file is.
        container: Container,
        /// What the platform accepts.
        accepted: &'static [Container],
    },
    /// The file is larger than allowed.
    FileTooLarge {
        /// The platform.
        platform: Platform,
        /// The file's size.
        bytes: u64,
        /// Largest allowed.
        max: u64,
    },
    /// The video is shorter than allowed.
    TooShort {
        /// What the post is.
        post_type: &'static str,
        /// The video's duration in seconds.
        secs: f64,
        /// Shortest allowed.
        min: u64,
        /// Longest allowed, if any.
        max: Option<u64>,
    },
    /// The video is longer than allowed.
    TooLong {
        /// What the post is.
        post_type: &'static str,
        /// The video's duration in seconds.
        secs: f64,
        /// Shortest allowed, if any.
        min: Option<u64>,
        /// Longest allowed.
        max: u64,
    },
    /// A side of the picture is shorter or longer than allowed.
    SideOutOfRange {
        /// What the post is.
        post_type: &'static str,
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// Shortest side allowed.
        min: Option<u32>,
        /// Longest side allowed.
        max: Option<u32>,
    },
    /// The picture is wider than allowed.
    TooWide {
        /// What the post is.
        post_type: &'static str,
        /// Width in pixels.
        width: u32,
        /// Widest allowed.
        max: u32,
    },
    /// The picture's aspect ratio is out of range.
    AspectRatio {
        /// What the post is.
        post_type: &'static str,
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// Narrowest ratio (width ÷ height).
        min: f64,
        /// Widest ratio.
        max: f64,
    },
}

impl Problem {
    /// Stable machine code (`media.caption_too_long`…).
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Unsupported { .. } => "media.unsupported_post",
            Problem::TextTooLong { field: "title", .. } => "media.title_too_long",
            Problem::TextTooLong { .. } => "media.caption_too_long",
            Problem::TitleMissing { .. } => "media.title_missing",
            Problem::TooManyHashtags { .. } => "media.too_many_hashtags",
            Problem::TooManyMentions { .. } => "media.too_many_mentions",
            Problem::UnexpectedFile { .. } => "media.unexpected_file",
            Problem::UnrecognisedFile => "media.unrecognised_file",
            Problem::WrongKind { .. } => "media.wrong_kind",
            Problem::FormatNotAccepted { .. } => "media.format_not_accepted",
            Problem::FileTooLarge { .. } => "media.file_too_large",
            Problem::TooShort { .. } => "media.video_too_short",
            Problem::TooLong { .. } => "media.video_too_long",
            Problem::SideOutOfRange { .. } | Problem::TooWide { .. } => "media.picture_size",
            Problem::AspectRatio { .. } => "media.aspect_ratio",
        }
    }

    /// Code and message, for the UI.
    pub fn to_payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.code().to_owned(),
            message: self.to_string(),
        }
    }
}

/// `MP4, WebM or MOV`.
fn list(containers: &[Container]) -> String {
    let names: Vec<&str> = containers.iter().map(|c| c.name()).collect();
    match names.split_last() {
        None => "nothing".to_owned(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// Binary sizes with the usual labels: `1.2 GB`, `300 MB`, `512 bytes`.
fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let shown = if value < 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    };
    format!("{} {}", shown.trim_end_matches(".0"), UNITS[unit])
}

/// A size and a limit that read differently (exact bytes when rounding hides the excess).
fn size_pair(value: u64, limit: u64) -> (String, String) {
    let (v, l) = (bytes(value), bytes(limit));
    if v == l {
        (
            format!("{} bytes", thousands(value)),
            format!("{l} ({} bytes)", thousands(limit)),
        )
    } else {
        (v, l)
    }
}

/// Whole seconds for people: `2 s`, `15 min`, `16 min 2 s`, `1 h 5 min`.
fn duration(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 {
        parts.push(format!("{m} min"));
    }
    if s > 0 || parts.is_empty() {
        parts.push(format!("{s} s"));
    }
    parts.join(" ")
}

/// A measured duration next to a limit: rounded to the second, or to the millisecond when
/// rounding would make it read like the limit (`2.999 s` against `3 s`).
fn duration_against(secs: f64, limits: &[Option<u64>]) -> String {
    let rounded = duration(secs.round() as u64);
    if !limits.iter().flatten().any(|&l| duration(l) == rounded) {
        return rounded;
    }
    let whole_min = (secs / 60.0).floor() as u64;
    let rest = secs - (whole_min * 60) as f64;
    let rest = format!("{rest:.3}");
    let rest = rest.trim_end_matches('0').trim_end_matches('.');
    if whole_min == 0 {
        format!("{rest} s")
    } else {
        format!("{} {rest} s", duration(whole_min * 60))
    }
}

fn range(min: Option<u64>, max: Option<u64>) -> String {
    match (min, max) {
        (Some(min), Some(max)) => format!("{} to {}", duration(min), duration(max)),
        (Some(min), None) => format!("at least {}", duration(min)),
        (None, Some(max)) => format!("at most {}", duration(max)),
        (None, None) => "any length".to_owned(),
    }
}

/// A ratio for people: `0.8:1`, `1.91:1`.
fn ratio(r: f64) -> String {
    let s = format!("{r:.2}");
    format!("{}:1", s.trim_end_matches('0').trim_end_matches('.'))
}

fn px(n: u32) -> String {
    thousands(u64::from(n))
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Unsupported { platform, kind } => write!(
                f,
                "{} does not take {} posts",
                platform.display_name(),
                kind.as_str()
            ),
            Problem::TextTooLong {
                platform,
                field,
                count,
                max,
                unit,
            } => {
                let how = match unit {
                    CountUnit::Chars => "characters",
                    CountUnit::Utf16 => "characters as TikTok counts them (most emoji count as 2)",
                };
                write!(
                    f,
                    "{field} is {} {how}; {} allows {}",
                    thousands(*count as u64),
                    platform.display_name(),
                    thousands(*max as u64)
                )
            }
            Problem::TitleMissing { post_type } => write!(f, "{post_type} need a title"),
            Problem::TooManyHashtags {
                platform,
                count,
                max,
            } => write!(
                f,
                "caption has {count} hashtags; {} allows {max}",
                platform.display_name()
            ),
            Problem::TooManyMentions {
                platform,
                count,
                max,
            } => write!(
                f,
                "caption has {count} @-mentions; {} allows {max}",
                platform.display_name()
            ),
            Problem::UnexpectedFile { post_type } => write!(f, "{post_type} carry no file"),
            Problem::UnrecognisedFile => {
                f.write_str("file is not a video or image Outpost recognises")
            }
            Problem::WrongKind {
                container,
                post_type,
                needs,
                accepted,
            } => {
                let is = if container.is_video() {
                    "a video"
                } else {
                    "an image"
                };
                let needs = if *needs == MediaKind::Video {
                    "a video"
                } else {
                    "an image"
                };
                write!(
                    f,
                    "file is {is} ({container}); {post_type} need {needs} ({})",
                    list(accepted)
                )
            }
            Problem::FormatNotAccepted {
                platform,
                container,
                accepted,
            } => write!(
                f,
                "file is {container}; {} accepts {}",
                platform.display_name(),
                list(accepted)
            ),
            Problem::FileTooLarge {
                platform,
                bytes,
                max,
            } => {
                let (value, limit) = size_pair(*bytes, *max);
                write!(
                    f,
                    "file is {value}; {} allows {limit}",
                    platform.display_name()
                )
            }
            Problem::TooShort {
                post_type,
                secs,
                min,
                max,
            } => write!(
                f,
                "video is {}; {post_type} allow {}",
                duration_against(*secs, &[Some(*min), *max]),
                range(Some(*min), *max)
            ),
            Problem::TooLong {
                post_type,
                secs,
                min,
                max,
            } => write!(
                f,
                "video is {}; {post_type} allow {}",
                duration_against(*secs, &[*min, Some(*max)]),
                range(*min, Some(*max))
            ),
            Problem::SideOutOfRange {
                post_type,
                width,
                height,
                min,
                max,
            } => {
                let allowed = match (min, max) {
                    (Some(min), Some(max)) => format!("between {} and {} px", px(*min), px(*max)),
                    (Some(min), None) => format!("of at least {} px", px(*min)),
                    (None, Some(max)) => format!("of at most {} px", px(*max)),
                    (None, None) => "of any size".to_owned(),
                };
                write!(
                    f,
                    "picture is {}×{} px; {post_type} need each side {allowed}",
                    px(*width),
                    px(*height)
                )
            }
            Problem::TooWide {
                post_type,
                width,
                max,
            } => write!(
                f,
                "picture is {} px wide; {post_type} allow at most {} px",
                px(*width),
                px(*max)
            ),
            Problem::AspectRatio {
                post_type,
                width,
                height,
                min,
                max,
            } => write!(
                f,
                "picture is {}×{} px ({}); {post_type} need an aspect ratio from {} to {}",
                px(*width),
                px(*height),
                ratio(f64::from(*width) / f64::from(*height)),
                ratio(*min),
                ratio(*max)
            ),
        }
    }
}

/// A post that does not fit: every problem found, shown one per line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", one_per_line(.problems))]
pub struct ValidationError {
    /// The platform.
    pub platform: Platform,
    /// The kind of post.
    pub kind: MediaKind,
    /// Every problem, in a stable order (post type, text, then file). Never empty.
    pub problems: Vec<Problem>,
}

fn one_per_line(problems: &[Problem]) -> String {
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    lines.join("\n")
}

impl ValidationError {
    /// One payload per problem, for the UI to place each next to its field.
    pub fn payloads(&self) -> Vec<ErrorPayload> {
        self.problems.iter().map(Problem::to_payload).collect()
    }
}

impl UserFacing for ValidationError {
    /// The problem's own code when there is one problem; `media.invalid` for several
    /// (each keeps its code in [`ValidationError::payloads`]).
    fn code(&self) -> &'static str {
        match self.problems.as_slice() {
            [one] => one.code(),
            _ => "media.invalid",
        }
    }
}

/// Check a post for `platform` before anything is uploaded: `probe` is the file (`None`
/// checks the text only, e.g. while the creator types), `caption` the caption (or a Reddit
/// post's text), `title` the title where the platform has one (Reddit), and
/// `max_duration_override` the creator's own longest video when the platform gave one
/// (TikTok's `max_video_post_duration_sec`). Every problem is reported, not just the first.
pub fn validate(
    platform: Platform,
    kind: MediaKind,
    probe: Option<&Probe>,
    caption: &str,
    title: Option<&str>,
    max_duration_override: Option<u64>,
) -> Result<(), ValidationError> {
    let limits = limits(platform, kind).with_max_duration(max_duration_override);
    let problems = check(&limits, probe, caption, title);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ValidationError {
            platform,
            kind,
            problems,
        })
    }
}

/// Every problem of a post against `limits` (empty: it fits). Text fields a platform does
/// not have are ignored (a Reddit video post sends no caption, TikTok videos no title). A
/// duration or picture size the file does not give is not checked (the platform will).
pub fn check(
    limits: &Limits,
    probe: Option<&Probe>,
    caption: &str,
    title: Option<&str>,
) -> Vec<Problem> {
    let platform = limits.platform;
    if !limits.supported {
        return vec![Problem::Unsupported {
            platform,
            kind: limits.kind,
        }];
    }
    let mut problems = Vec::new();
    if let Some(tl) = limits.title {
        // Reddit trims the title; so does the count.
        let title = title.map(str::trim).unwrap_or("");
        let count = tl.unit.count(title);
        if tl.required && title.is_empty() {
            problems.push(Problem::TitleMissing {
                post_type: limits.post_type,
            });
        } else if count > tl.max {
            problems.push(Problem::TextTooLong {
                platform,
                field: tl.field,
                count,
                max: tl.max,
                unit: tl.unit,
            });
        }
    }
    if let Some(tl) = limits.caption {
        let count = tl.unit.count(caption);
        if count > tl.max {
            problems.push(Problem::TextTooLong {
                platform,
                field: tl.field,
                count,
                max: tl.max,
                unit: tl.unit,
            });
        }
    }
    if let Some(max) = limits.max_hashtags {
        let count = count_hashtags(caption);
        if count > max {
            problems.push(Problem::TooManyHashtags {
                platform,
                count,
                max,
            });
        }
    }
    if let Some(max) = limits.max_mentions {
        let count = count_mentions(caption);
        if count > max {
            problems.push(Problem::TooManyMentions {
                platform,
                count,
                max,
            });
        }
    }
    if let Some(probe) = probe {
        check_file(limits, probe, &mut problems);
    }
    problems
}

fn check_file(limits: &Limits, probe: &Probe, problems: &mut Vec<Problem>) {
    let platform = limits.platform;
    let post_type = limits.post_type;
    let needs = limits.kind;
    if !matches!(needs, MediaKind::Video | MediaKind::Image) {
        problems.push(Problem::UnexpectedFile { post_type });
        return;
    }
    let c = probe.container;
    if c == Container::Unknown {
        problems.push(Problem::UnrecognisedFile);
        return;
    }
    if (needs == MediaKind::Video) != c.is_video() {
        problems.push(Problem::WrongKind {
            container: c,
            post_type,
            needs,
            accepted: limits.containers,
        });
        return;
    }
    if !limits.containers.contains(&c) {
        problems.push(Problem::FormatNotAccepted {
            platform,
            container: c,
            accepted: limits.containers,
        });
    }
    if let Some(max) = limits.max_bytes {
        if probe.bytes > max {
            problems.push(Problem::FileTooLarge {
                platform,
                bytes: probe.bytes,
                max,
            });
        }
    }
    if let (Some(secs), MediaKind::Video) = (probe.duration_secs, needs) {
        // Compared to the millisecond: headers round durations to their timescale.
        let ms = (secs * 1000.0).round();
        let (min, max) = (limits.min_duration_secs, limits.max_duration_secs);
        if let Some(min) = min.filter(|&m| ms < m.saturating_mul(1000) as f64) {
            problems.push(Problem::TooShort {
                post_type,
                secs,
                min,
                max,
            });
        } else if let Some(max) = max.filter(|&m| ms > m.saturating_mul(1000) as f64) {
            problems.push(Problem::TooLong {
                post_type,
                secs,
                min,
                max,
            });
        }
    }
    if let (Some(width), Some(height)) = (probe.width, probe.height) {
        let (short, long) = (width.min(height), width.max(height));
        let (min, max) = (limits.min_side_px, limits.max_side_px);
        if min.is_some_and(|m| short < m) || max.is_some_and(|m| long > m) {
            problems.push(Problem::SideOutOfRange {
                post_type,
                width,
                height,
                min,
                max,
            });
        }
        if let Some(max) = limits.max_width_px.filter(|&m| width > m) {
            problems.push(Problem::TooWide {
                post_type,
                width,
                max,
            });
        }
        if let Some(range) = limits.aspect_ratio {
            // A hair of tolerance for float rounding only (1080×1350 is exactly 4:5).
            let r = f64::from(width) / f64::from(height);
            if r < range.min - 1e-9 || r > range.max + 1e-9 {
                problems.push(Problem::AspectRatio {
                    post_type,
                    width,
                    height,
                    min: range.min,
                    max: range.max,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::fixture::Mp4Fixture;
    use crate::media::probe::probe_reader;

    const MB: u64 = 1024 * 1024;

    fn video(container: Container, bytes: u64, secs: f64, w: u32, h: u32) -> Probe {
        Probe {
            bytes,
            container,
            duration_secs: Some(secs),
            width: Some(w),
            height: Some(h),
        }
    }

    fn image(container: Container, bytes: u64, w: u32, h: u32) -> Probe {
        Probe {
            bytes,
            container,
            duration_secs: None,
            width: Some(w),
            height: Some(h),
        }
    }

    fn reel() -> Probe {
        video(Container::Mp4, 20 * MB, 30.0, 1080, 1920)
    }

    /// The messages of every problem of a post.
    fn messages(
        platform: Platform,
        kind: MediaKind,
        probe: Option<&Probe>,
        caption: &str,
        title: Option<&str>,
        max: Option<u64>,
    ) -> Vec<String> {
        match validate(platform, kind, probe, caption, title, max) {
            Ok(()) => vec![],
            Err(e) => e.problems.iter().map(ToString::to_string).collect(),
        }
    }

    fn one(
        platform: Platform,
        kind: MediaKind,
        probe: Option<&Probe>,
        caption: &str,
        title: Option<&str>,
    ) -> (String, &'static str) {
        let e = validate(platform, kind, probe, caption, title, None).unwrap_err();
        assert_eq!(e.problems.len(), 1, "{e}");
        (e.to_string(), e.code())
    }

    #[test]
    fn a_fitting_post_passes_on_every_platform() {
        // A real probe of a fixture file, not a hand-made one.
        let bytes = Mp4Fixture::new(45, 2_000_000).to_bytes().unwrap();
        let p = probe_reader(std::io::Cursor::new(&bytes), bytes.len() as u64).unwrap();
        for platform in Platform::ALL {
            validate(
                platform,
                MediaKind::Video,
                Some(&p),
                "New video! #travel @anna",
                Some("My trip"),
                None,
            )
            .unwrap_or_else(|e| panic!("{platform}: {e}"));
        }
        let photo = image(Container::Jpeg, 2 * MB, 1080, 1350);
        for platform in Platform::ALL {
            validate(
                platform,
                MediaKind::Image,
                Some(&photo),
                "hi",
                Some("t"),
                None,
            )
            .unwrap();
        }
        validate(
            Platform::Reddit,
            MediaKind::Text,
            None,
            "body",
            Some("t"),
            None,
        )
        .unwrap();
        validate(Platform::Reddit, MediaKind::Link, None, "", Some("t"), None).unwrap();
    }

    #[test]
    fn caption_over_the_limit_names_its_length_and_the_limit() {
        let caption = "a".repeat(2305);
        let (msg, code) = one(Platform::Instagram, MediaKind::Video, None, &caption, None);
        assert_eq!(msg, "caption is 2,305 characters; Instagram allows 2,200");
        assert_eq!(code, "media.caption_too_long");
        // Exactly at the limit is fine, one more is not.
        let at = "a".repeat(2200);
        assert!(validate(Platform::Instagram, MediaKind::Video, None, &at, None, None).is_ok());
        assert!(validate(Platform::Tiktok, MediaKind::Video, None, &at, None, None).is_ok());
        let over = "é".repeat(2201);
        assert!(validate(
            Platform::Instagram,
            MediaKind::Video,
            None,
            &over,
            None,
            None
        )
        .is_err());
    }

    #[test]
    fn tiktok_counts_emoji_as_two_and_instagram_as_one() {
        let party = "🎉".repeat(1100); // 1,100 characters, 2,200 UTF-16 units
        assert!(validate(Platform::Tiktok, MediaKind::Video, None, &party, None, None).is_ok());
        let over = format!("{party}!");
        let (msg, code) = one(Platform::Tiktok, MediaKind::Video, None, &over, None);
        assert_eq!(
            msg,
            "caption is 2,201 characters as TikTok counts them (most emoji count as 2); \
             TikTok allows 2,200"
        );
        assert_eq!(code, "media.caption_too_long");
        let many = "🎉".repeat(2200);
        assert!(validate(
            Platform::Instagram,
            MediaKind::Video,
            None,
            &many,
            None,
            None
        )
        .is_ok());
        assert!(validate(Platform::Tiktok, MediaKind::Video, None, &many, None, None).is_err());
    }

    #[test]
    fn tiktok_photo_posts_limit_title_and_description_separately() {
        let photo = image(Container::Jpeg, MB, 1080, 1350);
        let msgs = messages(
            Platform::Tiktok,
            MediaKind::Image,
            Some(&photo),
            &"d".repeat(4001),
            Some(&"t".repeat(91)),
            None,
        );
        assert_eq!(
            msgs,
            [
                "title is 91 characters; TikTok allows 90",
                "description is 4,001 characters; TikTok allows 4,000"
            ]
        );
    }

    #[test]
    fn too_many_hashtags_or_mentions_are_counted_on_instagram_only() {
        let tags: String = (0..31).map(|i| format!("#tag{i} ")).collect();
        let (msg, code) = one(Platform::Instagram, MediaKind::Video, None, &tags, None);
        assert_eq!(msg, "caption has 31 hashtags; Instagram allows 30");
        assert_eq!(code, "media.too_many_hashtags");
        let thirty: String = (0..30).map(|i| format!("#tag{i} ")).collect();
        assert!(validate(
            Platform::Instagram,
            MediaKind::Video,
            None,
            &thirty,
            None,
            None
        )
        .is_ok());
        let people: String = (0..21).map(|i| format!("@user{i} ")).collect();
        let (msg, code) = one(Platform::Instagram, MediaKind::Image, None, &people, None);
        assert_eq!(msg, "caption has 21 @-mentions; Instagram allows 20");
        assert_eq!(code, "media.too_many_mentions");
        // E-mail addresses and URLs are not mentions or hashtags.
        let mails: String = (0..25)
            .map(|i| format!("u{i}@example.com https://x.com/#{i} "))
            .collect();
        assert!(validate(
            Platform::Instagram,
            MediaKind::Video,
            None,
            &mails,
            None,
            None
        )
        .is_ok());
        assert!(validate(Platform::Tiktok, MediaKind::Video, None, &tags, None, None).is_ok());
    }

    #[test]
    fn reddit_needs_a_title_of_at_most_300_characters() {
        let p = reel();
        for title in [None, Some(""), Some("   \t")] {
            let (msg, code) = one(Platform::Reddit, MediaKind::Video, Some(&p), "", title);
            assert_eq!(msg, "Reddit video posts need a title");
            assert_eq!(code, "media.title_missing");
        }
        let long = "t".repeat(301);
        let (msg, code) = one(Platform::Reddit, MediaKind::Text, None, "", Some(&long));
        assert_eq!(msg, "title is 301 characters; Reddit allows 300");
        assert_eq!(code, "media.title_too_long");
        // Reddit trims the title, and so does the count.
        let padded = format!("  {}  ", "t".repeat(300));
        assert!(validate(
            Platform::Reddit,
            MediaKind::Link,
            None,
            "",
            Some(&padded),
            None
        )
        .is_ok());
        // A Reddit video post sends no caption: a long one is not a problem there.
        let caption = "c".repeat(5000);
        assert!(validate(
            Platform::Reddit,
            MediaKind::Video,
            Some(&p),
            &caption,
            Some("t"),
            None
        )
        .is_ok());
        let body = "b".repeat(40_001);
        let (msg, _) = one(Platform::Reddit, MediaKind::Text, None, &body, Some("t"));
        assert_eq!(msg, "text is 40,001 characters; Reddit allows 40,000");
    }

    #[test]
    fn reels_must_last_3_seconds_to_15_minutes() {
        let reels = |secs: f64| {
            let p = video(Container::Mp4, 20 * MB, secs, 1080, 1920);
            messages(
                Platform::Instagram,
                MediaKind::Video,
                Some(&p),
                "",
                None,
                None,
            )
        };
        assert_eq!(
            reels(962.0),
            ["video is 16 min 2 s; Instagram Reels allow 3 s to 15 min"]
        );
        assert_eq!(
            reels(2.0),
            ["video is 2 s; Instagram Reels allow 3 s to 15 min"]
        );
        // Rounding never makes a refused value read like the limit.
        assert_eq!(
            reels(2.5),
            ["video is 2.5 s; Instagram Reels allow 3 s to 15 min"]
        );
        assert_eq!(
            reels(900.4),
            ["video is 15 min 0.4 s; Instagram Reels allow 3 s to 15 min"]
        );
        assert_eq!(
            reels(3720.0),
            ["video is 1 h 2 min; Instagram Reels allow 3 s to 15 min"]
        );
        for ok in [3.0, 2.9996, 30.0, 900.0, 900.0004] {
            assert!(reels(ok).is_empty(), "{ok}");
        }
        let p = video(Container::Mp4, MB, 2.0, 1080, 1920);
        let e = validate(
            Platform::Instagram,
            MediaKind::Video,
            Some(&p),
            "",
            None,
            None,
        );
        assert_eq!(e.unwrap_err().code(), "media.video_too_short");
        let p = video(Container::Mp4, MB, 1000.0, 1080, 1920);
        let e = validate(
            Platform::Instagram,
            MediaKind::Video,
            Some(&p),
            "",
            None,
            None,
        );
        assert_eq!(e.unwrap_err().code(), "media.video_too_long");
    }

    #[test]
    fn tiktok_takes_the_creators_own_duration_limit() {
        let p = video(Container::Mp4, 50 * MB, 400.0, 1080, 1920);
        assert!(validate(Platform::Tiktok, MediaKind::Video, Some(&p), "", None, None).is_ok());
        assert_eq!(
            messages(
                Platform::Tiktok,
                MediaKind::Video,
                Some(&p),
                "",
                None,
                Some(300)
            ),
            ["video is 6 min 40 s; TikTok videos allow at most 5 min"]
        );
        let long = video(Container::Mp4, 50 * MB, 3000.0, 1080, 1920);
        assert_eq!(
            messages(
                Platform::Tiktok,
                MediaKind::Video,
                Some(&long),
                "",
                None,
                None
            ),
            ["video is 50 min; TikTok videos allow at most 10 min"]
        );
        assert!(validate(
            Platform::Tiktok,
            MediaKind::Video,
            Some(&long),
            "",
            None,
            Some(3600)
        )
        .is_ok());
        // A video whose headers give no duration is left to the platform.
        let live = Probe {
            duration_secs: None,
            ..video(Container::WebM, MB, 0.0, 1280, 720)
        };
        assert!(validate(
            Platform::Tiktok,
            MediaKind::Video,
            Some(&live),
            "",
            None,
            Some(1)
        )
        .is_ok());
    }

    #[test]
    fn containers_a_platform_refuses_are_named_with_what_it_accepts() {
        let webm = video(Container::WebM, 20 * MB, 30.0, 1080, 1920);
        let (msg, code) = one(Platform::Instagram, MediaKind::Video, Some(&webm), "", None);
        assert_eq!(msg, "file is WebM; Instagram accepts MP4 or MOV");
        assert_eq!(code, "media.format_not_accepted");
        assert!(validate(
            Platform::Tiktok,
            MediaKind::Video,
            Some(&webm),
            "",
            None,
            None
        )
        .is_ok());
        let (msg, _) = one(
            Platform::Reddit,
            MediaKind::Video,
            Some(&webm),
            "",
            Some("t"),
        );
        assert_eq!(msg, "file is WebM; Reddit accepts MP4 or MOV");
        let png = image(Container::Png, MB, 1080, 1080);
        let (msg, _) = one(Platform::Instagram, MediaKind::Image, Some(&png), "", None);
        assert_eq!(msg, "file is PNG; Instagram accepts JPEG");
        assert!(validate(
            Platform::Reddit,
            MediaKind::Image,
            Some(&png),
            "",
            Some("t"),
            None
        )
        .is_ok());
    }

    #[test]
    fn an_image_where_a_video_is_required_and_the_reverse() {
        let jpeg = image(Container::Jpeg, MB, 1080, 1350);
        let (msg, code) = one(Platform::Instagram, MediaKind::Video, Some(&jpeg), "", None);
        assert_eq!(
            msg,
            "file is an image (JPEG); Instagram Reels need a video (MP4 or MOV)"
        );
        assert_eq!(code, "media.wrong_kind");
        let (msg, _) = one(
            Platform::Reddit,
            MediaKind::Image,
            Some(&reel()),
            "",
            Some("t"),
        );
        assert_eq!(
            msg,
            "file is a video (MP4); Reddit image posts need an image (JPEG, PNG or GIF)"
        );
    }

    #[test]
    fn unknown_files_unsupported_posts_and_files_on_text_posts() {
        let unknown = Probe {
            bytes: 10,
            container: Container::Unknown,
            duration_secs: None,
            width: None,
            height: None,
        };
        let (msg, code) = one(Platform::Tiktok, MediaKind::Video, Some(&unknown), "", None);
        assert_eq!(msg, "file is not a video or image Outpost recognises");
        assert_eq!(code, "media.unrecognised_file");
        let (msg, code) = one(Platform::Instagram, MediaKind::Text, None, "hello", None);
        assert_eq!(msg, "Instagram does not take text posts");
        assert_eq!(code, "media.unsupported_post");
        let (msg, _) = one(Platform::Tiktok, MediaKind::Link, Some(&reel()), "", None);
        assert_eq!(msg, "TikTok does not take link posts");
        let (msg, code) = one(
            Platform::Reddit,
            MediaKind::Text,
            Some(&reel()),
            "",
            Some("t"),
        );
        assert_eq!(msg, "Reddit text posts carry no file");
        assert_eq!(code, "media.unexpected_file");
    }

    #[test]
    fn sizes_are_shown_rounded_unless_rounding_hides_the_excess() {
        let gib = 1024 * MB;
        let big = video(Container::Mp4, gib + gib / 5, 30.0, 1080, 1920);
        let (msg, code) = one(
            Platform::Reddit,
            MediaKind::Video,
            Some(&big),
            "",
            Some("t"),
        );
        assert_eq!(msg, "file is 1.2 GB; Reddit allows 1 GB");
        assert_eq!(code, "media.file_too_large");
        let just = video(Container::Mp4, gib + 1, 30.0, 1080, 1920);
        let (msg, _) = one(
            Platform::Reddit,
            MediaKind::Video,
            Some(&just),
            "",
            Some("t"),
        );
        assert_eq!(
            msg,
            "file is 1,073,741,825 bytes; Reddit allows 1 GB (1,073,741,824 bytes)"
        );
        let exactly = video(Container::Mp4, gib, 30.0, 1080, 1920);
        assert!(validate(
            Platform::Reddit,
            MediaKind::Video,
            Some(&exactly),
            "",
            Some("t"),
            None
        )
        .is_ok());
        let gif = image(Container::Gif, 25 * MB, 500, 500);
        let (msg, _) = one(
            Platform::Reddit,
            MediaKind::Image,
            Some(&gif),
            "",
            Some("t"),
        );
        assert_eq!(msg, "file is 25 MB; Reddit allows 20 MB");
        let reel = video(Container::Mov, 301 * MB, 30.0, 1080, 1920);
        let (msg, _) = one(Platform::Instagram, MediaKind::Video, Some(&reel), "", None);
        assert_eq!(msg, "file is 301 MB; Instagram allows 300 MB");
        assert_eq!(bytes(512), "512 bytes");
        assert_eq!(bytes(1536), "1.5 KB");
        assert_eq!(bytes(5 * 1024 * gib), "5 TB");
    }

    #[test]
    fn picture_sizes_and_aspect_ratios_are_checked_where_the_platform_has_limits() {
        let small = video(Container::Mp4, MB, 30.0, 320, 240);
        let (msg, code) = one(Platform::Tiktok, MediaKind::Video, Some(&small), "", None);
        assert_eq!(
            msg,
            "picture is 320×240 px; TikTok videos need each side between 360 and 4,096 px"
        );
        assert_eq!(code, "media.picture_size");
        let uhd = video(Container::Mp4, 100 * MB, 30.0, 3840, 2160);
        let (msg, code) = one(Platform::Instagram, MediaKind::Video, Some(&uhd), "", None);
        assert_eq!(
            msg,
            "picture is 3,840 px wide; Instagram Reels allow at most 1,920 px"
        );
        assert_eq!(code, "media.picture_size");
        let tall = image(Container::Jpeg, MB, 1080, 1920);
        let (msg, code) = one(Platform::Instagram, MediaKind::Image, Some(&tall), "", None);
        assert_eq!(
            msg,
            "picture is 1,080×1,920 px (0.56:1); Instagram image posts need an aspect ratio \
             from 0.8:1 to 1.91:1"
        );
        assert_eq!(code, "media.aspect_ratio");
        for (w, h) in [(1080, 1350), (1080, 1080), (1910, 1000), (1080, 566)] {
            let p = image(Container::Jpeg, MB, w, h);
            assert!(
                validate(
                    Platform::Instagram,
                    MediaKind::Image,
                    Some(&p),
                    "",
                    None,
                    None
                )
                .is_ok(),
                "{w}×{h}"
            );
        }
        // No picture size known: not checked.
        let unknown = Probe {
            width: None,
            height: None,
            ..small
        };
        assert!(validate(
            Platform::Tiktok,
            MediaKind::Video,
            Some(&unknown),
            "",
            None,
            None
        )
        .is_ok());
    }

    #[test]
    fn every_problem_is_reported_together_one_per_line() {
        let tags: String = (0..31).map(|i| format!("#t{i} ")).collect();
        let caption = format!("{tags}{}", "x".repeat(2305 - tags.len()));
        let webm = video(Container::WebM, 400 * MB, 962.0, 3840, 2160);
        let e = validate(
            Platform::Instagram,
            MediaKind::Video,
            Some(&webm),
            &caption,
            None,
            None,
        )
        .unwrap_err();
        let text = e.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "caption is 2,305 characters; Instagram allows 2,200",
                "caption has 31 hashtags; Instagram allows 30",
                "file is WebM; Instagram accepts MP4 or MOV",
                "file is 400 MB; Instagram allows 300 MB",
                "video is 16 min 2 s; Instagram Reels allow 3 s to 15 min",
                "picture is 3,840 px wide; Instagram Reels allow at most 1,920 px",
            ]
        );
        assert_eq!(e.code(), "media.invalid");
        let codes: Vec<String> = e.payloads().into_iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            [
                "media.caption_too_long",
                "media.too_many_hashtags",
                "media.format_not_accepted",
                "media.file_too_large",
                "media.video_too_long",
                "media.picture_size",
            ]
        );
        let payload = e.to_payload();
        assert_eq!(payload.code, "media.invalid");
        assert_eq!(payload.message.lines().count(), 6);
        // Reddit: missing title and an oversized file at once.
        let big = video(Container::Mp4, 2048 * MB, 30.0, 1080, 1920);
        let msgs = messages(
            Platform::Reddit,
            MediaKind::Video,
            Some(&big),
            "",
            None,
            None,
        );
        assert_eq!(
            msgs,
            [
                "Reddit video posts need a title",
                "file is 2 GB; Reddit allows 1 GB"
            ]
        );
    }

    #[test]
    fn check_gives_the_ui_every_problem_against_any_limits() {
        let l = limits(Platform::Instagram, MediaKind::Video);
        assert!(check(&l, None, "hello #world", None).is_empty());
        let problems = check(&l, None, &"a".repeat(2201), None);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].to_payload().code, "media.caption_too_long");
    }
}
