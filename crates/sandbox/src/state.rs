//! The emulated platforms' shared state: registered apps, users, authorization codes,
//! tokens, media, publish records, the call log and the webhook outbox, behind one
//! mutex that is never held across an `.await`. Owns token authentication (including
//! the token faults) and id generation; platform rules live in the platform modules.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::config::{Platform, RegisteredApp};
use crate::faults::FaultSpec;
use crate::ratelimit::Windows;
use crate::{det, instagram, reddit, tiktok};

/// Everything the request handlers share.
#[derive(Debug)]
pub struct Shared {
    /// The seed of every deterministic choice.
    pub seed: u64,
    /// Sandbox time.
    pub clock: Clock,
    /// `http://IP:PORT`, without a trailing slash.
    pub origin: String,
    /// Sequence number of platform requests (fault decisions).
    pub seq: AtomicU64,
    /// HTTP client for webhook delivery.
    pub http: reqwest::Client,
    state: Mutex<State>,
}

impl Shared {
    /// Builds the shared state.
    pub fn new(seed: u64, origin: String, state: State) -> Shared {
        Shared {
            seed,
            clock: Clock::default(),
            origin,
            seq: AtomicU64::new(0),
            http: reqwest::Client::new(),
            state: Mutex::new(state),
        }
    }

    /// Locks the state (a poisoned lock is recovered: every mutation is self-contained).
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `http://IP:PORT/<platform>`.
    pub fn base(&self, platform: Platform) -> String {
        format!("{}/{}", self.origin, platform.name())
    }
}

/// A platform account the sandbox plays.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    /// Platform.
    pub platform: Platform,
    /// TikTok `open_id`, Instagram professional account id, Reddit account id (base36).
    pub id: String,
    /// Handle.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// TikTok: the account is private.
    pub private_account: bool,
    /// Account creation (unix seconds).
    pub created_at: i64,
}

/// An authorization code waiting for its exchange.
#[derive(Debug, Clone)]
pub struct AuthCode {
    /// Platform.
    pub platform: Platform,
    /// App it was issued to.
    pub client_id: String,
    /// User who consented.
    pub user_id: String,
    /// The redirect URI of the authorize request.
    pub redirect_uri: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// PKCE challenge, if any.
    pub code_challenge: Option<String>,
    /// Expiry (unix seconds).
    pub expires_at: i64,
    /// Codes are single use.
    pub used: bool,
    /// Reddit: `duration=permanent`.
    pub permanent: bool,
}

/// Instagram distinguishes short- and long-lived tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// An ordinary access token (TikTok, Reddit) or an Instagram short-lived token.
    Short,
    /// Instagram long-lived token.
    Long,
}

/// An issued access token.
#[derive(Debug, Clone)]
pub struct AccessToken {
    /// Platform.
    pub platform: Platform,
    /// App.
    pub client_id: String,
    /// User.
    pub user_id: String,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Issue time (unix seconds).
    pub issued_at: i64,
    /// Expiry (unix seconds).
    pub expires_at: i64,
    /// Revoked explicitly or by a fault.
    pub revoked: bool,
    /// Short or long-lived.
    pub kind: TokenKind,
    /// Issued by a code exchange (the token faults apply to those).
    pub from_code: bool,
    /// A token fault has already been applied.
    pub fault_applied: bool,
    /// The refresh token issued with it.
    pub refresh_token: Option<String>,
}

/// An issued refresh token.
#[derive(Debug, Clone)]
pub struct RefreshToken {
    /// Platform.
    pub platform: Platform,
    /// App.
    pub client_id: String,
    /// User.
    pub user_id: String,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Expiry (unix seconds), `None` for never.
    pub expires_at: Option<i64>,
    /// Revoked (or rotated away).
    pub revoked: bool,
}

/// Why a bearer token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthFailure {
    /// No token in the request.
    #[error("no access token in the request")]
    Missing,
    /// Unknown token, or a token of another platform.
    #[error("the access token is invalid")]
    Invalid,
    /// Past its expiry.
    #[error("the access token has expired")]
    Expired,
    /// Revoked.
    #[error("the access token has been revoked")]
    Revoked,
}

/// A media item of any platform (seeded or published through the sandbox).
#[derive(Debug, Clone, Serialize)]
pub struct MediaItem {
    /// Platform.
    pub platform: Platform,
    /// Platform id (TikTok video id, Instagram media id, Reddit base36 id).
    pub id: String,
    /// Owner's user id.
    pub owner: String,
    /// Title or caption.
    pub caption: String,
    /// Platform kind (`VIDEO`, `REELS`, `IMAGE`, `CAROUSEL_ALBUM`, `link`, `self`...).
    pub kind: String,
    /// Creation (unix seconds).
    pub created_at: i64,
    /// Public (TikTok lists only public videos).
    pub public: bool,
    /// Reddit subreddit.
    pub subreddit: Option<String>,
    /// Reddit link URL or self text.
    pub body: Option<String>,
    /// Duration in seconds (videos).
    pub duration: u32,
}

