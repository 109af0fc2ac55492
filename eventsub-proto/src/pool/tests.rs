//! The pool through its public surface, with a hand-driven fake of Twitch: every output is
//! carried out at once (a connect opens and is welcomed, a creation succeeds, a validation names
//! the token's user).

use std::time::{Duration, Instant, SystemTime};

use super::Pool;
use crate::{
    BroadcasterId, Config, ConnId, Created, Event, Input, Output, RequestError, StopReason,
    SubscribeError, SubscriptionId, SubscriptionSpec, TokenIdentity, UserId,
};

const TOKEN_USER: &str = "12826";

fn online(n: usize) -> SubscriptionSpec {
    SubscriptionSpec::stream_online(BroadcasterId::new(n.to_string()))
}

fn config(sessions: usize, per_session: usize, subscriptions: usize) -> Config {
    let mut config = Config::default();
    config.max_sessions = sessions;
    config.max_subscriptions_per_connection = per_session;
    config.subscriptions = (0..subscriptions).map(online).collect();
    config
}

fn welcome(conn: ConnId) -> String {
    format!(
        r#"{{"metadata":{{"message_id":"w-{conn}","message_type":"session_welcome","message_timestamp":"2022-11-16T10:11:12Z"}},"payload":{{"session":{{"id":"session-{conn}","status":"connected","keepalive_timeout_seconds":10,"reconnect_url":null,"connected_at":"2022-11-16T10:11:12Z"}}}}}}"#
    )
}

/// The pool, its fake clock, and what came out of it.
struct Run {
    pool: Pool,
    now: Instant,
    events: Vec<Event>,
    /// Live connections, by session.
    conns: Vec<ConnId>,
    created: usize,
    validations: usize,
    /// Answer validations with a 401.
    reject_token: bool,
}

impl Run {
    fn new(config: Config) -> Self {
        let now = Instant::now();
        let pool = Pool::new(config, now).unwrap_or_else(|error| panic!("{error}")); // ok: a test
        let mut run = Self {
            pool,
            now,
            events: Vec::new(),
            conns: Vec::new(),
            created: 0,
            validations: 0,
            reject_token: false,
        };
        run.settle();
        run
    }

    fn feed(&mut self, input: Input<'_>) {
        self.pool
            .handle_input(self.now, input)
            .unwrap_or_else(|error| panic!("{error}")); // ok: a test; a refused input is its failure
    }

    /// Carries out every output until there is none.
    fn settle(&mut self) {
        while let Some(output) = self.pool.poll_output() {
            match output {
                Output::Connect { conn, .. } => {
                    self.conns.push(conn);
                    self.feed(Input::Opened { conn });
                    let text = welcome(conn);
                    self.feed(Input::Text {
                        conn,
                        text: &text,
                        received_at: SystemTime::now(),
                    });
                }
                Output::ValidateToken { request } => {
                    self.validations += 1;
                    let result = if self.reject_token {
                        Err(RequestError::Unauthorized {
                            message: "invalid access token".to_owned(),
                        })
                    } else {
                        Ok(TokenIdentity::user(
                            "client",
                            UserId::new(TOKEN_USER),
                            "caster",
                            Vec::<String>::new(),
                        ))
                    };
                    self.feed(Input::TokenValidated { request, result });
                }
                Output::CreateSubscription { request, .. } => {
                    self.created += 1;
                    let id = SubscriptionId::new(format!("sub-{}", self.created));
                    let result = Ok(Created::new(id, 0, 0, 10));
                    self.feed(Input::SubscriptionCreated { request, result });
                }
                Output::Close { conn, .. } | Output::Abort { conn } => {
                    self.conns.retain(|live| *live != conn);
                    self.feed(Input::Closed {
                        conn,
                        code: Some(1000),
                        reason: "",
                    });
                }
                Output::Event(event) => self.events.push(event),
                _ => {}
            }
        }
    }

    fn sessions_of_connects(&self) -> Vec<usize> {
        self.conns.iter().map(ConnId::session_index).collect()
    }

    fn count(&self, matches: impl Fn(&Event) -> bool) -> usize {
        self.events.iter().filter(|event| matches(event)).count()
    }

    fn per_session(&self) -> Vec<usize> {
        let report = self.pool.subscriptions_report();
        let mut counts = vec![0; self.pool.sessions()];
        for subscription in report.subscriptions {
            if let Some(count) = counts.get_mut(subscription.session) {
                *count += 1;
            }
        }
        counts
    }
}

#[test]
fn configured_subscriptions_fill_the_fewest_sessions_in_order() {
    let run = Run::new(config(3, 4, 9));
    assert_eq!(run.pool.sessions(), 3);
    assert_eq!(run.per_session(), [4, 4, 1]);
    assert_eq!(run.sessions_of_connects(), [0, 1, 2]);
    assert_eq!(run.created, 9);
    // Each session validated for itself; the user hears of it once.
    assert_eq!(run.validations, 3);
    assert_eq!(
        run.count(|event| matches!(event, Event::TokenValidated { .. })),
        1
    );
    let ready: Vec<usize> = run
        .events
        .iter()
        .filter_map(|event| match event {
            Event::SessionReady { conn, .. } => Some(conn.session_index()),
            _ => None,
        })
        .collect();
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
    let stops: Vec<&StopReason> = run
        .events
        .iter()
        .filter_map(|event| match event {
            Event::Stopped { reason } => Some(reason),
            _ => None,
        })
        .collect();
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
    let stops: Vec<&StopReason> = run
        .events
        .iter()
        .filter_map(|event| match event {
            Event::Stopped { reason } => Some(reason),
            _ => None,
        })
        .collect();
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
