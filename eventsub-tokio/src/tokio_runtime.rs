//! [`Runtime`] on tokio: tokio's clock (so paused-time tests drive the client), timers and tasks,
//! and sockets by tokio-tungstenite with rustls.

use std::time::Instant;

use eventsub_driver::BoxFuture;
use eventsub_driver::proto::Url;
use eventsub_driver::runtime::{BoxWebSocket, Runtime, WebSocketConfig};
use futures_util::FutureExt;

/// The tokio runtime of the current context.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioRuntime;

impl Runtime for TokioRuntime {
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }

    fn sleep_until(&self, deadline: Instant) -> BoxFuture<'static, ()> {
        tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)).boxed()
    }

    fn yield_now(&self) -> BoxFuture<'static, ()> {
        // tokio's own yield defers the wake past the runtime's next I/O poll, so the task that
        // `block_on` runs (often the consumer) gets its turn too, not only spawned tasks.
        tokio::task::yield_now().boxed()
    }

    fn connect(
        &self,
        url: Url,
        config: WebSocketConfig,
    ) -> BoxFuture<'static, Result<BoxWebSocket, String>> {
        async move {
            let (ws, _response) = tokio_tungstenite::connect_async_tls_with_config(
                url.as_str(),
                Some(config),
                true,
                None,
            )
            .await
            .map_err(|error| error.to_string())?;
            Ok(Box::pin(ws) as BoxWebSocket)
        }
        .boxed()
    }

    fn spawn(&self, task: BoxFuture<'static, ()>) {
        tokio::spawn(task);
    }
}
