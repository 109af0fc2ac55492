//! The client's CPU per event end to end (issue 16): a load generator streams
//! `channel.chat.message` notifications over loopback to a tokio client that runs in a **child
//! process of its own**, so that its CPU time and peak RSS are the client's alone (the sender,
//! the mock EventSub and Helix, runs in this process).
//!
//! ```sh
//! cargo bench -p eventsub-tests --bench chat_load                       # every mode below
//! CHAT_LOAD_MODES=typed-bulk cargo bench -p eventsub-tests --bench chat_load
//! CHAT_LOAD_EVENTS=200000 CHAT_LOAD_RATE=20000 cargo bench -p eventsub-tests --bench chat_load
//! ```
//!
//! Modes are `<consumer>-<sender>`:
//! - consumer `typed`: the user's loop takes `events.typed::<kinds::ChannelChatMessage>()` and
//!   reads the decoded event; `raw`: it takes the untyped stream and only looks at the message id
//!   (routing only, no decode).
//! - sender `bulk`: the mock blasts the notifications back to back, as fast as the client reads
//!   ([`eventsub_mock::MockEventSub::blast`]); `paced`: one notification at a time at `CHAT_LOAD_RATE` per second
//!   (default 10,000), so that every event costs the client its own wake-ups.
//!
//! The client process runs the client on a current-thread runtime on one thread, and the user's
//! loop on a second thread (as in the issue's measurement). For each mode the client is measured
//! over a small run (`CHAT_LOAD_WARM`, default 2,000 events) and a large one (`CHAT_LOAD_EVENTS`,
//! default 100,000); the figure per event is the difference of the two divided by the difference
//! of their sizes, so start-up and per-run constants cancel out. CPU times are read from
//! `/proc/self/task/<tid>/schedstat` (nanoseconds, user and system together) of the client's two
//! threads, and of the whole child process. Also reported: events/s of the large run (wall time
//! from the first send to the last event counted), the child's peak RSS (`VmHWM`), and the events
//! lost (sent, not delivered) or delivered twice (the mock's message ids rise one by one: an id not
//! above the last one seen is a duplicate).
//!
//! `CHAT_LOAD_CLIENT_PREFIX` runs the client process under a command, such as
//! `valgrind --tool=callgrind --callgrind-out-file=/tmp/client.%p`: on a loaded machine, the
//! client's instruction count at two sizes gives a cost per event that noise does not move.
//!
//! `CHAT_LOAD_PAYLOAD_CHECK=eager` runs the client with `PayloadCheck::Eager` (the core reads the
//! whole frame as JSON before delivery); the default is the configuration's, `PayloadCheck::Deferred`
//! (the lazy envelope: the core reads a notification's metadata only).
//!
//! Without `--bench` (as `cargo test --benches` runs it) it is a smoke run of 500 events.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod load;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use eventsub_mock::message_number_of;
use eventsub_mock::scenario::client_config;
use eventsub_proto::{Event, PayloadCheck};
use eventsub_tests::measure::{
    Resident, current_thread_id, process_cpu_time, thread_cpu_time, thread_user_system_ticks,
};
use eventsub_tokio::{EventStream, EventSubHandle, Typed, kinds};
use futures_util::StreamExt;
use load::KIND;

/// Events of the large run, unless `CHAT_LOAD_EVENTS` says otherwise.
const EVENTS: u64 = 100_000;
/// Events of the small run subtracted from it, unless `CHAT_LOAD_WARM` says otherwise.
const WARM: u64 = 2_000;
/// Paced sending rate, events per second, unless `CHAT_LOAD_RATE` says otherwise.
const RATE: u64 = 10_000;
/// Far longer than any run should take: a stuck run fails instead of hanging.
const TIMEOUT: Duration = Duration::from_secs(300);

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--client") {
        client_process(&args[2], &args[3], &args[4]);
        return;
    }
    let benching = args.iter().any(|arg| arg == "--bench");
    let (events, warm) = if benching {
        (
            env_u64("CHAT_LOAD_EVENTS", EVENTS),
            env_u64("CHAT_LOAD_WARM", WARM),
        )
    } else {
        (500, 100)
    };
    let rate = env_u64("CHAT_LOAD_RATE", RATE).max(1);
    let modes = std::env::var("CHAT_LOAD_MODES")
        .unwrap_or_else(|_| "typed-bulk,raw-bulk,typed-paced,raw-paced".to_owned());
    let modes: Vec<&str> = if benching {
        modes.split(',').collect()
    } else {
        vec!["typed-bulk", "raw-paced"]
    };
    for mode in modes {
        let (consumer, sender) = mode.split_once('-').expect("<consumer>-<sender>");
        assert!(matches!(consumer, "typed" | "raw"), "consumer typed or raw");
        let paced = match sender {
            "bulk" => None,
            "paced" => Some(rate),
            other => panic!("unknown sender {other}"),
        };
        run_mode(consumer, paced, warm, events);
    }
}

