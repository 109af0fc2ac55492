//! Property-based simulation of the EventSub client against a misbehaving fake Twitch.
//!
//! Every case is a random [`Settings`] plus a random list of [`Action`]s: Twitch sends notifications,
//! duplicates (also across the old and new socket of a handover), keepalives and revocations, asks
//! for reconnects (also in the middle of another one), closes sockets with any code or drops them;
//! connects are opened, welcomed or failed one step at a time; Helix answers or fails; the user
//! subscribes and unsubscribes; time passes in small and large steps. The adapter either reports a
//! socket closed as soon as the client asks (like `Harness::drain`) or later, so a closing socket
//! still delivers frames.
//!
//! A reference model follows along and checks, after every action (and after every deadline an
//! `Advance` crosses), the invariants of `shared/design.md`, numbered as in the brief:
//!
//! 1. no notification is delivered twice (within the dedup window);
//! 2. no notification received on a socket the client still knows is lost;
//! 3. the socket holding the live session is closed only once its replacement is welcomed (or for
//!    silence, or when the client stops), and promptly then;
//! 4. a graceful handover (old socket still live) is reported as `Reconnected` and resubscribes nothing;
//! 5. a fresh welcome requests every wanted, not revoked, not permanently failed subscription at once;
//! 6. a live socket silent for keepalive + grace is closed by that deadline, never earlier;
//! 7. reconnect delays are bounded by `backoff.max`, grow within a failure streak, are kept, and the
//!    client is never left with nothing scheduled unless it reported `Idle`;
//! 8. memory is bounded: the dedup window and the connections the client holds; during a handover
//!    the client holds at most three sockets (live, candidate, one closing), and handovers keep
//!    `min_reconnect_interval` apart;
//! 9. no panic, and `handle_input` errors exactly for connections the client no longer knows;
//! 10. no session sits unused while time passes;
//! 11. a gap is reported over (`Resumed`) once nothing is being created or waiting to be created
//!     again any more; a creation Helix could not serve (429, 5xx) is asked for again on the live
//!     session within `backoff.max`; so is one Helix answered 401, after a revalidation (a 401 to
//!     the revalidation itself stops the client, a 401 to a creation never does);
//! 12. the client is idle (no socket, `Idle` reported once) exactly when nothing wanted can be
//!     subscribed (none wanted, or every one revoked or failed for good), and a subscription added
//!     (or re-added after a revocation or failure) makes it connect again.
//!
//! The token's validation is answered at once with a user token holding every scope; the token's
//! user is preset in the config in half the cases and learned from the validation in the others,
//! so the property that every fresh session asks for every eligible subscription (5) covers both.
//!
//! `PROPTEST_CASES` sets the number of cases (default [`DEFAULT_CASES`]); failures are persisted in
//! `tests/proptest-regressions/simulation.txt` and replayed first on the next run.
// Tests: a broken setup should fail loudly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use eventsub_proto::{
    BackoffConfig, ClientCloseCode, CloseCode, ConnId, Created, DisconnectCause, Event, Input,
    InputError, Output, RequestError, RequestId, StopReason, SubscribeError, SubscriptionId,
    SubscriptionSpec, Url,
};
use eventsub_tests::sim::{Harness, PendingCreate, SocketState, user_token_with_all_scopes};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{
    FileFailurePersistence, RngAlgorithm, TestCaseError, TestRng, TestRunner,
};

/// Cases per property unless `PROPTEST_CASES` says otherwise.
const DEFAULT_CASES: u32 = 512;

/// The token's user: subscriptions on this broadcaster cost nothing.
const OWNER: &str = "12826";

// ---- what a case is made of ------------------------------------------------------------------

/// One thing that happens. Socket choices are indices into the sockets that fit at the time
/// (the most interesting one first: the live socket, or the candidate), so any list replays.
#[derive(Clone, Debug)]
enum Action {
    /// Twitch sends a new notification on a welcomed socket (also one the client closed).
    Notify(u8),
    /// Twitch sends an earlier notification again (`back` from the newest) on a welcomed socket.
    Duplicate { back: u8, on: u8 },
    /// Twitch sends a keepalive.
    Keepalive(u8),
    /// Time passes.
    Advance(Duration),
    /// Time passes while Twitch sends a keepalive on the live socket every keepalive interval.
    Quiet(Duration),
    /// The connection being opened opens and gets its welcome in one go.
    ConnectCandidate,
    /// Twitch sends `session_reconnect` (on the live socket, mostly).
    ServerReconnect(u8),
    /// A pending connect opens.
    OpenPending(u8),
    /// An open socket gets its `session_welcome`.
    WelcomePending(u8),
    /// A pending connect fails.
    FailPendingConnect(u8),
    /// A socket drops without a close frame (1006).
    DropSocket(u8),
    /// Twitch closes a socket with this code.
    CloseWith(u8, u16),
    /// Helix creates pending subscriptions (one, or all of them).
    AnswerCreates { pick: u8, all: bool },
    /// Helix fails one pending creation.
    FailCreates { pick: u8, error: Failure },
    /// The user subscribes to a catalogue entry.
    UserSubscribe(u8),
    /// The user unsubscribes from a catalogue entry.
    UserUnsubscribe(u8),
    /// Twitch revokes a catalogue entry.
    Revoke { on: u8, spec: u8 },
    /// The adapter reports a socket the client closed as gone (only when closes are deferred).
    ReportClosed(u8),
    /// Helix answers every pending deletion.
    AnswerDeletes { ok: bool },
}

/// How Helix fails a creation.
#[derive(Clone, Copy, Debug)]
enum Failure {
    Unavailable,
    Rejected,
    AlreadyExists,
    /// 401, and the token really is bad: the revalidation it leads to answers 401 too.
    Unauthorized,
    /// 401, though the token is fine: the revalidation passes and the creation is asked again.
    UnauthorizedOnce,
}

impl Failure {
    fn error(self) -> RequestError {
        match self {
            Self::Unavailable => RequestError::Unavailable {
                message: "503 from fake helix".to_owned(),
            },
            Self::Rejected => RequestError::Rejected {
                status: 400,
                message: "bad condition".to_owned(),
            },
            Self::AlreadyExists => RequestError::AlreadyExists,
            Self::Unauthorized | Self::UnauthorizedOnce => RequestError::Unauthorized {
                message: "invalid token".to_owned(),
            },
        }
    }
}

/// The configuration a case runs with.
#[derive(Clone, Debug)]
struct Settings {
    /// Report a socket closed only when the test says so (not as soon as the client asks).
    defer_closes: bool,
    dedup_max_entries: usize,
    dedup_max_age: Duration,
    backoff_max: Duration,
    max_attempts: Option<u32>,
    /// The keepalive fake Twitch announces in its welcomes.
    keepalive_seconds: u64,
    /// Catalogue entries wanted from the start.
    initial: Vec<usize>,
    seed: u64,
    /// `Config::token_user_id` is preset (else only the validation tells the token's user).
    preset_token_user: bool,
}

#[derive(Clone, Debug)]
struct Case {
    settings: Settings,
    actions: Vec<Action>,
}

/// Subscriptions the user may want. Only the owner's (cost 0) can be revoked by the fake, which
/// always revokes `{kind} v1` of broadcaster 12826.
fn catalogue() -> Vec<SubscriptionSpec> {
    [
        ("channel.follow", OWNER),
        ("stream.online", OWNER),
        ("stream.offline", OWNER),
        ("channel.update", OWNER),
        ("channel.raid", "999"),
        ("channel.ban", "998"),
        ("channel.cheer", OWNER),
        ("channel.subscribe", "997"),
    ]
    .into_iter()
    .map(|(kind, broadcaster)| {
        SubscriptionSpec::new(kind, "1").with_condition("broadcaster_user_id", broadcaster)
    })
    .collect()
}

const CATALOGUE_LEN: usize = 8;

// ---- strategies --------------------------------------------------------------------------------

/// Mostly the first (most interesting) choice, sometimes any.
fn choice() -> impl Strategy<Value = u8> {
    prop_oneof![3 => Just(0u8), 2 => any::<u8>()]
}

fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        4 => (0u64..2_000).prop_map(Duration::from_millis),
        3 => (2_000u64..15_000).prop_map(Duration::from_millis),
        2 => (12_000u64..40_000).prop_map(Duration::from_millis),
        1 => (40u64..200).prop_map(Duration::from_secs),
    ]
}

fn close_code() -> impl Strategy<Value = u16> {
    prop_oneof![
        10 => prop_oneof![Just(4000u16), Just(4002), Just(4003), Just(4004), Just(4005), Just(4006), Just(4007)],
        4 => prop_oneof![Just(1000u16), Just(1001), Just(1006), Just(4999)],
        // 4001 stops the client for good: rare, so most runs go on.
        1 => Just(4001u16),
    ]
}

fn failure() -> impl Strategy<Value = Failure> {
    prop_oneof![
        6 => Just(Failure::Unavailable),
        3 => Just(Failure::Rejected),
        3 => Just(Failure::AlreadyExists),
        // A 401 whose revalidation fails too stops the client for good: rare.
        1 => Just(Failure::Unauthorized),
        2 => Just(Failure::UnauthorizedOnce),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        10 => choice().prop_map(Action::Notify),
        6 => (any::<u8>(), choice()).prop_map(|(back, on)| Action::Duplicate { back, on }),
        3 => choice().prop_map(Action::Keepalive),
        5 => duration().prop_map(Action::Advance),
        4 => (10u64..200).prop_map(|seconds| Action::Quiet(Duration::from_secs(seconds))),
        5 => choice().prop_map(Action::ServerReconnect),
        5 => choice().prop_map(Action::OpenPending),
        5 => choice().prop_map(Action::WelcomePending),
        4 => Just(Action::ConnectCandidate),
        2 => choice().prop_map(Action::FailPendingConnect),
        1 => choice().prop_map(Action::DropSocket),
        3 => (choice(), close_code()).prop_map(|(on, code)| Action::CloseWith(on, code)),
        6 => (choice(), any::<bool>()).prop_map(|(pick, all)| Action::AnswerCreates { pick, all }),
        2 => (choice(), failure()).prop_map(|(pick, error)| Action::FailCreates { pick, error }),
        2 => any::<u8>().prop_map(Action::UserSubscribe),
        1 => any::<u8>().prop_map(Action::UserUnsubscribe),
        1 => (choice(), any::<u8>()).prop_map(|(on, spec)| Action::Revoke { on, spec }),
        2 => choice().prop_map(Action::ReportClosed),
        1 => any::<bool>().prop_map(|ok| Action::AnswerDeletes { ok }),
    ]
}

