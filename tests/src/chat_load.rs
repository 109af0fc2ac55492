//! The client side of the `chat_load` benchmark (issue 16), as its own small program
//! (`src/bin/chat_load_client.rs`): the benchmark measures this process's CPU time and resident
//! memory, so it carries the client and the user's loop and nothing else (not the mock, not the
//! benchmark's own code, whose pages would count in its resident memory).
//!
//! It connects to the mock, subscribes to [`KIND`], then answers `run <count>` on its standard
//! input with `go`, waits until `count` more events are settled and answers with a
//! [`RunReport`] line; it ends on `stop`.

use std::io::{BufRead, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_ID, USER_TOKEN};
use eventsub_mock::message_number_of;
use eventsub_mock::scenario::client_config;
use eventsub_proto::{Config, Event, PayloadCheck, SubscriptionSpec};
use eventsub_tokio::{AccessToken, EventStream, EventSub, EventSubHandle, Typed, kinds};
use futures_util::StreamExt;

use crate::measure::{
    Resident, current_thread_id, process_cpu_time, spawn_on_own_runtime, thread_cpu_time,
    thread_preemptions, thread_sleeps, thread_user_system_ticks,
};

/// Far longer than any run should take: a stuck run fails instead of hanging.
const TIMEOUT: Duration = Duration::from_secs(300);

/// The subscription type the load is made of: the busiest one on a real channel.
pub const KIND: &str = "channel.chat.message";

/// What the client process says about one run.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunReport {
    /// CPU of the client's thread plus the user's loop's thread, nanoseconds.
    pub client_ns: u64,
    /// CPU of the user's loop's thread alone.
    pub consumer_ns: u64,
    /// CPU of every thread of the client process.
    pub process_ns: u64,
    /// From the start command to the last event counted.
    pub wall_ns: u64,
    /// Notifications the user's loop counted, duplicates included.
    pub delivered: u64,
    /// Of them, those whose id was not above the last one seen: delivered twice.
    pub duplicates: u64,
    /// Events the client discarded as `Lagged` (the stream read too slowly).
    pub lagged: u64,
    /// The client process's peak resident memory (`VmHWM`), KiB.
    pub peak_kib: u64,
    /// Clock ticks (10 ms) of the client's thread and the user's loop in user space.
    pub user_ticks: u64,
    /// The same in the kernel: socket reads, wake-ups, and on loopback the sender's TCP work
    /// that the kernel does in the reader's context.
    pub system_ticks: u64,
    /// The client process's resident anonymous memory at the end of the run, KiB.
    pub anon_kib: u64,
    /// Its resident pages of mapped files (code, libraries) at the end of the run, KiB.
    pub file_kib: u64,
    /// How many times the client's thread went to sleep waiting (for the socket, a timer).
    pub client_sleeps: u64,
    /// How many times the user's loop went to sleep waiting for events: each was woken by the
    /// client's thread, at a cost to both.
    pub consumer_sleeps: u64,
    /// How many times the client's thread was taken off its CPU while it could still run.
    pub client_preempted: u64,
    /// The same for the user's loop.
    pub consumer_preempted: u64,
}

impl RunReport {
    /// Reads the line [`RunReport::line`] wrote.
    pub fn parse(line: &str) -> Self {
        let mut numbers = line
            .split_whitespace()
            .skip(1)
            .map(|number| number.parse().expect("a number"));
        let mut next = || numbers.next().expect("a report of at least 14 numbers");
        Self {
            client_ns: next(),
            consumer_ns: next(),
            process_ns: next(),
            wall_ns: next(),
            delivered: next(),
            duplicates: next(),
            lagged: next(),
            peak_kib: next(),
            user_ticks: next(),
            system_ticks: next(),
            anon_kib: next(),
            file_kib: next(),
            client_sleeps: next(),
            consumer_sleeps: next(),
            // Absent from the reports of client programs built before they were counted.
            client_preempted: numbers.next().unwrap_or(0),
            consumer_preempted: numbers.next().unwrap_or(0),
        }
    }

    /// The report as the client process writes it.
    pub fn line(&self) -> String {
        let numbers = [
            self.client_ns,
            self.consumer_ns,
            self.process_ns,
            self.wall_ns,
            self.delivered,
            self.duplicates,
            self.lagged,
            self.peak_kib,
            self.user_ticks,
            self.system_ticks,
            self.anon_kib,
            self.file_kib,
            self.client_sleeps,
            self.consumer_sleeps,
            self.client_preempted,
            self.consumer_preempted,
        ];
        let mut line = "done".to_owned();
        for number in numbers {
            line.push_str(&format!(" {number}"));
        }
        line
    }
}

