//! End-to-end tests of `eventsub-async-std` under async-std, against the mock EventSub server (which
//! runs on a tokio runtime of its own), over real sockets on 127.0.0.1. The adapter shares its
//! driver with `eventsub-tokio`; these tests show the async-io runtime under it works: the
//! lifecycle, a reconnect in a burst with nothing lost or duplicated, keepalive silence and a TCP
//! drop with resubscription, and a graceful shutdown — and never a data frame from the client.

use std::time::{Duration, Instant};

use eventsub_async_std::{AccessToken, Event, EventStream, EventSub, EventSubHandle};
use eventsub_proto::DisconnectCause;
use eventsub_tests::mock_eventsub::scenario::{
    assert_delivered_exactly_once, burst_round, client_config,
};
use eventsub_tests::mock_eventsub::{Delivery, Ended, MockConfig, MockEventSub, SocketId};
use eventsub_tests::mock_helix::fast_retries;
use eventsub_tests::mock_helix::fixtures::{CLIENT_ID, USER_ID, USER_TOKEN, stream_online};
use futures_util::StreamExt;

const WAIT: Duration = Duration::from_secs(5);

/// The mock and the tokio runtime it runs on.
struct Mock {
    mock: MockEventSub,
    _tokio: tokio::runtime::Runtime,
}

impl std::ops::Deref for Mock {
    type Target = MockEventSub;
    fn deref(&self) -> &MockEventSub {
        &self.mock
    }
}

fn start_mock() -> Mock {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mock = tokio
        .block_on(MockEventSub::start(MockConfig::fast()))
        .unwrap();
    mock.helix()
        .add_user_token(USER_TOKEN, CLIENT_ID, USER_ID, &[]);
    Mock {
        mock,
        _tokio: tokio,
    }
}

/// Polls `condition` on async-io timers until it holds; false after 5 s.
async fn eventually(mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + WAIT;
    while !condition() {
        if Instant::now() > deadline {
            return false;
        }
        async_io::Timer::after(Duration::from_millis(5)).await;
    }
    true
}

async fn next_matching(
    events: &mut EventStream,
    what: &str,
    matches: impl Fn(&Event) -> bool,
) -> Event {
    let deadline = Instant::now() + WAIT;
    loop {
        let next = futures_util::future::select(events.next(), async_io::Timer::at(deadline)).await;
        match next {
            futures_util::future::Either::Left((Some(event), _)) if matches(&event) => {
                return event;
            }
            futures_util::future::Either::Left((Some(_), _)) => {}
            futures_util::future::Either::Left((None, _)) => panic!("stream ended before {what}"),
            futures_util::future::Either::Right(_) => panic!("timed out waiting for {what}"),
        }
    }
}

async fn notifications(events: &mut EventStream, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    while ids.len() < count {
        if let Event::Notification(n) = next_matching(events, "a notification", |e| {
            matches!(e, Event::Notification(_))
        })
        .await
        {
            ids.push(n.message_id().to_string());
        }
    }
    ids
}

async fn connect(mock: &Mock) -> (EventSubHandle, EventStream) {
    let (handle, mut events) = EventSub::builder(CLIENT_ID, AccessToken::new(USER_TOKEN))
        .config(client_config())
        .eventsub_url(mock.ws_url())
        .helix_url(mock.helix_url())
        .helix_retry(fast_retries())
        .close_timeout(Duration::from_secs(1))
        .subscribe(stream_online(USER_ID))
        .connect()
        .await
        .unwrap();
    next_matching(&mut events, "subscription", |e| {
        matches!(e, Event::SubscriptionCreated { .. })
    })
    .await;
    (handle, events)
}

fn current_socket(mock: &Mock) -> SocketId {
    mock.current_socket().expect("a session is up")
}

async fn finish(mock: &Mock, handle: EventSubHandle, mut events: EventStream) {
    handle.shutdown().await;
    let mut last = None;
    while let Some(event) = events.next().await {
        last = Some(event);
    }
    assert!(
        matches!(last, Some(Event::Stopped { .. })),
        "Stopped is the last event"
    );
    assert!(
        mock.records().client_data_frames().is_empty(),
        "the client never sends a data frame"
    );
}

#[async_std::test]
async fn full_lifecycle_under_async_std() {
    let mock = start_mock();
    let (handle, mut events) = connect(&mock).await;
    let socket = current_socket(&mock);
    let mut sent = Vec::new();
    for _ in 0..3 {
        sent.extend(mock.notify("stream.online", Delivery::Once));
    }
    assert_eq!(notifications(&mut events, 3).await, sent);
    finish(&mock, handle, events).await;
    assert!(
        eventually(|| mock
            .records()
            .endings()
            .contains(&(socket, Ended::ByClient(Some(1000)))))
        .await
    );
}

#[async_std::test]
async fn reconnect_in_a_burst_loses_nothing_and_duplicates_nothing_under_async_std() {
    let mock = start_mock();
    let (handle, mut events) = connect(&mock).await;
    let old = current_socket(&mock);
    let mut sent = Vec::new();
    for round in 0..40 {
        sent.extend(burst_round(&mock, "stream.online", round, 10, old));
        async_io::Timer::after(Duration::from_millis(2)).await;
    }
    let received = notifications(&mut events, sent.len()).await;
    assert_delivered_exactly_once(&mock.records(), &sent, &received);
    assert_ne!(current_socket(&mock), old);
    assert_eq!(
        mock.helix().subscriptions.len(),
        1,
        "a handover never resubscribes"
    );
    finish(&mock, handle, events).await;
}

#[async_std::test]
async fn keepalive_silence_and_tcp_drop_both_end_in_resumption_under_async_std() {
    let mock = start_mock();
    let (handle, mut events) = connect(&mock).await;
    mock.silence(current_socket(&mock), true);
    next_matching(&mut events, "keepalive timeout", |e| {
        matches!(
            e,
            Event::Disconnected {
                cause: DisconnectCause::KeepaliveTimeout { .. },
                ..
            }
        )
    })
    .await;
    next_matching(&mut events, "resumed", |e| {
        matches!(e, Event::Resumed { .. })
    })
    .await;
    assert!(eventually(|| mock.current_socket().is_some()).await);
    mock.drop_socket(current_socket(&mock));
    let lost = next_matching(&mut events, "disconnected", |e| {
        matches!(e, Event::Disconnected { .. })
    })
    .await;
    assert!(
        matches!(
            lost,
            Event::Disconnected {
                retry_at: Some(_),
                ..
            }
        ),
        "{lost:?}"
    );
    next_matching(&mut events, "resumed", |e| {
        matches!(e, Event::Resumed { .. })
    })
    .await;
    let sent = mock.notify("stream.online", Delivery::Once);
    assert_eq!(notifications(&mut events, 1).await, sent);
    finish(&mock, handle, events).await;
}
