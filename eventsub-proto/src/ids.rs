//! Identifier newtypes: one type per kind of id, so a session id can never be passed as a subscription id.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The parts every string id shares: the type, `new`, `as_str`, `Display`, `Debug` and serde as a
/// plain string.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id received from Twitch or chosen by the caller.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as Twitch spells it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }
    };
}

/// An id the protocol hands around (sessions, subscriptions): converts from any string.
macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        id_type!($(#[$doc])* $name);

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }
    };
}

/// An id with a role in a subscription's condition: made from a string only by its `new`, so two
/// bare strings can never land in each other's place. Converts from a reference to itself, so one
/// id can go into several builders without a clone at each call.
macro_rules! role_id {
    ($(#[$doc:meta])* $name:ident) => {
        id_type!(
            $(#[$doc])*
            ///
            /// Built explicitly from text (there is no `From<&str>`), so a builder's arguments cannot be
            /// swapped without the compiler noticing.
            $name
        );

        impl From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }
    };
}

string_id!(
    /// The id of a WebSocket session, from `payload.session.id` of a `session_welcome`.
    SessionId
);
string_id!(
    /// The id Twitch gave an EventSub subscription when it was created.
    SubscriptionId
);

// The ids a subscription's condition names, one type per role.
role_id!(
    /// The id of an EventSub conduit (in `conduit.shard.disabled` conditions and conduit transports).
    ConduitId
);
role_id!(
    /// The user id of the broadcaster a subscription is about: `broadcaster_user_id` (and
    /// `from_broadcaster_user_id` / `to_broadcaster_user_id` of `channel.raid`) in a condition.
    BroadcasterId
);
role_id!(
    /// The user id of the moderator whose authorization a subscription uses: `moderator_user_id` in
    /// a condition (the broadcaster's own id when the broadcaster's token subscribes).
    ModeratorId
);
role_id!(
    /// The user id a subscription reads as or about: `user_id` in a condition (the chat reader of
    /// `channel.chat.*`, the user of `user.update` and `user.whisper.message`).
    ///
    /// Not [`events::UserId`](crate::events::UserId), which is any user id read from an event,
    /// borrowed from its text.
    UserId
);
role_id!(
    /// The id of a custom Channel Points reward: `reward_id` in a condition.
    RewardId
);
role_id!(
    /// The client id of a Twitch application: `client_id` in a `conduit.shard.disabled` condition.
    ClientId
);

/// The `message_id` of a message from Twitch, used to drop duplicates.
///
/// Twitch sends UUIDs; those are kept as their 16 bytes so remembering one allocates nothing (a
/// [`Uuid`](crate::Uuid), not a `u128`: its alignment of 1 keeps every event that carries an id
/// small enough to be moved without a call to `memcpy`). Anything else (a mock server's ids, say)
/// is kept as text, shared by every event of the message (the items of a batch) rather than
/// copied into each.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum MessageId {
    /// A UUID.
    Uuid(uuid::Uuid),
    /// An id that is not a UUID, as sent.
    Other(std::sync::Arc<str>),
}

impl MessageId {
    /// Reads a message id as sent by Twitch.
    pub fn parse(id: &str) -> Self {
        match uuid::Uuid::try_parse(id) {
            Ok(uuid) => Self::Uuid(uuid),
            Err(_) => Self::Other(id.into()),
        }
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Uuid(value) => fmt::Display::fmt(&value.hyphenated(), f),
            Self::Other(text) => f.write_str(text),
        }
    }
}

/// As the id Twitch sent (a UUID in its hyphenated form).
#[cfg(feature = "serde")]
impl Serialize for MessageId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Debug for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MessageId({self})")
    }
}

/// Names one connection of a [`Client`](crate::Client). Minted by the core; an adapter can only copy
/// the ones it was given, never make one up.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(u64);

/// Where the session index of a [`Pool`](crate::Pool) member sits in the ids it mints: the top 16
/// bits, so a pool routes an input by its id alone and a lone client's ids are plain counters.
const SESSION_SHIFT: u32 = 48;

/// The session index of the requests a [`Pool`](crate::Pool) makes itself, for all its sessions
/// (a batch of shard assignments, a read of the conduit's shards): no member has it, since a pool
/// holds at most [`MAX_SHARDS_PER_POOL`](crate::MAX_SHARDS_PER_POOL) sessions.
pub(crate) const POOL_SESSION: u16 = u16::MAX;

