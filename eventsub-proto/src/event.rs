//! Events for the user: what happened, including what the protocol would otherwise hide (gaps).

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde::Deserialize;

use crate::catchup::{CatchUp, Recovered};
use crate::close::CloseCode;
use crate::error::FrameError;
use crate::frame_ring::{FrameRing, FrameText};
use crate::ids::{ConnId, MessageId, SessionId, SubscriptionId};
use crate::io::{Created, RequestError};
use crate::message::BatchItems;
#[cfg(feature = "serde")]
use crate::serialize::{option_rfc3339, option_secs, request_error, secs};
use crate::shard::{ShardAssignError, ShardConfig};
use crate::subscription::{Subscription, SubscriptionSpec};
use crate::token::TokenIdentity;
use crate::unchecked::{Layout, MalformedCount, Unchecked};

pub use crate::idle::{IdleReason, Inactive};

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
/// {"type":"resumed","gap":{"from":"2023-11-06T18:11:47.492253549Z","until":"2023-11-06T18:12:00.5Z",
///  "duration_secs":13.007746451,"recovery_secs":0.0026}}
/// ```
///
/// - A [`Notification`] carries its metadata and its subscription and event as raw JSON, exactly
///   as Twitch sent them (objects, not strings).
/// - Nested enums (causes, reasons, errors) are objects named by `kind`.
/// - Durations are seconds as a number, in fields whose names end in `_secs`.
/// - Wall-clock times ([`SystemTime`]) are RFC 3339 strings in UTC, as Twitch writes its own.
/// - An [`Instant`] means nothing outside the process that took it. Where an event holds one,
///   what serializes is a span that does not depend on the clock: [`Event::Disconnected`] and
///   [`Event::ConnectFailed`] carry `retry_in` beside `retry_at` (the wait from the moment the
///   event was made), and a [`Gap`] gives its `recovery_secs` beside its wall-clock bounds `from`
///   and `until` (Twitch's clock) and their `duration_secs`. `retry_at`, and a gap's `lost_at`
///   and `resumed_at`, are left out.
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
    /// listens; [`Event::Resumed`] says when the gap ended (or [`Event::Idle`] that it never will:
    /// nothing could be subscribed any more, so everything from the gap's start on is missed).
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
    /// A new connection failed before its session was up. Whatever the close code (4001 too), this
    /// is a failed attempt retried with backoff: codes are fatal only on the live session's socket.
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
    /// A gap is over: events Twitch sent in it may be missing; catch up over Helix for what
    /// happened from [`Gap::from`] to [`Gap::until`] (Twitch's clock). Usually the subscriptions were re-created after a
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
    /// A `session_reconnect` URL the client will not follow: not a URL, or refused by
    /// [`Config::reconnect_urls`](crate::Config::reconnect_urls) (by default anything but `wss://`
    /// on `twitch.tv` or under it, on the default port, without user name or password). It is a
    /// failed handover: the current session stays up while a fresh connection to the base URL is
    /// planned with backoff, which replaces it.
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
    /// The token was validated (`GET /oauth2/validate`): whose it is, what it may do, for how
    /// long. Costs are estimated for this user from now on, and every wanted subscription whose
    /// type needs a scope the token lacks was refused
    /// ([`SubscriptionFailure::MissingScope`]). Comes before the first socket and after every
    /// revalidation ([`Config::revalidate_every`](crate::Config::revalidate_every)).
    TokenValidated {
        /// What Twitch said about the token (never the token itself).
        identity: TokenIdentity,
    },
    /// Nothing can be subscribed, so the client holds no socket (Twitch closes a session without
    /// subscriptions with 4003, and reconnecting would only loop): it closed what it had with 1000,
    /// does not reconnect, and waits. `reasons` names each wanted subscription and why it cannot be
    /// created (empty when none is wanted).
    ///
    /// A gap that was open ends here without a [`Event::Resumed`]: from its start (the
    /// [`Event::Disconnected`]) on, nothing is listened to, and no subscription is there to catch
    /// up for. Adding a subscription ([`Client::subscribe`](crate::Client::subscribe), also one
    /// that was revoked or failed) leaves idle: the client connects again (validating the token
    /// first if it has to), and a new [`Event::SessionReady`] follows.
    Idle {
        /// Each wanted subscription and why it cannot be created.
        reasons: Vec<IdleReason>,
    },
    /// An event that happened during a gap, recovered over Helix after it
    /// ([`Config::catch_up`](crate::Config::catch_up)). Comes after the gap's
    /// [`Event::Resumed`], before its [`Event::CatchUp`].
    Recovered(Box<Recovered>),
    /// What the catch-up of a gap found, per subscription live during it: recovered (how many),
    /// unrecoverable (why), or failed (Helix's error). One per [`Event::Resumed`] when
    /// [`Config::catch_up`](crate::Config::catch_up) is set, after the gap's recovered events.
    CatchUp(Box<CatchUp>),
    /// Shard mode: Twitch assigned the live session to the client's conduit shard (Update
    /// Conduit Shards), so the conduit's notifications reach it. Comes once per fresh session,
    /// never after a graceful [`Event::Reconnected`] (the shard follows its session).
    ShardAssigned {
        /// The connection carrying the session.
        conn: ConnId,
        /// The session now assigned.
        session_id: SessionId,
        /// The shard.
        shard: ShardConfig,
    },
    /// Shard mode: the session could not be assigned to the shard; Twitch's reason (the per-shard
    /// `code` and `message` of a partial failure, or the request's error). When `permanent` (see
    /// [`ShardAssignError::is_permanent`]) the client stops next
    /// ([`StopReason::ShardRefused`]); otherwise it asks again on the live session at `retry_at`
    /// (a fresh session, should this one end first, asks on its own).
    ShardFailed {
        /// The shard.
        shard: ShardConfig,
        /// Why.
        reason: ShardAssignError,
        /// Whether the shard will not come back: the client stops.
        permanent: bool,
        /// When it is asked for again; `None` when permanent.
        #[cfg_attr(feature = "serde", serde(skip))]
        retry_at: Option<Instant>,
        /// `retry_at` as the wait from when this event was made, as in [`Event::Disconnected`].
        #[cfg_attr(
            feature = "serde",
            serde(rename = "retry_in_secs", serialize_with = "option_secs")
        )]
        retry_in: Option<Duration>,
    },
    /// A shard of a [`Pool::conduit_shards`](crate::Pool::conduit_shards) pool stopped for good
    /// on its own (Twitch refused it for good, or it ran out of attempts); the pool's other shards
    /// go on. What a lone client would end with as [`Event::Stopped`].
    ShardStopped {
        /// The shard.
        shard: ShardConfig,
        /// Why it stopped.
        reason: StopReason,
    },
    /// A [`Pool::claim_shards`](crate::Pool::claim_shards) pool: a read of the conduit's shards
    /// that started after this process assigned its session to the shard lists that session, so
    /// the claim is confirmed. Once per claim (the shard was believed held from its
    /// [`Event::ShardAssigned`] on).
    ShardClaimed {
        /// The shard.
        shard: ShardConfig,
        /// The session the listing showed on it: this process's.
        session_id: SessionId,
    },
    /// A [`Pool::claim_shards`](crate::Pool::claim_shards) pool gave a shard up: a read that
    /// started after this process's assignment shows another session on it (`taken_by`), or
    /// Twitch refused the shard for good (`None`; an [`Event::ShardStopped`] came before). Its
    /// session is closed; the pool claims another shard when it may.
    ShardReleased {
        /// The shard.
        shard: ShardConfig,
        /// The session that holds the shard now, as the read listed it.
        taken_by: Option<SessionId>,
    },
    /// A [`Pool::claim_shards`](crate::Pool::claim_shards) pool: reading the conduit's shards, or
    /// growing the conduit, failed; it is tried again at `retry_at`. The shards held stay held.
    ClaimFailed {
        /// What failed.
        error: crate::claim::ClaimError,
        /// When it is tried again.
        #[cfg_attr(feature = "serde", serde(skip))]
        retry_at: Instant,
        /// `retry_at` as the wait from when this event was made, as in [`Event::Disconnected`].
        #[cfg_attr(
            feature = "serde",
            serde(rename = "retry_in_secs", serialize_with = "secs")
        )]
        retry_in: Duration,
    },
    /// The client stopped for good; no more events follow.
    Stopped {
        /// Why.
        reason: StopReason,
    },
}

