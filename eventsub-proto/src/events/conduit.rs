//! `conduit.shard.disabled`: Twitch disabled a shard of a conduit.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::common::{Timestamp, optional_text, rfc3339, string_enum};
use crate::subscription::SubscriptionStatus;

/// `conduit.shard.disabled`: a shard's transport failed, so Twitch disabled it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConduitShardDisabled<'a> {
    /// The conduit id.
    #[serde(borrow)]
    pub conduit_id: Cow<'a, str>,
    /// The shard id.
    #[serde(borrow)]
    pub shard_id: Cow<'a, str>,
    /// Why it was disabled (a subscription status such as `websocket_disconnected`).
    pub status: SubscriptionStatus,
    /// The shard's transport.
    #[serde(borrow)]
    pub transport: ShardTransport<'a>,
}

string_enum! {
    /// How a shard receives notifications.
    ShardMethod {
        /// A webhook.
        Webhook => "webhook",
        /// A WebSocket session.
        Websocket => "websocket",
    }
}

/// The transport of a conduit shard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShardTransport<'a> {
    /// Webhook or WebSocket.
    pub method: ShardMethod,
    /// For a webhook, its callback URL.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub callback: Option<Cow<'a, str>>,
    /// For a WebSocket, its session id.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub session_id: Option<Cow<'a, str>>,
    /// For a WebSocket, when it connected.
    #[serde(default, with = "rfc3339::option")]
    pub connected_at: Option<Timestamp>,
    /// For a WebSocket, when it disconnected.
    #[serde(default, with = "rfc3339::option")]
    pub disconnected_at: Option<Timestamp>,
}
