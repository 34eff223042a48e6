//! Instagram API with Instagram Login.

use std::time::Duration;

use outpost_sandbox::config::{INSTAGRAM_APP_ID, INSTAGRAM_APP_SECRET};
use outpost_sandbox::{insights, Platform, Sandbox};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::support::{client, consent, query_of, sandbox, url_with};

const REDIRECT: &str = "https://outpost.example/oauth/instagram/";
const ALL: &str = "instagram_business_basic,instagram_business_content_publish,instagram_business_manage_comments,instagram_business_manage_insights";

fn authorize_url(sb: &Sandbox, scopes: &str) -> String {
    url_with(
        &format!("{}/oauth/authorize", sb.base_url(Platform::Instagram)),
        &[
            ("client_id", INSTAGRAM_APP_ID),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", scopes),
            ("state", "ig-state"),
        ],
    )
}

async fn code(sb: &Sandbox, scopes: &str) -> String {
    let location = consent(&client(), &authorize_url(sb, scopes), true).await;
    assert!(location.ends_with("#_"), "Meta appends #_: {location}");
    let q = query_of(&location);
    assert_eq!(q["state"], "ig-state");
    q["code"].clone()
}

async fn exchange(sb: &Sandbox, code: &str, redirect: &str) -> reqwest::Response {
    client()
        .post(format!(
            "{}/oauth/access_token",
            sb.base_url(Platform::Instagram)
        ))
        .form(&[
            ("client_id", INSTAGRAM_APP_ID),
            ("client_secret", INSTAGRAM_APP_SECRET),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect),
            ("code", code),
        ])
        .send()
        .await
        .unwrap()
}

/// Short-lived token and user id.
pub async fn short_token(sb: &Sandbox, scopes: &str) -> (String, String) {
    let c = code(sb, scopes).await;
    let r = exchange(sb, &c, REDIRECT).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let d = &v["data"][0];
    assert_eq!(d["permissions"], scopes);
    (
        d["access_token"].as_str().unwrap().into(),
        d["user_id"].as_str().unwrap().into(),
    )
}

pub async fn long_token(sb: &Sandbox, short: &str) -> Value {
    let url = url_with(
        &format!("{}/access_token", sb.base_url(Platform::Instagram)),
        &[
            ("grant_type", "ig_exchange_token"),
            ("client_secret", INSTAGRAM_APP_SECRET),
            ("access_token", short),
        ],
    );
    let r = client().get(url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn graph(
    sb: &Sandbox,
    method: reqwest::Method,
    path: &str,
    token: &str,
    params: &[(&str, &str)],
) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut all: Vec<(&str, &str)> = params.to_vec();
    all.push(("access_token", token));
    let url = url_with(&format!("{}{path}", sb.base_url(Platform::Instagram)), &all);
    let r = client().request(method, url).send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.json().await.unwrap(), headers)
}

fn assert_graph_error(v: &Value, code: i64, subcode: Option<i64>) {
    assert_eq!(v["error"]["code"], code, "{v}");
    assert_eq!(v["error"]["type"], "OAuthException");
    assert!(v["error"]["message"].is_string());
    assert!(v["error"]["fbtrace_id"].is_string());
    if let Some(s) = subcode {
        assert_eq!(v["error"]["error_subcode"], s, "{v}");
    }
}

