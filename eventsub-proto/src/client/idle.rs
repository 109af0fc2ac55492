//! Idle: holding no socket while nothing can be subscribed, and leaving that when something is.

use super::{Client, Takeover};
use crate::close::ClientCloseCode;
use crate::event::{Event, IdleReason};

impl Client {
    /// Opens the first fresh connection, or goes idle when nothing can be subscribed.
    pub(super) fn connect_or_idle(&mut self) {
        if self.subscriptions.any_active() {
            self.open_candidate(Takeover::Fresh, self.fresh_url.clone());
        } else {
            self.go_idle();
        }
    }

    /// Goes idle if nothing can be subscribed any more. Twitch closes a session without
    /// subscriptions (4003), so holding one would only loop on reconnects.
    pub(super) fn idle_if_nothing_wanted(&mut self) {
        if !self.stopped && !self.idle && self.token_known() && !self.subscriptions.any_active() {
            self.go_idle();
        }
    }

    fn go_idle(&mut self) {
        let open: Vec<(bool, crate::ids::ConnId)> = self
            .connections
            .iter()
            .filter(|connection| !connection.is_closing())
            .map(|connection| (connection.live_since().is_some(), connection.id))
            .collect();
        for (welcomed, conn) in open {
            if welcomed {
                self.close(conn, ClientCloseCode::Normal);
            } else {
                // Never welcomed: nothing to close politely.
                self.drop_socket(conn);
            }
        }
        self.primary = None;
        self.candidate = None;
        self.reconnect_at = None;
        self.pending_handover = None;
        self.creation_retry_at = None;
        self.creation_failures = 0;
        self.failures = 0;
        // The gap ends here, unresumed: nothing is listened to from its start on (see `Event::Idle`).
        self.gap = None;
        self.catch_up_gap_abandoned();
        self.subscriptions.session_lost();
        self.idle = true;
        let reasons = self
            .subscriptions
            .entries
            .iter()
            .filter_map(|wanted| {
                wanted
                    .inactive()
                    .map(|why| IdleReason::new(wanted.spec.clone(), why))
            })
            .collect();
        self.emit(Event::Idle { reasons });
    }

    /// Something can be subscribed again: connect (once the token is known).
    pub(super) fn leave_idle(&mut self) {
        if !std::mem::take(&mut self.idle) {
            return;
        }
        if self.token_known() {
            self.connect_or_idle();
        } else {
            // The answer connects.
            self.ask_validation();
        }
    }

    /// Whether the client holds no socket because nothing can be subscribed.
    pub fn is_idle(&self) -> bool {
        self.idle
    }
}
