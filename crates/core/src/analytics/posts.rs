//! Per-post analytics: the performance table of an account's posts (sortable), the top N
//! posts by a column, and the account's engagement rate over its posts.
//!
//! All three read the same per-post figures (the `post_stats` common table expression): for
//! each post of the account created in the period and not marked deleted, the latest
//! snapshot of each counter (views, reach, likes, comments, shares, saves, found with one
//! index seek each), interactions = likes + comments + shares + saves (a missing counter
//! counts as 0; all four missing gives no interactions), and engagement rate = interactions /
//! reach, or / views when reach is missing or 0 (no rate when both are missing or 0).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{col, metric, AnalyticsError, Period, Statement};
use crate::db::Database;

/// Most rows [`top_posts`] returns.
pub const MAX_TOP: u32 = 1_000;

/// A column of the performance table, to sort by or rank posts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PostColumn {
    /// Publication time.
    CreatedAt,
    /// Views.
    Views,
    /// Reach.
    Reach,
    /// Likes.
    Likes,
    /// Comments.
    Comments,
    /// Shares.
    Shares,
    /// Saves.
    Saves,
    /// Likes + comments + shares + saves.
    Interactions,
    /// Interactions / reach (or / views).
    EngagementRate,
}

impl PostColumn {
    /// Every column, in display order.
    pub const ALL: [PostColumn; 9] = [
        PostColumn::CreatedAt,
        PostColumn::Views,
        PostColumn::Reach,
        PostColumn::Likes,
        PostColumn::Comments,
        PostColumn::Shares,
        PostColumn::Saves,
        PostColumn::Interactions,
        PostColumn::EngagementRate,
    ];

    /// Stable name, which is also the column's name in the SQL result (the only way a
    /// column name reaches the SQL text).
    pub fn as_str(self) -> &'static str {
        match self {
            PostColumn::CreatedAt => "created_at",
            PostColumn::Views => metric::VIEWS,
            PostColumn::Reach => metric::REACH,
            PostColumn::Likes => metric::LIKES,
            PostColumn::Comments => metric::COMMENTS,
            PostColumn::Shares => metric::SHARES,
            PostColumn::Saves => metric::SAVES,
            PostColumn::Interactions => "interactions",
            PostColumn::EngagementRate => "engagement_rate",
        }
    }
}

impl fmt::Display for PostColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown column name.
#[derive(Debug, thiserror::Error)]
#[error(
    "unknown column {0:?}: expected one of created_at, views, reach, likes, comments, shares, \
     saves, interactions, engagement_rate"
)]
pub struct UnknownColumn(pub String);

impl FromStr for PostColumn {
    type Err = UnknownColumn;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        PostColumn::ALL
            .into_iter()
            .find(|c| c.as_str() == wanted)
            .ok_or_else(|| UnknownColumn(s.to_owned()))
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortDirection {
    /// Smallest first.
    Ascending,
    /// Largest first.
    Descending,
}

impl SortDirection {
    fn sql(self) -> &'static str {
        match self {
            SortDirection::Ascending => "ASC",
            SortDirection::Descending => "DESC",
        }
    }
}

/// How the performance table is ordered. Posts without a value in the column always come
/// last; ties are broken by post id in the same direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PostSort {
    /// Column.
    pub column: PostColumn,
    /// Direction.
    pub direction: SortDirection,
}

impl Default for PostSort {
    /// Newest first.
    fn default() -> Self {
        PostSort {
            column: PostColumn::CreatedAt,
            direction: SortDirection::Descending,
        }
    }
}

/// What an engagement rate is divided by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RateBasis {
    /// Reach (accounts reached).
    Reach,
    /// Views, for posts without a reach figure.
    Views,
}