#[tokio::test]
async fn whole_flow_authorize_token_profile_publish_status_insights() {
    let sb = sandbox().await;
    let (short, user_id) = short_token(&sb, ALL).await;
    let long = long_token(&sb, &short).await;
    assert_eq!(long["token_type"], "bearer");
    assert_eq!(long["expires_in"], 5_184_000);
    let token = long["access_token"].as_str().unwrap().to_string();

    let (s, me, headers) = graph(
        &sb,
        reqwest::Method::GET,
        "/v23.0/me",
        &token,
        &[(
            "fields",
            "user_id,username,account_type,followers_count,media_count",
        )],
    )
    .await;
    assert_eq!(s, 200, "{me}");
    assert_eq!(me["user_id"], user_id.as_str());
    assert_eq!(me["account_type"], "MEDIA_CREATOR");
    assert!(me["followers_count"].is_u64());
    assert_eq!(me["media_count"], 30);
    let usage: Value =
        serde_json::from_str(headers["x-business-use-case-usage"].to_str().unwrap()).unwrap();
    assert_eq!(usage[&user_id][0]["type"], "instagram");
    assert!(headers.contains_key("x-app-usage"));

    // Reel by resumable upload, in two pieces.
    let (s, created, _) = graph(
        &sb,
        reqwest::Method::POST,
        &format!("/v23.0/{user_id}/media"),
        &token,
        &[
            ("media_type", "REELS"),
            ("upload_type", "resumable"),
            ("caption", "first reel #sandbox"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{created}");
    let container = created["id"].as_str().unwrap().to_string();
    let uri = created["uri"].as_str().unwrap().to_string();
    assert!(uri.starts_with(&format!(
        "{}/ig-api-upload/v23.0/",
        sb.base_url(Platform::Instagram)
    )));
    let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    for (offset, piece) in [(0usize, &bytes[..120_000]), (120_000, &bytes[120_000..])] {
        let r = client()
            .post(&uri)
            .header("Authorization", format!("OAuth {token}"))
            .header("offset", offset.to_string())
            .header("file_size", bytes.len().to_string())
            .body(piece.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["success"], true);
    }
    let status = |sb: &Sandbox| {
        let (c, t) = (container.clone(), token.clone());
        let base = sb.base_url(Platform::Instagram);
        async move {
            let r = client()
                .get(url_with(
                    &format!("{base}/v23.0/{c}"),
                    &[("fields", "status_code,status"), ("access_token", &t)],
                ))
                .send()
                .await
                .unwrap();
            r.json::<Value>().await.unwrap()
        }
    };
    assert_eq!(status(&sb).await["status_code"], "IN_PROGRESS");
    // Publishing too early.
    let (s, v, _) = graph(
        &sb,
        reqwest::Method::POST,
        &format!("/v23.0/{user_id}/media_publish"),
        &token,
        &[("creation_id", &container)],
    )
    .await;
    assert_eq!(s, 400);
    assert_graph_error(&v, 9007, Some(2_207_027));
    sb.advance_clock(Duration::from_secs(11)).await;
    assert_eq!(status(&sb).await["status_code"], "FINISHED");
    let (s, published, _) = graph(
        &sb,
        reqwest::Method::POST,
        &format!("/v23.0/{user_id}/media_publish"),
        &token,
        &[("creation_id", &container)],
    )
    .await;
    assert_eq!(s, 200, "{published}");
    let media_id = published["id"].as_str().unwrap().to_string();
    assert_eq!(status(&sb).await["status_code"], "PUBLISHED");
    // Publishing the same container again does not create a second post.
    let (s, _, _) = graph(
        &sb,
        reqwest::Method::POST,
        &format!("/v23.0/{user_id}/media_publish"),
        &token,
        &[("creation_id", &container)],
    )
    .await;
    assert_eq!(s, 400);
    let seen = sb.inspect();
    assert_eq!(seen.published_on(Platform::Instagram).len(), 1);
    assert_eq!(seen.max_publish_count(), 1);
    assert_eq!(
        seen.published[0].content_sha256.as_deref(),
        Some(hex::encode(Sha256::digest(&bytes)).as_str())
    );

    let (_, limit, _) = graph(
        &sb,
        reqwest::Method::GET,
        &format!("/v23.0/{user_id}/content_publishing_limit"),
        &token,
        &[("fields", "quota_usage,config")],
    )
    .await;
    assert_eq!(limit["data"][0]["quota_usage"], 1);
    assert_eq!(limit["data"][0]["config"]["quota_duration"], 86_400);
    assert!(limit["data"][0]["config"]["quota_total"].is_u64());

    // Media list: the reel is first.
    let (_, list, _) = graph(&sb, reqwest::Method::GET, &format!("/v23.0/{user_id}/media"), &token, &[("fields", "id,caption,media_type,media_product_type,permalink,timestamp,like_count,comments_count"), ("limit", "5")]).await;
    assert_eq!(list["data"][0]["id"], media_id.as_str());
    assert_eq!(list["data"][0]["media_type"], "VIDEO");
    assert_eq!(list["data"][0]["media_product_type"], "REELS");
    assert!(list["paging"]["next"]
        .as_str()
        .unwrap()
        .starts_with(sb.base_url(Platform::Instagram).as_str()));

    // Insights grow with the clock and equal the documented formula.
    sb.advance_clock(Duration::from_secs(2 * 86_400)).await;
    let (s, ins, _) = graph(
        &sb,
        reqwest::Method::GET,
        &format!("/v23.0/{media_id}/insights"),
        &token,
        &[(
            "metric",
            "views,reach,likes,total_interactions,ig_reels_avg_watch_time",
        )],
    )
    .await;
    assert_eq!(s, 200, "{ins}");
    let views = ins["data"][0]["values"][0]["value"].as_u64().unwrap();
    assert_eq!(ins["data"][0]["name"], "views");
    assert_eq!(ins["data"][0]["period"], "lifetime");
    let published_at = seen.published[0].at;
    assert_eq!(
        views,
        insights::views(42, &media_id, sb.now() - published_at)
    );
    assert!(views > 0);

    let since = (sb.now() - 7 * 86_400).to_string();
    let until = sb.now().to_string();
    let (s, acct, _) = graph(
        &sb,
        reqwest::Method::GET,
        &format!("/v23.0/{user_id}/insights"),
        &token,
        &[
            ("metric", "views,reach,total_interactions"),
            ("period", "day"),
            ("metric_type", "total_value"),
            ("since", &since),
            ("until", &until),
        ],
    )
    .await;
    assert_eq!(s, 200, "{acct}");
    assert_eq!(
        acct["data"][0]["total_value"]["value"],
        insights::account_window(42, &user_id, "views", sb.now() - 7 * 86_400, sb.now())
    );
    let (s, series, _) = graph(
        &sb,
        reqwest::Method::GET,
        &format!("/v23.0/{user_id}/insights"),
        &token,
        &[
            ("metric", "reach"),
            ("period", "day"),
            ("metric_type", "time_series"),
            ("since", &since),
            ("until", &until),
        ],
    )
    .await;
    assert_eq!(s, 200);
    assert!(series["data"][0]["values"].as_array().unwrap().len() >= 7);
    let (s, v, _) = graph(
        &sb,
        reqwest::Method::GET,
        &format!("/v23.0/{user_id}/insights"),
        &token,
        &[
            ("metric", "likes"),
            ("period", "day"),
            ("metric_type", "time_series"),
        ],
    )
    .await;
    assert_eq!(s, 400);
    assert_graph_error(&v, 100, None);

    let (s, comments, _) = graph(
        &sb,
        reqwest::Method::GET,
        &format!("/v23.0/{media_id}/comments"),
        &token,
        &[("fields", "id,text,timestamp,username,like_count")],
    )
    .await;
    assert_eq!(s, 200);
    let n = comments["data"].as_array().unwrap().len() as u64;
    let expected = insights::media_metric(42, &media_id, "comments", sb.now() - published_at)
        .unwrap()
        .min(25);
    assert_eq!(n, expected);
    sb.shutdown().await;
}

#[tokio::test]
async fn deny_and_bad_authorize_requests() {
    let sb = sandbox().await;
    let location = consent(
        &client(),
        &authorize_url(&sb, "instagram_business_basic"),
        false,
    )
    .await;
    let q = query_of(&location);
    assert_eq!(q["error"], "access_denied");
    assert_eq!(q["error_reason"], "user_denied");
    assert!(q.contains_key("error_description"));
    // Old scope names are dead; missing trailing slash does not match the registration.
    let r = client()
        .get(authorize_url(&sb, "business_basic"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let bad = authorize_url(&sb, "instagram_business_basic").replace("instagram%2F", "instagram");
    assert_eq!(client().get(bad).send().await.unwrap().status(), 400);
}

#[tokio::test]
async fn code_exchange_errors_use_the_legacy_envelope() {
    let sb = sandbox().await;
    let c = code(&sb, "instagram_business_basic").await;
    let r = exchange(&sb, &c, "https://outpost.example/other/").await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error_type"], "OAuthException");
    assert_eq!(v["code"], 400);
    assert!(v["error_message"]
        .as_str()
        .unwrap()
        .contains("redirect_uri"));
    assert_eq!(exchange(&sb, &c, REDIRECT).await.status(), 200);
    let v: Value = exchange(&sb, &c, REDIRECT).await.json().await.unwrap();
    assert_eq!(v["error_type"], "OAuthException", "codes are single use");
    // The code with the #_ still attached is not a valid code.
    let c = code(&sb, "instagram_business_basic").await;
    assert_eq!(
        exchange(&sb, &format!("{c}#_"), REDIRECT).await.status(),
        400
    );
    let c2 = code(&sb, "instagram_business_basic").await;
    sb.advance_clock(Duration::from_secs(3601)).await;
    assert_eq!(exchange(&sb, &c2, REDIRECT).await.status(), 400);
}

#[tokio::test]
async fn tokens_expire_and_refresh_only_after_24_hours() {
    let sb = sandbox().await;
    let (short, _) = short_token(&sb, "instagram_business_basic").await;
    // Wrong secret.
    let url = url_with(
        &format!("{}/access_token", sb.base_url(Platform::Instagram)),
        &[
            ("grant_type", "ig_exchange_token"),
            ("client_secret", "nope"),
            ("access_token", &short),
        ],
    );
    let r = client().get(url).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let long = long_token(&sb, &short).await;
    let token = long["access_token"].as_str().unwrap();
    let refresh = |t: String| {
        let base = sb.base_url(Platform::Instagram);
        async move {
            client()
                .get(url_with(
                    &format!("{base}/refresh_access_token"),
                    &[("grant_type", "ig_refresh_token"), ("access_token", &t)],
                ))
                .send()
                .await
                .unwrap()
        }
    };
    let r = refresh(token.to_string()).await;
    assert_eq!(r.status(), 400, "too new");
    assert_graph_error(&r.json().await.unwrap(), 100, None);
    // The short-lived token dies after an hour.
    sb.advance_clock(Duration::from_secs(3600)).await;
    let (s, v, _) = graph(&sb, reqwest::Method::GET, "/me", &short, &[]).await;
    assert_eq!(s, 400);
    assert_graph_error(&v, 190, Some(463));
    sb.advance_clock(Duration::from_secs(86_400)).await;
    let r = refresh(token.to_string()).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["expires_in"], 5_184_000);
    // 60 days later the long-lived token is expired and can no longer be refreshed.
    sb.advance_clock(Duration::from_secs(60 * 86_400)).await;
    let r = refresh(token.to_string()).await;
    assert_graph_error(&r.json().await.unwrap(), 190, Some(463));
}

#[tokio::test]
async fn container_validation_and_permissions() {
    let sb = sandbox().await;
    let (token, user_id) = short_token(
        &sb,
        "instagram_business_basic,instagram_business_content_publish",
    )
    .await;
    let media = format!("/v23.0/{user_id}/media");
    let post = |params: Vec<(&'static str, String)>| {
        let (sb_base, t, m) = (
            sb.base_url(Platform::Instagram),
            token.clone(),
            media.clone(),
        );
        async move {
            let r = client()
                .post(format!("{sb_base}{m}"))
                .form(&[params, vec![("access_token", t)]].concat())
                .send()
                .await
                .unwrap();
            let s = r.status().as_u16();
            (s, r.json::<Value>().await.unwrap())
        }
    };
    let (s, v) = post(vec![
        ("media_type", "VIDEO".into()),
        ("video_url", "https://cdn.example/v.mp4".into()),
    ])
    .await;
    assert_eq!(s, 400);
    assert_graph_error(&v, 100, Some(2_207_089));
    let (s, v) = post(vec![("image_url", "https://cdn.example/a.png".into())]).await;
    assert_eq!(s, 400);
    assert_graph_error(&v, 36001, Some(2_207_005));
    let (s, v) = post(vec![
        ("media_type", "REELS".into()),
        ("video_url", "http://localhost/v.mp4".into()),
    ])
    .await;
    assert_eq!(s, 400);
    assert_graph_error(&v, 9004, Some(2_207_052));
    let (_, v) = post(vec![
        ("image_url", "https://cdn.example/a.jpg".into()),
        ("caption", "x".repeat(2201)),
    ])
    .await;
    assert_graph_error(&v, 100, None);
    let (s, v) = post(vec![
        ("media_type", "CAROUSEL".into()),
        ("children", "1".into()),
    ])
    .await;
    assert_eq!(s, 400);
    assert_graph_error(&v, 100, Some(2_207_028));
    // Carousel of two images.
    let (_, a) = post(vec![
        ("image_url", "https://cdn.example/a.jpg".into()),
        ("is_carousel_item", "true".into()),
    ])
    .await;
    let (_, b) = post(vec![
        ("image_url", "https://cdn.example/b.jpg".into()),
        ("is_carousel_item", "true".into()),
    ])
    .await;
    let children = format!(
        "{},{}",
        a["id"].as_str().unwrap(),
        b["id"].as_str().unwrap()
    );
    let (s, _) = post(vec![
        ("media_type", "CAROUSEL".into()),
        ("children", children.clone()),
    ])
    .await;
    assert_eq!(s, 400, "children not finished yet");
    sb.advance_clock(Duration::from_secs(3)).await;
    let (s, carousel) = post(vec![
        ("media_type", "CAROUSEL".into()),
        ("children", children),
        ("caption", "album".into()),
    ])
    .await;
    assert_eq!(s, 200, "{carousel}");
    sb.advance_clock(Duration::from_secs(3)).await;
    let (s, v, _) = graph(
        &sb,
        reqwest::Method::POST,
        &format!("/{user_id}/media_publish"),
        &token,
        &[("creation_id", carousel["id"].as_str().unwrap())],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(sb.inspect().published[0].via, "carousel");
    // No insights scope.
    let (s, v, _) = graph(
        &sb,
        reqwest::Method::GET,
        &format!("/{user_id}/insights"),
        &token,
        &[("metric", "reach"), ("period", "day")],
    )
    .await;
    assert_eq!(s, 403);
    assert_graph_error(&v, 10, None);
    // Unknown field, unknown node, deprecated metric.
    let (_, v, _) = graph(
        &sb,
        reqwest::Method::GET,
        "/me",
        &token,
        &[("fields", "id,nope")],
    )
    .await;
    assert_graph_error(&v, 100, None);
    let (_, v, _) = graph(&sb, reqwest::Method::GET, "/v23.0/123", &token, &[]).await;
    assert_graph_error(&v, 100, Some(33));
    let (_, v, _) = graph(&sb, reqwest::Method::GET, "/me", "IGAAbogus", &[]).await;
    assert_graph_error(&v, 190, None);
    let r = client()
        .post(format!("{}{media}", sb.base_url(Platform::Instagram)))
        .header("Content-Type", "application/json")
        .bearer_auth(&token)
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_graph_error(&r.json().await.unwrap(), 100, None);
}

#[tokio::test]
async fn container_error_fault_and_expiry() {
    let sb = sandbox().await;
    let (token, user_id) = short_token(&sb, "instagram_business_basic,instagram_business_content_publish,instagram_business_manage_insights").await;
    sb.set_faults("container_error".parse().unwrap());
    let (_, c, _) = graph(
        &sb,
        reqwest::Method::POST,
        &format!("/{user_id}/media"),
        &token,
        &[
            ("media_type", "REELS"),
            ("video_url", "https://cdn.example/v.mp4"),
        ],
    )
    .await;
    sb.set_faults(Default::default());
    sb.advance_clock(Duration::from_secs(11)).await;
    let id = c["id"].as_str().unwrap();
    let (_, st, _) = graph(
        &sb,
        reqwest::Method::GET,
        &format!("/{id}"),
        &token,
        &[("fields", "status_code,status")],
    )
    .await;
    assert_eq!(st["status_code"], "ERROR");
    assert!(st["status"].as_str().unwrap().starts_with("Error"));
    let (_, c2, _) = graph(
        &sb,
        reqwest::Method::POST,
        &format!("/{user_id}/media"),
        &token,
        &[
            ("media_type", "REELS"),
            ("video_url", "https://cdn.example/v.mp4"),
        ],
    )
    .await;
    let id2 = c2["id"].as_str().unwrap().to_string();
    sb.advance_clock(Duration::from_secs(1800)).await;
    // Deprecated metric on a media.
    let (_, list, _) = graph(
        &sb,
        reqwest::Method::GET,
        &format!("/{user_id}/media"),
        &token,
        &[("limit", "1")],
    )
    .await;
    let m = list["data"][0]["id"].as_str().unwrap().to_string();
    let (s, v, _) = graph(
        &sb,
        reqwest::Method::GET,
        &format!("/{m}/insights"),
        &token,
        &[("metric", "impressions")],
    )
    .await;
    assert_eq!(s, 400);
    assert_graph_error(&v, 100, None);
    // A container not published within 24 hours expires (checked with a long-lived token).
    let long = long_token(&sb, &token).await;
    let long = long["access_token"].as_str().unwrap();
    let status = |id: String| {
        let (base, t) = (sb.base_url(Platform::Instagram), long.to_string());
        async move {
            let url = url_with(
                &format!("{base}/{id}"),
                &[("fields", "status_code"), ("access_token", &t)],
            );
            client()
                .get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(status(id2.clone()).await["status_code"], "FINISHED");
    sb.advance_clock(Duration::from_secs(86_400)).await;
    assert_eq!(status(id2.clone()).await["status_code"], "EXPIRED");
    let (s, v, _) = graph(
        &sb,
        reqwest::Method::POST,
        &format!("/{user_id}/media_publish"),
        long,
        &[("creation_id", &id2)],
    )
    .await;
    assert_eq!(s, 400);
    assert_graph_error(&v, -2, Some(2_207_020));
}

#[tokio::test]
async fn rupload_rejects_bad_offsets_and_sizes() {
    let sb = sandbox().await;
    let (token, user_id) = short_token(
        &sb,
        "instagram_business_basic,instagram_business_content_publish",
    )
    .await;
    let (_, created, _) = graph(
        &sb,
        reqwest::Method::POST,
        &format!("/{user_id}/media"),
        &token,
        &[("media_type", "REELS"), ("upload_type", "resumable")],
    )
    .await;
    let uri = created["uri"].as_str().unwrap();
    let send = |offset: &str, size: &str, body: Vec<u8>, auth: Option<String>| {
        let mut r = client()
            .post(uri)
            .header("offset", offset)
            .header("file_size", size)
            .body(body);
        if let Some(a) = auth {
            r = r.header("Authorization", a);
        }
        r.send()
    };
    let auth = Some(format!("OAuth {token}"));
    let r = send("10", "100", vec![0; 10], auth.clone()).await.unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["debug_info"]["type"], "OffsetMismatch");
    assert_eq!(
        send("0", "100", vec![0; 150], auth.clone())
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(
        send("0", "100", vec![0; 10], None).await.unwrap().status(),
        401
    );
    assert_eq!(
        send("0", "999999999999", vec![0; 10], auth.clone())
            .await
            .unwrap()
            .status(),
        400
    );
    let r = client()
        .post(uri)
        .header("Authorization", auth.clone().unwrap())
        .body(vec![0; 10])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "missing headers");
    assert_eq!(
        send("0", "100", vec![0; 100], auth).await.unwrap().status(),
        200
    );
}
