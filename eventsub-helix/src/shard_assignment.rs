//! Assigning many conduit shards at once: Update Conduit Shards in batches, paced by the
//! rate-limit bucket, with every shard's outcome reported on its own.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use eventsub_proto::{ConduitId, SessionId};

use crate::HelixClient;
use crate::conduits::{ConduitShard, ShardUpdate};
use crate::error::{HelixError, RateLimit};
use crate::subscriptions::TransportRequest;

/// How [`ConduitManager::assign`](crate::ConduitManager::assign) batches and paces its calls.
///
/// ```
/// use std::time::Duration;
/// use eventsub_helix::AssignOptions;
/// let options = AssignOptions::default().batch_size(250).min_remaining(20);
/// assert_eq!(options.batch_size_value(), 250);
/// # let _ = Duration::ZERO;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AssignOptions {
    batch_size: usize,
    min_remaining: u32,
    max_pause: Duration,
}

/// Shards per Update Conduit Shards call unless configured. Twitch's reference gives no maximum;
/// 100 keeps one request body near 10 KiB and 1,000 shards at 10 calls.
pub const DEFAULT_SHARD_BATCH: usize = 100;

impl Default for AssignOptions {
    fn default() -> Self {
        Self {
            batch_size: DEFAULT_SHARD_BATCH,
            min_remaining: 10,
            max_pause: Duration::from_secs(60),
        }
    }
}

impl AssignOptions {
    /// Shards per call (at least 1).
    #[must_use]
    pub fn batch_size(mut self, shards: usize) -> Self {
        self.batch_size = shards.max(1);
        self
    }

    /// The configured shards per call.
    pub fn batch_size_value(&self) -> usize {
        self.batch_size
    }

    /// Before the next call, wait for the bucket's reset when at most this many points are left
    /// (other work of the same token keeps the rest).
    #[must_use]
    pub fn min_remaining(mut self, points: u32) -> Self {
        self.min_remaining = points;
        self
    }

    /// The longest one such wait (a reset further away than this is waited for this long).
    #[must_use]
    pub fn max_pause(mut self, pause: Duration) -> Self {
        self.max_pause = pause;
        self
    }

    /// How long to wait before the next call, given the bucket as last seen.
    pub fn pause_before_next(&self, bucket: Option<RateLimit>, now: SystemTime) -> Duration {
        match bucket {
            Some(bucket)
                if bucket
                    .remaining
                    .is_some_and(|left| left <= self.min_remaining) =>
            {
                bucket.wait_until_reset(now).min(self.max_pause)
            }
            _ => Duration::ZERO,
        }
    }
}

/// Why one shard was not assigned.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ShardFailureReason {
    /// Twitch refused this shard (the answer's `errors`), such as a session that is not
    /// connected; `code` and `message` are Twitch's.
    Refused {
        /// Twitch's error code.
        code: String,
        /// Twitch's explanation.
        message: String,
    },
    /// The request carrying this shard failed as a whole (after the client's retries).
    RequestFailed(Arc<HelixError>),
    /// Not sent: an earlier request of the same run failed as a whole.
    NotAttempted,
    /// Twitch's answer listed the shard neither as updated nor as failed.
    Unanswered,
}

/// One shard that was not assigned, and why.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ShardFailure {
    /// The shard id.
    pub shard_id: u32,
    /// Why.
    pub reason: ShardFailureReason,
}

/// What a bulk assignment did, shard by shard.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct AssignmentReport {
    /// The shards assigned, as Twitch reported them after the update.
    pub assigned: Vec<ConduitShard>,
    /// The shards not assigned.
    pub failed: Vec<ShardFailure>,
    /// How many Update Conduit Shards calls were made.
    pub requests: u32,
    /// How long the run waited for the rate-limit bucket.
    pub paused: Duration,
}