/// One post with its latest counters.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PostRow {
    /// Local media id.
    pub media_id: i64,
    /// The platform's id.
    pub platform_media_id: String,
    /// video, image, carousel, reel, link…
    pub kind: String,
    /// Caption or title.
    pub caption: Option<String>,
    /// Public link.
    pub permalink: Option<String>,
    /// Thumbnail.
    pub thumbnail_url: Option<String>,
    /// Publication time, unix ms.
    pub created_at: i64,
    /// Latest views.
    pub views: Option<f64>,
    /// Latest reach.
    pub reach: Option<f64>,
    /// Latest likes.
    pub likes: Option<f64>,
    /// Latest comments.
    pub comments: Option<f64>,
    /// Latest shares.
    pub shares: Option<f64>,
    /// Latest saves.
    pub saves: Option<f64>,
    /// likes + comments + shares + saves (missing ones as 0; `None` when all are missing).
    pub interactions: Option<f64>,
    /// interactions / reach, or / views without reach.
    pub engagement_rate: Option<f64>,
    /// What `engagement_rate` was divided by (`None` when there is no rate).
    pub rate_basis: Option<RateBasis>,
}

/// An account's engagement over the posts it published in a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountEngagement {
    /// Account.
    pub account_id: i64,
    /// Period the posts were published in.
    pub period: Period,
    /// Posts published in the period (not deleted).
    pub posts: i64,
    /// Of those, posts with an engagement rate.
    pub rated_posts: i64,
    /// Interactions of the rated posts.
    pub interactions: f64,
    /// Sum of the rated posts' rate denominators (reach, or views without reach).
    pub denominator: f64,
    /// `interactions / denominator`: the account's engagement rate, each post weighted by
    /// its audience. `None` without rated posts.
    pub engagement_rate: Option<f64>,
    /// Plain mean of the posts' engagement rates (each post counts once).
    pub mean_post_engagement_rate: Option<f64>,
}

/// Latest value of one counter of post `m.id`: one seek in `insight_subject_metric_time`.
fn latest(name: &str) -> String {
    format!(
        "(SELECT s.value FROM insight_snapshots s \
          WHERE s.subject_kind = 'media' AND s.subject_id = m.id AND s.metric = '{name}' \
          ORDER BY s.captured_at DESC LIMIT 1) AS {name}"
    )
}

/// `WITH posts …, post_stats …` over `?1` account id, `?2` period start, `?3` period end.
/// `posts` is MATERIALIZED so that each latest-value subquery runs once per post (a
/// flattened CTE would repeat them wherever the rate expression names a column).
pub(crate) fn post_stats_cte() -> String {
    let latest_columns = metric::POST_METRICS
        .iter()
        .map(|m| latest(m))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "WITH posts AS MATERIALIZED ( \
             SELECT m.id, m.platform_media_id, m.kind, m.caption, m.permalink, m.thumbnail_url, \
                    m.created_at, {latest_columns} \
             FROM media m \
             WHERE m.account_id = ?1 AND m.deleted_at IS NULL \
               AND m.created_at >= ?2 AND m.created_at < ?3), \
         counted AS ( \
             SELECT *, \
                 CASE WHEN likes IS NULL AND comments IS NULL AND shares IS NULL AND saves IS NULL \
                      THEN NULL \
                      ELSE IFNULL(likes, 0.0) + IFNULL(comments, 0.0) + IFNULL(shares, 0.0) \
                           + IFNULL(saves, 0.0) END AS interactions, \
                 CASE WHEN reach > 0 THEN reach WHEN views > 0 THEN views END AS denominator, \
                 CASE WHEN reach > 0 THEN 'reach' WHEN views > 0 THEN 'views' END AS rate_basis \
             FROM posts), \
         post_stats AS ( \
             SELECT *, interactions / denominator AS engagement_rate FROM counted) "
    )
}

/// Table statement: the CTE, an optional "column is not null" filter, the order, `?4` limit
/// (-1: none).
fn table_statement(
    account_id: i64,
    period: Period,
    sort: PostSort,
    only_with_value: bool,
    limit: i64,
) -> Statement {
    let column = sort.column.as_str();
    let direction = sort.direction.sql();
    let filter = if only_with_value {
        format!("WHERE {column} IS NOT NULL ")
    } else {
        String::new()
    };
    let sql = format!(
        "{cte}SELECT id, platform_media_id, kind, caption, permalink, thumbnail_url, created_at, \
                views, reach, likes, comments, shares, saves, interactions, rate_basis, \
                engagement_rate \
         FROM post_stats {filter}\
         ORDER BY {column} {direction} NULLS LAST, id {direction} LIMIT ?4",
        cte = post_stats_cte(),
    );
    Statement {
        sql,
        params: vec![account_id, period.start_ms(), period.end_ms(), limit],
    }
}

