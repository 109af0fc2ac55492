//! The sockets being read, polled only when they were woken: a client holding a thousand
//! shards must not poll a thousand sockets for every frame one of them receives.
//!
//! Each socket is polled with a waker of its own that queues it (once) and wakes the client's
//! task; polling takes the queued sockets in order, so a flood on one socket cannot starve the
//! others (one that gave a frame is queued again behind the rest).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

use eventsub_proto::ConnId;
use futures_util::task::AtomicWaker;

use crate::socket::{Reader, SocketEvent, Writer};

/// A map keyed by connection. The ids are the core's own (never from the network), so a fast
/// non-keyed hash is safe here: these maps are looked up twice for every frame read.
pub(crate) type ConnMap<V> = rustc_hash::FxHashMap<ConnId, V>;

/// The sockets that were woken, and the task to wake when one is.
#[derive(Default)]
struct Shared {
    ready: Mutex<VecDeque<ConnId>>,
    /// Whether `ready` may hold a socket: read without the lock, so that a turn reading frame
    /// after frame from one socket takes no lock while no other socket is woken.
    any_ready: AtomicBool,
    task: AtomicWaker,
}

impl Shared {
    fn queue(&self, conn: ConnId) {
        // A poisoned lock only follows a panic elsewhere; the queue itself is always whole.
        let mut ready = self.ready.lock().unwrap_or_else(PoisonError::into_inner);
        ready.push_back(conn);
        self.any_ready.store(true, Ordering::Release);
    }

    /// Moves the woken sockets, in the order they were woken, behind those in `queue`.
    fn take_into(&self, queue: &mut VecDeque<ConnId>) {
        if !self.any_ready.load(Ordering::Acquire) {
            return;
        }
        let mut ready = self.ready.lock().unwrap_or_else(PoisonError::into_inner);
        queue.append(&mut ready);
        self.any_ready.store(false, Ordering::Release);
    }
}

/// One socket's waker: queues the socket, once until it is polled again.
struct SocketWaker {
    conn: ConnId,
    queued: AtomicBool,
    shared: Arc<Shared>,
}

impl SocketWaker {
    fn mark(&self) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            self.shared.queue(self.conn);
        }
    }
}

impl Wake for SocketWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.mark();
        self.shared.task.wake();
    }
}

struct Entry {
    reader: Reader,
    signal: Arc<SocketWaker>,
    waker: Waker,
}

/// The sockets being read.
#[derive(Default)]
pub(crate) struct Readers {
    entries: ConnMap<Entry>,
    shared: Arc<Shared>,
    /// The sockets to poll, in order: those woken, and those that gave a frame (which may have
    /// more buffered) behind them. Only the driver's task touches it, so it takes no lock.
    queue: VecDeque<ConnId>,
}

impl Readers {
    /// Starts reading `conn`: it is polled at the next turn.
    pub(crate) fn push(&mut self, conn: ConnId, reader: Reader) {
        let signal = Arc::new(SocketWaker {
            conn,
            queued: AtomicBool::new(false),
            shared: Arc::clone(&self.shared),
        });
        let waker = Waker::from(Arc::clone(&signal));
        signal.mark();
        self.entries.insert(
            conn,
            Entry {
                reader,
                signal,
                waker,
            },
        );
    }

