//! One clock for every timestamp of the run: the mock's records and the client's gaps use
//! `Instant`, a gap's anchor is wall time. Wall time is mapped onto `Instant` through a pairing of
//! the two clocks that is renewed often, so a wall clock slewed during a long run skews nothing.

use std::time::{Duration, Instant, SystemTime};

/// The start of the run and a recent pairing of the monotonic and the wall clock.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    origin: Instant,
    instant: Instant,
    wall: SystemTime,
}

impl Clock {
    /// Starts the run's clock now.
    pub fn start() -> Self {
        let instant = Instant::now();
        Self {
            origin: instant,
            instant,
            wall: SystemTime::now(),
        }
    }

    /// A run's clock that started at `origin` (in the past), paired now: for tests that place a
    /// run's events before now.
    pub fn started_at(origin: Instant) -> Self {
        Self {
            origin,
            instant: Instant::now(),
            wall: SystemTime::now(),
        }
    }

    /// Pairs the two clocks again, now.
    pub fn pair_again(&mut self) {
        self.instant = Instant::now();
        self.wall = SystemTime::now();
    }

    /// The `Instant` that corresponds to `wall`.
    pub fn instant_of(&self, wall: SystemTime) -> Instant {
        match wall.duration_since(self.wall) {
            Ok(after) => self.instant + after,
            Err(before) => self
                .instant
                .checked_sub(before.duration())
                .unwrap_or(self.instant),
        }
    }

    /// The wall time that corresponds to `instant`.
    pub fn wall_of(&self, instant: Instant) -> SystemTime {
        match instant.checked_duration_since(self.instant) {
            Some(after) => self.wall + after,
            None => self
                .wall
                .checked_sub(self.instant.saturating_duration_since(instant))
                .unwrap_or(self.wall),
        }
    }

    /// The start of the run.
    pub fn origin(&self) -> Instant {
        self.origin
    }

    /// Time since the start of the run, for messages.
    pub fn since_start(&self, at: Instant) -> Duration {
        at.saturating_duration_since(self.origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_times_map_onto_the_monotonic_clock() {
        let mut clock = Clock::start();
        clock.pair_again();
        let now = SystemTime::now();
        let mapped = clock.instant_of(now + Duration::from_secs(2));
        let expected = Instant::now() + Duration::from_secs(2);
        let error = expected
            .saturating_duration_since(mapped)
            .max(mapped.saturating_duration_since(expected));
        assert!(error < Duration::from_millis(50), "{error:?}");
    }
}
