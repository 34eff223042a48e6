//! The real window under Xvfb and a private D-Bus session: the app starts in sandbox mode
//! and runs its engine, and a second launch with an `outpost://oauth/callback` link is
//! handed to the running instance (tauri-plugin-single-instance, registered first) and
//! handled there (a forged link is refused and logged), while the second process exits.
//!
//! Skipped, with a note, when `Xvfb` or `dbus-run-session` is missing
//! (`scripts/install-deps.sh test` installs them).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const APP: &str = env!("CARGO_BIN_EXE_outpost-desktop");

/// A session bus with no service directories (see the file's comment).
const SESSION_BUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/support/session-bus.conf"
);

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Kills the process when dropped (the test fails or ends).
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn logs(data: &Path) -> String {
    let dir = data.join("outpost/sandbox/logs");
    let mut all = String::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        all.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
    }
    all
}

fn wait_for(what: &str, timeout: Duration, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn session_env(c: &mut Command, home: &Path, display: &str) {
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("LANG", "C.UTF-8")
        .env("DISPLAY", display)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
}

#[test]
#[cfg(target_os = "linux")]
fn a_second_launch_hands_its_link_to_the_running_window() {
    if !have("Xvfb") || !have("dbus-run-session") {
        eprintln!("skipped: needs Xvfb and dbus-run-session (scripts/install-deps.sh test)");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let data: PathBuf = home.path().join("data");
    let display = format!(":{}", 180 + std::process::id() % 500);
    let _xvfb = Killed(
        Command::new("Xvfb")
            .args([
                display.as_str(),
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb"),
    );
    std::thread::sleep(Duration::from_millis(500));

    // One D-Bus session for both launches, as on a desktop: a shell inside the bus starts
    // the app, then the second launch.
    let script = format!(
        "'{APP}' & app=$!; \
         i=0; until grep -qs 'engine started' '{logs}'/*.jsonl; do i=$((i+1)); [ $i -gt 300 ] && exit 3; sleep 0.1; done; \
         '{APP}' 'outpost://oauth/callback?state=forged-state&code=forged-code'; second=$?; \
         i=0; until grep -qs 'matched no attempt' '{logs}'/*.jsonl; do i=$((i+1)); [ $i -gt 100 ] && break; sleep 0.1; done; \
         kill -0 $app; alive=$?; kill $app; wait $app; echo \"second=$second alive=$alive\" > '{home}/result'",
        logs = data.join("outpost/sandbox/logs").display(),
        home = home.path().display(),
    );
    let mut c = Command::new("dbus-run-session");
    c.arg(format!("--config-file={SESSION_BUS}"))
        .args(["--", "sh", "-c", &script]);
    session_env(&mut c, home.path(), &display);
    let mut session = Killed(c.spawn().expect("dbus-run-session"));
    let result = home.path().join("result");
    wait_for("the session script", Duration::from_secs(90), || {
        result.exists() || session.0.try_wait().ok().flatten().is_some()
    });
    wait_for("the result", Duration::from_secs(10), || result.exists());
    let outcome = std::fs::read_to_string(&result).unwrap();
    assert_eq!(
        outcome.trim(),
        "second=0 alive=0",
        "the second launch exits 0 and the first keeps running; logs:\n{}",
        logs(&data)
    );
    let log = logs(&data);
    assert!(log.contains("engine started"), "{log}");
    assert!(
        log.contains("matched no attempt"),
        "the forged link reached the first instance: {log}"
    );
    // The first instance stopped cleanly on SIGTERM.
    assert!(log.contains("engine stopped"), "{log}");
}
