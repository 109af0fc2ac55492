//! Twitch EventSub over WebSocket on tokio: a [`Stream`](futures_util::Stream) of typed events,
//! with keepalives, reconnects, resubscription and de-duplication handled.
//!
//! This crate is a thin binding: a [`Runtime`] for tokio ([`TokioRuntime`]: tokio's clock, timers
//! and tasks, sockets by tokio-tungstenite) and the API of the runtime-neutral driver
//! (`eventsub-driver`), which opens the sockets, runs the timers and makes the Helix calls the
//! sans-IO core ([`proto`]) asks for. Every protocol decision — when a socket is dead, where to
//! reconnect, what to resubscribe, which duplicate to drop, how long to back off — is the core's.
//!
//! # Example
//!
//! ```no_run
//! use eventsub_tokio::{AccessToken, Event, EventSub, SubscriptionSpec};
//! use futures_util::StreamExt;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let (handle, mut events) = EventSub::builder("my-client-id", AccessToken::new("user-access-token"))
//!     .subscribe(SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "12826"))
//!     .connect()?;
//! while let Some(event) = events.next().await {
//!     match event {
//!         Event::Notification(notification) => println!("{}: {}", notification.subscription_type(), notification.event_json()),
//!         // The real outage on Twitch's clock; catch up over Helix for what happened in it.
//!         Event::Resumed { gap } => println!(
//!             "missed up to {:?}: catch up over Helix from {:?} to {:?}",
//!             gap.duration(), gap.from, gap.until,
//!         ),
//!         Event::Stopped { reason } => println!("stopped: {reason:?}"),
//!         _ => {}
//!     }
//! #   break;
//! }
//! handle.shutdown().await; // close 1000 on every socket
//! # Ok(()) }
//! ```
//!
//! # Typed events
//!
//! [`EventStream::typed`] receives the events of one subscription kind (a marker of [`kinds`])
//! decoded once each, and still yields everything else ([`Typed::Lifecycle`] for the session,
//! gaps and the stop; see [`TypedStream`] for what to do about gaps). A follow bot:
//!
//! ```no_run
//! use eventsub_tokio::kinds::ChannelFollowV2;
//! use eventsub_tokio::{AccessToken, BroadcasterId, EventSub, ModeratorId, SubscriptionSpec};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let spec = SubscriptionSpec::channel_follow_v2(BroadcasterId::new("12826"), ModeratorId::new("12826"));
//! let (_handle, events) = EventSub::builder("my-client-id", AccessToken::new("user-access-token"))
//!     .subscribe(spec)
//!     .connect()?;
//! let mut follows = events.typed::<ChannelFollowV2>();
//! while let Some(follow) = follows.next_event(|other| eprintln!("{other:?}")).await {
//!     println!("Thanks for the follow, {}!", follow.event().user_name);
//! }
//! # Ok(()) }
//! ```
//!
//! # Examples
//!
//! Runnable against the embedded mock server (no Twitch account), each ending on its own:
//! `quick_start` (the untyped stream), `typed_follow` (the follow bot),
//! `runtime_subscriptions` (adding and removing subscriptions through the handle) and
//! `session_pool` (chat in 750 channels over three sessions, then 900, the 901st refused), as in
//! `cargo run -p eventsub-tokio --example typed_follow`; and with the `twitch_oauth2` feature,
//! `device_code` (a user token by the device code flow, kept fresh by `UserTokenProvider`).
//!
//! # Catch-up after a gap
//!
//! Twitch does not replay what it sent during a gap. With
//! [`EventSubBuilder::catch_up`]`(`[`CatchUpConfig::default()`](CatchUpConfig)`)` the client asks
//! Helix, after each [`Event::Resumed`], what the subscriptions missed: each missed event that a
//! Helix read can tell arrives as [`Event::Recovered`] (never one that was delivered), then one
//! [`Event::CatchUp`] report per gap says per subscription how many were recovered, why nothing
//! could be ([`Unrecoverable`]: no Helix read, a missing scope, …), or how the read failed. As
//! documented in `eventsub-driver`.
//!
//! # More than 300 subscriptions
//!
//! Twitch allows a user token 3 WebSocket sessions of 300 subscriptions each. With
//! [`EventSubBuilder::max_sessions`]`(3)` one client holds up to three: a second or third session
//! is opened only when the others are full, the 901st subscription is refused with
//! [`SubscribeError::SessionsFull`](proto::SubscribeError::SessionsFull), each session has its
//! own reconnects and gaps, and every event says its session
//! ([`ConnId::session_index`](proto::ConnId::session_index), [`Gap::session`](proto::Gap::session)).
//! As documented in `eventsub-driver`.
//!
//! # Virtual time
//!
//! The clock is `tokio::time::Instant`, so `#[tokio::test(start_paused = true)]` drives the
//! client's keepalive watchdog, backoff and deadlines on virtual time.
//!
//! # Backpressure and logging
//!
//! As documented in `eventsub-driver`: events pass through a bounded buffer
//! ([`EventSubBuilder::event_buffer`]); what happens when it is full is the [`Overflow`] policy
//! ([`EventSubBuilder::overflow`]). By default ([`Overflow::Backpressure`]) the client stops
//! reading its sockets until there is room, so a burst waits in the kernel's buffers and nothing is
//! lost; [`Overflow::DiscardWithLagged`] keeps reading and reports what it discarded as
//! [`Event::Lagged`]. Lifecycle events are never discarded. `tracing` logs the lifecycle; the
//! token is never logged.
//!
//! # TLS
//!
//! Cargo features choose it, one choice for the WebSocket (tokio-tungstenite) and Helix (reqwest):
//!
//! | feature         | TLS                                                           | default |
//! |-----------------|---------------------------------------------------------------|---------|
//! | `rustls-ring`   | rustls, ring provider (builds with `cc` only)                 | yes     |
//! | `rustls-aws-lc` | rustls, aws-lc-rs provider                                    |         |
//! | `native-tls`    | the platform's TLS (OpenSSL: libssl-dev, pkg-config on Linux) |         |
//! | `native-roots`  | rustls trusts the platform's root certificates                | yes     |
//! | `webpki-roots`  | rustls trusts Mozilla's roots, compiled in                    |         |
//!
//! Several at once never panic; the [`tls`] module says which wins. Without any, `ws://` (such as
//! the mock server) still works and `wss://` fails with an error naming the features.

mod tokio_runtime;

// The driver's whole API, so both adapters offer the same one by construction.
pub use eventsub_driver::runtime::{BoxWebSocket, WebSocket, WebSocketConfig};
pub use eventsub_driver::*;
pub use tokio_runtime::TokioRuntime;

/// Entry point: `EventSub::builder(client_id, token)` starts configuring a client on tokio.
pub type EventSub = eventsub_driver::EventSub<TokioRuntime>;
