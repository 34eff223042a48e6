//! Connect page: `accounts_list`, `platform_info`, `connect_start`, `account_disconnect`,
//! `tiktok_creator_info`.

use outpost_core::db::accounts::{Account, AccountStatus};
use outpost_core::platforms::tiktok_publish::CreatorInfo;
use outpost_core::publish;
use outpost_core::Platform;
use tauri::{AppHandle, State};

use crate::connect::{self, ConnectStart};
use crate::error::{fail, CmdResult};
use crate::state::AppState;
use outpost_core::platforms::permissions::{self, PlatformInfo};

/// `accounts_list`: connected accounts (disconnected ones are history only).
#[tauri::command]
pub async fn accounts_list(state: State<'_, AppState>) -> CmdResult<Vec<Account>> {
    let all = state.db.accounts().list().await.map_err(fail)?;
    Ok(all
        .into_iter()
        .filter(|a| a.status != AccountStatus::Disconnected)
        .collect())
}

/// `platform_info`.
#[tauri::command]
pub async fn platform_info(platform: Platform) -> CmdResult<PlatformInfo> {
    Ok(permissions::info(platform))
}

/// `connect_start`: opens the browser; the result comes as an event.
#[tauri::command]
pub async fn connect_start(
    app: AppHandle,
    state: State<'_, AppState>,
    platform: Platform,
) -> CmdResult<ConnectStart> {
    connect::start(&app, &state, platform).await
}

/// `account_disconnect`: revoke and delete the tokens (history kept).
#[tauri::command]
pub async fn account_disconnect(state: State<'_, AppState>, account_id: i64) -> CmdResult<()> {
    state
        .connector
        .disconnect(account_id, false)
        .await
        .map_err(fail)?;
    Ok(())
}

/// `tiktok_creator_info`: what the creator allows (asked of TikTok before each post form).
#[tauri::command]
pub async fn tiktok_creator_info(
    state: State<'_, AppState>,
    account_id: i64,
) -> CmdResult<CreatorInfo> {
    publish::tiktok_creator_info(&state.connector, account_id)
        .await
        .map_err(fail)
}
