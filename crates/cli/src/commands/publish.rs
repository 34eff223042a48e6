//! `outpost publish`, `outpost queue` and `outpost watch`: thin calls into
//! `outpost_core::publish`, `queue` and `watch::registry`, plus rendering.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Local};
use outpost_core::clock;
use outpost_core::error::ErrorPayload;
use outpost_core::publish::lock::EngineLock;
use outpost_core::publish::submit::{self, PublishRequest, PublishSource};
use outpost_core::publish::{PublishError, Publisher};
use outpost_core::queue::{self, Enqueued, Job, JobState};
use outpost_core::watch::overview;
use outpost_core::watch::registry;
use serde_json::{json, Map, Value};

use crate::args::{PublishArgs, QueueAction, QueueArgs, WatchAction};
use crate::context::{fail, Context};
use crate::output::Output;

fn invalid(code: &str, message: impl Into<String>) -> ErrorPayload {
    ErrorPayload {
        code: code.into(),
        message: message.into(),
    }
}

/// A core error about a value the user gave, naming the flag it came from.
fn from_flags(e: PublishError) -> ErrorPayload {
    let mut payload = fail(e);
    let flag = match payload.code.as_str() {
        "publish.bad_target" => "--to",
        "publish.bad_time" => "--at",
        _ => return payload,
    };
    payload.message = format!("{flag} {}", payload.message);
    payload
}

fn options(args: &PublishArgs) -> Result<Map<String, Value>, ErrorPayload> {
    let mut tiktok = Map::new();
    let mut instagram = Map::new();
    let mut reddit = Map::new();
    let put = |m: &mut Map<String, Value>, k: &str, v: Value| {
        m.insert(k.into(), v);
    };
    if let Some(p) = &args.privacy {
        put(&mut tiktok, "privacy_level", json!(p));
    }
    for (flag, key) in [
        (args.draft, "draft"),
        (args.disable_comment, "disable_comment"),
        (args.disable_duet, "disable_duet"),
        (args.disable_stitch, "disable_stitch"),
        (args.brand_organic, "brand_organic"),
        (args.brand_content, "brand_content"),
    ] {
        if flag {
            put(&mut tiktok, key, json!(true));
        }
    }
    if let Some(k) = &args.ig_kind {
        put(&mut instagram, "kind", json!(k));
    }
    if !args.carousel.is_empty() {
        put(&mut instagram, "carousel", json!(args.carousel));
        instagram.entry("kind").or_insert(json!("carousel"));
    }
    for (value, key) in [
        (&args.subreddit, "subreddit"),
        (&args.title, "title"),
        (&args.text, "text"),
        (&args.flair_id, "flair_id"),
        (&args.flair_text, "flair_text"),
        (&args.poster, "poster"),
    ] {
        if let Some(v) = value {
            put(&mut reddit, key, json!(v));
        }
    }
    if args.nsfw {
        put(&mut reddit, "nsfw", json!(true));
    }
    if args.spoiler {
        put(&mut reddit, "spoiler", json!(true));
    }
    let mut all = Map::new();
    all.insert("tiktok".into(), Value::Object(tiktok));
    all.insert("instagram".into(), Value::Object(instagram));
    all.insert("reddit".into(), Value::Object(reddit));
    for raw in &args.options {
        let bad = || {
            invalid("publish.bad_option", format!("--option {raw:?}: expected PLATFORM.KEY=VALUE, e.g. instagram.share_to_feed=false"))
        };
        let (path, value) = raw.split_once('=').ok_or_else(bad)?;
        let (platform, key) = path.split_once('.').ok_or_else(bad)?;
        let Some(Value::Object(m)) = all.get_mut(platform.trim()) else {
            return Err(invalid(
                "publish.bad_option",
                format!("--option {raw:?}: unknown platform {platform:?}"),
            ));
        };
        let value = serde_json::from_str(value).unwrap_or_else(|_| json!(value));
        m.insert(key.trim().into(), value);
    }
    Ok(all)
}

