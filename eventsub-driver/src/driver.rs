//! The one task that drives the core: drain its outputs, then wait on whatever comes first — a
//! handle command, a frame or close on any live socket, a finished connect, a finished Helix call,
//! a finished close handshake, or the core's next deadline. No protocol decision is made here.

use std::collections::{HashMap, VecDeque};
use std::future::poll_fn;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use eventsub_helix::HelixClient;
use eventsub_proto::recording::Entry;
use eventsub_proto::{ConnId, Event, Input, LagTally, Output, Pool, RequestId};
use futures_util::future::{AbortHandle, Abortable};
use futures_util::stream::FuturesUnordered;
use futures_util::{FutureExt, StreamExt};
use tokio::sync::{mpsc, watch};
use tracing::Instrument;

use crate::builder::Overflow;
use crate::event_channel::{self, EventSender, TrySendError};
use crate::handle::Command;
use crate::helix::{self, HelixDone};
use crate::readers::{ConnMap, Readers};
use crate::record::Recorder;
use crate::room::RoomMarks;
use crate::runtime::Runtime;
use crate::socket::{self, SocketEvent, Writer};
use crate::token::{BoxFuture, TokenProvider};
use crate::validated::FirstValidation;

/// A connect attempt's outcome: aborted (the core gave up on it), failed, or open.
type ConnectOutcome =
    Result<Result<crate::runtime::BoxWebSocket, String>, futures_util::future::Aborted>;
type ConnectResult = (ConnId, ConnectOutcome);
/// A Helix call's outcome: aborted (at shutdown), or done.
type HelixResult = (RequestId, Result<HelixDone, futures_util::future::Aborted>);

/// Everything the driver task owns.
pub(crate) struct Driver<R> {
    pub(crate) runtime: R,
    pub(crate) client: Pool,
    pub(crate) helix: HelixClient,
    pub(crate) tokens: Arc<dyn TokenProvider>,
    pub(crate) commands: mpsc::Receiver<Command>,
    pub(crate) events: EventSender,
    pub(crate) lagged: Arc<AtomicU64>,
    pub(crate) finished: watch::Sender<bool>,
    pub(crate) websocket_config: tungstenite::protocol::WebSocketConfig,
    pub(crate) close_timeout: Duration,
    /// How long one Helix call may take: at shutdown, the deletes asked for get this (plus the
    /// close timeout) before they are abandoned.
    pub(crate) helix_timeout: Duration,
    /// What to do when the consumer's buffer is full.
    pub(crate) overflow: Overflow,
    /// Events that did not fit in the consumer's buffer and wait for room, in order: under
    /// [`Overflow::Backpressure`] none (events wait in the core until there is room, see
    /// `drain_outputs`); under [`Overflow::DiscardWithLagged`] only lifecycle events and the
    /// `Lagged` before each, at most [`MAX_WAITING_EVENTS`].
    pub(crate) waiting: VecDeque<Event>,
    /// Events discarded since the last `Event::Lagged` the consumer was given or queued.
    pub(crate) lag: LagTally,
    /// Whether the sockets are not read now (and the core was told so).
    pub(crate) reading_paused: bool,
    /// Where a turn of frames ends, and under backpressure reading pauses, for want of room in
    /// the consumer's buffer; and how much room a paused driver waits for.
    pub(crate) room_marks: RoomMarks,
    /// Under [`Overflow::Backpressure`]: a turn filled the consumer's buffer, so the sockets are
    /// not read until [`RoomMarks::resume`] is free again.
    pub(crate) room_wanted: bool,
    /// Where the events still waiting when the driver finishes go: the [`EventStream`] yields
    /// them after the buffer, so the last lifecycle events (`Stopped`) are never lost.
    ///
    /// [`EventStream`]: crate::EventStream
    pub(crate) leftover: Arc<Mutex<VecDeque<Event>>>,
    /// Where what the core is fed is recorded, when asked for (`None` costs one branch per input).
    pub(crate) recorder: Option<Recorder>,
    /// For `connect_validated`: the first validation's outcome, until it is settled.
    pub(crate) first_validation: Option<FirstValidation>,
    /// Events of the frames read in one turn ([`Driver::read_ready_frames`]), each with room
    /// kept for it in the consumer's buffer, handed over together when the turn ends: the
    /// consumer is woken once for them, not once each. Empty outside a turn.
    pub(crate) staged: Vec<Event>,
    /// The clocks read once when a turn of frames starts ([`Driver::read_ready_frames`]): the
    /// frames of one turn arrive within a fraction of a millisecond, far below anything the core
    /// times (keepalive windows of seconds, staleness of minutes), and two clock reads per frame
    /// were a measurable share of the raw path. `None` outside a turn: every other input reads the
    /// clock afresh.
    pub(crate) turn_clock: Option<TurnClock>,
}

