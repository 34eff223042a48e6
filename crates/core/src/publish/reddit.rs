//! Reddit's pipeline: link, text, image and video posts to a subreddit with title, flair,
//! NSFW and spoiler. Media goes through the upload lease (the file, and a poster image for
//! videos: `reddit.poster`, else `NAME.poster.jpg|png` beside the video, else Outpost's
//! plain poster). Image and video submissions return no post id: it comes on the media
//! websocket. A job found in `publishing` after a restart looks for its post among the
//! account's submissions before submitting anything.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use super::submit::poster_beside;
use super::{check, Halt, JobCtx, PublishError, Step};
use crate::media::MediaKind;
use crate::platforms::reddit_publish::{RedditListingPost, Submission, SubmissionKind, Submitted};
use crate::platforms::PlatformError;
use crate::queue::{Changes, JobState, Progress};

/// Outpost's plain poster, for video posts without one.
const DEFAULT_POSTER: &[u8] = include_bytes!("../../assets/default-poster.png");
/// How long the media websocket is waited on.
const WEBSOCKET_WAIT: Duration = Duration::from_secs(120);

pub(super) async fn drive(ctx: &mut JobCtx<'_>) -> Step {
    let resumed_publish = ctx.job.state == JobState::Publishing;
    if ctx.job.state == JobState::Validating {
        validate(ctx).await?;
        ctx.go(JobState::Uploading, Some("checked"), Changes::default())
            .await?;
    }
    if ctx.job.state == JobState::Uploading {
        upload(ctx).await?;
        ctx.checkpoint().await?;
        let marker = publish_marker(ctx);
        ctx.go(
            JobState::Publishing,
            Some("submitting"),
            Changes {
                publish_id: Some(marker),
                step_detail: Some("submitting to Reddit".into()),
                ..Changes::default()
            },
        )
        .await?;
    }
    if resumed_publish || session(ctx)["submitted"].as_bool() == Some(true) {
        if let Some(post) = find_post(ctx).await? {
            return published(ctx, post.id).await;
        }
        if session(ctx)["submitted"].as_bool() == Some(true) {
            // Reddit took the submission but the post is not listed yet: look again later.
            return Err(Halt::Wait {
                until: ctx.now() + 30_000,
                step: "waiting for Reddit to list the post".into(),
            });
        }
    }
    submit(ctx).await
}

fn session(ctx: &JobCtx<'_>) -> Value {
    ctx.job.upload_session.clone().unwrap_or_else(|| json!({}))
}

fn is_media(ctx: &JobCtx<'_>) -> bool {
    matches!(ctx.job.kind.as_str(), "video" | "image")
}

fn title(ctx: &JobCtx<'_>) -> String {
    ctx.opts.reddit.title_or(&ctx.opts.caption)
}

fn subreddit(ctx: &JobCtx<'_>) -> Result<String, PublishError> {
    ctx.opts.reddit.subreddit_name().ok_or_else(|| {
        PublishError::invalid(
            "publish.subreddit_required",
            "say which subreddit to post to (reddit.subreddit, e.g. \"r/videos\")",
        )
    })
}

fn poster(ctx: &JobCtx<'_>) -> Option<PathBuf> {
    match &ctx.opts.reddit.poster {
        Some(p) => {
            let p = PathBuf::from(p);
            Some(if p.is_relative() {
                ctx.file().parent().map(|d| d.join(&p)).unwrap_or(p)
            } else {
                p
            })
        }
        None => poster_beside(&ctx.file()),
    }
}

async fn validate(ctx: &JobCtx<'_>) -> Step {
    subreddit(ctx)?;
    let title = title(ctx);
    match ctx.job.kind.as_str() {
        "video" | "image" => {
            let probe = check::probe(&ctx.file()).await?;
            let kind = if ctx.job.kind == "video" {
                MediaKind::Video
            } else {
                MediaKind::Image
            };
            check::limits(ctx.job.platform, kind, Some(&probe), "", Some(&title), None)?;
            if let Some(p) = poster(ctx).filter(|_| ctx.job.kind == "video") {
                let probe = check::probe(&p).await?;
                if !probe.container.is_image() {
                    return Err(PublishError::invalid(
                        "publish.bad_poster",
                        format!("the poster {} is not an image", p.display()),
                    )
                    .into());
                }
            }
        }
        "link" => check::limits(
            ctx.job.platform,
            MediaKind::Link,
            None,
            "",
            Some(&title),
            None,
        )?,
        _ => check::limits(
            ctx.job.platform,
            MediaKind::Text,
            None,
            "",
            Some(&title),
            None,
        )?,
    }
    Ok(())
}

/// Lease and upload the media (and a video's poster), each recorded once done.
async fn upload(ctx: &mut JobCtx<'_>) -> Step {
    if !is_media(ctx) {
        return Ok(());
    }
    let mut s = session(ctx);
    if s["media_url"].as_str().is_none() {
        ctx.checkpoint().await?;
        let file = ctx.file();
        let url = send(ctx, &file).await?;
        s["media_url"] = json!(url);
        let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        ctx.progress(Progress {
            session: Some(&s),
            bytes_acked: Some(i64::try_from(bytes).unwrap_or(i64::MAX)),
            chunks_acked: Some(1),
            step: Some("uploaded"),
            ..Progress::default()
        })
        .await?;
    }
    if ctx.job.kind == "video" && s["poster_url"].as_str().is_none() {
        ctx.checkpoint().await?;
        let (path, temporary) = match poster(ctx) {
            Some(p) => (p, false),
            None => {
                let tmp = std::env::temp_dir()
                    .join(format!("outpost-poster-{}.png", uuid::Uuid::new_v4()));
                std::fs::write(&tmp, DEFAULT_POSTER).map_err(|e| PublishError::io(&tmp, e))?;
                (tmp, true)
            }
        };
        let sent = send(ctx, &path).await;
        if temporary {
            let _ = std::fs::remove_file(&path);
        }
        let url = sent?;
        s["poster_url"] = json!(url);
        ctx.progress(Progress {
            session: Some(&s),
            step: Some("poster uploaded"),
            ..Progress::default()
        })
        .await?;
    }
    Ok(())
}

