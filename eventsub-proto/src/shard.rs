//! Conduit shard mode: which shard of which conduit a client is, and what can go wrong assigning
//! its session to it.
//!
//! A conduit is Twitch's way to spread one app's subscriptions over many WebSocket sessions (its
//! shards). A client in shard mode ([`Config::shard`](crate::Config::shard)) holds one session
//! like any client, but with an app access token, and instead of creating subscriptions on each
//! fresh session it asks for the session to be assigned to its shard
//! ([`Output::AssignShard`](crate::Output::AssignShard), Update Conduit Shards). The
//! subscriptions belong to the conduit: they are created once, with the conduit transport, by
//! whoever manages the conduit (`eventsub-helix`'s `ConduitManager`), never by a shard.
//!
//! What Twitch requires of a shard, and what the client does:
//! - **A fresh session** (the first one, or one opened after a drop) is assigned at once, before
//!   Twitch closes it as unused (4003, 10 s after the welcome): an assigned session is a used one.
//!   The core keeps no unused-session timer of its own; should the assignment not land in time,
//!   Twitch's 4003 ends the session, the client reconnects at once (as for any 4003) and the
//!   fresh session is assigned in its turn. A handover that outlived its old socket is taken for a
//!   fresh session too: it is assigned again (harmless when the shard still points at it).
//! - **A graceful `session_reconnect`** moves the session, and the shard with it: Twitch's shard
//!   keeps pointing at the same session id, so nothing is re-assigned.
//! - **A drop** disables the shard at Twitch (`conduit.shard.disabled`); the fresh session that
//!   follows is assigned again. The gap is reported as for any client
//!   ([`Event::Disconnected`](crate::Event::Disconnected) …
//!   [`Event::Resumed`](crate::Event::Resumed)); it ends when the shard is assigned on the fresh
//!   session, since before that Twitch sends this shard's share to the other shards, or nowhere.
//! - **A refused assignment** is reported as [`Event::ShardFailed`](crate::Event::ShardFailed)
//!   with Twitch's per-shard `code` and `message` (or the request's error). One that may pass (a
//!   session Twitch does not see as connected yet, an internal error, Helix unavailable) is
//!   retried with backoff on the live session while it lasts; one that will not
//!   ([`ShardAssignError::is_permanent`]: the shard id is outside the conduit, the conduit does not
//!   exist, the request is malformed or forbidden) stops the client with
//!   [`StopReason::ShardRefused`](crate::StopReason::ShardRefused): no reconnect can fix it.

use crate::ids::ConduitId;
use crate::io::RequestError;

/// Which shard of which conduit a client is ([`Config::shard`](crate::Config::shard)).
///
/// ```
/// use eventsub_proto::{ConduitId, Config, ShardConfig};
/// let mut config = Config::default();
/// config.shard = Some(ShardConfig::new(ConduitId::new("bfcfc993-26b1-b876-44d9-afe75a379dac"), 3));
/// assert_eq!(config.shard.as_ref().map(|shard| shard.shard_id), Some(3));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct ShardConfig {
    /// The conduit.
    pub conduit_id: ConduitId,
    /// The shard's id in it: `0` to the conduit's `shard_count - 1`.
    pub shard_id: u32,
}

impl ShardConfig {
    /// Shard `shard_id` of conduit `conduit_id`.
    pub fn new(conduit_id: ConduitId, shard_id: u32) -> Self {
        Self {
            conduit_id,
            shard_id,
        }
    }
}

/// Twitch's message for a shard id past the conduit's shard count (Update Conduit Shards).
pub const SHARD_OUT_OF_RANGE_MESSAGE: &str = "The shard id is outside of the conduit's range.";

/// Why a shard was not assigned to the session ([`Input::ShardAssigned`](crate::Input::ShardAssigned)).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum ShardAssignError {
    /// Update Conduit Shards answered, and listed this shard under `errors`: Twitch's `code` and
    /// `message`, as sent.
    #[error("Twitch refused the shard ({code}): {message}")]
    Refused {
        /// Twitch's error code.
        code: String,
        /// Twitch's explanation.
        message: String,
    },
    /// The request as a whole failed (404: no such conduit; 401: the token; 5xx, timeouts).
    #[error("the shard update failed: {0}")]
    Request(RequestError),
}

/// The most characters of a refusal's `code` and `message` that are kept.
pub const MAX_REFUSAL_CHARS: usize = 512;

impl ShardAssignError {
    /// Twitch's refusal of the shard with `code` and `message`, each kept to its first
    /// [`MAX_REFUSAL_CHARS`] characters (they come from the network, and every retry reports them).
    ///
    /// ```
    /// use eventsub_proto::ShardAssignError;
    /// let refused = ShardAssignError::refused(
    ///     "invalid_shard_id",
    ///     "The shard id is outside of the conduit's range.",
    /// );
    /// assert!(refused.is_permanent());
    /// let busy = ShardAssignError::refused("websocket_session_not_connected", "The websocket session is not connected.");
    /// assert!(!busy.is_permanent());
    /// ```
    pub fn refused(code: impl Into<String>, message: impl Into<String>) -> Self {
        let bounded = |text: String| {
            if text.chars().count() > MAX_REFUSAL_CHARS {
                text.chars().take(MAX_REFUSAL_CHARS).collect()
            } else {
                text
            }
        };
        Self::Refused {
            code: bounded(code.into()),
            message: bounded(message.into()),
        }
    }

    /// Whether trying again (on this session or a fresh one) cannot help: the shard id is outside
    /// the conduit (Twitch's message [`SHARD_OUT_OF_RANGE_MESSAGE`], or a code naming an invalid
    /// shard id), or the request failed with 400 (malformed: a conduit id Twitch cannot read),
    /// 403 (the token may not manage this conduit) or 404 (no such conduit). Anything else (a
    /// session Twitch does not see yet, an internal error, a rate limit, 5xx) may pass.
    pub fn is_permanent(&self) -> bool {
        match self {
            Self::Refused { code, message } => {
                message == SHARD_OUT_OF_RANGE_MESSAGE || code.contains("invalid_shard")
            }
            Self::Request(RequestError::Rejected { status, .. }) => {
                matches!(status, 400 | 403 | 404)
            }
            Self::Request(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusals_code_and_message_are_kept_to_their_bound() {
        let long = "é".repeat(MAX_REFUSAL_CHARS + 10);
        let ShardAssignError::Refused { code, message } = ShardAssignError::refused(&*long, &*long)
        else {
            panic!("a refusal");
        };
        assert_eq!(code.chars().count(), MAX_REFUSAL_CHARS);
        assert_eq!(message.chars().count(), MAX_REFUSAL_CHARS);
        let short = ShardAssignError::refused("invalid_shard_id", "out of range");
        assert!(
            matches!(short, ShardAssignError::Refused { code, .. } if code == "invalid_shard_id")
        );
    }
}
