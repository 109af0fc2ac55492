//! The mock's conduits over real sockets on 127.0.0.1: notifications spread over the enabled
//! shards and retried once on another shard, unrouted ones counted, shards disabled with the
//! status of how their session ended, `conduit.shard.disabled`, per-shard faults and update
//! errors, limits, and several clients on one port.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod conduit_support;

use std::collections::BTreeMap;
use std::time::Duration;

use conduit_support::{APP_TOKEN, CLIENT_ID, ShardSocket, start_mock};
use eventsub_helix::{
    ConduitManager, FindConduit, HelixError, ShardUpdate, Subscribed, TransportRequest,
};
use eventsub_mock::{Delivery, MockEventSub, ShardFault};
use eventsub_proto::{SessionId, SubscriptionSpec};

fn online(broadcaster: &str) -> SubscriptionSpec {
    SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", broadcaster)
}

/// A conduit of `shards` shards, each assigned to its own fresh socket, subscribed to
/// `stream.online`.
async fn conduit_with_shards(
    mock: &MockEventSub,
    client_id: &str,
    token: &str,
    shards: u32,
) -> (ConduitManager, Vec<ShardSocket>) {
    let client = mock.helix_client(client_id, token);
    let manager = ConduitManager::open(
        client,
        FindConduit::Create {
            shard_count: shards,
        },
    )
    .await
    .unwrap();
    let sockets = conduit_support::connect_many(&mock.ws_url(), shards as usize).await;
    let assignments: Vec<(u32, SessionId)> = sockets
        .iter()
        .enumerate()
        .map(|(shard, socket)| (shard as u32, SessionId::new(socket.session_id.clone())))
        .collect();
    let report = manager.assign(&assignments).await.unwrap();
    assert!(report.is_complete(), "{:?}", report.failed);
    let created = manager.subscribe(&online("42")).await.unwrap();
    assert!(matches!(created, Subscribed::Created(_)), "{created:?}");
    (manager, sockets)
}

fn shard_counts(routed: &[eventsub_mock::Routed]) -> BTreeMap<usize, usize> {
    let mut counts = BTreeMap::new();
    for routed in routed {
        *counts
            .entry(routed.shard.as_ref().unwrap().shard_id)
            .or_default() += 1;
    }
    counts
}

#[tokio::test]
async fn conduit_notifications_are_spread_over_the_enabled_shards() {
    let mock = start_mock().await;
    let (manager, mut sockets) = conduit_with_shards(&mock, CLIENT_ID, APP_TOKEN, 3).await;

    let routed: Vec<_> = (0..9)
        .flat_map(|_| mock.notify_routed("stream.online", Delivery::Once))
        .collect();
    assert_eq!(routed.len(), 9);
    assert_eq!(
        shard_counts(&routed),
        BTreeMap::from([(0, 3), (1, 3), (2, 3)])
    );
    assert!(
        routed
            .iter()
            .all(|r| r.shard.as_ref().unwrap().attempt == 1)
    );
    for socket in &mut sockets {
        for notification in socket.notifications(3).await {
            let transport = &notification["payload"]["subscription"]["transport"];
            assert_eq!(transport["method"], "conduit");
            assert_eq!(transport["conduit_id"], manager.conduit().id.as_str());
        }
    }
    assert!(mock.unrouted().is_empty());
}

#[tokio::test]
async fn a_shard_that_fails_a_delivery_has_it_retried_once_on_another_shard() {
    let mock = start_mock().await;
    let (manager, mut sockets) = conduit_with_shards(&mock, CLIENT_ID, APP_TOKEN, 3).await;
    let conduit_id = manager.conduit().id.as_str().to_owned();
    assert!(mock.fault_shard(&conduit_id, 1, ShardFault::RefuseDelivery));
    assert!(
        !mock.fault_shard(&conduit_id, 3, ShardFault::RefuseDelivery),
        "no shard 3"
    );
    assert!(!mock.fault_shard("no-such-conduit", 0, ShardFault::RefuseDelivery));

    let routed: Vec<_> = (0..6)
        .flat_map(|_| mock.notify_routed("stream.online", Delivery::Once))
        .collect();
    assert_eq!(routed.len(), 6, "every notification found a shard");
    assert!(!shard_counts(&routed).contains_key(&1));
    let retried: Vec<_> = routed
        .iter()
        .filter_map(|r| r.shard.as_ref())
        .filter(|shard| shard.attempt == 2)
        .collect();
    assert_eq!(retried.len(), 2, "the turns of shard 1 went elsewhere");
    assert!(retried.iter().all(|shard| shard.shard_id == 2));
    assert!(sockets[1].received_notifications().is_empty());
    let delivered =
        sockets[0].notifications(2).await.len() + sockets[2].notifications(4).await.len();
    assert_eq!(delivered, 6);

    assert!(mock.fault_shard(&conduit_id, 1, ShardFault::Restore));
    let routed = mock.notify_routed("stream.online", Delivery::Once);
    assert_eq!(routed[0].shard.as_ref().unwrap().shard_id, 0);
}

