//! The real window under Xvfb and a private D-Bus session: the app starts in sandbox mode
//! and runs its engine, and a second launch with an `outpost://oauth/callback` link is
//! handed to the running instance (tauri-plugin-single-instance, registered first) and
//! handled there (a forged link is refused and logged), while the second process exits.
//!
//! Skipped, with a note, when `Xvfb` or `dbus-run-session` is missing
//! (`scripts/install-deps.sh test` installs them).

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use support::{skip_without, Desktop, Killed};

const APP: &str = env!("CARGO_BIN_EXE_outpost-desktop");

fn wait_for(what: &str, timeout: Duration, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
#[cfg(target_os = "linux")]
fn a_second_launch_hands_its_link_to_the_running_window() {
    if skip_without(&["Xvfb", "dbus-run-session"]) {
        return;
    }
    let desk = Desktop::start(180);
    let home = desk.home.path();

    // One D-Bus session for both launches, as on a desktop: a shell inside the bus starts
    // the app, then the second launch.
    let script = format!(
        "'{APP}' & app=$!; \
         i=0; until grep -qs 'engine started' '{logs}'/*.jsonl; do i=$((i+1)); [ $i -gt 300 ] && exit 3; sleep 0.1; done; \
         '{APP}' 'outpost://oauth/callback?state=forged-state&code=forged-code'; second=$?; \
         i=0; until grep -qs 'matched no attempt' '{logs}'/*.jsonl; do i=$((i+1)); [ $i -gt 100 ] && break; sleep 0.1; done; \
         kill -0 $app; alive=$?; kill $app; wait $app; echo \"second=$second alive=$alive\" > '{home}/result'",
        logs = desk.data().join("logs").display(),
        home = home.display(),
    );
    let mut c = desk.session();
    c.args(["sh", "-c", &script])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut session = Killed(c.spawn().expect("dbus-run-session"));
    let result = home.join("result");
    wait_for("the session script", Duration::from_secs(90), || {
        result.exists() || session.0.try_wait().ok().flatten().is_some()
    });
    wait_for("the result", Duration::from_secs(10), || result.exists());
    let outcome = std::fs::read_to_string(&result).unwrap();
    assert_eq!(
        outcome.trim(),
        "second=0 alive=0",
        "the second launch exits 0 and the first keeps running; logs:\n{}",
        desk.logs()
    );
    let log = desk.logs();
    assert!(log.contains("engine started"), "{log}");
    assert!(
        log.contains("matched no attempt"),
        "the forged link reached the first instance: {log}"
    );
    // The first instance stopped cleanly on SIGTERM.
    assert!(log.contains("engine stopped"), "{log}");
}
