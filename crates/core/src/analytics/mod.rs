//! Analytics queries over the local insight history (issue 6): follower growth, per-post
//! performance, totals and deltas, engagement, best time to post, top posts. Read-only SQL
//! over `insight_snapshots`, `media` and `accounts`.
//!
//! Exports as CSV are in [`csv`].
//!
//! This module owns the analytics vocabulary ([`Period`], [`UtcOffset`], the canonical
//! [`metric`] names, [`Comparison`]), its error type ([`AnalyticsError`]) and one submodule
//! per query family. Every query is a single SQL statement that a `*_statement` function
//! builds as a [`Statement`] (text and parameters), so that the benchmark
//! (`examples/analytics_bench.rs`) can run exactly the same SQL through the `sqlite3` tool.
//! Nothing user-supplied is ever spliced into SQL: values are bound parameters and the only
//! variable SQL fragments (sort column and direction) come from closed enums.
//!
//! Conventions shared by all queries (see docs/analytics.md):
//! - a metric's value at a time is its latest snapshot captured before that time (counters
//!   are lifetime totals as the platform reports them);
//! - a post belongs to a period when `media.created_at` falls in it; posts marked deleted
//!   (`media.deleted_at` set) are left out of per-post results, their history is kept;
//! - engagement rate = (likes + comments + shares + saves) / reach, or / views when reach is
//!   missing or zero; missing interaction counters count as 0 unless all four are missing.

pub mod csv;
pub mod growth;
pub mod posts;
pub mod timing;
pub mod totals;

#[cfg(test)]
mod fixture;

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use ts_rs::TS;

use crate::db::{Database, DbError};
use crate::error::UserFacing;

pub use growth::{follower_growth, follower_growth_statement, FollowerDay, FollowerGrowth};
pub use posts::{
    account_engagement, account_engagement_statement, post_performance, post_performance_statement,
    top_posts, top_posts_statement, AccountEngagement, PostColumn, PostRow, PostSort, RateBasis,
    SortDirection,
};
pub use timing::{
    best_times, best_times_statement, BestTimes, BucketStats, HourBucket, SlotBucket,
    WeekdayBucket, DEFAULT_MIN_POSTS,
};
pub use totals::{period_totals, period_totals_statement, MetricComparison, PeriodTotals};

/// Canonical metric names, as stored in `insight_snapshots.metric` by the sync.
pub mod metric {
    /// Views / plays of a post.
    pub const VIEWS: &str = "views";
    /// Accounts reached by a post (Instagram).
    pub const REACH: &str = "reach";
    /// Likes of a post.
    pub const LIKES: &str = "likes";
    /// Comments on a post.
    pub const COMMENTS: &str = "comments";
    /// Shares of a post.
    pub const SHARES: &str = "shares";
    /// Saves of a post.
    pub const SAVES: &str = "saves";
    /// Followers of an account (an account-level metric).
    pub const FOLLOWERS: &str = "followers";

    /// The per-post counters the analytics read, in display order.
    pub const POST_METRICS: [&str; 6] = [VIEWS, REACH, LIKES, COMMENTS, SHARES, SAVES];
}

/// Milliseconds in a day.
pub(crate) const DAY_MS: i64 = 86_400_000;
/// Milliseconds in an hour.
pub(crate) const HOUR_MS: i64 = 3_600_000;
/// Latest timestamp a period may reach: 9999-12-31T23:59:59.999Z.
const MAX_MS: i64 = 253_402_300_799_999;

