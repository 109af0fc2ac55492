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
    // parts, 128 bytes); it is the rare path of an event that does not match its kind, so it is
    // not boxed.
    #[allow(clippy::result_large_err)]
    pub(crate) fn decode(notification: Notification) -> Result<Self, DecodeError> {
        // `K`'s decoder only (read in place when the payload was delivered unread), which
        // yields `K`'s variant or fails.
        Decoded::try_new_or_recover(notification, Notification::typed_as::<K>)
            .map(|decoded| Self {
                decoded,
                kind: PhantomData,
            })
            .map_err(|(notification, error)| {
                // `typed_as` counted a frame found broken as a malformed frame.
                DecodeError {
                    notification,
                    error,
                }
            })
    }

    /// The event, typed: `K`'s struct, borrowing from this notification.
    pub fn event(&self) -> &K::Event<'_> {
        match K::event(self.decoded.borrow_dependent()) {
            Some(event) => event,
            // Broken invariant: `decode` built the dependent with `typed_as::<K>`, which yields
            // `K`'s own variant (`K::decode` or `K::deserialize_in`), and `K::event` picks exactly
            // that variant (the registry macro generates all three from one entry;
            // `SubscriptionKind` is sealed to it).
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

#[cfg(test)]
mod tests {
    use std::time::{Instant, SystemTime};

    use eventsub_proto::events::kinds::ChannelFollowV2;
    use eventsub_proto::{Client, Config, Event, Input, Output, SubscriptionSpec};

    use crate::Typed;

    const WELCOME: &str = include_str!("../../eventsub-proto/benches/frames/session_welcome.json");
    const FOLLOW: &str = include_str!("../../eventsub-proto/benches/frames/channel_follow_v2.json");

    /// What a live client (default configuration) delivers for `frame`.
    fn delivered(client: &mut Client, frame: &str) -> Vec<Event> {
        let now = Instant::now();
        match client.poll_output() {
            Some(Output::Connect { conn, .. }) => {
                client.handle_input(now, Input::Opened { conn }).unwrap(); // ok: a unit test; a panic is its failure report
                for text in [WELCOME, frame] {
                    let received_at = SystemTime::UNIX_EPOCH;
                    let input = Input::Text {
                        conn,
                        text,
                        received_at,
                    };
                    client.handle_input(now, input).unwrap(); // ok: a unit test
                }
            }
            other => panic!("no connect: {other:?}"),
        }
        std::iter::from_fn(|| client.poll_output())
            .filter_map(|output| match output {
                Output::Event(event @ Event::Notification(_)) => Some(event),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_typed_stream_counts_an_event_that_is_not_json_as_a_malformed_frame() {
        let mut config = Config::default();
        config.validate_token = false;
        config.subscriptions = vec![
            SubscriptionSpec::new("channel.follow", "2").with_condition("broadcaster_user_id", "1"),
        ];
        let mut client = Client::new(config, Instant::now()).unwrap(); // ok: a unit test
        let broken = FOLLOW.replacen(r#""user_id":"1234""#, r#""user_id":1234x"#, 1);
        let mut events = delivered(&mut client, &broken);
        let Some(event) = events.pop() else {
            panic!("the frame was not delivered (the default check is deferred)")
        };
        assert!(matches!(
            Typed::<ChannelFollowV2>::from(event),
            Typed::Undecodable(_)
        ));
        assert_eq!(client.stats().malformed_frames, 1);
    }
}
