//! Fault injection: throttling bursts, 5xx, dropped bodies, early token expiry and
//! revocation, failed publishes, container errors; deterministic under the seed.

use std::time::Duration;

use outpost_sandbox::config::{TIKTOK_CLIENT_KEY, TIKTOK_CLIENT_SECRET};
use outpost_sandbox::{FaultSpec, Platform, Sandbox, SandboxConfig};
use serde_json::{json, Value};

use crate::support::{client, sandbox};
use crate::tiktok::login;

async fn user_info(sb: &Sandbox, token: &str) -> reqwest::Response {
    client()
        .get(format!(
            "{}/v2/user/info/?fields=open_id",
            sb.base_url(Platform::TikTok)
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn burst_of_429_then_normal_service_per_platform() {
    let sb = sandbox().await;
    let t = login(&sb, "user.info.basic").await;
    let token = t["access_token"].as_str().unwrap();
    let r = client()
        .put(format!("{}/faults", sb.control_url()))
        .body("429burst=2")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["spec"], "429burst=2");
    for _ in 0..2 {
        let r = user_info(&sb, token).await;
        assert_eq!(r.status(), 429);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "rate_limit_exceeded");
    }
    assert_eq!(user_info(&sb, token).await.status(), 200);
    // Instagram has its own burst, with Meta's throttling envelope.
    let r = client()
        .get(format!(
            "{}/v23.0/me?access_token=x",
            sb.base_url(Platform::Instagram)
        ))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], 80002);
    let r = client()
        .get(format!("{}/api/v1/me", sb.base_url(Platform::Reddit)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
}

#[tokio::test]
async fn server_errors_use_each_platforms_shape() {
    let sb = sandbox().await;
    let t = login(&sb, "user.info.basic").await;
    sb.set_faults("5xx=1".parse().unwrap());
    let r = user_info(&sb, t["access_token"].as_str().unwrap()).await;
    assert_eq!(r.status(), 500);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "internal_error"
    );
    let r = client()
        .get(format!("{}/v23.0/me", sb.base_url(Platform::Instagram)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["is_transient"], true);
    let r = client()
        .get(format!("{}/api/v1/me", sb.base_url(Platform::Reddit)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
}

#[tokio::test]
async fn dropped_connections_cut_the_body() {
    let sb = sandbox().await;
    let t = login(&sb, "user.info.basic").await;
    sb.set_faults("drop=1".parse().unwrap());
    let sent = client()
        .get(format!(
            "{}/v2/user/info/?fields=open_id",
            sb.base_url(Platform::TikTok)
        ))
        .bearer_auth(t["access_token"].as_str().unwrap())
        .send()
        .await;
    // The connection dies mid-response: either before the head is read or in the body.
    if let Ok(r) = sent {
        assert!(r.text().await.is_err(), "the body must not arrive whole");
    }
    sb.set_faults(FaultSpec::default());
    assert_eq!(
        user_info(&sb, t["access_token"].as_str().unwrap())
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn fault_decisions_are_deterministic_under_the_seed() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let sb = Sandbox::start(SandboxConfig {
            frozen_clock: true,
            seed: 9,
            faults: "5xx=0.5".parse().unwrap(),
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let mut statuses = Vec::new();
        for _ in 0..30 {
            let r = client()
                .get(format!("{}/api/v1/me", sb.base_url(Platform::Reddit)))
                .header("Authorization", "bearer x")
                .send()
                .await
                .unwrap();
            statuses.push(r.status().as_u16());
        }
        assert!(
            statuses.contains(&503) && statuses.contains(&401),
            "{statuses:?}"
        );
        runs.push(statuses);
        sb.shutdown().await;
    }
    assert_eq!(runs[0], runs[1]);
}

async fn refresh(sb: &Sandbox, rt: &str) -> reqwest::Response {
    client()
        .post(format!("{}/v2/oauth/token/", sb.base_url(Platform::TikTok)))
        .form(&[
            ("client_key", TIKTOK_CLIENT_KEY),
            ("client_secret", TIKTOK_CLIENT_SECRET),
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn expire_tokens_forces_one_refresh() {
    let sb = Sandbox::start(SandboxConfig {
        frozen_clock: true,
        faults: "expire_tokens".parse().unwrap(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let t = login(&sb, "user.info.basic").await;
    let r = user_info(&sb, t["access_token"].as_str().unwrap()).await;
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["message"],
        "The access token has expired."
    );
    let t2: Value = refresh(&sb, t["refresh_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        user_info(&sb, t2["access_token"].as_str().unwrap())
            .await
            .status(),
        200
    );
    assert_eq!(
        user_info(&sb, t2["access_token"].as_str().unwrap())
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn revoke_tokens_forces_a_new_login() {
    let sb = Sandbox::start(SandboxConfig {
        frozen_clock: true,
        faults: "revoke_tokens".parse().unwrap(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let t = login(&sb, "user.info.basic").await;
    assert_eq!(
        user_info(&sb, t["access_token"].as_str().unwrap())
            .await
            .status(),
        401
    );
    let r = refresh(&sb, t["refresh_token"].as_str().unwrap()).await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_grant");
    // From Rust too: expire everything, refresh works; revoke everything, it does not.
    sb.set_faults(FaultSpec::default());
    let t = login(&sb, "user.info.basic").await;
    sb.expire_all_tokens();
    assert_eq!(
        user_info(&sb, t["access_token"].as_str().unwrap())
            .await
            .status(),
        401
    );
    let t2: Value = refresh(&sb, t["refresh_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    sb.revoke_all_tokens();
    assert_eq!(
        user_info(&sb, t2["access_token"].as_str().unwrap())
            .await
            .status(),
        401
    );
    assert_eq!(
        refresh(&sb, t2["refresh_token"].as_str().unwrap())
            .await
            .status(),
        400
    );
}

#[tokio::test]
async fn publish_fail_ends_in_failed_and_records_nothing() {
    let sb = sandbox().await;
    let t = login(&sb, "video.publish").await;
    let token = t["access_token"].as_str().unwrap();
    sb.set_faults("publish_fail".parse().unwrap());
    let base = sb.base_url(Platform::TikTok);
    let init: Value = client()
        .post(format!("{base}/v2/post/publish/video/init/"))
        .bearer_auth(token)
        .json(&json!({"post_info": {"privacy_level": "SELF_ONLY"}, "source_info": {"source": "FILE_UPLOAD", "video_size": 4, "chunk_size": 4, "total_chunk_count": 1}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = client()
        .put(init["data"]["upload_url"].as_str().unwrap())
        .header("Content-Type", "video/mp4")
        .header("Content-Range", "bytes 0-3/4")
        .body(vec![1u8, 2, 3, 4])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    sb.advance_clock(Duration::from_secs(10)).await;
    let st: Value = client()
        .post(format!("{base}/v2/post/publish/status/fetch/"))
        .bearer_auth(token)
        .json(&json!({"publish_id": init["data"]["publish_id"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(st["data"]["status"], "FAILED");
    assert_eq!(st["data"]["fail_reason"], "internal");
    assert!(sb.inspect().published.is_empty());
}

#[tokio::test]
async fn bad_fault_specs_are_refused_with_a_message() {
    let sb = sandbox().await;
    let r = client()
        .post(format!("{}/faults", sb.control_url()))
        .body("5xx=7")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.json::<Value>().await.unwrap()["error"]
        .as_str()
        .unwrap()
        .contains("5xx"));
    let r = client()
        .post(format!("{}/faults", sb.control_url()))
        .json(&json!({"spec": "latency=1ms,drop=0"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(sb.faults().latency, Duration::from_millis(1));
}

#[tokio::test]
async fn expire_tokens_on_instagram_forces_one_re_login() {
    let sb = Sandbox::start(SandboxConfig {
        frozen_clock: true,
        faults: "expire_tokens".parse().unwrap(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let me = |token: String| {
        let base = sb.base_url(Platform::Instagram);
        async move {
            client()
                .get(format!("{base}/v23.0/me?access_token={token}"))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let (short, _) = crate::instagram::short_token(&sb, "instagram_business_basic").await;
    // The token endpoint is exempt: the exchange works, the first API call does not.
    let long = crate::instagram::long_token(&sb, &short).await;
    let v = me(long["access_token"].as_str().unwrap().to_string()).await;
    assert_eq!(v["error"]["code"], 190);
    assert_eq!(v["error"]["error_subcode"], 463);
    let (short, _) = crate::instagram::short_token(&sb, "instagram_business_basic").await;
    let long = crate::instagram::long_token(&sb, &short).await;
    assert!(me(long["access_token"].as_str().unwrap().to_string()).await["id"].is_string());
}