async fn send(ctx: &JobCtx<'_>, file: &Path) -> Result<String, Halt> {
    let probe = check::probe(file).await?;
    let mime = probe.container.mime();
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "upload".into());
    let lease = ctx
        .client
        .reddit_media_lease(&ctx.token, &name, mime)
        .await?;
    Ok(ctx
        .client
        .reddit_upload_to_lease(&lease, file, mime)
        .await?)
}

/// What identifies the post before Reddit gives it an id (stored as the publish id).
fn publish_marker(ctx: &JobCtx<'_>) -> String {
    let s = session(ctx);
    match ctx.job.kind.as_str() {
        "video" | "image" => s["media_url"].as_str().unwrap_or_default().to_owned(),
        "link" => ctx.job.source_path.clone(),
        _ => format!("text:{}", ctx.job.content_hash),
    }
}

async fn submit(ctx: &mut JobCtx<'_>) -> Step {
    let s = session(ctx);
    let media_url = || s["media_url"].as_str().unwrap_or_default().to_owned();
    let kind = match ctx.job.kind.as_str() {
        "video" => SubmissionKind::Video {
            media_url: media_url(),
            poster_url: s["poster_url"].as_str().unwrap_or_default().to_owned(),
        },
        "image" => SubmissionKind::Image {
            media_url: media_url(),
        },
        "link" => SubmissionKind::Link {
            url: ctx.job.source_path.clone(),
        },
        _ => SubmissionKind::SelfText {
            text: ctx.opts.reddit.text.clone().unwrap_or_default(),
        },
    };
    let o = &ctx.opts.reddit;
    let submission = Submission {
        subreddit: subreddit(ctx)?,
        title: title(ctx),
        kind,
        nsfw: o.nsfw,
        spoiler: o.spoiler,
        flair_id: o.flair_id.clone(),
        flair_text: o.flair_text.clone(),
        send_replies: o.send_replies.unwrap_or(true),
    };
    let submitted = match ctx.client.reddit_submit(&ctx.token, &submission).await {
        Ok(s) => s,
        // Reddit's own pacing (RATELIMIT ... try again in N minutes): nothing was posted.
        Err(PlatformError::RateLimited {
            retry_after_secs, ..
        }) => {
            let wait = retry_after_secs.unwrap_or(60);
            return Err(Halt::Wait {
                until: ctx.now() + i64::try_from(wait).unwrap_or(60) * 1000,
                step: format!(
                    "Reddit asks to wait {} min before posting again",
                    wait.div_ceil(60)
                ),
            });
        }
        Err(e) => return Err(e.into()),
    };
    match submitted {
        Submitted::Post { id, .. } => published(ctx, id).await,
        Submitted::Media { websocket_url } => {
            let mut s = session(ctx);
            s["submitted"] = json!(true);
            ctx.progress(Progress {
                session: Some(&s),
                step: Some("Reddit is processing the media"),
                ..Progress::default()
            })
            .await?;
            match ctx
                .client
                .reddit_await_media_post(&websocket_url, WEBSOCKET_WAIT)
                .await
            {
                Ok(id) => published(ctx, id).await,
                Err(PlatformError::Rejected { code, message, .. })
                    if code == "media_processing_failed" =>
                {
                    Err(PublishError::invalid(
                        "publish.platform_failed",
                        format!("Reddit could not process the media: {message}"),
                    )
                    .into())
                }
                Err(e) => {
                    tracing::info!(job = ctx.job.id, error = %e, "reddit: no answer on the media websocket; looking for the post");
                    match find_post(ctx).await? {
                        Some(post) => published(ctx, post.id).await,
                        None => Err(Halt::Wait {
                            until: ctx.now() + 30_000,
                            step: "waiting for Reddit to list the post".into(),
                        }),
                    }
                }
            }
        }
    }
}

/// The account's submission that is this job's post, if Reddit lists one.
async fn find_post(ctx: &JobCtx<'_>) -> Result<Option<RedditListingPost>, Halt> {
    let sr = subreddit(ctx)?;
    let title = title(ctx);
    let marker = publish_marker(ctx);
    let key = marker.rsplit('/').next().unwrap_or_default().to_owned();
    let kind = ctx.job.kind.clone();
    let text = ctx.opts.reddit.text.clone().unwrap_or_default();
    let matches = move |p: &RedditListingPost| {
        p.subreddit.eq_ignore_ascii_case(&sr)
            && p.title == title
            && match kind.as_str() {
                "video" | "image" => {
                    !key.is_empty() && p.url.as_deref().is_some_and(|u| u.ends_with(&key))
                }
                "link" => p.url.as_deref() == Some(marker.as_str()),
                _ => p.selftext.as_deref().unwrap_or("") == text,
            }
    };
    Ok(ctx
        .client
        .reddit_find_submitted(&ctx.token, &ctx.job.account, &matches, 100)
        .await?)
}

async fn published(ctx: &mut JobCtx<'_>, id: String) -> Step {
    let step = format!("published on Reddit (t3_{id})");
    ctx.go(
        JobState::Published,
        Some("published"),
        Changes {
            media_id: Some(id),
            step_detail: Some(step),
            ..Changes::default()
        },
    )
    .await
}