fn settings() -> impl Strategy<Value = Settings> {
    (
        any::<bool>(),
        prop_oneof![Just(8usize), Just(64), Just(10_000)],
        prop_oneof![Just(30u64), Just(600)],
        prop_oneof![Just(10u64), Just(120)],
        prop_oneof![3 => Just(None), 1 => (3u32..8).prop_map(Some)],
        prop_oneof![Just(10u64), Just(30)],
        proptest::sample::subsequence((0..CATALOGUE_LEN).collect::<Vec<_>>(), 0..=3),
        any::<u64>(),
        any::<bool>(),
    )
        .prop_map(
            |(
                defer_closes,
                dedup_max_entries,
                dedup_max_age,
                backoff_max,
                max_attempts,
                keepalive_seconds,
                initial,
                seed,
                preset_token_user,
            )| Settings {
                defer_closes,
                dedup_max_entries,
                dedup_max_age: Duration::from_secs(dedup_max_age),
                backoff_max: Duration::from_secs(backoff_max),
                max_attempts,
                keepalive_seconds,
                initial,
                seed,
                preset_token_user,
            },
        )
}

fn case(actions: std::ops::Range<usize>) -> impl Strategy<Value = Case> {
    (settings(), proptest::collection::vec(action(), actions))
        .prop_map(|(settings, actions)| Case { settings, actions })
}

// ---- the reference model -------------------------------------------------------------------------

/// The duplicate window the client promises: the last `max_entries` ids, each for `max_age`.
#[derive(Debug)]
struct DedupModel {
    entries: VecDeque<(Instant, String)>,
    max_entries: usize,
    max_age: Duration,
}

impl DedupModel {
    /// Whether `id` arriving now is new to the window (it is remembered from now on).
    fn arrive(&mut self, id: &str, now: Instant) -> bool {
        while let Some((seen_at, _)) = self.entries.front() {
            if now.saturating_duration_since(*seen_at) <= self.max_age {
                break;
            }
            self.entries.pop_front();
        }
        if self.entries.iter().any(|(_, seen)| seen == id) {
            return false;
        }
        if self.entries.len() >= self.max_entries {
            self.entries.pop_front();
        }
        self.entries.push_back((now, id.to_owned()));
        true
    }
}

/// One socket as the model sees it.
#[derive(Debug)]
struct SocketModel {
    /// Opened at a reconnect URL.
    handover: bool,
    connect_at: Instant,
    /// When the client announced it live (`SessionReady`/`Reconnected`).
    live_since: Option<Instant>,
    session: Option<String>,
    /// Silence tolerated once live: keepalive + 20 % + 1 s.
    silence_allowed: Duration,
    /// Last frame the client was given on it.
    last_heard: Instant,
}

/// A frame fed to the client, for the checks after it.
enum Frame {
    Notification(String),
    Revocation(String, usize),
    Other,
}

/// The client, the fake, and everything the model expects of them.
struct Sim {
    h: Harness,
    settings: Settings,
    catalogue: Vec<SubscriptionSpec>,
    backoff: BackoffConfig,
    connect_timeout: Duration,
    welcome_timeout: Duration,
    /// Connections the client knows: asked for, not yet reported ended.
    known: BTreeSet<ConnId>,
    /// Known connections the client asked to close (deferred mode only).
    closing: Vec<ConnId>,
    /// Connections reported ended, oldest first.
    forgotten: Vec<ConnId>,
    sockets: BTreeMap<ConnId, SocketModel>,
    /// The connection of the live session, as announced by events.
    primary: Option<ConnId>,
    /// The connection being opened (the newest `Connect` not yet settled).
    candidate: Option<ConnId>,
    stopped: bool,
    wanted: BTreeSet<usize>,
    revoked: BTreeSet<usize>,
    /// Rejected (4xx) on a live session: never tried again.
    permanently_failed: BTreeSet<usize>,
    /// The outstanding creation of each entry on the current session.
    requested: BTreeMap<usize, RequestId>,
    /// Entries Helix could not create on the live session (unavailable), waiting to be asked for
    /// again, and since when.
    awaiting_retry: BTreeMap<usize, Instant>,
    /// Sessions some creation was asked for.
    sessions_asked: HashSet<String>,
    window: DedupModel,
    delivered: HashSet<String>,
    /// Consecutive failed attempts since the last healthy session.
    streak: u32,
    /// The last connection opened without a backoff wait (a handover, or a fresh reconnect at
    /// once): immediate connections keep `min_reconnect_interval` apart.
    last_immediate: Option<Instant>,
    /// `Config::min_reconnect_interval`.
    min_reconnect_interval: Duration,
    /// The most sockets the client held at once during a handover.
    most_sockets_in_handover: usize,
    /// The candidate the client closed last (a timeout reports it right after closing it).
    abandoned_candidate: Option<ConnId>,
    /// A loss promised a new `Connect` at this time: (loss time, retry time).
    expected_connect: Option<(Instant, Instant)>,
    /// Outputs already looked at.
    observed: usize,
    /// A gap began (`Disconnected`, or a fresh session replaced a live one) and no `Resumed` yet.
    gap_open: bool,
    /// The client reported `Idle`: nothing can be subscribed, no socket is held.
    idle: bool,
    /// A creation was answered 401 because the token went bad: validations answer 401 from now.
    token_invalid: bool,
    /// How often each situation came up, so a test can see the generator reaches them all.
    coverage: Coverage,
}