/// A notification: one event of one subscription.
///
/// It keeps the frame it came in as one shared text, and its parts as spans of it: delivering a
/// notification costs one copy of the frame, and the events of a batch share that one copy
/// instead of each holding its own subscription. The event stays JSON text until
/// [`Notification::decode`] is called. The client reuses a copy's buffer for a later frame once
/// every notification made of it is dropped, so a consumer that drops notifications as it goes
/// causes no allocation per frame; one that keeps them costs one allocation each, as before.
///
/// # A payload checked late
///
/// By default ([`PayloadCheck::Deferred`](crate::PayloadCheck::Deferred)) a notification in
/// Twitch's layout is delivered once its metadata is read and its event's start found: the
/// event and what follows it in the frame are read only when they are asked for, the event by
/// its decode ([`Notification::typed`], [`Notification::decode`]) in the same pass that finds
/// where it ends. Each part is checked when it is decoded ([`Notification::subscription`] for
/// the subscription), and all at once by [`Notification::check_payload`]. A frame the full
/// parse would have refused is an error there, and the first such error counts the frame in
/// [`Stats::malformed_frames`](crate::Stats::malformed_frames), as the core counts a frame it
/// refuses itself; it is never silently taken for JSON.
#[derive(Clone)]
pub struct Notification {
    conn: ConnId,
    message_id: MessageId,
    /// The frame, with any part that is not a slice of it (an unescaped string) after it.
    text: FrameText,
    /// Where `message_timestamp`, `subscription_type`, `subscription_version`, the subscription
    /// JSON, (for a batch) the item id and the event JSON are in `text`.
    spans: [Span; 6],
    /// Set when the payload was delivered unread (the lazy envelope): where a decode that finds
    /// the frame broken reports it, and where the event ends once found. Then the event's span
    /// runs from its start to the frame's end, and the subscription's is empty when the
    /// subscription comes after the event (see `unchecked.rs`).
    unchecked: Option<Unchecked>,
}