pub async fn publish(ctx: &Context, out: &Output, args: &PublishArgs) -> Result<(), ErrorPayload> {
    let source = match &args.file {
        Some(f) => PublishSource::from_arg(f),
        None if args.text.is_some() => PublishSource::Text { text: true },
        None => {
            return Err(invalid(
                "publish.no_source",
                "give a FILE (or URL), or --text for a Reddit text post",
            ))
        }
    };
    let request = PublishRequest {
        source,
        targets: args.to.clone(),
        caption: args.caption.clone(),
        options: options(args)?,
        publish_at: args.at.clone(),
    }
    .to_post_request()
    .map_err(from_flags)?;
    let clock = clock::system();
    let queued = submit::submit(&ctx.db, &clock, &request)
        .await
        .map_err(fail)?;
    let ids: Vec<i64> = queued
        .iter()
        .map(|q| match q.enqueued {
            Enqueued::New(id) | Enqueued::Existing(id) => id,
        })
        .collect();
    if args.wait {
        for q in &queued {
            eprintln!(
                "{}: job {}{}",
                q.target,
                job_id(q.enqueued),
                already(q.enqueued)
            );
        }
        work_until_done(ctx, &ids).await?;
        let mut jobs = Vec::new();
        for id in &ids {
            if let Some(j) = queue::get(&ctx.db, *id).await.map_err(fail)? {
                jobs.push(j);
            }
        }
        let lines: Vec<(&str, String)> = jobs.iter().map(|j| ("Job", job_line(j))).collect();
        out.record(&jobs, &lines);
        if let Some(failed) = jobs.iter().find(|j| j.state != JobState::Published) {
            return Err(ErrorPayload {
                code: failed
                    .last_error_code
                    .clone()
                    .unwrap_or_else(|| "publish.failed".into()),
                message: format!(
                    "job {} is {}: {}",
                    failed.id,
                    failed.state,
                    failed
                        .last_error
                        .as_deref()
                        .unwrap_or("stopped before its end")
                ),
            });
        }
        return Ok(());
    }
    let lines: Vec<(&str, String)> = queued
        .iter()
        .map(|q| {
            (
                "Queued",
                format!(
                    "{} as job {}{}",
                    q.target,
                    job_id(q.enqueued),
                    already(q.enqueued)
                ),
            )
        })
        .collect();
    out.record(&queued, &lines);
    if !out.json {
        println!(
            "`outpost run` publishes queued jobs (or use --wait); `outpost queue` shows progress."
        );
    }
    Ok(())
}

fn job_id(e: Enqueued) -> i64 {
    match e {
        Enqueued::New(id) | Enqueued::Existing(id) => id,
    }
}

fn already(e: Enqueued) -> &'static str {
    match e {
        Enqueued::New(_) => "",
        Enqueued::Existing(_) => " (already queued: same content for the same account)",
    }
}

fn mib(bytes: i64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

fn job_line(j: &Job) -> String {
    let mut line = format!(
        "#{} {}:{} {} — {}",
        j.id,
        j.platform.as_str(),
        j.account,
        j.state,
        short_source(&j.source_path)
    );
    if let Some(total) = j.bytes_total.filter(|t| *t > 0) {
        if matches!(j.state, JobState::Uploading | JobState::Queued) && j.bytes_acked > 0 {
            line.push_str(&format!(" ({} of {})", mib(j.bytes_acked), mib(total)));
        }
    }
    if let Some(step) = &j.step_detail {
        line.push_str(&format!("; {step}"));
    }
    if j.state == JobState::Failed {
        if let Some(e) = &j.last_error {
            line.push_str(&format!("; {e}"));
        }
    }
    if let Some(at) = j.publish_at.filter(|_| j.state == JobState::Queued) {
        if let Some(t) = DateTime::from_timestamp_millis(at) {
            line.push_str(&format!(
                "; scheduled for {}",
                t.with_timezone(&Local).format("%Y-%m-%d %H:%M")
            ));
        }
    }
    if let Some(id) = &j.platform_media_id {
        line.push_str(&format!("; post {id}"));
    }
    line
}

fn short_source(s: &str) -> String {
    if s.is_empty() {
        return "text post".into();
    }
    std::path::Path::new(s)
        .file_name()
        .filter(|_| !s.starts_with("http"))
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| s.to_owned())
}

