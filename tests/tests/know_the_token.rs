//! Scenario tests of issue 13 "Know the token" on fake time: validation before the first socket
//! and hourly, scope refusals, costs from Twitch, idle instead of a 4003 loop, re-subscribing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::Duration;

use eventsub_proto::{
    BroadcasterId, Created, Event, Inactive, Input, ModeratorId, Output, RequestError, StopReason,
    SubscribeError, SubscriptionFailure, SubscriptionId, SubscriptionSpec, SubscriptionState,
    TokenIdentity, UserId,
};
use eventsub_tests::sim::{
    Harness, TOKEN_USER, own_channel_subscriptions, user_token_with_all_scopes,
};

fn outputs_since(harness: &Harness, from: usize) -> Vec<&Output> {
    harness.outputs[from..]
        .iter()
        .map(|(_, output)| output)
        .collect()
}

/// What the pending creations ask for.
fn asked_for(harness: &Harness) -> Vec<&SubscriptionSpec> {
    harness
        .pending_creates
        .iter()
        .map(|create| &create.subscription)
        .collect()
}

fn connects_since(harness: &Harness, from: usize) -> usize {
    outputs_since(harness, from)
        .iter()
        .filter(|output| matches!(output, Output::Connect { .. }))
        .count()
}

fn validations_since(harness: &Harness, from: usize) -> usize {
    outputs_since(harness, from)
        .iter()
        .filter(|output| matches!(output, Output::ValidateToken { .. }))
        .count()
}

/// `count` subscriptions on the token user's own channel: each costs 0 at Twitch.
fn own_channel(count: usize) -> Vec<SubscriptionSpec> {
    own_channel_subscriptions(TOKEN_USER, count)
}

fn user_token(scopes: &[&str]) -> TokenIdentity {
    TokenIdentity::user(
        "fake-client",
        UserId::new(TOKEN_USER),
        "twitchdev",
        scopes.iter().copied(),
    )
}

fn follow() -> SubscriptionSpec {
    SubscriptionSpec::channel_follow_v2(
        BroadcasterId::new(TOKEN_USER),
        ModeratorId::new(TOKEN_USER),
    )
}

fn online(broadcaster: &str) -> SubscriptionSpec {
    SubscriptionSpec::stream_online(BroadcasterId::new(broadcaster))
}

// Validate before the first socket.

#[test]
fn the_token_is_validated_before_the_first_socket_and_reported() {
    let mut harness = Harness::with_token(Harness::config(), None);
    assert_eq!(harness.pending_validations.len(), 1);
    assert_eq!(
        connects_since(&harness, 0),
        0,
        "no socket before the answer"
    );
    assert_eq!(
        harness.client.poll_timeout(),
        None,
        "it waits for the answer"
    );
    harness.answer_validation(Ok(
        user_token_with_all_scopes().with_expires_in(Duration::from_secs(5_000))
    ));
    let Some(Event::TokenValidated { identity }) = harness.events.first() else {
        panic!("{:?}", harness.events)
    };
    assert_eq!(identity.user_id, Some(UserId::new(TOKEN_USER)));
    assert_eq!(identity.expires_in, Some(Duration::from_secs(5_000)));
    assert_eq!(harness.pending_connects.len(), 1);
    assert!(harness.client.token().is_some());
}

#[test]
fn an_app_token_stops_the_client_before_any_socket() {
    let mut harness = Harness::with_token(Harness::config(), None);
    harness.answer_validation(Ok(TokenIdentity::app("fake-client")));
    let Some(Event::Stopped { reason }) = harness.events.last() else {
        panic!("{:?}", harness.events)
    };
    assert_eq!(*reason, StopReason::AppToken);
    assert!(reason.to_string().contains("user access token"), "{reason}");
    assert_eq!(connects_since(&harness, 0), 0);
}

#[test]
fn a_401_to_the_validation_stops_the_client() {
    let mut harness = Harness::with_token(Harness::config(), None);
    harness.answer_validation(Err(RequestError::Unauthorized {
        message: "invalid access token".to_owned(),
    }));
    assert!(matches!(
        harness.events.last(),
        Some(Event::Stopped {
            reason: StopReason::Unauthorized { .. }
        })
    ));
    assert_eq!(connects_since(&harness, 0), 0);
}

