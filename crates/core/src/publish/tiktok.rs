//! TikTok's pipeline: creator info first (privacy options, disabled interactions, longest
//! video) and the post checked against it; then FILE_UPLOAD in the documented chunks, each
//! acknowledged chunk recorded, or PULL_FROM_URL for a URL source; then the publish status
//! followed to its end. A resumed upload asks TikTok how many bytes it has (and starts a
//! new upload when the hour-long upload link expired: nothing was posted yet). The
//! creator info is also what the publish form asks for first ([`creator_info`]).

use std::time::Duration;

use serde_json::json;

use super::{check, is_url_source, Halt, JobCtx, PublishError, Step};
use crate::media::MediaKind;
use crate::oauth::Connector;
use crate::platform::Platform;
use crate::platforms::tiktok_publish::{ChunkPlan, CreatorInfo, PostInfo};
use crate::platforms::PlatformError;
use crate::queue::{Changes, JobState, Progress};
use crate::vault::{SecretOwner, SecretValue};

/// Upload links are valid for an hour; a resume after this long starts a new upload.
const UPLOAD_URL_LIFETIME_MS: i64 = 55 * 60 * 1000;
/// How long one run follows the processing before handing the job back to the queue.
const FOLLOW_FOR: Duration = Duration::from_secs(120);

/// What TikTok allows `account_id`'s creator right now (privacy options, disabled
/// interactions, longest video): asked before each post form, as before each post.
pub async fn creator_info(
    connector: &Connector,
    account_id: i64,
) -> Result<CreatorInfo, PublishError> {
    let account = connector
        .db()
        .accounts()
        .get(account_id)
        .await?
        .ok_or_else(|| {
            PublishError::invalid("account.not_found", format!("no account {account_id}"))
        })?;
    if account.platform != Platform::Tiktok {
        return Err(PublishError::invalid(
            "account.wrong_platform",
            format!("account {account_id} is not a TikTok account"),
        ));
    }
    let token = connector.access_token(account_id).await?;
    let client = connector.client(Platform::Tiktok).await?;
    Ok(client.tiktok_creator_info(&token).await?)
}

pub(super) async fn drive(ctx: &mut JobCtx<'_>) -> Step {
    let mut post = None;
    if ctx.job.state == JobState::Validating {
        let info = ctx.client.tiktok_creator_info(&ctx.token).await?;
        post = validate(ctx, &info).await?;
        ctx.go(
            JobState::Uploading,
            Some("checked against the creator's settings"),
            Changes::default(),
        )
        .await?;
    }
    if ctx.job.state == JobState::Uploading {
        if post.is_none() && !ctx.opts.tiktok.draft {
            let info = ctx.client.tiktok_creator_info(&ctx.token).await?;
            post = validate(ctx, &info).await?;
        }
        let sent = if is_url_source(&ctx.job.source_path) {
            pull(ctx, post.as_ref()).await
        } else {
            upload(ctx, post.as_ref()).await
        };
        if let Err(halt) = sent {
            return Err(quota(ctx, halt).await);
        }
    }
    follow(ctx).await
}

/// The direct post's settings (`None` for a draft), checked against the creator's.
async fn validate(ctx: &JobCtx<'_>, info: &CreatorInfo) -> Result<Option<PostInfo>, Halt> {
    let o = &ctx.opts.tiktok;
    let probe = if is_url_source(&ctx.job.source_path) {
        None
    } else {
        Some(check::probe(&ctx.file()).await?)
    };
    check::limits(
        ctx.job.platform,
        MediaKind::Video,
        probe.as_ref(),
        &ctx.opts.caption,
        None,
        info.max_video_post_duration_sec,
    )?;
    if o.draft {
        return Ok(None);
    }
    let offered = info.privacy_level_options.join(", ");
    let Some(privacy) = o.privacy_level.clone() else {
        return Err(PublishError::invalid(
            "publish.privacy_required",
            format!("choose who can see the TikTok post (privacy_level): one of {offered}. TikTok does not allow a default"),
        )
        .into());
    };
    if !info.privacy_level_options.contains(&privacy) {
        return Err(PublishError::invalid(
            "publish.privacy_not_allowed",
            format!(
                "privacy_level {privacy} is not available to this creator; choose one of {offered}"
            ),
        )
        .into());
    }
    // What the creator turned off in TikTok stays off.
    Ok(Some(PostInfo {
        title: ctx.opts.caption.clone(),
        privacy_level: privacy,
        disable_duet: o.disable_duet || info.duet_disabled,
        disable_comment: o.disable_comment || info.comment_disabled,
        disable_stitch: o.disable_stitch || info.stitch_disabled,
        brand_organic_toggle: o.brand_organic,
        brand_content_toggle: o.brand_content,
        is_aigc: o.is_aigc,
        video_cover_timestamp_ms: o.video_cover_timestamp_ms,
    }))
}

