//! outpost-sandbox: a local HTTP emulator of the TikTok, Instagram and Reddit APIs.
//!
//! Owns: the emulated platform state (apps, users, tokens, uploads, media, insights),
//! served over loopback HTTP. Never used by the clients as a special case: they only
//! see base URLs. Every platform is served under one origin and a prefix
//! (`http://127.0.0.1:PORT/tiktok`, `/instagram`, `/reddit`), and the platform's
//! documented path is appended to that base for every one of its hosts: TikTok's
//! authorize page is `{base}/v2/auth/authorize/`, its token endpoint
//! `{base}/v2/oauth/token/`; Instagram's `{base}/oauth/authorize`,
//! `{base}/oauth/access_token`, `{base}/v23.0/me`; Reddit's `{base}/api/v1/authorize`,
//! `{base}/api/v1/me`. URLs the platforms hand out (upload URLs, paging links) are
//! absolute URLs under the same base. An S3-compatible bucket for the media host is served
//! path-style at [`Sandbox::media_host_url`] (`http://127.0.0.1:PORT/_s3`, see [`s3host`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), outpost_sandbox::SandboxError> {
//! use outpost_sandbox::{Platform, Sandbox, SandboxConfig};
//! let sandbox = Sandbox::start(SandboxConfig { seed: 7, ..SandboxConfig::default() }).await?;
//! let tiktok = sandbox.base_url(Platform::TikTok); // http://127.0.0.1:PORT/tiktok
//! sandbox.advance_clock(std::time::Duration::from_secs(3600)).await;
//! let seen = sandbox.inspect();
//! assert_eq!(seen.max_publish_count(), 0);
//! # let _ = tiktok;
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! The seeded developer apps and their credentials are in [`config`] (see
//! [`config::seeded_apps`]); the fault spec syntax is in [`faults`]; synthetic metric
//! formulas are in [`insights`].

// Handlers validate with `Result<_, Response>` and return the platform's answer early;
// boxing every early answer would only add noise on a cold path.
#![allow(clippy::result_large_err)]

pub mod clock;
pub mod config;
pub mod consent;
pub mod det;
pub mod faults;
pub mod insights;
pub mod inspect;
pub mod instagram;
pub mod oauth;
pub mod ratelimit;
pub mod reddit;
pub mod s3host;
mod server;
pub mod state;
pub mod tiktok;
mod web;
pub mod webhook;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{PkceEncoding, Platform, RegisteredApp, SandboxConfig};
pub use faults::{FaultSpec, FaultSpecError};
pub use inspect::Inspection;
use state::{Shared, State};

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The bound socket has no local address.
    #[error("cannot read the bound address: {0}")]
    LocalAddr(std::io::Error),
    /// Two registered apps share a platform and client id.
    #[error("app {client_id} is registered twice on {platform}")]
    DuplicateApp {
        /// Platform.
        platform: Platform,
        /// Client id.
        client_id: String,
    },
}

