//! Property test of the session pool (`eventsub_proto::Pool`) on fake time, against a fake Twitch
//! that holds each WebSocket session's subscriptions, sends each notification only on the session
//! that holds its subscription, and enforces a user token's limits as Helix does (429s): at most
//! `per_session` enabled subscriptions on one session, at most 3 sessions with enabled
//! subscriptions, a total cost of at most `max_total_cost`, with real costs in its 202 answers.
//!
//! Random runs: the user subscribes and unsubscribes (small limits, so that one to three sessions
//! are needed), Twitch sends notifications, keepalives, `session_reconnect`s and revocations, drops
//! sockets (close codes, a 4001 that stops them all, no close frame, and silently: a stalled socket
//! the client must find dead by its keepalive, whose close is never answered), connects open or
//! fail, Helix answers or fails (503, 400), time passes; then Twitch behaves for a while (connects
//! open, creations succeed, keepalives flow) so that the gaps close. Checked after every step:
//!
//! 1. no notification is delivered twice;
//! 2. every notification Twitch sent on a live socket is delivered at once (exactly once, by 1);
//! 3. every notification Twitch could not send (no live socket held its subscription, or the one
//!    that did was stalled) falls inside a gap (`Resumed { gap }`, `gap.from ..= gap.until` on
//!    Twitch's clock) of the pool session that holds the subscription (`Gap::session`), or that
//!    session's gap is still open at the end (a `Disconnected` of one of its connections,
//!    `conn.session_index()`, after its last `Resumed`), or the user gave the subscription up
//!    (unsubscribed, revoked, failed for good) since, or the pool stopped (a stopped pool reports
//!    no more gaps; after `Stopped` nothing is counted lost);
//! 4. Twitch never refused a creation for a limit that the pool's accounting caused. What this
//!    asserts: the pool is configured with Twitch's true limits (`max_subscriptions_per_connection`
//!    = Twitch's per-session limit, `max_total_cost` = the token's, costs estimated as Twitch
//!    charges them), so every limit refusal (429) Twitch records fails the test, except one made
//!    while Twitch still held a subscription the client had already given up (unsubscribed, its
//!    deletion not yet answered), or of a creation the client gave up while it was asked for: a
//!    client counts that place as free at once (on one session as on many; the 429 is retried),
//!    Twitch only once the deletion is done. Twitch's own state is checked too (≤ 3 sessions with
//!    subscriptions, ≤ `per_session` on one, total cost ≤ max);
//! 5. the pool opens a new session only when every session it has is full, refuses with
//!    `SessionsFull` only when it has `max_sessions` sessions and all are full, and otherwise puts
//!    a new subscription on the first session with room (or where it was wanted before, if that
//!    session has room: one revoked or failed for good starts over there);
//! 6. a subscription never moves to another session while the user wants it, and every
//!    subscription Twitch holds on a socket of pool session `k` that the pool reports (by its id)
//!    is reported on `k`;
//! 7. `subscriptions_report()` adds up: one entry per wanted subscription of every session, each
//!    naming its session; at most `per_session` active on each; its `total_cost` covers what is
//!    enabled and being created; its `max_total_cost` is Twitch's;
//! 8. at most `max_sessions` sessions; at most one `Stopped`, and only once every session stopped;
//!    `Idle` only when every session is idle.
//!
//! `PROPTEST_CASES` sets the number of cases (default [`DEFAULT_CASES`], on a fixed seed;
//! `PROPTEST_RNG_SEED` picks another seed) for a long run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use eventsub_proto::{
    ClockOffset, ConnId, DisconnectCause, Event, Gap, Input, Pool, RequestError, SubscribeError,
    SubscriptionSpec, SubscriptionState,
};
use eventsub_tests::sim::{Harness, TOKEN_USER, TwitchLimits};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

/// Rounds of a well-behaved Twitch after the random steps (four seconds each).
const SETTLE_ROUNDS: usize = 20;

/// Cases unless `PROPTEST_CASES` says otherwise.
const DEFAULT_CASES: u32 = 256;

