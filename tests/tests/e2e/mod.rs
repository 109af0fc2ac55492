//! The end-to-end scenarios both adapters run (`e2e_tokio.rs`, `e2e_async_std.rs`): each takes the
//! mock and a client builder pointed at it (with [`client_config`]), whatever the runtime, and
//! ends by checking the mock's records: the client never sent a data frame. Waiting is on async-io
//! timers, which run under any executor.

pub mod task_end;
pub mod token;
pub mod typed;

use std::time::{Duration, Instant};

use eventsub_mock::helix::fast_retries;
use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_ID, USER_TOKEN, stream_online};
use eventsub_mock::scenario::{assert_delivered_exactly_once, burst_round, client_config};
use eventsub_mock::{Delivery, Ended, MockEventSub, SocketId};
use eventsub_proto::{CloseCode, Config, DisconnectCause, Event};
use eventsub_tokio::Runtime;
use eventsub_tokio::{EventStream, EventSubBuilder, EventSubHandle, Overflow, SubscriptionSpec};
use futures_util::StreamExt;
use futures_util::future::{Either, select};

pub const WAIT: Duration = Duration::from_secs(5);

/// Makes the test user's token (with `moderator:read:followers` and `channel:moderate`) valid on
/// `mock`.
pub fn grant_user_token(mock: &MockEventSub) {
    mock.helix().add_user_token(
        USER_TOKEN,
        CLIENT_ID,
        USER_ID,
        &["moderator:read:followers", "channel:moderate"],
    );
}

/// `builder` pointed at `mock`, with `config`, fast Helix retries and short timeouts.
pub fn against<R: Runtime>(
    builder: EventSubBuilder<R>,
    mock: &MockEventSub,
    config: Config,
) -> EventSubBuilder<R> {
    builder
        .config(config)
        .eventsub_url(mock.ws_url())
        .helix_url(mock.helix_url())
        .auth_url(mock.auth_url())
        .helix_retry(fast_retries())
        .helix_timeout(Duration::from_secs(2))
        .close_timeout(Duration::from_secs(1))
        .seed(7)
}

/// Polls `condition` until it holds; false after 5 s.
pub async fn eventually(mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + WAIT;
    while !condition() {
        if Instant::now() > deadline {
            return false;
        }
        async_io::Timer::after(Duration::from_millis(5)).await;
    }
    true
}

/// `future`'s output; panics if it takes longer than `timeout`.
pub async fn within<T>(timeout: Duration, what: &str, future: impl Future<Output = T>) -> T {
    futures_util::pin_mut!(future);
    match select(future, async_io::Timer::after(timeout)).await {
        Either::Left((output, _)) => output,
        Either::Right(_) => panic!("timed out waiting for {what}"),
    }
}

/// A running client and every event it delivered so far.
pub struct TestClient {
    pub handle: EventSubHandle,
    pub events: EventStream,
    pub seen: Vec<Event>,
}

impl TestClient {
    pub async fn connect<R: Runtime>(builder: EventSubBuilder<R>) -> Self {
        let (handle, events) = builder.connect().expect("client starts");
        Self {
            handle,
            events,
            seen: Vec::new(),
        }
    }

