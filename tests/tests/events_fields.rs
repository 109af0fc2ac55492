//! Typed events, field by field, on the fields that matter, from the documented examples in
//! `tests/fixtures/events/`; and a typed event straight from a notification of the client.

use std::borrow::Cow;
use std::time::{Instant, SystemTime};

use eventsub_proto::events::{EventData, automod, channel, chat, hype_train, moderation, poll};
use eventsub_proto::events::{channel_points, prediction, stream};
use eventsub_proto::{Client, Config, Event, Input, Output};

fn fixture(name: &str) -> String {
    let path = format!("{}/fixtures/events/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

/// Decodes a fixture named `{kind}.v{version}` and hands the typed event to `check`.
fn with_event(kind: &str, version: &str, check: impl FnOnce(EventData<'_>)) {
    let json = fixture(&format!("{kind}.v{version}"));
    check(EventData::decode(kind, version, &json).unwrap());
}

#[test]
fn chat_message_fragments_badges_and_reply_are_typed() {
    let json = include_str!("../../eventsub-proto/benches/frames/channel_chat_message.json");
    let frame: serde_json::Value = serde_json::from_str(json).unwrap();
    let event = frame["payload"]["event"].to_string();
    let EventData::ChannelChatMessage(message) =
        EventData::decode("channel.chat.message", "1", &event).unwrap()
    else {
        panic!()
    };
    assert_eq!(message.chatter_user_login, "viewer32");
    assert_eq!(message.message_type, chat::ChatMessageType::Text);
    let kinds: Vec<_> = message
        .message
        .fragments
        .iter()
        .map(|f| f.kind.clone())
        .collect();
    use chat::FragmentType::*;
    assert_eq!(kinds, [Text, Cheermote, Text, Emote, Text, Mention, Text]);
    let cheermote = message.message.fragments[1].cheermote.as_ref().unwrap();
    assert_eq!(
        (cheermote.prefix.as_ref(), cheermote.bits, cheermote.tier),
        ("cheer", 100, 1)
    );
    let emote = message.message.fragments[3].emote.as_ref().unwrap();
    assert_eq!(
        emote.format,
        [chat::EmoteFormat::Static, chat::EmoteFormat::Animated]
    );
    let mention = message.message.fragments[5].mention.as_ref().unwrap();
    assert_eq!(mention.user_id, "1971641");
    // Escaped text is unescaped (and owned); plain text stays borrowed from the frame.
    assert_eq!(
        message.message.fragments[2].text,
        " what a play é \"quoted\" "
    );
    assert!(matches!(
        message.message.fragments[0].text,
        Cow::Borrowed("Hi chat! ")
    ));
    assert_eq!(message.badges[1].info, "16");
    assert_eq!(message.cheer.unwrap().bits, 100);
    assert_eq!(message.reply, None);
    assert_eq!(message.source_broadcaster_user_id, None);

    with_event("channel.chat.message", "1", |data| {
        let EventData::ChannelChatMessage(message) = data else {
            panic!()
        };
        let reply = message.reply.unwrap();
        assert_eq!(reply.parent_user_login, "streamer");
        assert_eq!(reply.parent_message_body, "Hello");
    });
}

#[test]
fn follow_timestamp_keeps_its_nanoseconds() {
    with_event("channel.follow", "2", |data| {
        let EventData::ChannelFollowV2(follow) = data else {
            panic!()
        };
        assert_eq!(follow.user_id, "1234");
        assert_eq!(follow.broadcaster_user_login, "cooler_user");
        assert_eq!(follow.followed_at.unix_timestamp(), 1_594_836_971);
        assert_eq!(follow.followed_at.nanosecond(), 171_067_130);
    });
}

#[test]
fn subscription_events_type_their_tiers_and_anonymous_gifts() {
    with_event("channel.subscription.gift", "1", |data| {
        let EventData::ChannelSubscriptionGift(gift) = data else {
            panic!()
        };
        assert_eq!(gift.tier, channel::SubscriptionTier::Tier1);
        assert_eq!((gift.total, gift.cumulative_total), (2, Some(284)));
        assert_eq!(gift.user_login.unwrap(), "cool_user");
    });
    let anonymous = r#"{"user_id":null,"user_login":null,"user_name":null,"broadcaster_user_id":"1",
        "broadcaster_user_login":"b","broadcaster_user_name":"B","total":1,"tier":"4000",
        "cumulative_total":null,"is_anonymous":true}"#;
    let EventData::ChannelSubscriptionGift(gift) =
        EventData::decode("channel.subscription.gift", "1", anonymous).unwrap()
    else {
        panic!()
    };
    assert_eq!((gift.user_id, gift.user_name), (None, None));
    assert_eq!(gift.tier, channel::SubscriptionTier::Unknown("4000".into()));
    with_event("channel.subscription.message", "1", |data| {
        let EventData::ChannelSubscriptionMessage(message) = data else {
            panic!()
        };
        assert_eq!(message.message.emotes[0].id, "302976485");
        assert_eq!(message.streak_months, Some(1));
    });
}

#[test]
fn ad_break_accepts_the_documented_string_numbers() {
    with_event("channel.ad_break.begin", "1", |data| {
        let EventData::ChannelAdBreakBegin(ad) = data else {
            panic!()
        };
        assert_eq!(ad.duration_seconds, 60);
        assert!(!ad.is_automatic);
    });
}

#[test]
fn polls_and_predictions_type_choices_and_outcomes() {
    with_event("channel.poll.end", "1", |data| {
        let EventData::ChannelPollEnd(end) = data else {
            panic!()
        };
        assert_eq!(end.status, poll::PollStatus::Completed);
        assert_eq!(end.choices.iter().map(|c| c.votes).sum::<u64>(), 33);
        assert!(end.channel_points_voting.is_enabled);
    });
    with_event("channel.prediction.end", "1", |data| {
        let EventData::ChannelPredictionEnd(end) = data else {
            panic!()
        };
        assert_eq!(end.status, prediction::PredictionStatus::Resolved);
        assert_eq!(end.winning_outcome_id.as_deref(), Some("1243456"));
        assert_eq!(end.outcomes[0].color, prediction::OutcomeColor::Blue);
        assert_eq!(
            end.outcomes[1].top_predictors[0].channel_points_won,
            Some(0)
        );
    });
    with_event("channel.prediction.progress", "1", |data| {
        let EventData::ChannelPredictionProgress(progress) = data else {
            panic!()
        };
        assert_eq!(
            progress.outcomes[0].top_predictors[0].channel_points_won,
            None
        );
        assert_eq!(progress.outcomes[0].channel_points, 15000);
    });
}

#[test]
fn hype_train_contributions_and_shared_trains_are_typed() {
    with_event("channel.hype_train.progress", "2", |data| {
        let EventData::ChannelHypeTrainProgressV2(train) = data else {
            panic!()
        };
        assert_eq!(train.train_type, hype_train::HypeTrainType::GoldenKappa);
        assert_eq!(
            train.top_contributions[1].kind,
            hype_train::ContributionType::Subscription
        );
        assert_eq!(train.shared_train_participants.unwrap().len(), 2);
    });
    with_event("channel.hype_train.end", "2", |data| {
        let EventData::ChannelHypeTrainEndV2(end) = data else {
            panic!()
        };
        assert_eq!(end.train_type, hype_train::HypeTrainType::Treasure);
        assert!(end.cooldown_ends_at > end.ended_at);
    });
}

#[test]
fn moderation_events_type_their_states() {
    with_event("channel.ban", "1", |data| {
        let EventData::ChannelBan(ban) = data else {
            panic!()
        };
        assert!(!ban.is_permanent);
        assert!(ban.ends_at.unwrap() > ban.banned_at);
        assert_eq!(ban.moderator_user_login, "mod_user");
    });
    with_event("channel.unban_request.resolve", "1", |data| {
        let EventData::ChannelUnbanRequestResolve(resolve) = data else {
            panic!()
        };
        assert_eq!(resolve.status, moderation::UnbanRequestStatus::Denied);
        assert_eq!(resolve.resolution_text.as_deref(), Some("no"));
    });
    with_event("channel.suspicious_user.message", "1", |data| {
        let EventData::ChannelSuspiciousUserMessage(message) = data else {
            panic!()
        };
        assert_eq!(
            message.low_trust_status,
            moderation::LowTrustStatus::ActiveMonitoring
        );
        assert_eq!(message.types, [moderation::SuspiciousUserType::BanEvader]);
        assert_eq!(
            message.ban_evasion_evaluation,
            moderation::BanEvasionEvaluation::Likely
        );
        assert_eq!(
            message.message.fragments[1]
                .cheermote
                .as_ref()
                .unwrap()
                .bits,
            100
        );
    });
    with_event("automod.message.hold", "2", |data| {
        let EventData::AutomodMessageHoldV2(hold) = data else {
            panic!()
        };
        assert_eq!(hold.reason, automod::HoldReason::BlockedTerm);
        let term = &hold.blocked_term.unwrap().terms_found[0];
        assert_eq!((term.boundary.start_pos, term.boundary.end_pos), (0, 4));
        assert_eq!(hold.message.fragments[1].emote.as_ref().unwrap().id, "25");
    });
    with_event("automod.message.update", "1", |data| {
        let EventData::AutomodMessageUpdateV1(update) = data else {
            panic!()
        };
        assert_eq!(update.status, automod::AutomodMessageStatus::Approved);
    });
}

#[test]
fn channel_points_rewards_and_redemptions_are_typed() {
    with_event("channel.channel_points_custom_reward.update", "1", |data| {
        let EventData::ChannelPointsCustomRewardUpdate(reward) = data else {
            panic!()
        };
        assert_eq!(reward.image, None);
        assert_eq!(reward.global_cooldown.seconds, 1000);
        assert!(reward.cooldown_expires_at.is_some());
    });
    // A limit or cooldown that is off may come with a null value.
    let json = fixture("channel.channel_points_custom_reward.add.v1")
        .replace("\"value\": 1000", "\"value\": null")
        .replace("\"seconds\": 1000", "\"seconds\": null");
    let EventData::ChannelPointsCustomRewardAdd(reward) =
        EventData::decode("channel.channel_points_custom_reward.add", "1", &json).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        (reward.max_per_stream.value, reward.global_cooldown.seconds),
        (0, 0)
    );
    with_event(
        "channel.channel_points_custom_reward_redemption.update",
        "1",
        |data| {
            let EventData::ChannelPointsCustomRewardRedemptionUpdate(redemption) = data else {
                panic!()
            };
            assert_eq!(
                redemption.status,
                channel_points::RedemptionStatus::Fulfilled
            );
            assert_eq!(redemption.reward.cost, 100);
        },
    );
    with_event(
        "channel.channel_points_automatic_reward_redemption.add",
        "2",
        |data| {
            let EventData::ChannelPointsAutomaticRewardRedemptionAddV2(redemption) = data else {
                panic!()
            };
            assert_eq!(
                redemption.reward.kind,
                channel_points::AutomaticRewardType::SendHighlightedMessage
            );
            assert_eq!(
                redemption.message.unwrap().fragments[1]
                    .emote
                    .as_ref()
                    .unwrap()
                    .id,
                "81274"
            );
        },
    );
}

#[test]
fn stream_online_types_the_stream_kind() {
    with_event("stream.online", "1", |data| {
        let EventData::StreamOnline(online) = data else {
            panic!()
        };
        assert_eq!(online.stream_type, stream::StreamType::Live);
        assert_eq!(online.started_at.millisecond(), 123);
    });
}

#[test]
fn a_notification_from_the_client_decodes_typed() {
    let mut config = Config::default();
    config
        .subscriptions
        .push(eventsub_proto::SubscriptionSpec::channel_follow_v2(
            eventsub_proto::BroadcasterId::new("12826"),
            eventsub_proto::ModeratorId::new("12826"),
        ));
    // Straight to the socket: this is about decoding.
    config.validate_token = false;
    let now = Instant::now();
    let mut client = Client::new(config, now).unwrap();
    let Some(Output::Connect { conn, .. }) = client.poll_output() else {
        panic!()
    };
    client.handle_input(now, Input::Opened { conn }).unwrap();
    let welcome = include_str!("../../eventsub-proto/benches/frames/session_welcome.json");
    let follow = include_str!("../../eventsub-proto/benches/frames/channel_follow_v2.json");
    // Fresh wall time, so the frame is not dropped as stale: the frames are from the past.
    let received_at = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_699_294_307);
    for text in [welcome, follow] {
        client
            .handle_input(
                now,
                Input::Text {
                    conn,
                    text,
                    received_at,
                },
            )
            .unwrap();
    }
    let mut notifications = Vec::new();
    while let Some(output) = client.poll_output() {
        if let Output::Event(Event::Notification(notification)) = output {
            notifications.push(notification);
        }
    }
    let [notification] = notifications.as_slice() else {
        panic!("{notifications:?}")
    };
    let EventData::ChannelFollowV2(follow) = notification.typed().unwrap() else {
        panic!()
    };
    assert_eq!(follow.user_login, "cool_user");
    assert!(matches!(follow.user_name, Cow::Borrowed("Cool_User")));
}