/// Subscription types on the token user's own channel (cost 0, version 1: the fake can revoke
/// them) and as many on other channels (cost 1).
const OWN_TYPES: [&str; 6] = [
    "stream.online",
    "stream.offline",
    "channel.subscribe",
    "channel.cheer",
    "channel.ban",
    "channel.poll.begin",
];

/// Even entries cost 0 (and can be revoked), odd ones cost 1.
fn catalogue() -> Vec<SubscriptionSpec> {
    (0..OWN_TYPES.len() * 2)
        .map(|index| {
            let (kind, broadcaster) = if index % 2 == 0 {
                (OWN_TYPES[index / 2], TOKEN_USER.to_owned())
            } else {
                ("stream.online", format!("90{index}"))
            };
            SubscriptionSpec::new(kind, "1").with_condition("broadcaster_user_id", broadcaster)
        })
        .collect()
}

const CATALOGUE_LEN: usize = OWN_TYPES.len() * 2;

#[derive(Clone, Debug)]
struct Setup {
    per_session: usize,
    max_sessions: usize,
    max_total_cost: u32,
    initial: Vec<usize>,
}

#[derive(Clone, Copy, Debug)]
enum Fault {
    /// 503: retried.
    Unavailable,
    /// 400: failed for good.
    Rejected,
}

#[derive(Clone, Debug)]
enum Step {
    Subscribe(u8),
    Unsubscribe(u8),
    /// Twitch sends a notification for a catalogue entry, on the session holding it.
    Notify(u8),
    /// A pending connect opens and is welcomed.
    OpenNext(u8),
    /// A pending connect fails.
    FailConnect(u8),
    /// Helix answers a pending creation: as the fake Twitch decides, or with a fault.
    Answer(u8, Option<Fault>),
    /// Helix deletes every subscription asked for.
    AnswerDeletes,
    /// Keepalives on every live socket that is not stalled, then four seconds pass.
    Tick,
    /// Time passes (ms) with nothing sent.
    Advance(u64),
    /// The live socket of a session closes with this code (`None`: dropped, no close frame;
    /// 4001 stops the pool).
    Drop(u8, Option<u16>),
    /// The live socket of a session stalls: nothing Twitch sends on it arrives any more.
    Stall(u8),
    /// Twitch asks a session for a graceful reconnect.
    Reconnect(u8),
    /// Twitch revokes a catalogue entry (an own-channel one).
    Revoke(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => any::<u8>().prop_map(Step::Subscribe),
        2 => any::<u8>().prop_map(Step::Unsubscribe),
        8 => any::<u8>().prop_map(Step::Notify),
        6 => any::<u8>().prop_map(Step::OpenNext),
        1 => any::<u8>().prop_map(Step::FailConnect),
        6 => any::<u8>().prop_map(|pick| Step::Answer(pick, None)),
        1 => any::<u8>().prop_map(|pick| Step::Answer(pick, Some(Fault::Unavailable))),
        1 => any::<u8>().prop_map(|pick| Step::Answer(pick, Some(Fault::Rejected))),
        1 => Just(Step::AnswerDeletes),
        4 => Just(Step::Tick),
        2 => (0u64..40_000).prop_map(Step::Advance),
        2 => (any::<u8>(), prop_oneof![
            Just(None),
            Just(Some(4000)),
            Just(Some(4002)),
            Just(Some(4004)),
            Just(Some(4007)),
            Just(Some(1001)),
        ]).prop_map(|(session, code)| Step::Drop(session, code)),
        // Fatal: the whole pool stops.
        1 => any::<u8>().prop_map(|session| Step::Drop(session, Some(4001))),
        1 => any::<u8>().prop_map(Step::Stall),
        2 => any::<u8>().prop_map(Step::Reconnect),
        1 => any::<u8>().prop_map(Step::Revoke),
    ]
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        2usize..=4,
        prop_oneof![1 => Just(1usize), 1 => Just(2usize), 4 => Just(3usize)],
        2u32..=7,
        proptest::sample::subsequence((0..CATALOGUE_LEN).collect::<Vec<_>>(), 0..=5),
    )
        .prop_map(
            |(per_session, max_sessions, max_total_cost, initial)| Setup {
                per_session,
                max_sessions,
                max_total_cost,
                initial,
            },
        )
}

