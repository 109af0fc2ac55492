//! The bounded buffer between the client task and the [`EventStream`](crate::EventStream): a queue
//! under a lock, with one waker for each side.
//!
//! The task hands over a turn's events together (the frames one turn read), so the consumer pays
//! one lock and at most one wake-up per turn, and takes up to a batch under one lock. A channel of
//! single events (tokio's `mpsc`, as before) paid per event a permit from a semaphore shared by
//! both threads, a slot claimed with an atomic, a wake-up attempt and, on the consumer's side, a
//! permit given back under the semaphore's lock: several cache lines moving between the two
//! threads for every event.
//!
//! The room the task sees ([`EventSender::capacity`]) is read without the lock: only the task adds
//! events, so a stale reading can only be short of the truth, never above it.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use eventsub_proto::Event;
use futures_util::task::AtomicWaker;

/// What both sides share.
struct Shared {
    capacity: usize,
    state: Mutex<State>,
    /// `state.queue.len()`, for reading the room without the lock.
    len: AtomicUsize,
    /// The consumer, waiting for events.
    receiver_waker: AtomicWaker,
    /// The task, waiting for room or for the consumer to go.
    sender_waker: AtomicWaker,
    /// The receiving side was dropped.
    receiver_gone: AtomicBool,
    /// The sending side was dropped (the task finished).
    sender_gone: AtomicBool,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Event>,
    /// The room the task waits for, if it waits.
    waited_for: Option<usize>,
}

/// The size and fill only: the events themselves are the consumer's to print.
impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventBuffer")
            .field("capacity", &self.capacity)
            .field("len", &self.len.load(Ordering::Relaxed))
            .field("receiver_gone", &self.receiver_gone.load(Ordering::Relaxed))
            .field("sender_gone", &self.sender_gone.load(Ordering::Relaxed))
            .finish()
    }
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only follows a panic elsewhere; the queue itself is always whole.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A buffer of `capacity` events (at least one).
pub(crate) fn channel(capacity: usize) -> (EventSender, EventReceiver) {
    let capacity = capacity.max(1);
    let shared = Arc::new(Shared {
        capacity,
        state: Mutex::new(State {
            queue: VecDeque::with_capacity(capacity.min(1024)),
            waited_for: None,
        }),
        len: AtomicUsize::new(0),
        receiver_waker: AtomicWaker::new(),
        sender_waker: AtomicWaker::new(),
        receiver_gone: AtomicBool::new(false),
        sender_gone: AtomicBool::new(false),
    });
    (
        EventSender {
            shared: Arc::clone(&shared),
        },
        EventReceiver { shared },
    )
}

/// Why an event was not handed over.
#[derive(Debug)]
pub(crate) enum TrySendError {
    /// No room; the event is given back.
    Full(Event),
    /// The consumer is gone.
    Closed,
}

/// The task's side.
#[derive(Debug)]
pub(crate) struct EventSender {
    shared: Arc<Shared>,
}

impl EventSender {
    /// The room left (at least this much: the consumer may have taken more meanwhile).
    pub(crate) fn capacity(&self) -> usize {
        self.shared
            .capacity
            .saturating_sub(self.shared.len.load(Ordering::Acquire))
    }

    /// Whether the consumer is gone.
    pub(crate) fn is_closed(&self) -> bool {
        self.shared.receiver_gone.load(Ordering::Acquire)
    }

    /// Hands over `event` if there is room.
    // The event comes back by value when there is no room (as from tokio's `try_send`): an
    // `Event` is 128 bytes, moved inline, and the refusal is the rare path.
    #[expect(clippy::result_large_err)]
    pub(crate) fn try_send(&self, event: Event) -> Result<(), TrySendError> {
        if self.is_closed() {
            return Err(TrySendError::Closed);
        }
        {
            let mut state = self.shared.state();
            if state.queue.len() >= self.shared.capacity {
                return Err(TrySendError::Full(event));
            }
            state.queue.push_back(event);
            self.shared.len.store(state.queue.len(), Ordering::Release);
        }
        self.shared.receiver_waker.wake();
        Ok(())
    }

    /// Hands over as many of `events` as there is room for, from the front, in one go; those that
    /// did not fit stay in `events`. `Err` when the consumer is gone (nothing is taken).
    pub(crate) fn try_send_all(&self, events: &mut Vec<Event>) -> Result<(), Closed> {
        if self.is_closed() {
            return Err(Closed);
        }
        if events.is_empty() {
            return Ok(());
        }
        {
            let mut state = self.shared.state();
            let room = self.shared.capacity.saturating_sub(state.queue.len());
            let taken = room.min(events.len());
            state.queue.extend(events.drain(..taken));
            self.shared.len.store(state.queue.len(), Ordering::Release);
        }
        self.shared.receiver_waker.wake();
        Ok(())
    }

