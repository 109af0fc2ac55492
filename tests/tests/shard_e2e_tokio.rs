//! `eventsub-tokio` clients as conduit shards against the mock, over real sockets on 127.0.0.1:
//! two shard clients share a conduit's notifications (each delivered exactly once), a shard
//! whose socket drops comes back on a fresh session, is assigned again and receives again (the
//! other shard hears `conduit.shard.disabled`), and a shard id outside the conduit stops its
//! client with the mock's per-shard error. Waiting is on events, never on sleeps; the patience
//! is a guard, not a timing assertion.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod conduit_support;

use std::collections::BTreeSet;

use conduit_support::{APP_TOKEN, CLIENT_ID, PATIENCE, start_mock};
use eventsub_helix::{ConduitManager, FindConduit, Subscribed};
use eventsub_mock::helix::fast_retries;
use eventsub_mock::scenario::client_config;
use eventsub_mock::{Delivery, MockEventSub, ShardFault, within};
use eventsub_proto::events::EventData;
use eventsub_proto::{ConduitId, Event, ShardAssignError, StopReason, SubscriptionSpec};
use eventsub_tests::recording_buffer::RecordingBuffer;
use eventsub_tokio::{AccessToken, EventStream, EventSub, EventSubHandle};
use futures_util::StreamExt;

fn online(broadcaster: &str) -> SubscriptionSpec {
    SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", broadcaster)
}

/// A conduit of `shard_count` shards on `mock`, with a `stream.online` subscription.
async fn conduit_with_online(mock: &MockEventSub, shard_count: u32) -> ConduitManager {
    let manager = ConduitManager::open(
        mock.helix_client(CLIENT_ID, APP_TOKEN),
        FindConduit::Create { shard_count },
    )
    .await
    .unwrap();
    assert!(matches!(
        manager.subscribe(&online("42")).await.unwrap(),
        Subscribed::Created(_)
    ));
    manager
}

/// One shard client and every event it delivered so far.
struct ShardClient {
    handle: EventSubHandle,
    events: EventStream,
    seen: Vec<Event>,
}

impl ShardClient {
    fn start(mock: &MockEventSub, conduit_id: &ConduitId, shard_id: u32) -> Self {
        let (handle, events) = EventSub::builder(CLIENT_ID, AccessToken::new(APP_TOKEN))
            .config(client_config())
            .eventsub_url(mock.ws_url())
            .helix_url(mock.helix_url())
            .auth_url(mock.auth_url())
            .helix_retry(fast_retries())
            .seed(u64::from(shard_id) + 1)
            .conduit_shard(conduit_id.clone(), shard_id)
            .connect()
            .expect("client starts");
        Self {
            handle,
            events,
            seen: Vec::new(),
        }
    }

    /// Reads events until one matches; returns it.
    async fn until(&mut self, what: &str, matches: impl Fn(&Event) -> bool) -> Event {
        within(PATIENCE, what, async {
            loop {
                let event = self
                    .events
                    .next()
                    .await
                    .unwrap_or_else(|| panic!("stream ended before {what}: {:#?}", self.seen));
                self.seen.push(event.clone());
                if matches(&event) {
                    return event;
                }
            }
        })
        .await
    }

    async fn assigned(&mut self) {
        self.until("the shard assigned", |event| {
            matches!(event, Event::ShardAssigned { .. })
        })
        .await;
    }

    /// The message ids of `stream.online` notifications delivered so far (in `seen`).
    fn online_ids(&self) -> Vec<String> {
        self.seen
            .iter()
            .filter_map(|event| match event {
                Event::Notification(n) if n.subscription_type() == "stream.online" => {
                    Some(n.message_id().to_string())
                }
                _ => None,
            })
            .collect()
    }

    /// Reads until `count` `stream.online` notifications were delivered in all.
    async fn online_until(&mut self, count: usize) {
        while self.online_ids().len() < count {
            self.until("a stream.online notification", |event| {
                matches!(event, Event::Notification(n) if n.subscription_type() == "stream.online")
            })
            .await;
        }
    }

    async fn shutdown(self) {
        within(PATIENCE, "shutdown", self.handle.shutdown()).await;
    }
}

