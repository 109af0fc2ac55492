//! The client's memory stays flat over a simulated hour of traffic: the duplicate filter (and
//! everything else a live session holds) is bounded by the config, whatever the run's length.
//!
//! One `eventsub_proto::Client` with the default limits (10,000 message ids for at most 600 s) gets
//! an hour of `channel.follow` notifications on fake time, in ten-minute phases of 40 a second
//! (the count limit evicts) and 5 a second (the age limit does). A counting global allocator gives
//! the process's heap bytes every simulated minute. This test is alone in its binary so nothing
//! else allocates meanwhile.
//!
//! `cargo test -p eventsub-tests --test dedup_memory -- --nocapture` prints the samples.

use std::alloc::System;
use std::time::{Duration, Instant, SystemTime};

use cap::Cap;
use eventsub_proto::{Client, ConnId, Created, Input, Output, SubscriptionId};
use eventsub_tests::sim::{Frames, Harness};

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

const MINUTES: u64 = 60;
/// The window first fills (10,000 ids at 40 a second) in the fifth minute.
const WARM_UP_MINUTES: usize = 5;
/// How far the heap may move after the warm-up: a leak of even one byte per notification would
/// take it past this within the first simulated minute.
const FLAT_WITHIN_BYTES: usize = 4 * 1024;

/// Notifications per second during `minute`.
fn rate(minute: u64) -> u64 {
    if (minute / 10) % 2 == 0 { 40 } else { 5 }
}

/// A client on fake time whose session is live with its subscription created.
struct Session {
    client: Client,
    conn: ConnId,
    now: Instant,
    /// The frames' `message_timestamp`, so the stale check runs and passes.
    received_at: SystemTime,
}

impl Session {
    fn start() -> Self {
        let now = Instant::now();
        let mut client = Client::new(Harness::config(), now).expect("valid config");
        let Some(Output::Connect { conn, .. }) = client.poll_output() else {
            panic!("the client connects first")
        };
        let received_at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_668_593_472);
        let mut session = Self {
            client,
            conn,
            now,
            received_at,
        };
        session.input(Input::Opened { conn });
        let welcome = Frames::default().welcome("00000000-0000-4000-8000-000000000000", "s", 10);
        session.text(&welcome);
        session
    }

    fn input(&mut self, input: Input<'_>) {
        self.client
            .handle_input(self.now, input)
            .expect("a known connection");
        self.drain();
    }

    fn text(&mut self, text: &str) {
        let (conn, received_at) = (self.conn, self.received_at);
        self.input(Input::Text {
            conn,
            text,
            received_at,
        });
    }

    /// Carries out the outputs: subscriptions are created, events are dropped as a user would
    /// after handling them.
    fn drain(&mut self) {
        while let Some(output) = self.client.poll_output() {
            match output {
                Output::CreateSubscription { request, .. } => {
                    let created = Created::new(SubscriptionId::new("sub"), 0, 0, 10);
                    self.client
                        .handle_input(
                            self.now,
                            Input::SubscriptionCreated {
                                request,
                                result: Ok(created),
                            },
                        )
                        .expect("a known request");
                }
                Output::Close { .. } | Output::Connect { .. } => {
                    panic!("the session should stay up: {output:?}")
                }
                _ => {}
            }
        }
    }

    fn advance(&mut self, by: Duration) {
        self.now += by;
        self.client.handle_timeout(self.now);
        self.drain();
    }
}

/// One notification frame whose message id is rewritten for each send (rendering JSON per
/// notification would make an hour take minutes in a debug build).
struct Notifications {
    frame: String,
    id_end: usize,
    sent: u64,
}

impl Notifications {
    fn new() -> Self {
        let id = "00000000-0000-4000-8000-000000000000";
        let frame = Frames::default().notification(id, "s", "channel.follow", 0);
        let id_end = frame.find(id).expect("the id is in the frame") + id.len();
        Self {
            frame,
            id_end,
            sent: 0,
        }
    }

    fn next(&mut self) -> &str {
        self.sent += 1;
        let digits = format!("{:012x}", self.sent);
        self.frame
            .replace_range(self.id_end - digits.len()..self.id_end, &digits);
        &self.frame
    }
}

#[test]
fn client_heap_is_flat_over_a_simulated_hour() {
    let mut session = Session::start();
    let mut notifications = Notifications::new();
    // Sized up front: its own growth would show in the samples.
    let mut samples = Vec::with_capacity(MINUTES as usize);
    for minute in 0..MINUTES {
        let per_second = rate(minute);
        for _ in 0..60 {
            for _ in 0..per_second {
                session.advance(Duration::from_secs(1) / per_second as u32);
                session.text(notifications.next());
            }
        }
        let stats = session.client.stats();
        samples.push((ALLOCATOR.allocated(), stats.dedup_entries));
    }
    println!("minute  rate/s  window entries  heap bytes");
    for (minute, (heap, entries)) in samples.iter().enumerate() {
        println!(
            "{minute:>6}  {:>6}  {entries:>14}  {heap:>10}",
            rate(minute as u64)
        );
    }
    let stats = session.client.stats();
    assert_eq!(stats.duplicates_dropped, 0, "every message id was new");
    assert_eq!(stats.stale_dropped, 0, "no notification was stale");
    let entries: Vec<usize> = samples.iter().map(|(_, entries)| *entries).collect();
    assert!(
        entries.iter().all(|&n| n <= 10_000),
        "the window keeps to its count"
    );
    assert!(
        entries[WARM_UP_MINUTES..].iter().any(|&n| n <= 3_001),
        "at 5 a second the age limit evicts (600 s x 5 = 3,000 ids)"
    );
    let settled = &samples[WARM_UP_MINUTES..];
    let low = settled
        .iter()
        .map(|(heap, _)| *heap)
        .min()
        .expect("samples");
    let high = settled
        .iter()
        .map(|(heap, _)| *heap)
        .max()
        .expect("samples");
    assert!(
        high - low <= FLAT_WITHIN_BYTES,
        "the heap moved by {} bytes after minute {WARM_UP_MINUTES} ({low}..={high})",
        high - low
    );
}
