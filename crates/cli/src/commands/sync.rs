//! `outpost sync` and `outpost insights`: thin calls into `outpost_core::sync` and the
//! snapshot history.

use outpost_core::analytics;
use outpost_core::error::ErrorPayload;
use outpost_core::sync::{self, SyncOptions, Syncer};
use outpost_core::{clock, Platform};
use serde::Serialize;
use sqlx::Row;

use crate::context::{fail, Context};
use crate::output::Output;

pub async fn sync(
    ctx: &Context,
    out: &Output,
    platform: Option<Platform>,
    account: Option<&str>,
) -> Result<(), ErrorPayload> {
    let account = match account {
        Some(sel) => Some(ctx.db.accounts().find(sel).await.map_err(fail)?.id),
        None => None,
    };
    let syncer = Syncer::new(ctx.connector()?, clock::system());
    let opts = SyncOptions {
        platform,
        account,
        ..SyncOptions::default()
    };
    let reports = syncer
        .sync(&opts, &|line| eprintln!("{line}"))
        .await
        .map_err(fail)?;
    let lines: Vec<(&str, String)> = reports
        .iter()
        .map(|r| {
            (
                "Account",
                format!(
                    "#{} {}: {} — {} calls, {} media, {} snapshots{}{}",
                    r.account_id,
                    r.platform,
                    r.status,
                    r.calls,
                    r.media,
                    r.snapshots,
                    r.resume_after_secs
                        .map(|s| format!(", quota back in {s} s"))
                        .unwrap_or_default(),
                    r.error
                        .as_ref()
                        .map(|e| format!(" ({})", e.message))
                        .unwrap_or_default()
                ),
            )
        })
        .collect();
    if reports.is_empty() && !out.json {
        println!("No active accounts to sync. Run `outpost connect tiktok|instagram|reddit`.");
    }
    out.record(&reports, &lines);
    sync::check(&reports).map_err(fail)
}

#[derive(Serialize)]
struct Row_ {
    captured_at: String,
    platform: String,
    account: String,
    subject: String,
    media_id: Option<String>,
    metric: String,
    value: f64,
}

pub async fn insights(
    ctx: &Context,
    out: &Output,
    account: Option<&str>,
    since: Option<chrono::NaiveDate>,
    csv: bool,
) -> Result<(), ErrorPayload> {
    let account_id = match account {
        Some(sel) => Some(ctx.db.accounts().find(sel).await.map_err(fail)?.id),
        None => None,
    };
    let since_ms = since
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
        .unwrap_or(i64::MIN);
    let rows = sqlx::query(
        "SELECT s.captured_at, a.platform, COALESCE(a.username, a.platform_user_id) AS account, s.subject_kind, \
         m.platform_media_id, s.metric, s.value FROM insight_snapshots s \
         JOIN accounts a ON a.id = s.account_id \
         LEFT JOIN media m ON s.subject_kind = 'media' AND m.id = s.subject_id \
         WHERE (?1 IS NULL OR s.account_id = ?1) AND s.captured_at >= ?2 \
         ORDER BY s.captured_at, a.platform, account, s.subject_kind, m.platform_media_id, s.metric",
    )
    .bind(account_id)
    .bind(since_ms)
    .fetch_all(ctx.db.pool())
    .await
    .map_err(|e| fail(outpost_core::db::DbError::from(e)))?;
    let rows: Vec<Row_> = rows
        .iter()
        .map(|r| Row_ {
            captured_at: analytics::csv::time(r.get("captured_at")),
            platform: r.get("platform"),
            account: r.get("account"),
            subject: r.get("subject_kind"),
            media_id: r.get("platform_media_id"),
            metric: r.get("metric"),
            value: r.get("value"),
        })
        .collect();
    if out.json {
        out.record(&rows, &[]);
        return Ok(());
    }
    if csv {
        println!("captured_at,platform,account,subject,media_id,metric,value");
    }
    for r in &rows {
        let fields = [
            r.captured_at.clone(),
            r.platform.clone(),
            r.account.clone(),
            r.subject.clone(),
            r.media_id.clone().unwrap_or_default(),
            r.metric.clone(),
            r.value.to_string(),
        ];
        if csv {
            println!("{}", analytics::csv::line(&fields));
        } else {
            println!("{}", fields.join("  "));
        }
    }
    Ok(())
}