/// Errors from the analytics queries.
#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    /// A period that ends before it starts, or lies outside the supported years.
    #[error("invalid period: {0}")]
    InvalidPeriod(String),
    /// A UTC offset beyond ±14 hours.
    #[error("invalid UTC offset {0} minutes: it must be between -840 and +840 (±14 hours)")]
    InvalidOffset(i32),
    /// A count that must be positive (e.g. the N of top N).
    #[error("invalid {what}: {value} (expected {expected})")]
    InvalidLimit {
        /// Which parameter.
        what: &'static str,
        /// What was given.
        value: u32,
        /// What is accepted.
        expected: &'static str,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl UserFacing for AnalyticsError {
    fn code(&self) -> &'static str {
        match self {
            AnalyticsError::InvalidPeriod(_) => "analytics.invalid_period",
            AnalyticsError::InvalidOffset(_) => "analytics.invalid_offset",
            AnalyticsError::InvalidLimit { .. } => "analytics.invalid_limit",
            AnalyticsError::Db(e) => e.code(),
        }
    }
}

impl From<sqlx::Error> for AnalyticsError {
    fn from(e: sqlx::Error) -> Self {
        AnalyticsError::Db(DbError::from(e))
    }
}

/// A half-open time range `[start, end)` in unix milliseconds (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct Period {
    start_ms: i64,
    end_ms: i64,
}

impl Period {
    /// The range `[start_ms, end_ms)`; refused unless `0 <= start_ms < end_ms` and the end is
    /// before the year 10000.
    pub fn new(start_ms: i64, end_ms: i64) -> Result<Period, AnalyticsError> {
        if start_ms < 0 {
            return Err(AnalyticsError::InvalidPeriod(format!(
                "it starts before 1970 ({start_ms} ms)"
            )));
        }
        if end_ms <= start_ms {
            return Err(AnalyticsError::InvalidPeriod(format!(
                "it must end after it starts (start {start_ms} ms, end {end_ms} ms)"
            )));
        }
        if end_ms > MAX_MS + 1 {
            return Err(AnalyticsError::InvalidPeriod(format!(
                "it ends after the year 9999 ({end_ms} ms)"
            )));
        }
        Ok(Period { start_ms, end_ms })
    }

    /// Whole local days from `first` to `last` (both included), midnight to midnight at
    /// `offset`.
    pub fn local_days(
        first: NaiveDate,
        last: NaiveDate,
        offset: UtcOffset,
    ) -> Result<Period, AnalyticsError> {
        if last < first {
            return Err(AnalyticsError::InvalidPeriod(format!(
                "the last day {last} is before the first day {first}"
            )));
        }
        let midnight = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .expect("midnight exists")
                .and_utc()
                .timestamp_millis()
                - offset.as_millis()
        };
        Period::new(midnight(first), midnight(last) + DAY_MS)
    }

    /// The `days` × 24 hours that end at `end_ms` (a rolling window, e.g. "last 7 days").
    pub fn trailing_days(end_ms: i64, days: u32) -> Result<Period, AnalyticsError> {
        if days == 0 {
            return Err(AnalyticsError::InvalidLimit {
                what: "number of days",
                value: days,
                expected: "at least 1",
            });
        }
        Period::new(end_ms - i64::from(days) * DAY_MS, end_ms)
    }

    /// Start, unix ms (included).
    pub fn start_ms(&self) -> i64 {
        self.start_ms
    }

    /// End, unix ms (excluded).
    pub fn end_ms(&self) -> i64 {
        self.end_ms
    }

    /// Length in milliseconds.
    pub fn len_ms(&self) -> i64 {
        self.end_ms - self.start_ms
    }

    /// The period of equal length that ends where this one starts. It may start before
    /// 1970 (only [`totals`] uses it, and a range before any data is simply empty).
    pub fn previous(&self) -> Period {
        Period {
            start_ms: self.start_ms - self.len_ms(),
            end_ms: self.start_ms,
        }
    }
}

/// A fixed offset from UTC, in minutes (e.g. +60 for Paris in winter, -300 for New York),
/// used to cut days and hours the way the creator lives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct UtcOffset(i32);

impl UtcOffset {
    /// UTC itself.
    pub const UTC: UtcOffset = UtcOffset(0);