impl AssignmentReport {
    /// Whether every shard asked for was assigned.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty()
    }

    /// The ids of the shards not assigned, in order.
    pub fn failed_ids(&self) -> Vec<u32> {
        self.failed.iter().map(|failure| failure.shard_id).collect()
    }
}

/// Runs one bulk assignment of websocket sessions to shards of `conduit_id`.
pub(crate) async fn assign(
    client: &HelixClient,
    conduit_id: &ConduitId,
    assignments: &[(u32, SessionId)],
    options: &AssignOptions,
) -> AssignmentReport {
    let mut report = AssignmentReport::default();
    let mut batches = assignments.chunks(options.batch_size.max(1));
    for batch in batches.by_ref() {
        if report.requests > 0 {
            let pause = options.pause_before_next(client.rate_limit(), SystemTime::now());
            if !pause.is_zero() {
                tracing::debug!(?pause, "conduit shard assignment waits for the rate limit");
                tokio::time::sleep(pause).await;
                report.paused += pause;
            }
        }
        let updates: Vec<ShardUpdate> = batch
            .iter()
            .map(|(shard_id, session_id)| {
                ShardUpdate::new(*shard_id, TransportRequest::websocket(session_id.clone()))
            })
            .collect();
        report.requests += 1;
        match client.update_conduit_shards(conduit_id, &updates).await {
            Ok(answer) => {
                let mut pending: BTreeSet<u32> = batch.iter().map(|(id, _)| *id).collect();
                for shard in answer.updated {
                    if shard.id.parse().is_ok_and(|id: u32| pending.remove(&id)) {
                        report.assigned.push(shard);
                    }
                }
                for error in answer.errors {
                    let Some(shard_id) = error.id.parse().ok().filter(|id| pending.remove(id))
                    else {
                        continue;
                    };
                    let reason = ShardFailureReason::Refused {
                        code: error.code,
                        message: error.message,
                    };
                    report.failed.push(ShardFailure { shard_id, reason });
                }
                report
                    .failed
                    .extend(pending.into_iter().map(|shard_id| ShardFailure {
                        shard_id,
                        reason: ShardFailureReason::Unanswered,
                    }));
            }
            Err(error) => {
                let error = Arc::new(error);
                report
                    .failed
                    .extend(batch.iter().map(|(shard_id, _)| ShardFailure {
                        shard_id: *shard_id,
                        reason: ShardFailureReason::RequestFailed(error.clone()),
                    }));
                break;
            }
        }
    }
    for (shard_id, _) in batches.flatten() {
        report.failed.push(ShardFailure {
            shard_id: *shard_id,
            reason: ShardFailureReason::NotAttempted,
        });
    }
    report
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn a_bucket_with_points_left_means_no_pause() {
        let options = AssignOptions::default().min_remaining(10);
        let bucket = RateLimit::default().with_remaining(11).with_reset(1_030);
        assert_eq!(
            options.pause_before_next(Some(bucket), at(1_000)),
            Duration::ZERO
        );
        assert_eq!(options.pause_before_next(None, at(1_000)), Duration::ZERO);
    }

    #[test]
    fn a_nearly_empty_bucket_waits_for_its_reset_up_to_the_cap() {
        let options = AssignOptions::default()
            .min_remaining(10)
            .max_pause(Duration::from_secs(20));
        let soon = RateLimit::default().with_remaining(10).with_reset(1_005);
        assert_eq!(
            options.pause_before_next(Some(soon), at(1_000)),
            Duration::from_secs(5)
        );
        let far = RateLimit::default().with_remaining(0).with_reset(1_600);
        assert_eq!(
            options.pause_before_next(Some(far), at(1_000)),
            Duration::from_secs(20)
        );
        let past = RateLimit::default().with_remaining(0).with_reset(900);
        assert_eq!(
            options.pause_before_next(Some(past), at(1_000)),
            Duration::ZERO
        );
    }

    #[test]
    fn batch_size_is_at_least_one() {
        assert_eq!(AssignOptions::default().batch_size(0).batch_size_value(), 1);
    }
}
