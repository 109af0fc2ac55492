//! Exponential backoff with jitter drawn from the caller's seed, so every run replays.

use std::time::Duration;

/// How long to wait before reconnecting after failures.
///
/// Start from [`BackoffConfig::default`] (1 s doubling up to 2 min, retrying forever) or
/// [`BackoffConfig::new`], and set the rest with the `with_*` methods:
///
/// ```
/// use std::time::Duration;
/// use eventsub_proto::BackoffConfig;
/// let backoff = BackoffConfig::new(Duration::from_millis(250), Duration::from_secs(30))
///     .with_max_attempts(5)
///     .with_healthy_after(Duration::from_secs(10));
/// assert_eq!(backoff.max_attempts, Some(5));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BackoffConfig {
    /// Delay scale of the first retry; each further failure doubles it.
    pub initial: Duration,
    /// The longest delay.
    pub max: Duration,
    /// Give up (`Stopped`) after this many consecutive failed attempts; `None` retries forever.
    pub max_attempts: Option<u32>,
    /// A session that stayed up this long counts as healthy and resets the attempt count.
    pub healthy_after: Duration,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(120),
            max_attempts: None,
            healthy_after: Duration::from_secs(60),
        }
    }
}

impl BackoffConfig {
    /// Delays from `initial` doubling up to `max`; the other fields as in
    /// [`BackoffConfig::default`] (retry forever, healthy after 60 s).
    pub fn new(initial: Duration, max: Duration) -> Self {
        Self {
            initial,
            max,
            ..Self::default()
        }
    }

    /// Gives up (`Stopped`) after `max_attempts` consecutive failed attempts.
    #[must_use]
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = Some(max_attempts);
        self
    }

    /// Counts a session that stayed up `healthy_after` as healthy, resetting the attempt count.
    #[must_use]
    pub fn with_healthy_after(mut self, healthy_after: Duration) -> Self {
        self.healthy_after = healthy_after;
        self
    }

    /// The delay before retry number `attempt` (0-based): "equal jitter", uniformly between half and
    /// all of `min(max, initial * 2^attempt)`. The lower half keeps retries from ever bunching into a
    /// tight loop; the random half spreads many clients apart. A pure function of its arguments.
    pub fn delay(&self, attempt: u32, seed: u64) -> Duration {
        let ceiling = self
            .initial
            .checked_mul(1u32 << attempt.min(31))
            .map_or(self.max, |delay| delay.min(self.max));
        let ceiling_nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        let half = ceiling_nanos / 2;
        let mut rng =
            fastrand::Rng::with_seed(seed ^ u64::from(attempt).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        Duration::from_nanos(half + rng.u64(0..=ceiling_nanos - half))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_within_bounds_and_caps() {
        let config = BackoffConfig::default();
        for attempt in 0..40 {
            let ceiling = Duration::from_secs(1u64 << attempt.min(20)).min(config.max);
            let delay = config.delay(attempt, 7);
            assert!(
                delay >= ceiling / 2 && delay <= ceiling,
                "attempt {attempt}: {delay:?}"
            );
        }
    }

    #[test]
    fn new_sets_the_delays_and_keeps_the_other_defaults() {
        let config = BackoffConfig::new(Duration::from_millis(5), Duration::from_secs(7));
        assert_eq!(config.initial, Duration::from_millis(5));
        assert_eq!(config.max, Duration::from_secs(7));
        assert_eq!(config.max_attempts, BackoffConfig::default().max_attempts);
        assert_eq!(config.healthy_after, BackoffConfig::default().healthy_after);
    }

    #[test]
    fn each_setter_sets_its_own_field() {
        let default = BackoffConfig::default();
        let limited = default.clone().with_max_attempts(3);
        assert_eq!(limited.max_attempts, Some(3));
        assert_eq!(
            limited,
            BackoffConfig {
                max_attempts: Some(3),
                ..default.clone()
            }
        );
        let quick = default.clone().with_healthy_after(Duration::from_secs(2));
        assert_eq!(
            quick,
            BackoffConfig {
                healthy_after: Duration::from_secs(2),
                ..default
            }
        );
    }

    #[test]
    fn same_seed_same_delays_other_seed_other_delays() {
        let config = BackoffConfig::default();
        let run = |seed| {
            (0..8)
                .map(|attempt| config.delay(attempt, seed))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }
}
