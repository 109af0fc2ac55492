//! What the user holds: the [`EventSubHandle`] (commands) and the [`EventStream`] (events).

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use eventsub_proto::{Event, Stats, SubscribeError, SubscriptionSpec, SubscriptionsReport};
use futures_util::future::Shared;
use futures_util::{FutureExt, Stream};
use tokio::sync::{mpsc, oneshot, watch};

use crate::error::HandleError;
use crate::event_channel::EventReceiver;
use crate::token::BoxFuture;

/// A command from the handle to the driver task.
#[derive(Debug)]
pub(crate) enum Command {
    Subscribe(
        SubscriptionSpec,
        oneshot::Sender<Result<(), SubscribeError>>,
    ),
    Unsubscribe(SubscriptionSpec, oneshot::Sender<bool>),
    Subscriptions(oneshot::Sender<SubscriptionsReport>),
    Stats(oneshot::Sender<Stats>),
    Shutdown,
}

/// Controls a running client: add and remove subscriptions, shut down. Cheap to clone.
#[derive(Clone, Debug)]
pub struct EventSubHandle {
    pub(crate) commands: mpsc::Sender<Command>,
    /// The conduit shard of each session, by session index (empty when the sessions are no
    /// shards).
    pub(crate) shard_ids: Arc<[u32]>,
    pub(crate) lagged: Arc<AtomicU64>,
    pub(crate) finished: watch::Receiver<bool>,
    /// Completes once the client task has ended and whatever the runtime started to run it (the
    /// async-io adapter's thread) is gone ([`Runtime::spawn_joinable`](crate::Runtime::spawn_joinable)).
    pub(crate) task_gone: Shared<BoxFuture<'static, ()>>,
}

impl EventSubHandle {
    async fn ask<T>(
        &self,
        command: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, HandleError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(command(reply))
            .await
            .map_err(|_| HandleError::Stopped)?;
        answer.await.map_err(|_| HandleError::Stopped)
    }

    /// The conduit shard whose events carry `session_index` (their connection's
    /// [`ConnId::session_index`](eventsub_proto::ConnId::session_index), or
    /// [`Gap::session`](eventsub_proto::Gap::session)), for a client that holds shards
    /// ([`EventSubBuilder::conduit_shards`](crate::EventSubBuilder::conduit_shards) or
    /// [`conduit_shard`](crate::EventSubBuilder::conduit_shard)); `None` otherwise.
    pub fn shard_id(&self, session_index: usize) -> Option<u32> {
        self.shard_ids.get(session_index).copied()
    }

    /// Adds a subscription: created on the live session at once (if there is one) and on every
    /// fresh session after; an idle client connects again for it. Refused when it is already
    /// wanted, cannot fit the limits, or (once the token was validated) needs a scope the token
    /// lacks. One that was revoked or failed for good may be added again.
    pub async fn subscribe(&self, spec: SubscriptionSpec) -> Result<(), HandleError> {
        self.ask(|reply| Command::Subscribe(spec, reply)).await??;
        Ok(())
    }

    /// Removes a subscription: deleted over Helix if it exists, never created again. Returns
    /// whether it was wanted.
    pub async fn unsubscribe(&self, spec: SubscriptionSpec) -> Result<bool, HandleError> {
        self.ask(|reply| Command::Unsubscribe(spec, reply)).await
    }

    /// Every wanted subscription with its state, id and cost (what Twitch reported when it was
    /// created, else the estimate), and the token's `total_cost` and `max_total_cost`.
    pub async fn subscriptions(&self) -> Result<SubscriptionsReport, HandleError> {
        self.ask(Command::Subscriptions).await
    }

    /// The core's counters ([`Stats`]): duplicates and stale notifications dropped, malformed
    /// frames (those refused, and those a decode found not to be JSON after delivery), the
    /// duplicate filter's size, sockets and requests in flight.
    pub async fn stats(&self) -> Result<Stats, HandleError> {
        self.ask(Command::Stats).await
    }

    /// Shuts down gracefully: every socket is closed with 1000 (and the subscriptions deleted if
    /// [`Config::delete_subscriptions_on_shutdown`](eventsub_proto::Config::delete_subscriptions_on_shutdown)
    /// is set), the stream yields [`Event::Stopped`] and ends. Returns once the client is done.
    pub async fn shutdown(&self) {
        let _ = self.commands.send(Command::Shutdown).await;
        self.finished().await;
    }

    /// Waits until the client has stopped for any reason and released its sockets, and its task
    /// (with any thread the runtime started for it) is gone.
    pub async fn finished(&self) {
        let mut finished = self.finished.clone();
        // Err: the task ended without saying so (it can only have panicked); the join tells.
        let _ = finished.wait_for(|done| *done).await;
        self.task_gone.clone().await;
    }

