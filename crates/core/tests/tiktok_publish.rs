//! TikTok's Content Posting API against the sandbox: creator info, a chunked FILE_UPLOAD
//! streamed from disk (direct post and inbox draft), the publish status to its end, and a
//! chunk sent out of order refused. The sandbox's inspection proves the post exists once.

mod support;

use std::io::Write;
use std::time::Duration;

use outpost_core::platforms::tiktok_publish::{ChunkPlan, PostInfo};
use outpost_core::platforms::PlatformError;
use outpost_core::Platform;
use support::{frozen_sandbox, world_with};

fn video(dir: &std::path::Path, name: &str, size: usize) -> std::path::PathBuf {
    let path = dir.join(name);
    let mut f = std::fs::File::create(&path).unwrap();
    let block: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    let mut left = size;
    while left > 0 {
        let n = left.min(block.len());
        f.write_all(&block[..n]).unwrap();
        left -= n;
    }
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chunked_direct_post_and_an_inbox_draft_complete_once_each() {
    let w = world_with(frozen_sandbox().await).await;
    let tiktok = w
        .ids
        .iter()
        .find(|(p, _)| *p == Platform::Tiktok)
        .unwrap()
        .1;
    let token = w.connector.access_token(tiktok).await.unwrap();
    let client = w.connector.client(Platform::Tiktok).await.unwrap();
    let dir = tempfile::tempdir().unwrap();

    let info = client.tiktok_creator_info(&token).await.unwrap();
    assert!(!info.privacy_level_options.is_empty(), "{info:?}");

    // Direct post: 25 MB in two chunks (10 MB, then 15 MB absorbing the remainder).
    let file = video(dir.path(), "clip.mp4", 25_000_123);
    let plan = ChunkPlan::for_size(25_000_123).unwrap();
    assert_eq!(plan.total_chunk_count, 2);
    let post = PostInfo {
        title: "Outpost sandbox post #test".into(),
        privacy_level: info.privacy_level_options[0].clone(),
        disable_duet: false,
        disable_comment: false,
        disable_stitch: false,
        brand_organic_toggle: false,
        brand_content_toggle: false,
        is_aigc: false,
        video_cover_timestamp_ms: None,
    };
    let started = client
        .tiktok_init_upload(&token, &plan, Some(&post))
        .await
        .unwrap();
    let url = started
        .upload_url
        .clone()
        .expect("FILE_UPLOAD returns an upload URL");
    // Out of order: the sandbox, like TikTok, refuses it (416, answered before the body is
    // read, so the client sees the refusal or the connection closed under it).
    let err = client
        .tiktok_upload_chunk(&url, &file, "video/mp4", &plan, 1)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            PlatformError::Rejected { status: 416, .. } | PlatformError::Http(_)
        ),
        "{err}"
    );
    assert!(!client
        .tiktok_upload_chunk(&url, &file, "video/mp4", &plan, 0)
        .await
        .unwrap());
    assert!(client
        .tiktok_upload_chunk(&url, &file, "video/mp4", &plan, 1)
        .await
        .unwrap());
    let status = client
        .tiktok_publish_status(&token, &started.publish_id)
        .await
        .unwrap();
    assert!(!status.is_terminal(), "{status:?}");
    w.sandbox.advance_clock(Duration::from_secs(10)).await;
    let status = client
        .tiktok_publish_status(&token, &started.publish_id)
        .await
        .unwrap();
    assert_eq!(status.status, "PUBLISH_COMPLETE", "{status:?}");

    // Inbox draft: a small file goes whole.
    let small = video(dir.path(), "small.mp4", 3_000_000);
    let plan = ChunkPlan::for_size(3_000_000).unwrap();
    let draft = client
        .tiktok_init_upload(&token, &plan, None)
        .await
        .unwrap();
    assert!(client
        .tiktok_upload_chunk(
            draft.upload_url.as_deref().unwrap(),
            &small,
            "video/mp4",
            &plan,
            0
        )
        .await
        .unwrap());
    w.sandbox.advance_clock(Duration::from_secs(10)).await;
    let status = client
        .tiktok_publish_status(&token, &draft.publish_id)
        .await
        .unwrap();
    assert_eq!(status.status, "SEND_TO_USER_INBOX", "{status:?}");

    let seen = w.sandbox.inspect();
    assert_eq!(seen.max_publish_count(), 1, "no post may exist twice");
    w.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_forms_creator_info_is_asked_for_a_tiktok_account_only() {
    use outpost_core::error::UserFacing;
    use outpost_core::publish;

    let w = support::world().await;
    let id = |platform| w.ids.iter().find(|(p, _)| *p == platform).unwrap().1;
    let info = publish::tiktok_creator_info(&w.connector, id(Platform::Tiktok))
        .await
        .unwrap();
    assert!(!info.privacy_level_options.is_empty(), "{info:?}");
    let reddit = publish::tiktok_creator_info(&w.connector, id(Platform::Reddit))
        .await
        .unwrap_err();
    assert_eq!(reddit.code(), "account.wrong_platform");
    let missing = publish::tiktok_creator_info(&w.connector, 9_999)
        .await
        .unwrap_err();
    assert_eq!(missing.code(), "account.not_found");
}
