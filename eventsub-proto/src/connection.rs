//! One socket's life: Connecting → AwaitingWelcome → Live → Closing, and the one deadline each state has.

use std::time::{Duration, Instant, SystemTime};

use crate::ids::{ConnId, SessionId};

/// Where one socket stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ConnState {
    /// `Output::Connect` was emitted; deadline: connect timeout.
    Connecting,
    /// The socket is open; deadline: welcome timeout.
    AwaitingWelcome,
    /// The welcome arrived; deadline: last message + keepalive + grace.
    Live {
        session_id: SessionId,
        keepalive: Duration,
        silence_allowed: Duration,
        live_since: Instant,
        last_message_at: Instant,
    },
    /// The core asked for it to be closed; frames that still arrive are used. Deadline, after a
    /// close frame ([`Output::Close`](crate::Output::Close)): the close timeout, counted only
    /// while the adapter reads, for the server's answer; none after
    /// [`Output::Abort`](crate::Output::Abort), which ends it at once.
    Closing,
}

#[derive(Clone, Debug)]
pub(crate) struct Connection {
    pub(crate) id: ConnId,
    pub(crate) state: ConnState,
    pub(crate) deadline: Option<Instant>,
    /// `message_timestamp` of the latest message read on this socket, kept as text: it is parsed
    /// only when a gap needs it, not for every message.
    last_message_timestamp: String,
    /// When that message arrived.
    last_message_received_at: Option<SystemTime>,
    /// When another socket took the session over from this one. It is drained from then on: read
    /// until the server answers the client's close, since frames may still be on their way.
    replaced_at: Option<Instant>,
    /// While closing with a handshake: how many more bytes the socket may deliver before the
    /// client stops waiting for the answer ([`Config::max_close_drain_bytes`](crate::Config::max_close_drain_bytes)).
    drain_left: usize,
}

/// What the client still needs of a connection it lost.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lost {
    pub(crate) live_since: Option<Instant>,
    pub(crate) read_up_to: Option<ReadUpTo>,
    pub(crate) replaced_at: Option<Instant>,
}

/// Up to when everything Twitch sent on a socket has been read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReadUpTo {
    /// The send time of the latest message read, on Twitch's clock.
    Sent(SystemTime),
    /// Its arrival on the local wall clock: its timestamp did not parse.
    Arrived(SystemTime),
}

impl Connection {
    pub(crate) fn connecting(id: ConnId, deadline: Instant) -> Self {
        Self {
            id,
            state: ConnState::Connecting,
            deadline: Some(deadline),
            last_message_timestamp: String::new(),
            last_message_received_at: None,
            replaced_at: None,
            drain_left: 0,
        }
    }

    pub(crate) fn opened(&mut self, welcome_deadline: Instant) {
        if self.state == ConnState::Connecting {
            self.state = ConnState::AwaitingWelcome;
            self.deadline = Some(welcome_deadline);
        }
    }

    pub(crate) fn go_live(
        &mut self,
        session_id: SessionId,
        keepalive: Duration,
        silence_allowed: Duration,
        now: Instant,
    ) {
        self.state = ConnState::Live {
            session_id,
            keepalive,
            silence_allowed,
            live_since: now,
            last_message_at: now,
        };
        self.deadline = now.checked_add(silence_allowed);
    }

    /// Any frame from the server proves the socket alive: the keepalive watch restarts.
    pub(crate) fn heard_from(&mut self, now: Instant) {
        if let ConnState::Live {
            silence_allowed,
            last_message_at,
            ..
        } = &mut self.state
        {
            *last_message_at = now;
            self.deadline = now.checked_add(*silence_allowed);
        }
    }

    /// Whether this socket's deadline waits for the server to say something (the welcome, any
    /// message under the keepalive watch, or the answer to the client's close frame), which it
    /// cannot be heard doing while unread.
    pub(crate) fn waits_for_server(&self) -> bool {
        match self.state {
            ConnState::AwaitingWelcome | ConnState::Live { .. } => true,
            // A socket being closed with a handshake has a deadline; one dropped has none.
            ConnState::Closing => self.deadline.is_some(),
            ConnState::Connecting => false,
        }
    }

