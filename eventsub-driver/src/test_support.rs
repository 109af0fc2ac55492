//! What the unit tests share: numbered events, a waker that counts, a socket made of a stream.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};

use eventsub_proto::Event;
use futures_util::task::ArcWake;
use futures_util::{Sink, Stream};
use tungstenite::{Error as WsError, Message};

/// An event that carries `number` (a `Lagged` one: it owns nothing).
pub(crate) fn numbered(number: u64) -> Event {
    Event::Lagged {
        missed: number,
        first_sent: None,
        last_sent: None,
    }
}

/// The number of a [`numbered`] event.
pub(crate) fn number(event: &Event) -> Option<u64> {
    match event {
        Event::Lagged { missed, .. } => Some(*missed),
        _ => None,
    }
}

/// Counts its wake-ups.
pub(crate) struct Wakes(AtomicU64);

impl Wakes {
    /// How many so far.
    pub(crate) fn count(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl ArcWake for Wakes {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A waker that counts its wake-ups, and the count.
pub(crate) fn counting_waker() -> (Arc<Wakes>, Waker) {
    let wakes = Arc::new(Wakes(AtomicU64::new(0)));
    let waker = futures_util::task::waker(Arc::clone(&wakes));
    (wakes, waker)
}

/// A socket that reads from `S` and takes whatever is written to it at once.
pub(crate) struct Socket<S>(pub(crate) S);

impl<S: Stream<Item = Result<Message, WsError>> + Unpin> Stream for Socket<S> {
    type Item = Result<Message, WsError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.0).poll_next(cx)
    }
}

impl<S> Sink<Message> for Socket<S> {
    type Error = WsError;

    fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        Poll::Ready(Ok(()))
    }

    fn start_send(self: Pin<&mut Self>, _: Message) -> Result<(), WsError> {
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        Poll::Ready(Ok(()))
    }
}
