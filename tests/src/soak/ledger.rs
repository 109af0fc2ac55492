//! Which notifications the client owes, read from the mock's records, and whether it delivered each
//! of them exactly once.
//!
//! # When a socket is live
//!
//! A notification frame the mock recorded as sent on socket S is *owed* — its message must reach
//! the user exactly once — when S was live at that point of the records. S is live from its
//! `Opened` record until the first of:
//!
//! - S's `Ended` record. Nothing is recorded on S after it, and everything recorded before it went
//!   out ahead of the end on one TCP stream, which delivers in order: a close frame or a FIN comes
//!   after the data, never a reset (the mock only closes or drops a socket the client is not
//!   closing, so no unread client frame makes the kernel reset the connection and discard data in
//!   flight).
//! - An oversized frame recorded on S. The client must refuse it without holding it whole, and a
//!   WebSocket cannot skip a message it did not read, so the client gives the socket up: what
//!   follows on S is not owed.
//!
//! A socket the client is closing (after a handover, or after its keepalive watchdog gave up on it)
//! is still read until the server answers the close frame, so what the mock recorded before it saw
//! that close is owed too. The mock sends what was queued for a socket before it reads the client's
//! close, and answers within the client's close timeout (1 s of reading: it does not run while a
//! stalled consumer keeps the client from reading) because the schedule keeps each socket's
//! backlog far below it (at most 40 frames delayed by at most 3 ms each). A client that
//! stops (4001) drops what is still in flight, so the driver injects 4001 only when nothing is owed
//! and a single socket is open.
//!
//! Not owed, and counted: further copies of a message (duplicates on the wire, which the client
//! must filter), and frames recorded on S after it stopped being live. Those are *lost* unless
//! delivered anyway ("beyond the guarantee"); a reported gap must cover every lost one.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::time::Instant;

use super::bits::Bits;
use eventsub_mock::{BadFrame, Ended, Record, SocketId, message_number};

/// Where an owed notification was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Owed {
    /// The socket it went out on (live then).
    pub socket: SocketId,
    /// When the mock recorded it.
    pub sent_at: Instant,
}

/// Running totals for the report.
#[derive(Clone, Debug, Default)]
pub struct LedgerTally {
    /// Events of batch bombs that reached a live socket: each is owed to the consumer once.
    pub batch_items_owed: u64,
    /// Notification frames on the wire, copies included.
    pub notification_frames: u64,
    /// Distinct notification messages sent.
    pub messages_sent: u64,
    /// Messages that became owed (sent on a live socket).
    pub messages_owed: u64,
    /// Messages the client delivered.
    pub messages_delivered: u64,
    /// Messages delivered though no copy was owed.
    pub delivered_beyond_guarantee: u64,
    /// Messages sent only where no live socket could carry them, and never delivered.
    pub messages_lost: u64,
    /// Faulty frames that reached a live socket, by kind.
    pub injected_live: BTreeMap<String, u64>,
    /// Faulty frames recorded on a socket that was no longer live.
    pub injected_dead: u64,
    /// How sockets ended, by kind.
    pub endings: BTreeMap<String, u64>,
    /// Sockets the mock accepted.
    pub sockets_opened: u64,
}

/// The exactly-once accounting of a whole run, with bounded memory: the sets of sent and delivered
/// message ids are bits, per-message state lives only until the message is settled.
#[derive(Debug, Default)]
pub struct Ledger {
    /// Open sockets, and whether each is still live.
    live: HashMap<SocketId, bool>,
    sent: Bits,
    delivered: Bits,
    owed: HashMap<u64, Owed>,
    /// Sent only on sockets that were no longer live, not delivered yet: where and when.
    not_owed: HashMap<u64, Owed>,
    /// Delivered before the record of the copy that carried them was read.
    delivered_early: HashSet<u64>,
    delivered_in_round: Vec<u64>,
    /// How the last sockets ended (a few: a fault's target is asked about right after its end).
    recent_endings: VecDeque<(SocketId, Ended)>,
    tally: LedgerTally,
}

/// How many socket endings [`Ledger::ending`] remembers.
const RECENT_ENDINGS: usize = 16;

/// The name an injected frame is counted under.
pub fn bad_frame_kind(frame: BadFrame) -> &'static str {
    match frame {
        BadFrame::NotJson => "not JSON",
        BadFrame::MissingFields => "missing fields",
        BadFrame::Oversized { .. } => "oversized",
        BadFrame::BatchBomb { .. } => "batch bomb",
    }
}

fn ending_kind(how: &Ended) -> String {
    match how {
        Ended::ByServer(code) => format!("closed by the server with {code}"),
        Ended::ByClient(Some(code)) => format!("closed by the client with {code}"),
        Ended::ByClient(None) => "closed by the client without a code".to_owned(),
        Ended::Dropped => "dropped by the server".to_owned(),
        Ended::Broken => "broken (the client went away)".to_owned(),
    }
}

