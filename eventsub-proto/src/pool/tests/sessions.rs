//! Sessions of one user token.

use std::time::{Duration, Instant};

use super::{Run, config, online};
use crate::pool::Pool;
use crate::{Config, Event, Input, Output, RequestError, StopReason, SubscribeError};

#[test]
fn configured_subscriptions_fill_the_fewest_sessions_in_order() {
    let run = Run::new(config(3, 4, 9));
    assert_eq!(run.pool.sessions(), 3);
    assert_eq!(run.per_session(), [4, 4, 1]);
    assert_eq!(run.sessions_of_connects(), [0, 1, 2]);
    assert_eq!(run.created, 9);
    // The sessions asked at once: one call answered them all, and the user hears of it once.
    assert_eq!(run.validations, 1);
    assert_eq!(
        run.count(|event| matches!(event, Event::TokenValidated { .. })),
        1
    );
    let mut ready: Vec<usize> = run
        .events
        .iter()
        .filter_map(|event| match event {
            Event::SessionReady { conn, .. } => Some(conn.session_index()),
            _ => None,
        })
        .collect();
    ready.sort_unstable();
    assert_eq!(ready, [0, 1, 2]);
}

#[test]
fn a_new_session_opens_only_when_every_session_is_full() {
    let mut run = Run::new(config(3, 2, 1));
    assert_eq!(run.pool.sessions(), 1);
    run.pool
        .subscribe(online(1))
        .unwrap_or_else(|e| panic!("{e}")); // ok: a test
    run.settle();
    assert_eq!(run.pool.sessions(), 1, "the first session had room");
    run.pool
        .subscribe(online(2))
        .unwrap_or_else(|e| panic!("{e}")); // ok: a test
    run.settle();
    assert_eq!(run.pool.sessions(), 2);
    assert_eq!(run.sessions_of_connects(), [0, 1]);
    // Room freed on the first session is used before the second fills.
    assert!(run.pool.unsubscribe(&online(0)));
    run.settle();
    run.pool
        .subscribe(online(3))
        .unwrap_or_else(|e| panic!("{e}")); // ok: a test
    run.settle();
    assert_eq!(run.per_session(), [2, 1]);
    let report = run.pool.subscriptions_report();
    let placed = report
        .subscriptions
        .iter()
        .find(|subscription| subscription.spec == online(3));
    assert_eq!(placed.map(|subscription| subscription.session), Some(0));
}

#[test]
fn the_subscription_past_every_session_is_refused_naming_the_limits() {
    let mut run = Run::new(config(3, 2, 6));
    assert_eq!(run.per_session(), [2, 2, 2]);
    let refused = run.pool.subscribe(online(6));
    assert!(
        matches!(
            &refused,
            Err(SubscribeError::SessionsFull {
                sessions: 3,
                per_session: 2,
                ..
            })
        ),
        "{refused:?}"
    );
    let message = refused.err().map(|error| error.to_string());
    assert!(
        message.is_some_and(|text| text.contains("3 WebSocket connections per user token")),
        "the error names Twitch's limit"
    );
    assert_eq!(run.pool.sessions(), 3);
}

#[test]
fn too_many_configured_subscriptions_are_refused_up_front() {
    let refused = Pool::new(config(2, 3, 7), Instant::now());
    assert!(
        matches!(
            refused,
            Err(crate::ConfigError::Subscription(
                SubscribeError::SessionsFull { .. }
            ))
        ),
        "{refused:?}"
    );
    let twice = Config {
        subscriptions: vec![online(1), online(2), online(3), online(1)],
        ..config(2, 2, 0)
    };
    assert!(matches!(
        Pool::new(twice, Instant::now()),
        Err(crate::ConfigError::Subscription(
            SubscribeError::AlreadySubscribed { .. }
        ))
    ));
}

#[test]
fn a_subscription_wanted_on_any_session_is_not_added_again() {
    let mut run = Run::new(config(3, 2, 3));
    // online(2) is on the second session; the first has no room.
    assert!(matches!(
        run.pool.subscribe(online(2)),
        Err(SubscribeError::AlreadySubscribed { .. })
    ));
}

