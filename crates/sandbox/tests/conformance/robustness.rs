//! Bad input never panics: every endpoint answers garbage with the platform's error (a
//! status below 500 and a JSON, HTML or XML body), never a dropped connection.

use outpost_sandbox::Platform;

use crate::support::{client, sandbox};

const BODIES: &[&[u8]] = &[
    b"",
    b"{",
    b"\xff\xfe\x00\x01",
    b"[]",
    b"null",
    b"{\"post_info\": 5, \"source_info\": {\"source\": \"FILE_UPLOAD\", \"video_size\": -1, \"chunk_size\": 0, \"total_chunk_count\": 0}}",
    b"{\"source_info\": {\"source\": \"FILE_UPLOAD\", \"video_size\": 18446744073709551615, \"chunk_size\": 1, \"total_chunk_count\": 18446744073709551615}}",
    b"{\"publish_id\": 7, \"max_count\": \"x\", \"cursor\": 1.5, \"filters\": {\"video_ids\": [1, null]}}",
    b"a=%ZZ&&==&b=\xff&grant_type=authorization_code&code=&creation_id=&children=,,,&media_type=CAROUSEL",
    b"sr=test&kind=link&title=t&url=%00%01",
];

const QUERIES: &[&str] = &[
    "",
    "?fields=%FF%FE",
    "?fields=id,children{",
    "?metric=,,,&period=day&since=x&until=-99999999999999999999",
    "?limit=-1&after=!!!",
    "?upload_id=&upload_token=",
    "?id=t3_,t3_&limit=999999999999999999999",
    "?grant_type=ig_exchange_token&access_token=",
];

