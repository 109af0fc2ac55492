//! The end of a round: every notification lost in it must lie in a reported gap's window.

use std::time::Instant;

use eventsub_mock::SocketId;
use eventsub_mock::helix::MockSubscription;

use crate::Soak;

/// The stretch of time some moment is known to lie in.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    pub(crate) from: Instant,
    pub(crate) to: Instant,
}

/// One event the mock notified: a message for each subscription that matched, queued on sockets.
/// While a fresh session replaces one the client still drains, both hold a subscription and the
/// event goes out twice under two message ids; it is lost only when none of them went out.
#[derive(Clone, Debug)]
pub(crate) struct Handed {
    /// When it was queued.
    pub(crate) at: Span,
    /// Each message, and where it was queued: it goes out on each socket unless that ends first.
    pub(crate) messages: Vec<(u64, Vec<SocketId>)>,
}

impl Soak {
    /// Whether a notification queued this round is still on its way: not sent yet, and one of its
    /// sockets still open. Until none is, the round cannot be judged.
    pub(crate) fn in_flight(&self) -> bool {
        self.handed
            .iter()
            .flat_map(|handed| &handed.messages)
            .any(|(number, sockets)| {
                !self.ledger.was_sent(*number)
                    && sockets.iter().any(|socket| self.ledger.is_open(*socket))
            })
    }

    /// Checks that every lost notification of the round lies in a reported gap's window; forgets
    /// the round.
    pub(crate) fn close_round(&mut self) {
        let lost = match self.ledger.close_round() {
            Ok(lost) => lost,
            Err(error) => self.fail(&error),
        };
        let round_closed_at = Instant::now();
        let unsent = std::mem::take(&mut self.unsent_at);
        let handed = std::mem::take(&mut self.handed);
        let never_sent = handed
            .into_iter()
            .filter(|handed| {
                !handed
                    .messages
                    .iter()
                    .any(|(number, _)| self.ledger.was_sent(*number))
            })
            .map(|handed| {
                let what = format!(
                    "an event (messages and their sockets {:?}) whose sockets ended before its turn",
                    handed.messages
                );
                // Never written, it would have been stamped when its turn came, any time up to
                // its sockets' end (before now): queued just before a socket's welcome, it would
                // still have gone out after it. Its queueing time alone could lie a hair before
                // the gap's `from`, the welcome it never followed.
                let at = Span {
                    from: handed.at.from,
                    to: handed.at.to.max(round_closed_at),
                };
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
                let known = self.observer.explain_loss(at.from, at.to);
                self.fail(&format!(
                    "{what}, lost between {from:.3?} and {to:.3?}, lies in no reported gap's \
                     window; around it:{known}"
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
