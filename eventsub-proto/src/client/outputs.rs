//! The queue of outputs waiting for `poll_output`: ready outputs, and batches whose events are
//! made one at a time when their turn comes.

use std::collections::VecDeque;

use crate::event::{Event, PendingBatch};
use crate::io::Output;

/// One place in the queue.
#[derive(Debug)]
enum Queued {
    Ready(Output),
    /// A batched notification's events, in order, in the place of the first of them.
    Batch(Box<PendingBatch>),
}

impl Queued {
    /// Whether this is an instruction for the adapter rather than news for the user.
    fn is_action(&self) -> bool {
        matches!(self, Self::Ready(output) if !matches!(output, Output::Event(_)))
    }
}

/// Outputs in the order they were decided. A batched notification takes one place however many
/// events it carries: the queue holds a fixed amount per frame, whatever the frame's shape.
#[derive(Debug, Default)]
pub(super) struct OutputQueue {
    queue: VecDeque<Queued>,
    /// How many places hold an action (any output but an event): when none does, taking the
    /// actions alone costs nothing.
    actions: usize,
}

impl OutputQueue {
    pub(super) fn push_back(&mut self, output: Output) {
        let queued = Queued::Ready(output);
        self.actions += usize::from(queued.is_action());
        self.queue.push_back(queued);
    }

    pub(super) fn push_batch(&mut self, batch: PendingBatch) {
        self.queue.push_back(Queued::Batch(Box::new(batch)));
    }

    pub(super) fn pop_front(&mut self) -> Option<Output> {
        loop {
            match self.queue.front_mut()? {
                Queued::Batch(batch) => {
                    let next = batch.next_notification();
                    if next.is_none() || batch.is_done() {
                        // All handed out: its place goes now, so that `holds_events` is exact.
                        self.queue.pop_front();
                    }
                    if let Some(notification) = next {
                        return Some(Output::Event(Event::Notification(notification)));
                    }
                }
                Queued::Ready(_) => {
                    let Some(Queued::Ready(output)) = self.queue.pop_front() else {
                        return None;
                    };
                    if !matches!(output, Output::Event(_)) {
                        self.actions = self.actions.saturating_sub(1);
                    }
                    return Some(output);
                }
            }
        }
    }

    /// The first action in the queue, taken out ahead of the events queued before it, which stay
    /// where they are (a batch still one place).
    pub(super) fn pop_action(&mut self) -> Option<Output> {
        if self.actions == 0 {
            return None;
        }
        let index = self.queue.iter().position(Queued::is_action)?;
        match self.queue.remove(index)? {
            Queued::Ready(output) => {
                self.actions = self.actions.saturating_sub(1);
                Some(output)
            }
            // `is_action` holds for ready outputs only: an invariant, kept without a panic by
            // putting the place back.
            batch @ Queued::Batch(_) => {
                self.queue.insert(index, batch);
                None
            }
        }
    }

    /// Whether events wait (a batch counts as its events not yet handed out; it leaves the queue
    /// with its last event).
    pub(super) fn holds_events(&self) -> bool {
        self.queue.len() > self.actions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ConnId;

    fn event(conn: ConnId) -> Output {
        Output::Event(Event::UnknownMessage {
            conn,
            message_type: "news".to_owned(),
        })
    }

    #[test]
    fn actions_are_taken_ahead_of_events_which_keep_their_order() {
        let mut last = 0;
        let (first, second) = (ConnId::next(&mut last), ConnId::next(&mut last));
        let mut queue = OutputQueue::default();
        queue.push_back(event(first));
        queue.push_back(Output::Abort { conn: first });
        queue.push_back(event(second));
        queue.push_back(Output::Abort { conn: second });
        assert!(queue.holds_events());
        assert!(matches!(queue.pop_action(), Some(Output::Abort { conn }) if conn == first));
        assert!(matches!(queue.pop_action(), Some(Output::Abort { conn }) if conn == second));
        assert!(queue.pop_action().is_none(), "only events are left");
        assert!(queue.holds_events());
        let events: Vec<ConnId> = std::iter::from_fn(|| queue.pop_front())
            .map(|output| match output {
                Output::Event(Event::UnknownMessage { conn, .. }) => conn,
                other => panic!("an event expected: {other:?}"),
            })
            .collect();
        assert_eq!(events, [first, second]);
        assert!(!queue.holds_events());
        assert_eq!(queue.actions, 0);
    }

    #[test]
    fn popping_in_order_keeps_the_count_of_actions() {
        let mut last = 0;
        let conn = ConnId::next(&mut last);
        let mut queue = OutputQueue::default();
        queue.push_back(Output::Abort { conn });
        queue.push_back(event(conn));
        assert!(matches!(queue.pop_front(), Some(Output::Abort { .. })));
        assert_eq!(queue.actions, 0);
        assert!(queue.pop_action().is_none());
        assert!(queue.holds_events());
        assert!(matches!(queue.pop_front(), Some(Output::Event(_))));
        assert!(!queue.holds_events());
    }
}
