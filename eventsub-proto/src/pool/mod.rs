//! Up to three WebSocket sessions for one user token, as one client: the session pool.
//!
//! Twitch allows a user access token up to [`MAX_SESSIONS_PER_TOKEN`](crate::MAX_SESSIONS_PER_TOKEN) WebSocket connections with
//! enabled subscriptions, each with at most
//! [`MAX_SUBSCRIPTIONS_PER_CONNECTION`](crate::MAX_SUBSCRIPTIONS_PER_CONNECTION), all under the
//! token's `max_total_cost`. A [`Pool`] is driven exactly like a [`Client`] (the same [`Input`]s,
//! [`Output`]s and deadlines) and holds one `Client` per session. Its planner places each
//! subscription on the first session with room, opens a second or third session only when the
//! ones it has are full, and never moves a subscription that works. Each session keeps its own
//! keepalive, reconnects, backoff and gaps; the user sees one stream of events, and each says
//! which session it came from: [`ConnId::session_index`] of the connection it names, or
//! [`Gap::session`](crate::Gap::session), or [`SubscriptionReport::session`](crate::SubscriptionReport::session).
//!
//! With [`Config::max_sessions`] at 1 (the default) a pool is exactly its one client: every call
//! is passed through.
//!
//! ```
//! use std::time::Instant;
//! use eventsub_proto::{BroadcasterId, Config, Output, Pool, SubscriptionSpec};
//! let mut config = Config::default();
//! config.validate_token = false;
//! config.max_sessions = 3;
//! config.subscriptions = (0..450)
//!     .map(|n| SubscriptionSpec::stream_online(BroadcasterId::new(n.to_string())))
//!     .collect();
//! let mut pool = Pool::new(config, Instant::now())?;
//! assert_eq!(pool.sessions(), 2); // 300 on the first session, 150 on the second
//! let connects: Vec<usize> = std::iter::from_fn(|| pool.poll_output())
//!     .filter_map(|output| match output {
//!         Output::Connect { conn, .. } => Some(conn.session_index()),
//!         _ => None,
//!     })
//!     .collect();
//! assert_eq!(connects, [0, 1]);
//! # Ok::<(), eventsub_proto::ConfigError>(())
//! ```

mod activity;
mod batch;
mod claiming;
mod merge;
mod planner;
mod shards;
pub use shards::MAX_SHARDS_PER_POOL;
#[cfg(test)]
mod tests;
mod validation;

use std::time::Instant;

use crate::client::{Client, Stats};
use crate::clock::ClockOffset;
use crate::config::Config;
use crate::error::{ConfigError, InputError, SubscribeError};
use crate::frame_ring::FrameRing;
use crate::ids::{ConnId, RequestId, SessionId};
use crate::io::{Input, Output};
use crate::subscription::SubscriptionSpec;
use crate::token::TokenIdentity;
use crate::wanted::{SubscriptionState, SubscriptionsReport};

use activity::Activity;
use batch::Batches;
use merge::Merge;
use planner::Placement;
use validation::Coalesced;

/// What the pool's sessions are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// One session ([`Config::max_sessions`] 1): the pool is its client, every call passed through.
    Single,
    /// Sessions of one user token, opened as the subscriptions need them.
    Sessions,
    /// Shards of one conduit ([`Pool::conduit_shards`]), one session each.
    Shards,
    /// Shards of one conduit claimed among processes ([`Pool::claim_shards`]), one session each.
    Claim,
}

impl Kind {
    /// Whether the sessions are conduit shards, whose assignments the pool gathers into batches.
    fn holds_shards(self) -> bool {
        matches!(self, Kind::Shards | Kind::Claim)
    }
}

/// One or more EventSub WebSocket sessions for one token, driven as one client, without I/O.
///
/// See the [module documentation](self). Every method means what it means on [`Client`], for all
/// the sessions together.
#[derive(Debug)]
pub struct Pool {
    /// What every session is made from (its subscriptions are the session's own).
    template: Config,
    /// Session `n` of the pool is `members[n]`; its ids carry `n`.
    members: Vec<Client>,
    /// Which sessions may have outputs, their deadlines, which stopped.
    activity: Activity,
    merge: Merge,
    /// One token validation at a time for all the sessions.
    validation: Coalesced,
    kind: Kind,
    /// The shard assignments held to go out together.
    batches: Batches,
    /// The counter of the requests the pool makes itself ([`crate::ids::POOL_SESSION`]).
    last_request: u64,
    /// What a [`Pool::claim_shards`] pool holds and decides.
    claims: Option<Box<crate::claim::state::Claims>>,
    /// The copies of frames the sessions' notifications keep (see `frame_ring.rs`).
    frames: FrameRing,
    now: Instant,
}