#[test]
fn an_unavailable_validation_is_retried_with_backoff_not_fatal() {
    let mut harness = Harness::with_token(Harness::config(), None);
    let mut delays = Vec::new();
    for _ in 0..4 {
        harness.answer_validation(Err(RequestError::Unavailable {
            message: "503".to_owned(),
        }));
        assert!(!harness.client.is_stopped());
        let at = harness.client.poll_timeout().expect("a retry is planned");
        delays.push(at - harness.now);
        assert!(harness.advance_to_next_timeout());
        assert_eq!(harness.pending_validations.len(), 1, "asked again");
    }
    assert_eq!(connects_since(&harness, 0), 0);
    assert!(
        delays.last() > delays.first(),
        "the backoff grows: {delays:?}"
    );
    harness.answer_validation(Ok(user_token_with_all_scopes()));
    assert_eq!(harness.pending_connects.len(), 1);
}

#[test]
fn the_token_is_validated_again_every_revalidate_every() {
    let mut config = Harness::config();
    config.revalidate_every = Duration::from_secs(3600);
    let mut harness = Harness::with_token(config, None);
    harness.answer_validation(Ok(user_token_with_all_scopes()));
    let conn = harness.establish();
    let validated_at = harness.now;
    // Keepalives keep the session up for the hour.
    while harness.now < validated_at + Duration::from_secs(3600) {
        harness.advance(Duration::from_secs(10));
        harness.keepalive(conn);
    }
    assert_eq!(harness.pending_validations.len(), 1, "revalidated hourly");
    harness.answer_validation(Ok(user_token_with_all_scopes()));
    assert!(harness.client.session_id().is_some(), "the session goes on");
    assert_eq!(
        harness
            .events
            .iter()
            .filter(|event| matches!(event, Event::TokenValidated { .. }))
            .count(),
        2
    );
}

#[test]
fn a_subscription_the_tokens_scopes_cannot_serve_is_refused_before_any_helix_call() {
    let mut config = Harness::config();
    let poll = SubscriptionSpec::channel_poll_begin(BroadcasterId::new(TOKEN_USER));
    config.subscriptions = vec![follow(), online(TOKEN_USER), poll.clone()];
    let mut harness = Harness::with_token(config, None);
    harness.answer_validation(Ok(user_token(&["user:read:chat"])));
    let refused: Vec<&SubscriptionFailure> = harness
        .events
        .iter()
        .filter_map(|event| match event {
            Event::SubscriptionFailed { reason, .. } => Some(reason),
            _ => None,
        })
        .collect();
    assert_eq!(
        refused,
        [
            &SubscriptionFailure::MissingScope {
                subscription_type: "channel.follow".to_owned(),
                version: "2".to_owned(),
                missing: vec![&["moderator:read:followers"][..]],
            },
            &SubscriptionFailure::MissingScope {
                subscription_type: "channel.poll.begin".to_owned(),
                version: "1".to_owned(),
                missing: vec![&["channel:read:polls", "channel:manage:polls"][..]],
            },
        ]
    );
    assert!(
        refused[1]
            .to_string()
            .contains("one of the scopes `channel:read:polls`, `channel:manage:polls`"),
        "{}",
        refused[1]
    );
    harness.connect_next();
    assert_eq!(
        asked_for(&harness),
        [&online(TOKEN_USER)],
        "only the one the token can serve"
    );
    let states: Vec<&SubscriptionState> = harness.client.subscriptions().map(|(_, s)| s).collect();
    assert!(matches!(
        states[0],
        SubscriptionState::Failed { retry: false, .. }
    ));
    // Once the token is known, `subscribe` refuses such a spec at once.
    let chat = SubscriptionSpec::new("channel.chat.message", "1")
        .with_condition("broadcaster_user_id", "1")
        .with_condition("user_id", TOKEN_USER);
    assert!(
        harness.client.subscribe(chat).is_ok(),
        "user:read:chat is granted"
    );
    let result = harness
        .client
        .subscribe(SubscriptionSpec::new("channel.ad_break.begin", "1"));
    let Err(SubscribeError::MissingScope { missing, .. }) = result else {
        panic!("{result:?}")
    };
    assert_eq!(missing, vec![&["channel:read:ads"][..]]);
}

