//! The client state machine: inputs and time in, outputs out.
//!
//! This file holds the state and the public API; the work is split by concern: `frames` (what the
//! server sends), `lifecycle` (sockets opening, failing and closing, backoff), `subscriptions`
//! (what a fresh session asks for and Helix's answers), `validation` (knowing the token), `idle`
//! (no socket while nothing can be subscribed).

mod catchup;
mod frames;
mod idle;
mod lifecycle;
mod outputs;
mod shard;
mod subscriptions;
mod validation;

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

use url::Url;

use crate::clock::{ClockOffset, TwitchClock};
use crate::close::CloseCode;
use crate::config::Config;
use crate::connection::{ConnState, Connection};
use crate::dedup::DedupWindow;
use crate::error::{ConfigError, FrameError, InputError, SubscribeError};
use crate::event::{DisconnectCause, Event, StopReason, SubscriptionFailure};
use crate::frame_ring::FrameRing;
use crate::ids::{ConnId, RequestId, SessionId, SubscriptionId};
use crate::io::{Input, Output};
use crate::stale::StaleCheck;
use crate::subscription::SubscriptionSpec;
use crate::subscription_memo::SubscriptionMemo;
use crate::unchecked::MalformedCount;
use crate::wanted::{SubscriptionState, SubscriptionsReport, Wanted, WantedSubscriptions};

/// How a connection that is being opened will take over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Takeover {
    /// Opened at a `session_reconnect` URL: the session and its subscriptions move over.
    Handover,
    /// Opened at the base URL: a new session, subscriptions must be created.
    Fresh,
}

#[derive(Clone, Copy, Debug)]
struct Candidate {
    conn: ConnId,
    takeover: Takeover,
}

/// What an outstanding Helix request was for.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Request {
    Create {
        /// The user unsubscribed while it was in flight: delete it if it gets created.
        orphaned: bool,
    },
    Delete(SubscriptionId),
    /// A token validation.
    Validate,
    /// Assigning the session to the client's conduit shard.
    AssignShard,
}

/// What follows the loss of a connection.
#[derive(Clone, Debug)]
enum Retry {
    /// Open a fresh connection now.
    Now,
    /// Open a fresh connection at this time.
    At(Instant),
    /// A connection is already being opened (a handover under way): let it finish.
    UnderWay,
    /// Stop for good.
    Stop(StopReason),
}

#[derive(Clone, Debug)]
struct GapStart {
    lost_at: Instant,
    /// Twitch's clock.
    from: SystemTime,
}

/// Counters for monitoring and tests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Notifications and revocations dropped as duplicates.
    pub duplicates_dropped: u64,
    /// Notifications dropped as stale.
    pub stale_dropped: u64,
    /// Frames that could not be used: those reported as [`Event::MalformedFrame`], and those
    /// delivered with their payload unchecked
    /// ([`PayloadCheck::Deferred`](crate::PayloadCheck::Deferred), the default) whose
    /// subscription or event a decode then found not to be JSON
    /// ([`Notification::check_payload`](crate::Notification::check_payload)): each counted once,
    /// when it is found. This count is shared with those notifications, so it goes up when a
    /// consumer decodes one, wherever that runs.
    pub malformed_frames: u64,
    /// Message ids the duplicate filter holds now.
    pub dedup_entries: usize,
    /// Sockets the core knows of (open, opening or closing).
    pub connections: usize,
    /// Requests asked for (`CreateSubscription`, `DeleteSubscription`, `ValidateToken`,
    /// `CatchUpRead`) and not yet answered.
    /// Each is kept until its result (or error) is given back, so this stays as small as the
    /// adapter's own list of requests in flight.
    pub pending_requests: usize,
}

