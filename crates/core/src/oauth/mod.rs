//! Connecting accounts (RFC 8252 native-app OAuth) and keeping their tokens valid.
//!
//! Owns the whole life of a sign-in: an attempt with a fresh state and PKCE verifier
//! ([`attempts`], [`pkce`]), the redirect (deep link or loopback, [`callback`],
//! [`loopback`]), the code exchange, the profile, and storing tokens in the vault and the
//! profile in `accounts` — only once everything succeeded, so no half-connected account is
//! ever left. Then refresh before expiry ([`tokens`]) and disconnect.

pub mod attempts;
pub mod callback;
pub mod credentials;
pub mod loopback;
pub mod pkce;
pub mod tokens;

use std::sync::Arc;

use serde::Serialize;
use tokio::sync::broadcast;
use url::Url;

use self::callback::{Callback, CallbackError, CallbackOutcome};
use crate::clock::SharedClock;
use crate::config::{Config, RedirectMode};
use crate::db::accounts::{self, Account, AccountProfile};
use crate::db::{Database, DbError};
use crate::error::UserFacing;
use crate::http::{Http, HttpError};
use crate::platform::Platform;
use crate::platforms::{self, AuthorizeRequest, PlatformClient, PlatformError};
use crate::telemetry::metrics as m;
use crate::vault::{SecretOwner, Vault, VaultError};

/// The custom-scheme redirect URI.
pub const CUSTOM_SCHEME_REDIRECT: &str = "outpost://oauth/callback";

/// Errors of connecting and token upkeep. Messages are for creators.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// The callback link itself is malformed.
    #[error(transparent)]
    Callback(#[from] CallbackError),
    /// No pending sign-in has this state (forged, or from another machine).
    #[error("this sign-in is unknown to Outpost (its state does not match any sign-in started here); nothing was connected")]
    StateUnknown,
    /// The attempt is older than 10 minutes.
    #[error("this sign-in has expired (more than 10 minutes passed); start the connection again")]
    StateExpired,
    /// The attempt was already completed or used.
    #[error("this sign-in link was already used; start the connection again if you need to")]
    StateReused,
    /// The state belongs to another platform's sign-in.
    #[error("this sign-in was started for {}, not {}; nothing was connected", got.display_name(), expected.display_name())]
    StateWrongPlatform {
        /// Platform being connected.
        expected: Platform,
        /// Platform of the state.
        got: Platform,
    },
    /// The creator or the platform declined.
    #[error("{}", denied_message(*platform, error, description.as_deref()))]
    Denied {
        /// Platform.
        platform: Platform,
        /// The platform's error code.
        error: String,
        /// The platform's description.
        description: Option<String>,
    },
    /// No client id configured.
    #[error(
        "no developer app is set up for {}: set OUTPOST_{}_CLIENT_ID (and the secret) or run \
         `outpost credentials set {}`; to try Outpost without one, use the sandbox (docs/connecting-accounts.md)",
        platform.display_name(), platform.env_name(), platform.as_str()
    )]
    NoCredentials {
        /// Platform.
        platform: Platform,
    },
    /// Instagram needs an HTTPS bridge page and none is configured.
    #[error(
        "Instagram only redirects to HTTPS pages: set OUTPOST_INSTAGRAM_REDIRECT_URI to your bridge page \
         (docs/connecting-accounts.md explains the bridge), or OUTPOST_INSTAGRAM_REDIRECT=loopback where your app allows it"
    )]
    BridgeNotConfigured,
    /// The platform refused or failed.
    #[error(transparent)]
    Platform(#[from] PlatformError),
    /// HTTP failed.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// The vault failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The loopback listener could not start.
    #[error("cannot listen for the sign-in redirect on 127.0.0.1: {0}")]
    Listener(String),
    /// Nobody approved in time.
    #[error("no answer from {} within {seconds} s; nothing was connected. Run the command again when ready", platform.display_name())]
    Timeout {
        /// Platform.
        platform: Platform,
        /// Seconds waited.
        seconds: u64,
    },
    /// `outpost callback` found no waiting `outpost connect`.
    #[error("no `outpost connect {}` is waiting for this sign-in; start it again", platform.as_str())]
    NoWaiter {
        /// Platform.
        platform: Platform,
    },
    /// The account must be connected again.
    #[error("{} account {account} must be connected again: {reason}", platform.display_name())]
    NeedsReconnect {
        /// Platform.
        platform: Platform,
        /// Account label.
        account: String,
        /// Why.
        reason: String,
    },
}

