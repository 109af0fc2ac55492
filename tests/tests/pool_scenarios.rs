//! Scenarios of the session pool (`eventsub_proto::Pool`) against the fake Twitch with its real
//! limits (300 enabled subscriptions per session, 3 sessions with subscriptions per token), on
//! fake time. Each test is a sentence of issue 14, part 1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use eventsub_proto::{
    Config, Event, Pool, RequestError, StopReason, SubscribeError, SubscriptionSpec,
    SubscriptionState, TokenIdentity,
};
use eventsub_tests::sim::{Harness, TOKEN_USER, TwitchLimits, user_token_with_all_scopes};

/// `stream.online` of broadcaster `n` (not the token's user: each costs 1).
fn online(n: usize) -> SubscriptionSpec {
    SubscriptionSpec::stream_online(eventsub_proto::BroadcasterId::new(format!("7{n}")))
}

/// A pool config: `subscriptions`, at most `max_sessions` of `per_session` each.
fn config(subscriptions: Vec<SubscriptionSpec>, per_session: usize, max_total_cost: u32) -> Config {
    let mut config = Harness::config();
    config.subscriptions = subscriptions;
    config.max_sessions = 3;
    config.max_subscriptions_per_connection = per_session;
    config.max_total_cost = max_total_cost;
    config
}

/// A pool harness whose fake Twitch enforces Twitch's limits (the config's per session and
/// total cost, 3 sessions) and answers validations at once.
fn pool(config: Config) -> Harness<Pool> {
    pool_validated_by_hand(config, Some(user_token_with_all_scopes()))
}

/// [`pool`], its validations answered with `token`, or left pending when `None`.
fn pool_validated_by_hand(config: Config, token: Option<TokenIdentity>) -> Harness<Pool> {
    let limits = TwitchLimits {
        per_session: config.max_subscriptions_per_connection,
        sessions: 3,
        max_total_cost: config.max_total_cost,
    };
    let mut harness = Harness::driving(config, token);
    harness.twitch.limits = Some(limits);
    harness
}

/// Opens and welcomes every pending connect and answers every creation, until nothing is left.
fn establish(harness: &mut Harness<Pool>) {
    while harness.next_connect().is_some() || !harness.pending_creates.is_empty() {
        while harness.next_connect().is_some() {
            harness.connect_next();
        }
        harness.create_all();
    }
}

/// How many subscriptions the fake Twitch holds on each pool session, by session index.
fn held_per_session(harness: &Harness<Pool>) -> Vec<usize> {
    let mut held = vec![0; harness.client.sessions()];
    for (session_id, subscriptions) in &harness.twitch.subscriptions {
        let conn = harness
            .twitch
            .socket_of(session_id)
            .expect("held on a live socket");
        held[conn.session_index()] += subscriptions.len();
    }
    held
}

fn stops(harness: &Harness<Pool>) -> Vec<&StopReason> {
    harness
        .events
        .iter()
        .filter_map(|event| match event {
            Event::Stopped { reason } => Some(reason),
            _ => None,
        })
        .collect()
}

#[test]
fn seven_hundred_fifty_subscriptions_land_three_hundred_three_hundred_one_hundred_fifty() {
    let mut harness = pool(config((0..750).map(online).collect(), 300, 10_000));
    establish(&mut harness);
    assert_eq!(harness.client.sessions(), 3);
    assert_eq!(held_per_session(&harness), [300, 300, 150]);
    assert!(harness.twitch.limit_refusals.is_empty());
    let report = harness.client.subscriptions_report();
    assert_eq!(report.subscriptions.len(), 750);
    for (session, count) in [(0, 300), (1, 300), (2, 150)] {
        let on_session = report
            .subscriptions
            .iter()
            .filter(|entry| entry.session == session)
            .filter(|entry| matches!(entry.state, SubscriptionState::Enabled { .. }))
            .count();
        assert_eq!(on_session, count, "session {session}");
    }
    assert_eq!(report.total_cost, 750);
    assert_eq!(harness.twitch.total_cost(), 750);
}

