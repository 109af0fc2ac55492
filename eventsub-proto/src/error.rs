//! Typed errors. Twitch misbehaving is reported to the user as an event carrying a [`FrameError`];
//! only misuse by the caller (an unknown connection, a bad config, an impossible subscription) is an `Err`.

use std::time::Duration;

use crate::ids::{ConnId, RequestId};
use crate::subscription::SubscriptionSpec;

/// Why a frame from the server could not be used. The frame is skipped; nothing else is lost.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum FrameError {
    /// The frame is larger than [`Config::max_frame_bytes`](crate::Config::max_frame_bytes).
    #[error("frame of {len} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Size of the frame.
        len: usize,
        /// The configured limit.
        limit: usize,
    },
    /// A binary frame: EventSub only sends JSON text frames.
    #[error("binary frame of {len} bytes; EventSub sends only JSON text frames")]
    Binary {
        /// Size of the frame.
        len: usize,
    },
    /// The bytes are not UTF-8.
    #[error("frame is not valid UTF-8 (valid up to byte {valid_up_to})")]
    InvalidUtf8 {
        /// How many leading bytes were valid.
        valid_up_to: usize,
    },
    /// The text is not JSON, or not shaped like an EventSub message.
    #[error("frame is not a valid EventSub message: {detail} at line {line}, column {column}")]
    InvalidJson {
        /// What serde_json found wrong.
        detail: String,
        /// Line of the error (1-based).
        line: usize,
        /// Column of the error (1-based).
        column: usize,
    },
    /// A field the message type requires is absent or null.
    #[error("`{message_type}` message lacks `{field}`")]
    MissingField {
        /// The `metadata.message_type` of the message.
        message_type: String,
        /// The path of the missing field.
        field: &'static str,
    },
    /// A field holds a value that cannot be used.
    #[error("`{field}` is invalid: {detail}")]
    InvalidField {
        /// The path of the field.
        field: &'static str,
        /// What is wrong with it.
        detail: String,
    },
}

impl From<serde_json::Error> for FrameError {
    fn from(error: serde_json::Error) -> Self {
        // serde_json's message ends with its own " at line L column C"; keep only the cause.
        let full = error.to_string();
        let detail = match full.rfind(" at line ") {
            Some(cut) => full.get(..cut).unwrap_or(&full).to_owned(),
            None => full,
        };
        Self::InvalidJson {
            detail,
            line: error.line(),
            column: error.column(),
        }
    }
}

/// A [`Config`](crate::Config) that cannot work.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Twitch accepts a requested keepalive of 10 to 600 seconds only.
    #[error("keepalive of {seconds} s is outside Twitch's range of 10 to 600 s")]
    KeepaliveOutOfRange {
        /// The requested keepalive in seconds.
        seconds: u64,
    },
    /// The base URL is not a WebSocket URL.
    #[error("base URL `{url}` is not a ws:// or wss:// URL")]
    NotWebSocketUrl {
        /// The URL given.
        url: String,
    },
    /// A limit that must be at least one is zero.
    #[error("`{field}` must be greater than zero")]
    ZeroLimit {
        /// The config field.
        field: &'static str,
    },
    /// A limit is below the least it can work with.
    #[error("`{field}` must be at least {minimum}")]
    LimitTooSmall {
        /// The config field.
        field: &'static str,
        /// The least it may be.
        minimum: usize,
    },
    /// A duration that must be positive is zero.
    #[error("`{field}` must be longer than zero")]
    ZeroDuration {
        /// The config field.
        field: &'static str,
    },
    /// A duration is longer than [`MAX_TIMEOUT`](crate::MAX_TIMEOUT): a deadline that far away
    /// cannot work (near `Duration::MAX` it cannot even be computed).
    #[error("`{field}` must be at most {max:?}")]
    DurationTooLong {
        /// The config field (or builder option).
        field: &'static str,
        /// The longest accepted.
        max: Duration,
    },
    /// A duration is shorter than the least it can work with.
    #[error("`{field}` must be at least {min:?}")]
    DurationTooShort {
        /// The config field.
        field: &'static str,
        /// The shortest accepted.
        min: Duration,
    },
    /// [`ClaimConfig::grow_to`](crate::ClaimConfig::grow_to) is not between 1 and Twitch's limit
    /// of shards per conduit.
    #[error(
        "`grow_to` of {cap} is outside 1 to {}, Twitch's limit of shards per conduit",
        crate::claim::MAX_CONDUIT_SHARDS
    )]
    GrowCapOutOfRange {
        /// The cap asked for.
        cap: u32,
    },
    /// The subscriptions asked for cannot all exist at once.
    #[error(transparent)]
    Subscription(#[from] SubscribeError),
    /// [`Config::max_sessions`](crate::Config::max_sessions) is not between 1 and Twitch's
    /// limit of sessions per user token.
    #[error(
        "`max_sessions` of {sessions} is outside 1 to {}, Twitch's limit of WebSocket connections per user token",
        crate::config::MAX_SESSIONS_PER_TOKEN
    )]
    SessionsOutOfRange {
        /// The number asked for.
        sessions: usize,
    },
    /// More shards than one pool holds.
    #[error(
        "{count} shards in one pool, over the most of {max} (Twitch's limit of shards per conduit)"
    )]
    TooManyShards {
        /// How many were asked for.
        count: usize,
        /// The most a pool holds.
        max: usize,
    },
    /// A shard id given twice to one pool.
    #[error("shard {shard_id} is named twice: one session per shard")]
    DuplicateShard {
        /// The shard id.
        shard_id: u32,
    },
    /// A pool of shards was given a config that names a shard itself
    /// ([`Config::shard`](crate::Config::shard)): the pool gives each session its shard.
    #[error("the config names a shard of its own; a pool of shards gives each session its shard")]
    ShardNamedTwice,
    /// A conduit shard is one session: [`Config::max_sessions`](crate::Config::max_sessions)
    /// must be 1 in shard mode.
    #[error("`max_sessions` of {sessions} in shard mode: a conduit shard is one session")]
    SessionsInShardMode {
        /// The number asked for.
        sessions: usize,
    },
}

