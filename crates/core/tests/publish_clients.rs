//! Instagram's and Reddit's publishing clients against the sandbox over loopback.
//! Instagram: a Reel sent by resumable upload in parts (a part at the wrong offset refused
//! as `offset_mismatch`), processed with sandbox time, published once, with its permalink; a
//! Reel by URL, an image, carousels (images; a resumable video item), the publishing limit,
//! and the `not_ready`, `container_failed` and `container_expired` refusals. Reddit: link
//! and text posts, image and video posts through the lease, the storage and the websocket,
//! a media post whose processing fails, business errors inside HTTP 200 (a missing
//! subreddit, the per-account RATELIMIT), a tampered lease refused by the storage, and a
//! post found again in the account's listing. The sandbox's inspection shows what the
//! platforms saw.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use outpost_core::platforms::instagram_publish::{ContainerSpec, NOT_READY, OFFSET_MISMATCH};
use outpost_core::platforms::reddit_publish::{
    Submission, SubmissionKind, Submitted, MEDIA_PROCESSING_FAILED,
};
use outpost_core::platforms::{PlatformClient, PlatformError};
use outpost_core::vault::SecretValue;
use outpost_core::Platform;
use outpost_sandbox::{FaultSpec, Platform as SP};
use sha2::{Digest, Sha256};
use support::{frozen_sandbox, world_with, World};

/// A file of `size` arbitrary bytes (the sandbox does not decode media).
fn media(dir: &Path, name: &str, size: usize, salt: u8) -> PathBuf {
    let path = dir.join(name);
    let mut f = std::fs::File::create(&path).unwrap();
    let block: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8 ^ salt).collect();
    let mut left = size;
    while left > 0 {
        let n = left.min(block.len());
        f.write_all(&block[..n]).unwrap();
        left -= n;
    }
    path
}

