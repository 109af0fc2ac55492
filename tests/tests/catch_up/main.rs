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
mod plumbing;
mod recorded;
mod refusals;
mod twenty_seconds;
mod watch;

use std::collections::BTreeMap;
use std::time::Duration;

use eventsub_mock::{MockConfig, MockEventSub};
use eventsub_proto::{BroadcasterId, ModeratorId, RewardId, UserId};
use eventsub_tokio::{
    AccessToken, CatchUp, CatchUpConfig, CatchUpResult, Event, EventSub, EventSubHandle, HelixRead,
    SubscriptionSpec,
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
