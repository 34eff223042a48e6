-- Covering index for the analytics queries (crates/core/src/analytics, docs/analytics.md).
--
-- insight_subject_metric_time had exactly the columns of the UNIQUE (subject_kind, subject_id,
-- metric, captured_at) constraint's automatic index, so it only cost writes. It becomes a
-- covering index that also holds the value: "the value of a series just before T" is then one
-- index descent with no table lookup. The performance table, top posts, engagement and best
-- times do six per post; period totals three per post and counter.
DROP INDEX IF EXISTS insight_subject_metric_time;
CREATE INDEX insight_subject_metric_time_value
    ON insight_snapshots (subject_kind, subject_id, metric, captured_at, value);