/// One committed publish, as the platform would count it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PublishRecord {
    /// Platform.
    pub platform: Platform,
    /// The id the platform gave the post (publish id, media id, post id).
    pub id: String,
    /// The publishing user.
    pub user_id: String,
    /// `sha256(content fingerprint + "\n" + caption)` as hex: equal for a repeated publish
    /// of the same content with the same caption.
    pub logical_key: String,
    /// Caption or title.
    pub caption: String,
    /// SHA-256 of the uploaded bytes (hex) when the bytes went through the sandbox.
    pub content_sha256: Option<String>,
    /// Bytes received for it.
    pub bytes: u64,
    /// How: `direct_post`, `inbox`, `reels`, `image`, `carousel`, `link`, `self`...
    pub via: String,
    /// When (sandbox unix seconds).
    pub at: i64,
}

/// One request received.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CallRecord {
    /// Platform.
    pub platform: Platform,
    /// HTTP method.
    pub method: String,
    /// Path without the query, e.g. `/tiktok/v2/user/info/`.
    pub path: String,
    /// Bearer/OAuth token or `access_token` query parameter, if any.
    pub token: Option<String>,
    /// Response status.
    pub status: u16,
    /// Sandbox time (unix ms).
    pub at_ms: i64,
}

/// A webhook waiting to be delivered or already delivered.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WebhookRecord {
    /// Platform.
    pub platform: Platform,
    /// Event name (`post.publish.complete`, `comments`...).
    pub event: String,
    /// The exact body sent.
    pub body: String,
    /// Signature header name and value.
    pub signature_header: (String, String),
    /// Response status of the target, `None` if not delivered (no target, or failure).
    pub delivered_status: Option<u16>,
}

/// Everything mutable.
#[derive(Debug)]
pub struct State {
    /// Seed (copied from [`Shared`] for id generation).
    pub seed: u64,
    /// Registered apps.
    pub apps: Vec<RegisteredApp>,
    /// Accounts.
    pub users: Vec<User>,
    /// Pending and used codes.
    pub codes: HashMap<String, AuthCode>,
    /// Access tokens.
    pub tokens: HashMap<String, AccessToken>,
    /// Refresh tokens.
    pub refresh: HashMap<String, RefreshToken>,
    /// Current faults.
    pub faults: FaultSpec,
    /// Remaining throttled requests per platform (`429burst`).
    pub burst_left: HashMap<Platform, u32>,
    /// Media of every platform.
    pub media: Vec<MediaItem>,
    /// TikTok publishes.
    pub tiktok: tiktok::TikTokState,
    /// Instagram containers.
    pub instagram: instagram::InstagramState,
    /// Reddit leases.
    pub reddit: reddit::RedditState,
    /// Calls received.
    pub calls: Vec<CallRecord>,
    /// Publishes committed.
    pub published: Vec<PublishRecord>,
    /// Webhooks produced.
    pub webhooks: Vec<WebhookRecord>,
    /// Webhooks produced and not yet handed to the sender (indexes into `webhooks`).
    pub outbox: Vec<usize>,
    /// Where webhooks go.
    pub webhook_url: Option<String>,
    /// Rate windows.
    pub windows: Windows,
    counter: u64,
}

impl State {
    /// A fresh state with the given apps, seeded users and seeded media at time `now`.
    pub fn new(seed: u64, apps: Vec<RegisteredApp>, faults: FaultSpec, now: i64) -> State {
        let mut state = State {
            seed,
            apps,
            users: Vec::new(),
            codes: HashMap::new(),
            tokens: HashMap::new(),
            refresh: HashMap::new(),
            faults: FaultSpec::default(),
            burst_left: HashMap::new(),
            media: Vec::new(),
            tiktok: tiktok::TikTokState::default(),
            instagram: instagram::InstagramState::default(),
            reddit: reddit::RedditState::default(),
            calls: Vec::new(),
            published: Vec::new(),
            webhooks: Vec::new(),
            outbox: Vec::new(),
            webhook_url: None,
            windows: Windows::default(),
            counter: 0,
        };
        state.set_faults(faults);
        tiktok::seed(&mut state, now);
        instagram::seed(&mut state, now);
        reddit::seed(&mut state, now);
        state
    }

