//! A server that floods pings and stops reading cannot make the client queue pongs without
//! limit: the write buffer is bounded (in the driver's builder, so both adapters get it), and the
//! client ends the socket, reporting a `Disconnected`, once pong after pong stays stuck.
//!
//! A counting global allocator (with its high-water mark) measures the heap from the start of the
//! flood to the report; this test is alone in its binary.

#[allow(dead_code)] // the scenarios of the adapters' suites, of which this test uses the helpers
mod e2e;

use std::alloc::System;
use std::time::Duration;

use cap::Cap;
use e2e::{current_socket, within};
use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_TOKEN};
use eventsub_mock::scenario::client_config;
use eventsub_mock::{MockConfig, MockEventSub};
use eventsub_proto::{CloseCode, DisconnectCause, Event};
use eventsub_tokio::{AccessToken, EventSub};
use futures_util::StreamExt;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// Two million pings of 125 bytes: 262 MB of pongs, which a client without a bound queued.
const PINGS: u64 = 2_000_000;
/// What the client (and the mock, in the same process) may add to the heap during the flood.
const BOUND_BYTES: usize = 16 << 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ping_flood_that_reads_no_pongs_ends_the_socket_with_bounded_memory() {
    let mock = MockEventSub::start(MockConfig::fast())
        .await
        .expect("mock starts");
    e2e::grant_user_token(&mock);
    let builder = e2e::against(
        EventSub::builder(CLIENT_ID, AccessToken::new(USER_TOKEN)),
        &mock,
        client_config(),
    );
    let mut client = e2e::subscribed(builder).await;
    let socket = current_socket(&mock).await;
    let before = ALLOCATOR.allocated();
    assert!(mock.flood_pings(socket, PINGS));
    let reason = within(Duration::from_secs(60), "the flooded socket's end", async {
        loop {
            let event = client.events.next().await.expect("the stream goes on");
            if let Event::Disconnected {
                cause: DisconnectCause::Closed { code, reason },
                ..
            } = event
            {
                assert_eq!(code, CloseCode::ABNORMAL, "ended by the client: {reason}");
                return reason;
            }
        }
    })
    .await;
    let peak = ALLOCATOR.max_allocated().saturating_sub(before);
    println!("ended: {reason}; heap peak {peak} bytes above the start of the flood");
    assert!(reason.contains("pings"), "{reason}");
    assert!(
        peak <= BOUND_BYTES,
        "the heap grew by {peak} bytes during the flood"
    );
    // The client goes on with a fresh session.
    client.ready().await;
    e2e::finish(&mock, client).await;
}