    /// Reads events until one matches; panics after 5 s or at the end of the stream.
    pub async fn until(&mut self, what: &str, matches: impl Fn(&Event) -> bool) -> Event {
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

    pub async fn ready(&mut self) {
        self.until("session ready", |e| matches!(e, Event::SessionReady { .. }))
            .await;
    }

    pub async fn subscribed(&mut self) {
        self.until("subscription created", |e| {
            matches!(e, Event::SubscriptionCreated { .. })
        })
        .await;
    }

    /// The message ids of the next `count` notifications.
    pub async fn notifications(&mut self, count: usize) -> Vec<String> {
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

    pub fn saw(&self, matches: impl Fn(&Event) -> bool) -> bool {
        self.seen.iter().any(matches)
    }

    /// Shuts down and reads the stream to its end.
    pub async fn shutdown(mut self) -> Vec<Event> {
        within(WAIT, "shutdown", self.handle.shutdown()).await;
        while let Some(event) = within(WAIT, "end of stream", self.events.next()).await {
            self.seen.push(event);
        }
        self.seen
    }
}

/// A client from `builder` whose first session has `stream.online`.
pub async fn subscribed<R: Runtime>(builder: EventSubBuilder<R>) -> TestClient {
    let mut client = TestClient::connect(builder.subscribe(stream_online(USER_ID))).await;
    client.ready().await;
    client.subscribed().await;
    client
}

pub async fn current_socket(mock: &MockEventSub) -> SocketId {
    assert!(
        eventually(|| mock.current_socket().is_some()).await,
        "a session is up"
    );
    mock.current_socket().expect("checked above")
}

/// Whether `socket` ends `how` within 5 s.
pub async fn ended(mock: &MockEventSub, socket: SocketId, how: Ended) -> bool {
    eventually(|| mock.records().endings().contains(&(socket, how.clone()))).await
}

/// Whether, within 5 s, no subscription of `kind` is left on the mock (deleted over Helix).
pub async fn deleted(mock: &MockEventSub, kind: &str) -> bool {
    eventually(|| mock.helix().subscriptions.iter().all(|s| s.kind != kind)).await
}

/// What every test ends with: no text or binary frame ever reached the mock from the client.
pub fn assert_no_data_frames(mock: &MockEventSub) {
    let data = mock.records().client_data_frames();
    assert!(data.is_empty(), "the client sent data frames: {data:?}");
}

/// Shuts the client down, checks `Stopped` came last and that the client never sent a data frame.
pub async fn finish(mock: &MockEventSub, client: TestClient) {
    let events = client.shutdown().await;
    assert!(
        matches!(events.last(), Some(Event::Stopped { .. })),
        "Stopped is the last event"
    );
    assert_no_data_frames(mock);
}

fn closed_with(event: &Event, code: u16) -> bool {
    match event {
        Event::Disconnected { cause, .. } | Event::ConnectFailed { cause, .. } => {
            cause.close_code() == Some(CloseCode(code))
        }
        _ => false,
    }
}

pub async fn full_lifecycle<R: Runtime>(mock: &MockEventSub, builder: EventSubBuilder<R>) {
    let mut client = subscribed(builder).await;
    let mut sent = Vec::new();
    for _ in 0..3 {
        sent.extend(mock.notify("stream.online", Delivery::Once));
    }
    assert_eq!(
        client.notifications(3).await,
        sent,
        "every notification, in order"
    );
    let socket = current_socket(mock).await;
    finish(mock, client).await;
    assert!(eventually(|| mock.sockets().is_empty()).await);
    assert!(
        mock.records()
            .endings()
            .contains(&(socket, Ended::ByClient(Some(1000)))),
        "closed with 1000"
    );
}

pub async fn reconnect_in_a_burst<R: Runtime>(mock: &MockEventSub, builder: EventSubBuilder<R>) {
    let mut client = subscribed(builder).await;
    let old = current_socket(mock).await;
    let mut sent = Vec::new();
    for round in 0..60 {
        sent.extend(burst_round(mock, "stream.online", round, 20, old));
        async_io::Timer::after(Duration::from_millis(2)).await;
    }
    let received = client.notifications(sent.len()).await;
    let records = mock.records();
    assert_delivered_exactly_once(&records, &sent, &received);
    assert!(
        records.sent_notifications().len() > sent.len(),
        "duplicates were on the wire"
    );
    assert!(
        client.saw(|e| matches!(e, Event::Reconnected { .. })),
        "graceful handover"
    );
    assert!(
        !client.saw(|e| matches!(e, Event::Disconnected { .. })),
        "no gap"
    );
    assert_ne!(current_socket(mock).await, old);
    assert!(
        ended(mock, old, Ended::ByClient(Some(1000))).await,
        "the client closed the old socket"
    );
    assert_eq!(
        mock.helix().subscriptions.len(),
        1,
        "a handover never resubscribes"
    );
    finish(mock, client).await;
}

pub async fn keepalive_silence<R: Runtime>(mock: &MockEventSub, builder: EventSubBuilder<R>) {
    let mut client = subscribed(builder).await;
    let first = current_socket(mock).await;
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
    let second = current_socket(mock).await;
    assert_ne!(first, second);
    assert!(
        mock.records()
            .endings()
            .contains(&(first, Ended::ByClient(Some(1001)))),
        "the dead socket was abandoned with 1001"
    );
    assert_eq!(
        mock.live_subscriptions(),
        1,
        "resubscribed on the new session"
    );
    let sent = mock.notify("stream.online", Delivery::Once);
    assert_eq!(
        client.notifications(1).await,
        sent,
        "the new session delivers"
    );
    finish(mock, client).await;
}

pub async fn no_subscriptions_idle_until_subscribe<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) {
    let mut client = TestClient::connect(builder).await;
    client
        .until("idle", |e| matches!(e, Event::Idle { .. }))
        .await;
    // Twitch would close a session without subscriptions (4003): none is opened.
    async_io::Timer::after(Duration::from_millis(300)).await;
    assert!(mock.sockets().is_empty(), "no socket while idle");
    client
        .handle
        .subscribe(stream_online(USER_ID))
        .await
        .expect("subscribes");
    client
        .until("subscription created", |e| {
            matches!(e, Event::SubscriptionCreated { .. })
        })
        .await;
    assert!(!client.saw(|e| closed_with(e, 4003)));
    // The handle reports it with the cost Twitch charged (0: the token user's own channel).
    let report = client
        .handle
        .subscriptions()
        .await
        .expect("the client runs");
    assert_eq!(report.subscriptions.len(), 1);
    let entry = &report.subscriptions[0];
    assert!(
        entry.id.is_some() && entry.cost_reported && entry.cost == 0,
        "{report:?}"
    );
    assert_eq!(report.total_cost, 0);
    client.shutdown().await;
    assert_no_data_frames(mock);
}

pub async fn stale_reconnect_url_4007<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) {
    let mut client = subscribed(builder).await;
    let socket = current_socket(mock).await;
    assert!(mock.reconnect_stale(socket).is_some());
    client.until("close 4007", |e| closed_with(e, 4007)).await;
    assert!(
        eventually(|| mock
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
        ended(mock, socket, Ended::ByClient(Some(1000))).await,
        "the old socket is closed once the fresh session is up"
    );
    assert!(
        !client.saw(|e| matches!(e, Event::Disconnected { .. })),
        "no gap: the old session served until the fresh one was up"
    );
    assert_eq!(mock.live_subscriptions(), 1, "only the fresh session's");
    let sent = mock.notify("stream.online", Delivery::Once);
    assert_eq!(sent.len(), 1);
    assert_eq!(client.notifications(1).await, sent);
    finish(mock, client).await;
}

pub async fn tcp_drop<R: Runtime>(mock: &MockEventSub, builder: EventSubBuilder<R>) {
    let mut client = subscribed(builder).await;
    let first = current_socket(mock).await;
    let dropped_at = Instant::now();
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
    assert_eq!(mock.records().opened().len(), 2, "one new socket");
    assert_eq!(
        mock.live_subscriptions(),
        1,
        "resubscribed on the new session"
    );
    let sent = mock.notify("stream.online", Delivery::Once);
    assert_eq!(client.notifications(1).await, sent);
    finish(mock, client).await;
}

pub async fn revocation<R: Runtime>(mock: &MockEventSub, builder: EventSubBuilder<R>) {
    let mut client = subscribed(builder).await;
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
    finish(mock, client).await;
}

/// Needs the mock's user token to carry `moderator:read:followers`.
pub async fn runtime_subscriptions<R: Runtime>(mock: &MockEventSub, builder: EventSubBuilder<R>) {
    let mut client = subscribed(builder).await;
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
    assert!(deleted(mock, "channel.follow").await, "deleted over Helix");
    assert!(mock.notify("channel.follow", Delivery::Once).is_empty());
    assert!(
        !client
            .handle
            .unsubscribe(follow)
            .await
            .expect("unsubscribe again"),
        "no longer wanted"
    );
    finish(mock, client).await;
}

pub async fn graceful_shutdown<R: Runtime>(mock: &MockEventSub, builder: EventSubBuilder<R>) {
    let mut config = client_config();
    config.delete_subscriptions_on_shutdown = true;
    let client = subscribed(builder.config(config)).await;
    let socket = current_socket(mock).await;
    let handle = client.handle.clone();
    let events = client.shutdown().await;
    assert!(handle.is_finished());
    assert!(matches!(events.last(), Some(Event::Stopped { .. })));
    assert!(
        mock.helix().subscriptions.is_empty(),
        "deleted before the task finished"
    );
    assert!(ended(mock, socket, Ended::ByClient(Some(1000))).await);
    assert!(
        handle.subscribe(stream_online("42")).await.is_err(),
        "a stopped client takes no commands"
    );
    assert_no_data_frames(mock);
}

/// Sends 40 notifications and reads nothing for longer than keepalive + grace (1.3 s), twice
/// over; checks the session survived. Returns the message ids sent.
async fn flood_unread(mock: &MockEventSub) -> Vec<String> {
    let socket = current_socket(mock).await;
    let mut sent = Vec::new();
    for _ in 0..40 {
        sent.extend(mock.notify("stream.online", Delivery::Once));
    }
    async_io::Timer::after(Duration::from_millis(2800)).await;
    assert_eq!(mock.current_socket(), Some(socket), "the session survived");
    sent
}

pub async fn slow_consumer<R: Runtime>(mock: &MockEventSub, builder: EventSubBuilder<R>) {
    let builder = builder
        .event_buffer(8)
        .overflow(Overflow::DiscardWithLagged);
    let mut client = subscribed(builder).await;
    let sent = flood_unread(mock).await;
    assert!(client.handle.lagged() > 0, "the overflow is counted");
    let mut delivered = 0;
    let mut reported_missing = 0;
    while let Either::Left((Some(event), _)) = select(
        client.events.next(),
        async_io::Timer::after(Duration::from_millis(100)),
    )
    .await
    {
        assert!(
            !matches!(event, Event::Disconnected { .. }),
            "no keepalive death: {event:?}"
        );
        delivered += usize::from(matches!(event, Event::Notification(_)));
        if let Event::Lagged { missed, .. } = event {
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
    finish(mock, client).await;
}

/// The mock loops on `session_reconnect` (300 of them, one every 10 ms, always on the socket that
/// carries the session): the client follows at its own pace, never holds more than three sockets
/// (live, candidate, one closing), keeps its session and its subscription, and loses nothing.
pub async fn reconnect_storm<R: Runtime>(mock: &MockEventSub, builder: EventSubBuilder<R>) {
    const STORM: usize = 300;
    let mut client = subscribed(builder).await;
    let first = current_socket(mock).await;
    assert!(mock.reconnect_storm(first, STORM, Duration::from_millis(10)));
    let reconnects_sent = || {
        mock.records()
            .sent()
            .filter(|frame| frame.message_type == "session_reconnect")
            .count()
    };
    // Ten times `eventually`'s wait: the storm itself takes about 3 s.
    let mut storm_over = false;
    for _ in 0..10 {
        if eventually(|| reconnects_sent() >= STORM).await {
            storm_over = true;
            break;
        }
    }
    assert!(storm_over, "the storm ran: {} sent", reconnects_sent());
    client
        .until("a handover", |e| matches!(e, Event::Reconnected { .. }))
        .await;
    // The last reconnect is followed within the pace (1 s) and the handover settles.
    async_io::Timer::after(Duration::from_millis(1500)).await;
    let sent = mock.notify("stream.online", Delivery::Once);
    assert_eq!(sent.len(), 1, "the subscription lives on");
    let received = client.notifications(1).await;
    assert_eq!(received, sent);
    let peak = mock.peak_open_sockets();
    assert!(peak <= 3, "the client held {peak} sockets at once");
    let opened = mock.records().opened().len();
    // One connection per second at most, of the 3 s storm, plus the first.
    assert!(opened <= 8, "{opened} sockets opened during the storm");
    assert!(!client.saw(|e| matches!(e, Event::Stopped { .. })));
    assert_eq!(
        mock.helix().subscriptions.len(),
        1,
        "handovers never resubscribe"
    );
    finish(mock, client).await;
}

/// Reads whatever the stream holds now, until it has been quiet for 100 ms.
async fn read_what_is_there(client: &mut TestClient) {
    while let Either::Left((Some(event), _)) = select(
        client.events.next(),
        async_io::Timer::after(Duration::from_millis(100)),
    )
    .await
    {
        client.seen.push(event);
    }
}

/// Under the default policy a consumer that reads nothing for longer than keepalive + grace
/// loses nothing: the client stops reading the socket instead of discarding, and the watchdog
/// does not take the unread socket for a dead one.
pub async fn backpressure_by_default<R: Runtime>(mock: &MockEventSub, builder: EventSubBuilder<R>) {
    let mut client = subscribed(builder.event_buffer(8)).await;
    let sent = flood_unread(mock).await;
    let received = within(WAIT, "every notification", client.notifications(sent.len())).await;
    assert_eq!(received, sent, "all of them, in order");
    assert_eq!(client.handle.lagged(), 0, "nothing discarded");
    assert!(
        !client.saw(|e| matches!(e, Event::Disconnected { .. } | Event::Lagged { .. })),
        "no keepalive death, no lag: {:?}",
        client.seen
    );
    finish(mock, client).await;
}

/// With discarding chosen and the buffer full, a lost socket's `Disconnected`, the fresh
/// session's `SessionReady` and subscription, and `Resumed` all still reach the consumer, in
/// order, after a `Lagged` that says which stretch of Twitch's clock the discarded ones cover.
pub async fn lifecycle_events_are_never_discarded<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) {
    let builder = builder
        .event_buffer(8)
        .overflow(Overflow::DiscardWithLagged);
    let mut client = subscribed(builder).await;
    let first = current_socket(mock).await;
    for _ in 0..40 {
        mock.notify("stream.online", Delivery::Once);
    }
    assert!(
        eventually(|| client.handle.lagged() > 0).await,
        "the buffer overflowed"
    );
    mock.drop_socket(first);
    assert!(
        eventually(|| mock.current_socket().is_some_and(|now| now != first)
            && mock.live_subscriptions() == 1)
        .await,
        "a fresh session, resubscribed"
    );
    // The client's `Resumed` follows the mock's 202 a moment later: read until it comes.
    client
        .until("resumed", |e| matches!(e, Event::Resumed { .. }))
        .await;
    let position = |matches: fn(&Event) -> bool| client.seen.iter().position(matches);
    let lagged = position(|e| matches!(e, Event::Lagged { .. })).expect("a Lagged");
    let disconnected = position(|e| matches!(e, Event::Disconnected { .. })).expect("Disconnected");
    let resumed = position(|e| matches!(e, Event::Resumed { .. })).expect("Resumed");
    let ready_again = client
        .seen
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, Event::SessionReady { .. }))
        .nth(1)
        .map(|(at, _)| at)
        .expect("the fresh session's SessionReady");
    assert!(lagged < disconnected && disconnected < ready_again && ready_again < resumed);
    let Event::Lagged {
        first_sent,
        last_sent,
        ..
    } = &client.seen[lagged]
    else {
        unreachable!()
    };
    assert!(
        first_sent.is_some() && first_sent <= last_sent,
        "the wall-clock range of what was discarded: {first_sent:?}..{last_sent:?}"
    );
    read_what_is_there(&mut client).await;
    finish(mock, client).await;
}

