//! Instagram's pipeline: Reels from a local file by resumable upload (each acknowledged
//! part recorded; resumed from the recorded offset, or a new container when Instagram
//! disagrees) or from a public URL; images and carousel items from public URLs; the
//! container followed until FINISHED; the publishing limit checked before
//! `media_publish`. A job found in `publishing` asks the container whether it was
//! published instead of publishing again.
//!
//! Meta fetches `image_url`/`video_url` itself, so a local image (or a local video when the
//! app may not use resumable upload, `[instagram] resumable_upload = false`) needs a public
//! URL: with a media host configured (`[media_host]`, docs/media-host.md) the file is
//! uploaded there while the job is `uploading` (the hosted object recorded in the upload
//! session, so a resumed job does not upload it again) and its public URL goes in the
//! container; the object is deleted once the post is published. Without one, Outpost says
//! so before sending anything.

use std::time::Duration;

use serde_json::{json, Value};

use super::media_host::{HostedObject, MediaHost, MediaHostError};
use super::{check, is_url_source, Halt, JobCtx, PublishError, Step};
use crate::media::MediaKind;
use crate::platforms::instagram_publish::{
    ContainerSpec, CONTAINER_EXPIRED, NOT_READY, OFFSET_MISMATCH, PUBLISHING_LIMIT,
};
use crate::platforms::PlatformError;
use crate::queue::{Changes, JobState, Progress};

/// Bytes per resumable upload request.
const PART: u64 = 8 * 1024 * 1024;
/// How long one run waits for a container before handing the job back to the queue.
const WAIT_FOR: Duration = Duration::from_secs(180);
/// Session key of the job's file on the media host.
const HOSTED: &str = "media_host";
/// A presigned link this close to its expiry is not handed to Instagram again.
const HOSTED_MARGIN_MS: i64 = 3_600_000;

pub(super) async fn drive(ctx: &mut JobCtx<'_>) -> Step {
    let resumed_publish = ctx.job.state == JobState::Publishing;
    if matches!(ctx.job.state, JobState::Validating | JobState::Uploading) {
        let plan = plan(ctx)?;
        if ctx.job.state == JobState::Validating {
            validate(ctx, &plan).await?;
            ctx.go(JobState::Uploading, Some("checked"), Changes::default())
                .await?;
        }
        let container = prepare(ctx, &plan).await?;
        check_quota(ctx).await?;
        ctx.checkpoint().await?;
        ctx.go(
            JobState::Publishing,
            Some("publishing"),
            Changes {
                publish_id: Some(container),
                step_detail: Some("publishing on Instagram".into()),
                ..Changes::default()
            },
        )
        .await?;
    }
    publish(ctx, resumed_publish).await?;
    if ctx.job.state == JobState::Published {
        tidy_media_host(ctx).await;
    }
    Ok(())
}

/// The containers a job needs.
struct Plan {
    /// The job's own item (Reel, image, or first carousel item).
    items: Vec<ContainerSpec>,
    /// A carousel over `items`.
    carousel: bool,
    /// The job's file goes to the media host first; `items[0]` gets its public URL.
    hosted: bool,
}

