//! What the pool knows of its sessions without asking each one: which may have outputs queued,
//! when each next needs time, which have stopped. With a thousand shards, asking every session
//! on every frame would cost more than the frame.

use std::collections::{BTreeSet, VecDeque};
use std::time::Instant;

use crate::client::Client;

/// Kept up to date by [`Activity::touched`] after every call the pool makes on a session: a
/// session changes only through those calls.
#[derive(Debug, Default)]
pub(super) struct Activity {
    /// The sessions that may have outputs queued, in the order they were touched.
    queue: VecDeque<usize>,
    queued: Vec<bool>,
    /// Each session's next deadline, and all of them in order.
    deadlines: BTreeSet<(Instant, usize)>,
    deadline_of: Vec<Option<Instant>>,
    stopped: Vec<bool>,
    stopped_count: usize,
}

impl Activity {
    /// Session `index` was acted on: it may have outputs, a new deadline, or have stopped.
    pub(super) fn touched(&mut self, index: usize, member: &Client) {
        let size = index + 1;
        if self.queued.len() < size {
            self.queued.resize(size, false);
            self.deadline_of.resize(size, None);
            self.stopped.resize(size, false);
        }
        if let Some(queued) = self.queued.get_mut(index) {
            if !*queued {
                *queued = true;
                self.queue.push_back(index);
            }
        }
        let deadline = member.poll_timeout();
        if let Some(known) = self.deadline_of.get_mut(index) {
            if *known != deadline {
                if let Some(old) = known.take() {
                    self.deadlines.remove(&(old, index));
                }
                if let Some(new) = deadline {
                    self.deadlines.insert((new, index));
                }
                *known = deadline;
            }
        }
        if let Some(stopped) = self.stopped.get_mut(index) {
            if !*stopped && member.is_stopped() {
                *stopped = true;
                self.stopped_count += 1;
            }
        }
    }

    /// Session `index` is a new client in the place of one that stopped.
    pub(super) fn replaced(&mut self, index: usize) {
        if let Some(stopped) = self.stopped.get_mut(index) {
            if *stopped {
                *stopped = false;
                self.stopped_count = self.stopped_count.saturating_sub(1);
            }
        }
    }

    /// Whether session `index` may have outputs queued.
    pub(super) fn is_queued(&self, index: usize) -> bool {
        self.queued.get(index).copied().unwrap_or(false)
    }

    /// The sessions that may have outputs queued, oldest first.
    pub(super) fn queued(&self) -> impl Iterator<Item = usize> + '_ {
        self.queue.iter().copied()
    }

    /// The first session that may have outputs queued.
    pub(super) fn first_queued(&self) -> Option<usize> {
        self.queue.front().copied()
    }

    /// The first queued session has handed out all it had.
    pub(super) fn drained_first(&mut self) {
        if let Some(index) = self.queue.pop_front() {
            if let Some(queued) = self.queued.get_mut(index) {
                *queued = false;
            }
        }
    }

    /// The earliest deadline of any session.
    pub(super) fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.first().map(|(at, _)| *at)
    }

    /// The sessions whose deadline has come by `now`.
    pub(super) fn due(&self, now: Instant) -> Vec<usize> {
        self.deadlines
            .iter()
            .take_while(|(at, _)| *at <= now)
            .map(|(_, index)| *index)
            .collect()
    }

    /// Whether all `sessions` sessions have stopped.
    pub(super) fn all_stopped(&self, sessions: usize) -> bool {
        sessions > 0 && self.stopped_count >= sessions
    }
}
