//! The tokio adapter end to end over loopback: one connection to the mock EventSub server, which
//! blasts `channel.chat.message` notifications back to back ([`MockEventSub::blast`]). The client
//! runs on a current-thread runtime on a thread of its own, so on one core at most; a notification
//! counts when the user's loop has taken it off the event stream.
//!
//! Two placements of that loop, each with a report (one blast of 200,000: events per second, CPU
//! time per 10,000 events of the client's thread, the consumer's and the mock's, events discarded
//! for a full event buffer, the process's RSS):
//! - `own thread`: the loop runs on a thread of its own; the client's thread only drives the
//!   client. Criterion then times blasts of 10,000 in this placement.
//! - `same thread`: the loop is a task on the client's runtime, as in a
//!   `#[tokio::main(flavor = "current_thread")]` program.
//!
//! `cargo bench -p eventsub-tests --bench loopback -- --warm-up-time 1 --measurement-time 3`
//!
//! The RSS here is the whole bench process, mock and criterion included; the `idle_rss` example
//! measures a process that holds only the client.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod load;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput};
use eventsub_mock::MockEventSub;
use eventsub_tests::measure::{Resident, current_thread_id, thread_cpu_time};
use eventsub_tokio::EventSubHandle;
use load::{KIND, Tally};
use tokio::runtime::{Builder, Runtime};

/// Notifications per criterion iteration.
const BATCH: u64 = 10_000;
/// Notifications of a report's blast.
const REPORT_EVENTS: u64 = 200_000;
/// Far longer than any blast should take: a stuck run fails instead of hanging.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Where the user's loop over the event stream runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Consumer {
    OwnThread,
    SameThread,
}

/// What the client thread reports once subscribed.
struct Started {
    handle: EventSubHandle,
    client_thread: u32,
    consumer_thread: Option<u32>,
}

/// Connects a client on a current-thread runtime on a new thread and counts its notifications
/// into `tally` where `consumer` says; runs until the client has finished.
fn spawn_client(
    ws_url: String,
    helix_url: String,
    consumer: Consumer,
    tally: Arc<Tally>,
) -> Started {
    let (started, client_started) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("client".to_owned())
        .spawn(move || {
            let runtime = Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("client runtime");
            runtime.block_on(async move {
                let (handle, events) = load::connect_subscribed(&ws_url, &helix_url).await;
                let client_thread = current_thread_id().expect("a thread id");
                let finished = handle.clone();
                match consumer {
                    Consumer::OwnThread => {
                        let (consumer, tid) = load::tally_on_own_thread(events, tally);
                        let report = Started {
                            handle,
                            client_thread,
                            consumer_thread: Some(tid),
                        };
                        started.send(report).expect("the bench waits");
                        finished.finished().await;
                        consumer.join().expect("the consumer ends with the stream");
                    }
                    Consumer::SameThread => {
                        let report = Started {
                            handle,
                            client_thread,
                            consumer_thread: None,
                        };
                        started.send(report).expect("the bench waits");
                        load::tally_events(events, tally).await;
                    }
                }
            });
        })
        .expect("client thread");
    client_started.recv().expect("client subscribed")
}

/// The mock on a runtime of its own, and a client whose notifications are counted.
struct Rig {
    consumer: Consumer,
    mock: MockEventSub,
    /// The mock's runtime threads, to read their CPU time.
    mock_threads: Arc<Mutex<Vec<u32>>>,
    client: Started,
    tally: Arc<Tally>,
    frame_bytes: usize,
    mock_runtime: Runtime,
}

impl Rig {
    fn start(consumer: Consumer) -> Self {
        let mock_threads = Arc::new(Mutex::new(Vec::new()));
        let threads = mock_threads.clone();
        let mock_runtime = Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .on_thread_start(move || {
                if let Some(tid) = current_thread_id() {
                    threads
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(tid);
                }
            })
            .build()
            .expect("mock runtime");
        let mock = load::start_mock_on(&mock_runtime);
        let tally = Arc::new(Tally::default());
        let client = spawn_client(mock.ws_url(), mock.helix_url(), consumer, tally.clone());
        let mut rig = Self {
            consumer,
            mock,
            mock_threads,
            client,
            tally,
            frame_bytes: 0,
            mock_runtime,
        };
        rig.blast(1);
        rig
    }

    /// Blasts `count` notifications and waits until the client has settled every one (delivered
    /// or discarded); the wall time from the command to the last one.
    fn blast(&mut self, count: u64) -> Duration {
        let target = self.tally.settled() + count;
        let start = Instant::now();
        let blast = self.mock.blast(KIND, count).expect("a live subscription");
        self.frame_bytes = blast.frame_bytes;
        assert!(
            self.tally.wait_for(target, TIMEOUT),
            "{} of {target} settled after {TIMEOUT:?}",
            self.tally.settled()
        );
        start.elapsed()
    }

    fn cpu(&self) -> [Duration; 3] {
        let of = |tid: u32| thread_cpu_time(tid).expect("schedstat of a thread");
        let mock_threads = self
            .mock_threads
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        [
            of(self.client.client_thread),
            self.client.consumer_thread.map_or(Duration::ZERO, of),
            mock_threads.iter().map(|&tid| of(tid)).sum(),
        ]
    }

    fn report(&mut self) {
        let (cpu_before, delivered_before, lagged_before) =
            (self.cpu(), self.tally.notifications(), self.tally.lagged());
        let wall = self.blast(REPORT_EVENTS);
        let cpu_after = self.cpu();
        let delivered = self.tally.notifications() - delivered_before;
        let lagged = self.tally.lagged() - lagged_before;
        println!(
            "consumer on the {}: {REPORT_EVENTS} notifications of {} B in {wall:.3?}",
            match self.consumer {
                Consumer::OwnThread => "own thread",
                Consumer::SameThread => "client's thread",
            },
            self.frame_bytes
        );
        println!(
            "  delivered {delivered} ({:.0} events/s), discarded for a full event buffer {lagged}",
            delivered as f64 / wall.as_secs_f64()
        );
        let names = ["client thread", "consumer thread", "mock"];
        for ((name, before), after) in names.iter().zip(cpu_before).zip(cpu_after) {
            let cpu = after - before;
            println!(
                "  {name} CPU: {cpu:.3?} = {:.3?} per 10,000 events ({:.0}% of a core)",
                cpu * 10_000 / REPORT_EVENTS as u32,
                100.0 * cpu.as_secs_f64() / wall.as_secs_f64()
            );
        }
        if let Some(resident) = Resident::now() {
            println!("  bench process (client, mock, criterion): {resident}");
        }
    }

    /// Shuts the client down (close 1000) and waits until it has finished.
    fn stop(self) {
        self.mock_runtime.block_on(self.client.handle.shutdown());
    }
}

fn main() {
    let mut rig = Rig::start(Consumer::OwnThread);
    rig.report();
    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("tokio_loopback");
    group
        .throughput(Throughput::Elements(BATCH))
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat);
    group.bench_function("chat_notifications_10k", |b| {
        b.iter_custom(|iterations| (0..iterations).map(|_| rig.blast(BATCH)).sum())
    });
    group.finish();
    criterion.final_summary();
    // Criterion's times count a discarded event as done: say how many there were.
    println!(
        "discarded for a full event buffer, whole own-thread run: {}",
        rig.tally.lagged()
    );
    rig.stop();
    let mut rig = Rig::start(Consumer::SameThread);
    rig.report();
    rig.stop();
}
