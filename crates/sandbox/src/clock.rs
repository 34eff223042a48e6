//! The sandbox clock: sandbox time = a base + an offset that only moves forward
//! (`POST /_sandbox/clock/advance`, `Sandbox::advance_clock`). The base is real time
//! (time flows, as a demo needs) or, for a frozen clock, the real time at start (time
//! moves only when advanced, so tests never depend on how fast the machine is).
//! Everything with a lifetime (codes, tokens, upload URLs, containers, rate windows,
//! insight growth) reads this clock, never the system clock directly.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Sandbox time source.
#[derive(Debug, Default)]
pub struct Clock {
    frozen_at: Option<Duration>,
    offset: Mutex<Duration>,
}

fn real_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

impl Clock {
    /// A clock that follows real time (plus the offset).
    pub fn real() -> Clock {
        Clock::default()
    }

    /// A clock that stands still at the current real time until advanced.
    pub fn frozen() -> Clock {
        Clock {
            frozen_at: Some(real_now()),
            offset: Mutex::new(Duration::ZERO),
        }
    }

    /// Whether time moves only when advanced.
    pub fn is_frozen(&self) -> bool {
        self.frozen_at.is_some()
    }

    /// Current sandbox time in milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        let base = self.frozen_at.unwrap_or_else(real_now);
        let offset = *self.offset.lock().unwrap_or_else(|e| e.into_inner());
        i64::try_from((base + offset).as_millis()).unwrap_or(i64::MAX)
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

    /// How far sandbox time was advanced.
    pub fn offset(&self) -> Duration {
        *self.offset.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_time_forward_by_at_least_the_amount() {
        let clock = Clock::real();
        let before = clock.now();
        clock.advance(Duration::from_secs(7200));
        assert!(clock.now() >= before + 7200);
        assert_eq!(clock.offset(), Duration::from_secs(7200));
        assert!(!clock.is_frozen());
    }

    #[test]
    fn a_frozen_clock_moves_only_when_advanced() {
        let clock = Clock::frozen();
        let t0 = clock.now_ms();
        assert_eq!(clock.now_ms(), t0);
        clock.advance(Duration::from_millis(1500));
        assert_eq!(clock.now_ms(), t0 + 1500);
        assert!(clock.is_frozen());
    }
}
