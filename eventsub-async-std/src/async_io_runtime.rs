//! [`Runtime`] on async-io: its timers, async-net sockets (async-tungstenite, with futures-rustls
//! or async-native-tls for `wss://` as the features choose), the client task on a thread of its
//! own, and Helix calls (reqwest, which needs a tokio reactor) behind `async-compat`.

use std::time::Instant;

use async_tungstenite::WebSocketStream;
use async_tungstenite::smol::ConnectStream;
use eventsub_driver::proto::Url;
use eventsub_driver::runtime::{BoxWebSocket, Runtime, WebSocketConfig, track_end};
use eventsub_driver::{BoxFuture, tls};
use futures_util::FutureExt;

/// The name of the thread each client runs on (one per client, gone once
/// [`EventSubHandle::finished`](eventsub_driver::EventSubHandle::finished) returns).
pub const CLIENT_THREAD_NAME: &str = "eventsub";

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
            let ws = open_websocket(&url, config).await?;
            Ok(Box::pin(ws) as BoxWebSocket)
        }
        .boxed()
    }

    fn spawn(&self, task: BoxFuture<'static, ()>) {
        // The thread runs on, detached: nobody waits for it.
        drop(self.spawn_joinable(task));
    }

    fn spawn_joinable(&self, task: BoxFuture<'static, ()>) -> BoxFuture<'static, ()> {
        let (task, ended) = track_end(task);
        // A thread of its own, driven by async-io: no executor is assumed, so the same client runs
        // under async-std, smol or a plain `block_on`.
        let spawned = std::thread::Builder::new()
            .name(CLIENT_THREAD_NAME.to_owned())
            .spawn(move || async_io::block_on(task));
        match spawned {
            Ok(thread) => async move {
                ended.await;
                // The task is gone, so the thread is past its last line: what is left is its exit
                // (thread-locals' destructors), which the join waits for. That is a blocking
                // call, but only for those few microseconds.
                if thread.join().is_err() {
                    tracing::error!("the EventSub client thread panicked");
                }
            }
            .boxed(),
            Err(error) => {
                // The task (and with it the event stream's sender) is gone: the stream ends at once.
                tracing::error!(%error, "could not start the EventSub client thread");
                ended
            }
        }
    }

    fn helix<T: Send + 'static>(&self, call: BoxFuture<'static, T>) -> BoxFuture<'static, T> {
        async_compat::Compat::new(call).boxed()
    }
}

/// Opens a WebSocket, with the TLS the features choose for `wss://` ([`tls_connector`]).
async fn open_websocket(
    url: &Url,
    config: WebSocketConfig,
) -> Result<WebSocketStream<ConnectStream>, String> {
    #[cfg(any(
        feature = "native-tls",
        feature = "rustls-ring",
        feature = "rustls-aws-lc"
    ))]
    let opened = {
        let connector = if url.scheme() == "wss" {
            tls_connector().map_err(|error| error.to_string())?
        } else {
            None
        };
        async_tungstenite::smol::connect_async_with_tls_connector_and_config(
            url.as_str(),
            connector,
            Some(config),
        )
        .await
    };
    #[cfg(not(any(
        feature = "native-tls",
        feature = "rustls-ring",
        feature = "rustls-aws-lc"
    )))]
    let opened = {
        tls::require_tls_for(url.as_str()).map_err(|error| error.to_string())?;
        async_tungstenite::smol::connect_async_with_config(url.as_str(), Some(config)).await
    };
    let (ws, _response) = opened.map_err(|error| error.to_string())?;
    Ok(ws)
}

/// The `wss://` connector of the platform's TLS: async-tungstenite makes it (and, like
/// eventsub-helix, prefers native-tls when rustls is compiled in too). Generic so as not to name
/// async-native-tls's type, which async-tungstenite does not re-export.
#[cfg(feature = "native-tls")]
fn tls_connector<Connector>() -> Result<Option<Connector>, tls::TlsError> {
    Ok(None)
}

/// The `wss://` connector of rustls: the config Helix uses too, provider and roots chosen by the
/// features (never rustls's process-wide default provider, which panics with two compiled in).
#[cfg(all(
    not(feature = "native-tls"),
    any(feature = "rustls-ring", feature = "rustls-aws-lc")
))]
fn tls_connector() -> Result<Option<futures_rustls::TlsConnector>, tls::TlsError> {
    Ok(Some(futures_rustls::TlsConnector::from(
        tls::rustls_config()?,
    )))
}

#[cfg(all(
    test,
    not(feature = "native-tls"),
    any(feature = "rustls-ring", feature = "rustls-aws-lc")
))]
mod tests {
    use super::*;

    #[test]
    fn a_rustls_build_hands_async_tungstenite_a_connector() -> Result<(), tls::TlsError> {
        assert!(tls_connector()?.is_some());
        Ok(())
    }
}