/// Each id once across `clients`, and together exactly `routed`.
fn assert_each_delivered_once(routed: &[String], clients: &[&ShardClient]) {
    let delivered: Vec<String> = clients.iter().flat_map(|c| c.online_ids()).collect();
    let unique: BTreeSet<&String> = delivered.iter().collect();
    assert_eq!(
        unique.len(),
        delivered.len(),
        "delivered twice: {delivered:?}"
    );
    let expected: BTreeSet<&String> = routed.iter().collect();
    assert_eq!(unique, expected);
}

#[tokio::test]
async fn two_shard_clients_share_a_conduit_and_a_dropped_shard_comes_back_assigned() {
    let mock = start_mock().await;
    let manager = conduit_with_online(&mock, 2).await;
    let conduit_id = manager.conduit().id.clone();
    manager.subscribe_shard_disabled().await.unwrap();

    let mut clients = [
        ShardClient::start(&mock, &conduit_id, 0),
        ShardClient::start(&mock, &conduit_id, 1),
    ];
    for client in &mut clients {
        client.assigned().await;
    }
    let shards = manager.shards(None).await.unwrap();
    assert!(
        shards
            .iter()
            .all(|shard| shard.status.as_str() == "enabled")
    );

    // Spread over both shards, each delivered once.
    let mut routed: Vec<String> = (0..6)
        .flat_map(|_| mock.notify_routed("stream.online", Delivery::Once))
        .map(|routed| routed.message_id)
        .collect();
    assert_eq!(routed.len(), 6);
    clients[0].online_until(3).await;
    clients[1].online_until(3).await;
    assert_each_delivered_once(&routed, &[&clients[0], &clients[1]]);

    // Shard 0's socket drops: a gap, a fresh session, assigned again, the gap ends.
    assert!(mock.fault_shard(conduit_id.as_str(), 0, ShardFault::Drop));
    clients[0]
        .until("the drop", |event| {
            matches!(event, Event::Disconnected { .. })
        })
        .await;
    let assigned_again = clients[0]
        .until("re-assigned", |event| {
            matches!(event, Event::ShardAssigned { .. })
        })
        .await;
    clients[0]
        .until("the gap's end", |event| {
            matches!(event, Event::Resumed { .. })
        })
        .await;
    let Event::ShardAssigned { session_id, .. } = assigned_again else {
        unreachable!("matched above");
    };
    let first_session = clients[0]
        .seen
        .iter()
        .find_map(|event| match event {
            Event::ShardAssigned { session_id, .. } => Some(session_id.clone()),
            _ => None,
        })
        .unwrap();
    assert_ne!(session_id, first_session, "a fresh session was assigned");

    // The other shard heard that shard 0 was disabled.
    let disabled = clients[1]
        .until("conduit.shard.disabled", |event| {
            matches!(event, Event::Notification(n) if n.subscription_type() == "conduit.shard.disabled")
        })
        .await;
    let Event::Notification(disabled) = disabled else {
        unreachable!("matched above");
    };
    let Ok(EventData::ConduitShardDisabled(shard)) = disabled.typed() else {
        panic!(
            "not a typed conduit.shard.disabled: {}",
            disabled.event_json()
        );
    };
    assert_eq!(shard.shard_id, "0");
    assert_eq!(shard.conduit_id, conduit_id.as_str());
    assert_eq!(shard.status.as_str(), "websocket_network_error");

    // Both shards receive again.
    routed.extend(
        (0..4)
            .flat_map(|_| mock.notify_routed("stream.online", Delivery::Once))
            .map(|routed| routed.message_id),
    );
    assert_eq!(routed.len(), 10);
    clients[0].online_until(5).await;
    clients[1].online_until(5).await;
    assert_each_delivered_once(&routed, &[&clients[0], &clients[1]]);
    assert!(mock.unrouted().is_empty());

    let [first, second] = clients;
    first.shutdown().await;
    second.shutdown().await;
}