/// The runtime's monotonic clock and the wall clock, read together at the start of a turn.
#[derive(Clone, Copy)]
pub(crate) struct TurnClock {
    now: Instant,
    wall: SystemTime,
}

/// Under [`Overflow::DiscardWithLagged`], how many lifecycle events may wait for room before the
/// sockets stop being read anyway: lifecycle events are never discarded, and memory stays bounded.
pub(crate) const MAX_WAITING_EVENTS: usize = 256;

/// How many frames one turn of the driver reads when they are ready at once (tungstenite's
/// buffer, the socket's received bytes), before it goes back to the runtime: its commands, its
/// timers and its other sockets wait at most that long (256 chat frames are some 0.4 ms), and
/// tokio's cooperative budget may end a turn sooner. A turn's events are handed over together,
/// so under a steady stream this is also how often a consumer that keeps up is woken: 256
/// rather than 64 lowered the raw path's CPU per event in every alternated pair of `chat_load`
/// runs (tests/BENCHMARKS.md, tenth session).
pub(crate) const MAX_FRAMES_PER_TURN: usize = 256;

/// The sockets and calls in flight.
#[derive(Default)]
struct InFlight {
    connects: FuturesUnordered<BoxFuture<'static, ConnectResult>>,
    connecting: ConnMap<AbortHandle>,
    writers: ConnMap<Writer>,
    /// The live socket of each session (one per shard of a pool), and during a handover the
    /// next one.
    readers: Readers,
    closes: FuturesUnordered<BoxFuture<'static, ()>>,
    helix: FuturesUnordered<BoxFuture<'static, HelixResult>>,
    /// Helix calls waiting for one of the [`MAX_HELIX_CALLS_IN_FLIGHT`] places.
    helix_queue: VecDeque<BoxFuture<'static, HelixResult>>,
    /// How to abort each Helix call in flight, and whether it is of no use once the core has
    /// stopped (a creation or a validation, unlike the deletes a shutdown asks for).
    helix_calls: HashMap<RequestId, (AbortHandle, bool)>,
    /// Once the core has stopped: when the Helix calls still in flight are abandoned.
    helix_deadline: Option<BoxFuture<'static, ()>>,
}

impl InFlight {
    fn is_idle(&self) -> bool {
        self.connects.is_empty()
            && self.readers.is_empty()
            && self.closes.is_empty()
            && self.helix.is_empty()
            && self.helix_queue.is_empty()
    }

    /// Moves queued Helix calls into flight while there are places.
    fn start_queued_helix_calls(&mut self) {
        while self.helix.len() < MAX_HELIX_CALLS_IN_FLIGHT {
            let Some(call) = self.helix_queue.pop_front() else {
                return;
            };
            self.helix.push(call);
        }
    }
}

/// The most Helix calls in flight at once; the others wait their turn, in order. A pool's
/// creations or a thousand shards' assignments come in a burst: all at once, each would open an
/// HTTP connection of its own (whose buffers stay with the idle connection after the call) and
/// spend Twitch's rate limit in one go.
pub(crate) const MAX_HELIX_CALLS_IN_FLIGHT: usize = 16;

/// Completes when the shutdown's Helix deadline passes; never when there is none.
async fn helix_deadline(deadline: &mut Option<BoxFuture<'static, ()>>) {
    match deadline {
        Some(deadline) => deadline.await,
        None => std::future::pending().await,
    }
}

