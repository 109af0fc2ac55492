//! The shard assignments of a pool, gathered into batches.

use std::time::{Duration, Instant};

use super::{Run, feed, open_and_welcome, refused_for_good};
use crate::pool::Pool;
use crate::{
    ConduitId, Config, ConnId, Event, Input, Output, RequestError, RequestId, ShardAssignError,
    ShardSession, StopReason, TokenIdentity,
};

const WINDOW: Duration = Duration::from_millis(50);

fn conduit() -> ConduitId {
    ConduitId::new("bfcfc993-26b1-b876-44d9-afe75a379dac")
}

/// A pool of shards without token validation, whose batches are held to be answered by hand.
struct Held {
    pool: Pool,
    now: Instant,
    conns: Vec<ConnId>,
    batches: Vec<(RequestId, Vec<ShardSession>)>,
    events: Vec<Event>,
}

impl Held {
    fn new(ids: &[u32]) -> Self {
        let now = Instant::now();
        let config = Config {
            validate_token: false,
            ..Config::default()
        };
        let pool = Pool::conduit_shards(config, conduit(), ids.iter().copied(), now)
            .unwrap_or_else(|error| panic!("{error}")); // ok: a test
        let mut held = Self {
            pool,
            now,
            conns: Vec::new(),
            batches: Vec::new(),
            events: Vec::new(),
        };
        held.pump();
        held
    }

    fn feed(&mut self, input: Input<'_>) {
        feed(&mut self.pool, self.now, input);
    }

    /// Shard session `index`'s connection.
    fn conn_of(&self, index: usize) -> ConnId {
        self.conns
            .iter()
            .copied()
            .find(|conn| conn.session_index() == index)
            .unwrap_or_else(|| panic!("session {index}'s connection")) // ok: a test
    }

    /// Session `index`'s socket is reset.
    fn reset(&mut self, index: usize) {
        let conn = self.conn_of(index);
        self.feed(Input::Closed {
            conn,
            code: None,
            reason: "reset",
        });
        self.pump();
    }

    /// Carries out every output but the batches, which are kept to be answered.
    fn pump(&mut self) {
        while let Some(output) = self.pool.poll_output() {
            match output {
                Output::Connect { conn, .. } => {
                    self.conns.push(conn);
                    open_and_welcome(&mut self.pool, self.now, conn);
                }
                Output::AssignShards {
                    request, shards, ..
                } => {
                    self.batches.push((request, shards));
                }
                Output::AssignShard { .. } => panic!("a shard's own assignment left the pool"),
                Output::Close { conn, .. } | Output::Abort { conn } => {
                    self.feed(Input::Closed {
                        conn,
                        code: Some(1000),
                        reason: "",
                    });
                }
                Output::Event(event) => self.events.push(event),
                _ => {}
            }
        }
    }

    fn advance_to(&mut self, at: Instant) {
        self.now = at;
        self.pool.handle_timeout(at);
        self.pump();
    }

    fn advance(&mut self, by: Duration) {
        let at = self.now.checked_add(by).unwrap_or(self.now);
        self.advance_to(at);
    }

    /// The shard ids of batch `n`.
    fn shard_ids(&self, n: usize) -> Vec<u32> {
        let mut ids: Vec<u32> = self
            .batches
            .get(n)
            .map(|(_, shards)| shards.iter().map(|shard| shard.shard_id).collect())
            .unwrap_or_default();
        ids.sort_unstable();
        ids
    }

    /// Answers batch `n` with `answer` for each of its shards (none for `None`).
    fn answer(&mut self, n: usize, answer: impl Fn(u32) -> Option<Result<(), ShardAssignError>>) {
        let (request, shards) = self
            .batches
            .get(n)
            .cloned()
            .unwrap_or_else(|| panic!("batch {n}"));
        let results = shards
            .iter()
            .filter_map(|shard| Some((shard.shard_id, answer(shard.shard_id)?)))
            .collect();
        self.feed(Input::ShardsAssigned { request, results });
        self.pump();
    }

    fn failed(&self) -> Vec<(u32, bool)> {
        self.events
            .iter()
            .filter_map(|event| match event {
                Event::ShardFailed {
                    shard, permanent, ..
                } => Some((shard.shard_id, *permanent)),
                _ => None,
            })
            .collect()
    }