/// A blast of `count` at full speed to a consumer that spends 5 µs on each event: under the
/// default backpressure nothing is lost. Returns the blast's duration.
pub async fn burst_to_a_slow_consumer<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
    count: u64,
) -> Duration {
    let mut client = subscribed(builder).await;
    let started = Instant::now();
    take_blast_slowly(mock, &mut client, count, Duration::from_micros(5)).await;
    let took = started.elapsed();
    finish(mock, client).await;
    took
}

/// Blasts `count` `stream.online` notifications and takes them, spinning `per_event` on each:
/// all arrive, in order, none discarded, and the session never drops.
async fn take_blast_slowly(
    mock: &MockEventSub,
    client: &mut TestClient,
    count: u64,
    per_event: Duration,
) {
    let blast = mock.blast("stream.online", count).expect("subscribed");
    let mut next_expected = 0;
    take_in_order(client, &blast, &mut next_expected, count, per_event).await;
    assert_eq!(client.handle.lagged(), 0, "nothing discarded");
}

/// Takes the next `n` notifications of `blast`, the first of them `*next`, checking their order,
/// and spins `per_event` on each; other events may come between them, but never a gap or a
/// discard.
async fn take_in_order(
    client: &mut TestClient,
    blast: &eventsub_mock::Blast,
    next: &mut u64,
    n: u64,
    per_event: Duration,
) {
    let end = *next + n;
    while *next < end {
        let event = within(Duration::from_secs(60), "the blast", client.events.next())
            .await
            .expect("the stream goes on");
        let Event::Notification(notification) = event else {
            assert!(
                !matches!(event, Event::Lagged { .. } | Event::Disconnected { .. }),
                "{event:?}"
            );
            continue;
        };
        assert_eq!(
            notification.message_id().to_string(),
            blast.message_id(*next)
        );
        *next += 1;
        let until = Instant::now() + per_event;
        while Instant::now() < until {
            std::hint::spin_loop();
        }
    }
}

