//! Events for the user: what happened, including what the protocol would otherwise hide (gaps).

use std::time::{Duration, Instant, SystemTime};

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::close::CloseCode;
use crate::error::FrameError;
use crate::ids::{ConnId, MessageId, SessionId, SubscriptionId};
use crate::io::{Created, RequestError};
#[cfg(feature = "serde")]
use crate::serialize::{option_rfc3339, option_secs, request_error, secs};
use crate::subscription::{Subscription, SubscriptionSpec};

/// Something the user should know about.
///
/// # Serialization (feature `serde`)
///
/// With the `serde` feature, an event serializes as one flat object named by `type` (the variant in
/// snake case), for logging or forwarding as JSON lines:
///
/// ```json
/// {"type":"notification","conn":1,"message_id":"befa7b53-d79d-478f-86b9-120f112b044e",
///  "message_timestamp":"2023-11-06T18:11:47.492253549Z","subscription_type":"channel.follow",
///  "subscription_version":"2","batch_item_id":null,"subscription":{"id":"…"},"event":{"user_id":"…"}}
/// {"type":"disconnected","conn":1,"cause":{"kind":"closed","code":4007,"reason":""},"retry_in_secs":0.0}
/// {"type":"resumed","gap":{"duration_secs":1.25,"last_frame_before":"2023-11-06T18:11:47.492253549Z"}}
/// ```
///
/// - A [`Notification`] carries its metadata and its subscription and event as raw JSON, exactly
///   as Twitch sent them (objects, not strings).
/// - Nested enums (causes, reasons, errors) are objects named by `kind`.
/// - Durations are seconds as a number, in fields whose names end in `_secs`.
/// - Wall-clock times ([`SystemTime`]) are RFC 3339 strings in UTC, as Twitch writes its own.
/// - An [`Instant`] means nothing outside the process that took it, and the core never reads a
///   clock, so it has no wall time to pair with one. Where an event holds one, what serializes is
///   a span that does not depend on the clock: [`Event::Disconnected`] and
///   [`Event::ConnectFailed`] carry `retry_in` beside `retry_at` (the wait from the moment the
///   event was made), and a [`Gap`] gives its duration beside `last_frame_before`, the wall time
///   to catch up from. `retry_at`, and a gap's `began` and `ended`, are left out.
#[derive(Clone, Debug)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "type", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Event {
    /// A fresh session is up; its subscriptions are being created.
    SessionReady {
        /// The connection.
        conn: ConnId,
        /// The session id.
        session_id: SessionId,
        /// The keepalive Twitch keeps on it.
        #[cfg_attr(
            feature = "serde",
            serde(rename = "keepalive_secs", serialize_with = "secs")
        )]
        keepalive: Duration,
    },
    /// An event from a subscription.
    Notification(Notification),
    /// Twitch ended a subscription; it will not be re-created.
    Revocation(Box<Revocation>),
    /// A graceful handover to a new connection completed: nothing resubscribed, the new socket
    /// carries the session. The old one is still read until the server answers its close; should
    /// it break first, what it still carried is lost, and a [`Event::Resumed`] reports that gap.
    Reconnected {
        /// The new connection.
        conn: ConnId,
        /// Its session id.
        session_id: SessionId,
    },
    /// The live session was lost: a gap began. Twitch does not replay what it sends while nobody
    /// listens; [`Event::Resumed`] says when the gap ended.
    Disconnected {
        /// The connection that was lost.
        conn: ConnId,
        /// Why.
        cause: DisconnectCause,
        /// When the next connection attempt starts; `None` when one is already under way or the
        /// client stops.
        #[cfg_attr(feature = "serde", serde(skip))]
        retry_at: Option<Instant>,
        /// The same moment as `retry_at`, as the wait from when this event was made: what a log
        /// or another process can use (an `Instant` means nothing outside this one).
        #[cfg_attr(
            feature = "serde",
            serde(rename = "retry_in_secs", serialize_with = "option_secs")
        )]
        retry_in: Option<Duration>,
    },
    /// A new connection failed before its session was up.
    ConnectFailed {
        /// The connection.
        conn: ConnId,
        /// Why.
        cause: DisconnectCause,
        /// When the next attempt starts; `None` when the client stops.
        #[cfg_attr(feature = "serde", serde(skip))]
        retry_at: Option<Instant>,
        /// `retry_at` as the wait from when this event was made, as in [`Event::Disconnected`].
        #[cfg_attr(
            feature = "serde",
            serde(rename = "retry_in_secs", serialize_with = "option_secs")
        )]
        retry_in: Option<Duration>,
    },
    /// A gap is over: events Twitch sent in it may be missing; catch up over Helix from
    /// [`Gap::last_frame_before`]. Usually the subscriptions were re-created after a
    /// [`Event::Disconnected`]; it also comes alone when a fresh session had to replace a live one,
    /// or when the old socket of a handover broke before it was drained.
    Resumed {
        /// The gap.
        gap: Gap,
    },
    /// A subscription was created.
    SubscriptionCreated {
        /// What was asked for.
        spec: Box<SubscriptionSpec>,
        /// Twitch's answer.
        created: Created,
    },
    /// A subscription already existed (409), which is as good as created.
    SubscriptionAlreadyExists {
        /// What was asked for.
        spec: Box<SubscriptionSpec>,
    },
    /// A subscription could not be created; the others go on.
    SubscriptionFailed {
        /// What was asked for.
        spec: Box<SubscriptionSpec>,
        /// Why.
        reason: SubscriptionFailure,
    },
    /// Deleting a subscription failed.
    UnsubscribeFailed {
        /// The subscription.
        id: SubscriptionId,
        /// Why.
        error: RequestError,
    },
    /// A notification was received but deliberately not delivered.
    Dropped {
        /// The connection.
        conn: ConnId,
        /// The message.
        message_id: MessageId,
        /// Why.
        reason: DropReason,
    },
    /// A frame could not be used; it was skipped and nothing else was lost.
    MalformedFrame {
        /// The connection.
        conn: ConnId,
        /// What was wrong.
        error: FrameError,
    },
    /// A message of a type this version does not know; ignored.
    UnknownMessage {
        /// The connection.
        conn: ConnId,
        /// Its `message_type`.
        message_type: String,
    },
    /// A known message where the protocol does not allow it (a second welcome, say); ignored.
    UnexpectedMessage {
        /// The connection.
        conn: ConnId,
        /// Its `message_type`.
        message_type: String,
        /// Why it is unexpected.
        detail: &'static str,
    },
    /// A `session_reconnect` URL the client will not follow (not `wss://`, or not a URL). The
    /// current session stays up until Twitch closes it; then a fresh connection is made.
    ReconnectUrlRejected {
        /// The connection.
        conn: ConnId,
        /// The URL as sent.
        url: String,
        /// Why.
        reason: String,
    },
    /// The application read events more slowly than they came, the adapter's bounded buffer
    /// overflowed and its overflow policy is to discard: `missed` events were discarded since the
    /// last report — notifications and per-frame reports ([`Event::is_discardable`]), never a
    /// lifecycle event. Never produced by the core itself; adapters emit it in-band (built by a
    /// [`LagTally`]), before the next event that fits, so a gap in the stream is never silent.
    Lagged {
        /// Events discarded since the previous `Lagged`.
        missed: u64,
        /// `message_timestamp` (Twitch's clock) of the first notification discarded; `None` when
        /// no discarded notification had a readable one.
        #[cfg_attr(feature = "serde", serde(serialize_with = "option_rfc3339"))]
        first_sent: Option<SystemTime>,
        /// `message_timestamp` of the last notification discarded: with `first_sent`, the
        /// wall-clock range to catch up over Helix.
        #[cfg_attr(feature = "serde", serde(serialize_with = "option_rfc3339"))]
        last_sent: Option<SystemTime>,
    },
    /// The client stopped for good; no more events follow.
    Stopped {
        /// Why.
        reason: StopReason,
    },
}

