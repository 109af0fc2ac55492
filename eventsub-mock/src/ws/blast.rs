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
use crate::helix::MockSubscription;

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

/// How many notifications [`MockEventSub::flood_notifications`] sends at most: without end for any
/// test (over an hour at a million a second), yet ids that still fit the mock's 48-bit message
/// numbers, with room for every id after it.
pub const FLOOD_NOTIFICATIONS: u64 = 1 << 32;

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
        let socket = self.shared.lock().sessions.get(&session_id)?.current;
        self.send_blast(socket, subscription, count)
    }

    /// Fault: a server that keeps sending and never reads. `socket` sends notifications for the
    /// first enabled subscription of type `kind` of its session, like [`MockEventSub::blast`] but
    /// without end ([`FLOOD_NOTIFICATIONS`]), as fast as the client takes them, and reads nothing
    /// meanwhile: a close frame from the client is never read, so never answered. The socket
    /// ends only when the client drops the connection (or the mock stops), recorded as
    /// [`Ended::Broken`](super::Ended::Broken) after a [`Record::Blasted`](super::Record::Blasted)
    /// entry with how many went out. Commands queued on `socket` before go out first; those
    /// queued after, never. A client must give up on such a socket at its close timeout although
    /// frames never stop coming. `None` when the socket is gone or its session has no
    /// subscription of type `kind`.
    pub fn flood_notifications(&self, socket: SocketId, kind: &str) -> Option<Blast> {
        let frames = self.flood_frames(socket, kind)?;
        let blast = frames.blast.clone();
        self.shared
            .command(socket, SocketCommand::Blast(frames))
            .then_some(blast)
    }

    /// Fault: [`MockEventSub::reconnect`] on `socket`, then [`MockEventSub::flood_notifications`]
    /// on it: the old socket of a handover keeps sending and never reads the close frame the
    /// client sends it once the new socket is welcomed. Both are queued at once, so the flood
    /// follows the `session_reconnect` before the client can act on it. `None` as for the flood.
    pub fn reconnect_then_flood(&self, socket: SocketId, kind: &str) -> Option<Blast> {
        let frames = self.flood_frames(socket, kind)?;
        let blast = frames.blast.clone();
        self.shared
            .send_reconnect_then(socket, true, Some(SocketCommand::Blast(frames)))
            .map(|_url| blast)
    }

    /// The frames of a flood on `socket` for its session's subscription of type `kind`.
    fn flood_frames(&self, socket: SocketId, kind: &str) -> Option<BlastFrames> {
        let session_id = self.shared.lock().sockets.get(&socket)?.session_id.clone();
        let subscription = self
            .shared
            .subscriptions(|s| s.kind == kind && s.transport.session_id() == Some(&session_id))
            .into_iter()
            .next()?;
        self.blast_frames(socket, subscription, FLOOD_NOTIFICATIONS)
    }

    /// Hands `socket` a blast of `count` notifications of `subscription`.
    fn send_blast(
        &self,
        socket: SocketId,
        subscription: MockSubscription,
        count: u64,
    ) -> Option<Blast> {
        let frames = self.blast_frames(socket, subscription, count)?;
        let blast = frames.blast.clone();
        self.shared
            .command(socket, SocketCommand::Blast(frames))
            .then_some(blast)
    }

    /// `count` notifications of `subscription` for `socket`, rendered once.
    fn blast_frames(
        &self,
        socket: SocketId,
        subscription: MockSubscription,
        count: u64,
    ) -> Option<BlastFrames> {
        let session_id = subscription.transport.session_id()?.to_owned();
        let first_id = self.shared.lock().reserve(count);
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
        Some(BlastFrames {
            blast,
            template,
            id_digits: id_end - 12..id_end,
        })
    }
}