    /// The adapter reads again after a pause of `paused_for`: the wait for the server's next word
    /// restarts with its full window, as if the server had just spoken (time spent unread does not
    /// count as silence); the wait for the answer to a close frame goes on where it stopped, so
    /// reading time alone uses it up and a server that never answers cannot hold the socket
    /// however often reading pauses.
    pub(crate) fn reading_resumed(
        &mut self,
        now: Instant,
        welcome_timeout: Duration,
        paused_for: Duration,
    ) {
        match &mut self.state {
            ConnState::AwaitingWelcome => self.deadline = now.checked_add(welcome_timeout),
            ConnState::Live {
                silence_allowed,
                last_message_at,
                ..
            } => {
                *last_message_at = now;
                self.deadline = now.checked_add(*silence_allowed);
            }
            ConnState::Closing => {
                // An unrepresentable deadline is never: the socket waits for its answer.
                self.deadline = self.deadline.and_then(|at| at.checked_add(paused_for));
            }
            ConnState::Connecting => {}
        }
    }

    /// A message sent at `message_timestamp` was read: everything sent on this socket before it
    /// has been read too (one TCP stream delivers in order).
    pub(crate) fn read_message(&mut self, message_timestamp: &str, received_at: SystemTime) {
        self.last_message_timestamp.clear();
        self.last_message_timestamp.push_str(message_timestamp);
        self.last_message_received_at = Some(received_at);
    }

    /// Up to when everything Twitch sent on this socket has been read: the send time of the latest
    /// message read, on Twitch's clock (not its arrival, which lags behind a busy reader), or its
    /// arrival when the timestamp does not parse; `None` before the first message.
    pub(crate) fn read_up_to(&self) -> Option<ReadUpTo> {
        let received_at = self.last_message_received_at?;
        Some(
            crate::stale::system_time(&self.last_message_timestamp)
                .map_or(ReadUpTo::Arrived(received_at), ReadUpTo::Sent),
        )
    }

    pub(crate) fn lost(&self) -> Lost {
        Lost {
            live_since: self.live_since(),
            read_up_to: self.read_up_to(),
            replaced_at: self.replaced_at,
        }
    }

    /// Another socket took the session over at `now`: this one is drained, then closed.
    pub(crate) fn replaced(&mut self, now: Instant) {
        self.replaced_at.get_or_insert(now);
    }

    /// The client sent its close frame (or dropped the socket, with no `answer_deadline`): it
    /// waits for the server's answer until `answer_deadline`, reading what comes meanwhile.
    pub(crate) fn start_closing(&mut self, answer_deadline: Option<Instant>, drain_bytes: usize) {
        self.state = ConnState::Closing;
        self.deadline = answer_deadline;
        self.drain_left = drain_bytes;
    }

    /// A frame of `len` bytes was read while closing with a handshake: whether the socket has now
    /// delivered more than it may before its answer (a server that keeps a closing socket busy).
    pub(crate) fn drained(&mut self, len: usize) -> bool {
        if self.state != ConnState::Closing || self.deadline.is_none() {
            return false;
        }
        match self.drain_left.checked_sub(len) {
            Some(left) => {
                self.drain_left = left;
                false
            }
            None => true,
        }
    }

    /// The server did not answer the close frame in time: the socket is dropped now, with no
    /// deadline left.
    pub(crate) fn give_up_closing(&mut self) {
        self.deadline = None;
    }

    pub(crate) fn is_closing(&self) -> bool {
        self.state == ConnState::Closing
    }

    pub(crate) fn session_id(&self) -> Option<&SessionId> {
        match &self.state {
            ConnState::Live { session_id, .. } => Some(session_id),
            _ => None,
        }
    }

    pub(crate) fn live_since(&self) -> Option<Instant> {
        match &self.state {
            ConnState::Live { live_since, .. } => Some(*live_since),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_up_to_is_the_send_time_of_the_latest_message_read() -> Result<(), &'static str> {
        let time = |text| crate::stale::system_time(text).ok_or("a valid time");
        let mut connection = Connection::connecting(ConnId::next(&mut 0), Instant::now());
        assert_eq!(connection.read_up_to(), None);
        let arrived = time("2022-11-16T10:11:20Z")?;
        connection.read_message("2022-11-16T10:11:12.5Z", arrived);
        connection.read_message("2022-11-16T10:11:13.5Z", arrived);
        assert_eq!(
            connection.read_up_to(),
            Some(ReadUpTo::Sent(time("2022-11-16T10:11:13.5Z")?))
        );
        connection.read_message("yesterday", arrived);
        assert_eq!(
            connection.read_up_to(),
            Some(ReadUpTo::Arrived(arrived)),
            "unreadable: its arrival"
        );
        Ok(())
    }
}