/// The EventSub WebSocket client, without I/O.
///
/// Feed it [`Input`]s and the passing of time; drain [`Output`]s; sleep until [`Client::poll_timeout`].
/// See the crate documentation for the whole driving loop.
#[derive(Debug)]
pub struct Client {
    config: Config,
    fresh_url: Url,
    connections: Vec<Connection>,
    /// The connection whose session holds the subscriptions.
    primary: Option<ConnId>,
    /// The connection being opened to take over from the primary (or to become the first one).
    candidate: Option<Candidate>,
    /// When to open the next fresh connection, while backing off.
    reconnect_at: Option<Instant>,
    /// A handover the server asked for that waits for its turn (the latest URL wins): for
    /// `min_reconnect_interval` since the last immediate connection, and for every closing socket
    /// to be gone, so that a server looping on `session_reconnect` cannot pile up sockets.
    pending_handover: Option<Url>,
    /// When the client last opened a connection because the server asked for one at once (a
    /// handover or an immediate fresh reconnect): the pace `min_reconnect_interval` keeps.
    last_immediate_connect: Option<Instant>,
    /// Consecutive failed attempts since the last healthy session.
    failures: u32,
    /// When to ask again for the subscriptions Helix could not create on the live session.
    creation_retry_at: Option<Instant>,
    /// Consecutive creations Helix could not serve on the live session (the backoff step).
    creation_failures: u32,
    gap: Option<GapStart>,
    subscriptions: WantedSubscriptions,
    requests: HashMap<RequestId, Request>,
    dedup: DedupWindow,
    /// The copies of frames the notifications keep, reused once dropped.
    frames: FrameRing,
    stale_check: StaleCheck,
    twitch_clock: TwitchClock,
    outputs: outputs::OutputQueue,
    last_conn: u64,
    last_request: u64,
    now: Instant,
    stopped: bool,
    /// Since when the adapter does not read its sockets ([`Input::ReadingPaused`]): the deadlines
    /// that wait for the server to say something do not run.
    reading_paused: Option<Instant>,
    stats: Stats,
    /// [`Stats::malformed_frames`], shared with the notifications delivered unchecked.
    malformed: MalformedCount,
    /// The subscription object the lazy envelope walked last (see `subscription_memo.rs`).
    subscription_memo: SubscriptionMemo,
    /// The token's user, for cost estimates: from the latest validation, else the config's preset.
    token_user_id: Option<String>,
    validation: validation::Validation,
    /// Nothing can be subscribed: no socket is held until something is (see [`Event::Idle`]).
    idle: bool,
    /// The catch-up after gaps, when [`Config::catch_up`] is set.
    catch_up: Option<Box<crate::catchup::engine::Engine>>,
    /// Shard mode ([`Config::shard`]): the shard each fresh session is assigned to.
    shard: Option<shard::ShardMode>,
    /// Which session of a [`Pool`](crate::Pool) this client is (0 when not pooled): in the top
    /// bits of every id it mints, and in its gaps.
    session: u16,
    /// Why it stopped, once it did.
    stop_reason: Option<StopReason>,
    /// When the adapter last read its sockets again after [`Input::ReadingPaused`].
    reading_resumed_at: Option<Instant>,
}

impl Client {
    /// Trades this client's ring of frame copies for `frames`: a [`Pool`](crate::Pool) lends its
    /// one ring to the session it feeds, and takes it back after.
    pub(crate) fn swap_frames(&mut self, frames: &mut FrameRing) {
        std::mem::swap(&mut self.frames, frames);
    }

    /// How many frame copies this client's own ring keeps, and their bytes.
    #[cfg(test)]
    pub(crate) fn kept_frames(&self) -> (usize, usize) {
        self.frames.kept()
    }

    /// A client that starts at once. With [`Config::validate_token`] (the default) the first
    /// output is [`Output::ValidateToken`], and no [`Output::Connect`] comes before a successful
    /// answer; without it the first output is [`Output::Connect`]. Either way, with nothing to
    /// subscribe the client goes idle ([`Event::Idle`]) instead of connecting.
    pub fn new(config: Config, now: Instant) -> Result<Self, ConfigError> {
        Self::in_session(config, now, 0)
    }

