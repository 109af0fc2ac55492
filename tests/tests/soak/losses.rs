//! The end of a round: every notification lost in it must lie in a reported gap's window.

use std::time::Instant;

use eventsub_tests::mock_eventsub::SocketId;
use eventsub_tests::mock_helix::MockSubscription;

use crate::Soak;

/// The stretch of time some moment is known to lie in.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    pub(crate) from: Instant,
    pub(crate) to: Instant,
}

/// A notification queued on sockets.
#[derive(Clone, Debug)]
pub(crate) struct Handed {
    pub(crate) number: u64,
    /// When it was queued.
    pub(crate) at: Span,
    /// Where: it goes out on each unless the socket ends first.
    pub(crate) sockets: Vec<SocketId>,
}

impl Soak {
    /// Whether a notification queued this round is still on its way: not sent yet, and one of its
    /// sockets still open. Until none is, the round cannot be judged.
    pub(crate) fn in_flight(&self) -> bool {
        self.handed.iter().any(|handed| {
            !self.ledger.was_sent(handed.number)
                && handed
                    .sockets
                    .iter()
                    .any(|socket| self.ledger.is_open(*socket))
        })
    }

    /// Checks that every lost notification of the round lies in a reported gap's window; forgets
    /// the round.
    pub(crate) fn close_round(&mut self) {
        let lost = match self.ledger.close_round() {
            Ok(lost) => lost,
            Err(error) => self.fail(&error),
        };
        let unsent = std::mem::take(&mut self.unsent_at);
        let handed = std::mem::take(&mut self.handed);
        let never_sent = handed
            .into_iter()
            .filter(|handed| !self.ledger.was_sent(handed.number))
            .map(|handed| {
                let what = format!(
                    "notification #{}, its sockets {:?} ended before its turn",
                    handed.number, handed.sockets
                );
                (handed.at, what)
            });
        let lost =
            lost.iter()
                .map(|(number, owed)| {
                    let what = format!("notification #{number} sent on {}", owed.socket);
                    let at = Span {
                        from: owed.sent_at,
                        to: owed.sent_at,
                    };
                    (at, what)
                })
                .chain(never_sent)
                .chain(unsent.into_iter().map(|(at, state)| {
                    (at, format!("an attempt that found no session ({state})"))
                }));
        for (at, what) in lost {
            if self.observer.gap_covering(at.from, at.to).is_none() {
                let (from, to) = (
                    self.clock.since_start(at.from),
                    self.clock.since_start(at.to),
                );
                self.fail(&format!(
                    "{what}, lost between {from:.3?} and {to:.3?}, lies in no reported gap's window"
                ));
            }
        }
        // Twitch forgets disconnected subscriptions too; the mock would keep every one.
        self.mock
            .helix()
            .subscriptions
            .retain(MockSubscription::is_enabled);
        self.rss.sample();
    }
}