/// Where a part of a notification is in its text.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Span {
    start: u32,
    end: u32,
}

impl Span {
    /// Where `part` lies in `text`, when it is a slice of it.
    fn within(text: &str, part: &str) -> Option<Self> {
        let start = (part.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
        let end = start.checked_add(part.len())?;
        if end > text.len() {
            return None;
        }
        Some(Self {
            start: u32::try_from(start).ok()?,
            end: u32::try_from(end).ok()?,
        })
    }
}

/// The parts of a notification, borrowed from the frame, to build a [`Notification`] from.
pub(crate) struct NotificationParts<'a> {
    pub(crate) conn: ConnId,
    pub(crate) message_id: &'a MessageId,
    pub(crate) message_timestamp: &'a str,
    pub(crate) subscription_type: &'a str,
    pub(crate) subscription_version: &'a str,
    pub(crate) subscription: &'a str,
    /// When the subscription and event are delivered unchecked, the client's count of malformed
    /// frames, which a decode that finds them broken adds to.
    pub(crate) unchecked: Option<&'a MalformedCount>,
    /// The client's clock when the frame was read (for the ring of frame copies).
    pub(crate) now: Instant,
}

impl NotificationParts<'_> {
    fn common(&self) -> [&str; 4] {
        [
            self.message_timestamp,
            self.subscription_type,
            self.subscription_version,
            self.subscription,
        ]
    }
}

