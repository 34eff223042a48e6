//! `outpost run`: the headless engine. Runs the background workers of the core side by side
//! until Ctrl-C or SIGTERM, then stops them cleanly and saves the metrics.

use std::time::Duration;

use outpost_core::clock;
use outpost_core::error::ErrorPayload;
use outpost_core::sync::Syncer;
use outpost_core::telemetry::metrics;
use tokio::sync::watch;

use crate::context::Context;

/// How often due tokens are looked for.
const REFRESH_EVERY: Duration = Duration::from_secs(300);
/// How often this process's metrics are added to the shared totals.
const FLUSH_EVERY: Duration = Duration::from_secs(30);

pub async fn run(ctx: &Context) -> Result<(), ErrorPayload> {
    let connector = ctx.connector()?;
    let syncer = Syncer::new(connector.clone(), clock::system());
    let (stop_tx, stop_rx) = watch::channel(false);
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    eprintln!(
        "Outpost engine running: token refresher, insights sync every {} min. Press Ctrl-C to stop.",
        ctx.config.sync_interval.as_secs() / 60
    );
    tracing::info!("engine started");

    let refresher = connector.run_refresher(REFRESH_EVERY, stopped(stop_rx.clone()));
    let scheduler = syncer.run_scheduler(ctx.config.sync_interval, stopped(stop_rx.clone()));
    let flusher = async {
        let mut rx = stop_rx.clone();
        loop {
            tokio::select! {
                _ = tokio::time::sleep(FLUSH_EVERY) => ctx.flush_metrics().await,
                _ = rx.wait_for(|s| *s) => return,
            }
        }
    };
    let signals = async {
        wait_for_stop_signal().await;
        eprintln!("Stopping…");
        let _ = stop_tx.send(true);
    };
    tokio::join!(refresher, scheduler, flusher, signals);
    let _ = metrics::install();
    tracing::info!("engine stopped");
    Ok(())
}

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