impl Pool {
    /// A pool that starts at once: its first session (with the first
    /// [`Config::max_subscriptions_per_connection`] subscriptions), and a second and third when
    /// the configured subscriptions need them. Each session validates the token before it
    /// connects (with [`Config::validate_token`]), as a [`Client`] does.
    pub fn new(config: Config, now: Instant) -> Result<Self, ConfigError> {
        config.validate()?;
        let mut template = config;
        let subscriptions = std::mem::take(&mut template.subscriptions);
        let groups = if template.max_sessions == 1 {
            // One session: the client's own checks and errors, unchanged.
            vec![subscriptions]
        } else {
            planner::initial_groups(subscriptions, &template)?
        };
        let mut members = Vec::with_capacity(groups.len());
        for (index, subscriptions) in groups.into_iter().enumerate() {
            let config = Config {
                subscriptions,
                ..template.clone()
            };
            members.push(Client::in_session(config, now, session_number(index))?);
        }
        let kind = if template.max_sessions == 1 {
            Kind::Single
        } else {
            Kind::Sessions
        };
        Ok(Self::of(template, members, kind, now))
    }

    fn of(template: Config, members: Vec<Client>, kind: Kind, now: Instant) -> Self {
        let mut pool = Self {
            merge: Merge::new(&template, matches!(kind, Kind::Shards | Kind::Claim)),
            validation: Coalesced::default(),
            batches: Batches::new(template.shard_assign_window, kind.holds_shards()),
            template,
            members,
            activity: Activity::default(),
            kind,
            last_request: crate::ids::counter_base(crate::ids::POOL_SESSION),
            claims: None,
            frames: FrameRing::default(),
            now,
        };
        pool.touch_all();
        pool
    }

    /// Session `index` was acted on.
    fn touch(&mut self, index: usize) {
        // A pool of one session passes every call straight through and never asks the activity
        // (keeping it would cost a deadline's re-sort on every frame).
        if self.is_single() {
            return;
        }
        if let Some(member) = self.members.get(index) {
            self.activity.touched(index, member);
        }
    }

    fn touch_all(&mut self) {
        if self.is_single() {
            return;
        }
        for (index, member) in self.members.iter().enumerate() {
            self.activity.touched(index, member);
        }
    }

    /// Feeds one input to the session it belongs to (by its connection or request id); a pause
    /// or resume of reading goes to every session.
    pub fn handle_input(&mut self, now: Instant, input: Input<'_>) -> Result<(), InputError> {
        self.advance_clock(now);
        if let Input::TokenValidated { request, result } = &input {
            if let Some(waiting) = self.validation.answered(*request) {
                // The one validation asked for answers every session that asked meanwhile.
                for (index, request) in waiting {
                    if let Some(member) = self.members.get_mut(index) {
                        let input = Input::TokenValidated {
                            request,
                            result: result.clone(),
                        };
                        // A session that stopped meanwhile forgot its request: nothing to tell it.
                        let _ = member.handle_input(now, input);
                        self.touch(index);
                    }
                }
            }
        }
        let result = match route(&input) {
            Route::Conn(conn) => self.handle_in(
                conn.session_index(),
                now,
                input,
                InputError::UnknownConnection { conn },
            ),
            Route::Request(request)
                if request.session_index() == usize::from(crate::ids::POOL_SESSION) =>
            {
                self.handle_own(now, input, request)
            }
            Route::Request(request) => self.handle_in(
                request.session_index(),
                now,
                input,
                InputError::UnknownRequest { request },
            ),
            Route::All => {
                let mut result = Ok(());
                for member in &mut self.members {
                    result = result.and(member.handle_input(now, input.clone()));
                }
                self.touch_all();
                result
            }
        };
        self.after_step();
        result
    }

    /// Feeds `input` to session `index` (`unknown` when there is none).
    fn handle_in(
        &mut self,
        index: usize,
        now: Instant,
        input: Input<'_>,
        unknown: InputError,
    ) -> Result<(), InputError> {
        let member = self.members.get_mut(index).ok_or(unknown)?;
        // The pool's one ring of frame copies, lent for the notifications this input makes: a
        // ring per session would keep a ring's worth of memory for each of a thousand shards.
        member.swap_frames(&mut self.frames);
        let result = member.handle_input(now, input);
        member.swap_frames(&mut self.frames);
        self.touch(index);
        result
    }

