//! A tokio client under load, shared by the `loopback` bench and the `idle_rss` example: connect
//! to the mock with one `channel.chat.message` subscription, wait until it exists, then count what
//! the event stream delivers, on the client's thread or on one of its own.
#![allow(dead_code)] // each user takes its own part

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_ID, USER_TOKEN};
use eventsub_mock::scenario::client_config;
use eventsub_mock::{MockConfig, MockEventSub};
use eventsub_proto::Event;
use eventsub_tests::measure::spawn_on_own_runtime;
use eventsub_tokio::{EventStream, EventSubHandle};
use futures_util::StreamExt;

pub use eventsub_tests::chat_load::{KIND, connect_subscribed_with};

/// What the client delivered so far.
#[derive(Debug, Default)]
pub struct Tally {
    notifications: AtomicU64,
    /// Events the client discarded because the stream was not read in time (`Event::Lagged`).
    lagged: AtomicU64,
}

impl Tally {
    /// Notifications delivered.
    pub fn notifications(&self) -> u64 {
        self.notifications.load(Ordering::Relaxed)
    }

    /// Events discarded for a full stream buffer.
    pub fn lagged(&self) -> u64 {
        self.lagged.load(Ordering::Relaxed)
    }

    /// Every notification the client is done with, delivered or discarded.
    pub fn settled(&self) -> u64 {
        self.notifications() + self.lagged()
    }

    /// Waits until `target` notifications are settled; false after `timeout`. Sleeps between
    /// looks, so the waiting thread takes no CPU from the client.
    pub fn wait_for(&self, target: u64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.settled() < target {
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_micros(100));
        }
        true
    }
}

/// A tokio client of the mock at `ws_url`/`helix_url` (fixture token), subscribed to [`KIND`] on
/// [`USER_ID`]'s channel, once the subscription exists. Must run inside a tokio runtime.
pub async fn connect_subscribed(ws_url: &str, helix_url: &str) -> (EventSubHandle, EventStream) {
    connect_subscribed_with(ws_url, helix_url, client_config()).await
}

/// The mock on a runtime of its own (one worker), with the fixture token allowed to read chat.
pub fn start_mock() -> (tokio::runtime::Runtime, MockEventSub) {
    let mock_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("mock runtime");
    let mock = start_mock_on(&mock_runtime);
    (mock_runtime, mock)
}

/// The mock on `runtime`, with the fixture token allowed to read chat.
pub fn start_mock_on(runtime: &tokio::runtime::Runtime) -> MockEventSub {
    let mock = runtime
        .block_on(MockEventSub::start(MockConfig::default()))
        .expect("mock starts");
    mock.helix()
        .add_user_token(USER_TOKEN, CLIENT_ID, USER_ID, &["user:read:chat"]);
    mock
}

/// Counts the stream's notifications and lag into `tally` until it ends.
pub async fn tally_events(mut events: EventStream, tally: Arc<Tally>) {
    while let Some(event) = events.next().await {
        match event {
            Event::Notification(_) => {
                tally.notifications.fetch_add(1, Ordering::Relaxed);
            }
            Event::Lagged { missed, .. } => {
                tally.lagged.fetch_add(missed, Ordering::Relaxed);
            }
            _ => {}
        }
    }
}

/// Runs [`tally_events`] on a thread of its own (with a runtime of its own), so the client's
/// thread does nothing but drive the client. Returns the thread and its kernel id.
pub fn tally_on_own_thread(events: EventStream, tally: Arc<Tally>) -> (JoinHandle<()>, u32) {
    spawn_on_own_runtime("consumer", tally_events(events, tally))
}
