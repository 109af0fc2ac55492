//! Scenario tests of the protocol core on fake time: each test is a sentence of the spec.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::Duration;

use eventsub_proto::{
    ClientCloseCode, ClockOffset, CloseCode, ConnId, DisconnectCause, DropReason, Event,
    FrameError, Gap, Input, Output, ReconnectUrlPolicy, RequestError, StopReason, SubscribeError,
    SubscriptionFailure, SubscriptionSpec, Url,
};
use eventsub_tests::sim::{BATCHED_NOTIFICATION, Frames, Harness, SocketState, rfc3339};

fn creates_since(harness: &Harness, from: usize) -> usize {
    harness.outputs[from..]
        .iter()
        .filter(|(_, output)| matches!(output, Output::CreateSubscription { .. }))
        .count()
}

fn connects_since(harness: &Harness, from: usize) -> Vec<Url> {
    harness.outputs[from..]
        .iter()
        .filter_map(|(_, output)| match output {
            Output::Connect { url, .. } => Some(url.clone()),
            _ => None,
        })
        .collect()
}

/// A frame's `message_timestamp` as a wall time.
fn sent_at(timestamp: &str) -> std::time::SystemTime {
    let parsed =
        time::OffsetDateTime::parse(timestamp, &time::format_description::well_known::Rfc3339);
    parsed.unwrap().into()
}

fn follow(broadcaster: &str) -> SubscriptionSpec {
    SubscriptionSpec::new("channel.follow", "2")
        .with_condition("broadcaster_user_id", broadcaster)
        .with_condition("moderator_user_id", broadcaster)
}

#[test]
fn client_connects_to_the_base_url_first() {
    let harness = Harness::new(Harness::config());
    assert_eq!(
        connects_since(&harness, 0),
        [Url::parse("wss://eventsub.fake-twitch.test/ws").unwrap()]
    );
}

#[test]
fn a_fresh_welcome_asks_for_every_subscription_at_once() {
    let mut config = Harness::config();
    config.subscriptions.push(follow("12826"));
    let mut harness = Harness::new(config);
    let conn = harness.connect_next();
    assert_eq!(harness.pending_creates.len(), 2);
    assert!(
        harness
            .pending_creates
            .iter()
            .all(|create| create.asked_at == harness.now)
    );
    let session = harness.twitch.sockets[&conn]
        .session_id()
        .unwrap()
        .to_owned();
    assert!(
        harness
            .pending_creates
            .iter()
            .all(|create| create.session_id.as_str() == session)
    );
    assert!(matches!(harness.events[0], Event::TokenValidated { .. }));
    assert!(matches!(harness.events[1], Event::SessionReady { .. }));
}

#[test]
fn notifications_are_delivered_with_their_raw_event() {
    let mut harness = Harness::new(Harness::config());
    let conn = harness.establish();
    let id = harness.notify(conn);
    let Some(Event::Notification(notification)) = harness.events.last() else {
        panic!("no notification: {:?}", harness.events)
    };
    assert_eq!(notification.message_id().to_string(), id);
    assert_eq!(notification.subscription_type(), "channel.follow");
    assert_eq!(
        notification.event_json(),
        r#"{"broadcaster_user_id":"12826","sequence":0}"#
    );
}

#[test]
fn reconnect_keeps_old_socket_until_new_welcome() {
    let mut harness = Harness::new(Harness::config());
    let old = harness.establish();
    harness.reconnect(old);
    let new = harness
        .next_connect()
        .expect("reconnect opens a new socket");
    harness.open(new);
    // The old socket still delivers while the new one waits for its welcome.
    let during = harness.notify(old);
    assert!(harness.delivered().contains(&during));
    assert!(
        harness.client_closes.is_empty(),
        "old socket closed before the new welcome"
    );
    let before_welcome = harness.outputs.len();
    harness.welcome(new);
    assert_eq!(
        harness.client_closes,
        [(old, ClientCloseCode::Normal, harness.now)]
    );
    assert_eq!(
        creates_since(&harness, before_welcome),
        0,
        "a handover never resubscribes"
    );
    assert!(matches!(harness.events.last(), Some(Event::Reconnected { conn, .. }) if *conn == new));
    let after = harness.notify(new);
    assert!(harness.delivered().contains(&after));
}

#[test]
fn reconnect_url_is_taken_from_payload_session_and_used_verbatim() {
    let mut harness = Harness::new(Harness::config());
    let old = harness.establish();
    let from = harness.outputs.len();
    harness.reconnect(old);
    let urls = connects_since(&harness, from);
    assert_eq!(urls.len(), 1);
    assert_eq!(urls[0].host_str(), Some("reconnect.twitch.tv"));
    assert!(urls[0].query().unwrap().starts_with("resume=session-"));
}

/// The forum bug (seed 000): reading `payload.reconnect_url` gives nothing, the client falls back
/// to the base URL, gets a fresh session without subscriptions and dies with 4003. Here the
/// misplaced URL is a typed error, the old session stays up and no fresh session is opened.
#[test]
fn a_misplaced_reconnect_url_never_sends_the_client_to_the_base_url() {
    let mut harness = Harness::new(Harness::config());
    let old = harness.establish();
    let from = harness.outputs.len();
    let text = r#"{"metadata":{"message_id":"c0ffee00-0000-4000-8000-000000000001","message_type":"session_reconnect","message_timestamp":"2022-11-16T10:11:12Z"},"payload":{"reconnect_url":"wss://elsewhere.test/ws","session":{"id":"session-2","status":"reconnecting","keepalive_timeout_seconds":null,"reconnect_url":null}}}"#;
    harness.send(old, text);
    assert!(connects_since(&harness, from).is_empty());
    assert!(matches!(
        harness.events.last(),
        Some(Event::MalformedFrame {
            error: FrameError::MissingField {
                field: "payload.session.reconnect_url",
                ..
            },
            ..
        })
    ));
    assert!(
        harness.client.session_id().is_some(),
        "the old session stays live"
    );
    // The whole forum scenario done right: follow the real URL, no subscription needed, no 4003.
    harness.reconnect(old);
    let new = harness.connect_next();
    assert_eq!(harness.pending_creates.len(), 0);
    assert!(harness.twitch.sockets[&new].handed_over);
    harness.advance(Duration::from_secs(10));
    harness.keepalive(new);
    assert!(harness.client.session_id().is_some());
}

#[test]
fn a_duplicate_across_old_and_new_socket_is_delivered_once() {
    let mut harness = Harness::new(Harness::config());
    let old = harness.establish();
    let first = harness.notify(old);
    harness.reconnect(old);
    let new = harness.connect_next();
    let duplicate = harness.twitch.duplicate(0, new).unwrap();
    harness.send(new, &duplicate);
    harness.send(new, &duplicate);
    assert_eq!(harness.delivered(), [first]);
    assert_eq!(harness.client.stats().duplicates_dropped, 2);
}

/// Keepalive 10 s, default grace 20% + 1 s: `conn` is declared dead after 13 s of silence (from
/// now), not before.
fn dies_after_13_s_of_silence(harness: &mut Harness, conn: eventsub_proto::ConnId) {
    harness.advance(Duration::from_millis(12_999));
    assert!(harness.client_closes.is_empty());
    harness.advance(Duration::from_millis(1));
    assert_eq!(
        harness.client_closes,
        [(conn, ClientCloseCode::GoingAway, harness.now)]
    );
    assert!(harness.events.iter().any(|event| matches!(
        event,
        Event::Disconnected { cause: DisconnectCause::KeepaliveTimeout { silent_for }, .. }
            if *silent_for == Duration::from_secs(13)
    )));
}

#[test]
fn silence_past_keepalive_and_grace_declares_the_socket_dead_and_resubscribes() {
    let mut harness = Harness::new(Harness::config());
    let conn = harness.establish();
    // Keepalive 10 s, default grace 20% + 1 s: dead after 13 s of silence, not before.
    dies_after_13_s_of_silence(&mut harness, conn);
    // Reconnects at once, to the base URL, and resubscribes on the fresh session.
    let fresh = harness.connect_next();
    assert_ne!(fresh, conn);
    assert_eq!(harness.pending_creates.len(), 1);
    harness.create_all();
    let Some(Event::Resumed { gap }) = harness.events.last() else {
        panic!("no Resumed: {:?}", harness.events)
    };
    assert_eq!(gap.recovery_time(), Duration::ZERO);
}

#[test]
fn any_message_resets_the_keepalive_watch() {
    let mut harness = Harness::new(Harness::config());
    let conn = harness.establish();
    for _ in 0..5 {
        harness.advance(Duration::from_secs(12));
        harness.notify(conn);
    }
    harness.advance(Duration::from_secs(12));
    harness.keepalive(conn);
    assert!(harness.client_closes.is_empty());
    assert_eq!(
        harness.client.poll_timeout(),
        Some(harness.now + Duration::from_secs(13))
    );
}

