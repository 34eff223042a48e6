//! The sandbox clock: sandbox time = real time + an offset that only moves forward
//! (`POST /_sandbox/clock/advance`, `Sandbox::advance_clock`). Everything with a
//! lifetime (codes, tokens, upload URLs, containers, rate windows, insight growth) reads
//! this clock, never the system clock directly.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Sandbox time source.
#[derive(Debug, Default)]
pub struct Clock {
    offset: Mutex<Duration>,
}

impl Clock {
    /// Current sandbox time in milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let offset = *self.offset.lock().unwrap_or_else(|e| e.into_inner());
        i64::try_from((real + offset).as_millis()).unwrap_or(i64::MAX)
    }

    /// Current sandbox time in whole seconds since the Unix epoch.
    pub fn now(&self) -> i64 {
        self.now_ms() / 1000
    }

    /// Moves sandbox time forward.
    pub fn advance(&self, by: Duration) {
        let mut offset = self.offset.lock().unwrap_or_else(|e| e.into_inner());
        *offset = offset.saturating_add(by);
    }

    /// How far sandbox time is ahead of real time.
    pub fn offset(&self) -> Duration {
        *self.offset.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_time_forward_by_at_least_the_amount() {
        let clock = Clock::default();
        let before = clock.now();
        clock.advance(Duration::from_secs(7200));
        assert!(clock.now() >= before + 7200);
        assert_eq!(clock.offset(), Duration::from_secs(7200));
    }
}
