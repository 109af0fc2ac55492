//! The model adapter: carries out a scenario's steps on a client (a [`Pool`] of one to three
//! sessions) the way a runtime adapter would, holding the sockets and requests the client asked
//! for (of every session: a step's `conn` or `request` picks among all of them), and hands every
//! output to the oracle.

use std::collections::VecDeque;
use std::time::{Duration, Instant, SystemTime};

use super::ops::{ClockStep, Setup, Step, WallClock};
use super::oracle::{Oracle, StepReport};
use super::pool;
use super::twitch::FakeTwitch;
use super::{helix, setup};
use crate::Pool;
use crate::close::CloseCode;
use crate::config::MAX_SESSIONS_PER_TOKEN;
use crate::error::InputError;
use crate::event::DisconnectCause;
use crate::ids::{ConnId, RequestId, SubscriptionId};
use crate::io::{Input, Output, RequestError};
use crate::message::{self, Message};

/// How many ended sockets and answered requests are remembered for late inputs.
const LATE_MEMORY: usize = 8;

/// The wall clock a scenario starts at: 2024-05-01T12:00:00Z.
const START_WALL_SECONDS: u64 = 1_714_564_800;

/// A socket the adapter holds: asked for by the client and not yet reported gone.
#[derive(Debug)]
struct Socket {
    conn: ConnId,
    /// The client asked for it to be closed.
    closing: bool,
}

pub(super) struct Adapter {
    client: Pool,
    oracle: Oracle,
    twitch: FakeTwitch,
    /// The latest instant reported to the client.
    clock: Instant,
    wall: SystemTime,
    sockets: Vec<Socket>,
    ended: VecDeque<ConnId>,
    creates: Vec<RequestId>,
    deletes: Vec<RequestId>,
    /// Validations asked for and not answered yet.
    validations: VecDeque<RequestId>,
    answered: VecDeque<RequestId>,
    /// Every subscription id Helix handed out.
    created: Vec<SubscriptionId>,
}

impl Adapter {
    /// A client configured by `setup`, with its first outputs carried out; `None` when the
    /// configuration is refused (the initial subscriptions do not fit).
    pub(super) fn new(setup: &Setup) -> Option<Self> {
        let config = setup::config(setup);
        let oracle = Oracle::new(&config);
        let clock = Instant::now();
        let client = Pool::new(config, clock).ok()?;
        let wall = SystemTime::UNIX_EPOCH
            .checked_add(Duration::from_secs(START_WALL_SECONDS))
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let mut adapter = Self {
            client,
            oracle,
            twitch: FakeTwitch::default(),
            clock,
            wall,
            sockets: Vec::new(),
            ended: VecDeque::new(),
            creates: Vec::new(),
            deletes: Vec::new(),
            validations: VecDeque::new(),
            answered: VecDeque::new(),
            created: Vec::new(),
        };
        adapter.carry_out(StepReport::default());
        Some(adapter)
    }

