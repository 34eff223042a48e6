//! What connecting a platform asks of the creator, in plain words: each scope Outpost asks
//! for ([`super::default_scopes`]) with what Outpost may do with it, and what the account
//! needs before it can be used (account type, tester or audit status). Shown on the
//! desktop's Connect page and by `outpost connect` before the browser opens.

use serde::Serialize;
use ts_rs::TS;

use super::default_scopes;
use crate::platform::Platform;

/// A scope and what Outpost may do with it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ScopeInfo {
    /// The platform's scope name.
    pub scope: String,
    /// In plain words.
    pub description: String,
}

/// The answer of `platform_info`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PlatformInfo {
    /// Platform.
    pub platform: Platform,
    /// Its name for people.
    pub display_name: String,
    /// Scopes asked for.
    pub scopes: Vec<ScopeInfo>,
    /// What the account needs.
    pub requirements: Vec<String>,
}

/// What a scope lets Outpost do, in plain words.
pub fn describe_scope(scope: &str) -> &'static str {
    match scope {
        "user.info.basic" => "See your TikTok name and profile picture.",
        "user.info.profile" => "See your profile details, such as your bio and profile link.",
        "user.info.stats" => "See your follower, following and like counts.",
        "video.list" => "List your public videos with their views, likes, comments and shares.",
        "video.upload" => "Upload videos to your TikTok inbox as drafts you finish in the app.",
        "video.publish" => "Post videos to your profile, only when you ask it to.",
        "instagram_business_basic" => "See your profile and the posts on it.",
        "instagram_business_content_publish" => {
            "Publish the Reels, images and carousels you choose."
        }
        "instagram_business_manage_comments" => "Read the comments on your posts.",
        "instagram_business_manage_insights" => {
            "Read views, reach, likes, saves and follower counts."
        }
        "identity" => "See your Reddit username.",
        "submit" => "Submit the posts you ask it to.",
        "read" => "Read your posts and their scores.",
        "edit" => "Edit the posts it made for you.",
        "mysubreddits" => "See the subreddits you belong to.",
        "flair" => "Set the flair of your posts.",
        _ => "Used by Outpost as the platform documents it.",
    }
}

/// What an account of `platform` needs before Outpost can use it.
pub fn requirements(platform: Platform) -> &'static [&'static str] {
    match platform {
        Platform::Tiktok => &[
            "A TikTok account that can post videos.",
            "Until this TikTok app passes TikTok’s audit, every post is private (“Only me”), and your account must be private when posting.",
        ],
        Platform::Instagram => &[
            "A professional Instagram account (Business or Creator). Personal accounts cannot be used: switch in the Instagram app under Settings → Account type and tools.",
            "While this Instagram app is in development, your account must be added as an Instagram Tester.",
        ],
        Platform::Reddit => &[
            "A Reddit account allowed to post in the subreddits you choose (some ask for karma or account age).",
        ],
    }
}

/// Everything the creator should know before connecting `platform`.
pub fn info(platform: Platform) -> PlatformInfo {
    PlatformInfo {
        platform,
        display_name: platform.display_name().to_owned(),
        scopes: default_scopes(platform)
            .into_iter()
            .map(|scope| ScopeInfo {
                description: describe_scope(&scope).to_owned(),
                scope,
            })
            .collect(),
        requirements: requirements(platform)
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scope_the_core_asks_for_is_described() {
        for p in Platform::ALL {
            let i = info(p);
            assert_eq!(i.display_name, p.display_name());
            assert!(!i.scopes.is_empty());
            assert!(!i.requirements.is_empty());
            for s in &i.scopes {
                assert_ne!(s.description, describe_scope("unknown"), "{}", s.scope);
            }
        }
    }
}
