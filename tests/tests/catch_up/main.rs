//! Catch-up after a gap, end to end: the tokio client with catch-up on, against the mock EventSub
//! server and mock Helix over 127.0.0.1. Things happen in the mock's world while the client is
//! connected (delivered live) and during a TCP drop (not delivered: only Helix can tell); after
//! `Resumed`, each missed event must come back exactly once as `Event::Recovered`, nothing
//! delivered live may come back, and the gap's `Event::CatchUp` report, after the recovered
//! events, must say what was recovered and what cannot be (chat: no Helix read; a read the
//! token has no scope for: missing scope, with no request made).
//!
//! # Twenty seconds on Twitch's clock, in a fraction of one
//!
//! The gap should last about 20 s on Twitch's clock, with the missed events spread over it,
//! without the test sleeping 20 s. The mock's clock (its frames' `message_timestamp`s and the
//! world's timestamps) is moved instead, in a way the client's clock estimate follows: every
//! welcome is stamped 20 s ahead, so the client's estimate of Twitch's clock (the median of its
//! welcome samples; later keepalives are not sampled within 30 s) is "20 s ahead of the local
//! clock" throughout. The frames in between (notifications, keepalives) are stamped without the
//! shift, so the lost socket's last frame sets the gap's start 20 s before the client's idea of
//! Twitch's "now". During the drop the mock's clock steps through 2 s … 18 s ahead as each thing
//! happens, so the missed events lie between the gap's bounds, spread over its 20 s.
//! The reconnect is held at the mock's door (`MockEventSub::hold_connections`) meanwhile, so
//! what the test does during the gap happens during the gap, whatever the client's backoff.
//!
//! The stream's state before the gap is taken from a first, empty gap's catch-up (which reads
//! the state after it) rather than from the read the session's start asks for: that one's answer
//! may come after the drop, when it no longer counts, and nothing the client delivers tells when
//! it came; the first gap's report does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod any_runtime;
mod recorded;
mod watch;

use std::collections::BTreeMap;
use std::time::Duration;

use eventsub_mock::{Delivery, Happened, MockConfig, MockEventSub, within};
use eventsub_proto::{BroadcasterId, ModeratorId, RequestError, RewardId, UserId};
use eventsub_tokio::{
    AccessToken, CatchUp, CatchUpConfig, CatchUpResult, Event, EventSub, EventSubHandle, HelixRead,
    ReadError, RecoveredEvent, SubscriptionSpec, Unrecoverable,
};
use watch::{WAIT, Watch};

const CLIENT: &str = "catch-up-client";
const BROADCASTER: &str = "1001";
const TOKEN: &str = "token-of-1001";
/// The custom reward whose redemptions the app listens to (this client id created it).
const REWARD: &str = "reward-of-1001";
/// How far the welcomes' clock is ahead: the gap's length on Twitch's clock.
const GAP: Duration = Duration::from_secs(20);

/// What the subscriptions need, and what the reads need.
const EVERY_SCOPE: &[&str] = &[
    "moderator:read:followers",
    "channel:moderate",
    "moderation:read",
    "channel:read:redemptions",
    "channel:read:polls",
    "user:read:chat",
];

fn broadcaster() -> BroadcasterId {
    BroadcasterId::new(BROADCASTER)
}

fn follows() -> SubscriptionSpec {
    SubscriptionSpec::channel_follow_v2(broadcaster(), ModeratorId::new(BROADCASTER))
}

fn bans() -> SubscriptionSpec {
    SubscriptionSpec::channel_ban(broadcaster())
}

fn redemptions() -> SubscriptionSpec {
    SubscriptionSpec::channel_points_custom_reward_redemption_add_of(
        broadcaster(),
        RewardId::new(REWARD),
    )
}

fn poll_ends() -> SubscriptionSpec {
    SubscriptionSpec::channel_poll_end(broadcaster())
}

fn offline() -> SubscriptionSpec {
    SubscriptionSpec::stream_offline(broadcaster())
}

fn chat() -> SubscriptionSpec {
    SubscriptionSpec::channel_chat_message(broadcaster(), UserId::new(BROADCASTER))
}

/// A mock whose broadcaster's token has `scopes` and whose reward this client created; its
/// welcomes are stamped [`GAP`] ahead (see the module docs).
async fn mock(scopes: &[&str]) -> MockEventSub {
    let mock = MockEventSub::start(MockConfig::fast()).await.unwrap();
    {
        let mut helix = mock.helix();
        helix.add_user_token(TOKEN, CLIENT, BROADCASTER, scopes);
        helix.world.create_reward(BROADCASTER, REWARD, CLIENT);
    }
    mock.set_clock_offset(GAP, true);
    mock
}