#[tokio::test]
async fn a_notification_no_shard_takes_is_counted_as_unrouted() {
    let mock = start_mock().await;
    let (manager, _sockets) = conduit_with_shards(&mock, CLIENT_ID, APP_TOKEN, 2).await;
    let conduit_id = manager.conduit().id.as_str().to_owned();
    for shard in 0..2 {
        assert!(mock.fault_shard(&conduit_id, shard, ShardFault::RefuseDelivery));
    }
    let routed = mock.notify_routed("stream.online", Delivery::Once);
    assert!(routed.is_empty());
    let unrouted = mock.unrouted();
    assert_eq!(unrouted.len(), 1);
    assert_eq!(mock.take_unrouted(), unrouted);
    assert!(mock.unrouted().is_empty(), "taken");
    assert!(
        mock.records()
            .sent()
            .all(|frame| frame.message_id != unrouted[0])
    );
}

#[tokio::test]
async fn a_shard_whose_session_ends_is_disabled_and_its_share_moves_to_the_others() {
    let mock = start_mock().await;
    let (manager, mut sockets) = conduit_with_shards(&mock, CLIENT_ID, APP_TOKEN, 3).await;
    let leaving = sockets.remove(1);
    let leaving_session = leaving.session_id.clone();
    leaving.close(1000).await;
    assert!(
        mock.wait_for(conduit_support::PATIENCE, |mock| mock.sockets().len() == 2)
            .await
    );

    let shards = manager.shards(None).await.unwrap();
    let shard = shards.iter().find(|shard| shard.id == "1").unwrap();
    assert_eq!(shard.status.as_str(), "websocket_disconnected");
    let eventsub_proto::Transport::Websocket {
        session_id,
        disconnected_at,
        ..
    } = shard.transport.as_ref().unwrap()
    else {
        panic!("a websocket shard: {shard:?}");
    };
    assert_eq!(session_id.as_str(), leaving_session);
    assert!(disconnected_at.is_some());

    let routed: Vec<_> = (0..4)
        .flat_map(|_| mock.notify_routed("stream.online", Delivery::Once))
        .collect();
    assert_eq!(shard_counts(&routed), BTreeMap::from([(0, 2), (2, 2)]));
    assert!(
        routed
            .iter()
            .all(|r| r.shard.as_ref().unwrap().attempt == 1)
    );
    assert_eq!(
        sockets[0].notifications(2).await.len() + sockets[1].notifications(2).await.len(),
        4
    );
}

#[tokio::test]
async fn a_shards_status_says_how_its_session_ended() {
    let mock = start_mock().await;
    let (manager, sockets) = conduit_with_shards(&mock, CLIENT_ID, APP_TOKEN, 4).await;
    let conduit_id = manager.conduit().id.as_str().to_owned();
    assert!(mock.fault_shard(&conduit_id, 0, ShardFault::Close(4005)));
    assert!(mock.fault_shard(&conduit_id, 1, ShardFault::Close(4000)));
    assert!(mock.fault_shard(&conduit_id, 2, ShardFault::Drop));
    let mut sockets = sockets.into_iter();
    for _ in 0..3 {
        sockets.next().unwrap().ended().await;
    }
    sockets.next().unwrap().close(1000).await;
    assert!(
        mock.wait_for(conduit_support::PATIENCE, |mock| mock.sockets().is_empty())
            .await
    );
    let statuses: Vec<String> = manager
        .shards(None)
        .await
        .unwrap()
        .into_iter()
        .map(|shard| shard.status.as_str().to_owned())
        .collect();
    assert_eq!(
        statuses,
        [
            "websocket_network_timeout",
            "websocket_internal_error",
            "websocket_network_error",
            "websocket_disconnected"
        ]
    );
    // The subscription belongs to the conduit: no shard's end touched it.
    assert!(mock.helix().subscriptions.iter().all(|s| s.is_enabled()));
    let disconnected = manager
        .shards(Some(eventsub_helix::ShardStatus::WebsocketDisconnected))
        .await
        .unwrap();
    assert_eq!(disconnected.len(), 1);
    assert_eq!(disconnected[0].id, "3");
}

