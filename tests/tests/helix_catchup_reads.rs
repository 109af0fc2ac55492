//! The Helix catch-up reads against the mock, served from the same world the mock EventSub server
//! notifies from: each read's happy path, pagination with a bound on pages, scope and broadcaster
//! errors, malformed and oversized bodies, and what happened during a drop (visible over Helix,
//! not delivered) against what happened while connected (both).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::Duration;

use eventsub_helix::{
    BannedUsersRequest, FollowersRequest, HelixClient, HelixError, HelixRead, PollsRequest,
    PredictionsRequest, Recovery, RedemptionStatus, RedemptionsRequest, TransportRequest,
};
use eventsub_mock::helix::Fault;
use eventsub_mock::{MockConfig, MockEventSub, within};
use eventsub_proto::SubscriptionSpec;
use eventsub_proto::events::SUBSCRIPTION_TYPES;
use futures_util::StreamExt;
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const CLIENT: &str = "catchup-client";
/// The broadcaster, whose token has every read's scope.
const BROADCASTER: &str = "1001";
const TOKEN: &str = "token-of-1001-all-scopes";
/// The same broadcaster without any scope.
const BARE_TOKEN: &str = "token-of-1001-no-scopes";
/// Another user, with every scope, who is not the broadcaster.
const OTHER_TOKEN: &str = "token-of-2002-all-scopes";
const WAIT: Duration = Duration::from_secs(5);

const ALL_SCOPES: &[&str] = &[
    "moderator:read:followers",
    "moderation:read",
    "channel:read:redemptions",
    "channel:read:polls",
    "channel:read:predictions",
    "channel:read:goals",
    "channel:read:charity",
];

async fn mock() -> MockEventSub {
    let mock = MockEventSub::start(MockConfig::fast()).await.unwrap();
    {
        let mut helix = mock.helix();
        helix.add_user_token(TOKEN, CLIENT, BROADCASTER, ALL_SCOPES);
        helix.add_user_token(BARE_TOKEN, CLIENT, BROADCASTER, &[]);
        helix.add_user_token(OTHER_TOKEN, CLIENT, "2002", ALL_SCOPES);
    }
    mock
}

fn client(mock: &MockEventSub) -> HelixClient {
    mock.helix_client(CLIENT, TOKEN)
}

/// The first page of the broadcaster's followers (newest first), read with the broadcaster's token.
async fn followers_of_the_broadcaster(mock: &MockEventSub) -> Vec<eventsub_helix::ChannelFollower> {
    let request = FollowersRequest::new(BROADCASTER);
    client(mock)
        .channel_followers(&request)
        .collect_pages(1)
        .await
        .unwrap()
        .items
}

#[tokio::test]
async fn followers_are_listed_newest_first_with_followed_at() {
    let mock = mock().await;
    let before = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
    mock.world().follow(BROADCASTER, "5001");
    mock.world().follow(BROADCASTER, "5002");
    let walked = client(&mock)
        .channel_followers(&FollowersRequest::new(BROADCASTER))
        .collect_pages(5)
        .await
        .unwrap();
    assert!(walked.complete);
    let ids: Vec<&str> = walked.items.iter().map(|f| f.user_id.as_str()).collect();
    assert_eq!(ids, ["5002", "5001"]);
    assert_eq!(walked.items[0].user_login, "user5002");
    assert!(walked.items.iter().all(|f| f.followed_at > before));
    assert!(walked.items[0].followed_at >= walked.items[1].followed_at);
}

#[tokio::test]
async fn followers_paginate_with_first_and_after_and_stop_at_the_page_bound() {
    let mock = mock().await;
    for user in 0..5 {
        mock.world().follow(BROADCASTER, &format!("60{user}"));
    }
    let request = FollowersRequest::new(BROADCASTER).per_page(2);
    let bounded = client(&mock)
        .channel_followers(&request)
        .collect_pages(2)
        .await
        .unwrap();
    assert_eq!(
        (bounded.pages, bounded.items.len(), bounded.complete),
        (2, 4, false)
    );
    let whole = client(&mock)
        .channel_followers(&request)
        .collect_pages(10)
        .await
        .unwrap();
    assert_eq!(
        (whole.pages, whole.items.len(), whole.complete),
        (3, 5, true)
    );
    let ids: Vec<&str> = whole.items.iter().map(|f| f.user_id.as_str()).collect();
    assert_eq!(ids, ["604", "603", "602", "601", "600"]);
    // The page itself says the total.
    let client = client(&mock);
    let mut pages = client.channel_followers(&request);
    assert_eq!(pages.next_page().await.unwrap().unwrap().total, Some(5));
}

