//! The examples' stand-in for Twitch: the mock EventSub and Helix server of `eventsub-mock` on
//! 127.0.0.1, a user token it accepts, and notifications it sends in the background. Nothing here
//! is needed against real Twitch, where `EventSub::builder(client_id, token)` is all there is.

// Each example uses its own part of this module.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_ID, USER_TOKEN};
use eventsub_mock::scenario::{self, client_config};
use eventsub_mock::{Delivery, MockConfig, MockEventSub};
use eventsub_tokio::{AccessToken, EventSub, EventSubBuilder, TokioRuntime};

/// The broadcaster (and moderator) the mock's token belongs to.
pub const BROADCASTER: &str = USER_ID;

/// How long an example may run before it is declared stuck, so CI never hangs on one.
const STUCK_AFTER: Duration = Duration::from_secs(30);

/// Starts the mock with a user token of [`BROADCASTER`], and a watchdog that ends the process with
/// an error should the example get stuck.
pub async fn start() -> std::io::Result<Arc<MockEventSub>> {
    let mock = scenario::start_with_user_token(&["moderator:read:followers"]).await?;
    start_watchdog();
    Ok(Arc::new(mock))
}

/// [`start`] with Twitch's own keepalive and unused-connection window (10 s each, not the
/// fast mock's 1 s and 500 ms) and a token that reads chat: for a client that asks for hundreds
/// of subscriptions at once on a busy machine.
pub async fn start_patient() -> std::io::Result<Arc<MockEventSub>> {
    let config = MockConfig::fast()
        .with_default_keepalive_secs(10)
        .with_unused_window(Duration::from_secs(10));
    let mock = MockEventSub::start(config).await?;
    mock.helix()
        .add_user_token(USER_TOKEN, CLIENT_ID, USER_ID, &["user:read:chat"]);
    start_watchdog();
    Ok(Arc::new(mock))
}

/// Ends the process with an error should the example get stuck.
fn start_watchdog() {
    std::thread::spawn(|| {
        std::thread::sleep(STUCK_AFTER);
        eprintln!("the example did not finish within {STUCK_AFTER:?}");
        std::process::exit(1);
    });
}

/// The mock sends one notification for every live subscription of `kind`; how many it sent.
pub fn notify_every(mock: &MockEventSub, kind: &str) -> usize {
    mock.notify(kind, Delivery::Once).len()
}

/// A client builder pointed at the mock (against Twitch: `EventSub::builder(client_id, token)`).
pub fn client(mock: &MockEventSub) -> EventSubBuilder<TokioRuntime> {
    EventSub::builder(CLIENT_ID, AccessToken::new(USER_TOKEN))
        .config(client_config()) // short timeouts; follows the mock's ws:// reconnect URLs
        .eventsub_url(mock.ws_url())
        .helix_url(mock.helix_url())
}

/// In the background: as soon as a subscription of `kind` is live, the mock sends `count` of its
/// notifications, a little apart, as Twitch would.
pub fn send_in_background(mock: &Arc<MockEventSub>, kind: &'static str, count: usize) {
    let mock = mock.clone();
    tokio::spawn(async move {
        let mut sent = 0;
        while sent < count {
            // Empty until the subscription exists on a live session.
            if !mock.notify(kind, Delivery::Once).is_empty() {
                sent += 1;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
}
