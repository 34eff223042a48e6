//! The loopback end of a sign-in as `outpost connect` and the desktop run it
//! (`oauth::loopback::complete`): a forged callback is refused in its tab while the wait goes
//! on, the real one connects the account and its tab says so.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use outpost_core::clock::{ManualClock, SharedClock};
use outpost_core::oauth::loopback::{self, Listener};
use outpost_core::Platform;
use outpost_sandbox::Sandbox;

mod support;

#[tokio::test]
async fn a_loopback_sign_in_connects_and_each_browser_tab_is_told() {
    let sandbox = Sandbox::start_default().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock: SharedClock = Arc::new(ManualClock::new(
        Utc.timestamp_opt(sandbox.now(), 0).unwrap(),
    ));
    let support::Engine { connector, db, .. } =
        support::engine(dir.path(), support::sandbox_env(&sandbox), clock).await;

    let listener = Listener::start().await.unwrap();
    let redirect = listener.redirect_uri();
    let started = connector
        .start(Platform::Tiktok, &redirect, Some(listener.port()))
        .await
        .unwrap();
    let waiting = tokio::spawn({
        let connector = connector.clone();
        let state = started.state.clone();
        async move {
            loopback::complete(
                &connector,
                listener,
                Platform::Tiktok,
                &state,
                Duration::from_secs(60),
            )
            .await
        }
    });

    let forged = reqwest::get(format!("{redirect}?code=stolen&state=forged"))
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    assert!(forged.text().await.unwrap().contains("unknown to Outpost"));

    let location = support::approve(started.authorize_url.as_str()).await;
    assert!(location.starts_with(&redirect), "{location}");
    let tab = reqwest::get(&location).await.unwrap();
    assert_eq!(tab.status(), 200);
    let page = tab.text().await.unwrap();

    let account = waiting.await.unwrap().unwrap();
    assert_eq!(account.platform, Platform::Tiktok);
    assert!(
        page.contains(&loopback::connected_message(&account)),
        "{page}"
    );
    assert_eq!(db.accounts().count().await.unwrap(), 1);
}