#[tokio::test]
async fn followers_without_the_scope_show_the_total_only_as_twitch_does() {
    let mock = mock().await;
    mock.world().follow(BROADCASTER, "5001");
    let bare = mock.helix_client(CLIENT, BARE_TOKEN);
    let mut pages = bare.channel_followers(&FollowersRequest::new(BROADCASTER));
    let page = pages.next_page().await.unwrap().unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.total, Some(1));
    // So a caller must ask the catalogue first, not read the empty list as "nobody followed".
    assert_eq!(
        HelixRead::ChannelFollowers.missing_scopes(&[]),
        Some(&["moderator:read:followers"][..])
    );
}

#[tokio::test]
async fn a_user_following_is_found_by_user_id() {
    let mock = mock().await;
    mock.world().follow(BROADCASTER, "5001");
    mock.world().follow(BROADCASTER, "5002");
    let found = client(&mock)
        .channel_followers(&FollowersRequest::new(BROADCASTER).user("5001"))
        .collect_all()
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].user_id, "5001");
}

#[tokio::test]
async fn banned_users_list_bans_and_timeouts_with_created_at() {
    let mock = mock().await;
    mock.world().ban(BROADCASTER, "7001", "9001");
    mock.world().timeout(BROADCASTER, "7002", "9001", 600);
    let bans = client(&mock)
        .banned_users(&BannedUsersRequest::new(BROADCASTER))
        .collect_pages(3)
        .await
        .unwrap()
        .items;
    assert_eq!(bans.len(), 2);
    let (timeout, ban) = (&bans[0], &bans[1]);
    assert_eq!((ban.user_id.as_str(), ban.is_timeout()), ("7001", false));
    assert_eq!(ban.expires_at, None, "a permanent ban's \"\" is absent");
    assert_eq!(ban.moderator_id, "9001");
    assert_eq!(ban.reason.as_deref(), Some("mock ban"));
    assert_eq!(timeout.user_id, "7002");
    let expires = timeout.expires_at.unwrap();
    assert_eq!((expires - timeout.created_at).whole_seconds(), 600);
}

#[tokio::test]
async fn a_read_without_its_scope_is_401_and_for_another_broadcaster_403() {
    let mock = mock().await;
    let bare = mock.helix_client(CLIENT, BARE_TOKEN);
    let error = bare
        .banned_users(&BannedUsersRequest::new(BROADCASTER))
        .collect_all()
        .await
        .unwrap_err();
    assert!(error.is_unauthorized(), "{error:?}");
    assert!(
        error.message().unwrap().contains("moderation:read"),
        "{error}"
    );
    let other = mock.helix_client(CLIENT, OTHER_TOKEN);
    let error = other
        .polls(&PollsRequest::new(BROADCASTER))
        .collect_all()
        .await
        .unwrap_err();
    assert!(matches!(error, HelixError::Forbidden { .. }), "{error:?}");
    let error = other.creator_goals(BROADCASTER).await.unwrap_err();
    assert!(matches!(error, HelixError::Forbidden { .. }), "{error:?}");
    let unknown = mock.helix_client(CLIENT, "not-a-token");
    let error = unknown
        .channel_information(&[BROADCASTER])
        .await
        .unwrap_err();
    assert!(error.is_unauthorized(), "{error:?}");
}

