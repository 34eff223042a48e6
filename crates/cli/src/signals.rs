//! The one way foreground commands (`run`, `sandbox`, `broker serve`, `events serve`) learn
//! that they should stop: Ctrl-C, or SIGTERM on Unix (what service managers send).

/// Resolves when the process is asked to stop.
pub async fn stop_requested() {
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate() => {}
    }
}

#[cfg(unix)]
async fn terminate() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut s) => {
            s.recv().await;
        }
        Err(_) => std::future::pending::<()>().await,
    }
}

#[cfg(not(unix))]
async fn terminate() {
    std::future::pending::<()>().await;
}
