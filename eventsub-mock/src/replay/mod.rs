//! Replaying a recorded session to a real client over real sockets.
//!
//! [`MockReplay`] serves a recording made by `eventsub-driver`'s recorder (the JSON lines of
//! `eventsub_proto::recording`) to whatever connects: the first WebSocket that connects gets what
//! the recorded client's first connection received, the second the second, and so on (a client
//! with the same configuration connects in the same order). Each connection is played on its own
//! clock, from the moment it opens: every frame at its recorded offset divided by
//! [`ReplayOptions::speed`], then the recorded ending — a close frame with the recorded code, an
//! abrupt TCP drop, or, when the recorded client closed it, waiting for the client (with
//! keepalives at the welcome's pace meanwhile, so a session outliving its recording stays up). A
//! connection the recorded client could not open is refused (HTTP 503), and so is any connection
//! past the recording's last.
//!
//! Frames go out byte for byte, except: a `session_reconnect`'s URL points at this server, and
//! (unless [`ReplayOptions::shift_timestamps`] is off) `message_timestamp` moves with the clock,
//! so an old recording's notifications are as fresh as they were when recorded rather than
//! dropped as stale. Helix is the mock's ([`crate::helix`]), sharing this server's port: register
//! the token the app uses; the sessions the replayed welcomes announce are known to it.

mod play;
mod rewrite;
mod script;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use eventsub_proto::recording::Recording;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::helix::{MockState, SharedState};
use crate::ws::listener;
use script::Script;

/// How a [`MockReplay`] plays a recording.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ReplayOptions {
    /// How much faster than recorded: 1.0 is the recorded pace, 10.0 ten times faster. Anything
    /// not finite and positive counts as 1.0.
    pub speed: f64,
    /// Move each frame's `message_timestamp` by as much as the clock moved since it was recorded
    /// (on by default), so the client's stale-message check sees it as fresh as it was then.
    pub shift_timestamps: bool,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        Self {
            speed: 1.0,
            shift_timestamps: true,
        }
    }
}

impl ReplayOptions {
    /// At `speed` times the recorded pace, timestamps shifted.
    pub fn speed(speed: f64) -> Self {
        Self {
            speed,
            ..Self::default()
        }
    }

    /// Whether each frame's `message_timestamp` moves with the clock (see
    /// [`ReplayOptions::shift_timestamps`]).
    ///
    /// ```
    /// use eventsub_mock::replay::ReplayOptions;
    /// let as_recorded = ReplayOptions::speed(4.0).with_shift_timestamps(false);
    /// assert_eq!((as_recorded.speed, as_recorded.shift_timestamps), (4.0, false));
    /// ```
    #[must_use]
    pub fn with_shift_timestamps(mut self, shift_timestamps: bool) -> Self {
        self.shift_timestamps = shift_timestamps;
        self
    }
}

/// What the server and its socket tasks share.
pub(crate) struct ReplayShared {
    scripts: Vec<Script>,
    options: ReplayOptions,
    addr: SocketAddr,
    helix: SharedState,
    /// The next script to hand a connecting client.
    next: AtomicUsize,
    /// Connections played to their end.
    played: AtomicUsize,
    keepalives: AtomicU64,
    /// Which connection carries each session welcomed so far.
    carriers: Mutex<HashMap<String, u64>>,
    /// Set when the server is dropped: every connection ends.
    stopped: tokio::sync::watch::Sender<bool>,
}

impl ReplayShared {
    fn reconnect_url(&self) -> String {
        format!("{}?replay=reconnect", listener::ws_url(self.addr))
    }

    fn carriers(&self) -> MutexGuard<'_, HashMap<String, u64>> {
        self.carriers.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A mock EventSub server on 127.0.0.1 that replays a recorded session to a connecting client,
/// with the mock Helix API on the same port. Stops when dropped.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use eventsub_mock::replay::{MockReplay, ReplayOptions};
/// use eventsub_proto::recording::Recording;
///
/// let recording = Recording::parse(&std::fs::read_to_string("session.eventsub.jsonl")?)?;
/// let replay = MockReplay::start(&recording, ReplayOptions::speed(10.0)).await?;
/// replay.helix().add_user_token("token", "client-id", "1234", &[]);
/// // point the app at replay.ws_url() and replay.helix_url(): it receives the recorded session.
/// # Ok(()) }
/// ```
pub struct MockReplay {
    shared: Arc<ReplayShared>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for MockReplay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockReplay")
            .field("addr", &self.shared.addr)
            .field("connections", &self.shared.scripts.len())
            .finish_non_exhaustive()
    }
}

impl MockReplay {
    /// Starts replaying `recording` on a free port of 127.0.0.1, with empty Helix state.
    pub async fn start(recording: &Recording, options: ReplayOptions) -> std::io::Result<Self> {
        Self::start_with(recording, options, SharedState::default()).await
    }

    /// Starts replaying `recording` over existing Helix state (tokens registered, faults
    /// injected, ...).
    pub async fn start_with(
        recording: &Recording,
        mut options: ReplayOptions,
        helix: SharedState,
    ) -> std::io::Result<Self> {
        if !(options.speed.is_finite() && options.speed > 0.0) {
            options.speed = 1.0;
        }
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(ReplayShared {
            scripts: script::scripts(recording),
            options,
            addr,
            helix: helix.clone(),
            next: AtomicUsize::new(0),
            played: AtomicUsize::new(0),
            keepalives: AtomicU64::new(0),
            carriers: Mutex::new(HashMap::new()),
            stopped: tokio::sync::watch::Sender::new(false),
        });
        let sockets = shared.clone();
        let tasks = listener::serve(listener, addr, helix, move |stream| {
            play::serve(sockets.clone(), stream)
        });
        Ok(Self { shared, tasks })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// The EventSub WebSocket URL, `ws://127.0.0.1:PORT/ws`.
    pub fn ws_url(&self) -> String {
        listener::ws_url(self.shared.addr)
    }

    /// The Helix base URL, `http://127.0.0.1:PORT/helix`.
    pub fn helix_url(&self) -> String {
        listener::helix_url(self.shared.addr)
    }

    /// The Helix state, locked: register the app's token, inspect subscriptions.
    pub fn helix(&self) -> MutexGuard<'_, MockState> {
        crate::helix::lock(&self.shared.helix)
    }

    /// How many connections the recording has.
    pub fn connections(&self) -> usize {
        self.shared.scripts.len()
    }

    /// How many clients connected so far (each took the next recorded connection).
    pub fn connected(&self) -> usize {
        self.shared.next.load(Ordering::Acquire)
    }

    /// How many recorded connections were played to their end (refused ones included).
    pub fn played(&self) -> usize {
        self.shared.played.load(Ordering::Acquire)
    }

    /// Waits until every recorded connection was played to its end; false after `timeout`.
    pub async fn wait_played(&self, timeout: Duration) -> bool {
        crate::wait_until(timeout, || self.played() >= self.connections()).await
    }
}

impl Drop for MockReplay {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
        self.shared.stopped.send_replace(true);
    }
}
