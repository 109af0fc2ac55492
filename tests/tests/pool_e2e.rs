//! The session pool end to end, over real sockets on 127.0.0.1, under both adapters: each scenario
//! is written once, generic over the runtime, and the tests of `on_tokio` and `on_async_std` (one
//! macro makes both sets) only start the mock and the client on their runtime (the async-std ones
//! with the mock on a tokio runtime of its own, as `e2e_async_std.rs` does).
//!
//! - A user-token client with `.max_sessions(3)` and 750 subscriptions opens exactly three
//!   sessions (the mock sees 300, 300 and 150 enabled subscriptions on three connections), each
//!   notification arrives once on the session that holds its subscription, the 751st to 900th
//!   added at runtime go on the third session and the 901st is refused with `SessionsFull`. One
//!   session's socket dropped is a gap of that session only: the other two deliver during it, and
//!   its subscriptions come back on a fresh session in the same slot. Shutdown stops once.
//! - With the default single session, the 301st subscription is refused with
//!   `TooManySubscriptions`, as before pools.
//! - When Twitch notices a dropped connection late ([`MockEventSub::defer_session_ends`]), the
//!   replacement session of its slot is a fourth websocket transport and its creations are
//!   refused (429); once Twitch lets go of the old connection they are created again, after the
//!   creation backoff (before that fix, nothing asked again until Twitch closed the replacement
//!   as unused, 4003 ten seconds later, and nothing at all had any creation on it succeeded).
//!
//! The subscriptions are `channel.chat.message` in distinct channels, read by the token's user:
//! each costs 0 (the condition's `user_id` is the token's), so only the count limits bind, as for
//! a chat bot in many channels. Waiting is on events and on the mock's state, never on sleeps.
//!
//! The mock keeps Twitch's own keepalive (10 s) and unused-connection window (10 s), and Helix
//! calls have the default 10 s: 750 creations asked for at once on a busy two-core machine take
//! longer than the half second of [`MockConfig::fast`], and a session closed as unused or a
//! creation timed out would be a failure of the test bench, not of the pool.

#[allow(dead_code)] // the scenarios of the adapters' suites, of which these tests use the helpers
mod e2e;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use e2e::{TestClient, WAIT, assert_no_data_frames, eventually, within};
use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_ID, USER_TOKEN};
use eventsub_mock::scenario::client_config;
use eventsub_mock::{Delivery, MockConfig, MockEventSub, Routed};
use eventsub_proto::{
    Config, Event, MAX_SUBSCRIPTIONS_PER_CONNECTION, RequestError, SubscribeError,
    SubscriptionFailure, SubscriptionSpec, SubscriptionState,
};
use eventsub_tokio::{EventSubBuilder, HandleError, Runtime};

const KIND: &str = "channel.chat.message";
const PER_SESSION: usize = MAX_SUBSCRIPTIONS_PER_CONNECTION;
const SESSIONS: usize = 3;
/// The subscriptions the pooled client starts with: two full sessions and half a third.
const AT_START: usize = 750;
/// What three sessions hold.
const FULL: usize = SESSIONS * PER_SESSION;

/// Chat in channel `n`, read by the token's user: free, whatever the channel.
fn chat(n: usize) -> SubscriptionSpec {
    SubscriptionSpec::new(KIND, "1")
        .with_condition("broadcaster_user_id", (100_000 + n).to_string())
        .with_condition("user_id", USER_ID)
}

/// [`MockConfig::fast`] with Twitch's keepalive and unused-connection window (see the file's docs).
fn mock_config() -> MockConfig {
    MockConfig::fast()
        .with_default_keepalive_secs(10)
        .with_unused_window(Duration::from_secs(10))
}

/// Makes the fixture's user token valid on `mock`, with the scope chat needs.
fn grant_chat_token(mock: &MockEventSub) {
    mock.helix()
        .add_user_token(USER_TOKEN, CLIENT_ID, USER_ID, &["user:read:chat"]);
}

/// The e2e client configuration with chat in channels `0..count`.
fn config_with(count: usize) -> Config {
    let mut config = client_config();
    config.subscriptions = (0..count).map(chat).collect();
    config
}

/// Reads events until `count` more subscriptions were created; a failed one fails the test.
async fn created(client: &mut TestClient, count: usize) {
    created_despite(client, count, |_| false).await;
}