    fn assigned(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = self
            .events
            .iter()
            .filter_map(|event| match event {
                Event::ShardAssigned { shard, .. } => Some(shard.shard_id),
                _ => None,
            })
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Waits out every retry backoff of a refused assignment, and the window of its batch.
    fn retry(&mut self) {
        let at = self
            .now
            .checked_add(Duration::from_secs(120))
            .unwrap_or(self.now);
        while let Some(deadline) = self.pool.poll_timeout().filter(|deadline| *deadline <= at) {
            self.advance_to(deadline.max(self.now));
            if self.batches.len() > 1 {
                return;
            }
        }
    }
}

#[test]
fn two_hundred_fifty_shards_welcomed_at_once_make_three_calls() {
    let now = Instant::now();
    let pool = Pool::conduit_shards(Config::default(), conduit(), 0..250, now)
        .unwrap_or_else(|error| panic!("{error}")); // ok: a test
    let mut run = Run::of_with(pool, now, |run| run.identity = TokenIdentity::app("client"));
    run.settle();
    let mut sizes = run.batches.clone();
    sizes.sort_unstable();
    assert_eq!(sizes, [50, 100, 100]);
    assert_eq!(run.assigned, 250);
    assert_eq!(
        run.count(|event| matches!(event, Event::ShardAssigned { .. })),
        250
    );
}

#[test]
fn a_shard_welcomed_alone_is_assigned_after_the_window_not_before() {
    let mut held = Held::new(&[7]);
    assert_eq!(held.conns.len(), 1);
    assert!(held.batches.is_empty(), "held for the window");
    let start = held.now;
    assert_eq!(held.pool.poll_timeout(), start.checked_add(WINDOW));
    held.advance(WINDOW - Duration::from_millis(1));
    assert!(held.batches.is_empty(), "sent before the window ended");
    held.advance(Duration::from_millis(1));
    assert_eq!(held.shard_ids(0), [7]);
    held.answer(0, |_| Some(Ok(())));
    assert_eq!(held.assigned(), [7]);
}

#[test]
fn a_shards_own_refusal_reaches_it_alone() {
    let mut held = Held::new(&[0, 1, 2]);
    held.advance(WINDOW);
    assert_eq!(held.shard_ids(0), [0, 1, 2]);
    held.answer(0, |shard| {
        Some(if shard == 1 {
            Err(refused_for_good())
        } else {
            Ok(())
        })
    });
    assert_eq!(held.failed(), [(1, true)]);
    assert_eq!(held.assigned(), [0, 2]);
    let stopped: Vec<u32> = held
        .events
        .iter()
        .filter_map(|event| match event {
            Event::ShardStopped {
                shard,
                reason: StopReason::ShardRefused { .. },
            } => Some(shard.shard_id),
            _ => None,
        })
        .collect();
    assert_eq!(stopped, [1]);
    assert!(!held.pool.is_stopped());
}

#[test]
fn a_failed_call_reaches_every_shard_of_it_and_each_asks_again() {
    let mut held = Held::new(&[0, 1, 2]);
    held.advance(WINDOW);
    held.answer(0, |_| {
        Some(Err(ShardAssignError::Request(RequestError::Unavailable {
            message: "503".to_owned(),
        })))
    });
    let mut failed = held.failed();
    failed.sort_unstable();
    assert_eq!(failed, [(0, false), (1, false), (2, false)]);
    assert!(held.assigned().is_empty());
    held.retry();
    assert_eq!(held.shard_ids(1), [0, 1, 2], "asked again together");
}

#[test]
fn a_shard_missing_from_the_answer_is_asked_for_again() {
    let mut held = Held::new(&[0, 1, 2]);
    held.advance(WINDOW);
    held.answer(0, |shard| (shard != 1).then_some(Ok(())));
    assert_eq!(held.assigned(), [0, 2]);
    assert_eq!(held.failed(), [(1, false)]);
    held.retry();
    assert_eq!(held.shard_ids(1), [1]);
    held.answer(1, |_| Some(Ok(())));
    assert_eq!(held.assigned(), [0, 1, 2]);
}

#[test]
fn an_assignment_whose_session_ended_in_the_window_is_not_sent() {
    let mut held = Held::new(&[0, 1]);
    held.advance(WINDOW / 2);
    held.reset(1);
    held.advance(WINDOW / 2);
    assert_eq!(held.batches.len(), 1);
    assert_eq!(held.shard_ids(0), [0], "shard 1's session had ended");
    held.answer(0, |_| Some(Ok(())));
    assert_eq!(
        held.pool.stats().pending_requests,
        0,
        "shard 1 forgot the assignment that was not sent"
    );
}

#[test]
fn an_answer_to_no_batch_is_refused_and_a_late_one_for_a_gone_session_is_ignored() {
    let mut held = Held::new(&[0, 1]);
    held.advance(WINDOW);
    let (request, _) = held
        .batches
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("a batch"));
    held.reset(1);
    held.answer(0, |_| Some(Ok(())));
    assert_eq!(held.assigned(), [0], "shard 1's session was gone");
    assert!(matches!(
        held.pool.handle_input(
            held.now,
            Input::ShardsAssigned {
                request,
                results: Vec::new()
            }
        ),
        Err(crate::InputError::UnknownRequest { .. })
    ));
}
