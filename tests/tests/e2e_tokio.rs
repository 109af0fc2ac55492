//! End-to-end tests of `eventsub-tokio` against the mock EventSub server, over real sockets on
//! 127.0.0.1. Every test ends by checking the mock's records: the client never sent a data frame.
//!
//! The mock runs with [`MockConfig::fast`] (1 s keepalive, 500 ms unused window) and the client
//! with a 300 ms keepalive grace and a 100 ms backoff scale, so the suite takes a few seconds.

use std::time::Duration;

use eventsub_proto::{CloseCode, Config, DisconnectCause, Event};
use eventsub_tests::mock_eventsub::scenario::{
    assert_delivered_exactly_once, burst_round, client_config,
};
use eventsub_tests::mock_eventsub::{Delivery, Ended, MockConfig, MockEventSub, SocketId, within};
use eventsub_tests::mock_helix::fast_retries;
use eventsub_tests::mock_helix::fixtures::{CLIENT_ID, USER_ID, USER_TOKEN, stream_online};
use eventsub_tokio::{
    AccessToken, EventStream, EventSub, EventSubBuilder, EventSubHandle, SubscriptionSpec,
    TokenProvider, TokioRuntime,
};
use futures_util::StreamExt;

const WAIT: Duration = Duration::from_secs(5);

fn user_token() -> AccessToken {
    AccessToken::new(USER_TOKEN)
}

async fn start_mock(config: MockConfig) -> MockEventSub {
    let mock = MockEventSub::start(config).await.expect("mock starts");
    mock.helix().add_user_token(
        USER_TOKEN,
        CLIENT_ID,
        USER_ID,
        &["moderator:read:followers"],
    );
    mock
}

fn builder(
    mock: &MockEventSub,
    token: impl TokenProvider,
    config: Config,
) -> EventSubBuilder<TokioRuntime> {
    EventSub::builder(CLIENT_ID, token)
        .config(config)
        .eventsub_url(mock.ws_url())
        .helix_url(mock.helix_url())
        .helix_retry(fast_retries())
        .helix_timeout(Duration::from_secs(2))
        .close_timeout(Duration::from_secs(1))
        .seed(7)
}

/// A running client and every event it delivered so far.
struct TestClient {
    handle: EventSubHandle,
    events: EventStream,
    seen: Vec<Event>,
}

impl TestClient {
    async fn connect(builder: EventSubBuilder<TokioRuntime>) -> Self {
        let (handle, events) = builder.connect().await.expect("client starts");
        Self {
            handle,
            events,
            seen: Vec::new(),
        }
    }

