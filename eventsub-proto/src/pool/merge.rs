//! One stream of events from several sessions: what each session says for itself alone (it is
//! idle, it stopped, the token it validated) is said once for the pool.

use crate::client::Client;
use crate::event::{Event, StopReason};
use crate::idle::IdleReason;
use crate::io::Output;

/// What the pool holds back of its sessions' events.
#[derive(Debug, Default)]
pub(super) struct Merge {
    /// The session whose stop stopped them all (the pool's own shutdown counts as session 0's).
    stopped_first: Option<usize>,
    /// Its reason, once its [`Event::Stopped`] came out.
    reason: Option<StopReason>,
    /// Whether the pool's one [`Event::Stopped`] was handed out.
    stop_emitted: bool,
    /// Each session's reasons for being idle, as its latest [`Event::Idle`] gave them.
    idle_reasons: Vec<Option<Vec<IdleReason>>>,
}

impl Merge {
    pub(super) fn new(sessions: usize) -> Self {
        Self {
            idle_reasons: vec![None; sessions],
            ..Self::default()
        }
    }

    /// Session `index` produced `output`: what the pool hands out for it, if anything.
    pub(super) fn pass(
        &mut self,
        index: usize,
        output: Output,
        members: &[Client],
    ) -> Option<Output> {
        let Output::Event(event) = output else {
            return Some(output);
        };
        match event {
            Event::Stopped { reason } => {
                // Every session stops once the first does; the first one's reason is the pool's.
                if self.stopped_first.is_none_or(|first| first == index) {
                    self.stopped_first = Some(index);
                    self.reason = Some(reason);
                }
                None
            }
            Event::Idle { reasons } => {
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
            // Every session validates the token for itself; the user hears it once.
            Event::TokenValidated { .. } if index != 0 => None,
            event => Some(Output::Event(event)),
        }
    }

    /// The pool's one [`Event::Stopped`], after every session stopped and handed out all it had.
    pub(super) fn final_stop(&mut self, members: &[Client]) -> Option<Output> {
        if !self.stop_pending(members) || members.iter().any(Client::holds_events) {
            return None;
        }
        self.stop_emitted = true;
        let reason = self.reason.take().unwrap_or(StopReason::Shutdown);
        Some(Output::Event(Event::Stopped { reason }))
    }

    /// Whether the pool's [`Event::Stopped`] is due (every session stopped) and not handed out.
    pub(super) fn stop_pending(&self, members: &[Client]) -> bool {
        self.stopped_first.is_some() && !self.stop_emitted && members.iter().all(Client::is_stopped)
    }

    /// Whether the pool is stopping.
    pub(super) fn stopping(&self) -> bool {
        self.stopped_first.is_some()
    }

    /// Session `index` stopped first (kept if another already did).
    pub(super) fn stop_from(&mut self, index: usize) {
        self.stopped_first.get_or_insert(index);
    }
}
