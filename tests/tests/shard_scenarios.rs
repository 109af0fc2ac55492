//! Conduit shard mode through the protocol core on fake time: each fresh session is assigned to
//! the shard, a graceful reconnect keeps the assignment, a drop is a gap that ends when the fresh
//! session is assigned, Twitch's per-shard refusals are reported and retried (or stop the client
//! when they cannot pass), and only shard mode takes an app token.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::{Duration, Instant};

use eventsub_proto::{
    ConduitId, Config, ConnId, Event, Input, Output, RequestError, RequestId, SessionId,
    ShardAssignError, ShardConfig, StopReason, SubscribeError, SubscriptionSpec, TokenIdentity,
};
use eventsub_tests::sim::{Harness, user_token_with_all_scopes};

const CONDUIT: &str = "bfcfc993-26b1-b876-44d9-afe75a379dac";
const SHARD: u32 = 3;

fn shard_config() -> Config {
    let mut config = Harness::config();
    config.subscriptions.clear();
    config.token_user_id = None;
    config.shard = Some(ShardConfig::new(ConduitId::new(CONDUIT), SHARD));
    config
}

fn app_token() -> TokenIdentity {
    TokenIdentity::app("conduit-client")
}

fn shard_harness() -> Harness {
    Harness::with_token(shard_config(), Some(app_token()))
}

/// An `AssignShard` the client asked for: the request, the session, when.
#[derive(Debug, Clone)]
struct Assignment {
    request: RequestId,
    session_id: SessionId,
    asked_at: Instant,
}

fn assignments_since(harness: &Harness, from: usize) -> Vec<Assignment> {
    harness.outputs[from..]
        .iter()
        .filter_map(|(at, output)| match output {
            Output::AssignShard {
                request,
                conduit_id,
                shard_id,
                session_id,
            } => {
                assert_eq!(conduit_id.as_str(), CONDUIT);
                assert_eq!(*shard_id, SHARD);
                Some(Assignment {
                    request: *request,
                    session_id: session_id.clone(),
                    asked_at: *at,
                })
            }
            _ => None,
        })
        .collect()
}

fn session_of(harness: &Harness, conn: ConnId) -> SessionId {
    SessionId::new(harness.twitch.sockets[&conn].session_id().unwrap())
}

fn answer(harness: &mut Harness, assignment: &Assignment, result: Result<(), ShardAssignError>) {
    harness.feed(Input::ShardAssigned {
        request: assignment.request,
        result,
    });
}

/// Connects and welcomes the next socket and answers its assignment with success.
fn establish_shard(harness: &mut Harness) -> ConnId {
    let from = harness.outputs.len();
    let conn = harness.connect_next();
    let asked = assignments_since(harness, from);
    assert_eq!(asked.len(), 1, "one assignment per fresh session");
    answer(harness, &asked[0], Ok(()));
    conn
}

fn not_connected() -> ShardAssignError {
    ShardAssignError::refused(
        "websocket_session_not_connected",
        "The websocket session is not connected.",
    )
}

#[test]
fn a_fresh_session_is_assigned_to_the_shard_at_once_and_nothing_is_subscribed() {
    let mut harness = shard_harness();
    let from = harness.outputs.len();
    let conn = harness.connect_next();
    let asked = assignments_since(&harness, from);
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].session_id, session_of(&harness, conn));
    assert_eq!(
        asked[0].asked_at, harness.now,
        "within Twitch's unused window"
    );
    assert!(
        harness.pending_creates.is_empty(),
        "subscriptions are the conduit's"
    );
    assert!(
        !harness.client.is_shard_assigned(),
        "not before Twitch says so"
    );

    answer(&mut harness, &asked[0], Ok(()));
    let Some(Event::ShardAssigned {
        conn: assigned_conn,
        session_id,
        shard,
    }) = harness.events.last()
    else {
        panic!("no ShardAssigned: {:?}", harness.events);
    };
    assert_eq!(*assigned_conn, conn);
    assert_eq!(*session_id, session_of(&harness, conn));
    assert_eq!(*shard, ShardConfig::new(ConduitId::new(CONDUIT), SHARD));
    let id = harness.notify(conn);
    assert_eq!(harness.delivered(), [id]);
    assert!(
        !harness.client.is_idle(),
        "a shard holds its session without subscriptions"
    );
}

