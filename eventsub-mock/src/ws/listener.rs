//! One port for both protocols: a connection whose request line is `GET /ws` becomes an EventSub
//! WebSocket; every other connection is handed to the Helix router (axum) through a channel
//! listener.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::socket;
use super::state::Shared;

/// Connections for axum, fed by the accept loop.
pub(crate) struct ChannelListener {
    pub(crate) connections: mpsc::Receiver<(TcpStream, SocketAddr)>,
    pub(crate) addr: SocketAddr,
}

impl axum::serve::Listener for ChannelListener {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.connections.recv().await {
            Some(connection) => connection,
            // The accept loop stopped: so does the server (it is aborted right after).
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.addr)
    }
}

/// Whether the request on `stream` asks for the WebSocket path, judged on its first bytes.
async fn is_websocket(stream: &TcpStream) -> bool {
    let mut start = [0u8; 8];
    for _ in 0..200 {
        match stream.peek(&mut start).await {
            Ok(read) if read >= start.len() => break,
            Ok(0) | Err(_) => return false,
            // Only part of the request line is here yet.
            Ok(_) => tokio::time::sleep(Duration::from_millis(1)).await,
        }
    }
    &start == b"GET /ws " || &start == b"GET /ws?"
}

/// Accepts connections for ever, sending each to the WebSocket side or to axum.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    http: mpsc::Sender<(TcpStream, SocketAddr)>,
) {
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let http = http.clone();
        tokio::spawn(async move {
            if is_websocket(&stream).await {
                socket::serve(shared, stream).await;
            } else {
                let _ = http.send((stream, peer)).await;
            }
        });
    }
}