/// The client with catch-up on, subscribed to `specs`, once every subscription exists and the
/// welcome is read; the mock's clock is then back to unshifted for what follows. A test delivers
/// something live before it drops the socket, so that the gap starts at an unshifted frame, not
/// at the welcome (20 s ahead).
async fn connect(mock: &MockEventSub, specs: &[SubscriptionSpec]) -> (EventSubHandle, Watch) {
    let mut config = eventsub_mock::scenario::client_config();
    // A connect held at the mock's door waits rather than times out.
    config.connect_timeout = WAIT;
    let mut builder = EventSub::builder(CLIENT, AccessToken::new(TOKEN))
        .config(config)
        .eventsub_url(mock.ws_url())
        .helix_url(mock.helix_url())
        .catch_up(CatchUpConfig::default());
    for spec in specs {
        builder = builder.subscribe(spec.clone());
    }
    let (handle, events) = builder.connect().unwrap();
    let mut watch = Watch::new(events);
    watch
        .until("the session", |e| matches!(e, Event::SessionReady { .. }))
        .await;
    mock.set_clock_offset(Duration::ZERO, true);
    for _ in specs {
        watch
            .until("a subscription", |e| {
                matches!(e, Event::SubscriptionCreated { .. })
            })
            .await;
    }
    (handle, watch)
}

/// Drops the client's TCP connection (no close frame) and holds its reconnect at the door, once
/// the mock's session has ended: from here on nobody listens.
async fn drop_and_hold(mock: &MockEventSub, watch: &mut Watch) {
    mock.hold_connections(true);
    assert!(mock.drop_socket(mock.current_socket().unwrap()));
    watch
        .until("the gap", |e| matches!(e, Event::Disconnected { .. }))
        .await;
    assert!(
        mock.wait_for(WAIT, |mock| mock.live_subscriptions() == 0)
            .await,
        "the session ended with its socket"
    );
}

/// Moves the mock's clock `seconds` ahead of unshifted: when the next thing happens.
fn at(mock: &MockEventSub, seconds: u64) {
    mock.set_clock_offset(Duration::from_secs(seconds), true);
}

/// Lets the client back in, its welcome stamped [`GAP`] ahead, and waits for `Resumed`.
async fn resume(mock: &MockEventSub, watch: &mut Watch) -> eventsub_proto::Gap {
    mock.set_clock_offset(GAP, true);
    mock.hold_connections(false);
    match watch
        .until("resumed", |e| matches!(e, Event::Resumed { .. }))
        .await
    {
        Event::Resumed { gap } => gap,
        _ => unreachable!("until returns what it matched"),
    }
}

/// The report of the gap, once it comes.
async fn report(watch: &mut Watch) -> CatchUp {
    match watch
        .until("the catch-up report", |e| matches!(e, Event::CatchUp(_)))
        .await
    {
        Event::CatchUp(report) => *report,
        _ => unreachable!("until returns what it matched"),
    }
}

/// The report's result per subscription type.
fn results(report: &CatchUp) -> BTreeMap<String, CatchUpResult> {
    report
        .subscriptions
        .iter()
        .map(|outcome| (outcome.subscription.kind.clone(), outcome.result.clone()))
        .collect()
}

fn recovered_count(read: HelixRead, events: u32) -> CatchUpResult {
    CatchUpResult::Recovered {
        read,
        events,
        complete: true,
    }
}

/// The report of the main test's subscriptions, with these counts of recovered follows, bans,
/// redemptions and poll ends, nothing for the stream (no change), and chat unrecoverable.
fn expected_report(
    [follows_back, bans_back, redemptions_back, polls_back]: [u32; 4],
) -> BTreeMap<String, CatchUpResult> {
    [
        (
            follows(),
            recovered_count(HelixRead::ChannelFollowers, follows_back),
        ),
        (bans(), recovered_count(HelixRead::BannedUsers, bans_back)),
        (
            redemptions(),
            recovered_count(HelixRead::CustomRewardRedemptions, redemptions_back),
        ),
        (poll_ends(), recovered_count(HelixRead::Polls, polls_back)),
        (offline(), recovered_count(HelixRead::Streams, 0)),
        (
            chat(),
            CatchUpResult::Unrecoverable {
                reason: Unrecoverable::NoHelixRead,
            },
        ),
    ]
    .into_iter()
    .map(|(spec, result)| (spec.kind, result))
    .collect()
}

