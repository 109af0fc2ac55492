//! One socket's life: Connecting → AwaitingWelcome → Live → Closing, and the one deadline each state has.

use std::time::{Duration, Instant};

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
    /// The core asked for it to be closed; frames that still arrive are used, no deadline.
    Closing,
}

#[derive(Clone, Debug)]
pub(crate) struct Connection {
    pub(crate) id: ConnId,
    pub(crate) state: ConnState,
    pub(crate) deadline: Option<Instant>,
}

impl Connection {
    pub(crate) fn connecting(id: ConnId, deadline: Instant) -> Self {
        Self {
            id,
            state: ConnState::Connecting,
            deadline: Some(deadline),
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

    pub(crate) fn start_closing(&mut self) {
        self.state = ConnState::Closing;
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
