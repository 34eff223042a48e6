//! The inspection and control API, and webhook delivery.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::post;
use outpost_sandbox::{webhook, Inspection, Platform, Sandbox, SandboxConfig};
use serde_json::{json, Value};

use crate::support::{client, sandbox};
use crate::tiktok::login;

type Received = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A loopback webhook receiver that stores what it gets.
async fn receiver() -> (String, Received) {
    let got: Received = Arc::default();
    let store = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let store = store.clone();
            async move {
                store.lock().unwrap().push((headers, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), got)
}

#[tokio::test]
async fn calls_are_counted_per_endpoint_and_token_and_reset_clears_them() {
    let sb = sandbox().await;
    let t = login(&sb, "user.info.basic").await;
    let token = t["access_token"].as_str().unwrap();
    for _ in 0..3 {
        client()
            .get(format!(
                "{}/v2/user/info/?fields=open_id",
                sb.base_url(Platform::TikTok)
            ))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
    }
    let seen = sb.inspect();
    assert_eq!(seen.calls_to("GET", "/tiktok/v2/user/info/"), 3);
    assert_eq!(seen.calls_to("POST", "/tiktok/v2/oauth/token/"), 1);
    assert_eq!(seen.calls_by_token[token], 3);
    let over_http: Inspection = client()
        .get(format!("{}/inspect", sb.control_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(over_http.calls_by_endpoint, seen.calls_by_endpoint);
    let r = client()
        .post(format!("{}/reset", sb.control_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(sb.inspect().calls.is_empty());
}

#[tokio::test]
async fn clock_moves_over_http_and_from_rust() {
    let sb = sandbox().await;
    let before = sb.now();
    let v: Value = client()
        .post(format!("{}/clock/advance", sb.control_url()))
        .json(&json!({"seconds": 3600}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v["now"].as_i64().unwrap() >= before + 3600);
    assert_eq!(v["offset_secs"], 3600);
    sb.advance_clock(Duration::from_secs(60)).await;
    assert_eq!(sb.inspect().clock_offset_secs, 3660);
    let r = client()
        .post(format!("{}/clock/advance", sb.control_url()))
        .json(&json!({"seconds": -5}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = client()
        .post(format!("{}/nope", sb.control_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn a_double_publish_is_visible() {
    let sb = sandbox().await;
    let t = login(&sb, "video.publish").await;
    let token = t["access_token"].as_str().unwrap();
    for _ in 0..2 {
        let init: Value = client()
            .post(format!("{}/v2/post/publish/video/init/", sb.base_url(Platform::TikTok)))
            .bearer_auth(token)
            .json(&json!({"post_info": {"title": "same", "privacy_level": "SELF_ONLY"}, "source_info": {"source": "FILE_UPLOAD", "video_size": 3, "chunk_size": 3, "total_chunk_count": 1}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        client()
            .put(init["data"]["upload_url"].as_str().unwrap())
            .header("Content-Type", "video/mp4")
            .header("Content-Range", "bytes 0-2/3")
            .body(vec![7u8, 7, 7])
            .send()
            .await
            .unwrap();
    }
    let seen = sb.inspect();
    assert_eq!(seen.published.len(), 2);
    assert_eq!(
        seen.max_publish_count(),
        2,
        "same bytes and caption = same logical post"
    );
}

#[tokio::test]
async fn seeded_apps_are_listed() {
    let sb = sandbox().await;
    let v: Value = client()
        .get(format!("{}/apps", sb.control_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["apps"].as_array().unwrap().len(), 3);
    assert_eq!(sb.apps().len(), 3);
    assert_eq!(sb.urls().len(), 3);
    assert_eq!(
        sb.urls()[0],
        (Platform::TikTok, format!("http://{}/tiktok", sb.addr()))
    );
}

#[tokio::test]
async fn tiktok_webhooks_are_signed_and_delivered_before_the_clock_call_returns() {
    let (url, got) = receiver().await;
    let sb = Sandbox::start(SandboxConfig {
        frozen_clock: true,
        webhook_url: Some(url),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let t = login(&sb, "video.publish").await;
    let init: Value = client()
        .post(format!("{}/v2/post/publish/video/init/", sb.base_url(Platform::TikTok)))
        .bearer_auth(t["access_token"].as_str().unwrap())
        .json(&json!({"post_info": {"title": "hook", "privacy_level": "PUBLIC_TO_EVERYONE"}, "source_info": {"source": "PULL_FROM_URL", "video_url": "https://media.outpost.example/a.mp4"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    sb.advance_clock(Duration::from_secs(40)).await;
    let received = got.lock().unwrap().clone();
    let events: Vec<Value> = received
        .iter()
        .map(|(_, b)| serde_json::from_slice(b).unwrap())
        .collect();
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["post.publish.complete", "post.publish.publicly_available"]
    );
    for ((headers, body), event) in received.iter().zip(&events) {
        let header = headers["tiktok-signature"].to_str().unwrap();
        let (t_part, s_part) = header.split_once(',').unwrap();
        let ts: i64 = t_part.strip_prefix("t=").unwrap().parse().unwrap();
        let expected = webhook::tiktok_signature(
            outpost_sandbox::config::TIKTOK_CLIENT_SECRET,
            ts,
            std::str::from_utf8(body).unwrap(),
        );
        assert_eq!(s_part.strip_prefix("s=").unwrap(), expected);
        let content: Value = serde_json::from_str(event["content"].as_str().unwrap()).unwrap();
        assert_eq!(content["publish_id"], init["data"]["publish_id"]);
        assert_eq!(
            event["client_key"],
            outpost_sandbox::config::TIKTOK_CLIENT_KEY
        );
    }
    assert!(sb
        .inspect()
        .webhooks
        .iter()
        .all(|w| w.delivered_status == Some(200)));
}

#[tokio::test]
async fn instagram_comment_webhooks_carry_the_meta_signature() {
    let (url, got) = receiver().await;
    let sb = sandbox().await;
    sb.set_webhook_url(Some(url));
    let media_id = sb.inspect().published.first().map(|p| p.id.clone());
    assert!(media_id.is_none());
    // Use a seeded media id from the Graph API.
    let (short, _) = {
        let location = crate::support::consent(
            &client(),
            &crate::support::url_with(
                &format!("{}/oauth/authorize", sb.base_url(Platform::Instagram)),
                &[
                    ("client_id", outpost_sandbox::config::INSTAGRAM_APP_ID),
                    ("redirect_uri", "https://outpost.example/oauth/instagram/"),
                    ("response_type", "code"),
                    ("scope", "instagram_business_basic"),
                ],
            ),
            true,
        )
        .await;
        let code = crate::support::query_of(&location)["code"].clone();
        let v: Value = client()
            .post(format!(
                "{}/oauth/access_token",
                sb.base_url(Platform::Instagram)
            ))
            .form(&[
                ("client_id", outpost_sandbox::config::INSTAGRAM_APP_ID),
                (
                    "client_secret",
                    outpost_sandbox::config::INSTAGRAM_APP_SECRET,
                ),
                ("grant_type", "authorization_code"),
                ("redirect_uri", "https://outpost.example/oauth/instagram/"),
                ("code", &code),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (
            v["data"][0]["access_token"].as_str().unwrap().to_string(),
            (),
        )
    };
    let list: Value = client()
        .get(format!(
            "{}/v23.0/me/media?access_token={short}",
            sb.base_url(Platform::Instagram)
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let media_id = list["data"][0]["id"].as_str().unwrap().to_string();
    let comment_id = sb.emit_instagram_comment(&media_id, "nice!").await.unwrap();
    let received = got.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    let (headers, body) = &received[0];
    assert_eq!(
        headers["x-hub-signature-256"].to_str().unwrap(),
        webhook::meta_header(outpost_sandbox::config::INSTAGRAM_APP_SECRET, body)
    );
    let v: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(v["object"], "instagram");
    assert_eq!(v["entry"][0]["changes"][0]["field"], "comments");
    assert_eq!(
        v["entry"][0]["changes"][0]["value"]["id"],
        comment_id.as_str()
    );
    assert_eq!(
        v["entry"][0]["changes"][0]["value"]["media"]["id"],
        media_id.as_str()
    );
    assert!(sb.emit_instagram_comment("nope", "x").await.is_none());
}

#[tokio::test]
async fn meta_subscription_handshake_checks_the_challenge_echo() {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::get(
            |q: axum::extract::Query<std::collections::HashMap<String, String>>| async move {
                if q.get("hub.mode").map(String::as_str) == Some("subscribe")
                    && q.get("hub.verify_token").map(String::as_str) == Some("vt")
                {
                    (
                        axum::http::StatusCode::OK,
                        q.get("hub.challenge").cloned().unwrap_or_default(),
                    )
                } else {
                    (axum::http::StatusCode::FORBIDDEN, String::new())
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let sb = sandbox().await;
    assert!(matches!(
        sb.verify_instagram_webhook("vt").await,
        Err(webhook::WebhookError::NoTarget)
    ));
    let r = client()
        .post(format!("{}/webhooks/target", sb.control_url()))
        .json(&json!({"url": url}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(sb.verify_instagram_webhook("vt").await.unwrap());
    assert!(!sb.verify_instagram_webhook("wrong").await.unwrap());
    let v: Value = client()
        .post(format!("{}/webhooks/instagram/verify", sb.control_url()))
        .json(&json!({"verify_token": "vt"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["verified"], true);
}