impl Ledger {
    /// Reads one record, in the order the mock made them. `Err` says what the client did wrong.
    pub fn record(&mut self, at: Instant, record: &Record) -> Result<(), String> {
        match record {
            Record::Opened { socket, .. } => {
                self.tally.sockets_opened += 1;
                self.live.insert(*socket, true);
            }
            Record::Sent(frame) if frame.message_type == "notification" => {
                let number = message_number(&frame.message_id)
                    .ok_or_else(|| format!("not a mock message id: {}", frame.message_id))?;
                self.sent_notification(number, frame.socket, at);
            }
            Record::Sent(_) => {}
            Record::Injected { socket, frame, .. } => {
                let live = self.live.get_mut(socket);
                match live {
                    Some(live) if *live => {
                        *self
                            .tally
                            .injected_live
                            .entry(bad_frame_kind(*frame).to_owned())
                            .or_default() += 1;
                        match frame {
                            BadFrame::Oversized { .. } => *live = false,
                            BadFrame::BatchBomb { items, .. } => {
                                self.tally.batch_items_owed += *items as u64;
                            }
                            _ => {}
                        }
                    }
                    _ => self.tally.injected_dead += 1,
                }
            }
            Record::Received { socket, what } if what.is_data() => {
                return Err(format!(
                    "the client sent a data frame on {socket}: {what:?}"
                ));
            }
            Record::Received { .. } => {}
            // Blasts are for load tests: their frames carry no per-message record to account for.
            Record::Blasted { .. } => {
                return Err("a blast during the soak cannot be accounted".into());
            }
            Record::Ended { socket, how } => {
                self.live.remove(socket);
                if self.recent_endings.len() == RECENT_ENDINGS {
                    self.recent_endings.pop_front();
                }
                self.recent_endings.push_back((*socket, how.clone()));
                *self.tally.endings.entry(ending_kind(how)).or_default() += 1;
            }
        }
        Ok(())
    }

    fn sent_notification(&mut self, number: u64, socket: SocketId, at: Instant) {
        self.tally.notification_frames += 1;
        let first = self.sent.insert(number);
        if first {
            self.tally.messages_sent += 1;
        }
        let live = self.live.get(&socket).copied().unwrap_or(false);
        if self.delivered_early.contains(&number) {
            // Delivered before this record was read: owed if this copy went out on a live socket;
            // if none did, the round's end counts it beyond the guarantee.
            if live {
                self.delivered_early.remove(&number);
                self.not_owed.remove(&number);
                self.tally.messages_owed += 1;
            }
            return;
        }
        if self.delivered.contains(number) || self.owed.contains_key(&number) {
            return; // a further copy
        }
        if live {
            self.not_owed.remove(&number);
            self.tally.messages_owed += 1;
            self.owed.insert(
                number,
                Owed {
                    socket,
                    sent_at: at,
                },
            );
        } else {
            self.not_owed.entry(number).or_insert(Owed {
                socket,
                sent_at: at,
            });
        }
    }

    /// The client delivered the message `number`. `Err` when it already had.
    pub fn delivered(&mut self, number: u64) -> Result<(), String> {
        if !self.delivered.insert(number) {
            return Err(format!("message #{number} was delivered twice"));
        }
        self.tally.messages_delivered += 1;
        self.delivered_in_round.push(number);
        if self.owed.remove(&number).is_some() {
            return Ok(());
        }
        // It came in a copy whose record is not read yet (a copy on a live socket, say, while one
        // on a socket no longer live is): the round's end decides whether it was owed.
        self.delivered_early.insert(number);
        Ok(())
    }

    /// How many messages are owed and not delivered yet.
    pub fn owed(&self) -> usize {
        self.owed.len()
    }

    /// A few of the messages still owed, oldest first, for a failure message.
    pub fn owed_sample(&self) -> Vec<(u64, Owed)> {
        let mut owed: Vec<(u64, Owed)> = self.owed.iter().map(|(n, o)| (*n, *o)).collect();
        owed.sort_by_key(|(number, _)| *number);
        owed.truncate(10);
        owed
    }

    /// Whether the message `number` went out at least once.
    pub fn was_sent(&self, number: u64) -> bool {
        self.sent.contains(number)
    }

    /// Whether `socket` is open (no `Ended` record yet).
    pub fn is_open(&self, socket: SocketId) -> bool {
        self.live.contains_key(&socket)
    }

    /// How `socket` ended, if it is one of the last few that did.
    pub fn ending(&self, socket: SocketId) -> Option<&Ended> {
        self.recent_endings
            .iter()
            .find(|(ended, _)| *ended == socket)
            .map(|(_, how)| how)
    }

