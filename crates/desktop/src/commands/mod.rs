//! The commands of the UI's IPC contract, one module per page. Each is a thin call into
//! outpost-core; errors are the core's `ErrorPayload {code, message}`.
//!
//! The table below is the one list of commands: `handler()` registers exactly these, and
//! (in tests) `table()` gives each one's arguments and result to `crate::bindings`, which
//! renders the UI's `Commands` in `ui/src/lib/bindings.ts`. A test checks the table against
//! the signatures of the `#[tauri::command]` functions.

pub mod accounts;
pub mod analytics;
pub mod app;
pub mod developer_apps;
pub mod diagnostics;
pub mod files;
pub mod media;
pub mod publish;
pub mod queue;
pub mod settings;

/// `module::command(argument: Type, …) -> Result;` for each command, with the arguments
/// the UI passes (the injected `State`/`AppHandle` left out) and the `Ok` of its
/// `CmdResult`, both written as in the function's signature.
macro_rules! commands {
    ($( $module:ident :: $name:ident ( $( $arg:ident : $ty:ty ),* $(,)? ) -> $result:ty ; )*) => {
        /// Every command, for `tauri::Builder::invoke_handler`.
        pub fn handler(
        ) -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($module::$name),*]
        }

        /// Every command with its arguments and result, for the TypeScript bindings.
        #[cfg(test)]
        pub fn table() -> Vec<crate::bindings::Command> {
            use crate::bindings::{Arg, Command, TypeRef};
            vec![$(Command {
                module: stringify!($module),
                name: stringify!($name),
                args: vec![$(Arg::new::<$ty>(stringify!($arg), stringify!($ty))),*],
                result: TypeRef::of::<$result>(stringify!($result)),
            }),*]
        }
    };
}

#[cfg(test)]
use {
    crate::{
        commands::{
            app::AppInfo, developer_apps::DeveloperApps, diagnostics::Diagnostics,
            publish::PublishRequest, queue::QueueListing, settings::Settings,
        },
        connect::ConnectStart,
        settings::SettingsUpdate,
    },
    outpost_core::{
        analytics::{BestTimes, FollowerGrowth, PeriodTotals, PostColumn, PostRow},
        db::accounts::Account,
        media::{Limits, MediaKind, Probe},
        platforms::{permissions::PlatformInfo, tiktok_publish::CreatorInfo},
        publish::submit::QueuedJob,
        Platform,
    },
    std::path::PathBuf,
};