    /// An offset of `minutes` east of UTC; refused beyond ±14 hours.
    pub fn minutes(minutes: i32) -> Result<UtcOffset, AnalyticsError> {
        if !(-14 * 60..=14 * 60).contains(&minutes) {
            return Err(AnalyticsError::InvalidOffset(minutes));
        }
        Ok(UtcOffset(minutes))
    }

    /// Minutes east of UTC.
    pub fn as_minutes(self) -> i32 {
        self.0
    }

    /// Milliseconds east of UTC.
    pub fn as_millis(self) -> i64 {
        i64::from(self.0) * 60_000
    }
}

/// One SQL statement with its parameters (bound in order as `?1`, `?2`, …), exactly as a
/// query function runs it. Exposed for the benchmark and for `EXPLAIN QUERY PLAN`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// The SQL text.
    pub sql: String,
    /// Integer parameters, `params[0]` bound to `?1`.
    pub params: Vec<i64>,
}

impl Statement {
    /// Run the statement and collect its rows.
    pub(crate) async fn fetch_all(&self, db: &Database) -> Result<Vec<SqliteRow>, AnalyticsError> {
        let mut query = sqlx::query(&self.sql);
        for p in &self.params {
            query = query.bind(*p);
        }
        Ok(query.fetch_all(db.pool()).await?)
    }
}

/// A value this period and the previous one, with the change between them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
pub struct Comparison {
    /// Value over the current period (`None`: no data).
    pub current: Option<f64>,
    /// Value over the previous period of equal length (`None`: no data).
    pub previous: Option<f64>,
    /// `current - previous`, when both are known.
    pub delta: Option<f64>,
    /// `delta / |previous| × 100`, when both are known and `previous` is not 0.
    pub change_pct: Option<f64>,
}

impl Comparison {
    /// Compare two values.
    pub fn new(current: Option<f64>, previous: Option<f64>) -> Comparison {
        let delta = match (current, previous) {
            (Some(c), Some(p)) => Some(c - p),
            _ => None,
        };
        let change_pct = match (delta, previous) {
            (Some(d), Some(p)) if p != 0.0 => Some(d / p.abs() * 100.0),
            _ => None,
        };
        Comparison {
            current,
            previous,
            delta,
            change_pct,
        }
    }
}

/// The local day number (days since 1970-01-01 at `offset`) of a timestamp.
pub(crate) fn local_day(ms: i64, offset: UtcOffset) -> i64 {
    (ms + offset.as_millis()).div_euclid(DAY_MS)
}

/// The calendar date of a local day number.
pub(crate) fn day_to_date(day: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch") + chrono::Days::new(day as u64)
}

/// Refuse a period/offset pair that would put local times before 1970 (the SQL cuts days
/// and hours with integer division, which is only a floor for non-negative numbers).
pub(crate) fn check_local_times(period: Period, offset: UtcOffset) -> Result<(), AnalyticsError> {
    if period.start_ms + offset.as_millis() < 0 {
        return Err(AnalyticsError::InvalidPeriod(format!(
            "with a UTC offset of {} minutes it starts before 1970",
            offset.as_minutes()
        )));
    }
    Ok(())
}