#[tokio::test]
async fn what_a_20s_drop_missed_is_recovered_once_after_the_delivered_and_reported_after() {
    let mock = mock(EVERY_SCOPE).await;
    // Before the client: the stream is live and a poll runs (nobody listens yet).
    mock.world().stream_online(BROADCASTER);
    let poll = mock
        .world()
        .begin_poll(BROADCASTER, "Best snack?", &["chips", "fruit"])
        .id
        .unwrap();
    let specs = [
        follows(),
        bans(),
        redemptions(),
        poll_ends(),
        offline(),
        chat(),
    ];
    let (handle, mut watch) = connect(&mock, &specs).await;
    // A first, empty gap: its catch-up reads the stream's state after it, which is the state
    // before the next one (the baseline the session's start asks for may be answered only after a
    // drop, too late to count; this report is the proof the state was taken).
    drop_and_hold(&mock, &mut watch).await;
    let first_gap = resume(&mock, &mut watch).await;
    let first = report(&mut watch).await;
    mock.set_clock_offset(Duration::ZERO, true);
    assert_eq!(
        (first.gap_from, first.gap_until),
        (first_gap.from, first_gap.until)
    );
    // The stream's row: no change, or no state from before it to compare with.
    let mut first_results = results(&first);
    let stream_row = first_results.remove("stream.offline");
    let no_baseline = CatchUpResult::Unrecoverable {
        reason: Unrecoverable::NoBaseline {
            read: HelixRead::Streams,
        },
    };
    assert!(
        stream_row == Some(recovered_count(HelixRead::Streams, 0))
            || stream_row == Some(no_baseline),
        "{stream_row:?}"
    );
    let mut nothing_missed = expected_report([0, 0, 0, 0]);
    nothing_missed.remove("stream.offline");
    assert_eq!(
        first_results, nothing_missed,
        "nothing happened in the first gap"
    );
    assert!(
        watch.recovered_since(0).is_empty(),
        "nothing to recover yet"
    );

    // Live: delivered over the socket.
    let mut live = Vec::new();
    live.extend(mock.world().follow(BROADCASTER, "5001").delivered);
    live.extend(mock.world().ban(BROADCASTER, "6001", BROADCASTER).delivered);
    let live_redemption = mock.world().redeem(BROADCASTER, REWARD, "7001", "hi");
    live.extend(live_redemption.delivered);
    live.extend(mock.notify("channel.chat.message", Delivery::Once));
    assert_eq!(live.len(), 4, "each went to its subscription: {live:?}");
    watch.delivered(&live).await;

    drop_and_hold(&mock, &mut watch).await;
    // During the drop, spread over the gap on Twitch's clock: nobody listens.
    let happen = |seconds: u64, what: &dyn Fn() -> Happened| {
        at(&mock, seconds);
        let happened = what();
        assert!(
            happened.delivered.is_empty(),
            "nobody listened: {happened:?}"
        );
        happened
    };
    let world = mock.world();
    happen(2, &|| world.follow(BROADCASTER, "5002"));
    happen(4, &|| world.ban(BROADCASTER, "6002", BROADCASTER));
    let first = happen(6, &|| world.redeem(BROADCASTER, REWARD, "7002", "a"));
    at(&mock, 8);
    assert!(
        mock.notify("channel.chat.message", Delivery::Once)
            .is_empty()
    );
    happen(10, &|| world.follow(BROADCASTER, "5003"));
    happen(12, &|| world.end_poll(BROADCASTER, &poll).unwrap());
    happen(14, &|| world.timeout(BROADCASTER, "6003", BROADCASTER, 600));
    let second = happen(16, &|| world.redeem(BROADCASTER, REWARD, "7003", "b"));
    happen(18, &|| world.stream_offline(BROADCASTER));
    let mut missed_redemptions = vec![first.id, second.id];
    let gap = resume(&mock, &mut watch).await;
    assert!(
        gap.duration() >= GAP - Duration::from_secs(1),
        "the gap lasted about 20 s on Twitch's clock: {gap:?}"
    );
    let resumed_at = watch.seen.len();
    let report = report(&mut watch).await;

    // Each missed event, once, marked as recovered for its subscription and this gap.
    let recovered = watch.recovered_since(resumed_at);
    for event in &recovered {
        assert_eq!((event.gap_from, event.gap_until), (gap.from, gap.until));
        assert!(specs.contains(&event.subscription), "{event:?}");
    }
    let mut follows_back: Vec<&str> = Vec::new();
    let mut bans_back: Vec<&str> = Vec::new();
    let mut redemptions_back: Vec<Option<String>> = Vec::new();
    let mut polls_back: Vec<&str> = Vec::new();
    let mut offline_back = 0;
    for event in &recovered {
        match &event.event {
            RecoveredEvent::Follow { follower } => {
                assert_eq!(event.subscription, follows());
                follows_back.push(&follower.user_id);
            }
            RecoveredEvent::Ban { ban } => {
                assert_eq!(event.subscription, bans());
                bans_back.push(&ban.user_id);
            }
            RecoveredEvent::Redemption { redemption } => {
                assert_eq!(event.subscription, redemptions());
                assert_eq!(redemption.reward.id, REWARD);
                redemptions_back.push(Some(redemption.id.clone()));
            }
            RecoveredEvent::PollEnd { poll } => {
                assert_eq!(event.subscription, poll_ends());
                polls_back.push(&poll.id);
            }
            RecoveredEvent::StreamOffline {
                broadcaster_user_id,
                ..
            } => {
                assert_eq!(event.subscription, offline());
                assert_eq!(broadcaster_user_id, BROADCASTER);
                offline_back += 1;
            }
            other => panic!("nothing else happened: {other:?}"),
        }
    }
    follows_back.sort_unstable();
    bans_back.sort_unstable();
    redemptions_back.sort_unstable();
    missed_redemptions.sort_unstable();
    assert_eq!(follows_back, ["5002", "5003"], "not 5001: it was delivered");
    assert_eq!(bans_back, ["6002", "6003"], "not 6001: it was delivered");
    assert_eq!(
        redemptions_back, missed_redemptions,
        "not the delivered one"
    );
    assert_eq!(polls_back, [poll.as_str()]);
    assert_eq!(offline_back, 1);

    // Nothing delivered live came again, as a notification or otherwise.
    let delivered = watch.notification_ids();
    let mut unique = delivered.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(delivered.len(), unique.len(), "no notification twice");
    assert_eq!(
        delivered.len(),
        live.len(),
        "nothing of the gap came as a notification"
    );

    // The report: per subscription, what the recovered events above were; chat cannot be known.
    assert_eq!((report.gap_from, report.gap_until), (gap.from, gap.until));
    let mut expected = expected_report([2, 2, 2, 1]);
    expected.insert(
        "stream.offline".to_owned(),
        recovered_count(HelixRead::Streams, 1),
    );
    assert_eq!(results(&report), expected);
    assert_eq!(report.subscriptions.len(), specs.len(), "one outcome each");

    handle.shutdown().await;
    assert!(mock.records().client_data_frames().is_empty());
}

