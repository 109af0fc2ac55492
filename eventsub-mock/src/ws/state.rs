//! What the mock remembers across sockets: sessions, sockets and their command channels, reconnect
//! tickets, id counters and the record of every frame.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use tokio::sync::mpsc;

use super::bad_frame::BadFrame;
use super::blast::BlastFrames;
use super::config::MockConfig;
use super::record::{Ended, Record, Records, SocketId};
use crate::frames::{Frames, MESSAGE_TIMESTAMP};
use crate::helix::{MockSubscription, SharedState};

/// A frame on its way out of one socket.
#[derive(Clone, Debug)]
pub(crate) struct Outgoing {
    pub(crate) text: String,
    pub(crate) message_id: String,
    pub(crate) message_type: &'static str,
    pub(crate) subscription_type: Option<String>,
}

/// What a socket's task is told to do.
#[derive(Debug)]
pub(crate) enum SocketCommand {
    Send(Outgoing),
    /// A notification of a conduit subscription: when this socket cannot send it, it is routed
    /// again over the conduit's other shards (once).
    SendRouted(Outgoing, super::conduit::Reroute),
    /// A faulty frame, recorded as [`Record::Injected`].
    Inject {
        frame: BadFrame,
        text: String,
    },
    /// A `session_reconnect` went out: close with 4004 at this time unless the socket is gone.
    StartGrace(tokio::time::Instant),
    Close {
        code: u16,
        reason: String,
    },
    Drop,
    Silence(bool),
    Delay(Duration),
    Blast(BlastFrames),
    /// Stop reading and send this many pings (or until the client ends the socket).
    PingFlood(u64),
}

pub(crate) struct SocketEntry {
    pub(crate) session_id: String,
    pub(crate) commands: mpsc::UnboundedSender<SocketCommand>,
    pub(crate) welcomed: bool,
    /// A close frame went out or came in: nothing more is routed to it.
    pub(crate) closing: bool,
}

pub(crate) struct SessionEntry {
    /// The socket notifications go to: the newest welcomed one.
    pub(crate) current: SocketId,
    pub(crate) keepalive_secs: u64,
}

pub(crate) struct ReconnectTicket {
    pub(crate) session_id: String,
    pub(crate) expires: Instant,
}

#[derive(Default)]
pub(crate) struct Inner {
    counter: u64,
    pub(crate) sockets: HashMap<SocketId, SocketEntry>,
    pub(crate) sessions: HashMap<String, SessionEntry>,
    pub(crate) tickets: HashMap<String, ReconnectTicket>,
    pub(crate) records: Records,
    /// WebSocket connections accepted and not yet ended.
    pub(crate) open_connections: usize,
    /// The most WebSocket connections open at once.
    pub(crate) peak_connections: usize,
    /// Per conduit, whose turn it is among its enabled shards.
    pub(crate) conduit_turns: HashMap<String, usize>,
    /// Shards that fail every delivery (conduit id, shard id).
    pub(crate) refusing_shards: HashSet<(String, usize)>,
    /// Message ids of conduit notifications no shard took.
    pub(crate) unrouted: Vec<String>,
    /// While Twitch has not noticed that connections ended
    /// ([`MockEventSub::defer_session_ends`](super::MockEventSub::defer_session_ends)): the
    /// sessions that ended meanwhile, whose subscriptions are still enabled at Helix.
    pub(crate) deferred_ends: Option<Vec<(String, Ended)>>,
}

impl Inner {
    /// A fresh number, shared by every kind of id so no two ids ever collide.
    pub(crate) fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// `count` fresh numbers in a row; returns the first.
    pub(crate) fn reserve(&mut self, count: u64) -> u64 {
        let first = self.counter + 1;
        self.counter += count;
        first
    }

    /// A message id shaped like Twitch's UUIDs.
    pub(crate) fn message_id(&mut self) -> String {
        Self::message_id_of(self.next())
    }

    /// The message id made of number `n`.
    pub(crate) fn message_id_of(n: u64) -> String {
        format!("{MESSAGE_ID_PREFIX}{n:012x}")
    }
}

const MESSAGE_ID_PREFIX: &str = "6d7a0f3c-5dec-4eed-908e-";

/// The number a message id of this mock was made from (unique per mock, increasing with time), so a
/// test can keep sets of ids as bits; `None` for an id the mock did not make.
pub fn message_number(message_id: &str) -> Option<u64> {
    let digits = message_id.strip_prefix(MESSAGE_ID_PREFIX)?;
    u64::from_str_radix(digits, 16).ok()
}

