//! The loopback redirect listener (`http://127.0.0.1:<ephemeral port>/callback`, RFC 8252
//! §7.3). It also receives the custom-scheme redirects that `outpost callback URL` hands
//! to a waiting `outpost connect`. Every request is parsed strictly and passed, with a
//! reply channel, to the waiting flow, which checks the state; the browser then sees the
//! flow's result.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tokio::sync::{mpsc, oneshot};

use super::callback::{self, Callback};
use super::OAuthError;

/// A callback delivered to the waiting flow, with where to send the page shown to the user.
#[derive(Debug)]
pub struct Delivery {
    /// The parsed callback.
    pub callback: Callback,
    /// `Ok(message)` for success, `Err(message)` for failure.
    pub reply: oneshot::Sender<Result<String, String>>,
}

/// A running listener.
#[derive(Debug)]
pub struct Listener {
    addr: SocketAddr,
    rx: mpsc::Receiver<Delivery>,
    stop: Option<oneshot::Sender<()>>,
    served: Option<tokio::task::JoinHandle<()>>,
}

impl Listener {
    /// Listen on 127.0.0.1 with a port chosen by the OS.
    pub async fn start() -> Result<Listener, OAuthError> {
        let socket = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| OAuthError::Listener(e.to_string()))?;
        let addr = socket
            .local_addr()
            .map_err(|e| OAuthError::Listener(e.to_string()))?;
        let (tx, rx) = mpsc::channel(8);
        let app = axum::Router::new()
            .route("/callback", get(handle))
            .route("/callback/", get(handle))
            .with_state(tx);
        let (stop, stopped) = oneshot::channel::<()>();
        let served = tokio::spawn(async move {
            let _ = axum::serve(socket, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Listener {
            addr,
            rx,
            stop: Some(stop),
            served: Some(served),
        })
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT/callback`.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}/callback", self.addr.port())
    }

    /// Stop listening once the pages already being answered are sent (so the browser shows
    /// the result before the process exits); waits at most a few seconds.
    pub async fn close(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(served) = self.served.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), served).await;
        }
    }

    /// The next callback, or `None` when `timeout` passes.
    pub async fn next(&mut self, timeout: Duration) -> Option<Delivery> {
        tokio::time::timeout(timeout, self.rx.recv())
            .await
            .ok()
            .flatten()
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn handle(State(tx): State<mpsc::Sender<Delivery>>, RawQuery(query): RawQuery) -> Response {
    let callback = match callback::parse_query(query.as_deref().unwrap_or("")) {
        Ok(c) => c,
        Err(e) => {
            return page(
                StatusCode::BAD_REQUEST,
                "Sign-in link refused",
                &e.to_string(),
            )
        }
    };
    let (reply, answer) = oneshot::channel();
    if tx.send(Delivery { callback, reply }).await.is_err() {
        return page(
            StatusCode::GONE,
            "Nothing is waiting",
            "Outpost is no longer waiting for this sign-in. Start the connection again.",
        );
    }
    match tokio::time::timeout(Duration::from_secs(120), answer).await {
        Ok(Ok(Ok(message))) => page(StatusCode::OK, "Connected", &message),
        Ok(Ok(Err(message))) => page(StatusCode::BAD_REQUEST, "Not connected", &message),
        _ => page(
            StatusCode::GATEWAY_TIMEOUT,
            "No answer",
            "Outpost did not finish the sign-in in time.",
        ),
    }
}

fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\">\
         <title>Outpost: {t}</title></head><body style=\"font-family:sans-serif;max-width:36em;margin:4em auto\">\
         <h1>{t}</h1><p id=\"message\">{m}</p><p>You can close this tab and return to Outpost.</p></body></html>",
        t = esc(title),
        m = esc(message)
    );
    (status, Html(body)).into_response()
}
