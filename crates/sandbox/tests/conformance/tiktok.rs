//! TikTok: Login Kit for Desktop, Display API and Content Posting API.

use std::time::Duration;

use outpost_sandbox::config::{TIKTOK_CLIENT_KEY, TIKTOK_CLIENT_SECRET};
use outpost_sandbox::{oauth, PkceEncoding, Platform, RegisteredApp, Sandbox, SandboxConfig};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::support::{
    client, consent, consent_as, query_of, sandbox, url_with, REDIRECT, VERIFIER,
};

const ALL_SCOPES: &str =
    "user.info.basic,user.info.profile,user.info.stats,video.list,video.upload,video.publish";

fn authorize_url(sb: &Sandbox, client_key: &str, scopes: &str, challenge: &str) -> String {
    url_with(
        &format!("{}/v2/auth/authorize/", sb.base_url(Platform::TikTok)),
        &[
            ("client_key", client_key),
            ("scope", scopes),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("state", "st-123"),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ],
    )
}

async fn code_for(sb: &Sandbox, scopes: &str) -> String {
    let c = client();
    let location = consent(
        &c,
        &authorize_url(
            sb,
            TIKTOK_CLIENT_KEY,
            scopes,
            &oauth::challenge_hex(VERIFIER),
        ),
        true,
    )
    .await;
    assert!(location.starts_with(REDIRECT));
    let q = query_of(&location);
    assert_eq!(q["state"], "st-123");
    assert_eq!(q["scopes"], scopes);
    q["code"].clone()
}

