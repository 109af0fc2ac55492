//! A sans-IO fake of Twitch's EventSub WebSocket server: it knows which sockets the client opened,
//! which session each one carries, which subscriptions exist, and everything it ever sent.

use std::collections::BTreeMap;
use std::time::Instant;

use eventsub_proto::{ConnId, SubscriptionSpec, Url};

use eventsub_mock::frames::Frames;

/// Where one of the client's sockets stands, seen from the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SocketState {
    /// The client asked for it; the server has not accepted it yet.
    Connecting,
    /// Accepted; no welcome sent yet.
    Open,
    /// Welcome sent: it carries this session.
    Welcomed {
        /// The session.
        session_id: String,
    },
    /// Closed (by either side).
    Closed,
}

/// One socket, seen from the server.
#[derive(Clone, Debug)]
pub struct FakeSocket {
    /// The URL the client connected to.
    pub url: Url,
    /// Its state.
    pub state: SocketState,
    /// Whether the client closed it (rather than the server or the network).
    pub closed_by_client: bool,
    /// Whether its session was handed over from an older socket (reconnect URL).
    pub handed_over: bool,
    /// When the welcome was sent.
    pub welcomed_at: Option<Instant>,
}

impl FakeSocket {
    /// The session it carries, once welcomed.
    pub fn session_id(&self) -> Option<&str> {
        match &self.state {
            SocketState::Welcomed { session_id } => Some(session_id),
            _ => None,
        }
    }
}

/// A notification the server sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentNotification {
    /// Its message id.
    pub message_id: String,
    /// The socket it went out on.
    pub conn: ConnId,
    /// The sequence number in its event.
    pub sequence: u64,
    /// Whether the client's side of the socket was open (not yet closed by the client) when sent.
    pub socket_open_at_client: bool,
}

/// The fake server.
#[derive(Debug)]
pub struct FakeTwitch {
    /// Every socket the client ever opened.
    pub sockets: BTreeMap<ConnId, FakeSocket>,
    /// Subscriptions per session id.
    pub subscriptions: BTreeMap<String, Vec<SubscriptionSpec>>,
    /// Every notification sent, in order.
    pub sent: Vec<SentNotification>,
    /// The keepalive announced in welcomes.
    pub keepalive_seconds: u64,
    /// Message builder.
    pub frames: Frames,
    counter: u64,
}

impl Default for FakeTwitch {
    fn default() -> Self {
        Self {
            sockets: BTreeMap::new(),
            subscriptions: BTreeMap::new(),
            sent: Vec::new(),
            keepalive_seconds: 10,
            frames: Frames::default(),
            counter: 0,
        }
    }
}

/// Marks a reconnect URL, which carries the session it resumes.
const RESUME_PARAMETER: &str = "resume";

impl FakeTwitch {
    /// A fresh UUID-shaped message id (so the client's UUID fast path is exercised).
    pub fn next_message_id(&mut self) -> String {
        self.counter += 1;
        format!("00000000-0000-4000-8000-{:012x}", self.counter)
    }

    /// The client asked for a socket.
    pub fn accept(&mut self, conn: ConnId, url: Url) {
        self.sockets.insert(
            conn,
            FakeSocket {
                url,
                state: SocketState::Connecting,
                closed_by_client: false,
                handed_over: false,
                welcomed_at: None,
            },
        );
    }

    /// The server accepts the socket.
    pub fn open(&mut self, conn: ConnId) {
        if let Some(socket) = self.sockets.get_mut(&conn) {
            if socket.state == SocketState::Connecting {
                socket.state = SocketState::Open;
            }
        }
    }

