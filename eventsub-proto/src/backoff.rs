//! Exponential backoff with jitter drawn from the caller's seed, so every run replays.

use std::time::Duration;

/// How long to wait before reconnecting after failures.
#[derive(Clone, Debug, PartialEq, Eq)]
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