/// A notification: one event of one subscription.
///
/// Everything it carries shares one allocation, and the event stays JSON text until
/// [`Notification::decode`] is called: delivering a notification costs a single allocation.
#[derive(Clone)]
pub struct Notification {
    conn: ConnId,
    message_id: MessageId,
    /// `message_timestamp`, `subscription_type`, `subscription_version`, the subscription JSON,
    /// (for a batch) the item id and the event JSON, one after the other; `ends` says where each
    /// stops.
    text: Box<str>,
    ends: [u32; 6],
}

/// The parts of a notification, borrowed from the frame, to build a [`Notification`] from.
pub(crate) struct NotificationParts<'a> {
    pub(crate) conn: ConnId,
    pub(crate) message_id: &'a MessageId,
    pub(crate) message_timestamp: &'a str,
    pub(crate) subscription_type: &'a str,
    pub(crate) subscription_version: &'a str,
    pub(crate) subscription: &'a str,
}

impl Event {
    /// Whether an adapter whose buffer is full may discard this event (reporting it in an
    /// [`Event::Lagged`]): notifications and the reports about single frames, which a server
    /// can send at any rate. Lifecycle events — the session, gaps, revocations, subscriptions'
    /// fate, the stop — are never discardable.
    pub fn is_discardable(&self) -> bool {
        matches!(
            self,
            Self::Notification(_)
                | Self::Dropped { .. }
                | Self::MalformedFrame { .. }
                | Self::UnknownMessage { .. }
                | Self::UnexpectedMessage { .. }
        )
    }
}

