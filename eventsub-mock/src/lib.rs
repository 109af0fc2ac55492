//! A mock Twitch EventSub server and mock Helix API on 127.0.0.1, for testing an app that receives
//! EventSub events without a Twitch account or a network.
//!
//! [`MockEventSub`] serves the EventSub WebSocket at `/ws` and the Helix endpoints the client calls
//! (`/helix/eventsub/...`) on one port, over real sockets, beside an OAuth server
//! (`/oauth2/validate`, `/oauth2/token`, `/oauth2/device`, `/oauth2/revoke`) whose tokens expire
//! when a test says ([`helix::MockState::token_lifetime`]); with the `twitch_oauth2` feature,
//! `MockEventSub::oauth2_client` runs twitch_oauth2's flows against it. It behaves like
//! Twitch: a welcome on connect, keepalives, close 4003 when a fresh session gets no subscription in
//! time, 4001 on any frame from the client, `session_reconnect` handovers, revocations, any close
//! code. It injects faults on demand (TCP drops, silence, delays, duplicates, bad frames, reconnect
//! storms, a flood that never reads the client's close frame; Helix
//! 429s, 5xx and slow answers: [`helix::Fault`]) and records every frame it sent and received
//! ([`Records`]), so a test can prove what was lost or duplicated. [`helix::MockHelix`] is the
//! Helix half alone.
//!
//! [`replay::MockReplay`] plays a recorded session back to a real client: see
//! [Replaying a recorded session](#replaying-a-recorded-session).
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
//!     let event = events.next().await.expect("the client runs until shut down"); // ok: a doc-test; the client runs until shut down below
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