    /// Reads events until one matches; panics after 5 s or at the end of the stream.
    async fn until(&mut self, what: &str, matches: impl Fn(&Event) -> bool) -> Event {
        within(WAIT, what, async {
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

    async fn ready(&mut self) {
        self.until("session ready", |e| matches!(e, Event::SessionReady { .. }))
            .await;
    }

    async fn subscribed(&mut self) {
        self.until("subscription created", |e| {
            matches!(e, Event::SubscriptionCreated { .. })
        })
        .await;
    }

    /// The message ids of the next `count` notifications.
    async fn notifications(&mut self, count: usize) -> Vec<String> {
        let mut ids = Vec::new();
        while ids.len() < count {
            if let Event::Notification(n) = self
                .until("a notification", |e| matches!(e, Event::Notification(_)))
                .await
            {
                ids.push(n.message_id().to_string());
            }
        }
        ids
    }

    /// Shuts down and reads the stream to its end.
    async fn shutdown(mut self) -> Vec<Event> {
        within(WAIT, "shutdown", self.handle.shutdown()).await;
        while let Some(event) = within(WAIT, "end of stream", self.events.next()).await {
            self.seen.push(event);
        }
        self.seen
    }
}

/// A mock and a client (customised by `customize`) whose first session has `stream.online`.
async fn subscribed(
    token: impl TokenProvider,
    config: Config,
    customize: impl FnOnce(EventSubBuilder<TokioRuntime>) -> EventSubBuilder<TokioRuntime>,
) -> (MockEventSub, TestClient) {
    let mock = start_mock(MockConfig::fast()).await;
    let builder = builder(&mock, token, config).subscribe(stream_online(USER_ID));
    let mut client = TestClient::connect(customize(builder)).await;
    client.ready().await;
    client.subscribed().await;
    (mock, client)
}

/// Shuts the client down and checks that it never sent a data frame.
async fn finish(mock: &MockEventSub, client: TestClient) {
    client.shutdown().await;
    assert_no_data_frames(mock);
}

async fn current_socket(mock: &MockEventSub) -> SocketId {
    assert!(
        mock.wait_for(WAIT, |m| m.current_socket().is_some()).await,
        "a session is up"
    );
    mock.current_socket().expect("checked above")
}

/// Whether `socket` ends `how` within 5 s.
async fn ended(mock: &MockEventSub, socket: SocketId, how: Ended) -> bool {
    mock.wait_for(WAIT, |m| {
        m.records().endings().contains(&(socket, how.clone()))
    })
    .await
}

/// What every test ends with: no text or binary frame ever reached the mock from the client.
fn assert_no_data_frames(mock: &MockEventSub) {
    let data = mock.records().client_data_frames();
    assert!(data.is_empty(), "the client sent data frames: {data:?}");
}

fn closed_with(event: &Event, code: u16) -> bool {
    match event {
        Event::Disconnected { cause, .. } | Event::ConnectFailed { cause, .. } => {
            cause.close_code() == Some(CloseCode(code))
        }
        _ => false,
    }
}

#[tokio::test]
async fn full_lifecycle_welcome_subscribe_notify_shutdown() {
    let (mock, mut client) = subscribed(user_token(), client_config(), |builder| builder).await;
    let mut sent = Vec::new();
    for _ in 0..3 {
        sent.extend(mock.notify("stream.online", Delivery::Once));
    }
    assert_eq!(
        client.notifications(3).await,
        sent,
        "every notification, in order"
    );
    let socket = current_socket(&mock).await;
    let events = client.shutdown().await;
    assert!(
        matches!(events.last(), Some(Event::Stopped { .. })),
        "Stopped is the last event"
    );
    assert!(mock.wait_for(WAIT, |m| m.sockets().is_empty()).await);
    assert!(
        mock.records()
            .endings()
            .contains(&(socket, Ended::ByClient(Some(1000)))),
        "closed with 1000"
    );
    assert_no_data_frames(&mock);
}

#[tokio::test]
async fn reconnect_in_a_burst_loses_nothing_and_duplicates_nothing() {
    let (mock, mut client) = subscribed(user_token(), client_config(), |builder| builder).await;
    let old = current_socket(&mock).await;
    let mut sent = Vec::new();
    for round in 0..60 {
        sent.extend(burst_round(&mock, "stream.online", round, 20, old));
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let received = client.notifications(sent.len()).await;
    let records = mock.records();
    assert_delivered_exactly_once(&records, &sent, &received);
    assert!(
        records.sent_notifications().len() > sent.len(),
        "duplicates were on the wire"
    );
    assert!(
        client
            .seen
            .iter()
            .any(|e| matches!(e, Event::Reconnected { .. })),
        "graceful handover"
    );
    assert!(
        !client
            .seen
            .iter()
            .any(|e| matches!(e, Event::Disconnected { .. })),
        "no gap"
    );
    let new = current_socket(&mock).await;
    assert_ne!(new, old);
    assert!(
        ended(&mock, old, Ended::ByClient(Some(1000))).await,
        "the client closed the old socket"
    );
    assert_eq!(
        mock.helix().subscriptions.len(),
        1,
        "a handover never resubscribes"
    );
    finish(&mock, client).await;
}

#[tokio::test]
async fn keepalive_silence_is_detected_then_reconnects_resubscribes_and_resumes() {
    let (mock, mut client) = subscribed(user_token(), client_config(), |builder| builder).await;
    let first = current_socket(&mock).await;
    mock.silence(first, true);
    let lost = client
        .until("keepalive timeout", |e| {
            matches!(
                e,
                Event::Disconnected {
                    cause: DisconnectCause::KeepaliveTimeout { .. },
                    ..
                }
            )
        })
        .await;
    let Event::Disconnected {
        cause: DisconnectCause::KeepaliveTimeout { silent_for },
        ..
    } = lost
    else {
        unreachable!()
    };
    assert!(
        silent_for >= Duration::from_millis(1300),
        "declared dead only after keepalive + grace: {silent_for:?}"
    );
    client
        .until("resumed", |e| matches!(e, Event::Resumed { .. }))
        .await;
    let second = current_socket(&mock).await;
    assert_ne!(first, second);
    assert!(
        mock.records()
            .endings()
            .contains(&(first, Ended::ByClient(Some(1001)))),
        "the dead socket was abandoned with 1001"
    );
    let sent = mock.notify("stream.online", Delivery::Once);
    assert_eq!(
        client.notifications(1).await,
        sent,
        "the new session delivers"
    );
    finish(&mock, client).await;
}

#[tokio::test]
async fn a_session_without_subscriptions_is_closed_4003_and_the_client_reconnects() {
    let mock = start_mock(MockConfig::fast()).await;
    let mut client = TestClient::connect(builder(&mock, user_token(), client_config())).await;
    client.ready().await;
    client.until("close 4003", |e| closed_with(e, 4003)).await;
    client.ready().await;
    client.shutdown().await;
    assert!(
        mock.records()
            .endings()
            .iter()
            .any(|(_, how)| *how == Ended::ByServer(4003))
    );
    assert_no_data_frames(&mock);
}

#[tokio::test]
async fn a_stale_reconnect_url_gets_4007_and_the_client_recovers() {
    let (mock, mut client) = subscribed(user_token(), client_config(), |builder| builder).await;
    let socket = current_socket(&mock).await;
    assert!(mock.reconnect_stale(socket).is_some());
    client.until("close 4007", |e| closed_with(e, 4007)).await;
    assert!(
        mock.wait_for(WAIT, |m| m
            .records()
            .endings()
            .iter()
            .any(|(_, how)| *how == Ended::ByServer(4007)))
            .await
    );
    // The live session is untouched by the failed handover; the core opens a fresh session,
    // subscribes there and closes the old one.
    client
        .until("resubscribed", |e| {
            matches!(e, Event::SubscriptionCreated { .. })
        })
        .await;
    assert!(
        ended(&mock, socket, Ended::ByClient(Some(1000))).await,
        "the old socket is closed once the fresh session is up"
    );
    assert!(
        !client
            .seen
            .iter()
            .any(|e| matches!(e, Event::Disconnected { .. })),
        "no gap: the old session served until the fresh one was up"
    );
    assert_eq!(mock.live_subscriptions(), 1, "only the fresh session's");
    let sent = mock.notify("stream.online", Delivery::Once);
    assert_eq!(sent.len(), 1);
    assert_eq!(client.notifications(1).await, sent);
    finish(&mock, client).await;
}

#[tokio::test]
async fn a_tcp_drop_backs_off_then_resubscribes_and_resumes() {
    let (mock, mut client) = subscribed(user_token(), client_config(), |builder| builder).await;
    let first = current_socket(&mock).await;
    let dropped_at = tokio::time::Instant::now().into_std();
    mock.drop_socket(first);
    let lost = client
        .until("disconnected", |e| matches!(e, Event::Disconnected { .. }))
        .await;
    let Event::Disconnected {
        cause, retry_at, ..
    } = lost
    else {
        unreachable!()
    };
    assert_eq!(
        cause.close_code(),
        Some(CloseCode::ABNORMAL),
        "no close frame: 1006"
    );
    let retry_at = retry_at.expect("the client retries");
    assert!(
        retry_at >= dropped_at + Duration::from_millis(50),
        "backs off (at least half the first delay)"
    );
    client
        .until("resumed", |e| matches!(e, Event::Resumed { .. }))
        .await;
    let reconnected_at = mock.records().opened().len();
    assert_eq!(reconnected_at, 2, "one new socket");
    assert_eq!(
        mock.live_subscriptions(),
        1,
        "resubscribed on the new session"
    );
    finish(&mock, client).await;
}

#[tokio::test]
async fn a_revocation_reaches_the_user() {
    let (mock, mut client) = subscribed(user_token(), client_config(), |builder| builder).await;
    assert_eq!(
        mock.revoke("stream.online", "authorization_revoked").len(),
        1
    );
    let event = client
        .until("revocation", |e| matches!(e, Event::Revocation(_)))
        .await;
    let Event::Revocation(revocation) = event else {
        unreachable!()
    };
    assert_eq!(revocation.subscription.kind, "stream.online");
    assert_eq!(
        revocation.subscription.status.to_string(),
        "authorization_revoked"
    );
    finish(&mock, client).await;
}

#[tokio::test]
async fn subscriptions_are_added_and_removed_at_runtime() {
    let (mock, mut client) = subscribed(user_token(), client_config(), |builder| builder).await;
    let follow = SubscriptionSpec::new("channel.follow", "2")
        .with_condition("broadcaster_user_id", USER_ID)
        .with_condition("moderator_user_id", USER_ID);
    client
        .handle
        .subscribe(follow.clone())
        .await
        .expect("subscribe");
    client.subscribed().await;
    let sent = mock.notify("channel.follow", Delivery::Once);
    assert_eq!(sent.len(), 1);
    assert_eq!(client.notifications(1).await, sent);
    assert!(
        client
            .handle
            .unsubscribe(follow.clone())
            .await
            .expect("unsubscribe")
    );
    assert!(
        mock.wait_for(WAIT, |m| m
            .helix()
            .subscriptions
            .iter()
            .all(|s| s.kind != "channel.follow"))
            .await,
        "deleted over Helix"
    );
    assert!(mock.notify("channel.follow", Delivery::Once).is_empty());
    assert!(
        !client
            .handle
            .unsubscribe(follow)
            .await
            .expect("unsubscribe again"),
        "no longer wanted"
    );
    finish(&mock, client).await;
}

#[tokio::test]
async fn graceful_shutdown_closes_with_1000_and_deletes_the_subscriptions() {
    let config = Config {
        delete_subscriptions_on_shutdown: true,
        ..client_config()
    };
    let (mock, client) = subscribed(user_token(), config, |builder| builder).await;
    let socket = current_socket(&mock).await;
    let handle = client.handle.clone();
    let events = client.shutdown().await;
    assert!(handle.is_finished());
    assert!(matches!(events.last(), Some(Event::Stopped { .. })));
    assert!(
        mock.helix().subscriptions.is_empty(),
        "deleted before the task finished"
    );
    assert!(ended(&mock, socket, Ended::ByClient(Some(1000))).await);
    assert!(
        handle.subscribe(stream_online("42")).await.is_err(),
        "a stopped client takes no commands"
    );
    assert_no_data_frames(&mock);
}

#[tokio::test]
async fn a_slow_consumer_never_makes_the_client_miss_keepalives() {
    let (mock, mut client) = subscribed(user_token(), client_config(), |builder| {
        builder.event_buffer(8)
    })
    .await;
    let socket = current_socket(&mock).await;
    let mut sent = Vec::new();
    for _ in 0..40 {
        sent.extend(mock.notify("stream.online", Delivery::Once));
    }
    // Read nothing for longer than keepalive + grace (1.3 s), twice over.
    tokio::time::sleep(Duration::from_millis(2800)).await;
    assert_eq!(mock.current_socket(), Some(socket), "the session survived");
    assert!(client.handle.lagged() > 0, "the overflow is counted");
    let mut delivered = 0;
    let mut reported_missing = 0;
    while let Ok(Some(event)) =
        tokio::time::timeout(Duration::from_millis(100), client.events.next()).await
    {
        assert!(
            !matches!(event, Event::Disconnected { .. }),
            "no keepalive death: {event:?}"
        );
        delivered += usize::from(matches!(event, Event::Notification(_)));
        if let Event::Lagged { missed } = event {
            reported_missing += missed;
        }
    }
    assert_eq!(
        delivered as u64 + client.handle.lagged(),
        sent.len() as u64,
        "every event delivered or counted"
    );
    assert_eq!(
        reported_missing,
        client.handle.lagged(),
        "every discarded event is reported in the stream"
    );
    finish(&mock, client).await;
}

/// Starts with a token Helix rejects; refreshes to the fixture's.
struct RefreshingToken;

impl TokenProvider for RefreshingToken {
    fn token(&self) -> AccessToken {
        AccessToken::new("expired-token")
    }

    fn refresh(&self) -> eventsub_tokio::BoxFuture<'_, Option<AccessToken>> {
        Box::pin(async { Some(AccessToken::new(USER_TOKEN)) })
    }
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_once_and_the_call_retried() {
    let (mock, client) = subscribed(RefreshingToken, client_config(), |builder| builder).await;
    finish(&mock, client).await;
}

#[tokio::test]
async fn a_rejected_token_without_refresh_stops_the_client() {
    let mock = start_mock(MockConfig::fast()).await;
    let expired = AccessToken::new("expired-token");
    let builder = builder(&mock, expired, client_config()).subscribe(stream_online(USER_ID));
    let mut client = TestClient::connect(builder).await;
    let stopped = client
        .until("stopped", |e| matches!(e, Event::Stopped { .. }))
        .await;
    assert!(
        matches!(
            stopped,
            Event::Stopped {
                reason: eventsub_proto::StopReason::Unauthorized { .. }
            }
        ),
        "{stopped:?}"
    );
    within(WAIT, "finished", client.handle.finished()).await;
    assert!(
        mock.wait_for(WAIT, |m| m.sockets().is_empty()).await,
        "the socket was closed"
    );
    assert_no_data_frames(&mock);
}

#[tokio::test]
async fn dropping_the_event_stream_shuts_the_client_down() {
    let (mock, client) = subscribed(user_token(), client_config(), |builder| builder).await;
    let socket = current_socket(&mock).await;
    let TestClient { handle, events, .. } = client;
    drop(events);
    within(WAIT, "finished", handle.finished()).await;
    assert!(ended(&mock, socket, Ended::ByClient(Some(1000))).await);
    assert_no_data_frames(&mock);
}
