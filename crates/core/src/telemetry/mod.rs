//! Observability: tracing set-up for the binaries (JSON log files with daily rotation and a
//! readable console), secret redaction of every line ([`redact`]), the metrics registry
//! ([`metrics`]), correlation-id spans and a panic hook that never prints a secret; and
//! reading both back for a screen: the metrics as samples ([`samples`]), the last lines of
//! the log files ([`logs`]).
//!
//! Libraries only emit events and spans; [`init`] is called once by each binary.

pub mod logs;
pub mod metrics;
pub mod redact;
pub mod samples;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::error::UserFacing;

/// Log files kept (one per day).
pub const KEEP_LOG_FILES: usize = 14;
/// Prefix of the log files (`outpost.YYYY-MM-DD.jsonl`).
pub const LOG_FILE_PREFIX: &str = "outpost";

/// Errors setting up telemetry.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// The logs folder cannot be used.
    #[error("cannot write logs to {path}: {reason}")]
    Logs {
        /// Folder.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A filter expression is invalid.
    #[error("invalid log filter in {key}: {reason}")]
    Filter {
        /// Variable.
        key: &'static str,
        /// Why.
        reason: String,
    },
}

impl UserFacing for TelemetryError {
    fn code(&self) -> &'static str {
        match self {
            TelemetryError::Logs { .. } => "telemetry.logs",
            TelemetryError::Filter { .. } => "telemetry.filter",
        }
    }
}

/// What a binary wants.
#[derive(Debug, Clone, Default)]
pub struct TelemetryOptions {
    /// Folder for the JSON log files; `None` for console only.
    pub logs_dir: Option<PathBuf>,
    /// `-v` count: 0 warnings, 1 info, 2 debug, 3+ trace (overridden by `RUST_LOG`).
    pub verbosity: u8,
    /// Whether to log to the console (stderr) at all.
    pub console: bool,
}

/// Keeps the file writer alive; dropping it flushes pending lines.
#[derive(Debug)]
pub struct TelemetryGuard {
    _file: Option<WorkerGuard>,
}

/// A writer that redacts each formatted event before it reaches the underlying writer.
#[derive(Debug, Clone)]
pub struct RedactingMakeWriter<M>(pub M);

/// The writer made by [`RedactingMakeWriter`].
#[derive(Debug)]
pub struct RedactingWriter<W>(W);

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // The fmt layer writes each event in one call, so a line is redacted whole.
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(redact::redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for RedactingMakeWriter<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter(self.0.make_writer())
    }
}

fn filter_from(key: &'static str, default: &str) -> Result<EnvFilter, TelemetryError> {
    match std::env::var(key) {
        Ok(v) if !v.trim().is_empty() => {
            EnvFilter::try_new(v.trim()).map_err(|e| TelemetryError::Filter {
                key,
                reason: e.to_string(),
            })
        }
        _ => Ok(EnvFilter::new(default)),
    }
}

/// Install the global subscriber, the metrics recorder and the panic hook.
pub fn init(opts: &TelemetryOptions) -> Result<TelemetryGuard, TelemetryError> {
    let console_default = match opts.verbosity {
        0 => "warn",
        1 => "info,outpost=info",
        2 => "debug,sqlx=warn,hyper=info",
        _ => "trace",
    };
    let console = opts
        .console
        .then(|| -> Result<_, TelemetryError> {
            Ok(tracing_subscriber::fmt::layer()
                .with_writer(RedactingMakeWriter(io::stderr))
                .with_ansi(io::stderr().is_terminal())
                .with_target(opts.verbosity >= 2)
                .with_filter(filter_from("RUST_LOG", console_default)?))
        })
        .transpose()?;

    let mut guard = None;
    let file = match &opts.logs_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| TelemetryError::Logs {
                path: dir.clone(),
                reason: e.to_string(),
            })?;
            let appender = RollingFileAppender::builder()
                .rotation(Rotation::DAILY)
                .filename_prefix(LOG_FILE_PREFIX)
                .filename_suffix("jsonl")
                .max_log_files(KEEP_LOG_FILES)
                .build(dir)
                .map_err(|e| TelemetryError::Logs {
                    path: dir.clone(),
                    reason: e.to_string(),
                })?;
            let (writer, g) = tracing_appender::non_blocking(appender);
            guard = Some(g);
            Some(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_span_list(true)
                    .with_writer(RedactingMakeWriter(writer))
                    .with_filter(filter_from("OUTPOST_LOG", "info,sqlx=warn")?),
            )
        }
        None => None,
    };

    // A second init in one process (tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(console)
        .with(file)
        .try_init();
    metrics::install();
    install_panic_hook();
    Ok(TelemetryGuard { _file: guard })
}

/// Replace the panic message printer with one that redacts and also logs the panic.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = redact::redact(&info.to_string()).into_owned();
        tracing::error!(panic = %message, "Outpost crashed");
        eprintln!("Outpost crashed: {message}\nPlease report this with the log files from the data directory.");
    }));
}

/// A span for one user-visible operation, with a fresh correlation id. Record `platform`
/// and `account` on it once known.
pub fn operation_span(action: &'static str) -> tracing::Span {
    tracing::info_span!(
        "op",
        correlation_id = %uuid::Uuid::new_v4(),
        action,
        platform = tracing::field::Empty,
        account = tracing::field::Empty,
    )
}
