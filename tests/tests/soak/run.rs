//! A run's life: start, rounds, settling between them, the figures at the end, and the failure
//! message with everything known.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_ID, USER_TOKEN};
use eventsub_mock::{MockConfig, MockEventSub, Record};
use eventsub_proto::{Event, StopReason};
use eventsub_tests::soak::Step;
use eventsub_tests::soak::clock::Clock;
use eventsub_tests::soak::ledger::Ledger;
use eventsub_tests::soak::observer::Observer;
use eventsub_tests::soak::report::Figures;
use eventsub_tests::soak::rss::{RssLog, rss_bytes};

use crate::client::{Adapter, Stall, silence_allowed, start_client};
use crate::{HISTORY, RESEND_POOL, RSS_BOUND, SETTLE_TIMEOUT, Soak};

/// Rounds between two progress lines.
const PROGRESS_EVERY: u64 = 100;

impl Soak {
    pub(crate) async fn start(seed: u64, adapter: Adapter) -> Self {
        let mock = MockEventSub::start(MockConfig::fast())
            .await
            .expect("mock starts");
        mock.helix()
            .add_user_token(USER_TOKEN, CLIENT_ID, USER_ID, &[]);
        let stall = Stall::default();
        let (handle, events) = start_client(&mock, seed, adapter, &stall).await;
        let clock = Clock::start();
        Self {
            seed,
            adapter,
            mock,
            handle,
            events,
            clients: 1,
            clock,
            started: Instant::now(),
            ledger: Ledger::default(),
            observer: Observer::new(clock, silence_allowed()),
            rss: RssLog::default(),
            rounds: 0,
            unsent_attempts: 0,
            unsent_at: Vec::new(),
            handed: Vec::new(),
            faults: BTreeMap::new(),
            postponed: Vec::new(),
            resend_pool: VecDeque::new(),
            handover_from: None,
            delayed: None,
            storm_until: None,
            stall,
            stalled_until: None,
            history: VecDeque::new(),
        }
    }

    pub(crate) fn remember(&mut self, at: Instant, line: String) {
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        let since = self.clock.since_start(at);
        self.history.push_back(format!("{since:>12.3?} {line}"));
    }

    /// Panics with what the run knows: the seed to replay it, what is owed, the recent gaps and
    /// the recent history of both sides.
    pub(crate) fn fail(&self, what: &str) -> ! {
        let owed: Vec<String> = self
            .ledger
            .owed_sample()
            .iter()
            .map(|(number, owed)| {
                format!(
                    "#{number} on {} at {:.3?}",
                    owed.socket,
                    self.clock.since_start(owed.sent_at)
                )
            })
            .collect();
        let gaps: Vec<String> = self
            .observer
            .recent_gaps()
            .map(|gap| {
                format!(
                    "[anchor {:.3?}, began {:.3?}, ended {:.3?}]",
                    self.clock.since_start(gap.anchor),
                    self.clock.since_start(gap.began),
                    self.clock.since_start(gap.ended)
                )
            })
            .collect();
        panic!(
            "soak failed (SOAK_SEED={} replays the schedule), round {}, {} sent: {what}\n\
             owed: {owed:?}\nrecent gaps: {gaps:?}\nhistory:\n{}",
            self.seed,
            self.rounds,
            self.ledger.tally().messages_sent,
            self.history.iter().cloned().collect::<Vec<_>>().join("\n")
        );
    }

    /// Folds what arrived since the last call: the client's events, then the mock's records (a
    /// delivery's frame is always recorded before it was written, so it is among them). The
    /// events are taken first and the records next, as that says; the observer learns the frames
    /// sent before it reads the events, since a gap's `from` is compared with them.
    pub(crate) fn pump(&mut self) {
        self.observer.pair_clocks();
        let mut events = Vec::new();
        while let Ok(event) = self.events.try_recv() {
            events.push(event);
        }
        let records = self.mock.take_records();
        for (at, record) in &records.entries {
            if let Record::Sent(frame) = record {
                self.observer.frame_sent(*at, frame);
            }
        }
        for (at, event) in events {
            if !matches!(event, Event::Notification(_)) {
                self.remember(at, format!("client: {event:?}"));
            }
            if let Err(error) = self.observer.see(at, event, &mut self.ledger) {
                self.fail(&error);
            }
        }
        for (at, record) in records.entries {
            if let Err(error) = self.ledger.record(at, &record) {
                self.fail(&error);
            }
            match record {
                Record::Sent(frame) if frame.message_type == "notification" => {
                    if self.resend_pool.len() == RESEND_POOL {
                        self.resend_pool.pop_front();
                    }
                    self.resend_pool.push_back(frame);
                }
                Record::Sent(frame) if frame.message_type == "session_keepalive" => {}
                Record::Sent(frame) => {
                    let line = format!("mock: sent {} on {}", frame.message_type, frame.socket);
                    self.remember(at, line);
                }
                other => self.remember(at, format!("mock: {other:?}")),
            }
        }
    }