fn plan(ctx: &JobCtx<'_>) -> Result<Plan, Halt> {
    let o = &ctx.opts.instagram;
    let caption = ctx.opts.caption.clone();
    let source = ctx.job.source_path.clone();
    let is_url = is_url_source(&source);
    let image = ctx.job.kind == "image" || (is_url && looks_like_image(&source));
    let kind = o.kind.clone().unwrap_or_else(|| {
        if image {
            "image".into()
        } else {
            "reels".into()
        }
    });
    let config = ctx.p.inner.connector.config();
    let media_host = config.media_host.is_some();
    let resumable = o
        .resumable_upload
        .unwrap_or(config.platform(ctx.job.platform).resumable_upload);
    let local_image = || {
        PublishError::invalid(
            "publish.needs_public_url",
            format!(
                "Instagram fetches images itself from a public https URL, and {source} is a file on this computer. \
                 Set up a media host (an S3-compatible bucket Outpost uploads the file to: the [media_host] settings, \
                 see docs/media-host.md), or publish the image from a public URL instead (outpost publish https://...)"
            ),
        )
    };
    let local_video = || {
        PublishError::invalid(
            "publish.needs_public_url",
            format!(
                "resumable upload is turned off for Instagram ([instagram] resumable_upload = false), so Instagram \
                 must fetch the video itself from a public https URL, and {source} is a file on this computer. \
                 Set up a media host (the [media_host] settings, see docs/media-host.md), turn resumable upload \
                 back on if your Instagram app may use it, or publish the video from a public URL"
            ),
        )
    };
    let share_to_feed = o.share_to_feed.unwrap_or(true);
    match kind.as_str() {
        "reels" => {
            if image {
                return Err(PublishError::invalid(
                    "publish.wrong_kind",
                    "a Reel needs a video; this is an image (use kind = \"image\")",
                )
                .into());
            }
            let hosted = !is_url && !resumable;
            if hosted && !media_host {
                return Err(local_video().into());
            }
            let spec = if is_url || hosted {
                ContainerSpec::ReelFromUrl {
                    // Filled with the media host's URL while uploading.
                    video_url: if hosted { String::new() } else { source },
                    caption,
                    share_to_feed,
                    thumb_offset_ms: o.thumb_offset_ms,
                }
            } else {
                ContainerSpec::ReelResumable {
                    caption,
                    share_to_feed,
                    thumb_offset_ms: o.thumb_offset_ms,
                }
            };
            Ok(Plan {
                items: vec![spec],
                carousel: false,
                hosted,
            })
        }
        "image" => {
            if !image {
                return Err(PublishError::invalid(
                    "publish.wrong_kind",
                    "an image post needs a JPEG image; this is a video (use kind = \"reels\")",
                )
                .into());
            }
            if !is_url && !media_host {
                return Err(local_image().into());
            }
            Ok(Plan {
                items: vec![ContainerSpec::Image {
                    // Filled with the media host's URL while uploading.
                    image_url: if is_url { source } else { String::new() },
                    caption,
                }],
                carousel: false,
                hosted: !is_url,
            })
        }
        "carousel" => {
            let mut items = Vec::new();
            let hosted = !is_url && (image || !resumable);
            if hosted && !media_host {
                return Err(if image { local_image() } else { local_video() }.into());
            }
            let url = if is_url { source } else { String::new() };
            let first = if is_url || hosted {
                if image {
                    ContainerSpec::CarouselImage { image_url: url }
                } else {
                    ContainerSpec::CarouselVideo { video_url: url }
                }
            } else {
                ContainerSpec::CarouselVideoResumable
            };
            items.push(first);
            for url in &o.carousel {
                if !url.starts_with("https://") {
                    return Err(PublishError::invalid(
                        "publish.needs_public_url",
                        format!("carousel item {url:?}: Instagram fetches carousel items itself, so each must be a public https URL"),
                    )
                    .into());
                }
                items.push(if looks_like_image(url) {
                    ContainerSpec::CarouselImage {
                        image_url: url.clone(),
                    }
                } else {
                    ContainerSpec::CarouselVideo {
                        video_url: url.clone(),
                    }
                });
            }
            if !(2..=10).contains(&items.len()) {
                return Err(PublishError::invalid(
                    "publish.carousel_size",
                    format!("a carousel has 2 to 10 items; this one has {} (add public URLs under instagram.carousel)", items.len()),
                )
                .into());
            }
            Ok(Plan {
                items,
                carousel: true,
                hosted,
            })
        }
        other => Err(PublishError::invalid(
            "publish.invalid_options",
            format!("instagram kind {other:?} is not one of reels, image, carousel"),
        )
        .into()),
    }
}

fn looks_like_image(url: &str) -> bool {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    [".jpg", ".jpeg", ".png"].iter().any(|e| path.ends_with(e))
}

async fn validate(ctx: &JobCtx<'_>, plan: &Plan) -> Step {
    let local = plan.hosted || plan.items.first().is_some_and(ContainerSpec::is_resumable);
    let probe = if local {
        Some(check::probe(&ctx.file()).await?)
    } else {
        None
    };
    let kind = if matches!(
        plan.items.first(),
        Some(ContainerSpec::Image { .. } | ContainerSpec::CarouselImage { .. })
    ) {
        MediaKind::Image
    } else {
        MediaKind::Video
    };
    check::limits(
        ctx.job.platform,
        kind,
        probe.as_ref(),
        &ctx.opts.caption,
        None,
        None,
    )?;
    Ok(())
}

fn session(ctx: &JobCtx<'_>) -> Value {
    ctx.job.upload_session.clone().unwrap_or_else(|| json!({}))
}