#[tokio::test]
async fn a_read_the_token_has_no_scope_for_is_reported_missing_and_never_made() {
    // The ban subscription needs `channel:moderate`, which the token has; Get Banned Users needs
    // `moderation:read` or `moderator:manage:banned_users`, which it lacks.
    let scopes: Vec<&str> = EVERY_SCOPE
        .iter()
        .copied()
        .filter(|scope| *scope != "moderation:read")
        .collect();
    let mock = mock(&scopes).await;
    let (handle, mut watch) = connect(&mock, &[follows(), bans()]).await;
    // Delivered live: the lost socket's last frames are stamped after the welcome's shift (see
    // the module docs), and this one is not to be recovered.
    let live = mock.world().follow(BROADCASTER, "5001").delivered;
    assert_eq!(live.len(), 1);
    watch.delivered(&live).await;

    drop_and_hold(&mock, &mut watch).await;
    at(&mock, 5);
    assert!(
        mock.world()
            .ban(BROADCASTER, "6002", BROADCASTER)
            .delivered
            .is_empty()
    );
    at(&mock, 10);
    assert!(
        mock.world()
            .follow(BROADCASTER, "5002")
            .delivered
            .is_empty()
    );
    let gap = resume(&mock, &mut watch).await;
    let resumed_at = watch.seen.len();
    let report = report(&mut watch).await;

    let recovered = watch.recovered_since(resumed_at);
    assert_eq!(recovered.len(), 1, "{recovered:?}");
    assert!(
        matches!(&recovered[0].event, RecoveredEvent::Follow { follower } if follower.user_id == "5002"),
        "{recovered:?}"
    );
    assert_eq!((report.gap_from, report.gap_until), (gap.from, gap.until));
    let results = results(&report);
    assert_eq!(
        results[&bans().kind],
        CatchUpResult::Unrecoverable {
            reason: Unrecoverable::MissingScope {
                read: HelixRead::BannedUsers,
                scopes: HelixRead::BannedUsers.scopes(),
            },
        }
    );
    assert_eq!(
        results[&follows().kind],
        recovered_count(HelixRead::ChannelFollowers, 1)
    );
    {
        let helix = mock.helix();
        let reads = &helix.world.reads;
        assert_eq!(helix.world.reads_of("/moderation/banned"), 0, "{reads:?}");
        assert!(helix.world.reads_of("/channels/followers") > 0, "{reads:?}");
    }

    handle.shutdown().await;
}