async fn exchange(sb: &Sandbox, code: &str, verifier: &str) -> reqwest::Response {
    client()
        .post(format!("{}/v2/oauth/token/", sb.base_url(Platform::TikTok)))
        .form(&[
            ("client_key", TIKTOK_CLIENT_KEY),
            ("client_secret", TIKTOK_CLIENT_SECRET),
            ("code", code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap()
}

pub async fn login(sb: &Sandbox, scopes: &str) -> Value {
    let code = code_for(sb, scopes).await;
    let r = exchange(sb, &code, VERIFIER).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn api(
    sb: &Sandbox,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = client()
        .request(method, format!("{}{path}", sb.base_url(Platform::TikTok)))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

fn assert_api_error(v: &Value, code: &str) {
    assert_eq!(v["error"]["code"], code, "{v}");
    assert!(v["error"]["message"].is_string());
    assert!(v["error"]["log_id"].as_str().is_some_and(|s| !s.is_empty()));
}

fn assert_oauth_error(v: &Value, error: &str) {
    assert_eq!(v["error"], error, "{v}");
    assert!(v["error_description"].is_string());
    assert!(v["log_id"].is_string());
}

async fn put_chunk(url: &str, bytes: Vec<u8>, first: u64, total: u64) -> reqwest::Response {
    let last = first + bytes.len() as u64 - 1;
    client()
        .put(url)
        .header("Content-Type", "video/mp4")
        .header("Content-Range", format!("bytes {first}-{last}/{total}"))
        .body(bytes)
        .send()
        .await
        .unwrap()
}

fn video(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

#[tokio::test]
async fn whole_flow_authorize_token_profile_publish_status_insights() {
    let sb = sandbox().await;
    let tokens = login(&sb, ALL_SCOPES).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 7200);
    assert_eq!(tokens["refresh_expires_in"], 15_552_000);
    assert!(tokens["access_token"].as_str().unwrap().starts_with("act."));
    assert!(tokens["refresh_token"]
        .as_str()
        .unwrap()
        .starts_with("rft."));
    assert_eq!(tokens["scope"], ALL_SCOPES);
    let token = tokens["access_token"].as_str().unwrap();

    let (s, me) = api(
        &sb,
        reqwest::Method::GET,
        "/v2/user/info/?fields=open_id,display_name,username,follower_count,video_count",
        token,
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(me["error"]["code"], "ok");
    assert_eq!(me["data"]["user"]["open_id"], tokens["open_id"]);
    assert!(me["data"]["user"]["follower_count"].is_u64());
    assert_eq!(me["data"]["user"]["video_count"], 25);
    assert!(
        me["data"]["user"].get("avatar_url").is_none(),
        "only requested fields"
    );

    let (s, info) = api(
        &sb,
        reqwest::Method::POST,
        "/v2/post/publish/creator_info/query/",
        token,
        None,
    )
    .await;
    assert_eq!(s, 200);
    let options = info["data"]["privacy_level_options"].as_array().unwrap();
    assert!(options.contains(&json!("PUBLIC_TO_EVERYONE")));
    assert!(info["data"]["creator_nickname"].is_string());
    assert!(info["data"]["max_video_post_duration_sec"].is_u64());

    // 12 MiB in chunks of 5 MiB: floor(12/5) = 2 chunks, the last one absorbs 7 MiB.
    let size = 12 * 1024 * 1024;
    let chunk = 5 * 1024 * 1024;
    let bytes = video(size);
    let (s, init) = api(
        &sb,
        reqwest::Method::POST,
        "/v2/post/publish/video/init/",
        token,
        Some(json!({
            "post_info": {"title": "hello #sandbox", "privacy_level": "PUBLIC_TO_EVERYONE", "disable_comment": true},
            "source_info": {"source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk, "total_chunk_count": 2}
        })),
    )
    .await;
    assert_eq!(s, 200, "{init}");
    let publish_id = init["data"]["publish_id"].as_str().unwrap().to_string();
    assert!(publish_id.starts_with("v_pub_file~v2-1."));
    let upload_url = init["data"]["upload_url"].as_str().unwrap().to_string();
    assert!(upload_url.starts_with(&format!(
        "{}/video/?upload_id=",
        sb.base_url(Platform::TikTok)
    )));

    let status = |sb: &Sandbox| {
        let id = publish_id.clone();
        let base = sb.base_url(Platform::TikTok);
        let token = token.to_string();
        async move {
            let r = client()
                .post(format!("{base}/v2/post/publish/status/fetch/"))
                .bearer_auth(token)
                .json(&json!({"publish_id": id}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()
        }
    };

    let r = put_chunk(&upload_url, bytes[..chunk].to_vec(), 0, size as u64).await;
    assert_eq!(r.status(), 206);
    let st = status(&sb).await;
    assert_eq!(st["data"]["status"], "PROCESSING_UPLOAD");
    assert_eq!(st["data"]["uploaded_bytes"], chunk);
    let r = put_chunk(
        &upload_url,
        bytes[chunk..].to_vec(),
        chunk as u64,
        size as u64,
    )
    .await;
    assert_eq!(r.status(), 201);

    sb.advance_clock(Duration::from_secs(6)).await;
    let st = status(&sb).await;
    assert_eq!(st["data"]["status"], "PUBLISH_COMPLETE");
    assert_eq!(st["data"]["uploaded_bytes"], size);
    assert_eq!(st["data"]["publicaly_available_post_id"], json!([]));
    sb.advance_clock(Duration::from_secs(30)).await;
    let st = status(&sb).await;
    let post_ids = st["data"]["publicaly_available_post_id"]
        .as_array()
        .unwrap();
    assert_eq!(post_ids.len(), 1);
    let post_id = post_ids[0].as_u64().unwrap().to_string();

    let seen = sb.inspect();
    let published = seen.published_on(Platform::TikTok);
    assert_eq!(published.len(), 1);
    assert_eq!(seen.max_publish_count(), 1);
    assert_eq!(
        published[0].content_sha256.as_deref(),
        Some(hex::encode(Sha256::digest(&bytes)).as_str())
    );
    assert_eq!(published[0].bytes, size as u64);
    assert_eq!(published[0].caption, "hello #sandbox");

    // Insights: the new video is listed first and its counters grow with sandbox time.
    let list_path = "/v2/video/list/?fields=id,title,create_time,view_count,like_count";
    let (s, list) = api(
        &sb,
        reqwest::Method::POST,
        list_path,
        token,
        Some(json!({"max_count": 5})),
    )
    .await;
    assert_eq!(s, 200);
    let first = &list["data"]["videos"][0];
    assert_eq!(first["id"], post_id.as_str());
    let views_now = first["view_count"].as_u64().unwrap();
    let created = first["create_time"].as_i64().unwrap();
    let expected = outpost_sandbox::insights::views(42, &post_id, sb.now() - created);
    assert_eq!(views_now, expected);
    sb.advance_clock(Duration::from_secs(3600)).await;
    let (_, later) = api(
        &sb,
        reqwest::Method::POST,
        list_path,
        token,
        Some(json!({"max_count": 5})),
    )
    .await;
    assert!(later["data"]["videos"][0]["view_count"].as_u64().unwrap() > views_now);
    sb.shutdown().await;
}

#[tokio::test]
async fn deny_redirects_with_access_denied_and_state() {
    let sb = sandbox().await;
    let location = consent(
        &client(),
        &authorize_url(
            &sb,
            TIKTOK_CLIENT_KEY,
            "user.info.basic",
            &oauth::challenge_hex(VERIFIER),
        ),
        false,
    )
    .await;
    let q = query_of(&location);
    assert_eq!(q["error"], "access_denied");
    assert_eq!(q["state"], "st-123");
    assert!(q.contains_key("error_description"));
    assert!(!q.contains_key("code"));
}

#[tokio::test]
async fn authorize_rejects_unknown_client_and_unregistered_redirect_without_redirecting() {
    let sb = sandbox().await;
    let r = client()
        .get(authorize_url(&sb, "nope", "user.info.basic", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("client_key"));
    let url = authorize_url(&sb, TIKTOK_CLIENT_KEY, "user.info.basic", "x")
        .replace("53682%2Fcallback%2F", "53682%2Fother%2F");
    let r = client().get(url).send().await.unwrap();
    assert_eq!(r.status(), 400);
    // Unknown scope: redirected with invalid_scope.
    let r = client()
        .get(authorize_url(
            &sb,
            TIKTOK_CLIENT_KEY,
            "video.everything",
            "x",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(
        query_of(r.headers()["location"].to_str().unwrap())["error"],
        "invalid_scope"
    );
}

#[tokio::test]
async fn token_exchange_checks_pkce_encoding_code_reuse_and_expiry() {
    let extra = RegisteredApp {
        platform: Platform::TikTok,
        client_id: "b64app".into(),
        client_secret: Some("b64secret".into()),
        name: "Base64 app".into(),
        redirect_uris: vec!["http://127.0.0.1:*/callback/".into()],
        pkce: PkceEncoding::Base64Url,
        audited: true,
        verified_url_prefixes: vec![],
    };
    let sb = Sandbox::start(SandboxConfig {
        frozen_clock: true,
        seed: 42,
        extra_apps: vec![extra],
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    // Wrong verifier for the hex challenge.
    let code = code_for(&sb, "user.info.basic").await;
    let r = exchange(&sb, &code, &"x".repeat(43)).await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_oauth_error(&v, "invalid_request");
    assert_eq!(
        v["error_description"],
        "Code verifier or code challenge is invalid."
    );

    // A base64url challenge on the hex (desktop) app fails at the token endpoint.
    let c = client();
    let loc = consent(
        &c,
        &authorize_url(
            &sb,
            TIKTOK_CLIENT_KEY,
            "user.info.basic",
            &oauth::challenge_b64(VERIFIER),
        ),
        true,
    )
    .await;
    let r = exchange(&sb, &query_of(&loc)["code"], VERIFIER).await;
    assert_eq!(r.status(), 400);

    // ...and works on an app configured for base64url.
    let loc = consent(
        &c,
        &authorize_url(
            &sb,
            "b64app",
            "user.info.basic",
            &oauth::challenge_b64(VERIFIER),
        ),
        true,
    )
    .await;
    let r = client()
        .post(format!("{}/v2/oauth/token/", sb.base_url(Platform::TikTok)))
        .form(&[
            ("client_key", "b64app"),
            ("client_secret", "b64secret"),
            ("code", query_of(&loc)["code"].as_str()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Single use.
    let code = code_for(&sb, "user.info.basic").await;
    assert_eq!(exchange(&sb, &code, VERIFIER).await.status(), 200);
    let r = exchange(&sb, &code, VERIFIER).await;
    assert_eq!(r.status(), 400);
    assert_oauth_error(&r.json().await.unwrap(), "invalid_grant");

    // Expiry.
    let code = code_for(&sb, "user.info.basic").await;
    sb.advance_clock(Duration::from_secs(601)).await;
    assert_oauth_error(
        &exchange(&sb, &code, VERIFIER).await.json().await.unwrap(),
        "invalid_grant",
    );

    // Wrong secret.
    let r = client()
        .post(format!("{}/v2/oauth/token/", sb.base_url(Platform::TikTok)))
        .form(&[
            ("client_key", TIKTOK_CLIENT_KEY),
            ("client_secret", "wrong"),
            ("grant_type", "authorization_code"),
            ("code", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_oauth_error(&r.json().await.unwrap(), "invalid_client");

    // Unsupported grant.
    let r = client()
        .post(format!("{}/v2/oauth/token/", sb.base_url(Platform::TikTok)))
        .form(&[
            ("client_key", TIKTOK_CLIENT_KEY),
            ("client_secret", TIKTOK_CLIENT_SECRET),
            ("grant_type", "password"),
        ])
        .send()
        .await
        .unwrap();
    assert_oauth_error(&r.json().await.unwrap(), "unsupported_grant_type");
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
async fn access_tokens_expire_after_two_hours_and_refresh_tokens_rotate() {
    let sb = sandbox().await;
    let t = login(&sb, "user.info.basic").await;
    let path = "/v2/user/info/?fields=open_id";
    sb.advance_clock(Duration::from_secs(7200)).await;
    let (s, v) = api(
        &sb,
        reqwest::Method::GET,
        path,
        t["access_token"].as_str().unwrap(),
        None,
    )
    .await;
    assert_eq!(s, 401);
    assert_api_error(&v, "access_token_invalid");

    let old_rt = t["refresh_token"].as_str().unwrap();
    let r = refresh(&sb, old_rt).await;
    assert_eq!(r.status(), 200);
    let t2: Value = r.json().await.unwrap();
    assert_ne!(t2["refresh_token"], t["refresh_token"]);
    assert_eq!(t2["expires_in"], 7200);
    let (s, _) = api(
        &sb,
        reqwest::Method::GET,
        path,
        t2["access_token"].as_str().unwrap(),
        None,
    )
    .await;
    assert_eq!(s, 200);
    // The old refresh token stopped working once the new one was issued.
    let r = refresh(&sb, old_rt).await;
    assert_eq!(r.status(), 400);
    assert_oauth_error(&r.json().await.unwrap(), "invalid_grant");
    assert_eq!(
        refresh(&sb, t2["refresh_token"].as_str().unwrap())
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn revoke_kills_the_access_token() {
    let sb = sandbox().await;
    let t = login(&sb, "user.info.basic").await;
    let token = t["access_token"].as_str().unwrap();
    let r = client()
        .post(format!(
            "{}/v2/oauth/revoke/",
            sb.base_url(Platform::TikTok)
        ))
        .form(&[
            ("client_key", TIKTOK_CLIENT_KEY),
            ("client_secret", TIKTOK_CLIENT_SECRET),
            ("token", token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (s, v) = api(
        &sb,
        reqwest::Method::GET,
        "/v2/user/info/?fields=open_id",
        token,
        None,
    )
    .await;
    assert_eq!(s, 401);
    assert_api_error(&v, "access_token_invalid");
    assert_eq!(
        refresh(&sb, t["refresh_token"].as_str().unwrap())
            .await
            .status(),
        400
    );
}

#[tokio::test]
async fn scopes_are_enforced_per_endpoint_and_per_field() {
    let sb = sandbox().await;
    let t = login(&sb, "user.info.basic").await;
    let token = t["access_token"].as_str().unwrap();
    let (s, v) = api(
        &sb,
        reqwest::Method::POST,
        "/v2/post/publish/creator_info/query/",
        token,
        None,
    )
    .await;
    assert_eq!(s, 401);
    assert_api_error(&v, "scope_not_authorized");
    let (s, v) = api(
        &sb,
        reqwest::Method::GET,
        "/v2/user/info/?fields=open_id,follower_count",
        token,
        None,
    )
    .await;
    assert_eq!(s, 401);
    assert_api_error(&v, "scope_permission_missed");
    let (s, v) = api(&sb, reqwest::Method::GET, "/v2/user/info/", token, None).await;
    assert_eq!(s, 400);
    assert_api_error(&v, "invalid_params");
    let (s, v) = api(
        &sb,
        reqwest::Method::GET,
        "/v2/user/info/?fields=open_id",
        "act.bogus",
        None,
    )
    .await;
    assert_eq!(s, 401);
    assert_api_error(&v, "access_token_invalid");
}

#[tokio::test]
async fn init_validates_body_chunks_privacy_urls_and_rate() {
    let sb = sandbox().await;
    let t = login(&sb, ALL_SCOPES).await;
    let token = t["access_token"].as_str().unwrap();
    let path = "/v2/post/publish/video/init/";
    let r = client()
        .post(format!("{}{path}", sb.base_url(Platform::TikTok)))
        .bearer_auth(token)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_api_error(&r.json().await.unwrap(), "invalid_params");

    let post = |source: Value, privacy: &str| json!({"post_info": {"title": "t", "privacy_level": privacy}, "source_info": source});
    // ceil instead of floor.
    let (s, v) = api(&sb, reqwest::Method::POST, path, token, Some(post(json!({"source": "FILE_UPLOAD", "video_size": 50_000_123, "chunk_size": 10_000_000, "total_chunk_count": 6}), "SELF_ONLY"))).await;
    assert_eq!(s, 400);
    assert_api_error(&v, "invalid_params");
    let (s, v) = api(&sb, reqwest::Method::POST, path, token, Some(post(json!({"source": "FILE_UPLOAD", "video_size": 100, "chunk_size": 100, "total_chunk_count": 1}), "FOLLOWER_OF_CREATOR"))).await;
    assert_eq!(s, 400);
    assert_api_error(&v, "privacy_level_option_mismatch");
    let (s, v) = api(
        &sb,
        reqwest::Method::POST,
        path,
        token,
        Some(post(
            json!({"source": "PULL_FROM_URL", "video_url": "https://elsewhere.example/v.mp4"}),
            "SELF_ONLY",
        )),
    )
    .await;
    assert_eq!(s, 403);
    assert_api_error(&v, "url_ownership_unverified");
    let (s, v) = api(
        &sb,
        reqwest::Method::POST,
        path,
        token,
        Some(json!({"source_info": {"source": "FILE_UPLOAD"}})),
    )
    .await;
    assert_eq!(s, 400);
    assert_api_error(&v, "invalid_params");
    let long = "x".repeat(2201);
    let (s, _) = api(&sb, reqwest::Method::POST, path, token, Some(json!({"post_info": {"title": long, "privacy_level": "SELF_ONLY"}, "source_info": {"source": "FILE_UPLOAD", "video_size": 100, "chunk_size": 100, "total_chunk_count": 1}}))).await;
    assert_eq!(s, 400);
    // Six inits per minute per token, refused ones included: the 7th is throttled.
    let ok_body = post(
        json!({"source": "FILE_UPLOAD", "video_size": 100, "chunk_size": 100, "total_chunk_count": 1}),
        "SELF_ONLY",
    );
    let (s, v) = api(
        &sb,
        reqwest::Method::POST,
        path,
        token,
        Some(ok_body.clone()),
    )
    .await;
    assert_eq!(s, 429);
    assert_api_error(&v, "rate_limit_exceeded");
    sb.advance_clock(Duration::from_secs(61)).await;
    let (s, _) = api(&sb, reqwest::Method::POST, path, token, Some(ok_body)).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn unaudited_apps_cannot_post_to_public_accounts() {
    let extra = RegisteredApp {
        platform: Platform::TikTok,
        client_id: "unaudited".into(),
        client_secret: Some("s".into()),
        name: "Unaudited".into(),
        redirect_uris: vec!["http://127.0.0.1:*/callback/".into()],
        pkce: PkceEncoding::Hex,
        audited: false,
        verified_url_prefixes: vec![],
    };
    let sb = Sandbox::start(SandboxConfig {
        frozen_clock: true,
        extra_apps: vec![extra],
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let c = client();
    let loc = consent(
        &c,
        &authorize_url(
            &sb,
            "unaudited",
            "video.publish",
            &oauth::challenge_hex(VERIFIER),
        ),
        true,
    )
    .await;
    let r = c
        .post(format!("{}/v2/oauth/token/", sb.base_url(Platform::TikTok)))
        .form(&[
            ("client_key", "unaudited"),
            ("client_secret", "s"),
            ("code", query_of(&loc)["code"].as_str()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    let t: Value = r.json().await.unwrap();
    let (s, v) = api(&sb, reqwest::Method::POST, "/v2/post/publish/video/init/", t["access_token"].as_str().unwrap(), Some(json!({"post_info": {"privacy_level": "SELF_ONLY"}, "source_info": {"source": "FILE_UPLOAD", "video_size": 10, "chunk_size": 10, "total_chunk_count": 1}}))).await;
    assert_eq!(s, 403);
    assert_api_error(&v, "unaudited_client_can_only_post_to_private_accounts");

    // The private account (picked on the consent page) can post; content is forced private.
    let loc = consent_as(
        &c,
        &authorize_url(
            &sb,
            "unaudited",
            "video.publish",
            &oauth::challenge_hex(VERIFIER),
        ),
        true,
        Some("sandbox.private"),
    )
    .await;
    let t: Value = c
        .post(format!("{}/v2/oauth/token/", sb.base_url(Platform::TikTok)))
        .form(&[
            ("client_key", "unaudited"),
            ("client_secret", "s"),
            ("code", query_of(&loc)["code"].as_str()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(t["open_id"], "");
    let token = t["access_token"].as_str().unwrap();
    let (_, info) = api(
        &sb,
        reqwest::Method::POST,
        "/v2/post/publish/creator_info/query/",
        token,
        None,
    )
    .await;
    assert_eq!(info["data"]["creator_username"], "sandbox.private");
    let options = info["data"]["privacy_level_options"].as_array().unwrap();
    assert!(
        !options.contains(&json!("PUBLIC_TO_EVERYONE")),
        "a private account cannot post publicly"
    );
    let (s, init) = api(&sb, reqwest::Method::POST, "/v2/post/publish/video/init/", token, Some(json!({"post_info": {"privacy_level": "FOLLOWER_OF_CREATOR"}, "source_info": {"source": "PULL_FROM_URL", "video_url": "https://x.example/v.mp4"}}))).await;
    assert_eq!(s, 403, "the unaudited app has no verified prefix: {init}");
    let (s, init) = api(&sb, reqwest::Method::POST, "/v2/post/publish/video/init/", token, Some(json!({"post_info": {"privacy_level": "FOLLOWER_OF_CREATOR"}, "source_info": {"source": "FILE_UPLOAD", "video_size": 10, "chunk_size": 10, "total_chunk_count": 1}}))).await;
    assert_eq!(s, 200, "{init}");
    assert_eq!(
        put_chunk(
            init["data"]["upload_url"].as_str().unwrap(),
            video(10),
            0,
            10
        )
        .await
        .status(),
        201
    );
    sb.advance_clock(Duration::from_secs(60)).await;
    let (_, st) = api(
        &sb,
        reqwest::Method::POST,
        "/v2/post/publish/status/fetch/",
        token,
        Some(json!({"publish_id": init["data"]["publish_id"]})),
    )
    .await;
    assert_eq!(st["data"]["status"], "PUBLISH_COMPLETE");
    assert_eq!(
        st["data"]["publicaly_available_post_id"],
        json!([]),
        "forced SELF_ONLY"
    );
    // An unknown account on the consent form is refused.
    let page = c
        .get(authorize_url(&sb, "unaudited", "video.publish", "x"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (action, mut fields) = crate::support::read_form(&page);
    fields.push(("account".into(), "nobody".into()));
    fields.push(("decision".into(), "allow".into()));
    assert_eq!(
        c.post(action).form(&fields).send().await.unwrap().status(),
        400
    );
}

async fn small_init(sb: &Sandbox, token: &str, size: u64, inbox: bool) -> Value {
    let (path, body) = if inbox {
        (
            "/v2/post/publish/inbox/video/init/",
            json!({"source_info": {"source": "FILE_UPLOAD", "video_size": size, "chunk_size": size, "total_chunk_count": 1}}),
        )
    } else {
        (
            "/v2/post/publish/video/init/",
            json!({"post_info": {"title": "t", "privacy_level": "SELF_ONLY"}, "source_info": {"source": "FILE_UPLOAD", "video_size": size, "chunk_size": size, "total_chunk_count": 1}}),
        )
    };
    let (s, v) = api(sb, reqwest::Method::POST, path, token, Some(body)).await;
    assert_eq!(s, 200, "{v}");
    v
}

#[tokio::test]
async fn upload_rejects_bad_ranges_oversize_chunks_and_expired_urls() {
    let sb = sandbox().await;
    let t = login(&sb, ALL_SCOPES).await;
    let token = t["access_token"].as_str().unwrap();
    let v = small_init(&sb, token, 1000, false).await;
    let url = v["data"]["upload_url"].as_str().unwrap();
    // Not starting at the next expected byte.
    assert_eq!(put_chunk(url, video(500), 500, 1000).await.status(), 416);
    // Declares more than the chunk.
    let r = put_chunk(url, video(1000), 0, 2000).await;
    assert_eq!(r.status(), 400);
    assert_api_error(&r.json().await.unwrap(), "invalid_file_upload");
    // Shorter chunk than the single chunk must be.
    assert_eq!(put_chunk(url, video(999), 0, 1000).await.status(), 400);
    // No Content-Range.
    let r = client()
        .put(url)
        .header("Content-Type", "video/mp4")
        .body(video(1000))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Wrong content type.
    let r = client()
        .put(url)
        .header("Content-Type", "text/plain")
        .header("Content-Range", "bytes 0-999/1000")
        .body(video(1000))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Body longer than the range says (Content-Length mismatch).
    let r = client()
        .put(url)
        .header("Content-Type", "video/mp4")
        .header("Content-Range", "bytes 0-999/1000")
        .body(video(1200))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // The good chunk still works after all that.
    assert_eq!(put_chunk(url, video(1000), 0, 1000).await.status(), 201);
    assert_eq!(
        put_chunk(url, video(1000), 0, 1000).await.status(),
        416,
        "already complete"
    );
    // An hour later the upload URL is gone.
    let v = small_init(&sb, token, 1000, false).await;
    sb.advance_clock(Duration::from_secs(3601)).await;
    assert_eq!(
        put_chunk(
            v["data"]["upload_url"].as_str().unwrap(),
            video(1000),
            0,
            1000
        )
        .await
        .status(),
        403
    );
    assert_eq!(sb.inspect().published_on(Platform::TikTok).len(), 1);
}

#[tokio::test]
async fn inbox_uploads_end_in_the_inbox_and_are_capped() {
    let sb = sandbox().await;
    let t = login(&sb, "video.upload").await;
    let token = t["access_token"].as_str().unwrap();
    let v = small_init(&sb, token, 10, true).await;
    assert_eq!(
        put_chunk(v["data"]["upload_url"].as_str().unwrap(), video(10), 0, 10)
            .await
            .status(),
        201
    );
    sb.advance_clock(Duration::from_secs(10)).await;
    let (_, st) = api(
        &sb,
        reqwest::Method::POST,
        "/v2/post/publish/status/fetch/",
        token,
        Some(json!({"publish_id": v["data"]["publish_id"]})),
    )
    .await;
    assert_eq!(st["data"]["status"], "SEND_TO_USER_INBOX");
    for _ in 0..4 {
        small_init(&sb, token, 10, true).await;
        sb.advance_clock(Duration::from_secs(11)).await;
    }
    let (s, v) = api(&sb, reqwest::Method::POST, "/v2/post/publish/inbox/video/init/", token, Some(json!({"source_info": {"source": "FILE_UPLOAD", "video_size": 10, "chunk_size": 10, "total_chunk_count": 1}}))).await;
    assert_eq!(s, 403);
    assert_api_error(&v, "spam_risk_too_many_pending_share");
}

#[tokio::test]
async fn pull_from_url_downloads_then_completes() {
    let sb = sandbox().await;
    let t = login(&sb, ALL_SCOPES).await;
    let token = t["access_token"].as_str().unwrap();
    let (s, v) = api(&sb, reqwest::Method::POST, "/v2/post/publish/video/init/", token, Some(json!({"post_info": {"title": "pulled", "privacy_level": "SELF_ONLY"}, "source_info": {"source": "PULL_FROM_URL", "video_url": "https://media.outpost.example/v.mp4"}}))).await;
    assert_eq!(s, 200);
    assert!(v["data"].get("upload_url").is_none());
    let id = v["data"]["publish_id"].clone();
    let (_, st) = api(
        &sb,
        reqwest::Method::POST,
        "/v2/post/publish/status/fetch/",
        token,
        Some(json!({"publish_id": id})),
    )
    .await;
    assert_eq!(st["data"]["status"], "PROCESSING_DOWNLOAD");
    sb.advance_clock(Duration::from_secs(120)).await;
    let (_, st) = api(
        &sb,
        reqwest::Method::POST,
        "/v2/post/publish/status/fetch/",
        token,
        Some(json!({"publish_id": id})),
    )
    .await;
    assert_eq!(st["data"]["status"], "PUBLISH_COMPLETE");
    assert_eq!(
        st["data"]["publicaly_available_post_id"],
        json!([]),
        "SELF_ONLY never gets a public id"
    );
    assert!(st["data"]["downloaded_bytes"].as_u64().unwrap() > 0);
    let (s, v) = api(
        &sb,
        reqwest::Method::POST,
        "/v2/post/publish/status/fetch/",
        token,
        Some(json!({"publish_id": "v_pub_file~v2-1.0"})),
    )
    .await;
    assert_eq!(s, 400);
    assert_api_error(&v, "invalid_params");
}

#[tokio::test]
async fn video_list_pages_with_cursor_and_query_filters_ids() {
    let sb = sandbox().await;
    let t = login(&sb, "user.info.basic,video.list").await;
    let token = t["access_token"].as_str().unwrap();
    let path = "/v2/video/list/?fields=id,create_time,title,view_count,like_count,comment_count,share_count,duration,cover_image_url,share_url";
    let mut cursor: Option<i64> = None;
    let mut ids = Vec::new();
    loop {
        let body = match cursor {
            Some(c) => json!({"max_count": 20, "cursor": c}),
            None => json!({"max_count": 20}),
        };
        let (s, v) = api(&sb, reqwest::Method::POST, path, token, Some(body)).await;
        assert_eq!(s, 200, "{v}");
        for video in v["data"]["videos"].as_array().unwrap() {
            assert!(video["id"].is_string());
            assert!(video["create_time"].is_i64());
            assert!(video["view_count"].is_u64());
            ids.push(video["id"].as_str().unwrap().to_string());
        }
        if !v["data"]["has_more"].as_bool().unwrap() {
            break;
        }
        cursor = v["data"]["cursor"].as_i64();
    }
    assert_eq!(ids.len(), 25);
    let (s, v) = api(
        &sb,
        reqwest::Method::POST,
        path,
        token,
        Some(json!({"max_count": 21})),
    )
    .await;
    assert_eq!(s, 400);
    assert_api_error(&v, "invalid_params");
    let (s, v) = api(
        &sb,
        reqwest::Method::POST,
        "/v2/video/query/?fields=id,view_count",
        token,
        Some(json!({"filters": {"video_ids": [ids[3], "999"]}})),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["data"]["videos"].as_array().unwrap().len(), 1);
    assert_eq!(v["data"]["videos"][0]["id"], ids[3].as_str());
}

#[tokio::test]
async fn photo_posts_pull_verified_images_and_follow_the_status_machine() {
    let sb = sandbox().await;
    let t = login(&sb, ALL_SCOPES).await;
    let token = t["access_token"].as_str().unwrap();
    let path = "/v2/post/publish/content/init/";
    let images = json!([
        "https://media.outpost.example/1.jpg",
        "https://media.outpost.example/2.jpg"
    ]);
    let body = |media_type: &str, mode: &str, title: &str, images: Value| {
        json!({
            "media_type": media_type, "post_mode": mode,
            "post_info": {"title": title, "description": "d", "privacy_level": "PUBLIC_TO_EVERYONE", "disable_comment": false, "auto_add_music": true},
            "source_info": {"source": "PULL_FROM_URL", "photo_cover_index": 1, "photo_images": images},
        })
    };
    let (s, v) = api(
        &sb,
        reqwest::Method::POST,
        path,
        token,
        Some(body("PHOTO", "DIRECT_POST", "two photos", images.clone())),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let id = v["data"]["publish_id"].as_str().unwrap().to_string();
    assert!(id.starts_with("p_pub_url~v2-1."));
    let (_, st) = api(
        &sb,
        reqwest::Method::POST,
        "/v2/post/publish/status/fetch/",
        token,
        Some(json!({"publish_id": id})),
    )
    .await;
    assert_eq!(st["data"]["status"], "PROCESSING_DOWNLOAD");
    sb.advance_clock(Duration::from_secs(40)).await;
    let (_, st) = api(
        &sb,
        reqwest::Method::POST,
        "/v2/post/publish/status/fetch/",
        token,
        Some(json!({"publish_id": id})),
    )
    .await;
    assert_eq!(st["data"]["status"], "PUBLISH_COMPLETE");
    assert_eq!(
        st["data"]["publicaly_available_post_id"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        sb.inspect().published_on(Platform::TikTok)[0].caption,
        "two photos"
    );
    // Photos are not videos: the video list does not show them.
    let (_, list) = api(
        &sb,
        reqwest::Method::POST,
        "/v2/video/list/?fields=id,title",
        token,
        Some(json!({"max_count": 1})),
    )
    .await;
    assert_ne!(list["data"]["videos"][0]["title"], "two photos");

    let cases = vec![
        (
            body("VIDEO", "DIRECT_POST", "t", images.clone()),
            400,
            "invalid_params",
        ),
        (
            body("PHOTO", "LATER", "t", images.clone()),
            400,
            "invalid_params",
        ),
        (
            body("PHOTO", "DIRECT_POST", &"t".repeat(91), images.clone()),
            400,
            "invalid_params",
        ),
        (
            body("PHOTO", "DIRECT_POST", "t", json!([])),
            400,
            "invalid_params",
        ),
        (
            body(
                "PHOTO",
                "DIRECT_POST",
                "t",
                json!(vec!["https://media.outpost.example/x.jpg"; 36]),
            ),
            400,
            "invalid_params",
        ),
        (
            body(
                "PHOTO",
                "DIRECT_POST",
                "t",
                json!(["https://media.outpost.example/x.jpg"]),
            ),
            400,
            "invalid_params",
        ),
        (
            body(
                "PHOTO",
                "DIRECT_POST",
                "t",
                json!([
                    "https://elsewhere.example/1.jpg",
                    "https://media.outpost.example/2.jpg"
                ]),
            ),
            403,
            "url_ownership_unverified",
        ),
    ];
    for (b, status, code) in cases {
        // Six inits per minute per token: step past the window each time.
        sb.advance_clock(Duration::from_secs(61)).await;
        let (s, v) = api(&sb, reqwest::Method::POST, path, token, Some(b)).await;
        assert_eq!(s, status, "{v}");
        assert_api_error(&v, code);
    }

    // Inbox photo drafts need only video.upload; direct photo posts need video.publish.
    sb.advance_clock(Duration::from_secs(61)).await;
    let t = login(&sb, "video.upload").await;
    let token = t["access_token"].as_str().unwrap();
    let (s, v) = api(
        &sb,
        reqwest::Method::POST,
        path,
        token,
        Some(body("PHOTO", "DIRECT_POST", "t", images.clone())),
    )
    .await;
    assert_eq!(s, 401);
    assert_api_error(&v, "scope_not_authorized");
    let (s, v) = api(
        &sb,
        reqwest::Method::POST,
        path,
        token,
        Some(body("PHOTO", "MEDIA_UPLOAD", "t", images)),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    sb.advance_clock(Duration::from_secs(10)).await;
    let (_, st) = api(
        &sb,
        reqwest::Method::POST,
        "/v2/post/publish/status/fetch/",
        token,
        Some(json!({"publish_id": v["data"]["publish_id"]})),
    )
    .await;
    assert_eq!(st["data"]["status"], "SEND_TO_USER_INBOX");
}
