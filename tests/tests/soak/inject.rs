//! Steps of the schedule carried out: notifications (probing through gaps) and faults, each aimed
//! at the socket that carries the session then.

use std::time::{Duration, Instant};

use eventsub_mock::{Delivery, Ended, SocketId, message_number};
use eventsub_proto::{CloseCode, StopReason};
use eventsub_tests::soak::Fault;

use crate::client::start_client;
use crate::losses::{Handed, Span};
use crate::{KIND, SETTLE_TIMEOUT, Soak};

/// How many postponed faults wait for their turn at most.
const MAX_POSTPONED: usize = 16;

/// How long after a stall the client is given to drain what piled up before a fault that the stall
/// keeps away may come.
const STALL_MARGIN: Duration = Duration::from_millis(300);

/// How long after a storm's last `session_reconnect` is due it still counts as running: the
/// background task's sleeps may run late on a busy machine.
const STORM_MARGIN: Duration = Duration::from_millis(300);

impl Soak {
    pub(crate) fn count_fault(&mut self, fault: &Fault, applied: bool) {
        let count = self.faults.entry(fault.kind()).or_default();
        if applied {
            count.applied += 1;
        } else {
            count.skipped += 1;
        }
    }

    /// Counts a meeting of faults (in the figures with the faults, as applied).
    fn count_meeting(&mut self, what: &str) {
        self.faults.entry(what.to_owned()).or_default().applied += 1;
    }