/// What the user's loop has counted so far.
#[derive(Default)]
struct Counts {
    delivered: AtomicU64,
    duplicates: AtomicU64,
    lagged: AtomicU64,
}

impl Counts {
    fn settled(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed) + self.lagged.load(Ordering::Relaxed)
    }
}

/// Counts one notification by its message id; an id not above the last one is a duplicate. The
/// number is read off the id the core parsed ([`message_number_of`]): writing each id out as text
/// to read it back cost the user's loop some 300 instructions per event, which is the bench's
/// bookkeeping, not the client's.
fn count_notification(
    counts: &Counts,
    last_number: &mut Option<u64>,
    notification: &eventsub_proto::Notification,
) {
    let number = message_number_of(notification.message_id());
    if number.is_none() || number <= *last_number {
        counts.duplicates.fetch_add(1, Ordering::Relaxed);
    } else {
        *last_number = number;
    }
    counts.delivered.fetch_add(1, Ordering::Relaxed);
}

/// The user's loop: typed (decodes every chat message) or raw (routing only).
async fn consume(events: EventStream, typed: bool, counts: Arc<Counts>) {
    let mut last_number = None;
    if typed {
        let mut stream = events.typed::<kinds::ChannelChatMessage>();
        while let Some(item) = stream.next().await {
            match item {
                Typed::Event(chat) => {
                    std::hint::black_box(chat.event().message.text.len());
                    count_notification(&counts, &mut last_number, chat.notification());
                }
                Typed::Lifecycle(Event::Lagged { missed, .. }) => {
                    counts.lagged.fetch_add(missed, Ordering::Relaxed);
                }
                Typed::Undecodable(error) => panic!("a chat message did not decode: {error}"),
                _ => {}
            }
        }
    } else {
        let mut stream = events;
        while let Some(event) = stream.next().await {
            match event {
                Event::Notification(notification) => {
                    count_notification(&counts, &mut last_number, &notification);
                }
                Event::Lagged { missed, .. } => {
                    counts.lagged.fetch_add(missed, Ordering::Relaxed);
                }
                _ => {}
            }
        }
    }
}

/// The client's payload check: `CHAT_LOAD_PAYLOAD_CHECK=eager` or `deferred`, else the default.
pub fn payload_check() -> PayloadCheck {
    match std::env::var("CHAT_LOAD_PAYLOAD_CHECK").as_deref() {
        Ok("eager") => PayloadCheck::Eager,
        Ok("deferred") => PayloadCheck::Deferred,
        _ => PayloadCheck::default(),
    }
}

/// The runtime a benchmark's client runs on: tokio's current-thread runtime with its timers and
/// sockets, on the calling thread.
pub fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime")
}

/// [`connect_subscribed_with`] the mock's client configuration and the payload check of
/// [`payload_check`].
async fn connect(ws_url: &str, helix_url: &str) -> (EventSubHandle, EventStream) {
    let mut config = client_config();
    config.payload_check = payload_check();
    connect_subscribed_with(ws_url, helix_url, config).await
}