#[tokio::test]
async fn conduit_shard_disabled_reaches_its_subscribers_with_the_status() {
    let mock = start_mock().await;
    let (manager, mut sockets) = conduit_with_shards(&mock, CLIENT_ID, APP_TOKEN, 2).await;
    assert!(matches!(
        manager.subscribe_shard_disabled().await.unwrap(),
        Subscribed::Created(_)
    ));
    let conduit_id = manager.conduit().id.as_str().to_owned();
    // A subscriber for another conduit's shards hears nothing of this one's.
    let elsewhere = SubscriptionSpec::new("conduit.shard.disabled", "1")
        .with_condition("client_id", CLIENT_ID)
        .with_condition("conduit_id", "another-conduit");
    manager.subscribe(&elsewhere).await.unwrap();
    let failing = sockets.remove(0);
    let failing_session = failing.session_id.clone();
    assert!(mock.fault_shard(&conduit_id, 0, ShardFault::Close(4002)));
    failing.ended().await;

    let notification = sockets[0].next_of("notification").await;
    assert_eq!(
        notification["metadata"]["subscription_type"],
        "conduit.shard.disabled"
    );
    let event = &notification["payload"]["event"];
    assert_eq!(event["conduit_id"], conduit_id.as_str());
    assert_eq!(event["shard_id"], "0");
    assert_eq!(event["status"], "websocket_failed_ping_pong");
    assert_eq!(event["transport"]["method"], "websocket");
    assert_eq!(event["transport"]["session_id"], failing_session.as_str());
    assert!(event["transport"]["disconnected_at"].is_string());
    // It parses as the typed event the client will hand out.
    let text = event.to_string();
    let typed: eventsub_proto::events::conduit::ConduitShardDisabled<'_> =
        serde_json::from_str(&text).unwrap();
    assert_eq!(typed.status.as_str(), "websocket_failed_ping_pong");

    // Anything queued with it on the one shard left has gone out before this.
    mock.notify("stream.online", Delivery::Once);
    sockets[0].next_of("notification").await;
    let announced = mock
        .records()
        .sent_notifications()
        .into_iter()
        .filter(|frame| frame.subscription_type.as_deref() == Some("conduit.shard.disabled"))
        .count();
    assert_eq!(announced, 1);
}

#[tokio::test]
async fn a_session_assigned_to_a_shard_is_not_closed_as_unused() {
    // A window long enough for the assignment to land in it even on a busy machine.
    let config = eventsub_mock::MockConfig::fast().with_unused_window(Duration::from_secs(2));
    let mock = MockEventSub::start(config).await.unwrap();
    mock.helix().add_app_token(APP_TOKEN, CLIENT_ID);
    let client = mock.helix_client(CLIENT_ID, APP_TOKEN);
    let manager = ConduitManager::open(client, FindConduit::Create { shard_count: 1 })
        .await
        .unwrap();
    let mut assigned = ShardSocket::connect(&mock.ws_url()).await;
    let unused = ShardSocket::connect(&mock.ws_url()).await;
    let session = SessionId::new(assigned.session_id.clone());
    assert!(manager.assign(&[(0, session)]).await.unwrap().is_complete());

    // The unused one (welcomed after the assigned one) is closed with 4003 once its window
    // ends...
    unused.ended().await;
    // ...while the assigned one, whose window ended first, lives on: two more keepalives come
    // after that (its loop turned at least once after its window's check).
    assigned.forget_received();
    assigned.next_of("session_keepalive").await;
    assigned.next_of("session_keepalive").await;
    let open: Vec<String> = mock
        .sockets()
        .into_iter()
        .map(|info| info.session_id)
        .collect();
    assert_eq!(open, [assigned.session_id.clone()]);
    let ends: Vec<_> = mock
        .records()
        .endings()
        .into_iter()
        .map(|(_, how)| how)
        .collect();
    assert_eq!(ends, [eventsub_mock::Ended::ByServer(4003)]);
}