    /// Ends a round, once the records are read up to the point where everything owed was delivered:
    /// checks that everything delivered in it was sent, and hands over the lost messages (where and
    /// when each was sent) for the gap check.
    pub fn close_round(&mut self) -> Result<Vec<(u64, Owed)>, String> {
        for number in self.delivered_in_round.drain(..) {
            if !self.sent.contains(number) {
                return Err(format!(
                    "message #{number} was delivered but the mock never sent it"
                ));
            }
        }
        // Delivered, and no copy on a live socket: beyond the guarantee, and not lost.
        for number in self.delivered_early.drain() {
            self.tally.delivered_beyond_guarantee += 1;
            self.not_owed.remove(&number);
        }
        let lost: Vec<(u64, Owed)> = self.not_owed.drain().collect();
        self.tally.messages_lost += lost.len() as u64;
        Ok(lost)
    }

    /// The totals so far.
    pub fn tally(&self) -> &LedgerTally {
        &self.tally
    }

    /// Bytes the ledger keeps for the whole run by design (its bit sets), to allow for in the RSS
    /// bound.
    pub fn retained_bytes(&self) -> usize {
        self.sent.heap_bytes() + self.delivered.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventsub_mock::{Received, SentFrame};

    fn sent(socket: u64, number: u64) -> Record {
        let message_id = format!("6d7a0f3c-5dec-4eed-908e-{number:012x}");
        let frame = SentFrame::new(SocketId(socket), "s", message_id, "notification", "");
        Record::Sent(frame.with_subscription_type("stream.online"))
    }

    fn opened(socket: u64) -> Record {
        Record::Opened {
            socket: SocketId(socket),
            target: "/ws".to_owned(),
        }
    }

    #[test]
    fn live_frames_are_owed_until_delivered_once() {
        let mut ledger = Ledger::default();
        let now = Instant::now();
        ledger.record(now, &opened(1)).unwrap();
        ledger.record(now, &sent(1, 10)).unwrap();
        ledger.record(now, &sent(1, 10)).unwrap();
        assert_eq!(ledger.owed(), 1, "a copy is not owed again");
        ledger.delivered(10).unwrap();
        assert_eq!(ledger.owed(), 0);
        assert!(ledger.delivered(10).is_err(), "twice is a failure");
        assert!(ledger.close_round().unwrap().is_empty());
    }

    /// A ledger whose socket 1 carried an oversized frame.
    fn past_an_oversized_frame() -> (Ledger, Instant) {
        let mut ledger = Ledger::default();
        let now = Instant::now();
        ledger.record(now, &opened(1)).unwrap();
        let oversized = Record::Injected {
            socket: SocketId(1),
            frame: BadFrame::Oversized { bytes: 9 },
            len: 9,
        };
        ledger.record(now, &oversized).unwrap();
        (ledger, now)
    }

    #[test]
    fn frames_after_an_oversized_one_are_lost_not_owed() {
        let (mut ledger, now) = past_an_oversized_frame();
        ledger.record(now, &sent(1, 11)).unwrap();
        assert_eq!(ledger.owed(), 0);
        let lost = Owed {
            socket: SocketId(1),
            sent_at: now,
        };
        assert_eq!(ledger.close_round().unwrap(), [(11, lost)]);
    }

    #[test]
    fn a_lost_message_sent_again_live_is_owed_even_when_its_delivery_is_seen_first() {
        let (mut ledger, now) = past_an_oversized_frame();
        ledger.record(now, &sent(1, 13)).unwrap();
        assert_eq!(ledger.close_round().unwrap().len(), 1, "lost");
        ledger.record(now, &opened(2)).unwrap();
        ledger.delivered(13).unwrap();
        ledger.record(now, &sent(2, 13)).unwrap();
        ledger.close_round().unwrap();
        let tally = ledger.tally();
        assert_eq!(
            (tally.messages_delivered, tally.messages_owed),
            (1, 1),
            "sent again on a live socket"
        );
    }

    #[test]
    fn a_delivery_is_owed_when_any_copy_went_out_on_a_live_socket() {
        let (mut ledger, now) = past_an_oversized_frame();
        ledger.record(now, &opened(2)).unwrap();
        ledger.record(now, &sent(1, 14)).unwrap();
        ledger.delivered(14).unwrap();
        ledger.record(now, &sent(2, 14)).unwrap();
        ledger.record(now, &sent(2, 14)).unwrap();
        assert!(ledger.close_round().unwrap().is_empty(), "not lost");
        let tally = ledger.tally();
        assert_eq!(
            (tally.messages_owed, tally.delivered_beyond_guarantee),
            (1, 0)
        );
    }

    #[test]
    fn a_delivery_the_mock_never_sent_fails_the_round() {
        let mut ledger = Ledger::default();
        ledger.delivered(12).unwrap();
        assert!(ledger.close_round().is_err());
    }

    #[test]
    fn a_client_data_frame_fails_at_once() {
        let mut ledger = Ledger::default();
        let data = Record::Received {
            socket: SocketId(1),
            what: Received::Text("hi".to_owned()),
        };
        assert!(ledger.record(Instant::now(), &data).is_err());
    }
}
