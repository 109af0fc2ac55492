//! The seam between the runtime-neutral driver and a runtime: a clock, timers, tasks and sockets.
//!
//! The driver (one task: drain the core's outputs, then wait on commands, sockets, connects,
//! Helix calls and the core's deadline) is written once against [`Runtime`]. `eventsub-tokio`
//! implements it for tokio; `eventsub-async-std` implements it on async-io, for async-std and smol.

use std::pin::Pin;
use std::time::Instant;

use eventsub_proto::Url;
use futures_util::{Sink, Stream};
pub use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Error as WsError, Message};

use crate::token::BoxFuture;

/// An open WebSocket: a stream of received messages and a sink for the one frame the client ever
/// sends (a close frame). Any tungstenite-based WebSocket stream is one.
pub trait WebSocket:
    Stream<Item = Result<Message, WsError>> + Sink<Message, Error = WsError> + Send
{
}

impl<T> WebSocket for T where
    T: Stream<Item = Result<Message, WsError>> + Sink<Message, Error = WsError> + Send
{
}

/// A boxed [`WebSocket`], as a runtime's [`Runtime::connect`] returns it.
pub type BoxWebSocket = Pin<Box<dyn WebSocket>>;

/// What the driver needs from an async runtime. Implement it to run the client on another one.
pub trait Runtime: Clone + Send + Sync + 'static {
    /// The current time of the runtime's clock (the core's `now`).
    fn now(&self) -> Instant;

    /// A future that completes at `deadline`.
    fn sleep_until(&self, deadline: Instant) -> BoxFuture<'static, ()>;

    /// Opens a WebSocket to `url` (TLS for `wss://`); the error is text for the user.
    fn connect(
        &self,
        url: Url,
        config: WebSocketConfig,
    ) -> BoxFuture<'static, Result<BoxWebSocket, String>>;

    /// Runs the client task in the background.
    fn spawn(&self, task: BoxFuture<'static, ()>);

    /// Gives the runtime's other tasks a turn before the client goes on: the driver yields this
    /// way while the event buffer fills, so a consumer on the same runtime can drain it. The
    /// default wakes the task at once; a runtime that can defer the wake until its other woken
    /// tasks (and a `block_on` future) have run should do that instead.
    fn yield_now(&self) -> BoxFuture<'static, ()> {
        Box::pin(futures_lite::future::yield_now())
    }

    /// Wraps a Helix call (reqwest, which needs a tokio reactor) so it can run on this runtime.
    fn helix<T: Send + 'static>(&self, call: BoxFuture<'static, T>) -> BoxFuture<'static, T> {
        call
    }
}
