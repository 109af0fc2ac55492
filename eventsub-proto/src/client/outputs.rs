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

/// Outputs in the order they were decided. A batched notification takes one place however many
/// events it carries: the queue holds a fixed amount per frame, whatever the frame's shape.
#[derive(Debug, Default)]
pub(super) struct OutputQueue {
    queue: VecDeque<Queued>,
}

impl OutputQueue {
    pub(super) fn push_back(&mut self, output: Output) {
        self.queue.push_back(Queued::Ready(output));
    }

    pub(super) fn push_batch(&mut self, batch: PendingBatch) {
        self.queue.push_back(Queued::Batch(Box::new(batch)));
    }

    pub(super) fn pop_front(&mut self) -> Option<Output> {
        loop {
            match self.queue.front_mut()? {
                Queued::Batch(batch) => {
                    if let Some(notification) = batch.next_notification() {
                        return Some(Output::Event(Event::Notification(notification)));
                    }
                    // All handed out: its place goes.
                    self.queue.pop_front();
                }
                Queued::Ready(_) => {
                    return match self.queue.pop_front() {
                        Some(Queued::Ready(output)) => Some(output),
                        _ => None,
                    };
                }
            }
        }
    }
}
