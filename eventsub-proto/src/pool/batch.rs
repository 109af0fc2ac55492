//! The shard assignments of a pool's sessions, gathered into few Update Conduit Shards calls.
//!
//! Each shard's session asks for its own assignment ([`Output::AssignShard`]); a thousand shards
//! asking one call each would spend more than Twitch's app-token budget of 800 points a minute,
//! and the last ones would wait for the bucket to refill, past the 10 s after which Twitch closes
//! a session nobody uses. The pool takes those outputs out of the stream, holds them for at most
//! [`Config::shard_assign_window`](crate::Config::shard_assign_window), and hands out one
//! [`Output::AssignShards`] per conduit with up to [`MAX_SHARDS_PER_ASSIGNMENT`] shards: when the
//! batch is full, or when the window since its first shard has passed, on the core's clock.
//!
//! The batches in flight are not bounded here: each session has at most one assignment in flight,
//! so there are at most `shards / MAX_SHARDS_PER_ASSIGNMENT` batches (200 for the most shards a
//! pool holds), and the adapter paces its Helix calls (the driver runs at most 16 at a time).

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use super::Pool;
use crate::error::InputError;
use crate::ids::{ConduitId, RequestId, SessionId};
use crate::io::{Input, MAX_SHARDS_PER_ASSIGNMENT, Output, RequestError, ShardSession};
use crate::shard::ShardAssignError;

/// One session's assignment, held for a batch or in one.
#[derive(Debug)]
struct Held {
    /// The session of the pool that asked.
    index: usize,
    /// Its own request, answered with the batch's outcome for its shard.
    request: RequestId,
    shard_id: u32,
    session_id: SessionId,
}

/// The assignments held for one conduit's next call.
#[derive(Debug)]
struct Batch {
    conduit_id: ConduitId,
    /// When the window of its first assignment ends.
    due: Instant,
    held: Vec<Held>,
}

/// The assignments being gathered, the batches ready to go out and those in flight.
#[derive(Debug)]
pub(super) struct Batches {
    /// Whether assignments are gathered at all (a pool that holds shards).
    gathers: bool,
    window: Duration,
    /// At most one per conduit (a pool of shards has one conduit).
    gathering: Vec<Batch>,
    /// Full, or their window passed: handed out next.
    ready: VecDeque<Batch>,
    in_flight: BTreeMap<RequestId, Vec<Held>>,
}

impl Batches {
    /// Batches of assignments held for `window` each, if the pool `gathers` them.
    pub(super) fn new(window: Duration, gathers: bool) -> Self {
        Self {
            gathers,
            window,
            gathering: Vec::new(),
            ready: VecDeque::new(),
            in_flight: BTreeMap::new(),
        }
    }

    /// Session `index` produced `output` at `now`: held for a batch if it is a shard assignment
    /// (`None`), else passed on.
    pub(super) fn pass(&mut self, index: usize, output: Output, now: Instant) -> Option<Output> {
        if !self.gathers {
            return Some(output);
        }
        let Output::AssignShard {
            request,
            conduit_id,
            shard_id,
            session_id,
        } = output
        else {
            return Some(output);
        };
        let held = Held {
            index,
            request,
            shard_id,
            session_id,
        };
        let position = match self
            .gathering
            .iter()
            .position(|batch| batch.conduit_id == conduit_id)
        {
            Some(position) => position,
            None => {
                self.gathering.push(Batch {
                    conduit_id,
                    // A window that overflows the clock is no reason to wait: out at once.
                    due: now.checked_add(self.window).unwrap_or(now),
                    held: Vec::with_capacity(MAX_SHARDS_PER_ASSIGNMENT),
                });
                self.gathering.len() - 1
            }
        };
        let full = self.gathering.get_mut(position).is_some_and(|batch| {
            batch.held.push(held);
            batch.held.len() >= MAX_SHARDS_PER_ASSIGNMENT
        });
        if full {
            self.ready.push_back(self.gathering.swap_remove(position));
        }
        None
    }