/// How often each interesting situation came up in a run.
#[derive(Debug, Default)]
struct Coverage(BTreeMap<&'static str, u64>);

impl Coverage {
    fn add(&mut self, situation: &'static str) {
        *self.0.entry(situation).or_default() += 1;
    }

    fn merge(&mut self, other: Self) {
        for (situation, count) in other.0 {
            *self.0.entry(situation).or_default() += count;
        }
    }
}

type Checked = Result<(), String>;

macro_rules! check {
    ($cond:expr, $($message:tt)+) => {
        if !$cond {
            return Err(format!($($message)+));
        }
    };
}

impl Sim {
    fn new(settings: Settings) -> Self {
        let catalogue = catalogue();
        let mut backoff = BackoffConfig::default();
        backoff.max = settings.backoff_max;
        backoff.max_attempts = settings.max_attempts;
        let mut config = Harness::config();
        config.subscriptions = settings
            .initial
            .iter()
            .map(|index| catalogue[*index].clone())
            .collect();
        config.dedup_max_entries = settings.dedup_max_entries;
        config.dedup_max_age = settings.dedup_max_age;
        config.backoff = backoff.clone();
        config.seed = settings.seed;
        if !settings.preset_token_user {
            config.token_user_id = None;
        }
        // Frames carry a fixed timestamp; staleness is not what this suite is about.
        config.stale_after = None;
        let connect_timeout = config.connect_timeout;
        let min_reconnect_interval = config.min_reconnect_interval;
        let welcome_timeout = config.welcome_timeout;
        let mut h = Harness::new(config);
        h.twitch.keepalive_seconds = settings.keepalive_seconds;
        let mut sim = Self {
            window: DedupModel {
                entries: VecDeque::new(),
                max_entries: settings.dedup_max_entries,
                max_age: settings.dedup_max_age,
            },
            wanted: settings.initial.iter().copied().collect(),
            h,
            settings,
            catalogue,
            backoff,
            connect_timeout,
            welcome_timeout,
            known: BTreeSet::new(),
            closing: Vec::new(),
            forgotten: Vec::new(),
            sockets: BTreeMap::new(),
            primary: None,
            candidate: None,
            stopped: false,
            revoked: BTreeSet::new(),
            permanently_failed: BTreeSet::new(),
            requested: BTreeMap::new(),
            awaiting_retry: BTreeMap::new(),
            sessions_asked: HashSet::new(),
            delivered: HashSet::new(),
            streak: 0,
            last_immediate: None,
            min_reconnect_interval,
            most_sockets_in_handover: 0,
            expected_connect: None,
            abandoned_candidate: None,
            observed: 0,
            gap_open: false,
            idle: false,
            token_invalid: false,
            coverage: Coverage::default(),
        };
        // `Harness::new` drained the first `Connect` itself.
        let first: Vec<(ConnId, Url)> = sim.h.pending_connects.clone();
        for (conn, url) in first {
            sim.register_connect(conn, &url);
        }
        sim
    }

    /// Runs a case; `Err` names the action and the invariant that broke.
    fn run(case: &Case) -> Result<Coverage, String> {
        let mut sim = Self::new(case.settings.clone());
        sim.observe()
            .and_then(|()| sim.check_state())
            .map_err(|error| sim.report("setup", &error))?;
        for (index, action) in case.actions.iter().enumerate() {
            sim.act(action)
                .and_then(|()| sim.check_state())
                .map_err(|error| sim.report(&format!("action #{index} {action:?}"), &error))?;
        }
        Ok(sim.coverage)
    }

    fn report(&self, when: &str, error: &str) -> String {
        let mut text = format!("{error}\n  after {when}\n  last outputs:\n");
        let from = self.h.outputs.len().saturating_sub(12);
        for (at, output) in &self.h.outputs[from..] {
            let since = at.saturating_duration_since(self.start());
            let _ = writeln!(text, "    +{since:?} {output:?}");
        }
        text
    }

    fn start(&self) -> Instant {
        self.h.outputs.first().map_or(self.h.now, |(at, _)| *at)
    }

    fn index_of(&self, spec: &SubscriptionSpec) -> Option<usize> {
        self.catalogue.iter().position(|known| known == spec)
    }

    fn eligible(&self) -> BTreeSet<usize> {
        self.wanted
            .iter()
            .copied()
            .filter(|index| {
                !self.revoked.contains(index) && !self.permanently_failed.contains(index)
            })
            .collect()
    }

    fn primary_session(&self) -> Option<String> {
        self.primary
            .and_then(|conn| self.sockets.get(&conn))
            .and_then(|socket| socket.session.clone())
    }

    fn register_connect(&mut self, conn: ConnId, url: &Url) {
        self.known.insert(conn);
        self.sockets.insert(
            conn,
            SocketModel {
                handover: url.query_pairs().any(|(key, _)| key == "resume"),
                connect_at: self.h.now,
                live_since: None,
                session: None,
                silence_allowed: Duration::ZERO,
                last_heard: self.h.now,
            },
        );
    }

    // ---- socket choices ------------------------------------------------------------------------

    fn choose(list: &[ConnId], pick: u8) -> Option<ConnId> {
        if list.is_empty() {
            None
        } else {
            Some(list[usize::from(pick) % list.len()])
        }
    }

    /// `first` (if in `list`) first, then the rest newest first.
    fn ordered(mut list: Vec<ConnId>, first: Option<ConnId>) -> Vec<ConnId> {
        list.sort_by(|a, b| b.cmp(a));
        if let Some(first) = first {
            if let Some(position) = list.iter().position(|conn| *conn == first) {
                let conn = list.remove(position);
                list.insert(0, conn);
            }
        }
        list
    }

    /// Welcomed sockets Twitch may still talk on: known ones and the last forgotten.
    fn talkers(&self) -> Vec<ConnId> {
        let recent: Vec<ConnId> = self.forgotten.last().copied().into_iter().collect();
        let list = self
            .h
            .twitch
            .sockets
            .iter()
            .filter(|(conn, socket)| {
                socket.welcomed_at.is_some() && (self.known.contains(conn) || recent.contains(conn))
            })
            .map(|(conn, _)| *conn)
            .collect();
        Self::ordered(list, self.primary)
    }

    /// Known sockets, plus the last forgotten one (to see an unknown connection refused).
    fn closable(&self) -> Vec<ConnId> {
        let mut list: Vec<ConnId> = self.known.iter().copied().collect();
        let mut ordered = Self::ordered(std::mem::take(&mut list), self.primary);
        if let Some(last) = self.forgotten.last() {
            ordered.push(*last);
        }
        ordered
    }

    // ---- feeding the client --------------------------------------------------------------------

    /// Invariant 9: the result of an input naming `conn`.
    fn conn_result(&self, conn: ConnId, known: bool, result: Result<(), InputError>) -> Checked {
        match (known, result) {
            (true, Ok(())) => Ok(()),
            (false, Err(InputError::UnknownConnection { conn: named })) if named == conn => Ok(()),
            (known, result) => Err(format!(
                "invariant 9 (inputs refused only for unknown connections): {conn} known={known} gave {result:?}"
            )),
        }
    }

    /// The adapter reports `conn` ended (without draining).
    fn report_end(&mut self, conn: ConnId, input: Input<'_>, by_client: bool) -> Checked {
        let known = self.known.contains(&conn);
        let result = self.h.client.handle_input(self.h.now, input);
        self.conn_result(conn, known, result)?;
        self.h
            .pending_connects
            .retain(|(pending, _)| *pending != conn);
        self.h.twitch.closed(conn, by_client);
        if self.known.remove(&conn) {
            self.forgotten.push(conn);
        }
        self.closing.retain(|closing| *closing != conn);
        Ok(())
    }

    /// Carries out the client's outputs like `Harness::drain`, but closes may be deferred.
    fn drain(&mut self) -> Checked {
        loop {
            let mut closed_now = Vec::new();
            let mut validations = Vec::new();
            while let Some(output) = self.h.client.poll_output() {
                let now = self.h.now;
                match &output {
                    Output::Connect { conn, url } => {
                        self.h.twitch.accept(*conn, url.clone());
                        self.h.pending_connects.push((*conn, url.clone()));
                        self.register_connect(*conn, url);
                    }
                    // Dropped at once, deferred closes or not: there is no handshake to wait for.
                    Output::Abort { conn } => {
                        self.h.aborts.push((*conn, now));
                        self.h
                            .pending_connects
                            .retain(|(pending, _)| pending != conn);
                        closed_now.push(*conn);
                    }
                    Output::Close { conn, code } => {
                        self.h.client_closes.push((*conn, *code, now));
                        // The adapter abandons a connect it no longer needs.
                        self.h
                            .pending_connects
                            .retain(|(pending, _)| pending != conn);
                        if self.settings.defer_closes {
                            if !self.closing.contains(conn) {
                                self.closing.push(*conn);
                            }
                        } else {
                            closed_now.push(*conn);
                        }
                    }
                    Output::CreateSubscription {
                        request,
                        session_id,
                        subscription,
                    } => self.h.pending_creates.push(PendingCreate {
                        request: *request,
                        session_id: session_id.clone(),
                        subscription: subscription.clone(),
                        asked_at: now,
                    }),
                    Output::DeleteSubscription { request, id } => {
                        self.h.pending_deletes.push((*request, id.clone()));
                    }
                    // Twitch answers validations at once.
                    Output::ValidateToken { request } => validations.push(*request),
                    Output::Event(event) => self.h.events.push(event.clone()),
                    _ => {}
                }
                self.h.outputs.push((now, output));
            }
            if closed_now.is_empty() && validations.is_empty() {
                return Ok(());
            }
            for request in validations {
                let result = if self.token_invalid {
                    self.coverage.add("a revalidation answered 401");
                    Err(RequestError::Unauthorized {
                        message: "invalid access token".to_owned(),
                    })
                } else {
                    Ok(user_token_with_all_scopes())
                };
                let outcome = self
                    .h
                    .client
                    .handle_input(self.h.now, Input::TokenValidated { request, result });
                check!(
                    outcome.is_ok(),
                    "invariant 9: answering validation {request} gave {outcome:?}"
                );
            }
            for conn in closed_now {
                let input = Input::Closed {
                    conn,
                    code: Some(1000),
                    reason: "",
                };
                self.report_end(conn, input, true)?;
            }
        }
    }

    /// Drains, then follows and checks every new output in order.
    fn settle(&mut self) -> Checked {
        self.drain()?;
        self.observe()
    }

    /// Outputs since `from`.
    fn since(&self, from: usize) -> Vec<Output> {
        self.h.outputs[from..]
            .iter()
            .map(|(_, output)| output.clone())
            .collect()
    }

    /// Sends a text frame on `conn` and checks what became of it (invariants 1, 2, 9).
    fn send(&mut self, conn: ConnId, text: &str, frame: Frame) -> Checked {
        let known = self.known.contains(&conn);
        let stopped = self.stopped;
        let now = self.h.now;
        let from = self.h.outputs.len();
        let result = self.h.client.handle_input(
            now,
            Input::Text {
                conn,
                text,
                received_at: self.h.wall,
            },
        );
        self.conn_result(conn, known, result)?;
        if known {
            if let Some(socket) = self.sockets.get_mut(&conn) {
                socket.last_heard = now;
            }
        }
        self.settle()?;
        let outputs = self.since(from);
        let notifications: Vec<(String, ConnId)> = outputs
            .iter()
            .filter_map(|output| match output {
                Output::Event(Event::Notification(notification)) => {
                    Some((notification.message_id().to_string(), notification.conn()))
                }
                _ => None,
            })
            .collect();
        let revocations = outputs
            .iter()
            .filter(|output| matches!(output, Output::Event(Event::Revocation(_))))
            .count();
        let listening = known && !stopped;
        match frame {
            Frame::Notification(id) => {
                let previously = self.delivered.contains(&id);
                let new = listening && self.window.arrive(&id, now);
                if new {
                    check!(
                        notifications.len() <= 1,
                        "invariant 1 (no notification delivered twice): {id} delivered {} times from one frame",
                        notifications.len()
                    );
                    // Delivery of an id that left the window is allowed, not required.
                    check!(
                        notifications == [(id.clone(), conn)]
                            || (previously && notifications.is_empty()),
                        "invariant 2 (nothing received on a live socket lost): notification {id} fed on {conn} (known to the client) was not delivered; delivered instead: {notifications:?}"
                    );
                } else if listening {
                    check!(
                        notifications.is_empty(),
                        "invariant 1 (no notification delivered twice): duplicate {id} (still in the dedup window: last {} ids, {:?}) delivered again on {conn}",
                        self.settings.dedup_max_entries,
                        self.settings.dedup_max_age
                    );
                } else {
                    check!(
                        notifications.is_empty(),
                        "invariant 9: notification {id} on {conn} delivered though the client does not know {conn} or has stopped"
                    );
                }
                if !notifications.is_empty() {
                    self.coverage.add(if previously {
                        "an id that left the dedup window delivered again"
                    } else if self.closing.contains(&conn) {
                        "a notification delivered from a socket the client is closing"
                    } else {
                        "a notification delivered"
                    });
                    self.delivered.insert(id);
                } else if listening {
                    self.coverage.add("a duplicate dropped");
                } else if !known {
                    self.coverage.add("a frame on a forgotten socket refused");
                }
            }
            Frame::Revocation(id, index) => {
                let new = listening && self.window.arrive(&id, now);
                check!(
                    notifications.is_empty(),
                    "a revocation produced a notification"
                );
                check!(
                    revocations == usize::from(new),
                    "revocation {id} on {conn}: expected {} Revocation events (new to the window: {new}), got {revocations}",
                    usize::from(new)
                );
                if new && self.wanted.contains(&index) {
                    self.coverage.add("a wanted subscription revoked");
                    self.revoked.insert(index);
                    self.requested.remove(&index);
                    self.awaiting_retry.remove(&index);
                }
            }
            Frame::Other => check!(
                notifications.is_empty() && revocations == 0,
                "a control frame on {conn} produced a notification or revocation"
            ),
        }
        Ok(())
    }

    // ---- actions -------------------------------------------------------------------------------

    fn act(&mut self, action: &Action) -> Checked {
        match *action {
            Action::Notify(on) => {
                let Some(conn) = Self::choose(&self.talkers(), on) else {
                    return Ok(());
                };
                let (id, text) = self.h.twitch.notification(conn).expect("known to the fake");
                self.send(conn, &text, Frame::Notification(id))
            }
            Action::Duplicate { back, on } => {
                let sent = self.h.twitch.sent.len();
                let Some(conn) = Self::choose(&self.talkers(), on) else {
                    return Ok(());
                };
                if sent == 0 {
                    return Ok(());
                }
                let index = sent - 1 - usize::from(back) % sent.min(40);
                let id = self.h.twitch.sent[index].message_id.clone();
                let text = self
                    .h
                    .twitch
                    .duplicate(index, conn)
                    .expect("known to the fake");
                self.send(conn, &text, Frame::Notification(id))
            }
            Action::Keepalive(on) => {
                let Some(conn) = Self::choose(&self.talkers(), on) else {
                    return Ok(());
                };
                let text = self.h.twitch.keepalive();
                self.send(conn, &text, Frame::Other)
            }
            Action::Advance(by) => self.advance(by),
            Action::Quiet(by) => {
                let target = self.h.now + by;
                let interval = Duration::from_secs(self.settings.keepalive_seconds);
                while self.h.now < target {
                    self.advance(interval.min(target - self.h.now))?;
                    if let Some(live) = self.primary {
                        let text = self.h.twitch.keepalive();
                        self.send(live, &text, Frame::Other)?;
                    }
                }
                Ok(())
            }
            Action::ConnectCandidate => {
                let Some(conn) = self.candidate else {
                    return Ok(());
                };
                if self
                    .h
                    .pending_connects
                    .iter()
                    .any(|(pending, _)| *pending == conn)
                {
                    self.act(&Action::OpenPending(0))?;
                }
                if self.candidate == Some(conn) {
                    self.welcome(0)?;
                }
                Ok(())
            }
            Action::ServerReconnect(on) => self.server_reconnect(on),
            Action::OpenPending(pick) => {
                let list: Vec<ConnId> = self
                    .h
                    .pending_connects
                    .iter()
                    .map(|(conn, _)| *conn)
                    .collect();
                let Some(conn) = Self::choose(&Self::ordered(list, self.candidate), pick) else {
                    return Ok(());
                };
                self.h
                    .pending_connects
                    .retain(|(pending, _)| *pending != conn);
                self.h.twitch.open(conn);
                let known = self.known.contains(&conn);
                let result = self
                    .h
                    .client
                    .handle_input(self.h.now, Input::Opened { conn });
                self.conn_result(conn, known, result)?;
                self.settle()
            }
            Action::WelcomePending(pick) => self.welcome(pick),
            Action::FailPendingConnect(pick) => {
                let list: Vec<ConnId> = self
                    .h
                    .pending_connects
                    .iter()
                    .map(|(conn, _)| *conn)
                    .collect();
                let Some(conn) = Self::choose(&Self::ordered(list, self.candidate), pick) else {
                    return Ok(());
                };
                self.end_socket(conn, None, true)
            }
            Action::DropSocket(on) => {
                let Some(conn) = Self::choose(&self.closable(), on) else {
                    return Ok(());
                };
                self.end_socket(conn, None, false)
            }
            Action::CloseWith(on, code) => {
                let Some(conn) = Self::choose(&self.closable(), on) else {
                    return Ok(());
                };
                self.end_socket(conn, Some(code), false)
            }
            Action::AnswerCreates { pick, all } => {
                let count = self.h.pending_creates.len();
                if count == 0 {
                    return Ok(());
                }
                let chosen: Vec<PendingCreate> = if all {
                    std::mem::take(&mut self.h.pending_creates)
                } else {
                    vec![self.h.pending_creates.remove(usize::from(pick) % count)]
                };
                for pending in chosen {
                    let cost = pending.subscription.estimated_cost(Some(OWNER));
                    let created = Created::new(
                        SubscriptionId::new(format!("sub-{}", pending.request)),
                        cost,
                        0,
                        10,
                    );
                    self.answer_create(pending, Ok(created))?;
                }
                Ok(())
            }
            Action::FailCreates { pick, error } => {
                let count = self.h.pending_creates.len();
                if count == 0 {
                    return Ok(());
                }
                let pending = self.h.pending_creates.remove(usize::from(pick) % count);
                if matches!(error, Failure::Unauthorized) {
                    self.token_invalid = true;
                }
                self.answer_create(pending, Err(error.error()))
            }
            Action::UserSubscribe(which) => self.user_subscribe(usize::from(which) % CATALOGUE_LEN),
            Action::UserUnsubscribe(which) => {
                let index = usize::from(which) % CATALOGUE_LEN;
                let spec = self.catalogue[index].clone();
                let was_wanted = self.h.client.unsubscribe(&spec);
                check!(
                    was_wanted == self.wanted.contains(&index),
                    "unsubscribe({spec}) returned {was_wanted}, the model says wanted={}",
                    self.wanted.contains(&index)
                );
                self.wanted.remove(&index);
                self.revoked.remove(&index);
                self.permanently_failed.remove(&index);
                self.requested.remove(&index);
                self.awaiting_retry.remove(&index);
                self.settle()
            }
            Action::Revoke { on, spec } => {
                let index = usize::from(spec) % CATALOGUE_LEN;
                let spec = self.catalogue[index].clone();
                if spec.condition_str("broadcaster_user_id") != Some(OWNER) {
                    return Ok(()); // the fake only revokes the owner's subscriptions
                }
                let Some(conn) = Self::choose(&self.talkers(), on) else {
                    return Ok(());
                };
                let Some(session) = self.h.twitch.sockets[&conn].session_id().map(str::to_owned)
                else {
                    return Ok(());
                };
                let id = self.h.twitch.next_message_id();
                let text = self.h.twitch.frames.revocation(
                    &id,
                    &session,
                    &spec.kind,
                    "authorization_revoked",
                );
                self.send(conn, &text, Frame::Revocation(id, index))
            }
            Action::ReportClosed(pick) => {
                let Some(conn) = Self::choose(&self.closing.clone(), pick) else {
                    return Ok(());
                };
                let from = self.h.outputs.len();
                let input = Input::Closed {
                    conn,
                    code: Some(1000),
                    reason: "",
                };
                self.report_end(conn, input, true)?;
                self.settle()?;
                let lost = self.since(from).iter().any(|output| {
                    matches!(
                        output,
                        Output::Event(Event::Disconnected { .. } | Event::ConnectFailed { .. })
                    )
                });
                check!(
                    !lost,
                    "the end of {conn}, which the client closed itself, was treated as a loss"
                );
                Ok(())
            }
            Action::AnswerDeletes { ok } => {
                for (request, _) in std::mem::take(&mut self.h.pending_deletes) {
                    let result = if ok {
                        Ok(())
                    } else {
                        Err(RequestError::Unavailable {
                            message: "timeout".to_owned(),
                        })
                    };
                    let outcome = self
                        .h
                        .client
                        .handle_input(self.h.now, Input::SubscriptionDeleted { request, result });
                    check!(
                        outcome.is_ok(),
                        "invariant 9: answering deletion {request} the client asked for gave {outcome:?}"
                    );
                    self.settle()?;
                }
                Ok(())
            }
        }
    }

    fn server_reconnect(&mut self, on: u8) -> Checked {
        let list: Vec<ConnId> = self
            .known
            .iter()
            .copied()
            .filter(|conn| {
                matches!(
                    self.h.twitch.sockets.get(conn).map(|socket| &socket.state),
                    Some(SocketState::Welcomed { .. })
                )
            })
            .collect();
        let Some(conn) = Self::choose(&Self::ordered(list, self.primary), on) else {
            return Ok(());
        };
        let Some(text) = self.h.twitch.reconnect(conn, false) else {
            return Ok(());
        };
        let live = self.primary == Some(conn) && !self.stopped;
        // A handover waits its turn: `min_reconnect_interval` after the last immediate connection,
        // and until no socket is closing.
        let now = self.h.now;
        let its_turn = self.next_immediate_at(now) <= now && self.closing.is_empty();
        if live && !its_turn {
            self.coverage.add("a handover waiting for its turn");
        }
        let follows = live && its_turn;
        let from = self.h.outputs.len();
        self.send(conn, &text, Frame::Other)?;
        let handover_connects = self
            .since(from)
            .iter()
            .filter(|output| {
                matches!(output, Output::Connect { url, .. } if url.query_pairs().any(|(key, _)| key == "resume"))
            })
            .count();
        check!(
            handover_connects == usize::from(follows),
            "session_reconnect on {conn} (live: {follows}) gave {handover_connects} connects to the reconnect URL"
        );
        Ok(())
    }

    fn welcome(&mut self, pick: u8) -> Checked {
        let list: Vec<ConnId> = self
            .h
            .twitch
            .sockets
            .iter()
            .filter(|(_, socket)| socket.state == SocketState::Open)
            .map(|(conn, _)| *conn)
            .collect();
        let Some(conn) = Self::choose(&Self::ordered(list, self.candidate), pick) else {
            return Ok(());
        };
        let takes_over = self.candidate == Some(conn) && !self.stopped;
        let handover = self
            .sockets
            .get(&conn)
            .is_some_and(|socket| socket.handover);
        let graceful = takes_over && handover && self.primary.is_some();
        let Some(text) = self.h.twitch.welcome(conn, self.h.now) else {
            return Ok(());
        };
        let from = self.h.outputs.len();
        self.send(conn, &text, Frame::Other)?;
        let outputs = self.since(from);
        let reconnected = outputs.iter().any(
            |output| matches!(output, Output::Event(Event::Reconnected { conn: c, .. }) if *c == conn),
        );
        let ready = outputs.iter().any(
            |output| matches!(output, Output::Event(Event::SessionReady { conn: c, .. }) if *c == conn),
        );
        if graceful {
            check!(
                reconnected && !ready,
                "invariant 4 (a graceful handover resubscribes nothing): {conn} was welcomed at the reconnect URL while the old session was still live, but the client did not report Reconnected (SessionReady: {ready})"
            );
        } else if takes_over {
            check!(
                ready && !reconnected,
                "invariant 5: the welcome of {conn} (a fresh session) was not reported as SessionReady (Reconnected: {reconnected})"
            );
        } else {
            check!(
                !ready && !reconnected,
                "a welcome on {conn}, which is not the connection being opened, was taken"
            );
        }
        Ok(())
    }

    /// The socket ends: a connect failure (`connect_failed`) or a close with `code`.
    fn end_socket(&mut self, conn: ConnId, code: Option<u16>, connect_failed: bool) -> Checked {
        let stopped = self.stopped;
        let was_primary = self.primary == Some(conn);
        let was_candidate = self.candidate == Some(conn);
        let from = self.h.outputs.len();
        let input = if connect_failed {
            Input::ConnectFailed {
                conn,
                error: "connection refused",
            }
        } else {
            Input::Closed {
                conn,
                code,
                reason: "closed by fake twitch",
            }
        };
        self.report_end(conn, input, false)?;
        self.settle()?;
        let outputs = self.since(from);
        let stops = outputs
            .iter()
            .any(|output| matches!(output, Output::Event(Event::Stopped { .. })));
        let disconnected = outputs.iter().any(
            |output| matches!(output, Output::Event(Event::Disconnected { conn: c, .. }) if *c == conn),
        );
        let failed = outputs.iter().any(
            |output| matches!(output, Output::Event(Event::ConnectFailed { conn: c, .. }) if *c == conn),
        );
        if !stopped && code == Some(4001) && was_primary {
            check!(
                stops,
                "4001 (the client sent a frame) on {conn} did not stop the client"
            );
        }
        if !stopped && code == Some(4001) && was_candidate && !was_primary {
            self.coverage.add("4001 on a candidate: a failed handover");
            let stopped_for_4001 = outputs.iter().any(|output| {
                matches!(
                    output,
                    Output::Event(Event::Stopped {
                        reason: StopReason::InboundTrafficRejected { .. }
                    })
                )
            });
            check!(
                !stopped_for_4001,
                "4001 on candidate {conn}, which never carried the session, stopped the client"
            );
        }
        check!(
            disconnected == (was_primary && !stopped),
            "the end of {conn} (live: {was_primary}) gave Disconnected={disconnected}"
        );
        check!(
            failed == (was_candidate && !stopped),
            "the end of {conn} (being opened: {was_candidate}) gave ConnectFailed={failed}"
        );
        Ok(())
    }

    fn answer_create(
        &mut self,
        pending: PendingCreate,
        result: Result<Created, RequestError>,
    ) -> Checked {
        let index = self
            .index_of(&pending.subscription)
            .expect("only catalogue entries are wanted");
        let current = !self.stopped && self.requested.get(&index) == Some(&pending.request);
        if let Ok(created) = &result {
            // Recorded only: this fake enforces no limits.
            let _ = self.h.twitch.create(
                pending.session_id.as_str(),
                created.id.clone(),
                pending.subscription.clone(),
                created.cost,
            );
        }
        let from = self.h.outputs.len();
        let outcome = self.h.client.handle_input(
            self.h.now,
            Input::SubscriptionCreated {
                request: pending.request,
                result: result.clone(),
            },
        );
        check!(
            outcome.is_ok(),
            "invariant 9: answering creation {} the client asked for gave {outcome:?}",
            pending.request
        );
        if current {
            self.coverage.add(match result {
                Ok(_) => "a creation succeeded",
                Err(RequestError::Rejected { .. }) => "a creation failed for good",
                _ => "a creation failed or already existed",
            });
            self.requested.remove(&index);
            if matches!(result, Err(RequestError::Rejected { .. })) {
                self.permanently_failed.insert(index);
            }
            // Retried on the live session: after a backoff delay, or (401) after a revalidation
            // that comes within one.
            if matches!(
                result,
                Err(RequestError::Unavailable { .. } | RequestError::Unauthorized { .. })
            ) {
                self.awaiting_retry.insert(index, self.h.now);
            }
        }
        self.settle()?;
        let outputs = self.since(from);
        let unauthorized_stop = outputs.iter().any(|output| {
            matches!(
                output,
                Output::Event(Event::Stopped {
                    reason: StopReason::Unauthorized { .. }
                })
            )
        });
        check!(
            !unauthorized_stop,
            "a 401 to creation {} stopped the client: only a 401 to the validation may",
            pending.request
        );
        let reported = outputs.iter().any(|output| {
            matches!(
                output,
                Output::Event(
                    Event::SubscriptionCreated { .. }
                        | Event::SubscriptionAlreadyExists { .. }
                        | Event::SubscriptionFailed { .. }
                )
            )
        });
        if current {
            check!(
                reported,
                "the answer to creation {} of {} was not reported",
                pending.request,
                pending.subscription
            );
        }
        Ok(())
    }

    fn user_subscribe(&mut self, index: usize) -> Checked {
        let spec = self.catalogue[index].clone();
        let session = self.primary_session();
        let from = self.h.outputs.len();
        let result = self.h.client.subscribe(spec.clone());
        if self.stopped {
            check!(
                matches!(result, Err(SubscribeError::Stopped)),
                "subscribe after Stopped gave {result:?}"
            );
        } else if self.wanted.contains(&index)
            && !self.revoked.contains(&index)
            && !self.permanently_failed.contains(&index)
        {
            check!(
                matches!(result, Err(SubscribeError::AlreadySubscribed { .. })),
                "subscribing twice to {spec} gave {result:?}"
            );
        } else {
            check!(
                result.is_ok(),
                "subscribing to {spec} (within every limit) gave {result:?}"
            );
            if self.wanted.contains(&index) {
                self.coverage
                    .add("a revoked or failed subscription subscribed again");
            }
            self.wanted.insert(index);
            self.revoked.remove(&index);
            self.permanently_failed.remove(&index);
            self.settle()?;
            if let Some(session) = session {
                let asked = self.since(from).iter().any(|output| {
                    matches!(output, Output::CreateSubscription { session_id, subscription, .. }
                        if session_id.as_str() == session && *subscription == spec)
                });
                check!(
                    asked,
                    "invariant 5: {spec}, subscribed while session {session} is live, was not created on it at once"
                );
            }
            return Ok(());
        }
        self.settle()
    }

    /// Moves time to `by` later, stopping at every deadline of the client on the way.
    fn advance(&mut self, by: Duration) -> Checked {
        self.check_session_used()?;
        let target = self.h.now + by;
        let mut steps = 0u32;
        while let Some(at) = self.h.client.poll_timeout() {
            if at > target {
                break;
            }
            steps += 1;
            check!(
                steps < 1_000,
                "invariant 7 (never a tight loop): more than 1000 deadlines fired within {by:?}"
            );
            self.move_to(at)?;
        }
        self.move_to(target)
    }

    fn move_to(&mut self, at: Instant) -> Checked {
        if at > self.h.now {
            let by = at - self.h.now;
            self.h.now = at;
            self.h.wall += by;
        }
        self.h.client.handle_timeout(self.h.now);
        self.settle()?;
        self.check_state()
    }

    // ---- following the outputs -----------------------------------------------------------------

    /// Follows every output not yet looked at, in order, checking invariants 3, 4, 5, 6 and 7.
    fn observe(&mut self) -> Checked {
        let outputs: Vec<(Instant, Output)> = self.h.outputs[self.observed..].to_vec();
        self.observed = self.h.outputs.len();
        for (index, (at, output)) in outputs.iter().enumerate() {
            let before = &outputs[..index];
            let after = &outputs[index + 1..];
            if self.stopped {
                let settling = matches!(
                    output,
                    Output::Close { .. }
                        | Output::Abort { .. }
                        | Output::Event(Event::UnsubscribeFailed { .. })
                ) || matches!(output, Output::DeleteSubscription { .. });
                check!(settling, "output after Stopped: {output:?}");
            }
            match output {
                Output::Connect { conn, url } => {
                    let handover = url.query_pairs().any(|(key, _)| key == "resume");
                    if handover {
                        let next = self.next_immediate_at(*at);
                        check!(
                            next <= *at,
                            "invariant 8 (handovers paced): {conn} opened at {at:?}, before {next:?}"
                        );
                        self.last_immediate = Some(*at);
                    }
                    if let Some((lost_at, retry_at)) = self.expected_connect.take() {
                        if retry_at == lost_at {
                            self.last_immediate = Some(*at);
                        }
                        let delay = at.saturating_duration_since(lost_at);
                        check!(
                            delay <= self.backoff.max,
                            "invariant 7 (backoff bounded): {conn} opened {delay:?} after the loss, more than {:?}",
                            self.backoff.max
                        );
                    }
                    if self.idle {
                        self.coverage.add("idle left for a new subscription");
                    }
                    self.idle = false;
                    self.candidate = Some(*conn);
                }
                Output::Abort { conn } => {
                    // A close frame the server left unanswered for the close timeout gives the
                    // socket up too.
                    let close_unanswered = self
                        .h
                        .client_closes
                        .iter()
                        .any(|(closed, _, _)| closed == conn);
                    check!(
                        close_unanswered
                            || (self.primary != Some(*conn)
                                && self
                                    .sockets
                                    .get(conn)
                                    .is_some_and(|socket| socket.live_since.is_none())),
                        "{conn} dropped without a close handshake, though it was welcomed"
                    );
                    if self.candidate == Some(*conn) {
                        if self.sockets.get(conn).is_some_and(|socket| socket.handover) {
                            self.coverage
                                .add("a handover connection dropped unwelcomed");
                        }
                        self.candidate = None;
                        self.abandoned_candidate = Some(*conn);
                    }
                }
                Output::Close { conn, code } => {
                    if self.candidate == Some(*conn)
                        && self.sockets.get(conn).is_some_and(|socket| socket.handover)
                    {
                        self.coverage
                            .add("a handover connection abandoned or superseded");
                    }
                    if self.candidate == Some(*conn) {
                        self.candidate = None;
                        self.abandoned_candidate = Some(*conn);
                    }
                    if self.primary == Some(*conn) {
                        self.check_live_close(*conn, *code, after)?;
                    }
                }
                Output::CreateSubscription {
                    request,
                    session_id,
                    subscription,
                } => {
                    let index = self.index_of(subscription);
                    check!(
                        index.is_some_and(|index| self.wanted.contains(&index)),
                        "created {subscription}, which is not wanted"
                    );
                    let index = index.unwrap_or_default();
                    check!(
                        !self.revoked.contains(&index),
                        "re-created {subscription}, which Twitch revoked"
                    );
                    let live = self.primary_session();
                    check!(
                        live.as_deref() == Some(session_id.as_str()),
                        "created {subscription} for session {session_id}, but the live session is {live:?}"
                    );
                    self.requested.insert(index, *request);
                    if self.awaiting_retry.remove(&index).is_some() {
                        self.coverage.add("a creation retried on the live session");
                    }
                    self.sessions_asked.insert(session_id.as_str().to_owned());
                }
                Output::Event(event) => self.observe_event(event, *at, before, after)?,
                _ => {}
            }
        }
        Ok(())
    }

    /// Invariant 3: the client closes the live socket `conn`.
    fn check_live_close(
        &self,
        conn: ConnId,
        code: ClientCloseCode,
        after: &[(Instant, Output)],
    ) -> Checked {
        let next = after.first().map(|(_, output)| output);
        let replaced_by = match next {
            Some(Output::Event(
                Event::Reconnected { conn: new, .. } | Event::SessionReady { conn: new, .. },
            )) if *new != conn => Some(*new),
            _ => None,
        };
        if let Some(new) = replaced_by {
            let welcomed = self
                .h
                .twitch
                .sockets
                .get(&new)
                .is_some_and(|socket| socket.welcomed_at.is_some());
            check!(
                welcomed && code == ClientCloseCode::Normal,
                "invariant 3 (old socket closes only after the new welcome): live {conn} closed with {code:?} for {new}, which was not welcomed"
            );
            return Ok(());
        }
        let for_silence = code == ClientCloseCode::GoingAway
            && matches!(next, Some(Output::Event(Event::Disconnected {
                conn: lost,
                cause: DisconnectCause::KeepaliveTimeout { .. },
                ..
            })) if *lost == conn);
        let stopping = after.iter().any(|(_, output)| {
            matches!(
                output,
                Output::Event(Event::Stopped { .. } | Event::Idle { .. })
            )
        });
        check!(
            for_silence || stopping,
            "invariant 3 (old socket closes only after the new welcome): live {conn} closed with {code:?} with no welcomed replacement, no silence and no stop; next: {next:?}"
        );
        Ok(())
    }

    fn observe_event(
        &mut self,
        event: &Event,
        at: Instant,
        before: &[(Instant, Output)],
        after: &[(Instant, Output)],
    ) -> Checked {
        match event {
            Event::SessionReady {
                conn,
                session_id,
                keepalive,
            } => {
                let handover = self.sockets.get(conn).is_some_and(|socket| socket.handover);
                if let (Some(old), true) = (self.primary, handover) {
                    let creates = after
                        .iter()
                        .filter(|(_, output)| matches!(output, Output::CreateSubscription { .. }))
                        .count();
                    return Err(format!(
                        "invariant 4 (no resubscribe on a graceful handover): {conn}, opened at the reconnect URL of live {old}, was welcomed while {old} was still live, but the client reported SessionReady (a fresh session) instead of Reconnected, with {creates} creations"
                    ));
                }
                self.coverage.add(match (self.primary, handover) {
                    (Some(_), _) => "a fresh session replaced a live one",
                    (None, true) => "a handover that outlived its old socket",
                    (None, false) => "a fresh session",
                });
                self.reset_streak_if_old_was_healthy(at);
                // A fresh session replacing a live one: the old session's creations no longer count.
                self.requested.clear();
                self.awaiting_retry.clear();
                if self.primary.is_some() {
                    self.gap_open = true;
                }
                self.take_over(*conn, session_id.as_str(), *keepalive, at, before)?;
                // Invariant 5 (and 10): every eligible subscription is asked for in this very drain.
                let asked: BTreeSet<usize> = after
                    .iter()
                    .filter_map(|(_, output)| match output {
                        Output::CreateSubscription {
                            session_id: session,
                            subscription,
                            ..
                        } if session == session_id => self.index_of(subscription),
                        _ => None,
                    })
                    .collect();
                let eligible = self.eligible();
                check!(
                    asked == eligible,
                    "invariant 5 (subscriptions requested right after every fresh welcome): session {session_id} on {conn} asked for {:?}, but wanted and not revoked/failed are {:?}",
                    self.names(&asked),
                    self.names(&eligible)
                );
            }
            Event::Reconnected { conn, session_id } => {
                let handover = self.sockets.get(conn).is_some_and(|socket| socket.handover);
                check!(
                    self.primary.is_some() && handover,
                    "Reconnected on {conn} (opened at a reconnect URL: {handover}) though no session was live"
                );
                let creates = before
                    .iter()
                    .chain(after)
                    .filter(|(_, output)| matches!(output, Output::CreateSubscription { .. }))
                    .count();
                check!(
                    creates == 0,
                    "invariant 4 (no resubscribe on a graceful handover): {creates} creations in the drain of the handover to {conn}"
                );
                let keepalive = Duration::from_secs(self.settings.keepalive_seconds);
                // A handover welcome resets the streak only when the session it ends was healthy:
                // a server looping on reconnect, welcome and close must still meet the backoff.
                if !self.reset_streak_if_old_was_healthy(at) && self.streak > 0 {
                    self.coverage
                        .add("a handover welcome that kept the backoff streak");
                }
                self.take_over(*conn, session_id.as_str(), keepalive, at, before)?;
                self.coverage.add("a graceful handover");
            }
            Event::Disconnected {
                conn,
                cause,
                retry_at,
                retry_in,
            } => {
                check!(
                    self.primary == Some(*conn),
                    "Disconnected for {conn}, which was not the live session ({:?})",
                    self.primary
                );
                let socket = &self.sockets[conn];
                if let DisconnectCause::KeepaliveTimeout { silent_for } = cause {
                    self.coverage.add("a silent socket declared dead");
                    let silence = at.saturating_duration_since(socket.last_heard);
                    check!(
                        silence >= socket.silence_allowed && *silent_for == silence,
                        "invariant 6 (never closed for silence early): {conn} declared silent for {silent_for:?}, but it was silent {silence:?} of the {:?} allowed",
                        socket.silence_allowed
                    );
                }
                let healthy = socket.live_since.is_some_and(|since| {
                    at.saturating_duration_since(since) >= self.backoff.healthy_after
                });
                if healthy {
                    self.streak = 0;
                }
                self.primary = None;
                self.gap_open = true;
                // The session's subscriptions are gone; answers about them no longer count.
                self.requested.clear();
                self.awaiting_retry.clear();
                self.check_retry(cause, *retry_at, *retry_in, at, after)?;
            }
            Event::ConnectFailed {
                conn,
                cause,
                retry_at,
                retry_in,
            } => {
                // A candidate the client gives up on (timeout) is closed first, then reported.
                if self.sockets.get(conn).is_some_and(|socket| socket.handover) {
                    self.coverage.add("a handover connection failed");
                }
                check!(
                    self.candidate == Some(*conn) || self.abandoned_candidate == Some(*conn),
                    "ConnectFailed for {conn}, which was not being opened ({:?})",
                    self.candidate
                );
                if self.candidate == Some(*conn) {
                    self.candidate = None;
                }
                self.check_retry(cause, *retry_at, *retry_in, at, after)?;
            }
            // Followed at once: what the client does next in the same drain (idle) depends on it.
            Event::Revocation(revocation) => {
                if let Some(index) = self.index_of(&revocation.subscription.spec()) {
                    if self.wanted.contains(&index) {
                        self.revoked.insert(index);
                        self.requested.remove(&index);
                        self.awaiting_retry.remove(&index);
                    }
                }
            }
            Event::Idle { reasons } => {
                let eligible = self.eligible();
                check!(
                    eligible.is_empty() && !self.idle,
                    "Idle (idle already: {}) though {:?} can be subscribed",
                    self.idle,
                    self.names(&eligible)
                );
                let named: BTreeSet<usize> = reasons
                    .iter()
                    .filter_map(|reason| self.index_of(&reason.spec))
                    .collect();
                check!(
                    named == self.wanted,
                    "Idle names {:?}, but {:?} are wanted",
                    self.names(&named),
                    self.names(&self.wanted)
                );
                self.coverage.add(if self.wanted.is_empty() {
                    "idle with nothing wanted"
                } else {
                    "idle with every subscription revoked or failed"
                });
                // The gap ends here, unresumed; nothing is held or planned, and the backoff
                // starts over.
                self.idle = true;
                self.streak = 0;
                self.gap_open = false;
                self.primary = None;
                self.candidate = None;
                self.expected_connect = None;
                self.requested.clear();
                self.awaiting_retry.clear();
            }
            Event::Resumed { gap } => {
                check!(!self.idle, "Resumed while idle");
                self.gap_open = false;
                // Its bounds are in order, and it ends now.
                check!(
                    gap.from <= gap.until && gap.lost_at <= gap.resumed_at && gap.resumed_at == at,
                    "gap out of order or not ending now ({at:?}): {gap:?}"
                );
            }
            Event::Stopped { reason } => {
                self.coverage.add(match reason {
                    StopReason::GaveUp { .. } => "stopped: gave up",
                    StopReason::InboundTrafficRejected { .. } => "stopped: 4001",
                    StopReason::Unauthorized { .. } => "stopped: 401",
                    _ => "stopped: other",
                });
                if let StopReason::GaveUp { attempts } = reason {
                    let limit = self.backoff.max_attempts;
                    check!(
                        limit.is_some_and(|limit| self.streak >= limit) && *attempts == self.streak,
                        "gave up after {attempts} attempts; the streak is {} of at most {limit:?}",
                        self.streak
                    );
                }
                self.stopped = true;
                self.primary = None;
                self.candidate = None;
                self.expected_connect = None;
                self.requested.clear();
                self.awaiting_retry.clear();
            }
            _ => {}
        }
        Ok(())
    }

    fn names(&self, indices: &BTreeSet<usize>) -> Vec<String> {
        indices
            .iter()
            .map(|index| self.catalogue[*index].kind.clone())
            .collect()
    }

    /// `conn` became the live session: the old one must have been closed just before (invariant 3).
    /// The earliest a connection may be opened without a backoff wait, seen at `at`.
    fn next_immediate_at(&self, at: Instant) -> Instant {
        self.last_immediate
            .map_or(at, |last| (last + self.min_reconnect_interval).max(at))
    }

    /// A welcome replaces the live session: the streak ends if that session was healthy.
    fn reset_streak_if_old_was_healthy(&mut self, at: Instant) -> bool {
        let healthy = self
            .primary
            .and_then(|old| self.sockets.get(&old))
            .and_then(|socket| socket.live_since)
            .is_some_and(|since| at.saturating_duration_since(since) >= self.backoff.healthy_after);
        if healthy {
            self.streak = 0;
        }
        healthy
    }

    fn take_over(
        &mut self,
        conn: ConnId,
        session: &str,
        keepalive: Duration,
        at: Instant,
        before: &[(Instant, Output)],
    ) -> Checked {
        check!(
            self.candidate == Some(conn),
            "{conn} went live though it was not the connection being opened ({:?})",
            self.candidate
        );
        if let Some(old) = self.primary {
            let closed = before
                .iter()
                .any(|(_, output)| matches!(output, Output::Close { conn: c, .. } if *c == old));
            check!(
                closed,
                "invariant 3 (close the old socket promptly after the new welcome): {old} left open when {conn} went live"
            );
        }
        check!(
            keepalive == Duration::from_secs(self.settings.keepalive_seconds),
            "{conn} live with keepalive {keepalive:?}, Twitch announced {} s",
            self.settings.keepalive_seconds
        );
        let socket = self.sockets.get_mut(&conn).expect("registered at Connect");
        socket.live_since = Some(at);
        socket.session = Some(session.to_owned());
        // keepalive + 20 % + 1 s: the default grace.
        socket.silence_allowed = keepalive + keepalive / 5 + Duration::from_secs(1);
        socket.last_heard = at;
        self.primary = Some(conn);
        self.candidate = None;
        self.expected_connect = None;
        Ok(())
    }

    /// Invariant 7: what the client plans after a loss.
    fn check_retry(
        &mut self,
        cause: &DisconnectCause,
        retry_at: Option<Instant>,
        retry_in: Option<Duration>,
        at: Instant,
        after: &[(Instant, Output)],
    ) -> Checked {
        check!(
            retry_in == retry_at.map(|retry_at| retry_at.saturating_duration_since(at)),
            "retry_in {retry_in:?} is not the wait until retry_at {retry_at:?} from the event at {at:?}"
        );
        let Some(retry_at) = retry_at else {
            let stopping = after
                .iter()
                .any(|(_, output)| matches!(output, Output::Event(Event::Stopped { .. })));
            check!(
                stopping || self.candidate.is_some(),
                "invariant 7: after {cause:?} the client neither retries, nor has a connection under way, nor stops"
            );
            return Ok(());
        };
        let delay = retry_at.saturating_duration_since(at);
        let attempt = self.streak;
        // Immediate connections keep `min_reconnect_interval` apart, backoff or not.
        let pacing = self.next_immediate_at(at).saturating_duration_since(at);
        check!(
            delay <= self.backoff.max.max(pacing),
            "invariant 7 (backoff bounded): retry after {delay:?}, more than {:?}",
            self.backoff.max
        );
        if let Some(limit) = self.backoff.max_attempts {
            check!(
                attempt < limit,
                "retry number {attempt} planned, beyond max_attempts {limit}"
            );
        }
        let at_once = matches!(cause, DisconnectCause::KeepaliveTimeout { .. })
            || matches!(cause.close_code(), Some(CloseCode(4003 | 4004 | 4007)));
        if attempt == 0 && at_once {
            check!(
                delay == pacing,
                "after {cause:?}, the first of a streak, the client waits {delay:?} instead of reconnecting at once (paced: {pacing:?})"
            );
        } else {
            let ceiling = self
                .backoff
                .initial
                .checked_mul(1u32 << attempt.min(31))
                .map_or(self.backoff.max, |ceiling| ceiling.min(self.backoff.max));
            check!(
                delay >= ceiling / 2 && delay <= ceiling.max(pacing),
                "invariant 7 (growing backoff, never a tight loop): failure {attempt} of a streak waits {delay:?}, not within [{:?}, {ceiling:?}]",
                ceiling / 2
            );
        }
        self.coverage.add(match attempt {
            0 if delay.is_zero() => "a reconnect at once",
            0 => "a first reconnect after a backoff",
            1 | 2 => "a reconnect after a growing backoff",
            _ => "a reconnect after 3+ failures in a row",
        });
        self.streak += 1;
        self.expected_connect = Some((at, retry_at));
        Ok(())
    }

    // ---- checks after every step ---------------------------------------------------------------

    fn check_state(&mut self) -> Checked {
        let now = self.h.now;
        let stats = self.h.client.stats();
        if stats.dedup_entries == self.settings.dedup_max_entries {
            self.coverage.add("the dedup window full");
        }
        if !self.closing.is_empty() && self.primary.is_some() {
            self.coverage.add("a closing socket beside the live one");
        }
        // Invariant 8.
        check!(
            stats.dedup_entries <= self.settings.dedup_max_entries,
            "invariant 8 (memory bounded): the dedup window holds {} ids, the limit is {}",
            stats.dedup_entries,
            self.settings.dedup_max_entries
        );
        check!(
            stats.connections == self.known.len(),
            "invariant 8: the client holds {} connections, the adapter has {} open ({:?})",
            stats.connections,
            self.known.len(),
            self.known
        );
        let in_handover = self
            .candidate
            .and_then(|conn| self.sockets.get(&conn))
            .is_some_and(|socket| socket.handover);
        if in_handover && !self.stopped {
            self.most_sockets_in_handover = self.most_sockets_in_handover.max(self.known.len());
            check!(
                self.known.len() <= 3,
                "invariant 8 (sockets bounded): {} sockets held during a handover: {:?} closing {:?}",
                self.known.len(),
                self.known,
                self.closing
            );
        }
        let active = self.known.len() - self.closing.len();
        check!(
            active <= 2,
            "invariant 8 (memory bounded): {active} sockets open and not closing: {:?} closing {:?}",
            self.known,
            self.closing
        );
        check!(
            self.h.client.is_stopped() == self.stopped,
            "the client says stopped={}, its events say {}",
            self.h.client.is_stopped(),
            self.stopped
        );
        let live = self.primary_session();
        check!(
            self.h.client.session_id().map(|id| id.as_str().to_owned()) == live,
            "the client's live session is {:?}, its events say {live:?}",
            self.h.client.session_id()
        );
        if self.stopped {
            check!(
                self.known.iter().all(|conn| self.closing.contains(conn)),
                "after Stopped, sockets are still open: {:?}",
                self.known
            );
            return Ok(());
        }
        // Invariant 6.
        if let Some(primary) = self.primary {
            let socket = &self.sockets[&primary];
            let deadline = socket.last_heard + socket.silence_allowed;
            check!(
                now < deadline,
                "invariant 6 (keepalive): live {primary} silent for {:?}, past the {:?} allowed, and still not closed",
                now - socket.last_heard,
                socket.silence_allowed
            );
        }
        // Invariant 11: a gap is reported over (`Resumed`) as soon as the live session has nothing
        // left being created or waiting to be created again; what Helix could not create is asked
        // for again within the longest backoff delay.
        if self.gap_open && self.primary.is_some() {
            check!(
                !self.requested.is_empty() || !self.awaiting_retry.is_empty(),
                "invariant 11 (a gap is reported over once every subscription is back): the live session has no creation outstanding or waiting, but no Resumed was reported"
            );
        }
        if self.primary.is_some() {
            for (index, since) in &self.awaiting_retry {
                check!(
                    now.saturating_duration_since(*since) <= self.backoff.max,
                    "invariant 11: {} failed as unavailable {:?} ago and was not asked for again",
                    self.catalogue[*index].kind,
                    now.saturating_duration_since(*since)
                );
            }
        }
        // Invariant 7: promised reconnects happen, nothing is left idle, candidates time out.
        if let Some((lost_at, retry_at)) = self.expected_connect {
            check!(
                retry_at > now,
                "invariant 7: a reconnect was promised for +{:?} after the loss; it is +{:?} and none happened",
                retry_at - lost_at,
                now.saturating_duration_since(lost_at)
            );
        }
        check!(
            self.primary.is_some()
                || self.candidate.is_some()
                || self.expected_connect.is_some()
                || self.idle,
            "invariant 7: no session, no connection under way, no reconnect scheduled, and not idle"
        );
        // Idle exactly when nothing can be subscribed: no 4003 loop, and no subscription left
        // without a socket.
        check!(
            self.idle == self.eligible().is_empty() && self.h.client.is_idle() == self.idle,
            "idle: model {}, client {}, though {:?} can be subscribed",
            self.idle,
            self.h.client.is_idle(),
            self.names(&self.eligible())
        );
        if self.idle {
            check!(
                self.known.iter().all(|conn| self.closing.contains(conn)),
                "idle, but sockets are still open: {:?}",
                self.known
            );
        }
        if let Some(candidate) = self.candidate {
            let opened = self.sockets[&candidate].connect_at;
            let limit = self.connect_timeout + self.welcome_timeout;
            check!(
                now.saturating_duration_since(opened) <= limit,
                "invariant 7: {candidate} has been opening for {:?}, past the connect + welcome timeouts",
                now.saturating_duration_since(opened)
            );
        }
        Ok(())
    }

    /// Invariant 10: before time passes, the live session has been asked for subscriptions.
    fn check_session_used(&self) -> Checked {
        if self.stopped || self.eligible().is_empty() {
            return Ok(());
        }
        if let Some(session) = self.primary_session() {
            check!(
                self.sessions_asked.contains(&session),
                "invariant 10 (never a 4003): session {session} is live with {:?} wanted, and time passes with nothing asked for it",
                self.names(&self.eligible())
            );
        }
        Ok(())
    }
}

// ---- the properties ------------------------------------------------------------------------------
//
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/proptest-regressions/simulation.txt",
        ))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Whatever Twitch, the network, Helix and the user do, every invariant holds after every step.
    #[test]
    fn every_invariant_holds_after_every_step_whatever_twitch_does(case in case(1..120)) {
        Sim::run(&case).map_err(TestCaseError::fail)?;
    }
}

