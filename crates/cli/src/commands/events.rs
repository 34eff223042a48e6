//! `outpost events serve`: the local webhook receiver in the foreground, for creators who
//! relay TikTok and Instagram webhooks to their machine. Signatures are checked with the
//! configured client secrets (environment, config or vault); Meta's handshake with
//! OUTPOST_INSTAGRAM_WEBHOOK_VERIFY_TOKEN. Events land in the database and are processed
//! while it runs. docs/events.md explains the relay.

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use outpost_core::clock;
use outpost_core::error::ErrorPayload;
use outpost_core::events::{self, ReceiverState, WebhookSecrets};
use outpost_core::telemetry::{self, redact};
use outpost_core::vault::SecretValue;

use crate::args::Cli;
use crate::context::{fail, Context};
use crate::output::Output;

/// The environment variable holding Meta's `hub.verify_token`.
const VERIFY_TOKEN_ENV: &str = "OUTPOST_INSTAGRAM_WEBHOOK_VERIFY_TOKEN";

fn error(code: &str, message: String) -> ErrorPayload {
    ErrorPayload {
        code: code.into(),
        message,
    }
}

pub async fn run(cli: &Cli, out: &Output, addr: SocketAddr) -> Result<(), ErrorPayload> {
    let ctx = Context::open(cli).await?;
    let verify_token = std::env::var(VERIFY_TOKEN_ENV)
        .ok()
        .filter(|t| !t.trim().is_empty())
        .map(SecretValue::new);
    let vault = ctx.vault();
    let secrets = WebhookSecrets::resolve(&ctx.config, &vault, verify_token)
        .await
        .map_err(fail)?;
    for s in [
        &secrets.tiktok_client_secret,
        &secrets.instagram_app_secret,
        &secrets.instagram_verify_token,
    ]
    .into_iter()
    .flatten()
    {
        redact::register_pinned_secret(s.expose());
    }
    let platforms = secrets.platforms();
    if platforms.is_empty() {
        return Err(error(
            "events.not_configured",
            "no client secret is configured, so no webhook could be verified: set \
             OUTPOST_TIKTOK_CLIENT_SECRET and/or OUTPOST_INSTAGRAM_CLIENT_SECRET (or \
             `outpost credentials set`); see docs/events.md"
                .into(),
        ));
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| error("events.bind", format!("cannot listen on {addr}: {e}")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| error("events.bind", e.to_string()))?;
    let names: Vec<&str> = platforms.iter().map(|p| p.as_str()).collect();
    let handshake = secrets.instagram_verify_token.is_some();
    if out.json {
        println!(
            "{}",
            serde_json::json!({
                "url": format!("http://{bound}"),
                "platforms": names,
                "instagram_handshake": handshake,
            })
        );
    } else {
        println!("events http://{bound} {}", names.join(","));
        for p in &names {
            println!("webhook http://{bound}/webhooks/{p}");
        }
    }
    let _ = std::io::stdout().flush();
    if !handshake && platforms.contains(&outpost_core::Platform::Instagram) {
        eprintln!(
            "note: {VERIFY_TOKEN_ENV} is not set, so Meta's subscription handshake will be refused"
        );
    }
    eprintln!("webhook receiver running; press Ctrl-C to stop");

    // Long-running: add this process's metrics to the totals now and then.
    let flusher = {
        let db = ctx.db.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(60)).await;
                if let Err(e) = telemetry::metrics::install().flush(&db).await {
                    tracing::warn!(error = %e, "could not save metrics");
                }
            }
        })
    };
    let state = ReceiverState::new(ctx.db.clone(), secrets, clock::system());
    let result = events::serve(listener, state, crate::signals::stop_requested())
        .await
        .map_err(|e| error("events.serve", e.to_string()));
    flusher.abort();
    ctx.flush_metrics().await;
    result
}