fn denied_message(platform: Platform, error: &str, description: Option<&str>) -> String {
    let p = platform.display_name();
    let plain = match error {
        "access_denied" | "user_denied" => format!("you declined access on {p}; nothing was connected"),
        "invalid_scope" => format!("{p} refused the permissions Outpost asked for (invalid scope); check your developer app's approved scopes"),
        "unauthorized_client" | "invalid_client" => format!("{p} does not recognise Outpost's developer app; check the client id"),
        other => format!("{p} could not complete the sign-in ({other})"),
    };
    match description {
        Some(d) if !d.is_empty() => format!("{plain}. {p} said: {d}"),
        _ => plain,
    }
}

impl UserFacing for OAuthError {
    fn code(&self) -> &'static str {
        match self {
            OAuthError::Callback(e) => e.code(),
            OAuthError::StateUnknown => "oauth.state_unknown",
            OAuthError::StateExpired => "oauth.state_expired",
            OAuthError::StateReused => "oauth.state_reused",
            OAuthError::StateWrongPlatform { .. } => "oauth.state_wrong_platform",
            OAuthError::Denied { .. } => "oauth.denied",
            OAuthError::NoCredentials { .. } => "oauth.no_credentials",
            OAuthError::BridgeNotConfigured => "oauth.bridge_not_configured",
            OAuthError::Platform(e) => e.code(),
            OAuthError::Http(e) => e.code(),
            OAuthError::Vault(e) => e.code(),
            OAuthError::Db(e) => e.code(),
            OAuthError::Listener(_) => "oauth.listener",
            OAuthError::Timeout { .. } => "oauth.timeout",
            OAuthError::NoWaiter { .. } => "oauth.no_waiter",
            OAuthError::NeedsReconnect { .. } => "account.needs_reconnect",
        }
    }
}

/// What happened to an account, for the desktop shell (notifications) and the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AccountEvent {
    /// A sign-in completed.
    Connected {
        /// Account id.
        account_id: i64,
        /// Platform.
        platform: Platform,
    },
    /// A refresh was refused: the creator must connect again.
    NeedsReconnect {
        /// Account id.
        account_id: i64,
        /// Platform.
        platform: Platform,
        /// The platform's reason.
        reason: String,
    },
    /// The creator disconnected the account.
    Disconnected {
        /// Account id.
        account_id: i64,
        /// Platform.
        platform: Platform,
    },
}

/// A started sign-in: open `authorize_url` in the system browser.
#[derive(Debug, Clone)]
pub struct Started {
    /// Platform.
    pub platform: Platform,
    /// The authorize page.
    pub authorize_url: Url,
    /// The redirect URI registered for this attempt.
    pub redirect_uri: String,
    /// The attempt's state (to recognise its callback).
    pub state: String,
}

/// Connects accounts and keeps their tokens.
#[derive(Debug, Clone)]
pub struct Connector {
    db: Database,
    vault: Arc<Vault>,
    http: Http,
    config: Arc<Config>,
    clock: SharedClock,
    events: broadcast::Sender<AccountEvent>,
}

impl Connector {
    /// A connector over the engine's parts.
    pub fn new(
        db: Database,
        vault: Arc<Vault>,
        http: Http,
        config: Arc<Config>,
        clock: SharedClock,
    ) -> Self {
        Self {
            db,
            vault,
            http,
            config,
            clock,
            events: broadcast::channel(64).0,
        }
    }

