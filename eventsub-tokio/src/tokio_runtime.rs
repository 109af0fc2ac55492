//! [`Runtime`] on tokio: tokio's clock (so paused-time tests drive the client), timers and tasks,
//! and sockets by tokio-tungstenite with the TLS the features choose.

use std::time::Instant;

use eventsub_driver::proto::Url;
use eventsub_driver::runtime::{BoxWebSocket, Runtime, WebSocketConfig};
use eventsub_driver::{BoxFuture, tls};
use futures_util::FutureExt;
use tokio::net::TcpStream;
#[cfg(any(
    feature = "native-tls",
    feature = "rustls-ring",
    feature = "rustls-aws-lc"
))]
use tokio_tungstenite::Connector;

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
            let ws = open_websocket(&url, config).await?;
            Ok(Box::pin(ws) as BoxWebSocket)
        }
        .boxed()
    }

    fn spawn(&self, task: BoxFuture<'static, ()>) {
        tokio::spawn(task);
    }

    fn spawn_joinable(&self, task: BoxFuture<'static, ()>) -> BoxFuture<'static, ()> {
        // tokio drops a task's future before its `JoinHandle` completes: once it has, nothing of
        // the task is left. An error (a panic, or the runtime shutting down) is an end too.
        let task = tokio::spawn(task);
        async move {
            let _ = task.await;
        }
        .boxed()
    }
}

type TokioWebSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

/// Opens a WebSocket, with the TLS the features choose for `wss://` ([`tls_connector`]).
async fn open_websocket(url: &Url, config: WebSocketConfig) -> Result<TokioWebSocket, String> {
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
        tokio_tungstenite::connect_async_tls_with_config(
            url.as_str(),
            Some(config),
            true,
            connector,
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
        tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), true).await
    };
    let (ws, _response) = opened.map_err(|error| error.to_string())?;
    Ok(ws)
}

/// The `wss://` connector of the platform's TLS: tokio-tungstenite makes it (and, like
/// eventsub-helix, prefers native-tls when rustls is compiled in too).
#[cfg(feature = "native-tls")]
fn tls_connector() -> Result<Option<Connector>, tls::TlsError> {
    Ok(None)
}

/// The `wss://` connector of rustls: the config Helix uses too, provider and roots chosen by the
/// features (never rustls's process-wide default provider, which panics with two compiled in).
#[cfg(all(
    not(feature = "native-tls"),
    any(feature = "rustls-ring", feature = "rustls-aws-lc")
))]
fn tls_connector() -> Result<Option<Connector>, tls::TlsError> {
    Ok(Some(Connector::Rustls(tls::rustls_config()?)))
}

#[cfg(all(
    test,
    not(feature = "native-tls"),
    any(feature = "rustls-ring", feature = "rustls-aws-lc")
))]
mod tests {
    use super::*;

    #[test]
    fn the_rustls_connector_shares_helix_config() -> Result<(), tls::TlsError> {
        let Some(Connector::Rustls(config)) = tls_connector()? else {
            panic!("a rustls connector");
        };
        assert!(std::sync::Arc::ptr_eq(&config, &tls::rustls_config()?));
        Ok(())
    }
}
