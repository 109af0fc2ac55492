//! Nothing of a client outlives its shutdown: [`EventSubHandle::shutdown`] returns only once the
//! client's task has ended and, on async-io, the thread the adapter started for it has exited.
//!
//! The adapter's runtime is wrapped ([`Watched`]) so that the client task carries two witnesses:
//! a value dropped with the task's future, and a thread-local whose destructor runs only as the
//! task's thread exits. Each witness sleeps a while before it records its drop: a shutdown that
//! returned before the task (or its thread) was gone finds the record still empty, whatever the
//! scheduling, instead of passing by luck.
//!
//! [`EventSubHandle::shutdown`]: eventsub_tokio::EventSubHandle::shutdown

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eventsub_mock::MockEventSub;
use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_TOKEN};
use eventsub_mock::scenario::client_config;
use eventsub_tokio::runtime::{BoxWebSocket, WebSocketConfig};
use eventsub_tokio::{AccessToken, BoxFuture, EventSubBuilder, Runtime};
use futures_util::FutureExt;

use super::{against, finish, subscribed};

/// How long a witness waits in its destructor before recording that it ran: far longer than the
/// few microseconds between a task's last line and its end, so an early shutdown is caught.
const WITNESS_DELAY: Duration = Duration::from_millis(100);

/// What the witnesses saw.
#[derive(Debug, Default)]
pub struct Witnessed {
    /// The task's future was dropped (it ended).
    pub task_gone: AtomicBool,
    /// The thread the task ran on has exited.
    pub thread_exited: AtomicBool,
    /// The name of the thread the task first ran on.
    pub thread_name: Mutex<Option<String>>,
}

/// Records into `flag`, late, when dropped.
struct Witness(Arc<Witnessed>, fn(&Witnessed) -> &AtomicBool);

impl Drop for Witness {
    fn drop(&mut self) {
        std::thread::sleep(WITNESS_DELAY);
        (self.1)(&self.0).store(true, Ordering::SeqCst);
    }
}

thread_local! {
    /// Dropped only when the thread that set it exits.
    static THREAD_WITNESS: RefCell<Option<Witness>> = const { RefCell::new(None) };
}

/// A runtime that runs its client task with the witnesses, and is otherwise `inner`.
#[derive(Clone, Debug)]
pub struct Watched<R> {
    inner: R,
    witnessed: Arc<Witnessed>,
    /// Whether the task gets a thread of its own (async-io), whose exit is witnessed too.
    thread_of_its_own: bool,
}

impl<R: Runtime> Runtime for Watched<R> {
    fn now(&self) -> Instant {
        self.inner.now()
    }

    fn sleep_until(&self, deadline: Instant) -> BoxFuture<'static, ()> {
        self.inner.sleep_until(deadline)
    }

    fn connect(
        &self,
        url: eventsub_proto::Url,
        config: WebSocketConfig,
    ) -> BoxFuture<'static, Result<BoxWebSocket, String>> {
        self.inner.connect(url, config)
    }

    fn spawn(&self, task: BoxFuture<'static, ()>) {
        self.inner.spawn(task);
    }

    fn spawn_joinable(&self, task: BoxFuture<'static, ()>) -> BoxFuture<'static, ()> {
        let witnessed = self.witnessed.clone();
        let thread_of_its_own = self.thread_of_its_own;
        let watched = async move {
            let _task_witness = Witness(witnessed.clone(), |seen| &seen.task_gone);
            let thread = std::thread::current();
            *witnessed.thread_name.lock().unwrap() = thread.name().map(str::to_owned);
            if thread_of_its_own {
                let witness = Witness(witnessed, |seen| &seen.thread_exited);
                THREAD_WITNESS.with(|slot| *slot.borrow_mut() = Some(witness));
            }
            task.await;
        };
        self.inner.spawn_joinable(watched.boxed())
    }

    fn yield_now(&self) -> BoxFuture<'static, ()> {
        self.inner.yield_now()
    }

    fn helix<T: Send + 'static>(&self, call: BoxFuture<'static, T>) -> BoxFuture<'static, T> {
        self.inner.helix(call)
    }
}

/// A client on `runtime` (watched) against `mock`; returns what the witnesses saw once its
/// shutdown has returned.
pub async fn shut_down_on<R: Runtime>(
    mock: &MockEventSub,
    runtime: R,
    thread_of_its_own: bool,
) -> Arc<Witnessed> {
    let witnessed = Arc::new(Witnessed::default());
    let runtime = Watched {
        inner: runtime,
        witnessed: witnessed.clone(),
        thread_of_its_own,
    };
    let builder = EventSubBuilder::new(runtime, CLIENT_ID, AccessToken::new(USER_TOKEN));
    let client = subscribed(against(builder, mock, client_config())).await;
    let handle = client.handle.clone();
    assert!(!handle.is_finished());
    finish(mock, client).await;
    assert!(handle.is_finished(), "finished once shutdown has returned");
    assert!(
        witnessed.task_gone.load(Ordering::SeqCst),
        "shutdown returned while the client task was still there"
    );
    witnessed
}