/// The statement behind [`post_performance`]. Parameters: `?1` account id, `?2` period
/// start, `?3` period end, `?4` limit (-1).
pub fn post_performance_statement(account_id: i64, period: Period, sort: PostSort) -> Statement {
    table_statement(account_id, period, sort, false, -1)
}

/// The statement behind [`top_posts`]. Parameters: `?1` account id, `?2` period start, `?3`
/// period end, `?4` n.
pub fn top_posts_statement(account_id: i64, period: Period, by: PostColumn, n: u32) -> Statement {
    let sort = PostSort {
        column: by,
        direction: SortDirection::Descending,
    };
    table_statement(account_id, period, sort, true, i64::from(n))
}

/// The statement behind [`account_engagement`]. Parameters: `?1` account id, `?2` period
/// start, `?3` period end.
pub fn account_engagement_statement(account_id: i64, period: Period) -> Statement {
    let sql = format!(
        "{cte}SELECT COUNT(*) AS posts, COUNT(engagement_rate) AS rated_posts, \
                TOTAL(CASE WHEN engagement_rate IS NOT NULL THEN interactions END) AS interactions, \
                TOTAL(CASE WHEN engagement_rate IS NOT NULL THEN denominator END) AS denominator, \
                AVG(engagement_rate) AS mean_rate \
         FROM post_stats",
        cte = post_stats_cte(),
    );
    Statement {
        sql,
        params: vec![account_id, period.start_ms(), period.end_ms()],
    }
}

fn parse_rows(rows: &[sqlx::sqlite::SqliteRow]) -> Result<Vec<PostRow>, AnalyticsError> {
    rows.iter()
        .map(|row| {
            let engagement_rate: Option<f64> = col(row, "engagement_rate")?;
            let basis: Option<String> = col(row, "rate_basis")?;
            let rate_basis = match (engagement_rate, basis.as_deref()) {
                (Some(_), Some("reach")) => Some(RateBasis::Reach),
                (Some(_), Some("views")) => Some(RateBasis::Views),
                _ => None,
            };
            Ok(PostRow {
                media_id: col(row, "id")?,
                platform_media_id: col(row, "platform_media_id")?,
                kind: col(row, "kind")?,
                caption: col(row, "caption")?,
                permalink: col(row, "permalink")?,
                thumbnail_url: col(row, "thumbnail_url")?,
                created_at: col(row, "created_at")?,
                views: col(row, "views")?,
                reach: col(row, "reach")?,
                likes: col(row, "likes")?,
                comments: col(row, "comments")?,
                shares: col(row, "shares")?,
                saves: col(row, "saves")?,
                interactions: col(row, "interactions")?,
                engagement_rate,
                rate_basis,
            })
        })
        .collect()
}

/// The performance table: every post of the account published in `period` (deleted posts
/// left out), with its latest counters and engagement, ordered by `sort`.
pub async fn post_performance(
    db: &Database,
    account_id: i64,
    period: Period,
    sort: PostSort,
) -> Result<Vec<PostRow>, AnalyticsError> {
    let rows = post_performance_statement(account_id, period, sort)
        .fetch_all(db)
        .await?;
    parse_rows(&rows)
}

/// The `n` posts published in `period` with the highest value in column `by` (posts
/// without a value in that column are left out; `created_at` gives the newest posts).
pub async fn top_posts(
    db: &Database,
    account_id: i64,
    period: Period,
    by: PostColumn,
    n: u32,
) -> Result<Vec<PostRow>, AnalyticsError> {
    if n == 0 || n > MAX_TOP {
        return Err(AnalyticsError::InvalidLimit {
            what: "number of top posts",
            value: n,
            expected: "1 to 1000",
        });
    }
    let rows = top_posts_statement(account_id, period, by, n)
        .fetch_all(db)
        .await?;
    parse_rows(&rows)
}