#[tokio::test]
async fn a_shard_id_outside_the_conduit_stops_the_client_with_the_per_shard_error() {
    let mock = start_mock().await;
    let manager = ConduitManager::open(
        mock.helix_client(CLIENT_ID, APP_TOKEN),
        FindConduit::Create { shard_count: 2 },
    )
    .await
    .unwrap();
    let mut client = ShardClient::start(&mock, &manager.conduit().id, 5);
    let failed = client
        .until("the shard failed", |event| {
            matches!(event, Event::ShardFailed { .. })
        })
        .await;
    let Event::ShardFailed {
        shard,
        reason,
        permanent,
        ..
    } = failed
    else {
        unreachable!("matched above");
    };
    assert_eq!(shard.shard_id, 5);
    assert!(permanent);
    assert_eq!(
        reason,
        ShardAssignError::refused(
            "invalid_shard_id",
            "The shard id is outside of the conduit's range."
        )
    );
    let stopped = client
        .until("stopped", |event| matches!(event, Event::Stopped { .. }))
        .await;
    assert!(matches!(
        stopped,
        Event::Stopped {
            reason: StopReason::ShardRefused { .. }
        }
    ));
    within(PATIENCE, "the client task to end", client.handle.finished()).await;
}

/// The shard ids of the `ShardAssigned` events among `events`, in order.
fn assigned_shards(events: &[Event]) -> Vec<u32> {
    events
        .iter()
        .filter_map(|event| match event {
            Event::ShardAssigned { shard, .. } => Some(shard.shard_id),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_pool_of_shards_is_assigned_in_one_call_and_its_recording_replays_as_that_pool() {
    let mock = start_mock().await;
    let manager = conduit_with_online(&mock, 3).await;
    let conduit_id = manager.conduit().id.clone();
    let calls_before = mock.helix().shard_update_calls;
    // The longest window: the three handshakes on a busy machine fall in one batch.
    let mut config = client_config();
    config.shard_assign_window = eventsub_proto::MAX_SHARD_ASSIGN_WINDOW;
    let recording = RecordingBuffer::default();
    let (handle, events) = EventSub::builder(CLIENT_ID, AccessToken::new(APP_TOKEN))
        .config(config.clone())
        .eventsub_url(mock.ws_url())
        .helix_url(mock.helix_url())
        .auth_url(mock.auth_url())
        .helix_retry(fast_retries())
        .seed(7)
        .record_to(recording.clone())
        .conduit_shards(conduit_id.clone(), [2, 0, 1])
        .connect()
        .expect("client starts");
    assert_eq!(
        (0..4)
            .map(|index| handle.shard_id(index))
            .collect::<Vec<_>>(),
        [Some(2), Some(0), Some(1), None]
    );
    let mut client = ShardClient {
        handle,
        events,
        seen: Vec::new(),
    };
    while assigned_shards(&client.seen).len() < 3 {
        client.assigned().await;
    }
    assert_eq!(
        mock.helix().shard_update_calls - calls_before,
        1,
        "one Update Conduit Shards call for the three shards"
    );
    // An event's session names its shard.
    let Some(Event::ShardAssigned { conn, shard, .. }) = client
        .seen
        .iter()
        .find(|event| matches!(event, Event::ShardAssigned { .. }))
    else {
        unreachable!("three were seen");
    };
    assert_eq!(
        client.handle.shard_id(conn.session_index()),
        Some(shard.shard_id)
    );

    let routed: Vec<String> = (0..3)
        .flat_map(|_| mock.notify_routed("stream.online", Delivery::Once))
        .map(|routed| routed.message_id)
        .collect();
    client.online_until(routed.len()).await;
    let live_online = client.online_ids();
    let live_assigned = {
        let mut shards = assigned_shards(&client.seen);
        shards.sort_unstable();
        shards
    };
    client.shutdown().await;

    let text = recording.text();
    let mut replay_config = config;
    replay_config.url = eventsub_proto::Url::parse(&mock.ws_url()).unwrap();
    let replayed =
        eventsub_proto::recording::replay(replay_config, &text, std::time::Instant::now())
            .expect("the replay runs");
    let mut replayed_assigned = assigned_shards(&replayed);
    replayed_assigned.sort_unstable();
    assert_eq!(replayed_assigned, live_assigned);
    let replayed_online: Vec<String> = replayed
        .iter()
        .filter_map(|event| match event {
            Event::Notification(n) => Some(n.message_id().to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(replayed_online, live_online);
}