/// Whether the mock read a close frame from the client on `socket`.
fn read_a_close_frame(records: &eventsub_mock::Records, socket: SocketId) -> bool {
    records.entries.iter().any(|(_, record)| {
        matches!(
            record,
            eventsub_mock::Record::Received { socket: from, what: eventsub_mock::Received::Close(_) }
                if *from == socket
        )
    })
}

/// When the server closes (4000–4007), the client sends its close frame back (RFC 6455 §5.5.1)
/// instead of just dropping the TCP connection: the mock's records show the reply.
pub async fn server_close_is_answered<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) {
    let mut client = subscribed(builder).await;
    let socket = current_socket(mock).await;
    mock.close(socket, 4000, "internal server error");
    client
        .until("disconnected", |e| matches!(e, Event::Disconnected { .. }))
        .await;
    assert!(ended(mock, socket, Ended::ByServer(4000)).await);
    assert!(
        read_a_close_frame(&mock.records(), socket),
        "the client answered the server's close frame"
    );
    client
        .until("resumed", |e| matches!(e, Event::Resumed { .. }))
        .await;
    finish(mock, client).await;
}

/// A creation in flight while Helix hangs (far past the call's timeout) does not hold the
/// shutdown: it is aborted, and the client finishes within the close timeout.
pub async fn shutdown_is_bounded_while_helix_hangs<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) {
    let mut client = subscribed(builder.helix_timeout(Duration::from_secs(60))).await;
    mock.helix().inject(
        eventsub_mock::helix::Fault::Slow(Duration::from_secs(120)),
        4,
    );
    let requests_before = mock.helix().requests;
    let handle = client.handle.clone();
    let subscribing = async move { handle.subscribe(stream_online("4242")).await };
    // The command is answered at once; the creation it starts hangs in Helix.
    within(WAIT, "subscribe accepted", subscribing)
        .await
        .expect("accepted");
    assert!(
        eventually(|| mock.helix().requests > requests_before).await,
        "the creation reached Helix"
    );
    within(
        WAIT,
        "shutdown, not the hanging call",
        client.handle.shutdown(),
    )
    .await;
    assert!(client.handle.is_finished());
    while let Some(event) = within(WAIT, "end of stream", client.events.next()).await {
        client.seen.push(event);
    }
    assert!(matches!(client.seen.last(), Some(Event::Stopped { .. })));
    assert_no_data_frames(mock);
}

