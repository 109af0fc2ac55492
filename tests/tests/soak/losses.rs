//! The end of a round: every notification lost in it must lie in a reported gap's window.

use std::time::Instant;

use eventsub_tests::mock_helix::MockSubscription;

use crate::Soak;

/// The stretch of time some moment is known to lie in.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    pub(crate) from: Instant,
    pub(crate) to: Instant,
}

impl Soak {
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
            .filter(|(number, _)| !self.ledger.was_sent(*number))
            .map(|(number, at)| {
                let what = format!("notification #{number}, its socket ended before its turn");
                (at, what)
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
