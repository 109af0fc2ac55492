//! [`Runtime`] on async-io: its timers, async-net sockets (async-tungstenite with futures-rustls
//! for `wss://`), the client task on a thread of its own, and Helix calls (reqwest, which needs a
//! tokio reactor) behind `async-compat`.

use std::time::Instant;

use eventsub_driver::BoxFuture;
use eventsub_driver::proto::Url;
use eventsub_driver::runtime::{BoxWebSocket, Runtime, WebSocketConfig};
use futures_util::FutureExt;

/// The runtime of this crate: works under async-std, smol, or no executor at all.
#[derive(Clone, Copy, Debug, Default)]
pub struct AsyncIoRuntime;

impl Runtime for AsyncIoRuntime {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep_until(&self, deadline: Instant) -> BoxFuture<'static, ()> {
        async move {
            async_io::Timer::at(deadline).await;
        }
        .boxed()
    }

    fn connect(
        &self,
        url: Url,
        config: WebSocketConfig,
    ) -> BoxFuture<'static, Result<BoxWebSocket, String>> {
        async move {
            let (ws, _response) =
                async_tungstenite::smol::connect_async_with_config(url.as_str(), Some(config))
                    .await
                    .map_err(|error| error.to_string())?;
            Ok(Box::pin(ws) as BoxWebSocket)
        }
        .boxed()
    }

    fn spawn(&self, task: BoxFuture<'static, ()>) {
        // A thread of its own, driven by async-io: no executor is assumed, so the same client runs
        // under async-std, smol or a plain `block_on`.
        let spawned = std::thread::Builder::new()
            .name("eventsub".to_owned())
            .spawn(move || async_io::block_on(task));
        if let Err(error) = spawned {
            // The task (and with it the event stream's sender) is gone: the stream ends at once.
            tracing::error!(%error, "could not start the EventSub client thread");
        }
    }

    fn helix<T: Send + 'static>(&self, call: BoxFuture<'static, T>) -> BoxFuture<'static, T> {
        async_compat::Compat::new(call).boxed()
    }
}