/// The deletes shutdown asks for under a 429 whose reset is an hour away are abandoned after the
/// close timeout plus one call's timeout, instead of sleeping until the reset.
pub async fn shutdown_is_bounded_under_a_long_rate_limit<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) {
    let mut config = client_config();
    config.delete_subscriptions_on_shutdown = true;
    let builder = builder
        .config(config)
        .helix_retry(eventsub_helix::RetryPolicy::default());
    let client = subscribed(builder).await;
    mock.helix().inject(
        eventsub_mock::helix::Fault::RateLimited {
            reset_in_secs: 3_600,
        },
        100,
    );
    let events = client.shutdown().await;
    assert!(matches!(events.last(), Some(Event::Stopped { .. })));
    assert_no_data_frames(mock);
}

/// A socket the client is closing while the server keeps sending and never reads, so never
/// answers the close frame ([`MockEventSub::reconnect_then_flood`]), is still let go. The old
/// socket of a handover floods: the client closes it once the new one is welcomed, and still
/// delivers what it sends, to a consumer that takes a millisecond per event. Far slower than the
/// flood, so under backpressure reading is paused nearly all the time and the close timeout, which
/// counts reading time only (so that a stalled consumer loses nothing of a handover's tail), would
/// take far too long to run out: what ends the wait is the bytes the socket delivered past the
/// close ([`Config::max_close_drain_bytes`], 256 KiB here). What it still carried is lost and
/// reported as a gap of the live session (`Resumed`, no `Disconnected`).
pub async fn closing_under_continuous_traffic_is_let_go<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) {
    const DRAIN: usize = 256 << 10;
    let mut config = eventsub_mock::scenario::client_config();
    config.max_close_drain_bytes = DRAIN;
    let mut client = subscribed(builder.config(config)).await;
    let old = current_socket(mock).await;
    let flood = mock
        .reconnect_then_flood(old, "stream.online")
        .expect("the old socket's session holds the subscription");
    let dropped = async {
        let mut read = 0_u64;
        loop {
            let event = client.events.next().await.expect("the client runs on");
            client.seen.push(event);
            read += 1;
            async_io::Timer::after(Duration::from_millis(1)).await;
            if read % 10 == 0 && mock.records().endings().contains(&(old, Ended::Broken)) {
                return;
            }
        }
    };
    within(
        Duration::from_secs(30),
        "the flooding socket dropped past its drain bytes",
        dropped,
    )
    .await;
    let records = mock.records();
    assert!(
        !read_a_close_frame(&records, old),
        "the mock read nothing from the flooding socket"
    );
    let flooded = records
        .blasts()
        .into_iter()
        .find(|(blast, _)| blast.socket == old)
        .map(|(_, sent)| sent);
    assert!(
        flooded.is_some_and(|sent| sent > 0 && sent < flood.count),
        "the flood went out and ended with the socket, not on its own: {flooded:?} sent"
    );
    assert_ne!(current_socket(mock).await, old);
    // The buffer is full of the flood's events: read them while shutting down.
    let handle = client.handle.clone();
    let reading = async {
        while let Some(event) = client.events.next().await {
            client.seen.push(event);
        }
    };
    within(WAIT, "shutdown", async {
        futures_util::future::join(handle.shutdown(), reading).await
    })
    .await;
    assert!(matches!(client.seen.last(), Some(Event::Stopped { .. })));
    assert!(
        client.saw(|e| matches!(e, Event::Reconnected { .. })),
        "the handover completed while the old socket flooded"
    );
    assert!(
        client.saw(|e| matches!(e, Event::Resumed { .. })),
        "the flood's unread tail is reported as a gap"
    );
    assert!(
        !client.saw(|e| matches!(e, Event::Disconnected { .. } | Event::Lagged { .. })),
        "the session lives on, nothing discarded"
    );
    // Bounded: what was delivered of the flood is about the drain bytes (each `stream.online`
    // notification is a few hundred bytes), not the whole flood.
    let delivered = client
        .seen
        .iter()
        .filter(|e| matches!(e, Event::Notification(_)))
        .count();
    assert!(
        delivered < DRAIN / 100,
        "{delivered} notifications delivered from a socket bounded to {DRAIN} bytes past its close"
    );
    assert_no_data_frames(mock);
}

