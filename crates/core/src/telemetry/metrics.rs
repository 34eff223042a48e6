//! The metrics registry: counters, gauges and histograms behind the `metrics` facade, kept
//! across processes in SQLite so that a one-shot `outpost` command adds to the totals a
//! long-running engine reports, and rendered in the Prometheus text format.
//!
//! Why a recorder of our own (over `metrics-util`'s registry) rather than
//! `metrics-exporter-prometheus`: that exporter keeps values only in the process that
//! records them, and the CLI is mostly short-lived processes; persisting deltas needs the
//! raw counter values, which the exporter does not expose.
//!
//! Labels are always bounded enums or static endpoint names: never ids, URLs or secrets.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use metrics_util::registry::{AtomicStorage, Registry};
use sqlx::Row;

use crate::db::{Database, DbError};
use crate::platform::Platform;

/// Histogram bucket bounds, in seconds (latencies and durations).
pub const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 60.0,
];

/// Every metric Outpost records: (name, kind, help).
pub const CATALOG: &[(&str, &str, &str)] = &[
    (
        "outpost_oauth_attempts_total",
        "counter",
        "OAuth connect attempts by platform and outcome",
    ),
    (
        "outpost_token_refreshes_total",
        "counter",
        "Token refreshes by platform and outcome",
    ),
    (
        "outpost_uploads_total",
        "counter",
        "Uploads finished by platform and outcome",
    ),
    (
        "outpost_upload_bytes_total",
        "counter",
        "Bytes uploaded by platform",
    ),
    (
        "outpost_publishes_total",
        "counter",
        "Publish attempts by platform and outcome",
    ),
    (
        "outpost_events_received_total",
        "counter",
        "Platform events received by platform and source",
    ),
    (
        "outpost_events_processed_total",
        "counter",
        "Platform events processed by platform and outcome",
    ),
    (
        "outpost_event_processing_seconds",
        "histogram",
        "Time from receiving a platform event to processing it",
    ),
    (
        "outpost_api_calls_total",
        "counter",
        "Platform API calls by platform, endpoint and HTTP status",
    ),
    (
        "outpost_api_call_seconds",
        "histogram",
        "Platform API call latency by platform and endpoint",
    ),
    (
        "outpost_worker_runs_total",
        "counter",
        "Background worker runs by worker and outcome",
    ),
    (
        "outpost_worker_run_seconds",
        "histogram",
        "Background worker run duration by worker",
    ),
    (
        "outpost_vault_operations_total",
        "counter",
        "Vault operations by operation and outcome",
    ),
    (
        "outpost_cli_commands_total",
        "counter",
        "outpost commands run, by command and outcome",
    ),
];

/// The process's recorder.
pub struct Metrics {
    registry: Registry<Key, AtomicStorage>,
    flushed: Mutex<HashMap<Key, u64>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

#[derive(Debug, Clone, Copy)]
struct GlobalRecorder(&'static Metrics);

impl Recorder for GlobalRecorder {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        self.0
            .registry
            .get_or_create_counter(key, |c| Counter::from_arc(c.clone()))
    }

    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        self.0
            .registry
            .get_or_create_gauge(key, |g| Gauge::from_arc(g.clone()))
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        self.0
            .registry
            .get_or_create_histogram(key, |h| Histogram::from_arc(h.clone()))
    }
}

static INSTALLED: OnceLock<&'static Metrics> = OnceLock::new();

/// Install the recorder for this process (idempotent) and return it.
pub fn install() -> &'static Metrics {
    INSTALLED.get_or_init(|| {
        let metrics: &'static Metrics = Box::leak(Box::new(Metrics {
            registry: Registry::atomic(),
            flushed: Mutex::new(HashMap::new()),
        }));
        if metrics::set_global_recorder(GlobalRecorder(metrics)).is_err() {
            tracing::warn!(
                "a metrics recorder was already installed; Outpost's metrics will be empty"
            );
        }
        metrics
    })
}

