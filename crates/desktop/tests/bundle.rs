//! The bundle configuration: the .deb's desktop entry passes the link on (`%u`) and claims
//! the `outpost` scheme; the window's capabilities stay minimal.

use std::path::Path;

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

#[test]
fn the_deb_desktop_entry_hands_outpost_links_to_the_app() {
    let conf: serde_json::Value = serde_json::from_str(&read("tauri.conf.json")).unwrap();
    let template = conf["bundle"]["linux"]["deb"]["desktopTemplate"]
        .as_str()
        .expect("bundle.linux.deb.desktopTemplate");
    let entry = read(template);
    let exec = entry
        .lines()
        .find(|l| l.starts_with("Exec="))
        .expect("an Exec line");
    assert!(exec.trim_end().ends_with(" %u"), "{exec}");
    assert!(entry
        .lines()
        .any(|l| l.trim() == "MimeType=x-scheme-handler/outpost;"));
    assert_eq!(
        conf["plugins"]["deep-link"]["desktop"]["schemes"][0],
        "outpost"
    );
    assert_eq!(conf["build"]["frontendDist"], "../../ui/dist");
}

#[test]
fn the_window_may_only_listen_to_events() {
    let cap: serde_json::Value = serde_json::from_str(&read("capabilities/main.json")).unwrap();
    let perms: Vec<&str> = cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    for p in &perms {
        assert!(
            p.starts_with("core:event:") || *p == "core:webview:default",
            "unexpected permission {p}"
        );
    }
}
