//! One WebSocket connection of the mock: the handshake (with the keepalive check), the welcome,
//! keepalives, the 4003 and 4004 timers, forbidden client frames (4001) and the commands of the
//! test.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::{Duration, Instant as TokioInstant, sleep, sleep_until};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

use super::conduit::Reroute;
use super::record::{Ended, Received, Record, SentFrame, SocketId};
use super::state::{Outgoing, SessionEntry, Shared, SocketCommand, SocketEntry};

/// How a new socket joins.
enum Join {
    /// A new session with this keepalive.
    Fresh { keepalive_secs: u64 },
    /// The next socket of a session, from a valid reconnect URL.
    Handover { session_id: String },
    /// A reconnect URL that is unknown, used or expired: 4007.
    Stale,
}

fn query(target: &str) -> HashMap<String, String> {
    let query = target.split_once('?').map_or("", |(_, query)| query);
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

fn reject(message: String) -> ErrorResponse {
    let mut response = ErrorResponse::new(Some(message));
    *response.status_mut() = StatusCode::BAD_REQUEST;
    response
}

/// Accepts the WebSocket handshake on `stream` and serves the socket until it ends.
// The handshake callback's error type is tungstenite's (a whole HTTP response).
#[allow(clippy::result_large_err)]
pub(crate) async fn serve(shared: Arc<Shared>, stream: TcpStream) {
    let target = Arc::new(Mutex::new(String::new()));
    let seen = target.clone();
    let config = shared.config.clone();
    let check = move |request: &Request, response: Response| {
        let path = request
            .uri()
            .path_and_query()
            .map_or("/ws".to_owned(), |target| target.as_str().to_owned());
        *seen.lock().unwrap_or_else(PoisonError::into_inner) = path.clone();
        match query(&path).get("keepalive_timeout_seconds") {
            None => Ok(response),
            Some(value) => match value.parse::<u64>() {
                Ok(seconds)
                    if (config.min_keepalive_secs..=config.max_keepalive_secs)
                        .contains(&seconds) =>
                {
                    Ok(response)
                }
                _ => Err(reject(format!(
                    "keepalive_timeout_seconds must be an integer between {} and {}, got {value:?}",
                    config.min_keepalive_secs, config.max_keepalive_secs
                ))),
            },
        }
    };
    let Ok(ws) = tokio_tungstenite::accept_hdr_async(stream, check).await else {
        return; // the handshake failed or was refused with an HTTP error
    };
    shared.connection_opened();
    serve_accepted(&shared, ws, target).await;
    shared.connection_ended();
}

/// Serves a socket whose handshake is done, at the request target the handshake saw.
async fn serve_accepted(
    shared: &Arc<Shared>,
    ws: WebSocketStream<TcpStream>,
    target: Arc<Mutex<String>>,
) {
    let target = target
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let params = query(&target);
    let join = match params.get("reconnect") {
        Some(token) => {
            let mut inner = shared.lock();
            match inner.tickets.remove(token) {
                Some(ticket) if ticket.expires > Instant::now() => Join::Handover {
                    session_id: ticket.session_id,
                },
                _ => Join::Stale,
            }
        }
        None => Join::Fresh {
            keepalive_secs: params
                .get("keepalive_timeout_seconds")
                .and_then(|value| value.parse().ok())
                .unwrap_or(shared.config.default_keepalive_secs),
        },
    };
    let (commands, receiver) = mpsc::unbounded_channel();
    let socket = {
        let mut inner = shared.lock();
        let socket = SocketId(inner.next());
        inner.records.push(Record::Opened { socket, target });
        socket
    };
    let (session_id, keepalive_secs, fresh) = match join {
        Join::Stale => {
            let mut task = SocketTask::new(shared.clone(), ws, socket, String::new(), 0, receiver);
            let ended = task.close(4007, "invalid reconnect").await;
            task.shared.socket_ended(socket, ended);
            return;
        }
        Join::Fresh { keepalive_secs } => {
            let session_id = format!("AQoQmock{:012}_eventsub", shared.lock().next());
            (session_id, keepalive_secs, true)
        }
        Join::Handover { session_id } => {
            let keepalive_secs = shared
                .lock()
                .sessions
                .get(&session_id)
                .map_or(shared.config.default_keepalive_secs, |s| s.keepalive_secs);
            (session_id, keepalive_secs, false)
        }
    };
    shared.lock().sockets.insert(
        socket,
        SocketEntry {
            session_id: session_id.clone(),
            commands,
            welcomed: false,
            closing: false,
        },
    );
    if fresh {
        crate::helix::lock(&shared.helix).add_known_session(&session_id);
    }
    let mut task = SocketTask::new(
        shared.clone(),
        ws,
        socket,
        session_id,
        keepalive_secs,
        receiver,
    );
    let ended = task.run(fresh).await;
    task.shared.socket_ended(socket, ended);
    task.reroute_undelivered();
}

struct SocketTask {
    shared: Arc<Shared>,
    ws: WebSocketStream<TcpStream>,
    socket: SocketId,
    session_id: String,
    keepalive: Duration,
    commands: mpsc::UnboundedReceiver<SocketCommand>,
    silent: bool,
    delay: Duration,
    /// Conduit notifications this socket took but could not send.
    undelivered: Vec<(Outgoing, Reroute)>,
}

impl SocketTask {
    fn new(
        shared: Arc<Shared>,
        ws: WebSocketStream<TcpStream>,
        socket: SocketId,
        session_id: String,
        keepalive_secs: u64,
        commands: mpsc::UnboundedReceiver<SocketCommand>,
    ) -> Self {
        Self {
            shared,
            ws,
            socket,
            session_id,
            keepalive: Duration::from_secs(keepalive_secs),
            commands,
            silent: false,
            delay: Duration::ZERO,
            undelivered: Vec::new(),
        }
    }

    /// Hands the conduit notifications this socket will never send back for another shard: the
    /// one whose write failed and those still queued. Called once the socket is gone from the
    /// shared state, so nothing more can be queued on it.
    fn reroute_undelivered(&mut self) {
        let mut undelivered = std::mem::take(&mut self.undelivered);
        while let Ok(command) = self.commands.try_recv() {
            if let SocketCommand::SendRouted(outgoing, reroute) = command {
                undelivered.push((outgoing, reroute));
            }
        }
        for (outgoing, reroute) in undelivered {
            self.shared.reroute(&outgoing, &reroute);
        }
    }

    async fn send(&mut self, outgoing: Outgoing) -> bool {
        let Outgoing {
            text,
            message_id,
            message_type,
            subscription_type,
        } = outgoing;
        let record = Record::Sent(SentFrame {
            socket: self.socket,
            session_id: self.session_id.clone(),
            message_id,
            message_type: message_type.to_owned(),
            subscription_type,
            text: text.clone(),
        });
        self.write(record, text).await
    }

    /// Writes `text` after the injected delay, recorded as `record`.
    async fn write(&mut self, record: Record, text: String) -> bool {
        if !self.delay.is_zero() {
            sleep(self.delay).await;
        }
        // Record first: a frame that reached the wire is in the record before the client can act on it.
        self.shared.record(record);
        self.ws.send(Message::text(text)).await.is_ok()
    }

    async fn send_welcome(&mut self, fresh: bool) -> bool {
        let message_id = {
            // The socket takes over its session before the welcome goes out: whatever is sent for
            // the session from now on is queued behind the welcome on this socket, and nothing can
            // still be addressed to a socket the client closes once it has seen the welcome.
            let mut inner = self.shared.lock();
            if let Some(entry) = inner.sockets.get_mut(&self.socket) {
                entry.welcomed = true;
            }
            if fresh {
                inner.sessions.insert(
                    self.session_id.clone(),
                    SessionEntry {
                        current: self.socket,
                        keepalive_secs: self.keepalive.as_secs(),
                    },
                );
            } else if let Some(session) = inner.sessions.get_mut(&self.session_id) {
                session.current = self.socket;
            }
            inner.message_id()
        };
        let text =
            self.shared
                .frames()
                .welcome(&message_id, &self.session_id, self.keepalive.as_secs());
        self.send(Outgoing {
            text,
            message_id,
            message_type: "session_welcome",
            subscription_type: None,
        })
        .await
    }

    async fn send_keepalive(&mut self) -> bool {
        let message_id = self.shared.lock().message_id();
        let text = self.shared.frames().keepalive(&message_id);
        self.send(Outgoing {
            text,
            message_id,
            message_type: "session_keepalive",
            subscription_type: None,
        })
        .await
    }

    /// Whether the session holds a subscription or is a conduit shard's transport.
    fn has_subscription(&self) -> bool {
        crate::helix::lock(&self.shared.helix).session_in_use(&self.session_id)
    }

    /// Reads until the socket ends (bounded by the close timeout), which also flushes a queued
    /// close answer.
    /// The client's answer to the server's close frame is recorded
    /// ([`Received::Close`]): a client that never answers shows none (RFC 6455 §5.5.1).
    async fn drain(&mut self) {
        let timeout = self.shared.config.close_timeout;
        let (ws, shared, socket) = (&mut self.ws, &self.shared, self.socket);
        let drain = async move {
            while let Some(Ok(message)) = ws.next().await {
                if let Message::Close(frame) = message {
                    let code = frame.map(|frame| u16::from(frame.code));
                    shared.record(Record::Received {
                        socket,
                        what: Received::Close(code),
                    });
                }
            }
        };
        let _ = tokio::time::timeout(timeout, drain).await;
    }

    /// Sends `pings` pings of the largest size a control frame allows without reading anything
    /// meanwhile, so the client's pongs pile up unread. False when the socket broke first (the
    /// client ended it).
    async fn flood_pings(&mut self, pings: u64) -> bool {
        const PAYLOAD: [u8; 125] = [b'p'; 125];
        let payload = tokio_tungstenite::tungstenite::Bytes::from_static(&PAYLOAD);
        for sent in 1..=pings {
            if self.ws.feed(Message::Ping(payload.clone())).await.is_err() {
                return false;
            }
            if sent % 64 == 0 && self.ws.flush().await.is_err() {
                return false;
            }
        }
        self.ws.flush().await.is_ok()
    }

    /// Sends a close frame and waits (bounded) for the client's answer.
    async fn close(&mut self, code: u16, reason: &str) -> Ended {
        self.shared
            .socket_closing(self.socket, &Ended::ByServer(code));
        let frame = CloseFrame {
            code: code.into(),
            reason: reason.to_owned().into(),
        };
        let _ = self.ws.close(Some(frame)).await;
        self.drain().await;
        Ended::ByServer(code)
    }

    /// Serves the socket until it ends; says how.
    async fn run(&mut self, fresh: bool) -> Ended {
        if !self.send_welcome(fresh).await {
            return Ended::Broken;
        }
        let far = TokioInstant::now() + Duration::from_secs(86_400 * 365);
        let mut keepalive_at = TokioInstant::now() + self.keepalive;
        let mut unused_at = if fresh {
            TokioInstant::now() + self.shared.config.unused_window
        } else {
            far
        };
        let mut grace_at = far;
        loop {
            tokio::select! {
                // Commands first: what the test queued before the client's close goes out first.
                biased;
                command = self.commands.recv() => {
                    let Some(command) = command else { return self.close(1001, "server stopping").await };
                    match command {
                        SocketCommand::Send(outgoing) => {
                            if !self.send(outgoing).await {
                                return Ended::Broken;
                            }
                            keepalive_at = TokioInstant::now() + self.keepalive;
                        }
                        SocketCommand::SendRouted(outgoing, reroute) => {
                            if !self.send(outgoing.clone()).await {
                                self.undelivered.push((outgoing, reroute));
                                return Ended::Broken;
                            }
                            keepalive_at = TokioInstant::now() + self.keepalive;
                        }
                        SocketCommand::Inject { frame, text } => {
                            let record = Record::Injected { socket: self.socket, frame, len: text.len() };
                            if !self.write(record, text).await {
                                return Ended::Broken;
                            }
                        }
                        SocketCommand::StartGrace(at) => grace_at = at,
                        SocketCommand::Close { code, reason } => return self.close(code, &reason).await,
                        SocketCommand::Drop => return Ended::Dropped,
                        SocketCommand::Silence(silent) => self.silent = silent,
                        SocketCommand::Delay(delay) => self.delay = delay,
                        SocketCommand::PingFlood(pings) => {
                            if !self.flood_pings(pings).await {
                                return Ended::Broken;
                            }
                        }
                        SocketCommand::Blast(frames) => {
                            let blast = frames.blast.clone();
                            let sent = frames.send(&mut self.ws).await;
                            let complete = sent == blast.count;
                            self.shared.record(Record::Blasted { blast, sent });
                            if !complete {
                                return Ended::Broken;
                            }
                            keepalive_at = TokioInstant::now() + self.keepalive;
                        }
                    }
                }
                message = self.ws.next() => {
                    let what = match message {
                        Some(Ok(Message::Text(text))) => Received::Text(text.as_str().to_owned()),
                        Some(Ok(Message::Binary(data))) => Received::Binary(data.len()),
                        Some(Ok(Message::Ping(_))) => Received::Ping,
                        Some(Ok(Message::Pong(_))) => Received::Pong,
                        Some(Ok(Message::Close(frame))) => {
                            let code = frame.map(|frame| u16::from(frame.code));
                            self.shared.record(Record::Received { socket: self.socket, what: Received::Close(code) });
                            self.shared.socket_closing(self.socket, &Ended::ByClient(code));
                            // tungstenite queued the answering close frame; flush it and finish.
                            let timeout = self.shared.config.close_timeout;
                            let ws = &mut self.ws;
                            let _ = tokio::time::timeout(timeout, async move { while let Some(Ok(_)) = ws.next().await {} }).await;
                            return Ended::ByClient(code);
                        }
                        Some(Ok(Message::Frame(_))) => continue,
                        Some(Err(_)) | None => return Ended::Broken,
                    };
                    let forbidden = what.is_data();
                    self.shared.record(Record::Received { socket: self.socket, what });
                    if forbidden {
                        return self.close(4001, "client sent inbound traffic").await;
                    }
                }
                () = sleep_until(keepalive_at), if !self.silent => {
                    if !self.send_keepalive().await {
                        return Ended::Broken;
                    }
                    keepalive_at = TokioInstant::now() + self.keepalive;
                }
                () = sleep_until(unused_at) => {
                    if !self.has_subscription() {
                        return self.close(4003, "connection unused").await;
                    }
                    unused_at = far;
                }
                () = sleep_until(grace_at) => {
                    return self.close(4004, "reconnect grace time expired").await;
                }
            }
        }
    }
}