/// Reads events until `count` more subscriptions were created; a failed one fails the test unless
/// `expected` says its failure may happen.
async fn created_despite(
    client: &mut TestClient,
    count: usize,
    expected: impl Fn(&SubscriptionFailure) -> bool,
) {
    let mut created = 0;
    while created < count {
        let event = client
            .until("a subscription created", |e| {
                matches!(
                    e,
                    Event::SubscriptionCreated { .. } | Event::SubscriptionFailed { .. }
                )
            })
            .await;
        match &event {
            Event::SubscriptionCreated { .. } => created += 1,
            Event::SubscriptionFailed { reason, .. } if expected(reason) => {}
            _ => panic!("{event:?} after {:#?}", lifecycle(client)),
        }
    }
}

/// Whether Helix refused a creation with 429 (a fourth websocket transport, here).
fn refused_by_helix_limits(reason: &SubscriptionFailure) -> bool {
    matches!(
        reason,
        SubscriptionFailure::Request(RequestError::Rejected { status: 429, .. })
    )
}

/// The events seen so far but for subscriptions created and notifications: what explains a
/// failure.
fn lifecycle(client: &TestClient) -> Vec<&Event> {
    client
        .seen
        .iter()
        .filter(|e| {
            !matches!(
                e,
                Event::SubscriptionCreated { .. } | Event::Notification(_)
            )
        })
        .collect()
}

/// The next `count` notifications: each one's message id and the session it arrived on.
async fn notifications(client: &mut TestClient, count: usize) -> Vec<(String, usize)> {
    let mut received = Vec::with_capacity(count);
    while received.len() < count {
        if let Event::Notification(notification) = client
            .until("a notification", |e| matches!(e, Event::Notification(_)))
            .await
        {
            received.push((
                notification.message_id().to_string(),
                notification.conn().session_index(),
            ));
        }
    }
    received
}

/// The session id of each session of the client now, by its index, from the events seen so far.
fn session_ids(client: &TestClient) -> BTreeMap<usize, String> {
    let mut ids = BTreeMap::new();
    for event in &client.seen {
        if let Event::SessionReady {
            conn, session_id, ..
        }
        | Event::Reconnected { conn, session_id } = event
        {
            ids.insert(conn.session_index(), session_id.as_str().to_owned());
        }
    }
    ids
}

/// The mock's socket that carries `session_id`.
fn socket_of(mock: &MockEventSub, session_id: &str) -> eventsub_mock::SocketId {
    mock.sockets()
        .into_iter()
        .find(|info| info.session_id == session_id)
        .map(|info| info.socket)
        .expect("the session has a socket")
}

/// Where the mock sent each notification: its message id and the session id of its socket.
fn sent_to(mock: &MockEventSub, routed: &[Routed]) -> HashMap<String, String> {
    let sessions: HashMap<_, _> = mock
        .sockets()
        .into_iter()
        .map(|info| (info.socket, info.session_id))
        .collect();
    routed
        .iter()
        .map(|routed| {
            let [socket] = routed.sockets[..] else {
                panic!("sent on one socket: {routed:?}")
            };
            (routed.message_id.clone(), sessions[&socket].clone())
        })
        .collect()
}

/// Every notification sent was delivered exactly once, on the session that holds its
/// subscription (the client's session index names the session the mock sent it on).
fn assert_each_once_on_its_session(
    sent: &HashMap<String, String>,
    received: &[(String, usize)],
    session_ids: &BTreeMap<usize, String>,
) {
    assert_eq!(received.len(), sent.len(), "as many delivered as sent");
    let mut delivered = HashSet::new();
    for (message_id, session) in received {
        assert!(delivered.insert(message_id), "{message_id} delivered twice");
        let sent_on = sent
            .get(message_id)
            .unwrap_or_else(|| panic!("{message_id} was never sent"));
        assert_eq!(
            session_ids.get(session),
            Some(sent_on),
            "{message_id} arrived on session {session}"
        );
    }
}