#[test]
fn channel_moderate_sets_the_object_of_its_action() {
    use eventsub_proto::events::moderate::ModerateAction;
    with_event("channel.moderate", "1", |data| {
        let EventData::ChannelModerateV1(moderate) = data else {
            panic!()
        };
        assert_eq!(moderate.action, ModerateAction::Timeout);
        let timeout = moderate.timeout.unwrap();
        assert_eq!(timeout.user_login, "twitchdev");
        assert_eq!(timeout.reason.as_deref(), Some("spam"));
        assert_eq!(moderate.ban, None);
        assert_eq!(moderate.source_broadcaster_user_id, None);
    });
    with_event("channel.moderate", "2", |data| {
        let EventData::ChannelModerateV2(moderate) = data else {
            panic!()
        };
        assert_eq!(moderate.action, ModerateAction::Warn);
        assert_eq!(moderate.warn.unwrap().reason.as_deref(), Some("cut it out"));
        assert_eq!(
            moderate.source_broadcaster_user_login.unwrap(),
            "adflynn404"
        );
    });
}

#[test]
fn chat_notification_sets_the_object_of_its_notice_type() {
    use eventsub_proto::events::chat_notification::NoticeType;
    with_event("channel.chat.notification", "1", |data| {
        let EventData::ChannelChatNotification(notice) = data else {
            panic!()
        };
        assert_eq!(notice.notice_type, NoticeType::Resub);
        let resub = notice.resub.unwrap();
        assert_eq!((resub.cumulative_months, resub.streak_months), (10, None));
        assert_eq!(resub.sub_tier, channel::SubscriptionTier::Tier1);
        assert!(!resub.is_prime);
        assert_eq!(resub.gifter_is_anonymous, None);
        assert!(notice.message.fragments.is_empty());
        assert_eq!(notice.sub, None);
    });
    let charity = r#"{"broadcaster_user_id":"1","broadcaster_user_login":"b","broadcaster_user_name":"B",
        "chatter_user_id":"2","chatter_user_login":"c","chatter_user_name":"C","chatter_is_anonymous":false,
        "color":"","badges":[],"system_message":"C donated","message_id":"m","message":{"text":"","fragments":[]},
        "notice_type":"charity_donation","charity_donation":{"charity_name":"Example",
        "amount":{"value":1000,"decimal_place":2,"currency":"USD"}},"unraid":{}}"#;
    let EventData::ChannelChatNotification(notice) =
        EventData::decode("channel.chat.notification", "1", charity).unwrap()
    else {
        panic!()
    };
    assert_eq!(notice.charity_donation.unwrap().amount.decimal_places, 2);
    assert!(notice.unraid.is_some());
}

