//! The desktop app's figures: cold start to first paint, idle memory of the app with its
//! web processes, and the size of the .deb.
//!
//! ```sh
//! cargo build --release -p outpost-desktop && scripts/bundle.sh
//! cargo run --release -p outpost-desktop --example desktop_figures [-- RUNS]
//! ```
//!
//! Each run is a first start for a new user: a fresh home (no database, no vault, no
//! WebKit cache), sandbox mode, under its own Xvfb display and D-Bus session. "First
//! paint" is the app's own `window painted` log line: the UI's first animation frame after
//! it mounted, timed from the process start (`startup_ms`). The same run measures a
//! baseline, the bare WebKitGTK page load in the same binary (`page_loaded_ms`, the
//! webview's load-finished event), so the ratio says what Outpost's own start-up adds.
//! Memory is read 10 s after the last start, when nothing runs: resident set (RSS) and
//! proportional set (PSS, shared pages split between the processes) of `outpost-desktop`,
//! `WebKitWebProcess` and `WebKitNetworkProcess`, from `/proc`.
//!
//! Needs Xvfb and dbus-run-session (`scripts/install-deps.sh test`).

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use support::{Desktop, Killed};

/// The app binary of the same profile as this example.
fn app_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/PROFILE/examples");
    profile_dir.join("outpost-desktop")
}

fn log_lines(home: &Path) -> Vec<serde_json::Value> {
    let dir = home.join("data/outpost/sandbox/logs");
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        out.extend(text.lines().filter_map(|l| serde_json::from_str(l).ok()));
    }
    out
}

/// A numeric field of the first log line whose message is `message`.
fn logged(home: &Path, message: &str, field: &str) -> Option<f64> {
    log_lines(home).into_iter().find_map(|v| {
        let f = v.get("fields")?;
        (f.get("message")?.as_str()? == message)
            .then(|| f.get(field)?.as_f64())
            .flatten()
    })
}

/// `pid` and every process below it.
fn tree(root: u32) -> Vec<u32> {
    let mut parents = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        // pid (comm) state ppid …: comm may hold spaces, so split after the last ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            parents.push((pid, ppid));
        }
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    out
}

fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// (RSS, PSS) in KiB.
fn memory(pid: u32) -> (u64, u64) {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let field = |name: &str| {
        rollup
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field("Rss:"), field("Pss:"))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let app = app_binary();
    assert!(
        app.exists(),
        "{} is missing: cargo build -p outpost-desktop with the same profile first",
        app.display()
    );
    let mut painted = Vec::new();
    let mut loaded = Vec::new();
    let mut last: Option<(Killed, Desktop)> = None;
    for run in 0..runs {
        // The previous instance goes first: two would share nothing, but compete for CPU.
        last.take();
        let desk = Desktop::start(400);
        let h = desk.home.path();
        let mut session = desk.session();
        // WEBKIT_* settings pass through (e.g. WEBKIT_DISABLE_COMPOSITING_MODE=1).
        for (k, v) in std::env::vars().filter(|(k, _)| k.starts_with("WEBKIT_")) {
            session.env(k, v);
        }
        let child = session
            .arg(&app)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-run-session");
        let child = Killed(child);
        let start = Instant::now();
        let ms = loop {
            if let Some(ms) = logged(h, "window painted", "startup_ms") {
                break ms;
            }
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "run {run}: no `window painted` line in 2 minutes"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let page = logged(h, "page loaded", "startup_ms").unwrap_or(f64::NAN);
        println!(
            "run {}: page loaded {page:.0} ms, first paint {ms:.0} ms",
            run + 1
        );
        painted.push(ms);
        loaded.push(page);
        last = Some((child, desk));
    }

    std::thread::sleep(Duration::from_secs(10));
    let (child, _desk) = last.expect("at least one run");
    let mut total = (0, 0);
    println!("\nidle memory, 10 s after start:");
    for pid in tree(child.0.id()) {
        let name = comm(pid);
        if !(name.starts_with("outpost-desktop") || name.starts_with("WebKit")) {
            continue;
        }
        let (rss, pss) = memory(pid);
        println!(
            "  {name:<24} RSS {:>6.1} MiB  PSS {:>6.1} MiB",
            mib(rss),
            mib(pss)
        );
        total = (total.0 + rss, total.1 + pss);
    }
    println!(
        "  {:<24} RSS {:>6.1} MiB  PSS {:>6.1} MiB",
        "together",
        mib(total.0),
        mib(total.1)
    );
    drop(child);

    let (p, l) = (median(painted), median(loaded));
    println!(
        "\ncold start to first paint: median {p:.0} ms over {runs} runs \
         (baseline, WebKitGTK page loaded: {l:.0} ms; first paint / baseline = {:.2})",
        p / l
    );
    let debs = app
        .parent()
        .map(|d| d.join("bundle/deb"))
        .and_then(|d| std::fs::read_dir(d).ok());
    match debs
        .into_iter()
        .flatten()
        .flatten()
        .find(|e| e.path().extension().is_some_and(|x| x == "deb"))
    {
        Some(deb) => {
            let size = deb.metadata().map(|m| m.len()).unwrap_or(0);
            println!(
                ".deb: {} ({:.2} MiB)",
                deb.path().display(),
                size as f64 / 1_048_576.0
            );
        }
        None => println!(".deb: not built (scripts/bundle.sh)"),
    }
}