/// A runner whose cases are the same on every run.
fn fixed_seed_runner(cases: u32) -> TestRunner {
    let config = ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &[0x5e; 32]),
    )
}

/// A few long runs from a fixed seed: the same actions every time, so a failure replays exactly.
#[test]
fn a_long_fixed_seed_run_keeps_every_invariant() {
    let mut runner = fixed_seed_runner(4);
    if let Err(error) = runner.run(&case(1_000..1_500), |case| {
        Sim::run(&case).map(drop).map_err(TestCaseError::fail)
    }) {
        panic!("{error}");
    }
}

/// The checks are only worth something if the runs reach what they are about: handovers (graceful,
/// superseded, failed), silences, backoff streaks, duplicates dropped and evicted, frames on closing
/// and forgotten sockets, revocations, permanent failures, and every way of stopping.
#[test]
fn the_generated_runs_reach_every_situation_the_invariants_are_about() {
    let mut runner = fixed_seed_runner(1);
    let strategy = case(1..120);
    let mut coverage = Coverage::default();
    for _ in 0..300 {
        let case = strategy.new_tree(&mut runner).expect("a case").current();
        match Sim::run(&case) {
            Ok(covered) => coverage.merge(covered),
            Err(error) => panic!("{error}\n{case:#?}"),
        }
    }
    eprintln!("{coverage:#?}");
    for situation in [
        "a notification delivered",
        "a notification delivered from a socket the client is closing",
        "a duplicate dropped",
        "an id that left the dedup window delivered again",
        "a frame on a forgotten socket refused",
        "the dedup window full",
        "a closing socket beside the live one",
        "a fresh session",
        "a graceful handover",
        "a handover that outlived its old socket",
        "a fresh session replaced a live one",
        "a handover connection failed",
        "a handover connection abandoned or superseded",
        "a handover connection dropped unwelcomed",
        "a handover waiting for its turn",
        "a handover welcome that kept the backoff streak",
        "4001 on a candidate: a failed handover",
        "a silent socket declared dead",
        "a reconnect at once",
        "a first reconnect after a backoff",
        "a reconnect after a growing backoff",
        "a reconnect after 3+ failures in a row",
        "a creation succeeded",
        "a creation failed for good",
        "a creation failed or already existed",
        "a creation retried on the live session",
        "a wanted subscription revoked",
        "stopped: gave up",
        "stopped: 4001",
        "stopped: 401",
        "a revalidation answered 401",
        "idle with nothing wanted",
        "idle with every subscription revoked or failed",
        "idle left for a new subscription",
        "a revoked or failed subscription subscribed again",
    ] {
        assert!(
            coverage.0.get(situation).copied().unwrap_or_default() > 0,
            "no run reached: {situation}"
        );
    }
}