/// A notification Twitch could not send.
#[derive(Debug)]
struct Lost {
    spec: usize,
    /// The pool session holding its subscription.
    session: usize,
    /// When, on Twitch's clock.
    at: SystemTime,
    /// The spec's give-up count then: a later give-up exempts it.
    epoch: u32,
}

/// What the reference model knows.
struct Model {
    setup: Setup,
    catalogue: Vec<SubscriptionSpec>,
    /// What the user wants, and Twitch has not revoked.
    wanted: BTreeSet<usize>,
    /// Wanted entries Twitch created since the user last asked for them: a notification for one
    /// that no live socket can carry is lost (not merely not yet subscribed).
    enabled_while_wanted: BTreeSet<usize>,
    /// How often the user gave each entry up (unsubscribed, revoked, failed for good).
    epochs: BTreeMap<usize, u32>,
    /// The pool session each wanted entry is on.
    home: BTreeMap<usize, usize>,
    stalled: BTreeSet<ConnId>,
    delivered: BTreeSet<String>,
    lost: Vec<Lost>,
    gaps: Vec<Gap>,
    /// Per pool session: a `Disconnected` came after its last `Resumed`.
    gap_open: BTreeMap<usize, bool>,
    seen_events: usize,
    stops: usize,
    /// Limit refusals while Twitch held a subscription the client had given up (see 4).
    refusals_for_deletions_in_flight: usize,
    /// The situations the run reached.
    coverage: BTreeSet<&'static str>,
}

/// The live socket of pool session `session`: the newest welcomed one Twitch still holds.
fn live_conn(harness: &Harness<Pool>, session: usize) -> Option<ConnId> {
    harness
        .twitch
        .open_sockets()
        .filter(|(conn, socket)| conn.session_index() == session && socket.session_id().is_some())
        .map(|(conn, _)| conn)
        .last()
}

fn is_active(state: &SubscriptionState) -> bool {
    !matches!(
        state,
        SubscriptionState::Revoked | SubscriptionState::Failed { retry: false, .. }
    )
}

/// Active subscriptions of each session of the pool.
fn active_per_session(pool: &Pool) -> Vec<usize> {
    (0..pool.sessions())
        .map(|index| {
            pool.session(index).map_or(0, |session| {
                session
                    .subscriptions()
                    .filter(|(_, state)| is_active(state))
                    .count()
            })
        })
        .collect()
}

impl Model {
    fn new(setup: Setup) -> Self {
        Self {
            wanted: setup.initial.iter().copied().collect(),
            setup,
            catalogue: catalogue(),
            enabled_while_wanted: BTreeSet::new(),
            epochs: BTreeMap::new(),
            home: BTreeMap::new(),
            stalled: BTreeSet::new(),
            delivered: BTreeSet::new(),
            lost: Vec::new(),
            gaps: Vec::new(),
            gap_open: BTreeMap::new(),
            seen_events: 0,
            stops: 0,
            refusals_for_deletions_in_flight: 0,
            coverage: BTreeSet::new(),
        }
    }

    fn index_of(&self, spec: &SubscriptionSpec) -> usize {
        self.catalogue
            .iter()
            .position(|entry| entry == spec)
            .expect("only catalogue entries are wanted")
    }

    fn give_up(&mut self, index: usize) {
        self.wanted.remove(&index);
        self.enabled_while_wanted.remove(&index);
        *self.epochs.entry(index).or_default() += 1;
    }

    fn session_of_pick(harness: &Harness<Pool>, pick: u8) -> usize {
        usize::from(pick) % harness.client.sessions().max(1)
    }

