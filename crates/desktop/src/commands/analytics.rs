//! Analytics page: the core's reports unchanged (`analytics_growth`, `analytics_posts`,
//! `analytics_totals`, `analytics_best_times`), the per-post table as CSV
//! (`analytics_csv`), and `sync_now`.

use outpost_core::analytics::{
    self, BestTimes, FollowerGrowth, Period, PeriodTotals, PostColumn, PostRow, PostSort,
    SortDirection, UtcOffset,
};
use outpost_core::sync::SyncOptions;
use serde_json::Value;
use tauri::{AppHandle, State};

use crate::error::{fail, shell_error, CmdResult};
use crate::state::AppState;
use crate::tray;

/// Posts a time slot needs before it can be "best" (as `outpost analytics best-times`).
const MIN_POSTS: u32 = 3;

fn period(days: u32) -> CmdResult<Period> {
    Period::trailing_days(chrono::Utc::now().timestamp_millis(), days).map_err(fail)
}

fn offset(minutes: i32) -> CmdResult<UtcOffset> {
    UtcOffset::minutes(minutes).map_err(fail)
}

/// `analytics_growth`.
#[tauri::command]
pub async fn analytics_growth(
    state: State<'_, AppState>,
    account_id: i64,
    days: u32,
    utc_offset_minutes: i32,
) -> CmdResult<FollowerGrowth> {
    analytics::follower_growth(
        &state.db,
        account_id,
        period(days)?,
        offset(utc_offset_minutes)?,
    )
    .await
    .map_err(fail)
}

/// `analytics_posts`.
#[tauri::command]
pub async fn analytics_posts(
    state: State<'_, AppState>,
    account_id: i64,
    days: u32,
    by: PostColumn,
    asc: bool,
) -> CmdResult<Vec<PostRow>> {
    let sort = PostSort {
        column: by,
        direction: if asc {
            SortDirection::Ascending
        } else {
            SortDirection::Descending
        },
    };
    analytics::post_performance(&state.db, account_id, period(days)?, sort)
        .await
        .map_err(fail)
}

/// `analytics_totals`.
#[tauri::command]
pub async fn analytics_totals(
    state: State<'_, AppState>,
    account_id: i64,
    days: u32,
) -> CmdResult<PeriodTotals> {
    analytics::period_totals(&state.db, account_id, period(days)?)
        .await
        .map_err(fail)
}

/// `analytics_best_times`.
#[tauri::command]
pub async fn analytics_best_times(
    state: State<'_, AppState>,
    account_id: i64,
    days: u32,
    utc_offset_minutes: i32,
) -> CmdResult<BestTimes> {
    analytics::best_times(
        &state.db,
        account_id,
        period(days)?,
        offset(utc_offset_minutes)?,
        MIN_POSTS,
    )
    .await
    .map_err(fail)
}

/// The CSV columns of the per-post table.
pub const CSV_COLUMNS: &[&str] = &[
    "media_id",
    "platform_media_id",
    "created_at",
    "caption",
    "views",
    "reach",
    "likes",
    "comments",
    "shares",
    "saves",
    "interactions",
    "engagement_rate",
];

fn csv_field(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => format!("\"{}\"", s.replace('"', "\"\"")),
        other => other.to_string(),
    }
}

/// The per-post table as CSV (RFC 4180; times as RFC 3339 UTC). Shell-side glue: the
/// core has no CSV writer for reports yet.
pub fn posts_csv(rows: &[PostRow]) -> CmdResult<String> {
    let mut out = CSV_COLUMNS.join(",");
    for row in rows {
        let mut v =
            serde_json::to_value(row).map_err(|e| shell_error("analytics.csv", e.to_string()))?;
        if let Some(ms) = v.get("created_at").and_then(Value::as_i64) {
            if let Some(t) = chrono::DateTime::from_timestamp_millis(ms) {
                v["created_at"] =
                    Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            }
        }
        out.push('\n');
        let fields: Vec<String> = CSV_COLUMNS
            .iter()
            .map(|c| csv_field(v.get(*c).unwrap_or(&Value::Null)))
            .collect();
        out.push_str(&fields.join(","));
    }
    out.push('\n');
    Ok(out)
}

/// `analytics_csv`: the period's posts, oldest first.
#[tauri::command]
pub async fn analytics_csv(
    state: State<'_, AppState>,
    account_id: i64,
    days: u32,
) -> CmdResult<String> {
    let sort = PostSort {
        column: PostColumn::CreatedAt,
        direction: SortDirection::Ascending,
    };
    let rows = analytics::post_performance(&state.db, account_id, period(days)?, sort)
        .await
        .map_err(fail)?;
    posts_csv(&rows)
}

/// `sync_now`: sync every active account's insights, and answer when done.
#[tauri::command]
pub async fn sync_now(app: AppHandle, state: State<'_, AppState>) -> CmdResult<()> {
    let reports = state
        .syncer
        .sync(&SyncOptions::default(), &|line| tracing::info!("{line}"))
        .await
        .map_err(fail)?;
    tray::refresh(&app).await;
    let failed: Vec<_> = reports.iter().filter(|r| r.status == "failed").collect();
    match failed.first() {
        None => Ok(()),
        Some(first) => Err(shell_error(
            "sync.failed",
            format!(
                "{} account(s) could not be synced{}",
                failed.len(),
                first
                    .error
                    .as_ref()
                    .map(|e| format!(": {}", e.message))
                    .unwrap_or_default()
            ),
        )),
    }
}