#[test]
fn conduit_shard_disabled_and_automatic_reward_v1_are_typed() {
    with_event("conduit.shard.disabled", "1", |data| {
        let EventData::ConduitShardDisabled(disabled) = data else {
            panic!()
        };
        assert_eq!(
            disabled.status,
            eventsub_proto::SubscriptionStatus::WebsocketDisconnected
        );
        assert_eq!(disabled.shard_id, "4");
        assert!(disabled.transport.disconnected_at > disabled.transport.connected_at);
        assert_eq!(disabled.transport.callback, None);
    });
    with_event(
        "channel.channel_points_automatic_reward_redemption.add",
        "1",
        |data| {
            let EventData::ChannelPointsAutomaticRewardRedemptionAddV1(redemption) = data else {
                panic!()
            };
            assert_eq!(redemption.reward.cost, 100);
            assert_eq!(redemption.message.emotes[0].begin, 13);
            assert_eq!(
                redemption.user_input.as_deref(),
                Some("Hello world! VoHiYo")
            );
        },
    );
}

#[test]
fn guest_star_beta_events_are_typed() {
    use eventsub_proto::events::guest_star::{GroupLayout, GuestState};
    with_event("channel.guest_star_guest.update", "beta", |data| {
        let EventData::ChannelGuestStarGuestUpdate(update) = data else {
            panic!()
        };
        assert_eq!(update.state, Some(GuestState::Live));
        assert_eq!(update.guest_user_login.unwrap(), "cool_guest");
        assert_eq!(update.host_volume, Some(100));
    });
    with_event("channel.guest_star_settings.update", "beta", |data| {
        let EventData::ChannelGuestStarSettingsUpdate(settings) = data else {
            panic!()
        };
        assert_eq!(settings.group_layout, GroupLayout::Tiled);
        assert_eq!(settings.slot_count, 5);
    });
    with_event("channel.guest_star_session.end", "beta", |data| {
        let EventData::ChannelGuestStarSessionEnd(end) = data else {
            panic!()
        };
        assert_eq!(end.host_user_login, "cool_mod");
        assert_eq!(end.broadcaster_user_id, "1337");
        assert!(end.ended_at > end.started_at);
    });
}