//!
//! # Conduits
//!
//! The Helix side creates, resizes, deletes and lists conduits with Twitch's limits (5 per client
//! id, answered 429; 1 to 20,000 shards, answered 400), and Update Conduit Shards answers each
//! shard on its own, refused ones under `errors` with the messages of Twitch's reference
//! ([`helix::MockState::refuse_next_shard_update`] makes one shard fail on demand). A notification
//! of a subscription with the conduit transport goes to one enabled shard, taking turns; when that
//! shard fails to take it (its session is gone or closing, or [`ShardFault::RefuseDelivery`]), or
//! its socket ends before sending it, it is retried once on another shard, as Twitch does; what no
//! shard took is in [`MockEventSub::unrouted`]. [`Routed::shard`] says which shard took it. A
//! shard whose session ends is disabled with the status Twitch gives that ending (close 4005:
//! `websocket_network_timeout`, a client leaving: `websocket_disconnected`, …) and a
//! `disconnected_at`, and the subscribers of `conduit.shard.disabled` are told.
//! [`MockEventSub::fault_shard`] closes, drops or silences one shard's session. A session
//! assigned to a shard counts as used (no 4003).
//!
//! ```
//! # #[cfg(feature = "helix-client")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use eventsub_helix::TransportRequest;
//! use eventsub_mock::{Delivery, MockConfig, MockEventSub};
//! use eventsub_proto::SubscriptionSpec;
//!
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! let mock = MockEventSub::start(MockConfig::fast()).await?;
//! mock.helix().add_app_token("app-token", "client-id");
//! let helix = mock.helix_client("client-id", "app-token");
//! let conduit = helix.create_conduit(2).await?;
//! let online = SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "1234");
//! helix.create_subscription(&online, &TransportRequest::conduit(conduit.id.clone())).await?;
//!
//! // No shard is assigned to a session yet: Twitch drops the notification, the mock counts it.
//! assert!(mock.notify_routed("stream.online", Delivery::Once).is_empty());
//! assert_eq!(mock.unrouted().len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })
//! # }
//! # #[cfg(not(feature = "helix-client"))]
//! # fn main() {}
//! ```
//!
//! # Replaying a recorded session
//!
//! A session recorded by the client (`.record_to(..)` or `.record_to_file(..)` on its builder; the
//! format is `eventsub_proto::recording`) can be played back to your real app over real sockets:
//! [`replay::MockReplay`] hands the first connecting WebSocket what the recorded client's first
//! connection received, the second the second, each at its recorded offset from its opening
//! divided by [`replay::ReplayOptions::speed`], and then acts out how that connection ended (the
//! recorded close code, an abrupt TCP drop, or waiting for the client with keepalives meanwhile).
//! `session_reconnect` URLs point at the replay; `message_timestamp`s move with the clock so old
//! frames are not dropped as stale. Helix is the mock's, on the same port: register the token your
//! app uses.
//!
//! ```
//! use std::time::Duration;
//! use eventsub_mock::replay::{MockReplay, ReplayOptions};
//! use eventsub_proto::recording::Recording;
//! use eventsub_tokio::{AccessToken, Event, EventSub, SubscriptionSpec};
//! use futures_util::StreamExt;
//!
//! // A recording of one connection: a welcome and a notification, 50 ms apart.
//! let welcome = r#"{"metadata":{"message_id":"0b1e5d6a-0000-4000-8000-000000000001","message_type":"session_welcome","message_timestamp":"2025-06-01T12:00:00Z"},"payload":{"session":{"id":"AQoQrecorded","status":"connected","keepalive_timeout_seconds":10,"reconnect_url":null,"connected_at":"2025-06-01T12:00:00Z"}}}"#;
//! let notification = r#"{"metadata":{"message_id":"0b1e5d6a-0000-4000-8000-000000000002","message_type":"notification","message_timestamp":"2025-06-01T12:00:00.05Z","subscription_type":"stream.online","subscription_version":"1"},"payload":{"subscription":{"id":"sub","status":"enabled","type":"stream.online","version":"1","cost":0,"condition":{"broadcaster_user_id":"1234"},"transport":{"method":"websocket","session_id":"AQoQrecorded"},"created_at":"2025-06-01T12:00:00Z"},"event":{"id":"1","broadcaster_user_id":"1234","broadcaster_user_login":"streamer","broadcaster_user_name":"Streamer","type":"live","started_at":"2025-06-01T12:00:00Z"}}}"#;
//! let text = [
//!     r#"{"format":"eventsub-recording","version":1,"started_at":"2025-06-01T12:00:00Z","seed":7,"timeouts":true}"#.to_owned(),
//!     r#"{"at_ns":0,"wall":"2025-06-01T12:00:00Z","kind":"connect","conn":1,"url":"wss://eventsub.wss.twitch.tv/ws"}"#.to_owned(),
//!     r#"{"at_ns":1000000,"wall":"2025-06-01T12:00:00.001Z","kind":"opened","conn":1}"#.to_owned(),
//!     format!(r#"{{"at_ns":2000000,"wall":"2025-06-01T12:00:00.002Z","kind":"text","conn":1,"text":{}}}"#, serde_json::to_string(welcome)?),
//!     format!(r#"{{"at_ns":52000000,"wall":"2025-06-01T12:00:00.052Z","kind":"text","conn":1,"text":{}}}"#, serde_json::to_string(notification)?),
//! ]
//! .join("\n");
//! let recording = Recording::parse(&text)?;
//!
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! let replay = MockReplay::start(&recording, ReplayOptions::speed(5.0)).await?;
//! replay.helix().add_user_token("token", "client-id", "1234", &[]);
//! // A client with nothing to subscribe would stay idle, holding no socket.
//! let online = SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "1234");
//! let (handle, mut events) = EventSub::builder("client-id", AccessToken::new("token"))
//!     .eventsub_url(replay.ws_url())
//!     .helix_url(replay.helix_url())
//!     .subscribe(online)
//!     .connect()?;
//! let notification = loop {
//!     match events.next().await {
//!         Some(Event::Notification(notification)) => break notification,
//!         Some(_) => continue,
//!         None => panic!("the client stopped"),
//!     }
//! };
//! assert_eq!(notification.message_id().to_string(), "0b1e5d6a-0000-4000-8000-000000000002");
//! handle.shutdown().await;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod frames;
pub mod helix;
#[cfg(feature = "twitch_oauth2")]
pub mod oauth2_client;
pub mod replay;
mod ws;

pub use ws::{
    BadFrame, Blast, Delivery, Ended, FLOOD_NOTIFICATIONS, Happened, MockConfig, MockEventSub,
    Received, Record, Records, Routed, SHARD_DISABLED, SentFrame, ShardDelivery, ShardFault,
    SocketId, SocketInfo, WorldHandle, message_number, message_number_of, payloads, scenario,
    wait_until, within,
};
