//! Connect page: `accounts_list`, `platform_info`, `connect_start`, `account_disconnect`,
//! `tiktok_creator_info`.

use outpost_core::db::accounts::{Account, AccountStatus};
use outpost_core::platforms::tiktok_publish::CreatorInfo;
use outpost_core::Platform;
use tauri::{AppHandle, State};

use crate::connect::{self, ConnectStart};
use crate::error::{fail, shell_error, CmdResult};
use crate::platform_text::{self, PlatformInfo};
use crate::state::AppState;

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
    Ok(platform_text::info(platform))
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
    let account = state
        .db
        .accounts()
        .get(account_id)
        .await
        .map_err(fail)?
        .ok_or_else(|| shell_error("account.not_found", format!("no account {account_id}")))?;
    if account.platform != Platform::Tiktok {
        return Err(shell_error(
            "account.wrong_platform",
            format!("account {account_id} is not a TikTok account"),
        ));
    }
    let token = state
        .connector
        .access_token(account_id)
        .await
        .map_err(fail)?;
    let client = state
        .connector
        .client(Platform::Tiktok)
        .await
        .map_err(fail)?;
    client.tiktok_creator_info(&token).await.map_err(fail)
}
