//! Start-up timing: the process start (taken first thing in `main`), the webview's page
//! load, and the UI's first painted frame (reported by the UI with `window_painted`). Each
//! is logged once with `startup_ms` and recorded as the gauge
//! `outpost_app_startup_seconds{milestone}`, so Diagnostics shows how long
//! the last start took and `examples/desktop_figures.rs` can measure cold starts.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use outpost_core::telemetry::metrics;

static STARTED: OnceLock<Instant> = OnceLock::new();
static PAGE_LOADED: AtomicBool = AtomicBool::new(false);
static PAINTED: AtomicBool = AtomicBool::new(false);

/// Note the process start (the first call wins).
pub fn begin() {
    STARTED.get_or_init(Instant::now);
}

fn elapsed() -> Duration {
    STARTED.get_or_init(Instant::now).elapsed()
}

/// Record a start-up milestone once: `true` the first time.
fn milestone(flag: &AtomicBool, name: &'static str) -> bool {
    if flag.swap(true, Ordering::SeqCst) {
        return false;
    }
    let since = elapsed();
    metrics::app_startup(name, since);
    let startup_ms = since.as_secs_f64() * 1000.0;
    if name == PAGE_LOAD {
        tracing::info!(startup_ms, "page loaded");
    } else {
        tracing::info!(startup_ms, "window painted");
    }
    true
}

const PAGE_LOAD: &str = "page_load";
const FIRST_PAINT: &str = "first_paint";

/// The webview finished loading the UI (its first load only).
pub fn page_loaded() -> bool {
    milestone(&PAGE_LOADED, PAGE_LOAD)
}

/// The UI painted its first frame (its first report only).
pub fn painted() -> bool {
    milestone(&PAINTED, FIRST_PAINT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_milestone_is_recorded_once() {
        begin();
        assert!(page_loaded());
        assert!(!page_loaded(), "a reload is not a start");
        assert!(painted());
        assert!(!painted());
    }
}