    /// Takes one step, carries out what the client asks, and checks every invariant.
    pub(super) fn step(&mut self, step: &Step) {
        let mut report = StepReport {
            received_at: self.wall,
            ..StepReport::default()
        };
        self.oracle.begin_step();
        match step {
            Step::Text {
                conn,
                frame,
                damage,
            } => {
                let Some(conn) = self.socket(*conn) else {
                    return;
                };
                self.oracle.frame_on(conn.session_index());
                let text = self.twitch.text(frame, damage, self.wall, &self.created);
                let may_enter_dedup = matches!(
                    message::parse(&text),
                    Ok(Message::Notification(_) | Message::Revocation { .. })
                );
                let received_at = self.wall;
                self.feed(Input::Text {
                    conn,
                    text: &text,
                    received_at,
                });
                if may_enter_dedup {
                    self.oracle.frame_may_enter_dedup();
                }
            }
            Step::Binary { conn, len } => {
                let Some(conn) = self.socket(*conn) else {
                    return;
                };
                let data = vec![0x5a; usize::from(*len)];
                self.feed(Input::Binary { conn, data: &data });
            }
            Step::Opened { conn } => {
                let Some(conn) = self.socket(*conn) else {
                    return;
                };
                self.feed(Input::Opened { conn });
            }
            Step::ConnectFailed { conn, error } => {
                let Some(conn) = self.socket(*conn) else {
                    return;
                };
                report.loss = self.expected_loss(
                    conn,
                    DisconnectCause::ConnectFailed {
                        error: error.0.clone(),
                    },
                );
                self.feed(Input::ConnectFailed {
                    conn,
                    error: error.as_str(),
                });
                self.ended(conn);
            }
            Step::Closed { conn, code, reason } => {
                let Some(conn) = self.socket(*conn) else {
                    return;
                };
                let cause = DisconnectCause::Closed {
                    code: CloseCode(code.unwrap_or(CloseCode::ABNORMAL.0)),
                    reason: reason.0.clone(),
                };
                report.loss = self.expected_loss(conn, cause);
                self.feed(Input::Closed {
                    conn,
                    code: *code,
                    reason: reason.as_str(),
                });
                self.ended(conn);
            }
            Step::Time { step } => self.pass_time(step),
            Step::Wake => {
                if let Some(deadline) = self.client.poll_timeout() {
                    if let Some(ahead) = deadline.checked_duration_since(self.clock) {
                        self.clock = deadline;
                        self.wall = self.wall.checked_add(ahead).unwrap_or(self.wall);
                    }
                    self.client.handle_timeout(self.clock);
                }
            }
            Step::Created { request, outcome } => {
                let Some(request) = take(&mut self.creates, *request) else {
                    return;
                };
                let result = helix::create_result(outcome, &mut self.created);
                self.feed(Input::SubscriptionCreated { request, result });
                remember(&mut self.answered, request);
            }
            Step::Deleted { request, outcome } => {
                let Some(request) = take(&mut self.deletes, *request) else {
                    return;
                };
                let result = helix::delete_result(outcome);
                self.feed(Input::SubscriptionDeleted { request, result });
                remember(&mut self.answered, request);
            }
            Step::Subscribe { spec } => {
                let stopped = self.client.is_stopped();
                let result = self.client.subscribe(pool::subscription(*spec));
                assert!(
                    !stopped || result.is_err(),
                    "a stopped client accepted a subscription"
                );
            }
            Step::Unsubscribe { spec } => {
                let _ = self.client.unsubscribe(&pool::subscription(*spec));
            }
            Step::Shutdown => self.client.shutdown(self.clock),
            Step::LateFrame { conn } => {
                let Some(conn) = pick(&self.ended, *conn) else {
                    return;
                };
                let result = self.client.handle_input(
                    self.clock,
                    Input::Binary {
                        conn,
                        data: b"late",
                    },
                );
                assert_eq!(
                    result,
                    Err(InputError::UnknownConnection { conn }),
                    "the client still knows a socket reported gone"
                );
            }
            Step::LateAnswer { request } => {
                let Some(request) = pick(&self.answered, *request) else {
                    return;
                };
                let result = Err(RequestError::Unavailable {
                    message: "late".to_owned(),
                });
                let outcome = self
                    .client
                    .handle_input(self.clock, Input::SubscriptionCreated { request, result });
                assert_eq!(
                    outcome,
                    Err(InputError::UnknownRequest { request }),
                    "the client still waits for a request already answered"
                );
            }
        }
        self.carry_out(report);
    }

