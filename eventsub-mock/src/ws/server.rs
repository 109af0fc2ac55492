//! The running mock and the test's handle on it: URLs, commands, fault injection and records.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::bad_frame::BadFrame;
use super::conduit::{ShardDelivery, ShardFault};
use super::config::MockConfig;
use super::hold::Door;
use super::listener;
use super::payloads;
use super::record::{Records, SentFrame, SocketId};
use super::state::{Outgoing, Shared, SocketCommand};
use crate::helix::world::Happening;
use crate::helix::{MockState, MockSubscription, MockTransport, SharedState};

/// How a notification is delivered: the faults of at-least-once delivery on demand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Once, on the session's current socket.
    Once,
    /// Twice (same message id) on the current socket.
    Twice,
    /// Once on every open socket of the session: during a reconnect, the same message on the old
    /// and the new socket.
    EverySocket,
}

/// A notification [`MockEventSub::notify_routed`] queued.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Routed {
    /// Its message id.
    pub message_id: String,
    /// The sockets it was queued on: it goes out on each unless the socket ends first.
    pub sockets: Vec<SocketId>,
    /// For a conduit subscription, the shard that took it.
    pub shard: Option<ShardDelivery>,
}

/// An open socket as the mock sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SocketInfo {
    /// The socket.
    pub socket: SocketId,
    /// Its session.
    pub session_id: String,
    /// Whether its welcome went out.
    pub welcomed: bool,
}

/// A mock Twitch EventSub server on 127.0.0.1: WebSocket at `/ws` and the mock Helix API (under
/// `/helix` and `/oauth2`) on one port, sharing state. A session the WebSocket side welcomes is
/// known to Helix; subscriptions created over Helix for a session are what
/// [`MockEventSub::notify`] delivers. Stops when dropped.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use eventsub_mock::{Delivery, MockConfig, MockEventSub};
/// let mock = MockEventSub::start(MockConfig::fast()).await?;
/// mock.helix().add_user_token("token", "client", "1234", &[]);
/// // point a client at mock.ws_url() and mock.helix_url(), then:
/// let sent = mock.notify("stream.online", Delivery::Once);
/// # Ok(()) }
/// ```
pub struct MockEventSub {
    pub(super) shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
    /// Background faults ([`MockEventSub::reconnect_storm`]), stopped with the mock.
    storms: std::sync::Mutex<Vec<JoinHandle<()>>>,
    /// The runtime the mock runs on, so faults can be started from any executor.
    runtime: tokio::runtime::Handle,
    /// Whether new WebSocket connections wait ([`MockEventSub::hold_connections`]).
    pub(super) door: Arc<Door>,
}

impl std::fmt::Debug for MockEventSub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockEventSub")
            .field("addr", &self.shared.addr)
            .finish_non_exhaustive()
    }
}

impl MockEventSub {
    /// Starts a mock with empty Helix state on a free port of 127.0.0.1.
    pub async fn start(config: MockConfig) -> std::io::Result<Self> {
        Self::start_with(config, SharedState::default()).await
    }

    /// Starts a mock over existing Helix state (tokens registered, faults injected, ...).
    pub async fn start_with(config: MockConfig, helix: SharedState) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Shared::new(config, addr, helix.clone());
        let sockets = shared.clone();
        let door = Arc::new(Door::open());
        let entrance = door.clone();
        let tasks = listener::serve(listener, addr, helix, move |stream| {
            entrance.serve(sockets.clone(), stream)
        });
        Ok(Self {
            shared,
            tasks,
            storms: std::sync::Mutex::default(),
            runtime: tokio::runtime::Handle::current(),
            door,
        })
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

    /// The OAuth base URL, `http://127.0.0.1:PORT/oauth2`.
    pub fn auth_url(&self) -> String {
        format!("http://{}/oauth2", self.shared.addr)
    }

    /// The OAuth root as twitch_oauth2's `TWITCH_OAUTH2_URL` wants it, with its trailing slash
    /// (`http://127.0.0.1:PORT/oauth2/`): `token`, `device` and `validate` are appended to it.
    pub fn twitch_oauth2_url(&self) -> String {
        format!("http://{}/oauth2/", self.shared.addr)
    }

    /// A `twitch_oauth2` HTTP client whose calls to Twitch's OAuth server reach this mock
    /// (feature `twitch_oauth2`).
    #[cfg(feature = "twitch_oauth2")]
    pub fn oauth2_client(&self) -> crate::oauth2_client::MockOauth2Client {
        crate::oauth2_client::MockOauth2Client::new(&self.twitch_oauth2_url())
    }