    fn apply(&mut self, h: &mut Harness<Pool>, step: &Step) {
        match step {
            Step::Subscribe(pick) => self.subscribe(h, usize::from(*pick) % CATALOGUE_LEN),
            Step::Unsubscribe(pick) => {
                let index = usize::from(*pick) % CATALOGUE_LEN;
                if h.client.unsubscribe(&self.catalogue[index]) {
                    self.give_up(index);
                    self.home.remove(&index);
                }
                h.drain();
            }
            Step::Notify(pick) => self.notify(h, usize::from(*pick) % CATALOGUE_LEN),
            Step::OpenNext(pick) => {
                if !h.pending_connects.is_empty() {
                    let (conn, _) =
                        h.pending_connects[usize::from(*pick) % h.pending_connects.len()];
                    h.open(conn);
                    h.welcome(conn);
                }
            }
            Step::FailConnect(pick) => {
                if !h.pending_connects.is_empty() {
                    let (conn, _) =
                        h.pending_connects[usize::from(*pick) % h.pending_connects.len()];
                    h.fail_connect(conn);
                }
            }
            Step::Answer(pick, fault) => {
                if h.pending_creates.is_empty() {
                    return;
                }
                let pending = h
                    .pending_creates
                    .remove(usize::from(*pick) % h.pending_creates.len());
                let index = self.index_of(&pending.subscription);
                match fault {
                    None => {
                        // Twitch still holds one the client gave up (its deletion not yet
                        // answered): the client counts its place as free, Twitch does not.
                        let report = h.client.subscriptions_report();
                        let unwanted_held = h.twitch.subscriptions.values().flatten().any(|held| {
                            !report
                                .subscriptions
                                .iter()
                                .any(|entry| entry.id.as_ref() == Some(&held.id))
                        });
                        // Or this creation is one the client gave up while it was asked for.
                        let orphaned = !report.subscriptions.iter().any(|entry| {
                            matches!(entry.state, SubscriptionState::Requested { request, .. } if request == pending.request)
                        });
                        let refusals = h.twitch.limit_refusals.len();
                        if h.create(pending).is_ok() && self.wanted.contains(&index) && !orphaned {
                            self.enabled_while_wanted.insert(index);
                        }
                        if h.twitch.limit_refusals.len() > refusals {
                            assert!(
                                unwanted_held || orphaned,
                                "(4) Twitch refused for a limit with every subscription it holds wanted: {:?}",
                                h.twitch.limit_refusals.last()
                            );
                            self.refusals_for_deletions_in_flight += 1;
                            self.coverage.insert("a 429 while a deletion was in flight");
                        }
                    }
                    Some(fault) => {
                        let result = Err(match fault {
                            Fault::Unavailable => RequestError::Unavailable {
                                message: "503 from fake helix".to_owned(),
                            },
                            Fault::Rejected => RequestError::Rejected {
                                status: 400,
                                message: "bad condition".to_owned(),
                            },
                        });
                        h.feed(Input::SubscriptionCreated {
                            request: pending.request,
                            result,
                        });
                    }
                }
            }
            Step::AnswerDeletes => {
                for (request, id) in std::mem::take(&mut h.pending_deletes) {
                    h.twitch.delete(&id);
                    h.feed(Input::SubscriptionDeleted {
                        request,
                        result: Ok(()),
                    });
                }
            }
            Step::Tick => {
                let conns: Vec<ConnId> = h
                    .twitch
                    .open_sockets()
                    .filter(|(conn, socket)| {
                        socket.session_id().is_some() && !self.stalled.contains(conn)
                    })
                    .map(|(conn, _)| conn)
                    .collect();
                for conn in conns {
                    h.keepalive(conn);
                }
                h.advance(Duration::from_secs(4));
            }
            Step::Advance(ms) => h.advance(Duration::from_millis(*ms)),
            Step::Drop(pick, code) => {
                if let Some(conn) = live_conn(h, Self::session_of_pick(h, *pick)) {
                    h.server_close(conn, *code);
                }
            }
            Step::Stall(pick) => {
                if let Some(conn) = live_conn(h, Self::session_of_pick(h, *pick)) {
                    self.stalled.insert(conn);
                    h.unanswered_closes.insert(conn);
                }
            }
            Step::Reconnect(pick) => {
                if let Some(conn) = live_conn(h, Self::session_of_pick(h, *pick))
                    .filter(|conn| !self.stalled.contains(conn))
                {
                    h.reconnect(conn);
                }
            }
            Step::Revoke(pick) => {
                let index = usize::from(*pick) % CATALOGUE_LEN / 2 * 2;
                let spec = self.catalogue[index].clone();
                let Some(session_id) = h.twitch.holder(&spec).map(str::to_owned) else {
                    return;
                };
                let Some(conn) = h
                    .twitch
                    .socket_of(&session_id)
                    .filter(|conn| !self.stalled.contains(conn))
                else {
                    return;
                };
                let held = h.twitch.subscriptions.get_mut(&session_id).expect("held");
                held.retain(|held| held.spec != spec);
                let text = h
                    .twitch
                    .revocation(conn, &spec.kind, "user_removed")
                    .expect("a welcomed socket");
                h.send(conn, &text);
                if self.wanted.contains(&index) {
                    self.give_up(index);
                }
            }
        }
    }