#[tokio::test]
async fn garbage_to_every_endpoint_gets_a_platform_error_never_a_crash() {
    let sb = sandbox().await;
    let tiktok = crate::tiktok::login(
        &sb,
        "user.info.basic,user.info.profile,user.info.stats,video.list,video.upload,video.publish",
    )
    .await;
    let (ig, ig_user) = crate::instagram::short_token(&sb, "instagram_business_basic,instagram_business_content_publish,instagram_business_manage_comments,instagram_business_manage_insights").await;
    let reddit = crate::reddit::login(&sb, "identity,submit,read,history").await;
    let tt_token = tiktok["access_token"].as_str().unwrap().to_string();
    let rd_token = reddit["access_token"].as_str().unwrap().to_string();
    let endpoints: Vec<(Platform, &str, String, Option<String>)> = vec![
        (Platform::TikTok, "GET", "/v2/auth/authorize/".into(), None),
        (Platform::TikTok, "POST", "/v2/auth/authorize/".into(), None),
        (Platform::TikTok, "POST", "/v2/oauth/token/".into(), None),
        (Platform::TikTok, "POST", "/v2/oauth/revoke/".into(), None),
        (
            Platform::TikTok,
            "GET",
            "/v2/user/info/".into(),
            Some(tt_token.clone()),
        ),
        (
            Platform::TikTok,
            "POST",
            "/v2/video/list/".into(),
            Some(tt_token.clone()),
        ),
        (
            Platform::TikTok,
            "POST",
            "/v2/video/query/".into(),
            Some(tt_token.clone()),
        ),
        (
            Platform::TikTok,
            "POST",
            "/v2/post/publish/creator_info/query/".into(),
            Some(tt_token.clone()),
        ),
        (
            Platform::TikTok,
            "POST",
            "/v2/post/publish/video/init/".into(),
            Some(tt_token.clone()),
        ),
        (
            Platform::TikTok,
            "POST",
            "/v2/post/publish/inbox/video/init/".into(),
            Some(tt_token.clone()),
        ),
        (
            Platform::TikTok,
            "POST",
            "/v2/post/publish/status/fetch/".into(),
            Some(tt_token.clone()),
        ),
        (Platform::TikTok, "PUT", "/video/".into(), None),
        (Platform::TikTok, "GET", "/nope".into(), None),
        (Platform::Instagram, "GET", "/oauth/authorize".into(), None),
        (Platform::Instagram, "POST", "/oauth/authorize".into(), None),
        (
            Platform::Instagram,
            "POST",
            "/oauth/access_token".into(),
            None,
        ),
        (Platform::Instagram, "GET", "/access_token".into(), None),
        (
            Platform::Instagram,
            "GET",
            "/refresh_access_token".into(),
            Some(ig.clone()),
        ),
        (
            Platform::Instagram,
            "GET",
            "/v23.0/me".into(),
            Some(ig.clone()),
        ),
        (
            Platform::Instagram,
            "GET",
            format!("/v23.0/{ig_user}/media"),
            Some(ig.clone()),
        ),
        (
            Platform::Instagram,
            "POST",
            format!("/v23.0/{ig_user}/media"),
            Some(ig.clone()),
        ),
        (
            Platform::Instagram,
            "POST",
            format!("/v23.0/{ig_user}/media_publish"),
            Some(ig.clone()),
        ),
        (
            Platform::Instagram,
            "GET",
            format!("/v23.0/{ig_user}/content_publishing_limit"),
            Some(ig.clone()),
        ),
        (
            Platform::Instagram,
            "GET",
            format!("/v23.0/{ig_user}/insights"),
            Some(ig.clone()),
        ),
        (
            Platform::Instagram,
            "GET",
            format!("/{ig_user}/media/extra/parts"),
            Some(ig.clone()),
        ),
        (
            Platform::Instagram,
            "POST",
            "/ig-api-upload/v23.0/123".into(),
            Some(ig.clone()),
        ),
        (
            Platform::Instagram,
            "DELETE",
            "/v23.0/me".into(),
            Some(ig.clone()),
        ),
        (Platform::Reddit, "GET", "/api/v1/authorize".into(), None),
        (Platform::Reddit, "POST", "/api/v1/authorize".into(), None),
        (
            Platform::Reddit,
            "POST",
            "/api/v1/access_token".into(),
            None,
        ),
        (
            Platform::Reddit,
            "POST",
            "/api/v1/revoke_token".into(),
            None,
        ),
        (
            Platform::Reddit,
            "GET",
            "/api/v1/me".into(),
            Some(rd_token.clone()),
        ),
        (
            Platform::Reddit,
            "POST",
            "/api/submit".into(),
            Some(rd_token.clone()),
        ),
        (
            Platform::Reddit,
            "GET",
            "/api/info".into(),
            Some(rd_token.clone()),
        ),
        (
            Platform::Reddit,
            "GET",
            "/by_id/t3_".into(),
            Some(rd_token.clone()),
        ),
        (
            Platform::Reddit,
            "GET",
            "/user/sandbox_creator/submitted".into(),
            Some(rd_token.clone()),
        ),
        (
            Platform::Reddit,
            "GET",
            "/comments/zzz".into(),
            Some(rd_token.clone()),
        ),
        (
            Platform::Reddit,
            "POST",
            "/api/media/asset.json".into(),
            Some(rd_token.clone()),
        ),
        (
            Platform::Reddit,
            "POST",
            "/_s3/reddit-uploaded-media".into(),
            None,
        ),
    ];
    let c = client();
    let mut checked = 0;
    for (platform, method, path, token) in &endpoints {
        for query in QUERIES {
            for body in BODIES {
                let url = format!("{}{path}{query}", sb.base_url(*platform));
                let mut req = c
                    .request(
                        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                        &url,
                    )
                    .header(
                        "Content-Type",
                        if body.starts_with(b"{") {
                            "application/json"
                        } else {
                            "application/x-www-form-urlencoded"
                        },
                    )
                    .header("Content-Range", "bytes 9-3/2")
                    .header("offset", "x")
                    .body(body.to_vec());
                if let Some(t) = token {
                    req = req.bearer_auth(t);
                }
                let r = req
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{method} {url}: connection failed: {e}"));
                let status = r.status();
                assert!(
                    status.as_u16() < 500,
                    "{method} {url} with {body:?} answered {status}"
                );
                let text = r
                    .text()
                    .await
                    .unwrap_or_else(|e| panic!("{method} {url}: body failed: {e}"));
                assert!(
                    text.is_empty()
                        || text.starts_with('{')
                        || text.starts_with('[')
                        || text.starts_with('<'),
                    "{method} {url} answered an unexpected body: {text}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, endpoints.len() * QUERIES.len() * BODIES.len());
}
