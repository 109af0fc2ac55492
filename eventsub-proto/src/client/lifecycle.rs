//! Sockets opening, failing and closing; when to retry; stopping.

use std::cmp::Ordering;
use std::time::{Duration, Instant, SystemTime};

use url::Url;

use super::{Candidate, Client, GapStart, Retry, Takeover};
use crate::close::{ClientCloseCode, CloseCode, CloseDisposition};
use crate::connection::{ConnState, Connection, Lost, ReadUpTo};
use crate::error::InputError;
use crate::event::{DisconnectCause, Event, StopReason};
use crate::ids::ConnId;
use crate::io::Output;

impl Client {
    pub(super) fn open_candidate(&mut self, takeover: Takeover, url: Url) {
        if let Some(previous) = self.candidate.take() {
            // It never welcomed: there is no session on it to close politely, and waiting for a
            // close handshake would only keep another socket open.
            self.drop_socket(previous.conn);
        }
        let conn = ConnId::next(&mut self.last_conn);
        let deadline = self.deadline_after(self.config.connect_timeout);
        self.connections
            .push(Connection::connecting(conn, deadline));
        self.candidate = Some(Candidate { conn, takeover });
        self.outputs.push_back(Output::Connect { conn, url });
    }

    /// The server asked for a handover to `url` (already checked): open it now, or when its turn
    /// comes (the latest URL wins).
    pub(super) fn request_handover(&mut self, url: Url) {
        // A newer reconnect supersedes any fresh connection still waiting.
        self.reconnect_at = None;
        self.pending_handover = Some(url);
        self.start_pending_handover();
    }

    /// When the waiting handover may start, if nothing but time holds it back.
    pub(super) fn pending_handover_at(&self) -> Option<Instant> {
        if self.pending_handover.is_none() || self.any_closing() {
            // A closing socket holds it: its `Closed` input (always given) moves it on, not a timer.
            return None;
        }
        let at = self.next_immediate_connect_at();
        if !self.candidate_awaits_welcome() {
            return Some(at);
        }
        // The candidate it would replace may have its welcome (and the session's next
        // notifications) unread in its socket: while the adapter does not read, its silence says
        // nothing, so it is not replaced; once reading resumes, its frames get the pace's time to
        // be read first. `ReadingResumed` comes as an input, and the deadline is asked again.
        if self.reading_paused.is_some() {
            return None;
        }
        let read_again = self
            .reading_resumed_at
            .and_then(|resumed| resumed.checked_add(self.config.min_reconnect_interval));
        Some(read_again.map_or(at, |read_again| at.max(read_again)))
    }

    /// Whether the candidate is open and waits for its welcome.
    fn candidate_awaits_welcome(&self) -> bool {
        self.candidate
            .and_then(|candidate| self.connection(candidate.conn))
            .is_some_and(|connection| matches!(connection.state, ConnState::AwaitingWelcome))
    }

    /// Opens the waiting handover's connection if its turn has come.
    pub(super) fn start_pending_handover(&mut self) {
        if self.pending_handover.is_none() {
            return;
        }
        if self.stopped || self.primary.is_none() {
            self.pending_handover = None;
            return;
        }
        if self.pending_handover_at().is_some_and(|at| at <= self.now) {
            if let Some(url) = self.pending_handover.take() {
                self.last_immediate_connect = Some(self.now);
                self.open_candidate(Takeover::Handover, url);
            }
        }
    }

    fn any_closing(&self) -> bool {
        self.connections.iter().any(Connection::is_closing)
    }

    /// A handover that cannot happen (its URL was refused): like a candidate that failed, the
    /// live session goes on while a fresh connection is planned with backoff, before Twitch ends
    /// the session (4004).
    pub(super) fn handover_failed(&mut self) {
        if self.reconnect_at.is_some() {
            return; // a fresh connection is already planned: one failure, one attempt
        }
        match self.plan_retry(CloseDisposition::ReconnectWithBackoff) {
            Retry::Now => self.open_immediately(),
            Retry::At(at) => self.reconnect_at = Some(at),
            Retry::UnderWay => {}
            Retry::Stop(reason) => self.stop(reason),
        }
    }

    fn open_immediately(&mut self) {
        self.last_immediate_connect = Some(self.now);
        self.open_candidate(Takeover::Fresh, self.fresh_url.clone());
    }