    /// Waits until there is room for `n` events (`true`), or the consumer is gone (`false`).
    pub(crate) async fn room_for(&self, n: usize) -> bool {
        let n = n.clamp(1, self.shared.capacity);
        poll_fn(|cx| self.poll_room_for(cx, n)).await
    }

    fn poll_room_for(&self, cx: &mut Context<'_>, n: usize) -> Poll<bool> {
        // Kept before looking: a consumer that makes room after the look finds the wish and wakes.
        self.shared.sender_waker.register(cx.waker());
        if self.is_closed() {
            return Poll::Ready(false);
        }
        let mut state = self.shared.state();
        if self.shared.capacity.saturating_sub(state.queue.len()) >= n {
            state.waited_for = None;
            return Poll::Ready(true);
        }
        state.waited_for = Some(n);
        Poll::Pending
    }

    /// Completes once the consumer is gone.
    pub(crate) async fn closed(&self) {
        poll_fn(|cx| {
            self.shared.sender_waker.register(cx.waker());
            if self.is_closed() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
    }
}

impl Drop for EventSender {
    fn drop(&mut self) {
        self.shared.sender_gone.store(true, Ordering::Release);
        self.shared.receiver_waker.wake();
    }
}

/// The consumer is gone.
#[derive(Debug)]
pub(crate) struct Closed;

/// The consumer's side.
#[derive(Debug)]
pub(crate) struct EventReceiver {
    shared: Arc<Shared>,
}

impl EventReceiver {
    /// Moves up to `limit` events into `batch`: how many, or `Ready(0)` once the buffer is empty
    /// and the task gone.
    pub(crate) fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        batch: &mut Vec<Event>,
        limit: usize,
    ) -> Poll<usize> {
        if let Some(taken) = self.take(batch, limit) {
            return Poll::Ready(taken);
        }
        // Kept before looking again: events handed over after the look wake it.
        self.shared.receiver_waker.register(cx.waker());
        match self.take(batch, limit) {
            Some(taken) => Poll::Ready(taken),
            None => Poll::Pending,
        }
    }

    /// Takes what is there; `Some(0)` when nothing is and nothing will be, `None` when nothing is
    /// yet.
    fn take(&mut self, batch: &mut Vec<Event>, limit: usize) -> Option<usize> {
        // At least one: a limit of 0 would find "nothing yet" however full the queue.
        let limit = limit.max(1);
        // Read before the queue: a task that hands over its last events and then finishes is
        // seen with those events in the queue.
        let sender_gone = self.shared.sender_gone.load(Ordering::Acquire);
        let (wake_sender, taken) = {
            let mut state = self.shared.state();
            let taken = limit.min(state.queue.len());
            if taken == 0 {
                return sender_gone.then_some(0);
            }
            batch.extend(state.queue.drain(..taken));
            self.shared.len.store(state.queue.len(), Ordering::Release);
            let room = self.shared.capacity.saturating_sub(state.queue.len());
            let wake = state.waited_for.is_some_and(|wanted| room >= wanted);
            if wake {
                state.waited_for = None;
            }
            (wake, taken)
        };
        if wake_sender {
            self.shared.sender_waker.wake();
        }
        Some(taken)
    }
}

impl Drop for EventReceiver {
    fn drop(&mut self) {
        self.shared.receiver_gone.store(true, Ordering::Release);
        // What was handed over and never read goes now, not with the task.
        let dropped = std::mem::take(&mut self.shared.state().queue);
        self.shared.len.store(0, Ordering::Release);
        drop(dropped);
        self.shared.sender_waker.wake();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{counting_waker, number, numbered};

    fn numbers(events: &[Event]) -> Vec<u64> {
        events.iter().filter_map(number).collect()
    }

    /// Runs `future` on a runtime of this thread's own.
    fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .map(|runtime| runtime.block_on(future))
            .unwrap_or_else(|error| panic!("a runtime: {error}")) // ok: a test
    }

