//! Diagnostics page: the metrics (from the core's Prometheus rendering), the recent log
//! lines (the core's JSON log files, already redacted when written) and alerts (accounts
//! to reconnect, failed posts, an engine running elsewhere).
//!
//! Shell-side glue: the parsing below belongs in outpost-core (`telemetry::metrics` could
//! return samples; `telemetry` could tail its own files).

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use outpost_core::db::accounts::AccountStatus;
use outpost_core::queue::{self, JobState, ListFilter};
use outpost_core::telemetry::metrics;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::{fail, CmdResult};
use crate::state::AppState;

/// The kind of a metric series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum MetricKind {
    /// A counter.
    Counter,
    /// A histogram (its count and sum).
    Histogram,
}

/// One metric series.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MetricSample {
    /// Name.
    pub name: String,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Counter or histogram.
    pub kind: MetricKind,
    /// Counter value, or the histogram's count.
    pub value: f64,
    /// Histograms: sum of the observations (left out for counters).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub sum: Option<f64>,
    /// Histograms: number of observations (left out for counters).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub count: Option<f64>,
}

/// A log line.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LogLine {
    /// RFC 3339.
    pub at: String,
    /// Level.
    pub level: String,
    /// Module.
    pub target: String,
    /// Message (redacted by the core when written).
    pub message: String,
}

/// How serious an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum AlertLevel {
    /// Worth a look.
    Warning,
    /// Something the creator must fix.
    Error,
}

/// An alert.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Alert {
    /// Warning or error.
    pub level: AlertLevel,
    /// For people.
    pub message: String,
}

/// The answer of `diagnostics`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Diagnostics {
    /// Metrics.
    pub metrics: Vec<MetricSample>,
    /// Recent log lines, oldest first.
    pub logs: Vec<LogLine>,
    /// Alerts.
    pub alerts: Vec<Alert>,
}

/// Log lines shown.
const LOG_LINES: usize = 200;
/// Bytes read from the end of the newest log file.
const LOG_TAIL_BYTES: u64 = 256 * 1024;

fn parse_labels(s: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = s;
    while let Some((key, after)) = rest.split_once("=\"") {
        let mut value = String::new();
        let mut chars = after.char_indices();
        let mut end = after.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, n)) = chars.next() {
                        value.push(match n {
                            'n' => '\n',
                            other => other,
                        });
                    }
                }
                '"' => {
                    end = i + 1;
                    break;
                }
                c => value.push(c),
            }
        }
        out.insert(key.trim_start_matches(',').trim().to_owned(), value);
        rest = &after[end..];
    }
    out
}

/// Counters and histograms from the Prometheus text format.
pub fn parse_prometheus(text: &str) -> Vec<MetricSample> {
    let mut kinds: BTreeMap<&str, &str> = BTreeMap::new();
    let mut out: Vec<MetricSample> = Vec::new();
    for line in text.lines() {
        if let Some(t) = line.strip_prefix("# TYPE ") {
            let mut it = t.split_whitespace();
            if let (Some(n), Some(k)) = (it.next(), it.next()) {
                kinds.insert(n, k);
            }
            continue;
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (series, value) = match line.rsplit_once(' ') {
            Some((s, v)) => (s, v.parse::<f64>().unwrap_or(0.0)),
            None => continue,
        };
        let (name, labels) = match series.split_once('{') {
            Some((n, l)) => (n, parse_labels(l.trim_end_matches('}'))),
            None => (series, BTreeMap::new()),
        };
        let histogram = |suffix: &str| {
            name.strip_suffix(suffix)
                .filter(|base| kinds.get(base) == Some(&"histogram"))
        };
        if histogram("_bucket").is_some() {
            continue;
        }
        if let Some((base, is_sum)) = histogram("_sum")
            .map(|b| (b, true))
            .or_else(|| histogram("_count").map(|b| (b, false)))
        {
            let pos = out.iter().position(|m| {
                m.name == base && m.labels == labels && m.kind == MetricKind::Histogram
            });
            let idx = pos.unwrap_or_else(|| {
                out.push(MetricSample {
                    name: base.to_owned(),
                    labels: labels.clone(),
                    kind: MetricKind::Histogram,
                    value: 0.0,
                    sum: Some(0.0),
                    count: Some(0.0),
                });
                out.len() - 1
            });
            let m = &mut out[idx];
            if is_sum {
                m.sum = Some(value);
            } else {
                m.count = Some(value);
                m.value = value;
            }
            continue;
        }
        out.push(MetricSample {
            name: name.to_owned(),
            labels,
            kind: MetricKind::Counter,
            value,
            sum: None,
            count: None,
        });
    }
    out
}

/// One line of the core's JSON log files.
pub fn parse_log_line(line: &str) -> Option<LogLine> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
    let message = v
        .pointer("/fields/message")
        .and_then(|m| m.as_str())
        .or_else(|| v.get("message").and_then(|m| m.as_str()))
        .unwrap_or("")
        .to_owned();
    Some(LogLine {
        at: s("timestamp"),
        level: s("level"),
        target: s("target"),
        message,
    })
}