    /// The core gives up on a connection (timeout): close it and act as if it ended.
    pub(super) fn abandon(&mut self, conn: ConnId, cause: DisconnectCause) {
        let Some(lost) = self.connection(conn).map(Connection::lost) else {
            return;
        };
        if lost.live_since.is_some() {
            self.close(conn, ClientCloseCode::GoingAway);
        } else {
            // Never welcomed: nothing to close politely.
            self.drop_socket(conn);
        }
        self.after_connection_lost(conn, cause, lost);
    }

    /// The adapter reports a socket gone.
    pub(super) fn connection_ended(
        &mut self,
        conn: ConnId,
        cause: DisconnectCause,
    ) -> Result<(), InputError> {
        let index = self
            .connections
            .iter()
            .position(|connection| connection.id == conn)
            .ok_or(InputError::UnknownConnection { conn })?;
        let connection = self.connections.swap_remove(index);
        let lost = connection.lost();
        if self.stopped {
            return Ok(());
        }
        if connection.is_closing() {
            // One fewer closing socket: a handover waiting for that may start now.
            self.start_pending_handover();
        }
        if !connection.is_closing() {
            self.after_connection_lost(conn, cause, lost);
        } else if let Some(replaced_at) = lost.replaced_at {
            // A socket replaced by another ended before its drain was done (no close frame came to
            // answer ours): what it still carried is lost, though the session lives on. That is a
            // gap too, and it is reported as one.
            if cause.close_code() == Some(CloseCode::ABNORMAL) {
                self.widen_gap(replaced_at, lost.read_up_to);
            }
        }
        Ok(())
    }

    /// Opens a gap that began at `began`, where everything was read up to `read_up_to`, or widens
    /// the open one to take it in.
    ///
    /// A gap's `from` is that of the loss that began first (by the local monotonic clock, like
    /// its `lost_at`), not the smallest timestamp: a loss that began later lies inside the gap
    /// already, on a socket whose frames came after the gap's start. On Twitch's steady clock both
    /// rules agree; but timestamps from different sessions need not be ordered as the sessions
    /// were (a server whose clock was moved back between them, as the soak's clock-skew fault
    /// does), and the smallest timestamp, the welcome of a session opened after the loss, would
    /// start the catch-up after what was lost.
    pub(super) fn widen_gap(&mut self, began: Instant, read_up_to: Option<ReadUpTo>) {
        let from = match read_up_to {
            Some(ReadUpTo::Sent(sent_at)) => Some(sent_at),
            Some(ReadUpTo::Arrived(arrived_at)) => self.twitch_clock.twitch_time(arrived_at),
            // Nothing read on it: the loss itself is the earliest moment known.
            None => None,
        }
        .or_else(|| self.twitch_clock.twitch_time_at(began))
        // No control frame was ever read, so no session was ever live and no gap can open: an
        // invariant, kept without a panic by the earliest time there is.
        .unwrap_or(SystemTime::UNIX_EPOCH);
        let gap = self.gap.get_or_insert(GapStart {
            lost_at: began,
            from,
        });
        match began.cmp(&gap.lost_at) {
            Ordering::Less => {
                *gap = GapStart {
                    lost_at: began,
                    from,
                }
            }
            Ordering::Equal => gap.from = gap.from.min(from),
            Ordering::Greater => {}
        }
        let from = gap.from;
        self.catch_up_gap_opening(from);
    }

