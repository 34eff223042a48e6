//! Analytics page: the core's reports unchanged (`analytics_growth`, `analytics_posts`,
//! `analytics_totals`, `analytics_best_times`), the per-post table as the core's CSV
//! (`analytics_csv`, as `outpost analytics posts --csv` writes it), and `sync_now`.

use outpost_core::analytics::{
    self, BestTimes, FollowerGrowth, Period, PeriodTotals, PostColumn, PostRow, PostSort,
    SortDirection, UtcOffset, DEFAULT_MIN_POSTS,
};
use outpost_core::sync::{self, SyncOptions};
use tauri::{AppHandle, State};

use crate::error::{fail, CmdResult};
use crate::state::AppState;
use crate::tray;

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
        DEFAULT_MIN_POSTS,
    )
    .await
    .map_err(fail)
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
    Ok(analytics::csv::posts(&rows))
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
    sync::check(&reports).map_err(fail)
}