#[tokio::test]
async fn redemptions_are_listed_per_reward_and_status_with_redeemed_at() {
    let mock = mock().await;
    let first = mock
        .world()
        .redeem(BROADCASTER, "reward-a", "5001", "hello");
    mock.world().redeem(BROADCASTER, "reward-b", "5002", "");
    let second = mock
        .world()
        .redeem(BROADCASTER, "reward-a", "5003", "again");
    let request = RedemptionsRequest::new(BROADCASTER, "reward-a", RedemptionStatus::Unfulfilled);
    let newest_first = client(&mock)
        .custom_reward_redemptions(&request)
        .collect_pages(2)
        .await
        .unwrap()
        .items;
    let ids: Vec<Option<&str>> = newest_first.iter().map(|r| Some(r.id.as_str())).collect();
    assert_eq!(ids, [second.id.as_deref(), first.id.as_deref()]);
    let latest = &newest_first[0];
    assert_eq!(latest.reward.id, "reward-a");
    assert_eq!(latest.user_input.as_deref(), Some("again"));
    assert_eq!(latest.status, "UNFULFILLED");
    assert!(latest.redeemed_at >= newest_first[1].redeemed_at);
    let oldest_first = client(&mock)
        .custom_reward_redemptions(&request.clone().oldest_first().per_page(1))
        .collect_pages(1)
        .await
        .unwrap();
    assert_eq!(oldest_first.items[0].id, first.id.unwrap());
    assert!(!oldest_first.complete);
    let fulfilled = RedemptionsRequest::new(BROADCASTER, "reward-a", RedemptionStatus::Fulfilled);
    let none = client(&mock)
        .custom_reward_redemptions(&fulfilled)
        .collect_all()
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn a_poll_that_ended_shows_its_status_and_times() {
    let mock = mock().await;
    let poll = mock
        .world()
        .begin_poll(BROADCASTER, "Heads or tails?", &["Heads", "Tails"]);
    let poll_id = poll.id.unwrap();
    let running = client(&mock)
        .polls(&PollsRequest::new(BROADCASTER))
        .collect_all()
        .await
        .unwrap();
    assert_eq!(
        (running[0].status.as_str(), running[0].ended_at),
        ("ACTIVE", None)
    );
    mock.world().end_poll(BROADCASTER, &poll_id).unwrap();
    let ended = client(&mock)
        .polls(&PollsRequest::new(BROADCASTER).id(poll_id.clone()))
        .collect_all()
        .await
        .unwrap();
    assert_eq!(ended.len(), 1);
    assert_eq!(
        (ended[0].id.as_str(), ended[0].status.as_str()),
        (poll_id.as_str(), "COMPLETED")
    );
    assert!(ended[0].ended_at.unwrap() >= ended[0].started_at);
    let titles: Vec<&str> = ended[0].choices.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["Heads", "Tails"]);
}

#[tokio::test]
async fn a_resolved_prediction_shows_its_winner_and_times() {
    let mock = mock().await;
    let prediction = mock
        .world()
        .begin_prediction(BROADCASTER, "Win?", ["Yes", "No"]);
    let id = prediction.id.unwrap();
    mock.world()
        .resolve_prediction(BROADCASTER, &id, 1)
        .unwrap();
    let listed = client(&mock)
        .predictions(&PredictionsRequest::new(BROADCASTER))
        .collect_pages(1)
        .await
        .unwrap()
        .items;
    let resolved = &listed[0];
    assert_eq!(resolved.status, "RESOLVED");
    assert_eq!(
        resolved.winning_outcome_id.as_deref(),
        Some(resolved.outcomes[1].id.as_str())
    );
    assert!(resolved.ended_at.is_some() && resolved.locked_at.is_some());
}

#[tokio::test]
async fn goals_and_the_charity_campaign_read_as_state() {
    let mock = mock().await;
    let client = client(&mock);
    assert!(client.creator_goals(BROADCASTER).await.unwrap().is_empty());
    assert_eq!(client.charity_campaign(BROADCASTER).await.unwrap(), None);
    let goal = mock.world().begin_goal(BROADCASTER, "follower", 100);
    mock.world()
        .goal_progress(BROADCASTER, goal.id.as_deref().unwrap(), 42)
        .unwrap();
    mock.world()
        .start_charity(BROADCASTER, "Good Cause", 10_000);
    mock.world().charity_progress(BROADCASTER, 550).unwrap();
    let goals = client.creator_goals(BROADCASTER).await.unwrap();
    assert_eq!(
        (
            goals[0].kind.as_str(),
            goals[0].current_amount,
            goals[0].target_amount
        ),
        ("follower", 42, 100)
    );
    let campaign = client.charity_campaign(BROADCASTER).await.unwrap().unwrap();
    assert_eq!(campaign.charity_name, "Good Cause");
    assert_eq!(
        (
            campaign.current_amount.value,
            campaign.current_amount.decimal_places
        ),
        (550, 2)
    );
    assert_eq!(campaign.target_amount.map(|t| t.value), Some(10_000));
    assert_eq!(campaign.charity_website, None, "\"\" is absent");
}

