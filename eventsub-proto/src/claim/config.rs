//! What a process that claims conduit shards is told up front.

use std::time::Duration;

use crate::backoff::BackoffConfig;
use crate::error::ConfigError;
use crate::ids::ConduitId;
use crate::pool::MAX_SHARDS_PER_POOL;

/// The most shards a conduit has (Twitch's limit), so the most [`ClaimConfig::grow_to`] may ask.
pub const MAX_CONDUIT_SHARDS: u32 = 20_000;

/// The shortest [`ClaimConfig::reread_interval`]: every read costs Helix calls.
pub const MIN_REREAD_INTERVAL: Duration = Duration::from_secs(1);

/// How a process claims shards of a conduit ([`Pool::claim_shards`](crate::Pool::claim_shards)).
///
/// Start from [`ClaimConfig::new`] and set the rest with the `with_*` methods:
///
/// ```
/// use std::time::Duration;
/// use eventsub_proto::{ClaimConfig, ConduitId};
/// let claim = ClaimConfig::new(ConduitId::new("bfcfc993-26b1-b876-44d9-afe75a379dac"), 4)
///     .with_reread_interval(Duration::from_secs(30))
///     .with_grow_to(8);
/// assert_eq!(claim.max_shards, 4);
/// assert_eq!(claim.grow_to, Some(8));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClaimConfig {
    /// The conduit whose shards are claimed.
    pub conduit_id: ConduitId,
    /// How many shards this process wants to hold: 1 to
    /// [`MAX_SHARDS_PER_POOL`](crate::pool::MAX_SHARDS_PER_POOL).
    pub max_shards: usize,
    /// How often the conduit's shards are read again (Get Conduit Shards) to learn whether the
    /// shards this process holds are still its own; at least [`MIN_REREAD_INTERVAL`], 10 s by
    /// default. Two processes never both believe they hold a shard for longer than this interval
    /// plus one read's duration (see [the promise](crate::claim) for how it is counted). Every page of a read (100 shards) is one Helix call against the
    /// app token's rate limit, shared by every process of the app: a large conduit, or many
    /// processes, want a longer interval.
    pub reread_interval: Duration,
    /// `None` (the default): never change the conduit's shard count. `Some(cap)`: when every
    /// shard is held and this process holds fewer than `max_shards`, raise the conduit's
    /// `shard_count` (Update Conduits) to the listing's count plus the shards it lacks, at most
    /// `cap` (itself at most [`MAX_CONDUIT_SHARDS`]). The count is set, never added to, so
    /// processes growing at once do not add up (no runaway), and a process never asks for fewer
    /// shards than its latest listing showed. Update Conduits cannot say "only if the count is
    /// still N", though: a process whose listing predates another's growth may set a count lower
    /// than that one set. The shards cut off are released by their holders at their next read
    /// (Twitch sends their events to the other shards) and the conduit grows again if processes
    /// still lack shards. Give every process the same cap.
    pub grow_to: Option<u32>,
    /// The wait before claiming again after losing a claim to another process, and before
    /// reading again after a failed read: exponential, with jitter from
    /// [`Config::seed`](crate::Config::seed). `max_attempts` is not used (claiming never gives
    /// up) and `healthy_after` neither (a round without conflict resets the wait).
    pub backoff: BackoffConfig,
}

impl ClaimConfig {
    /// Up to `max_shards` shards of `conduit_id`, read again every 10 s, never growing the
    /// conduit, backing off from 1 s doubling up to 60 s.
    pub fn new(conduit_id: ConduitId, max_shards: usize) -> Self {
        Self {
            conduit_id,
            max_shards,
            reread_interval: Duration::from_secs(10),
            grow_to: None,
            backoff: BackoffConfig::new(Duration::from_secs(1), Duration::from_secs(60)),
        }
    }

    /// Reads the conduit's shards again every `interval` (see [`ClaimConfig::reread_interval`]).
    #[must_use]
    pub fn with_reread_interval(mut self, interval: Duration) -> Self {
        self.reread_interval = interval;
        self
    }

    /// May raise the conduit's shard count up to `cap` (see [`ClaimConfig::grow_to`]).
    #[must_use]
    pub fn with_grow_to(mut self, cap: u32) -> Self {
        self.grow_to = Some(cap);
        self
    }

    /// Backs off with `backoff` after a lost claim or a failed read.
    #[must_use]
    pub fn with_backoff(mut self, backoff: BackoffConfig) -> Self {
        self.backoff = backoff;
        self
    }

    /// Whether the values can work; [`Pool::claim_shards`](crate::Pool::claim_shards) checks it.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.max_shards == 0 {
            return Err(ConfigError::ZeroLimit {
                field: "max_shards",
            });
        }
        if self.max_shards > MAX_SHARDS_PER_POOL {
            return Err(ConfigError::TooManyShards {
                count: self.max_shards,
                max: MAX_SHARDS_PER_POOL,
            });
        }
        if self.reread_interval < MIN_REREAD_INTERVAL {
            return Err(ConfigError::DurationTooShort {
                field: "reread_interval",
                min: MIN_REREAD_INTERVAL,
            });
        }
        if self.reread_interval > crate::config::MAX_TIMEOUT {
            return Err(ConfigError::DurationTooLong {
                field: "reread_interval",
                max: crate::config::MAX_TIMEOUT,
            });
        }
        if let Some(cap) = self.grow_to {
            if cap == 0 || cap > MAX_CONDUIT_SHARDS {
                return Err(ConfigError::GrowCapOutOfRange { cap });
            }
        }
        if self.backoff.initial.is_zero() {
            return Err(ConfigError::ZeroDuration {
                field: "claim.backoff.initial",
            });
        }
        for (field, value) in [
            ("claim.backoff.initial", self.backoff.initial),
            ("claim.backoff.max", self.backoff.max),
        ] {
            if value > crate::config::MAX_TIMEOUT {
                return Err(ConfigError::DurationTooLong {
                    field,
                    max: crate::config::MAX_TIMEOUT,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim() -> ClaimConfig {
        ClaimConfig::new(ConduitId::new("c"), 2)
    }

    #[test]
    fn each_bad_value_is_refused_by_name() {
        assert!(claim().validate().is_ok());
        let mut zero = claim();
        zero.max_shards = 0;
        assert!(matches!(
            zero.validate(),
            Err(ConfigError::ZeroLimit {
                field: "max_shards"
            })
        ));
        let mut many = claim();
        many.max_shards = MAX_SHARDS_PER_POOL + 1;
        assert!(matches!(
            many.validate(),
            Err(ConfigError::TooManyShards { .. })
        ));
        let fast = claim().with_reread_interval(Duration::from_millis(999));
        assert!(matches!(
            fast.validate(),
            Err(ConfigError::DurationTooShort {
                field: "reread_interval",
                ..
            })
        ));
        let huge = claim().with_grow_to(MAX_CONDUIT_SHARDS + 1);
        assert!(matches!(
            huge.validate(),
            Err(ConfigError::GrowCapOutOfRange { cap: 20_001 })
        ));
        assert!(claim().with_grow_to(MAX_CONDUIT_SHARDS).validate().is_ok());
        let no_wait =
            claim().with_backoff(BackoffConfig::new(Duration::ZERO, Duration::from_secs(1)));
        assert!(matches!(
            no_wait.validate(),
            Err(ConfigError::ZeroDuration { .. })
        ));
    }
}