    /// Invariant 5: where the pool puts a new subscription.
    fn subscribe(&mut self, h: &mut Harness<Pool>, index: usize) {
        let spec = self.catalogue[index].clone();
        let sessions_before = h.client.sessions();
        let active_before = active_per_session(&h.client);
        let wanted_on = (0..sessions_before).find(|session| {
            h.client
                .session(*session)
                .is_some_and(|client| client.subscriptions().any(|(wanted, _)| wanted == &spec))
        });
        let result = h.client.subscribe(spec.clone());
        let per_session = self.setup.per_session;
        let first_with_room = active_before
            .iter()
            .position(|active| *active < per_session);
        match &result {
            Ok(()) => {
                let on = h
                    .client
                    .subscriptions_report()
                    .subscriptions
                    .iter()
                    .find(|report| report.spec == spec)
                    .expect("a subscription just added is reported")
                    .session;
                // Where it was wanted before (revoked or failed) if there is room there.
                let expected = wanted_on
                    .filter(|session| active_before[*session] < per_session)
                    .or(first_with_room)
                    .unwrap_or(sessions_before);
                assert_eq!(
                    on, expected,
                    "(5) placed on session {on}, not {expected} (active per session before: {active_before:?})"
                );
                if h.client.sessions() > sessions_before {
                    self.coverage.insert("a new session opened");
                    assert!(
                        first_with_room.is_none(),
                        "(5) a new session opened while one had room: {active_before:?}"
                    );
                }
                self.wanted.insert(index);
                self.home.insert(index, on);
            }
            Err(SubscribeError::SessionsFull {
                sessions,
                per_session: limit,
                ..
            }) => {
                assert_eq!(
                    (*sessions, *limit),
                    (self.setup.max_sessions, per_session),
                    "(5) SessionsFull names the limits"
                );
                assert!(
                    sessions_before == self.setup.max_sessions && first_with_room.is_none(),
                    "(5) SessionsFull with {sessions_before} sessions, active {active_before:?}"
                );
                assert_eq!(h.client.sessions(), sessions_before);
                self.coverage.insert("SessionsFull");
            }
            // One session: the client's own refusal, passed through.
            Err(SubscribeError::TooManySubscriptions { limit, .. }) => {
                assert_eq!(
                    self.setup.max_sessions, 1,
                    "(5) a pool refused for one session's limit"
                );
                assert!(*limit == per_session && first_with_room.is_none());
            }
            Err(SubscribeError::CostLimitExceeded { .. }) => {
                assert_eq!(h.client.sessions(), sessions_before);
                self.coverage.insert("CostLimitExceeded");
            }
            Err(SubscribeError::AlreadySubscribed { .. } | SubscribeError::Stopped) => {
                assert_eq!(h.client.sessions(), sessions_before)
            }
            Err(error) => panic!("unexpected refusal: {error}"),
        }
        h.drain();
    }

