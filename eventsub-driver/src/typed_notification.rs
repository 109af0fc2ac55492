//! [`TypedNotification`]: a notification that owns its event decoded as one kind, and
//! [`DecodeError`] for one that does not decode as its kind.
//!
//! A typed event borrows its strings from the notification's text (`EventData<'a>`). To hand it
//! out with the notification, without decoding twice or copying strings, the two live in one
//! self-referential cell (`self_cell`): the notification is the owner, its decoded event the
//! dependent.

use std::marker::PhantomData;

use eventsub_proto::Notification;
use eventsub_proto::events::{EventData, SubscriptionKind};

self_cell::self_cell!(
    /// A notification and its event, decoded once, borrowing the notification's text.
    struct Decoded {
        owner: Notification,
        #[covariant]
        dependent: EventData,
    }
);

/// A notification of kind `K` with its event decoded (once, when it was received): the
/// [`TypedNotification::event`] is `K`'s struct, such as
/// [`ChannelFollow`](eventsub_proto::events::channel::ChannelFollow) for
/// [`kinds::ChannelFollowV2`](eventsub_proto::events::kinds::ChannelFollowV2), and borrows from
/// the notification this value owns, so it lives as long as this value. The metadata (message id,
/// timestamp, subscription) is on [`TypedNotification::notification`].
pub struct TypedNotification<K> {
    decoded: Decoded,
    kind: PhantomData<fn() -> K>,
}

impl<K: SubscriptionKind> TypedNotification<K> {
    /// Decodes `notification`'s event as `K`. The caller has checked that it is of kind `K`; the
    /// error gives the notification back with why its event does not match `K`'s shape.
    // The error gives the notification back whole (its frame's shared text and the spans of its
    // parts, 112 bytes); it is the rare path of an event that does not match its kind, so it is
    // not boxed.
    #[allow(clippy::result_large_err)]
    pub(crate) fn decode(notification: Notification) -> Result<Self, DecodeError> {
        Decoded::try_new_or_recover(notification, |notification| {
            K::decode(notification.event_json())
        })
        .map(|decoded| Self {
            decoded,
            kind: PhantomData,
        })
        .map_err(|(notification, error)| DecodeError {
            notification,
            error,
        })
    }

    /// The event, typed: `K`'s struct, borrowing from this notification.
    pub fn event(&self) -> &K::Event<'_> {
        match K::event(self.decoded.borrow_dependent()) {
            Some(event) => event,
            // Broken invariant: `decode` built the dependent with `K::decode`, which yields `K`'s
            // own variant, and `K::event` picks exactly that variant (the registry macro generates
            // both from one entry; `SubscriptionKind` is sealed to it).
            None => unreachable!("a {} event decoded as another kind", K::KIND),
        }
    }

    /// The event as [`EventData`] (`K`'s variant), to hand to code that takes any kind.
    pub fn data(&self) -> &EventData<'_> {
        self.decoded.borrow_dependent()
    }

    /// The notification: message id, timestamp, subscription, the event's raw JSON.
    pub fn notification(&self) -> &Notification {
        self.decoded.borrow_owner()
    }

    /// The notification, giving up the decoded event.
    pub fn into_notification(self) -> Notification {
        self.decoded.into_owner()
    }
}

impl<K: SubscriptionKind> std::fmt::Debug for TypedNotification<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let notification = self.notification();
        f.debug_struct("TypedNotification")
            .field("message_id", notification.message_id())
            .field("message_timestamp", &notification.message_timestamp())
            .field("event", self.event())
            .finish_non_exhaustive()
    }
}

/// A notification whose subscription type and version say kind `K` but whose event does not match
/// `K`'s documented shape (Twitch changed it, or sent something broken). Reported, never dropped:
/// the notification is here whole, with its raw JSON.
#[derive(Debug, thiserror::Error)]
#[error(
    "a {} version {} notification ({}) does not match its documented shape: {error}",
    .notification.subscription_type(),
    .notification.subscription_version(),
    .notification.message_id()
)]
#[non_exhaustive]
pub struct DecodeError {
    /// The notification as it came ([`Notification::event_json`] is the raw event).
    pub notification: Notification,
    /// Why its event does not decode.
    #[source]
    pub error: serde_json::Error,
}