    /// Stops reading `conn`; whether it was read.
    pub(crate) fn remove(&mut self, conn: ConnId) -> bool {
        self.entries.remove(&conn).is_some()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The next event of a socket that was woken, or `Pending` (with the task's waker kept for
    /// when one is).
    pub(crate) fn poll_next(
        &mut self,
        cx: &mut Context<'_>,
        writers: &mut ConnMap<Writer>,
    ) -> Poll<(ConnId, SocketEvent)> {
        if let Some(ready) = self.poll_queued(writers) {
            return Poll::Ready(ready);
        }
        // The waker is kept only when nothing is ready (a frame at a time, it would be swapped in
        // for every frame); a socket woken before it was kept is found by looking once more.
        self.shared.task.register(cx.waker());
        match self.poll_queued(writers) {
            Some(ready) => Poll::Ready(ready),
            None => Poll::Pending,
        }
    }

    /// Polls the queued sockets in order until one has something.
    fn poll_queued(&mut self, writers: &mut ConnMap<Writer>) -> Option<(ConnId, SocketEvent)> {
        self.shared.take_into(&mut self.queue);
        while let Some(conn) = self.queue.pop_front() {
            // A socket removed since it was queued.
            let Some(entry) = self.entries.get_mut(&conn) else {
                continue;
            };
            // Cleared before the poll: a wake during it queues the socket again.
            entry.signal.queued.store(false, Ordering::Release);
            let mut own = Context::from_waker(&entry.waker);
            if let Poll::Ready(event) = entry.reader.poll_event(&mut own, writers.get_mut(&conn)) {
                // More may be buffered: polled again, after the others that are ready (unless a
                // wake during the poll queued it already).
                if !entry.signal.queued.swap(true, Ordering::AcqRel) {
                    self.queue.push_back(conn);
                }
                return Some((conn, event));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::time::Instant;

    use eventsub_proto::{BroadcasterId, Config, Output, Pool, SubscriptionSpec};
    use futures_util::Stream;
    use tungstenite::{Error as WsError, Message};

    use super::*;
    use crate::socket;
    use crate::test_support::{Socket, counting_waker};

    /// What a fake socket has to give, and the waker of its last poll that found nothing.
    #[derive(Default)]
    struct Inbox {
        frames: VecDeque<Message>,
        waker: Option<Waker>,
    }

    /// The reading half of a socket whose frames the test hands it.
    #[derive(Clone, Default)]
    struct FakeSocket(Arc<Mutex<Inbox>>);

    impl FakeSocket {
        fn send(&self, text: &str) {
            let waker = {
                let mut inbox = self.0.lock().unwrap_or_else(PoisonError::into_inner);
                inbox.frames.push_back(Message::text(text));
                inbox.waker.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }

    impl Stream for FakeSocket {
        type Item = Result<Message, WsError>;

        fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            let mut inbox = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            match inbox.frames.pop_front() {
                Some(frame) => Poll::Ready(Some(Ok(frame))),
                None => {
                    inbox.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        }
    }

    /// `n` connection ids, as a pool of `n` sessions mints them.
    fn conns(n: usize) -> Vec<ConnId> {
        let mut config = Config::default();
        config.max_sessions = n;
        config.max_subscriptions_per_connection = 1;
        config.validate_token = false;
        config.subscriptions = (0..n)
            .map(|b| SubscriptionSpec::stream_online(BroadcasterId::new(b.to_string())))
            .collect();
        let mut pool = Pool::new(config, Instant::now()).unwrap(); // ok: a unit test
        std::iter::from_fn(|| pool.poll_output())
            .filter_map(|output| match output {
                Output::Connect { conn, .. } => Some(conn),
                _ => None,
            })
            .collect()
    }

    /// Readers of `n` fake sockets, and the sockets.
    fn readers(n: usize) -> (Readers, Vec<(ConnId, FakeSocket)>) {
        let mut readers = Readers::default();
        let sockets: Vec<(ConnId, FakeSocket)> = conns(n)
            .into_iter()
            .map(|conn| (conn, FakeSocket::default()))
            .collect();
        assert_eq!(sockets.len(), n);
        for (conn, socket) in &sockets {
            let (_writer, reader) = socket::split(Box::pin(Socket(socket.clone())));
            readers.push(*conn, reader);
        }
        (readers, sockets)
    }

    fn text_of(polled: Poll<(ConnId, SocketEvent)>) -> Option<(ConnId, String)> {
        match polled {
            Poll::Ready((conn, SocketEvent::Text(text))) => Some((conn, text.as_str().to_owned())),
            _ => None,
        }
    }

    #[test]
    fn sockets_with_frames_ready_take_turns() {
        let (mut readers, sockets) = readers(2);
        let [(a, socket_a), (b, socket_b)] = sockets.as_slice() else {
            panic!("two sockets");
        };
        for n in 0..3 {
            socket_a.send(&format!("a{n}"));
            socket_b.send(&format!("b{n}"));
        }
        let mut writers = ConnMap::default();
        let mut cx = Context::from_waker(futures_util::task::noop_waker_ref());
        let read: Vec<(ConnId, String)> =
            std::iter::from_fn(|| text_of(readers.poll_next(&mut cx, &mut writers))).collect();
        let expected: Vec<(ConnId, String)> = (0..3)
            .flat_map(|n| [(*a, format!("a{n}")), (*b, format!("b{n}"))])
            .collect();
        assert_eq!(read, expected, "one frame of each in turn, none lost");
    }

    #[test]
    fn a_socket_woken_while_nothing_was_ready_wakes_the_task() {
        let (mut readers, sockets) = readers(2);
        let [(_, socket_a), (b, socket_b)] = sockets.as_slice() else {
            panic!("two sockets");
        };
        socket_a.send("a0");
        let mut writers = ConnMap::default();
        // Frames read without the task's waker (as a turn does), then nothing is ready.
        let mut noop = Context::from_waker(futures_util::task::noop_waker_ref());
        assert!(text_of(readers.poll_next(&mut noop, &mut writers)).is_some());
        let (wakes, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(readers.poll_next(&mut cx, &mut writers).is_pending());
        assert_eq!(wakes.count(), 0);
        socket_b.send("b0");
        assert_eq!(wakes.count(), 1, "the task's waker was kept");
        assert_eq!(
            text_of(readers.poll_next(&mut noop, &mut writers)),
            Some((*b, "b0".to_owned()))
        );
        assert!(readers.poll_next(&mut cx, &mut writers).is_pending());
    }

    #[test]
    fn a_removed_socket_is_not_read_again() {
        let (mut readers, sockets) = readers(2);
        let [(a, socket_a), (b, socket_b)] = sockets.as_slice() else {
            panic!("two sockets");
        };
        socket_a.send("a0");
        socket_a.send("a1");
        socket_b.send("b0");
        let mut writers = ConnMap::default();
        let mut cx = Context::from_waker(futures_util::task::noop_waker_ref());
        assert_eq!(
            text_of(readers.poll_next(&mut cx, &mut writers)),
            Some((*a, "a0".to_owned()))
        );
        assert!(readers.remove(*a));
        assert_eq!(
            text_of(readers.poll_next(&mut cx, &mut writers)),
            Some((*b, "b0".to_owned()))
        );
        assert!(readers.poll_next(&mut cx, &mut writers).is_pending());
    }
}