/// What an adapter discarded since its last [`Event::Lagged`]: how many events, and the range of
/// Twitch's `message_timestamp` of the notifications among them.
///
/// ```
/// use eventsub_proto::{Event, LagTally};
/// let mut tally = LagTally::default();
/// assert!(tally.take().is_none(), "nothing discarded, nothing to say");
/// # let discarded: Vec<Event> = Vec::new();
/// for event in discarded {
///     tally.discarded(&event);
/// }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LagTally {
    missed: u64,
    first_sent: Option<SystemTime>,
    last_sent: Option<SystemTime>,
}

impl LagTally {
    /// Counts `event` as discarded.
    pub fn discarded(&mut self, event: &Event) {
        self.missed = self.missed.saturating_add(1);
        if let Event::Notification(notification) = event {
            if let Some(sent) = crate::stale::system_time(notification.message_timestamp()) {
                self.first_sent.get_or_insert(sent);
                self.last_sent = Some(sent);
            }
        }
    }

    /// How many events were discarded since the last [`LagTally::take`].
    pub fn missed(&self) -> u64 {
        self.missed
    }

    /// The [`Event::Lagged`] that reports what was discarded, and a fresh tally; `None` when
    /// nothing was.
    pub fn take(&mut self) -> Option<Event> {
        if self.missed == 0 {
            return None;
        }
        let tally = std::mem::take(self);
        Some(Event::Lagged {
            missed: tally.missed,
            first_sent: tally.first_sent,
            last_sent: tally.last_sent,
        })
    }
}

impl Notification {
    pub(crate) fn new(
        parts: &NotificationParts<'_>,
        batch_item_id: &str,
        event: &RawValue,
    ) -> Self {
        let pieces = [
            parts.message_timestamp,
            parts.subscription_type,
            parts.subscription_version,
            parts.subscription,
            batch_item_id,
            event.get(),
        ];
        let mut text = String::with_capacity(pieces.iter().map(|piece| piece.len()).sum());
        let mut ends = [0u32; 6];
        for (end, piece) in ends.iter_mut().zip(pieces) {
            text.push_str(piece);
            // Frames are bounded by `Config::max_frame_bytes`, far below 4 GiB.
            *end = u32::try_from(text.len()).unwrap_or(u32::MAX);
        }
        Self {
            conn: parts.conn,
            message_id: parts.message_id.clone(),
            text: text.into_boxed_str(),
            ends,
        }
    }