/// PULL_FROM_URL: the init call itself is the publish. A marker is stored before it; an
/// answer (publish id or refusal) settles it, and a call whose answer never came (a crash,
/// a dropped connection) is never repeated: the job fails asking the creator to look.
async fn pull(ctx: &mut JobCtx<'_>, post: Option<&PostInfo>) -> Step {
    if ctx
        .job
        .upload_session
        .as_ref()
        .is_some_and(|s| s["init_started"] == json!(true))
    {
        return unknown_outcome(ctx).await;
    }
    ctx.checkpoint().await?;
    let marker = json!({"mode": "pull", "init_started": true});
    ctx.progress(Progress {
        session: Some(&marker),
        step: Some("asking TikTok to fetch the video"),
        ..Progress::default()
    })
    .await?;
    match ctx
        .client
        .tiktok_init_pull(&ctx.token, &ctx.job.source_path, post)
        .await
    {
        Ok(started) => {
            ctx.go(
                JobState::Publishing,
                Some("TikTok is fetching the video"),
                Changes {
                    publish_id: Some(started.publish_id.clone()),
                    session: Some(json!({"mode": "pull", "publish_id": started.publish_id})),
                    step_detail: Some("TikTok is fetching the video".into()),
                    ..Changes::default()
                },
            )
            .await
        }
        Err(PlatformError::Http(_)) => unknown_outcome(ctx).await,
        Err(e) => {
            // TikTok answered with a refusal: nothing was posted.
            let cleared = json!({"mode": "pull"});
            ctx.progress(Progress {
                session: Some(&cleared),
                ..Progress::default()
            })
            .await?;
            Err(daily_cap(e))
        }
    }
}

/// The pull request went out but its answer never came: fail without repeating it, and
/// mark the job so that a retry cannot post twice.
async fn unknown_outcome(ctx: &mut JobCtx<'_>) -> Step {
    ctx.go(
        JobState::Failed,
        Some("Outpost stopped or lost the connection while asking TikTok to fetch the video, so whether it was posted is unknown. Check your TikTok profile; Outpost will not send it again"),
        Changes {
            publish_id: Some("unknown".into()),
            error_code: Some("publish.outcome_unknown".into()),
            ..Changes::default()
        },
    )
    .await?;
    Err(Halt::Gone)
}

/// FILE_UPLOAD, resumable.
async fn upload(ctx: &mut JobCtx<'_>, post: Option<&PostInfo>) -> Step {
    let size = std::fs::metadata(ctx.file())
        .map_err(|e| PublishError::io(&ctx.file(), e))?
        .len();
    let plan = ChunkPlan::for_size(size)?;
    let mut next = resume_point(ctx, &plan).await?;
    let mut renewed = false;
    loop {
        let (publish_id, upload_url, start) = match next.take() {
            Some(Resume::Complete) => return uploaded(ctx).await,
            Some(Resume::From(chunk)) => match upload_url(ctx).await? {
                Some(url) => (
                    ctx.session_str("publish_id").unwrap_or_default(),
                    url,
                    chunk,
                ),
                // The link is gone from the vault: a new upload (nothing was posted).
                None => {
                    next = None;
                    continue;
                }
            },
            None => {
                ctx.checkpoint().await?;
                let started = ctx
                    .client
                    .tiktok_init_upload(&ctx.token, &plan, post)
                    .await
                    .map_err(daily_cap)?;
                let url = started
                    .upload_url
                    .clone()
                    .ok_or_else(|| PlatformError::BadResponse {
                        platform: ctx.job.platform,
                        endpoint: "video.init",
                        reason: "no upload_url for a FILE_UPLOAD".into(),
                    })?;
                // The upload link carries an upload token: it goes to the vault, never
                // in clear into the jobs table.
                ctx.p
                    .inner
                    .connector
                    .vault()
                    .put(
                        &upload_owner(ctx),
                        UPLOAD_URL,
                        &SecretValue::new(url.clone()),
                    )
                    .await
                    .map_err(|e| PublishError::OAuth(e.into()))?;
                let session = json!({
                    "mode": "file",
                    "publish_id": started.publish_id,
                    "upload_url_in_vault": true,
                    "chunk_size": plan.chunk_size,
                    "total_chunk_count": plan.total_chunk_count,
                    "started_at": ctx.now(),
                });
                ctx.progress(Progress {
                    bytes_acked: Some(0),
                    chunks_acked: Some(0),
                    session: Some(&session),
                    step: Some("upload started"),
                    ..Progress::default()
                })
                .await?;
                (started.publish_id, url, 0)
            }
        };
        match send_chunks(ctx, &plan, &upload_url, start).await {
            Ok(()) => {
                ctx.job.upload_session.get_or_insert_with(|| json!({}))["publish_id"] =
                    json!(publish_id);
                return uploaded(ctx).await;
            }
            // The hour-long link expired: TikTok posts nothing from an incomplete upload,
            // so a new upload is safe (once per run).
            Err(Halt::Error(PublishError::Platform(PlatformError::Rejected { code, .. })))
                if code == "upload_url_expired" && !renewed =>
            {
                tracing::info!(
                    job = ctx.job.id,
                    "tiktok: upload link expired; starting a new upload"
                );
                renewed = true;
            }
            Err(Halt::Error(PublishError::Platform(PlatformError::Rejected { code, .. })))
                if code == "range_mismatch" && !renewed =>
            {
                renewed = true;
                next = resume_point(ctx, &plan).await?;
            }
            Err(e) => return Err(e),
        }
    }
}

