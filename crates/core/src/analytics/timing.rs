//! Best time to post, from the account's own history: its posts published in a period
//! (deleted ones left out) grouped by the local weekday and hour of `media.created_at` at a
//! given UTC offset, with each group's average engagement rate and average views.
//!
//! The best hour (weekday, weekday × hour slot) is the one with the highest average
//! engagement rate among those with at least `min_posts` rated posts; ties go to the one
//! with more rated posts, then to the earliest.

use chrono::Weekday;
use serde::Serialize;
use ts_rs::TS;

use super::posts::post_stats_cte;
use super::{
    check_local_times, col, AnalyticsError, Period, Statement, UtcOffset, DAY_MS, HOUR_MS,
};
use crate::db::Database;

/// `chrono::Weekday` as serde writes it (`"Mon"` … `"Sun"`), named for the TypeScript
/// bindings of the analytics types (chrono's own binding is a plain `string`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(rename = "Weekday")]
pub enum WeekdayName {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

/// Averages of one group of posts.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, TS)]
pub struct BucketStats {
    /// Posts published in the group.
    pub posts: i64,
    /// Of those, posts with an engagement rate.
    pub rated_posts: i64,
    /// Mean engagement rate of the rated posts.
    pub avg_engagement_rate: Option<f64>,
    /// Mean views of the posts with a views figure.
    pub avg_views: Option<f64>,
    #[serde(skip)]
    rate_sum: f64,
    #[serde(skip)]
    viewed_posts: i64,
    #[serde(skip)]
    views_sum: f64,
}

impl BucketStats {
    fn add(&mut self, other: &BucketStats) {
        self.posts += other.posts;
        self.rated_posts += other.rated_posts;
        self.rate_sum += other.rate_sum;
        self.viewed_posts += other.viewed_posts;
        self.views_sum += other.views_sum;
        self.avg_engagement_rate =
            (self.rated_posts > 0).then(|| self.rate_sum / self.rated_posts as f64);
        self.avg_views = (self.viewed_posts > 0).then(|| self.views_sum / self.viewed_posts as f64);
    }
}

/// Posts published at one local hour of the day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
pub struct HourBucket {
    /// Local hour, 0–23.
    pub hour: u8,
    /// Averages.
    #[serde(flatten)]
    pub stats: BucketStats,
}

/// Posts published on one local weekday.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
pub struct WeekdayBucket {
    /// Local weekday.
    #[ts(as = "WeekdayName")]
    pub weekday: Weekday,
    /// Averages.
    #[serde(flatten)]
    pub stats: BucketStats,
}

/// Posts published at one local hour of one weekday.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
pub struct SlotBucket {
    /// Local weekday.
    #[ts(as = "WeekdayName")]
    pub weekday: Weekday,
    /// Local hour, 0–23.
    pub hour: u8,
    /// Averages.
    #[serde(flatten)]
    pub stats: BucketStats,
}

/// When the account's audience responds best.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct BestTimes {
    /// Account.
    pub account_id: i64,
    /// Period the posts were published in.
    pub period: Period,
    /// Offset local times are taken at, minutes east of UTC.
    pub utc_offset_minutes: i32,
    /// Fewest rated posts a group needs to be a candidate for "best".
    pub min_posts: u32,
    /// All 24 hours, 0 to 23 (empty hours have 0 posts).
    pub by_hour: Vec<HourBucket>,
    /// All 7 weekdays, Monday to Sunday.
    pub by_weekday: Vec<WeekdayBucket>,
    /// The weekday × hour slots that have posts, Monday 00h first.
    pub slots: Vec<SlotBucket>,
    /// Hour with the best average engagement rate.
    pub best_hour: Option<u8>,
    /// Weekday with the best average engagement rate.
    #[ts(as = "Option<WeekdayName>")]
    pub best_weekday: Option<Weekday>,
    /// Weekday × hour slot with the best average engagement rate.
    #[ts(as = "Option<(WeekdayName, u8)>")]
    pub best_slot: Option<(Weekday, u8)>,
}

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// The statement behind [`best_times`]. Parameters: `?1` account id, `?2` period start, `?3`
/// period end, `?4` UTC offset in ms. Rows: `weekday` (0 = Monday; 1970-01-01 was a
/// Thursday, hence the +3), `hour`, `posts`, `rated_posts`, `rate_sum`, `viewed_posts`,
/// `views_sum`, one per non-empty slot.
pub fn best_times_statement(account_id: i64, period: Period, offset: UtcOffset) -> Statement {
    let sql = format!(
        "{cte}SELECT ((created_at + ?4) / {DAY_MS} + 3) % 7 AS weekday, \
                ((created_at + ?4) % {DAY_MS}) / {HOUR_MS} AS hour, \
                COUNT(*) AS posts, COUNT(engagement_rate) AS rated_posts, \
                TOTAL(engagement_rate) AS rate_sum, COUNT(views) AS viewed_posts, \
                TOTAL(views) AS views_sum \
         FROM post_stats GROUP BY weekday, hour ORDER BY weekday, hour",
        cte = post_stats_cte(),
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

/// The index of the best candidate: highest average rate among groups with at least
/// `min_posts` rated posts; ties to more rated posts, then to the first.
fn best<'a>(stats: impl Iterator<Item = &'a BucketStats>, min_posts: u32) -> Option<usize> {
    let mut best: Option<(usize, f64, i64)> = None;
    for (i, s) in stats.enumerate() {
        let Some(rate) = s.avg_engagement_rate else {
            continue;
        };
        if s.rated_posts < i64::from(min_posts) {
            continue;
        }
        let better = match best {
            None => true,
            Some((_, r, n)) => rate > r || (rate == r && s.rated_posts > n),
        };
        if better {
            best = Some((i, rate, s.rated_posts));
        }
    }
    best.map(|(i, _, _)| i)
}

/// Rated posts a time slot needs before it can be "best", unless the caller says otherwise
/// (the dashboard, and `outpost analytics best-times` without `--min-posts`).
pub const DEFAULT_MIN_POSTS: u32 = 3;

/// Average engagement (and views) of the account's posts published in `period`, by local
/// hour, weekday and weekday × hour at `offset`, and the best of each.
pub async fn best_times(
    db: &Database,
    account_id: i64,
    period: Period,
    offset: UtcOffset,
    min_posts: u32,
) -> Result<BestTimes, AnalyticsError> {
    check_local_times(period, offset)?;
    if min_posts == 0 {
        return Err(AnalyticsError::InvalidLimit {
            what: "minimum number of posts",
            value: min_posts,
            expected: "at least 1",
        });
    }
    let rows = best_times_statement(account_id, period, offset)
        .fetch_all(db)
        .await?;

    let mut by_hour: Vec<HourBucket> = (0..24)
        .map(|hour| HourBucket {
            hour,
            stats: BucketStats::default(),
        })
        .collect();
    let mut by_weekday: Vec<WeekdayBucket> = WEEKDAYS
        .iter()
        .map(|&weekday| WeekdayBucket {
            weekday,
            stats: BucketStats::default(),
        })
        .collect();
    let mut slots = Vec::with_capacity(rows.len());
    for row in &rows {
        let weekday: i64 = col(row, "weekday")?;
        let hour: i64 = col(row, "hour")?;
        if !(0..7).contains(&weekday) || !(0..24).contains(&hour) {
            return Err(AnalyticsError::Db(crate::db::DbError::Sql(format!(
                "a post's local time is out of range (weekday {weekday}, hour {hour})"
            ))));
        }
        let (w, h) = (weekday as usize, hour as u8);
        let mut stats = BucketStats::default();
        stats.add(&BucketStats {
            posts: col(row, "posts")?,
            rated_posts: col(row, "rated_posts")?,
            rate_sum: col(row, "rate_sum")?,
            viewed_posts: col(row, "viewed_posts")?,
            views_sum: col(row, "views_sum")?,
            ..BucketStats::default()
        });
        by_hour[usize::from(h)].stats.add(&stats);
        by_weekday[w].stats.add(&stats);
        slots.push(SlotBucket {
            weekday: WEEKDAYS[w],
            hour: h,
            stats,
        });
    }

    let best_hour = best(by_hour.iter().map(|b| &b.stats), min_posts).map(|i| by_hour[i].hour);
    let best_weekday =
        best(by_weekday.iter().map(|b| &b.stats), min_posts).map(|i| by_weekday[i].weekday);
    let best_slot =
        best(slots.iter().map(|s| &s.stats), min_posts).map(|i| (slots[i].weekday, slots[i].hour));
    Ok(BestTimes {
        account_id,
        period,
        utc_offset_minutes: offset.as_minutes(),
        min_posts,
        by_hour,
        by_weekday,
        slots,
        best_hour,
        best_weekday,
        best_slot,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::fixture::{at, Fixture};

    const MIN: i64 = 60_000;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    #[test]
    fn weekday_names_are_chronos() {
        let names = [
            WeekdayName::Mon,
            WeekdayName::Tue,
            WeekdayName::Wed,
            WeekdayName::Thu,
            WeekdayName::Fri,
            WeekdayName::Sat,
            WeekdayName::Sun,
        ];
        for (name, day) in names.iter().zip(WEEKDAYS) {
            assert_eq!(
                serde_json::to_value(name).unwrap(),
                serde_json::to_value(day).unwrap()
            );
        }
    }

    /// Posts of one account (T0 is Monday 2026-01-05 00:00Z): engagement = likes / reach.
    async fn history() -> (Fixture, i64, Period) {
        type Post = (&'static str, i64, Option<(f64, f64)>);
        let f = Fixture::new().await;
        let a = f.account("instagram", "a").await;
        let posts: [Post; 5] = [
            ("mon-a", at(0, 8) + 30 * MIN, Some((10.0, 1000.0))), // Mon 08:30Z, rate 0.1
            ("mon-b", at(7, 8) + 10 * MIN, Some((30.0, 3000.0))), // Mon 08:10Z, rate 0.3
            ("tue-late", at(1, 23) + 30 * MIN, Some((50.0, 500.0))), // Tue 23:30Z, rate 0.5
            ("wed-a", at(2, 17), Some((10.0, 100.0))),            // Wed 17:00Z, rate 0.1
            ("wed-b", at(9, 17) + 45 * MIN, None),                // Wed 17:45Z, no data
        ];
        for (name, created, data) in posts {
            let id = f.post(a, name, Some(created)).await;
            if let Some((likes, views)) = data {
                f.post_snaps(
                    a,
                    id,
                    created + 3_600_000,
                    &[("likes", likes), ("reach", 100.0), ("views", views)],
                )
                .await;
            }
        }
        let gone = f.post(a, "deleted", Some(at(0, 8))).await;
        f.post_snaps(a, gone, at(0, 9), &[("likes", 90.0), ("reach", 100.0)])
            .await;
        f.delete(gone, at(1, 0)).await;
        (f, a, Period::new(at(0, 0), at(14, 0)).unwrap())
    }

    #[tokio::test]
    async fn groups_by_local_hour_and_weekday_at_the_offset() {
        let (f, a, period) = history().await;
        let plus_one = UtcOffset::minutes(60).unwrap();
        let b = best_times(&f.db, a, period, plus_one, 1).await.unwrap();
        assert_eq!(b.by_hour.len(), 24);
        assert_eq!(b.by_weekday.len(), 7);
        // At UTC+1: Mon 09h (0.1, 0.3), Wed 00h (the Tuesday 23:30Z post: 0.5), Wed 18h (0.1
        // and one without data).
        let h9 = b.by_hour[9].stats;
        assert_eq!((h9.posts, h9.rated_posts), (2, 2));
        assert!(close(h9.avg_engagement_rate, 0.2));
        assert!(close(h9.avg_views, 2000.0));
        let h0 = b.by_hour[0].stats;
        assert_eq!(h0.posts, 1);
        assert!(close(h0.avg_engagement_rate, 0.5));
        let h18 = b.by_hour[18].stats;
        assert_eq!((h18.posts, h18.rated_posts), (2, 1));
        assert!(close(h18.avg_engagement_rate, 0.1));
        assert!(close(h18.avg_views, 100.0));
        assert_eq!(b.by_hour[8].stats.posts, 0);
        assert_eq!(b.by_hour[8].stats.avg_engagement_rate, None);

        let mon = b.by_weekday[0].stats;
        assert_eq!(b.by_weekday[0].weekday, Weekday::Mon);
        assert_eq!(mon.posts, 2);
        assert!(close(mon.avg_engagement_rate, 0.2));
        assert_eq!(b.by_weekday[1].stats.posts, 0);
        let wed = b.by_weekday[2].stats;
        assert_eq!((wed.posts, wed.rated_posts), (3, 2));
        assert!(close(wed.avg_engagement_rate, 0.3));
        assert!(close(wed.avg_views, 300.0));

        let slots: Vec<_> = b
            .slots
            .iter()
            .map(|s| (s.weekday, s.hour, s.stats.posts))
            .collect();
        assert_eq!(
            slots,
            vec![
                (Weekday::Mon, 9, 2),
                (Weekday::Wed, 0, 1),
                (Weekday::Wed, 18, 2)
            ]
        );
        assert_eq!(b.best_hour, Some(0));
        assert_eq!(b.best_weekday, Some(Weekday::Wed));
        assert_eq!(b.best_slot, Some((Weekday::Wed, 0)));

        // With at least two rated posts per group, only Monday 09h qualifies as an hour and a
        // slot; Wednesday (0.3 over 2) still beats Monday (0.2 over 2).
        let b2 = best_times(&f.db, a, period, plus_one, 2).await.unwrap();
        assert_eq!(b2.best_hour, Some(9));
        assert_eq!(b2.best_weekday, Some(Weekday::Wed));
        assert_eq!(b2.best_slot, Some((Weekday::Mon, 9)));
        let b3 = best_times(&f.db, a, period, plus_one, 3).await.unwrap();
        assert_eq!(
            (b3.best_hour, b3.best_weekday, b3.best_slot),
            (None, None, None)
        );
    }

    #[tokio::test]
    async fn utc_puts_the_late_post_on_tuesday() {
        let (f, a, period) = history().await;
        let b = best_times(&f.db, a, period, UtcOffset::UTC, 1)
            .await
            .unwrap();
        assert_eq!(b.by_hour[23].stats.posts, 1);
        assert_eq!(b.by_weekday[1].stats.posts, 1);
        assert_eq!(b.best_slot, Some((Weekday::Tue, 23)));
        assert_eq!(b.by_hour[8].stats.posts, 2);
        let err = best_times(&f.db, a, period, UtcOffset::UTC, 0)
            .await
            .unwrap_err();
        assert!(matches!(err, AnalyticsError::InvalidLimit { .. }), "{err}");
    }

    #[test]
    fn ties_go_to_more_posts_then_to_the_first() {
        let s = |rated: i64, rate: f64| {
            let mut b = BucketStats::default();
            b.add(&BucketStats {
                posts: rated,
                rated_posts: rated,
                rate_sum: rate * rated as f64,
                ..BucketStats::default()
            });
            b
        };
        let groups = [s(1, 0.5), s(2, 0.5), s(2, 0.5), s(5, 0.1)];
        assert_eq!(best(groups.iter(), 1), Some(1));
        assert_eq!(best(groups.iter(), 3), Some(3));
        assert_eq!(best(groups.iter(), 6), None);
    }
}