#[test]
fn timestamps_parse_any_rfc3339_precision_and_offset() {
    for (stamp, nanos) in [
        ("2020-10-11T10:11:12Z", 0),
        ("2020-10-11T10:11:12.1Z", 100_000_000),
        ("2020-10-11T10:11:12.123456789Z", 123_456_789),
        ("2020-10-11T12:11:12.5+02:00", 500_000_000),
    ] {
        let json = format!(
            r#"{{"id":"1","broadcaster_user_id":"1","broadcaster_user_login":"b",
            "broadcaster_user_name":"B","type":"live","started_at":"{stamp}"}}"#
        );
        let EventData::StreamOnline(online) = EventData::decode("stream.online", "1", &json)
            .unwrap_or_else(|error| panic!("{stamp}: {error}"))
        else {
            panic!()
        };
        assert_eq!(online.started_at.unix_timestamp(), 1_602_411_072, "{stamp}");
        assert_eq!(online.started_at.nanosecond(), nanos, "{stamp}");
    }
}

#[test]
fn scope_check_names_each_missing_group_of_a_subscription() {
    use eventsub_proto::events::check_scopes;
    use eventsub_proto::{BroadcasterId, ModeratorId, SubscriptionSpec, UserId};
    let moderate =
        SubscriptionSpec::channel_moderate_v2(BroadcasterId::new("1"), ModeratorId::new("2"));
    let chat = SubscriptionSpec::channel_chat_message(BroadcasterId::new("1"), UserId::new("2"));
    let token = [
        "moderator:manage:blocked_terms",
        "moderator:read:chat_settings",
        "moderator:read:unban_requests",
        "moderator:manage:banned_users",
        "moderator:read:chat_messages",
        "moderator:read:moderators",
        "user:read:chat",
    ];
    let problems = check_scopes([&moderate, &chat], token);
    let missing: Vec<_> = problems
        .iter()
        .map(|p| (p.spec().kind.as_str(), p.any_of()))
        .collect();
    assert_eq!(
        missing,
        [
            (
                "channel.moderate",
                Some(&["moderator:read:warnings", "moderator:manage:warnings"][..])
            ),
            ("channel.moderate", Some(&["moderator:read:vips"][..])),
        ]
    );
}