/// A shutdown while the event buffer is full and nobody reads it (the consumer stopped reading,
/// then shut down) still ends: the stopped client goes on reading its sockets, so it sees the
/// close handshake end. What the client had taken in (the buffer, and the event waiting for room)
/// still comes, in order, `Stopped` last; what was still unread in the socket is not received.
pub async fn shutdown_with_a_full_buffer_unread<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) {
    const BUFFER: usize = 8;
    let mut client = subscribed(builder.event_buffer(BUFFER)).await;
    let socket = current_socket(mock).await;
    let sent = flood_unread(mock).await;
    within(WAIT, "shutdown, nothing read", client.handle.shutdown()).await;
    assert!(
        ended(mock, socket, Ended::ByClient(Some(1000))).await,
        "closed with 1000, the mock's answer seen"
    );
    while let Some(event) = within(WAIT, "end of stream", client.events.next()).await {
        client.seen.push(event);
    }
    let received: Vec<String> = client
        .seen
        .iter()
        .filter_map(|e| match e {
            Event::Notification(n) => Some(n.message_id().to_string()),
            _ => None,
        })
        .collect();
    // The full buffer, and in order after it whatever waited in the core (under backpressure a
    // turn stops reading when the buffer is full, so only a frame that brought more events than
    // there was room for leaves some there).
    assert!(
        received.len() >= BUFFER && sent.starts_with(&received),
        "the buffer and what waited, in order: {received:?} of {sent:?}"
    );
    // `Stopped` came after the buffer too: what waited behind it is not lost.
    assert!(matches!(client.seen.last(), Some(Event::Stopped { .. })));
    assert_no_data_frames(mock);
}

