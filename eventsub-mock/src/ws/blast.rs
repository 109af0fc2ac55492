//! The mock's bulk path for load tests: many notifications for one live subscription, sent as fast
//! as the socket takes them and recorded as one entry.
//!
//! [`MockEventSub::notify`] renders each frame as JSON, takes locks and records the whole text:
//! right for scenario tests, far too slow (and too much memory) to load a client with 10^5 events
//! a second. A blast renders one frame up front and only rewrites its message id per copy.

use std::ops::Range;

use futures_util::SinkExt;
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

use super::payloads;
use super::record::SocketId;
use super::server::MockEventSub;
use super::state::{Inner, SocketCommand};

/// One blast of notifications: which socket, and which message ids.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Blast {
    /// The socket they go out on: the session's current one.
    pub socket: SocketId,
    /// Its session.
    pub session_id: String,
    /// The subscription type of every notification.
    pub subscription_type: String,
    /// The id number of the first message; the others follow one by one.
    pub first_id: u64,
    /// How many notifications were asked for.
    pub count: u64,
    /// The length of each frame, in bytes.
    pub frame_bytes: usize,
}

impl Blast {
    /// The message id of the `index`th notification of the blast.
    pub fn message_id(&self, index: u64) -> String {
        Inner::message_id_of(self.first_id + index)
    }
}

/// A blast on its way to its socket: the frame rendered once, and where its id goes.
#[derive(Debug)]
pub(crate) struct BlastFrames {
    pub(crate) blast: Blast,
    template: String,
    /// The last 12 hex digits of the template's message id: all that differs between copies.
    id_digits: Range<usize>,
}

impl BlastFrames {
    /// Writes every frame, flushing only when tungstenite's write buffer is full and at the end.
    /// Returns how many reached the socket (none is counted if the final flush fails).
    pub(crate) async fn send(mut self, ws: &mut WebSocketStream<TcpStream>) -> u64 {
        for index in 0..self.blast.count {
            let digits = format!("{:012x}", self.blast.first_id + index);
            self.template.replace_range(self.id_digits.clone(), &digits);
            if ws.feed(Message::text(self.template.clone())).await.is_err() {
                return index;
            }
        }
        match ws.flush().await {
            Ok(()) => self.blast.count,
            Err(_) => 0,
        }
    }
}

impl MockEventSub {
    /// Sends `count` notifications for the first enabled subscription of type `kind`, on its
    /// session's current socket, back to back (each with its own message id, otherwise the same
    /// frame). The socket does nothing else until they are written. The record gets one
    /// [`Record::Blasted`](super::Record::Blasted) entry when it is done. `None` when no such
    /// subscription is live.
    pub fn blast(&self, kind: &str, count: u64) -> Option<Blast> {
        let subscription = self
            .shared
            .subscriptions(|s| s.kind == kind)
            .into_iter()
            .next()?;
        let session_id = subscription.transport.session_id()?.to_owned();
        let (socket, first_id) = {
            let mut inner = self.shared.lock();
            let socket = inner.sessions.get(&session_id)?.current;
            (socket, inner.reserve(count))
        };
        let first_message_id = Inner::message_id_of(first_id);
        let template = payloads::notification(
            &self.shared.frames(),
            &first_message_id,
            &subscription,
            first_id,
        );
        let id_end = template.find(&first_message_id)? + first_message_id.len();
        let blast = Blast {
            socket,
            session_id,
            subscription_type: subscription.kind,
            first_id,
            count,
            frame_bytes: template.len(),
        };
        let frames = BlastFrames {
            blast: blast.clone(),
            template,
            id_digits: id_end - 12..id_end,
        };
        self.shared
            .command(socket, SocketCommand::Blast(frames))
            .then_some(blast)
    }
}