/// A running sandbox. Dropping it without [`Sandbox::shutdown`] leaves the server task
/// running until the runtime ends.
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    media_host: Arc<s3host::Store>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Sandbox {
    /// Binds `config.addr` and starts serving.
    pub async fn start(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        let mut apps = config::seeded_apps();
        for extra in config.extra_apps {
            if apps
                .iter()
                .any(|a| a.platform == extra.platform && a.client_id == extra.client_id)
            {
                return Err(SandboxError::DuplicateApp {
                    platform: extra.platform,
                    client_id: extra.client_id,
                });
            }
            apps.push(extra);
        }
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|source| SandboxError::Bind {
                addr: config.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(SandboxError::LocalAddr)?;
        let origin = format!("http://{addr}");
        let clock = if config.frozen_clock {
            clock::Clock::frozen()
        } else {
            clock::Clock::real()
        };
        let mut state = State::new(config.seed, apps, config.faults, clock.now());
        state.webhook_url = config.webhook_url;
        let shared = Arc::new(Shared::new(config.seed, origin, state, clock));
        let media_host = Arc::new(s3host::Store::default());
        let app = server::app(shared.clone(), media_host.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "sandbox server stopped");
            }
        });
        tracing::info!(%addr, "sandbox listening");
        Ok(Sandbox {
            addr,
            shared,
            media_host,
            stop: Some(stop),
            task,
        })
    }

    /// Starts on `127.0.0.1:0` with seed 0 and no faults.
    pub async fn start_default() -> Result<Sandbox, SandboxError> {
        Sandbox::start(SandboxConfig::default()).await
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://IP:PORT/<platform>`: the base every documented path of the platform is
    /// appended to.
    pub fn base_url(&self, platform: Platform) -> String {
        self.shared.base(platform)
    }

    /// One `(platform, base URL)` per platform, in CLI print order.
    pub fn urls(&self) -> Vec<(Platform, String)> {
        Platform::ALL
            .iter()
            .map(|p| (*p, self.base_url(*p)))
            .collect()
    }

    /// `http://IP:PORT/_s3`: the S3-compatible endpoint of the media host bucket
    /// (path-style; any bucket name; keys [`s3host::ACCESS_KEY_ID`] and
    /// [`s3host::SECRET_ACCESS_KEY`]).
    pub fn media_host_url(&self) -> String {
        format!("{}/_s3", self.shared.origin)
    }

    /// `http://IP:PORT/_sandbox`: the inspection and control API.
    pub fn control_url(&self) -> String {
        format!("{}/_sandbox", self.shared.origin)
    }

    /// The seed in use.
    pub fn seed(&self) -> u64 {
        self.shared.seed
    }

    /// Current sandbox time (unix seconds).
    pub fn now(&self) -> i64 {
        self.shared.clock.now()
    }

    /// Moves sandbox time forward, runs what became due and delivers its webhooks.
    pub async fn advance_clock(&self, by: Duration) {
        inspect::advance(&self.shared, by).await;
    }

    /// What the sandbox saw so far.
    pub fn inspect(&self) -> Inspection {
        inspect::snapshot(&self.shared, &self.media_host)
    }

    /// Forgets calls, publishes and webhooks seen so far.
    pub fn reset_inspection(&self) {
        self.shared.lock().reset_inspection();
    }

    /// Replaces the injected faults (a `429burst` starts counting again).
    pub fn set_faults(&self, faults: FaultSpec) {
        self.shared.lock().set_faults(faults);
    }

    /// The injected faults.
    pub fn faults(&self) -> FaultSpec {
        self.shared.lock().faults.clone()
    }

    /// Sets or clears the webhook target.
    pub fn set_webhook_url(&self, url: Option<String>) {
        self.shared.lock().webhook_url = url;
    }

    /// Expires every access token now (refresh tokens keep working).
    pub fn expire_all_tokens(&self) {
        let now = self.shared.clock.now();
        self.shared.lock().expire_all_tokens(now);
    }

    /// Revokes every access and refresh token.
    pub fn revoke_all_tokens(&self) {
        self.shared.lock().revoke_all_tokens();
    }

    /// Simulates a comment on an Instagram media: queues and delivers the signed
    /// `comments` webhook. Returns the comment id, or `None` for an unknown media id.
    pub async fn emit_instagram_comment(&self, media_id: &str, text: &str) -> Option<String> {
        inspect::emit_instagram_comment(&self.shared, media_id, text, "sandbox_fan").await
    }

    /// Meta's webhook subscription handshake against the configured target: a `GET` with
    /// `hub.mode=subscribe`, a fresh `hub.challenge` and `verify_token`; `Ok(true)` when the
    /// target echoes the challenge with 200.
    pub async fn verify_instagram_webhook(
        &self,
        verify_token: &str,
    ) -> Result<bool, webhook::WebhookError> {
        webhook::verify_instagram_target(&self.shared, verify_token).await
    }

    /// The registered apps (seeded and extra).
    pub fn apps(&self) -> Vec<RegisteredApp> {
        self.shared.lock().apps.clone()
    }

    /// Stops accepting connections and waits for in-flight requests.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Serves until the server task ends (foreground mode). To stop on a signal instead,
    /// `select!` on the signal and call [`Sandbox::shutdown`].
    pub async fn wait(mut self) {
        let _ = (&mut self.task).await;
    }
}
