//! Twitch EventSub over WebSocket on async-std or smol: a [`Stream`](futures_util::Stream) of typed
//! events, with keepalives, reconnects, resubscription and de-duplication handled.
//!
//! The same API as `eventsub-tokio`, because both are thin bindings of the same runtime-neutral
//! driver (`eventsub-driver`): this crate only supplies the runtime ([`AsyncIoRuntime`]) —
//! async-io timers, async-net sockets with async-tungstenite (TLS by futures-rustls), nothing tied
//! to one executor. The client task runs on a thread of its own driven by async-io
//! ([`CLIENT_THREAD_NAME`]), which has exited once [`EventSubHandle::finished`] (or
//! [`EventSubHandle::shutdown`]) returns; Helix calls (reqwest) run behind `async-compat`, whose
//! one tokio thread is the process's, shared by every client, and stays. Every protocol decision is
//! the core's ([`proto`]).
//!
//! # Example
//!
//! ```no_run
//! use eventsub_async_std::{AccessToken, Event, EventSub, SubscriptionSpec};
//! use futures_util::StreamExt;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let (handle, mut events) = EventSub::builder("my-client-id", AccessToken::new("user-access-token"))
//!     .subscribe(SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "12826"))
//!     .connect()?;
//! while let Some(event) = events.next().await {
//!     if let Event::Notification(notification) = event {
//!         println!("{}: {}", notification.subscription_type(), notification.event_json());
//!     }
//! #   break;
//! }
//! handle.shutdown().await;
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
//! use eventsub_async_std::kinds::ChannelFollowV2;
//! use eventsub_async_std::{AccessToken, BroadcasterId, EventSub, ModeratorId, SubscriptionSpec};
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
//! `async_std_quick_start` (the untyped stream), `async_std_typed_follow` (the follow bot) and
//! `async_std_runtime_subscriptions` (adding and removing subscriptions through the handle), as in
//! `cargo run -p eventsub-async-std --example async_std_typed_follow`.
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
//! # Backpressure and logging
//!
//! Backpressure, logging and shutdown behave as documented in `eventsub-driver`: by default
//! ([`Overflow::Backpressure`]) the client stops reading its sockets while the event buffer is
//! full, so nothing is lost; [`EventSubBuilder::overflow`] with [`Overflow::DiscardWithLagged`]
//! discards notifications instead and reports them as [`Event::Lagged`]. Lifecycle events are
//! never discarded.
//!
//! # TLS
//!
//! Cargo features choose it, one choice for the WebSocket (async-tungstenite) and Helix (reqwest):
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

mod async_io_runtime;

// The driver's whole API, so both adapters offer the same one by construction.
pub use async_io_runtime::{AsyncIoRuntime, CLIENT_THREAD_NAME};
pub use eventsub_driver::runtime::{BoxWebSocket, WebSocket, WebSocketConfig};
pub use eventsub_driver::*;

/// Entry point: `EventSub::builder(client_id, token)` starts configuring a client on async-io.
pub type EventSub = eventsub_driver::EventSub<AsyncIoRuntime>;
