//! One stream of events from several sessions: what each session says for itself alone (it is
//! idle, it stopped, the token it validated) is said once for the pool, and across the shards of
//! a conduit a notification Twitch sent twice is delivered once.

use std::time::Instant;

use crate::client::{Client, Stats};
use crate::config::Config;
use crate::dedup::DedupWindow;
use crate::event::{Event, StopReason};
use crate::idle::IdleReason;
use crate::io::Output;

/// What the pool holds back of its sessions' events.
#[derive(Debug)]
pub(super) struct Merge {
    /// The session whose stop stopped them all (the pool's own shutdown counts as session 0's).
    stopped_first: Option<usize>,
    /// Its reason, once its [`Event::Stopped`] came out.
    reason: Option<StopReason>,
    /// The first reason any session stopped for: the pool's when its shards stopped one by one.
    first_reason: Option<StopReason>,
    /// Whether the pool's one [`Event::Stopped`] was handed out.
    stop_emitted: bool,
    /// Each session's reasons for being idle, as its latest [`Event::Idle`] gave them.
    idle_reasons: Vec<Option<Vec<IdleReason>>>,
    /// Across shards: the message ids delivered by any of them.
    across: Option<DedupWindow>,
    /// Notifications and revocations dropped by `across`.
    duplicates_dropped: u64,
    /// No session before this one is running (sessions never run again once stopped).
    first_running: usize,
}

impl Merge {
    /// With `across_sessions`, a duplicate filter over every session (the shards of a conduit),
    /// sized as `config` sizes each session's own.
    pub(super) fn new(config: &Config, across_sessions: bool) -> Self {
        Self {
            stopped_first: None,
            reason: None,
            first_reason: None,
            stop_emitted: false,
            idle_reasons: Vec::new(),
            across: across_sessions.then(|| {
                DedupWindow::new(
                    config.dedup_max_entries,
                    config.dedup_max_bytes,
                    config.dedup_max_age,
                )
            }),
            duplicates_dropped: 0,
            first_running: 0,
        }
    }

    /// Session `index` produced `output`: what the pool hands out for it, if anything.
    pub(super) fn pass(
        &mut self,
        index: usize,
        output: Output,
        members: &[Client],
        now: Instant,
    ) -> Option<Output> {
        let Output::Event(event) = output else {
            return Some(output);
        };
        match event {
            Event::Stopped { reason } => self.stopped(index, reason, members),
            Event::Idle { reasons } => {
                if self.idle_reasons.len() <= index {
                    self.idle_reasons.resize(index + 1, None);
                }
                if let Some(slot) = self.idle_reasons.get_mut(index) {
                    *slot = Some(reasons);
                }
                // The pool is idle only when no session holds a socket.
                members.iter().all(Client::is_idle).then(|| {
                    let reasons = self
                        .idle_reasons
                        .iter()
                        .flatten()
                        .flatten()
                        .cloned()
                        .collect();
                    Output::Event(Event::Idle { reasons })
                })
            }
            // Every session validates the token for itself; the user hears it once, from the
            // first session still running (a shard may have stopped alone).
            Event::TokenValidated { .. } if index != self.first_running(members) => None,
            Event::Notification(notification) => self
                .first_time(notification.message_id(), now)
                .then_some(Output::Event(Event::Notification(notification))),
            Event::Revocation(revocation) => self
                .first_time(&revocation.message_id, now)
                .then_some(Output::Event(Event::Revocation(revocation))),
            event => Some(Output::Event(event)),
        }
    }

    /// The first session that has not stopped (past the last one when all have).
    fn first_running(&mut self, members: &[Client]) -> usize {
        while members
            .get(self.first_running)
            .is_some_and(Client::is_stopped)
        {
            self.first_running += 1;
        }
        self.first_running
    }

    /// Whether a message is new across the sessions (always, without a filter across them).
    fn first_time(&mut self, id: &crate::ids::MessageId, now: Instant) -> bool {
        let Some(across) = self.across.as_mut() else {
            return true;
        };
        let new = across.insert(id, now);
        if !new {
            self.duplicates_dropped += 1;
        }
        new
    }

    /// Session `index` said it stopped. Every session stops once the first does (that one's
    /// reason is the pool's), unless it stopped alone, as a shard may: then the user hears of
    /// that shard now, and the pool goes on with the others.
    fn stopped(&mut self, index: usize, reason: StopReason, members: &[Client]) -> Option<Output> {
        if self.first_reason.is_none() {
            self.first_reason = Some(reason.clone());
        }
        if let Some(first) = self.stopped_first {
            if first == index {
                self.reason = Some(reason);
            }
            return None;
        }
        let shard = members.get(index)?.shard()?.clone();
        Some(Output::Event(Event::ShardStopped { shard, reason }))
    }

    /// The pool's one [`Event::Stopped`], once every session stopped (`all_stopped`) and handed
    /// out all it had (the pool asks after draining them).
    pub(super) fn final_stop(&mut self, all_stopped: bool) -> Option<Output> {
        if !self.stop_pending(all_stopped) {
            return None;
        }
        self.stop_emitted = true;
        let reason = self
            .reason
            .take()
            .or_else(|| self.first_reason.take())
            .unwrap_or(StopReason::Shutdown);
        Some(Output::Event(Event::Stopped { reason }))
    }

    /// Whether the pool's [`Event::Stopped`] is due (every session stopped) and not handed out.
    pub(super) fn stop_pending(&self, all_stopped: bool) -> bool {
        !self.stop_emitted && all_stopped
    }

    /// Whether the pool is stopping as a whole.
    pub(super) fn stopping(&self) -> bool {
        self.stopped_first.is_some()
    }

    /// Session `index` stopped first (kept if another already did).
    pub(super) fn stop_from(&mut self, index: usize) {
        self.stopped_first.get_or_insert(index);
    }

    /// The pool's own counters, to add the sessions' to.
    pub(super) fn stats(&self) -> Stats {
        Stats {
            duplicates_dropped: self.duplicates_dropped,
            dedup_entries: self.across.as_ref().map_or(0, DedupWindow::len),
            ..Stats::default()
        }
    }
}