#[tokio::test]
async fn update_conduit_shards_lists_each_refused_shard_with_twitchs_reason() {
    let mock = start_mock().await;
    let client = mock.helix_client(CLIENT_ID, APP_TOKEN);
    let conduit = client.create_conduit(3).await.unwrap();
    let live = ShardSocket::connect(&mock.ws_url()).await;
    mock.helix()
        .refuse_next_shard_update(conduit.id.as_str(), 2, "shard is busy");
    let live_session = TransportRequest::websocket(live.session_id.clone());
    let result = client
        .update_conduit_shards(
            &conduit.id,
            &[
                ShardUpdate::new(0, live_session.clone()),
                ShardUpdate::new(1, TransportRequest::websocket("never-connected")),
                ShardUpdate::new(2, live_session.clone()),
                ShardUpdate::new(3, live_session),
            ],
        )
        .await
        .unwrap();
    let updated: Vec<&str> = result.updated.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(updated, ["0"]);
    let errors: Vec<(&str, &str)> = result
        .errors
        .iter()
        .map(|e| (e.id.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            ("1", "The websocket session is not connected."),
            ("2", "shard is busy"),
            ("3", "The shard id is outside of the conduit's range."),
        ]
    );
}

#[tokio::test]
async fn conduit_limits_are_refused_with_twitchs_statuses() {
    let mock = start_mock().await;
    let client = mock.helix_client(CLIENT_ID, APP_TOKEN);
    let error = client.create_conduit(20_001).await.unwrap_err();
    assert!(matches!(error, HelixError::BadRequest { .. }), "{error:?}");
    let too_big = ConduitManager::open(
        client.clone(),
        FindConduit::Create {
            shard_count: 20_001,
        },
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            too_big,
            eventsub_helix::ConduitError::ShardCountOutOfRange {
                requested: 20_001,
                ..
            }
        ),
        "{too_big:?}"
    );
    let mut managers = Vec::new();
    for _ in 0..5 {
        let created = ConduitManager::open(client.clone(), FindConduit::Create { shard_count: 1 });
        managers.push(created.await.unwrap());
    }
    let sixth = ConduitManager::open(client.clone(), FindConduit::Create { shard_count: 1 })
        .await
        .unwrap_err();
    assert!(
        matches!(
            sixth,
            eventsub_helix::ConduitError::TooManyConduits { max: 5, .. }
        ),
        "{sixth:?}"
    );
    let error = client
        .update_conduit(&managers[0].conduit().id, 20_001)
        .await
        .unwrap_err();
    assert!(matches!(error, HelixError::BadRequest { .. }), "{error:?}");
}

#[tokio::test]
async fn two_clients_share_one_mock_port_without_seeing_each_other() {
    let mock = start_mock().await;
    mock.helix()
        .add_app_token("other-app-token", "other-client");
    let (first, mut first_sockets) = conduit_with_shards(&mock, CLIENT_ID, APP_TOKEN, 2).await;
    let (second, mut second_sockets) =
        conduit_with_shards(&mock, "other-client", "other-app-token", 2).await;
    assert_ne!(first.conduit().id, second.conduit().id);
    assert_eq!(
        first.client().conduits().await.unwrap(),
        [first.conduit().clone()]
    );
    assert_eq!(
        second.client().conduits().await.unwrap(),
        [second.conduit().clone()]
    );

    // One notification per conduit subscription, each on its own client's shards.
    let routed = mock.notify_routed("stream.online", Delivery::Once);
    assert_eq!(routed.len(), 2);
    let conduits: Vec<&str> = routed
        .iter()
        .map(|r| r.shard.as_ref().unwrap().conduit_id.as_str())
        .collect();
    assert_eq!(
        conduits,
        [first.conduit().id.as_str(), second.conduit().id.as_str()]
    );
    let first_got = first_sockets[0].next_of("notification").await;
    let second_got = second_sockets[0].next_of("notification").await;
    assert_eq!(
        first_got["payload"]["subscription"]["transport"]["conduit_id"],
        first.conduit().id.as_str()
    );
    assert_eq!(
        second_got["payload"]["subscription"]["transport"]["conduit_id"],
        second.conduit().id.as_str()
    );

    // One client's shard going down touches nothing of the other's.
    first_sockets.remove(0).close(1000).await;
    assert!(
        mock.wait_for(conduit_support::PATIENCE, |mock| mock.sockets().len() == 3)
            .await
    );
    let enabled = |shards: Vec<eventsub_helix::ConduitShard>| {
        shards
            .iter()
            .filter(|s| s.status.as_str() == "enabled")
            .count()
    };
    assert_eq!(enabled(first.shards(None).await.unwrap()), 1);
    assert_eq!(enabled(second.shards(None).await.unwrap()), 2);
    assert!(second_sockets[1].received_notifications().is_empty());
}