/// Checks that the mock holds `counts` enabled subscriptions on the client's sessions (by index)
/// and on no other connection, that the client reports every wanted subscription enabled on the
/// session the mock has it on, with the same counts; returns which session holds each.
async fn assert_held(
    mock: &MockEventSub,
    client: &TestClient,
    session_ids: &BTreeMap<usize, String>,
    counts: &[usize],
) -> HashMap<String, usize> {
    let per_session = mock.subscriptions_per_session();
    assert_eq!(
        per_session.len(),
        session_ids.len(),
        "no other connection holds any: {per_session:?}"
    );
    let on_mock: Vec<usize> = session_ids
        .values()
        .map(|id| per_session.get(id).copied().unwrap_or(0))
        .collect();
    assert_eq!(on_mock, counts, "the mock's count per connection");

    let mock_session_of: HashMap<String, String> = mock
        .helix()
        .subscriptions
        .iter()
        .filter(|s| s.status == "enabled")
        .filter_map(|s| Some((s.id.clone(), s.transport.session_id()?.to_owned())))
        .collect();
    let report = within(WAIT, "the report", client.handle.subscriptions())
        .await
        .expect("the client runs");
    let mut on_client = vec![0; session_ids.len()];
    let mut holder = HashMap::new();
    for entry in &report.subscriptions {
        let SubscriptionState::Enabled { id: Some(id), .. } = &entry.state else {
            panic!("not enabled: {entry:?}");
        };
        assert_eq!(
            mock_session_of.get(id.as_str()),
            session_ids.get(&entry.session),
            "{} is reported on session {} and the mock has it there",
            entry.spec,
            entry.session
        );
        on_client[entry.session] += 1;
        holder.insert(entry.spec.to_string(), entry.session);
    }
    assert_eq!(on_client, counts, "the client's count per session");
    holder
}

/// Notifies every subscription of `sessions` (by index; all when `None`) and checks each
/// notification arrives once, on its session. Returns how many were sent.
async fn notify_and_receive(
    mock: &MockEventSub,
    client: &mut TestClient,
    session_ids: &BTreeMap<usize, String>,
    sessions: &[usize],
) -> usize {
    let routed: Vec<Routed> = sessions
        .iter()
        .flat_map(|index| mock.notify_session(&session_ids[index], KIND, Delivery::Once))
        .collect();
    let sent = sent_to(mock, &routed);
    let received = notifications(client, sent.len()).await;
    assert_each_once_on_its_session(&sent, &received, session_ids);
    sent.len()
}

