//! Record and replay, end to end: a session against the mock (notifications, a graceful
//! reconnect with a notification on the old socket, a duplicate, a TCP drop, a shutdown) is
//! recorded by the tokio client; replayed through the core alone on fake time it gives the same
//! notifications and lifecycle events, in order; replayed through `eventsub-mock` to a fresh
//! client over real sockets it delivers the same notifications. The recording never holds the
//! access token.

#[allow(dead_code)] // the scenarios of the adapters' suites, of which these tests use the helpers
mod e2e;

use std::io::Write;
use std::time::{Duration, Instant};

use e2e::{TestClient, current_socket};
use eventsub_mock::helix::fast_retries;
use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_ID, stream_online};
use eventsub_mock::replay::{MockReplay, ReplayOptions};
use eventsub_mock::scenario::client_config;
use eventsub_mock::{Delivery, MockConfig, MockEventSub};
use eventsub_proto::recording::{self, Entry, Recording};
use eventsub_proto::{Config, Event};
use eventsub_tests::recording_buffer::RecordingBuffer;
use eventsub_tokio::{AccessToken, EventSub, EventSubBuilder, TokioRuntime};

/// A token no recording line could contain by chance.
const TOKEN: &str = "oauth-SECRET-7f3a9c51-must-never-be-recorded";

/// A writer whose every write fails.
struct FullDisk;

impl Write for FullDisk {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other("no space left on device"))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Err(std::io::Error::other("no space left on device"))
    }
}

/// The client's configuration, as the builder gets it (and as a replay needs it).
fn config() -> Config {
    let mut config = client_config();
    config.subscriptions.push(stream_online(USER_ID));
    config
}

/// [`config`] with the base URL the recorded client had (the mock's, whose reconnect URLs point
/// at itself): the replaying core must follow the same reconnect URLs.
fn replay_config(text: &str) -> Config {
    let mut config = config();
    let recording = Recording::parse(text).expect("the recording reads");
    let first = recording
        .lines
        .iter()
        .find_map(|(_, line)| match &line.entry {
            Entry::Connect { url, .. } => Some(url.to_string()),
            _ => None,
        });
    config.url = first
        .and_then(|url| eventsub_proto::Url::parse(&url).ok())
        .expect("the recording connects first");
    config
}

async fn start_mock() -> MockEventSub {
    let mock = MockEventSub::start(MockConfig::fast())
        .await
        .expect("mock starts");
    mock.helix().add_user_token(TOKEN, CLIENT_ID, USER_ID, &[]);
    mock
}

/// A client of `mock` without subscriptions yet (`e2e::subscribed` adds [`stream_online`]).
fn builder(mock: &MockEventSub) -> EventSubBuilder<TokioRuntime> {
    e2e::against(
        EventSub::builder(CLIENT_ID, AccessToken::new(TOKEN)),
        mock,
        client_config(),
    )
}

/// The message ids of the notifications among `events`, in order.
fn notification_ids(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|event| match event {
            Event::Notification(n) => Some(n.message_id().to_string()),
            _ => None,
        })
        .collect()
}

/// The kinds of the other events, in order (`SessionReady`, `Disconnected`, ...).
fn lifecycle_kinds(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter(|event| !matches!(event, Event::Notification(_)))
        .map(|event| {
            let debug = format!("{event:?}");
            let end = debug.find([' ', '{', '(']).unwrap_or(debug.len());
            debug[..end].to_owned()
        })
        .collect()
}

/// Reads events until every one of `sent` was delivered.
async fn delivered(client: &mut TestClient, sent: &[String]) {
    while !sent
        .iter()
        .all(|id| notification_ids(&client.seen).contains(id))
    {
        client
            .until("a notification", |e| matches!(e, Event::Notification(_)))
            .await;
    }
}

/// The demo's session, recorded: returns the recording and every event the client delivered.
async fn record_a_session() -> (String, Vec<Event>) {
    let mock = start_mock().await;
    let recording = RecordingBuffer::default();
    let mut client = e2e::subscribed(builder(&mock).record_to(recording.clone())).await;

    let mut sent = Vec::new();
    for _ in 0..3 {
        sent.extend(mock.notify("stream.online", Delivery::Once));
    }
    delivered(&mut client, &sent).await;

    // A graceful reconnect, with a notification on the old socket while the new one opens.
    let old = current_socket(&mock).await;
    assert!(mock.reconnect(old).is_some(), "the socket is open");
    sent.extend(mock.notify("stream.online", Delivery::Once));
    client
        .until("the handover", |e| matches!(e, Event::Reconnected { .. }))
        .await;
    // At-least-once delivery: the same message twice.
    sent.extend(mock.notify("stream.online", Delivery::Twice));
    delivered(&mut client, &sent).await;

    // An abrupt TCP drop: backoff, a fresh session, resubscription.
    let socket = current_socket(&mock).await;
    assert!(mock.drop_socket(socket));
    client
        .until("the resumption", |e| matches!(e, Event::Resumed { .. }))
        .await;
    sent.extend(mock.notify("stream.online", Delivery::Once));
    delivered(&mut client, &sent).await;

    let events = client.shutdown().await;
    assert_eq!(notification_ids(&events), sent, "each once, in order");
    (recording.text(), events)
}