/// The last lines of the newest `outpost.*.jsonl` in `dir`.
pub fn recent_logs(dir: &Path, max: usize) -> Vec<LogLine> {
    let newest = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("outpost") && n.ends_with(".jsonl"))
        })
        .max();
    let Some(path) = newest else {
        return Vec::new();
    };
    let Ok(mut file) = std::fs::File::open(&path) else {
        return Vec::new();
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(LOG_TAIL_BYTES);
    if file.seek(SeekFrom::Start(start)).is_err() {
        return Vec::new();
    }
    let mut bytes = Vec::new();
    if file.read_to_end(&mut bytes).is_err() {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(&bytes);
    let mut lines: Vec<LogLine> = text
        .lines()
        .skip(usize::from(start > 0))
        .filter_map(parse_log_line)
        .collect();
    let cut = lines.len().saturating_sub(max);
    lines.drain(..cut);
    lines
}

/// `diagnostics`.
#[tauri::command]
pub async fn diagnostics(state: State<'_, AppState>) -> CmdResult<Diagnostics> {
    let _ = metrics::install().flush(&state.db).await;
    let text = metrics::render_prometheus(&state.db).await.map_err(fail)?;
    let logs_dir = state.config.logs_dir();
    let logs = tokio::task::spawn_blocking(move || recent_logs(&logs_dir, LOG_LINES))
        .await
        .unwrap_or_default();
    let mut alerts = Vec::new();
    if let Some(reason) = &state.engine.not_running {
        alerts.push(Alert {
            level: AlertLevel::Warning,
            message: reason.clone(),
        });
    }
    for a in state.db.accounts().list().await.map_err(fail)? {
        if a.status == AccountStatus::NeedsReconnect {
            alerts.push(Alert {
                level: AlertLevel::Error,
                message: format!(
                    "Reconnect {} account {}{}",
                    a.platform.display_name(),
                    a.username.as_deref().unwrap_or(&a.platform_user_id),
                    a.status_reason
                        .map(|r| format!(": {r}"))
                        .unwrap_or_default()
                ),
            });
        }
    }
    let now = chrono::Utc::now().timestamp_millis();
    let failed = queue::list(&state.db, ListFilter::default(), now)
        .await
        .map_err(fail)?
        .iter()
        .filter(|j| j.state == JobState::Failed)
        .count();
    if failed > 0 {
        alerts.push(Alert {
            level: AlertLevel::Warning,
            message: format!("{failed} post(s) failed; the queue says why"),
        });
    }
    Ok(Diagnostics {
        metrics: parse_prometheus(&text),
        logs,
        alerts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_histograms() {
        let text =
            "# HELP outpost_api_calls_total API calls\n# TYPE outpost_api_calls_total counter\n\
outpost_api_calls_total{endpoint=\"video.init\",platform=\"tiktok\",status=\"200\"} 14\n\
# TYPE outpost_api_call_seconds histogram\n\
outpost_api_call_seconds_bucket{endpoint=\"video.init\",platform=\"tiktok\",le=\"0.1\"} 1\n\
outpost_api_call_seconds_bucket{endpoint=\"video.init\",platform=\"tiktok\",le=\"+Inf\"} 16\n\
outpost_api_call_seconds_sum{endpoint=\"video.init\",platform=\"tiktok\"} 4.96\n\
outpost_api_call_seconds_count{endpoint=\"video.init\",platform=\"tiktok\"} 16\n";
        let m = parse_prometheus(text);
        assert_eq!(m.len(), 2, "{m:?}");
        assert_eq!(m[0].kind, MetricKind::Counter);
        assert_eq!(m[0].value, 14.0);
        assert_eq!(m[0].labels["status"], "200");
        assert_eq!(m[1].kind, MetricKind::Histogram);
        assert_eq!(m[1].count, Some(16.0));
        assert_eq!(m[1].sum, Some(4.96));
        assert!(!m[1].labels.contains_key("le"));
    }

    #[test]
    fn log_lines_and_tail() {
        let dir = tempfile::tempdir().unwrap();
        let line = r#"{"timestamp":"2026-11-25T10:00:00Z","level":"INFO","fields":{"message":"engine started"},"target":"outpost_desktop::engine"}"#;
        std::fs::write(
            dir.path().join("outpost.2026-11-25.jsonl"),
            format!("{line}\nnot json\n{line}\n"),
        )
        .unwrap();
        let logs = recent_logs(dir.path(), 1);
        assert_eq!(logs.len(), 1);
        assert_eq!(logs[0].message, "engine started");
        assert_eq!(logs[0].level, "INFO");
    }
}