/// The client process: subscribes, then answers `run <count>` with `go`, waits until `count` more
/// events are settled and answers with a report; ends on `stop`.
pub fn client_process(ws_url: &str, helix_url: &str, consumer: &str) {
    let typed = consumer == "typed";
    let counts = Arc::new(Counts::default());
    let (started, client_started) = std::sync::mpsc::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (ws_url, helix_url) = (ws_url.to_owned(), helix_url.to_owned());
    let loop_counts = counts.clone();
    let client_thread = std::thread::spawn(move || {
        client_runtime().block_on(async move {
            let (handle, events) = connect(&ws_url, &helix_url).await;
            let client_tid = current_thread_id().expect("a thread id");
            let (consumer, consumer_tid) =
                spawn_on_own_runtime("consumer", consume(events, typed, loop_counts));
            started
                .send((client_tid, consumer_tid))
                .expect("main waits");
            let _ = stopped.await;
            handle.shutdown().await;
            handle.finished().await;
            consumer.join().expect("the loop ends with the stream");
        });
    });
    let (client_tid, consumer_tid) = client_started.recv().expect("the client subscribes");
    let cpu = |tid| thread_cpu_time(tid).expect("schedstat").as_nanos() as u64;
    let ticks = |tid| thread_user_system_ticks(tid).expect("stat");
    let both_ticks = || {
        let ((user, system), (loop_user, loop_system)) = (ticks(client_tid), ticks(consumer_tid));
        (user + loop_user, system + loop_system)
    };
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "ready").expect("the bench reads");
    stdout.flush().expect("the bench reads");
    for command in std::io::stdin().lock().lines() {
        let command = command.expect("the bench writes");
        let Some(count) = command.strip_prefix("run ") else {
            break;
        };
        let count: u64 = count.parse().expect("a count");
        let target = counts.settled() + count;
        let (delivered, duplicates, lagged) = (
            counts.delivered.load(Ordering::Relaxed),
            counts.duplicates.load(Ordering::Relaxed),
            counts.lagged.load(Ordering::Relaxed),
        );
        let (client_before, consumer_before) = (cpu(client_tid), cpu(consumer_tid));
        let (user_before, system_before) = both_ticks();
        let sleeps = |tid| thread_sleeps(tid).expect("status");
        let (client_sleeps, consumer_sleeps) = (sleeps(client_tid), sleeps(consumer_tid));
        let preempted = |tid| thread_preemptions(tid).expect("status");
        let (client_preempted, consumer_preempted) =
            (preempted(client_tid), preempted(consumer_tid));
        let process_before = process_cpu_time().expect("schedstat").as_nanos() as u64;
        let start = Instant::now();
        writeln!(stdout, "go").expect("the bench reads");
        stdout.flush().expect("the bench reads");
        let deadline = start + TIMEOUT;
        // Sleeps between looks, so that this thread takes next to no CPU and seldom wakes on the
        // two busy threads' CPUs (a millisecond: under 0.1 % of a million-event run).
        while counts.settled() < target {
            assert!(Instant::now() < deadline, "the run did not settle");
            std::thread::sleep(Duration::from_millis(1));
        }
        let wall = start.elapsed();
        let (client_after, consumer_after) = (cpu(client_tid), cpu(consumer_tid));
        let (user_after, system_after) = both_ticks();
        let process_after = process_cpu_time().expect("schedstat").as_nanos() as u64;
        let resident = Resident::now();
        let report = RunReport {
            client_ns: (client_after + consumer_after) - (client_before + consumer_before),
            consumer_ns: consumer_after - consumer_before,
            process_ns: process_after - process_before,
            wall_ns: wall.as_nanos() as u64,
            delivered: counts.delivered.load(Ordering::Relaxed) - delivered,
            duplicates: counts.duplicates.load(Ordering::Relaxed) - duplicates,
            lagged: counts.lagged.load(Ordering::Relaxed) - lagged,
            peak_kib: resident.map_or(0, |resident| resident.peak_kib),
            anon_kib: resident.map_or(0, |resident| resident.anon_kib),
            file_kib: resident.map_or(0, |resident| resident.file_kib),
            client_sleeps: sleeps(client_tid) - client_sleeps,
            consumer_sleeps: sleeps(consumer_tid) - consumer_sleeps,
            client_preempted: preempted(client_tid) - client_preempted,
            consumer_preempted: preempted(consumer_tid) - consumer_preempted,
            user_ticks: user_after - user_before,
            system_ticks: system_after - system_before,
        };
        writeln!(stdout, "{}", report.line()).expect("the bench reads");
        stdout.flush().expect("the bench reads");
    }
    let _ = stop.send(());
    client_thread.join().expect("the client thread ends");
}

/// A tokio client of the mock at `ws_url`/`helix_url` (fixture token) with `config` (whose
/// subscriptions, URLs and seed are set here), subscribed to [`KIND`] on [`USER_ID`]'s channel, once
/// the subscription exists. Must run inside a tokio runtime.
pub async fn connect_subscribed_with(
    ws_url: &str,
    helix_url: &str,
    config: Config,
) -> (EventSubHandle, EventStream) {
    let chat = SubscriptionSpec::new(KIND, "1")
        .with_condition("broadcaster_user_id", USER_ID)
        .with_condition("user_id", USER_ID);
    let (handle, mut events) = EventSub::builder(CLIENT_ID, AccessToken::new(USER_TOKEN))
        .config(config)
        .eventsub_url(ws_url)
        .helix_url(helix_url)
        .seed(7)
        .subscribe(chat)
        .connect()
        .expect("client starts");
    let subscribed = async {
        while let Some(event) = events.next().await {
            match event {
                Event::SubscriptionCreated { .. } => return,
                Event::TokenValidated { .. } | Event::SessionReady { .. } => {}
                other => panic!("unexpected before the subscription: {other:?}"),
            }
        }
        panic!("stream ended before the subscription was created");
    };
    tokio::time::timeout(Duration::from_secs(10), subscribed)
        .await
        .expect("subscribed within 10 s");
    (handle, events)
}