/// TikTok's cap on posts per creator per day (`spam_risk_too_many_posts`) is a quota, not
/// a refusal of the post: [`quota`] turns it into a wait.
fn daily_cap(e: PlatformError) -> Halt {
    match &e {
        PlatformError::Rejected { code, .. } if code == DAILY_CAP => {
            Halt::Error(PublishError::invalid(DAILY_CAP_CODE, e.to_string()))
        }
        _ => e.into(),
    }
}

/// The wait for TikTok's daily cap: until the oldest post of the last 24 hours leaves the
/// window.
async fn quota(ctx: &JobCtx<'_>, halt: Halt) -> Halt {
    match halt {
        Halt::Error(PublishError::Invalid { code, .. }) if code == DAILY_CAP_CODE => match ctx.quota_frees_at(DAY_MS).await {
            Ok((until, at)) => Halt::Quota {
                until,
                message: format!("TikTok's daily limit of posts for this creator is reached; Outpost posts this when it frees up, around {at}"),
            },
            Err(h) => h,
        },
        other => other,
    }
}

const DAILY_CAP: &str = "spam_risk_too_many_posts";
const DAILY_CAP_CODE: &str = "publish.daily_cap";
const DAY_MS: i64 = 86_400_000;

enum Resume {
    /// TikTok has every byte.
    Complete,
    /// Go on from this chunk of the stored upload.
    From(u64),
}

/// Where a stored upload stands, asked of TikTok; `None`: start a new upload.
async fn resume_point(ctx: &JobCtx<'_>, plan: &ChunkPlan) -> Result<Option<Resume>, Halt> {
    let stored = ctx
        .job
        .upload_session
        .as_ref()
        .is_some_and(|s| s["upload_url_in_vault"] == json!(true));
    let Some(publish_id) = ctx.session_str("publish_id").filter(|_| stored) else {
        return Ok(None);
    };
    let same_plan = ctx.job.upload_session.as_ref().is_some_and(|s| {
        s["chunk_size"].as_u64() == Some(plan.chunk_size)
            && s["total_chunk_count"].as_u64() == Some(plan.total_chunk_count)
    });
    let status = match ctx
        .client
        .tiktok_publish_status(&ctx.token, &publish_id)
        .await
    {
        Ok(s) => s,
        Err(e) if e.is_transient() => return Err(e.into()),
        // Unknown or expired publish id: nothing of it was posted.
        Err(_) => return Ok(None),
    };
    let received = status.uploaded_bytes.unwrap_or(0);
    if status.status != "PROCESSING_UPLOAD" || received >= plan.video_size {
        // The upload completed (its outcome is followed from here) or it failed before
        // completing (then the status says FAILED and the post is reported as such).
        if status.status == "FAILED" && received < plan.video_size {
            return Ok(None);
        }
        return Ok(Some(Resume::Complete));
    }
    let started = ctx
        .job
        .upload_session
        .as_ref()
        .and_then(|s| s["started_at"].as_i64())
        .unwrap_or(0);
    if !same_plan || ctx.now() - started > UPLOAD_URL_LIFETIME_MS {
        return Ok(None);
    }
    Ok(Some(Resume::From(received / plan.chunk_size)))
}

