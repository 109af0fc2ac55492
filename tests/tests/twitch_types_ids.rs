//! The `twitch_types` feature: ids of the `twitch_api` ecosystem go into the subscription builders
//! and come back out, and typed events lend their ids to `twitch_api` calls without a copy.

use std::borrow::Cow;

use eventsub_proto::events::EventData;
use eventsub_proto::{
    BroadcasterId, ConduitId, ModeratorId, RewardId, SubscriptionSpec, Transport, UserId,
};
use twitch_types::{IntoCow, UserIdRef, UserNameRef};

/// Stands for a `twitch_api` call: they take their ids as `impl IntoCow<'a, UserIdRef>`.
fn twitch_api_call<'a>(user: impl IntoCow<'a, UserIdRef> + 'a) -> Cow<'a, UserIdRef> {
    user.into_cow()
}

#[test]
fn twitch_types_user_ids_go_straight_into_the_builders() {
    let broadcaster = twitch_types::UserId::from_static("12826");
    let moderator = twitch_types::UserId::from_static("141981764");
    let by_reference = SubscriptionSpec::channel_follow_v2(&broadcaster, &*moderator);
    let by_value = SubscriptionSpec::channel_follow_v2(broadcaster, moderator);
    assert_eq!(by_reference, by_value);
    assert_eq!(by_value.condition_str("broadcaster_user_id"), Some("12826"));
    assert_eq!(
        by_value.condition_str("moderator_user_id"),
        Some("141981764")
    );

    let chatter = twitch_types::UserId::from_static("7");
    let chat =
        SubscriptionSpec::channel_chat_message(BroadcasterId::new("12826"), UserId::from(&chatter));
    assert_eq!(chat.condition_str("user_id"), Some("7"));
}

#[test]
fn reward_and_conduit_ids_convert_both_ways() {
    let reward = twitch_types::RewardId::from_static("9001");
    let spec = SubscriptionSpec::channel_points_custom_reward_redemption_add_of(
        BroadcasterId::new("1"),
        &reward,
    );
    assert_eq!(spec.condition_str("reward_id"), Some("9001"));
    assert_eq!(twitch_types::RewardId::from(RewardId::new("9001")), reward);

    let conduit = ConduitId::from(twitch_types::ConduitId::from_static("c-1"));
    let as_theirs: &twitch_types::ConduitIdRef = conduit.as_ref();
    assert_eq!(as_theirs.as_str(), "c-1");
    let transport = Transport::Conduit {
        conduit_id: conduit.clone(),
    };
    assert!(matches!(transport, Transport::Conduit { conduit_id } if conduit_id == conduit));
}

#[test]
fn role_ids_go_back_into_twitch_api_calls() {
    let moderator = ModeratorId::new("141981764");
    assert!(matches!(twitch_api_call(&moderator), Cow::Borrowed(id) if id.as_str() == "141981764"));
    let owned: twitch_types::UserId = moderator.into();
    assert_eq!(owned.as_str(), "141981764");
    let broadcaster = BroadcasterId::new("12826");
    let borrowed: &UserIdRef = broadcaster.as_ref();
    assert_eq!(borrowed.as_str(), "12826");
}

#[test]
fn typed_event_ids_are_lent_to_twitch_api_calls_without_a_copy() {
    let json = r#"{"user_id":"1234","user_login":"cool_user","user_name":"Cool_User",
        "broadcaster_user_id":"12826","broadcaster_user_login":"twitch",
        "broadcaster_user_name":"Twitch","followed_at":"2023-11-06T18:11:47.464757833Z"}"#;
    let EventData::ChannelFollowV2(follow) =
        EventData::decode("channel.follow", "2", json).unwrap()
    else {
        panic!("a follow")
    };
    let lent = twitch_api_call(&follow.user_id);
    assert!(matches!(lent, Cow::Borrowed(_)));
    // The very bytes of the event text: nothing was copied on the way.
    assert!(std::ptr::eq(lent.as_str(), follow.user_id.as_str()));
    let login: &UserNameRef = follow.user_login.as_ref();
    assert_eq!(login.as_str(), "cool_user");
    let owned = twitch_types::UserId::from(&follow.broadcaster_user_id);
    assert_eq!(owned.as_str(), "12826");
    // And from an event's id into a builder, through twitch_types, the role named explicitly.
    let raid_back = SubscriptionSpec::channel_raid_to(BroadcasterId::from(owned));
    assert_eq!(
        raid_back.condition_str("to_broadcaster_user_id"),
        Some("12826")
    );
}