    /// Twitch sends a notification for entry `index` on every session holding it; one that no
    /// live socket carries is lost.
    fn notify(&mut self, h: &mut Harness<Pool>, index: usize) {
        if !self.wanted.contains(&index) {
            return;
        }
        let spec = self.catalogue[index].clone();
        let holders: Vec<String> = h
            .twitch
            .subscriptions
            .iter()
            .filter(|(_, held)| held.iter().any(|held| held.spec == spec))
            .map(|(session, _)| session.clone())
            .collect();
        let mut sent = false;
        for session_id in holders {
            let Some(conn) = h.twitch.socket_of(&session_id) else {
                continue;
            };
            if self.stalled.contains(&conn) {
                continue;
            }
            let message_id = h.notify(conn);
            self.observe(h);
            assert!(
                self.delivered.contains(&message_id),
                "(2) {message_id}, sent on the live socket {conn}, was not delivered"
            );
            sent = true;
            self.coverage.insert("a notification delivered");
        }
        // After `Stopped` nothing is promised: the user was told.
        if !sent && self.enabled_while_wanted.contains(&index) && self.stops == 0 {
            let session = self.home[&index];
            self.coverage.insert("a notification lost");
            self.lost.push(Lost {
                spec: index,
                session,
                at: h.twitch_now(),
                epoch: self.epochs.get(&index).copied().unwrap_or(0),
            });
        }
    }

    /// Takes in the events of the step.
    fn observe(&mut self, h: &Harness<Pool>) {
        for event in &h.events[self.seen_events..] {
            match event {
                Event::Notification(notification) => {
                    let id = notification.message_id().to_string();
                    assert!(
                        self.delivered.insert(id.clone()),
                        "(1) {id} delivered twice"
                    );
                }
                Event::Resumed { gap } => {
                    self.gap_open.insert(gap.session, false);
                    self.gaps.push(gap.clone());
                }
                Event::Disconnected { conn, cause, .. } => {
                    self.gap_open.insert(conn.session_index(), true);
                    if matches!(cause, DisconnectCause::KeepaliveTimeout { .. }) {
                        self.coverage.insert("a silent socket found dead");
                    }
                }
                Event::Reconnected { .. } => {
                    self.coverage.insert("a graceful handover");
                }
                Event::SubscriptionFailed { spec, .. } => {
                    let index = self.index_of(spec);
                    let failed_for_good = h.client.subscriptions().any(|(wanted, state)| {
                        wanted == &**spec
                            && matches!(state, SubscriptionState::Failed { retry: false, .. })
                    });
                    if failed_for_good && self.wanted.contains(&index) {
                        self.give_up(index);
                    }
                }
                Event::Stopped { .. } => {
                    self.stops += 1;
                    assert_eq!(self.stops, 1, "(8) more than one Stopped");
                    assert!(
                        h.client.is_stopped(),
                        "(8) Stopped before every session stopped"
                    );
                }
                Event::Idle { .. } => {
                    assert!(
                        h.client.is_idle() || h.client.is_stopped(),
                        "(8) Idle while a session is not idle"
                    );
                }
                _ => {}
            }
        }
        self.seen_events = h.events.len();
    }