    /// When the first window being gathered ends.
    fn next_deadline(&self) -> Option<Instant> {
        self.gathering.iter().map(|batch| batch.due).min()
    }

    /// Time passed: the batches whose window ended are ready.
    fn flush_due(&mut self, now: Instant) {
        let mut position = 0;
        while let Some(batch) = self.gathering.get(position) {
            if batch.due <= now {
                self.ready.push_back(self.gathering.swap_remove(position));
            } else {
                position += 1;
            }
        }
    }
}

impl Pool {
    /// The window of a batch being gathered ends at this time.
    pub(super) fn batch_deadline(&self) -> Option<Instant> {
        self.batches.next_deadline()
    }

    /// Time passed: the batches whose window ended go out next.
    pub(super) fn flush_due_batches(&mut self, now: Instant) {
        self.batches.flush_due(now);
    }

    /// The next batch to hand out, with the pool's own request id. An assignment whose session
    /// ended while it was held is dropped (Twitch would refuse a dead session, and the session's
    /// successor asks for its own): its session is told so, to forget the request.
    pub(super) fn next_batch(&mut self) -> Option<Output> {
        while let Some(batch) = self.batches.ready.pop_front() {
            let (live, ended): (Vec<Held>, Vec<Held>) = batch.held.into_iter().partition(|held| {
                self.members
                    .get(held.index)
                    .and_then(crate::client::Client::session_id)
                    == Some(&held.session_id)
            });
            for held in ended {
                let result = Err(ShardAssignError::Request(RequestError::Unavailable {
                    message: "the session ended before its assignment went out".to_owned(),
                }));
                self.answer_member(self.now, held, result);
            }
            if live.is_empty() {
                continue;
            }
            let request = self.own_request();
            let shards = live
                .iter()
                .map(|held| ShardSession::new(held.shard_id, held.session_id.clone()))
                .collect();
            self.batches.in_flight.insert(request, live);
            return Some(Output::AssignShards {
                request,
                conduit_id: batch.conduit_id,
                shards,
            });
        }
        None
    }

    /// The answer to batch `request`: each session of it hears its own shard's outcome; a shard
    /// the answer does not name was refused in a way that may pass (its session asks again).
    pub(super) fn shards_assigned(
        &mut self,
        now: Instant,
        request: RequestId,
        results: Vec<(u32, Result<(), ShardAssignError>)>,
    ) -> Result<(), InputError> {
        let held = self
            .batches
            .in_flight
            .remove(&request)
            .ok_or(InputError::UnknownRequest { request })?;
        // Only the shards of the batch are looked up: the answer's length is not trusted.
        let position_of: BTreeMap<u32, usize> = held
            .iter()
            .enumerate()
            .map(|(position, held)| (held.shard_id, position))
            .collect();
        let mut outcomes: Vec<Option<Result<(), ShardAssignError>>> = vec![None; held.len()];
        for (shard_id, result) in results {
            if let Some(outcome) = position_of
                .get(&shard_id)
                .and_then(|position| outcomes.get_mut(*position))
            {
                outcome.get_or_insert(result);
            }
        }
        for (held, outcome) in held.into_iter().zip(outcomes) {
            let shard_id = held.shard_id;
            let result = outcome.unwrap_or_else(|| {
                Err(ShardAssignError::Request(RequestError::Unavailable {
                    message: format!(
                        "Twitch's answer lists shard {shard_id} neither as updated nor as failed"
                    ),
                }))
            });
            self.answer_member(now, held, result);
        }
        Ok(())
    }

    /// Tells the session of `held` what became of its assignment. A session that moved on (a
    /// fresh session, a stop) forgot the request: nothing to tell it.
    fn answer_member(&mut self, now: Instant, held: Held, result: Result<(), ShardAssignError>) {
        if let Some(member) = self.members.get_mut(held.index) {
            let input = Input::ShardAssigned {
                request: held.request,
                result,
            };
            let _ = member.handle_input(now, input);
            self.touch(held.index);
        }
    }
}
