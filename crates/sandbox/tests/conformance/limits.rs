//! Rate limits as documented: Instagram's hourly calls per account with its usage headers,
//! Reddit's per-client budget with `X-Ratelimit-*`, TikTok's per-token status budget.

use std::time::Duration;

use outpost_sandbox::Platform;
use serde_json::{json, Value};

use crate::support::{client, sandbox};

#[tokio::test]
async fn instagram_allows_200_calls_per_account_per_hour_and_reports_usage() {
    let sb = sandbox().await;
    let (token, user_id) = crate::instagram::short_token(&sb, "instagram_business_basic").await;
    let url = format!(
        "{}/v23.0/me?access_token={token}",
        sb.base_url(Platform::Instagram)
    );
    let c = client();
    let mut last = None;
    for _ in 0..200 {
        let r = c.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 200);
        last = Some(r.headers().clone());
    }
    let headers = last.unwrap();
    let usage: Value =
        serde_json::from_str(headers["x-business-use-case-usage"].to_str().unwrap()).unwrap();
    assert_eq!(usage[&user_id][0]["call_count"], 100);
    let r = c.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let usage: Value =
        serde_json::from_str(r.headers()["x-business-use-case-usage"].to_str().unwrap()).unwrap();
    assert!(
        usage[&user_id][0]["estimated_time_to_regain_access"]
            .as_u64()
            .unwrap()
            > 0
    );
    let app: Value = serde_json::from_str(r.headers()["x-app-usage"].to_str().unwrap()).unwrap();
    assert_eq!(app["call_count"], 100);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], 80002);
    sb.advance_clock(Duration::from_secs(3600)).await;
    // The short-lived token is gone by now; the budget is back for a new one.
    let (token, _) = crate::instagram::short_token(&sb, "instagram_business_basic").await;
    let r = c
        .get(format!(
            "{}/v23.0/me?access_token={token}",
            sb.base_url(Platform::Instagram)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn reddit_allows_1000_requests_per_client_per_10_minutes() {
    let sb = sandbox().await;
    let t = crate::reddit::login(&sb, "identity").await;
    let url = format!("{}/api/v1/me", sb.base_url(Platform::Reddit));
    let token = t["access_token"].as_str().unwrap();
    let c = client();
    let mut last = None;
    for _ in 0..1000 {
        let r = c.get(&url).bearer_auth(token).send().await.unwrap();
        assert_eq!(r.status(), 200);
        last = Some(r.headers().clone());
    }
    let headers = last.unwrap();
    assert_eq!(headers["x-ratelimit-used"], "1000");
    assert_eq!(headers["x-ratelimit-remaining"], "0.0");
    let r = c.get(&url).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("x-ratelimit-reset"));
    let reset: u64 = r.headers()["x-ratelimit-reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    sb.advance_clock(Duration::from_secs(reset)).await;
    let r = c.get(&url).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-ratelimit-used"], "1");
}

#[tokio::test]
async fn tiktok_status_fetch_allows_30_per_minute_per_token() {
    let sb = sandbox().await;
    let t = crate::tiktok::login(&sb, "video.upload").await;
    let token = t["access_token"].as_str().unwrap();
    let url = format!(
        "{}/v2/post/publish/status/fetch/",
        sb.base_url(Platform::TikTok)
    );
    let c = client();
    for _ in 0..30 {
        let r = c
            .post(&url)
            .bearer_auth(token)
            .json(&json!({"publish_id": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "counted even when refused");
    }
    let r = c
        .post(&url)
        .bearer_auth(token)
        .json(&json!({"publish_id": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "rate_limit_exceeded"
    );
}
