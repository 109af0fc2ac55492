//! The duplicate filter is bounded in bytes, not only in entries: a message id costs it the same
//! whatever its length, and `Config::dedup_max_bytes` caps what it holds.
//!
//! A counting global allocator gives the heap the client holds after each run; the tests take a
//! lock so that only one of them allocates at a time.

use std::alloc::System;
use std::sync::Mutex;

use cap::Cap;
use eventsub_tests::sim::{Harness, LiveSession, NumberedNotifications};

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// What the client's bookkeeping may move by besides the filter (its queues' slack).
const SLACK_BYTES: usize = 4 * 1024;

#[test]
fn long_message_ids_cost_the_filter_no_more_than_uuids() {
    let _alone = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    const IDS: usize = 32;
    let id = "x".repeat(256 * 1024);
    let mut notifications = NumberedNotifications::new(&id);
    let mut session = LiveSession::start(Harness::config());
    // One frame first, so that whatever a first notification sizes up front is in the baseline.
    session.text(notifications.next_frame());
    let before = ALLOCATOR.allocated();
    for _ in 1..IDS {
        session.text(notifications.next_frame());
    }
    let held = ALLOCATOR.allocated().saturating_sub(before);
    println!("{IDS} ids of 256 KiB: the filter holds {held} bytes more");
    assert_eq!(session.client.stats().dedup_entries, IDS);
    // Before: each 256 KiB id was kept twice, 525 KB an entry.
    assert!(
        held <= IDS * 128 + SLACK_BYTES,
        "{held} bytes for {IDS} remembered ids"
    );
    session.text(notifications.again());
    assert_eq!(
        session.client.stats().duplicates_dropped,
        1,
        "a long id is still recognised when sent again"
    );
}

#[test]
fn the_filter_keeps_to_its_byte_limit() {
    let _alone = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    const LIMIT: usize = 64 * 1024;
    let mut config = Harness::config();
    config.dedup_max_entries = 1_000_000;
    config.dedup_max_bytes = LIMIT;
    let mut notifications = NumberedNotifications::new("00000000-0000-4000-8000-000000000000");
    let mut session = LiveSession::start(config);
    let before = ALLOCATOR.allocated();
    for _ in 0..5_000 {
        session.text(notifications.next_frame());
    }
    let held = ALLOCATOR.allocated().saturating_sub(before);
    let entries = session.client.stats().dedup_entries;
    println!("5,000 ids, limit {LIMIT} bytes: {entries} remembered, {held} bytes held");
    assert!(entries < 5_000, "the byte limit evicted");
    assert!(entries > 0);
    assert!(
        held <= LIMIT + SLACK_BYTES,
        "{held} bytes held over a limit of {LIMIT}"
    );
}

#[test]
fn a_byte_limit_below_one_entry_is_refused() {
    let mut config = Harness::config();
    config.dedup_max_bytes = 8;
    let error =
        eventsub_proto::Client::new(config, std::time::Instant::now()).expect_err("refused");
    assert!(error.to_string().contains("dedup_max_bytes"), "{error}");
}