/// [`message_number`] of an id the core has parsed, without writing it out as text: a consumer
/// counting a stream of hundreds of thousands of events checks each id for the price of a mask.
pub fn message_number_of(message_id: &eventsub_proto::MessageId) -> Option<u64> {
    /// The 12 hex digits after the prefix: the number.
    const NUMBER_BITS: u32 = 48;
    /// [`MESSAGE_ID_PREFIX`]'s 20 hex digits (checked against it by a test).
    const PREFIX_VALUE: u128 = 0x6d7a_0f3c_5dec_4eed_908e;
    let eventsub_proto::MessageId::Uuid(uuid) = message_id else {
        return None;
    };
    let value = uuid.as_u128();
    if value >> NUMBER_BITS != PREFIX_VALUE {
        return None;
    }
    u64::try_from(value & ((1 << NUMBER_BITS) - 1)).ok()
}

/// Everything shared by the server, its socket tasks and the test's handle.
pub(crate) struct Shared {
    pub(crate) config: MockConfig,
    pub(crate) addr: SocketAddr,
    pub(crate) helix: SharedState,
    /// How far the server's clock is from this machine's, in milliseconds (negative: behind); set
    /// by [`MockEventSub::set_clock_offset`](super::MockEventSub::set_clock_offset).
    clock_offset_ms: AtomicI64,
    inner: Mutex<Inner>,
}

/// The current wall time as Twitch writes `message_timestamp`.
pub(crate) fn frames_now() -> Frames {
    frames_at(OffsetDateTime::now_utc())
}

fn frames_at(time: OffsetDateTime) -> Frames {
    Frames {
        timestamp: time.format(MESSAGE_TIMESTAMP).unwrap_or_default(),
    }
}

impl Shared {
    /// Frames stamped with the server's clock: this machine's, moved by the clock offset.
    pub(crate) fn frames(&self) -> Frames {
        frames_at(self.now())
    }

    /// The server's wall clock: this machine's, moved by the clock offset.
    pub(crate) fn now(&self) -> OffsetDateTime {
        let offset = self.clock_offset_ms.load(Ordering::Relaxed);
        OffsetDateTime::now_utc() + time::Duration::milliseconds(offset)
    }

    /// Moves the server's clock `offset_ms` milliseconds from this machine's.
    pub(crate) fn set_clock_offset(&self, offset_ms: i64) {
        self.clock_offset_ms.store(offset_ms, Ordering::Relaxed);
    }

