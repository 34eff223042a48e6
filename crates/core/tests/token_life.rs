//! A year of token life against the sandbox with both clocks moved together: every API call
//! is made with the token `Connector::access_token` hands out, and none is ever refused as
//! expired. TikTok rotates its refresh token on each refresh; Instagram refreshes its
//! long-lived token in its last 30 days; Reddit's refresh token is permanent.

mod support;

use outpost_core::Platform;
use support::{world, World};

#[tokio::test(flavor = "multi_thread")]
async fn a_year_of_refreshes_never_sends_an_expired_token() {
    let World {
        sandbox,
        connector,
        manual,
        ids,
        _dir,
    } = world().await;
    let step = chrono::Duration::hours(12);
    let mut calls = 0;
    for _ in 0..(365 * 2) {
        manual.advance(step);
        sandbox
            .advance_clock(std::time::Duration::from_secs(12 * 3600))
            .await;
        for (platform, id) in &ids {
            let token = connector
                .access_token(*id)
                .await
                .unwrap_or_else(|e| panic!("{platform}: {e}"));
            let client = connector.client(*platform).await.unwrap();
            client
                .profile(&token)
                .await
                .unwrap_or_else(|e| panic!("{platform} refused the token handed out: {e}"));
            calls += 1;
        }
    }
    assert_eq!(calls, 365 * 2 * 3);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_background_refresher_keeps_tokens_fresh_and_announces_revoked_accounts() {
    let World {
        sandbox,
        connector,
        manual,
        ids,
        _dir,
    } = world().await;
    let mut events = connector.subscribe();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let refresher = {
        let c = connector.clone();
        tokio::spawn(async move {
            c.run_refresher(std::time::Duration::from_millis(50), async {
                let _ = stopped.await;
            })
            .await
        })
    };
    let tiktok = ids.iter().find(|(p, _)| *p == Platform::Tiktok).unwrap().1;
    let before = connector
        .db()
        .accounts()
        .token_expires_at(tiktok)
        .await
        .unwrap()
        .unwrap();
    // Three hours later TikTok's two-hour token is due: the refresher renews it by itself.
    manual.advance(chrono::Duration::hours(3));
    sandbox
        .advance_clock(std::time::Duration::from_secs(3 * 3600))
        .await;
    let mut renewed = false;
    for _ in 0..200 {
        let now = connector
            .db()
            .accounts()
            .token_expires_at(tiktok)
            .await
            .unwrap()
            .unwrap();
        if now > before {
            renewed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        renewed,
        "the background refresher did not renew the TikTok token"
    );

    // Revoked at the platform: the next due refresh marks the account and says so.
    sandbox.revoke_all_tokens();
    manual.advance(chrono::Duration::hours(3));
    sandbox
        .advance_clock(std::time::Duration::from_secs(3 * 3600))
        .await;
    let event = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            match events.recv().await {
                Ok(e @ outpost_core::oauth::AccountEvent::NeedsReconnect { .. }) => return e,
                Ok(_) => continue,
                Err(e) => panic!("event channel closed: {e}"),
            }
        }
    })
    .await
    .expect("a needs-reconnect event");
    assert!(matches!(
        event,
        outpost_core::oauth::AccountEvent::NeedsReconnect { .. }
    ));
    let _ = stop.send(());
    refresher.await.unwrap();
    sandbox.shutdown().await;
}
