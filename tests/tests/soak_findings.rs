//! Scenario tests of the protocol core on fake time for what the long soak found (`tests/soak/`):
//! each replays, through the sans-IO core, the mechanism behind a soak failure. Each test is a
//! sentence of the spec.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::{Duration, SystemTime};

use eventsub_proto::{ClockOffset, Event, Gap, RequestError};
use eventsub_tests::sim::Harness;

/// Moves the fake time on until the client asks for a connection.
fn until_it_connects(harness: &mut Harness) {
    while harness.next_connect().is_none() {
        assert!(harness.advance_to_next_timeout(), "no deadline left");
    }
}

/// On Twitch's clock `before` from the local one, a session reads a notification and its socket
/// drops; Twitch's clock is then `after` from the local one. The fresh session that follows gets
/// no subscription (Helix fails) and Twitch closes it with 4003 after 500 ms; the next one gets
/// its subscription back. Returns when the notification read last was sent, and the gap.
fn lose_then_an_unused_session(before: ClockOffset, after: ClockOffset) -> (SystemTime, Gap) {
    let mut harness = Harness::new(Harness::config());
    harness.twitch_clock(before);
    let first = harness.establish();
    harness.advance(Duration::from_millis(300));
    let read_last = harness.twitch_now();
    harness.notify(first);
    harness.advance(Duration::from_millis(5));
    harness.server_close(first, None);

    harness.twitch_clock(after);
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
    match harness.events.last() {
        Some(Event::Resumed { gap }) => (read_last, gap.clone()),
        _ => panic!("no Resumed: {:?}", harness.events),
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
    // Twitch's clock moves from 45 s ahead of the local one to 238 s behind it at the drop.
    let (read_last, gap) = lose_then_an_unused_session(
        ClockOffset::local_behind(Duration::from_secs(45)),
        ClockOffset::local_ahead(Duration::from_secs(238)),
    );
    assert_eq!(gap.from, read_last, "{gap:?}");
}

/// With one steady clock the rule changes nothing: a later session's frames are stamped after the
/// first loss, so the gap still starts at the last frame read before it.
#[test]
fn a_gap_over_several_lost_sessions_starts_at_the_last_frame_read_before_the_first() {
    let (read_last, gap) = lose_then_an_unused_session(ClockOffset::ZERO, ClockOffset::ZERO);
    assert_eq!(gap.from, read_last, "{gap:?}");
    assert!(gap.until > gap.from, "{gap:?}");
}
