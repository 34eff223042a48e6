//! `outpost run`: the headless engine. Runs the background workers of the core side by side
//! (watched folders, upload queue, token refresher, events, insights sync) until Ctrl-C or
//! SIGTERM, then stops them cleanly (uploads stop after their chunk in flight) and saves
//! the metrics. Holds the data dir's engine lock: one engine per data dir.

use std::time::Duration;

use outpost_core::error::ErrorPayload;
use outpost_core::publish::lock::EngineLock;
use outpost_core::publish::Publisher;
use outpost_core::sync::Syncer;
use outpost_core::watch::{registry, Outcome, WatchOptions, Watcher};
use outpost_core::{clock, events};

use crate::context::fail;
use tokio::sync::watch;

use crate::context::Context;

mod metrics_endpoint {
    //! `/metrics` for `outpost run --metrics-addr`: Prometheus text behind a bearer token.

    use std::net::SocketAddr;

    use axum::http::{header, HeaderMap, StatusCode};
    use axum::response::IntoResponse;
    use axum::routing::get;
    use outpost_core::db::Database;
    use outpost_core::error::ErrorPayload;
    use outpost_core::telemetry::{metrics, redact};
    use outpost_core::vault::SecretValue;
    use sha2::{Digest, Sha256};

    use crate::context::Context;

    pub struct Server {
        listener: tokio::net::TcpListener,
        app: axum::Router,
    }

    pub async fn bind(ctx: &Context, addr: SocketAddr) -> Result<Server, ErrorPayload> {
        let token = std::env::var("OUTPOST_METRICS_TOKEN")
            .ok()
            .filter(|t| t.len() >= 16)
            .map(SecretValue::new)
            .ok_or_else(|| ErrorPayload {
                code: "metrics.no_token".into(),
                message: "--metrics-addr needs OUTPOST_METRICS_TOKEN (at least 16 characters): scrapers send it as a bearer token".into(),
            })?;
        redact::register_pinned_secret(token.expose());
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| ErrorPayload {
                code: "metrics.bind".into(),
                message: format!("cannot listen on {addr}: {e}"),
            })?;
        if let Ok(bound) = listener.local_addr() {
            eprintln!("metrics at http://{bound}/metrics");
        }
        let db = ctx.db.clone();
        // Compared as SHA-256 digests: equal length, no early exit on the first difference.
        let expected = Sha256::digest(token.expose().as_bytes());
        let app = axum::Router::new().route(
            "/metrics",
            get(move |headers: HeaderMap| {
                let db: Database = db.clone();
                async move {
                    let given = headers
                        .get(header::AUTHORIZATION)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.strip_prefix("Bearer "))
                        .unwrap_or("");
                    if Sha256::digest(given.as_bytes()) != expected {
                        return (
                            StatusCode::UNAUTHORIZED,
                            [(header::WWW_AUTHENTICATE, "Bearer")],
                            String::new(),
                        )
                            .into_response();
                    }
                    if let Err(e) = metrics::install().flush(&db).await {
                        tracing::warn!(error = %e, "could not save metrics");
                    }
                    match metrics::render_prometheus(&db).await {
                        Ok(text) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
                            .into_response(),
                        Err(e) => {
                            (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()
                        }
                    }
                }
            }),
        );
        Ok(Server { listener, app })
    }

    impl Server {
        pub async fn serve(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) {
            if let Err(e) = axum::serve(self.listener, self.app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::warn!(error = %e, "metrics endpoint stopped");
            }
        }
    }
}

/// How often due tokens are looked for.
const REFRESH_EVERY: Duration = Duration::from_secs(300);
/// How often this process's metrics are added to the shared totals.
const FLUSH_EVERY: Duration = Duration::from_secs(30);