/// The first value of the id counters of the pool member with this session index.
pub(crate) fn counter_base(session: u16) -> u64 {
    u64::from(session) << SESSION_SHIFT
}

/// The session index an id was minted for (see [`counter_base`]).
fn session_of(id: u64) -> usize {
    usize::from((id >> SESSION_SHIFT) as u16)
}

impl ConnId {
    pub(crate) fn next(counter: &mut u64) -> Self {
        *counter += 1;
        Self(*counter)
    }

    /// Which session of a [`Pool`](crate::Pool) this connection belongs to: 0 for the first (and
    /// for every connection of a client that is not pooled), 1 and 2 for the sessions a pool
    /// opens when the first is full. Every event that names a connection says this way which
    /// session it came from.
    ///
    /// ```
    /// use std::time::Instant;
    /// use eventsub_proto::{Config, Output, Pool};
    /// let mut config = Config::default();
    /// config.validate_token = false;
    /// config.subscriptions.push(eventsub_proto::SubscriptionSpec::new("stream.online", "1"));
    /// let mut pool = Pool::new(config, Instant::now())?;
    /// let Some(Output::Connect { conn, .. }) = pool.poll_output() else { unreachable!() };
    /// assert_eq!(conn.session_index(), 0);
    /// # Ok::<(), eventsub_proto::ConfigError>(())
    /// ```
    pub fn session_index(&self) -> usize {
        session_of(self.0)
    }
}

/// As its number (the `3` of `conn#3`).
#[cfg(feature = "serde")]
impl Serialize for ConnId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.0)
    }
}

/// `conn#3`, or `conn#1.3` for the third connection of a pool's second session.
impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_id(f, "conn", self.0)
    }
}

/// `{kind}#{counter}`, with the pool session in front of the counter when it is not the first.
fn write_id(f: &mut fmt::Formatter<'_>, kind: &str, id: u64) -> fmt::Result {
    let counter = id & (counter_base(1) - 1);
    match session_of(id) {
        0 => write!(f, "{kind}#{counter}"),
        session => write!(f, "{kind}#{session}.{counter}"),
    }
}

impl fmt::Debug for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Names one request (a Helix call) the core asked the adapter to make; the result comes back with it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(u64);

impl RequestId {
    pub(crate) fn next(counter: &mut u64) -> Self {
        *counter += 1;
        Self(*counter)
    }

    /// Which session of a [`Pool`](crate::Pool) asked for this request (see
    /// [`ConnId::session_index`]).
    pub fn session_index(&self) -> usize {
        session_of(self.0)
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_id(f, "request", self.0)
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_message_ids_are_stored_as_bytes_and_print_as_sent() {
        let id = MessageId::parse("befa7b53-d79d-478f-86b9-120f112b044e");
        assert!(matches!(id, MessageId::Uuid(_)));
        assert_eq!(id.to_string(), "befa7b53-d79d-478f-86b9-120f112b044e");
    }

    /// An event is moved several times on its way to the consumer (out of the core's queue, into
    /// the channel, out of it): at 128 bytes or less the compiler moves it inline, above that
    /// each move is a call to `memcpy` (a `u128` id made it 144, for its alignment of 16).
    #[cfg(target_pointer_width = "64")]
    #[test]
    fn an_event_with_its_message_id_stays_within_128_bytes() {
        assert_eq!(std::mem::align_of::<MessageId>(), 8);
        assert!(std::mem::size_of::<crate::Event>() <= 128);
        assert!(std::mem::size_of::<crate::Output>() <= 128);
    }

    #[test]
    fn other_message_ids_are_kept_as_text() {
        let id = MessageId::parse("mock-17");
        assert_eq!(id, MessageId::Other("mock-17".into()));
        assert_eq!(id.to_string(), "mock-17");
    }
}

/// Ids as a pool's sessions mint them, for the core's own tests.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::{ConnId, counter_base};

    /// The `n`th connection of session `session`.
    pub(crate) fn conn(session: u16, n: u64) -> ConnId {
        ConnId(counter_base(session) + n)
    }
}