/// The message ids of every notification `client` has seen, in order.
fn seen_notifications(client: &TestClient) -> Vec<String> {
    client
        .seen
        .iter()
        .filter_map(|event| match event {
            Event::Notification(n) => Some(n.message_id().to_string()),
            _ => None,
        })
        .collect()
}

/// Reads events until `client` has seen `count` notifications in all.
async fn read_until_notifications(client: &mut TestClient, count: usize) {
    while seen_notifications(client).len() < count {
        client
            .until("a notification", |e| matches!(e, Event::Notification(_)))
            .await;
    }
}

/// A `session_reconnect` handover while the consumer is stalled (backpressure: the client reads
/// no socket): the old socket still holds unread notifications when the new one is welcomed and
/// the client closes the old one, and the consumer then stalls again, for longer than the close
/// timeout. Every notification sent on the old socket while it was live is delivered exactly once,
/// the old socket ends with the close handshake, and no gap is reported.
pub async fn handover_while_the_consumer_is_stalled<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) {
    // The close timeout of `against` is 1 s; each stall is longer.
    const STALL: Duration = Duration::from_millis(1_500);
    let mut client = subscribed(builder.event_buffer(2)).await;
    let old = current_socket(mock).await;
    // Queued on the old socket before the client reads any of them: the first ten, the
    // `session_reconnect`, and forty more the old socket carries until the new one is welcomed.
    let mut sent = Vec::new();
    for _ in 0..10 {
        sent.extend(mock.notify("stream.online", Delivery::Once));
    }
    assert!(mock.reconnect(old).is_some());
    for _ in 0..40 {
        sent.extend(mock.notify("stream.online", Delivery::Once));
    }
    assert_eq!(sent.len(), 50);
    read_until_notifications(&mut client, 10).await;
    // The client reads on until its buffer is full, the `session_reconnect` among the first, and
    // opens the new socket; the new welcome then waits unread while the consumer is stalled.
    async_io::Timer::after(STALL).await;
    client
        .until("the handover", |e| matches!(e, Event::Reconnected { .. }))
        .await;
    // The client closed the old socket on the new welcome, most of its backlog still unread;
    // stalled for longer than the close timeout, it must still read it all.
    async_io::Timer::after(STALL).await;
    read_until_notifications(&mut client, sent.len()).await;
    let received = seen_notifications(&client);
    let records = mock.records();
    assert_delivered_exactly_once(&records, &sent, &received);
    assert!(
        records
            .sent_notifications()
            .iter()
            .all(|frame| frame.socket == old),
        "every notification went out on the old socket"
    );
    assert!(
        ended(mock, old, Ended::ByClient(Some(1000))).await,
        "the old socket ended with the close handshake: {:?}",
        mock.records().endings()
    );
    assert!(
        !client.saw(|e| matches!(e, Event::Disconnected { .. } | Event::Resumed { .. })),
        "no gap: {:?}",
        client.seen
    );
    finish(mock, client).await;
}