/// Why a subscription cannot be added.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SubscribeError {
    /// The same type, version and condition is already wanted.
    #[error("already subscribed to {spec}")]
    AlreadySubscribed {
        /// The subscription asked for twice.
        spec: Box<SubscriptionSpec>,
    },
    /// Twitch allows at most this many enabled subscriptions on one connection.
    #[error("{spec} would exceed the limit of {limit} subscriptions per connection")]
    TooManySubscriptions {
        /// The subscription that does not fit.
        spec: Box<SubscriptionSpec>,
        /// The limit.
        limit: usize,
    },
    /// The token's `max_total_cost` would be exceeded.
    #[error(
        "{spec} (cost {cost}) would bring the total cost to {would_be}, over the maximum of {max_total_cost}"
    )]
    CostLimitExceeded {
        /// The subscription that does not fit.
        spec: Box<SubscriptionSpec>,
        /// Its expected cost.
        cost: u32,
        /// The total cost with it.
        would_be: u32,
        /// The token's maximum.
        max_total_cost: u32,
    },
    /// The validated token lacks a scope the subscription's type needs: Twitch would refuse it.
    #[error("{spec} needs {}", crate::events::scopes::describe_scopes(missing))]
    MissingScope {
        /// The subscription.
        spec: Box<SubscriptionSpec>,
        /// The scope groups the token does not satisfy: any one scope of each group would do.
        missing: Vec<&'static [&'static str]>,
    },
    /// The condition names another user where the type needs the validated token's own (the
    /// moderator, or the user reading chat): Twitch would refuse it.
    #[error("{spec} needs `{field}` to be the token's user {token_user}")]
    NotTokenUser {
        /// The subscription.
        spec: Box<SubscriptionSpec>,
        /// The condition field.
        field: String,
        /// The token's user.
        token_user: String,
    },
    /// Every session a pool may hold is full: the subscription fits on none of them.
    #[error(
        "{spec} does not fit: all {sessions} sessions hold {per_session} subscriptions (Twitch's limits: {} WebSocket connections per user token, {} enabled subscriptions per connection)",
        crate::config::MAX_SESSIONS_PER_TOKEN,
        crate::subscription::MAX_SUBSCRIPTIONS_PER_CONNECTION
    )]
    SessionsFull {
        /// The subscription that does not fit.
        spec: Box<SubscriptionSpec>,
        /// The sessions the pool may hold ([`Config::max_sessions`](crate::Config::max_sessions)).
        sessions: usize,
        /// The subscriptions each may hold
        /// ([`Config::max_subscriptions_per_connection`](crate::Config::max_subscriptions_per_connection)).
        per_session: usize,
    },
    /// The client was shut down or stopped.
    #[error("the client has stopped")]
    Stopped,
    /// A conduit shard ([`Config::shard`](crate::Config::shard)) creates no subscriptions: they
    /// belong to the conduit (create them with the conduit transport, once).
    #[error("{spec}: a conduit shard creates no subscriptions; they belong to the conduit")]
    ShardMode {
        /// The subscription.
        spec: Box<SubscriptionSpec>,
    },
}

/// An input the core cannot accept: the adapter got something wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The connection is not (or no longer) known. Harmless after the core closed it and the adapter
    /// already reported it closed.
    #[error("{conn} is not a connection of this client")]
    UnknownConnection {
        /// The connection named.
        conn: ConnId,
    },
    /// No request with this id is outstanding.
    #[error("{request} is not an outstanding request of this client")]
    UnknownRequest {
        /// The request named.
        request: RequestId,
    },
}