    #[test]
    fn a_turn_goes_over_in_one_piece_as_far_as_there_is_room() {
        let (sender, mut receiver) = channel(4);
        assert!(sender.try_send(numbered(0)).is_ok());
        let mut turn: Vec<Event> = (1..=5).map(numbered).collect();
        assert!(sender.try_send_all(&mut turn).is_ok());
        assert_eq!(numbers(&turn), [4, 5], "what did not fit stays, in order");
        assert_eq!(sender.capacity(), 0);
        assert!(matches!(
            sender.try_send(numbered(9)),
            Err(TrySendError::Full(_))
        ));
        let (_, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        let mut batch = Vec::new();
        assert_eq!(
            receiver.poll_recv_many(&mut cx, &mut batch, 3),
            Poll::Ready(3)
        );
        assert_eq!(numbers(&batch), [0, 1, 2]);
        assert_eq!(sender.capacity(), 3);
    }

    #[test]
    fn the_consumer_is_woken_by_what_is_handed_over_after_it_found_nothing() {
        let (sender, mut receiver) = channel(8);
        let (wakes, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        let mut batch = Vec::new();
        assert!(receiver.poll_recv_many(&mut cx, &mut batch, 8).is_pending());
        let mut turn: Vec<Event> = (0..3).map(numbered).collect();
        assert!(sender.try_send_all(&mut turn).is_ok());
        assert_eq!(wakes.count(), 1, "one wake-up for the turn");
        assert_eq!(
            receiver.poll_recv_many(&mut cx, &mut batch, 8),
            Poll::Ready(3)
        );
    }

    #[test]
    fn the_task_waiting_for_room_is_woken_once_there_is_enough() {
        let (sender, mut receiver) = channel(8);
        let mut turn: Vec<Event> = (0..8).map(numbered).collect();
        assert!(sender.try_send_all(&mut turn).is_ok());
        let (wakes, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(sender.poll_room_for(&mut cx, 4).is_pending());
        let mut batch = Vec::new();
        assert_eq!(
            receiver.poll_recv_many(&mut cx, &mut batch, 3),
            Poll::Ready(3)
        );
        assert_eq!(wakes.count(), 0, "three free is not the four asked for");
        assert_eq!(
            receiver.poll_recv_many(&mut cx, &mut batch, 1),
            Poll::Ready(1)
        );
        assert_eq!(wakes.count(), 1);
        assert_eq!(sender.poll_room_for(&mut cx, 4), Poll::Ready(true));
        // Taking more wakes nobody: the task no longer waits.
        assert_eq!(
            receiver.poll_recv_many(&mut cx, &mut batch, 1),
            Poll::Ready(1)
        );
        assert_eq!(wakes.count(), 1);
    }

    #[test]
    fn a_consumer_gone_ends_the_waits_and_refuses_events() {
        let (sender, receiver) = channel(1);
        assert!(sender.try_send(numbered(0)).is_ok());
        let (wakes, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(sender.poll_room_for(&mut cx, 1).is_pending());
        drop(receiver);
        assert_eq!(wakes.count(), 1);
        assert!(sender.is_closed());
        assert_eq!(sender.poll_room_for(&mut cx, 1), Poll::Ready(false));
        assert!(matches!(
            sender.try_send(numbered(1)),
            Err(TrySendError::Closed)
        ));
        assert!(sender.try_send_all(&mut vec![numbered(2)]).is_err());
        assert!(futures_util::FutureExt::now_or_never(sender.closed()).is_some());
    }

    #[test]
    fn the_events_handed_over_before_the_task_ended_are_read_then_the_end() {
        let (sender, mut receiver) = channel(4);
        let (wakes, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        let mut batch = Vec::new();
        assert!(receiver.poll_recv_many(&mut cx, &mut batch, 4).is_pending());
        assert!(sender.try_send(numbered(7)).is_ok());
        drop(sender);
        assert!(wakes.count() >= 1);
        assert_eq!(
            receiver.poll_recv_many(&mut cx, &mut batch, 4),
            Poll::Ready(1)
        );
        assert_eq!(
            receiver.poll_recv_many(&mut cx, &mut batch, 4),
            Poll::Ready(0)
        );
        assert_eq!(numbers(&batch), [7]);
    }

    /// A task handing over turns of every size, waiting for room when full, and a consumer on
    /// another thread: every event arrives once, in order.
    #[test]
    fn across_threads_every_event_arrives_once_in_order() {
        const EVENTS: u64 = 200_000;
        let (sender, mut receiver) = channel(64);
        let consumer = std::thread::spawn(move || {
            block_on(async move {
                let mut seen = 0_u64;
                let mut batch = Vec::new();
                loop {
                    batch.clear();
                    let taken = poll_fn(|cx| receiver.poll_recv_many(cx, &mut batch, 16)).await;
                    if taken == 0 {
                        return seen;
                    }
                    for number in numbers(&batch) {
                        assert_eq!(number, seen, "in order, once");
                        seen += 1;
                    }
                }
            })
        });
        block_on(async move {
            let mut next = 0_u64;
            let mut turn = Vec::new();
            while next < EVENTS {
                // Turns of 1 to 97 events.
                let size = 1 + next % 97;
                turn.extend((next..(next + size).min(EVENTS)).map(numbered));
                next = (next + size).min(EVENTS);
                while !turn.is_empty() {
                    assert!(sender.try_send_all(&mut turn).is_ok());
                    if !turn.is_empty() {
                        assert!(sender.room_for(32).await);
                    }
                }
            }
        });
        let seen = consumer.join().unwrap_or_default(); // a panic in the consumer fails below
        assert_eq!(seen, EVENTS);
    }
}