#[test]
fn inputs_go_to_the_session_their_ids_name() {
    let mut run = Run::new(config(2, 1, 2));
    let second = run
        .conns
        .iter()
        .copied()
        .find(|conn| conn.session_index() == 1);
    let Some(second) = second else {
        panic!("the second session is connected");
    };
    assert_eq!(second.to_string(), "conn#1.1");
    run.now += Duration::from_secs(1);
    run.feed(Input::Closed {
        conn: second,
        code: Some(4002),
        reason: "failed ping pong",
    });
    run.settle();
    let disconnected: Vec<usize> = run
        .events
        .iter()
        .filter_map(|event| match event {
            Event::Disconnected { conn, .. } => Some(conn.session_index()),
            _ => None,
        })
        .collect();
    assert_eq!(disconnected, [1]);
    // Only the second session's subscriptions were lost: its gap says so once it is back.
    run.now += Duration::from_secs(5);
    run.pool.handle_timeout(run.now);
    run.settle();
    let gaps: Vec<usize> = run
        .events
        .iter()
        .filter_map(|event| match event {
            Event::Resumed { gap } => Some(gap.session),
            _ => None,
        })
        .collect();
    assert_eq!(gaps, [1]);
    // A connection of a session the pool does not have is refused, not misrouted.
    let unknown = crate::ids::tests_support::conn(2, 1);
    assert!(matches!(
        run.pool
            .handle_input(run.now, Input::Opened { conn: unknown }),
        Err(crate::InputError::UnknownConnection { .. })
    ));
}

#[test]
fn one_session_stopping_stops_the_pool_with_one_stopped() {
    let mut run = Run::new(config(2, 1, 2));
    let first = run.conns.first().copied();
    let Some(first) = first else {
        panic!("the first session is connected");
    };
    // 4001 on a live socket: the client sent something it must not; nothing can go on.
    run.conns.retain(|conn| *conn != first);
    run.feed(Input::Closed {
        conn: first,
        code: Some(4001),
        reason: "client sent inbound traffic",
    });
    run.settle();
    assert!(run.pool.is_stopped());
    let stops = run.stop_reasons();
    assert_eq!(stops.len(), 1, "{stops:?}");
    assert!(
        !matches!(stops.first(), Some(StopReason::Shutdown)),
        "the reason is the first session's: {stops:?}"
    );
    assert!(matches!(run.events.last(), Some(Event::Stopped { .. })));
    assert!(run.conns.is_empty(), "every session's socket is closed");
}

#[test]
fn shutdown_stops_every_session_and_says_so_once() {
    let mut run = Run::new(config(3, 1, 3));
    run.pool.shutdown(run.now);
    run.settle();
    assert!(run.pool.is_stopped());
    assert_eq!(run.count(|event| matches!(event, Event::Stopped { .. })), 1);
    assert!(matches!(
        run.events.last(),
        Some(Event::Stopped {
            reason: StopReason::Shutdown
        })
    ));
    assert!(matches!(
        run.pool.subscribe(online(9)),
        Err(SubscribeError::Stopped)
    ));
}

#[test]
fn the_pool_is_idle_only_when_every_session_is() {
    let mut run = Run::new(config(2, 1, 2));
    assert!(run.pool.unsubscribe(&online(1)));
    run.settle();
    assert_eq!(run.count(|event| matches!(event, Event::Idle { .. })), 0);
    assert!(!run.pool.is_idle());
    assert!(run.pool.unsubscribe(&online(0)));
    run.settle();
    assert_eq!(run.count(|event| matches!(event, Event::Idle { .. })), 1);
    assert!(run.pool.is_idle());
    assert!(run.conns.is_empty());
}

