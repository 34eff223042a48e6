//! Tauri's build step: embeds tauri.conf.json, the capabilities and the icons, and checks
//! that `ui/dist` (the built web UI) exists.

fn main() {
    println!("cargo:rerun-if-changed=../../ui/dist");
    tauri_build::build()
}