    /// Drains the outputs, does what they ask, and has the oracle check them and the state after.
    fn carry_out(&mut self, report: StepReport) {
        let outputs: Vec<Output> = std::iter::from_fn(|| self.client.poll_output()).collect();
        for output in &outputs {
            self.oracle.output(output, &self.client, self.clock);
            // Exhaustive on purpose: a variant that wrote a frame to Twitch would have to be
            // handled here, and there is none to handle.
            match output {
                Output::Connect { conn, .. } => self.sockets.push(Socket {
                    conn: *conn,
                    closing: false,
                }),
                Output::Close { conn, .. } => {
                    let socket = self.sockets.iter_mut().find(|socket| socket.conn == *conn);
                    let Some(socket) = socket.filter(|socket| !socket.closing) else {
                        panic!("asked to close {conn}, which is not an open socket");
                    };
                    socket.closing = true;
                }
                // Also for a socket whose close frame the server left unanswered too long.
                Output::Abort { conn } => {
                    let socket = self.sockets.iter_mut().find(|socket| socket.conn == *conn);
                    let Some(socket) = socket else {
                        panic!("asked to drop {conn}, which is not a socket");
                    };
                    socket.closing = true;
                }
                Output::CreateSubscription { request, .. } => self.creates.push(*request),
                Output::DeleteSubscription { request, id } => {
                    assert!(
                        self.created.contains(id),
                        "asked to delete {id}, which Helix never created"
                    );
                    self.deletes.push(*request);
                }
                // Answered at once, after this step's outputs.
                Output::ValidateToken { request } => self.validations.push_back(*request),
                // Catch-up is off in these runs (`Config::catch_up` is `None`).
                Output::CatchUpRead { .. } => panic!("a catch-up read with catch-up off"),
                // Shard mode is off in these runs (`Config::shard` is `None`).
                Output::AssignShard { .. } | Output::AssignShards { .. } => {
                    panic!("a shard assignment outside shard mode")
                }
                // Nor do these runs claim shards.
                Output::ReadConduitShards { .. } | Output::ResizeConduit { .. } => {
                    panic!("a conduit request outside shard mode")
                }
                Output::Event(_) => {}
            }
        }
        self.oracle.step_done(&outputs, &report);
        // Per session: the sockets the adapter holds, and those the client has not asked to close.
        let mut held = [0usize; MAX_SESSIONS_PER_TOKEN];
        let mut open = [0usize; MAX_SESSIONS_PER_TOKEN];
        for socket in &self.sockets {
            let index = socket.conn.session_index();
            if let Some(count) = held.get_mut(index) {
                *count += 1;
            }
            if let Some(count) = open.get_mut(index).filter(|_| !socket.closing) {
                *count += 1;
            }
        }
        // The validations asked for are answered right after the check (one at a time: each
        // session of a pool asks for its own).
        let in_flight = self.creates.len() + self.deletes.len() + self.validations.len();
        let validating = !self.validations.is_empty();
        self.oracle
            .state(&self.client, &held, &open, in_flight, validating);
        while let Some(request) = self.validations.pop_front() {
            let result = Ok(pool::token());
            self.oracle.validation_answered();
            self.feed(Input::TokenValidated { request, result });
            self.carry_out(StepReport {
                received_at: report.received_at,
                ..StepReport::default()
            });
        }
    }

    fn feed(&mut self, input: Input<'_>) {
        if let Err(error) = self.client.handle_input(self.clock, input) {
            panic!("the client refused an input naming what it asked for: {error}");
        }
    }

    /// Socket number `index` (modulo how many the adapter holds).
    fn socket(&self, index: u8) -> Option<ConnId> {
        let socket = self
            .sockets
            .get(usize::from(index) % self.sockets.len().max(1))?;
        Some(socket.conn)
    }

    /// The report the user must get when `conn` ends with `cause`: one, unless the client itself
    /// gave the socket up (it already reported why) or stopped.
    fn expected_loss(
        &self,
        conn: ConnId,
        cause: DisconnectCause,
    ) -> Option<(ConnId, DisconnectCause)> {
        let closing = self
            .sockets
            .iter()
            .any(|socket| socket.conn == conn && socket.closing);
        (!closing && !self.client.is_stopped()).then_some((conn, cause))
    }

    fn ended(&mut self, conn: ConnId) {
        self.sockets.retain(|socket| socket.conn != conn);
        remember(&mut self.ended, conn);
    }

    fn pass_time(&mut self, step: &ClockStep) {
        let delta = Duration::from_millis(u64::from(step.millis));
        let now = if step.backwards {
            self.clock.checked_sub(delta).unwrap_or(self.clock)
        } else {
            self.clock = self.clock.checked_add(delta).unwrap_or(self.clock);
            self.clock
        };
        self.wall = match step.wall {
            WallClock::Follows if !step.backwards => self.wall.checked_add(delta),
            WallClock::Follows | WallClock::Stands => Some(self.wall),
            WallClock::Jumps { seconds } => {
                let jump = Duration::from_secs(seconds.unsigned_abs());
                if seconds < 0 {
                    self.wall.checked_sub(jump)
                } else {
                    self.wall.checked_add(jump)
                }
            }
        }
        .unwrap_or(self.wall);
        self.client.handle_timeout(now);
    }
}

/// Removes and returns item `index` (modulo the length).
fn take<T>(items: &mut Vec<T>, index: u8) -> Option<T> {
    if items.is_empty() {
        return None;
    }
    Some(items.swap_remove(usize::from(index) % items.len()))
}

/// Item `index` (modulo the length).
fn pick<T: Copy>(items: &VecDeque<T>, index: u8) -> Option<T> {
    items.get(usize::from(index) % items.len().max(1)).copied()
}

fn remember<T>(items: &mut VecDeque<T>, item: T) {
    if items.len() == LATE_MEMORY {
        items.pop_front();
    }
    items.push_back(item);
}