/// The known core bug in its smallest form (see above): after a gap, the new session's creations
/// are still outstanding when Twitch asks for a reconnect; the old socket is live throughout, so the
/// handover is graceful and must neither be reported as a fresh session nor create anything.
#[test]
fn a_handover_while_creations_are_outstanding_is_graceful() {
    let mut config = Harness::config();
    config.subscriptions.push(
        SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", OWNER),
    );
    let mut h = Harness::new(config);
    let first = h.establish();
    h.server_close(first, Some(4000)); // a gap begins
    assert!(h.advance_to_next_timeout(), "a reconnect is scheduled");
    let second = h.connect_next(); // a fresh session: both subscriptions requested
    assert_eq!(h.pending_creates.len(), 2);
    // One creation fails (retryable), the other is still outstanding.
    let failed = h.pending_creates.remove(0);
    h.feed(Input::SubscriptionCreated {
        request: failed.request,
        result: Err(RequestError::Unavailable {
            message: "503".to_owned(),
        }),
    });
    h.reconnect(second);
    let third = h.next_connect().expect("a connect to the reconnect URL");
    h.open(third);
    let (events, outputs) = (h.events.len(), h.outputs.len());
    h.welcome(third);
    let reconnected = h
        .events_since(events)
        .iter()
        .any(|event| matches!(event, Event::Reconnected { conn, .. } if *conn == third));
    let creations: Vec<&Output> = h.outputs[outputs..]
        .iter()
        .map(|(_, output)| output)
        .filter(|output| matches!(output, Output::CreateSubscription { .. }))
        .collect();
    assert!(
        reconnected && creations.is_empty(),
        "{second} was live when {third} was welcomed at its reconnect URL: expected Reconnected and \
         no creation, got events {:?} and creations {creations:?}",
        h.events_since(events)
    );
}

