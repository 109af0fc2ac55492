//! A sans-IO fake of Twitch's EventSub WebSocket server: it knows which sockets the client opened,
//! which session each one carries, which subscriptions exist, and everything it ever sent.

use std::collections::BTreeMap;
use std::time::Instant;

use eventsub_proto::{ConnId, Created, RequestError, SubscriptionId, SubscriptionSpec, Url};

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

/// What Twitch enforces on a user token's WebSocket subscriptions when it creates one (429s, as
/// Helix words them), and the `max_total_cost` its answers report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TwitchLimits {
    /// Enabled subscriptions on one session (Twitch: 300).
    pub per_session: usize,
    /// Sessions with enabled subscriptions per token (Twitch: 3).
    pub sessions: usize,
    /// The token's `max_total_cost`.
    pub max_total_cost: u32,
}

/// A subscription Twitch holds, enabled on its session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeSubscription {
    /// Its id.
    pub id: SubscriptionId,
    /// What it is.
    pub spec: SubscriptionSpec,
    /// What Twitch charged for it.
    pub cost: u32,
}

/// A creation Twitch refused for one of its [`TwitchLimits`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitRefusal {
    /// The session it was asked for.
    pub session_id: String,
    /// What was asked.
    pub spec: SubscriptionSpec,
    /// Twitch's message.
    pub message: &'static str,
}

/// The fake server.
#[derive(Debug)]
pub struct FakeTwitch {
    /// Every socket the client ever opened.
    pub sockets: BTreeMap<ConnId, FakeSocket>,
    /// Enabled subscriptions per session id (a session's are gone once no socket carries it).
    pub subscriptions: BTreeMap<String, Vec<FakeSubscription>>,
    /// The limits [`FakeTwitch::create`] enforces; `None` (the default) creates whatever is
    /// asked, on any session, and reports each session's cost alone as `total_cost`.
    pub limits: Option<TwitchLimits>,
    /// Every creation refused for a limit.
    pub limit_refusals: Vec<LimitRefusal>,
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
            limits: None,
            limit_refusals: Vec::new(),
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

    /// The socket is gone; so are its session's subscriptions when no other socket carries the
    /// session (Twitch disables a WebSocket's subscriptions when it disconnects).
    pub fn closed(&mut self, conn: ConnId, by_client: bool) {
        let Some(socket) = self.sockets.get_mut(&conn) else {
            return;
        };
        let session = socket.session_id().map(str::to_owned);
        socket.state = SocketState::Closed;
        socket.closed_by_client |= by_client;
        if let Some(session) = session {
            if self.socket_of(&session).is_none() {
                self.subscriptions.remove(&session);
            }
        }
    }

    /// The newest open socket that carries `session_id`: where Twitch sends its messages.
    pub fn socket_of(&self, session_id: &str) -> Option<ConnId> {
        self.open_sockets()
            .filter(|(_, socket)| socket.session_id() == Some(session_id))
            .map(|(conn, _)| conn)
            .last()
    }

    /// The session whose enabled subscriptions include `spec`.
    pub fn holder(&self, spec: &SubscriptionSpec) -> Option<&str> {
        self.subscriptions
            .iter()
            .find(|(_, held)| held.iter().any(|held| &held.spec == spec))
            .map(|(session, _)| session.as_str())
    }

    /// What the token's enabled subscriptions cost, over every session.
    pub fn total_cost(&self) -> u32 {
        self.subscriptions
            .values()
            .flatten()
            .map(|held| held.cost)
            .sum()
    }

    /// Creates `spec` on `session_id` as Helix would, charging `cost`; with [`FakeTwitch::limits`]
    /// it is refused when the session is gone (400) or a limit would be exceeded (429, recorded in
    /// [`FakeTwitch::limit_refusals`]).
    pub fn create(
        &mut self,
        session_id: &str,
        id: SubscriptionId,
        spec: SubscriptionSpec,
        cost: u32,
    ) -> Result<Created, RequestError> {
        let max_total_cost = match self.limits {
            Some(limits) => {
                self.check_limits(session_id, &spec, cost, limits)?;
                limits.max_total_cost
            }
            None => 10,
        };
        let held = self.subscriptions.entry(session_id.to_owned()).or_default();
        held.push(FakeSubscription {
            id: id.clone(),
            spec,
            cost,
        });
        let total_cost = match self.limits {
            Some(_) => self.total_cost(),
            // The session's own, as this fake always answered.
            None => held.iter().map(|held| held.cost).sum(),
        };
        Ok(Created::new(id, cost, total_cost, max_total_cost))
    }

    fn check_limits(
        &mut self,
        session_id: &str,
        spec: &SubscriptionSpec,
        cost: u32,
        limits: TwitchLimits,
    ) -> Result<(), RequestError> {
        if self.socket_of(session_id).is_none() {
            return Err(RequestError::Rejected {
                status: 400,
                message: "websocket transport session does not exist or has already disconnected"
                    .to_owned(),
            });
        }
        let held = self.subscriptions.get(session_id);
        // The same type and condition on the same transport.
        if held.is_some_and(|held| held.iter().any(|held| &held.spec == spec)) {
            return Err(RequestError::AlreadyExists);
        }
        let on_session = held.map_or(0, Vec::len);
        let sessions = self
            .subscriptions
            .iter()
            .filter(|(session, held)| !held.is_empty() && session.as_str() != session_id)
            .count();
        let message = if on_session == 0 && sessions >= limits.sessions {
            "number of websocket transports limit exceeded"
        } else if on_session >= limits.per_session {
            "number of subscriptions on this websocket transport limit exceeded"
        } else if self.total_cost() + cost > limits.max_total_cost {
            "total cost of subscriptions exceeds max_total_cost"
        } else {
            return Ok(());
        };
        self.limit_refusals.push(LimitRefusal {
            session_id: session_id.to_owned(),
            spec: spec.clone(),
            message,
        });
        Err(RequestError::Rejected {
            status: 429,
            message: message.to_owned(),
        })
    }

    /// Deletes subscription `id`, wherever it is; returns whether it existed.
    pub fn delete(&mut self, id: &SubscriptionId) -> bool {
        let mut found = false;
        for held in self.subscriptions.values_mut() {
            let before = held.len();
            held.retain(|held| &held.id != id);
            found |= held.len() != before;
        }
        self.subscriptions.retain(|_, held| !held.is_empty());
        found
    }

    /// Sockets the client has not closed and the server has not closed.
    pub fn open_sockets(&self) -> impl Iterator<Item = (ConnId, &FakeSocket)> {
        self.sockets
            .iter()
            .filter(|(_, socket)| socket.state != SocketState::Closed && !socket.closed_by_client)
            .map(|(conn, socket)| (*conn, socket))
    }
}