#[test]
fn a_401_to_a_creation_revalidates_and_asks_again_instead_of_stopping() {
    let mut harness = Harness::new(Harness::config());
    harness.connect_next();
    let validations = validations_since(&harness, 0);
    let from = harness.outputs.len();
    harness.fail_all_creates(RequestError::Unauthorized {
        message: "invalid oauth token".into(),
    });
    assert!(!harness.client.is_stopped());
    assert!(matches!(
        harness.events.last(),
        Some(Event::SubscriptionFailed { .. })
    ));
    assert!(harness.advance_to_next_timeout());
    assert_eq!(validations_since(&harness, from), 1, "validated again");
    assert!(validations_since(&harness, 0) > validations);
    assert_eq!(
        harness.pending_creates.len(),
        1,
        "asked again after the answer"
    );
    harness.create_all();
    assert!(
        harness
            .client
            .subscriptions()
            .all(|(_, state)| matches!(state, SubscriptionState::Enabled { .. }))
    );
}

#[test]
fn helix_401s_answered_by_good_validations_meet_a_growing_delay_not_a_loop() {
    let mut harness = Harness::new(Harness::config());
    harness.connect_next();
    let mut waits = Vec::new();
    // Three rounds fit in the keepalive window (no keepalives are sent here).
    for _ in 0..3 {
        harness.fail_all_creates(RequestError::Unauthorized {
            message: "invalid oauth token".into(),
        });
        let before = harness.now;
        assert!(harness.advance_to_next_timeout());
        waits.push(harness.now - before);
        assert_eq!(harness.pending_creates.len(), 1);
    }
    assert!(waits[2] > waits[0], "{waits:?}");
}

#[test]
fn a_401_to_a_creation_stops_the_client_when_its_revalidation_answers_401() {
    let mut harness = Harness::with_token(Harness::config(), None);
    harness.answer_validation(Ok(user_token_with_all_scopes()));
    harness.connect_next();
    harness.fail_all_creates(RequestError::Unauthorized {
        message: "invalid oauth token".into(),
    });
    assert!(harness.advance_to_next_timeout());
    harness.answer_validation(Err(RequestError::Unauthorized {
        message: "invalid access token".into(),
    }));
    assert!(matches!(
        harness.events.last(),
        Some(Event::Stopped {
            reason: StopReason::Unauthorized { .. }
        })
    ));
}

// Cost from Twitch.

#[test]
fn twelve_own_channel_subscriptions_learned_from_validation_are_created_and_recreated_after_drops()
{
    let mut config = Harness::config();
    config.token_user_id = None;
    config.subscriptions = own_channel(12);
    let mut harness = Harness::new(config);
    harness.connect_next();
    assert_eq!(harness.pending_creates.len(), 12, "all at connect");
    harness.create_all();
    for _ in 0..3 {
        let conn = harness
            .client
            .session_id()
            .and_then(|_| harness.twitch.open_sockets().map(|(conn, _)| conn).last())
            .expect("a live socket");
        harness.server_close(conn, None);
        assert!(harness.advance_to_next_timeout());
        harness.connect_next();
        assert_eq!(harness.pending_creates.len(), 12, "all again after a drop");
        harness.create_all();
    }
    // Two more at runtime, on the own channel too.
    for spec in own_channel(14).into_iter().skip(12) {
        harness.client.subscribe(spec).unwrap();
    }
    harness.drain();
    assert_eq!(harness.pending_creates.len(), 2);
    harness.create_all();
    let report = harness.client.subscriptions_report();
    assert_eq!(report.subscriptions.len(), 14);
    assert!(
        report
            .subscriptions
            .iter()
            .all(|entry| entry.cost == 0 && entry.cost_reported && entry.id.is_some())
    );
    assert_eq!((report.total_cost, report.max_total_cost), (0, 10));
}

#[test]
fn costs_twitch_reported_replace_the_estimates_on_later_sessions() {
    // Neither validation nor a preset names the token's user: every estimate is 1.
    let mut config = Harness::config();
    config.validate_token = false;
    config.token_user_id = None;
    let mut harness = Harness::new(config);
    let conn = harness.connect_next();
    for spec in own_channel(12) {
        harness.client.subscribe(spec).unwrap();
    }
    harness.drain();
    harness.create_all();
    assert_eq!(harness.client.subscriptions().count(), 13);
    // Twitch charged 0 for each, which freed room for those the estimates held back.
    while !harness.pending_creates.is_empty() {
        harness.create_all();
    }
    assert!(
        harness
            .client
            .subscriptions()
            .all(|(_, state)| matches!(state, SubscriptionState::Enabled { cost: 0, .. })),
        "{:?}",
        harness.client.subscriptions().collect::<Vec<_>>()
    );
    harness.server_close(conn, None);
    assert!(harness.advance_to_next_timeout());
    harness.connect_next();
    assert_eq!(
        harness.pending_creates.len(),
        13,
        "the next session asks for all at once, at Twitch's cost"
    );
}

