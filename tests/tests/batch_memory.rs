//! Handling one frame holds at most about four times the frame, whatever its shape: a batched
//! notification of thousands of events whose subscription is large (a "batch bomb") shares the
//! frame among its events instead of copying the subscription into each, and the core hands the
//! events out one at a time as `poll_output` is drained.
//!
//! A counting global allocator (with its high-water mark) measures the peak of the heap while the
//! frame is handled and drained; this test is alone in its binary so nothing else allocates
//! meanwhile. `cargo test -p eventsub-tests --test batch_memory -- --nocapture` prints the figures.

use std::alloc::System;
use std::collections::BTreeSet;

use cap::Cap;
use eventsub_proto::{Event, Input};
use eventsub_tests::sim::{Frames, Harness, LiveSession};

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// The fixed part allowed on top of four times the frame.
const FIXED_BYTES: usize = 16 * 1024;

#[test]
fn a_batch_bomb_holds_at_most_four_times_its_frame_and_delivers_every_event_once() {
    const ITEMS: usize = 4_000;
    let mut session = LiveSession::start(Harness::config());
    let frame = Frames::default().batch_notification(
        "00000000-0000-4000-8000-00000000b0b0",
        "s",
        "channel.follow",
        ITEMS,
        96 * 1024,
    );
    let mut delivered = BTreeSet::new();
    let mut duplicates = 0;
    let before = ALLOCATOR.allocated();
    let peak_before = ALLOCATOR.max_allocated();
    let (conn, received_at) = (session.conn, session.received_at);
    session.feed(Input::Text {
        conn,
        text: &frame,
        received_at,
    });
    session.drain(|event| match event {
        Event::Notification(notification) => {
            let id: usize = notification
                .batch_item_id()
                .expect("a batch item")
                .parse()
                .expect("a number");
            assert_eq!(notification.event_json(), format!("{{\"n\":{id}}}"));
            assert!(notification.subscription_json().len() > 96 * 1024);
            if !delivered.insert(id) {
                duplicates += 1;
            }
        }
        other => panic!("only notifications expected: {other:?}"),
    });
    let peak = ALLOCATOR.max_allocated().saturating_sub(before);
    assert!(
        peak_before <= before + FIXED_BYTES,
        "the baseline's own high-water mark ({peak_before}) hides the measurement ({before})"
    );
    println!(
        "frame {} bytes, {ITEMS} events: peak {peak} bytes above the baseline ({:.2}x the frame)",
        frame.len(),
        peak as f64 / frame.len() as f64
    );
    assert_eq!(duplicates, 0, "no event delivered twice");
    assert_eq!(delivered.len(), ITEMS, "every event delivered");
    assert!(
        peak <= 4 * frame.len() + FIXED_BYTES,
        "handling a {} byte frame held {peak} bytes at its peak",
        frame.len()
    );
}