    /// Replaces the faults; a `429burst` starts counting again.
    pub fn set_faults(&mut self, faults: FaultSpec) {
        for p in Platform::ALL {
            self.burst_left.insert(p, faults.burst_429);
        }
        self.faults = faults;
    }

    /// A fresh deterministic alphanumeric id for `label`.
    pub fn next_alnum(&mut self, label: &str, len: usize) -> String {
        self.counter += 1;
        det::alnum(self.seed, &format!("{label}:{}", self.counter), len)
    }

    /// A fresh deterministic numeric id for `label`.
    pub fn next_digits(&mut self, label: &str, len: usize) -> String {
        self.counter += 1;
        det::digits(self.seed, &format!("{label}:{}", self.counter), len)
    }

    /// The registered app `client_id` of `platform`.
    pub fn app(&self, platform: Platform, client_id: &str) -> Option<&RegisteredApp> {
        self.apps
            .iter()
            .find(|a| a.platform == platform && a.client_id == client_id)
    }

    /// The (first) user of a platform: the account that consents on the authorize page.
    pub fn default_user(&self, platform: Platform) -> Option<&User> {
        self.users.iter().find(|u| u.platform == platform)
    }

    /// A user by platform and id.
    pub fn user(&self, platform: Platform, id: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.platform == platform && u.id == id)
    }

    /// Checks a bearer token for `platform` at `now`, applying the token faults.
    pub fn authenticate(
        &mut self,
        platform: Platform,
        token: Option<&str>,
        now: i64,
    ) -> Result<AccessToken, AuthFailure> {
        let token = token
            .filter(|t| !t.is_empty())
            .ok_or(AuthFailure::Missing)?;
        let (expire, revoke) = (self.faults.expire_tokens, self.faults.revoke_tokens);
        let record = self
            .tokens
            .get_mut(token)
            .filter(|t| t.platform == platform)
            .ok_or(AuthFailure::Invalid)?;
        if record.from_code && !record.fault_applied && (expire || revoke) {
            record.fault_applied = true;
            if revoke {
                record.revoked = true;
                if let Some(rt) = record.refresh_token.clone() {
                    if let Some(r) = self.refresh.get_mut(&rt) {
                        r.revoked = true;
                    }
                }
                return Err(AuthFailure::Revoked);
            }
            record.expires_at = now.min(record.expires_at) - 1;
            return Err(AuthFailure::Expired);
        }
        if record.revoked {
            return Err(AuthFailure::Revoked);
        }
        if now >= record.expires_at {
            return Err(AuthFailure::Expired);
        }
        Ok(record.clone())
    }

    /// Records a committed publish.
    #[allow(clippy::too_many_arguments)]
    pub fn record_publish(
        &mut self,
        platform: Platform,
        id: &str,
        user_id: &str,
        fingerprint: &str,
        caption: &str,
        content_sha256: Option<String>,
        bytes: u64,
        via: &str,
        at: i64,
    ) {
        use sha2::{Digest, Sha256};
        let logical_key = hex::encode(Sha256::digest(format!("{fingerprint}\n{caption}")));
        self.published.push(PublishRecord {
            platform,
            id: id.to_string(),
            user_id: user_id.to_string(),
            logical_key,
            caption: caption.to_string(),
            content_sha256,
            bytes,
            via: via.to_string(),
            at,
        });
    }

    /// Queues a webhook (signed by the caller) for delivery.
    pub fn queue_webhook(&mut self, record: WebhookRecord) {
        self.webhooks.push(record);
        self.outbox.push(self.webhooks.len() - 1);
    }

    /// Advances time-driven state (TikTok publish completions) to `now`
    /// and queues the webhooks those transitions produce.
    pub fn tick(&mut self, now: i64) {
        tiktok::tick(self, now);
    }

    /// Forgets the call log, publishes and webhooks (not apps, users, tokens or media).
    pub fn reset_inspection(&mut self) {
        self.calls.clear();
        self.published.clear();
        self.webhooks.clear();
        self.outbox.clear();
    }

    /// Marks every access token expired (they fail on next use; refresh tokens still work).
    pub fn expire_all_tokens(&mut self, now: i64) {
        for t in self.tokens.values_mut() {
            t.expires_at = t.expires_at.min(now - 1);
        }
    }

    /// Revokes every access and refresh token.
    pub fn revoke_all_tokens(&mut self) {
        for t in self.tokens.values_mut() {
            t.revoked = true;
        }
        for r in self.refresh.values_mut() {
            r.revoked = true;
        }
    }
}