#[test]
fn automod_status_decodes_in_either_case() {
    // Delivered in lower case; the capitalized spelling is accepted too.
    for (spelling, status) in [
        ("Approved", automod::AutomodMessageStatus::Approved),
        ("approved", automod::AutomodMessageStatus::Approved),
        ("expired", automod::AutomodMessageStatus::Expired),
    ] {
        let json = fixture("automod.message.update.v1")
            .replace("\"Approved\"", &format!("\"{spelling}\""));
        let EventData::AutomodMessageUpdateV1(update) =
            EventData::decode("automod.message.update", "1", &json).unwrap()
        else {
            panic!()
        };
        assert_eq!(update.status, status, "{spelling}");
        assert_eq!(update.status.as_str(), spelling.to_lowercase());
    }
    with_event("automod.message.update", "2", |data| {
        let EventData::AutomodMessageUpdateV2(update) = data else {
            panic!()
        };
        assert_eq!(update.status, automod::AutomodMessageStatus::Denied);
    });
}

#[test]
fn suspicious_user_types_decode_in_every_spelling() {
    use moderation::SuspiciousUserType::*;
    let json = fixture("channel.suspicious_user.message.v1").replace(
        "[\n    \"ban_evader_detector\"\n  ]",
        "[\"manually_added\", \"ban_evader\", \"banned_in_shared_channel\",
          \"manual\", \"shared_channel_ban\", \"new_kind\"]",
    );
    let EventData::ChannelSuspiciousUserMessage(message) =
        EventData::decode("channel.suspicious_user.message", "1", &json).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        message.types,
        [
            ManuallyAdded,
            BanEvader,
            BannedInSharedChannel,
            ManuallyAdded,
            BannedInSharedChannel,
            Unknown("new_kind".into())
        ]
    );
    assert_eq!(message.types[4].as_str(), "banned_in_shared_channel");
}