    /// A client that is session `session` of a [`Pool`](crate::Pool).
    pub(crate) fn in_session(
        config: Config,
        now: Instant,
        session: u16,
    ) -> Result<Self, ConfigError> {
        let base = crate::ids::counter_base(session);
        Self::with_counters(config, now, session, base, base)
    }

    /// A client that takes the place of `previous` as session `session` of a
    /// [`Pool`](crate::Pool): its ids go on from where `previous`'s stopped, so a late answer
    /// for the old client can never name one of the new one's connections or requests.
    pub(crate) fn in_session_after(
        config: Config,
        now: Instant,
        session: u16,
        previous: &Client,
    ) -> Result<Self, ConfigError> {
        Self::with_counters(
            config,
            now,
            session,
            previous.last_conn,
            previous.last_request,
        )
    }

    fn with_counters(
        config: Config,
        now: Instant,
        session: u16,
        last_conn: u64,
        last_request: u64,
    ) -> Result<Self, ConfigError> {
        let fresh_url = config.validate()?;
        let shard = config.shard.clone().map(shard::ShardMode::new);
        let mut subscriptions = WantedSubscriptions::new(config.max_total_cost);
        // Costs are estimated for an unknown user until validation names one: checked then.
        let check_cost = config.token_user_id.is_some();
        for spec in &config.subscriptions {
            let wanted = Wanted::new(spec.clone(), config.token_user_id.as_deref());
            subscriptions.add(wanted, config.max_subscriptions_per_connection, check_cost)?;
        }
        let mut client = Self {
            dedup: DedupWindow::new(
                config.dedup_max_entries,
                config.dedup_max_bytes,
                config.dedup_max_age,
            ),
            frames: FrameRing::default(),
            stale_check: StaleCheck::new(config.stale_after),
            twitch_clock: TwitchClock::new(config.max_clock_correction, config.stale_after),
            config,
            fresh_url,
            connections: Vec::new(),
            primary: None,
            candidate: None,
            reconnect_at: None,
            pending_handover: None,
            last_immediate_connect: None,
            failures: 0,
            creation_retry_at: None,
            creation_failures: 0,
            gap: None,
            subscriptions,
            requests: HashMap::new(),
            outputs: outputs::OutputQueue::default(),
            last_conn,
            last_request,
            now,
            stopped: false,
            reading_paused: None,
            stats: Stats::default(),
            malformed: MalformedCount::default(),
            subscription_memo: SubscriptionMemo::default(),
            token_user_id: None,
            validation: validation::Validation::default(),
            idle: false,
            catch_up: None,
            shard,
            session,
            stop_reason: None,
            reading_resumed_at: None,
        };
        client.catch_up = client
            .config
            .catch_up
            .clone()
            .map(|config| Box::new(crate::catchup::engine::Engine::new(config)));
        client.token_user_id = client.config.token_user_id.clone();
        if client.config.validate_token {
            client.ask_validation();
        } else {
            client.connect_or_idle();
        }
        Ok(client)
    }