/// The pooled client from start to shutdown (see the crate docs); `builder` has [`AT_START`]
/// subscriptions and no `max_sessions` yet.
async fn pool_of_three<R: Runtime>(mock: &MockEventSub, builder: EventSubBuilder<R>) {
    let mut client = TestClient::connect(builder.max_sessions(SESSIONS)).await;
    created(&mut client, AT_START).await;
    let first_ids = session_ids(&client);
    assert_eq!(
        first_ids.keys().copied().collect::<Vec<_>>(),
        [0, 1, 2],
        "three sessions"
    );
    assert_eq!(mock.sockets().len(), SESSIONS, "three connections");
    assert_held(mock, &client, &first_ids, &[300, 300, 150]).await;
    let all = [0, 1, 2];
    assert_eq!(
        notify_and_receive(mock, &mut client, &first_ids, &all).await,
        AT_START
    );

    // At runtime: the third session fills up, then nothing fits.
    for n in AT_START..FULL {
        within(WAIT, "subscribe", client.handle.subscribe(chat(n)))
            .await
            .expect("the third session has room");
    }
    created(&mut client, FULL - AT_START).await;
    let before_drop = assert_held(mock, &client, &first_ids, &[300, 300, 300]).await;
    assert!(
        before_drop
            .iter()
            .filter(|(_, session)| **session == 2)
            .count()
            == PER_SESSION
            && (AT_START..FULL).all(|n| before_drop[&chat(n).to_string()] == 2),
        "the 751st to 900th went on the third session"
    );
    let refused = within(WAIT, "subscribe", client.handle.subscribe(chat(FULL))).await;
    assert!(
        matches!(
            &refused,
            Err(HandleError::Subscribe(SubscribeError::SessionsFull {
                sessions: SESSIONS,
                per_session: PER_SESSION,
                ..
            }))
        ),
        "{refused:?}"
    );
    assert_eq!(
        mock.helix().subscriptions.len(),
        FULL,
        "never asked of Helix"
    );
    assert_eq!(
        mock.peak_open_sockets(),
        SESSIONS,
        "never a fourth connection"
    );

    // Session 1's socket drops; its reconnect waits at the door while the others deliver.
    mock.hold_connections(true);
    assert!(mock.drop_socket(socket_of(mock, &first_ids[&1])));
    let lost = client
        .until("a disconnect", |e| matches!(e, Event::Disconnected { .. }))
        .await;
    let Event::Disconnected { conn, .. } = lost else {
        unreachable!()
    };
    assert_eq!(conn.session_index(), 1, "the gap is session 1's");
    assert!(
        eventually(|| mock.held_connections() > 0).await,
        "session 1 reconnects"
    );
    assert_eq!(
        mock.subscriptions_per_session().len(),
        2,
        "session 1's subscriptions are disabled at Twitch"
    );
    assert_eq!(
        notify_and_receive(mock, &mut client, &first_ids, &[0, 2]).await,
        2 * PER_SESSION,
        "sessions 0 and 2 deliver during the gap"
    );
    mock.hold_connections(false);
    let resumed = client
        .until("resumed", |e| matches!(e, Event::Resumed { .. }))
        .await;
    let Event::Resumed { gap } = resumed else {
        unreachable!()
    };
    assert_eq!(gap.session, 1, "the gap is session 1's");

    let ids = session_ids(&client);
    assert_eq!(ids[&0], first_ids[&0], "session 0 untouched");
    assert_eq!(ids[&2], first_ids[&2], "session 2 untouched");
    assert_ne!(ids[&1], first_ids[&1], "session 1 is a fresh session");
    let after = assert_held(mock, &client, &ids, &[300, 300, 300]).await;
    assert_eq!(after, before_drop, "every subscription is back in its slot");
    assert_eq!(
        notify_and_receive(mock, &mut client, &ids, &all).await,
        FULL
    );

    let events = client.shutdown().await;
    for event in &events {
        match event {
            Event::Disconnected { conn, .. } | Event::ConnectFailed { conn, .. } => {
                assert_eq!(conn.session_index(), 1, "only session 1 lost its socket");
            }
            Event::Resumed { gap } => assert_eq!(gap.session, 1, "only session 1 had a gap"),
            _ => {}
        }
    }
    let stops = events
        .iter()
        .filter(|e| matches!(e, Event::Stopped { .. }))
        .count();
    assert_eq!(stops, 1, "one Stopped for the pool");
    assert!(matches!(events.last(), Some(Event::Stopped { .. })));
    assert!(
        eventually(|| mock.sockets().is_empty()).await,
        "every socket closed"
    );
    assert_no_data_frames(mock);
}

/// Twitch notices a dead connection late: until it does, the old connection still counts as one
/// of the token's three websocket transports, so slot 1's fresh session is a fourth and each of
/// its creations is refused (429 "number of websocket transports limit exceeded"). Once Twitch
/// lets go of the old connection, they must be created again, without waiting for an unsubscribe
/// on that session nor for Twitch to close the fresh session as unused.
async fn replaced_session_refilled_after_twitch_lets_go<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) {
    let mut client = TestClient::connect(builder.max_sessions(SESSIONS)).await;
    created(&mut client, AT_START).await;
    let first_ids = session_ids(&client);
    let before = assert_held(mock, &client, &first_ids, &[300, 300, 150]).await;

    mock.defer_session_ends(true);
    assert!(mock.drop_socket(socket_of(mock, &first_ids[&1])));
    for _ in 0..PER_SESSION {
        let event = client
            .until("a refused creation", |e| {
                matches!(e, Event::SubscriptionFailed { .. })
            })
            .await;
        assert!(
            matches!(&event, Event::SubscriptionFailed { reason, .. } if refused_by_helix_limits(reason)),
            "{event:?}"
        );
    }
    assert_eq!(
        mock.subscriptions_per_session().len(),
        SESSIONS,
        "Twitch still counts the old connection"
    );
    mock.defer_session_ends(false);
    // Those asked for again before Twitch let go are refused again, and asked for once more.
    created_despite(&mut client, PER_SESSION, refused_by_helix_limits).await;

    let ids = session_ids(&client);
    assert_ne!(ids[&1], first_ids[&1], "slot 1 is a fresh session");
    let after = assert_held(mock, &client, &ids, &[300, 300, 150]).await;
    assert_eq!(after, before, "every subscription is back in its slot");
    assert_eq!(
        notify_and_receive(mock, &mut client, &ids, &[1]).await,
        PER_SESSION
    );
    e2e::finish(mock, client).await;
}