#[tokio::test]
async fn a_notification_left_queued_on_a_closing_shard_goes_to_another_shard() {
    let mock = start_mock().await;
    let (manager, mut sockets) = conduit_with_shards(&mock, CLIENT_ID, APP_TOKEN, 2).await;
    let conduit_id = manager.conduit().id.as_str().to_owned();
    // On this single-threaded runtime the socket task cannot act between these two calls: the
    // notification is queued on shard 0 behind the close, so shard 0 never sends it.
    assert!(mock.fault_shard(&conduit_id, 0, ShardFault::Close(4000)));
    let routed = mock.notify_routed("stream.online", Delivery::Once);
    assert_eq!(routed.len(), 1);
    assert_eq!(routed[0].shard.as_ref().unwrap().shard_id, 0);
    let message_id = routed[0].message_id.clone();

    let notification = sockets[1].next_of("notification").await;
    assert_eq!(notification["metadata"]["message_id"], message_id.as_str());
    sockets.remove(0).ended().await;
    let sent: Vec<_> = mock
        .records()
        .sent()
        .filter(|frame| frame.message_id == message_id)
        .map(|frame| frame.session_id.clone())
        .collect();
    assert_eq!(
        sent,
        [sockets[0].session_id.clone()],
        "sent once, by shard 1"
    );
    assert!(mock.unrouted().is_empty());
}

#[tokio::test]
async fn a_notification_whose_retry_shard_also_fails_is_counted_as_unrouted() {
    let mock = start_mock().await;
    let (manager, sockets) = conduit_with_shards(&mock, CLIENT_ID, APP_TOKEN, 1).await;
    let conduit_id = manager.conduit().id.as_str().to_owned();
    assert!(mock.fault_shard(&conduit_id, 0, ShardFault::Close(4006)));
    let routed = mock.notify_routed("stream.online", Delivery::Once);
    assert_eq!(routed.len(), 1, "queued on the only shard before it closed");
    for socket in sockets {
        socket.ended().await;
    }
    assert!(
        mock.wait_for(conduit_support::PATIENCE, |mock| mock.unrouted()
            == [routed[0].message_id.clone()])
            .await
    );
    assert!(mock.records().sent_notifications().is_empty());
}

#[tokio::test]
async fn a_shard_follows_its_session_through_a_graceful_reconnect() {
    let mock = start_mock().await;
    let (manager, mut sockets) = conduit_with_shards(&mock, CLIENT_ID, APP_TOKEN, 1).await;
    manager.subscribe_shard_disabled().await.unwrap();
    let mut old = sockets.remove(0);
    let old_socket = mock.sockets()[0].socket;
    let url = mock.reconnect(old_socket).unwrap();
    let reconnect = old.next_of("session_reconnect").await;
    assert_eq!(
        reconnect["payload"]["session"]["reconnect_url"],
        url.as_str()
    );

    let mut new = ShardSocket::connect(&url).await;
    assert_eq!(
        new.session_id, old.session_id,
        "the session, and so the shard, carries over"
    );
    old.close(1000).await;
    assert!(
        mock.wait_for(conduit_support::PATIENCE, |mock| mock.sockets().len() == 1)
            .await
    );

    let shards = manager.shards(None).await.unwrap();
    assert_eq!(shards[0].status.as_str(), "enabled");
    let routed = mock.notify_routed("stream.online", Delivery::Once);
    assert_eq!(routed.len(), 1);
    assert_ne!(routed[0].sockets, [old_socket]);
    let notification = new.next_of("notification").await;
    assert_eq!(
        notification["metadata"]["subscription_type"],
        "stream.online"
    );
    assert!(mock.unrouted().is_empty());
    let disabled: Vec<_> = mock
        .records()
        .sent_notifications()
        .into_iter()
        .filter(|frame| frame.subscription_type.as_deref() == Some("conduit.shard.disabled"))
        .map(|frame| frame.message_id.clone())
        .collect();
    assert!(disabled.is_empty(), "no shard was disabled: {disabled:?}");
}

#[tokio::test]
async fn what_happens_in_the_world_reaches_a_conduit_shard() {
    let mock = start_mock().await;
    let (_manager, mut sockets) = conduit_with_shards(&mock, CLIENT_ID, APP_TOKEN, 2).await;
    let happened = mock.world().stream_online("42");
    assert_eq!(happened.delivered.len(), 1);
    let silent = mock.world().stream_online("43");
    assert!(silent.delivered.is_empty(), "nobody listens to channel 43");
    let notification = sockets[0].next_of("notification").await;
    assert_eq!(
        notification["metadata"]["message_id"],
        happened.delivered[0].as_str()
    );
    assert_eq!(
        notification["payload"]["event"]["broadcaster_user_id"],
        "42"
    );
}