#[test]
fn a_subscription_helix_refused_for_its_cost_is_asked_again_when_an_unsubscribe_frees_cost() {
    let mut harness = Harness::new(Harness::config());
    harness.establish();
    harness.client.subscribe(online("1")).unwrap();
    harness.client.subscribe(online("2")).unwrap();
    harness.drain();
    let first = harness.pending_creates.remove(0);
    harness.feed(Input::SubscriptionCreated {
        request: first.request,
        result: Ok(Created::new(SubscriptionId::new("a"), 1, 1, 1)),
    });
    harness.fail_all_creates(RequestError::Rejected {
        status: 429,
        message: "max total cost exceeded".into(),
    });
    let report = harness.client.subscriptions_report();
    assert_eq!(
        report.max_total_cost, 1,
        "Twitch's maximum replaces the configured one"
    );
    assert!(matches!(
        report.subscriptions[2].state,
        SubscriptionState::Failed { retry: true, .. }
    ));
    harness.advance(Duration::from_secs(5));
    assert!(
        harness.pending_creates.is_empty(),
        "time alone frees nothing"
    );
    assert!(harness.client.unsubscribe(&online("1")));
    harness.drain();
    assert_eq!(harness.pending_creates.len(), 1, "asked again at once");
    assert_eq!(harness.pending_creates[0].subscription, online("2"));
}

// Failures a later try could fix are retried; 400 and 403 are not.

#[test]
fn a_helix_404_or_5xx_is_retried_on_the_live_session_but_400_and_403_are_permanent() {
    for (status, retried) in [
        (404, true),
        (500, true),
        (503, true),
        (400, false),
        (403, false),
    ] {
        let mut harness = Harness::new(Harness::config());
        harness.connect_next();
        harness.fail_all_creates(RequestError::Rejected {
            status,
            message: "no".into(),
        });
        // The next deadline: the retry's, or (nothing to retry) the keepalive watch's.
        assert!(harness.advance_to_next_timeout());
        assert_eq!(
            !harness.pending_creates.is_empty(),
            retried,
            "HTTP {status}"
        );
    }
}

// Idle instead of a 4003 loop.

#[test]
fn a_client_without_subscriptions_validates_reports_idle_and_opens_no_socket_until_subscribe() {
    let mut config = Harness::config();
    config.subscriptions.clear();
    let mut harness = Harness::new(config);
    assert!(matches!(harness.events[0], Event::TokenValidated { .. }));
    let Event::Idle { reasons } = &harness.events[1] else {
        panic!("{:?}", harness.events)
    };
    assert!(reasons.is_empty());
    assert!(harness.client.is_idle());
    harness.advance(Duration::from_secs(600));
    assert_eq!(connects_since(&harness, 0), 0);
    harness.client.subscribe(online(TOKEN_USER)).unwrap();
    harness.drain();
    assert!(!harness.client.is_idle());
    harness.connect_next();
    assert_eq!(harness.pending_creates.len(), 1);
}

#[test]
fn when_every_subscription_is_revoked_the_socket_is_closed_and_the_client_idles_until_resubscribed()
{
    let mut harness = Harness::new(Harness::config());
    let conn = harness.establish();
    let text = harness
        .twitch
        .revocation(conn, "channel.follow", "authorization_revoked")
        .unwrap();
    let from = harness.outputs.len();
    harness.send(conn, &text);
    assert!(
        harness
            .client_closes
            .iter()
            .any(|(closed, code, _)| *closed == conn && code.as_u16() == 1000)
    );
    let idles: Vec<&Event> = harness
        .events
        .iter()
        .filter(|event| matches!(event, Event::Idle { .. }))
        .collect();
    let [Event::Idle { reasons }] = idles.as_slice() else {
        panic!("one Idle: {idles:?}")
    };
    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0].why, Inactive::Revoked);
    harness.advance(Duration::from_secs(600));
    assert_eq!(connects_since(&harness, from), 0, "no 4003 loop");
    // Re-subscribing after a revocation starts it over.
    let spec = Harness::config().subscriptions[0].clone();
    harness.client.subscribe(spec.clone()).unwrap();
    harness.drain();
    harness.connect_next();
    assert_eq!(harness.pending_creates.len(), 1);
    assert_eq!(harness.pending_creates[0].subscription, spec);
}