#[test]
fn a_rejected_token_on_a_later_session_stops_the_pool() {
    let mut run = Run::new(config(2, 1, 1));
    run.reject_token = true;
    run.pool
        .subscribe(online(1))
        .unwrap_or_else(|e| panic!("{e}")); // ok: a test
    run.settle();
    assert!(run.pool.is_stopped());
    let stops = run.stop_reasons();
    assert_eq!(stops.len(), 1);
    assert!(
        !matches!(stops.first(), Some(StopReason::Shutdown)),
        "{stops:?}"
    );
}

#[test]
fn one_session_is_the_client_itself() {
    let mut config = config(1, 2, 2);
    config.validate_token = false;
    let now = Instant::now();
    let mut pool = Pool::new(config.clone(), now).unwrap_or_else(|e| panic!("{e}")); // ok: a test
    let mut client = crate::Client::new(config, now).unwrap_or_else(|e| panic!("{e}")); // ok: a test
    let outputs = |next: &mut dyn FnMut() -> Option<Output>| {
        std::iter::from_fn(next)
            .map(|output| format!("{output:?}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        outputs(&mut || pool.poll_output()),
        outputs(&mut || client.poll_output())
    );
    assert!(matches!(
        pool.subscribe(online(7)),
        Err(SubscribeError::TooManySubscriptions { limit: 2, .. })
    ));
}

/// Twitch still counts a dropped connection it has not noticed as one of the token's three
/// transports, so the fresh session's creations are refused with 429 and retried after the
/// backoff: until they exist, that session's events are not coming, and its gap stays open.
#[test]
fn a_gap_stays_open_while_a_sessions_creations_are_refused_for_the_transport_limit() {
    let mut run = Run::new(config(2, 1, 2));
    let Some(second) = run.conns.iter().copied().find(|c| c.session_index() == 1) else {
        panic!("the second session is connected");
    };
    run.now += Duration::from_secs(1);
    run.feed(Input::Closed {
        conn: second,
        code: None,
        reason: "",
    });
    // The fake sends no keepalives: the first session's may lapse while time jumps, and its own
    // gaps are not this test's business.
    let resumed =
        |run: &Run| run.count(|event| matches!(event, Event::Resumed { gap } if gap.session == 1));
    let mut refused = 0;
    // The fresh session comes; each creation on it is refused as a fourth transport, twice.
    for _ in 0..20 {
        let outputs: Vec<Output> = std::iter::from_fn(|| run.pool.poll_output()).collect();
        for output in outputs {
            match output {
                Output::CreateSubscription { request, .. } if refused < 2 => {
                    refused += 1;
                    let result = Err(RequestError::Rejected {
                        status: 429,
                        message: "number of websocket transports limit exceeded".to_owned(),
                    });
                    run.feed(Input::SubscriptionCreated { request, result });
                }
                output => run.carry_out(output),
            }
        }
        if refused == 2 {
            break;
        }
        if let Some(at) = run.pool.poll_timeout() {
            run.now = run.now.max(at);
            run.pool.handle_timeout(run.now);
        }
    }
    assert_eq!(refused, 2, "the fresh session's creation was refused twice");
    assert_eq!(resumed(&run), 0, "no Resumed while the creation waits");
    assert!(
        run.pool
            .subscriptions_report()
            .subscriptions
            .iter()
            .any(|report| report.session == 1
                && !matches!(report.state, crate::SubscriptionState::Enabled { .. })),
        "the second session's subscription is not created yet"
    );
    // After the backoff it is asked for again, and created: the gap ends then.
    for _ in 0..5 {
        if let Some(at) = run.pool.poll_timeout() {
            run.now = run.now.max(at);
            run.pool.handle_timeout(run.now);
        }
        run.settle();
        if resumed(&run) > 0 {
            break;
        }
    }
    let gaps: Vec<usize> = run
        .events
        .iter()
        .filter_map(|event| match event {
            Event::Resumed { gap } if gap.session == 1 => Some(gap.session),
            _ => None,
        })
        .collect();
    assert_eq!(
        gaps,
        [1],
        "the second session's gap ends once it is created"
    );
}