#[test]
fn custom_power_up_redemption_names_its_power_up_and_cost_in_bits() {
    with_event("channel.custom_power_up_redemption.add", "1", |data| {
        let EventData::ChannelCustomPowerUpRedemptionAdd(redemption) = data else {
            panic!()
        };
        assert_eq!(
            redemption.status,
            channel_points::RedemptionStatus::Unfulfilled
        );
        assert_eq!(redemption.custom_power_up.bits, 100);
        assert_eq!(redemption.custom_power_up.prompt, "Power-up prompt");
        assert_eq!(redemption.user_input, "pogchamp");
    });
    let spec = eventsub_proto::SubscriptionSpec::channel_custom_power_up_redemption_add(
        eventsub_proto::BroadcasterId::new("1337"),
    );
    let problems = eventsub_proto::events::check_scopes([&spec], ["channel:read:redemptions"]);
    assert_eq!(problems[0].any_of(), Some(&["bits:read"][..]));
}

#[test]
fn automatic_reward_v1_types_power_ups() {
    let json = fixture("channel.channel_points_automatic_reward_redemption.add.v1")
        .replace("\"send_highlighted_message\"", "\"gigantify_an_emote\"")
        .replace(
            "\"unlocked_emote\": null",
            "\"unlocked_emote\": {\"id\": \"emotesv2_1\", \"name\": \"Kappa\"}",
        );
    let EventData::ChannelPointsAutomaticRewardRedemptionAddV1(redemption) = EventData::decode(
        "channel.channel_points_automatic_reward_redemption.add",
        "1",
        &json,
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(
        redemption.reward.kind,
        channel_points::AutomaticRewardType::GigantifyAnEmote
    );
    assert_eq!(redemption.reward.unlocked_emote.unwrap().name, "Kappa");
}

#[test]
fn announcement_colour_is_typed() {
    use eventsub_proto::events::chat_notification::AnnouncementColor;
    for (spelling, colour) in [
        ("blue", AnnouncementColor::Blue),
        ("PRIMARY", AnnouncementColor::Primary),
        ("teal", AnnouncementColor::Unknown("teal".into())),
    ] {
        let json = fixture("channel.chat.notification.v1")
            .replace(
                "\"notice_type\": \"resub\"",
                "\"notice_type\": \"announcement\"",
            )
            .replace(
                "\"announcement\": null",
                &format!("\"announcement\": {{\"color\": \"{spelling}\"}}"),
            );
        let EventData::ChannelChatNotification(notice) =
            EventData::decode("channel.chat.notification", "1", &json).unwrap()
        else {
            panic!()
        };
        assert_eq!(notice.announcement.unwrap().color, colour, "{spelling}");
    }
}

/// A `channel.bits.use` Power-up with its message, shaped as the reference documents the event:
/// a fragment's emote carries its set, owner and formats; the Power-up's emote only id and name.
const BITS_POWER_UP: &str = r#"{"user_id":"1234","user_login":"cool_user","user_name":"Cool_User",
    "broadcaster_user_id":"1337","broadcaster_user_login":"cooler_user",
    "broadcaster_user_name":"Cooler_User","bits":50,"type":"power_up",
    "power_up":{"type":"gigantify_an_emote","emote":{"id":"emotesv2_dc24652a","name":"coolerHype"},
        "message_effect_id":null},
    "message":{"text":"hi coolerHype","fragments":[
        {"type":"text","text":"hi ","cheermote":null,"emote":null},
        {"type":"emote","text":"coolerHype","cheermote":null,"emote":{"id":"emotesv2_dc24652a",
            "emote_set_id":"301590448","owner_id":"1337","format":["static","animated"]}}]}}"#;

fn bits_use(json: &str) -> Box<channel::ChannelBitsUse<'_>> {
    let EventData::ChannelBitsUse(used) = EventData::decode("channel.bits.use", "1", json).unwrap()
    else {
        panic!()
    };
    used
}