#[test]
fn a_graceful_reconnect_keeps_the_shard_without_assigning_it_again() {
    let mut harness = shard_harness();
    let old = establish_shard(&mut harness);
    assert!(harness.client.is_shard_assigned());
    let old_session = session_of(&harness, old);
    let from = harness.outputs.len();
    harness.reconnect(old);
    let new = harness.connect_next();
    assert!(
        harness.client.is_shard_assigned(),
        "still assigned after the handover"
    );
    assert!(matches!(harness.events.last(), Some(Event::Reconnected { conn, .. }) if *conn == new));
    assert!(
        assignments_since(&harness, from).is_empty(),
        "Twitch moves the shard with its session"
    );
    assert_eq!(session_of(&harness, new), old_session);
    let id = harness.notify(new);
    assert!(harness.delivered().contains(&id));
    assert!(
        !harness
            .events_since(0)
            .iter()
            .any(|event| matches!(event, Event::Disconnected { .. } | Event::Resumed { .. })),
        "no gap"
    );
}

#[test]
fn after_a_drop_the_fresh_session_is_assigned_again_and_the_gap_ends_when_it_is() {
    let mut harness = shard_harness();
    let old = establish_shard(&mut harness);
    let old_session = session_of(&harness, old);
    harness.notify(old);
    harness.server_close(old, None);
    assert!(!harness.client.is_shard_assigned());
    assert!(
        harness
            .events
            .iter()
            .any(|event| matches!(event, Event::Disconnected { conn, .. } if *conn == old))
    );
    harness.advance_to_next_timeout(); // the backoff before the fresh connection
    let from = harness.outputs.len();
    let new = harness.connect_next();
    let asked = assignments_since(&harness, from);
    assert_eq!(asked.len(), 1, "re-assigned on the fresh session");
    assert_eq!(asked[0].session_id, session_of(&harness, new));
    assert_ne!(asked[0].session_id, old_session);
    assert!(
        !harness
            .events
            .iter()
            .any(|event| matches!(event, Event::Resumed { .. })),
        "the gap lasts until the shard is assigned"
    );

    let events_before = harness.events.len();
    answer(&mut harness, &asked[0], Ok(()));
    let after = harness.events_since(events_before);
    assert!(matches!(after[0], Event::ShardAssigned { conn, .. } if conn == new));
    assert!(matches!(after[1], Event::Resumed { .. }), "{after:?}");
    assert!(harness.client.is_shard_assigned());
    assert_eq!(
        harness.client.shard().map(|shard| shard.shard_id),
        Some(SHARD)
    );
}

#[test]
fn a_partial_failure_is_reported_with_twitchs_code_and_message_and_retried_on_the_live_session() {
    let mut harness = shard_harness();
    let from = harness.outputs.len();
    let conn = harness.connect_next();
    let first = assignments_since(&harness, from).remove(0);
    answer(&mut harness, &first, Err(not_connected()));
    let Some(Event::ShardFailed {
        shard,
        reason,
        permanent,
        retry_at,
        ..
    }) = harness.events.last().cloned()
    else {
        panic!("no ShardFailed: {:?}", harness.events);
    };
    assert_eq!(shard.shard_id, SHARD);
    assert_eq!(reason, not_connected());
    assert!(!permanent);
    let retry_at = retry_at.expect("a retry");
    assert!(retry_at > harness.now, "after a backoff delay");
    assert!(!harness.client.is_stopped());

    let from = harness.outputs.len();
    harness.advance_to_next_timeout();
    assert_eq!(harness.now, retry_at);
    let second = assignments_since(&harness, from);
    assert_eq!(second.len(), 1, "asked again");
    assert_eq!(
        second[0].session_id,
        session_of(&harness, conn),
        "on the same session"
    );
    answer(&mut harness, &second[0], Ok(()));
    assert!(matches!(
        harness.events.last(),
        Some(Event::ShardAssigned { .. })
    ));
}