/// What the client process says about one run.
#[derive(Clone, Copy, Debug, Default)]
struct RunReport {
    /// CPU of the client's thread plus the user's loop's thread, nanoseconds.
    client_ns: u64,
    /// CPU of the user's loop's thread alone.
    consumer_ns: u64,
    /// CPU of every thread of the client process.
    process_ns: u64,
    /// From the start command to the last event counted.
    wall_ns: u64,
    delivered: u64,
    duplicates: u64,
    lagged: u64,
    peak_kib: u64,
    /// Clock ticks (10 ms) of the client's thread and the user's loop in user space, and in the
    /// kernel (socket reads, wake-ups, and on loopback the sender's TCP work that the kernel does
    /// in the reader's context).
    user_ticks: u64,
    system_ticks: u64,
}

impl RunReport {
    /// Reads the line [`RunReport::line`] wrote.
    fn parse(line: &str) -> Self {
        let mut numbers = line
            .split_whitespace()
            .skip(1)
            .map(|number| number.parse().expect("a number"));
        let mut next = || numbers.next().expect("a report of 10 numbers");
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
        }
    }

    /// The report as the client process writes it.
    fn line(&self) -> String {
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
        ];
        let mut line = "done".to_owned();
        for number in numbers {
            line.push_str(&format!(" {number}"));
        }
        line
    }
}