    /// Invariants 4, 6, 7, 8 on the state after a step.
    fn check_state(&mut self, h: &Harness<Pool>) {
        let pool = &h.client;
        let setup = &self.setup;
        assert!(
            pool.sessions() <= setup.max_sessions,
            "(8) too many sessions"
        );
        assert_eq!(
            h.twitch.limit_refusals.len(),
            self.refusals_for_deletions_in_flight,
            "(4) Twitch refused for a limit: {:?}",
            h.twitch.limit_refusals
        );
        let with_subscriptions = h
            .twitch
            .subscriptions
            .values()
            .filter(|held| !held.is_empty());
        assert!(
            with_subscriptions.clone().count() <= 3,
            "(4) Twitch holds over 3 sessions"
        );
        assert!(
            with_subscriptions
                .clone()
                .all(|held| held.len() <= setup.per_session),
            "(4) a Twitch session over the per-session limit"
        );
        assert!(
            h.twitch.total_cost() <= setup.max_total_cost,
            "(4) over max_total_cost"
        );
        // 6: Twitch's subscriptions on a socket of pool session k are the pool's on k.
        let report = pool.subscriptions_report();
        for (session_id, held) in &h.twitch.subscriptions {
            let Some(conn) = h.twitch.socket_of(session_id) else {
                continue;
            };
            for held in held {
                // (An orphan with another id may wait for its deletion anywhere.)
                if let Some(entry) = report
                    .subscriptions
                    .iter()
                    .find(|entry| entry.id.as_ref() == Some(&held.id))
                {
                    assert_eq!(
                        entry.session,
                        conn.session_index(),
                        "(6) {} held by Twitch on pool session {} is reported on {}",
                        held.spec,
                        conn.session_index(),
                        entry.session
                    );
                }
            }
        }
        // 7: the report adds up.
        let total: usize = (0..pool.sessions())
            .map(|index| {
                pool.session(index)
                    .map_or(0, |session| session.subscriptions().count())
            })
            .sum();
        assert_eq!(report.subscriptions.len(), total, "(7) report entries");
        let mut active = vec![0usize; pool.sessions()];
        let (mut enabled_cost, mut in_flight) = (0u32, 0u32);
        for entry in &report.subscriptions {
            assert!(
                entry.session < pool.sessions(),
                "(7) a report names no session"
            );
            let in_session = pool.session(entry.session).is_some_and(|session| {
                session.subscriptions().any(|(spec, _)| spec == &entry.spec)
            });
            assert!(
                in_session,
                "(7) {} reported on a session that does not hold it",
                entry.spec
            );
            if is_active(&entry.state) {
                active[entry.session] += 1;
            }
            match entry.state {
                SubscriptionState::Enabled { cost, .. } => enabled_cost += cost,
                SubscriptionState::Requested { estimated_cost, .. } => in_flight += estimated_cost,
                _ => {}
            }
            // 6: it stays where it was put while wanted.
            let index = self.index_of(&entry.spec);
            if let Some(home) = self.home.get(&index) {
                assert_eq!(entry.session, *home, "(6) {} moved", entry.spec);
            }
        }
        assert!(
            active.iter().all(|count| *count <= setup.per_session),
            "(7) over the per-session limit: {active:?}"
        );
        assert!(
            report.total_cost >= enabled_cost + in_flight,
            "(7) total_cost {} < enabled {enabled_cost} + in flight {in_flight}",
            report.total_cost
        );
        assert_eq!(
            report.max_total_cost, setup.max_total_cost,
            "(7) max_total_cost"
        );
        for index in &self.wanted {
            assert!(
                report
                    .subscriptions
                    .iter()
                    .any(|entry| entry.spec == self.catalogue[*index]),
                "(7) wanted {} is not reported",
                self.catalogue[*index]
            );
        }
    }

    /// Invariant 3, at the end of a run.
    fn check_lost(&mut self) {
        for lost in &self.lost {
            let covered = self.gaps.iter().any(|gap| {
                gap.session == lost.session && gap.from <= lost.at && lost.at <= gap.until
            });
            let open = self.gap_open.get(&lost.session).copied().unwrap_or(false);
            let given_up = self.epochs.get(&lost.spec).copied().unwrap_or(0) != lost.epoch;
            if covered && lost.session > 0 {
                self.coverage
                    .insert("a loss on a later session inside its gap");
            } else if covered {
                self.coverage
                    .insert("a loss on the first session inside its gap");
            }
            // A pool that stopped reports no more gaps: the user was told it stopped.
            let stopped = self.stops > 0;
            assert!(
                covered || open || given_up || stopped,
                "(3) a notification for {} lost at {:?} on session {} is in none of its gaps: {:?}",
                self.catalogue[lost.spec],
                lost.at,
                lost.session,
                self.gaps
            );
        }
    }
}

