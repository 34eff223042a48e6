//! Per-file sidecars (`NAME.json`: targets, caption, per-platform options, publish_at;
//! `NAME.txt`: caption only), per-folder defaults (`outpost.toml`), and merging them into
//! the post to queue. Every problem is an error naming the file and the field.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::filter::FOLDER_DEFAULTS;
use super::WatchError;
use crate::platform::Platform;

/// Sidecars and defaults larger than this are refused (they are a few lines of text).
const MAX_METADATA_BYTES: u64 = 1024 * 1024;

/// Where a post goes: a platform, optionally one account on it (`instagram:handle`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The platform.
    pub platform: Platform,
    /// The account's username (or platform user id), when the platform has several.
    pub account: Option<String>,
}

impl Target {
    /// The selector `db::accounts().find` accepts: `platform` or `platform:username`.
    pub fn selector(&self) -> String {
        self.to_string()
    }
}

impl std::str::FromStr for Target {
    type Err = String;

    /// `platform` or `platform:account` (a leading `@` on the account is dropped).
    fn from_str(s: &str) -> Result<Target, String> {
        let s = s.trim();
        let (platform, account) = match s.split_once(':') {
            Some((p, a)) => (p.trim(), Some(a.trim().trim_start_matches('@'))),
            None => (s, None),
        };
        let platform: Platform = platform.to_ascii_lowercase().parse().map_err(|_| {
            format!("unknown platform {platform:?}; expected tiktok, instagram or reddit")
        })?;
        if account == Some("") {
            return Err(format!("empty account after \"{}:\"", platform.as_str()));
        }
        Ok(Target {
            platform,
            account: account.map(str::to_owned),
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.account {
            Some(a) => write!(f, "{}:{a}", self.platform.as_str()),
            None => f.write_str(self.platform.as_str()),
        }
    }
}

/// A per-file sidecar.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sidecar {
    /// Targets; `None` uses the folder's.
    pub targets: Option<Vec<Target>>,
    /// Caption; `None` uses the folder's.
    pub caption: Option<String>,
    /// Per-platform options (`{"tiktok": {...}}`), laid over the folder's.
    pub options: Map<String, Value>,
    /// Publish no earlier than this.
    pub publish_at: Option<DateTime<Utc>>,
}

/// Per-folder defaults from `outpost.toml`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FolderDefaults {
    /// Default targets.
    pub targets: Option<Vec<Target>>,
    /// Default caption.
    pub caption: Option<String>,
    /// Default per-platform options.
    pub options: Map<String, Value>,
}

/// The post a media file becomes: folder defaults merged with its sidecar.
#[derive(Debug, Clone, PartialEq)]
pub struct PostSpec {
    /// At least one target, without duplicates.
    pub targets: Vec<Target>,
    /// Caption.
    pub caption: Option<String>,
    /// Per-platform options.
    pub options: Map<String, Value>,
    /// Publish no earlier than this.
    pub publish_at: Option<DateTime<Utc>>,
}

impl PostSpec {
    /// The queue job's options for one target: `{"caption", "target", "origin", "options"}` where
    /// `options` holds only that target's platform options.
    pub fn job_options(&self, target: &Target) -> Value {
        serde_json::json!({
            "caption": self.caption,
            "target": target.to_string(),
            "origin": "watch",
            "options": self
                .options
                .get(target.platform.as_str())
                .cloned()
                .unwrap_or_else(|| Value::Object(Map::new())),
        })
    }
}

impl Sidecar {
    /// Parse a `NAME.json` sidecar.
    pub fn parse_json(file: &Path, text: &str) -> Result<Sidecar, WatchError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| WatchError::invalid(file, "(file)", format!("not valid JSON: {e}")))?;
        let Value::Object(obj) = value else {
            return Err(WatchError::invalid(
                file,
                "(file)",
                "expected a JSON object like {\"targets\": [\"tiktok\"], \"caption\": \"...\"}",
            ));
        };
        let mut sidecar = Sidecar::default();
        for (key, value) in &obj {
            match key.as_str() {
                "targets" => sidecar.targets = Some(parse_targets(file, value)?),
                "caption" => sidecar.caption = Some(parse_caption(file, value)?),
                "options" => sidecar.options = parse_options(file, value)?,
                "publish_at" => sidecar.publish_at = Some(parse_publish_at(file, value)?),
                other => {
                    return Err(WatchError::invalid(
                        file,
                        other,
                        "unknown field; expected targets, caption, options or publish_at",
                    ))
                }
            }
        }
        Ok(sidecar)
    }

    /// A `NAME.txt` sidecar: the whole text is the caption (surrounding whitespace trimmed).
    pub fn caption_only(text: &str) -> Sidecar {
        let caption = text.trim();
        Sidecar {
            caption: (!caption.is_empty()).then(|| caption.to_owned()),
            ..Sidecar::default()
        }
    }
}

