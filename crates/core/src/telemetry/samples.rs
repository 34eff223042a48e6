//! The metrics as data for a screen: the Prometheus text exposition that
//! [`super::metrics::render_prometheus`] writes, read back into one [`MetricSample`] per
//! counter or gauge series and per histogram series (its count and sum; buckets left out).

use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;

use super::metrics;
use crate::db::{Database, DbError};

/// The kind of a metric series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum MetricKind {
    /// A counter.
    Counter,
    /// A gauge (a value set, not added to: e.g. the app's start-up time).
    Gauge,
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
    /// Counter, gauge or histogram.
    pub kind: MetricKind,
    /// Counter or gauge value, or the histogram's count.
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

/// Every series of the database's metric totals (this process's counts flushed first; a
/// failed flush only leaves them out until the next one).
pub async fn current(db: &Database) -> Result<Vec<MetricSample>, DbError> {
    if let Err(e) = metrics::install().flush(db).await {
        tracing::warn!(error = %e, "could not save this process's metrics");
    }
    Ok(parse_prometheus(&metrics::render_prometheus(db).await?))
}

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

/// Counters, gauges and histograms from the Prometheus text format.
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
        let kind = if kinds.get(name) == Some(&"gauge") {
            MetricKind::Gauge
        } else {
            MetricKind::Counter
        };
        out.push(MetricSample {
            name: name.to_owned(),
            labels,
            kind,
            value,
            sum: None,
            count: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauges_keep_their_kind() {
        let text = "# TYPE outpost_app_startup_seconds gauge\n\
outpost_app_startup_seconds{milestone=\"first_paint\"} 0.43\n";
        let m = parse_prometheus(text);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].kind, MetricKind::Gauge);
        assert_eq!(m[0].value, 0.43);
        assert_eq!(m[0].labels["milestone"], "first_paint");
    }

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
    fn escaped_label_values_and_unlabelled_series() {
        let text = "# TYPE outpost_x counter\noutpost_x 3\n\
# TYPE outpost_y counter\noutpost_y{reason=\"a \\\"quoted\\\" b\\nc\",k=\"v\"} 1\n";
        let m = parse_prometheus(text);
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m[0].labels.is_empty());
        assert_eq!(m[0].value, 3.0);
        assert_eq!(m[1].labels["reason"], "a \"quoted\" b\nc");
        assert_eq!(m[1].labels["k"], "v");
    }

    #[tokio::test]
    async fn the_stored_totals_read_back_as_samples() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("m.db")).await.unwrap();
        // Written as another process's flush would (this process's registry is shared by
        // every test, so it is not used here).
        sqlx::query(
            "INSERT INTO metric_totals (name, labels, kind, value, sum, count, buckets, updated_at) VALUES \
             ('outpost_cli_commands_total', 'command=\"status\",outcome=\"ok\"', 'counter', 3, 0, 0, NULL, 0), \
             ('outpost_api_call_seconds', 'endpoint=\"video.init\",platform=\"tiktok\",status=\"200\"', 'histogram', 0, 0.5, 2, '[1,1]', 0)",
        )
        .execute(db.pool())
        .await
        .unwrap();
        let samples = current(&db).await.unwrap();
        let cli = samples
            .iter()
            .find(|s| s.name == "outpost_cli_commands_total" && s.labels["command"] == "status")
            .unwrap_or_else(|| panic!("{samples:?}"));
        assert_eq!((cli.kind, cli.value), (MetricKind::Counter, 3.0));
        let api = samples
            .iter()
            .find(|s| s.name == "outpost_api_call_seconds")
            .unwrap_or_else(|| panic!("{samples:?}"));
        assert_eq!(api.kind, MetricKind::Histogram);
        assert_eq!((api.count, api.sum, api.value), (Some(2.0), Some(0.5), 2.0));
    }
}
