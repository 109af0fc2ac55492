//! A burst against a slow consumer, under the default overflow policy (backpressure): the mock
//! blasts `channel.chat.message` notifications back to back at full speed over loopback
//! ([`eventsub_mock::MockEventSub::blast`]) to a tokio client (current-thread runtime on a thread of its own)
//! whose consumer, on another thread, spends 5 µs on each event. Reports how many were lost (the
//! goal is 0 of 1,000,000) and delivered twice (the goal is 0), the delivery rate and the
//! process's peak RSS (mock included).
//!
//! `cargo bench -p eventsub-tests --bench burst` (`BURST_EVENTS=20000` for a shorter run; the
//! CI-sized version is the e2e test
//! `a_burst_to_a_consumer_spending_5us_per_event_loses_nothing_under_backpressure`).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod load;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use eventsub_mock::message_number;
use eventsub_proto::Event;
use eventsub_tests::measure::Resident;
use futures_util::StreamExt;
use load::KIND;

/// Notifications in the burst, unless `BURST_EVENTS` says otherwise.
const EVENTS: u64 = 1_000_000;
/// What the consumer spends on each event.
const WORK_PER_EVENT: Duration = Duration::from_micros(5);
/// Far longer than the burst should take: a stuck run fails instead of hanging.
const TIMEOUT: Duration = Duration::from_secs(600);

fn spin_for(work: Duration) {
    let until = Instant::now() + work;
    while Instant::now() < until {
        std::hint::spin_loop();
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs it with no argument: a smoke run.
    let benching = std::env::args().any(|arg| arg == "--bench");
    let events = std::env::var("BURST_EVENTS")
        .ok()
        .and_then(|count| count.parse().ok())
        .unwrap_or(if benching { EVENTS } else { 2_000 });
    let (_mock_runtime, mock) = load::start_mock();
    let (ws_url, helix_url) = (mock.ws_url(), mock.helix_url());

    let delivered = Arc::new(AtomicU64::new(0));
    let duplicates = Arc::new(AtomicU64::new(0));
    let lagged = Arc::new(AtomicU64::new(0));
    let (ready, client_ready) = std::sync::mpsc::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let client_thread = std::thread::spawn(move || {
        eventsub_tests::chat_load::client_runtime().block_on(async move {
            let (handle, events) = load::connect_subscribed(&ws_url, &helix_url).await;
            ready.send(events).expect("main waits");
            let _ = stopped.await;
            handle.shutdown().await;
        });
    });
    let mut stream = client_ready.recv().expect("the client starts");
    let consumer = {
        let (delivered, duplicates, lagged) =
            (delivered.clone(), duplicates.clone(), lagged.clone());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("consumer runtime");
            runtime.block_on(async {
                // The blast's ids rise one by one on one socket: an id not above the last one
                // seen is one delivered again.
                let mut last_number = None;
                while let Some(event) = stream.next().await {
                    match event {
                        Event::Notification(notification) => {
                            let number = message_number(&notification.message_id().to_string());
                            if number.is_none() || number <= last_number {
                                duplicates.fetch_add(1, Ordering::Relaxed);
                            } else {
                                last_number = number;
                            }
                            delivered.fetch_add(1, Ordering::Relaxed);
                        }
                        Event::Lagged { missed, .. } => {
                            lagged.fetch_add(missed, Ordering::Relaxed);
                        }
                        _ => {}
                    }
                    spin_for(WORK_PER_EVENT);
                }
            });
        })
    };

    let start = Instant::now();
    let blast = mock.blast(KIND, events).expect("a live subscription");
    let deadline = start + TIMEOUT;
    while delivered.load(Ordering::Relaxed) + lagged.load(Ordering::Relaxed) < events
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(1));
    }
    let took = start.elapsed();
    let delivered = delivered.load(Ordering::Relaxed);
    let duplicates = duplicates.load(Ordering::Relaxed);
    let resident = Resident::now();
    let _ = stop.send(());
    client_thread.join().expect("the client thread ends");
    consumer.join().expect("the consumer ends");
    let lost = events.saturating_sub(delivered - duplicates);
    println!(
        "burst: {events} notifications of {} bytes, consumer spending {WORK_PER_EVENT:?} per event, \
         overflow policy: backpressure (the default)",
        blast.frame_bytes
    );
    println!(
        "  delivered {delivered}, lost {lost} (reported as Lagged: {}), duplicates {duplicates}, \
         in {:.2} s ({:.0} events/s)",
        lagged.load(Ordering::Relaxed),
        took.as_secs_f64(),
        delivered as f64 / took.as_secs_f64()
    );
    if let Some(resident) = resident {
        println!(
            "  RSS {} KiB now, {} KiB at its peak (the whole process, mock included)",
            resident.rss_kib, resident.peak_kib
        );
    }
    assert_eq!(lost, 0, "backpressure loses nothing");
    assert_eq!(duplicates, 0, "nothing is delivered twice");
}