fn run(setup: Setup, steps: &[Step]) -> BTreeSet<&'static str> {
    let catalogue = catalogue();
    let mut config = Harness::config();
    config.subscriptions = setup
        .initial
        .iter()
        .map(|index| catalogue[*index].clone())
        .collect();
    config.max_sessions = setup.max_sessions;
    config.max_subscriptions_per_connection = setup.per_session;
    config.max_total_cost = setup.max_total_cost;
    let capacity = setup.per_session * setup.max_sessions;
    if config.subscriptions.len() > capacity
        || config
            .subscriptions
            .iter()
            .map(|spec| spec.estimated_cost(Some(TOKEN_USER)))
            .sum::<u32>()
            > setup.max_total_cost
    {
        // A configuration the pool refuses: nothing to run.
        return BTreeSet::new();
    }
    let mut h = Harness::pool(config);
    h.twitch.limits = Some(TwitchLimits {
        per_session: setup.per_session,
        sessions: 3,
        max_total_cost: setup.max_total_cost,
    });
    h.twitch_clock(ClockOffset::local_ahead(Duration::ZERO));
    let mut model = Model::new(setup);
    for index in model.wanted.clone() {
        let on = h
            .client
            .subscriptions_report()
            .subscriptions
            .iter()
            .find(|report| report.spec == model.catalogue[index])
            .expect("configured subscriptions are reported")
            .session;
        model.home.insert(index, on);
    }
    model.observe(&h);
    model.check_state(&h);
    for step in steps {
        model.apply(&mut h, step);
        model.observe(&h);
        model.check_state(&h);
    }
    // Twitch behaves from now on: connects open, creations are answered, keepalives flow on
    // every socket that is not stalled; so the client finds the stalled ones dead and closes
    // what gaps it can.
    for _ in 0..SETTLE_ROUNDS {
        for step in [Step::OpenNext(0), Step::Answer(0, None), Step::Tick] {
            model.apply(&mut h, &step);
            model.observe(&h);
            model.check_state(&h);
        }
    }
    model.check_lost();
    if model.stops > 0 {
        model.coverage.insert("stopped");
    }
    if h.client.sessions() == 3 {
        model.coverage.insert("three sessions");
    }
    model.coverage
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

/// The default cases on a fixed seed, so every run (and CI) tries the same ones;
/// `PROPTEST_RNG_SEED` picks another seed, `PROPTEST_CASES` another count.
fn config() -> ProptestConfig {
    let defaults = ProptestConfig::default();
    let seed_given = std::env::var_os("PROPTEST_RNG_SEED").is_some();
    ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        rng_seed: if seed_given {
            defaults.rng_seed
        } else {
            RngSeed::Fixed(0x5e55_1045)
        },
        ..defaults
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn no_loss_no_duplicate_and_no_limit_exceeded_on_any_session(
        setup in setup(),
        steps in proptest::collection::vec(step(), 1..100),
    ) {
        run(setup, &steps);
    }
}

/// The situations the invariants are about, each reached by the default cases.
#[test]
fn the_generated_runs_reach_every_situation_the_invariants_are_about() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
    let mut runner =
        TestRunner::new_with_rng(config(), TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]));
    let strategy = (setup(), proptest::collection::vec(step(), 1..100));
    let mut reached = BTreeSet::new();
    for _ in 0..DEFAULT_CASES {
        let (setup, steps) = strategy.new_tree(&mut runner).unwrap().current();
        reached.extend(run(setup, &steps));
    }
    let expected = [
        "a notification delivered",
        "a notification lost",
        "a loss on the first session inside its gap",
        "a loss on a later session inside its gap",
        "a new session opened",
        "three sessions",
        "SessionsFull",
        "CostLimitExceeded",
        "a silent socket found dead",
        "a graceful handover",
        "stopped",
    ];
    let missing: Vec<_> = expected
        .iter()
        .filter(|situation| !reached.contains(*situation))
        .collect();
    assert!(
        missing.is_empty(),
        "never reached: {missing:?} (reached {reached:?})"
    );
}