/// Create (or find in the session) the container and send its bytes; wait until it is
/// FINISHED. Returns the container to publish.
async fn prepare(ctx: &mut JobCtx<'_>, plan: &Plan) -> Result<String, Halt> {
    let mut restarted = false;
    loop {
        match prepare_once(ctx, plan).await {
            // Instagram has a different byte count, or the container expired or failed to
            // take the bytes: nothing was published, so a new container is safe (once).
            Err(Halt::Error(PublishError::Platform(PlatformError::Rejected { code, .. })))
                if !restarted && (code == OFFSET_MISMATCH || code == CONTAINER_EXPIRED) =>
            {
                tracing::info!(
                    job = ctx.job.id,
                    code,
                    "instagram: starting a new container"
                );
                restarted = true;
                // A new container, but the file on the media host is still good.
                let mut empty = json!({});
                if let Some(hosted) = session(ctx).get(HOSTED) {
                    empty[HOSTED] = hosted.clone();
                }
                ctx.progress(Progress {
                    bytes_acked: Some(0),
                    chunks_acked: Some(0),
                    session: Some(&empty),
                    ..Progress::default()
                })
                .await?;
                ctx.job.upload_session = Some(empty);
            }
            other => return other,
        }
    }
}

async fn prepare_once(ctx: &mut JobCtx<'_>, plan: &Plan) -> Result<String, Halt> {
    let ig_user = ctx.account_user_id().await?;
    let mut items = plan.items.clone();
    // Hosted before its container is created (once created, Instagram has fetched it).
    let first = if plan.carousel { "child0" } else { "container" };
    if plan.hosted && session(ctx)[first].is_null() {
        let hosted = host_file(ctx).await?;
        items[0] = with_url(&items[0], hosted.url);
    }
    if !plan.carousel {
        let spec = &items[0];
        let container = item(ctx, &ig_user, spec, "container").await?;
        wait_finished(ctx, &container).await?;
        return Ok(container);
    }
    let mut children = Vec::with_capacity(items.len());
    for (i, spec) in items.iter().enumerate() {
        let child = item(ctx, &ig_user, spec, &format!("child{i}")).await?;
        children.push(child);
    }
    for child in &children {
        wait_finished(ctx, child).await?;
    }
    if let Some(id) = session(ctx)["container"].as_str() {
        let id = id.to_owned();
        wait_finished(ctx, &id).await?;
        return Ok(id);
    }
    let spec = ContainerSpec::Carousel {
        children,
        caption: ctx.opts.caption.clone(),
    };
    let created = ctx
        .client
        .ig_create_container(&ctx.token, &ig_user, &spec)
        .await?;
    let mut s = session(ctx);
    s["container"] = json!(created.id);
    ctx.progress(Progress {
        session: Some(&s),
        step: Some("carousel created"),
        ..Progress::default()
    })
    .await?;
    wait_finished(ctx, &created.id).await?;
    Ok(created.id)
}

/// `spec` (a kind Meta fetches from a URL) with `url`.
fn with_url(spec: &ContainerSpec, url: String) -> ContainerSpec {
    match spec {
        ContainerSpec::Image { caption, .. } => ContainerSpec::Image {
            image_url: url,
            caption: caption.clone(),
        },
        ContainerSpec::CarouselImage { .. } => ContainerSpec::CarouselImage { image_url: url },
        ContainerSpec::CarouselVideo { .. } => ContainerSpec::CarouselVideo { video_url: url },
        ContainerSpec::ReelFromUrl {
            caption,
            share_to_feed,
            thumb_offset_ms,
            ..
        } => ContainerSpec::ReelFromUrl {
            video_url: url,
            caption: caption.clone(),
            share_to_feed: *share_to_feed,
            thumb_offset_ms: *thumb_offset_ms,
        },
        other => other.clone(),
    }
}

/// The configured media host.
fn media_host(ctx: &JobCtx<'_>) -> Result<Option<MediaHost>, Halt> {
    let Some(config) = &ctx.p.inner.connector.config().media_host else {
        return Ok(None);
    };
    let http = crate::http::Http::new().map_err(PlatformError::from)?;
    MediaHost::new(config, http)
        .map(Some)
        .map_err(|e| media_host_halt(ctx, e))
}

/// A media host failure as the queue sees it: `PublishError::MediaHost`, which the queue
/// retries when transient (network trouble, 5xx, throttling) and reports otherwise.
fn media_host_halt(_ctx: &JobCtx<'_>, e: MediaHostError) -> Halt {
    Halt::Error(PublishError::MediaHost(e))
}

fn unix_ms_now() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