    /// The welcome for `conn`: a new session, or the resumed one for a reconnect URL.
    pub fn welcome(&mut self, conn: ConnId, now: Instant) -> Option<String> {
        let message_id = self.next_message_id();
        self.counter += 1;
        let fresh_session = format!("session-{}", self.counter);
        let keepalive = self.keepalive_seconds;
        let socket = self.sockets.get_mut(&conn)?;
        if socket.state != SocketState::Open {
            return None;
        }
        let resumed = socket
            .url
            .query_pairs()
            .find(|(key, _)| key == RESUME_PARAMETER)
            .map(|(_, session)| session.into_owned());
        socket.handed_over = resumed.is_some();
        let session_id = resumed.unwrap_or(fresh_session);
        socket.state = SocketState::Welcomed {
            session_id: session_id.clone(),
        };
        socket.welcomed_at = Some(now);
        Some(self.frames.welcome(&message_id, &session_id, keepalive))
    }

    /// A keepalive for any socket.
    pub fn keepalive(&mut self) -> String {
        let message_id = self.next_message_id();
        self.frames.keepalive(&message_id)
    }

    /// A reconnect message for `conn`, pointing at a URL that resumes its session.
    pub fn reconnect(&mut self, conn: ConnId, insecure: bool) -> Option<String> {
        let message_id = self.next_message_id();
        self.counter += 1;
        let session_id = self.sockets.get(&conn)?.session_id()?.to_owned();
        // Secure: a Twitch host, as in production; insecure: the harness's own base URL's host,
        // as a mock server hands out.
        let origin = if insecure {
            "ws://eventsub.fake-twitch.test"
        } else {
            "wss://reconnect.twitch.tv"
        };
        let url = format!(
            "{origin}/ws?{RESUME_PARAMETER}={session_id}&n={}",
            self.counter
        );
        Some(self.frames.reconnect(&message_id, &session_id, &url))
    }

    /// A notification on `conn` with a fresh message id, recorded in [`FakeTwitch::sent`].
    pub fn notification(&mut self, conn: ConnId) -> Option<(String, String)> {
        let message_id = self.next_message_id();
        let socket = self.sockets.get(&conn)?;
        let session_id = socket.session_id().unwrap_or("not-welcomed").to_owned();
        let socket_open_at_client = !socket.closed_by_client && socket.state != SocketState::Closed;
        let sequence = self.sent.len() as u64;
        self.sent.push(SentNotification {
            message_id: message_id.clone(),
            conn,
            sequence,
            socket_open_at_client,
        });
        let text = self
            .frames
            .notification(&message_id, &session_id, "channel.follow", sequence);
        Some((message_id, text))
    }

    /// The same notification again (Twitch delivers at least once), on `conn`.
    pub fn duplicate(&mut self, index: usize, conn: ConnId) -> Option<String> {
        let original = self.sent.get(index)?.clone();
        let session_id = self
            .sockets
            .get(&conn)?
            .session_id()
            .unwrap_or("x")
            .to_owned();
        Some(self.frames.notification(
            &original.message_id,
            &session_id,
            "channel.follow",
            original.sequence,
        ))
    }

    /// A revocation of `kind` on `conn`.
    pub fn revocation(&mut self, conn: ConnId, kind: &str, status: &str) -> Option<String> {
        let message_id = self.next_message_id();
        let session_id = self.sockets.get(&conn)?.session_id()?.to_owned();
        Some(
            self.frames
                .revocation(&message_id, &session_id, kind, status),
        )
    }

    /// The socket is gone.
    pub fn closed(&mut self, conn: ConnId, by_client: bool) {
        if let Some(socket) = self.sockets.get_mut(&conn) {
            socket.state = SocketState::Closed;
            socket.closed_by_client |= by_client;
        }
    }

    /// Records a subscription created for `session_id`.
    pub fn subscribe(&mut self, session_id: &str, spec: SubscriptionSpec) {
        self.subscriptions
            .entry(session_id.to_owned())
            .or_default()
            .push(spec);
    }

    /// Sockets the client has not closed and the server has not closed.
    pub fn open_sockets(&self) -> impl Iterator<Item = (ConnId, &FakeSocket)> {
        self.sockets
            .iter()
            .filter(|(_, socket)| socket.state != SocketState::Closed && !socket.closed_by_client)
            .map(|(conn, socket)| (*conn, socket))
    }
}