commands! {
    app::app_info() -> AppInfo;
    app::window_painted() -> ();
    accounts::accounts_list() -> Vec<Account>;
    accounts::platform_info(platform: Platform) -> PlatformInfo;
    accounts::connect_start(platform: Platform) -> ConnectStart;
    accounts::account_disconnect(account_id: i64) -> ();
    accounts::tiktok_creator_info(account_id: i64) -> CreatorInfo;
    media::media_limits(platform: Platform, kind: MediaKind) -> Limits;
    files::pick_file() -> Option<String>;
    files::pick_folder() -> Option<String>;
    media::probe_file(path: PathBuf) -> Probe;
    publish::publish_submit(request: PublishRequest) -> Vec<QueuedJob>;
    queue::queue_list(all: bool) -> QueueListing;
    queue::queue_retry(id: i64) -> ();
    queue::queue_cancel(id: i64) -> ();
    queue::queue_pause() -> ();
    queue::queue_resume() -> ();
    analytics::analytics_growth(
        account_id: i64, days: u32, utc_offset_minutes: i32,
    ) -> FollowerGrowth;
    analytics::analytics_posts(
        account_id: i64, days: u32, by: PostColumn, asc: bool,
    ) -> Vec<PostRow>;
    analytics::analytics_totals(account_id: i64, days: u32) -> PeriodTotals;
    analytics::analytics_best_times(
        account_id: i64, days: u32, utc_offset_minutes: i32,
    ) -> BestTimes;
    analytics::analytics_csv(account_id: i64, days: u32) -> String;
    files::save_text_file(suggested_name: String, text: String) -> Option<String>;
    analytics::sync_now() -> ();
    diagnostics::diagnostics() -> Diagnostics;
    settings::settings_get() -> Settings;
    settings::settings_set(settings: SettingsUpdate) -> ();
    settings::watch_add(path: PathBuf, targets: Vec<String>) -> ();
    settings::watch_remove(path: PathBuf) -> ();
    developer_apps::developer_apps() -> DeveloperApps;
    developer_apps::developer_app_set(
        platform: Platform, client_id: String, client_secret: Option<String>,
    ) -> DeveloperApps;
    developer_apps::app_restart() -> ();
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    /// A `#[tauri::command]` as its source declares it: UI arguments and result type, with
    /// spaces removed.
    #[derive(Debug, PartialEq)]
    struct Signature {
        module: String,
        args: Vec<(String, String)>,
        result: String,
    }

    fn squeeze(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }

    /// Split at the commas outside `<…>`, `(…)` and `[…]`.
    fn split_top(s: &str) -> Vec<&str> {
        let (mut depth, mut start, mut out) = (0i32, 0, Vec::new());
        for (i, c) in s.char_indices() {
            match c {
                '<' | '(' | '[' => depth += 1,
                '>' | ')' | ']' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(&s[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        out.push(&s[start..]);
        out.into_iter().filter(|p| !p.trim().is_empty()).collect()
    }

    /// Every `#[tauri::command]` of `src/commands/*.rs`, by name.
    fn declared() -> BTreeMap<String, Signature> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands");
        let mut out = BTreeMap::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let module = path.file_stem().unwrap().to_str().unwrap().to_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            for chunk in text.split("\n#[tauri::command]\n").skip(1) {
                let sig = &chunk[..chunk.find(" {\n").expect("a function body")];
                let sig = squeeze(sig);
                let rest = sig.strip_prefix("pubasyncfn").expect("pub async fn");
                let open = rest.find('(').unwrap();
                let name = rest[..open].to_owned();
                let close = rest.rfind(")->").expect("a result");
                let args = split_top(&rest[open + 1..close])
                    .into_iter()
                    .filter_map(|p| {
                        let (arg, ty) = p.split_once(':').unwrap();
                        let injected = ty.starts_with("State<") || ty == "AppHandle";
                        (!injected).then(|| (arg.to_owned(), ty.to_owned()))
                    })
                    .collect();
                let result = rest[close + 3..]
                    .strip_prefix("CmdResult<")
                    .and_then(|r| r.strip_suffix('>'))
                    .unwrap_or_else(|| panic!("{name} returns a CmdResult"))
                    .to_owned();
                let sig = Signature {
                    module: module.clone(),
                    args,
                    result,
                };
                assert!(out.insert(name.clone(), sig).is_none(), "{name} twice");
            }
        }
        out
    }

    #[test]
    fn the_table_is_every_command_with_its_signature() {
        let table: BTreeMap<String, Signature> = super::table()
            .into_iter()
            .map(|c| {
                let sig = Signature {
                    module: c.module.to_owned(),
                    args: c
                        .args
                        .iter()
                        .map(|a| (a.name.to_owned(), squeeze(a.ty.rust)))
                        .collect(),
                    result: squeeze(c.result.rust),
                };
                (c.name.to_owned(), sig)
            })
            .collect();
        assert_eq!(
            super::table().len(),
            table.len(),
            "a command twice in the table"
        );
        let declared = declared();
        let mut problems = Vec::new();
        for (name, sig) in &declared {
            match table.get(name) {
                None => problems.push(format!("{name} is not in the table")),
                Some(t) if t != sig => problems.push(format!(
                    "{name}: the table says {t:?}, the function {sig:?}"
                )),
                Some(_) => {}
            }
        }
        for name in table.keys().filter(|n| !declared.contains_key(*n)) {
            problems.push(format!(
                "{name} is in the table but no #[tauri::command] has it"
            ));
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn the_source_parser_reads_injected_and_ui_arguments() {
        let d = declared();
        let s = &d["analytics_growth"];
        assert_eq!(s.module, "analytics");
        assert_eq!(
            s.args,
            [
                ("account_id".to_owned(), "i64".to_owned()),
                ("days".to_owned(), "u32".to_owned()),
                ("utc_offset_minutes".to_owned(), "i32".to_owned())
            ]
        );
        assert_eq!(s.result, "FollowerGrowth");
        assert!(d["queue_pause"].args.is_empty());
    }
}
