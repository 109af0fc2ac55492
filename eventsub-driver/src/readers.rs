//! The sockets being read, polled only when they were woken: a client holding a thousand
//! shards must not poll a thousand sockets for every frame one of them receives.
//!
//! Each socket is polled with a waker of its own that queues it (once) and wakes the client's
//! task; polling takes the queued sockets in order, so a flood on one socket cannot starve the
//! others (one that gave a frame is queued again behind the rest).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
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
    task: AtomicWaker,
}

impl Shared {
    fn queue(&self, conn: ConnId) {
        // A poisoned lock only follows a panic elsewhere; the queue itself is always whole.
        match self.ready.lock() {
            Ok(mut ready) => ready.push_back(conn),
            Err(poisoned) => poisoned.into_inner().push_back(conn),
        }
    }

    fn next(&self) -> Option<ConnId> {
        match self.ready.lock() {
            Ok(mut ready) => ready.pop_front(),
            Err(poisoned) => poisoned.into_inner().pop_front(),
        }
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
        self.shared.task.register(cx.waker());
        while let Some(conn) = self.shared.next() {
            // A socket removed since it was queued.
            let Some(entry) = self.entries.get_mut(&conn) else {
                continue;
            };
            // Cleared before the poll: a wake during it queues the socket again.
            entry.signal.queued.store(false, Ordering::Release);
            let mut own = Context::from_waker(&entry.waker);
            if let Poll::Ready(event) = entry.reader.poll_event(&mut own, writers.get_mut(&conn)) {
                // More may be buffered: polled again, after the others that are ready.
                entry.signal.mark();
                return Poll::Ready((conn, event));
            }
        }
        Poll::Pending
    }
}