#[test]
fn the_nine_hundred_first_subscription_is_refused_with_sessions_full_naming_the_limits() {
    let mut harness = pool(config((0..750).map(online).collect(), 300, 10_000));
    establish(&mut harness);
    for n in 750..900 {
        harness
            .client
            .subscribe(online(n))
            .expect("room on the third session");
    }
    harness.drain();
    harness.create_all();
    assert_eq!(held_per_session(&harness), [300, 300, 300]);
    let error = harness.client.subscribe(online(900)).unwrap_err();
    assert!(
        matches!(
            error,
            SubscribeError::SessionsFull {
                sessions: 3,
                per_session: 300,
                ..
            }
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains('3') && message.contains("300"),
        "{message}"
    );
    assert_eq!(harness.client.sessions(), 3);
    assert!(harness.twitch.limit_refusals.is_empty());
}

#[test]
fn unsubscribing_on_the_first_session_frees_room_there_for_the_next_subscription() {
    let mut harness = pool(config((0..4).map(online).collect(), 2, 100));
    establish(&mut harness);
    assert_eq!(held_per_session(&harness), [2, 2]);
    assert!(harness.client.unsubscribe(&online(0)));
    harness.drain();
    for (request, id) in std::mem::take(&mut harness.pending_deletes) {
        harness.twitch.delete(&id);
        harness.feed(eventsub_proto::Input::SubscriptionDeleted {
            request,
            result: Ok(()),
        });
    }
    harness
        .client
        .subscribe(online(4))
        .expect("room on session 0");
    harness.drain();
    assert!(harness.next_connect().is_none(), "no new session is opened");
    harness.create_all();
    assert_eq!(harness.client.sessions(), 2);
    assert_eq!(held_per_session(&harness), [2, 2]);
    let report = harness.client.subscriptions_report();
    let placed = report
        .subscriptions
        .iter()
        .find(|entry| entry.spec == online(4));
    assert_eq!(placed.map(|entry| entry.session), Some(0));
}

#[test]
fn a_token_rejected_when_the_second_session_validates_stops_the_whole_pool_once() {
    // Two subscriptions fill session 0; the third opens session 1, which validates the token
    // before it connects, and Twitch now says 401.
    let mut harness = pool_validated_by_hand(config((0..2).map(online).collect(), 2, 100), None);
    harness.answer_validation(Ok(user_token_with_all_scopes()));
    establish(&mut harness);
    assert_eq!(held_per_session(&harness), [2]);
    harness
        .client
        .subscribe(online(2))
        .expect("room on a new session");
    harness.drain();
    assert_eq!(harness.client.sessions(), 2);
    assert_eq!(
        harness.pending_validations.len(),
        1,
        "the new session validates"
    );
    assert!(
        harness.next_connect().is_none(),
        "not before its validation"
    );
    harness.answer_validation(Err(RequestError::Unauthorized {
        message: "invalid access token".to_owned(),
    }));
    assert!(harness.client.is_stopped());
    let stops = stops(&harness);
    assert_eq!(stops.len(), 1, "{:?}", harness.events);
    assert!(
        matches!(stops[0], StopReason::Unauthorized { .. }),
        "{stops:?}"
    );
    assert!(matches!(harness.events.last(), Some(Event::Stopped { .. })));
    assert_eq!(
        harness.twitch.open_sockets().count(),
        0,
        "every socket closed"
    );
}

#[test]
fn a_4001_on_the_second_sessions_live_socket_stops_the_whole_pool_once() {
    let mut harness = pool(config((0..3).map(online).collect(), 2, 100));
    establish(&mut harness);
    let second = harness
        .twitch
        .open_sockets()
        .map(|(conn, _)| conn)
        .find(|conn| conn.session_index() == 1)
        .expect("the second session's socket");
    harness.server_close(second, Some(4001));
    assert!(harness.client.is_stopped());
    let stops = stops(&harness);
    assert_eq!(stops.len(), 1, "{:?}", harness.events);
    assert!(
        !matches!(stops[0], StopReason::Shutdown),
        "the second session's reason, not a shutdown: {stops:?}"
    );
    assert!(matches!(harness.events.last(), Some(Event::Stopped { .. })));
    assert_eq!(
        harness.twitch.open_sockets().count(),
        0,
        "every socket closed"
    );
    assert!(harness.client.subscribe(online(9)).is_err());
}

#[test]
fn the_pool_is_idle_only_once_every_session_is_idle() {
    let mut harness = pool(config((0..2).map(online).collect(), 1, 100));
    establish(&mut harness);
    assert_eq!(harness.client.sessions(), 2);
    let idle = |harness: &Harness<Pool>| {
        harness
            .events
            .iter()
            .filter(|event| matches!(event, Event::Idle { .. }))
            .count()
    };
    assert!(harness.client.unsubscribe(&online(0)));
    harness.drain();
    assert_eq!(idle(&harness), 0, "the second session still works");
    assert!(!harness.client.is_idle());
    assert!(harness.client.unsubscribe(&online(1)));
    harness.drain();
    assert_eq!(idle(&harness), 1, "{:?}", harness.events);
    assert!(harness.client.is_idle());
}

#[test]
fn a_subscription_failed_for_good_and_asked_for_again_goes_where_there_is_room() {
    // One per session: `0` fails for good on session 0, `1` takes its place there; asked for
    // again, `0` fits on a second session, not on its old full one.
    let mut harness = pool(config(vec![online(0)], 1, 100));
    harness.connect_next();
    harness.fail_all_creates(RequestError::Rejected {
        status: 400,
        message: "bad condition".to_owned(),
    });
    harness
        .client
        .subscribe(online(1))
        .expect("room on session 0");
    harness.drain();
    establish(&mut harness);
    assert_eq!(held_per_session(&harness), [1]);
    harness
        .client
        .subscribe(online(0))
        .expect("room on a new session");
    harness.drain();
    establish(&mut harness);
    assert_eq!(held_per_session(&harness), [1, 1]);
    assert!(harness.twitch.limit_refusals.is_empty());
}

#[test]
fn the_cost_of_subscriptions_waiting_on_another_session_counts() {
    // Session 0 holds `0` (cost 1) and a free one; `1` (cost 1) waits for session 1 to connect.
    // A third costing 1 would bring the token to 3 of its 2 once session 1 creates its own.
    let own = SubscriptionSpec::stream_online(eventsub_proto::BroadcasterId::new(TOKEN_USER));
    let mut harness = pool(config(vec![online(0), own, online(1)], 2, 2));
    let first = harness.next_connect().expect("session 0 connects");
    harness.open(first);
    harness.welcome(first);
    harness.create_all();
    let error = harness.client.subscribe(online(2)).unwrap_err();
    assert!(
        matches!(
            error,
            SubscribeError::CostLimitExceeded {
                max_total_cost: 2,
                ..
            }
        ),
        "{error:?}"
    );
    establish(&mut harness);
    assert!(
        harness.twitch.limit_refusals.is_empty(),
        "{:?}",
        harness.twitch.limit_refusals
    );
}