/// One copy of a frame (made by `copy`, of the frame and what is appended to it) and the spans of
/// `N` parts in it: a part that is a slice of the frame is found there; any other (a string
/// unescaped by the parser) is appended after it.
fn share<const N: usize>(
    frame: &str,
    parts: [&str; N],
    copy: impl FnOnce(&str, &str) -> FrameText,
) -> (FrameText, [Span; N]) {
    let mut spans = [Span::default(); N];
    let mut appended = String::new();
    for (span, part) in spans.iter_mut().zip(parts) {
        *span = Span::within(frame, part).unwrap_or_else(|| {
            let start = frame.len().saturating_add(appended.len());
            appended.push_str(part);
            // Frames are bounded by `Config::max_frame_bytes`, far below 4 GiB; a span that
            // does not fit reads as empty.
            Span {
                start: u32::try_from(start).unwrap_or(u32::MAX),
                end: u32::try_from(start.saturating_add(part.len())).unwrap_or(u32::MAX),
            }
        });
    }
    (copy(frame, &appended), spans)
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
                | Self::Recovered(_)
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
    /// A notification of one event (`payload.event`) of `frame`. Delivered unread
    /// (`parts.unchecked`), `event` is the frame from the event's start on, and `parts.subscription`
    /// is empty when the subscription comes after the event.
    pub(crate) fn single(
        frames: &mut FrameRing,
        parts: &NotificationParts<'_>,
        frame: &str,
        event: &str,
    ) -> Self {
        let [timestamp, kind, version, subscription] = parts.common();
        let (text, spans) = share(
            frame,
            [timestamp, kind, version, subscription, "", event],
            |frame, appended| frames.copy(frame, appended, parts.now),
        );
        Self {
            conn: parts.conn,
            message_id: parts.message_id.clone(),
            text,
            spans,
            unchecked: parts.unchecked.map(Unchecked::new),
        }
    }

    /// A decode of a part failed: if the parts were delivered unchecked, whether they are JSON
    /// is found now (and a frame whose parts are not is counted). Only on the error path: a
    /// decode that succeeded read its part whole.
    fn decode_failed(&self) {
        let _ = self.check_payload();
    }

    /// Checks that the subscription and the event are JSON: `Ok` at once when the core checked
    /// them before delivery ([`PayloadCheck::Eager`](crate::PayloadCheck::Eager), a batch, or a
    /// frame not in Twitch's layout); otherwise both are read now, and a part that is not JSON is
    /// the error (and counts the frame in [`Stats::malformed_frames`](crate::Stats::malformed_frames),
    /// once). The decoding methods check what they decode by themselves; this is for a consumer
    /// that forwards [`Notification::event_json`] as it is.
    pub fn check_payload(&self) -> Result<(), serde_json::Error> {
        match self.unread() {
            Some((unchecked, layout)) => unchecked.check(layout),
            None => Ok(()),
        }
    }

    /// For a notification whose payload was delivered unread: what finds its parts, and where
    /// the core found them.
    fn unread(&self) -> Option<(&Unchecked, Layout<'_>)> {
        let unchecked = self.unchecked.as_ref()?;
        let subscription = self.spans.get(3)?;
        let layout = Layout {
            frame: &self.text,
            event_start: self.spans.get(5)?.start as usize,
            subscription: (subscription.start < subscription.end).then(|| self.piece(3)),
        };
        Some((unchecked, layout))
    }

    /// Whether the subscription and the event were checked to be JSON before delivery (see
    /// [`Notification::check_payload`]).
    pub fn payload_checked(&self) -> bool {
        self.unchecked.is_none()
    }

    fn piece(&self, index: usize) -> &str {
        let Some(span) = self.spans.get(index) else {
            return "";
        };
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
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

    /// The subscription it was sent for, as raw JSON (checked as [`Notification::event_json`] is).
    pub fn subscription_json(&self) -> &str {
        match self.unread() {
            Some((unchecked, layout)) => unchecked.subscription(layout),
            None => self.piece(3),
        }
    }

    /// The subscription it was sent for, decoded. Text that is not JSON is an error here (see
    /// [`Notification::check_payload`]).
    pub fn subscription(&self) -> Result<Subscription, serde_json::Error> {
        serde_json::from_str(self.subscription_json()).inspect_err(|_| self.decode_failed())
    }

    /// For an event of a batched notification (`payload.events`), the event's own id.
    pub fn batch_item_id(&self) -> Option<&str> {
        Some(self.piece(4)).filter(|id| !id.is_empty())
    }

    /// The event's JSON text, exactly as Twitch sent it. Under the default
    /// [`PayloadCheck::Deferred`](crate::PayloadCheck::Deferred) it was not read before delivery
    /// (unless [`Notification::payload_checked`]): its end is found on the first call, by its
    /// strings and brackets, and kept (a decode finds it too); the decoding methods find out
    /// whether it is JSON, and [`Notification::check_payload`] does for a consumer that uses
    /// this text as it is. Of a frame cut short inside the event, it is the rest of the frame.
    pub fn event_json(&self) -> &str {
        match self.unread() {
            Some((unchecked, layout)) => unchecked.event(layout),
            None => self.piece(5),
        }
    }

    /// Decodes the event into its typed form, borrowing strings from this notification. A type or
    /// version this crate does not know is [`EventData::Unknown`](crate::events::EventData::Unknown)
    /// with the raw JSON (checked to be JSON); the error is for an event that does not match its
    /// known type, or is not JSON.
    pub fn typed(&self) -> Result<crate::events::EventData<'_>, serde_json::Error> {
        let (kind, version) = (self.subscription_type(), self.subscription_version());
        let decoded = match self.unread() {
            // Read in place: the one pass decodes the event and finds where it ends.
            Some((unchecked, layout)) => unchecked.decode(layout, |deserializer| {
                crate::events::EventData::deserialize_as(kind, version, deserializer)
            }),
            None => crate::events::EventData::decode(kind, version, self.event_json()),
        };
        match decoded {
            // An unknown kind's event is not read by the decode: an unchecked one is checked here.
            Ok(crate::events::EventData::Unknown(_)) if self.unchecked.is_some() => {
                self.check_payload().and(decoded)
            }
            // An event read in place counted a broken frame itself; one checked before
            // delivery cannot be one.
            _ => decoded,
        }
    }

    /// Decodes the event as kind `K`, as [`Notification::typed`] does for a notification of kind
    /// `K` ([`Notification::is`]), but with `K`'s decoder only: a program that decodes one kind
    /// does not carry the code that decodes every other. The error is for an event that does not
    /// match `K`'s shape (one of another kind among them), or is not JSON.
    pub fn typed_as<K: crate::events::SubscriptionKind>(
        &self,
    ) -> Result<crate::events::EventData<'_>, serde_json::Error> {
        match self.unread() {
            // Read in place: the one pass decodes the event and finds where it ends.
            Some((unchecked, layout)) => unchecked.decode(layout, K::deserialize_in),
            None => K::decode(self.event_json()),
        }
    }

    /// Whether this is a notification of kind `K` (its subscription type and version), such as
    /// [`kinds::ChannelFollowV2`](crate::events::kinds::ChannelFollowV2).
    pub fn is<K: crate::events::SubscriptionKind>(&self) -> bool {
        K::matches(self.subscription_type(), self.subscription_version())
    }

    /// Decodes the event into `T`, which may borrow from it (`&str` fields, or
    /// `&serde_json::value::RawValue` to keep parts raw).
    pub fn decode<'a, T: Deserialize<'a>>(&'a self) -> Result<T, serde_json::Error> {
        match self.unread() {
            Some((unchecked, layout)) => {
                unchecked.decode(layout, |deserializer| T::deserialize(deserializer))
            }
            // Checked before delivery: an error is the event's shape, not a broken frame.
            None => serde_json::from_str(self.event_json()),
        }
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

/// The events of a batched notification not handed out yet: the frame's one shared copy, and
/// where in it the unread items start. Each event is read from the text when it is asked for, so
/// a batch of thousands of events never becomes thousands of queued outputs.
#[derive(Debug)]
pub(crate) struct PendingBatch {
    conn: ConnId,
    message_id: MessageId,
    text: FrameText,
    common: [Span; 4],
    /// Where the unread rest of `payload.events` starts in `text`.
    next: usize,
}

impl PendingBatch {
    /// The batch `items` (a slice of `frame`) of the notification `parts`.
    pub(crate) fn new(
        frames: &mut FrameRing,
        parts: &NotificationParts<'_>,
        frame: &str,
        items: &str,
    ) -> Self {
        let [timestamp, kind, version, subscription] = parts.common();
        let (text, [common @ .., items]) = share(
            frame,
            [timestamp, kind, version, subscription, items],
            |frame, appended| frames.copy(frame, appended, parts.now),
        );
        Self {
            conn: parts.conn,
            message_id: parts.message_id.clone(),
            text,
            common,
            next: items.start as usize,
        }
    }

    /// Whether every event was handed out: what is left of the array is its end. (An item that
    /// does not read as one also ends the batch, as [`PendingBatch::next_notification`] finds.)
    pub(crate) fn is_done(&self) -> bool {
        let rest = self.text.get(self.next..).unwrap_or_default().trim_start();
        let rest = rest.strip_prefix('[').map_or(rest, str::trim_start);
        rest.is_empty() || rest.starts_with(']')
    }

    /// The next event, or `None` when all were handed out.
    pub(crate) fn next_notification(&mut self) -> Option<Notification> {
        let rest = self.text.get(self.next..)?;
        let mut items = BatchItems::resume(rest);
        let item = items.next();
        self.next = self.text.len().saturating_sub(items.rest().len());
        let item = item?;
        let [timestamp, kind, version, subscription] = self.common;
        let item_spans =
            Span::within(&self.text, &item.id).zip(Span::within(&self.text, item.data.get()));
        let (text, spans) = match item_spans {
            Some((id, event)) => (
                Arc::clone(&self.text),
                [timestamp, kind, version, subscription, id, event],
            ),
            // An id unescaped by the parser is not in the frame: this event gets a text of its
            // own, of its parts only.
            None => {
                let part = |span: Span| {
                    self.text
                        .get(span.start as usize..span.end as usize)
                        .unwrap_or("")
                };
                let parts = [
                    part(timestamp),
                    part(kind),
                    part(version),
                    part(subscription),
                    &item.id,
                    item.data.get(),
                ];
                // Rare (an escaped id): a copy of its own, not from the ring.
                share("", parts, FrameRing::copy_alone)
            }
        };
        Some(Notification {
            conn: self.conn,
            message_id: self.message_id.clone(),
            text,
            spans,
            // A batch is read whole by the full parse.
            unchecked: None,
        })
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
/// Its bounds are wall-clock times on Twitch's clock, the one Helix's timestamps use: catch up
/// over Helix for what happened from [`Gap::from`] to [`Gap::until`]. Its
/// [`duration`](Gap::duration) is the real outage, silence before the loss was noticed included.
/// The `Instant`s say when the client itself lost and regained its subscriptions, for local
/// timing only.
///
/// With the `serde` feature it serializes as `from` and `until` (RFC 3339), `duration_secs` and
/// `recovery_secs`: `lost_at` and `resumed_at` are `Instant`s, which mean nothing outside this
/// process.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Gap {
    /// Up to when everything Twitch sent was received, on Twitch's clock: the `message_timestamp`
    /// of the last message read on the lost socket (not its arrival, which lags behind a busy
    /// reader). When that timestamp does not parse, its arrival converted to Twitch's clock; when
    /// the socket delivered no message, the moment of the loss on Twitch's clock. Catch up from
    /// here.
    pub from: SystemTime,
    /// When the subscriptions existed again, on Twitch's clock (estimated: the moment the last
    /// creation was answered, through the local clock and its estimated offset from Twitch's; see
    /// [`Client::clock_offset`](crate::Client::clock_offset)). Events sent after it are delivered.
    /// Never before `from`. The offset includes the control frames' one-way delay, so this may be
    /// early by that much (milliseconds on a healthy socket): a catch-up that must be exact at the
    /// edge widens the window by a second and drops what it already has by id.
    pub until: SystemTime,
    /// Monotonic: when the client stopped listening on the lost socket (found it dead, saw it
    /// close, or replaced it). Later than the real start of the gap by any silence before that.
    pub lost_at: Instant,
    /// Monotonic: when the subscriptions were back (the moment of [`Event::Resumed`]).
    pub resumed_at: Instant,
    /// Which session of a [`Pool`](crate::Pool) lost and regained its subscriptions: 0 for the
    /// first (and always for a client that is not pooled). Each session of a pool has gaps of its
    /// own; only its subscriptions missed events.
    pub session: usize,
}

impl Gap {
    /// A gap from `from` to `until` on Twitch's clock, lost and regained locally at `lost_at` and
    /// `resumed_at`: what the client reports in [`Event::Resumed`], made by hand for the tests of
    /// an app's catch-up code. An `until` before `from` is taken as `from`.
    ///
    /// ```
    /// use std::time::{Duration, Instant, SystemTime};
    /// use eventsub_proto::Gap;
    /// let from = SystemTime::UNIX_EPOCH + Duration::from_secs(1_699_294_307);
    /// let lost_at = Instant::now();
    /// let gap = Gap::new(
    ///     from,
    ///     from + Duration::from_secs(13),
    ///     lost_at,
    ///     lost_at + Duration::from_millis(3),
    /// );
    /// assert_eq!(gap.duration(), Duration::from_secs(13));
    /// assert_eq!(gap.recovery_time(), Duration::from_millis(3));
    /// ```
    pub fn new(from: SystemTime, until: SystemTime, lost_at: Instant, resumed_at: Instant) -> Self {
        Self {
            from,
            until: until.max(from),
            lost_at,
            resumed_at,
            session: 0,
        }
    }

    /// The same gap, in session `session` of a [`Pool`](crate::Pool).
    ///
    /// ```
    /// use std::time::{Instant, SystemTime};
    /// use eventsub_proto::Gap;
    /// let now = Instant::now();
    /// let gap = Gap::new(SystemTime::UNIX_EPOCH, SystemTime::UNIX_EPOCH, now, now).in_session(2);
    /// assert_eq!(gap.session, 2);
    /// ```
    #[must_use]
    pub fn in_session(self, session: usize) -> Self {
        Self { session, ..self }
    }

    /// The real outage: from the last message received before the loss to when the subscriptions
    /// existed again, on Twitch's clock.
    pub fn duration(&self) -> Duration {
        self.until
            .duration_since(self.from)
            .unwrap_or(Duration::ZERO)
    }

    /// How long the client took, once it stopped listening, to have its subscriptions back
    /// (monotonic clock). Shorter than [`Gap::duration`] by the silence before the loss was noticed.
    pub fn recovery_time(&self) -> Duration {
        self.resumed_at.saturating_duration_since(self.lost_at)
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
    /// The token lacks a scope the subscription's type needs (found by token validation, before
    /// any Helix call): it is not tried again until subscribed again.
    #[error(
        "{subscription_type} v{version} needs {}",
        crate::events::scopes::describe_scopes(missing)
    )]
    MissingScope {
        /// The subscription type.
        subscription_type: String,
        /// Its version.
        version: String,
        /// The scope groups the token does not satisfy: any one scope of each group would do.
        missing: Vec<&'static [&'static str]>,
    },
    /// The condition names another user where the type needs the token's own (the moderator, or
    /// the user reading chat): Twitch would refuse it. Found by token validation, before any Helix
    /// call; not tried again until subscribed again.
    #[error(
        "{subscription_type} v{version} needs `{field}` to be the token's user {token_user}, not {named}"
    )]
    NotTokenUser {
        /// The subscription type.
        subscription_type: String,
        /// Its version.
        version: String,
        /// The condition field.
        field: String,
        /// The user it names.
        named: String,
        /// The token's user.
        token_user: String,
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
        /// How old it was on arrival, on Twitch's clock (the estimated offset of the local clock
        /// taken out).
        #[cfg_attr(feature = "serde", serde(rename = "age_secs", serialize_with = "secs"))]
        age: Duration,
    },
}

