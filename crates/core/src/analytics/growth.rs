//! Follower growth per day: the last `followers` snapshot of each local day of a period and
//! the change since the previous known value.
//!
//! Days without a snapshot are listed with no value and no delta (nothing is invented); the
//! next day that has one carries the whole change since the last known value, and
//! `delta_days` says how many days that change spans (1 for consecutive days), so a chart
//! can draw the gap as a gap and a table can say "+30 over 3 days". The first day's delta is
//! measured from the last snapshot before the period (the baseline) when there is one.

use chrono::NaiveDate;
use serde::Serialize;
use ts_rs::TS;

use super::{
    check_local_times, col, day_to_date, local_day, metric, AnalyticsError, Period, Statement,
    UtcOffset, DAY_MS,
};
use crate::db::Database;

/// Longest period the daily series accepts, in days (a bit over 20 years).
const MAX_DAYS: i64 = 7_500;

/// Follower growth of one account over a period.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FollowerGrowth {
    /// Account.
    pub account_id: i64,
    /// The period.
    pub period: Period,
    /// Offset the days are cut at, minutes east of UTC.
    pub utc_offset_minutes: i32,
    /// Followers at the start of the period: the last snapshot before it, if any.
    pub baseline: Option<f64>,
    /// Followers at the end of the period: the last snapshot in it, if any.
    pub last: Option<f64>,
    /// Change over the period: `last - baseline`, or, without a baseline, `last - ` the
    /// value of the first day with data; `None` without data in the period.
    pub net_change: Option<f64>,
    /// Every local day the period touches, in order.
    pub days: Vec<FollowerDay>,
}

/// One local day of follower growth.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FollowerDay {
    /// Local calendar date.
    pub date: NaiveDate,
    /// Last followers value captured that day (`None`: no snapshot that day).
    pub followers: Option<f64>,
    /// When that value was captured, unix ms.
    pub captured_at: Option<i64>,
    /// Change since the previous known value (`None` on days without data, and on the first
    /// known value when nothing precedes it).
    pub delta: Option<f64>,
    /// Number of days `delta` spans: 1 when the previous known value is from the day
    /// before, more across a gap.
    pub delta_days: Option<u32>,
}

/// The statement behind [`follower_growth`]. Parameters: `?1` account id, `?2` period
/// start, `?3` period end, `?4` UTC offset in ms. Rows: `day` (local day number; NULL for the
/// baseline row, which comes first), `value`, `captured_at`; ordered by day.
///
/// One row per day comes from SQLite's documented "bare column" rule: with `MAX()` as the
/// only aggregate, the other columns are taken from the row holding the maximum.
pub fn follower_growth_statement(account_id: i64, period: Period, offset: UtcOffset) -> Statement {
    let sql = format!(
        "SELECT NULL AS day, value, captured_at FROM ( \
             SELECT value, captured_at FROM insight_snapshots \
             WHERE subject_kind = 'account' AND subject_id = ?1 AND metric = '{f}' \
               AND captured_at < ?2 \
             ORDER BY captured_at DESC LIMIT 1) \
         UNION ALL \
         SELECT day, value, captured_at FROM ( \
             SELECT (captured_at + ?4) / {DAY_MS} AS day, value, MAX(captured_at) AS captured_at \
             FROM insight_snapshots \
             WHERE subject_kind = 'account' AND subject_id = ?1 AND metric = '{f}' \
               AND captured_at >= ?2 AND captured_at < ?3 \
             GROUP BY day) \
         ORDER BY day",
        f = metric::FOLLOWERS,
    );
    Statement {
        sql,
        params: vec![
            account_id,
            period.start_ms(),
            period.end_ms(),
            offset.as_millis(),
        ],
    }
}