#[tokio::test]
async fn a_recorded_session_replays_through_the_core_to_the_same_events() {
    let (text, live) = record_a_session().await;
    assert!(
        lifecycle_kinds(&live).contains(&"Disconnected".to_owned()),
        "{live:#?}"
    );

    let replayed =
        recording::replay(replay_config(&text), &text, Instant::now()).expect("the replay runs");

    assert_eq!(notification_ids(&replayed), notification_ids(&live));
    assert_eq!(lifecycle_kinds(&replayed), lifecycle_kinds(&live));
}

#[tokio::test]
async fn a_recording_never_contains_the_access_token() {
    let (text, _) = record_a_session().await;
    assert!(!text.contains(TOKEN), "the token was recorded");
    assert!(!text.contains("SECRET"), "part of the token was recorded");
    // It does hold what the core was fed: frames, Helix answers, closes.
    let recording = Recording::parse(&text).expect("the recording reads");
    let has =
        |wanted: fn(&Entry<'_>) -> bool| recording.lines.iter().any(|(_, l)| wanted(&l.entry));
    assert!(has(|e| matches!(e, Entry::Text { .. })));
    assert!(has(|e| matches!(
        e,
        Entry::SubscriptionCreated { result: Ok(_), .. }
    )));
    assert!(
        has(|e| matches!(e, Entry::Closed { code: None, .. })),
        "the TCP drop"
    );
    assert!(has(|e| matches!(e, Entry::Shutdown)));
}

#[tokio::test]
async fn a_recorded_session_replayed_by_the_mock_delivers_the_same_notifications() {
    let (text, live) = record_a_session().await;
    let recording = Recording::parse(&text).expect("the recording reads");
    let replay = MockReplay::start(&recording, ReplayOptions::speed(2.0))
        .await
        .expect("the replay server starts");
    replay
        .helix()
        .add_user_token("another-token", CLIENT_ID, USER_ID, &[]);
    assert_eq!(
        replay.connections(),
        3,
        "the first, the handover's and the one after the drop"
    );

    let builder = EventSub::builder(CLIENT_ID, AccessToken::new("another-token"))
        .config(config())
        .eventsub_url(replay.ws_url())
        .helix_url(replay.helix_url())
        .helix_retry(fast_retries())
        .helix_timeout(Duration::from_secs(2))
        .close_timeout(Duration::from_secs(1));
    let mut client = TestClient::connect(builder).await;
    let expected = notification_ids(&live);
    delivered(&mut client, &expected).await;
    assert!(
        client.saw(|e| matches!(e, Event::Reconnected { .. })),
        "the recorded handover"
    );
    let events = client.shutdown().await;

    let mut received = notification_ids(&events);
    assert_eq!(received.len(), expected.len(), "nothing delivered twice");
    received.sort();
    let mut expected = expected;
    expected.sort();
    assert_eq!(received, expected);
    assert_eq!(replay.connected(), 3, "the client connected as recorded");
}

#[tokio::test]
async fn a_recording_to_a_file_is_whole_once_the_client_has_finished() {
    let mock = start_mock().await;
    let path = std::env::temp_dir().join(format!(
        "eventsub-recording-test-{}.jsonl",
        std::process::id()
    ));
    let mut client = e2e::subscribed(builder(&mock).record_to_file(&path)).await;
    let sent = mock.notify("stream.online", Delivery::Once);
    delivered(&mut client, &sent).await;
    let live = client.shutdown().await;

    let text = std::fs::read_to_string(&path).expect("the file was written");
    let _ = std::fs::remove_file(&path);
    let recording = Recording::parse(&text).expect("the recording reads");
    assert!(
        matches!(recording.lines.last(), Some((_, line)) if matches!(line.entry, Entry::Closed { .. })),
        "it ends with the last socket closing: {:?}",
        recording.lines.last()
    );
    let replayed =
        recording::replay(replay_config(&text), &text, Instant::now()).expect("the replay runs");
    assert_eq!(lifecycle_kinds(&replayed), lifecycle_kinds(&live));
}

#[tokio::test]
async fn a_recording_file_that_cannot_be_created_is_a_connect_error() {
    let mock = start_mock().await;
    let missing = std::env::temp_dir().join("no-such-directory-for-eventsub/recording.jsonl");
    let error = builder(&mock)
        .record_to_file(missing)
        .connect()
        .expect_err("no file, no client");
    assert!(
        matches!(error, eventsub_tokio::ConnectError::Recording(_)),
        "{error}"
    );
}

#[tokio::test]
async fn a_failing_recording_writer_stops_the_recording_not_the_client() {
    let mock = start_mock().await;
    let mut client = e2e::subscribed(builder(&mock).record_to(FullDisk)).await;
    let mut sent = Vec::new();
    for _ in 0..3 {
        sent.extend(mock.notify("stream.online", Delivery::Once));
    }
    delivered(&mut client, &sent).await;
    let events = client.shutdown().await;
    assert_eq!(notification_ids(&events), sent);
    assert!(matches!(events.last(), Some(Event::Stopped { .. })));
}