#[test]
fn bits_use_types_fragment_emotes_and_power_ups_as_documented() {
    with_event("channel.bits.use", "1", |data| {
        let EventData::ChannelBitsUse(cheer) = data else {
            panic!()
        };
        assert_eq!(
            (cheer.use_type, cheer.bits),
            (channel::BitsUseType::Cheer, 2)
        );
        assert_eq!(cheer.power_up, None);
        let message = cheer.message.unwrap();
        use channel::BitsFragmentType::*;
        let kinds: Vec<_> = message.fragments.iter().map(|f| f.kind.clone()).collect();
        assert_eq!(kinds, [Cheermote, Text, Cheermote]);
        assert_eq!(
            message.fragments[0].cheermote.as_ref().unwrap().prefix,
            "cheer"
        );
        assert_eq!(message.fragments[1].emote, None);
    });

    let used = bits_use(BITS_POWER_UP);
    assert_eq!(used.use_type, channel::BitsUseType::PowerUp);
    let power_up = used.power_up.as_ref().unwrap();
    assert_eq!(power_up.kind, channel::PowerUpType::GigantifyAnEmote);
    let emote = power_up.emote.as_ref().unwrap();
    assert_eq!(
        (emote.id.as_ref(), emote.name.as_ref()),
        ("emotesv2_dc24652a", "coolerHype")
    );
    assert_eq!(power_up.message_effect_id, None);
    let fragment = &used.message.as_ref().unwrap().fragments[1];
    let emote = fragment.emote.as_ref().unwrap();
    assert_eq!(emote.emote_set_id, "301590448");
    assert_eq!(emote.owner_id, "1337");
    assert_eq!(
        emote.format,
        [chat::EmoteFormat::Static, chat::EmoteFormat::Animated]
    );
    // Nothing documented is dropped: the fragment's emote serializes back whole.
    let input: serde_json::Value = serde_json::from_str(BITS_POWER_UP).unwrap();
    let output = serde_json::to_value(EventData::ChannelBitsUse(used)).unwrap();
    let emote_of = |value: &serde_json::Value| value["message"]["fragments"][1]["emote"].clone();
    assert_eq!(emote_of(&output), emote_of(&input));
    assert_eq!(output["power_up"], input["power_up"]);

    for (kind, expected) in [
        ("message_effect", channel::PowerUpType::MessageEffect),
        ("celebration", channel::PowerUpType::Celebration),
        (
            "new_effect",
            channel::PowerUpType::Unknown("new_effect".into()),
        ),
    ] {
        let json = BITS_POWER_UP
            .replace("\"gigantify_an_emote\"", &format!("\"{kind}\""))
            .replace(
                "\"message_effect_id\":null",
                "\"message_effect_id\":\"cosmic-abyss\"",
            );
        let power_up = bits_use(&json).power_up.unwrap();
        assert_eq!(power_up.kind, expected, "{kind}");
        assert_eq!(power_up.message_effect_id.as_deref(), Some("cosmic-abyss"));
    }
}

#[test]
fn bits_use_keeps_a_custom_power_up_whole() {
    let json = BITS_POWER_UP
        .replace("\"type\":\"power_up\"", "\"type\":\"custom_power_up\"")
        .replace(
            "\"power_up\":{",
            "\"custom_power_up\":{\"id\":\"92af127c\",\"title\":\"Spin the wheel\"},\"power_up\":{",
        );
    let used = bits_use(&json);
    assert_eq!(used.use_type, channel::BitsUseType::CustomPowerUp);
    let custom = used.custom_power_up.unwrap();
    assert_eq!(
        custom.get(),
        r#"{"id":"92af127c","title":"Spin the wheel"}"#
    );
    let output = serde_json::to_value(EventData::ChannelBitsUse(used)).unwrap();
    assert_eq!(output["custom_power_up"]["title"], "Spin the wheel");
    with_event("channel.bits.use", "1", |data| {
        let EventData::ChannelBitsUse(cheer) = data else {
            panic!()
        };
        assert_eq!(cheer.custom_power_up, None);
    });
}

#[test]
fn user_message_update_status_is_the_documented_set() {
    with_event("channel.chat.user_message_update", "1", |data| {
        let EventData::ChannelChatUserMessageUpdate(update) = data else {
            panic!()
        };
        assert_eq!(update.status, chat::HeldMessageStatus::Approved);
        assert_eq!(
            (update.user_login.as_str(), update.user_name.as_ref()),
            ("tom", "Tommy")
        );
        assert_eq!(update.message_id, "789");
        assert_eq!(update.message.fragments[0].text, "hey world");
    });
    // Exactly approved, denied and invalid; `expired` belongs to `automod.message.update`, so
    // here it is a value Twitch does not document and stays `Unknown`, spelled as sent.
    for (spelling, status) in [
        ("approved", chat::HeldMessageStatus::Approved),
        ("denied", chat::HeldMessageStatus::Denied),
        ("invalid", chat::HeldMessageStatus::Invalid),
        (
            "expired",
            chat::HeldMessageStatus::Unknown("expired".into()),
        ),
    ] {
        let json = fixture("channel.chat.user_message_update.v1")
            .replace("\"approved\"", &format!("\"{spelling}\""));
        let EventData::ChannelChatUserMessageUpdate(update) =
            EventData::decode("channel.chat.user_message_update", "1", &json).unwrap()
        else {
            panic!()
        };
        assert_eq!(update.status, status, "{spelling}");
        assert_eq!(update.status.as_str(), spelling);
    }
}