    fn piece(&self, index: usize) -> &str {
        let start = match index {
            0 => 0,
            _ => self.ends.get(index - 1).copied().unwrap_or(0),
        };
        let end = self.ends.get(index).copied().unwrap_or(0);
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    /// The connection it arrived on.
    pub fn conn(&self) -> ConnId {
        self.conn
    }

    /// The message id (one per message; the events of a batch share it).
    pub fn message_id(&self) -> &MessageId {
        &self.message_id
    }

    /// When Twitch sent it (RFC 3339).
    pub fn message_timestamp(&self) -> &str {
        self.piece(0)
    }

    /// The subscription type, such as `channel.follow`.
    pub fn subscription_type(&self) -> &str {
        self.piece(1)
    }

    /// The subscription version, such as `2`.
    pub fn subscription_version(&self) -> &str {
        self.piece(2)
    }

    /// The subscription it was sent for, as raw JSON.
    pub fn subscription_json(&self) -> &str {
        self.piece(3)
    }

    /// The subscription it was sent for, decoded.
    pub fn subscription(&self) -> Result<Subscription, serde_json::Error> {
        serde_json::from_str(self.subscription_json())
    }

    /// For an event of a batched notification (`payload.events`), the event's own id.
    pub fn batch_item_id(&self) -> Option<&str> {
        Some(self.piece(4)).filter(|id| !id.is_empty())
    }

    /// The event's JSON text, exactly as Twitch sent it.
    pub fn event_json(&self) -> &str {
        self.piece(5)
    }

    /// Decodes the event into its typed form, borrowing strings from this notification. A type or
    /// version this crate does not know is [`EventData::Unknown`](crate::events::EventData::Unknown)
    /// with the raw JSON; the error is for an event that does not match its known type.
    pub fn typed(&self) -> Result<crate::events::EventData<'_>, serde_json::Error> {
        crate::events::EventData::decode(
            self.subscription_type(),
            self.subscription_version(),
            self.event_json(),
        )
    }

    /// Whether this is a notification of kind `K` (its subscription type and version), such as
    /// [`kinds::ChannelFollowV2`](crate::events::kinds::ChannelFollowV2).
    pub fn is<K: crate::events::SubscriptionKind>(&self) -> bool {
        K::matches(self.subscription_type(), self.subscription_version())
    }

    /// Decodes the event into `T`, which may borrow from it (`&str` fields, or
    /// `&serde_json::value::RawValue` to keep parts raw).
    pub fn decode<'a, T: Deserialize<'a>>(&'a self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.event_json())
    }
}

impl std::fmt::Debug for Notification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notification")
            .field("conn", &self.conn)
            .field("message_id", &self.message_id)
            .field("message_timestamp", &self.message_timestamp())
            .field("subscription_type", &self.subscription_type())
            .field("subscription_version", &self.subscription_version())
            .field("batch_item_id", &self.batch_item_id())
            .field("event", &self.event_json())
            .finish()
    }
}

/// A revocation.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Revocation {
    /// The connection it arrived on.
    pub conn: ConnId,
    /// The message id.
    pub message_id: MessageId,
    /// The subscription; its `status` is the reason.
    pub subscription: Subscription,
}

/// Why a connection ended or failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum DisconnectCause {
    /// The socket closed (1006 when there was no close frame).
    Closed {
        /// The code.
        code: CloseCode,
        /// The reason text.
        reason: String,
    },
    /// The socket could not be opened.
    ConnectFailed {
        /// What went wrong.
        error: String,
    },
    /// Opening took longer than the connect timeout.
    ConnectTimeout,
    /// The welcome did not come within the welcome timeout.
    WelcomeTimeout,
    /// Nothing came for longer than the keepalive plus grace: the socket is dead.
    KeepaliveTimeout {
        /// How long it was silent.
        #[cfg_attr(
            feature = "serde",
            serde(rename = "silent_for_secs", serialize_with = "secs")
        )]
        silent_for: Duration,
    },
}

