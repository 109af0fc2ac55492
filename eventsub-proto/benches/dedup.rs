//! The duplicate filter at 10^3, 10^4, 10^5 and 10^6 entries, through the client (the window is
//! private): the time per notification with the window full and evicting, and the heap it holds.
//!
//! Each notification is the `channel.follow` v2 frame with a fresh message id, fed through
//! `handle_input` + draining `poll_output`, with `dedup_max_entries` at the window size and an age
//! limit that never expires (time stands still), so the count limit is what evicts. The time is the
//! whole per-notification path: the window's share is its growth over the 10^3 row.
//!
//! Criterion (prints the memory table first): `cargo bench -p eventsub-proto --bench dedup`.
//! Memory only (heap bytes from a counting global allocator): `... --bench dedup -- memory`.
//!
//! Instruction counts: callgrind collects only inside `measured_notifications`, so the total over
//! `count` notifications divided by `count` is one notification:
//! ```sh
//! cargo bench -p eventsub-proto --bench dedup --no-run
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect='*measured_notifications*' \
//!     target/release/deps/dedup-* count 1000000 5000
//! ```
#![allow(clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::alloc::System;
use std::hint::black_box;
use std::ops::Range;
use std::time::{Instant, SystemTime};

use cap::Cap;
use common::{FOLLOW, live_client, wall_time};
use criterion::{BenchmarkId, Criterion};
use eventsub_proto::{Client, ConnId, Input};

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

const SIZES: [usize; 4] = [1_000, 10_000, 100_000, 1_000_000];

/// A live client and one notification frame whose message id is rewritten in place for each
/// notification, so a 10^6 window needs no 10^6 frames in memory.
struct Feed {
    client: Client,
    conn: ConnId,
    now: Instant,
    received_at: SystemTime,
    frame: String,
    /// The last 12 hex digits of the frame's message id.
    id_digits: Range<usize>,
    sequence: u64,
}

impl Feed {
    fn new(window: usize) -> Self {
        let (client, conn, now) = live_client(window);
        let key = "\"message_id\":\"";
        let id_start = FOLLOW.find(key).expect("frame has a message id") + key.len();
        Self {
            client,
            conn,
            now,
            received_at: wall_time(),
            frame: FOLLOW.to_owned(),
            id_digits: id_start + 24..id_start + 36,
            sequence: 0,
        }
    }

    fn notify(&mut self) {
        let mut digits = [b'0'; 12];
        for (shift, digit) in digits.iter_mut().rev().enumerate() {
            *digit = b"0123456789abcdef"[((self.sequence >> (4 * shift)) & 0xf) as usize];
        }
        self.sequence += 1;
        let digits = std::str::from_utf8(&digits).expect("hex digits");
        self.frame.replace_range(self.id_digits.clone(), digits);
        self.client
            .handle_input(
                self.now,
                Input::Text {
                    conn: self.conn,
                    text: black_box(&self.frame),
                    received_at: self.received_at,
                },
            )
            .expect("known connection");
        while let Some(output) = self.client.poll_output() {
            let _ = black_box(output);
        }
    }

    /// Fills the window and keeps evicting until its heap has settled: the id set's hash table
    /// can double once after the window first fills (at 10^5 entries it does, about three windows
    /// in, as removed ids leave tombstones), and is flat from then on; four windows cover it.
    fn fill(&mut self, window: usize) {
        for _ in 0..window * 4 {
            self.notify();
        }
        assert_eq!(self.client.stats().dedup_entries, window, "window is full");
        assert_eq!(self.client.stats().duplicates_dropped, 0, "every id is new");
    }
}

/// A client at steady state with a full window of `window` entries.
fn full_feed(window: usize) -> Feed {
    let mut feed = Feed::new(window);
    feed.fill(window);
    feed
}

/// Heap bytes of a client at steady state, against one whose window holds a single entry: the
/// difference is the window.
fn memory_report() {
    let heap_of = |window: usize| {
        let before = ALLOCATOR.allocated();
        let feed = full_feed(window);
        let bytes = ALLOCATOR.allocated() - before;
        drop(feed);
        bytes
    };
    let baseline = heap_of(1);
    println!("dedup window heap (client at steady state, window full and evicting)");
    println!("client with a 1-entry window: {baseline} bytes");
    println!(
        "{:>9} {:>14} {:>14} {:>10}",
        "entries", "client bytes", "window bytes", "per entry"
    );
    for window in SIZES {
        let client = heap_of(window);
        let in_window = client - baseline;
        println!(
            "{window:>9} {client:>14} {in_window:>14} {:>10.1}",
            in_window as f64 / window as f64
        );
    }
}

fn criterion_benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("dedup/notification");
    for window in SIZES {
        let mut feed = full_feed(window);
        group.bench_function(BenchmarkId::from_parameter(window), |b| {
            b.iter(|| feed.notify())
        });
    }
    group.finish();
}

#[inline(never)]
fn measured_notifications(feed: &mut Feed, count: usize) {
    for _ in 0..count {
        feed.notify();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.as_slice() {
        [_, mode, window, count] if mode == "count" => {
            let mut feed = full_feed(window.parse().expect("a window size"));
            measured_notifications(&mut feed, count.parse().expect("a count"));
        }
        _ if args.iter().any(|arg| arg == "memory") => memory_report(),
        _ => {
            memory_report();
            let mut criterion = Criterion::default().configure_from_args();
            criterion_benches(&mut criterion);
            criterion.final_summary();
        }
    }
}