async fn send_chunks(ctx: &mut JobCtx<'_>, plan: &ChunkPlan, url: &str, start: u64) -> Step {
    let file = ctx.file();
    let content_type = match file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("mov") => "video/quicktime",
        Some("webm") => "video/webm",
        _ => "video/mp4",
    };
    for index in start..plan.total_chunk_count {
        ctx.checkpoint().await?;
        let complete = ctx
            .client
            .tiktok_upload_chunk(url, &file, content_type, plan, index)
            .await?;
        let (_, last) = plan.range(index);
        let step = format!("uploaded chunk {} of {}", index + 1, plan.total_chunk_count);
        ctx.progress(Progress {
            bytes_acked: Some(i64::try_from(last + 1).unwrap_or(i64::MAX)),
            chunks_acked: Some(i64::try_from(index + 1).unwrap_or(i64::MAX)),
            step: Some(&step),
            ..Progress::default()
        })
        .await?;
        if complete {
            return Ok(());
        }
    }
    Ok(())
}

const UPLOAD_URL: &str = "upload_url";

/// Where a job's upload link is kept in the vault.
fn upload_owner(ctx: &JobCtx<'_>) -> SecretOwner {
    SecretOwner::Other(format!("job:{}", ctx.job.id))
}

/// The stored upload link, if the vault still has it.
async fn upload_url(ctx: &JobCtx<'_>) -> Result<Option<String>, Halt> {
    let value = ctx
        .p
        .inner
        .connector
        .vault()
        .get(&upload_owner(ctx), UPLOAD_URL)
        .await
        .map_err(|e| Halt::Error(PublishError::OAuth(e.into())))?;
    Ok(value.map(|v| v.expose().to_owned()))
}

/// Every byte is with TikTok: it publishes by itself now.
async fn uploaded(ctx: &mut JobCtx<'_>) -> Step {
    // The upload link is of no use any more.
    if let Err(e) = ctx
        .p
        .inner
        .connector
        .vault()
        .delete(&upload_owner(ctx), UPLOAD_URL)
        .await
    {
        tracing::warn!(job = ctx.job.id, error = %e, "tiktok: could not delete the upload link");
    }
    let publish_id = ctx.session_str("publish_id");
    ctx.go(
        JobState::Publishing,
        Some("upload complete"),
        Changes {
            publish_id,
            step_detail: Some(
                "TikTok is processing the video (this can take a few minutes)".into(),
            ),
            ..Changes::default()
        },
    )
    .await
}

/// Follow the publish status to its end.
async fn follow(ctx: &mut JobCtx<'_>) -> Step {
    let Some(publish_id) = ctx
        .job
        .platform_publish_id
        .clone()
        .or_else(|| ctx.session_str("publish_id"))
    else {
        return Err(PublishError::invalid(
            "publish.outcome_unknown",
            "Outpost stopped while TikTok was being asked to fetch the video, so whether it was posted is unknown. Check your TikTok profile; Outpost will not send it again",
        )
        .into());
    };
    let began = std::time::Instant::now();
    loop {
        let status = ctx
            .client
            .tiktok_publish_status(&ctx.token, &publish_id)
            .await?;
        match status.status.as_str() {
            "PUBLISH_COMPLETE" => {
                return ctx
                    .go(
                        JobState::Published,
                        Some("published"),
                        Changes {
                            media_id: status.post_ids.first().cloned(),
                            step_detail: Some("published on TikTok".into()),
                            ..Changes::default()
                        },
                    )
                    .await
            }
            "SEND_TO_USER_INBOX" => {
                return ctx
                    .go(
                        JobState::Published,
                        Some("sent to the creator's inbox"),
                        Changes {
                            step_detail: Some(
                                "in your TikTok inbox: finish the post in the TikTok app".into(),
                            ),
                            ..Changes::default()
                        },
                    )
                    .await
            }
            "FAILED" => {
                let reason = status
                    .fail_reason
                    .unwrap_or_else(|| "no reason given".into());
                return Err(PublishError::invalid(
                    "publish.platform_failed",
                    format!("TikTok could not publish the video: {reason}"),
                )
                .into());
            }
            other => {
                if ctx.job.state == JobState::Publishing && other == "PROCESSING_DOWNLOAD" {
                    ctx.go(
                        JobState::Processing,
                        Some(other),
                        Changes {
                            step_detail: Some(
                                "TikTok is processing the video (this can take a few minutes)"
                                    .into(),
                            ),
                            ..Changes::default()
                        },
                    )
                    .await?;
                }
                if began.elapsed() >= FOLLOW_FOR {
                    let step = "TikTok is still processing the video".to_owned();
                    return Err(Halt::Wait {
                        until: ctx.now() + 30_000,
                        step,
                    });
                }
                ctx.sleep(ctx.poll_interval()).await?;
            }
        }
    }
}
