//! A job's post options, typed: the caption plus the options of the target's platform
//! (`{"caption", "target", "origin", "options": {...}}` as stored in `jobs.options_json`,
//! written by the watched-folder scanner and by [`super::submit`]). Unknown keys are
//! refused with the list of known ones, so a typo in a sidecar is reported, not ignored.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::PublishError;
use crate::platform::Platform;

/// A job's options.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PostOptions {
    /// Caption (TikTok title, Instagram caption; Reddit's title when none is given).
    pub caption: String,
    /// The job came from a watched folder (its file is moved when published).
    pub from_watched_folder: bool,
    /// TikTok options.
    pub tiktok: TiktokOptions,
    /// Instagram options.
    pub instagram: InstagramOptions,
    /// Reddit options.
    pub reddit: RedditOptions,
}

// In TypeScript every field of the three option types below may be left out (they are
// `#[serde(default)]`): `?: T | null` for an `Option`, `?: T` otherwise.

/// TikTok post settings (the posting UI's fields).
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields, default)]
#[ts(optional_fields = nullable)]
pub struct TiktokOptions {
    /// One of the creator's `privacy_level_options`; required for a direct post (TikTok
    /// forbids a default).
    pub privacy_level: Option<String>,
    /// Upload to the creator's TikTok inbox as a draft instead of posting.
    #[ts(optional = nullable)]
    pub draft: bool,
    /// Turn comments off.
    #[ts(optional = nullable)]
    pub disable_comment: bool,
    /// Turn duets off.
    #[ts(optional = nullable)]
    pub disable_duet: bool,
    /// Turn stitches off.
    #[ts(optional = nullable)]
    pub disable_stitch: bool,
    /// Promotes the creator's own brand.
    #[ts(optional = nullable)]
    pub brand_organic: bool,
    /// Paid partnership with a third party.
    #[ts(optional = nullable)]
    pub brand_content: bool,
    /// AI-generated content.
    #[ts(optional = nullable)]
    pub is_aigc: bool,
    /// Cover frame, in milliseconds.
    pub video_cover_timestamp_ms: Option<u64>,
}

/// Instagram post settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields, default)]
#[ts(optional_fields = nullable)]
pub struct InstagramOptions {
    /// `reels` (default for videos), `image` (default for images) or `carousel`.
    pub kind: Option<String>,
    /// Also show the Reel in the feed (default true).
    pub share_to_feed: Option<bool>,
    /// Cover frame offset, in milliseconds.
    pub thumb_offset_ms: Option<u64>,
    /// Carousel items after the job's own file: public URLs of JPEG images or videos.
    #[ts(optional = nullable)]
    pub carousel: Vec<String>,
    /// Send a local video by resumable upload (default: the `[instagram]
    /// resumable_upload` setting, itself true); `false` goes through the media host.
    pub resumable_upload: Option<bool>,
}

/// Reddit post settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields, default)]
#[ts(optional_fields = nullable)]
pub struct RedditOptions {
    /// Subreddit (with or without `r/`). Required.
    pub subreddit: Option<String>,
    /// Post title (default: the caption's first line).
    pub title: Option<String>,
    /// Flair template id.
    pub flair_id: Option<String>,
    /// Flair text.
    pub flair_text: Option<String>,
    /// Not safe for work.
    #[ts(optional = nullable)]
    pub nsfw: bool,
    /// Spoiler.
    #[ts(optional = nullable)]
    pub spoiler: bool,
    /// Body of a text post.
    pub text: Option<String>,
    /// Poster image for a video post (a path); default `NAME.poster.jpg` beside the video.
    pub poster: Option<String>,
    /// Send replies to the creator's inbox (default true).
    pub send_replies: Option<bool>,
}

impl RedditOptions {
    /// The title: the option, else the caption's first line.
    pub fn title_or(&self, caption: &str) -> String {
        self.title
            .clone()
            .unwrap_or_else(|| caption.lines().next().unwrap_or("").trim().to_owned())
    }

    /// The subreddit without `r/`.
    pub fn subreddit_name(&self) -> Option<String> {
        self.subreddit
            .as_deref()
            .map(|s| {
                s.trim()
                    .trim_start_matches("/r/")
                    .trim_start_matches("r/")
                    .to_owned()
            })
            .filter(|s| !s.is_empty())
    }
}

impl PostOptions {
    /// Parse a job's stored options for `platform`.
    pub fn parse(platform: Platform, stored: &Value) -> Result<PostOptions, PublishError> {
        let caption = stored
            .get("caption")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let platform_options = stored
            .get("options")
            .cloned()
            .filter(|v| !v.is_null())
            .unwrap_or_else(|| Value::Object(Default::default()));
        let invalid = |e: serde_json::Error| {
            PublishError::invalid(
                "publish.invalid_options",
                format!("the {} options are not valid: {e}", platform.display_name()),
            )
        };
        let mut out = PostOptions {
            caption,
            from_watched_folder: stored.get("origin").and_then(Value::as_str) == Some("watch"),
            ..PostOptions::default()
        };
        match platform {
            Platform::Tiktok => {
                out.tiktok = serde_json::from_value(platform_options).map_err(invalid)?
            }
            Platform::Instagram => {
                out.instagram = serde_json::from_value(platform_options).map_err(invalid)?
            }
            Platform::Reddit => {
                out.reddit = serde_json::from_value(platform_options).map_err(invalid)?
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn options_of_the_target_platform_are_typed() {
        let stored = json!({"caption": "hi", "target": "tiktok", "origin": "watch",
            "options": {"privacy_level": "SELF_ONLY", "disable_duet": true}});
        let o = PostOptions::parse(Platform::Tiktok, &stored).unwrap();
        assert_eq!(o.tiktok.privacy_level.as_deref(), Some("SELF_ONLY"));
        assert!(o.tiktok.disable_duet && !o.tiktok.draft && o.from_watched_folder);
        assert_eq!(o.caption, "hi");
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        let stored = json!({"caption": "x", "options": {"subredit": "rust"}});
        let err = PostOptions::parse(Platform::Reddit, &stored).unwrap_err();
        assert!(err.to_string().contains("subredit"), "{err}");
    }

    #[test]
    fn reddit_title_defaults_to_the_first_caption_line() {
        let o = RedditOptions {
            subreddit: Some("r/videos".into()),
            ..Default::default()
        };
        assert_eq!(o.title_or("Line one\nline two"), "Line one");
        assert_eq!(o.subreddit_name().as_deref(), Some("videos"));
    }
}
