//! How often and how long the client waits before repeating a request that Twitch answered with
//! 429 (empty rate-limit bucket) or 5xx.
//!
//! Waiting is the only place the crate touches a runtime: [`sleep`] uses `tokio::time::sleep`,
//! which is fine because reqwest itself needs a tokio reactor. An adapter on another runtime runs
//! Helix calls inside a tokio context (or sets `max_retries` to 0 and retries on its own).

use std::time::Duration;

/// Bounds on retrying 429 and 5xx answers. Start from [`RetryPolicy::default`],
/// [`RetryPolicy::new`] or [`RetryPolicy::none`] and change the waits with the `with_*` methods:
///
/// ```
/// use std::time::Duration;
/// use eventsub_helix::RetryPolicy;
/// let fast = RetryPolicy::new(2)
///     .with_backoff(Duration::from_millis(1), Duration::from_millis(5))
///     .with_max_reset_wait(Duration::from_millis(5));
/// assert_eq!(fast.backoff(0), Duration::from_millis(1));
/// assert_eq!(fast.backoff(10), Duration::from_millis(5));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// How many times a request is repeated after the first try (0: never).
    pub max_retries: u32,
    /// The wait before the first retry of a 5xx; doubled for each further retry.
    pub backoff_base: Duration,
    /// The longest wait between 5xx retries.
    pub backoff_max: Duration,
    /// The longest wait for a rate-limit bucket to refill (`Ratelimit-Reset`); a later reset is
    /// waited for only this long before trying again.
    pub max_reset_wait: Duration,
}

impl Default for RetryPolicy {
    /// Three retries, 500 ms doubling up to 8 s for 5xx, up to 60 s for a rate-limit reset.
    fn default() -> Self {
        Self {
            max_retries: 3,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(8),
            max_reset_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Up to `max_retries` retries after the first try, with the default waits (500 ms doubling up
    /// to 8 s for 5xx, up to 60 s for a rate-limit reset).
    pub fn new(max_retries: u32) -> Self {
        Self {
            max_retries,
            ..Self::default()
        }
    }

    /// Waits `base` before the first retry of a 5xx, doubling for each further retry up to `max`.
    #[must_use]
    pub fn with_backoff(mut self, base: Duration, max: Duration) -> Self {
        self.backoff_base = base;
        self.backoff_max = max;
        self
    }

    /// Waits at most `max_reset_wait` for a rate-limit bucket to refill.
    #[must_use]
    pub fn with_max_reset_wait(mut self, max_reset_wait: Duration) -> Self {
        self.max_reset_wait = max_reset_wait;
        self
    }

    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The wait before retry number `retry` (0-based) of a 5xx answer.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.checked_pow(retry).unwrap_or(u32::MAX);
        self.backoff_base
            .checked_mul(factor)
            .map_or(self.backoff_max, |wait| wait.min(self.backoff_max))
    }

    /// The wait before retrying a 429 whose bucket refills after `until_reset`: at least
    /// `backoff_base` (a reset already past must not turn into a tight loop), at most
    /// `max_reset_wait`.
    pub fn reset_wait(&self, until_reset: Duration) -> Duration {
        until_reset.max(self.backoff_base).min(self.max_reset_wait)
    }
}

/// Waits `duration`: the single runtime-dependent call of the crate.
pub(crate) async fn sleep(duration: Duration) {
    if !duration.is_zero() {
        tokio::time::sleep(duration).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy::new(3)
            .with_backoff(Duration::from_millis(10), Duration::from_millis(100))
            .with_max_reset_wait(Duration::from_secs(2))
    }

    #[test]
    fn new_sets_the_retries_and_keeps_the_default_waits() {
        let policy = RetryPolicy::new(7);
        assert_eq!(policy.max_retries, 7);
        assert_eq!(
            policy,
            RetryPolicy {
                max_retries: 7,
                ..RetryPolicy::default()
            }
        );
        assert_eq!(RetryPolicy::none().max_retries, 0);
    }

    #[test]
    fn each_setter_sets_its_own_fields() {
        let default = RetryPolicy::default();
        assert_eq!(
            default.with_backoff(Duration::from_millis(3), Duration::from_millis(9)),
            RetryPolicy {
                backoff_base: Duration::from_millis(3),
                backoff_max: Duration::from_millis(9),
                ..default
            }
        );
        assert_eq!(
            default.with_max_reset_wait(Duration::from_secs(4)),
            RetryPolicy {
                max_reset_wait: Duration::from_secs(4),
                ..default
            }
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_without_overflowing() {
        let waits: Vec<u128> = (0..6)
            .map(|retry| policy().backoff(retry).as_millis())
            .collect();
        assert_eq!(waits, [10, 20, 40, 80, 100, 100]);
        assert_eq!(policy().backoff(u32::MAX), Duration::from_millis(100));
    }

    #[test]
    fn reset_wait_is_floored_by_the_base_and_capped() {
        assert_eq!(
            policy().reset_wait(Duration::ZERO),
            Duration::from_millis(10)
        );
        assert_eq!(
            policy().reset_wait(Duration::from_secs(1)),
            Duration::from_secs(1)
        );
        assert_eq!(
            policy().reset_wait(Duration::from_secs(60)),
            Duration::from_secs(2)
        );
    }
}
