//! Instagram's pipeline: Reels from a local file by resumable upload (each acknowledged
//! part recorded; resumed from the recorded offset, or a new container when Instagram
//! disagrees) or from a public URL; images and carousel items from public URLs; the
//! container followed until FINISHED; the publishing limit checked before
//! `media_publish`. A job found in `publishing` asks the container whether it was
//! published instead of publishing again.
//!
//! Meta fetches `image_url` itself, so a local image needs a public URL: Outpost says so
//! before sending anything.

use std::time::Duration;

use serde_json::{json, Value};

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

pub(super) async fn drive(ctx: &mut JobCtx<'_>) -> Step {
    let resumed_publish = ctx.job.state == JobState::Publishing;
    let plan = plan(ctx)?;
    if ctx.job.state == JobState::Validating {
        validate(ctx, &plan).await?;
        ctx.go(JobState::Uploading, Some("checked"), Changes::default())
            .await?;
    }
    if ctx.job.state == JobState::Uploading {
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
    publish(ctx, resumed_publish).await
}

/// The containers a job needs.
struct Plan {
    /// The job's own item (Reel, image, or first carousel item).
    items: Vec<ContainerSpec>,
    /// A carousel over `items`.
    carousel: bool,
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
    let local_image = || {
        PublishError::invalid(
            "publish.needs_public_url",
            format!(
                "Instagram fetches images itself from a public https URL, and {source} is a file on this computer. \
                 Publish the image from a public URL instead (outpost publish https://...), or post it as a Reel if it is a video"
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
            let spec = if is_url {
                ContainerSpec::ReelFromUrl {
                    video_url: source,
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
            if !is_url {
                return Err(local_image().into());
            }
            Ok(Plan {
                items: vec![ContainerSpec::Image {
                    image_url: source,
                    caption,
                }],
                carousel: false,
            })
        }
        "carousel" => {
            let mut items = Vec::new();
            let first = if is_url {
                if image {
                    ContainerSpec::CarouselImage { image_url: source }
                } else {
                    ContainerSpec::CarouselVideo { video_url: source }
                }
            } else if image {
                return Err(local_image().into());
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
    let local_video = plan.items.first().is_some_and(ContainerSpec::is_resumable);
    let probe = if local_video {
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
                let empty = json!({});
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
    if !plan.carousel {
        let spec = &plan.items[0];
        let container = item(ctx, &ig_user, spec, "container").await?;
        wait_finished(ctx, &container).await?;
        return Ok(container);
    }
    let mut children = Vec::with_capacity(plan.items.len());
    for (i, spec) in plan.items.iter().enumerate() {
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
                bytes_acked: Some(0),
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