#[tokio::test]
async fn streams_and_channel_information_read_as_state() {
    let mock = mock().await;
    let client = client(&mock);
    mock.world()
        .update_channel(BROADCASTER, "Speedrun", "1234", "A Game");
    let online = mock.world().stream_online(BROADCASTER);
    let live = client
        .streams_of(&[BROADCASTER, "3003"])
        .unwrap()
        .collect_all()
        .await
        .unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(Some(live[0].id.as_str()), online.id.as_deref());
    assert_eq!(
        (live[0].user_id.as_str(), live[0].title.as_str()),
        (BROADCASTER, "Speedrun")
    );
    mock.world().stream_offline(BROADCASTER);
    let live = client
        .streams_of(&[BROADCASTER])
        .unwrap()
        .collect_all()
        .await
        .unwrap();
    assert!(live.is_empty(), "offline: absent");
    let info = client
        .channel_information(&[BROADCASTER, "3003"])
        .await
        .unwrap();
    assert_eq!(info.len(), 1);
    assert_eq!(
        (info[0].title.as_str(), info[0].game_name.as_deref()),
        ("Speedrun", Some("A Game"))
    );
    let too_many: Vec<String> = (0..101).map(|n| n.to_string()).collect();
    let too_many: Vec<&str> = too_many.iter().map(String::as_str).collect();
    let error = client.channel_information(&too_many).await.unwrap_err();
    assert!(
        matches!(
            error,
            HelixError::TooManyIds {
                count: 101,
                max: 100
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_malformed_item_is_a_typed_error_naming_the_field() {
    let mock = mock().await;
    mock.world().follow(BROADCASTER, "5001");
    mock.helix()
        .world
        .channels
        .get_mut(BROADCASTER)
        .unwrap()
        .followers[0]["followed_at"] = Value::from("yesterday");
    let error = client(&mock)
        .channel_followers(&FollowersRequest::new(BROADCASTER))
        .collect_all()
        .await
        .unwrap_err();
    assert!(matches!(error, HelixError::MalformedBody(_)), "{error:?}");
    assert!(error.to_string().contains("yesterday"), "{error}");
    mock.helix().inject(Fault::MalformedBody, 1);
    let error = client(&mock).creator_goals(BROADCASTER).await.unwrap_err();
    assert!(matches!(error, HelixError::MalformedBody(_)), "{error:?}");
}

#[tokio::test]
async fn an_oversized_body_is_refused_at_the_cap() {
    let mock = mock().await;
    mock.helix().inject(
        Fault::OversizedBody {
            bytes: 8 * 1024 * 1024,
        },
        1,
    );
    let error = client(&mock)
        .polls(&PollsRequest::new(BROADCASTER))
        .collect_pages(1)
        .await
        .unwrap_err();
    assert!(
        matches!(error, HelixError::BodyTooLarge { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn reads_are_retried_after_a_rate_limit_and_a_server_error() {
    let mock = mock().await;
    mock.world().follow(BROADCASTER, "5001");
    mock.helix()
        .inject(Fault::RateLimited { reset_in_secs: 0 }, 1);
    mock.helix().inject(Fault::ServerError(503), 1);
    let followers = followers_of_the_broadcaster(&mock).await;
    assert_eq!(followers.len(), 1);
}

#[test]
fn every_catalogued_type_is_a_known_subscription_type_and_scopes_are_spelled_alike() {
    let known_scopes: Vec<&str> = SUBSCRIPTION_TYPES
        .iter()
        .flat_map(|entry| entry.scopes.iter().flat_map(|group| group.iter().copied()))
        .collect();
    for entry in SUBSCRIPTION_TYPES {
        let Some(read) = HelixRead::for_subscription(entry.kind) else {
            continue;
        };
        assert!(HelixRead::ALL.contains(&read));
        for scope in read.scopes() {
            // Every read scope is a real Twitch scope; most also guard a subscription type.
            assert!(scope.contains(':'), "{scope}");
        }
    }
    for kind in [
        "channel.follow",
        "channel.ban",
        "channel.poll.end",
        "stream.offline",
        "channel.update",
    ] {
        assert!(
            SUBSCRIPTION_TYPES.iter().any(|entry| entry.kind == kind),
            "{kind}"
        );
        assert!(HelixRead::for_subscription(kind).is_some(), "{kind}");
    }
    assert!(known_scopes.contains(&"moderator:read:followers"));
    assert_eq!(HelixRead::Streams.recovery(), Recovery::State);
    assert_eq!(HelixRead::for_subscription("channel.chat.message"), None);
}

/// A socket welcomed by the mock, with a `channel.follow` subscription on its session.
async fn listening(mock: &MockEventSub) -> Ws {
    let (mut ws, _) = tokio_tungstenite::connect_async(mock.ws_url())
        .await
        .unwrap();
    let welcome = next_text(&mut ws).await;
    let session_id = welcome["payload"]["session"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let follows = SubscriptionSpec::new("channel.follow", "2")
        .with_condition("broadcaster_user_id", BROADCASTER)
        .with_condition("moderator_user_id", BROADCASTER);
    client(mock)
        .create_subscription(&follows, &TransportRequest::websocket(session_id))
        .await
        .unwrap();
    ws
}

/// The next text frame that is not a keepalive.
async fn next_text(ws: &mut Ws) -> Value {
    within(WAIT, "a frame", async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => {
                    let frame: Value = serde_json::from_str(&text).unwrap();
                    if frame["metadata"]["message_type"] != "session_keepalive" {
                        return frame;
                    }
                }
                Some(Ok(_)) => continue,
                other => panic!("the socket ended: {other:?}"),
            }
        }
    })
    .await
}

#[tokio::test]
async fn a_follow_while_connected_is_delivered_and_visible_over_helix() {
    let mock = mock().await;
    let mut ws = listening(&mock).await;
    let follow = mock.world().follow(BROADCASTER, "5001");
    assert_eq!(follow.delivered.len(), 1);
    let frame = next_text(&mut ws).await;
    assert_eq!(
        frame["metadata"]["message_id"],
        follow.delivered[0].as_str()
    );
    let event = &frame["payload"]["event"];
    assert_eq!(event["user_id"], "5001");
    let followers = followers_of_the_broadcaster(&mock).await;
    assert_eq!(followers.len(), 1);
    let delivered_at = time::OffsetDateTime::parse(
        event["followed_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(
        followers[0].followed_at, delivered_at,
        "one follow, one time"
    );
}

#[tokio::test]
async fn a_follow_during_a_drop_is_not_delivered_but_helix_shows_it_with_followed_at() {
    let mock = mock().await;
    let mut ws = listening(&mock).await;
    let subscribed = mock.wait_for(WAIT, |mock| mock.live_subscriptions() == 1);
    assert!(subscribed.await, "the subscription is live");
    // The TCP connection goes without a close frame; Twitch keeps no queue for it.
    assert!(mock.drop_socket(mock.current_socket().unwrap()));
    let ended = mock.wait_for(WAIT, |mock| mock.live_subscriptions() == 0);
    assert!(ended.await, "the session ended with its socket");
    let dropped_at = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
    let follow = mock.world().follow(BROADCASTER, "5002");
    assert!(follow.delivered.is_empty(), "nobody listened");
    let after_the_drop = within(WAIT, "the dropped socket to end", async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) if text.contains("\"notification\"") => {
                    break Some(text);
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => break None,
            }
        }
    });
    assert_eq!(
        after_the_drop.await,
        None,
        "nothing reached the dropped socket"
    );
    let followers = followers_of_the_broadcaster(&mock).await;
    assert_eq!(followers.len(), 1, "{followers:?}");
    assert_eq!(followers[0].user_id, "5002");
    assert!(followers[0].followed_at > dropped_at, "{followers:?}");
}

/// The next event of the real client that `matches`, within [`WAIT`].
async fn until_event(
    events: &mut (impl futures_util::Stream<Item = eventsub_tokio::Event> + Unpin),
    what: &str,
    matches: impl Fn(&eventsub_tokio::Event) -> bool,
) -> eventsub_tokio::Event {
    within(WAIT, what, async {
        loop {
            let event = events.next().await.expect("the client runs");
            if matches(&event) {
                return event;
            }
        }
    })
    .await
}

#[tokio::test]
async fn with_the_real_client_a_follow_in_the_gap_is_in_helix_between_the_gaps_bounds() {
    use eventsub_tokio::{AccessToken, Event, EventSub};
    let mock = mock().await;
    let mut config = eventsub_mock::scenario::client_config();
    // A first retry late enough that the test acts inside the gap.
    config.backoff =
        eventsub_proto::BackoffConfig::new(Duration::from_millis(800), Duration::from_secs(2));
    let follows = SubscriptionSpec::new("channel.follow", "2")
        .with_condition("broadcaster_user_id", BROADCASTER)
        .with_condition("moderator_user_id", BROADCASTER);
    let (handle, mut events) = EventSub::builder(CLIENT, AccessToken::new(TOKEN))
        .config(config)
        .eventsub_url(mock.ws_url())
        .helix_url(mock.helix_url())
        .subscribe(follows)
        .connect()
        .unwrap();
    until_event(&mut events, "subscribed", |e| {
        matches!(e, Event::SubscriptionCreated { .. })
    })
    .await;
    assert!(
        mock.wait_for(WAIT, |mock| mock.live_subscriptions() == 1)
            .await
    );

    let before = mock.world().follow(BROADCASTER, "5001");
    let delivered = until_event(&mut events, "the first follow", |e| {
        matches!(e, Event::Notification(_))
    })
    .await;
    let Event::Notification(delivered) = delivered else {
        unreachable!()
    };
    assert_eq!(delivered.message_id().to_string(), before.delivered[0]);

    mock.drop_socket(mock.current_socket().unwrap());
    until_event(&mut events, "the gap", |e| {
        matches!(e, Event::Disconnected { .. })
    })
    .await;
    assert!(
        mock.wait_for(WAIT, |mock| mock.live_subscriptions() == 0)
            .await
    );
    let during = mock.world().follow(BROADCASTER, "5002");
    assert!(during.delivered.is_empty(), "nobody listened");

    let Event::Resumed { gap } = until_event(&mut events, "resumed", |e| {
        matches!(e, Event::Resumed { .. })
    })
    .await
    else {
        unreachable!()
    };
    let (from, until) = (
        time::OffsetDateTime::from(gap.from),
        time::OffsetDateTime::from(gap.until),
    );
    let followers = followers_of_the_broadcaster(&mock).await;
    assert_eq!(followers.len(), 2, "Helix shows both");
    let in_gap: Vec<&str> = followers
        .iter()
        .filter(|f| f.followed_at > from && f.followed_at <= until)
        .map(|f| f.user_id.as_str())
        .collect();
    assert_eq!(in_gap, ["5002"], "only the missed one is inside the gap");
    handle.shutdown().await;
}

#[tokio::test]
async fn redemptions_of_a_reward_another_client_created_are_403() {
    let mock = mock().await;
    mock.helix()
        .world
        .create_reward(BROADCASTER, "their-reward", "another-client");
    mock.helix()
        .world
        .create_reward(BROADCASTER, "our-reward", CLIENT);
    mock.world().redeem(BROADCASTER, "their-reward", "5001", "");
    mock.world().redeem(BROADCASTER, "our-reward", "5002", "");
    let theirs =
        RedemptionsRequest::new(BROADCASTER, "their-reward", RedemptionStatus::Unfulfilled);
    let error = client(&mock)
        .custom_reward_redemptions(&theirs)
        .collect_all()
        .await
        .unwrap_err();
    assert!(matches!(error, HelixError::Forbidden { .. }), "{error:?}");
    let ours = RedemptionsRequest::new(BROADCASTER, "our-reward", RedemptionStatus::Unfulfilled);
    let listed = client(&mock)
        .custom_reward_redemptions(&ours)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].user_id, "5002");
}

#[tokio::test]
async fn bans_polls_and_predictions_paginate_and_stop_at_the_page_bound() {
    let mock = mock().await;
    for n in 0..3 {
        mock.world().ban(BROADCASTER, &format!("70{n}"), "9001");
        mock.world()
            .begin_poll(BROADCASTER, &format!("Poll {n}"), &["A", "B"]);
        mock.world()
            .begin_prediction(BROADCASTER, &format!("Prediction {n}"), ["A", "B"]);
    }
    let client = client(&mock);
    let bans = BannedUsersRequest::new(BROADCASTER).per_page(1);
    let bounded = client.banned_users(&bans).collect_pages(2).await.unwrap();
    assert_eq!((bounded.items.len(), bounded.complete), (2, false));
    let whole = client.banned_users(&bans).collect_pages(9).await.unwrap();
    assert_eq!(
        (whole.items.len(), whole.pages, whole.complete),
        (3, 3, true)
    );

    let polls = PollsRequest::new(BROADCASTER).per_page(2);
    let walked = client.polls(&polls).collect_pages(9).await.unwrap();
    let titles: Vec<&str> = walked.items.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["Poll 2", "Poll 1", "Poll 0"], "newest first");
    assert_eq!(walked.pages, 2);

    let predictions = PredictionsRequest::new(BROADCASTER).per_page(1);
    let bounded = client
        .predictions(&predictions)
        .collect_pages(1)
        .await
        .unwrap();
    assert_eq!(bounded.items[0].title, "Prediction 2");
    assert!(!bounded.complete);
    // A bound of zero pages asks nothing.
    let before = mock.helix().requests;
    let none = client
        .predictions(&predictions)
        .collect_pages(0)
        .await
        .unwrap();
    assert_eq!((none.items.len(), none.complete), (0, false));
    assert_eq!(mock.helix().requests, before);
}
