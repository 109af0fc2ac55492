//! Twitch EventSub over WebSocket on async-std or smol: a [`Stream`](futures_util::Stream) of typed
//! events, with keepalives, reconnects, resubscription and de-duplication handled.
//!
//! The same API as `eventsub-tokio`, and the same runtime-neutral driver: this crate only supplies
//! the runtime ([`AsyncIoRuntime`]) — async-io timers, async-net sockets with async-tungstenite
//! (TLS by futures-rustls), nothing tied to one executor. The client task runs on a thread of its
//! own driven by async-io; Helix calls (reqwest) run behind `async-compat`. Every protocol decision
//! is the core's ([`eventsub_proto`]).
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
//!     .connect()
//!     .await?;
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
//! Backpressure, logging and shutdown behave as documented in `eventsub-tokio`.

mod runtime;

pub use eventsub_tokio::{
    AccessToken, BoxFuture, Config, ConnectError, DEFAULT_EVENT_BUFFER, Event, EventStream,
    EventSubBuilder, EventSubHandle, HandleError, SubscriptionSpec, TokenProvider,
};
pub use runtime::AsyncIoRuntime;

/// Entry point: `EventSub::builder(client_id, token)`.
#[derive(Debug)]
pub struct EventSub;

impl EventSub {
    /// Starts configuring a client for `client_id` with a user access token (or a
    /// [`TokenProvider`] that can refresh one), against production Twitch by default.
    pub fn builder(
        client_id: impl Into<String>,
        token: impl TokenProvider,
    ) -> EventSubBuilder<AsyncIoRuntime> {
        EventSubBuilder::new(AsyncIoRuntime, client_id, token)
    }
}
