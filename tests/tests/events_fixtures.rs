//! Typed events: every registered subscription type decodes its documented example, serializes
//! back to what decodes equal, and the registry, fixtures and decoders cannot drift apart.

use std::collections::BTreeSet;
use std::path::PathBuf;

use eventsub_proto::events::{EventData, SUBSCRIPTION_TYPES, SubscriptionType};
use eventsub_proto::{BroadcasterId, ModeratorId, RewardId, SubscriptionSpec};

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/events")
}

fn fixture_name(kind: &str, version: &str) -> String {
    format!("{kind}.v{version}.json")
}

fn fixture(kind: &str, version: &str) -> String {
    let path = fixtures_dir().join(fixture_name(kind, version));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

#[test]
fn every_registered_type_has_a_fixture_that_decodes_to_its_own_variant() {
    for entry in SUBSCRIPTION_TYPES {
        let json = fixture(entry.kind, entry.version);
        let data = EventData::decode(entry.kind, entry.version, &json)
            .unwrap_or_else(|error| panic!("{} v{}: {error}", entry.kind, entry.version));
        assert!(
            !matches!(data, EventData::Unknown(_)),
            "{} v{} has no decoder",
            entry.kind,
            entry.version
        );
        assert_eq!((data.kind(), data.version()), (entry.kind, entry.version));
    }
}

#[test]
fn every_fixture_belongs_to_a_registered_type() {
    let registered: BTreeSet<String> = SUBSCRIPTION_TYPES
        .iter()
        .map(|entry| fixture_name(entry.kind, entry.version))
        .collect();
    let on_disk: BTreeSet<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|file| file.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(on_disk, registered);
}

#[test]
fn registry_entries_are_unique_and_have_a_builder_per_condition() {
    let keys: BTreeSet<(&str, &str)> = SUBSCRIPTION_TYPES
        .iter()
        .map(|entry| (entry.kind, entry.version))
        .collect();
    assert_eq!(keys.len(), SUBSCRIPTION_TYPES.len());
    for entry in SUBSCRIPTION_TYPES {
        assert!(!entry.conditions.is_empty(), "{}", entry.kind);
        assert_eq!(
            SubscriptionType::find(entry.kind, entry.version),
            Some(entry)
        );
    }
}

#[test]
fn every_event_serializes_to_json_that_decodes_equal() {
    for entry in SUBSCRIPTION_TYPES {
        let json = fixture(entry.kind, entry.version);
        let data = EventData::decode(entry.kind, entry.version, &json).unwrap();
        let again = serde_json::to_string(&data).unwrap();
        let decoded = EventData::decode(entry.kind, entry.version, &again).unwrap();
        assert_eq!(decoded, data, "{} v{}", entry.kind, entry.version);
    }
}

#[test]
fn an_unknown_type_or_version_is_delivered_raw() {
    let json = r#"{"anything": [1, 2, 3]}"#;
    let data = EventData::decode("channel.follow", "99", json).unwrap();
    let EventData::Unknown(unknown) = data else {
        panic!("{data:?}")
    };
    assert_eq!(
        (unknown.kind, unknown.version, unknown.json),
        ("channel.follow", "99", json)
    );
    assert_eq!(
        serde_json::to_value(data).unwrap(),
        serde_json::json!({"anything": [1, 2, 3]})
    );
}

#[test]
fn a_known_type_with_a_wrong_shape_is_an_error() {
    assert!(EventData::decode("stream.online", "1", r#"{"id": 1}"#).is_err());
}

#[test]
fn builders_know_type_version_and_condition() {
    let follow =
        SubscriptionSpec::channel_follow_v2(BroadcasterId::new("1337"), ModeratorId::new("1339"));
    assert_eq!(
        serde_json::to_value(&follow).unwrap(),
        serde_json::json!({"type": "channel.follow", "version": "2",
            "condition": {"broadcaster_user_id": "1337", "moderator_user_id": "1339"}})
    );
    let raid = SubscriptionSpec::channel_raid_to(BroadcasterId::new("1337"));
    assert_eq!(raid.condition_str("to_broadcaster_user_id"), Some("1337"));
    assert_eq!(raid.condition.len(), 1);
    let ads = SubscriptionSpec::channel_ad_break_begin(BroadcasterId::new("1337"));
    assert_eq!(ads.condition_str("broadcaster_user_id"), Some("1337"));
    assert_eq!(ads.condition.len(), 1);
    let reward = SubscriptionSpec::channel_points_custom_reward_redemption_add_of(
        BroadcasterId::new("1337"),
        RewardId::new("r1"),
    );
    assert_eq!(reward.condition_str("reward_id"), Some("r1"));
}

#[test]
fn builders_take_each_condition_id_in_its_role() {
    use eventsub_proto::{ClientId, ConduitId, UserId};
    let chat = SubscriptionSpec::channel_chat_message(BroadcasterId::new("1"), UserId::new("2"));
    assert_eq!(chat.condition_str("broadcaster_user_id"), Some("1"));
    assert_eq!(chat.condition_str("user_id"), Some("2"));
    let shard =
        SubscriptionSpec::conduit_shard_disabled_of(ClientId::new("app"), ConduitId::new("c1"));
    assert_eq!(shard.condition_str("client_id"), Some("app"));
    assert_eq!(shard.condition_str("conduit_id"), Some("c1"));
    // One id reused by reference across builders, and the raw form still open for any type.
    let broadcaster = BroadcasterId::new("7");
    let specs = [
        SubscriptionSpec::stream_online(&broadcaster),
        SubscriptionSpec::channel_raid_from(&broadcaster),
        SubscriptionSpec::new("channel.future", "1")
            .with_condition("broadcaster_user_id", broadcaster),
    ];
    assert_eq!(specs[0].condition_str("broadcaster_user_id"), Some("7"));
    assert_eq!(
        specs[1].condition_str("from_broadcaster_user_id"),
        Some("7")
    );
    assert_eq!(specs[2].condition_str("broadcaster_user_id"), Some("7"));
}

/// A notification frame carrying `event`: the metadata first, as Twitch sends it, or last.
fn frame_around(kind: &str, version: &str, event: &str, metadata_first: bool) -> String {
    let metadata = format!(
        r#""metadata":{{"message_id":"m","message_type":"notification","message_timestamp":"2023-11-06T18:11:47.492253549Z","subscription_type":"{kind}","subscription_version":"{version}"}}"#
    );
    let payload = format!(
        r#""payload":{{"subscription":{{"id":"s","status":"enabled","type":"{kind}","version":"{version}","condition":{{}},"transport":{{"method":"websocket","session_id":"x"}},"created_at":"2023-11-06T18:11:47Z","cost":0}},"event":{event}}}"#
    );
    if metadata_first {
        format!("{{{metadata},{payload}}}")
    } else {
        format!("{{{payload},{metadata}}}")
    }
}

#[test]
fn every_fixture_reads_the_same_from_a_whole_frame_in_one_pass_or_two() {
    use eventsub_proto::events::frame::{TypedEvents, TypedFrame, parse_frame};
    for entry in SUBSCRIPTION_TYPES {
        let json = fixture(entry.kind, entry.version);
        let expected = EventData::decode(entry.kind, entry.version, &json).unwrap();
        for metadata_first in [true, false] {
            let frame = frame_around(entry.kind, entry.version, &json, metadata_first);
            let parsed = parse_frame(&frame)
                .unwrap_or_else(|error| panic!("{} v{}: {error}", entry.kind, entry.version));
            let TypedFrame::Notification(notification) = parsed else {
                panic!("{}: not a notification", entry.kind)
            };
            let TypedEvents::Single(data) = notification.events else {
                panic!("{}: not a single event", entry.kind)
            };
            assert_eq!(data, expected, "{} v{}", entry.kind, entry.version);
        }
    }
}

/// The Twitch CLI sends the charity campaign events with the broadcaster as `broadcaster_user_*`
/// (the spelling Twitch staff called correct for the donate event), the reference documents
/// `broadcaster_*`: each charity event reads both to the same value.
#[test]
fn charity_events_accept_both_broadcaster_spellings_twitch_sends() {
    let renames = [
        ("\"broadcaster_id\"", "\"broadcaster_user_id\""),
        ("\"broadcaster_login\"", "\"broadcaster_user_login\""),
        ("\"broadcaster_name\"", "\"broadcaster_user_name\""),
    ];
    let respell = |json: &str, forwards: bool| {
        renames.iter().fold(json.to_owned(), |json, (short, long)| {
            if forwards {
                json.replace(short, long)
            } else {
                json.replace(long, short)
            }
        })
    };
    for (kind, documented_short) in [
        ("channel.charity_campaign.start", true),
        ("channel.charity_campaign.progress", true),
        ("channel.charity_campaign.stop", true),
        ("channel.charity_campaign.donate", false),
    ] {
        let documented = fixture(kind, "1");
        let other = respell(&documented, documented_short);
        assert_ne!(
            other, documented,
            "{kind}: the fixture names no broadcaster"
        );
        let expected = EventData::decode(kind, "1", &documented)
            .unwrap_or_else(|error| panic!("{kind} as documented: {error}"));
        let respelled = EventData::decode(kind, "1", &other)
            .unwrap_or_else(|error| panic!("{kind} in the other spelling: {error}"));
        assert_eq!(respelled, expected, "{kind}");
    }
}