    pub(crate) fn new(config: MockConfig, addr: SocketAddr, helix: SharedState) -> Arc<Self> {
        Arc::new(Self {
            config,
            addr,
            helix,
            clock_offset_ms: AtomicI64::new(0),
            inner: Mutex::new(Inner::default()),
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn record(&self, record: Record) {
        self.lock().records.push(record);
    }

    /// The enabled websocket subscriptions matching `filter`, copied out of the Helix state (so no
    /// two locks are ever held at once).
    pub(crate) fn subscriptions(
        &self,
        filter: impl Fn(&MockSubscription) -> bool,
    ) -> Vec<MockSubscription> {
        crate::helix::lock(&self.helix)
            .subscriptions
            .iter()
            .filter(|s| s.is_enabled() && s.transport.session_id().is_some() && filter(s))
            .cloned()
            .collect()
    }

    /// Sends `outgoing` on `socket`; false when the socket is gone.
    pub(crate) fn command(&self, socket: SocketId, command: SocketCommand) -> bool {
        self.lock()
            .sockets
            .get(&socket)
            .is_some_and(|entry| entry.commands.send(command).is_ok())
    }

    /// A socket stops carrying anything: the server sent its close frame or read the client's.
    /// Nothing is routed to it while its close handshake runs, and when it carried its session,
    /// the session ends (its subscriptions become `websocket_disconnected`, as on Twitch).
    pub(crate) fn socket_closing(&self, socket: SocketId, how: &Ended) {
        let ended_session = {
            let mut inner = self.lock();
            let Some(entry) = inner.sockets.get_mut(&socket) else {
                return;
            };
            entry.closing = true;
            let session_id = entry.session_id.clone();
            inner.end_session_of(socket, &session_id)
        };
        if let Some(session_id) = ended_session {
            self.session_ended_at_helix(session_id, how);
        }
    }

    /// The session ended: so it does at Helix (its subscriptions and shard disabled), unless
    /// the ends of sessions are deferred for now.
    fn session_ended_at_helix(&self, session_id: String, how: &Ended) {
        if let Some(deferred) = self.lock().deferred_ends.as_mut() {
            deferred.push((session_id, how.clone()));
            return;
        }
        self.end_helix_session(&session_id, how);
    }

    /// A WebSocket connection was accepted; it counts until [`Shared::connection_ended`].
    pub(crate) fn connection_opened(&self) {
        let mut inner = self.lock();
        inner.open_connections += 1;
        inner.peak_connections = inner.peak_connections.max(inner.open_connections);
    }

    /// A WebSocket connection accepted earlier is gone.
    pub(crate) fn connection_ended(&self) {
        let mut inner = self.lock();
        inner.open_connections = inner.open_connections.saturating_sub(1);
    }

    /// A `session_reconnect` for the session of `socket`, with a URL that is valid once for the
    /// reconnect grace when `valid`: the frame, the URL and when the grace ends.
    fn reconnect_frame(
        &self,
        inner: &mut Inner,
        socket: SocketId,
        valid: bool,
    ) -> Option<(Outgoing, String, tokio::time::Instant)> {
        let grace = self.config.reconnect_grace;
        let session_id = inner.sockets.get(&socket)?.session_id.clone();
        let token = format!("mock-reconnect-{:x}", inner.next());
        if valid {
            inner.tickets.insert(
                token.clone(),
                ReconnectTicket {
                    session_id: session_id.clone(),
                    expires: Instant::now() + grace,
                },
            );
        }
        let url = format!("ws://{}/ws?reconnect={token}", self.addr);
        let message_id = inner.message_id();
        let outgoing = Outgoing {
            text: self.frames().reconnect(&message_id, &session_id, &url),
            message_id,
            message_type: "session_reconnect",
            subscription_type: None,
        };
        Some((outgoing, url, tokio::time::Instant::now() + grace))
    }

    /// Sends `session_reconnect` on `socket` and starts its grace; returns the URL. Then, when
    /// given, queues `after` on the socket too. All under one lock: the socket records each frame
    /// (taking the lock) before writing it, so all of it is queued before the client can act on
    /// the reconnect, and a handover completed in between cannot leave half of it unsent.
    pub(crate) fn send_reconnect_then(
        &self,
        socket: SocketId,
        valid: bool,
        after: Option<SocketCommand>,
    ) -> Option<String> {
        let mut inner = self.lock();
        let (outgoing, url, grace_at) = self.reconnect_frame(&mut inner, socket, valid)?;
        let commands = &inner.sockets.get(&socket)?.commands;
        let queued = commands.send(SocketCommand::Send(outgoing)).is_ok()
            && commands.send(SocketCommand::StartGrace(grace_at)).is_ok()
            && after.is_none_or(|command| commands.send(command).is_ok());
        queued.then_some(url)
    }

    /// Sends `session_reconnect` on `socket` and starts its grace; returns the URL.
    pub(crate) fn send_reconnect(&self, socket: SocketId, valid: bool) -> Option<String> {
        self.send_reconnect_then(socket, valid, None)
    }

    /// The socket that carries the session of `socket` now (itself, or the one it was handed to).
    pub(crate) fn current_socket_of(&self, socket: SocketId, session_id: &str) -> Option<SocketId> {
        let inner = self.lock();
        match inner.sessions.get(session_id) {
            Some(session) => Some(session.current),
            None => inner.sockets.contains_key(&socket).then_some(socket),
        }
    }

    /// A socket ended: forget it (ending its session if it still carried it) and record how.
    pub(crate) fn socket_ended(&self, socket: SocketId, how: Ended) {
        let ended_session = {
            let mut inner = self.lock();
            inner.records.push(Record::Ended {
                socket,
                how: how.clone(),
            });
            let entry = inner.sockets.remove(&socket);
            entry.and_then(|entry| inner.end_session_of(socket, &entry.session_id))
        };
        if let Some(session_id) = ended_session {
            self.session_ended_at_helix(session_id, &how);
        }
    }
}

impl Inner {
    /// Ends `session_id` if `socket` carries it; returns it then.
    fn end_session_of(&mut self, socket: SocketId, session_id: &str) -> Option<String> {
        let carried = self
            .sessions
            .get(session_id)
            .is_some_and(|session| session.current == socket);
        if !carried {
            return None;
        }
        self.sessions.remove(session_id);
        self.tickets
            .retain(|_, ticket| ticket.session_id != session_id);
        Some(session_id.to_owned())
    }
}

#[cfg(test)]
mod message_number_tests {
    use super::*;
    use eventsub_proto::MessageId;

    /// The parsed id gives the number its text gives, for every size of number; other ids none.
    #[test]
    fn a_parsed_id_gives_the_number_of_its_text() {
        for number in [0, 1, 0xabc, 0xffff_ffff, 0xffff_ffff_ffff] {
            let text = Inner::message_id_of(number);
            assert_eq!(message_number(&text), Some(number), "{text}");
            assert_eq!(
                message_number_of(&MessageId::parse(&text)),
                Some(number),
                "{text}"
            );
        }
        for other in [
            "6d7a0f3c-5dec-4eed-908f-000000000001",
            "00000000-0000-4000-8000-000000000001",
            "not a uuid",
        ] {
            assert_eq!(message_number(other), None, "{other}");
            assert_eq!(message_number_of(&MessageId::parse(other)), None, "{other}");
        }
    }
}
