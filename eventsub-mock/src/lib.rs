//! A mock Twitch EventSub server and mock Helix API on 127.0.0.1, for testing an app that receives
//! EventSub events without a Twitch account or a network.
//!
//! [`MockEventSub`] serves the EventSub WebSocket at `/ws` and the Helix endpoints the client calls
//! (`/helix/eventsub/...`, `/oauth2/validate`) on one port, over real sockets. It behaves like
//! Twitch: a welcome on connect, keepalives, close 4003 when a fresh session gets no subscription in
//! time, 4001 on any frame from the client, `session_reconnect` handovers, revocations, any close
//! code. It injects faults on demand (TCP drops, silence, delays, duplicates, bad frames; Helix
//! 429s, 5xx and slow answers: [`helix::Fault`]) and records every frame it sent and received
//! ([`Records`]), so a test can prove what was lost or duplicated. [`helix::MockHelix`] is the
//! Helix half alone.
//!
//! Add it as a dev-dependency beside the adapter your app uses:
//!
//! ```toml
//! [dev-dependencies]
//! eventsub-mock = "0.1"
//! ```
//!
//! `cargo run -p eventsub-mock --bin mock-eventsub` runs it standalone, with commands on stdin.
//!
//! # Example: test an app's handler
//!
//! The app greets new followers; the test runs the real client against the mock, makes the mock
//! send a `channel.follow` notification, and checks what the handler made of it.
//!
//! ```
//! use eventsub_mock::{Delivery, MockConfig, MockEventSub, scenario::client_config};
//! use eventsub_tokio::proto::events::EventData;
//! use eventsub_tokio::{AccessToken, Event, EventSub, SubscriptionSpec};
//! use futures_util::StreamExt;
//!
//! // The app's code under test.
//! fn greeting(event: &Event) -> Option<String> {
//!     let Event::Notification(notification) = event else { return None };
//!     let EventData::ChannelFollowV2(follow) = notification.typed().ok()? else { return None };
//!     Some(format!("Welcome, {}!", follow.user_name))
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! let mock = MockEventSub::start(MockConfig::fast()).await?;
//! mock.helix().add_user_token("token", "client-id", "1234", &["moderator:read:followers"]);
//!
//! let follows = SubscriptionSpec::new("channel.follow", "2")
//!     .with_condition("broadcaster_user_id", "1234")
//!     .with_condition("moderator_user_id", "1234");
//! let (handle, mut events) = EventSub::builder("client-id", AccessToken::new("token"))
//!     .config(client_config()) // follows the mock's ws:// reconnect URLs; short timeouts
//!     .eventsub_url(mock.ws_url())
//!     .helix_url(mock.helix_url())
//!     .subscribe(follows)
//!     .connect()?;
//!
//! // Once the subscription exists on the mock, make it send a follow.
//! assert!(mock.wait_for(std::time::Duration::from_secs(5), |mock| mock.live_subscriptions() == 1).await);
//! let sent = mock.notify("channel.follow", Delivery::Once);
//! assert_eq!(sent.len(), 1);
//!
//! let greeted = loop {
//!     let event = events.next().await.expect("the client runs until shut down");
//!     if let Some(text) = greeting(&event) {
//!         break text;
//!     }
//! };
//! assert!(greeted.starts_with("Welcome, User"), "{greeted}");
//!
//! handle.shutdown().await;
//! // What went over the wire: the client never sent a data frame to the server.
//! assert!(mock.records().client_data_frames().is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })
//! # }
//! ```

pub mod frames;
pub mod helix;
pub mod replay;
mod ws;

pub use ws::{
    BadFrame, Blast, Delivery, Ended, MockConfig, MockEventSub, Received, Record, Records, Routed,
    SentFrame, SocketId, SocketInfo, message_number, payloads, scenario, wait_until, within,
};