/// Followers per local day of `period` for an account, with day-over-day deltas (see the
/// module documentation for days without data).
pub async fn follower_growth(
    db: &Database,
    account_id: i64,
    period: Period,
    offset: UtcOffset,
) -> Result<FollowerGrowth, AnalyticsError> {
    check_local_times(period, offset)?;
    let first_day = local_day(period.start_ms(), offset);
    let last_day = local_day(period.end_ms() - 1, offset);
    if last_day - first_day + 1 > MAX_DAYS {
        return Err(AnalyticsError::InvalidPeriod(format!(
            "a daily series covers at most {MAX_DAYS} days; this period covers {}",
            last_day - first_day + 1
        )));
    }
    let rows = follower_growth_statement(account_id, period, offset)
        .fetch_all(db)
        .await?;

    let mut baseline = None;
    let mut observed: Vec<(i64, f64, i64)> = Vec::with_capacity(rows.len());
    for row in &rows {
        let day: Option<i64> = col(row, "day")?;
        let value: f64 = col(row, "value")?;
        let captured_at: i64 = col(row, "captured_at")?;
        match day {
            None => baseline = Some((local_day(captured_at, offset), value)),
            Some(day) => observed.push((day, value, captured_at)),
        }
    }

    let mut days = Vec::with_capacity((last_day - first_day + 1) as usize);
    let mut previous = baseline;
    let mut next = observed.iter().peekable();
    for day in first_day..=last_day {
        let mut entry = FollowerDay {
            date: day_to_date(day),
            followers: None,
            captured_at: None,
            delta: None,
            delta_days: None,
        };
        if let Some(&(_, value, captured_at)) = next.next_if(|(d, _, _)| *d == day) {
            entry.followers = Some(value);
            entry.captured_at = Some(captured_at);
            if let Some((prev_day, prev_value)) = previous {
                entry.delta = Some(value - prev_value);
                entry.delta_days = Some(u32::try_from(day - prev_day).unwrap_or(u32::MAX));
            }
            previous = Some((day, value));
        }
        days.push(entry);
    }

    let last = observed.last().map(|&(_, v, _)| v);
    let start_value = baseline
        .map(|(_, v)| v)
        .or_else(|| observed.first().map(|&(_, v, _)| v));
    let net_change = match (last, start_value) {
        (Some(l), Some(s)) => Some(l - s),
        _ => None,
    };
    Ok(FollowerGrowth {
        account_id,
        period,
        utc_offset_minutes: offset.as_minutes(),
        baseline: baseline.map(|(_, v)| v),
        last,
        net_change,
        days,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::fixture::{at, Fixture};

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, d).unwrap()
    }

    #[tokio::test]
    async fn last_snapshot_per_day_with_deltas_gaps_and_baseline() {
        let f = Fixture::new().await;
        let a = f.account("instagram", "a").await;
        let other = f.account("tiktok", "b").await;
        // Before the period: the baseline is the later of these two.
        f.followers(a, 90.0, at(-3, 10)).await;
        f.followers(a, 95.0, at(-1, 23)).await;
        // Day 0 (Jan 5): two snapshots, the last one (110 at 18:00) counts.
        f.followers(a, 100.0, at(0, 6)).await;
        f.followers(a, 110.0, at(0, 18)).await;
        // Day 1 (Jan 6): 108 (a loss of 2).
        f.followers(a, 108.0, at(1, 12)).await;
        // Days 2 and 3: nothing. Day 4 (Jan 9): 130, +22 over 3 days.
        f.followers(a, 130.0, at(4, 1)).await;
        // After the period: ignored.
        f.followers(a, 999.0, at(5, 0)).await;
        // Another account and another metric: ignored.
        f.followers(other, 5_000.0, at(0, 12)).await;
        f.snap(a, "account", a, "following", 7.0, at(2, 12)).await;

        let period = Period::new(at(0, 0), at(5, 0)).unwrap();
        let g = follower_growth(&f.db, a, period, UtcOffset::UTC)
            .await
            .unwrap();
        assert_eq!(g.baseline, Some(95.0));
        assert_eq!(g.last, Some(130.0));
        assert_eq!(g.net_change, Some(35.0));
        let got: Vec<_> = g
            .days
            .iter()
            .map(|d| (d.date, d.followers, d.delta, d.delta_days))
            .collect();
        assert_eq!(
            got,
            vec![
                (date(5), Some(110.0), Some(15.0), Some(1)),
                (date(6), Some(108.0), Some(-2.0), Some(1)),
                (date(7), None, None, None),
                (date(8), None, None, None),
                (date(9), Some(130.0), Some(22.0), Some(3)),
            ]
        );
        assert_eq!(g.days[0].captured_at, Some(at(0, 18)));
    }

    #[tokio::test]
    async fn days_follow_the_utc_offset() {
        let f = Fixture::new().await;
        let a = f.account("instagram", "a").await;
        // At UTC-05:00, Jan 6 03:00Z is still Jan 5 (22:00 local), Jan 6 06:00Z is Jan 6.
        f.followers(a, 10.0, at(0, 12)).await; // Jan 5 07:00 local
        f.followers(a, 12.0, at(1, 3)).await; // Jan 5 22:00 local: last of Jan 5
        f.followers(a, 20.0, at(1, 6)).await; // Jan 6 01:00 local
        let offset = UtcOffset::minutes(-300).unwrap();
        let period = Period::local_days(date(5), date(6), offset).unwrap();
        let g = follower_growth(&f.db, a, period, offset).await.unwrap();
        let got: Vec<_> = g
            .days
            .iter()
            .map(|d| (d.date, d.followers, d.delta))
            .collect();
        assert_eq!(
            got,
            vec![
                (date(5), Some(12.0), None),
                (date(6), Some(20.0), Some(8.0))
            ]
        );
        // Without a baseline the net change is measured from the first day's value (12).
        assert_eq!(g.baseline, None);
        assert_eq!(g.net_change, Some(8.0));

        // The same data cut at UTC puts 12 and 20 on Jan 6 (20 is the last).
        let utc = Period::local_days(date(5), date(6), UtcOffset::UTC).unwrap();
        let g = follower_growth(&f.db, a, utc, UtcOffset::UTC)
            .await
            .unwrap();
        let got: Vec<_> = g.days.iter().map(|d| (d.followers, d.delta)).collect();
        assert_eq!(got, vec![(Some(10.0), None), (Some(20.0), Some(10.0))]);
    }

    #[tokio::test]
    async fn an_account_without_snapshots_has_empty_days() {
        let f = Fixture::new().await;
        let a = f.account("reddit", "a").await;
        let period = Period::new(at(0, 0), at(3, 0)).unwrap();
        let g = follower_growth(&f.db, a, period, UtcOffset::UTC)
            .await
            .unwrap();
        assert_eq!(g.days.len(), 3);
        assert!(g
            .days
            .iter()
            .all(|d| d.followers.is_none() && d.delta.is_none()));
        assert_eq!((g.baseline, g.last, g.net_change), (None, None, None));
    }

    #[tokio::test]
    async fn a_partial_last_day_is_listed_and_overlong_periods_are_refused() {
        let f = Fixture::new().await;
        let a = f.account("tiktok", "a").await;
        f.followers(a, 1.0, at(1, 5)).await;
        // From Jan 5 00:00 to Jan 6 06:00: two days, the second partial.
        let period = Period::new(at(0, 0), at(1, 6)).unwrap();
        let g = follower_growth(&f.db, a, period, UtcOffset::UTC)
            .await
            .unwrap();
        assert_eq!(g.days.len(), 2);
        assert_eq!(g.days[1].followers, Some(1.0));

        let huge = Period::new(0, 8_000 * DAY_MS).unwrap();
        let err = follower_growth(&f.db, a, huge, UtcOffset::UTC)
            .await
            .unwrap_err();
        assert!(matches!(err, AnalyticsError::InvalidPeriod(_)), "{err}");
        let early = Period::new(0, DAY_MS).unwrap();
        let err = follower_growth(&f.db, a, early, UtcOffset::minutes(-60).unwrap())
            .await
            .unwrap_err();
        assert!(matches!(err, AnalyticsError::InvalidPeriod(_)), "{err}");
    }
}
