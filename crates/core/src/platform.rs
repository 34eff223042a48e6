//! The platforms Outpost publishes to, as a closed enum with their stable names.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A social platform Outpost can connect to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// TikTok (Login Kit for Desktop, Content Posting API, Display API).
    Tiktok,
    /// Instagram (Instagram API with Instagram Login).
    Instagram,
    /// Reddit (installed-app OAuth, oauth.reddit.com API).
    Reddit,
}

impl Platform {
    /// Every platform, in a stable order.
    pub const ALL: [Platform; 3] = [Platform::Tiktok, Platform::Instagram, Platform::Reddit];

    /// Lowercase stable name (`tiktok`), as used in the database, CLI and config.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Tiktok => "tiktok",
            Platform::Instagram => "instagram",
            Platform::Reddit => "reddit",
        }
    }

    /// Uppercase name used in environment variables (`OUTPOST_TIKTOK_...`).
    pub fn env_name(self) -> &'static str {
        match self {
            Platform::Tiktok => "TIKTOK",
            Platform::Instagram => "INSTAGRAM",
            Platform::Reddit => "REDDIT",
        }
    }

    /// Human name for messages.
    pub fn display_name(self) -> &'static str {
        match self {
            Platform::Tiktok => "TikTok",
            Platform::Instagram => "Instagram",
            Platform::Reddit => "Reddit",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown platform name.
#[derive(Debug, thiserror::Error)]
#[error("unknown platform {0:?}: expected one of tiktok, instagram, reddit")]
pub struct UnknownPlatform(pub String);

impl FromStr for Platform {
    type Err = UnknownPlatform;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "tiktok" => Ok(Platform::Tiktok),
            "instagram" => Ok(Platform::Instagram),
            "reddit" => Ok(Platform::Reddit),
            _ => Err(UnknownPlatform(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_is_an_error() {
        for p in Platform::ALL {
            assert_eq!(p.as_str().parse::<Platform>().unwrap(), p);
            assert_eq!(p.env_name().parse::<Platform>().unwrap(), p);
        }
        let err = "myspace".parse::<Platform>().unwrap_err();
        assert!(err.to_string().contains("myspace"));
    }
}
