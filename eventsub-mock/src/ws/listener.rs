//! One port for both protocols: a connection whose request line is `GET /ws` becomes an EventSub
//! WebSocket; every other connection is handed to the Helix router (axum) through a channel
//! listener.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::helix::{SharedState, router};

/// Connections for axum, fed by the accept loop.
struct ChannelListener {
    connections: mpsc::Receiver<(TcpStream, SocketAddr)>,
    addr: SocketAddr,
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

/// The EventSub WebSocket URL of a server on `addr`.
pub(crate) fn ws_url(addr: SocketAddr) -> String {
    format!("ws://{addr}/ws")
}

/// The Helix base URL of a server on `addr`.
pub(crate) fn helix_url(addr: SocketAddr) -> String {
    format!("http://{addr}/helix")
}

/// Serves the Helix router over `helix` and, for connections to `/ws`, `serve_websocket`, on
/// `listener` (bound to `addr`) until the returned tasks are aborted.
pub(crate) fn serve<F, Fut>(
    listener: TcpListener,
    addr: SocketAddr,
    helix: SharedState,
    serve_websocket: F,
) -> Vec<JoinHandle<()>>
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    // Only sessions this server welcomed exist for Helix from now on.
    crate::helix::lock(&helix)
        .known_sessions
        .get_or_insert_with(Default::default);
    let (http, connections) = mpsc::channel(64);
    let app = router(helix);
    let serve = tokio::spawn(async move {
        let listener = ChannelListener { connections, addr };
        if let Err(error) = axum::serve(listener, app).await {
            eprintln!("mock eventsub: helix side stopped: {error}");
        }
    });
    let accept = tokio::spawn(accept_loop(listener, http, Arc::new(serve_websocket)));
    vec![serve, accept]
}

/// Accepts connections for ever, sending each to the WebSocket side or to axum.
async fn accept_loop<F, Fut>(
    listener: TcpListener,
    http: mpsc::Sender<(TcpStream, SocketAddr)>,
    serve_websocket: Arc<F>,
) where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let serve_websocket = serve_websocket.clone();
        let http = http.clone();
        tokio::spawn(async move {
            if is_websocket(&stream).await {
                serve_websocket(stream).await;
            } else {
                let _ = http.send((stream, peer)).await;
            }
        });
    }
}