fn label_string(key: &Key) -> String {
    let mut labels: Vec<(String, String)> = key
        .labels()
        .map(|l| (l.key().to_owned(), l.value().to_owned()))
        .collect();
    labels.sort();
    labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
        .collect::<Vec<_>>()
        .join(",")
}

fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// Add what this process recorded since the last flush to the database's totals.
    pub async fn flush(&self, db: &Database) -> Result<(), DbError> {
        let now = chrono::Utc::now().timestamp_millis();
        let mut counters = Vec::new();
        {
            let mut flushed = self.flushed.lock().unwrap_or_else(|e| e.into_inner());
            self.registry.visit_counters(|key, counter| {
                let value = counter.load(Ordering::Relaxed);
                let last = flushed.insert(key.clone(), value).unwrap_or(0);
                if value > last {
                    counters.push((
                        key.name().to_owned(),
                        label_string(key),
                        (value - last) as f64,
                    ));
                }
            });
        }
        let mut gauges = Vec::new();
        self.registry.visit_gauges(|key, gauge| {
            gauges.push((
                key.name().to_owned(),
                label_string(key),
                f64::from_bits(gauge.load(Ordering::Relaxed)),
            ));
        });
        let mut histograms = Vec::new();
        self.registry.visit_histograms(|key, bucket| {
            let mut samples = Vec::new();
            bucket.clear_with(|s| samples.extend_from_slice(s));
            if !samples.is_empty() {
                histograms.push((key.name().to_owned(), label_string(key), samples));
            }
        });
        if counters.is_empty() && gauges.is_empty() && histograms.is_empty() {
            return Ok(());
        }

        let mut tx = db.begin_write().await?;
        for (name, labels, delta) in counters {
            sqlx::query(
                "INSERT INTO metric_totals (name, labels, kind, value, updated_at) VALUES (?1, ?2, 'counter', ?3, ?4) \
                 ON CONFLICT (name, labels) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at",
            )
            .bind(name)
            .bind(labels)
            .bind(delta)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        for (name, labels, value) in gauges {
            sqlx::query(
                "INSERT INTO metric_totals (name, labels, kind, value, updated_at) VALUES (?1, ?2, 'gauge', ?3, ?4) \
                 ON CONFLICT (name, labels) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            )
            .bind(name)
            .bind(labels)
            .bind(value)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        for (name, labels, samples) in histograms {
            let existing: Option<String> = sqlx::query_scalar(
                "SELECT buckets FROM metric_totals WHERE name = ?1 AND labels = ?2",
            )
            .bind(&name)
            .bind(&labels)
            .fetch_optional(&mut *tx)
            .await?
            .flatten();
            let mut counts: Vec<u64> = existing
                .and_then(|b| serde_json::from_str(&b).ok())
                .filter(|v: &Vec<u64>| v.len() == BUCKETS.len())
                .unwrap_or_else(|| vec![0; BUCKETS.len()]);
            for s in &samples {
                if let Some(i) = BUCKETS.iter().position(|b| s <= b) {
                    counts[i] += 1;
                }
            }
            let sum: f64 = samples.iter().sum();
            sqlx::query(
                "INSERT INTO metric_totals (name, labels, kind, sum, count, buckets, updated_at) \
                 VALUES (?1, ?2, 'histogram', ?3, ?4, ?5, ?6) \
                 ON CONFLICT (name, labels) DO UPDATE SET sum = sum + excluded.sum, \
                 count = count + excluded.count, buckets = excluded.buckets, updated_at = excluded.updated_at",
            )
            .bind(&name)
            .bind(&labels)
            .bind(sum)
            .bind(samples.len() as i64)
            .bind(serde_json::to_string(&counts).unwrap_or_default())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Render the database's totals in the Prometheus text exposition format (0.0.4).
pub async fn render_prometheus(db: &Database) -> Result<String, DbError> {
    let rows = sqlx::query("SELECT name, labels, kind, value, sum, count, buckets FROM metric_totals ORDER BY name, labels")
        .fetch_all(db.pool())
        .await?;
    let mut families: BTreeMap<String, Vec<sqlx::sqlite::SqliteRow>> = BTreeMap::new();
    for (name, _, _) in CATALOG {
        families.entry((*name).to_owned()).or_default();
    }
    for row in rows {
        families.entry(row.get("name")).or_default().push(row);
    }
    let mut out = String::new();
    for (name, rows) in families {
        let (kind, help) = CATALOG
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, k, h)| (*k, *h))
            .unwrap_or(("untyped", "Outpost metric"));
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        for row in rows {
            let labels: String = row.get("labels");
            let with = |extra: &str| -> String {
                match (labels.is_empty(), extra.is_empty()) {
                    (true, true) => String::new(),
                    (true, false) => format!("{{{extra}}}"),
                    (false, true) => format!("{{{labels}}}"),
                    (false, false) => format!("{{{labels},{extra}}}"),
                }
            };
            match row.get::<&str, _>("kind") {
                "histogram" => {
                    let counts: Vec<u64> = row
                        .get::<Option<String>, _>("buckets")
                        .and_then(|b| serde_json::from_str(&b).ok())
                        .unwrap_or_default();
                    let mut cumulative = 0u64;
                    for (i, bound) in BUCKETS.iter().enumerate() {
                        cumulative += counts.get(i).copied().unwrap_or(0);
                        let _ = writeln!(
                            out,
                            "{name}_bucket{} {cumulative}",
                            with(&format!("le=\"{bound}\""))
                        );
                    }
                    let count: i64 = row.get("count");
                    let _ = writeln!(out, "{name}_bucket{} {count}", with("le=\"+Inf\""));
                    let _ = writeln!(out, "{name}_sum{} {}", with(""), row.get::<f64, _>("sum"));
                    let _ = writeln!(out, "{name}_count{} {count}", with(""));
                }
                _ => {
                    let _ = writeln!(out, "{name}{} {}", with(""), row.get::<f64, _>("value"));
                }
            }
        }
    }
    Ok(out)
}

fn outcome_of(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "error"
    }
}

/// A vault operation finished.
pub fn vault_operation(op: &'static str, outcome: &'static str) {
    metrics::counter!("outpost_vault_operations_total", "op" => op, "outcome" => outcome)
        .increment(1);
}

/// An OAuth connect attempt ended.
pub fn oauth_attempt(platform: Platform, outcome: &'static str) {
    metrics::counter!("outpost_oauth_attempts_total", "platform" => platform.as_str(), "outcome" => outcome)
        .increment(1);
}

/// A token refresh ended.
pub fn token_refresh(platform: Platform, ok: bool) {
    metrics::counter!("outpost_token_refreshes_total", "platform" => platform.as_str(), "outcome" => outcome_of(ok))
        .increment(1);
}

/// An upload ended.
pub fn upload(platform: Platform, ok: bool, bytes: u64) {
    metrics::counter!("outpost_uploads_total", "platform" => platform.as_str(), "outcome" => outcome_of(ok))
        .increment(1);
    metrics::counter!("outpost_upload_bytes_total", "platform" => platform.as_str())
        .increment(bytes);
}

/// A publish attempt ended.
pub fn publish(platform: Platform, outcome: &'static str) {
    metrics::counter!("outpost_publishes_total", "platform" => platform.as_str(), "outcome" => outcome)
        .increment(1);
}

/// A platform event arrived (`source`: webhook or poll).
pub fn event_received(platform: Platform, source: &'static str) {
    metrics::counter!("outpost_events_received_total", "platform" => platform.as_str(), "source" => source)
        .increment(1);
}

/// A platform event was processed.
pub fn event_processed(platform: Platform, outcome: &'static str, latency: Duration) {
    metrics::counter!("outpost_events_processed_total", "platform" => platform.as_str(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!("outpost_event_processing_seconds", "platform" => platform.as_str())
        .record(latency.as_secs_f64());
}

/// A platform API call returned (`status` 0 when no response arrived).
pub fn api_call(platform: Platform, endpoint: &'static str, status: u16, latency: Duration) {
    metrics::counter!(
        "outpost_api_calls_total",
        "platform" => platform.as_str(),
        "endpoint" => endpoint,
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!("outpost_api_call_seconds", "platform" => platform.as_str(), "endpoint" => endpoint)
        .record(latency.as_secs_f64());
}

/// A background worker run ended.
pub fn worker_run(worker: &'static str, ok: bool, duration: Duration) {
    metrics::counter!("outpost_worker_runs_total", "worker" => worker, "outcome" => outcome_of(ok))
        .increment(1);
    metrics::histogram!("outpost_worker_run_seconds", "worker" => worker)
        .record(duration.as_secs_f64());
}

/// An `outpost` command ended.
pub fn cli_command(command: &'static str, ok: bool) {
    metrics::counter!("outpost_cli_commands_total", "command" => command, "outcome" => outcome_of(ok)).increment(1);
}

/// The desktop app reached a start-up milestone (`page_load`, `first_paint`) this long
/// after its process started.
pub fn app_startup(milestone: &'static str, since_start: Duration) {
    metrics::gauge!("outpost_app_startup_seconds", "milestone" => milestone)
        .set(since_start.as_secs_f64());
}

/// Current value of a counter in this process (for tests and the diagnostics page).
pub fn counter_value(name: &str, labels: &[(&str, &str)]) -> u64 {
    let Some(metrics) = INSTALLED.get() else {
        return 0;
    };
    let labels: Vec<metrics::Label> = labels
        .iter()
        .map(|(k, v)| metrics::Label::new((*k).to_owned(), (*v).to_owned()))
        .collect();
    let key = Key::from_parts(name.to_owned(), labels);
    metrics
        .registry
        .get_counter(&key)
        .map(|c: Arc<std::sync::atomic::AtomicU64>| c.load(Ordering::Relaxed))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn totals_accumulate_across_flushes_and_render_as_prometheus_text() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("m.db")).await.unwrap();
        let m = install();
        api_call(
            Platform::Tiktok,
            "video.init",
            200,
            Duration::from_millis(30),
        );
        api_call(
            Platform::Tiktok,
            "video.init",
            200,
            Duration::from_millis(300),
        );
        oauth_attempt(Platform::Reddit, "ok");
        m.flush(&db).await.unwrap();
        oauth_attempt(Platform::Reddit, "ok");
        m.flush(&db).await.unwrap();
        m.flush(&db).await.unwrap();

        let text = render_prometheus(&db).await.unwrap();
        assert!(
            text.contains("# TYPE outpost_api_call_seconds histogram"),
            "{text}"
        );
        assert!(
            text.contains(r#"outpost_oauth_attempts_total{outcome="ok",platform="reddit"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(
                r#"outpost_api_calls_total{endpoint="video.init",platform="tiktok",status="200"} 2"#
            ),
            "{text}"
        );
        assert!(text.contains(r#"outpost_api_call_seconds_bucket{endpoint="video.init",platform="tiktok",le="0.05"} 1"#), "{text}");
        assert!(text.contains(r#"outpost_api_call_seconds_bucket{endpoint="video.init",platform="tiktok",le="+Inf"} 2"#), "{text}");
        assert!(
            text.contains(
                r#"outpost_api_call_seconds_count{endpoint="video.init",platform="tiktok"} 2"#
            ),
            "{text}"
        );
        // Every catalog family is announced, recorded or not.
        for (name, _, _) in CATALOG {
            assert!(text.contains(&format!("# TYPE {name} ")), "{name}");
        }
        assert!(
            counter_value(
                "outpost_oauth_attempts_total",
                &[("platform", "reddit"), ("outcome", "ok")]
            ) >= 2
        );
    }
}
