//! What the desktop tests (and `examples/desktop_figures.rs`) share: a private desktop —
//! a home with its own XDG dirs, an Xvfb display, a D-Bus session without activation
//! (`session-bus.conf`) — plus tool checks, processes killed on drop, and the app's logs.

#![allow(dead_code)] // Each test uses its own part.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A session bus with no service directories (see the file's comment).
pub const SESSION_BUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/support/session-bus.conf"
);

/// Whether `tool` is on PATH.
pub fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The tools of `tools` that are missing. With `OUTPOST_REQUIRE_DESKTOP` set (as
/// scripts/test.sh does), a missing tool fails the test instead of skipping it.
pub fn skip_without(tools: &[&str]) -> bool {
    let missing: Vec<&str> = tools.iter().copied().filter(|t| !have(t)).collect();
    if missing.is_empty() {
        return false;
    }
    let note = format!(
        "needs {} (scripts/install-deps.sh test installs them)",
        missing.join(", ")
    );
    assert!(
        std::env::var_os("OUTPOST_REQUIRE_DESKTOP").is_none(),
        "OUTPOST_REQUIRE_DESKTOP is set but the test {note}"
    );
    eprintln!("skipped: {note}");
    true
}

/// Kills the process when dropped (the test fails or ends).
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A private desktop: a temporary home and an Xvfb display of its own.
pub struct Desktop {
    /// The home folder (XDG dirs below it).
    pub home: tempfile::TempDir,
    /// `:N`.
    pub display: String,
    _xvfb: Killed,
}

impl Desktop {
    /// Start Xvfb on a display chosen from `base` and this process's id.
    pub fn start(base: u32) -> Desktop {
        let display = format!(":{}", base + std::process::id() % 200);
        let xvfb = Killed(
            Command::new("Xvfb")
                .args([&display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("Xvfb"),
        );
        std::thread::sleep(Duration::from_millis(500));
        Desktop {
            home: tempfile::tempdir().unwrap(),
            display,
            _xvfb: xvfb,
        }
    }

    /// The sandbox-mode data dir of the app.
    pub fn data(&self) -> PathBuf {
        self.home.path().join("data/outpost/sandbox")
    }

    /// Give `c` this desktop's environment, and nothing of the caller's but PATH.
    pub fn env(&self, c: &mut Command) {
        let home = self.home.path();
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("LANG", "C.UTF-8")
            .env("DISPLAY", &self.display)
            // Nothing may open a real browser: the tests play the browser themselves.
            .env("BROWSER", "true");
    }

    /// `dbus-run-session` on the private bus, with this desktop's environment.
    pub fn session(&self) -> Command {
        let mut c = Command::new("dbus-run-session");
        self.env(&mut c);
        c.arg(format!("--config-file={SESSION_BUS}")).arg("--");
        c
    }

    /// Every line the app logged so far.
    pub fn logs(&self) -> String {
        logs_in(&self.data())
    }
}

/// Every line of the JSON log files under `data/logs`.
pub fn logs_in(data: &Path) -> String {
    let mut all = String::new();
    for e in std::fs::read_dir(data.join("logs"))
        .into_iter()
        .flatten()
        .flatten()
    {
        all.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
    }
    all
}