/// The job's file on the media host: the object recorded in the session (while its link
/// is good), else uploaded now and recorded.
async fn host_file(ctx: &mut JobCtx<'_>) -> Result<HostedObject, Halt> {
    let recorded = session(ctx)
        .get(HOSTED)
        .and_then(|v| serde_json::from_value::<HostedObject>(v.clone()).ok());
    // Presigned links expire with the system clock they were signed with.
    if let Some(hosted) = recorded.filter(|h| h.usable_at(unix_ms_now(), HOSTED_MARGIN_MS)) {
        return Ok(hosted);
    }
    let host = media_host(ctx)?.ok_or_else(|| {
        PublishError::invalid(
            "publish.needs_public_url",
            "this post was planned with a media host and [media_host] is no longer set up (docs/media-host.md)",
        )
    })?;
    let file = ctx.file();
    let probe = check::probe(&file).await?;
    ctx.checkpoint().await?;
    ctx.progress(Progress {
        step: Some("uploading to the media host"),
        ..Progress::default()
    })
    .await?;
    let hosted = host
        .put_file(&file, probe.container.mime())
        .await
        .map_err(|e| media_host_halt(ctx, e))?;
    tracing::info!(job = ctx.job.id, key = %hosted.key, "instagram: file on the media host");
    let mut s = session(ctx);
    s[HOSTED] = serde_json::to_value(&hosted).unwrap_or_default();
    let bytes = i64::try_from(probe.bytes).unwrap_or(i64::MAX);
    ctx.progress(Progress {
        session: Some(&s),
        bytes_acked: Some(bytes),
        chunks_acked: Some(1),
        step: Some("uploaded to the media host"),
        ..Progress::default()
    })
    .await?;
    Ok(hosted)
}

/// After publishing: the file on the media host is not needed any more (Instagram has
/// its own copy). A failure only leaves the object behind.
async fn tidy_media_host(ctx: &JobCtx<'_>) {
    let Some(key) = session(ctx)
        .get(HOSTED)
        .and_then(|h| h.get("key"))
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return;
    };
    let host = match media_host(ctx) {
        Ok(Some(host)) => host,
        _ => return,
    };
    if let Err(e) = host.delete(&key).await {
        tracing::warn!(job = ctx.job.id, key, error = %e, "instagram: could not delete the file from the media host");
    }
}

/// One container, created once (its id kept in the session under `key`), bytes sent.
async fn item(
    ctx: &mut JobCtx<'_>,
    ig_user: &str,
    spec: &ContainerSpec,
    key: &str,
) -> Result<String, Halt> {
    let mut s = session(ctx);
    let id = match s[key].as_str() {
        Some(id) => id.to_owned(),
        None => {
            ctx.checkpoint().await?;
            let created = ctx
                .client
                .ig_create_container(&ctx.token, ig_user, spec)
                .await?;
            s[key] = json!(created.id);
            if let Some(uri) = &created.upload_uri {
                s["upload_uri"] = json!(uri);
            }
            ctx.progress(Progress {
                session: Some(&s),
                // A resumable upload starts from nothing; a hosted file is already counted.
                bytes_acked: spec.is_resumable().then_some(0),
                step: Some("container created"),
                ..Progress::default()
            })
            .await?;
            created.id
        }
    };
    if spec.is_resumable() {
        upload(ctx).await?;
    }
    Ok(id)
}

/// Resumable upload from the recorded offset, one part per request.
async fn upload(ctx: &mut JobCtx<'_>) -> Step {
    let file = ctx.file();
    let size = std::fs::metadata(&file)
        .map_err(|e| PublishError::io(&file, e))?
        .len();
    let uri = session(ctx)["upload_uri"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| PlatformError::BadResponse {
            platform: ctx.job.platform,
            endpoint: "media",
            reason: "no upload uri for a resumable container".into(),
        })?;
    let mut offset = u64::try_from(ctx.job.bytes_acked).unwrap_or(0);
    let parts = size.div_ceil(PART);
    while offset < size {
        ctx.checkpoint().await?;
        let len = PART.min(size - offset);
        ctx.client
            .ig_upload_part(&ctx.token, &uri, &file, offset, len, size)
            .await?;
        offset += len;
        let step = format!("uploaded part {} of {parts}", offset.div_ceil(PART));
        ctx.progress(Progress {
            bytes_acked: Some(i64::try_from(offset).unwrap_or(i64::MAX)),
            chunks_acked: Some(i64::try_from(offset.div_ceil(PART)).unwrap_or(i64::MAX)),
            step: Some(&step),
            ..Progress::default()
        })
        .await?;
    }
    Ok(())
}

