//! Request counting for the platforms' rate limits: sliding windows (TikTok per-token
//! per-minute buckets, Instagram per-account per-hour calls, daily posting caps) and
//! fixed windows (Reddit's 10-minute QPM period). Pure bookkeeping over sandbox time.

use std::collections::{HashMap, VecDeque};

/// Outcome of counting one request against a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Whether the request is within the limit (it is counted only if so).
    pub allowed: bool,
    /// Requests counted in the window, this one included when allowed.
    pub used: u32,
    /// Milliseconds until the oldest counted request leaves the window (sliding) or until
    /// the window ends (fixed).
    pub reset_ms: i64,
}

/// All windows, keyed by a caller-chosen string (`"tiktok:init:<token>"`...).
#[derive(Debug, Default)]
pub struct Windows {
    sliding: HashMap<String, VecDeque<i64>>,
    fixed: HashMap<String, (i64, u32)>,
}

impl Windows {
    /// Counts a request at `now_ms` in a sliding window of `window_ms` allowing `limit`.
    pub fn sliding(&mut self, key: &str, now_ms: i64, window_ms: i64, limit: u32) -> Hit {
        let q = self.sliding.entry(key.to_string()).or_default();
        while q.front().is_some_and(|t| *t <= now_ms - window_ms) {
            q.pop_front();
        }
        let used = u32::try_from(q.len()).unwrap_or(u32::MAX);
        if used >= limit {
            let reset_ms = q.front().map_or(0, |t| t + window_ms - now_ms);
            return Hit {
                allowed: false,
                used,
                reset_ms,
            };
        }
        q.push_back(now_ms);
        let reset_ms = q.front().map_or(0, |t| t + window_ms - now_ms);
        Hit {
            allowed: true,
            used: used + 1,
            reset_ms,
        }
    }

    /// How many requests the sliding window `key` holds at `now_ms`, without counting one.
    pub fn peek_sliding(&self, key: &str, now_ms: i64, window_ms: i64) -> u32 {
        self.sliding.get(key).map_or(0, |q| {
            let n = q.iter().filter(|t| **t > now_ms - window_ms).count();
            u32::try_from(n).unwrap_or(u32::MAX)
        })
    }

    /// Counts a request in fixed windows of `window_ms` aligned on the epoch.
    pub fn fixed(&mut self, key: &str, now_ms: i64, window_ms: i64, limit: u32) -> Hit {
        let start = now_ms - now_ms.rem_euclid(window_ms);
        let entry = self.fixed.entry(key.to_string()).or_insert((start, 0));
        if entry.0 != start {
            *entry = (start, 0);
        }
        let reset_ms = start + window_ms - now_ms;
        if entry.1 >= limit {
            return Hit {
                allowed: false,
                used: entry.1,
                reset_ms,
            };
        }
        entry.1 += 1;
        Hit {
            allowed: true,
            used: entry.1,
            reset_ms,
        }
    }

    /// Forgets every window.
    pub fn clear(&mut self) {
        self.sliding.clear();
        self.fixed.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_window_refuses_over_the_limit_and_recovers() {
        let mut w = Windows::default();
        for i in 0..6 {
            assert!(w.sliding("k", 1000 + i, 60_000, 6).allowed);
        }
        let refused = w.sliding("k", 2000, 60_000, 6);
        assert!(!refused.allowed);
        assert_eq!(refused.used, 6);
        assert_eq!(refused.reset_ms, 1000 + 60_000 - 2000);
        assert!(w.sliding("k", 61_001, 60_000, 6).allowed);
        assert!(w.sliding("other", 2000, 60_000, 6).allowed);
        assert_eq!(
            w.peek_sliding("k", 61_001, 60_000),
            5,
            "1000 and 1001 left the window"
        );
    }

    #[test]
    fn fixed_window_resets_at_the_boundary() {
        let mut w = Windows::default();
        assert!(w.fixed("r", 1_000, 600_000, 2).allowed);
        assert!(w.fixed("r", 2_000, 600_000, 2).allowed);
        let refused = w.fixed("r", 3_000, 600_000, 2);
        assert!(!refused.allowed);
        assert_eq!(refused.reset_ms, 597_000);
        assert_eq!(w.fixed("r", 600_000, 600_000, 2).used, 1);
    }
}