#[test]
fn while_reading_is_paused_unread_data_is_not_silence_and_resuming_rearms_the_full_keepalive_window()
 {
    // Without the hourly revalidation's deadline, which is not about reading.
    let mut config = Harness::config();
    config.validate_token = false;
    let mut harness = Harness::new(config);
    let conn = harness.establish();
    harness.advance(Duration::from_secs(5));
    harness.feed(Input::ReadingPaused);
    assert_eq!(
        harness.client.poll_timeout(),
        None,
        "no watchdog runs while nothing is read"
    );
    // Far past keepalive + grace (13 s): the socket is not declared dead.
    harness.advance(Duration::from_secs(600));
    assert!(harness.client_closes.is_empty());
    harness.feed(Input::ReadingResumed);
    assert_eq!(
        harness.client.poll_timeout(),
        Some(harness.now + Duration::from_secs(13)),
        "re-armed from the resume with the full window"
    );
    // Silence counts only from the resume.
    dies_after_13_s_of_silence(&mut harness, conn);
}

#[test]
fn while_reading_is_paused_the_welcome_timeout_waits_but_the_connect_timeout_runs() {
    // Without the hourly revalidation's deadline, which is not about reading.
    let mut config = Harness::config();
    config.validate_token = false;
    let mut harness = Harness::new(config);
    let first = harness.next_connect().expect("connecting");
    harness.open(first);
    harness.feed(Input::ReadingPaused);
    assert_eq!(
        harness.client.poll_timeout(),
        None,
        "the welcome cannot be read"
    );
    harness.advance(Duration::from_secs(60));
    assert!(harness.client_closes.is_empty());
    harness.feed(Input::ReadingResumed);
    harness.welcome(first);
    assert!(
        harness.client_closes.is_empty(),
        "the late-read welcome is taken"
    );
    // A connect attempt is not reading: its timeout runs while paused.
    harness.server_close(first, Some(4000));
    harness.feed(Input::ReadingPaused);
    let deadline = harness.client.poll_timeout();
    assert!(
        deadline.is_some(),
        "a backoff or connect deadline still runs"
    );
}

#[test]
fn a_gap_is_anchored_when_twitch_sent_the_last_message_received_not_when_it_arrived() {
    let mut harness = Harness::new(Harness::config());
    let conn = harness.establish();
    // Twitch sent it at 10:11:12.634234626Z; the client, busy, read it 2 s later. What Twitch sent
    // in those 2 s on this socket may be lost with it: catching up must start at the send time.
    let sent = sent_at(&harness.twitch.frames.timestamp);
    harness.wall = sent + Duration::from_secs(2);
    harness.notify(conn);
    harness.server_close(conn, None);
    harness.advance_to_next_timeout();
    harness.connect_next();
    harness.create_all();
    let Some(Event::Resumed { gap }) = harness.events.last() else {
        panic!("no Resumed: {:?}", harness.events)
    };
    assert_eq!(gap.from, sent);
}

#[test]
fn a_creation_helix_cannot_serve_is_retried_on_the_live_session_and_the_gap_stays_open_till_then() {
    let mut harness = Harness::new(Harness::config());
    let first = harness.establish();
    harness.server_close(first, Some(4000));
    harness.advance_to_next_timeout();
    let second = harness.connect_next();
    let events = harness.events.len();
    harness.fail_all_creates(RequestError::Unavailable {
        message: "503 after every retry".to_owned(),
    });
    assert!(
        matches!(
            harness.events.last(),
            Some(Event::SubscriptionFailed { .. })
        ),
        "{:?}",
        harness.events_since(events)
    );
    assert!(
        !harness
            .events_since(events)
            .iter()
            .any(|event| matches!(event, Event::Resumed { .. })),
        "the subscription does not exist: the gap is not over"
    );
    // Retried after a backoff delay, on the same session: Twitch would close an unused one, and
    // with other subscriptions on it, it might live for hours.
    let failed_at = harness.now;
    assert!(harness.advance_to_next_timeout());
    let delay = harness.now - failed_at;
    assert!(
        delay >= Duration::from_millis(500) && delay <= Duration::from_secs(1),
        "the first backoff step: {delay:?}"
    );
    assert_eq!(harness.pending_creates.len(), 1, "asked for again");
    let session = harness.twitch.sockets[&second]
        .session_id()
        .unwrap()
        .to_owned();
    assert_eq!(harness.pending_creates[0].session_id.as_str(), session);
    harness.create_all();
    let Some(Event::Resumed { gap }) = harness.events.last() else {
        panic!("no Resumed: {:?}", harness.events_since(events))
    };
    assert_eq!(gap.resumed_at, harness.now);
}

#[test]
fn a_subscription_over_the_cost_limit_waits_for_the_next_session_and_does_not_hold_the_gap_open() {
    let mut config = Harness::config();
    // Other channels (cost 1), moderated by the token's user.
    let follow = |broadcaster: &str| {
        SubscriptionSpec::new("channel.follow", "2")
            .with_condition("broadcaster_user_id", broadcaster)
            .with_condition("moderator_user_id", "12826")
    };
    config.subscriptions = vec![follow("42"), follow("43")];
    let mut harness = Harness::new(config);
    let first = harness.connect_next();
    // Twitch says the token may spend 1: the second subscription no longer fits.
    for pending in std::mem::take(&mut harness.pending_creates) {
        let created = eventsub_proto::Created::new(
            eventsub_proto::SubscriptionId::new(format!("sub-{}", pending.request)),
            1,
            1,
            1,
        );
        harness.feed(Input::SubscriptionCreated {
            request: pending.request,
            result: Ok(created),
        });
    }
    harness.server_close(first, Some(4000));
    harness.advance_to_next_timeout();
    let events = harness.events.len();
    harness.connect_next();
    assert_eq!(
        harness.pending_creates.len(),
        1,
        "only what fits is asked for"
    );
    let welcomed_at = harness.now;
    // Twitch still says 1.
    let pending = harness.pending_creates.remove(0);
    harness.feed(Input::SubscriptionCreated {
        request: pending.request,
        result: Ok(eventsub_proto::Created::new(
            eventsub_proto::SubscriptionId::new("sub-again"),
            1,
            1,
            1,
        )),
    });
    let since = harness.events_since(events);
    assert!(since.iter().any(|event| matches!(
        event,
        Event::SubscriptionFailed {
            reason: SubscriptionFailure::CostLimitExceeded { .. },
            ..
        }
    )));
    assert!(
        matches!(since.last(), Some(Event::Resumed { .. })),
        "a limit does not pass with time: it does not hold the gap open: {since:?}"
    );
    assert_eq!(
        harness.client.poll_timeout(),
        Some(welcomed_at + Duration::from_secs(13)),
        "no retry scheduled, only the keepalive watch"
    );
}

/// A handover done (the new socket welcomed) whose old socket the server has not closed yet.
fn handed_over_old_socket_open() -> (Harness, eventsub_proto::ConnId) {
    handed_over_old_socket_open_with(Harness::config())
}

fn handed_over_old_socket_open_with(
    config: eventsub_proto::Config,
) -> (Harness, eventsub_proto::ConnId) {
    let mut harness = Harness::new(config);
    harness.hold_closes = true;
    let old = harness.establish();
    harness.reconnect(old);
    let new = harness.next_connect().unwrap();
    harness.open(new);
    harness.welcome(new);
    assert!(matches!(
        harness.events.last(),
        Some(Event::Reconnected { .. })
    ));
    (harness, old)
}

#[test]
fn an_old_socket_breaking_before_its_drain_after_a_handover_is_reported_as_a_gap() {
    let (mut harness, old) = handed_over_old_socket_open();
    // The old socket is drained: what Twitch sent on it before the handover still counts.
    let drained = harness.notify(old);
    assert!(harness.delivered().contains(&drained));
    let read_up_to = sent_at(&harness.twitch.frames.timestamp);
    let events = harness.events.len();
    harness.server_close(old, None);
    assert_tail_lost_and_reported(&harness, events, read_up_to);
}

/// The events since `events` report a gap from `read_up_to` (what the old socket still carried),
/// and no `Disconnected`: the session lives on.
fn assert_tail_lost_and_reported(
    harness: &Harness,
    events: usize,
    read_up_to: std::time::SystemTime,
) {
    let Some(Event::Resumed { gap }) = harness.events.get(events) else {
        panic!(
            "the lost tail is not reported: {:?}",
            harness.events_since(events)
        )
    };
    assert_eq!(gap.from, read_up_to);
    assert!(
        !harness
            .events_since(events)
            .iter()
            .any(|event| matches!(event, Event::Disconnected { .. })),
        "the session lives on"
    );
}

#[test]
fn an_old_socket_closed_properly_after_a_handover_loses_nothing_and_reports_no_gap() {
    let (mut harness, old) = handed_over_old_socket_open();
    let events = harness.events.len();
    harness.server_close(old, Some(1000));
    assert!(
        harness.events_since(events).is_empty(),
        "{:?}",
        harness.events_since(events)
    );
}

/// The close timeout of the default config.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

fn aborted(harness: &Harness, conn: ConnId) -> bool {
    harness.aborts.iter().any(|(aborted, _)| *aborted == conn)
}