/// Follow a container until FINISHED.
async fn wait_finished(ctx: &mut JobCtx<'_>, container: &str) -> Step {
    let began = std::time::Instant::now();
    let mut delay = ctx.poll_interval();
    loop {
        let status = ctx
            .client
            .ig_container_status(&ctx.token, container)
            .await?;
        if status.is_ready() || status.is_published() {
            return Ok(());
        }
        if status.code == "EXPIRED" {
            return Err(PlatformError::Rejected {
                platform: ctx.job.platform,
                status: 400,
                code: CONTAINER_EXPIRED.into(),
                message: status.status,
            }
            .into());
        }
        if status.is_failed() {
            return Err(PublishError::invalid(
                "publish.platform_failed",
                format!("Instagram could not process the media: {}", status.status),
            )
            .into());
        }
        if began.elapsed() >= WAIT_FOR {
            return Err(Halt::Wait {
                until: ctx.now() + 60_000,
                step: "Instagram is still processing the media".into(),
            });
        }
        ctx.progress(Progress {
            step: Some("Instagram is processing the media"),
            ..Progress::default()
        })
        .await?;
        ctx.sleep(delay).await?;
        delay = (delay * 3 / 2).min(Duration::from_secs(60));
    }
}

/// Stop before publishing when the account's publishing limit is used up.
async fn check_quota(ctx: &JobCtx<'_>) -> Step {
    let ig_user = ctx.account_user_id().await?;
    let limit = ctx.client.ig_publishing_limit(&ctx.token, &ig_user).await?;
    if limit.used < limit.total {
        return Ok(());
    }
    let (until, at) = ctx
        .quota_frees_at(i64::try_from(limit.window_secs).unwrap_or(86_400) * 1000)
        .await?;
    Err(Halt::Quota {
        until,
        message: format!(
            "Instagram's limit of {} posts per {} hours is reached ({} used); Outpost publishes this when a place frees up, around {at}",
            limit.total,
            limit.window_secs / 3600,
            limit.used
        ),
    })
}

/// `media_publish`, or, for a job that was already publishing when Outpost stopped, the
/// container's own answer first.
async fn publish(ctx: &mut JobCtx<'_>, resumed: bool) -> Step {
    let container = ctx.job.platform_publish_id.clone().ok_or_else(|| {
        PublishError::invalid(
            "publish.outcome_unknown",
            "no container recorded for this post",
        )
    })?;
    if resumed {
        let status = ctx
            .client
            .ig_container_status(&ctx.token, &container)
            .await?;
        if status.is_published() {
            return ctx
                .go(
                    JobState::Published,
                    Some("published (found on Instagram after a restart)"),
                    Changes {
                        step_detail: Some("published on Instagram".into()),
                        ..Changes::default()
                    },
                )
                .await;
        }
        if status.is_failed() {
            return Err(PublishError::invalid(
                "publish.platform_failed",
                format!("Instagram did not publish the post: {}", status.status),
            )
            .into());
        }
        if !status.is_ready() {
            return Err(Halt::Wait {
                until: ctx.now() + 30_000,
                step: "Instagram is still processing the media".into(),
            });
        }
    }
    let ig_user = ctx.account_user_id().await?;
    match ctx
        .client
        .ig_media_publish(&ctx.token, &ig_user, &container)
        .await
    {
        Ok(media_id) => {
            let permalink = ctx
                .client
                .ig_media_permalink(&ctx.token, &media_id)
                .await
                .ok()
                .flatten();
            ctx.go(
                JobState::Published,
                Some("published"),
                Changes {
                    media_id: Some(media_id),
                    step_detail: Some(permalink.map_or_else(
                        || "published on Instagram".into(),
                        |p| format!("published: {p}"),
                    )),
                    ..Changes::default()
                },
            )
            .await
        }
        Err(PlatformError::Rejected { code, .. }) if code == NOT_READY => Err(Halt::Wait {
            until: ctx.now() + 30_000,
            step: "Instagram is still processing the media".into(),
        }),
        Err(PlatformError::Rejected { code, message, .. }) if code == PUBLISHING_LIMIT => {
            Err(Halt::Wait {
                until: ctx.now() + 3_600_000,
                step: format!("Instagram's publishing limit is reached: {message}"),
            })
        }
        Err(e) => Err(e.into()),
    }
}