/// With the default single session, the 301st subscription is refused as before pools.
async fn one_session_refuses_the_301st<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) {
    let mut client = TestClient::connect(builder).await;
    created(&mut client, PER_SESSION).await;
    let refused = within(
        WAIT,
        "subscribe",
        client.handle.subscribe(chat(PER_SESSION)),
    )
    .await;
    assert!(
        matches!(
            &refused,
            Err(HandleError::Subscribe(
                SubscribeError::TooManySubscriptions {
                    limit: PER_SESSION,
                    ..
                }
            ))
        ),
        "{refused:?}"
    );
    let per_session: Vec<usize> = mock.subscriptions_per_session().into_values().collect();
    assert_eq!(per_session, [PER_SESSION], "one connection, full");
    e2e::finish(mock, client).await;
}

/// `start` (an adapter's `EventSub::builder` with the fixture's token) pointed at `mock`, with
/// chat in `subscriptions` channels and Helix's default 10 s per call (see the file's docs).
fn pointed_at<R: Runtime>(
    start: EventSubBuilder<R>,
    mock: &MockEventSub,
    subscriptions: usize,
) -> EventSubBuilder<R> {
    e2e::against(start, mock, config_with(subscriptions)).helix_timeout(Duration::from_secs(10))
}

/// The scenarios as the tests of one adapter: `$test` is its test attribute, `$start_mock` gives
/// the tokio runtime the mock runs on (`None` when it is the test's own) and the mock, and
/// `$builder` the adapter's client builder for the mock and a number of subscriptions.
macro_rules! pool_tests {
    ($test:meta, $start_mock:expr, $builder:ident) => {
        #[$test]
        async fn three_sessions_hold_900_refuse_the_901st_and_recover_one_session_alone() {
            let (_runtime, mock) = $start_mock;
            pool_of_three(&mock, $builder(&mock, AT_START)).await;
        }

        #[$test]
        async fn a_replaced_session_is_refilled_once_twitch_lets_go_of_the_old_one() {
            let (_runtime, mock) = $start_mock;
            replaced_session_refilled_after_twitch_lets_go(&mock, $builder(&mock, AT_START)).await;
        }

        #[$test]
        async fn one_session_refuses_the_301st_subscription() {
            let (_runtime, mock) = $start_mock;
            one_session_refuses_the_301st(&mock, $builder(&mock, PER_SESSION)).await;
        }
    };
}

mod on_tokio {
    use super::*;
    use eventsub_tokio::{AccessToken, EventSub, TokioRuntime};

    /// The mock, on the test's own runtime.
    async fn start_mock() -> (Option<tokio::runtime::Runtime>, MockEventSub) {
        let mock = MockEventSub::start(mock_config())
            .await
            .expect("mock starts");
        grant_chat_token(&mock);
        (None, mock)
    }

    fn builder(mock: &MockEventSub, subscriptions: usize) -> EventSubBuilder<TokioRuntime> {
        let start = EventSub::builder(CLIENT_ID, AccessToken::new(USER_TOKEN));
        pointed_at(start, mock, subscriptions)
    }

    pool_tests!(tokio::test, start_mock().await, builder);
}

mod on_async_std {
    use super::*;
    use eventsub_async_std::{AccessToken, AsyncIoRuntime, EventSub};

    /// The mock, on a tokio runtime of its own (the mock is bound after it, so dropped first).
    fn start_mock() -> (Option<tokio::runtime::Runtime>, MockEventSub) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for the mock");
        let mock = runtime
            .block_on(MockEventSub::start(mock_config()))
            .expect("mock starts");
        grant_chat_token(&mock);
        (Some(runtime), mock)
    }

    fn builder(mock: &MockEventSub, subscriptions: usize) -> EventSubBuilder<AsyncIoRuntime> {
        let start = EventSub::builder(CLIENT_ID, AccessToken::new(USER_TOKEN));
        pointed_at(start, mock, subscriptions)
    }

    pool_tests!(async_std::test, start_mock(), builder);
}
