//! A `wss://` connect goes through the TLS the features choose, on both runtimes: against a server
//! that hangs up it fails with an error (a handshake error with TLS, the features to enable
//! without), never with a panic such as rustls's when it cannot pick a default provider.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::net::TcpListener;

use eventsub_tokio::proto::Url;
use eventsub_tokio::tls::TlsBackend;
use eventsub_tokio::{Runtime, WebSocketConfig};

/// A local server that accepts one TCP connection and hangs up: no TLS handshake can succeed.
fn hang_up_server() -> Url {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || drop(listener.accept()));
    Url::parse(&format!("wss://{address}/ws")).unwrap()
}

async fn assert_connect_fails(runtime: impl Runtime) {
    let connected = runtime
        .connect(hang_up_server(), WebSocketConfig::default())
        .await;
    let error = connected
        .err()
        .expect("no TLS handshake with a server that hangs up");
    let without_tls = TlsBackend::selected() == TlsBackend::None;
    assert_eq!(error.contains("needs TLS"), without_tls, "{error}");
}

#[tokio::test]
async fn a_wss_connect_on_tokio_to_a_server_that_hangs_up_fails_with_an_error() {
    assert_connect_fails(eventsub_tokio::TokioRuntime).await;
}

#[async_std::test]
async fn a_wss_connect_on_async_io_to_a_server_that_hangs_up_fails_with_an_error() {
    assert_connect_fails(eventsub_async_std::AsyncIoRuntime).await;
}