#[test]
fn a_gap_that_ends_in_idle_is_not_resumed() {
    let mut harness = Harness::new(Harness::config());
    let conn = harness.establish();
    harness.server_close(conn, None);
    assert!(matches!(
        harness.events.last(),
        Some(Event::Disconnected { .. })
    ));
    let spec = Harness::config().subscriptions[0].clone();
    assert!(harness.client.unsubscribe(&spec));
    harness.drain();
    assert!(matches!(harness.events.last(), Some(Event::Idle { .. })));
    harness.advance(Duration::from_secs(600));
    harness.client.subscribe(spec).unwrap();
    harness.drain();
    harness.establish();
    assert!(
        !harness
            .events
            .iter()
            .any(|event| matches!(event, Event::Resumed { .. })),
        "{:?}",
        harness.events
    );
}

#[test]
fn a_permanent_failure_of_the_last_subscription_idles_and_it_may_be_subscribed_again() {
    let mut harness = Harness::new(Harness::config());
    harness.connect_next();
    harness.fail_all_creates(RequestError::Rejected {
        status: 400,
        message: "bad condition".into(),
    });
    let Some(Event::Idle { reasons }) = harness.events.last() else {
        panic!("{:?}", harness.events)
    };
    assert!(matches!(reasons[0].why, Inactive::Failed { .. }));
    let spec = Harness::config().subscriptions[0].clone();
    harness.client.subscribe(spec).unwrap();
    harness.drain();
    harness.connect_next();
    assert_eq!(harness.pending_creates.len(), 1);
}

#[test]
fn a_condition_naming_another_user_where_the_token_user_is_needed_is_refused_before_any_helix_call()
{
    let mut config = Harness::config();
    let someone_elses = SubscriptionSpec::channel_follow_v2(
        BroadcasterId::new(TOKEN_USER),
        ModeratorId::new("999"),
    );
    config.subscriptions = vec![someone_elses, online("999")];
    let mut harness = Harness::new(config);
    let refused = harness.events.iter().find_map(|event| match event {
        Event::SubscriptionFailed { reason, .. } => Some(reason.clone()),
        _ => None,
    });
    assert_eq!(
        refused,
        Some(SubscriptionFailure::NotTokenUser {
            subscription_type: "channel.follow".to_owned(),
            version: "2".to_owned(),
            field: "moderator_user_id".to_owned(),
            named: "999".to_owned(),
            token_user: TOKEN_USER.to_owned(),
        })
    );
    harness.connect_next();
    assert_eq!(
        asked_for(&harness),
        [&online("999")],
        "another channel's public type is fine"
    );
    let chat_as_someone_else = SubscriptionSpec::new("channel.chat.message", "1")
        .with_condition("broadcaster_user_id", TOKEN_USER)
        .with_condition("user_id", "999");
    let result = harness.client.subscribe(chat_as_someone_else);
    assert!(
        matches!(&result, Err(SubscribeError::NotTokenUser { field, .. }) if field == "user_id"),
        "{result:?}"
    );
}

#[test]
fn a_subscription_helix_refused_for_its_cost_is_asked_again_when_a_revocation_frees_cost() {
    let mut harness = Harness::new(Harness::config());
    let conn = harness.establish();
    harness.client.subscribe(online("1")).unwrap();
    harness.drain();
    harness.fail_all_creates(RequestError::Rejected {
        status: 429,
        message: "max total cost exceeded".into(),
    });
    assert!(harness.pending_creates.is_empty());
    let text = harness
        .twitch
        .revocation(conn, "channel.follow", "authorization_revoked")
        .unwrap();
    harness.send(conn, &text);
    assert_eq!(asked_for(&harness), [&online("1")], "asked again at once");
    assert!(!harness.client.is_idle());
}