#[test]
fn refused_retries_back_off_further_each_time() {
    let mut harness = shard_harness();
    let from = harness.outputs.len();
    harness.connect_next();
    let mut pending = assignments_since(&harness, from).remove(0);
    let mut waits = Vec::new();
    for _ in 0..3 {
        let failed_at = harness.now;
        answer(&mut harness, &pending, Err(not_connected()));
        let from = harness.outputs.len();
        // Keepalives keep the session alive meanwhile.
        harness.advance_to_next_timeout();
        waits.push(harness.now - failed_at);
        pending = assignments_since(&harness, from).remove(0);
    }
    assert!(waits[0] < waits[2], "the backoff grows: {waits:?}");
}

#[test]
fn a_shard_id_outside_the_conduit_stops_the_client_saying_so() {
    let mut harness = shard_harness();
    let from = harness.outputs.len();
    harness.connect_next();
    let asked = assignments_since(&harness, from).remove(0);
    let out_of_range = ShardAssignError::refused(
        "invalid_shard_id",
        "The shard id is outside of the conduit's range.",
    );
    answer(&mut harness, &asked, Err(out_of_range.clone()));
    let n = harness.events.len();
    assert!(matches!(
        &harness.events[n - 2],
        Event::ShardFailed { reason, permanent: true, retry_at: None, .. } if *reason == out_of_range
    ));
    let Event::Stopped {
        reason: StopReason::ShardRefused { shard, error },
    } = &harness.events[n - 1]
    else {
        panic!("not stopped for the shard: {:?}", harness.events);
    };
    assert_eq!(shard.shard_id, SHARD);
    assert_eq!(*error, out_of_range);
    assert!(harness.client.is_stopped());
    assert!(!harness.advance_to_next_timeout(), "nothing is retried");
}

#[test]
fn a_conduit_that_does_not_exist_stops_the_client() {
    let mut harness = shard_harness();
    let from = harness.outputs.len();
    harness.connect_next();
    let asked = assignments_since(&harness, from).remove(0);
    let missing = ShardAssignError::Request(RequestError::Rejected {
        status: 404,
        message: "conduit not found".to_owned(),
    });
    answer(&mut harness, &asked, Err(missing.clone()));
    assert!(matches!(
        harness.events.last(),
        Some(Event::Stopped { reason: StopReason::ShardRefused { error, .. } }) if *error == missing
    ));
}

#[test]
fn an_unavailable_helix_is_retried_not_fatal() {
    let mut harness = shard_harness();
    let from = harness.outputs.len();
    harness.connect_next();
    let asked = assignments_since(&harness, from).remove(0);
    let unavailable = ShardAssignError::Request(RequestError::Unavailable {
        message: "503".to_owned(),
    });
    answer(&mut harness, &asked, Err(unavailable));
    assert!(matches!(
        harness.events.last(),
        Some(Event::ShardFailed {
            permanent: false,
            ..
        })
    ));
    assert!(!harness.client.is_stopped());
}

#[test]
fn an_answer_for_a_session_that_is_gone_is_ignored_and_the_fresh_one_asks_again() {
    let mut harness = shard_harness();
    let from = harness.outputs.len();
    let old = harness.connect_next();
    let stale = assignments_since(&harness, from).remove(0);
    let from = harness.outputs.len();
    // Closed as unused: a fresh connection at once.
    harness.server_close(old, Some(4003));
    harness.connect_next();
    let fresh = assignments_since(&harness, from);
    assert_eq!(fresh.len(), 1);
    let events_before = harness.events.len();
    answer(&mut harness, &stale, Ok(()));
    assert!(
        harness.events_since(events_before).is_empty(),
        "an assignment of the old session says nothing of the live one"
    );
    answer(&mut harness, &fresh[0], Ok(()));
    assert!(matches!(
        harness.events_since(events_before)[0],
        Event::ShardAssigned { .. }
    ));
}