    /// Account events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<AccountEvent> {
        self.events.subscribe()
    }

    pub(crate) fn emit(&self, event: AccountEvent) {
        // Nobody listening is fine (the CLI).
        let _ = self.events.send(event);
    }

    /// The vault.
    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// The redirect kind for `platform` (configured, or the platform's default).
    pub fn redirect_mode(&self, platform: Platform) -> RedirectMode {
        self.config
            .platform(platform)
            .redirect_mode
            .unwrap_or_else(|| platforms::default_redirect_mode(platform))
    }

    /// The fixed redirect URI for custom-scheme and bridge modes.
    pub fn fixed_redirect_uri(&self, platform: Platform) -> Result<String, OAuthError> {
        let configured = self
            .config
            .platform(platform)
            .redirect_uri
            .as_ref()
            .map(|u| u.to_string());
        match self.redirect_mode(platform) {
            RedirectMode::Loopback => Err(OAuthError::Listener(
                "the loopback redirect has no fixed URI".into(),
            )),
            RedirectMode::CustomScheme => {
                Ok(configured.unwrap_or_else(|| CUSTOM_SCHEME_REDIRECT.to_owned()))
            }
            RedirectMode::HttpsBridge => match configured {
                Some(uri) if uri.starts_with("https://") => Ok(uri),
                _ => Err(OAuthError::BridgeNotConfigured),
            },
        }
    }

    /// A client for `platform` with the configured credentials.
    pub async fn client(&self, platform: Platform) -> Result<PlatformClient, OAuthError> {
        let creds = credentials::resolve(&self.config, &self.vault, platform)
            .await?
            .ok_or(OAuthError::NoCredentials { platform })?;
        Ok(PlatformClient::new(
            platform,
            self.config.platform(platform).endpoints.clone(),
            self.http.clone(),
            creds,
        )
        .with_broker(self.config.platform(platform).broker_url.clone()))
    }

    /// Start a sign-in: record the attempt and build the authorize URL.
    pub async fn start(
        &self,
        platform: Platform,
        redirect_uri: &str,
        handoff_port: Option<u16>,
    ) -> Result<Started, OAuthError> {
        let client = self.client(platform).await?;
        let encoding = self
            .config
            .platform(platform)
            .pkce_encoding
            .or_else(|| platforms::default_pkce(platform));
        let pkce = encoding.map(pkce::generate);
        let scopes = platforms::default_scopes(platform);
        let state = attempts::create(
            &self.db,
            &self.vault,
            self.clock.now_millis(),
            platform,
            redirect_uri,
            &scopes,
            client.client_id(),
            pkce.as_ref().map(|p| &p.verifier),
            handoff_port,
        )
        .await?;
        let authorize_url = client.authorize_url(&AuthorizeRequest {
            redirect_uri,
            state: &state,
            code_challenge: pkce.as_ref().map(|p| p.challenge.as_str()),
            scopes: &scopes,
        });
        tracing::info!(platform = %platform, "sign-in started");
        Ok(Started {
            platform,
            authorize_url,
            redirect_uri: redirect_uri.to_owned(),
            state,
        })
    }

    /// Complete a sign-in from its callback. `expected` is the platform being connected,
    /// when known. Nothing is stored unless every step succeeds.
    pub async fn finish(
        &self,
        expected: Option<Platform>,
        callback: &Callback,
    ) -> Result<Account, OAuthError> {
        let now = self.clock.now_millis();
        let attempt =
            attempts::consume(&self.db, &self.vault, now, &callback.state, expected).await?;
        let platform = attempt.platform;
        let result = self.exchange_and_store(&attempt, callback).await;
        let outcome = match &result {
            Ok(_) => "ok",
            Err(OAuthError::Denied { .. }) => "denied",
            Err(_) => "error",
        };
        m::oauth_attempt(platform, outcome);
        match &result {
            Ok(a) => {
                tracing::info!(platform = %platform, account = a.id, "account connected");
                self.emit(AccountEvent::Connected {
                    account_id: a.id,
                    platform,
                });
            }
            Err(e) => {
                tracing::warn!(platform = %platform, error_code = e.code(), error = %e, "sign-in failed")
            }
        }
        result
    }

    async fn exchange_and_store(
        &self,
        attempt: &attempts::Attempt,
        callback: &Callback,
    ) -> Result<Account, OAuthError> {
        let platform = attempt.platform;
        let code = match &callback.outcome {
            CallbackOutcome::Error { error, description } => {
                return Err(OAuthError::Denied {
                    platform,
                    error: error.clone(),
                    description: description.clone(),
                })
            }
            CallbackOutcome::Code { code, .. } => code,
        };
        // Only now, with the state matched to an attempt of ours, is the code known to be
        // a real one: registering anything a caller sends would let forged callbacks flood
        // (and evict from) the redaction list.
        crate::telemetry::redact::register_secret(code.expose());
        let client = self.client(platform).await?;
        let now = self.clock.now_millis();
        let tokens = client
            .exchange_code(code, &attempt.redirect_uri, attempt.verifier.as_ref(), now)
            .await?;
        let profile = client.profile(&tokens.access_token).await?;

        // Account, tokens and token info land in one transaction: all or nothing.
        self.vault.ensure_ready().await?;
        let owner_fields = |t: &'_ platforms::TokenSet| {
            let mut f = vec![("access_token", t.access_token.clone(), t.access_expires_at)];
            if let Some(r) = &t.refresh_token {
                f.push(("refresh_token", r.clone(), t.refresh_expires_at));
            }
            f
        };
        let fields = owner_fields(&tokens);
        let refs: Vec<(&str, &crate::vault::SecretValue, Option<i64>)> =
            fields.iter().map(|(n, v, e)| (*n, v, *e)).collect();
        let scopes = (!tokens.scopes.is_empty()).then(|| tokens.scopes.join(" "));
        let profile = AccountProfile {
            platform,
            platform_user_id: profile.platform_user_id.clone(),
            username: profile.username.clone(),
            display_name: profile.display_name.clone(),
            avatar_url: profile.avatar_url.clone(),
        };
        let mut stored = None;
        for _ in 0..3 {
            let mut tx = self.db.begin_write().await.map_err(DbError::from)?;
            let id = accounts::upsert_on(&mut tx, &profile, now).await?;
            let owner = SecretOwner::Account(id);
            if !self.vault.put_all_in(&mut tx, &owner, &refs).await? {
                continue; // the vault key was rotated meanwhile: the transaction rolls back
            }
            if tokens.refresh_token.is_none() {
                sqlx::query("DELETE FROM secrets WHERE owner = ?1 AND field = 'refresh_token'")
                    .bind(owner.to_string())
                    .execute(&mut *tx)
                    .await
                    .map_err(DbError::from)?;
            }
            accounts::set_token_info_on(
                &mut tx,
                id,
                scopes.as_deref(),
                tokens.access_expires_at,
                now,
            )
            .await?;
            tx.commit().await.map_err(DbError::from)?;
            stored = Some(id);
            break;
        }
        let id = stored.ok_or_else(|| {
            DbError::Sql("the vault key kept changing; try connecting again".into())
        })?;
        self.db.accounts().get(id).await?.ok_or_else(|| {
            OAuthError::Db(DbError::NotFound("the connected account vanished".into()))
        })
    }

    /// The database.
    pub fn db(&self) -> &Database {
        &self.db
    }

    /// The configuration this connector was built with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn clock(&self) -> &SharedClock {
        &self.clock
    }

    pub(crate) fn account_owner(id: i64) -> SecretOwner {
        SecretOwner::Account(id)
    }
}