#[test]
fn a_handed_over_socket_is_read_until_the_server_answers_the_close_however_long_reading_is_paused()
{
    let (mut harness, old) = handed_over_old_socket_open();
    // The consumer's buffer is full: the adapter reads no socket, the old one's tail waits unread.
    harness.feed(Input::ReadingPaused);
    harness.advance(Duration::from_secs(600));
    assert!(
        !aborted(&harness, old),
        "the old socket given up while nobody read it"
    );
    let events = harness.events.len();
    harness.feed(Input::ReadingResumed);
    // What Twitch sent on the old socket before the new one was welcomed, read late.
    let tail: Vec<String> = (0..3).map(|_| harness.notify(old)).collect();
    assert!(tail.iter().all(|id| harness.delivered().contains(id)));
    harness.server_close(old, Some(1000));
    assert_eq!(
        harness.delivered()[harness.delivered().len() - 3..],
        tail[..]
    );
    assert!(
        !harness
            .events_since(events)
            .iter()
            .any(|event| matches!(event, Event::Resumed { .. } | Event::Disconnected { .. })),
        "nothing lost, no gap: {:?}",
        harness.events_since(events)
    );
}

#[test]
fn a_close_left_unanswered_is_given_up_after_the_close_timeout_of_reading_time_and_reported_as_a_gap()
 {
    let (mut harness, old) = handed_over_old_socket_open();
    let read_up_to = sent_at(&harness.twitch.frames.timestamp);
    harness.advance(Duration::from_secs(3));
    harness.feed(Input::ReadingPaused);
    harness.advance(Duration::from_secs(60));
    harness.feed(Input::ReadingResumed);
    // 3 s read before the pause, 1.9 s after: the timeout's 5 s of reading are not used up.
    harness.advance(Duration::from_millis(1_900));
    assert!(!aborted(&harness, old));
    let events = harness.events.len();
    harness.advance(Duration::from_millis(100));
    assert!(aborted(&harness, old), "given up at 5 s of reading");
    assert_tail_lost_and_reported(&harness, events, read_up_to);
}

#[test]
fn a_closing_socket_that_keeps_sending_is_dropped_past_its_drain_bytes_however_slowly_it_is_read() {
    const DRAIN: usize = 8 * 1024;
    let mut config = Harness::config();
    config.max_close_drain_bytes = DRAIN;
    let (mut harness, old) = handed_over_old_socket_open_with(config);
    let mut sent = Vec::new();
    let mut bytes = 0;
    // The server floods the old socket; the consumer is slow, so reading pauses between frames
    // for longer than the close timeout in all: reading time alone would never run out.
    while !aborted(&harness, old) {
        assert!(
            bytes <= DRAIN,
            "still open after {bytes} bytes past the close"
        );
        harness.feed(Input::ReadingPaused);
        harness.advance(Duration::from_secs(2));
        harness.feed(Input::ReadingResumed);
        let (message_id, text) = harness.twitch.notification(old).unwrap();
        let events = harness.events.len();
        harness.send(old, &text);
        sent.push(message_id);
        bytes += text.len();
        if aborted(&harness, old) {
            // The frame that went past the bound is delivered; what follows it is lost.
            let read_up_to = sent_at(&harness.twitch.frames.timestamp);
            assert_tail_lost_and_reported(&harness, events + 1, read_up_to);
        }
    }
    assert!(bytes > DRAIN, "dropped after only {bytes} bytes");
    assert!(
        sent.iter().all(|id| harness.delivered().contains(id)),
        "everything read before the drop is delivered"
    );
}

#[test]
fn after_a_shutdown_a_close_left_unanswered_is_still_given_up_at_the_close_timeout() {
    let mut harness = Harness::new(Harness::config());
    harness.hold_closes = true;
    let conn = harness.establish();
    let now = harness.now;
    harness.client.shutdown(now);
    harness.drain();
    assert_eq!(harness.client.poll_timeout(), Some(now + CLOSE_TIMEOUT));
    harness.advance(CLOSE_TIMEOUT);
    assert!(aborted(&harness, conn));
    assert_eq!(harness.client.stats().connections, 0);
    assert_eq!(harness.client.poll_timeout(), None);
}

#[test]
fn a_new_socket_failing_before_its_welcome_falls_back_to_a_fresh_connection() {
    let mut harness = Harness::new(Harness::config());
    let old = harness.establish();
    let _ = harness.notify(old);
    harness.reconnect(old);
    let handover = harness.next_connect().unwrap();
    harness.open(handover);
    harness.server_close(handover, Some(4007));
    // 4007 restarts at the base URL without a backoff wait, at the pace of immediate
    // reconnects, while the old socket still delivers.
    assert_eq!(
        harness.next_connect(),
        None,
        "paced: not in the same instant"
    );
    assert!(harness.advance_to_next_timeout());
    let fresh = harness.next_connect().expect("fresh connection");
    assert_eq!(
        harness.twitch.sockets[&fresh].url.as_str(),
        "wss://eventsub.fake-twitch.test/ws"
    );
    let during = harness.notify(old);
    assert!(harness.delivered().contains(&during));
    harness.open(fresh);
    let before = harness.outputs.len();
    harness.welcome(fresh);
    assert_eq!(
        creates_since(&harness, before),
        1,
        "fresh session resubscribes"
    );
    assert!(
        harness
            .client_closes
            .iter()
            .any(|(conn, _, _)| *conn == old)
    );
}

#[test]
fn a_reconnect_during_a_reconnect_follows_the_newest_url() {
    let mut harness = Harness::new(Harness::config());
    let old = harness.establish();
    harness.reconnect(old);
    let first = harness.next_connect().unwrap();
    harness.reconnect(old);
    // The second waits for its turn (`min_reconnect_interval`), then supersedes the first, which
    // never welcomed and is dropped without a close handshake.
    assert!(harness.aborts.is_empty());
    assert!(harness.advance_to_next_timeout());
    assert!(harness.aborts.iter().any(|(conn, _)| *conn == first));
    let second = harness.connect_next();
    assert_ne!(first, second);
    assert!(
        matches!(harness.events.last(), Some(Event::Reconnected { conn, .. }) if *conn == second)
    );
}

#[test]
fn close_4001_stops_for_good() {
    let mut harness = Harness::new(Harness::config());
    let conn = harness.establish();
    let from = harness.outputs.len();
    harness.server_close(conn, Some(4001));
    assert!(connects_since(&harness, from).is_empty());
    assert!(matches!(
        harness.events.last(),
        Some(Event::Stopped {
            reason: StopReason::InboundTrafficRejected { .. }
        })
    ));
    assert!(harness.client.is_stopped());
    assert_eq!(harness.client.poll_timeout(), None);
}

#[test]
fn close_4003_reconnects_at_once_and_resubscribes() {
    let mut harness = Harness::new(Harness::config());
    let conn = harness.connect_next();
    harness.server_close(conn, Some(4003));
    let disconnected = harness
        .events
        .iter()
        .find_map(|event| match event {
            Event::Disconnected {
                cause, retry_at, ..
            } => Some((cause.clone(), *retry_at)),
            _ => None,
        })
        .unwrap();
    assert_eq!(disconnected.0.close_code(), Some(CloseCode(4003)));
    assert_eq!(disconnected.1, Some(harness.now));
    harness.connect_next();
    assert_eq!(
        harness.pending_creates.len(),
        2,
        "old request is void, new one asked"
    );
}

#[test]
fn close_4004_and_4007_reconnect_to_the_base_url() {
    for code in [4004, 4007] {
        let mut harness = Harness::new(Harness::config());
        let conn = harness.establish();
        harness.reconnect(conn);
        let from = harness.outputs.len();
        harness.server_close(conn, Some(code));
        let pending: Vec<_> = harness
            .pending_connects
            .iter()
            .map(|(_, url)| url.clone())
            .collect();
        // The handover already under way goes on; its session is treated as fresh (resubscribed).
        assert_eq!(pending.len(), 1, "{code}");
        assert!(connects_since(&harness, from).is_empty());
        let next = harness.connect_next();
        assert!(harness.twitch.sockets[&next].handed_over);
        assert_eq!(
            harness.pending_creates.len(),
            1,
            "{code}: resubscribe after the gap"
        );
    }
    // Without a handover under way, the next connection goes to the base URL at once.
    let mut harness = Harness::new(Harness::config());
    let conn = harness.establish();
    harness.server_close(conn, Some(4007));
    assert_eq!(
        harness.pending_connects[0].1.as_str(),
        "wss://eventsub.fake-twitch.test/ws"
    );
}

#[test]
fn other_failures_back_off_with_growing_jittered_delays_up_to_the_cap() {
    let mut config = Harness::config();
    config.backoff.max = Duration::from_secs(30);
    let mut harness = Harness::new(config);
    let mut delays = Vec::new();
    for _ in 0..10 {
        let conn = harness.next_connect().unwrap();
        let failed_at = harness.now;
        harness.fail_connect(conn);
        assert!(harness.next_connect().is_none(), "no retry without a wait");
        assert!(harness.advance_to_next_timeout());
        assert!(harness.next_connect().is_some());
        delays.push(harness.now - failed_at);
    }
    for (attempt, delay) in delays.iter().enumerate() {
        let ceiling = Duration::from_secs(1 << attempt).min(Duration::from_secs(30));
        assert!(
            *delay >= ceiling / 2 && *delay <= ceiling,
            "attempt {attempt}: {delay:?}"
        );
    }
    // Same seed, same delays: the run replays.
    let mut replay = Harness::new(Harness::config());
    let start = replay.now;
    let conn = replay.next_connect().unwrap();
    replay.fail_connect(conn);
    assert!(replay.advance_to_next_timeout());
    assert_eq!(replay.now - start, delays[0]);
}