    pub(super) fn after_connection_lost(
        &mut self,
        conn: ConnId,
        cause: DisconnectCause,
        lost: Lost,
    ) {
        let was_primary = self.primary == Some(conn);
        let was_candidate = self
            .candidate
            .is_some_and(|candidate| candidate.conn == conn);
        if !(was_primary || was_candidate) {
            return; // a socket we were already done with
        }
        if was_primary {
            self.primary = None;
            // A reconnect URL belongs to the session that sent it.
            self.pending_handover = None;
            // The next fresh session asks for everything again.
            self.creation_retry_at = None;
            if lost.live_since.is_some_and(|since| {
                self.now.saturating_duration_since(since) >= self.config.backoff.healthy_after
            }) {
                self.failures = 0;
            }
            // The gap first: what was enabled until now was live when it began.
            self.widen_gap(self.now, lost.read_up_to);
            self.subscriptions.session_lost();
        } else {
            self.candidate = None;
        }
        let disposition = match &cause {
            // A fatal code is fatal on the live session's socket only. A candidate never carried a
            // session nor sent a frame: its close is a failed handover, retried with backoff.
            DisconnectCause::Closed { code, .. }
                if was_candidate && code.disposition() == CloseDisposition::Stop =>
            {
                CloseDisposition::ReconnectWithBackoff
            }
            DisconnectCause::Closed { code, .. } => code.disposition(),
            DisconnectCause::KeepaliveTimeout { .. } => CloseDisposition::ReconnectNow,
            _ => CloseDisposition::ReconnectWithBackoff,
        };
        let retry = match (&cause, disposition) {
            (DisconnectCause::Closed { reason, .. }, CloseDisposition::Stop) => {
                Retry::Stop(StopReason::InboundTrafficRejected {
                    reason: reason.clone(),
                })
            }
            _ => self.plan_retry(disposition),
        };
        let retry_at = match retry {
            Retry::Now => Some(self.now),
            Retry::At(at) => Some(at),
            Retry::UnderWay | Retry::Stop(_) => None,
        };
        let retry_in = retry_at.map(|at| at.saturating_duration_since(self.now));
        self.emit(if was_primary {
            Event::Disconnected {
                conn,
                cause,
                retry_at,
                retry_in,
            }
        } else {
            Event::ConnectFailed {
                conn,
                cause,
                retry_at,
                retry_in,
            }
        });
        match retry {
            Retry::Now => self.open_immediately(),
            Retry::At(at) => self.reconnect_at = Some(at),
            Retry::UnderWay => {}
            Retry::Stop(reason) => self.stop(reason),
        }
    }

    /// When the next connection attempt starts after a loss. Counts the attempt.
    pub(super) fn plan_retry(&mut self, disposition: CloseDisposition) -> Retry {
        if self.candidate.is_some() {
            return Retry::UnderWay;
        }
        if let Some(max) = self.config.backoff.max_attempts {
            if self.failures >= max {
                return Retry::Stop(StopReason::GaveUp {
                    attempts: self.failures,
                });
            }
        }
        // "At once" only for the first failure in a row: a server that keeps closing at once
        // still meets a growing backoff, never a tight loop.
        let delay = if disposition == CloseDisposition::ReconnectNow && self.failures == 0 {
            Duration::ZERO
        } else {
            self.config.backoff.delay(self.failures, self.config.seed)
        };
        self.failures = self.failures.saturating_add(1);
        // Never sooner than the pace of immediate connections allows.
        let at = self
            .deadline_after(delay)
            .max(self.next_immediate_connect_at());
        if at <= self.now {
            Retry::Now
        } else {
            Retry::At(at)
        }
    }

    pub(super) fn stop(&mut self, reason: StopReason) {
        if self.stopped {
            return;
        }
        let open: Vec<ConnId> = self
            .connections
            .iter()
            .filter(|connection| !connection.is_closing())
            .map(|connection| connection.id)
            .collect();
        for conn in open {
            self.close(conn, ClientCloseCode::Normal);
        }
        self.primary = None;
        self.candidate = None;
        self.reconnect_at = None;
        self.pending_handover = None;
        self.stopped = true;
        self.catch_up_stop();
        self.stop_reason = Some(reason.clone());
        self.emit(Event::Stopped { reason });
    }

    /// Drops a socket that never welcomed, without a close handshake.
    pub(super) fn drop_socket(&mut self, conn: ConnId) {
        if let Ok(connection) = self.connection_mut(conn) {
            if !connection.is_closing() {
                connection.start_closing(None, 0);
                self.outputs.push_back(Output::Abort { conn });
            }
        }
    }

    /// Sends the close frame. The socket is still read until the server answers: what it sent
    /// before it saw the close (after a handover, the old socket's last notifications) is
    /// delivered, however long the adapter leaves it unread.
    pub(super) fn close(&mut self, conn: ConnId, code: ClientCloseCode) {
        let answer_deadline = self.deadline_after(self.config.close_timeout);
        let drain_bytes = self.config.max_close_drain_bytes;
        if let Ok(connection) = self.connection_mut(conn) {
            if !connection.is_closing() {
                connection.start_closing(Some(answer_deadline), drain_bytes);
                self.outputs.push_back(Output::Close { conn, code });
            }
        }
    }

    /// The server did not answer the close frame within the close timeout of reading (or sent more
    /// than `max_close_drain_bytes` meanwhile): the socket is dropped. What it still carried unread is lost; the `Closed` the adapter reports for it
    /// says so (a replaced socket's loss opens a gap, see `connection_ended`).
    pub(super) fn close_unanswered(&mut self, conn: ConnId) {
        if let Ok(connection) = self.connection_mut(conn) {
            connection.give_up_closing();
            self.outputs.push_back(Output::Abort { conn });
        }
    }
}