/// Why the client stopped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum StopReason {
    /// [`Client::shutdown`](crate::Client::shutdown) was called.
    #[error("shut down")]
    Shutdown,
    /// Twitch closed with 4001: the client sent a frame. Reconnecting would repeat it.
    #[error("Twitch rejected inbound traffic (4001): {reason}")]
    InboundTrafficRejected {
        /// The close reason text.
        reason: String,
    },
    /// The token is an app access token: the WebSocket transport needs a user access token
    /// (outside shard mode, [`Config::shard`](crate::Config::shard), which takes an app token).
    #[error("the token is an app access token; the WebSocket transport needs a user access token")]
    AppToken,
    /// Twitch answered 401 (to a token validation, or to Helix when validation is off): the token
    /// is invalid or expired.
    #[error("unauthorized: {message}")]
    Unauthorized {
        /// Twitch's message.
        message: String,
    },
    /// Shard mode: Twitch refused the shard in a way no retry can fix (see
    /// [`ShardAssignError::is_permanent`]: the shard id is outside the conduit, the conduit does
    /// not exist, the request is forbidden).
    #[error("shard {} of conduit {} will not come back: {error}", shard.shard_id, shard.conduit_id)]
    ShardRefused {
        /// The shard.
        shard: ShardConfig,
        /// Twitch's reason.
        error: ShardAssignError,
    },
    /// Shard mode with a user access token: conduits take an app access token.
    #[error("the token is a user access token; a conduit shard needs an app access token")]
    UserTokenForShard,
    /// [`BackoffConfig::max_attempts`](crate::BackoffConfig::max_attempts) consecutive attempts failed.
    #[error("gave up after {attempts} failed attempts")]
    GaveUp {
        /// How many.
        attempts: u32,
    },
}
