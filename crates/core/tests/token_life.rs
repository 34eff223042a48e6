//! A year of token life against the sandbox with both clocks moved together: every API call
//! is made with the token `Connector::access_token` hands out, and none is ever refused as
//! expired. TikTok rotates its refresh token on each refresh; Instagram refreshes its
//! long-lived token in its last 30 days; Reddit's refresh token is permanent.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use outpost_core::clock::{ManualClock, SharedClock};
use outpost_core::config::{Config, ConfigSources};
use outpost_core::db::Database;
use outpost_core::http::Http;
use outpost_core::oauth::{callback, Connector};
use outpost_core::vault::keystore::MemoryKeyStore;
use outpost_core::vault::passphrase::KdfParams;
use outpost_core::vault::{Vault, VaultOptions};
use outpost_core::Platform;
use outpost_sandbox::config as sc;
use outpost_sandbox::{Platform as SP, Sandbox};

async fn approve(authorize_url: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = http.get(authorize_url).send().await.unwrap();
    let base = page.url().clone();
    let html = page.text().await.unwrap();
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    let form = &html[html.find("<form").unwrap()..];
    let action = base
        .join(&unescape(
            form.split("action=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap(),
        ))
        .unwrap();
    let mut fields: Vec<(String, String)> = html
        .split("<input")
        .skip(1)
        .filter(|i| i.contains("type=\"hidden\""))
        .map(|i| {
            let attr = |n: &str| {
                unescape(
                    i.split(&format!("{n}=\""))
                        .nth(1)
                        .unwrap()
                        .split('"')
                        .next()
                        .unwrap(),
                )
            };
            (attr("name"), attr("value"))
        })
        .collect();
    fields.push(("decision".into(), "allow".into()));
    let resp = http.post(action).form(&fields).send().await.unwrap();
    resp.headers()["location"].to_str().unwrap().to_owned()
}

struct World {
    sandbox: Sandbox,
    connector: Connector,
    manual: ManualClock,
    ids: Vec<(Platform, i64)>,
    _dir: tempfile::TempDir,
}

/// A sandbox, a connector on a manual clock set to the sandbox's time, and one connected
/// account per platform.
async fn world() -> World {
    let sandbox = Sandbox::start_default().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env: HashMap<String, String> = [
        ("OUTPOST_TIKTOK_BASE_URL", sandbox.base_url(SP::TikTok)),
        ("OUTPOST_TIKTOK_CLIENT_ID", sc::TIKTOK_CLIENT_KEY.into()),
        (
            "OUTPOST_TIKTOK_CLIENT_SECRET",
            sc::TIKTOK_CLIENT_SECRET.into(),
        ),
        (
            "OUTPOST_INSTAGRAM_BASE_URL",
            sandbox.base_url(SP::Instagram),
        ),
        ("OUTPOST_INSTAGRAM_CLIENT_ID", sc::INSTAGRAM_APP_ID.into()),
        (
            "OUTPOST_INSTAGRAM_CLIENT_SECRET",
            sc::INSTAGRAM_APP_SECRET.into(),
        ),
        (
            "OUTPOST_INSTAGRAM_REDIRECT_URI",
            "https://outpost.example/oauth/instagram/".into(),
        ),
        ("OUTPOST_REDDIT_BASE_URL", sandbox.base_url(SP::Reddit)),
        ("OUTPOST_REDDIT_CLIENT_ID", sc::REDDIT_CLIENT_ID.into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let config = Config::load(&ConfigSources {
        data_dir_flag: Some(dir.path().to_owned()),
        env,
    })
    .unwrap();
    let db = Database::open(&config.database_path()).await.unwrap();
    let manual = ManualClock::new(Utc.timestamp_opt(sandbox.now(), 0).unwrap());
    let clock: SharedClock = Arc::new(manual.clone());
    let vault = Vault::new(
        db.clone(),
        VaultOptions {
            choice: config.vault_backend,
            passphrase: None,
            keystore: Arc::new(MemoryKeyStore::default()),
            kdf: KdfParams::default(),
        },
        clock.clone(),
    );
    let connector = Connector::new(
        db.clone(),
        Arc::new(vault),
        Http::new().unwrap(),
        Arc::new(config),
        clock,
    );

    let mut ids = Vec::new();
    for platform in Platform::ALL {
        let redirect = match platform {
            Platform::Tiktok => "http://127.0.0.1:49999/callback".to_owned(),
            _ => connector.fixed_redirect_uri(platform).unwrap(),
        };
        let started = connector.start(platform, &redirect, None).await.unwrap();
        let location = approve(started.authorize_url.as_str()).await;
        let query = location.split_once('?').unwrap().1;
        let cb = callback::parse_url(&format!("outpost://oauth/callback?{query}")).unwrap();
        ids.push((
            platform,
            connector.finish(Some(platform), &cb).await.unwrap().id,
        ));
    }

    // Half-day steps: every TikTok and Reddit access token has expired between two steps,
    // so each step exercises a refresh (and TikTok's rotation).
    World {
        sandbox,
        connector,
        manual,
        ids,
        _dir: dir,
    }
}

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