/// One mode: a fresh mock and client process, a small run and a large one.
fn run_mode(consumer: &str, paced: Option<u64>, warm: u64, events: u64) {
    let (mock_runtime, mock) = load::start_mock();
    let this = std::env::current_exe().expect("this bench");
    // `CHAT_LOAD_CLIENT_PREFIX`: a command to run the client process under (split at spaces),
    // such as `valgrind --tool=callgrind --callgrind-out-file=/tmp/client.%p`.
    let prefix = std::env::var("CHAT_LOAD_CLIENT_PREFIX").unwrap_or_default();
    let mut command = prefix.split_whitespace();
    let mut child = match command.next() {
        Some(program) => {
            let mut child = Command::new(program);
            child.args(command).arg(&this);
            child
        }
        None => Command::new(&this),
    };
    let mut child = child
        .args(["--client", &mock.ws_url(), &mock.helix_url(), consumer])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the client process starts");
    let mut to_client = child.stdin.take().expect("piped");
    let mut from_client = BufReader::new(child.stdout.take().expect("piped"));
    let mut line = String::new();
    let mut read_line = |line: &mut String| {
        line.clear();
        from_client.read_line(line).expect("the client answers");
        assert!(!line.is_empty(), "the client process ended early");
    };
    read_line(&mut line);
    assert_eq!(line.trim(), "ready", "the client subscribes");
    let mut frame_bytes = 0;
    let mut run = |count: u64| -> RunReport {
        writeln!(to_client, "run {count}").expect("the client listens");
        read_line(&mut line);
        assert_eq!(line.trim(), "go");
        match paced {
            None => {
                frame_bytes = mock.blast(KIND, count).expect("subscribed").frame_bytes;
            }
            Some(rate) => {
                let start = Instant::now();
                for sent in 0..count {
                    let due = start + Duration::from_secs_f64(sent as f64 / rate as f64);
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    frame_bytes = mock.blast(KIND, 1).expect("subscribed").frame_bytes;
                }
            }
        }
        read_line(&mut line);
        RunReport::parse(&line)
    };
    let small = run(warm);
    let large = run(events);
    writeln!(to_client, "stop").expect("the client listens");
    let status = child.wait().expect("the client process ends");
    assert!(status.success(), "the client process failed");

    let extra = (events - warm) as f64;
    let per_event = |large: u64, small: u64| large.saturating_sub(small) as f64 / extra / 1000.0;
    let lost = events.saturating_sub(large.delivered - large.duplicates);
    let sender = match paced {
        None => "bulk (back to back)".to_owned(),
        Some(rate) => format!("paced at {rate} events/s"),
    };
    println!(
        "chat_load: consumer {consumer}, sender {sender}, frames of {frame_bytes} B, payload check {:?}",
        payload_check()
    );
    println!(
        "  client CPU per event: {:.3} µs (client thread + user's loop; user's loop alone {:.3} µs; \
         whole client process {:.3} µs), ({events} - {warm}) events",
        per_event(large.client_ns, small.client_ns),
        per_event(large.consumer_ns, small.consumer_ns),
        per_event(large.process_ns, small.process_ns),
    );
    println!(
        "  large run: {events} sent, {} delivered in {:.3} s ({:.0} events/s), lost {lost} \
         (discarded as Lagged: {}), duplicates {}; client process peak RSS {:.2} MiB",
        large.delivered,
        large.wall_ns as f64 / 1e9,
        large.delivered as f64 / (large.wall_ns as f64 / 1e9),
        large.lagged,
        large.duplicates,
        large.peak_kib as f64 / 1024.0,
    );
    let ticks = large.user_ticks + large.system_ticks;
    if ticks > 0 {
        println!(
            "  of the client's two threads' CPU in the large run, {:.0} % in the kernel ({} user + \
             {} kernel ticks of 10 ms; CHAT_LOAD_EVENTS=1000000 makes the split finer)",
            100.0 * large.system_ticks as f64 / ticks as f64,
            large.user_ticks,
            large.system_ticks,
        );
    }
    assert_eq!(lost, 0, "nothing lost");
    assert_eq!(large.duplicates, 0, "nothing delivered twice");
    drop(mock);
    drop(mock_runtime);
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
fn payload_check() -> PayloadCheck {
    match std::env::var("CHAT_LOAD_PAYLOAD_CHECK").as_deref() {
        Ok("eager") => PayloadCheck::Eager,
        Ok("deferred") => PayloadCheck::Deferred,
        _ => PayloadCheck::default(),
    }
}

/// As [`load::connect_subscribed`], with the payload check of [`payload_check`].
async fn connect(ws_url: &str, helix_url: &str) -> (EventSubHandle, EventStream) {
    let mut config = client_config();
    config.payload_check = payload_check();
    load::connect_subscribed_with(ws_url, helix_url, config).await
}

/// The client process: subscribes, then answers `run <count>` with `go`, waits until `count` more
/// events are settled and answers with a report; ends on `stop`.
fn client_process(ws_url: &str, helix_url: &str, consumer: &str) {
    let typed = consumer == "typed";
    let counts = Arc::new(Counts::default());
    let (started, client_started) = std::sync::mpsc::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (ws_url, helix_url) = (ws_url.to_owned(), helix_url.to_owned());
    let loop_counts = counts.clone();
    let client_thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("client runtime");
        runtime.block_on(async move {
            let (handle, events) = connect(&ws_url, &helix_url).await;
            let client_tid = current_thread_id().expect("a thread id");
            let (loop_started, loop_tid) = std::sync::mpsc::channel();
            let consumer = std::thread::spawn(move || {
                loop_started
                    .send(current_thread_id().expect("a thread id"))
                    .expect("the client waits");
                tokio::runtime::Builder::new_current_thread()
                    .build()
                    .expect("consumer runtime")
                    .block_on(consume(events, typed, loop_counts));
            });
            let consumer_tid = loop_tid.recv().expect("the loop starts");
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
        let process_before = process_cpu_time().expect("schedstat").as_nanos() as u64;
        let start = Instant::now();
        writeln!(stdout, "go").expect("the bench reads");
        stdout.flush().expect("the bench reads");
        let deadline = start + TIMEOUT;
        // Sleeps between looks, so that this thread takes next to no CPU.
        while counts.settled() < target {
            assert!(Instant::now() < deadline, "the run did not settle");
            std::thread::sleep(Duration::from_micros(200));
        }
        let wall = start.elapsed();
        let (client_after, consumer_after) = (cpu(client_tid), cpu(consumer_tid));
        let (user_after, system_after) = both_ticks();
        let process_after = process_cpu_time().expect("schedstat").as_nanos() as u64;
        let report = RunReport {
            client_ns: (client_after + consumer_after) - (client_before + consumer_before),
            consumer_ns: consumer_after - consumer_before,
            process_ns: process_after - process_before,
            wall_ns: wall.as_nanos() as u64,
            delivered: counts.delivered.load(Ordering::Relaxed) - delivered,
            duplicates: counts.duplicates.load(Ordering::Relaxed) - duplicates,
            lagged: counts.lagged.load(Ordering::Relaxed) - lagged,
            peak_kib: Resident::now().map_or(0, |resident| resident.peak_kib),
            user_ticks: user_after - user_before,
            system_ticks: system_after - system_before,
        };
        writeln!(stdout, "{}", report.line()).expect("the bench reads");
        stdout.flush().expect("the bench reads");
    }
    let _ = stop.send(());
    client_thread.join().expect("the client thread ends");
}