    /// Feeds one input. `Err` only for inputs that name something the client does not know.
    pub fn handle_input(&mut self, now: Instant, input: Input<'_>) -> Result<(), InputError> {
        self.advance_clock(now);
        match input {
            Input::Opened { conn } => {
                let welcome_deadline = self.deadline_after(self.config.welcome_timeout);
                self.connection_mut(conn)?.opened(welcome_deadline);
            }
            Input::ConnectFailed { conn, error } => self.connection_ended(
                conn,
                DisconnectCause::ConnectFailed {
                    error: error.to_owned(),
                },
            )?,
            Input::Closed { conn, code, reason } => self.connection_ended(
                conn,
                DisconnectCause::Closed {
                    code: code.map_or(CloseCode::ABNORMAL, CloseCode),
                    reason: reason.to_owned(),
                },
            )?,
            Input::Text {
                conn,
                text,
                received_at,
            } => {
                // Keepalives come in quiet times too: a burst's copies are let go of then.
                self.frames.trim_if_quiet(self.now);
                self.on_text(conn, text, received_at)?
            }
            Input::Binary { conn, data } => {
                self.heard_from(conn, data.len())?;
                if !self.stopped {
                    let error = FrameError::Binary { len: data.len() };
                    self.emit(Event::MalformedFrame { conn, error });
                }
            }
            Input::ReadingPaused => {
                self.reading_paused.get_or_insert(self.now);
                self.twitch_clock.reading_paused();
            }
            Input::ReadingResumed => self.reading_resumed(),
            Input::SubscriptionCreated { request, result } => {
                self.on_subscription_created(request, result)?;
                self.catch_up_subscription_answered();
            }
            Input::SubscriptionDeleted { request, result } => {
                self.on_subscription_deleted(request, result)?
            }
            Input::TokenValidated { request, result } => {
                self.on_token_validated(request, result)?
            }
            Input::CatchUpRead { request, result } => self.on_catch_up_read(request, result)?,
            Input::ShardAssigned { request, result } => self.on_shard_assigned(request, result)?,
            // A pool's own requests: a client never asks for them.
            Input::ShardsAssigned { request, .. }
            | Input::ConduitShardsRead { request, .. }
            | Input::ConduitResized { request, .. } => {
                return Err(InputError::UnknownRequest { request });
            }
        }
        // Idle first: a gap that ends in idle is not resumed.
        self.idle_if_nothing_wanted();
        self.resume_if_complete();
        self.catch_up_after_input();
        Ok(())
    }