fn sha256_hex(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

fn code_of(e: &PlatformError) -> &str {
    match e {
        PlatformError::Rejected { code, .. } => code,
        _ => "",
    }
}

/// The connected account of `platform`: client, token, platform user id and username.
async fn account(w: &World, platform: Platform) -> (PlatformClient, SecretValue, String, String) {
    let id = w.ids.iter().find(|(p, _)| *p == platform).unwrap().1;
    let token = w.connector.access_token(id).await.unwrap();
    let client = w.connector.client(platform).await.unwrap();
    let a = w.connector.db().accounts().get(id).await.unwrap().unwrap();
    (
        client,
        token,
        a.platform_user_id,
        a.username.unwrap_or_default(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn instagram_containers_upload_process_and_publish_once() {
    let w = world_with(frozen_sandbox().await).await;
    let (ig, token, user, _) = account(&w, Platform::Instagram).await;
    let dir = tempfile::tempdir().unwrap();

    let limit = ig.ig_publishing_limit(&token, &user).await.unwrap();
    assert_eq!(limit.used, 0, "{limit:?}");
    assert!(limit.total > 0 && limit.window_secs == 86_400, "{limit:?}");

    // A Reel by resumable upload, in two parts.
    let size: u64 = 3_000_123;
    let file = media(dir.path(), "reel.mp4", size as usize, 0);
    let reel = ig
        .ig_create_container(
            &token,
            &user,
            &ContainerSpec::ReelResumable {
                caption: "Resumable reel #outpost".into(),
                share_to_feed: true,
                thumb_offset_ms: Some(1_000),
            },
        )
        .await
        .unwrap();
    let uri = reel
        .upload_uri
        .clone()
        .expect("a resumable container has a URI");
    let first = size / 2;
    ig.ig_upload_part(&token, &uri, &file, 0, first, size)
        .await
        .unwrap();
    // Sending the first part again: the host holds `first` bytes, so the offset is wrong.
    let err = ig
        .ig_upload_part(&token, &uri, &file, 0, 1_024, size)
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), OFFSET_MISMATCH, "{err}");
    assert!(!err.is_transient(), "{err}");
    let status = ig.ig_container_status(&token, &reel.id).await.unwrap();
    assert_eq!(status.code, "IN_PROGRESS", "{status:?}");
    ig.ig_upload_part(&token, &uri, &file, first, size - first, size)
        .await
        .unwrap();
    let status = ig.ig_container_status(&token, &reel.id).await.unwrap();
    assert!(!status.is_ready() && !status.is_failed(), "{status:?}");
    let err = ig
        .ig_media_publish(&token, &user, &reel.id)
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), NOT_READY, "{err}");
    w.sandbox.advance_clock(Duration::from_secs(10)).await;
    let status = ig.ig_container_status(&token, &reel.id).await.unwrap();
    assert!(status.is_ready(), "{status:?}");
    let media_id = ig.ig_media_publish(&token, &user, &reel.id).await.unwrap();
    let status = ig.ig_container_status(&token, &reel.id).await.unwrap();
    assert!(status.is_published(), "{status:?}");
    let permalink = ig.ig_media_permalink(&token, &media_id).await.unwrap();
    assert!(
        permalink.as_deref().is_some_and(|p| p.contains("/reel/")),
        "{permalink:?}"
    );
    let seen = w.sandbox.inspect();
    let published = seen.published_on(SP::Instagram);
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].id, media_id);
    assert_eq!(published[0].via, "reels");
    assert_eq!(published[0].bytes, size);
    assert_eq!(
        published[0].content_sha256.as_deref(),
        Some(sha256_hex(&file).as_str()),
        "the bytes arrived intact"
    );

    // A Reel Meta fetches from a URL, and an image.
    let by_url = ig
        .ig_create_container(
            &token,
            &user,
            &ContainerSpec::ReelFromUrl {
                video_url: "https://cdn.outpost.example/clip.mp4".into(),
                caption: "Reel by URL".into(),
                share_to_feed: false,
                thumb_offset_ms: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(by_url.upload_uri, None);
    let image = ig
        .ig_create_container(
            &token,
            &user,
            &ContainerSpec::Image {
                image_url: "https://cdn.outpost.example/photo.jpg".into(),
                caption: "An image".into(),
            },
        )
        .await
        .unwrap();
    // A carousel of two images; its items are finished before the carousel is created.
    let mut children = Vec::new();
    for n in 1..=2 {
        let item = ig
            .ig_create_container(
                &token,
                &user,
                &ContainerSpec::CarouselImage {
                    image_url: format!("https://cdn.outpost.example/slide{n}.jpg"),
                },
            )
            .await
            .unwrap();
        children.push(item.id);
    }
    w.sandbox.advance_clock(Duration::from_secs(10)).await;
    for id in &children {
        assert!(ig.ig_container_status(&token, id).await.unwrap().is_ready());
    }
    let carousel = ig
        .ig_create_container(
            &token,
            &user,
            &ContainerSpec::Carousel {
                children: children.clone(),
                caption: "Two slides".into(),
            },
        )
        .await
        .unwrap();
    w.sandbox.advance_clock(Duration::from_secs(2)).await;
    for c in [&by_url.id, &image.id, &carousel.id] {
        assert!(ig.ig_container_status(&token, c).await.unwrap().is_ready());
        ig.ig_media_publish(&token, &user, c).await.unwrap();
    }

    // A carousel item sent by resumable upload, in one part.
    let clip = media(dir.path(), "item.mp4", 700_000, 7);
    let item = ig
        .ig_create_container(&token, &user, &ContainerSpec::CarouselVideoResumable)
        .await
        .unwrap();
    ig.ig_upload_part(
        &token,
        item.upload_uri.as_deref().unwrap(),
        &clip,
        0,
        700_000,
        700_000,
    )
    .await
    .unwrap();
    w.sandbox.advance_clock(Duration::from_secs(10)).await;
    assert!(ig
        .ig_container_status(&token, &item.id)
        .await
        .unwrap()
        .is_ready());

    let seen = w.sandbox.inspect();
    let vias: Vec<&str> = seen
        .published_on(SP::Instagram)
        .iter()
        .map(|p| p.via.as_str())
        .collect();
    assert_eq!(vias, ["reels", "reels", "image", "carousel"]);
    assert_eq!(seen.max_publish_count(), 1, "no post may exist twice");
    let limit = ig.ig_publishing_limit(&token, &user).await.unwrap();
    assert_eq!(limit.used, 4, "a carousel counts once: {limit:?}");
    w.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn instagram_failed_and_expired_containers_are_told_apart() {
    let w = world_with(frozen_sandbox().await).await;
    let (ig, token, user, _) = account(&w, Platform::Instagram).await;
    let image = |n: u32| ContainerSpec::Image {
        image_url: format!("https://cdn.outpost.example/{n}.jpg"),
        caption: format!("image {n}"),
    };

    w.sandbox.set_faults(FaultSpec {
        container_error: true,
        ..FaultSpec::default()
    });
    let broken = ig
        .ig_create_container(&token, &user, &image(1))
        .await
        .unwrap();
    w.sandbox.set_faults(FaultSpec::default());
    let stale = ig
        .ig_create_container(&token, &user, &image(2))
        .await
        .unwrap();
    w.sandbox.advance_clock(Duration::from_secs(2)).await;
    let status = ig.ig_container_status(&token, &broken.id).await.unwrap();
    assert!(status.is_failed() && status.code == "ERROR", "{status:?}");
    assert!(!status.status.is_empty());
    let err = ig
        .ig_media_publish(&token, &user, &broken.id)
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), "container_failed", "{err}");

    w.sandbox
        .advance_clock(Duration::from_secs(24 * 3600))
        .await;
    let status = ig.ig_container_status(&token, &stale.id).await.unwrap();
    assert!(status.is_failed() && status.code == "EXPIRED", "{status:?}");
    let err = ig
        .ig_media_publish(&token, &user, &stale.id)
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), "container_expired", "{err}");
    assert!(w.sandbox.inspect().published_on(SP::Instagram).is_empty());
    w.sandbox.shutdown().await;
}

