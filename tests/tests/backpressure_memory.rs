//! Under the default backpressure a consumer that reads nothing makes the client hold a batched
//! notification as the core holds it, one entry sharing the frame, its events made one at a time as
//! the consumer makes room: not 4,000 events queued in the driver at once. The driver leaves the
//! events in the core while the consumer's buffer is full (`Client::poll_action`), and stops
//! reading the socket.
//!
//! A counting global allocator measures the heap held while the consumer is stalled, through the
//! whole client (driver, core, sockets) and the mock serving it in this process; this test is alone
//! in its binary so nothing else allocates meanwhile. The bound: four times the frame (the core's
//! copy, which the events in the buffer share; the client socket's read buffer, kept at the largest
//! frame read; the mock's write buffer; a transient copy), the events in the consumer's buffer, and
//! a fixed 64 KiB. Measured: about 3x the frame (384 KB for a 126 KB frame of 4,000 events); a
//! driver that queues the whole batch at once holds 4,000 events of 112 bytes more (843 KB, 6.7x).
//! `cargo test -p eventsub-tests --test backpressure_memory -- --nocapture` prints the figures.

use std::alloc::System;
use std::collections::BTreeSet;
use std::time::Duration;

use cap::Cap;
use eventsub_mock::helix::fast_retries;
use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_ID, USER_TOKEN, stream_online};
use eventsub_mock::scenario::client_config;
use eventsub_mock::{BadFrame, MockConfig, MockEventSub, Record};
use eventsub_proto::Event;
use eventsub_tests::sim::count_batch_item;
use eventsub_tokio::{AccessToken, EventSub};
use futures_util::StreamExt;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// The events in the batch.
const ITEMS: usize = 4_000;
/// The consumer's buffer.
const BUFFER: usize = 16;
/// What the client and the mock may hold besides the frame and the buffered events: sockets'
/// buffers, timers, the mock's records of the frames around it.
const FIXED_BYTES: usize = 64 * 1024;

#[tokio::test(flavor = "current_thread")]
async fn a_4000_event_batch_for_a_stalled_consumer_is_held_as_its_frame_not_as_4000_events() {
    let mock = MockEventSub::start(MockConfig::fast().with_default_keepalive_secs(60))
        .await
        .expect("mock starts");
    mock.helix()
        .add_user_token(USER_TOKEN, CLIENT_ID, USER_ID, &[]);
    let (handle, mut events) = EventSub::builder(CLIENT_ID, AccessToken::new(USER_TOKEN))
        .config(client_config())
        .eventsub_url(mock.ws_url())
        .helix_url(mock.helix_url())
        .helix_retry(fast_retries())
        .event_buffer(BUFFER)
        .subscribe(stream_online(USER_ID))
        .connect()
        .expect("client starts");
    loop {
        let event = tokio::time::timeout(Duration::from_secs(5), events.next())
            .await
            .expect("subscribed in time")
            .expect("the stream goes on");
        if matches!(event, Event::SubscriptionCreated { .. }) {
            break;
        }
    }
    let socket = mock.current_socket().expect("a session");
    // Whatever the start left to settle, settles.
    tokio::time::sleep(Duration::from_millis(100)).await;
    mock.take_records();
    let before = ALLOCATOR.allocated();
    assert!(mock.inject(
        socket,
        BadFrame::BatchBomb {
            items: ITEMS,
            condition_bytes: 0,
        }
    ));
    // The consumer reads nothing: the client reads the frame, fills the buffer and stops. What it
    // holds meanwhile is sampled for a while (the driver runs whenever this test sleeps).
    let mut frame_len = None;
    let mut held = 0;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        held = held.max(ALLOCATOR.allocated().saturating_sub(before));
        frame_len = frame_len.or_else(|| {
            mock.records()
                .entries
                .iter()
                .find_map(|(_, record)| match record {
                    Record::Injected { len, .. } => Some(*len),
                    _ => None,
                })
        });
    }
    let frame_len = frame_len.expect("the batch went out");
    let event_size = std::mem::size_of::<Event>();
    let bound = 4 * frame_len + BUFFER * event_size + FIXED_BYTES;
    println!(
        "frame {frame_len} bytes, {ITEMS} events ({event_size} bytes an event), buffer {BUFFER}: \
         {held} bytes held while the consumer is stalled ({:.2}x the frame; bound {bound}); \
         {ITEMS} events queued at once would take {} bytes more",
        held as f64 / frame_len as f64,
        ITEMS * event_size
    );
    let mut delivered = BTreeSet::new();
    while delivered.len() < ITEMS {
        let event = tokio::time::timeout(Duration::from_secs(10), events.next())
            .await
            .expect("every event in time")
            .expect("the stream goes on");
        count_batch_item(&mut delivered, &event);
    }
    assert!(
        held <= bound,
        "a stalled consumer made the client hold {held} bytes for a {frame_len} byte frame"
    );
    handle.shutdown().await;
}