    /// Whether the client has stopped and released its sockets, and its task (with any thread the
    /// runtime started for it) is gone.
    pub fn is_finished(&self) -> bool {
        // A task that ended without saying so (it can only have panicked) is finished too.
        let stopped = *self.finished.borrow() || self.finished.has_changed().is_err();
        // Polled only once the task said it is done: by then the join completes at once (the
        // async-io thread's exit is all it can still wait for).
        stopped && self.task_gone.clone().now_or_never().is_some()
    }

    /// How many events were discarded because the [`EventStream`] was not read fast enough (see
    /// the crate docs on backpressure).
    pub fn lagged(&self) -> u64 {
        self.lagged.load(Ordering::Relaxed)
    }
}

/// The events of a client, in order. Ends after [`Event::Stopped`].
///
/// The buffer between the client task and this stream is bounded; see the crate docs on
/// backpressure for what happens when it is full. [`EventStream::typed`] receives the events of
/// one subscription kind decoded, with everything else still in the stream.
///
/// The stream takes what is ready from the buffer in batches of up to [`STREAM_BATCH`] events
/// and hands them out one by one: a consumer keeping up pays the buffer's synchronisation once
/// per batch, not once per event. So up to [`STREAM_BATCH`] events may sit in the stream on top
/// of the buffer's capacity.
#[derive(Debug)]
pub struct EventStream {
    pub(crate) events: EventReceiver,
    pub(crate) lagged: Arc<AtomicU64>,
    /// Events that were still waiting for room in the buffer when the client task finished: they
    /// follow the buffer's, in order.
    pub(crate) leftover: Arc<Mutex<VecDeque<Event>>>,
    /// The batch taken from the buffer, last event first (handed out by `pop`).
    pub(crate) batch: Vec<Event>,
}

/// How many events [`EventStream`] takes from the client's buffer at once, at most.
pub const STREAM_BATCH: usize = 64;

impl EventStream {
    /// The next event; `None` once the client has stopped. (The same as `StreamExt::next`.)
    pub async fn recv(&mut self) -> Option<Event> {
        std::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        if let Some(event) = self.batch.pop() {
            return Poll::Ready(Some(event));
        }
        match self
            .events
            .poll_recv_many(cx, &mut self.batch, STREAM_BATCH)
        {
            // The buffer is empty and the task gone: what waited behind the buffer comes last.
            Poll::Ready(0) => Poll::Ready(
                self.leftover
                    .lock()
                    .ok()
                    .and_then(|mut leftover| leftover.pop_front()),
            ),
            Poll::Ready(_) => {
                self.batch.reverse();
                Poll::Ready(self.batch.pop())
            }
            Poll::Pending => Poll::Pending,
        }
    }

    /// How many events were discarded because this stream was not read fast enough.
    pub fn lagged(&self) -> u64 {
        self.lagged.load(Ordering::Relaxed)
    }
}

impl Stream for EventStream {
    type Item = Event;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        self.get_mut().poll_event(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{number, numbered};
    use futures_util::StreamExt;

    /// Batches of the buffer, events as they come between batches, and what waited behind the
    /// buffer when the task ended: all handed out once, in order.
    #[tokio::test]
    async fn the_stream_hands_out_batches_and_the_leftover_in_order() {
        let (sender, receiver) = crate::event_channel::channel(4 * STREAM_BATCH);
        let leftover = Arc::new(Mutex::new(VecDeque::from([
            numbered(1_000),
            numbered(1_001),
        ])));
        let mut stream = EventStream {
            events: receiver,
            lagged: Arc::new(AtomicU64::new(0)),
            leftover,
            batch: Vec::new(),
        };
        let total = 3 * STREAM_BATCH as u64 + 5;
        for n in 0..total {
            assert!(sender.try_send(numbered(n)).is_ok(), "room for {n}");
        }
        let mut seen = Vec::new();
        // Part of the first batch is taken, then more arrives behind it.
        for _ in 0..10 {
            seen.extend(stream.next().await.as_ref().and_then(number));
        }
        assert_eq!(
            stream.batch.len(),
            STREAM_BATCH - 10,
            "one batch taken at most"
        );
        assert!(sender.try_send(numbered(total)).is_ok(), "room again");
        drop(sender);
        while let Some(event) = stream.next().await {
            seen.extend(number(&event));
        }
        let expected: Vec<u64> = (0..=total).chain([1_000, 1_001]).collect();
        assert_eq!(seen, expected);
    }
}