fn submission(title: &str, kind: SubmissionKind) -> Submission {
    Submission {
        subreddit: "outpost_sandbox".into(),
        title: title.into(),
        kind,
        nsfw: false,
        spoiler: false,
        flair_id: None,
        flair_text: None,
        send_replies: true,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn reddit_posts_of_every_kind_get_their_ids() {
    let w = world_with(frozen_sandbox().await).await;
    let (reddit, token, _, username) = account(&w, Platform::Reddit).await;
    let dir = tempfile::tempdir().unwrap();
    let wait = Duration::from_secs(10);

    // Link and text posts answer with their id.
    let link = reddit
        .reddit_submit(
            &token,
            &submission(
                "A link from Outpost",
                SubmissionKind::Link {
                    url: "https://outpost.example/clip/new".into(),
                },
            ),
        )
        .await
        .unwrap();
    let Submitted::Post { id: link_id, url } = link else {
        panic!("{link:?}")
    };
    assert!(!link_id.starts_with("t3_"));
    assert!(url.is_some_and(|u| u.contains(&format!("/comments/{link_id}/"))));
    let text = reddit
        .reddit_submit(
            &token,
            &submission(
                "Words from Outpost",
                SubmissionKind::SelfText {
                    text: "Hello **there**".into(),
                },
            ),
        )
        .await
        .unwrap();
    assert!(matches!(text, Submitted::Post { .. }), "{text:?}");

    // An image: lease, upload to the storage, submit, then the id on the websocket.
    let photo = media(dir.path(), "photo.jpg", 300_000, 1);
    let lease = reddit
        .reddit_media_lease(&token, "photo.jpg", "image/jpeg")
        .await
        .unwrap();
    assert!(
        lease.action.starts_with("http://"),
        "protocol-relative action takes the API's scheme: {}",
        lease.action
    );
    assert!(lease.websocket_url.is_some() && !lease.asset_id.is_empty());
    let image_url = reddit
        .reddit_upload_to_lease(&lease, &photo, "image/jpeg")
        .await
        .unwrap();
    let key = &lease.fields.iter().find(|(n, _)| n == "key").unwrap().1;
    assert_eq!(image_url, format!("{}/{key}", lease.action));
    let submitted = reddit
        .reddit_submit(
            &token,
            &submission(
                "A picture from Outpost",
                SubmissionKind::Image {
                    media_url: image_url,
                },
            ),
        )
        .await
        .unwrap();
    let Submitted::Media { websocket_url } = submitted else {
        panic!("{submitted:?}")
    };
    let image_id = reddit
        .reddit_await_media_post(&websocket_url, wait)
        .await
        .unwrap();

    // A video with its poster: two leases.
    let clip = media(dir.path(), "clip.mp4", 2_500_000, 2);
    let poster = media(dir.path(), "poster.jpg", 50_000, 3);
    let video_lease = reddit
        .reddit_media_lease(&token, "clip.mp4", "video/mp4")
        .await
        .unwrap();
    let video_url = reddit
        .reddit_upload_to_lease(&video_lease, &clip, "video/mp4")
        .await
        .unwrap();
    let poster_lease = reddit
        .reddit_media_lease(&token, "poster.jpg", "image/jpeg")
        .await
        .unwrap();
    let poster_url = reddit
        .reddit_upload_to_lease(&poster_lease, &poster, "image/jpeg")
        .await
        .unwrap();
    let submitted = reddit
        .reddit_submit(
            &token,
            &submission(
                "A video from Outpost",
                SubmissionKind::Video {
                    media_url: video_url,
                    poster_url,
                },
            ),
        )
        .await
        .unwrap();
    let Submitted::Media { websocket_url } = submitted else {
        panic!("{submitted:?}")
    };
    let video_id = reddit
        .reddit_await_media_post(&websocket_url, wait)
        .await
        .unwrap();

    let seen = w.sandbox.inspect();
    let published = seen.published_on(SP::Reddit);
    let record = |id: &str| published.iter().find(|p| p.id == id).copied().unwrap();
    assert_eq!(record(&link_id).via, "link");
    assert_eq!(record(&image_id).via, "image");
    assert_eq!(
        record(&image_id).content_sha256.as_deref(),
        Some(sha256_hex(&photo).as_str())
    );
    assert_eq!(record(&video_id).via, "video");
    assert_eq!(record(&video_id).bytes, 2_500_000);
    assert_eq!(
        record(&video_id).content_sha256.as_deref(),
        Some(sha256_hex(&clip).as_str())
    );
    assert_eq!(published.len(), 4);
    assert_eq!(seen.max_publish_count(), 1);

    // After a crash, the listing finds the post a submit made.
    let found = reddit
        .reddit_find_submitted(&token, &username, &|p| p.title == "A link from Outpost", 50)
        .await
        .unwrap()
        .expect("the link post is listed");
    assert_eq!(found.id, link_id);
    assert_eq!(found.subreddit, "outpost_sandbox");
    assert_eq!(
        found.url.as_deref(),
        Some("https://outpost.example/clip/new")
    );
    assert!(found.created_utc > 0);
    let words = reddit
        .reddit_find_submitted(&token, &username, &|p| p.title == "Words from Outpost", 50)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(words.selftext.as_deref(), Some("Hello **there**"));
    // The seeded posts are older: a title that was never posted is not found, and `limit`
    // bounds the search (the seeded account has 30 posts, read over pages).
    let missing = reddit
        .reddit_find_submitted(&token, &username, &|p| p.title == "never posted", 1000)
        .await
        .unwrap();
    assert!(missing.is_none());
    let oldest = reddit
        .reddit_find_submitted(
            &token,
            &username,
            &|p| p.title == "Sandbox post number 1",
            5,
        )
        .await
        .unwrap();
    assert!(oldest.is_none(), "only the 5 newest posts were read");
    w.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reddit_refusals_keep_their_codes() {
    let w = world_with(frozen_sandbox().await).await;
    let (reddit, token, _, _) = account(&w, Platform::Reddit).await;
    let dir = tempfile::tempdir().unwrap();
    let link = |n: u32| {
        submission(
            &format!("Link {n}"),
            SubmissionKind::Link {
                url: format!("https://outpost.example/limit/{n}"),
            },
        )
    };

    // A business error inside HTTP 200.
    let mut nowhere = link(0);
    nowhere.subreddit = "no_such_subreddit_here".into();
    let err = reddit.reddit_submit(&token, &nowhere).await.unwrap_err();
    assert_eq!(code_of(&err), "SUBREDDIT_NOEXIST", "{err}");
    assert!(!err.is_transient());

    // A lease whose policy was altered is refused by the storage, with S3's code.
    let photo = media(dir.path(), "photo.png", 200, 4);
    let mut lease = reddit
        .reddit_media_lease(&token, "photo.png", "image/png")
        .await
        .unwrap();
    for (name, value) in &mut lease.fields {
        if name == "policy" {
            value.push('x');
        }
    }
    let err = reddit
        .reddit_upload_to_lease(&lease, &photo, "image/png")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, PlatformError::Rejected { status: 403, code, .. } if code == "AccessDenied"),
        "{err}"
    );

    // A media post whose processing fails says so on its websocket.
    w.sandbox.set_faults(FaultSpec {
        publish_fail: true,
        ..FaultSpec::default()
    });
    let lease = reddit
        .reddit_media_lease(&token, "photo.png", "image/png")
        .await
        .unwrap();
    let url = reddit
        .reddit_upload_to_lease(&lease, &photo, "image/png")
        .await
        .unwrap();
    let submitted = reddit
        .reddit_submit(
            &token,
            &submission("Broken picture", SubmissionKind::Image { media_url: url }),
        )
        .await
        .unwrap();
    let Submitted::Media { websocket_url } = submitted else {
        panic!("{submitted:?}")
    };
    let err = reddit
        .reddit_await_media_post(&websocket_url, Duration::from_secs(10))
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), MEDIA_PROCESSING_FAILED, "{err}");
    w.sandbox.set_faults(FaultSpec::default());

    // The account's posting limit: RATELIMIT in HTTP 200 becomes a wait.
    let mut n = 1;
    let err = loop {
        match reddit.reddit_submit(&token, &link(n)).await {
            Ok(_) => n += 1,
            Err(e) => break e,
        }
        assert!(n < 20, "no RATELIMIT after {n} submits");
    };
    match err {
        PlatformError::RateLimited {
            retry_after_secs: Some(secs),
            ..
        } => assert!(secs > 0 && secs <= 600, "{secs}"),
        other => panic!("{other}"),
    }
    assert!(w.sandbox.inspect().max_publish_count() <= 1);
    w.sandbox.shutdown().await;
}
