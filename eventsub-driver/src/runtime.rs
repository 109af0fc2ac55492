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

    /// Runs the client task in the background, like [`Runtime::spawn`], and returns a future that
    /// completes once the task has ended (finished, panicked, or dropped by its runtime) and
    /// everything the runtime started to run it is gone: [`EventSubHandle::finished`] and
    /// [`EventSubHandle::shutdown`] wait for it, so nothing of the client outlives them.
    ///
    /// The default runs the task through [`Runtime::spawn`] with [`track_end`], which is right for
    /// a runtime that runs tasks on threads it keeps anyway. A runtime that starts something for
    /// the task (a thread of its own, say) overrides it to wait for that too, as `eventsub-async-std`
    /// does: [`track_end`] then its thread's join.
    ///
    /// [`EventSubHandle::finished`]: crate::EventSubHandle::finished
    /// [`EventSubHandle::shutdown`]: crate::EventSubHandle::shutdown
    fn spawn_joinable(&self, task: BoxFuture<'static, ()>) -> BoxFuture<'static, ()> {
        let (task, ended) = track_end(task);
        self.spawn(task);
        ended
    }

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

/// Wraps `task` so that the second future returned completes once the first has ended: run to
/// completion, or been dropped (a panic unwinding through it, a runtime shutting down). The
/// building block of [`Runtime::spawn_joinable`]: spawn the first, hand back the second (after
/// waiting for whatever else the runtime started for the task).
///
/// ```
/// use eventsub_driver::runtime::track_end;
///
/// let (task, ended) = track_end(Box::pin(async { /* the client's work */ }));
/// let thread = std::thread::spawn(move || futures_lite::future::block_on(task));
/// futures_lite::future::block_on(ended); // the task is done (its thread may still be exiting)
/// thread.join().expect("the task did not panic"); // ok: a doc example; a task that panicked has nothing left to join
/// ```
pub fn track_end(task: BoxFuture<'static, ()>) -> (BoxFuture<'static, ()>, BoxFuture<'static, ()>) {
    let (alive, end) = tokio::sync::oneshot::channel::<()>();
    let tracked = async move {
        // Declared before the task's future exists, so it is dropped after it: whether the task
        // completes or is dropped half way, the end is reported only once the task is gone.
        let _alive = alive;
        task.await;
    };
    let ended = async move {
        // Nothing is ever sent: the sender's drop is the signal.
        let _ = end.await;
    };
    (Box::pin(tracked), Box::pin(ended))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use futures_lite::future;

    use super::*;

    /// Sets its flag when dropped.
    struct DropFlag(Arc<AtomicBool>);

    impl Drop for DropFlag {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    #[test]
    fn the_end_of_a_task_is_reported_once_its_future_is_gone() {
        let dropped = Arc::new(AtomicBool::new(false));
        let flag = DropFlag(dropped.clone());
        let (task, ended) = track_end(Box::pin(async move {
            let _flag = flag;
        }));
        let mut ended = ended;
        assert!(future::block_on(future::poll_once(&mut ended)).is_none());
        future::block_on(task);
        future::block_on(ended);
        assert!(dropped.load(Ordering::SeqCst));
    }

    #[test]
    fn a_task_dropped_before_it_completes_is_reported_ended_too() {
        let dropped = Arc::new(AtomicBool::new(false));
        let flag = DropFlag(dropped.clone());
        let (task, ended) = track_end(Box::pin(async move {
            let _flag = flag;
            std::future::pending::<()>().await;
        }));
        let mut task = task;
        // Started, then dropped half way, as a runtime shutting down does.
        assert!(future::block_on(future::poll_once(&mut task)).is_none());
        drop(task);
        future::block_on(ended);
        assert!(dropped.load(Ordering::SeqCst));
    }
}