    /// A Helix client for this mock with fast retries and a 2 s timeout (feature `helix-client`).
    #[cfg(feature = "helix-client")]
    pub fn helix_client(&self, client_id: &str, token: &str) -> eventsub_helix::HelixClient {
        crate::helix::client_at(
            &self.helix_url(),
            &self.auth_url(),
            client_id,
            token,
            crate::helix::fast_retries(),
            Duration::from_secs(2),
        )
    }

    /// The Helix state, locked: register tokens, inject Helix faults, inspect subscriptions.
    pub fn helix(&self) -> std::sync::MutexGuard<'_, MockState> {
        crate::helix::lock(&self.shared.helix)
    }

    /// A copy of the records so far.
    pub fn records(&self) -> Records {
        self.shared.lock().records.clone()
    }

    /// The records so far, handed over: the mock starts a new log, so a long run that takes them
    /// now and then keeps its memory flat. Entries keep their order across takes.
    pub fn take_records(&self) -> Records {
        std::mem::take(&mut self.shared.lock().records)
    }

    /// The open sockets, oldest first.
    pub fn sockets(&self) -> Vec<SocketInfo> {
        let inner = self.shared.lock();
        let mut sockets: Vec<SocketInfo> = inner
            .sockets
            .iter()
            .map(|(socket, entry)| SocketInfo {
                socket: *socket,
                session_id: entry.session_id.clone(),
                welcomed: entry.welcomed,
            })
            .collect();
        sockets.sort_by_key(|info| info.socket);
        sockets
    }

    /// The socket notifications of the newest session go to, if a session is up.
    pub fn current_socket(&self) -> Option<SocketId> {
        let inner = self.shared.lock();
        inner.sessions.values().map(|session| session.current).max()
    }

    /// How many enabled subscriptions exist on websocket sessions that are up.
    pub fn live_subscriptions(&self) -> usize {
        self.shared.subscriptions(|_| true).len()
    }

    /// How many enabled subscriptions each websocket session that is up holds, by session id:
    /// what Twitch counts against its limit per connection.
    pub fn subscriptions_per_session(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for subscription in self.shared.subscriptions(|_| true) {
            if let Some(session_id) = subscription.transport.session_id() {
                *counts.entry(session_id.to_owned()).or_insert(0) += 1;
            }
        }
        counts
    }

    fn next_message_id(&self) -> String {
        self.shared.lock().message_id()
    }

    /// Queues `outgoing` (`copies` times) on the sockets of `session_id` that `delivery` names;
    /// returns those that took it. Choosing the sockets and queueing happen under one lock, so a
    /// socket cannot be chosen and then end (a handover completing in between) before it has the
    /// frame.
    fn send_to_session(
        &self,
        session_id: &str,
        delivery: Delivery,
        outgoing: &Outgoing,
        copies: usize,
    ) -> Vec<SocketId> {
        let inner = self.shared.lock();
        let mut sockets: Vec<SocketId> = match delivery {
            Delivery::EverySocket => inner
                .sockets
                .iter()
                .filter(|(_, entry)| {
                    entry.session_id == session_id && entry.welcomed && !entry.closing
                })
                .map(|(socket, _)| *socket)
                .collect(),
            Delivery::Once | Delivery::Twice => inner
                .sessions
                .get(session_id)
                .map(|session| session.current)
                .into_iter()
                .collect(),
        };
        sockets.sort();
        sockets.retain(|socket| {
            inner.sockets.get(socket).is_some_and(|entry| {
                !entry.closing
                    && (0..copies).fold(false, |taken, _| {
                        let command = SocketCommand::Send(outgoing.clone());
                        entry.commands.send(command).is_ok() || taken
                    })
            })
        });
        sockets
    }

    /// Sends a notification for every enabled subscription of type `kind` on a live session;
    /// returns the message ids handed to the sockets (one per subscription). A socket that ends
    /// before its turn to send never sends it: [`MockEventSub::records`] say what went out.
    pub fn notify(&self, kind: &str, delivery: Delivery) -> Vec<String> {
        self.notify_routed(kind, delivery)
            .into_iter()
            .map(|routed| routed.message_id)
            .collect()
    }

    /// [`MockEventSub::notify`], saying which sockets each notification was queued on.
    pub fn notify_routed(&self, kind: &str, delivery: Delivery) -> Vec<Routed> {
        let mut sent = self.notify_websocket(|s| s.kind == kind, delivery);
        for subscription in self.shared.conduit_subscriptions(|s| s.kind == kind) {
            let (message_id, sequence) = {
                let mut inner = self.shared.lock();
                (inner.message_id(), inner.next())
            };
            let text =
                payloads::notification(&self.shared.frames(), &message_id, &subscription, sequence);
            sent.extend(self.route_notification(&subscription, message_id, text, delivery));
        }
        sent
    }

    /// [`MockEventSub::notify_routed`] for the subscriptions of type `kind` on one websocket
    /// session only (one connection of a client that holds several, say): the others hear
    /// nothing.
    pub fn notify_session(&self, session_id: &str, kind: &str, delivery: Delivery) -> Vec<Routed> {
        self.notify_websocket(
            |s| s.kind == kind && s.transport.session_id() == Some(session_id),
            delivery,
        )
    }

    /// Sends a notification for every enabled websocket subscription that `filter` takes, each on
    /// its session's sockets as `delivery` says; where each was queued.
    fn notify_websocket(
        &self,
        filter: impl Fn(&MockSubscription) -> bool,
        delivery: Delivery,
    ) -> Vec<Routed> {
        let mut sent = Vec::new();
        for subscription in self.shared.subscriptions(filter) {
            let Some(session_id) = subscription.transport.session_id() else {
                continue;
            };
            let (message_id, sequence) = {
                let mut inner = self.shared.lock();
                (inner.message_id(), inner.next())
            };
            let text =
                payloads::notification(&self.shared.frames(), &message_id, &subscription, sequence);
            sent.extend(self.queue_notification(
                &subscription,
                session_id,
                message_id,
                text,
                delivery,
            ));
        }
        sent
    }

    /// Routes one notification `text` of a conduit subscription over the conduit's shards; where
    /// it went, or `None` when no shard took it (then it counts in [`MockEventSub::unrouted`]).
    fn route_notification(
        &self,
        subscription: &MockSubscription,
        message_id: String,
        text: String,
        delivery: Delivery,
    ) -> Option<Routed> {
        let MockTransport::Conduit { conduit_id } = &subscription.transport else {
            return None;
        };
        let outgoing = Outgoing {
            text,
            message_id: message_id.clone(),
            message_type: "notification",
            subscription_type: Some(subscription.kind.clone()),
        };
        let copies = if delivery == Delivery::Twice { 2 } else { 1 };
        let (socket, shard) = self
            .shared
            .route_to_conduit(conduit_id, &outgoing, copies)?;
        Some(Routed {
            message_id,
            sockets: vec![socket],
            shard: Some(shard),
        })
    }

    /// The message ids of conduit notifications that no shard took (neither the one chosen nor the
    /// one it was retried on), oldest first: Twitch drops those, and so does the mock.
    pub fn unrouted(&self) -> Vec<String> {
        self.shared.lock().unrouted.clone()
    }

    /// [`MockEventSub::unrouted`], handed over: the mock starts a new list, so a long run that
    /// takes them now and then keeps its memory flat.
    pub fn take_unrouted(&self) -> Vec<String> {
        std::mem::take(&mut self.shared.lock().unrouted)
    }

    /// Fault: acts on one shard of a conduit ([`ShardFault`]): closes its session with a code,
    /// drops it, silences it, or makes it fail every delivery. False when there is no such shard,
    /// or (for the faults that act on its socket) it has no live session.
    pub fn fault_shard(&self, conduit_id: &str, shard_id: usize, fault: ShardFault) -> bool {
        self.shared.fault_shard(conduit_id, shard_id, fault)
    }

    /// Queues one notification `text` for `subscription` on `session_id` as `delivery` says;
    /// where it went, or `None` when no socket took it.
    fn queue_notification(
        &self,
        subscription: &MockSubscription,
        session_id: &str,
        message_id: String,
        text: String,
        delivery: Delivery,
    ) -> Option<Routed> {
        let outgoing = Outgoing {
            text,
            message_id: message_id.clone(),
            message_type: "notification",
            subscription_type: Some(subscription.kind.clone()),
        };
        let copies = if delivery == Delivery::Twice { 2 } else { 1 };
        let sockets = self.send_to_session(session_id, delivery, &outgoing, copies);
        (!sockets.is_empty()).then_some(Routed {
            message_id,
            sockets,
            shard: None,
        })
    }

    /// Sends what happened in the world to every enabled subscription of its type whose condition
    /// names its channel (and reward); returns where each notification was queued. Nobody
    /// listening is fine: the world keeps the record either way.
    pub(super) fn send_happening(&self, happening: &Happening) -> Vec<Routed> {
        let matches = |subscription: &MockSubscription, field: &str, value: Option<&str>| match (
            subscription.condition.get(field).and_then(|v| v.as_str()),
            value,
        ) {
            (Some(wanted), Some(value)) => wanted == value,
            (Some(_), None) => false,
            (None, _) => true,
        };
        let subscriptions = self.shared.subscriptions(|s| {
            s.kind == happening.kind
                && matches(s, "broadcaster_user_id", Some(&happening.broadcaster_id))
                && matches(s, "reward_id", happening.reward_id.as_deref())
        });
        let mut sent = Vec::new();
        for subscription in subscriptions {
            let Some(session_id) = subscription.transport.session_id() else {
                continue;
            };
            let message_id = self.next_message_id();
            let text = payloads::notification_with(
                &self.shared.frames(),
                &message_id,
                &subscription,
                &happening.event,
            );
            sent.extend(self.queue_notification(
                &subscription,
                session_id,
                message_id,
                text,
                Delivery::Once,
            ));
        }
        let conduit_subscriptions = self.shared.conduit_subscriptions(|s| {
            s.kind == happening.kind
                && matches(s, "broadcaster_user_id", Some(&happening.broadcaster_id))
                && matches(s, "reward_id", happening.reward_id.as_deref())
        });
        for subscription in conduit_subscriptions {
            let message_id = self.next_message_id();
            let text = payloads::notification_with(
                &self.shared.frames(),
                &message_id,
                &subscription,
                &happening.event,
            );
            sent.extend(self.route_notification(&subscription, message_id, text, Delivery::Once));
        }
        sent
    }

    /// Revokes every enabled subscription of type `kind` with `status` (such as
    /// `authorization_revoked`) and sends the revocations; returns their message ids.
    pub fn revoke(&self, kind: &str, status: &str) -> Vec<String> {
        let revoked: Vec<_> = {
            let mut helix = self.helix();
            helix
                .subscriptions
                .iter_mut()
                .filter(|s| s.kind == kind && s.is_enabled() && s.transport.session_id().is_some())
                .map(|s| {
                    s.status = status.to_owned();
                    s.clone()
                })
                .collect()
        };
        let mut sent = Vec::new();
        for subscription in revoked {
            let Some(session_id) = subscription.transport.session_id() else {
                continue;
            };
            let message_id = self.next_message_id();
            let outgoing = Outgoing {
                text: payloads::revocation(&self.shared.frames(), &message_id, &subscription),
                message_id: message_id.clone(),
                message_type: "revocation",
                subscription_type: Some(subscription.kind.clone()),
            };
            if !self
                .send_to_session(session_id, Delivery::Once, &outgoing, 1)
                .is_empty()
            {
                sent.push(message_id);
            }
        }
        sent
    }

    /// Sends `session_reconnect` on `socket` with a fresh URL (valid once, for the reconnect
    /// grace). The new socket gets the same session; the old one is closed with 4004 if it is
    /// still open when the grace ends. Returns the URL.
    pub fn reconnect(&self, socket: SocketId) -> Option<String> {
        self.shared.send_reconnect(socket, true)
    }

    /// Sends `session_reconnect` with a URL that is already stale: connecting to it gets 4007.
    pub fn reconnect_stale(&self, socket: SocketId) -> Option<String> {
        self.shared.send_reconnect(socket, false)
    }

    /// Fault: a server stuck in a reconnect loop. Sends `count` `session_reconnect`s, one every
    /// `every`, each with a fresh valid URL, always on the socket that carries the session of
    /// `socket` at that moment (so a client that follows them meets the next one on its new
    /// socket). Stops early when the session ends. Returns at once; the storm runs in the
    /// background (while the mock lives) and its frames are in the records.
    pub fn reconnect_storm(&self, socket: SocketId, count: usize, every: Duration) -> bool {
        let Some(session_id) = self
            .shared
            .lock()
            .sockets
            .get(&socket)
            .map(|entry| entry.session_id.clone())
        else {
            return false;
        };
        let shared = self.shared.clone();
        let storm = self.runtime.spawn(async move {
            for _ in 0..count {
                let Some(current) = shared.current_socket_of(socket, &session_id) else {
                    return;
                };
                // A socket that is going away is skipped, not a reason to stop.
                let _ = shared.send_reconnect(current, true);
                tokio::time::sleep(every).await;
            }
        });
        self.storms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(storm);
        true
    }

    /// The most WebSocket connections that were open at once since the mock started (those the
    /// mock still reads, including ones whose close handshake runs).
    pub fn peak_open_sockets(&self) -> usize {
        self.shared.lock().peak_connections
    }

    /// The WebSocket connections open now (including ones whose close handshake runs).
    pub fn open_sockets(&self) -> usize {
        self.shared.lock().open_connections
    }

    /// Closes `socket` with any code and reason.
    pub fn close(&self, socket: SocketId, code: u16, reason: &str) -> bool {
        let reason = reason.to_owned();
        self.shared
            .command(socket, SocketCommand::Close { code, reason })
    }

    /// Fault: drops the TCP connection of `socket` without a close frame.
    pub fn drop_socket(&self, socket: SocketId) -> bool {
        self.shared.command(socket, SocketCommand::Drop)
    }

    /// Fault: Twitch has not noticed yet that connections are gone. While `deferred`, a session
    /// whose socket ends keeps its subscriptions enabled at Helix, where they still count against
    /// the token's limits (three websocket transports, 300 subscriptions on each); with
    /// `deferred` false again, every session that ended meanwhile ends at Helix, as on Twitch
    /// once it notices.
    pub fn defer_session_ends(&self, deferred: bool) {
        let ended = {
            let mut inner = self.shared.lock();
            if deferred {
                inner.deferred_ends.get_or_insert_with(Vec::new);
                Vec::new()
            } else {
                inner.deferred_ends.take().unwrap_or_default()
            }
        };
        for (session_id, how) in ended {
            self.shared.end_helix_session(&session_id, &how);
        }
    }

    /// Fault: stops (or resumes) the keepalives of `socket`, so it looks dead.
    pub fn silence(&self, socket: SocketId, silent: bool) -> bool {
        self.shared.command(socket, SocketCommand::Silence(silent))
    }

    /// Fault: `socket` stops reading and sends `pings` pings (125 bytes each) as fast as the
    /// client takes them, so the client's pongs pile up unread: a client must bound what it
    /// queues and end the socket. The socket goes back to normal after the last one, if it is
    /// still open.
    pub fn flood_pings(&self, socket: SocketId, pings: u64) -> bool {
        self.shared.command(socket, SocketCommand::PingFlood(pings))
    }

    /// Fault: moves the server's clock `offset` away from this machine's (`ahead` of it, or behind):
    /// every later frame's `message_timestamp` is shifted by it, as from a Twitch whose clock
    /// differs from the client's. A client must estimate the offset, not drop fresh notifications
    /// as stale.
    pub fn set_clock_offset(&self, offset: Duration, ahead: bool) {
        let millis = i64::try_from(offset.as_millis()).unwrap_or(i64::MAX);
        self.shared
            .set_clock_offset(if ahead { millis } else { -millis });
    }

    /// Fault: delays every later frame of `socket` by `delay`.
    pub fn delay(&self, socket: SocketId, delay: Duration) -> bool {
        self.shared.command(socket, SocketCommand::Delay(delay))
    }

    /// Fault: sends a faulty frame on `socket` (recorded as [`Record::Injected`](super::Record)).
    pub fn inject(&self, socket: SocketId, frame: BadFrame) -> bool {
        let text = frame.text(&self.shared.frames(), &self.next_message_id());
        self.shared
            .command(socket, SocketCommand::Inject { frame, text })
    }

    /// Fault: sends a notification or revocation that already went out once more, with its message
    /// id, on `socket` — Twitch's at-least-once delivery, later than [`Delivery::Twice`]. False
    /// for other frames or when the socket is gone.
    pub fn send_again(&self, socket: SocketId, frame: &SentFrame) -> bool {
        let message_type = match frame.message_type.as_str() {
            "notification" => "notification",
            "revocation" => "revocation",
            _ => return false,
        };
        let outgoing = Outgoing {
            text: frame.text.clone(),
            message_id: frame.message_id.clone(),
            message_type,
            subscription_type: frame.subscription_type.clone(),
        };
        self.shared.command(socket, SocketCommand::Send(outgoing))
    }

    /// Polls `condition` every few milliseconds until it holds; false after `timeout`.
    pub async fn wait_for(&self, timeout: Duration, condition: impl Fn(&Self) -> bool) -> bool {
        wait_until(timeout, || condition(self)).await
    }
}

/// Polls `condition` every 5 ms until it holds; false after `timeout`.
pub async fn wait_until(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Runs `future` with a timeout, panicking with `what` when it takes longer: keeps a broken test
/// from hanging.
pub async fn within<T>(timeout: Duration, what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(timeout, future).await {
        Ok(value) => value,
        Err(_) => panic!("timed out after {timeout:?} waiting for {what}"),
    }
}

impl Drop for MockEventSub {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
        for storm in self
            .storms
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
        {
            storm.abort();
        }
        let sockets: Vec<SocketId> = self.shared.lock().sockets.keys().copied().collect();
        for socket in sockets {
            self.shared.command(socket, SocketCommand::Drop);
        }
    }
}