/// Read a column, turning a decoding failure into a database error that names the column.
pub(crate) fn col<'r, T>(row: &'r SqliteRow, name: &str) -> Result<T, AnalyticsError>
where
    T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    use sqlx::Row;
    row.try_get(name)
        .map_err(|e| AnalyticsError::Db(DbError::Sql(format!("analytics column {name}: {e}"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_is_validated_and_previous_has_equal_length() {
        assert!(matches!(
            Period::new(10, 10),
            Err(AnalyticsError::InvalidPeriod(_))
        ));
        assert!(matches!(
            Period::new(-1, 10),
            Err(AnalyticsError::InvalidPeriod(_))
        ));
        assert!(Period::new(0, MAX_MS + 2).is_err());
        let p = Period::new(1_000, 1_600).unwrap();
        assert_eq!(
            p.previous(),
            Period {
                start_ms: 400,
                end_ms: 1_000
            }
        );
        assert_eq!(p.len_ms(), 600);
        let t = Period::trailing_days(10 * DAY_MS, 7).unwrap();
        assert_eq!((t.start_ms(), t.end_ms()), (3 * DAY_MS, 10 * DAY_MS));
        assert!(Period::trailing_days(10 * DAY_MS, 0).is_err());
    }

    #[test]
    fn local_days_run_from_local_midnight_to_local_midnight() {
        // 2026-03-02 and 2026-03-03 at UTC+02:00: from 2026-03-01T22:00Z to 2026-03-03T22:00Z.
        let first = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let last = NaiveDate::from_ymd_opt(2026, 3, 3).unwrap();
        let p = Period::local_days(first, last, UtcOffset::minutes(120).unwrap()).unwrap();
        let start = NaiveDate::from_ymd_opt(2026, 3, 1)
            .unwrap()
            .and_hms_opt(22, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        assert_eq!(p.start_ms(), start);
        assert_eq!(p.len_ms(), 2 * DAY_MS);
        assert!(Period::local_days(last, first, UtcOffset::UTC).is_err());
    }

    #[test]
    fn offsets_beyond_fourteen_hours_are_refused() {
        assert!(UtcOffset::minutes(840).is_ok());
        assert!(UtcOffset::minutes(-840).is_ok());
        let err = UtcOffset::minutes(841).unwrap_err();
        assert_eq!(err.code(), "analytics.invalid_offset");
        assert!(UtcOffset::minutes(-900).is_err());
        assert_eq!(UtcOffset::minutes(-90).unwrap().as_millis(), -5_400_000);
    }

    #[test]
    fn local_day_floors_and_converts_to_the_calendar_date() {
        let offset = UtcOffset::minutes(-60).unwrap();
        // 1970-01-02T00:30Z is still 1970-01-01 at UTC-01:00.
        assert_eq!(local_day(DAY_MS + 30 * 60_000, offset), 0);
        assert_eq!(local_day(DAY_MS + 90 * 60_000, offset), 1);
        assert_eq!(
            day_to_date(20_417),
            NaiveDate::from_ymd_opt(2025, 11, 25).unwrap()
        );
    }

    #[test]
    fn comparison_computes_delta_and_percentage_only_when_defined() {
        let c = Comparison::new(Some(150.0), Some(100.0));
        assert_eq!(c.delta, Some(50.0));
        assert_eq!(c.change_pct, Some(50.0));
        let z = Comparison::new(Some(5.0), Some(0.0));
        assert_eq!(z.delta, Some(5.0));
        assert_eq!(z.change_pct, None);
        let n = Comparison::new(Some(5.0), None);
        assert_eq!((n.delta, n.change_pct), (None, None));
        let neg = Comparison::new(Some(-5.0), Some(-10.0));
        assert_eq!(neg.change_pct, Some(50.0));
    }

    #[test]
    fn metric_names_match_what_the_sync_writes() {
        use crate::platforms::insights::metric as synced;
        assert_eq!(metric::VIEWS, synced::VIEWS);
        assert_eq!(metric::REACH, synced::REACH);
        assert_eq!(metric::LIKES, synced::LIKES);
        assert_eq!(metric::COMMENTS, synced::COMMENTS);
        assert_eq!(metric::SHARES, synced::SHARES);
        assert_eq!(metric::SAVES, synced::SAVES);
        assert_eq!(metric::FOLLOWERS, synced::FOLLOWERS);
    }

    #[test]
    fn errors_have_stable_codes() {
        assert_eq!(
            AnalyticsError::InvalidPeriod("x".into()).code(),
            "analytics.invalid_period"
        );
        assert_eq!(
            AnalyticsError::InvalidLimit {
                what: "n",
                value: 0,
                expected: "1..=1000"
            }
            .code(),
            "analytics.invalid_limit"
        );
        assert_eq!(AnalyticsError::Db(DbError::DiskFull).code(), "db.disk_full");
    }
}