/// Work the queue (or watch another engine work it) until every job in `ids` is final.
async fn work_until_done(ctx: &Context, ids: &[i64]) -> Result<(), ErrorPayload> {
    let wanted: BTreeSet<i64> = ids.iter().copied().collect();
    let lock = EngineLock::try_acquire(&ctx.config.data_dir);
    let db = ctx.db.clone();
    let all_final = {
        let wanted = wanted.clone();
        move || {
            let db = db.clone();
            let wanted = wanted.clone();
            async move {
                for id in &wanted {
                    match queue::get(&db, *id).await {
                        Ok(Some(j)) if j.state.is_terminal() => {}
                        Ok(None) => {}
                        _ => return false,
                    }
                }
                true
            }
        }
    };
    match lock {
        Ok(_held) => {
            let publisher =
                Publisher::new(ctx.connector()?, clock::system(), ctx.config.queue.clone());
            let mut updates = publisher.subscribe();
            let printer = async {
                while let Ok(u) = updates.recv().await {
                    if wanted.contains(&u.job) {
                        eprintln!(
                            "job {} {}:{} {}{}",
                            u.job,
                            u.platform.as_str(),
                            u.account,
                            u.state,
                            u.step.map(|s| format!(" — {s}")).unwrap_or_default()
                        );
                    }
                }
            };
            let stop = async {
                loop {
                    tokio::select! {
                        _ = crate::signals::stop_requested() => { eprintln!("Stopping…"); return; }
                        _ = tokio::time::sleep(Duration::from_millis(300)) => {
                            if all_final().await { return; }
                        }
                    }
                }
            };
            tokio::select! {
                r = publisher.run(stop) => r.map_err(fail)?,
                _ = printer => {}
            }
        }
        Err(_) => {
            eprintln!("Another Outpost engine is running; waiting for it to publish the jobs.");
            let mut last = String::new();
            loop {
                if all_final().await {
                    break;
                }
                let mut now = String::new();
                for id in &wanted {
                    if let Some(j) = queue::get(&ctx.db, *id).await.map_err(fail)? {
                        now.push_str(&job_line(&j));
                        now.push('\n');
                    }
                }
                if now != last {
                    eprint!("{now}");
                    last = now;
                }
                tokio::select! {
                    _ = crate::signals::stop_requested() => return Ok(()),
                    _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                }
            }
        }
    }
    ctx.flush_metrics().await;
    Ok(())
}