#[test]
fn goals_decode_the_documented_examples_and_every_documented_type() {
    use eventsub_proto::events::goal::GoalType;
    for (kind, id, current) in [
        ("channel.goal.begin", "12345-cool-event", 100),
        ("channel.goal.progress", "12345-cool-event", 120),
        ("channel.goal.end", "12345-abc-678-defgh", 180),
    ] {
        with_event(kind, "1", |data| {
            let (EventData::ChannelGoalBegin(goal)
            | EventData::ChannelGoalProgress(goal)
            | EventData::ChannelGoalEnd(goal)) = data
            else {
                panic!()
            };
            assert_eq!(goal.id, id, "{kind}");
            assert_eq!(goal.goal_type, GoalType::Subscription, "{kind}");
            assert_eq!((goal.current_amount, goal.target_amount), (current, 220));
            assert_eq!(goal.broadcaster_user_name, "TwitchDev");
            assert_eq!(
                goal.is_achieved,
                (kind == "channel.goal.end").then_some(false)
            );
        });
    }
    for (spelling, goal_type) in [
        ("follow", GoalType::Follow),
        ("subscription", GoalType::Subscription),
        ("subscription_count", GoalType::SubscriptionCount),
        ("new_subscription", GoalType::NewSubscription),
        ("new_subscription_count", GoalType::NewSubscriptionCount),
        ("new_bit", GoalType::NewBit),
        ("new_cheerer", GoalType::NewCheerer),
        ("follower", GoalType::Unknown("follower".into())),
    ] {
        let json = fixture("channel.goal.progress.v1")
            .replace("\"subscription\"", &format!("\"{spelling}\""));
        let EventData::ChannelGoalProgress(goal) =
            EventData::decode("channel.goal.progress", "1", &json).unwrap()
        else {
            panic!()
        };
        assert_eq!(goal.goal_type, goal_type, "{spelling}");
        assert_eq!(goal.goal_type.as_str(), spelling);
    }
}

#[test]
fn shared_chat_needs_no_scope_and_decodes_the_documented_examples() {
    use eventsub_proto::events::{SubscriptionType, check_scopes};
    use eventsub_proto::{BroadcasterId, SubscriptionSpec};
    let broadcaster = BroadcasterId::new("1971641");
    // Documented as "No authorization required": no scope, so no token is ever short of one.
    let specs = [
        SubscriptionSpec::channel_shared_chat_begin(&broadcaster),
        SubscriptionSpec::channel_shared_chat_update(&broadcaster),
        SubscriptionSpec::channel_shared_chat_end(&broadcaster),
    ];
    for spec in &specs {
        let entry = SubscriptionType::find(&spec.kind, &spec.version).unwrap();
        assert!(entry.scopes.is_empty(), "{}", spec.kind);
        assert_eq!(
            entry.conditions,
            [&["broadcaster_user_id"][..]],
            "{}",
            spec.kind
        );
    }
    assert!(check_scopes(&specs, std::iter::empty::<&str>()).is_empty());

    with_event("channel.shared_chat.update", "1", |data| {
        let EventData::ChannelSharedChatUpdate(update) = data else {
            panic!()
        };
        assert_eq!(update.session_id, "2b64a92a-dbb8-424e-b1c3-304423ba1b6f");
        assert_eq!(update.host_broadcaster_user_id, update.broadcaster_user_id);
        let ids: Vec<_> = update
            .participants
            .iter()
            .map(|p| p.broadcaster_user_id.as_str())
            .collect();
        assert_eq!(ids, ["1971641", "112233", "332211"]);
        assert_eq!(update.participants[2].broadcaster_user_name, "streamer11");
    });
    with_event("channel.shared_chat.end", "1", |data| {
        let EventData::ChannelSharedChatEnd(end) = data else {
            panic!()
        };
        assert_eq!(end.host_broadcaster_user_login, "streamer");
    });
}