    pub(crate) async fn round(&mut self, steps: Vec<Step>) {
        self.rounds += 1;
        for step in steps {
            match step {
                Step::Notify(delivery) => self.notify(delivery).await,
                Step::Fault(fault) => self.inject(fault).await,
                Step::Pause(pause) => tokio::time::sleep(pause).await,
            }
            tokio::task::yield_now().await;
        }
        self.settle().await;
        if self.rounds % PROGRESS_EVERY == 0 {
            self.progress();
        }
    }

    /// A line on how far the run is, for long runs watched with `--nocapture`.
    fn progress(&self) {
        let tally = self.ledger.tally();
        let rss = rss_bytes().map_or(0, |bytes| bytes >> 20);
        println!(
            "soak: {:>7.1?} round {:>5}: {} sent, {} delivered, {} gaps, {} clients, RSS {rss} MiB",
            self.started.elapsed(),
            self.rounds,
            tally.messages_sent,
            tally.messages_delivered,
            self.observer.tally().gaps,
            self.clients,
        );
    }

    /// Waits until the client is steady (a session, no gap open), the mock holds its subscription,
    /// every notification queued went out or lost its sockets, everything owed is delivered and no
    /// notification went out for three polls; then checks the round.
    pub(crate) async fn settle(&mut self) {
        if let Some((socket, _)) = self.delayed.take() {
            self.mock.delay(socket, Duration::ZERO);
        }
        let deadline = Instant::now() + SETTLE_TIMEOUT;
        let mut quiet_polls = 0;
        loop {
            let frames_before = self.ledger.tally().notification_frames;
            self.pump();
            let quiet = self.ledger.tally().notification_frames == frames_before;
            // While the consumer is stalled, what the client reported (a gap among it) waits in
            // its buffer unseen: the observer's view is stale, and a round judged now would
            // miss the gap that covers the round's losses.
            let stalled = self.stalled();
            let ready = !stalled
                && self.observer.steady()
                && self.ledger.owed() == 0
                && !self.in_flight()
                && self.mock.live_subscriptions() >= 1;
            quiet_polls = if ready && quiet { quiet_polls + 1 } else { 0 };
            if quiet_polls >= 3 {
                break;
            }
            if Instant::now() > deadline {
                let why = format!(
                    "no steady state within {SETTLE_TIMEOUT:?}: client steady {}, {} owed, {} \
                     live subscription(s)",
                    self.observer.steady(),
                    self.ledger.owed(),
                    self.mock.live_subscriptions()
                );
                self.fail(&why);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        self.close_round();
    }

    pub(crate) async fn finish(mut self) -> Figures {
        self.flush_postponed().await;
        self.settle().await;
        self.handle.shutdown().await;
        let deadline = Instant::now() + SETTLE_TIMEOUT;
        while !matches!(self.observer.stopped(), Some(StopReason::Shutdown)) {
            if Instant::now() > deadline {
                self.fail("shutdown did not stop the client");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
            self.pump();
        }
        self.pump();
        let ledger = self.ledger.tally().clone();
        let observer = self.observer.tally().clone();
        Figures {
            seed: self.seed,
            rounds: self.rounds,
            clients: self.clients,
            duration: self.started.elapsed(),
            unsent_attempts: self.unsent_attempts,
            peak_open_sockets: self.mock.peak_open_sockets(),
            faults: self.faults.clone(),
            ledger,
            observer,
            rss: self.rss.summary(),
            rss_bound: RSS_BOUND + self.ledger.retained_bytes() as u64,
        }
    }
}