/// A gap ends when every wanted subscription is back; one the user dropped meanwhile does not count.
#[test]
fn the_gap_ends_when_the_last_outstanding_creation_is_unsubscribed() {
    let mut config = Harness::config();
    config.subscriptions.push(
        SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", OWNER),
    );
    let mut h = Harness::new(config);
    let first = h.establish();
    h.server_close(first, Some(4000)); // a gap begins
    assert!(h.advance_to_next_timeout(), "a reconnect is scheduled");
    h.connect_next(); // both subscriptions requested again
    let pending = std::mem::take(&mut h.pending_creates);
    let from = h.events.len();
    // The first is created; the user drops the second before Helix answers, then Helix answers.
    let (created, dropped) = (&pending[0], &pending[1]);
    h.pending_creates = vec![created.clone()];
    h.create_all();
    assert!(h.client.unsubscribe(&dropped.subscription));
    h.pending_creates = vec![dropped.clone()];
    h.create_all();
    let resumed = h
        .events_since(from)
        .iter()
        .any(|event| matches!(event, Event::Resumed { .. }));
    assert!(
        resumed,
        "every wanted subscription exists again, but the gap was never reported over: {:?}",
        h.events_since(from)
    );
}

/// The same when Twitch revokes the subscription whose creation is outstanding.
#[test]
fn the_gap_ends_when_the_last_outstanding_creation_is_revoked() {
    let mut config = Harness::config();
    config.subscriptions.push(
        SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", OWNER),
    );
    let mut h = Harness::new(config);
    let first = h.establish();
    h.server_close(first, Some(4000));
    assert!(h.advance_to_next_timeout(), "a reconnect is scheduled");
    let second = h.connect_next();
    let pending = std::mem::take(&mut h.pending_creates);
    let from = h.events.len();
    h.pending_creates = vec![pending[0].clone()];
    h.create_all();
    let text = h
        .twitch
        .revocation(
            second,
            &pending[1].subscription.kind,
            "authorization_revoked",
        )
        .expect("a welcomed socket");
    h.send(second, &text);
    h.pending_creates = vec![pending[1].clone()];
    h.create_all();
    let resumed = h
        .events_since(from)
        .iter()
        .any(|event| matches!(event, Event::Resumed { .. }));
    assert!(
        resumed,
        "every subscription not revoked exists again, but the gap was never reported over: {:?}",
        h.events_since(from)
    );
}