    /// Sends one notification, probing every 2 ms while no session holds the subscription (each
    /// probe that finds none is a lost notification a gap must cover).
    pub(crate) async fn notify(&mut self, delivery: Delivery) {
        let since = Instant::now();
        loop {
            let called = Instant::now();
            let handed = self.mock.notify_routed(KIND, delivery);
            // The mock looked for a session at some moment of the call, known only this far.
            let at = Span {
                from: called,
                to: Instant::now(),
            };
            if !handed.is_empty() {
                let messages = handed
                    .into_iter()
                    .map(|routed| {
                        let number = message_number(&routed.message_id).expect("a mock message id");
                        (number, routed.sockets)
                    })
                    .collect();
                self.handed.push(Handed { at, messages });
                break;
            }
            let state = format!(
                "sockets {:?}, subscriptions {:?}",
                self.mock.sockets(),
                self.mock
                    .helix()
                    .subscriptions
                    .iter()
                    .map(|s| (
                        s.status.clone(),
                        s.transport.session_id().map(str::to_owned)
                    ))
                    .collect::<Vec<_>>()
            );
            self.unsent_at.push((at, state));
            self.unsent_attempts += 1;
            if since.elapsed() > SETTLE_TIMEOUT {
                self.fail("no session took a notification for 30 s");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
            self.pump();
        }
        if let Some((socket, left)) = &mut self.delayed {
            *left = left.saturating_sub(1);
            if *left == 0 {
                self.mock.delay(*socket, Duration::ZERO);
                self.delayed = None;
            }
        }
        for fault in std::mem::take(&mut self.postponed) {
            self.try_inject(fault, false).await;
        }
    }

    /// Injects `fault` into the socket that carries the session now.
    pub(crate) async fn inject(&mut self, fault: Fault) {
        self.try_inject(fault, true).await;
    }

    /// Injects `fault`, or postpones it (counted as skipped on its first try only).
    pub(crate) async fn try_inject(&mut self, fault: Fault, first_try: bool) {
        self.pump();
        if let Fault::Helix {
            fault: helix,
            count,
        } = &fault
        {
            self.mock.helix().inject(*helix, *count);
            return self.count_fault(&fault, true);
        }
        if let Fault::StalledConsumer { pause } = &fault {
            // A stall may meet a handover or a storm under way: the old socket is read to its end
            // however long the client leaves it unread.
            if self.mock.open_sockets() > 1 || self.storm_running() {
                self.count_meeting("stall during a handover");
            }
            self.stall.pause(*pause);
            self.stalled_until = Some(Instant::now() + *pause + STALL_MARGIN);
            self.remember(
                Instant::now(),
                format!("soak: consumer stalled for {pause:?}"),
            );
            return self.count_fault(&fault, true);
        }
        if self.stalled() && Self::discards_unread(&fault) {
            // While the consumer is stalled, the client reads no socket (backpressure): frames
            // sent to it wait in the socket buffers. A server that then drops or closes the
            // socket discards them in the kernel, a loss no client could prevent, so the soak
            // keeps those apart. Handovers (graceful, stale, storms) may meet a stall: the client
            // reads the old socket to its end.
            return self.postpone(fault, first_try);
        }
        if self.storm_running() && Self::waits_out_storms(&fault) {
            // The storm's handovers come in the background, unseen by `handover_from`: a socket
            // may fail only once they are all done, as after a single handover (see below).
            return self.postpone(fault, first_try);
        }
        if fault == Fault::Close(4001) {
            return self.fatal_close().await;
        }
        if fault == Fault::Silence || matches!(fault, Fault::PingFlood { .. }) {
            // Silence proves the watchdog only on a settled session: on a fresh one still waiting
            // for its subscription (a Helix fault in the way) the mock's 4003 would end it first.
            // A ping flood proves the pong bound only on a socket the client is not closing: one
            // whose close is under way (a watchdog's, a server close's answer) is dropped at the
            // close deadline instead, which the mock, reading nothing, sees as the same break.
            self.settle().await;
        }
        let Some(target) = self.mock.current_socket() else {
            return self.postpone(fault, first_try);
        };
        if fault.breaks_session() && self.handover_pending_from(target) {
            // What Twitch does with events when the old socket fails before the new one is
            // welcomed (hold them for the new one, or lose them) is not specified: no client
            // behaviour could be judged against it. Once the new socket carries the session, any
            // socket may fail.
            return self.postpone(fault, first_try);
        }
        let applied = match &fault {
            Fault::GracefulReconnect | Fault::StaleReconnect => {
                let under_way = self
                    .handover_from
                    .is_some_and(|from| self.ledger.is_open(from));
                // One handover at a time, as Twitch does.
                let url = if under_way {
                    None
                } else if fault == Fault::GracefulReconnect {
                    self.mock.reconnect(target)
                } else {
                    self.mock.reconnect_stale(target)
                };
                if url.is_some() {
                    self.handover_from = Some(target);
                }
                url.is_some()
            }
            Fault::Drop => self.mock.drop_socket(target),
            Fault::Close(code) => self.mock.close(target, *code, CloseCode(*code).meaning()),
            Fault::Silence => {
                let silenced = self.mock.silence(target, true);
                if silenced {
                    // Nothing more goes out until the client's watchdog gave the socket up: a
                    // notification would prove it alive.
                    self.count_fault(&fault, true);
                    return self.await_end(target).await;
                }
                false
            }
            Fault::ClockSkew { by, ahead } => {
                self.mock.set_clock_offset(*by, *ahead);
                let millis = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
                let offset_ms = if *ahead { millis } else { -millis };
                self.observer.clock_skewed(Instant::now(), offset_ms);
                true
            }
            Fault::PingFlood { pings } => {
                // As for silence: nothing more goes to the socket until the client ended it. The
                // flood met the socket only if the client broke it off; a close already under way
                // when the flood was queued (the mock's `current_socket` still names a closing
                // socket) ends it first, and the flood is tried again later.
                self.mock.flood_pings(target, *pings) && {
                    self.await_end(target).await;
                    self.ledger.ending(target) == Some(&Ended::Broken)
                }
            }
            Fault::SendAgain => {
                let frames = self.resend_pool.len();
                let pick = (self.rounds as usize + self.unsent_attempts as usize) % frames.max(1);
                match self.resend_pool.get(pick) {
                    Some(frame) => self.mock.send_again(target, frame),
                    None => false,
                }
            }
            Fault::Delay { per_frame, frames } => {
                if let Some((socket, _)) = self.delayed.take() {
                    self.mock.delay(socket, Duration::ZERO);
                }
                let delayed = self.mock.delay(target, *per_frame);
                if delayed {
                    self.delayed = Some((target, *frames));
                }
                delayed
            }
            Fault::Bad(frame) => self.mock.inject(target, *frame),
            Fault::ReconnectStorm { count, every } => {
                let started = self.mock.reconnect_storm(target, *count, *every);
                if started {
                    // The last `session_reconnect` goes out after `count * every`; its handover
                    // is then awaited through the open sockets (see `storm_running`).
                    let last = every.saturating_mul(*count as u32);
                    self.storm_until = Some(Instant::now() + last + STORM_MARGIN);
                }
                started
            }
            Fault::Helix { .. } | Fault::StalledConsumer { .. } => unreachable!("handled above"),
        };
        if applied {
            let handover = matches!(
                fault,
                Fault::GracefulReconnect | Fault::StaleReconnect | Fault::ReconnectStorm { .. }
            );
            if handover && self.stalled() {
                self.count_meeting(&format!("{} during a stall", fault.kind()));
            }
            self.remember(Instant::now(), format!("soak: {fault} on {target}"));
            self.count_fault(&fault, true);
        } else {
            self.postpone(fault, first_try);
        }
    }

    /// Injects the faults still postponed when the schedule ran out (a storm or a handover in the
    /// way), so none of the schedule's faults goes missing at the end of a run.
    pub(crate) async fn flush_postponed(&mut self) {
        let deadline = Instant::now() + SETTLE_TIMEOUT;
        while !self.postponed.is_empty() {
            self.settle().await;
            for fault in std::mem::take(&mut self.postponed) {
                self.try_inject(fault, false).await;
            }
            if Instant::now() > deadline {
                self.fail(&format!("faults stayed postponed: {:?}", self.postponed));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Whether the consumer is stalled, or was until a moment ago (the client still drains what
    /// piled up).
    pub(crate) fn stalled(&mut self) -> bool {
        match self.stalled_until {
            Some(until) if Instant::now() < until => true,
            Some(_) => {
                self.stalled_until = None;
                false
            }
            None => false,
        }
    }

    /// Whether a reconnect storm may still send a `session_reconnect` or its last handover is
    /// still under way (more than one socket open).
    pub(crate) fn storm_running(&mut self) -> bool {
        let Some(until) = self.storm_until else {
            return false;
        };
        if Instant::now() < until || self.mock.open_sockets() > 1 {
            return true;
        }
        self.storm_until = None;
        false
    }

    /// Faults that end a socket on the server's side (or make the client end it) and so discard
    /// what the client has not read yet: kept apart from a stalled consumer.
    fn discards_unread(fault: &Fault) -> bool {
        fault.breaks_session() && *fault != Fault::StaleReconnect
    }

    /// Faults that wait until a storm is over: those that break a session (whose losses during
    /// an unwelcomed handover no behaviour could be judged against), other handovers (one at a
    /// time, as Twitch does) and a second storm.
    fn waits_out_storms(fault: &Fault) -> bool {
        fault.breaks_session()
            || matches!(
                fault,
                Fault::GracefulReconnect
                    | Fault::StaleReconnect
                    | Fault::ReconnectStorm { .. }
                    | Fault::Close(_)
                    | Fault::Silence
            )
    }

    /// Whether `socket` got a `session_reconnect` and still carries the session: the new socket
    /// is not welcomed yet.
    pub(crate) fn handover_pending_from(&self, socket: SocketId) -> bool {
        self.handover_from == Some(socket) && self.ledger.is_open(socket)
    }

    pub(crate) fn postpone(&mut self, fault: Fault, first_try: bool) {
        if first_try {
            self.count_fault(&fault, false);
        }
        // At most one postponed fault gets in per round (each waits for the one before it to
        // settle), while a long run with many stalls postpones more than that: past the cap a
        // fault stays skipped (counted above) instead of growing a backlog no end of run drains;
        // unless its kind was never applied yet, since every kind must meet the client.
        let applied_before = self
            .faults
            .get(&fault.kind())
            .is_some_and(|count| count.applied > 0);
        let queued_alike = self
            .postponed
            .iter()
            .any(|queued| queued.kind() == fault.kind());
        if self.postponed.len() < MAX_POSTPONED || !(applied_before || queued_alike) {
            self.postponed.push(fault);
        }
    }

    /// Waits until the mock records the end of `socket`.
    pub(crate) async fn await_end(&mut self, socket: SocketId) {
        let deadline = Instant::now() + SETTLE_TIMEOUT;
        loop {
            self.pump();
            if !self.ledger.is_open(socket) {
                return;
            }
            if Instant::now() > deadline {
                self.fail(&format!(
                    "{socket} was silenced or flooded but never given up"
                ));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// 4001 ends a client for good. Injected at a quiet point (nothing owed, one socket open), since
    /// a stopped client drops what is still in flight; then a new client takes over.
    pub(crate) async fn fatal_close(&mut self) {
        self.settle().await;
        let deadline = Instant::now() + SETTLE_TIMEOUT;
        let target = loop {
            self.pump();
            let sockets = self.mock.sockets();
            if let [only] = sockets.as_slice() {
                break only.socket;
            }
            if Instant::now() > deadline {
                self.fail("more than one socket stayed open");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        self.mock.close(target, 4001, CloseCode(4001).meaning());
        self.remember(Instant::now(), format!("soak: close 4001 on {target}"));
        self.count_fault(&Fault::Close(4001), true);
        loop {
            self.pump();
            if let Some(reason) = self.observer.stopped() {
                if !matches!(reason, StopReason::InboundTrafficRejected { .. }) {
                    self.fail(&format!(
                        "stopped for another reason after 4001: {reason:?}"
                    ));
                }
                break;
            }
            if Instant::now() > deadline {
                self.fail("4001 did not stop the client");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let finished = tokio::time::timeout(SETTLE_TIMEOUT, self.handle.finished()).await;
        if finished.is_err() {
            self.fail("the stopped client's task did not finish");
        }
        while !self.mock.sockets().is_empty() {
            if Instant::now() > deadline {
                self.fail("the stopped client left sockets open");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        self.pump();
        self.close_round();
        let seed = self.seed.wrapping_add(self.clients);
        let (handle, events) = start_client(&self.mock, seed, self.adapter, &self.stall).await;
        self.handle = handle;
        self.events = events;
        self.clients += 1;
        self.observer.next_client();
        self.resend_pool.clear();
        self.handover_from = None;
        self.delayed = None;
        self.storm_until = None;
        self.stalled_until = None;
        self.settle().await;
    }
}