    /// Feeds the answer to one of the pool's own requests (see [`Pool::own_request`]).
    fn handle_own(
        &mut self,
        now: Instant,
        input: Input<'_>,
        request: RequestId,
    ) -> Result<(), InputError> {
        match input {
            Input::ShardsAssigned { results, .. } => self.shards_assigned(now, request, results),
            Input::TokenValidated { .. }
            | Input::ConduitShardsRead { .. }
            | Input::ConduitResized { .. } => self.claim_answered(input, request),
            _ => Err(InputError::UnknownRequest { request }),
        }
    }

    /// A new id for a request the pool makes itself, for all its sessions.
    fn own_request(&mut self) -> RequestId {
        RequestId::next(&mut self.last_request)
    }

    /// Time passed, for every session.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.advance_clock(now);
        if self.is_single() {
            if let Some(member) = self.members.first_mut() {
                member.handle_timeout(now);
            }
            return;
        }
        // Only the sessions whose deadline came: for the others it would be a no-op.
        for index in self.activity.due(now) {
            if let Some(member) = self.members.get_mut(index) {
                member.handle_timeout(now);
            }
            self.touch(index);
        }
        self.flush_due_batches(now);
        self.after_step();
    }

    /// The next output to carry out, in order within each session.
    #[must_use]
    pub fn poll_output(&mut self) -> Option<Output> {
        if self.is_single() {
            return self.members.first_mut()?.poll_output();
        }
        if let Some(output) = self.claim_output() {
            return Some(output);
        }
        while let Some(index) = self.activity.first_queued() {
            if let Some(batch) = self.next_batch() {
                return Some(batch);
            }
            while let Some(output) = self.members.get_mut(index)?.poll_output() {
                let Some(output) = self.validation.pass(index, output) else {
                    continue;
                };
                let Some(output) = self.claim_seen(index, output) else {
                    continue;
                };
                let Some(output) = self.batches.pass(index, output, self.now) else {
                    continue;
                };
                if let Some(output) = self.merge.pass(index, output, &self.members, self.now) {
                    return Some(output);
                }
            }
            self.activity.drained_first();
        }
        if let Some(batch) = self.next_batch() {
            return Some(batch);
        }
        if self.kind == Kind::Claim {
            return self.claim_output().or_else(|| self.claim_final_stop());
        }
        let all_stopped = self.activity.all_stopped(self.members.len());
        self.merge.final_stop(all_stopped)
    }

    /// The next output that is not an event (see [`Client::poll_action`]).
    #[must_use]
    pub fn poll_action(&mut self) -> Option<Output> {
        if self.is_single() {
            return self.members.first_mut()?.poll_action();
        }
        if let Some(output) = self.claim_action() {
            return Some(output);
        }
        if let Some(batch) = self.next_batch() {
            return Some(batch);
        }
        for index in self.activity.queued() {
            while let Some(output) = self.members.get_mut(index)?.poll_action() {
                let Some(output) = self.validation.pass(index, output) else {
                    continue;
                };
                if let Some(output) = self.batches.pass(index, output, self.now) {
                    return Some(output);
                }
            }
        }
        self.next_batch()
    }

    /// Whether events wait to be handed out by [`Pool::poll_output`].
    #[must_use]
    pub fn holds_events(&self) -> bool {
        if self.is_single() {
            return self.members.first().is_some_and(Client::holds_events);
        }
        self.activity
            .queued()
            .any(|index| self.members.get(index).is_some_and(Client::holds_events))
            || match &self.claims {
                Some(claims) => claims.holds_events() || claims.final_stop_pending(),
                None => self
                    .merge
                    .stop_pending(self.activity.all_stopped(self.members.len())),
            }
    }

    /// When the pool next needs [`Pool::handle_timeout`].
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.is_single() {
            return self.members.first()?.poll_timeout();
        }
        let claims = self
            .claims
            .as_ref()
            .and_then(|claims| claims.next_deadline());
        [self.activity.next_deadline(), self.batch_deadline(), claims]
            .into_iter()
            .flatten()
            .min()
    }

    /// Adds a subscription on the first session with room for it, opening a new session when
    /// every one it has is full and [`Config::max_sessions`] allows another. Refused when it is
    /// already wanted on any session, when it would bring the token's cost over its maximum,
    /// and with [`SubscribeError::SessionsFull`] when no session can take it.
    pub fn subscribe(&mut self, spec: SubscriptionSpec) -> Result<(), SubscribeError> {
        if self.is_single() {
            return match self.members.first_mut() {
                Some(member) => member.subscribe(spec),
                None => Err(SubscribeError::Stopped),
            };
        }
        if matches!(self.kind, Kind::Shards | Kind::Claim) {
            return Err(SubscribeError::ShardMode {
                spec: Box::new(spec),
            });
        }
        if self.merge.stopping() || self.members.iter().any(Client::is_stopped) {
            return Err(SubscribeError::Stopped);
        }
        // Revoked or failed for good on this session: it starts over elsewhere if this one is full.
        let stale = self.members.iter().position(|member| member.wants(&spec));
        let placement = planner::place(&spec, &self.members, &self.template)?;
        match placement {
            Placement::On(index) => {
                let member = self.members.get_mut(index).ok_or(SubscribeError::Stopped)?;
                let result = member.subscribe(spec.clone());
                self.touch(index);
                result
            }
            Placement::NewSession => self.open_session_for(spec.clone()),
        }?;
        if let Some(old) = stale.filter(|old| placement != Placement::On(*old)) {
            if let Some(member) = self.members.get_mut(old) {
                member.unsubscribe(&spec);
            }
            self.touch(old);
        }
        Ok(())
    }

    /// Removes a subscription from the session that holds it. Returns whether it was wanted.
    pub fn unsubscribe(&mut self, spec: &SubscriptionSpec) -> bool {
        let Some(index) = self.members.iter().position(|member| member.wants(spec)) else {
            return false;
        };
        let wanted = self
            .members
            .get_mut(index)
            .is_some_and(|member| member.unsubscribe(spec));
        self.touch(index);
        self.after_step();
        wanted
    }

    /// Stops every session (see [`Client::shutdown`]); one [`Event::Stopped`](crate::Event::Stopped)
    /// follows.
    pub fn shutdown(&mut self, now: Instant) {
        self.advance_clock(now);
        // The stop is the first running session's (a shard may have stopped alone before).
        let running = self
            .members
            .iter()
            .position(|member| !member.is_stopped())
            .unwrap_or(0);
        self.merge.stop_from(running);
        if let Some(claims) = self.claims.as_mut() {
            claims.stop(crate::event::StopReason::Shutdown);
        }
        for member in &mut self.members {
            member.shutdown(now);
        }
        self.touch_all();
    }

    /// Whether every session has stopped for good.
    pub fn is_stopped(&self) -> bool {
        if self.is_single() {
            return self.members.first().is_none_or(Client::is_stopped);
        }
        if self.kind == Kind::Claim {
            return self.claims_stopped();
        }
        self.activity.all_stopped(self.members.len())
    }

    /// Whether the pool holds no socket because nothing can be subscribed on any session.
    pub fn is_idle(&self) -> bool {
        // A claiming pool without a shard keeps reading the conduit: never idle.
        self.kind != Kind::Claim && self.members.iter().all(Client::is_idle)
    }

    /// How many sessions the pool has opened (each may be idle now).
    pub fn sessions(&self) -> usize {
        self.members.len()
    }

    /// Session `index` of the pool, as a [`Client`] to inspect.
    pub fn session(&self, index: usize) -> Option<&Client> {
        self.members.get(index)
    }

    /// The session id of the first session, if it is live (see [`Pool::session`] for the others).
    pub fn session_id(&self) -> Option<&SessionId> {
        self.members.first()?.session_id()
    }

    /// The first session's estimate of the local clock's offset from Twitch's.
    pub fn clock_offset(&self) -> ClockOffset {
        self.members
            .first()
            .map(Client::clock_offset)
            .unwrap_or_default()
    }

    /// What the latest successful token validation said, if one answered yet.
    pub fn token(&self) -> Option<&TokenIdentity> {
        self.members.iter().find_map(Client::token)
    }

    /// Every wanted subscription and where it stands, session by session.
    pub fn subscriptions(&self) -> impl Iterator<Item = (&SubscriptionSpec, &SubscriptionState)> {
        self.members.iter().flat_map(Client::subscriptions)
    }

    /// Every wanted subscription (each with the session that holds it) and the token's cost
    /// totals over all sessions.
    pub fn subscriptions_report(&self) -> SubscriptionsReport {
        if self.is_single() {
            return self
                .members
                .first()
                .map(Client::subscriptions_report)
                .unwrap_or_default();
        }
        let mut report = SubscriptionsReport {
            subscriptions: Vec::new(),
            total_cost: planner::committed_cost(&self.members),
            max_total_cost: planner::max_total_cost(&self.members, &self.template),
        };
        for member in &self.members {
            report
                .subscriptions
                .extend(member.subscriptions_report().subscriptions);
        }
        report
    }

    /// The counters of every session, added up (with the duplicates the pool dropped across
    /// the shards of [`Pool::conduit_shards`], and the message ids it remembers for that).
    pub fn stats(&self) -> Stats {
        self.members
            .iter()
            .map(Client::stats)
            .fold(self.merge.stats(), |total, stats| Stats {
                duplicates_dropped: total.duplicates_dropped + stats.duplicates_dropped,
                stale_dropped: total.stale_dropped + stats.stale_dropped,
                malformed_frames: total.malformed_frames + stats.malformed_frames,
                dedup_entries: total.dedup_entries + stats.dedup_entries,
                connections: total.connections + stats.connections,
                pending_requests: total.pending_requests + stats.pending_requests,
            })
    }

    fn is_single(&self) -> bool {
        self.kind == Kind::Single
    }

    fn advance_clock(&mut self, now: Instant) {
        self.now = self.now.max(now);
    }

    /// A new session, made for `spec`; it is kept only if it takes it.
    fn open_session_for(&mut self, spec: SubscriptionSpec) -> Result<(), SubscribeError> {
        let index = self.members.len();
        let config = Config {
            subscriptions: Vec::new(),
            ..self.template.clone()
        };
        let mut member = Client::in_session(config, self.now, session_number(index))
            .map_err(|_| SubscribeError::Stopped)?;
        member.subscribe(spec)?;
        self.members.push(member);
        self.touch(index);
        Ok(())
    }

    /// A session that stopped on its own (a rejected token, a fatal close code) stops them all:
    /// the token or the program is at fault, not the session. A shard that will not come back
    /// (refused for good, or out of attempts) stops alone: the others are fine.
    fn after_step(&mut self) {
        self.stop_on_fatal();
        self.claim_step();
    }

    fn stop_on_fatal(&mut self) {
        if self.is_single() || self.merge.stopping() {
            return;
        }
        let kind = self.kind;
        // Only a session acted on since the last drain can have stopped since.
        let Some(first) = self.activity.queued().find(|index| {
            // A session the claims released stopped because they closed it.
            let released = self
                .claims
                .as_ref()
                .is_some_and(|claims| claims.shard_of(*index).is_none());
            !released
                && self.members.get(*index).is_some_and(|member| {
                    member.stop_reason().is_some_and(|reason| {
                        kind == Kind::Sessions || !shards::stops_alone(reason)
                    })
                })
        }) else {
            return;
        };
        if let Some(reason) = self.members.get(first).and_then(Client::stop_reason) {
            if let Some(claims) = self.claims.as_mut() {
                claims.stop(reason.clone());
            }
        }
        self.merge.stop_from(first);
        for member in &mut self.members {
            member.shutdown(self.now);
        }
        self.touch_all();
    }
}

/// Where an input goes.
enum Route {
    Conn(ConnId),
    Request(RequestId),
    All,
}

fn route(input: &Input<'_>) -> Route {
    match input {
        Input::Opened { conn }
        | Input::ConnectFailed { conn, .. }
        | Input::Text { conn, .. }
        | Input::Binary { conn, .. }
        | Input::Closed { conn, .. } => Route::Conn(*conn),
        Input::SubscriptionCreated { request, .. }
        | Input::SubscriptionDeleted { request, .. }
        | Input::TokenValidated { request, .. }
        | Input::ShardAssigned { request, .. }
        | Input::CatchUpRead { request, .. }
        | Input::ShardsAssigned { request, .. }
        | Input::ConduitShardsRead { request, .. }
        | Input::ConduitResized { request, .. } => Route::Request(*request),
        Input::ReadingPaused | Input::ReadingResumed => Route::All,
    }
}

/// The session number a member's ids carry: a pool has at most
/// [`MAX_SESSIONS_PER_TOKEN`](crate::MAX_SESSIONS_PER_TOKEN) sessions, or
/// [`MAX_SHARDS_PER_POOL`] shards.
fn session_number(index: usize) -> u16 {
    u16::try_from(index).unwrap_or(u16::MAX)
}
