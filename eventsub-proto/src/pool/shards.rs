//! Several shards of one conduit in one pool: one session each, one stream of events, one
//! duplicate filter over all of them (Twitch may send a notification again on another shard when
//! the first could not take it).

use std::time::Instant;

use super::{Kind, Pool};
use crate::client::Client;
use crate::config::Config;
use crate::error::ConfigError;
use crate::event::StopReason;
use crate::ids::ConduitId;
use crate::shard::ShardConfig;

/// The most shards one pool holds: Twitch's limit of shards per conduit.
pub const MAX_SHARDS_PER_POOL: usize = 20_000;

impl Pool {
    /// Shards `shard_ids` of conduit `conduit_id`, one WebSocket session each, as one client
    /// (see [`crate::shard`] for one shard's behaviour): each fresh session is assigned to its
    /// shard, the token (an app access token) is validated once for all of them at a time, the
    /// events of every shard come out of one stream (each names its connection, whose
    /// [`ConnId::session_index`](crate::ConnId::session_index) is the shard's place in
    /// `shard_ids`), and a notification Twitch sends again on another shard is delivered once.
    /// A shard Twitch refuses for good stops alone ([`Event::ShardFailed`](crate::Event::ShardFailed)
    /// then nothing more from it); the pool's one [`Event::Stopped`](crate::Event::Stopped) comes
    /// when every shard has stopped, or at once for the whole pool when the token is refused.
    /// [`Pool::shard_id`] names the shard of an event's session (its connection's
    /// [`ConnId::session_index`](crate::ConnId::session_index), or
    /// [`Gap::session`](crate::Gap::session)).
    ///
    /// The sessions' assignments go out together: one
    /// [`Output::AssignShards`](crate::Output::AssignShards) per
    /// [`MAX_SHARDS_PER_ASSIGNMENT`](crate::MAX_SHARDS_PER_ASSIGNMENT) shards, each held at most
    /// [`Config::shard_assign_window`] before it goes out.
    ///
    /// `config` must not name a shard or subscriptions itself (they belong to the conduit).
    ///
    /// ```
    /// use std::time::Instant;
    /// use eventsub_proto::{ConduitId, Config, Output, Pool};
    /// let mut config = Config::default();
    /// config.validate_token = false;
    /// let conduit = ConduitId::new("bfcfc993-26b1-b876-44d9-afe75a379dac");
    /// let mut pool = Pool::conduit_shards(config, conduit, 0..3, Instant::now())?;
    /// let connects = std::iter::from_fn(|| pool.poll_output())
    ///     .filter(|output| matches!(output, Output::Connect { .. }))
    ///     .count();
    /// assert_eq!(connects, 3);
    /// assert_eq!(pool.shard_id(1), Some(1));
    /// # Ok::<(), eventsub_proto::ConfigError>(())
    /// ```
    pub fn conduit_shards(
        config: Config,
        conduit_id: ConduitId,
        shard_ids: impl IntoIterator<Item = u32>,
        now: Instant,
    ) -> Result<Self, ConfigError> {
        config.validate()?;
        let shard_ids: Vec<u32> = shard_ids.into_iter().collect();
        if shard_ids.is_empty() {
            return Err(ConfigError::ZeroLimit { field: "shard_ids" });
        }
        if shard_ids.len() > MAX_SHARDS_PER_POOL {
            return Err(ConfigError::TooManyShards {
                count: shard_ids.len(),
                max: MAX_SHARDS_PER_POOL,
            });
        }
        if config.shard.is_some() {
            return Err(ConfigError::ShardNamedTwice);
        }
        let mut sorted = shard_ids.clone();
        sorted.sort_unstable();
        if let Some(pair) = sorted.windows(2).find(|pair| pair.first() == pair.get(1)) {
            return Err(ConfigError::DuplicateShard {
                shard_id: pair.first().copied().unwrap_or_default(),
            });
        }
        let mut members = Vec::with_capacity(shard_ids.len());
        for (index, shard_id) in shard_ids.into_iter().enumerate() {
            let config = Config {
                shard: Some(ShardConfig::new(conduit_id.clone(), shard_id)),
                // The pool's filter across the shards sees every message, a handover's overlap
                // on one shard included: each shard keeps one entry, not a window of its own
                // (a thousand windows would cost more memory than the sockets).
                dedup_max_entries: 1,
                dedup_max_bytes: crate::dedup::BYTES_PER_ENTRY,
                ..config.clone()
            };
            members.push(Client::in_session(
                config,
                now,
                super::session_number(index),
            )?);
        }
        Ok(Self::of(config, members, Kind::Shards, now))
    }

    /// The conduit shard session `session_index` holds (the index an event names: its
    /// connection's [`ConnId::session_index`](crate::ConnId::session_index), or
    /// [`Gap::session`](crate::Gap::session)); `None` for a session that is no shard, or no
    /// session of the pool.
    ///
    /// ```
    /// use std::time::Instant;
    /// use eventsub_proto::{ConduitId, Config, Pool};
    /// let conduit = ConduitId::new("bfcfc993-26b1-b876-44d9-afe75a379dac");
    /// let pool = Pool::conduit_shards(Config::default(), conduit, [40, 7], Instant::now())?;
    /// assert_eq!(pool.shard_id(0), Some(40));
    /// assert_eq!(pool.shard_id(1), Some(7));
    /// assert_eq!(pool.shard_id(2), None);
    /// # Ok::<(), eventsub_proto::ConfigError>(())
    /// ```
    pub fn shard_id(&self, session_index: usize) -> Option<u32> {
        match &self.claims {
            // A claiming pool's session holds its shard only while the claim lasts.
            Some(claims) => claims.shard_of(session_index),
            None => Some(self.members.get(session_index)?.shard()?.shard_id),
        }
    }
}

/// Whether a shard that stopped for `reason` leaves the pool's other shards running: the shard
/// itself will not come back (refused for good, or out of attempts); anything else (the token,
/// a fatal close) is everyone's.
pub(super) fn stops_alone(reason: &StopReason) -> bool {
    matches!(
        reason,
        StopReason::ShardRefused { .. } | StopReason::GaveUp { .. }
    )
}
