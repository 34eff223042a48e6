//! Sandbox configuration: listen address, seed, faults, webhook target and the
//! developer apps registered with each emulated platform (three are pre-seeded with
//! documented, deterministic credentials). Owns no runtime state.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};

use serde::{Deserialize, Serialize};

use crate::faults::FaultSpec;

/// One of the emulated platforms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// TikTok (Login Kit for Desktop, Display API, Content Posting API).
    TikTok,
    /// Instagram API with Instagram Login (graph.instagram.com).
    Instagram,
    /// Reddit (installed-app OAuth, oauth.reddit.com).
    Reddit,
}

impl Platform {
    /// Every platform, in the order the CLI prints them.
    pub const ALL: [Platform; 3] = [Platform::TikTok, Platform::Instagram, Platform::Reddit];

    /// The lowercase name used in URLs (`/tiktok`) and output.
    pub fn name(self) -> &'static str {
        match self {
            Platform::TikTok => "tiktok",
            Platform::Instagram => "instagram",
            Platform::Reddit => "reddit",
        }
    }

    /// Parses a lowercase name.
    pub fn from_name(name: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How an app's PKCE `code_challenge` is derived from the verifier with method `S256`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PkceEncoding {
    /// Lowercase hex of SHA-256(verifier): TikTok's Login Kit for Desktop.
    Hex,
    /// RFC 7636 BASE64URL-NOPAD(SHA-256(verifier)).
    Base64Url,
    /// Either encoding is accepted.
    Either,
    /// The platform does not do PKCE: challenge parameters are ignored.
    None,
}

/// A developer app registered with an emulated platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisteredApp {
    /// Which platform the app belongs to.
    pub platform: Platform,
    /// TikTok `client_key`, Instagram app id, Reddit client id.
    pub client_id: String,
    /// The client secret; `None` for a Reddit installed app (empty Basic password).
    pub client_secret: Option<String>,
    /// Shown on the authorize page.
    pub name: String,
    /// Registered redirect URIs, matched exactly; a port written `*` matches any port
    /// (TikTok desktop registration; a sandbox convenience on the other platforms).
    pub redirect_uris: Vec<String>,
    /// PKCE check applied at the token endpoint.
    pub pkce: PkceEncoding,
    /// TikTok: whether the app passed TikTok's audit (unaudited apps may only post
    /// `SELF_ONLY` to private accounts).
    pub audited: bool,
    /// TikTok: URL prefixes verified for `PULL_FROM_URL`.
    pub verified_url_prefixes: Vec<String>,
}

/// Seeded TikTok client key.
pub const TIKTOK_CLIENT_KEY: &str = "sbxtiktokclient01";
/// Seeded TikTok client secret.
pub const TIKTOK_CLIENT_SECRET: &str = "sbx-tiktok-secret-0001";
/// Seeded Instagram app id.
pub const INSTAGRAM_APP_ID: &str = "990000000000001";
/// Seeded Instagram app secret.
pub const INSTAGRAM_APP_SECRET: &str = "sbx-instagram-secret-0001";
/// Seeded Reddit installed-app client id (no secret).
pub const REDDIT_CLIENT_ID: &str = "sbxRedditClient01";

/// The developer apps every sandbox starts with.
pub fn seeded_apps() -> Vec<RegisteredApp> {
    vec![
        RegisteredApp {
            platform: Platform::TikTok,
            client_id: TIKTOK_CLIENT_KEY.into(),
            client_secret: Some(TIKTOK_CLIENT_SECRET.into()),
            name: "Outpost Sandbox (TikTok)".into(),
            redirect_uris: vec![
                "http://127.0.0.1:*/callback/".into(),
                "http://127.0.0.1:*/callback".into(),
                "http://localhost:*/callback/".into(),
                "http://localhost:*/callback".into(),
            ],
            pkce: PkceEncoding::Hex,
            audited: true,
            verified_url_prefixes: vec!["https://media.outpost.example/".into()],
        },
        RegisteredApp {
            platform: Platform::Instagram,
            client_id: INSTAGRAM_APP_ID.into(),
            client_secret: Some(INSTAGRAM_APP_SECRET.into()),
            name: "Outpost Sandbox (Instagram)".into(),
            redirect_uris: vec![
                "https://outpost.example/oauth/instagram/".into(),
                "http://127.0.0.1:*/callback".into(),
                "http://localhost:*/callback".into(),
            ],
            pkce: PkceEncoding::None,
            audited: true,
            verified_url_prefixes: Vec::new(),
        },
        RegisteredApp {
            platform: Platform::Reddit,
            client_id: REDDIT_CLIENT_ID.into(),
            client_secret: None,
            name: "Outpost Sandbox (Reddit)".into(),
            redirect_uris: vec![
                "http://127.0.0.1:*/callback".into(),
                "http://localhost:*/callback".into(),
                "outpost://oauth/callback".into(),
            ],
            pkce: PkceEncoding::None,
            audited: true,
            verified_url_prefixes: Vec::new(),
        },
    ]
}

/// Everything needed to start a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Listen address; port 0 picks a free port. Default `127.0.0.1:0`.
    pub addr: SocketAddr,
    /// Seed for every deterministic choice (ids, tokens, faults, synthetic metrics).
    pub seed: u64,
    /// Faults to inject from the start (changeable later).
    pub faults: FaultSpec,
    /// Where to POST platform webhooks (TikTok-Signature / X-Hub-Signature-256 signed).
    pub webhook_url: Option<String>,
    /// Apps registered in addition to [`seeded_apps`].
    pub extra_apps: Vec<RegisteredApp>,
    /// Sandbox time stands still until advanced (tests); otherwise it follows real time
    /// (demo mode, the CLI). Default `false`.
    pub frozen_clock: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            seed: 0,
            faults: FaultSpec::default(),
            webhook_url: None,
            extra_apps: Vec::new(),
            frozen_clock: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_names_round_trip() {
        for p in Platform::ALL {
            assert_eq!(Platform::from_name(p.name()), Some(p));
        }
        assert_eq!(Platform::from_name("youtube"), None);
    }

    #[test]
    fn one_seeded_app_per_platform() {
        let apps = seeded_apps();
        for p in Platform::ALL {
            assert_eq!(apps.iter().filter(|a| a.platform == p).count(), 1);
        }
    }
}