impl FolderDefaults {
    /// Parse an `outpost.toml` folder defaults file.
    pub fn parse_toml(file: &Path, text: &str) -> Result<FolderDefaults, WatchError> {
        let table: toml::Table = toml::from_str(text)
            .map_err(|e| WatchError::invalid(file, "(file)", format!("not valid TOML: {e}")))?;
        let mut defaults = FolderDefaults::default();
        for (key, value) in table {
            let value = serde_json::to_value(&value).map_err(|e| {
                WatchError::invalid(file, key.as_str(), format!("unsupported value: {e}"))
            })?;
            match key.as_str() {
                "targets" => defaults.targets = Some(parse_targets(file, &value)?),
                "caption" => defaults.caption = Some(parse_caption(file, &value)?),
                "options" => defaults.options = parse_options(file, &value)?,
                other => {
                    return Err(WatchError::invalid(
                        file,
                        other,
                        "unknown key; expected targets, caption or options",
                    ))
                }
            }
        }
        Ok(defaults)
    }
}

fn parse_targets(file: &Path, value: &Value) -> Result<Vec<Target>, WatchError> {
    let Value::Array(items) = value else {
        return Err(WatchError::invalid(
            file,
            "targets",
            "expected a list like [\"tiktok\", \"instagram:handle\"]",
        ));
    };
    let mut targets: Vec<Target> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let field = format!("targets[{i}]");
        let Value::String(s) = item else {
            return Err(WatchError::invalid(
                file,
                field,
                "expected a string like \"tiktok\" or \"instagram:handle\"",
            ));
        };
        let target: Target = s
            .parse()
            .map_err(|reason: String| WatchError::invalid(file, field.as_str(), reason))?;
        if !targets.contains(&target) {
            targets.push(target);
        }
    }
    Ok(targets)
}

fn parse_caption(file: &Path, value: &Value) -> Result<String, WatchError> {
    match value {
        Value::String(s) => Ok(s.clone()),
        _ => Err(WatchError::invalid(file, "caption", "expected a string")),
    }
}

fn parse_options(file: &Path, value: &Value) -> Result<Map<String, Value>, WatchError> {
    let Value::Object(obj) = value else {
        return Err(WatchError::invalid(
            file,
            "options",
            "expected an object keyed by platform, like {\"tiktok\": {\"privacy_level\": \"SELF_ONLY\"}}",
        ));
    };
    for (key, options) in obj {
        let field = format!("options.{key}");
        if key.parse::<Platform>().is_err() || key.as_str() != key.to_ascii_lowercase() {
            return Err(WatchError::invalid(
                file,
                field,
                "unknown platform; expected tiktok, instagram or reddit",
            ));
        }
        if !options.is_object() {
            return Err(WatchError::invalid(
                file,
                field,
                "expected an object of that platform's options",
            ));
        }
    }
    Ok(obj.clone())
}

fn parse_publish_at(file: &Path, value: &Value) -> Result<DateTime<Utc>, WatchError> {
    let Value::String(s) = value else {
        return Err(WatchError::invalid(
            file,
            "publish_at",
            "expected an RFC 3339 time string like \"2026-12-01T18:00:00+01:00\"",
        ));
    };
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            WatchError::invalid(
                file,
                "publish_at",
                format!("{s:?} is not an RFC 3339 time with a zone, like \"2026-12-01T18:00:00+01:00\" ({e})"),
            )
        })
}

/// Merge folder defaults and a file's sidecar (the sidecar wins field by field; options
/// are merged per platform, key by key).
pub fn merge(
    media: &Path,
    defaults: &FolderDefaults,
    sidecar: Option<&Sidecar>,
) -> Result<PostSpec, WatchError> {
    let targets = sidecar
        .and_then(|s| s.targets.clone())
        .or_else(|| defaults.targets.clone())
        .unwrap_or_default();
    if targets.is_empty() {
        return Err(WatchError::NoTargets {
            file: media.to_owned(),
            file_stem: media
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
        });
    }
    let caption = sidecar
        .and_then(|s| s.caption.clone())
        .or_else(|| defaults.caption.clone());
    let mut options = defaults.options.clone();
    for (platform, overlay) in sidecar.map(|s| &s.options).into_iter().flatten() {
        match (options.get_mut(platform), overlay) {
            (Some(Value::Object(base)), Value::Object(overlay)) => {
                for (k, v) in overlay {
                    base.insert(k.clone(), v.clone());
                }
            }
            _ => {
                options.insert(platform.clone(), overlay.clone());
            }
        }
    }
    Ok(PostSpec {
        targets,
        caption,
        options,
        publish_at: sidecar.and_then(|s| s.publish_at),
    })
}