#[test]
fn an_app_token_is_accepted_in_shard_mode() {
    let harness = shard_harness();
    assert!(matches!(harness.events[0], Event::TokenValidated { .. }));
    assert!(!harness.client.is_stopped());
    assert!(harness.next_connect().is_some(), "it connects");
}

#[test]
fn an_app_token_is_refused_in_websocket_mode() {
    let harness = Harness::with_token(Harness::config(), Some(app_token()));
    assert!(matches!(
        harness.events.last(),
        Some(Event::Stopped {
            reason: StopReason::AppToken
        })
    ));
    assert!(harness.next_connect().is_none());
}

#[test]
fn a_user_token_is_refused_in_shard_mode() {
    let harness = Harness::with_token(shard_config(), Some(user_token_with_all_scopes()));
    assert!(matches!(
        harness.events.last(),
        Some(Event::Stopped {
            reason: StopReason::UserTokenForShard
        })
    ));
    assert!(harness.next_connect().is_none());
}

#[test]
fn a_shard_creates_no_subscriptions_of_its_own() {
    let mut config = shard_config();
    let online =
        SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "42");
    config.subscriptions.push(online.clone());
    let refused = eventsub_proto::Client::new(config, Instant::now()).unwrap_err();
    assert!(matches!(
        refused,
        eventsub_proto::ConfigError::Subscription(SubscribeError::ShardMode { .. })
    ));
    let mut harness = shard_harness();
    assert!(matches!(
        harness.client.subscribe(online),
        Err(SubscribeError::ShardMode { .. })
    ));
}

#[test]
fn an_unassigned_session_closed_as_unused_reconnects_and_asks_again() {
    let mut harness = shard_harness();
    let from = harness.outputs.len();
    let conn = harness.connect_next();
    let first = assignments_since(&harness, from).remove(0);
    answer(&mut harness, &first, Err(not_connected()));
    // Twitch's 10 s window passes before the retry succeeds: 4003, and a fresh session at once.
    harness.advance(Duration::from_secs(10));
    let from = harness.outputs.len();
    harness.server_close(conn, Some(4003));
    harness.connect_next();
    let fresh = assignments_since(&harness, from);
    assert_eq!(fresh.len(), 1, "the fresh session is assigned at once");
    let events_before = harness.events.len();
    answer(&mut harness, &fresh[0], Ok(()));
    assert!(matches!(
        harness.events_since(events_before),
        [Event::ShardAssigned { .. }, Event::Resumed { .. }]
    ));
}

#[test]
fn shard_events_serialize_with_twitchs_reason_and_the_wait_in_seconds() {
    let mut harness = shard_harness();
    let from = harness.outputs.len();
    harness.connect_next();
    let first = assignments_since(&harness, from).remove(0);
    answer(&mut harness, &first, Err(not_connected()));
    let failed = serde_json::to_value(harness.events.last().unwrap()).unwrap();
    assert_eq!(failed["type"], "shard_failed");
    assert_eq!(failed["shard"]["conduit_id"], CONDUIT);
    assert_eq!(failed["shard"]["shard_id"], SHARD);
    assert_eq!(failed["reason"]["kind"], "refused");
    assert_eq!(failed["reason"]["code"], "websocket_session_not_connected");
    assert_eq!(failed["permanent"], false);
    assert!(failed["retry_in_secs"].as_f64().unwrap() > 0.0);
    assert!(
        failed.get("retry_at").is_none(),
        "an Instant means nothing elsewhere"
    );

    harness.advance_to_next_timeout();
    let second = assignments_since(&harness, from).remove(1);
    answer(&mut harness, &second, Ok(()));
    let assigned = serde_json::to_value(harness.events.last().unwrap()).unwrap();
    assert_eq!(assigned["type"], "shard_assigned");
    assert_eq!(assigned["shard"]["shard_id"], SHARD);
    assert!(assigned["session_id"].is_string());
}
