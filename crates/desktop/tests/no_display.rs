//! Without a display the binary must say so in one line and exit 1, not panic in GTK.

use std::process::Command;

#[test]
#[cfg(target_os = "linux")]
fn without_a_display_it_explains_and_exits_1() {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_outpost-desktop"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .output()
        .expect("run outpost-desktop");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("no display found"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Nothing was created: the check comes before any configuration or data.
    assert!(!home.path().join("data").exists());
}
