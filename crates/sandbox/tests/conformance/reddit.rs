//! Reddit installed-app OAuth and API.

use std::time::Duration;

use futures_util::StreamExt;
use outpost_sandbox::config::REDDIT_CLIENT_ID;
use outpost_sandbox::{insights, Platform, Sandbox};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::support::{client, consent, query_of, sandbox, url_with};

const REDIRECT: &str = "http://127.0.0.1:65010/callback";

fn authorize_url(sb: &Sandbox, scope: &str, duration: &str) -> String {
    url_with(
        &format!("{}/api/v1/authorize", sb.base_url(Platform::Reddit)),
        &[
            ("client_id", REDDIT_CLIENT_ID),
            ("response_type", "code"),
            ("state", "rd-state"),
            ("redirect_uri", REDIRECT),
            ("duration", duration),
            ("scope", scope),
        ],
    )
}

async fn token_request(sb: &Sandbox, form: &[(&str, &str)]) -> reqwest::Response {
    client()
        .post(format!(
            "{}/api/v1/access_token",
            sb.base_url(Platform::Reddit)
        ))
        .basic_auth(REDDIT_CLIENT_ID, Some(""))
        .form(form)
        .send()
        .await
        .unwrap()
}

pub async fn login(sb: &Sandbox, scope: &str) -> Value {
    let location = consent(&client(), &authorize_url(sb, scope, "permanent"), true).await;
    let q = query_of(&location);
    assert_eq!(q["state"], "rd-state");
    let r = token_request(
        sb,
        &[
            ("grant_type", "authorization_code"),
            ("code", &q["code"]),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn api_get(
    sb: &Sandbox,
    path: &str,
    token: &str,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let r = client()
        .get(format!("{}{path}", sb.base_url(Platform::Reddit)))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    let h = r.headers().clone();
    (s, r.json().await.unwrap(), h)
}

async fn submit(sb: &Sandbox, token: &str, form: &[(&str, &str)]) -> Value {
    let r = client()
        .post(format!("{}/api/submit", sb.base_url(Platform::Reddit)))
        .bearer_auth(token)
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "business errors come inside HTTP 200");
    r.json().await.unwrap()
}

fn first_error(v: &Value) -> String {
    v["json"]["errors"][0][0].as_str().unwrap_or("").to_string()
}

#[tokio::test]
async fn whole_flow_authorize_token_profile_publish_status_insights() {
    let sb = sandbox().await;
    let t = login(&sb, "identity,submit,read,history").await;
    assert_eq!(t["token_type"], "bearer");
    assert_eq!(t["expires_in"], 3600);
    assert_eq!(t["scope"], "identity submit read history");
    assert!(t["refresh_token"].is_string());
    let token = t["access_token"].as_str().unwrap();

    let (s, me, headers) = api_get(&sb, "/api/v1/me", token).await;
    assert_eq!(s, 200);
    assert_eq!(me["name"], "sandbox_creator");
    assert!(me["total_karma"].is_u64());
    assert!(me["created_utc"].is_f64());
    assert_eq!(headers["x-ratelimit-used"], "1");
    assert_eq!(headers["x-ratelimit-remaining"], "999.0");
    assert!(
        headers["x-ratelimit-reset"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            <= 600
    );

    let v = submit(
        &sb,
        token,
        &[
            ("api_type", "json"),
            ("sr", "outpost_sandbox"),
            ("kind", "self"),
            ("title", "Hello from the sandbox"),
            ("text", "body"),
        ],
    )
    .await;
    assert_eq!(v["json"]["errors"], serde_json::json!([]));
    let id = v["json"]["data"]["id"].as_str().unwrap().to_string();
    assert_eq!(v["json"]["data"]["name"], format!("t3_{id}"));
    assert!(v["json"]["data"]["url"]
        .as_str()
        .unwrap()
        .contains(&format!("/comments/{id}/")));

    // Media post: lease → fake S3 → submit (no post id in the answer).
    let r = client()
        .post(format!(
            "{}/api/media/asset.json",
            sb.base_url(Platform::Reddit)
        ))
        .bearer_auth(token)
        .form(&[("filepath", "clip.mp4"), ("mimetype", "video/mp4")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let lease: Value = r.json().await.unwrap();
    let action = lease["args"]["action"].as_str().unwrap();
    assert!(action.starts_with("//"), "protocol-relative");
    // Older clients open the lease's websocket before submitting.
    let (mut lease_socket, _) =
        tokio_tungstenite::connect_async(lease["asset"]["websocket_url"].as_str().unwrap())
            .await
            .unwrap();
    let mut form = reqwest::multipart::Form::new();
    let mut key = String::new();
    for f in lease["args"]["fields"].as_array().unwrap() {
        let (n, v) = (
            f["name"].as_str().unwrap().to_string(),
            f["value"].as_str().unwrap().to_string(),
        );
        if n == "key" {
            key = v.clone();
        }
        form = form.text(n, v);
    }
    let bytes: Vec<u8> = (0..50_000u32).map(|i| (i % 7) as u8).collect();
    form = form.part(
        "file",
        reqwest::multipart::Part::bytes(bytes.clone()).file_name("clip.mp4"),
    );
    let r = client()
        .post(format!("http:{action}"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let xml = r.text().await.unwrap();
    assert!(xml.contains("<Location>"));
    let media_url = format!("http:{action}/{key}");
    let v = submit(
        &sb,
        token,
        &[
            ("api_type", "json"),
            ("sr", "videos"),
            ("kind", "video"),
            ("title", "A clip"),
            ("url", &media_url),
        ],
    )
    .await;
    assert_eq!(first_error(&v), "NO_URL", "video posts need a poster");
    let v = submit(
        &sb,
        token,
        &[
            ("api_type", "json"),
            ("sr", "videos"),
            ("kind", "video"),
            ("title", "A clip"),
            ("url", &media_url),
            ("video_poster_url", &media_url),
        ],
    )
    .await;
    assert_eq!(v["json"]["errors"], serde_json::json!([]), "{v}");
    assert!(v["json"]["data"]["websocket_url"].is_string());
    assert!(v["json"]["data"].get("id").is_none());
    // The post id arrives on the websocket.
    let (mut socket, _) =
        tokio_tungstenite::connect_async(v["json"]["data"]["websocket_url"].as_str().unwrap())
            .await
            .unwrap();
    let message = socket.next().await.unwrap().unwrap();
    let event: Value = serde_json::from_str(message.to_text().unwrap()).unwrap();
    assert_eq!(event["type"], "success");
    let redirect = event["payload"]["redirect"].as_str().unwrap();
    let video_id = redirect
        .split("/comments/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let early = lease_socket.next().await.unwrap().unwrap();
    assert_eq!(
        early.to_text().unwrap(),
        message.to_text().unwrap(),
        "the lease socket tells the same"
    );

    let seen = sb.inspect();
    assert_eq!(seen.published_on(Platform::Reddit).len(), 2);
    assert_eq!(seen.published[1].id, video_id);
    assert_eq!(
        seen.published[1].content_sha256.as_deref(),
        Some(hex::encode(Sha256::digest(&bytes)).as_str())
    );

    // "Insights": listing fields, growing with the clock.
    sb.advance_clock(Duration::from_secs(1800)).await;
    let (s, info, _) = api_get(&sb, &format!("/api/info?id=t3_{id}"), token).await;
    assert_eq!(s, 200);
    let post = &info["data"]["children"][0]["data"];
    assert_eq!(info["kind"], "Listing");
    assert_eq!(post["id"], id.as_str());
    let created = post["created_utc"].as_f64().unwrap() as i64;
    assert_eq!(
        post["score"].as_u64().unwrap(),
        insights::media_metric(42, &id, "likes", sb.now() - created).unwrap()
    );
    assert!(post["upvote_ratio"].is_f64());
    assert!(post["num_comments"].is_u64());
    let (s, by_id, _) = api_get(&sb, &format!("/by_id/t3_{id}"), token).await;
    assert_eq!(s, 200);
    assert_eq!(by_id["data"]["children"][0]["data"]["id"], id.as_str());
    let (s, mine, _) = api_get(&sb, "/user/sandbox_creator/submitted?limit=10", token).await;
    assert_eq!(s, 200);
    assert_eq!(mine["data"]["children"].as_array().unwrap().len(), 10);
    assert!(mine["data"]["after"].is_string());
    let (s, thread, _) = api_get(&sb, &format!("/comments/{id}"), token).await;
    assert_eq!(s, 200);
    assert_eq!(thread[0]["data"]["children"][0]["data"]["id"], id.as_str());
    assert!(thread[1]["data"]["children"].is_array());
    sb.shutdown().await;
}

#[tokio::test]
async fn token_endpoint_errors_and_refresh() {
    let sb = sandbox().await;
    // Bad Basic auth → 401.
    let r = client()
        .post(format!(
            "{}/api/v1/access_token",
            sb.base_url(Platform::Reddit)
        ))
        .basic_auth("unknown", Some(""))
        .form(&[("grant_type", "authorization_code")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], 401);
    // Bad code → invalid_grant in HTTP 200.
    let r = token_request(
        &sb,
        &[
            ("grant_type", "authorization_code"),
            ("code", "nope"),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_grant");
    let r = token_request(&sb, &[("grant_type", "password")]).await;
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "unsupported_grant_type"
    );
    // Temporary duration: no refresh token.
    let location = consent(
        &client(),
        &authorize_url(&sb, "identity", "temporary"),
        true,
    )
    .await;
    let code = query_of(&location)["code"].clone();
    let v: Value = token_request(
        &sb,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(v.get("refresh_token").is_none());
    // Reuse.
    let v: Value = token_request(
        &sb,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(v["error"], "invalid_grant");
    // Refresh does not rotate.
    let t = login(&sb, "identity").await;
    let rt = t["refresh_token"].as_str().unwrap();
    sb.advance_clock(Duration::from_secs(3600)).await;
    let (s, _, _) = api_get(&sb, "/api/v1/me", t["access_token"].as_str().unwrap()).await;
    assert_eq!(s, 401);
    for _ in 0..2 {
        let v: Value = token_request(
            &sb,
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        )
        .await
        .json()
        .await
        .unwrap();
        assert!(v["access_token"].is_string());
        assert!(v.get("refresh_token").is_none());
    }
    // Revoke the refresh token: it and its access tokens die.
    let v: Value = token_request(
        &sb,
        &[("grant_type", "refresh_token"), ("refresh_token", rt)],
    )
    .await
    .json()
    .await
    .unwrap();
    let r = client()
        .post(format!(
            "{}/api/v1/revoke_token",
            sb.base_url(Platform::Reddit)
        ))
        .basic_auth(REDDIT_CLIENT_ID, Some(""))
        .form(&[("token", rt), ("token_type_hint", "refresh_token")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (s, _, _) = api_get(&sb, "/api/v1/me", v["access_token"].as_str().unwrap()).await;
    assert_eq!(s, 401);
    let v: Value = token_request(
        &sb,
        &[("grant_type", "refresh_token"), ("refresh_token", rt)],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(v["error"], "invalid_grant");
}

#[tokio::test]
async fn authorize_errors_deny_scopes_and_user_agent() {
    let sb = sandbox().await;
    let location = consent(
        &client(),
        &authorize_url(&sb, "identity", "permanent"),
        false,
    )
    .await;
    let q = query_of(&location);
    assert_eq!(q["error"], "access_denied");
    assert_eq!(q["state"], "rd-state");
    let r = client()
        .get(authorize_url(&sb, "identity,everything", "permanent"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        query_of(r.headers()["location"].to_str().unwrap())["error"],
        "invalid_scope"
    );
    let r = client()
        .get(authorize_url(&sb, "identity", "forever"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        query_of(r.headers()["location"].to_str().unwrap())["error"],
        "invalid_request"
    );
    let wrong = authorize_url(&sb, "identity", "permanent").replace("65010", "65010%2Fx");
    assert_eq!(client().get(wrong).send().await.unwrap().status(), 400);

    let t = login(&sb, "identity").await;
    let token = t["access_token"].as_str().unwrap();
    // Missing scope → 403.
    let r = client()
        .post(format!("{}/api/submit", sb.base_url(Platform::Reddit)))
        .bearer_auth(token)
        .form(&[("sr", "test")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], 403);
    // No User-Agent → throttled.
    let bare = reqwest::Client::new();
    let r = bare
        .get(format!("{}/api/v1/me", sb.base_url(Platform::Reddit)))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let (s, v, _) = api_get(&sb, "/api/v1/me", "eyJbogus").await;
    assert_eq!(s, 401);
    assert_eq!(v["message"], "Unauthorized");
}

#[tokio::test]
async fn submit_business_errors_come_in_http_200() {
    let sb = sandbox().await;
    let t = login(&sb, "submit").await;
    let token = t["access_token"].as_str().unwrap();
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("kind", "self"), ("title", "t")], "SUBREDDIT_REQUIRED"),
        (
            vec![("sr", "nosuchsub"), ("kind", "self"), ("title", "t")],
            "SUBREDDIT_NOEXIST",
        ),
        (
            vec![("sr", "test"), ("kind", "self"), ("title", "")],
            "NO_TEXT",
        ),
        (
            vec![("sr", "test"), ("kind", "poll"), ("title", "t")],
            "INVALID_OPTION",
        ),
        (
            vec![("sr", "linksonly"), ("kind", "self"), ("title", "t")],
            "NO_SELFS",
        ),
        (
            vec![
                ("sr", "selfonly"),
                ("kind", "link"),
                ("title", "t"),
                ("url", "https://x.example"),
            ],
            "NO_LINKS",
        ),
        (
            vec![("sr", "flairrequired"), ("kind", "self"), ("title", "t")],
            "SUBMIT_VALIDATION_FLAIR_REQUIRED",
        ),
        (
            vec![("sr", "test"), ("kind", "link"), ("title", "t")],
            "NO_URL",
        ),
        (
            vec![
                ("sr", "test"),
                ("kind", "image"),
                ("title", "t"),
                ("url", "https://x.example/a.png"),
            ],
            "BAD_URL",
        ),
    ];
    for (form, expected) in cases {
        let v = submit(&sb, token, &form).await;
        assert_eq!(first_error(&v), expected, "{v}");
        assert_eq!(v["json"]["errors"][0].as_array().unwrap().len(), 3);
    }
    let long = "t".repeat(301);
    assert_eq!(
        first_error(
            &submit(
                &sb,
                token,
                &[("sr", "test"), ("kind", "self"), ("title", &long)]
            )
            .await
        ),
        "TOO_LONG"
    );
    // A repeated link is ALREADY_SUB unless resubmit=true; the 6th post in 10 minutes is RATELIMIT.
    let link = [
        ("sr", "test"),
        ("kind", "link"),
        ("title", "l"),
        ("url", "https://x.example/1"),
    ];
    assert!(first_error(&submit(&sb, token, &link).await).is_empty());
    assert_eq!(first_error(&submit(&sb, token, &link).await), "ALREADY_SUB");
    for i in 0..4 {
        let title = format!("post {i}");
        assert!(first_error(
            &submit(
                &sb,
                token,
                &[("sr", "test"), ("kind", "self"), ("title", &title)]
            )
            .await
        )
        .is_empty());
    }
    let v = submit(
        &sb,
        token,
        &[("sr", "test"), ("kind", "self"), ("title", "one too many")],
    )
    .await;
    assert_eq!(first_error(&v), "RATELIMIT");
    assert!(v["json"]["errors"][0][1]
        .as_str()
        .unwrap()
        .contains("minutes"));
    assert_eq!(sb.inspect().published_on(Platform::Reddit).len(), 5);
}

#[tokio::test]
async fn fake_s3_rejects_auth_headers_unknown_keys_and_bad_multipart() {
    let sb = sandbox().await;
    let url = format!(
        "{}/_s3/reddit-uploaded-media",
        sb.base_url(Platform::Reddit)
    );
    let form = reqwest::multipart::Form::new()
        .text("key", "rte_images/nope")
        .part("file", reqwest::multipart::Part::bytes(vec![1, 2, 3]));
    let r = client().post(&url).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("<Code>AccessDenied</Code>"));
    let form = reqwest::multipart::Form::new().text("key", "x");
    let r = client()
        .post(&url)
        .bearer_auth("t")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = client()
        .post(&url)
        .header("Content-Type", "multipart/form-data; boundary=zzz")
        .body("garbage")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn a_failed_media_post_is_told_on_its_websocket_and_not_recorded() {
    let sb = sandbox().await;
    let t = login(&sb, "submit,read").await;
    let token = t["access_token"].as_str().unwrap();
    let lease: Value = client()
        .post(format!(
            "{}/api/media/asset.json",
            sb.base_url(Platform::Reddit)
        ))
        .bearer_auth(token)
        .form(&[("filepath", "a.png"), ("mimetype", "image/png")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let action = lease["args"]["action"].as_str().unwrap();
    let mut form = reqwest::multipart::Form::new();
    let mut key = String::new();
    for f in lease["args"]["fields"].as_array().unwrap() {
        let (n, v) = (
            f["name"].as_str().unwrap().to_string(),
            f["value"].as_str().unwrap().to_string(),
        );
        if n == "key" {
            key = v.clone();
        }
        form = form.text(n, v);
    }
    form = form.part(
        "file",
        reqwest::multipart::Part::bytes(vec![1u8; 64]).file_name("a.png"),
    );
    assert_eq!(
        client()
            .post(format!("http:{action}"))
            .multipart(form)
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    sb.set_faults("publish_fail".parse().unwrap());
    let v = submit(
        &sb,
        token,
        &[
            ("api_type", "json"),
            ("sr", "pics"),
            ("kind", "image"),
            ("title", "pic"),
            ("url", &format!("http:{action}/{key}")),
        ],
    )
    .await;
    assert_eq!(v["json"]["errors"], serde_json::json!([]));
    let (mut socket, _) =
        tokio_tungstenite::connect_async(v["json"]["data"]["websocket_url"].as_str().unwrap())
            .await
            .unwrap();
    let event: Value =
        serde_json::from_str(socket.next().await.unwrap().unwrap().to_text().unwrap()).unwrap();
    assert_eq!(event["type"], "failed");
    assert!(sb.inspect().published.is_empty());
    let r =
        tokio_tungstenite::connect_async(format!("ws://{}/reddit/_ws/post/nope", sb.addr())).await;
    assert!(r.is_err(), "unknown post: no upgrade");
}
