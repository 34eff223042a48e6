//! Totals for a period against the previous period of equal length: views, reach, likes,
//! comments, shares and saves gained by the account's posts, interactions and engagement
//! rate, followers (level and gain) and posts published.
//!
//! Counters are lifetime totals, so what a period "gained" is, for each post and counter,
//! value at the period's end − value at its start (the latest snapshots before each
//! instant), summed over posts. A post with no snapshot before the start counts from 0 when
//! it was published inside the period, and otherwise from its first snapshot inside the
//! period (growth before Outpost first saw a post is not invented). Posts marked deleted
//! keep counting: their history is real. Only posts with a snapshot in either period are
//! visited; for the others both gains are 0.

use serde::Serialize;
use ts_rs::TS;

use super::{col, metric, AnalyticsError, Comparison, Period, Statement};
use crate::db::Database;

/// One counter over both periods.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MetricComparison {
    /// Canonical metric name.
    pub metric: &'static str,
    /// Gains in each period (`None` when no post of the account has a value of this counter
    /// before the end of the period: the platform does not report it).
    #[serde(flatten)]
    pub values: Comparison,
}

/// Totals of an account over a period and the previous period of equal length.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PeriodTotals {
    /// Account.
    pub account_id: i64,
    /// The period asked for.
    pub current: Period,
    /// The period of equal length just before it.
    pub previous: Period,
    /// Gains of views, reach, likes, comments, shares, saves (in that order).
    pub metrics: Vec<MetricComparison>,
    /// Gains of likes + comments + shares + saves.
    pub interactions: Comparison,
    /// Interactions gained / reach gained (or / views gained when no reach was gained).
    pub engagement_rate: Comparison,
    /// Followers at the end of each period.
    pub followers: Comparison,
    /// Followers gained during each period.
    pub followers_gained: Comparison,
    /// Posts published in each period (deleted ones left out, as in the performance table).
    pub posts: Comparison,
}

impl PeriodTotals {
    /// The comparison of one canonical counter (`None` for a name that is not one of them).
    pub fn metric(&self, name: &str) -> Option<&Comparison> {
        self.metrics
            .iter()
            .find(|m| m.metric == name)
            .map(|m| &m.values)
    }
}

/// Value of counter `metric` of post `id` just before `bound`.
fn post_value_before(id: &str, metric: &str, bound: &str) -> String {
    format!(
        "(SELECT s.value FROM insight_snapshots s \
          WHERE s.subject_kind = 'media' AND s.subject_id = {id} AND s.metric = {metric} \
            AND s.captured_at < {bound} ORDER BY s.captured_at DESC LIMIT 1)"
    )
}

/// First value of counter `metric` of post `id` at or after `bound`.
fn post_value_from(id: &str, metric: &str, bound: &str) -> String {
    format!(
        "(SELECT s.value FROM insight_snapshots s \
          WHERE s.subject_kind = 'media' AND s.subject_id = {id} AND s.metric = {metric} \
            AND s.captured_at >= {bound} ORDER BY s.captured_at ASC LIMIT 1)"
    )
}

/// Followers of account `?1` just before (`<`) or from (`>=`) `bound`.
fn followers_at(op: &str, bound: &str) -> String {
    let order = if op == "<" { "DESC" } else { "ASC" };
    format!(
        "(SELECT value FROM insight_snapshots \
          WHERE subject_kind = 'account' AND subject_id = ?1 AND metric = '{f}' \
            AND captured_at {op} {bound} ORDER BY captured_at {order} LIMIT 1)",
        f = metric::FOLLOWERS
    )
}