/// Completes when the armed timer fires; never when none is armed.
async fn timer_fired(timer: &mut Option<(Instant, BoxFuture<'static, ()>)>) {
    match timer {
        Some((_, sleep)) => sleep.await,
        None => std::future::pending().await,
    }
}

/// The next event of any live socket that was woken (see [`Readers`]).
async fn next_socket_event(
    readers: &mut Readers,
    writers: &mut ConnMap<Writer>,
) -> (ConnId, SocketEvent) {
    poll_fn(|cx| readers.poll_next(cx, writers)).await
}

impl<R: Runtime> Driver<R> {
    /// Runs until the core has stopped and every socket and call has settled.
    pub(crate) async fn run(mut self) {
        let span = tracing::info_span!("eventsub");
        async {
            let mut flight = InFlight::default();
            let mut commands_open = true;
            // The core's next deadline and the sleep armed for it. A new sleep is made only when
            // the core wants to wake earlier than the one armed: every frame moves the keepalive
            // deadline later, and building a timer per frame cost more than a whole frame's
            // routing. One that fires before the core's deadline finds `handle_timeout` a no-op
            // (calling it early is allowed) and is replaced by one for the deadline then.
            let mut timer: Option<(Instant, BoxFuture<'static, ()>)> = None;
            loop {
                self.drain_outputs(&mut flight);
                if self.client.is_stopped() {
                    if flight.is_idle() {
                        break;
                    }
                    self.bound_helix_calls(&mut flight);
                }
                if self.pause_or_resume_reading() {
                    // What the core was told may have produced outputs (none today).
                    self.drain_outputs(&mut flight);
                }
                let reading = !self.reading_paused && !flight.readers.is_empty();
                // Within the buffer (`RoomMarks` tests it; the channel clamps it too).
                let room_to_wait_for = self.room_marks.resume;
                match self.client.poll_timeout() {
                    Some(deadline) if timer.as_ref().is_none_or(|(armed, _)| deadline < *armed) => {
                        timer = Some((deadline, self.runtime.sleep_until(deadline)));
                    }
                    Some(_) => {}
                    None => timer = None,
                }
                tokio::select! {
                    command = self.commands.recv(), if commands_open => match command {
                        Some(command) => self.command(command),
                        // Every handle is gone: keep serving the stream.
                        None => commands_open = false,
                    },
                    (conn, event) = next_socket_event(&mut flight.readers, &mut flight.writers), if reading => {
                        self.turn_clock = Some(TurnClock {
                            now: self.runtime.now(),
                            wall: SystemTime::now(),
                        });
                        self.socket_event(&mut flight, conn, event);
                        self.read_ready_frames(&mut flight);
                        self.turn_clock = None;
                        if self.events_filling_up() {
                            match self.overflow {
                                // Full: paused until the consumer has taken half of it, wherever
                                // it runs (the wait for room lets one on this runtime run).
                                Overflow::Backpressure => self.room_wanted = true,
                                // Reading goes on, but tungstenite hands out buffered frames
                                // without touching the runtime's budget, so a consumer on this
                                // runtime would not run before the buffer overflows: give it a turn.
                                Overflow::DiscardWithLagged => self.runtime.yield_now().await,
                            }
                        }
                    }
                    Some((conn, result)) = flight.connects.next(), if !flight.connects.is_empty() => {
                        self.connected(&mut flight, conn, result);
                    }
                    Some((request, done)) = flight.helix.next(), if !flight.helix.is_empty() => {
                        flight.helix_calls.remove(&request);
                        flight.start_queued_helix_calls();
                        match done {
                            Ok(done) => self.feed(done.input),
                            Err(_aborted) => tracing::info!(%request, "helix call abandoned at shutdown"),
                        }
                    }
                    () = helix_deadline(&mut flight.helix_deadline), if flight.helix_deadline.is_some() => {
                        flight.helix_deadline = None;
                        for (request, (abort, _)) in flight.helix_calls.drain() {
                            tracing::warn!(%request, "helix call still in flight at the shutdown deadline: abandoned");
                            abort.abort();
                        }
                    }
                    Some(()) = flight.closes.next(), if !flight.closes.is_empty() => {}
                    // Room again after an overflow, or (under backpressure) half the buffer free
                    // after a turn that filled it: hand over what waits (and report what was
                    // discarded) at once, not only with the next event. Events the core holds are
                    // taken at the top of the loop, where reading resumes.
                    room = self.events.room_for(room_to_wait_for), if self.wants_room() => {
                        self.room_wanted = false;
                        if room {
                            if matches!(self.waiting.front(), Some(Event::Lagged { .. }))
                                || (self.waiting.is_empty() && self.lag.missed() > 0)
                            {
                                tracing::warn!("event stream has room again");
                            }
                            self.flush_waiting();
                        }
                    }
                    () = self.events.closed(), if !self.client.is_stopped() => {
                        tracing::info!("event stream dropped: shutting down");
                        self.shutdown_core();
                    }
                    () = timer_fired(&mut timer) => {
                        timer = None;
                        // Read the clock again: the timer may have fired late.
                        let now = self.runtime.now();
                        self.record(|recorder| recorder.entry(now, Entry::Timeout));
                        self.client.handle_timeout(now);
                    }
                }
            }
            tracing::info!("client finished");
            self.leave_waiting_events();
        }
        .instrument(span)
        .await;
        if let Some(recorder) = self.recorder.take() {
            recorder.finish(&self.runtime).await;
        }
        let _ = self.finished.send(true);
    }

    /// Hands the recorder, if recording, what to record; stops recording when it says so.
    fn record(&mut self, write: impl FnOnce(&mut Recorder) -> bool) {
        if let Some(recorder) = &mut self.recorder {
            if !write(recorder) {
                // The recorder said why; the client goes on without it.
                self.recorder = None;
            }
        }
    }

    fn shutdown_core(&mut self) {
        let now = self.runtime.now();
        self.record(|recorder| recorder.entry(now, Entry::Shutdown));
        self.client.shutdown(now);
    }

    fn close_deadline(&self) -> BoxFuture<'static, ()> {
        // The builder refuses a close timeout past `MAX_TIMEOUT`; should the clock be near its
        // end anyway, an unrepresentable deadline is never.
        match self.runtime.now().checked_add(self.close_timeout) {
            Some(at) => self.runtime.sleep_until(at),
            None => std::future::pending().boxed(),
        }
    }

    /// The core has stopped: creations and validations in flight are of no use any more and are
    /// aborted at once; what is left (the deletes shutdown asked for) gets `close_timeout` plus
    /// one Helix call's timeout, so a hanging or rate-limited Helix cannot hold the shutdown.
    fn bound_helix_calls(&self, flight: &mut InFlight) {
        for (abort, useless_once_stopped) in flight.helix_calls.values() {
            if *useless_once_stopped {
                abort.abort();
            }
        }
        if flight.helix_deadline.is_none() && !flight.helix_calls.is_empty() {
            let allowed = self.close_timeout.saturating_add(self.helix_timeout);
            flight.helix_deadline = Some(match self.runtime.now().checked_add(allowed) {
                Some(at) => self.runtime.sleep_until(at),
                None => std::future::pending().boxed(),
            });
        }
    }

    /// Starts a Helix call the shutdown can abort.
    fn start_helix_call(
        &self,
        flight: &mut InFlight,
        request: RequestId,
        useless_once_stopped: bool,
        call: BoxFuture<'static, HelixDone>,
    ) {
        let (abort, registration) = AbortHandle::new_pair();
        flight
            .helix_calls
            .insert(request, (abort, useless_once_stopped));
        // Every Helix call goes through the runtime: reqwest needs a tokio reactor, which the
        // async-io runtime provides only inside this wrapper.
        let call = Abortable::new(self.runtime.helix(call), registration);
        flight
            .helix_queue
            .push_back(call.map(move |done| (request, done)).boxed());
        flight.start_queued_helix_calls();
    }

    fn feed(&mut self, input: Input<'_>) {
        let now = match self.turn_clock {
            Some(clock) => clock.now,
            None => self.runtime.now(),
        };
        self.record(|recorder| recorder.input(now, &input));
        if let Err(error) = self.client.handle_input(now, input) {
            // Only possible for a socket or request the core already forgot: harmless.
            tracing::debug!(%error, "input not accepted");
        }
        if self.first_validation.is_some() {
            self.watch_first_validation();
        }
    }

    /// For `connect_validated`: once the core has taken the first validation's answer, settles
    /// the outcome before any of the outputs that answer made is carried out. A token that cannot
    /// serve every wanted subscription shuts the client down here, so the socket the core may
    /// have asked for in the same step is never opened and nothing is asked of Helix.
    fn watch_first_validation(&mut self) {
        let Some(outcome) = FirstValidation::decided_by(&self.client) else {
            return;
        };
        if outcome.is_err() {
            tracing::info!("the token cannot serve every wanted subscription: shutting down");
            self.shutdown_core();
        }
        if let Some(first_validation) = self.first_validation.take() {
            first_validation.settle(outcome);
        }
    }

    /// For `connect_validated`: a stop before the token was known settles the outcome.
    fn watch_for_stop(&mut self, event: &Event) {
        let Some(first_validation) = self.first_validation.take() else {
            return;
        };
        match first_validation.settled_by(event) {
            Some(outcome) => first_validation.settle(outcome),
            None => self.first_validation = Some(first_validation),
        }
    }

    fn command(&mut self, command: Command) {
        match command {
            Command::Subscribe(spec, reply) => {
                tracing::info!(%spec, "subscribe");
                let now = self.runtime.now();
                self.record(|recorder| {
                    recorder.entry(now, Entry::Subscribe { spec: spec.clone() })
                });
                let _ = reply.send(self.client.subscribe(spec));
            }
            Command::Unsubscribe(spec, reply) => {
                tracing::info!(%spec, "unsubscribe");
                let now = self.runtime.now();
                self.record(|recorder| {
                    recorder.entry(now, Entry::Unsubscribe { spec: spec.clone() })
                });
                let _ = reply.send(self.client.unsubscribe(&spec));
            }
            Command::Subscriptions(reply) => {
                let _ = reply.send(self.client.subscriptions_report());
            }
            Command::Stats(reply) => {
                let _ = reply.send(self.client.stats());
            }
            Command::Shutdown => {
                tracing::info!("shutdown requested");
                self.shutdown_core();
            }
        }
    }

    /// Carries out the core's outputs in order, and hands over their events.
    fn drain_outputs(&mut self, flight: &mut InFlight) {
        self.take_outputs(flight);
        self.send_staged();
    }

    /// Carries out the core's outputs in order, their events staged ([`Driver::staged`]) while
    /// they fit. While the consumer has no room under backpressure, only the actions are taken
    /// ([`Pool::poll_action`]): the events stay in the core (a batched notification's as one
    /// entry, made one at a time), so this task holds none.
    fn take_outputs(&mut self, flight: &mut InFlight) {
        loop {
            let output = if self.events_held_in_core() {
                self.client.poll_action()
            } else {
                self.client.poll_output()
            };
            let Some(output) = output else {
                break;
            };
            if self.recorder.is_some() {
                let now = self.runtime.now();
                self.record(|recorder| recorder.output(now, &output));
            }
            match output {
                Output::Connect { conn, url } => {
                    tracing::info!(%conn, %url, "connecting");
                    let (abort, registration) = AbortHandle::new_pair();
                    let connect = Abortable::new(
                        self.runtime.connect(url, self.websocket_config),
                        registration,
                    );
                    flight.connecting.insert(conn, abort);
                    flight
                        .connects
                        .push(connect.map(move |result| (conn, result)).boxed());
                }
                Output::Close { conn, code } => {
                    tracing::info!(%conn, code = code.as_u16(), "closing");
                    if let Some(abort) = flight.connecting.get(&conn) {
                        abort.abort();
                    }
                    // The reader goes on: the socket is read until the server answers, or until
                    // the core gives up waiting (`Output::Abort`).
                    if let Some(writer) = flight.writers.remove(&conn) {
                        flight
                            .closes
                            .push(socket::send_close(writer, code, self.close_deadline()).boxed());
                    }
                }
                Output::Abort { conn } => {
                    tracing::info!(%conn, "dropping");
                    if let Some(abort) = flight.connecting.get(&conn) {
                        // The aborted connect reports the `Closed` when it settles.
                        abort.abort();
                    }
                    flight.writers.remove(&conn);
                    if flight.readers.remove(conn) {
                        self.feed(Input::Closed {
                            conn,
                            code: None,
                            reason: "dropped by the client",
                        });
                    }
                }
                Output::CreateSubscription {
                    request,
                    session_id,
                    subscription,
                } => {
                    tracing::info!(%request, %session_id, spec = %subscription, "creating subscription");
                    let call = helix::create(
                        self.helix.clone(),
                        self.tokens.clone(),
                        request,
                        session_id,
                        subscription,
                    );
                    self.start_helix_call(flight, request, true, call);
                }
                Output::DeleteSubscription { request, id } => {
                    tracing::info!(%request, %id, "deleting subscription");
                    let call = helix::delete(self.helix.clone(), self.tokens.clone(), request, id);
                    self.start_helix_call(flight, request, false, call);
                }
                Output::ValidateToken { request } => {
                    tracing::info!(%request, "validating the token");
                    let call = helix::validate(self.helix.clone(), self.tokens.clone(), request);
                    self.start_helix_call(flight, request, true, call);
                }
                Output::AssignShard {
                    request,
                    conduit_id,
                    shard_id,
                    session_id,
                } => {
                    tracing::info!(%request, %conduit_id, shard_id, %session_id, "assigning the session to its shard");
                    let call = helix::assign_shard(
                        self.helix.clone(),
                        self.tokens.clone(),
                        request,
                        conduit_id,
                        shard_id,
                        session_id,
                    );
                    self.start_helix_call(flight, request, true, call);
                }
                Output::AssignShards {
                    request,
                    conduit_id,
                    shards,
                } => {
                    tracing::info!(%request, %conduit_id, shards = shards.len(), "assigning sessions to their shards");
                    let call = helix::assign_shards(
                        self.helix.clone(),
                        self.tokens.clone(),
                        request,
                        conduit_id,
                        shards,
                    );
                    self.start_helix_call(flight, request, true, call);
                }
                Output::ReadConduitShards {
                    request,
                    conduit_id,
                    after,
                } => {
                    tracing::info!(%request, %conduit_id, "reading the conduit's shards");
                    let call = helix::read_conduit_shards(
                        self.helix.clone(),
                        self.tokens.clone(),
                        request,
                        conduit_id,
                        after,
                    );
                    self.start_helix_call(flight, request, true, call);
                }
                Output::ResizeConduit {
                    request,
                    conduit_id,
                    shard_count,
                } => {
                    tracing::info!(%request, %conduit_id, shard_count, "resizing the conduit");
                    let call = helix::resize_conduit(
                        self.helix.clone(),
                        self.tokens.clone(),
                        request,
                        conduit_id,
                        shard_count,
                    );
                    self.start_helix_call(flight, request, true, call);
                }
                Output::CatchUpRead { request, read } => {
                    tracing::info!(%request, read = read.read().name(), "catch-up read");
                    let call = helix::catch_up_read(
                        self.helix.clone(),
                        self.tokens.clone(),
                        request,
                        read,
                    );
                    self.start_helix_call(flight, request, true, call);
                }
                Output::Event(event) => self.deliver(event),
                other => tracing::warn!(?other, "output this adapter version does not know"),
            }
        }
    }

    /// After a frame was read: the frames that are ready too are read now, up to
    /// [`MAX_FRAMES_PER_TURN`], without a trip through the runtime, and the events they make are
    /// handed over together at the end ([`Driver::staged`]). The turn ends early when the core
    /// stops, the sockets must not be read, the consumer's buffer fills up ([`RoomMarks::low`]:
    /// under backpressure when it is full, and reading then pauses until half of it is free; when
    /// discarding at half full, and a consumer on this runtime gets its turn), or nothing more is
    /// ready.
    fn read_ready_frames(&mut self, flight: &mut InFlight) {
        for _ in 1..MAX_FRAMES_PER_TURN {
            self.take_outputs(flight);
            if self.client.is_stopped()
                || self.pause_or_resume_reading()
                || self.reading_paused
                || flight.readers.is_empty()
                || self.events_filling_up()
            {
                break;
            }
            // Polled without this task's waker: when nothing is ready the `select!` polls the
            // sockets again with it before the task sleeps.
            let ready = next_socket_event(&mut flight.readers, &mut flight.writers).now_or_never();
            let Some((conn, event)) = ready else {
                break;
            };
            self.socket_event(flight, conn, event);
        }
        self.drain_outputs(flight);
    }

    /// Hands over the events staged in this turn, in order. Each had room kept for it, so they
    /// fit; should one not, it waits at the head of the queue like any event without room.
    fn send_staged(&mut self) {
        let mut staged = std::mem::take(&mut self.staged);
        match self.events.try_send_all(&mut staged) {
            // Broken invariant only (room was counted) when some did not fit: kept in order all
            // the same.
            Ok(()) => {
                for event in staged.drain(..).rev() {
                    self.waiting.push_front(event);
                }
            }
            Err(event_channel::Closed) => self.consumer_gone(),
        }
        // The vector's room is kept for the next turn.
        staged.clear();
        self.staged = staged;
    }

    /// Room in the consumer's buffer that no staged event has taken.
    fn room(&self) -> usize {
        self.events.capacity().saturating_sub(self.staged.len())
    }

    /// Hands `event` to the consumer, behind whatever waits; when there is no room it waits too,
    /// unless the policy discards it (and it may be discarded: never a lifecycle event).
    fn deliver(&mut self, event: Event) {
        log_event(&event);
        if self.first_validation.is_some() {
            self.watch_for_stop(&event);
        }
        if !self.has_waiting() && self.room() > 0 && !self.events.is_closed() {
            // It fits: staged, and sent when the outputs are drained or the turn ends.
            self.staged.push(event);
            return;
        }
        // No room: what is staged goes first, so the order holds.
        self.send_staged();
        let event = if self.flush_waiting() {
            match self.events.try_send(event) {
                Ok(()) => return,
                Err(TrySendError::Full(event)) => event,
                Err(TrySendError::Closed) => return self.consumer_gone(),
            }
        } else {
            event
        };
        if self.overflow == Overflow::DiscardWithLagged && event.is_discardable() {
            return self.discard(&event);
        }
        // An overflow is reported in-band, ahead of the next event delivered.
        if let Some(lagged) = self.lag.take() {
            self.waiting.push_back(lagged);
        }
        self.waiting.push_back(event);
    }

    fn has_waiting(&self) -> bool {
        !self.waiting.is_empty() || self.lag.missed() > 0
    }

    /// Whether events are left in the core for now: under backpressure, while the consumer's
    /// buffer is full (or events already wait here). A consumer gone takes them as it can (they
    /// are dropped), so that a shutdown is not held by events nobody will read.
    fn events_held_in_core(&self) -> bool {
        self.overflow == Overflow::Backpressure
            && (self.room() == 0 || !self.waiting.is_empty())
            && !self.events.is_closed()
    }

    /// Whether the driver waits for room in the consumer's buffer: for events that wait, or
    /// (under backpressure) before it reads again.
    fn wants_room(&self) -> bool {
        (self.events_wait_for_room() || self.room_wanted) && !self.events.is_closed()
    }

    /// Whether events wait for the consumer's room: here, or in the core under backpressure.
    fn events_wait_for_room(&self) -> bool {
        self.has_waiting()
            || (self.overflow == Overflow::Backpressure
                && self.client.holds_events()
                && !self.events.is_closed())
    }

    /// Hands over what waits while there is room; `true` when nothing is left waiting.
    fn flush_waiting(&mut self) -> bool {
        while let Some(event) = self.waiting.pop_front().or_else(|| self.lag.take()) {
            match self.events.try_send(event) {
                Ok(()) => {}
                Err(TrySendError::Full(event)) => {
                    self.waiting.push_front(event);
                    return false;
                }
                Err(TrySendError::Closed) => {
                    self.waiting.clear();
                    self.consumer_gone();
                    return true;
                }
            }
        }
        true
    }

    /// Whether the sockets may be read now: under backpressure not while events wait for room,
    /// nor after a turn that filled the buffer until half of it is free ([`RoomMarks`]);
    /// otherwise not when the lifecycle events waiting reach their cap. The core is told of each
    /// change, so that unread data is not taken for a silent socket. Once the core has stopped the
    /// sockets are read whatever waits: a stopped core makes no events of what they send, and
    /// only reading them sees their close handshakes end (or their close deadlines pass), which
    /// the shutdown waits for, consumer or not.
    fn pause_or_resume_reading(&mut self) -> bool {
        let pause = !self.client.is_stopped()
            && match self.overflow {
                Overflow::Backpressure => self.events_wait_for_room() || self.room_wanted,
                Overflow::DiscardWithLagged => self.waiting.len() >= MAX_WAITING_EVENTS,
            };
        if pause == self.reading_paused {
            return false;
        }
        self.reading_paused = pause;
        if pause {
            tracing::debug!(
                "event stream full: sockets are not read until the consumer catches up"
            );
            self.feed(Input::ReadingPaused);
        } else {
            tracing::debug!("event stream has room: reading the sockets again");
            self.feed(Input::ReadingResumed);
        }
        true
    }

    /// The driver is done: what still waits goes to the stream, after its buffer: the events
    /// held here, then those the core still holds.
    fn leave_waiting_events(&mut self) {
        if let Some(lagged) = self.lag.take() {
            self.waiting.push_back(lagged);
        }
        while let Some(output) = self.client.poll_output() {
            match output {
                Output::Event(event) => {
                    self.watch_for_stop(&event);
                    self.waiting.push_back(event);
                }
                // Nothing is open any more: there is nothing left to carry out.
                other => tracing::debug!(?other, "output after the driver finished"),
            }
        }
        if self.waiting.is_empty() {
            return;
        }
        match self.leftover.lock() {
            Ok(mut leftover) => leftover.append(&mut self.waiting),
            // Only a panic while holding the lock poisons it; the stream reads nothing more then.
            Err(_) => self.waiting.clear(),
        }
    }

    fn events_filling_up(&self) -> bool {
        self.room_marks.filling_up(self.room())
    }

    fn discard(&mut self, event: &Event) {
        self.lagged.fetch_add(1, Ordering::Relaxed);
        if self.lag.missed() == 0 {
            tracing::warn!("event stream full: events are discarded until the consumer catches up");
        }
        self.lag.discarded(event);
        tracing::debug!(?event, "event discarded");
    }

    fn consumer_gone(&mut self) {
        if !self.client.is_stopped() {
            tracing::info!("event stream dropped: shutting down");
            self.shutdown_core();
        }
    }

    fn connected(&mut self, flight: &mut InFlight, conn: ConnId, result: ConnectOutcome) {
        flight.connecting.remove(&conn);
        match result {
            Ok(Ok(ws)) => {
                let (writer, reader) = socket::split(ws);
                tracing::info!(%conn, "socket open");
                flight.writers.insert(conn, writer);
                flight.readers.push(conn, reader);
                self.feed(Input::Opened { conn });
            }
            Ok(Err(error)) => {
                tracing::warn!(%conn, %error, "connect failed");
                self.feed(Input::ConnectFailed {
                    conn,
                    error: &error,
                });
            }
            Err(_aborted) => {
                tracing::info!(%conn, "connect abandoned");
                self.feed(Input::Closed {
                    conn,
                    code: None,
                    reason: "connect abandoned",
                });
            }
        }
    }

    fn socket_event(&mut self, flight: &mut InFlight, conn: ConnId, event: SocketEvent) {
        match event {
            SocketEvent::Text(text) => {
                tracing::trace!(%conn, len = text.len(), "text frame");
                self.feed(Input::Text {
                    conn,
                    text: text.as_str(),
                    received_at: self
                        .turn_clock
                        .map_or_else(SystemTime::now, |clock| clock.wall),
                });
            }
            SocketEvent::Binary(data) => self.feed(Input::Binary { conn, data: &data }),
            SocketEvent::Closed { code, reason } => {
                tracing::info!(%conn, ?code, %reason, "socket closed");
                flight.readers.remove(conn);
                if let Some(writer) = flight.writers.remove(&conn) {
                    if code.is_some() {
                        // The server closed first: send the close frame back.
                        flight
                            .closes
                            .push(socket::answer_close(writer, self.close_deadline()).boxed());
                    }
                }
                self.feed(Input::Closed {
                    conn,
                    code,
                    reason: &reason,
                });
            }
        }
    }
}

/// The lifecycle in the logs; notifications only at debug level.
fn log_event(event: &Event) {
    match event {
        Event::Notification(notification) => tracing::debug!(
            kind = notification.subscription_type(),
            message_id = %notification.message_id(),
            "notification"
        ),
        Event::SessionReady {
            conn,
            session_id,
            keepalive,
        } => {
            tracing::info!(%conn, %session_id, ?keepalive, "session ready");
        }
        Event::Reconnected { conn, session_id } => {
            tracing::info!(%conn, %session_id, "reconnected")
        }
        Event::Disconnected { conn, cause, .. } => tracing::warn!(%conn, ?cause, "disconnected"),
        Event::ConnectFailed { conn, cause, .. } => tracing::warn!(%conn, ?cause, "connect failed"),
        Event::Resumed { gap } => tracing::info!(
            outage = ?gap.duration(),
            from = ?gap.from,
            until = ?gap.until,
            recovery = ?gap.recovery_time(),
            "resumed"
        ),
        Event::Stopped { reason } => tracing::info!(%reason, "stopped"),
        Event::Idle { reasons } => {
            tracing::info!(
                unusable = reasons.len(),
                "idle: nothing can be subscribed, no socket held"
            )
        }
        other => tracing::debug!(?other, "event"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::task::{Context, Poll};

    use eventsub_proto::{Client, Config};

    use super::*;

    #[test]
    fn at_most_sixteen_helix_calls_run_at_once_and_the_others_start_in_order() {
        let mut client = Client::new(Config::default(), Instant::now()).unwrap(); // ok: a unit test
        let Some(Output::ValidateToken { request }) = client.poll_output() else {
            panic!("a client validates first");
        };
        let started = Arc::new(AtomicUsize::new(0));
        let mut flight = InFlight::default();
        for n in 0..20 {
            let started = Arc::clone(&started);
            flight.helix_queue.push_back(
                async move {
                    started.fetch_add(1, Ordering::SeqCst);
                    if n == 0 {
                        // The first call ends at once; the others never do.
                        return (request, Err(futures_util::future::Aborted));
                    }
                    std::future::pending().await
                }
                .boxed(),
            );
        }
        flight.start_queued_helix_calls();
        assert_eq!(
            (flight.helix.len(), flight.helix_queue.len()),
            (MAX_HELIX_CALLS_IN_FLIGHT, 4)
        );
        let mut cx = Context::from_waker(futures_util::task::noop_waker_ref());
        assert!(matches!(
            flight.helix.poll_next_unpin(&mut cx),
            Poll::Ready(Some(_))
        ));
        // The call that ended makes room for the next one waiting, and no more.
        flight.start_queued_helix_calls();
        assert_eq!(
            (flight.helix.len(), flight.helix_queue.len()),
            (MAX_HELIX_CALLS_IN_FLIGHT, 3)
        );
        assert!(flight.helix.poll_next_unpin(&mut cx).is_pending());
        // The first sixteen and the one that took the ended call's place ran; three wait.
        assert_eq!(
            started.load(Ordering::SeqCst),
            MAX_HELIX_CALLS_IN_FLIGHT + 1
        );
    }
}