#[test]
fn backoff_resets_after_a_healthy_session() {
    let mut harness = Harness::new(Harness::config());
    for _ in 0..4 {
        let conn = harness.next_connect().unwrap();
        harness.fail_connect(conn);
        assert!(harness.advance_to_next_timeout());
    }
    let conn = harness.establish();
    for _ in 0..7 {
        harness.advance(Duration::from_secs(10));
        harness.keepalive(conn);
    }
    harness.server_close(conn, Some(1006));
    let lost_at = harness.now;
    assert!(harness.advance_to_next_timeout());
    assert!(
        harness.now - lost_at <= Duration::from_secs(1),
        "first attempt again"
    );
}

#[test]
fn max_attempts_gives_up_with_stopped() {
    let mut config = Harness::config();
    config.backoff.max_attempts = Some(3);
    let mut harness = Harness::new(config);
    for _ in 0..3 {
        let conn = harness.next_connect().unwrap();
        harness.fail_connect(conn);
        assert!(harness.advance_to_next_timeout());
    }
    let conn = harness.next_connect().unwrap();
    harness.fail_connect(conn);
    assert!(matches!(
        harness.events.last(),
        Some(Event::Stopped {
            reason: StopReason::GaveUp { attempts: 3 }
        })
    ));
}

#[test]
fn http_401_on_subscribe_stops_the_client_when_validation_is_off() {
    let mut config = Harness::config();
    config.validate_token = false;
    let mut harness = Harness::new(config);
    let conn = harness.connect_next();
    harness.fail_all_creates(RequestError::Unauthorized {
        message: "invalid oauth token".into(),
    });
    assert!(matches!(
        harness.events.last(),
        Some(Event::Stopped {
            reason: StopReason::Unauthorized { .. }
        })
    ));
    assert_eq!(
        harness.client_closes.last().map(|close| close.0),
        Some(conn)
    );
}

#[test]
fn a_409_conflict_counts_as_created() {
    let mut harness = Harness::new(Harness::config());
    harness.connect_next();
    harness.fail_all_creates(RequestError::AlreadyExists);
    assert!(matches!(
        harness.events.last(),
        Some(Event::SubscriptionAlreadyExists { .. })
    ));
    assert!(matches!(
        harness.client.subscriptions().next(),
        Some((
            _,
            eventsub_proto::SubscriptionState::Enabled { id: None, .. }
        ))
    ));
}

#[test]
fn one_failed_subscription_is_reported_and_the_others_go_on() {
    let mut config = Harness::config();
    config.subscriptions.push(follow("12826"));
    let mut harness = Harness::new(config);
    let conn = harness.connect_next();
    let bad = harness.pending_creates.remove(0);
    harness.feed(Input::SubscriptionCreated {
        request: bad.request,
        result: Err(RequestError::Rejected {
            status: 403,
            message: "subscription missing proper authorization".into(),
        }),
    });
    harness.create_all();
    let failures = harness
        .events
        .iter()
        .filter(|event| {
            matches!(
                event,
                Event::SubscriptionFailed {
                    reason: SubscriptionFailure::Request(RequestError::Rejected {
                        status: 403,
                        ..
                    }),
                    ..
                }
            )
        })
        .count();
    assert_eq!(failures, 1);
    assert!(
        harness
            .events
            .iter()
            .any(|event| matches!(event, Event::SubscriptionCreated { .. }))
    );
    let id = harness.notify(conn);
    assert!(harness.delivered().contains(&id));
}

#[test]
fn limits_are_enforced_up_front_with_clear_errors() {
    let mut config = Harness::config();
    config.subscriptions.clear();
    config.max_subscriptions_per_connection = 3;
    let mut harness = Harness::new(config);
    for broadcaster in ["12826", "1", "2"] {
        let spec = SubscriptionSpec::new("stream.online", "1")
            .with_condition("broadcaster_user_id", broadcaster);
        harness.client.subscribe(spec).unwrap();
    }
    let fourth =
        SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "3");
    assert!(matches!(
        harness.client.subscribe(fourth),
        Err(SubscribeError::TooManySubscriptions { limit: 3, .. })
    ));
    // Duplicates are refused too.
    let again =
        SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "1");
    let error = harness.client.subscribe(again).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("already subscribed to stream.online v1")
    );
}

#[test]
fn the_cost_ceiling_is_enforced_up_front() {
    let mut config = Harness::config();
    config.subscriptions = (0..10)
        .map(|n| {
            SubscriptionSpec::new("stream.online", "1")
                .with_condition("broadcaster_user_id", n.to_string())
        })
        .collect();
    let mut harness = Harness::new(config.clone());
    harness.establish();
    let eleventh =
        SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "99");
    let error = harness.client.subscribe(eleventh).unwrap_err();
    assert!(matches!(
        error,
        SubscribeError::CostLimitExceeded {
            would_be: 11,
            max_total_cost: 10,
            ..
        }
    ));
    // The token owner's own channel costs nothing and still fits.
    harness.client.subscribe(follow("12826")).unwrap();
    // A config over the ceiling is refused before connecting.
    config.subscriptions.push(
        SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "99"),
    );
    assert!(eventsub_proto::Client::new(config, harness.now).is_err());
}

#[test]
fn subscriptions_added_at_runtime_are_created_at_once_and_removed_ones_deleted() {
    let mut harness = Harness::new(Harness::config());
    harness.establish();
    harness.client.subscribe(follow("12826")).unwrap();
    harness.drain();
    assert_eq!(harness.pending_creates.len(), 1);
    harness.create_all();
    assert!(harness.client.unsubscribe(&follow("12826")));
    harness.drain();
    assert_eq!(harness.pending_deletes.len(), 1);
    assert!(!harness.client.unsubscribe(&follow("12826")));
}

#[test]
fn a_revoked_subscription_is_reported_and_not_recreated() {
    let mut config = Harness::config();
    config.subscriptions.push(follow("12826"));
    let mut harness = Harness::new(config);
    let conn = harness.establish();
    let text = harness
        .twitch
        .revocation(conn, "channel.follow", "authorization_revoked")
        .unwrap();
    // The fake's revocation condition matches the config's first subscription.
    harness.send(conn, &text);
    let Some(Event::Revocation(revocation)) = harness.events.last() else {
        panic!("no revocation: {:?}", harness.events.last())
    };
    assert_eq!(
        revocation.subscription.status.as_str(),
        "authorization_revoked"
    );
    harness.server_close(conn, Some(4000));
    assert!(harness.advance_to_next_timeout());
    harness.connect_next();
    assert_eq!(harness.pending_creates.len(), 1, "only the one not revoked");
    assert_eq!(harness.pending_creates[0].subscription, follow("12826"));
}

#[test]
fn stale_notifications_are_dropped_and_reported() {
    let mut harness = Harness::new(Harness::config());
    let conn = harness.establish();
    harness.wall += Duration::from_secs(601);
    harness.notify(conn);
    assert!(harness.delivered().is_empty());
    assert!(matches!(
        harness.events.last(),
        Some(Event::Dropped { reason: DropReason::Stale { age }, .. }) if *age > Duration::from_secs(600)
    ));
}