/// The account's engagement rate over the posts it published in `period`.
pub async fn account_engagement(
    db: &Database,
    account_id: i64,
    period: Period,
) -> Result<AccountEngagement, AnalyticsError> {
    let rows = account_engagement_statement(account_id, period)
        .fetch_all(db)
        .await?;
    let row = rows.first().ok_or_else(|| {
        AnalyticsError::Db(crate::db::DbError::Sql(
            "the engagement aggregate returned no row".into(),
        ))
    })?;
    let rated_posts: i64 = col(row, "rated_posts")?;
    let interactions: f64 = col(row, "interactions")?;
    let denominator: f64 = col(row, "denominator")?;
    Ok(AccountEngagement {
        account_id,
        period,
        posts: col(row, "posts")?,
        rated_posts,
        interactions,
        denominator,
        engagement_rate: (rated_posts > 0 && denominator > 0.0).then(|| interactions / denominator),
        mean_post_engagement_rate: col(row, "mean_rate")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::fixture::{at, Fixture};

    /// Posts of one Instagram account, ids in creation order of the fixture:
    /// p1 (rate 30/150 by reach), p2 (50/500 by views, no reach), p3 (6/50: reach 0 so by
    /// views), p4 (no snapshots), p9 (views only: no interactions); and posts that must not
    /// show: deleted, outside the period, another account's, without a creation time.
    struct Posts {
        f: Fixture,
        account: i64,
        p1: i64,
        p2: i64,
        p3: i64,
        p4: i64,
        p9: i64,
        deleted: i64,
        period: Period,
    }

    async fn posts() -> Posts {
        let f = Fixture::new().await;
        let a = f.account("instagram", "a").await;
        let b = f.account("instagram", "b").await;
        let p1 = f.post(a, "p1", Some(at(0, 10))).await;
        f.post_snaps(
            a,
            p1,
            at(1, 0),
            &[
                ("views", 100.0),
                ("reach", 80.0),
                ("likes", 10.0),
                ("comments", 2.0),
                ("shares", 1.0),
                ("saves", 3.0),
            ],
        )
        .await;
        f.post_snaps(
            a,
            p1,
            at(3, 0),
            &[
                ("views", 200.0),
                ("reach", 150.0),
                ("likes", 20.0),
                ("comments", 4.0),
                ("shares", 2.0),
                ("saves", 4.0),
            ],
        )
        .await;
        let p2 = f.post(a, "p2", Some(at(1, 15))).await;
        f.post_snaps(
            a,
            p2,
            at(2, 0),
            &[
                ("views", 500.0),
                ("likes", 40.0),
                ("comments", 5.0),
                ("shares", 5.0),
            ],
        )
        .await;
        let p3 = f.post(a, "p3", Some(at(2, 8))).await;
        f.post_snaps(
            a,
            p3,
            at(2, 9),
            &[("views", 50.0), ("reach", 0.0), ("likes", 6.0)],
        )
        .await;
        let p4 = f.post(a, "p4", Some(at(2, 12))).await;
        let deleted = f.post(a, "deleted", Some(at(1, 0))).await;
        f.post_snaps(
            a,
            deleted,
            at(1, 5),
            &[("views", 10_000.0), ("likes", 9_000.0)],
        )
        .await;
        f.delete(deleted, at(4, 0)).await;
        let later = f.post(a, "later", Some(at(10, 0))).await;
        f.post_snaps(a, later, at(10, 5), &[("views", 7_000.0)])
            .await;
        let theirs = f.post(b, "theirs", Some(at(1, 0))).await;
        f.post_snaps(b, theirs, at(1, 5), &[("views", 8_000.0)])
            .await;
        f.post(a, "undated", None).await;
        let p9 = f.post(a, "p9", Some(at(3, 0))).await;
        f.post_snaps(a, p9, at(3, 1), &[("views", 300.0), ("upvote_ratio", 0.9)])
            .await;
        Posts {
            f,
            account: a,
            p1,
            p2,
            p3,
            p4,
            p9,
            deleted,
            period: Period::new(at(0, 0), at(7, 0)).unwrap(),
        }
    }

    fn ids(rows: &[PostRow]) -> Vec<i64> {
        rows.iter().map(|r| r.media_id).collect()
    }

    #[tokio::test]
    async fn table_has_latest_counters_interactions_and_rates() {
        let p = posts().await;
        let rows = post_performance(&p.f.db, p.account, p.period, PostSort::default())
            .await
            .unwrap();
        // Newest first; deleted, later, other account's and undated posts are not there.
        assert_eq!(ids(&rows), vec![p.p9, p.p4, p.p3, p.p2, p.p1]);
        assert!(!ids(&rows).contains(&p.deleted));

        let r1 = rows.iter().find(|r| r.media_id == p.p1).unwrap();
        assert_eq!(r1.platform_media_id, "p1");
        assert_eq!(r1.created_at, at(0, 10));
        assert_eq!(
            (
                r1.views,
                r1.reach,
                r1.likes,
                r1.comments,
                r1.shares,
                r1.saves
            ),
            (
                Some(200.0),
                Some(150.0),
                Some(20.0),
                Some(4.0),
                Some(2.0),
                Some(4.0)
            )
        );
        assert_eq!(r1.interactions, Some(30.0));
        assert_eq!(r1.engagement_rate, Some(0.2));
        assert_eq!(r1.rate_basis, Some(RateBasis::Reach));

        let r2 = rows.iter().find(|r| r.media_id == p.p2).unwrap();
        assert_eq!((r2.reach, r2.saves), (None, None));
        assert_eq!(r2.interactions, Some(50.0));
        assert_eq!(r2.engagement_rate, Some(0.1));
        assert_eq!(r2.rate_basis, Some(RateBasis::Views));

        let r3 = rows.iter().find(|r| r.media_id == p.p3).unwrap();
        assert_eq!(r3.engagement_rate, Some(0.12));
        assert_eq!(r3.rate_basis, Some(RateBasis::Views));

        let r4 = rows.iter().find(|r| r.media_id == p.p4).unwrap();
        assert_eq!(
            (r4.views, r4.interactions, r4.engagement_rate),
            (None, None, None)
        );

        let r9 = rows.iter().find(|r| r.media_id == p.p9).unwrap();
        assert_eq!(r9.views, Some(300.0));
        assert_eq!(
            (r9.interactions, r9.engagement_rate, r9.rate_basis),
            (None, None, None)
        );
    }

    #[tokio::test]
    async fn table_sorts_by_any_column_with_missing_values_last() {
        let p = posts().await;
        let by = |column, direction| PostSort { column, direction };
        let rate_desc = post_performance(
            &p.f.db,
            p.account,
            p.period,
            by(PostColumn::EngagementRate, SortDirection::Descending),
        )
        .await
        .unwrap();
        // 0.2, 0.12, 0.1, then the two without a rate by id, descending.
        assert_eq!(ids(&rate_desc), vec![p.p1, p.p3, p.p2, p.p9, p.p4]);
        let views_asc = post_performance(
            &p.f.db,
            p.account,
            p.period,
            by(PostColumn::Views, SortDirection::Ascending),
        )
        .await
        .unwrap();
        // 50, 200, 300, 500, then p4 without views.
        assert_eq!(ids(&views_asc), vec![p.p3, p.p1, p.p9, p.p2, p.p4]);

        // Every column and direction is valid SQL and orders its non-missing values.
        for column in PostColumn::ALL {
            for direction in [SortDirection::Ascending, SortDirection::Descending] {
                let rows = post_performance(&p.f.db, p.account, p.period, by(column, direction))
                    .await
                    .unwrap();
                assert_eq!(rows.len(), 5, "{column} {direction:?}");
                let values: Vec<f64> = rows
                    .iter()
                    .map(|r| match column {
                        PostColumn::CreatedAt => Some(r.created_at as f64),
                        PostColumn::Views => r.views,
                        PostColumn::Reach => r.reach,
                        PostColumn::Likes => r.likes,
                        PostColumn::Comments => r.comments,
                        PostColumn::Shares => r.shares,
                        PostColumn::Saves => r.saves,
                        PostColumn::Interactions => r.interactions,
                        PostColumn::EngagementRate => r.engagement_rate,
                    })
                    .map_while(|v| v)
                    .collect();
                let sorted = values.windows(2).all(|w| match direction {
                    SortDirection::Ascending => w[0] <= w[1],
                    SortDirection::Descending => w[0] >= w[1],
                });
                assert!(sorted, "{column} {direction:?}: {values:?}");
            }
        }
    }

    #[tokio::test]
    async fn top_posts_rank_by_a_column_and_skip_posts_without_it() {
        let p = posts().await;
        let top = top_posts(&p.f.db, p.account, p.period, PostColumn::Views, 2)
            .await
            .unwrap();
        assert_eq!(ids(&top), vec![p.p2, p.p9]);
        // Only p1 and p3 have a reach (150 and 0).
        let reach = top_posts(&p.f.db, p.account, p.period, PostColumn::Reach, 10)
            .await
            .unwrap();
        assert_eq!(ids(&reach), vec![p.p1, p.p3]);
        let rate = top_posts(&p.f.db, p.account, p.period, PostColumn::EngagementRate, 2)
            .await
            .unwrap();
        assert_eq!(ids(&rate), vec![p.p1, p.p3]);
        for n in [0, MAX_TOP + 1] {
            let err = top_posts(&p.f.db, p.account, p.period, PostColumn::Views, n)
                .await
                .unwrap_err();
            assert!(matches!(err, AnalyticsError::InvalidLimit { .. }), "{err}");
        }
    }

    #[tokio::test]
    async fn account_engagement_weights_posts_by_audience() {
        let p = posts().await;
        let e = account_engagement(&p.f.db, p.account, p.period)
            .await
            .unwrap();
        assert_eq!(e.posts, 5);
        assert_eq!(e.rated_posts, 3);
        // (30 + 50 + 6) / (150 + 500 + 50), and the mean of 0.2, 0.1, 0.12.
        assert_eq!(e.interactions, 86.0);
        assert_eq!(e.denominator, 700.0);
        assert!((e.engagement_rate.unwrap() - 86.0 / 700.0).abs() < 1e-12);
        assert!((e.mean_post_engagement_rate.unwrap() - 0.14).abs() < 1e-12);

        let empty = Period::new(at(20, 0), at(21, 0)).unwrap();
        let e = account_engagement(&p.f.db, p.account, empty).await.unwrap();
        assert_eq!((e.posts, e.rated_posts), (0, 0));
        assert_eq!(
            (e.engagement_rate, e.mean_post_engagement_rate),
            (None, None)
        );
    }

    #[test]
    fn column_names_parse_and_only_enum_names_reach_the_sql() {
        assert_eq!(
            "engagement-rate".parse::<PostColumn>().unwrap(),
            PostColumn::EngagementRate
        );
        assert_eq!(" Views ".parse::<PostColumn>().unwrap(), PostColumn::Views);
        assert!("views; DROP TABLE media".parse::<PostColumn>().is_err());
        let period = Period::new(0, 1).unwrap();
        let st = post_performance_statement(
            1,
            period,
            PostSort {
                column: PostColumn::Saves,
                direction: SortDirection::Ascending,
            },
        );
        assert!(st
            .sql
            .contains("ORDER BY saves ASC NULLS LAST, id ASC LIMIT ?4"));
        assert_eq!(st.params, vec![1, 0, 1, -1]);
        let json = serde_json::to_string(&PostSort::default()).unwrap();
        assert_eq!(json, r#"{"column":"created_at","direction":"descending"}"#);
    }
}
