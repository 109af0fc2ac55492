//! Deterministic simulation: a fake Twitch ([`FakeTwitch`]) and a [`Harness`] that connects it to a
//! real `eventsub_proto::Client` (or `Pool`) with one fake clock.

mod harness;
mod live;
mod twitch;

pub use eventsub_mock::frames::Frames;
pub use harness::{
    Driven, Harness, OWN_CHANNEL_TYPES, PendingCreate, TOKEN_USER, own_channel_subscriptions,
    rfc3339, user_token_with_all_scopes,
};
pub use live::{LiveSession, NumberedNotifications};
pub use twitch::{
    FakeSocket, FakeSubscription, FakeTwitch, LimitRefusal, SentNotification, SocketState,
    TwitchLimits,
};

/// A batched notification (`payload.events`) of two events, `e1` (`{"n":1}`) and `e2` (`{"n":2}`),
/// stamped at the harness's wall time.
pub const BATCHED_NOTIFICATION: &str = r#"{"metadata":{"message_id":"b","message_type":"notification","message_timestamp":"2022-11-16T10:11:12Z","subscription_type":"channel.follow","subscription_version":"1"},"payload":{"subscription":{"id":"s","status":"enabled","type":"channel.follow","version":"1","cost":0,"condition":{},"transport":{"method":"websocket","session_id":"x"},"created_at":"t"},"events":[{"id":"e1","data":{"n":1}},{"id":"e2","data":{"n":2}}]}}"#;

/// Counts a batch event `event` delivered into `delivered` (its `batch_item_id`); panics if it was
/// delivered before. Other events are ignored.
pub fn count_batch_item(
    delivered: &mut std::collections::BTreeSet<String>,
    event: &eventsub_proto::Event,
) {
    if let eventsub_proto::Event::Notification(notification) = event {
        let id = notification
            .batch_item_id()
            .expect("a batch item")
            .to_owned();
        assert!(delivered.insert(id), "delivered twice");
    }
}