/// The sidecar paths of a media file: `NAME.json` then `NAME.txt`.
pub fn sidecar_paths(media: &Path) -> [PathBuf; 2] {
    [media.with_extension("json"), media.with_extension("txt")]
}

/// Load the sidecar of `media` (blocking): `NAME.json` if present, else `NAME.txt`.
pub fn load_sidecar(media: &Path) -> Result<Option<Sidecar>, WatchError> {
    let [json, txt] = sidecar_paths(media);
    if let Some(text) = read_metadata(&json)? {
        return Sidecar::parse_json(&json, &text).map(Some);
    }
    Ok(read_metadata(&txt)?.map(|text| Sidecar::caption_only(&text)))
}

/// Load the defaults of `folder` (blocking): its `outpost.toml`, or none.
pub fn load_defaults(folder: &Path) -> Result<FolderDefaults, WatchError> {
    let path = folder.join(FOLDER_DEFAULTS);
    match read_metadata(&path)? {
        Some(text) => FolderDefaults::parse_toml(&path, &text),
        None => Ok(FolderDefaults::default()),
    }
}

fn read_metadata(path: &Path) -> Result<Option<String>, WatchError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(WatchError::io(path, e)),
    };
    if meta.len() > MAX_METADATA_BYTES {
        return Err(WatchError::invalid(
            path,
            "(file)",
            format!(
                "{} bytes is too large (limit {MAX_METADATA_BYTES})",
                meta.len()
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| WatchError::io(path, e))?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| WatchError::invalid(path, "(file)", "not UTF-8 text"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn json(text: &str) -> Result<Sidecar, WatchError> {
        Sidecar::parse_json(Path::new("/v/clip.json"), text)
    }

    fn field_of(err: WatchError) -> String {
        match err {
            WatchError::InvalidMetadata { file, field, .. } => {
                assert!(file.ends_with("clip.json") || file.ends_with("outpost.toml"));
                field
            }
            other => panic!("{other}"),
        }
    }

    #[test]
    fn a_full_json_sidecar_parses() {
        let s = json(
            r#"{"targets": ["tiktok", "Instagram:@me", "tiktok"], "caption": "Hello #tag",
                "options": {"tiktok": {"privacy_level": "SELF_ONLY"}},
                "publish_at": "2026-12-01T18:00:00+01:00"}"#,
        )
        .unwrap();
        assert_eq!(
            s.targets.unwrap(),
            [
                Target {
                    platform: Platform::Tiktok,
                    account: None
                },
                Target {
                    platform: Platform::Instagram,
                    account: Some("me".into())
                },
            ]
        );
        assert_eq!(s.caption.as_deref(), Some("Hello #tag"));
        assert_eq!(s.options["tiktok"]["privacy_level"], "SELF_ONLY");
        assert_eq!(
            s.publish_at.unwrap(),
            Utc.with_ymd_and_hms(2026, 12, 1, 17, 0, 0).unwrap()
        );
    }

    #[test]
    fn invalid_json_sidecars_name_the_field() {
        for (text, field) in [
            ("{", "(file)"),
            ("[1]", "(file)"),
            (r#"{"targets": "tiktok"}"#, "targets"),
            (r#"{"targets": ["tiktok", 3]}"#, "targets[1]"),
            (r#"{"targets": ["myspace"]}"#, "targets[0]"),
            (r#"{"targets": ["reddit:"]}"#, "targets[0]"),
            (r#"{"caption": 12}"#, "caption"),
            (r#"{"options": []}"#, "options"),
            (r#"{"options": {"vine": {}}}"#, "options.vine"),
            (r#"{"options": {"tiktok": "x"}}"#, "options.tiktok"),
            (r#"{"publish_at": "tomorrow"}"#, "publish_at"),
            (r#"{"publish_at": "2026-12-01T18:00:00"}"#, "publish_at"),
            (r#"{"captoin": "typo"}"#, "captoin"),
        ] {
            let err = json(text).unwrap_err();
            let message = err.to_string();
            assert!(message.contains("clip.json"), "{message}");
            assert_eq!(field_of(err), field, "{text}");
        }
    }

    #[test]
    fn a_txt_sidecar_is_the_caption() {
        assert_eq!(
            Sidecar::caption_only("  Line one\nline two\n")
                .caption
                .as_deref(),
            Some("Line one\nline two")
        );
        assert_eq!(Sidecar::caption_only(" \n").caption, None);
    }

    #[test]
    fn folder_defaults_parse_and_refuse_unknown_keys() {
        let file = Path::new("/v/outpost.toml");
        let d = FolderDefaults::parse_toml(
            file,
            "targets = [\"reddit:me\"]\ncaption = \"Default\"\n[options.reddit]\nsubreddit = \"videos\"\n",
        )
        .unwrap();
        assert_eq!(d.targets.unwrap()[0].to_string(), "reddit:me");
        assert_eq!(d.options["reddit"]["subreddit"], "videos");
        let err = FolderDefaults::parse_toml(file, "target = [\"tiktok\"]").unwrap_err();
        assert_eq!(field_of(err), "target");
        let err = FolderDefaults::parse_toml(file, "targets = [").unwrap_err();
        assert_eq!(field_of(err), "(file)");
    }

    #[test]
    fn the_sidecar_wins_over_folder_defaults_field_by_field() {
        let media = Path::new("/v/clip.mp4");
        let defaults = FolderDefaults::parse_toml(
            Path::new("/v/outpost.toml"),
            "targets = [\"tiktok\"]\ncaption = \"Default\"\n[options.tiktok]\nprivacy_level = \"PUBLIC_TO_EVERYONE\"\ndisable_duet = true\n",
        )
        .unwrap();
        let only_defaults = merge(media, &defaults, None).unwrap();
        assert_eq!(only_defaults.caption.as_deref(), Some("Default"));
        assert_eq!(only_defaults.targets.len(), 1);

        let sidecar = json(
            r#"{"caption": "Mine", "options": {"tiktok": {"privacy_level": "SELF_ONLY"}, "reddit": {"subreddit": "x"}}}"#,
        )
        .unwrap();
        let merged = merge(media, &defaults, Some(&sidecar)).unwrap();
        assert_eq!(merged.caption.as_deref(), Some("Mine"));
        assert_eq!(merged.targets[0].platform, Platform::Tiktok);
        assert_eq!(merged.options["tiktok"]["privacy_level"], "SELF_ONLY");
        assert_eq!(merged.options["tiktok"]["disable_duet"], true);
        assert_eq!(merged.options["reddit"]["subreddit"], "x");
        let job = merged.job_options(&merged.targets[0]);
        assert_eq!(job["caption"], "Mine");
        assert_eq!(job["target"], "tiktok");
        assert_eq!(job["options"]["privacy_level"], "SELF_ONLY");
        assert!(job["options"].get("subreddit").is_none());
    }

    #[test]
    fn no_targets_anywhere_is_an_error_naming_the_file() {
        let err = merge(Path::new("/v/clip.mp4"), &FolderDefaults::default(), None).unwrap_err();
        assert!(matches!(err, WatchError::NoTargets { .. }));
        assert!(err.to_string().contains("clip.mp4"), "{err}");
        let empty = json(r#"{"targets": []}"#).unwrap();
        let defaults = FolderDefaults {
            targets: Some(vec![Target {
                platform: Platform::Reddit,
                account: None,
            }]),
            ..FolderDefaults::default()
        };
        assert!(merge(Path::new("/v/clip.mp4"), &defaults, Some(&empty)).is_err());
    }

    #[test]
    fn loading_prefers_json_then_txt() {
        let dir = tempfile::tempdir().unwrap();
        let media = dir.path().join("clip.mp4");
        assert_eq!(load_sidecar(&media).unwrap(), None);
        std::fs::write(dir.path().join("clip.txt"), "from txt").unwrap();
        assert_eq!(
            load_sidecar(&media).unwrap().unwrap().caption.as_deref(),
            Some("from txt")
        );
        std::fs::write(dir.path().join("clip.json"), r#"{"caption": "from json"}"#).unwrap();
        assert_eq!(
            load_sidecar(&media).unwrap().unwrap().caption.as_deref(),
            Some("from json")
        );
        assert_eq!(
            load_defaults(dir.path()).unwrap(),
            FolderDefaults::default()
        );
    }
}
