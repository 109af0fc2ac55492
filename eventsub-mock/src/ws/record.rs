//! Everything the mock sent and received, in order, so a test can prove what was lost or
//! duplicated.

use std::fmt;
use std::time::Instant;

use super::bad_frame::BadFrame;
use super::blast::Blast;

/// Names one WebSocket connection the mock accepted (a reconnect is a new socket).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SocketId(pub u64);

impl fmt::Display for SocketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "socket#{}", self.0)
    }
}

/// A frame the mock sent.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SentFrame {
    /// The socket it went out on.
    pub socket: SocketId,
    /// The session of that socket.
    pub session_id: String,
    /// `metadata.message_id`.
    pub message_id: String,
    /// `metadata.message_type`.
    pub message_type: String,
    /// `metadata.subscription_type` of notifications and revocations.
    pub subscription_type: Option<String>,
    /// The frame as sent.
    pub text: String,
}

impl SentFrame {
    /// A frame of `message_type` with `message_id`, sent as `text` on `socket` of session
    /// `session_id`: what the mock records, made by hand for the tests of code that reads its
    /// records. A notification or revocation names its subscription type with
    /// [`SentFrame::with_subscription_type`].
    ///
    /// ```
    /// use eventsub_mock::{SentFrame, SocketId};
    /// let frame = SentFrame::new(SocketId(1), "session", "m-1", "notification", "{}")
    ///     .with_subscription_type("stream.online");
    /// assert_eq!(frame.socket, SocketId(1));
    /// assert_eq!((frame.session_id.as_str(), frame.message_id.as_str()), ("session", "m-1"));
    /// assert_eq!((frame.message_type.as_str(), frame.text.as_str()), ("notification", "{}"));
    /// assert_eq!(frame.subscription_type.as_deref(), Some("stream.online"));
    /// ```
    pub fn new(
        socket: SocketId,
        session_id: impl Into<String>,
        message_id: impl Into<String>,
        message_type: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        Self {
            socket,
            session_id: session_id.into(),
            message_id: message_id.into(),
            message_type: message_type.into(),
            subscription_type: None,
            text: text.into(),
        }
    }

    /// The subscription type of a notification or revocation.
    #[must_use]
    pub fn with_subscription_type(mut self, subscription_type: impl Into<String>) -> Self {
        self.subscription_type = Some(subscription_type.into());
        self
    }
}

/// What the client sent or did, as the mock saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Received {
    /// A text frame (forbidden: answered with 4001).
    Text(String),
    /// A binary frame (forbidden: answered with 4001).
    Binary(usize),
    /// A ping frame.
    Ping,
    /// A pong frame (the answer to a ping).
    Pong,
    /// A close frame with this code.
    Close(Option<u16>),
}

impl Received {
    /// Whether this is a data frame, which Twitch answers with 4001.
    pub fn is_data(&self) -> bool {
        matches!(self, Self::Text(_) | Self::Binary(_))
    }
}

/// How a socket ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ended {
    /// The server closed it with this code.
    ByServer(u16),
    /// The client closed it with this code (`None`: a close frame without a code).
    ByClient(Option<u16>),
    /// The server dropped the TCP connection without a close frame (fault injection).
    Dropped,
    /// The connection broke (the client went away without a close frame).
    Broken,
}

/// One entry of the mock's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// A socket was accepted, at this path and query.
    Opened {
        /// The socket.
        socket: SocketId,
        /// The request target, such as `/ws?keepalive_timeout_seconds=10`.
        target: String,
    },
    /// A frame went out.
    Sent(SentFrame),
    /// A faulty frame went out ([`MockEventSub::inject`](super::MockEventSub::inject)).
    Injected {
        /// The socket.
        socket: SocketId,
        /// Which fault.
        frame: BadFrame,
        /// Its length in bytes.
        len: usize,
    },
    /// Something came in.
    Received {
        /// The socket.
        socket: SocketId,
        /// What.
        what: Received,
    },
    /// A blast went out ([`MockEventSub::blast`](super::MockEventSub::blast)): its first `sent`
    /// notifications reached the socket.
    Blasted {
        /// What was asked for.
        blast: Blast,
        /// How many were written.
        sent: u64,
    },
    /// A socket ended.
    Ended {
        /// The socket.
        socket: SocketId,
        /// How.
        how: Ended,
    },
}

/// The log, with queries for tests.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Records {
    /// Every entry, in order.
    pub entries: Vec<(Instant, Record)>,
}

impl Records {
    pub(crate) fn push(&mut self, record: Record) {
        self.entries.push((Instant::now(), record));
    }

    /// Every frame sent, in order.
    pub fn sent(&self) -> impl Iterator<Item = &SentFrame> {
        self.entries.iter().filter_map(|(_, record)| match record {
            Record::Sent(frame) => Some(frame),
            _ => None,
        })
    }

    /// The blasts written, in order, with how many of each reached the socket.
    pub fn blasts(&self) -> Vec<(&Blast, u64)> {
        self.entries
            .iter()
            .filter_map(|(_, record)| match record {
                Record::Blasted { blast, sent } => Some((blast, *sent)),
                _ => None,
            })
            .collect()
    }

    /// The notifications sent one by one, in order (one entry per frame, duplicates included;
    /// blasts are in [`Records::blasts`]).
    pub fn sent_notifications(&self) -> Vec<&SentFrame> {
        self.sent()
            .filter(|frame| frame.message_type == "notification")
            .collect()
    }

    /// The distinct message ids of the notifications sent, in first-sent order.
    pub fn notification_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for frame in self.sent_notifications() {
            if !ids.contains(&frame.message_id) {
                ids.push(frame.message_id.clone());
            }
        }
        ids
    }

    /// Every data frame (text or binary) a client sent: should always be empty.
    pub fn client_data_frames(&self) -> Vec<(SocketId, Received)> {
        self.entries
            .iter()
            .filter_map(|(_, record)| match record {
                Record::Received { socket, what } if what.is_data() => {
                    Some((*socket, what.clone()))
                }
                _ => None,
            })
            .collect()
    }

    /// The faulty frames injected, in order.
    pub fn injected(&self) -> Vec<(SocketId, BadFrame)> {
        self.entries
            .iter()
            .filter_map(|(_, record)| match record {
                Record::Injected { socket, frame, .. } => Some((*socket, *frame)),
                _ => None,
            })
            .collect()
    }

    /// How each socket ended, in order.
    pub fn endings(&self) -> Vec<(SocketId, Ended)> {
        self.entries
            .iter()
            .filter_map(|(_, record)| match record {
                Record::Ended { socket, how } => Some((*socket, how.clone())),
                _ => None,
            })
            .collect()
    }

    /// The request targets of the sockets opened, in order.
    pub fn opened(&self) -> Vec<(SocketId, String)> {
        self.entries
            .iter()
            .filter_map(|(_, record)| match record {
                Record::Opened { socket, target } => Some((*socket, target.clone())),
                _ => None,
            })
            .collect()
    }
}
