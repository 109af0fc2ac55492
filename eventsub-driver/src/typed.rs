//! Typed receiving: [`TypedStream`], the events of one subscription kind decoded, with everything
//! else the client reports still in the stream.

use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use eventsub_proto::events::SubscriptionKind;
use eventsub_proto::{Event, Notification};
use futures_util::{Stream, StreamExt};

use crate::handle::EventStream;
use crate::typed_notification::{DecodeError, TypedNotification};

/// One item of a [`TypedStream`] of kind `K`: an event of `K`, decoded, or anything else the client
/// reported, which a typed consumer still gets to see.
///
/// `From<Event>` sorts an [`Event`] of the untyped stream the same way.
#[derive(Debug)]
#[non_exhaustive]
pub enum Typed<K: SubscriptionKind> {
    /// A notification of `K` with its event decoded: `typed.event()` is `K`'s struct.
    Event(TypedNotification<K>),
    /// A notification of `K` whose event does not match `K`'s shape. Nothing else was lost; the
    /// raw JSON is in the error.
    Undecodable(DecodeError),
    /// A notification of another subscription type or version, untouched (when the client has
    /// other subscriptions than `K`'s).
    OtherNotification(Notification),
    /// Every event that is not a notification: the session ([`Event::SessionReady`],
    /// [`Event::Reconnected`]), gaps ([`Event::Disconnected`], [`Event::Resumed`],
    /// [`Event::Lagged`]), the subscriptions' fate ([`Event::SubscriptionCreated`],
    /// [`Event::SubscriptionFailed`], [`Event::Revocation`], ...), skipped frames, and
    /// [`Event::Stopped`]. See [`TypedStream`] for what a typed consumer does about gaps.
    Lifecycle(Event),
}

impl<K: SubscriptionKind> From<Event> for Typed<K> {
    /// Sorts an event: a notification of `K` is decoded (once), others are passed on as they are.
    fn from(event: Event) -> Self {
        match event {
            Event::Notification(notification) if notification.is::<K>() => {
                match TypedNotification::decode(notification) {
                    Ok(typed) => Self::Event(typed),
                    Err(error) => Self::Undecodable(error),
                }
            }
            Event::Notification(notification) => Self::OtherNotification(notification),
            other => Self::Lifecycle(other),
        }
    }
}

/// The events of one subscription kind `K`, decoded, from [`EventStream::typed`]; everything else
/// the client reports comes in the same stream, in order, so nothing is lost without the
/// application seeing it. Ends after [`Event::Stopped`], as the [`EventStream`] does.
///
/// ```no_run
/// # async fn run(events: eventsub_driver::EventStream) {
/// use eventsub_driver::Typed;
/// use eventsub_driver::kinds::ChannelFollowV2;
///
/// let mut follows = events.typed::<ChannelFollowV2>();
/// while let Some(item) = follows.recv().await {
///     match item {
///         Typed::Event(follow) => println!("{} followed", follow.event().user_name),
///         other => eprintln!("{other:?}"), // the session, gaps, the stop: see below
///     }
/// }
/// # }
/// ```
///
/// # Gaps
///
/// Twitch does not replay what it sent while nobody listened, so a typed consumer watches for
/// the same lifecycle events as an untyped one, in [`Typed::Lifecycle`]:
///
/// - [`Event::Disconnected`]: a gap began; events stop until the client reconnects (it does so by
///   itself). Nothing to do but note it.
/// - [`Event::Resumed`]: the gap is over and the subscriptions are back. Events of `K` sent in it
///   may be missing: catch up over Helix for what happened from
///   [`Gap::from`](eventsub_proto::Gap::from) to [`Gap::until`](eventsub_proto::Gap::until)
///   (Twitch's clock; for follows, Get Channel Followers) if the application needs every one.
/// - [`Event::Lagged`] (only with [`Overflow::DiscardWithLagged`](crate::Overflow)): the
///   application read too slowly and `missed` events were discarded, sent between `first_sent`
///   and `last_sent`: a gap too, caught up the same way.
/// - [`Event::Stopped`]: the client stopped for good (shutdown, a revoked token, 4001); the stream
///   ends after it. Build a new client if the application should go on.
///
/// [`TypedStream::next_event`] waits for the next event of `K` and hands everything else to a
/// closure, for a consumer that only logs the lifecycle.
pub struct TypedStream<K> {
    events: EventStream,
    kind: PhantomData<fn() -> K>,
}

impl EventStream {
    /// This stream as a [`TypedStream`] of kind `K` (such as
    /// [`kinds::ChannelFollowV2`](crate::kinds::ChannelFollowV2)): the events of `K` decoded
    /// once each, everything else passed through.
    pub fn typed<K: SubscriptionKind>(self) -> TypedStream<K> {
        TypedStream {
            events: self,
            kind: PhantomData,
        }
    }
}

impl<K: SubscriptionKind> TypedStream<K> {
    /// The next item; `None` once the client has stopped. (The same as `StreamExt::next`.)
    pub async fn recv(&mut self) -> Option<Typed<K>> {
        self.next().await
    }

    /// The next event of `K`; `None` once the client has stopped. Every other item that comes
    /// first (the lifecycle, gaps, other subscriptions' notifications, an undecodable `K`
    /// notification) is handed to `on_other`, in order: for a consumer whose answer to those is
    /// to log them. Use [`TypedStream::recv`] to answer them with `.await`s (a Helix catch-up
    /// after [`Event::Resumed`], say).
    pub async fn next_event(
        &mut self,
        mut on_other: impl FnMut(Typed<K>),
    ) -> Option<TypedNotification<K>> {
        loop {
            match self.recv().await? {
                Typed::Event(event) => return Some(event),
                other => on_other(other),
            }
        }
    }

    /// How many events were discarded because this stream was not read fast enough.
    pub fn lagged(&self) -> u64 {
        self.events.lagged()
    }

    /// The untyped stream back.
    pub fn into_inner(self) -> EventStream {
        self.events
    }
}

impl<K: SubscriptionKind> Stream for TypedStream<K> {
    type Item = Typed<K>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Typed<K>>> {
        // Decoding happens here, on the consumer's task, so the driver's task stays as lean for a
        // typed consumer as for an untyped one.
        self.get_mut()
            .events
            .poll_next_unpin(cx)
            .map(|event| event.map(Typed::from))
    }
}

impl<K: SubscriptionKind> std::fmt::Debug for TypedStream<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedStream")
            .field("kind", &K::KIND)
            .field("version", &K::VERSION)
            .field("events", &self.events)
            .finish()
    }
}