/// How many text frames the client read in each stretch between resuming and pausing again, as
/// its recording shows (the stretch before the first pause and the one after the last resume
/// are left out).
fn frames_read_between_pauses(recording: &eventsub_proto::recording::Recording) -> Vec<usize> {
    use eventsub_proto::recording::Entry;
    let mut stretches = Vec::new();
    let mut current: Option<usize> = None;
    for (_, line) in &recording.lines {
        match line.entry {
            Entry::ReadingResumed => current = Some(0),
            Entry::ReadingPaused => stretches.extend(current.take()),
            Entry::Text { .. } => {
                if let Some(frames) = &mut current {
                    *frames += 1;
                }
            }
            _ => {}
        }
    }
    stretches
}

/// Under backpressure the client reads until the consumer's buffer is full and reads again only
/// when half of it is free, so every stretch of reading hands over at least half the buffer.
/// The consumer here stalls until the client has stopped reading, then takes a buffer's worth
/// slowly (100 µs per event, slower than the client reads), four times: resuming at the first
/// free slot made stretches as short as what the stream takes from the buffer at once (64
/// events), however large the buffer. Nothing is lost either way. The stalls make the pauses
/// certain, whatever the machine's speed; the runtime must run the client task on another
/// thread than the test's.
pub async fn a_slow_consumer_is_read_for_in_stretches<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) {
    const BUFFER: usize = 512;
    const STALLS: usize = 4;
    let recording = eventsub_tests::recording_buffer::RecordingBuffer::default();
    let builder = builder
        .event_buffer(BUFFER)
        .overflow(Overflow::Backpressure)
        .record_to(recording.clone());
    let mut client = subscribed(builder).await;
    let count = (STALLS as u64 + 2) * BUFFER as u64;
    let blast = mock.blast("stream.online", count).expect("subscribed");
    let mut next = 0;
    for stall in 1..=STALLS {
        assert!(
            eventually(|| recording.count_kind("reading_paused") >= stall).await,
            "the client stops reading once the buffer is full (stall {stall})"
        );
        let slowly = Duration::from_micros(100);
        take_in_order(&mut client, &blast, &mut next, BUFFER as u64, slowly).await;
    }
    let rest = count - next;
    take_in_order(&mut client, &blast, &mut next, rest, Duration::ZERO).await;
    assert_eq!(client.handle.lagged(), 0, "nothing discarded");
    let stretches = frames_read_between_pauses(&recording.recording());
    assert!(
        stretches.len() >= STALLS - 1,
        "a stretch of reading between each two pauses: {stretches:?}"
    );
    assert!(
        stretches.iter().all(|&frames| frames >= BUFFER / 2),
        "each stretch of reading hands over at least half the buffer: {stretches:?}"
    );
    finish(mock, client).await;
}