    /// Time passed. Expired deadlines act; calling it before [`Client::poll_timeout`] is a no-op.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.advance_clock(now);
        let mut expired: Vec<(Instant, ConnId)> = self
            .connections
            .iter()
            .filter_map(|conn| {
                self.running_deadline(conn)
                    .filter(|at| *at <= now)
                    .map(|at| (at, conn.id))
            })
            .collect();
        expired.sort();
        for (_, conn) in expired {
            let Some(connection) = self.connections.iter().find(|c| c.id == conn) else {
                continue;
            };
            let cause = match &connection.state {
                ConnState::Connecting => DisconnectCause::ConnectTimeout,
                ConnState::AwaitingWelcome => DisconnectCause::WelcomeTimeout,
                ConnState::Live {
                    last_message_at, ..
                } => DisconnectCause::KeepaliveTimeout {
                    silent_for: now.saturating_duration_since(*last_message_at),
                },
                ConnState::Closing => {
                    self.close_unanswered(conn);
                    continue;
                }
            };
            self.abandon(conn, cause);
            if self.stopped {
                return;
            }
        }
        if self.stopped {
            return;
        }
        if self.reconnect_at.is_some_and(|at| at <= now) {
            self.reconnect_at = None;
            self.open_candidate(Takeover::Fresh, self.fresh_url.clone());
        }
        if self.creation_retry_at.is_some_and(|at| at <= now) {
            self.creation_retry_at = None;
            let pooled = self.is_pooled();
            self.retry_creations_where(|wanted| wanted.retried_after_delay(pooled));
        }
        if self.validation.next_at.is_some_and(|at| at <= now) {
            self.ask_validation();
        }
        self.shard_timeout(now);
        self.start_pending_handover();
        self.idle_if_nothing_wanted();
    }

    /// The next output to carry out, in order. Drain until `None` after every input.
    #[must_use]
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// The next output that is not an [`Output::Event`], in order among those; the events queued
    /// before it stay queued, in their order, for [`Client::poll_output`].
    ///
    /// For an adapter whose user has no room for events now (backpressure): it goes on carrying
    /// out what the core asks (connects, closes, aborts, Helix requests) while the events wait in
    /// the core, where the events of a batched notification are still one entry, made one at a
    /// time only as [`Client::poll_output`] hands them out. The order the user sees is the same
    /// either way; only the actions move ahead of news the user has not taken yet, and no action
    /// depends on the user having read an event. Drain it until `None` after every input, like
    /// [`Client::poll_output`], while the user has no room; once the user has room again, drain
    /// [`Client::poll_output`].
    #[must_use]
    pub fn poll_action(&mut self) -> Option<Output> {
        self.outputs.pop_action()
    }

    /// Whether events wait to be handed out by [`Client::poll_output`] (after
    /// [`Client::poll_action`] took the actions ahead of them).
    #[must_use]
    pub fn holds_events(&self) -> bool {
        self.outputs.holds_events()
    }

    /// When the client next needs [`Client::handle_timeout`]; `None` when nothing is scheduled.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let sockets = self
            .connections
            .iter()
            .filter_map(|conn| self.running_deadline(conn));
        if self.stopped {
            // Only the close handshakes still settle: nothing else is done after `Stopped`.
            return sockets.min();
        }
        sockets
            .chain(self.reconnect_at)
            .chain(self.creation_retry_at)
            .chain(self.validation.next_at)
            .chain(self.pending_handover_at())
            .chain(self.shard_retry_at())
            .min()
    }

    /// The deadline of `conn` that runs now: none of those that wait for the server to speak
    /// while the adapter does not read (see [`Input::ReadingPaused`]). Once stopped, only the
    /// close handshakes still run: they settle what is open.
    fn running_deadline(&self, conn: &Connection) -> Option<Instant> {
        if self.reading_paused.is_some() && conn.waits_for_server() {
            return None;
        }
        if self.stopped && !conn.is_closing() {
            return None;
        }
        conn.deadline
    }

    /// Reading resumed: every watch for the server's next word restarts from now, and every wait
    /// for a close answer goes on where the pause stopped it.
    fn reading_resumed(&mut self) {
        let Some(paused_at) = self.reading_paused.take() else {
            return;
        };
        let now = self.now;
        self.reading_resumed_at = Some(now);
        self.twitch_clock.reading_resumed(now);
        let paused_for = now.saturating_duration_since(paused_at);
        let welcome_timeout = self.config.welcome_timeout;
        for connection in &mut self.connections {
            connection.reading_resumed(now, welcome_timeout, paused_for);
        }
    }

    /// Adds a subscription. It is created on the live session at once (if there is one) and on
    /// every fresh session after; an idle client connects again for it. Refused up front when it
    /// cannot fit, or (once the token was validated) when the token lacks a scope its type needs
    /// or its condition names another user where the type needs the token's own.
    /// A subscription that was revoked or failed for good may be added again: it starts over.
    pub fn subscribe(&mut self, spec: SubscriptionSpec) -> Result<(), SubscribeError> {
        if self.stopped {
            return Err(SubscribeError::Stopped);
        }
        if self.shard.is_some() {
            return Err(SubscribeError::ShardMode {
                spec: Box::new(spec),
            });
        }
        if let Some(identity) = &self.validation.identity {
            match validation::refusal(&spec, identity) {
                Some(SubscriptionFailure::MissingScope { missing, .. }) => {
                    return Err(SubscribeError::MissingScope {
                        spec: Box::new(spec),
                        missing,
                    });
                }
                Some(SubscriptionFailure::NotTokenUser {
                    field, token_user, ..
                }) => {
                    return Err(SubscribeError::NotTokenUser {
                        spec: Box::new(spec),
                        field,
                        token_user,
                    });
                }
                _ => {}
            }
        }
        let wanted = Wanted::new(spec, self.token_user_id.as_deref());
        let index = self.subscriptions.add(
            wanted,
            self.config.max_subscriptions_per_connection,
            self.token_user_id.is_some(),
        )?;
        if self.idle {
            self.leave_idle();
        } else if let Some(session_id) = self.session_id().cloned() {
            self.request_creation(index, &session_id);
        }
        Ok(())
    }

    /// Removes a subscription: it is deleted over Helix if it exists, and not created again.
    /// Returns whether it was wanted. After the client stopped it is only forgotten.
    pub fn unsubscribe(&mut self, spec: &SubscriptionSpec) -> bool {
        let Some(index) = self
            .subscriptions
            .entries
            .iter()
            .position(|wanted| &wanted.spec == spec)
        else {
            return false;
        };
        let wanted = self.subscriptions.entries.remove(index);
        self.catch_up_unsubscribed();
        if self.stopped {
            // Nothing goes out after `Stopped`: the subscriptions died with their session (and
            // were deleted on shutdown when so configured).
            return true;
        }
        match wanted.state {
            SubscriptionState::Enabled { id, cost } => {
                self.subscriptions.freed(cost);
                if let Some(id) = id {
                    self.request_deletion(id);
                }
            }
            SubscriptionState::Requested { request, .. } => {
                self.requests
                    .insert(request, Request::Create { orphaned: true });
            }
            _ => {}
        }
        self.retry_for_room();
        self.idle_if_nothing_wanted();
        self.resume_if_complete();
        true
    }

    /// Stops: closes every socket with 1000 (and, if configured, deletes the subscriptions this
    /// client created), then emits [`Event::Stopped`]. Inputs after this only settle what is open.
    pub fn shutdown(&mut self, now: Instant) {
        self.advance_clock(now);
        if self.stopped {
            return;
        }
        if self.config.delete_subscriptions_on_shutdown {
            let ids: Vec<SubscriptionId> = self
                .subscriptions
                .entries
                .iter()
                .filter_map(|wanted| match &wanted.state {
                    SubscriptionState::Enabled { id: Some(id), .. } => Some(id.clone()),
                    _ => None,
                })
                .collect();
            for id in ids {
                self.request_deletion(id);
            }
        }
        self.stop(StopReason::Shutdown);
    }

    /// Whether the client has stopped for good.
    pub fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// Why the client stopped, once it did (what its [`Event::Stopped`] said).
    pub fn stop_reason(&self) -> Option<&StopReason> {
        self.stop_reason.as_ref()
    }

    /// The session id of the live session, if there is one.
    pub fn session_id(&self) -> Option<&SessionId> {
        let primary = self.primary?;
        self.connections
            .iter()
            .find(|conn| conn.id == primary)
            .and_then(Connection::session_id)
    }

    /// How far the local wall clock (the `received_at` of the frames) is from Twitch's, as
    /// estimated from the `message_timestamp`s of the recent welcome and keepalive frames: the
    /// median of `received_at − message_timestamp` over the last five, capped at
    /// [`Config::max_clock_correction`] either way. It includes the frames' one-way delay. Zero
    /// before the first welcome. Stale checks and [`Gap`](crate::Gap) bounds use it.
    pub fn clock_offset(&self) -> ClockOffset {
        self.twitch_clock.offset()
    }

    /// Every wanted subscription and where it stands.
    pub fn subscriptions(&self) -> impl Iterator<Item = (&SubscriptionSpec, &SubscriptionState)> {
        self.subscriptions
            .entries
            .iter()
            .map(|wanted| (&wanted.spec, &wanted.state))
    }

    /// Every wanted subscription with its state, id and cost (Twitch's when it reported one,
    /// else the estimate), and the token's cost totals: a snapshot for monitoring.
    ///
    /// ```
    /// use std::time::Instant;
    /// use eventsub_proto::{BroadcasterId, Client, Config, SubscriptionSpec, SubscriptionState};
    /// let mut config = Config::default();
    /// config.subscriptions.push(SubscriptionSpec::stream_online(BroadcasterId::new("12826")));
    /// let client = Client::new(config, Instant::now())?;
    /// let report = client.subscriptions_report();
    /// assert_eq!(report.subscriptions.len(), 1);
    /// assert_eq!(report.subscriptions[0].state, SubscriptionState::Waiting);
    /// assert_eq!((report.total_cost, report.max_total_cost), (0, 10));
    /// # Ok::<(), eventsub_proto::ConfigError>(())
    /// ```
    pub fn subscriptions_report(&self) -> SubscriptionsReport {
        let mut report = self.subscriptions.report();
        for subscription in &mut report.subscriptions {
            subscription.session = usize::from(self.session);
        }
        report
    }

    /// How many subscriptions occupy or will occupy a place on this client's session (those
    /// that are not revoked or failed for good): what a pool's planner fills up to the limit.
    pub(crate) fn active_subscriptions(&self) -> usize {
        self.subscriptions
            .entries
            .iter()
            .filter(|wanted| wanted.is_active())
            .count()
    }

    /// Whether `spec` is wanted here and is or will be created.
    pub(crate) fn wants_active(&self, spec: &SubscriptionSpec) -> bool {
        self.subscriptions
            .entries
            .iter()
            .any(|wanted| &wanted.spec == spec && wanted.is_active())
    }

    /// Whether `spec` is wanted here, in any state.
    pub(crate) fn wants(&self, spec: &SubscriptionSpec) -> bool {
        self.subscriptions
            .entries
            .iter()
            .any(|wanted| &wanted.spec == spec)
    }

    /// What this session's subscriptions commit of the token's cost.
    pub(crate) fn cost_parts(&self) -> crate::wanted::CostParts {
        self.subscriptions.cost_parts()
    }

    /// The token's `max_total_cost` as this session knows it (Twitch's latest, else the config's).
    pub(crate) fn max_total_cost(&self) -> u32 {
        self.subscriptions.max_total_cost
    }

    /// The token's user, for cost estimates, as this session knows it.
    pub(crate) fn token_user_id(&self) -> Option<&str> {
        self.token_user_id.as_deref()
    }

    /// What the latest successful token validation said, if one answered yet.
    pub fn token(&self) -> Option<&crate::token::TokenIdentity> {
        self.validation.identity.as_ref()
    }

    /// Counters, including the size of the duplicate filter.
    pub fn stats(&self) -> Stats {
        Stats {
            dedup_entries: self.dedup.len(),
            connections: self.connections.len(),
            pending_requests: self.requests.len() + self.catch_up_pending_reads(),
            malformed_frames: self.malformed.get(),
            ..self.stats.clone()
        }
    }

    pub(super) fn emit(&mut self, event: Event) {
        if let Event::MalformedFrame { .. } = event {
            self.malformed.add_one();
        }
        self.outputs.push_back(Output::Event(event));
    }

    pub(super) fn advance_clock(&mut self, now: Instant) {
        // Time only moves forward; a stale `now` from a racing adapter is read as "no time passed".
        self.now = self.now.max(now);
    }

    pub(super) fn deadline_after(&self, delay: Duration) -> Instant {
        self.now.checked_add(delay).unwrap_or(self.now)
    }

    pub(super) fn connection_mut(&mut self, conn: ConnId) -> Result<&mut Connection, InputError> {
        self.connections
            .iter_mut()
            .find(|connection| connection.id == conn)
            .ok_or(InputError::UnknownConnection { conn })
    }

    /// The earliest moment the server may make the client open another connection at once.
    pub(super) fn next_immediate_connect_at(&self) -> Instant {
        self.last_immediate_connect
            .and_then(|last| last.checked_add(self.config.min_reconnect_interval))
            .map_or(self.now, |at| at.max(self.now))
    }

    pub(super) fn connection(&self, conn: ConnId) -> Option<&Connection> {
        self.connections
            .iter()
            .find(|connection| connection.id == conn)
    }
}