pub async fn run(
    ctx: &Context,
    metrics_addr: Option<std::net::SocketAddr>,
) -> Result<(), ErrorPayload> {
    let _lock = EngineLock::try_acquire(&ctx.config.data_dir).map_err(fail)?;
    let connector = ctx.connector()?;
    let metrics_server = match metrics_addr {
        Some(addr) => Some(metrics_endpoint::bind(ctx, addr).await?),
        None => None,
    };
    let syncer = Syncer::new(connector.clone(), clock::system());
    let (stop_tx, stop_rx) = watch::channel(false);
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let publisher = Publisher::new(connector.clone(), clock::system(), ctx.config.queue.clone());
    let folders: Vec<_> = registry::list(&ctx.db, &ctx.config.watch_folders)
        .await
        .map_err(fail)?
        .into_iter()
        .filter_map(|f| {
            if f.path.is_dir() {
                Some(f.path)
            } else {
                eprintln!(
                    "warning: watched folder {} is missing; skipped",
                    f.path.display()
                );
                None
            }
        })
        .collect();
    let watch_options = WatchOptions {
        settle: Duration::from_millis(ctx.config.queue.settle_ms),
        ..WatchOptions::default()
    };
    let watcher = if folders.is_empty() {
        None
    } else {
        Some(
            Watcher::start(
                ctx.db.clone(),
                clock::system(),
                folders.clone(),
                watch_options,
            )
            .await
            .map_err(fail)?,
        )
    };
    eprintln!(
        "Outpost engine running: {} watched folder(s), upload queue, token refresher, events, insights sync every {} min. Press Ctrl-C to stop.",
        folders.len(),
        ctx.config.sync_interval.as_secs() / 60
    );
    tracing::info!("engine started");

    // Platform events stored by the sync's polling (or by `outpost events serve`) are applied
    // here as well: publish outcomes, comments, revoked authorizations.
    let processor =
        events::Processor::new(ctx.db.clone(), clock::system()).with_connector(connector.clone());
    let process = processor.run(
        std::sync::Arc::new(tokio::sync::Notify::new()),
        Duration::from_secs(30),
        stopped(stop_rx.clone()),
    );
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
    let publish = async {
        if let Err(e) = publisher.run(stopped(stop_rx.clone())).await {
            eprintln!("error: the upload queue stopped: {}", e);
        }
    };
    let mut job_updates = publisher.subscribe();
    let report_jobs = async {
        let mut rx = stop_rx.clone();
        loop {
            tokio::select! {
                u = job_updates.recv() => match u {
                    Ok(u) => {
                        if u.state.is_terminal() || u.error.is_some() {
                            eprintln!("job {} {}:{} {}{}", u.job, u.platform.as_str(), u.account, u.state,
                                u.error.or(u.step).map(|s| format!(" — {s}")).unwrap_or_default());
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(_) => return,
                },
                _ = rx.wait_for(|s| *s) => return,
            }
        }
    };
    let mut watch_reports = watcher.as_ref().map(Watcher::subscribe);
    let report_files = async {
        let Some(reports) = watch_reports.as_mut() else {
            return;
        };
        let mut rx = stop_rx.clone();
        loop {
            tokio::select! {
                r = reports.recv() => match r {
                    Ok(report) => {
                        match &report.outcome {
                            Ok(Outcome::Queued { jobs, .. }) => {
                                eprintln!("queued {} for {} account(s)", report.path.display(), jobs.len());
                                publisher.wake();
                            }
                            Ok(Outcome::Invalid { reason, .. }) => eprintln!("not queued {}: {reason}", report.path.display()),
                            Ok(Outcome::Changed) => {}
                            Err(e) => eprintln!("could not queue {}: {e}", report.path.display()),
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => publisher.wake(),
                    Err(_) => return,
                },
                _ = rx.wait_for(|s| *s) => return,
            }
        }
    };
    let signals = async {
        crate::signals::stop_requested().await;
        eprintln!("Stopping…");
        let _ = stop_tx.send(true);
    };
    let serve_metrics = async {
        if let Some(server) = metrics_server {
            server.serve(stopped(stop_rx.clone())).await;
        }
    };
    tokio::join!(
        refresher,
        scheduler,
        process,
        flusher,
        signals,
        serve_metrics,
        publish,
        report_jobs,
        report_files
    );
    if let Some(w) = watcher {
        w.shutdown().await;
    }
    ctx.flush_metrics().await;
    tracing::info!("engine stopped");
    Ok(())
}
