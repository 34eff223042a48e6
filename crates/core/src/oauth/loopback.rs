//! The loopback redirect listener (`http://127.0.0.1:<ephemeral port>/callback`, RFC 8252
//! §7.3). It also receives the custom-scheme redirects that `outpost callback URL` hands
//! to a waiting `outpost connect`. Every request is parsed strictly and passed, with a
//! reply channel, to the waiting flow, which checks the state; the browser then sees the
//! flow's result.
//!
//! The waiting flow itself is here too, shared by `outpost connect` and the desktop:
//! [`Listener::wait_for`] (the callback of one sign-in; others' are refused),
//! [`finish`] (complete it with the [`Connector`] and answer the browser), and [`complete`]
//! (both, then close the listener).

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tokio::sync::{mpsc, oneshot};

use super::callback::{self, Callback};
use super::{Connector, OAuthError};
use crate::db::accounts::Account;
use crate::error::UserFacing;
use crate::platform::Platform;

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

    /// The callback of the `platform` sign-in whose state is `state`. A callback with
    /// another state (another sign-in's link, or a forged one) is refused in its browser
    /// tab and the wait goes on; [`OAuthError::Timeout`] when `timeout` passes first.
    pub async fn wait_for(
        &mut self,
        platform: Platform,
        state: &str,
        timeout: Duration,
    ) -> Result<Delivery, OAuthError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let Some(delivery) = self.next(left).await else {
                return Err(OAuthError::Timeout {
                    platform,
                    seconds: timeout.as_secs(),
                });
            };
            if delivery.callback.state == state {
                return Ok(delivery);
            }
            let _ = delivery
                .reply
                .send(Err(OAuthError::StateUnknown.to_string()));
        }
    }
}

/// What the browser tab says once `account` is connected.
pub fn connected_message(account: &Account) -> String {
    format!(
        "{} account {} is connected to Outpost.",
        account.platform.display_name(),
        account.name()
    )
}

/// Finish the `platform` sign-in that `delivery` carries ([`Connector::finish`]) and tell
/// its browser tab how it ended.
pub async fn finish(
    connector: &Connector,
    platform: Platform,
    delivery: Delivery,
) -> Result<Account, OAuthError> {
    let result = connector.finish(Some(platform), &delivery.callback).await;
    let _ = delivery.reply.send(match &result {
        Ok(account) => Ok(connected_message(account)),
        Err(e) => Err(e.to_payload().message),
    });
    result
}

/// The loopback end of a sign-in started with `listener`'s redirect: wait up to `timeout`
/// for its callback ([`Listener::wait_for`]), [`finish`] it, and close the listener once the
/// browser has its page.
pub async fn complete(
    connector: &Connector,
    mut listener: Listener,
    platform: Platform,
    state: &str,
    timeout: Duration,
) -> Result<Account, OAuthError> {
    let result = match listener.wait_for(platform, state, timeout).await {
        Ok(delivery) => finish(connector, platform, delivery).await,
        Err(e) => Err(e),
    };
    listener.close().await;
    result
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

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(url: String) -> (u16, String) {
        let resp = reqwest::get(url).await.unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    }

    #[tokio::test]
    async fn another_sign_ins_callback_is_refused_and_the_wait_goes_on() {
        let mut listener = Listener::start().await.unwrap();
        let base = listener.redirect_uri();
        let waiting = tokio::spawn(async move {
            let delivery = listener
                .wait_for(Platform::Tiktok, "ours", Duration::from_secs(10))
                .await;
            (listener, delivery)
        });
        let (status, page) = get(format!("{base}?code=c&state=someone-else")).await;
        assert_eq!(status, 400);
        assert!(page.contains("unknown to Outpost"), "{page}");
        let ours = tokio::spawn(get(format!("{base}?code=c&state=ours")));
        let (listener, delivery) = waiting.await.unwrap();
        let delivery = delivery.unwrap();
        assert_eq!(delivery.callback.state, "ours");
        delivery.reply.send(Ok("done".into())).unwrap();
        let (status, page) = ours.await.unwrap();
        assert_eq!(status, 200);
        assert!(page.contains("<p id=\"message\">done</p>"), "{page}");
        listener.close().await;
    }

    #[tokio::test]
    async fn no_callback_in_time_is_a_timeout() {
        let mut listener = Listener::start().await.unwrap();
        let err = listener
            .wait_for(Platform::Reddit, "s", Duration::from_millis(50))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                OAuthError::Timeout {
                    platform: Platform::Reddit,
                    ..
                }
            ),
            "{err}"
        );
    }
}
