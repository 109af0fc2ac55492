//! Scenario tests of the protocol core on fake time for what the long soak found (`tests/soak/`):
//! each replays, through the sans-IO core, the mechanism behind a soak failure. Each test is a
//! sentence of the spec.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::Duration;

use eventsub_proto::{ClockOffset, Event, Gap, RequestError};
use eventsub_tests::sim::Harness;

fn last_gap(harness: &Harness) -> Gap {
    match harness.events.last() {
        Some(Event::Resumed { gap }) => gap.clone(),
        _ => panic!("no Resumed: {:?}", harness.events),
    }
}

/// Moves the fake time on until the client asks for a connection.
fn until_it_connects(harness: &mut Harness) {
    while harness.next_connect().is_none() {
        assert!(harness.advance_to_next_timeout(), "no deadline left");
    }
}

/// The soak's failure at round 315 of seed 1796557269270067106 (tokio), and at round 211 before:
/// the mock's clock stood 45 s ahead when the socket carrying the session dropped; at once its
/// clock moved to 238 s behind (a clock-skew fault); the fresh session that followed got no
/// subscription (Helix 500, then 429 beyond the retries) and was closed with 4003; the next one
/// resumed. The gap's `from` came out as the 4003 session's welcome, sent 44 ms after the drop
/// (its timestamp, on the clock moved back, is the smaller one), so the notifications lost
/// between the drop and that welcome lay before the catch-up window. A gap begins at its first
/// loss: a session opened after that carries nothing from before it, whatever its timestamps say.
#[test]
fn a_gap_starts_at_its_first_loss_though_a_later_session_was_stamped_earlier() {
    let mut harness = Harness::new(Harness::config());
    harness.twitch_clock(ClockOffset::local_behind(Duration::from_secs(45)));
    let first = harness.establish();
    harness.advance(Duration::from_millis(300));
    let read_last = harness.twitch_now();
    harness.notify(first);
    harness.advance(Duration::from_millis(5));
    harness.server_close(first, None);

    // Twitch's clock moves from 45 s ahead to 238 s behind the local one.
    harness.twitch_clock(ClockOffset::local_ahead(Duration::from_secs(238)));
    until_it_connects(&mut harness);
    let unused = harness.connect_next();
    harness.fail_all_creates(RequestError::Unavailable {
        message: "Internal Server Error".to_owned(),
    });
    harness.advance(Duration::from_millis(500));
    harness.server_close(unused, Some(4003));
    until_it_connects(&mut harness);
    harness.pending_creates.clear();
    harness.connect_next();
    harness.create_all();

    let gap = last_gap(&harness);
    assert_eq!(gap.from, read_last, "{gap:?}");
}

/// With one steady clock the rule changes nothing: a later session's frames are stamped after the
/// first loss, so the gap still starts at the last frame read before it.
#[test]
fn a_gap_over_several_lost_sessions_starts_at_the_last_frame_read_before_the_first() {
    let mut harness = Harness::new(Harness::config());
    harness.twitch_clock(ClockOffset::ZERO);
    let first = harness.establish();
    harness.advance(Duration::from_millis(300));
    let read_last = harness.twitch_now();
    harness.notify(first);
    harness.server_close(first, None);
    until_it_connects(&mut harness);
    let unused = harness.connect_next();
    harness.fail_all_creates(RequestError::Unavailable {
        message: "Internal Server Error".to_owned(),
    });
    harness.advance(Duration::from_millis(500));
    harness.server_close(unused, Some(4003));
    until_it_connects(&mut harness);
    harness.pending_creates.clear();
    harness.connect_next();
    harness.create_all();

    let gap = last_gap(&harness);
    assert_eq!(gap.from, read_last, "{gap:?}");
    assert_eq!(gap.until, harness.twitch_now());
}
