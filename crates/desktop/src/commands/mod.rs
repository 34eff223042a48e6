//! The commands of the UI's IPC contract (`ui/src/lib/ipc-types.ts` `Commands`), one
//! module per page. Each is a thin call into outpost-core; errors are the core's
//! `ErrorPayload {code, message}`.

pub mod accounts;
pub mod analytics;
pub mod app;
pub mod diagnostics;
pub mod files;
pub mod media;
pub mod publish;
pub mod queue;
pub mod settings;

/// Every command, for `tauri::Builder::invoke_handler`.
pub fn handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app::app_info,
        accounts::accounts_list,
        accounts::platform_info,
        accounts::connect_start,
        accounts::account_disconnect,
        accounts::tiktok_creator_info,
        media::media_limits,
        media::probe_file,
        files::pick_file,
        files::pick_folder,
        files::save_text_file,
        publish::publish_submit,
        queue::queue_list,
        queue::queue_retry,
        queue::queue_cancel,
        queue::queue_pause,
        queue::queue_resume,
        analytics::analytics_growth,
        analytics::analytics_posts,
        analytics::analytics_totals,
        analytics::analytics_best_times,
        analytics::analytics_csv,
        analytics::sync_now,
        diagnostics::diagnostics,
        settings::settings_get,
        settings::settings_set,
        settings::watch_add,
        settings::watch_remove,
    ]
}

/// The command names registered above, in the UI contract's order (checked by a test
/// against `ui/src/lib/ipc-types.ts`).
#[cfg(test)]
pub const NAMES: &[&str] = &[
    "app_info",
    "accounts_list",
    "platform_info",
    "connect_start",
    "account_disconnect",
    "tiktok_creator_info",
    "media_limits",
    "pick_file",
    "pick_folder",
    "probe_file",
    "publish_submit",
    "queue_list",
    "queue_retry",
    "queue_cancel",
    "queue_pause",
    "queue_resume",
    "analytics_growth",
    "analytics_posts",
    "analytics_totals",
    "analytics_best_times",
    "analytics_csv",
    "save_text_file",
    "sync_now",
    "diagnostics",
    "settings_get",
    "settings_set",
    "watch_add",
    "watch_remove",
];

#[cfg(test)]
mod tests {
    #[test]
    fn every_command_of_the_ui_contract_is_registered() {
        let ts = include_str!("../../../../ui/src/lib/ipc-types.ts");
        let table = ts
            .split("export interface Commands {")
            .nth(1)
            .and_then(|rest| rest.split("\n}").next())
            .expect("the Commands table");
        let mut contract: Vec<&str> = table
            .lines()
            // Entries sit two spaces in; their argument lines deeper.
            .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
            .filter_map(|l| l.trim().split_once(": {").map(|(name, _)| name.trim()))
            .filter(|n| !n.is_empty())
            .collect();
        let mut ours = super::NAMES.to_vec();
        contract.sort_unstable();
        ours.sort_unstable();
        assert_eq!(contract, ours);
    }
}