impl DisconnectCause {
    /// The close code, when the server sent one.
    pub fn close_code(&self) -> Option<CloseCode> {
        match self {
            Self::Closed { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// A stretch of time in which events may have been missed: no session was listening, or a socket
/// that still carried events broke.
///
/// With the `serde` feature it serializes as its `duration_secs` and `last_frame_before` (RFC 3339
/// or `null`): `began` and `ended` are `Instant`s, which mean nothing outside this process.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Gap {
    /// When the session (or the socket that broke) stopped being the one events came on.
    pub began: Instant,
    /// When subscriptions were back.
    pub ended: Instant,
    /// Up to when everything Twitch sent on the lost socket was received: the
    /// `message_timestamp` of the last message read on it (Twitch's clock, the one Helix's
    /// timestamps use). Catch up over Helix from here: the arrival time would be later by however
    /// far the reader was behind, and events sent in between could be missed. The arrival time
    /// when that timestamp does not parse; `None` when the socket delivered no message.
    pub last_frame_before: Option<SystemTime>,
}

impl Gap {
    /// A gap from `began` to `ended`, everything up to `last_frame_before` received: what the
    /// client reports in [`Event::Resumed`], made by hand for the tests of an app's catch-up code.
    ///
    /// ```
    /// use std::time::{Duration, Instant, SystemTime};
    /// use eventsub_proto::Gap;
    /// let began = Instant::now();
    /// let gap = Gap::new(began, began + Duration::from_secs(3), Some(SystemTime::UNIX_EPOCH));
    /// assert_eq!((gap.began, gap.ended), (began, began + Duration::from_secs(3)));
    /// assert_eq!(gap.duration(), Duration::from_secs(3));
    /// assert_eq!(gap.last_frame_before, Some(SystemTime::UNIX_EPOCH));
    /// ```
    pub fn new(began: Instant, ended: Instant, last_frame_before: Option<SystemTime>) -> Self {
        Self {
            began,
            ended,
            last_frame_before,
        }
    }

    /// How long nothing was listening.
    pub fn duration(&self) -> Duration {
        self.ended.saturating_duration_since(self.began)
    }
}

/// Why a subscription could not be created.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum SubscriptionFailure {
    /// Helix refused or failed.
    #[error(transparent)]
    #[cfg_attr(feature = "serde", serde(serialize_with = "request_error"))]
    Request(RequestError),
    /// It would exceed the subscriptions allowed on one connection.
    #[error("more than {limit} subscriptions on one connection")]
    TooManySubscriptions {
        /// The limit.
        limit: usize,
    },
    /// It would exceed the token's `max_total_cost`.
    #[error(
        "cost {cost} would bring the total to {would_be}, over the maximum of {max_total_cost}"
    )]
    CostLimitExceeded {
        /// Its expected cost.
        cost: u32,
        /// The total with it.
        would_be: u32,
        /// The maximum.
        max_total_cost: u32,
    },
}

/// Why a notification was dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum DropReason {
    /// Its `message_timestamp` is older than [`Config::stale_after`](crate::Config::stale_after).
    Stale {
        /// How old it was on arrival.
        #[cfg_attr(feature = "serde", serde(rename = "age_secs", serialize_with = "secs"))]
        age: Duration,
    },
}

/// Why the client stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum StopReason {
    /// [`Client::shutdown`](crate::Client::shutdown) was called.
    Shutdown,
    /// Twitch closed with 4001: the client sent a frame. Reconnecting would repeat it.
    InboundTrafficRejected {
        /// The close reason text.
        reason: String,
    },
    /// Helix answered 401: the token is invalid or expired.
    Unauthorized {
        /// Twitch's message.
        message: String,
    },
    /// [`BackoffConfig::max_attempts`](crate::BackoffConfig::max_attempts) consecutive attempts failed.
    GaveUp {
        /// How many.
        attempts: u32,
    },
}
