//! The client's CPU per event end to end (issue 16): a load generator streams
//! `channel.chat.message` notifications over loopback to a tokio client that runs in a **child
//! process of its own**, so that its CPU time and peak RSS are the client's alone (the sender,
//! the mock EventSub and Helix, runs in this process). The child is the small program
//! `chat_load_client` (`tests/src/bin/`, code in `eventsub_tests::chat_load`), not this
//! benchmark's binary: its resident memory counts the code pages the process touches, and a
//! binary that also carries the mock and the benchmark is not what a user's client runs.
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
//! from the first send to the last event counted), the child's peak RSS (`VmHWM`; and at the end,
//! its anonymous memory and its mapped files' pages apart), the kernel's share of the client's two
//! threads' CPU (`utime`/`stime`, in ticks of 10 ms), and the events
//! lost (sent, not delivered) or delivered twice (the mock's message ids rise one by one: an id not
//! above the last one seen is a duplicate).
//!
//! `CHAT_LOAD_CLIENT_PREFIX` runs the client process under a command, such as
//! `valgrind --tool=callgrind --callgrind-out-file=/tmp/client.%p`: on a loaded machine, the
//! client's instruction count at two sizes gives a cost per event that noise does not move.
//!
//! `CHAT_LOAD_CLIENT=<path>` runs another build of the client program instead of this one's (to
//! compare two builds of the library, alternated, on a machine whose wall-clock figures drift):
//!
//! ```sh
//! cargo build --release -p eventsub-tests --bin chat_load_client && cp target/release/chat_load_client /tmp/client.old
//! # ... change the library, rebuild the bench ...
//! CHAT_LOAD_CLIENT=/tmp/client.old CHAT_LOAD_MODES=raw-bulk ../target/release/deps/chat_load-<hash> --bench
//! ```
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
use std::time::{Duration, Instant};

use eventsub_tests::chat_load::{RunReport, payload_check};
use load::KIND;

/// Events of the large run, unless `CHAT_LOAD_EVENTS` says otherwise.
const EVENTS: u64 = 100_000;
/// Events of the small run subtracted from it, unless `CHAT_LOAD_WARM` says otherwise.
const WARM: u64 = 2_000;
/// Paced sending rate, events per second, unless `CHAT_LOAD_RATE` says otherwise.
const RATE: u64 = 10_000;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
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

/// One mode: a fresh mock and client process, a small run and a large one.
fn run_mode(consumer: &str, paced: Option<u64>, warm: u64, events: u64) {
    let (mock_runtime, mock) = load::start_mock();
    // `CHAT_LOAD_CLIENT`: another build of the client program (a copy of `chat_load_client` built
    // from other library code), so that two builds are compared under one benchmark binary.
    let client = std::env::var("CHAT_LOAD_CLIENT")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_chat_load_client").to_owned());
    // `CHAT_LOAD_CLIENT_PREFIX`: a command to run the client process under (split at spaces),
    // such as `valgrind --tool=callgrind --callgrind-out-file=/tmp/client.%p`.
    let prefix = std::env::var("CHAT_LOAD_CLIENT_PREFIX").unwrap_or_default();
    let mut command = prefix.split_whitespace();
    let mut child = match command.next() {
        Some(program) => {
            let mut child = Command::new(program);
            child.args(command).arg(&client);
            child
        }
        None => Command::new(&client),
    };
    let mut child = child
        .args([&mock.ws_url(), &mock.helix_url(), consumer])
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
         (discarded as Lagged: {}), duplicates {}; client process peak RSS {:.2} MiB (at the end \
         {:.2} MiB anonymous + {:.2} MiB of mapped files)",
        large.delivered,
        large.wall_ns as f64 / 1e9,
        large.delivered as f64 / (large.wall_ns as f64 / 1e9),
        large.lagged,
        large.duplicates,
        large.peak_kib as f64 / 1024.0,
        large.anon_kib as f64 / 1024.0,
        large.file_kib as f64 / 1024.0,
    );
    println!(
        "  sleeps in the large run: client thread {} ({:.1} events each), user's loop {} ({:.1} \
         events each)",
        large.client_sleeps,
        large.delivered as f64 / large.client_sleeps.max(1) as f64,
        large.consumer_sleeps,
        large.delivered as f64 / large.consumer_sleeps.max(1) as f64,
    );
    // Three busy threads (the mock's sender, the client's, the user's loop) on fewer CPUs take
    // turns: many preemptions go with the slow runs.
    println!(
        "  taken off a CPU while runnable in the large run: client thread {}, user's loop {}",
        large.client_preempted, large.consumer_preempted,
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