pub async fn queue(ctx: &Context, out: &Output, args: &QueueArgs) -> Result<(), ErrorPayload> {
    let now = clock::system().now_millis();
    match &args.action {
        None => {
            let listing =
                overview::queue_listing(&ctx.db, &ctx.config.watch_folders, args.all, now)
                    .await
                    .map_err(fail)?;
            if out.json {
                out.record(&listing, &[]);
                return Ok(());
            }
            for p in &listing.file_problems {
                // The error file's first line names the file; the reason follows.
                let reason = p.reason.lines().nth(1).unwrap_or(p.reason.as_str());
                println!("! {}: {reason}", p.file.display());
            }
            if listing.paused {
                println!("The queue is paused (`outpost queue resume` to go on).");
            }
            if listing.jobs.is_empty() {
                println!(
                    "The queue is empty. Queue a post with `outpost publish FILE --to PLATFORM`."
                );
            }
            for j in &listing.jobs {
                println!("{}", job_line(j));
            }
            out.record(&listing.jobs, &[]);
            Ok(())
        }
        Some(QueueAction::Retry { id }) => {
            let state = queue::retry(&ctx.db, *id, now).await.map_err(fail)?;
            out.record(
                &json!({"job": id, "state": state}),
                &[("Job", format!("{id} is {state}"))],
            );
            Ok(())
        }
        Some(QueueAction::Cancel { id }) => {
            let state = queue::cancel(&ctx.db, *id, now).await.map_err(fail)?;
            out.record(
                &json!({"job": id, "state": state}),
                &[("Job", format!("{id} is {state}"))],
            );
            Ok(())
        }
        Some(QueueAction::Pause) | Some(QueueAction::Resume) => {
            let paused = matches!(args.action, Some(QueueAction::Pause));
            queue::set_paused(&ctx.db, paused, now)
                .await
                .map_err(fail)?;
            let text = if paused {
                "paused: uploads stop after their current chunk"
            } else {
                "running"
            };
            out.record(&json!({"paused": paused}), &[("Queue", text.into())]);
            Ok(())
        }
        Some(QueueAction::Show { id }) => {
            let job = queue::get(&ctx.db, *id)
                .await
                .map_err(fail)?
                .ok_or_else(|| fail(queue::QueueError::NotFound(*id)))?;
            let history = queue::history(&ctx.db, *id).await.map_err(fail)?;
            let mut lines = vec![("Job", job_line(&job)), ("Source", job.source_path.clone())];
            for e in &history {
                let at = DateTime::from_timestamp_millis(e.at)
                    .map(|t| t.with_timezone(&Local).format("%H:%M:%S").to_string())
                    .unwrap_or_default();
                lines.push((
                    "Step",
                    format!(
                        "{at} {} → {}{}",
                        e.from.map(|s| s.to_string()).unwrap_or_else(|| "·".into()),
                        e.to,
                        e.detail
                            .as_ref()
                            .map(|d| format!(" ({d})"))
                            .unwrap_or_default()
                    ),
                ));
            }
            out.record(&json!({"job": job, "history": history}), &lines);
            Ok(())
        }
    }
}

pub async fn watch(ctx: &Context, out: &Output, action: &WatchAction) -> Result<(), ErrorPayload> {
    match action {
        WatchAction::Add { dir, to } => {
            let targets = submit::parse_targets(to).map_err(from_flags)?;
            for t in &targets {
                ctx.db
                    .accounts()
                    .find(&t.selector())
                    .await
                    .map_err(|e| invalid("watch.unknown_account", format!("--to {t}: {e}")))?;
            }
            let folder = registry::add(&ctx.db, dir, &targets, clock::system().now_millis())
                .await
                .map_err(fail)?;
            let text = if folder.targets.is_empty() {
                format!(
                    "{} (targets from each file's sidecar or the folder's outpost.toml)",
                    folder.path.display()
                )
            } else {
                format!("{} → {}", folder.path.display(), folder.targets.join(", "))
            };
            out.record(&folder, &[("Watching", text)]);
            if !out.json {
                println!("`outpost run` (or the app) picks up files dropped there.");
            }
            Ok(())
        }
        WatchAction::Remove { dir } => {
            if !registry::remove(&ctx.db, dir).await.map_err(fail)? {
                return Err(invalid(
                    "watch.not_watched",
                    format!(
                        "{} is not a watched folder (see `outpost watch list`)",
                        dir.display()
                    ),
                ));
            }
            out.record(
                &json!({"removed": dir}),
                &[("Removed", dir.display().to_string())],
            );
            Ok(())
        }
        WatchAction::List => {
            let folders = registry::list(&ctx.db, &ctx.config.watch_folders)
                .await
                .map_err(fail)?;
            let lines: Vec<(&str, String)> = folders
                .iter()
                .map(|f| {
                    let mut line = f.path.display().to_string();
                    if !f.targets.is_empty() {
                        line.push_str(&format!(" → {}", f.targets.join(", ")));
                    }
                    if f.from_config {
                        line.push_str(" (config.toml)");
                    }
                    if !f.path.is_dir() {
                        line.push_str(" (missing)");
                    }
                    ("Folder", line)
                })
                .collect();
            if folders.is_empty() && !out.json {
                println!("No watched folders. Add one with `outpost watch add DIR --to PLATFORM`.");
            }
            out.record(&folders, &lines);
            Ok(())
        }
    }
}
