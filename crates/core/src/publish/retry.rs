//! When to try a job again: exponential backoff with full jitter for transient failures,
//! never sooner than the platform's reset hint. Hand-written rather than taken from a
//! retry crate on purpose: the schedule must survive a restart, so each attempt's time is
//! computed here and stored in `jobs.next_attempt_at` instead of being slept on in memory.

use std::time::Duration;

use rand::Rng;

/// The retry schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// First delay.
    pub base: Duration,
    /// Longest delay.
    pub max: Duration,
    /// Attempts before giving up.
    pub max_attempts: u32,
}

impl RetryPolicy {
    /// Delay before attempt `attempt + 1` (1-based `attempt` just failed): a random time in
    /// `[d/2, d]` where `d = min(max, base · 2^(attempt-1))`, and at least `hint`.
    pub fn delay(&self, attempt: u32, hint: Option<Duration>) -> Duration {
        let exp = attempt.saturating_sub(1).min(30);
        let ceiling = self
            .base
            .saturating_mul(1u32 << exp)
            .min(self.max)
            .max(Duration::from_millis(1));
        let ms = ceiling.as_millis() as u64;
        let jittered = Duration::from_millis(rand::thread_rng().gen_range(ms / 2..=ms));
        jittered.max(hint.unwrap_or_default())
    }

    /// Whether another attempt is allowed after `attempts` attempts.
    pub fn allows(&self, attempts: u32) -> bool {
        attempts < self.max_attempts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            base: Duration::from_secs(2),
            max: Duration::from_secs(60),
            max_attempts: 5,
        }
    }

    #[test]
    fn delays_double_within_jitter_and_stop_at_the_cap() {
        let p = policy();
        for _ in 0..200 {
            let d1 = p.delay(1, None);
            assert!(
                d1 >= Duration::from_secs(1) && d1 <= Duration::from_secs(2),
                "{d1:?}"
            );
            let d3 = p.delay(3, None);
            assert!(
                d3 >= Duration::from_secs(4) && d3 <= Duration::from_secs(8),
                "{d3:?}"
            );
            let d20 = p.delay(20, None);
            assert!(
                d20 >= Duration::from_secs(30) && d20 <= Duration::from_secs(60),
                "{d20:?}"
            );
        }
    }

    #[test]
    fn the_platform_hint_is_a_floor() {
        let d = policy().delay(1, Some(Duration::from_secs(600)));
        assert_eq!(d, Duration::from_secs(600));
    }

    #[test]
    fn attempts_are_bounded() {
        let p = policy();
        assert!(p.allows(4));
        assert!(!p.allows(5));
    }
}