#[test]
fn a_batch_is_handed_out_in_order_before_what_came_after_it() {
    let mut harness = Harness::new(Harness::config());
    let conn = harness.establish();
    // Two frames in before the outputs are drained: the batch's events come first, in order,
    // an id the parser had to unescape included.
    let escaped = BATCHED_NOTIFICATION.replace(r#""id":"e2""#, r#""id":"e\u0032""#);
    let single = Frames::default().notification(
        "00000000-0000-4000-8000-0000000000aa",
        "s",
        "channel.follow",
        7,
    );
    let received_at = harness.wall;
    for text in [escaped.as_str(), single.as_str()] {
        harness
            .client
            .handle_input(
                harness.now,
                Input::Text {
                    conn,
                    text,
                    received_at,
                },
            )
            .unwrap();
    }
    let mut delivered = Vec::new();
    while let Some(output) = harness.client.poll_output() {
        if let Output::Event(Event::Notification(n)) = output {
            assert!(n.subscription_json().contains(r#""type":"channel.follow""#));
            assert_eq!(n.subscription_type(), "channel.follow");
            delivered.push((
                n.batch_item_id().map(str::to_owned),
                n.event_json().to_owned(),
            ));
        }
    }
    assert_eq!(
        delivered,
        [
            (Some("e1".into()), r#"{"n":1}"#.into()),
            (Some("e2".into()), r#"{"n":2}"#.into()),
            (
                None,
                r#"{"broadcaster_user_id":"12826","sequence":7}"#.into()
            ),
        ]
    );
}

/// What a user sees of `outputs`: its events, by kind and notification id.
fn seen_by_the_user(outputs: &[Output]) -> Vec<String> {
    outputs
        .iter()
        .filter_map(|output| match output {
            Output::Event(Event::Notification(n)) => Some(format!(
                "{} {}",
                n.message_id(),
                n.batch_item_id().unwrap_or("-")
            )),
            Output::Event(event) => Some(format!("{event:?}")),
            _ => None,
        })
        .collect()
}

/// A batch, then a `session_reconnect` (a `Connect`), then a single notification: fed without
/// draining.
fn batch_then_reconnect_then_notification() -> Harness {
    let mut harness = Harness::new(Harness::config());
    let conn = harness.establish();
    let reconnect = harness.twitch.reconnect(conn, false).unwrap();
    let (_, single) = harness.twitch.notification(conn).unwrap();
    let received_at = harness.wall;
    for text in [BATCHED_NOTIFICATION, reconnect.as_str(), single.as_str()] {
        let input = Input::Text {
            conn,
            text,
            received_at,
        };
        harness.client.handle_input(harness.now, input).unwrap();
    }
    harness
}

#[test]
fn while_the_user_has_no_room_the_actions_are_taken_ahead_of_the_events_which_wait_in_order() {
    let mut in_order = batch_then_reconnect_then_notification();
    let drained: Vec<Output> = std::iter::from_fn(|| in_order.client.poll_output()).collect();
    let mut held = batch_then_reconnect_then_notification();
    assert!(held.client.holds_events());
    // The user has no room: only the actions come out, the handover's connect first.
    let actions: Vec<Output> = std::iter::from_fn(|| held.client.poll_action()).collect();
    assert!(
        matches!(actions.as_slice(), [Output::Connect { .. }]),
        "{actions:?}"
    );
    assert!(held.client.holds_events(), "the events wait in the core");
    // Room again: the events come out as they would have, the batch's first.
    let events: Vec<Output> = std::iter::from_fn(|| held.client.poll_output()).collect();
    assert!(!held.client.holds_events());
    assert!(
        events
            .iter()
            .all(|output| matches!(output, Output::Event(_)))
    );
    assert_eq!(seen_by_the_user(&events), seen_by_the_user(&drained));
    assert_eq!(seen_by_the_user(&events).len(), 3, "{events:?}");
}

#[test]
fn a_batch_waiting_in_the_core_holds_events_until_its_last_is_handed_out() {
    let mut harness = Harness::new(Harness::config());
    let conn = harness.establish();
    assert!(!harness.client.holds_events());
    let input = Input::Text {
        conn,
        text: BATCHED_NOTIFICATION,
        received_at: harness.wall,
    };
    harness.client.handle_input(harness.now, input).unwrap();
    assert!(harness.client.holds_events());
    assert!(harness.client.poll_action().is_none(), "no action to take");
    assert!(matches!(
        harness.client.poll_output(),
        Some(Output::Event(Event::Notification(_)))
    ));
    assert!(harness.client.holds_events(), "one event left");
    assert!(matches!(
        harness.client.poll_output(),
        Some(Output::Event(Event::Notification(_)))
    ));
    assert!(!harness.client.holds_events(), "the last one handed out");
    assert!(harness.client.poll_output().is_none());
}

#[test]
fn an_action_decided_while_events_wait_is_taken_at_once_and_the_events_it_brings_queue_after_them()
{
    let mut harness = batch_then_reconnect_then_notification();
    let old = live_conn(&harness);
    let Some(Output::Connect { conn: new, url }) = harness.client.poll_action() else {
        panic!("the handover's connect")
    };
    // The new socket opens and is welcomed while the user still has no room.
    harness.twitch.accept(new, url);
    harness.twitch.open(new);
    let welcome = harness.twitch.welcome(new, harness.now).unwrap();
    harness
        .client
        .handle_input(harness.now, Input::Opened { conn: new })
        .unwrap();
    let input = Input::Text {
        conn: new,
        text: &welcome,
        received_at: harness.wall,
    };
    harness.client.handle_input(harness.now, input).unwrap();
    let actions: Vec<Output> = std::iter::from_fn(|| harness.client.poll_action()).collect();
    assert!(
        matches!(actions.as_slice(), [Output::Close { conn, .. }] if Some(*conn) == old),
        "the old socket is closed at once: {actions:?}"
    );
    let events: Vec<Output> = std::iter::from_fn(|| harness.client.poll_output()).collect();
    let seen = seen_by_the_user(&events);
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert!(
        matches!(events.last(), Some(Output::Event(Event::Reconnected { conn, .. })) if *conn == new),
        "the handover's news after the notifications decided before it: {seen:?}"
    );
}

#[test]
fn a_batched_notification_delivers_each_event() {
    let mut harness = Harness::new(Harness::config());
    let conn = harness.establish();
    harness.send(conn, BATCHED_NOTIFICATION);
    let items: Vec<_> = harness
        .events
        .iter()
        .filter_map(|event| match event {
            Event::Notification(n) => Some((
                n.batch_item_id().map(str::to_owned),
                n.event_json().to_owned(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        items,
        [
            (Some("e1".into()), r#"{"n":1}"#.into()),
            (Some("e2".into()), r#"{"n":2}"#.into())
        ]
    );
}

#[test]
fn unknown_message_types_are_reported_and_unknown_subscription_types_delivered_raw() {
    let mut harness = Harness::new(Harness::config());
    let conn = harness.establish();
    harness.send(conn, r#"{"metadata":{"message_id":"u","message_type":"session_teleport","message_timestamp":"t"},"payload":{}}"#);
    assert!(
        matches!(harness.events.last(), Some(Event::UnknownMessage { message_type, .. }) if message_type == "session_teleport")
    );
    let text = harness
        .twitch
        .frames
        .notification("n-1", "x", "channel.brand_new_thing", 7);
    harness.send(conn, &text);
    let Some(Event::Notification(notification)) = harness.events.last() else {
        panic!()
    };
    assert_eq!(notification.subscription_type(), "channel.brand_new_thing");
}

#[test]
fn bad_frames_give_typed_errors_and_lose_nothing_else() {
    let mut config = Harness::config();
    config.max_frame_bytes = 4096;
    let mut harness = Harness::new(config);
    let conn = harness.establish();
    harness.send(conn, "not json");
    harness.send(conn, &"x".repeat(5000));
    harness.feed(Input::Binary {
        conn,
        data: b"\x00\x01",
    });
    harness.send(conn, r#"{"metadata":{"message_id":"m","message_type":"notification","message_timestamp":"t"},"payload":{}}"#);
    let errors: Vec<_> = harness
        .events
        .iter()
        .filter_map(|event| match event {
            Event::MalformedFrame { error, .. } => Some(error.clone()),
            _ => None,
        })
        .collect();
    assert!(matches!(errors[0], FrameError::InvalidJson { .. }));
    assert_eq!(
        errors[1],
        FrameError::TooLarge {
            len: 5000,
            limit: 4096
        }
    );
    assert_eq!(errors[2], FrameError::Binary { len: 2 });
    assert!(matches!(
        errors[3],
        FrameError::MissingField {
            field: "payload.subscription",
            ..
        }
    ));
    let id = harness.notify(conn);
    assert_eq!(harness.delivered(), [id]);
    assert!(harness.client.session_id().is_some());
}

#[test]
fn mock_reconnect_urls_are_followed_only_with_the_same_host_policy() {
    for allow in [false, true] {
        let mut config = Harness::config();
        if allow {
            config.reconnect_urls = ReconnectUrlPolicy::SameHostAsUrl;
        }
        let mut harness = Harness::new(config);
        let conn = harness.establish();
        let text = harness.twitch.reconnect(conn, true).unwrap();
        let from = harness.outputs.len();
        harness.send(conn, &text);
        assert_eq!(
            connects_since(&harness, from).len(),
            usize::from(allow),
            "allow = {allow}"
        );
        if !allow {
            assert!(matches!(
                harness.events.last(),
                Some(Event::ReconnectUrlRejected { .. })
            ));
        }
    }
}

#[test]
fn shutdown_closes_normally_and_deletes_subscriptions_when_asked() {
    let mut config = Harness::config();
    config.delete_subscriptions_on_shutdown = true;
    let mut harness = Harness::new(config);
    let conn = harness.establish();
    let now = harness.now;
    harness.client.shutdown(now);
    harness.drain();
    assert_eq!(
        harness.client_closes,
        [(conn, ClientCloseCode::Normal, now)]
    );
    assert_eq!(harness.pending_deletes.len(), 1);
    assert!(matches!(
        harness.events.last(),
        Some(Event::Stopped {
            reason: StopReason::Shutdown
        })
    ));
    assert!(harness.client.subscribe(follow("1")).is_err());
}

#[test]
fn nothing_is_asked_of_the_adapter_after_stopped_not_even_by_an_unsubscribe() {
    // Found by the `client_ops` fuzz target: a second deletion of a subscription the shutdown
    // already deleted, requested after `Stopped`.
    let mut config = Harness::config();
    config.delete_subscriptions_on_shutdown = true;
    let mut harness = Harness::new(config);
    harness.establish();
    let now = harness.now;
    harness.client.shutdown(now);
    harness.drain();
    assert_eq!(harness.pending_deletes.len(), 1);
    let outputs_at_stop = harness.outputs.len();
    let wanted = harness.client.subscriptions().next().unwrap().0.clone();
    assert!(harness.client.unsubscribe(&wanted), "it was wanted");
    harness.drain();
    assert_eq!(
        harness.outputs.len(),
        outputs_at_stop,
        "{:?}",
        &harness.outputs[outputs_at_stop..]
    );
    assert_eq!(harness.client.subscriptions().count(), 0);
}

#[test]
fn welcome_timeout_and_connect_timeout_retry() {
    let mut config = Harness::config();
    config.welcome_timeout = Duration::from_secs(5);
    let mut harness = Harness::new(config);
    let conn = harness.next_connect().unwrap();
    harness.open(conn);
    harness.advance(Duration::from_secs(5));
    assert!(harness.events.iter().any(|event| matches!(
        event,
        Event::ConnectFailed {
            cause: DisconnectCause::WelcomeTimeout,
            ..
        }
    )));
    assert!(harness.advance_to_next_timeout());
    let next = harness.next_connect().unwrap();
    harness.advance(Duration::from_secs(10));
    assert!(harness.events.iter().any(|event| matches!(event, Event::ConnectFailed { conn, cause: DisconnectCause::ConnectTimeout, .. } if *conn == next)));
}

#[test]
fn every_output_is_an_instruction_never_a_frame_to_twitch() {
    // The Output enum has no variant that writes a data frame; this walks a busy run and checks
    // that only the known instructions come out, and that every close is a 1000 or 1001.
    let mut harness = Harness::new(Harness::config());
    let conn = harness.establish();
    harness.notify(conn);
    harness.reconnect(conn);
    harness.connect_next();
    harness.advance(Duration::from_secs(30));
    harness.connect_next();
    harness.create_all();
    for (_, output) in &harness.outputs {
        match output {
            Output::Close { code, .. } => assert!(matches!(code.as_u16(), 1000 | 1001)),
            Output::Connect { .. }
            | Output::CreateSubscription { .. }
            | Output::DeleteSubscription { .. }
            | Output::ValidateToken { .. }
            | Output::Event(_) => {}
            other => panic!("unexpected output {other:?}"),
        }
    }
}

// Gaps tell the truth: bounds on Twitch's clock, staleness judged on Twitch's clock.

const MINUTE: Duration = Duration::from_secs(60);

/// A harness whose frames carry Twitch's time, the local clock `offset` from it, with a live
/// session.
fn on_twitchs_clock(config: eventsub_proto::Config, offset: ClockOffset) -> (Harness, ConnId) {
    let mut harness = Harness::new(config);
    harness.twitch_clock(offset);
    let conn = harness.establish();
    (harness, conn)
}

/// The server sends a notification on `conn` that Twitch sent `age` ago; returns its id.
fn notify_sent_ago(harness: &mut Harness, conn: ConnId, age: Duration) -> String {
    harness.twitch.frames.timestamp = rfc3339(harness.twitch_now() - age);
    let id = harness.notify(conn);
    harness.twitch.frames.timestamp = rfc3339(harness.twitch_now());
    id
}

fn last_gap(harness: &Harness) -> Gap {
    match harness.events.last() {
        Some(Event::Resumed { gap }) => gap.clone(),
        _ => panic!("no Resumed: {:?}", harness.events),
    }
}

#[test]
fn a_gap_lasts_from_the_last_frame_received_to_resubscription_on_twitchs_clock() {
    let (mut harness, conn) = on_twitchs_clock(Harness::config(), ClockOffset::ZERO);
    let last_frame = harness.twitch_now();
    harness.keepalive(conn);
    // 13 s of silence, then the socket is declared dead; the fresh session's subscription takes
    // Helix 2.6 ms to create.
    harness.advance_to_next_timeout();
    harness.connect_next();
    harness.advance(Duration::from_micros(2_600));
    harness.create_all();
    let gap = last_gap(&harness);
    assert_eq!(gap.from, last_frame);
    assert_eq!(gap.until, harness.twitch_now());
    assert_eq!(gap.duration(), Duration::from_micros(13_002_600));
    assert_eq!(gap.recovery_time(), Duration::from_micros(2_600));
    assert_eq!(gap.resumed_at, harness.now);
}

#[test]
fn gap_bounds_are_on_twitchs_clock_when_the_local_clock_is_11_minutes_fast_or_slow() {
    for offset in [
        ClockOffset::local_ahead(11 * MINUTE),
        ClockOffset::local_behind(11 * MINUTE),
    ] {
        let (mut harness, conn) = on_twitchs_clock(Harness::config(), offset);
        harness.advance(Duration::from_secs(5));
        let last_frame = harness.twitch_now();
        harness.keepalive(conn);
        harness.advance(Duration::from_secs(3));
        harness.server_close(conn, Some(4002));
        harness.advance_to_next_timeout();
        harness.connect_next();
        harness.create_all();
        let gap = last_gap(&harness);
        assert_eq!(gap.from, last_frame, "{offset:?}");
        assert_eq!(gap.until, harness.twitch_now(), "{offset:?}");
        assert_eq!(
            gap.duration(),
            harness.twitch_now().duration_since(last_frame).unwrap(),
            "{offset:?}"
        );
        assert!(gap.duration() > gap.recovery_time());
        assert_eq!(harness.client.clock_offset(), offset);
    }
}

#[test]
fn a_gap_after_a_frame_whose_timestamp_does_not_parse_starts_at_its_arrival_on_twitchs_clock() {
    let (mut harness, conn) =
        on_twitchs_clock(Harness::config(), ClockOffset::local_ahead(11 * MINUTE));
    harness.advance(Duration::from_secs(5));
    let arrival = harness.twitch_now();
    harness.twitch.frames.timestamp = "yesterday".to_owned();
    harness.notify(conn);
    harness.server_close(conn, None);
    harness.advance_to_next_timeout();
    harness.connect_next();
    harness.create_all();
    assert_eq!(last_gap(&harness).from, arrival);
}

/// With the local clock `offset` from Twitch's, a notification Twitch sent 40 ms ago is delivered
/// and one it sent `old` ago is dropped, judged `judged` old.
fn fresh_delivered_old_dropped(offset: ClockOffset, old: Duration, judged: Duration) {
    let (mut harness, conn) = on_twitchs_clock(Harness::config(), offset);
    harness.advance(Duration::from_secs(10));
    harness.keepalive(conn);
    let fresh = notify_sent_ago(&mut harness, conn, Duration::from_millis(40));
    let stale = notify_sent_ago(&mut harness, conn, old);
    assert_eq!(harness.delivered(), [fresh]);
    assert!(
        matches!(
            harness.events.last(),
            Some(Event::Dropped { message_id, reason: DropReason::Stale { age }, .. })
                if message_id.to_string() == stale && *age == judged
        ),
        "{:?}",
        harness.events.last()
    );
}

#[test]
fn with_the_local_clock_11_minutes_fast_fresh_notifications_are_delivered_and_old_ones_dropped() {
    fresh_delivered_old_dropped(
        ClockOffset::local_ahead(11 * MINUTE),
        11 * MINUTE,
        11 * MINUTE,
    );
}

#[test]
fn with_the_local_clock_11_minutes_slow_fresh_notifications_are_delivered_and_old_ones_dropped() {
    // 20 minutes old on Twitch's clock, 9 by the slow local one: stale all the same. The
    // correction towards "Twitch is ahead" is at most half of `stale_after` (5 minutes).
    fresh_delivered_old_dropped(
        ClockOffset::local_behind(11 * MINUTE),
        20 * MINUTE,
        14 * MINUTE,
    );
}

#[test]
fn control_frames_whose_timestamps_jump_cannot_make_notifications_stale_that_arrived_within_half_the_threshold()
 {
    let (mut harness, conn) = on_twitchs_clock(Harness::config(), ClockOffset::ZERO);
    // One sampled keepalive from a day ahead is outvoted by the welcome: nothing moves.
    sampled_keepalive(&mut harness, conn, 24 * 60 * MINUTE);
    assert_eq!(harness.client.clock_offset(), ClockOffset::ZERO);
    // Every sampled keepalive from then on a day ahead: the estimate goes as far as the cap
    // (15 min)...
    for _ in 0..4 {
        sampled_keepalive(&mut harness, conn, 24 * 60 * MINUTE);
    }
    assert_eq!(
        harness.client.clock_offset(),
        ClockOffset::local_behind(15 * MINUTE)
    );
    // ...but the stale check believes Twitch ahead by at most `stale_after / 2`: what arrived
    // within 5 minutes of its timestamp is delivered, what is older than that by more is not.
    let fresh = notify_sent_ago(&mut harness, conn, Duration::ZERO);
    let four_minutes =
        notify_sent_ago(&mut harness, conn, 4 * MINUTE + 59 * Duration::from_secs(1));
    let an_hour = notify_sent_ago(&mut harness, conn, 60 * MINUTE);
    assert_eq!(harness.delivered(), [fresh, four_minutes]);
    assert!(matches!(
        harness.events.last(),
        Some(Event::Dropped { message_id, .. }) if message_id.to_string() == an_hour
    ));
}

/// Keepalives every 10 s until one is sampled for the clock (the client samples keepalives at
/// most every 30 s): that one stamped `ahead` of Twitch's time, the others on time.
fn sampled_keepalive(harness: &mut Harness, conn: ConnId, ahead: Duration) {
    for stamp_ahead in [Duration::ZERO, Duration::ZERO, ahead] {
        harness.advance(Duration::from_secs(10));
        harness.twitch.frames.timestamp = rfc3339(harness.twitch_now() + stamp_ahead);
        harness.keepalive(conn);
    }
}

#[test]
fn keepalives_on_time_between_samples_move_nothing_and_a_flood_is_not_read() {
    let (mut harness, conn) = on_twitchs_clock(Harness::config(), ClockOffset::ZERO);
    // A thousand keepalives a day ahead within one sampling interval: none is read.
    harness.twitch.frames.timestamp = rfc3339(harness.twitch_now() + 24 * 60 * MINUTE);
    for _ in 0..1000 {
        harness.keepalive(conn);
    }
    assert_eq!(harness.client.clock_offset(), ClockOffset::ZERO);
}

#[test]
fn a_local_clock_further_off_than_the_cap_is_corrected_by_the_cap_only() {
    let mut config = Harness::config();
    config.max_clock_correction = 5 * MINUTE;
    let (mut harness, conn) = on_twitchs_clock(config, ClockOffset::local_ahead(20 * MINUTE));
    assert_eq!(
        harness.client.clock_offset(),
        ClockOffset::local_ahead(5 * MINUTE)
    );
    // Judged 15 minutes old: the app sees the drop, reported, and can fix its clock.
    notify_sent_ago(&mut harness, conn, Duration::ZERO);
    assert!(matches!(
        harness.events.last(),
        Some(Event::Dropped { reason: DropReason::Stale { age }, .. }) if *age == 15 * MINUTE
    ));
}

// ---- sockets and reconnects stay bounded -------------------------------------------------------

/// The connection of the live session, as the events announced it.
fn live_conn(harness: &Harness) -> Option<ConnId> {
    harness.events.iter().rev().find_map(|event| match event {
        Event::SessionReady { conn, .. } | Event::Reconnected { conn, .. } => Some(Some(*conn)),
        Event::Disconnected { .. } | Event::Stopped { .. } => Some(None),
        _ => None,
    })?
}

/// Sends a `session_reconnect` to `url` on the live `conn`.
fn reconnect_to(harness: &mut Harness, conn: ConnId, url: &str) {
    let message_id = harness.twitch.next_message_id();
    let session_id = harness.client.session_id().expect("a live session").clone();
    let text = harness
        .twitch
        .frames
        .reconnect(&message_id, session_id.as_str(), url);
    harness.send(conn, &text);
}

#[test]
fn a_reconnect_storm_never_holds_more_than_three_sockets() {
    let mut harness = Harness::new(Harness::config());
    // Closes are answered late (as a server that ignores them until the close timeout).
    harness.hold_closes = true;
    harness.establish();
    let start = harness.now;
    let mut most = 0;
    for step in 0..330 {
        let live = live_conn(&harness).expect("the session stays live");
        // The server loops on session_reconnect, welcoming a handover now and then.
        harness.reconnect(live);
        if step % 7 == 6 {
            if let Some(candidate) = harness.next_connect() {
                harness.open(candidate);
                harness.welcome(candidate);
                harness.keepalive(candidate);
            }
        } else if let Some(candidate) = harness.next_connect() {
            harness.open(candidate);
        }
        // Held closes end at the close timeout.
        if step % 20 == 19 {
            let held: Vec<ConnId> = harness
                .client_closes
                .iter()
                .map(|(conn, _, _)| *conn)
                .collect();
            for conn in held {
                if harness.twitch.sockets[&conn].state != SocketState::Closed {
                    harness.server_close(conn, Some(1000));
                }
            }
        }
        harness.advance(Duration::from_millis(100));
        if let Some(live) = live_conn(&harness) {
            harness.keepalive(live);
        }
        most = most.max(harness.client.stats().connections);
        assert!(
            harness.client.stats().connections <= 3,
            "step {step}: {} sockets",
            harness.client.stats().connections
        );
    }
    assert!(!harness.client.is_stopped());
    assert!(most >= 2, "the storm was felt: {most}");
    // Paced: no more connections than one per `min_reconnect_interval` (1 s) of the 33 s.
    let opened = connects_since(&harness, 0).len();
    let elapsed = harness.now.duration_since(start).as_secs() as usize;
    assert!(opened <= elapsed + 2, "{opened} connects in {elapsed} s");
    // The superseded candidates, never welcomed, were dropped without a close handshake.
    assert!(!harness.aborts.is_empty());
    for (conn, _) in &harness.aborts {
        assert!(harness.twitch.sockets[conn].welcomed_at.is_none());
    }
}

#[test]
fn a_reconnect_storm_in_one_instant_opens_one_socket() {
    let mut harness = Harness::new(Harness::config());
    let live = harness.establish();
    let from = harness.outputs.len();
    for _ in 0..326 {
        harness.reconnect(live);
    }
    let newest = harness.twitch.reconnect(live, false).unwrap();
    harness.send(live, &newest);
    let newest: serde_json::Value = serde_json::from_str(&newest).unwrap();
    let newest = newest["payload"]["session"]["reconnect_url"]
        .as_str()
        .unwrap();
    assert_eq!(connects_since(&harness, from).len(), 1);
    assert_eq!(harness.client.stats().connections, 2);
    // The newest URL is followed when its turn comes; the one before is dropped.
    assert!(harness.advance_to_next_timeout());
    let connects = connects_since(&harness, from);
    assert_eq!(connects.len(), 2);
    assert_eq!(connects[1].as_str(), newest);
    assert_eq!(harness.aborts.len(), 1);
    assert_eq!(harness.client.stats().connections, 2);
}

#[test]
fn a_fatal_close_on_a_candidate_is_a_failed_handover_not_a_stop() {
    let mut harness = Harness::new(Harness::config());
    let live = harness.establish();
    harness.reconnect(live);
    let candidate = harness.next_connect().expect("handover connect");
    harness.open(candidate);
    harness.server_close(candidate, Some(4001));
    assert!(!harness.client.is_stopped());
    assert!(
        matches!(
            harness.events.last(),
            Some(Event::ConnectFailed { conn, retry_at: Some(_), cause: DisconnectCause::Closed { code: CloseCode(4001), .. }, .. }) if *conn == candidate
        ),
        "{:?}",
        harness.events.last()
    );
    // The live session goes on delivering.
    let id = harness.notify(live);
    assert!(harness.delivered().contains(&id));
    // A fresh connection replaces it, after a backoff wait.
    let from = harness.outputs.len();
    assert!(harness.advance_to_next_timeout());
    assert_eq!(
        connects_since(&harness, from),
        [Url::parse("wss://eventsub.fake-twitch.test/ws").unwrap()]
    );
    // The same code on the live session's socket still stops the client.
    let fresh = harness.connect_next();
    harness.create_all();
    harness.server_close(fresh, Some(4001));
    assert!(harness.client.is_stopped());
}

#[test]
fn handover_welcomes_do_not_reset_the_backoff_before_healthy_after() {
    let mut harness = Harness::new(Harness::config());
    harness.establish();
    let start = harness.now;
    let deadline = start + Duration::from_secs(60);
    let mut handovers = 0;
    // Bounded, so that a client looping in zero time fails rather than hangs.
    for _ in 0..500 {
        if harness.now >= deadline || harness.client.is_stopped() {
            break;
        }
        if let Some(conn) = harness.next_connect() {
            harness.open(conn);
            harness.welcome(conn);
            harness.create_all();
            continue;
        }
        let Some(live) = live_conn(&harness) else {
            assert!(harness.advance_to_next_timeout());
            continue;
        };
        // The hostile loop: reconnect, welcome the handover, then refuse it with 4007.
        harness.reconnect(live);
        match harness.next_connect() {
            Some(new) => {
                harness.open(new);
                harness.welcome(new);
                harness.server_close(new, Some(4007));
                handovers += 1;
            }
            None => assert!(harness.advance_to_next_timeout()),
        }
    }
    let opened = connects_since(&harness, 0).len();
    let creations = creates_since(&harness, 0);
    // Backoff of 1, 2, 4, 8, 16, 32 s (each at least half): a handful of rounds in a minute, not
    // the 100 sockets and 50 creations of a backoff reset by every handover welcome.
    assert!(handovers >= 3, "the loop ran: {handovers}");
    assert!(handovers <= 8, "{handovers} handovers in 60 s");
    assert!(opened <= 2 * handovers + 2, "{opened} connects");
    assert!(creations <= handovers + 1, "{creations} creations");
    // The waits grew: the last retry was planned at least 8 s out.
    let last_wait = harness
        .events
        .iter()
        .rev()
        .find_map(|event| match event {
            Event::Disconnected { retry_in, .. } => *retry_in,
            _ => None,
        })
        .expect("a disconnect");
    assert!(last_wait >= Duration::from_secs(8), "{last_wait:?}");
}

#[test]
fn a_healthy_session_handed_over_resets_the_backoff() {
    let mut harness = Harness::new(Harness::config());
    let first = harness.establish();
    // A failure streak first: the live session is closed twice in a row.
    harness.server_close(first, Some(4000));
    assert!(harness.advance_to_next_timeout());
    let second = harness.connect_next();
    harness.create_all();
    harness.server_close(second, Some(4000));
    assert!(harness.advance_to_next_timeout());
    let third = harness.connect_next();
    harness.create_all();
    // Then it stays healthy past `healthy_after`, handing over on the way.
    for _ in 0..7 {
        harness.advance(Duration::from_secs(9));
        harness.keepalive(live_conn(&harness).unwrap());
    }
    harness.reconnect(third);
    let handed = harness.connect_next();
    assert!(matches!(
        harness.events.last(),
        Some(Event::Reconnected { .. })
    ));
    harness.server_close(handed, Some(4007));
    assert!(
        matches!(
            harness.events.last(),
            Some(Event::Disconnected { retry_in: Some(wait), .. }) if *wait <= Duration::from_secs(1)
        ),
        "the streak ended with the healthy session: {:?}",
        harness.events.last()
    );
}

#[test]
fn reconnect_urls_off_twitch_are_refused_and_reported() {
    let attacks = [
        "wss://evil.example.com/ws",
        "wss://eventsub.wss.twitch.tv.attacker.com/ws",
        "wss://eventsub.wss.twitch.tv@127.0.0.1:6379/",
        "wss://user:secret@eventsub.wss.twitch.tv/ws",
        "wss://169.254.169.254/latest/meta-data/",
        "wss://2852039166/ws",
        "wss://[::1]:22/",
        "wss://[::ffff:169.254.169.254]/ws",
        // Cyrillic `і` in "twіtch": punycode, not twitch.tv.
        "wss://eventsub.wss.tw\u{456}tch.tv/ws",
        "wss://eventsub%2Ewss%2Etwitch%2Etv%2Eattacker.com/ws",
        "wss://twitch%2etv.attacker.com/ws",
        "wss://eventsubtwitch.tv/ws",
        "wss://eventsub.wss.twitch.tv:8443/ws",
        "ws://eventsub.wss.twitch.tv/ws",
        "https://eventsub.wss.twitch.tv/ws",
        "not a url",
    ];
    for attack in attacks {
        let mut harness = Harness::new(Harness::config());
        let live = harness.establish();
        let from = harness.outputs.len();
        reconnect_to(&mut harness, live, attack);
        assert!(
            connects_since(&harness, from).is_empty(),
            "{attack}: followed"
        );
        let reported = harness.events_since(0).iter().any(|event| {
            matches!(event, Event::ReconnectUrlRejected { conn, url, reason } if *conn == live && url == attack && !reason.is_empty())
        });
        assert!(reported, "{attack}: not reported");
        // A failed handover: the live session goes on, and a fresh connection to the base URL is
        // planned (with backoff) before Twitch ends the session.
        assert!(!harness.client.is_stopped());
        let id = harness.notify(live);
        assert!(harness.delivered().contains(&id), "{attack}");
        assert!(harness.advance_to_next_timeout());
        assert_eq!(
            connects_since(&harness, from),
            [Url::parse("wss://eventsub.fake-twitch.test/ws").unwrap()],
            "{attack}"
        );
    }
}

#[test]
fn reconnect_urls_on_twitch_are_followed_verbatim() {
    for url in [
        "wss://eventsub.wss.twitch.tv/ws?challenge=1",
        "wss://eventsub.wss.twitch.tv:443/ws",
        "wss://EventSub.WSS.Twitch.TV/ws",
        "wss://twitch.tv/ws",
    ] {
        let mut harness = Harness::new(Harness::config());
        let live = harness.establish();
        let from = harness.outputs.len();
        reconnect_to(&mut harness, live, url);
        assert_eq!(
            connects_since(&harness, from),
            [Url::parse(url).unwrap()],
            "{url}"
        );
    }
}

#[test]
fn the_same_host_policy_follows_only_the_base_urls_host_and_port() {
    let mut config = Harness::config();
    config.url = Url::parse("ws://127.0.0.1:4100/ws").unwrap();
    config.reconnect_urls = ReconnectUrlPolicy::SameHostAsUrl;
    for (url, followed) in [
        ("ws://127.0.0.1:4100/ws?reconnect=1", true),
        ("wss://127.0.0.1:4100/ws", true),
        ("ws://127.0.0.1:6379/", false),
        ("ws://localhost:4100/ws", false),
        ("ws://eventsub.wss.twitch.tv@127.0.0.1:4100/ws", false),
        ("wss://eventsub.wss.twitch.tv/ws", false),
    ] {
        let mut harness = Harness::new(config.clone());
        let live = harness.establish();
        let from = harness.outputs.len();
        reconnect_to(&mut harness, live, url);
        assert_eq!(
            connects_since(&harness, from).len(),
            usize::from(followed),
            "{url}"
        );
    }
}

#[test]
fn a_keepalive_grace_too_long_to_compute_is_refused_up_front_not_a_panic_at_the_welcome() {
    let mut config = Harness::config();
    config.keepalive_grace = eventsub_proto::KeepaliveGrace::new(u32::MAX, Duration::MAX);
    assert!(matches!(
        eventsub_proto::Client::new(config, std::time::Instant::now()),
        Err(eventsub_proto::ConfigError::DurationTooLong {
            field: "keepalive_grace",
            ..
        })
    ));
}

#[test]
fn a_huge_connect_timeout_is_refused_up_front_instead_of_timing_out_at_once() {
    let mut config = Harness::config();
    config.connect_timeout = Duration::MAX;
    assert!(matches!(
        eventsub_proto::Client::new(config, std::time::Instant::now()),
        Err(eventsub_proto::ConfigError::DurationTooLong {
            field: "connect_timeout",
            ..
        })
    ));
    // The longest accepted one really waits.
    let mut config = Harness::config();
    config.connect_timeout = eventsub_proto::MAX_TIMEOUT;
    let mut harness = Harness::new(config);
    harness.advance(Duration::from_secs(3_600));
    assert!(
        harness.next_connect().is_some(),
        "still connecting an hour later"
    );
    assert!(
        !harness
            .events
            .iter()
            .any(|e| matches!(e, Event::ConnectFailed { .. })),
        "{:?}",
        harness.events
    );
}

/// A welcome read after Twitch already dropped the session (a consumer stalled past the unused
/// window): Helix answers the creation with a 400 that says the session is gone. That is the
/// session's end, not the subscription's: the next session creates it again.
#[test]
fn a_creation_refused_because_the_session_is_gone_is_made_on_the_next_session() {
    let mut config = Harness::config();
    config.subscriptions.truncate(1);
    let mut harness = Harness::new(config);
    let conn = harness.connect_next();
    let gone = harness.pending_creates.remove(0);
    harness.feed(Input::SubscriptionCreated {
        request: gone.request,
        result: Err(RequestError::Rejected {
            status: 400,
            message: "websocket transport session does not exist or has already disconnected"
                .into(),
        }),
    });
    assert!(
        !harness
            .events
            .iter()
            .any(|event| matches!(event, Event::Idle { .. })),
        "the subscription is still wanted"
    );
    harness.feed(Input::Closed {
        conn,
        code: Some(4003),
        reason: "connection unused",
    });
    // Its backoff, if any, then the next session.
    while harness.next_connect().is_none() && harness.advance_to_next_timeout() {}
    let next = harness.connect_next();
    assert_ne!(next, conn);
    assert_eq!(harness.pending_creates.len(), 1, "asked for again");
    harness.create_all();
    let id = harness.notify(next);
    assert!(harness.delivered().contains(&id));
}

/// A reconnect storm while the consumer stalls: the candidate of the first `session_reconnect` is
/// open, its welcome unread because the adapter does not read. The second handover, due by the
/// pace, does not replace it while reading is paused (its silence says nothing), and once reading
/// resumes the candidate's welcome is read first: the handover completes on it, nothing dropped.
#[test]
fn a_handover_candidate_is_not_replaced_while_reading_is_paused() {
    let mut harness = Harness::new(Harness::config());
    let primary = harness.establish();
    harness.reconnect(primary);
    let Some(candidate) = harness.next_connect() else {
        panic!("the first reconnect opens a candidate");
    };
    harness.open(candidate);
    harness.reconnect(primary);
    harness.feed(Input::ReadingPaused);
    for _ in 0..5 {
        if !harness.advance_to_next_timeout() {
            break;
        }
    }
    harness.advance(Duration::from_secs(3));
    assert!(
        harness.aborts.iter().all(|(conn, _)| *conn != candidate),
        "the candidate was dropped with its welcome unread"
    );
    harness.feed(Input::ReadingResumed);
    harness.welcome(candidate);
    assert!(
        harness
            .events
            .iter()
            .any(|event| matches!(event, Event::Reconnected { conn, .. } if *conn == candidate)),
        "the handover completes on the candidate"
    );
    assert!(harness.aborts.iter().all(|(conn, _)| *conn != candidate));
}
