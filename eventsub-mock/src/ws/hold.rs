//! Holding new WebSocket connections at the door: a test makes the client's reconnect wait, so
//! that what it does meanwhile happens during the gap, whatever the client's backoff.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::net::TcpStream;
use tokio::sync::watch;

use super::server::MockEventSub;
use super::socket;
use super::state::Shared;

/// Whether new WebSocket connections are held, and how many wait.
#[derive(Debug)]
pub(crate) struct Door {
    held: watch::Sender<bool>,
    waiting: Arc<AtomicUsize>,
}

impl Door {
    pub(crate) fn open() -> Self {
        Self {
            held: watch::Sender::new(false),
            waiting: Arc::default(),
        }
    }

    /// Serves `stream` once the door is open (at once while it is).
    pub(crate) fn serve(
        &self,
        shared: Arc<Shared>,
        stream: TcpStream,
    ) -> impl Future<Output = ()> + Send + use<> {
        let mut held = self.held.subscribe();
        let waiting = self.waiting.clone();
        async move {
            if *held.borrow_and_update() {
                waiting.fetch_add(1, Ordering::SeqCst);
                // An error means the mock is gone: nothing to serve then.
                let released = held.wait_for(|held| !held).await.is_ok();
                waiting.fetch_sub(1, Ordering::SeqCst);
                if !released {
                    return;
                }
            }
            socket::serve(shared, stream).await;
        }
    }
}

impl MockEventSub {
    /// While `held`, a new WebSocket connection is accepted (TCP) but its handshake is not
    /// answered: the client's connect waits (or times out, and it retries) until
    /// `hold_connections(false)`, when every waiting one goes on to its welcome. Sockets already
    /// open are not affected. Lets a test act inside a gap however soon the client reconnects.
    ///
    /// ```no_run
    /// # async fn demo(mock: eventsub_mock::MockEventSub) {
    /// use std::time::Duration;
    /// mock.hold_connections(true);
    /// mock.drop_socket(mock.current_socket().unwrap()); // ok: a doc example; the client is connected
    /// // The client's reconnect waits at the door: what happens now happens during the gap.
    /// mock.wait_for(Duration::from_secs(5), |mock| mock.held_connections() > 0).await;
    /// mock.world().follow("1234", "5678");
    /// mock.hold_connections(false);
    /// # }
    /// ```
    pub fn hold_connections(&self, held: bool) {
        self.door.held.send_replace(held);
    }

    /// How many WebSocket connections wait at the door ([`MockEventSub::hold_connections`]).
    pub fn held_connections(&self) -> usize {
        self.door.waiting.load(Ordering::SeqCst)
    }
}
