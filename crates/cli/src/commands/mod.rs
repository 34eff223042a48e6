//! One module per subcommand; each is a thin call into outpost-core plus rendering.

mod accounts;
mod analytics;
mod broker;
mod engine;
mod events;
mod metrics;
mod publish;
mod sandbox;
mod status;
mod sync;
mod vault;

use outpost_core::error::ErrorPayload;
use outpost_core::telemetry::{self, metrics as m};
use tracing::Instrument;

use crate::args::{Cli, Command};
use crate::context::Context;
use crate::output::Output;

/// Run the parsed command.
pub async fn run(cli: &Cli, out: &Output) -> Result<(), ErrorPayload> {
    // The sandbox stands apart: it needs no data dir, database or vault.
    if let Command::Sandbox(args) = &cli.command {
        return sandbox::run(cli, out, args).await;
    }
    // So does the broker, which runs on a server with its secrets in the environment.
    if let Command::Broker { action } = &cli.command {
        return broker::run(cli, out, action).await;
    }
    if let Command::Events {
        action: crate::args::EventsAction::Serve { addr },
    } = &cli.command
    {
        return events::run(cli, out, *addr).await;
    }
    let ctx = Context::open(cli).await?;
    let name = match &cli.command {
        Command::Status => "status",
        Command::Vault(_) => "vault",
        Command::Metrics => "metrics",
        Command::Sandbox(_) => "sandbox",
        Command::Connect { .. } => "connect",
        Command::Callback { .. } => "callback",
        Command::Accounts => "accounts",
        Command::Disconnect { .. } => "disconnect",
        Command::Refresh { .. } => "refresh",
        Command::Credentials { .. } => "credentials",
        Command::Broker { .. } => "broker",
        Command::Events { .. } => "events",
        Command::Analytics(_) => "analytics",
        Command::Sync { .. } => "sync",
        Command::Run { .. } => "run",
        Command::Publish(_) => "publish",
        Command::Queue(_) => "queue",
        Command::Watch { .. } => "watch",
        Command::Insights { .. } => "insights",
    };
    let span = telemetry::operation_span(name);
    let result = async {
        tracing::info!(command = name, "command started");
        match &cli.command {
            Command::Status => status::run(&ctx, out).await,
            Command::Vault(args) => vault::run(&ctx, out, args).await,
            Command::Metrics => metrics::run(&ctx, out).await,
            Command::Sandbox(_) | Command::Broker { .. } | Command::Events { .. } => Ok(()),
            Command::Connect {
                platform,
                no_browser,
                timeout,
            } => accounts::connect(&ctx, out, *platform, *no_browser, *timeout).await,
            Command::Callback { url } => accounts::callback(&ctx, out, url).await,
            Command::Accounts => accounts::list(&ctx, out).await,
            Command::Disconnect { account, purge } => {
                accounts::disconnect(&ctx, out, account, *purge).await
            }
            Command::Refresh { account, force } => {
                accounts::refresh(&ctx, out, account.as_deref(), *force).await
            }
            Command::Credentials { action } => accounts::credentials(&ctx, out, action).await,
            Command::Analytics(args) => analytics::run(&ctx, out, args).await,
            Command::Run { metrics_addr } => engine::run(&ctx, *metrics_addr).await,
            Command::Publish(args) => publish::publish(&ctx, out, args).await,
            Command::Queue(args) => publish::queue(&ctx, out, args).await,
            Command::Watch { action } => publish::watch(&ctx, out, action).await,
            Command::Sync { platform, account } => {
                sync::sync(&ctx, out, *platform, account.as_deref()).await
            }
            Command::Insights {
                account,
                since,
                csv,
            } => sync::insights(&ctx, out, account.as_deref(), *since, *csv).await,
        }
    }
    .instrument(span)
    .await;
    m::cli_command(name, result.is_ok());
    if let Err(e) = &result {
        tracing::info!(error_code = %e.code, error = %e.message, "command failed");
    }
    ctx.flush_metrics().await;
    result
}
