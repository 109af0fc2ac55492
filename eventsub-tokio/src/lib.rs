//! Twitch EventSub over WebSocket on tokio: a [`Stream`](futures_util::Stream) of typed events,
//! with keepalives, reconnects, resubscription and de-duplication handled.
//!
//! This crate is a thin adapter around the sans-IO core [`eventsub_proto`]: it opens the sockets
//! (tokio-tungstenite, TLS by rustls), runs the timers, makes the Helix calls the core asks for
//! (over [`eventsub_helix`]) and hands you the core's [`Event`]s. Every protocol decision — when a
//! socket is dead, where to reconnect, what to resubscribe, which duplicate to drop, how long to
//! back off — is the core's.
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
//!     .connect()
//!     .await?;
//! while let Some(event) = events.next().await {
//!     match event {
//!         Event::Notification(notification) => println!("{}: {}", notification.subscription_type(), notification.event_json()),
//!         Event::Resumed { gap } => println!("back after {:?}; catch up over Helix", gap.duration()),
//!         Event::Stopped { reason } => println!("stopped: {reason:?}"),
//!         _ => {}
//!     }
//! #   break;
//! }
//! handle.shutdown().await; // close 1000 on every socket
//! # Ok(()) }
//! ```
//!
//! # How it runs
//!
//! [`EventSubBuilder::connect`] spawns one task. It drains the core's outputs, then waits in one
//! `select!` on handle commands, every live socket (two during a reconnect handover), pending
//! connects, Helix calls in flight, close handshakes, and a sleep until the core's next deadline.
//! The clock is `tokio::time::Instant`, so `#[tokio::test(start_paused = true)]` drives it.
//! The client never sends a text or binary frame (Twitch closes with 4001 if it does): the only
//! frame it sends is the close frame the core asks for; tungstenite answers pings.
//!
//! # Runtimes
//!
//! The driver is written once against the small [`Runtime`] trait (a clock, timers, a spawn and a
//! WebSocket connect). `TokioRuntime` is this crate's (feature `tokio-runtime`, on by default);
//! without that feature the crate is only the runtime-neutral driver, which `eventsub-async-std`
//! runs on async-io. [`EventSubBuilder::new`] takes any runtime.
//!
//! # Backpressure
//!
//! Events pass through a bounded buffer ([`EventSubBuilder::event_buffer`], default
//! [`DEFAULT_EVENT_BUFFER`]). The task never waits for the consumer: it keeps reading the sockets,
//! so keepalives are never missed because the application is slow, and memory stays bounded. When
//! the buffer is full, the new event is discarded and counted ([`EventStream::lagged`],
//! [`EventSubHandle::lagged`]), and as soon as there is room again the stream yields
//! [`Event::Lagged`] with the number discarded, ahead of the next event: a gap is never silent. A
//! consumer that sees it has a gap, just as after a [`Event::Disconnected`], and can catch up over
//! Helix.
//!
//! # Logging
//!
//! `tracing` spans and events for the lifecycle (connecting, open, session ready, reconnects,
//! closes with their codes, subscription calls); notifications at `debug`. The token is never
//! logged.

mod builder;
mod driver;
mod error;
mod handle;
mod helix;
pub mod runtime;
mod socket;
mod token;
#[cfg(feature = "tokio-runtime")]
mod tokio_runtime;

#[cfg(feature = "tokio-runtime")]
pub use builder::EventSub;
pub use builder::{DEFAULT_EVENT_BUFFER, EventSubBuilder};
pub use error::{ConnectError, HandleError};
pub use eventsub_proto::{Config, Event, SubscriptionSpec};
pub use handle::{EventStream, EventSubHandle};
pub use helix::request_error;
pub use runtime::Runtime;
pub use token::{AccessToken, BoxFuture, TokenProvider};
#[cfg(feature = "tokio-runtime")]
pub use tokio_runtime::TokioRuntime;