/// The statement behind [`period_totals`]. Parameters: `?1` account id, `?2` previous
/// period start, `?3` period start (= previous period end), `?4` period end. Rows
/// `(name, current, previous)`: one per post counter with a value before the end, then
/// `followers` (levels), `followers_gained` and `posts`.
///
/// Every (post of the account, counter) pair is a series; `series` finds its value at the
/// end (one descent in the covering `insight_subject_metric_time_value`), and only series
/// with a value go on to `points`, which adds the values before each period (two more
/// descents). The "first value" descents sit in CASE/COALESCE branches that SQLite only
/// evaluates for series without an earlier snapshot. The cost grows with the account's
/// posts, not with the length of its history or of the period.
pub fn period_totals_statement(account_id: i64, period: Period) -> Statement {
    let counters = metric::POST_METRICS
        .iter()
        .map(|m| format!("('{m}')"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "WITH counters(metric) AS (VALUES {counters}), \
         series AS MATERIALIZED ( \
             SELECT m.id AS media_id, k.metric, m.created_at, {v2} AS v2 \
             FROM media m CROSS JOIN counters k WHERE m.account_id = ?1), \
         points AS MATERIALIZED ( \
             SELECT t.media_id, t.metric, t.created_at, t.v2, {v0} AS v0, {v1} AS v1 \
             FROM series t WHERE t.v2 IS NOT NULL), \
         deltas AS ( \
             SELECT p.metric, \
                 CASE WHEN v2 IS NULL THEN 0.0 ELSE v2 - COALESCE(v1, \
                     CASE WHEN created_at >= ?3 THEN 0.0 ELSE {first1} END) END AS cur, \
                 CASE WHEN v1 IS NULL THEN 0.0 ELSE v1 - COALESCE(v0, \
                     CASE WHEN created_at >= ?2 THEN 0.0 ELSE {first0} END) END AS prev \
             FROM points p), \
         followers AS MATERIALIZED ( \
             SELECT {f0} AS f0, {f1} AS f1, {f2} AS f2, {ff0} AS ff0, {ff1} AS ff1) \
         SELECT metric AS name, TOTAL(cur) AS current, TOTAL(prev) AS previous \
             FROM deltas GROUP BY metric \
         UNION ALL SELECT 'followers', f2, f1 FROM followers \
         UNION ALL SELECT 'followers_gained', f2 - COALESCE(f1, ff1), f1 - COALESCE(f0, ff0) \
             FROM followers \
         UNION ALL SELECT 'posts', \
             (SELECT CAST(COUNT(*) AS REAL) FROM media WHERE account_id = ?1 \
                AND deleted_at IS NULL AND created_at >= ?3 AND created_at < ?4), \
             (SELECT CAST(COUNT(*) AS REAL) FROM media WHERE account_id = ?1 \
                AND deleted_at IS NULL AND created_at >= ?2 AND created_at < ?3)",
        v2 = post_value_before("m.id", "k.metric", "?4"),
        v0 = post_value_before("t.media_id", "t.metric", "?2"),
        v1 = post_value_before("t.media_id", "t.metric", "?3"),
        first0 = post_value_from("p.media_id", "p.metric", "?2"),
        first1 = post_value_from("p.media_id", "p.metric", "?3"),
        f0 = followers_at("<", "?2"),
        f1 = followers_at("<", "?3"),
        f2 = followers_at("<", "?4"),
        ff0 = followers_at(">=", "?2"),
        ff1 = followers_at(">=", "?3"),
    );
    let previous = period.previous();
    Statement {
        sql,
        params: vec![
            account_id,
            previous.start_ms(),
            period.start_ms(),
            period.end_ms(),
        ],
    }
}

/// Interactions / reach, or / views when no reach: the rate of one period's gains.
fn rate(interactions: Option<f64>, reach: Option<f64>, views: Option<f64>) -> Option<f64> {
    let interactions = interactions?;
    match (reach, views) {
        (Some(r), _) if r > 0.0 => Some(interactions / r),
        (_, Some(v)) if v > 0.0 => Some(interactions / v),
        _ => None,
    }
}

/// Totals and deltas of `period` against the previous period of equal length.
pub async fn period_totals(
    db: &Database,
    account_id: i64,
    period: Period,
) -> Result<PeriodTotals, AnalyticsError> {
    let rows = period_totals_statement(account_id, period)
        .fetch_all(db)
        .await?;
    let mut values: Vec<(String, Option<f64>, Option<f64>)> = Vec::with_capacity(rows.len());
    for row in &rows {
        values.push((
            col(row, "name")?,
            col(row, "current")?,
            col(row, "previous")?,
        ));
    }
    let get = |name: &str| {
        values
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|&(_, c, p)| (c, p))
            .unwrap_or((None, None))
    };

    let metrics: Vec<MetricComparison> = metric::POST_METRICS
        .iter()
        .map(|&m| {
            let (c, p) = get(m);
            MetricComparison {
                metric: m,
                values: Comparison::new(c, p),
            }
        })
        .collect();
    let interaction_values: Vec<(Option<f64>, Option<f64>)> = [
        metric::LIKES,
        metric::COMMENTS,
        metric::SHARES,
        metric::SAVES,
    ]
    .iter()
    .map(|m| get(m))
    .collect();
    let sum = |values: &mut dyn Iterator<Item = Option<f64>>| {
        values
            .flatten()
            .fold(None, |acc: Option<f64>, v| Some(acc.unwrap_or(0.0) + v))
    };
    let interactions = (
        sum(&mut interaction_values.iter().map(|v| v.0)),
        sum(&mut interaction_values.iter().map(|v| v.1)),
    );
    let (reach, views) = (get(metric::REACH), get(metric::VIEWS));
    let engagement = (
        rate(interactions.0, reach.0, views.0),
        rate(interactions.1, reach.1, views.1),
    );
    let followers = get("followers");
    let gained = get("followers_gained");
    let posts = get("posts");
    Ok(PeriodTotals {
        account_id,
        current: period,
        previous: period.previous(),
        metrics,
        interactions: Comparison::new(interactions.0, interactions.1),
        engagement_rate: Comparison::new(engagement.0, engagement.1),
        followers: Comparison::new(followers.0, followers.1),
        followers_gained: Comparison::new(gained.0, gained.1),
        posts: Comparison::new(posts.0, posts.1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::fixture::{at, Fixture};

    fn day(d: i64) -> i64 {
        at(d, 0)
    }

    #[tokio::test]
    async fn gains_of_both_periods_computed_by_hand() {
        let f = Fixture::new().await;
        let a = f.account("instagram", "a").await;
        let b = f.account("instagram", "b").await;
        // Previous period: days 0..10; current: days 10..20.
        let period = Period::new(day(10), day(20)).unwrap();

        for (value, d) in [
            (100.0, -5),
            (150.0, 5),
            (160.0, 9),
            (200.0, 15),
            (999.0, 25),
        ] {
            f.followers(a, value, day(d)).await;
        }
        // m1, old: views 1000 → 1500 (previous +500) → 1800 (current +300); likes +6.
        let m1 = f.post(a, "m1", Some(day(-30))).await;
        for (value, d) in [
            (1000.0, -2),
            (1300.0, 4),
            (1500.0, 8),
            (1600.0, 12),
            (1800.0, 19),
            (5000.0, 21),
        ] {
            f.snap(a, "media", m1, "views", value, day(d)).await;
        }
        f.snap(a, "media", m1, "likes", 10.0, day(-2)).await;
        f.snap(a, "media", m1, "likes", 16.0, day(12)).await;
        // m2, published in the previous period: views from 0 (+200), then +60; its likes are
        // first seen in the current period, so they count from that first value (+0).
        let m2 = f.post(a, "m2", Some(day(3))).await;
        f.snap(a, "media", m2, "views", 200.0, day(4)).await;
        f.snap(a, "media", m2, "views", 260.0, day(15)).await;
        f.snap(a, "media", m2, "likes", 30.0, day(11)).await;
        // m3, published in the current period: views from 0 (+700), reach from 0 (+350).
        let m3 = f.post(a, "m3", Some(day(12))).await;
        f.snap(a, "media", m3, "views", 400.0, day(13)).await;
        f.snap(a, "media", m3, "views", 700.0, day(18)).await;
        f.snap(a, "media", m3, "reach", 350.0, day(18)).await;
        // m4, old but first seen on day 14 at 9000: only the +100 after that counts.
        let m4 = f.post(a, "m4", Some(day(-100))).await;
        f.snap(a, "media", m4, "views", 9000.0, day(14)).await;
        f.snap(a, "media", m4, "views", 9100.0, day(16)).await;
        // m5, deleted on day 17: its +30 still counts.
        let m5 = f.post(a, "m5", Some(day(-10))).await;
        f.snap(a, "media", m5, "views", 50.0, day(-1)).await;
        f.snap(a, "media", m5, "views", 80.0, day(16)).await;
        f.delete(m5, day(17)).await;
        // m6, no snapshot in either period: contributes nothing.
        let m6 = f.post(a, "m6", Some(day(-50))).await;
        f.snap(a, "media", m6, "views", 777.0, day(-20)).await;
        // Published in the current period: m7 deleted (not counted), m8 without snapshots.
        let m7 = f.post(a, "m7", Some(day(11))).await;
        f.delete(m7, day(13)).await;
        f.post(a, "m8", Some(day(19))).await;
        // Noise: another account's post, and an account-level "views" series.
        let theirs = f.post(b, "theirs", Some(day(12))).await;
        f.snap(b, "media", theirs, "views", 12345.0, day(13)).await;
        f.snap(a, "account", a, "views", 55555.0, day(13)).await;

        let t = period_totals(&f.db, a, period).await.unwrap();
        assert_eq!(t.previous, Period::new(day(0), day(10)).unwrap());
        let views = t.metric("views").unwrap();
        // Current: 300 + 60 + 700 + 100 + 30; previous: 500 + 200.
        assert_eq!((views.current, views.previous), (Some(1190.0), Some(700.0)));
        assert_eq!(views.delta, Some(490.0));
        assert_eq!(views.change_pct, Some(70.0));
        let likes = t.metric("likes").unwrap();
        assert_eq!(
            (likes.current, likes.previous, likes.change_pct),
            (Some(6.0), Some(0.0), None)
        );
        let reach = t.metric("reach").unwrap();
        assert_eq!((reach.current, reach.previous), (Some(350.0), Some(0.0)));
        for m in ["comments", "shares", "saves"] {
            let c = t.metric(m).unwrap();
            assert_eq!((c.current, c.previous), (None, None), "{m}");
        }
        assert_eq!(
            t.metrics.iter().map(|m| m.metric).collect::<Vec<_>>(),
            metric::POST_METRICS.to_vec()
        );
        assert_eq!(
            (t.interactions.current, t.interactions.previous),
            (Some(6.0), Some(0.0))
        );
        // Current rate over reach (6 / 350); previous has no reach gained, so over views.
        assert_eq!(t.engagement_rate.current, Some(6.0 / 350.0));
        assert_eq!(t.engagement_rate.previous, Some(0.0));
        // Followers: 200 at the end, 160 at the end of the previous period (100 before it).
        assert_eq!(
            (t.followers.current, t.followers.previous),
            (Some(200.0), Some(160.0))
        );
        assert_eq!(t.followers.change_pct, Some(25.0));
        assert_eq!(
            (t.followers_gained.current, t.followers_gained.previous),
            (Some(40.0), Some(60.0))
        );
        // m3 and m8 now (m7 deleted), m2 before.
        assert_eq!((t.posts.current, t.posts.previous), (Some(2.0), Some(1.0)));
    }

    #[tokio::test]
    async fn followers_first_seen_inside_a_period_count_from_there() {
        let f = Fixture::new().await;
        let a = f.account("tiktok", "a").await;
        f.followers(a, 40.0, day(12)).await;
        f.followers(a, 55.0, day(18)).await;
        let t = period_totals(&f.db, a, Period::new(day(10), day(20)).unwrap())
            .await
            .unwrap();
        assert_eq!(t.followers.current, Some(55.0));
        assert_eq!(t.followers.previous, None);
        assert_eq!(t.followers_gained.current, Some(15.0));
        assert_eq!(t.followers_gained.previous, None);
        assert_eq!(t.followers_gained.delta, None);
    }

    #[tokio::test]
    async fn an_account_without_history_has_no_values_and_no_posts() {
        let f = Fixture::new().await;
        let a = f.account("reddit", "a").await;
        let t = period_totals(&f.db, a, Period::new(day(10), day(20)).unwrap())
            .await
            .unwrap();
        assert!(t.metrics.iter().all(|m| m.values.current.is_none()));
        assert_eq!(
            (t.interactions.current, t.engagement_rate.current),
            (None, None)
        );
        assert_eq!(
            (t.followers.current, t.followers_gained.current),
            (None, None)
        );
        assert_eq!((t.posts.current, t.posts.previous), (Some(0.0), Some(0.0)));
        assert_eq!(t.posts.delta, Some(0.0));
    }

    #[tokio::test]
    async fn a_counter_that_did_not_move_gained_zero_and_an_absent_one_is_unknown() {
        let f = Fixture::new().await;
        let a = f.account("tiktok", "a").await;
        let old = f.post(a, "old", Some(day(-40))).await;
        f.snap(a, "media", old, "views", 500.0, day(-30)).await;
        let t = period_totals(&f.db, a, Period::new(day(10), day(20)).unwrap())
            .await
            .unwrap();
        let views = t.metric("views").unwrap();
        assert_eq!((views.current, views.previous), (Some(0.0), Some(0.0)));
        assert_eq!(t.metric("reach").unwrap().current, None);
        assert_eq!(t.engagement_rate.current, None);
    }

    #[test]
    fn rate_prefers_reach_then_views() {
        assert_eq!(rate(Some(5.0), Some(50.0), Some(500.0)), Some(0.1));
        assert_eq!(rate(Some(5.0), Some(0.0), Some(500.0)), Some(0.01));
        assert_eq!(rate(Some(5.0), None, None), None);
        assert_eq!(rate(None, Some(50.0), None), None);
    }
}
