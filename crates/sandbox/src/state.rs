//! The emulated platforms' shared state: registered apps, users, authorization codes,
//! tokens, media, publish records, the call log and the webhook outbox, behind one
//! mutex that is never held across an `.await`. Owns token authentication (including
//! the token faults) and id generation; platform rules live in the platform modules.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::config::{Platform, RegisteredApp};
use crate::faults::FaultSpec;
use crate::ratelimit::Windows;
use crate::{det, instagram, reddit, tiktok};

/// How many calls the detailed call log keeps (the counters keep everything).
pub const CALL_LOG_CAPACITY: usize = 50_000;

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
    pub fn new(seed: u64, origin: String, state: State, clock: Clock) -> Shared {
        Shared {
            seed,
            clock,
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
    /// Issued by a login (code exchange, or Instagram's long-lived exchange): the token
    /// faults apply to those.
    pub from_code: bool,
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
    /// `"METHOD /path"` → count, over all calls since the last reset.
    pub calls_by_endpoint: BTreeMap<String, u64>,
    /// Token → count, over all calls since the last reset.
    pub calls_by_token: BTreeMap<String, u64>,
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
    /// Accounts whose token fault already fired since the faults were set.
    pub token_fault_spent: HashSet<(Platform, String)>,
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
            calls_by_endpoint: BTreeMap::new(),
            calls_by_token: BTreeMap::new(),
            published: Vec::new(),
            webhooks: Vec::new(),
            outbox: Vec::new(),
            webhook_url: None,
            windows: Windows::default(),
            token_fault_spent: HashSet::new(),
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
        self.token_fault_spent.clear();
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

    /// Usernames of a platform's accounts, the default one first.
    pub fn usernames(&self, platform: Platform) -> Vec<String> {
        self.users
            .iter()
            .filter(|u| u.platform == platform)
            .map(|u| u.username.clone())
            .collect()
    }

    /// The account that consents: the one named `account` (a username), else the default.
    pub fn consenting_user(&self, platform: Platform, account: Option<&str>) -> Option<&User> {
        match account.filter(|a| !a.is_empty()) {
            Some(name) => self
                .users
                .iter()
                .find(|u| u.platform == platform && u.username == name),
            None => self.default_user(platform),
        }
    }

    /// A user by platform and id.
    pub fn user(&self, platform: Platform, id: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.platform == platform && u.id == id)
    }

    /// Checks a bearer token for `platform` at `now`, applying the token faults: under
    /// `expire_tokens` / `revoke_tokens`, the first API use of a login token fails, once per
    /// account after the faults were set.
    pub fn authenticate(
        &mut self,
        platform: Platform,
        token: Option<&str>,
        now: i64,
    ) -> Result<AccessToken, AuthFailure> {
        self.check_token(platform, token, now, true)
    }

    /// Checks a bearer token without the token faults (token endpoints use this).
    pub fn authenticate_without_faults(
        &mut self,
        platform: Platform,
        token: Option<&str>,
        now: i64,
    ) -> Result<AccessToken, AuthFailure> {
        self.check_token(platform, token, now, false)
    }

    fn check_token(
        &mut self,
        platform: Platform,
        token: Option<&str>,
        now: i64,
        apply_faults: bool,
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
        let account = (platform, record.user_id.clone());
        if apply_faults
            && record.from_code
            && (expire || revoke)
            && !self.token_fault_spent.contains(&account)
        {
            self.token_fault_spent.insert(account);
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

    /// Records a request; the detailed log keeps the last [`CALL_LOG_CAPACITY`] calls,
    /// the per-endpoint and per-token counters keep everything.
    pub fn record_call(&mut self, call: CallRecord) {
        *self
            .calls_by_endpoint
            .entry(format!("{} {}", call.method, call.path))
            .or_insert(0) += 1;
        if let Some(t) = &call.token {
            *self.calls_by_token.entry(t.clone()).or_insert(0) += 1;
        }
        if self.calls.len() >= CALL_LOG_CAPACITY {
            let excess = self.calls.len() + 1 - CALL_LOG_CAPACITY;
            self.calls.drain(..excess);
        }
        self.calls.push(call);
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
        self.calls_by_endpoint.clear();
        self.calls_by_token.clear();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::seeded_apps;

    fn call(n: usize) -> CallRecord {
        CallRecord {
            platform: Platform::Reddit,
            method: "GET".into(),
            path: "/reddit/api/v1/me".into(),
            token: Some(format!("t{}", n % 2)),
            status: 200,
            at_ms: n as i64,
        }
    }

    #[test]
    fn the_call_log_is_bounded_but_the_counters_are_not() {
        let mut state = State::new(1, seeded_apps(), FaultSpec::default(), 1_800_000_000);
        for n in 0..CALL_LOG_CAPACITY + 5 {
            state.record_call(call(n));
        }
        assert_eq!(state.calls.len(), CALL_LOG_CAPACITY);
        assert_eq!(state.calls[0].at_ms, 5);
        assert_eq!(
            state.calls_by_endpoint["GET /reddit/api/v1/me"],
            (CALL_LOG_CAPACITY + 5) as u64
        );
        assert_eq!(
            state.calls_by_token["t0"] + state.calls_by_token["t1"],
            (CALL_LOG_CAPACITY + 5) as u64
        );
        state.reset_inspection();
        assert!(state.calls.is_empty() && state.calls_by_endpoint.is_empty());
    }

    #[test]
    fn token_faults_fire_once_per_account_on_login_tokens() {
        let mut state = State::new(1, seeded_apps(), "expire_tokens".parse().unwrap(), 1000);
        let token = |from_code| AccessToken {
            platform: Platform::TikTok,
            client_id: "c".into(),
            user_id: "u".into(),
            scopes: vec![],
            issued_at: 1000,
            expires_at: 9000,
            revoked: false,
            kind: TokenKind::Short,
            from_code,
            refresh_token: None,
        };
        state.tokens.insert("a".into(), token(true));
        state.tokens.insert("b".into(), token(false));
        state.tokens.insert("c".into(), token(true));
        assert_eq!(
            state
                .authenticate(Platform::TikTok, Some("a"), 1000)
                .unwrap_err(),
            AuthFailure::Expired
        );
        assert_eq!(
            state
                .authenticate(Platform::TikTok, Some("a"), 1000)
                .unwrap_err(),
            AuthFailure::Expired
        );
        assert!(state
            .authenticate(Platform::TikTok, Some("b"), 1000)
            .is_ok());
        assert_eq!(
            state
                .authenticate(Platform::Reddit, Some("b"), 1000)
                .unwrap_err(),
            AuthFailure::Invalid
        );
        assert_eq!(
            state
                .authenticate(Platform::TikTok, None, 1000)
                .unwrap_err(),
            AuthFailure::Missing
        );
        assert_eq!(
            state
                .authenticate(Platform::TikTok, Some("b"), 9000)
                .unwrap_err(),
            AuthFailure::Expired
        );
    }
}