#[tokio::test]
async fn a_read_helix_refuses_is_reported_failed_with_helixs_error() {
    let mock = mock(EVERY_SCOPE).await;
    // Twitch shows a reward's redemptions only to the client id that created it.
    let foreign = "reward-of-another-app";
    mock.helix()
        .world
        .create_reward(BROADCASTER, foreign, "another-client");
    let theirs = SubscriptionSpec::channel_points_custom_reward_redemption_add_of(
        broadcaster(),
        RewardId::new(foreign),
    );
    let (handle, mut watch) = connect(&mock, &[follows(), theirs.clone()]).await;
    let live = mock.world().follow(BROADCASTER, "5001").delivered;
    watch.delivered(&live).await;

    drop_and_hold(&mock, &mut watch).await;
    at(&mock, 10);
    let missed = mock.world().redeem(BROADCASTER, foreign, "7002", "a");
    assert!(missed.delivered.is_empty());
    resume(&mock, &mut watch).await;
    let resumed_at = watch.seen.len();
    let report = report(&mut watch).await;

    assert!(watch.recovered_since(resumed_at).is_empty());
    let results = results(&report);
    let failed = &results[&theirs.kind];
    assert!(
        matches!(
            failed,
            CatchUpResult::Failed {
                read: HelixRead::CustomRewardRedemptions,
                error: ReadError::Request(RequestError::Rejected { status: 403, .. }),
            }
        ),
        "{failed:?}"
    );
    assert_eq!(
        results[&follows().kind],
        recovered_count(HelixRead::ChannelFollowers, 0),
        "the other read still ran"
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn the_raw_get_sends_repeated_names_in_order_and_hands_back_the_body() {
    let mock = mock(EVERY_SCOPE).await;
    mock.world().stream_online("1001");
    mock.world().stream_online("1002");
    mock.world().stream_online("1003");
    let client = mock.helix_client(CLIENT, TOKEN);
    let query = [
        ("user_id", "1003".to_owned()),
        ("user_id", "1001".to_owned()),
    ];
    let body = client.get_raw("/streams", &query).await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let mut live: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|stream| stream["user_id"].as_str().unwrap())
        .collect();
    live.sort_unstable();
    assert_eq!(live, ["1001", "1003"]);
    assert_eq!(
        mock.helix().world.reads,
        ["/streams?user_id=1003&user_id=1001"]
    );
    // A refusal is the typed error every call gives.
    let error = client
        .get_raw(
            "/moderation/banned",
            &[("broadcaster_id", "2002".to_owned())],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, eventsub_helix::HelixError::Forbidden { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_follow_missed_in_a_drop_is_recovered_under_tokio() {
    let mock = MockEventSub::start(MockConfig::fast()).await.unwrap();
    mock.helix().add_user_token(
        TOKEN,
        CLIENT,
        BROADCASTER,
        &["moderator:read:followers", "user:read:chat"],
    );
    let builder = EventSub::builder(CLIENT, AccessToken::new(TOKEN))
        .config(eventsub_mock::scenario::client_config())
        .eventsub_url(mock.ws_url())
        .helix_url(mock.helix_url());
    any_runtime::a_follow_missed_in_a_drop_is_recovered(&mock, builder).await;
}

#[tokio::test]
async fn the_mocks_door_holds_a_new_connection_until_released() {
    let mock = MockEventSub::start(MockConfig::fast()).await.unwrap();
    mock.hold_connections(true);
    let url = mock.ws_url();
    let connecting = tokio::spawn(async move {
        let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        futures_util::StreamExt::next(&mut ws).await
    });
    assert!(
        mock.wait_for(WAIT, |mock| mock.held_connections() == 1)
            .await
    );
    assert!(mock.sockets().is_empty(), "not served while held");
    assert!(!connecting.is_finished(), "no handshake answered");
    mock.hold_connections(false);
    let first = within(WAIT, "the welcome", connecting).await.unwrap();
    let Some(Ok(tokio_tungstenite::tungstenite::Message::Text(welcome))) = first else {
        panic!("not a welcome: {first:?}");
    };
    assert!(welcome.contains("session_welcome"), "{welcome}");
    assert_eq!(mock.held_connections(), 0);
}
