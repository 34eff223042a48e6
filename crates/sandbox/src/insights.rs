//! Deterministic synthetic metrics. Every number is a pure function of the seed, an
//! item (media id or account id), the metric name and a time, so that tests can compute
//! the expected value themselves. Media metrics grow with the item's age and saturate;
//! account window metrics are a daily rate times the window length; followers grow
//! linearly from a fixed anchor (2024-01-01T00:00:00Z).

use crate::det;

/// The anchor of account growth: 2024-01-01T00:00:00Z.
pub const ACCOUNT_ANCHOR: i64 = 1_704_067_200;

/// Lifetime views of a media item `age_secs` after it was created:
/// `cap * age / (age + 86400)`, with `cap = 200 + hash(seed, "views:" + id) % 20000`.
pub fn views(seed: u64, media_id: &str, age_secs: i64) -> u64 {
    let age = u128::try_from(age_secs.max(0)).unwrap_or(0);
    let cap = 200 + u128::from(det::hash_str(seed, &format!("views:{media_id}")) % 20_000);
    u64::try_from(cap * age / (age + 86_400)).unwrap_or(u64::MAX)
}

/// Per-mille of views for a derived metric, or `None` if the metric is not derived.
fn permille(metric: &str) -> Option<(u64, u64)> {
    Some(match metric {
        "reach" => (600, 300),
        "likes" => (30, 90),
        "comments" => (2, 13),
        "shares" => (1, 19),
        "saved" | "saves" => (1, 19),
        "follows" => (0, 5),
        "profile_visits" => (5, 25),
        "replies" => (0, 5),
        "reposts" => (0, 4),
        _ => return None,
    })
}

/// A lifetime metric of a media item, or `None` if the name is not a known metric.
/// `views` is [`views`]; derived metrics are `views * permille / 1000` where
/// `permille = lo + hash(seed, metric + ":" + id) % span`; `total_interactions` is
/// likes + comments + shares + saved; `ig_reels_avg_watch_time` (ms) is constant per item;
/// `ig_reels_video_view_total_time` is views times that average.
pub fn media_metric(seed: u64, media_id: &str, metric: &str, age_secs: i64) -> Option<u64> {
    let v = views(seed, media_id, age_secs);
    let derived = |m: &str| -> u64 {
        let (lo, span) = permille(m).unwrap_or((0, 1));
        let pm = lo + det::hash_str(seed, &format!("{m}:{media_id}")) % span.max(1);
        v * pm / 1000
    };
    Some(match metric {
        "views" => v,
        "total_interactions" => {
            derived("likes") + derived("comments") + derived("shares") + derived("saved")
        }
        "ig_reels_avg_watch_time" => avg_watch_ms(seed, media_id),
        "ig_reels_video_view_total_time" => v * avg_watch_ms(seed, media_id),
        m if permille(m).is_some() => derived(m),
        _ => return None,
    })
}

fn avg_watch_ms(seed: u64, media_id: &str) -> u64 {
    3_000 + det::hash_str(seed, &format!("watch:{media_id}")) % 20_000
}

/// Followers of an account at time `t`: `base + per_day * (t - ACCOUNT_ANCHOR) / 86400`
/// with `base = 500 + hash % 5000` and `per_day = 10 + hash % 90`.
pub fn followers(seed: u64, account_id: &str, t: i64) -> u64 {
    let base = 500 + det::hash_str(seed, &format!("followers-base:{account_id}")) % 5_000;
    let per_day = 10 + det::hash_str(seed, &format!("followers-rate:{account_id}")) % 90;
    let days_scaled = u64::try_from((t - ACCOUNT_ANCHOR).max(0)).unwrap_or(0);
    base + per_day * days_scaled / 86_400
}

/// Daily rate of an account metric (`views`, `reach`, `likes`...).
pub fn account_daily_rate(seed: u64, account_id: &str, metric: &str) -> u64 {
    let scale = match metric {
        "views" => 20_000,
        "reach" | "accounts_engaged" => 8_000,
        "total_interactions" | "likes" => 1_500,
        _ => 200,
    };
    10 + det::hash_str(seed, &format!("acct:{metric}:{account_id}")) % scale
}

/// An account metric aggregated over `[since, until)`:
/// `daily_rate * (until - since) / 86400` (0 when `until <= since`).
pub fn account_window(seed: u64, account_id: &str, metric: &str, since: i64, until: i64) -> u64 {
    let len = u64::try_from((until - since).max(0)).unwrap_or(0);
    account_daily_rate(seed, account_id, metric) * len / 86_400
}

/// Reach on the day starting at `day_start` (a per-day series):
/// `daily_rate * (80 + hash(day) % 40) / 100`.
pub fn account_daily_reach(seed: u64, account_id: &str, day_start: i64) -> u64 {
    let rate = account_daily_rate(seed, account_id, "reach");
    rate * (80 + det::hash_str(seed, &format!("reach-day:{account_id}:{day_start}")) % 40) / 100
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_metrics_start_at_zero_and_grow_monotonically() {
        assert_eq!(views(1, "m", 0), 0);
        let mut last = 0;
        for h in 1..200 {
            let v = views(1, "m", h * 3600);
            assert!(v >= last);
            last = v;
        }
        assert!(last > 0);
        let likes = media_metric(1, "m", "likes", 86_400 * 3).unwrap();
        let v = views(1, "m", 86_400 * 3);
        assert!(likes <= v * 120 / 1000 && likes >= v * 30 / 1000);
        assert_eq!(media_metric(1, "m", "impressions", 10), None);
    }

    #[test]
    fn total_interactions_is_the_sum_of_its_parts() {
        let age = 86_400 * 5;
        let sum: u64 = ["likes", "comments", "shares", "saved"]
            .iter()
            .map(|m| media_metric(7, "x", m, age).unwrap())
            .sum();
        assert_eq!(media_metric(7, "x", "total_interactions", age), Some(sum));
    }

    #[test]
    fn account_metrics_are_pure_functions_of_time() {
        let t = ACCOUNT_ANCHOR + 86_400 * 10;
        assert_eq!(followers(3, "a", t), followers(3, "a", t));
        assert!(followers(3, "a", t + 86_400) > followers(3, "a", t));
        let rate = account_daily_rate(3, "a", "views");
        assert_eq!(account_window(3, "a", "views", t, t + 86_400), rate);
        assert_eq!(account_window(3, "a", "views", t, t), 0);
    }
}
