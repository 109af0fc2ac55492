//! The core's catch-up after a gap, through `Client` on fake time: each test is one behaviour.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::time::Duration;

use eventsub_proto::catchup::{
    CatchUpConfig, CatchUpResult, HelixRead, ReadError, RecoveredEvent, Unrecoverable,
};
use eventsub_proto::{Event, Input, InputError, RequestError};

use common::{Harness, ban, chat, config, follow, poll_begin, poll_end, redemption};
use common::{stream_offline, stream_online};

/// Up, then a 20 s drop during which `during` happens, then back.
fn gap(harness: &mut Harness, during: impl FnOnce(&mut Harness)) {
    harness.drop_connection();
    harness.advance(Duration::from_secs(10));
    during(harness);
    harness.advance(Duration::from_secs(10));
    harness.come_back();
}

fn up(subscriptions: Vec<eventsub_proto::SubscriptionSpec>) -> Harness {
    up_with(subscriptions, CatchUpConfig::default())
}

fn up_with(
    subscriptions: Vec<eventsub_proto::SubscriptionSpec>,
    catch_up: CatchUpConfig,
) -> Harness {
    let mut harness = Harness::new(config(subscriptions, catch_up));
    harness.establish();
    harness
}

fn only_outcome(harness: &Harness) -> CatchUpResult {
    let reports = harness.reports();
    assert_eq!(reports.len(), 1, "one report: {:?}", harness.events);
    assert_eq!(reports[0].subscriptions.len(), 1);
    reports[0].subscriptions[0].result.clone()
}

fn followers_recovered(harness: &Harness) -> Vec<String> {
    harness
        .recovered()
        .iter()
        .filter_map(|recovered| match &recovered.event {
            RecoveredEvent::Follow { follower } => Some(follower.user_id.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_follow_inside_the_gap_is_recovered_once() {
    let mut harness = up(vec![follow()]);
    gap(&mut harness, |harness| assert!(!harness.act_follow("7")));
    assert_eq!(followers_recovered(&harness), ["7"]);
    let recovered = harness.recovered()[0];
    assert_eq!(recovered.subscription, follow());
    assert_eq!(
        only_outcome(&harness),
        CatchUpResult::Recovered {
            read: HelixRead::ChannelFollowers,
            events: 1,
            complete: true
        }
    );
    // A second gap soon after reads the same follower again: it is not recovered twice.
    harness.drop_connection();
    harness.come_back();
    assert_eq!(harness.reports().len(), 2);
    assert_eq!(followers_recovered(&harness), ["7"]);
}

#[test]
fn a_follow_delivered_live_is_not_recovered() {
    let mut harness = up(vec![follow()]);
    assert!(harness.act_follow("5"));
    // The gap begins right after it: it is inside the window, and Helix lists it.
    gap(&mut harness, |_| {});
    assert!(followers_recovered(&harness).is_empty());
    assert!(matches!(
        only_outcome(&harness),
        CatchUpResult::Recovered {
            events: 0,
            complete: true,
            ..
        }
    ));
}

#[test]
fn a_follow_delivered_after_the_resume_before_the_read_is_not_recovered() {
    let mut harness = up(vec![follow()]);
    harness.auto_reads = false;
    gap(&mut harness, |_| {});
    assert_eq!(harness.reads.len(), 1, "the read waits");
    // Delivered live within the window's slack after the gap's end.
    assert!(harness.act_follow("8"));
    harness.auto_reads = true;
    harness.settle();
    assert!(followers_recovered(&harness).is_empty());
}

#[test]
fn a_follow_before_the_window_is_not_recovered() {
    let mut harness = up(vec![follow()]);
    harness.auto_reads = false;
    // Happened while listening, but the client never saw it (as if lost): long before the gap.
    harness
        .world
        .followers
        .push(("3".to_owned(), harness.wall()));
    harness.advance(Duration::from_secs(30));
    harness.auto_reads = true;
    gap(&mut harness, |_| {});
    assert!(followers_recovered(&harness).is_empty());
}

#[test]
fn a_read_without_scope_is_unrecoverable_without_a_request() {
    // `channel.ban` needs `channel:moderate`; Get Banned Users needs another scope.
    let config = config(vec![ban()], CatchUpConfig::default());
    let mut harness = Harness::with_scopes(config, &["channel:moderate"]);
    harness.establish();
    gap(&mut harness, |harness| {
        harness.act_ban("7");
    });
    assert!(harness.asked.is_empty(), "no read: {:?}", harness.asked);
    assert_eq!(
        only_outcome(&harness),
        CatchUpResult::Unrecoverable {
            reason: Unrecoverable::MissingScope {
                read: HelixRead::BannedUsers,
                scopes: &["moderation:read", "moderator:manage:banned_users"],
            }
        }
    );
}

#[test]
fn a_read_with_its_scope_is_made() {
    let scopes = ["moderator:read:followers"];
    let mut harness =
        Harness::with_scopes(config(vec![follow()], CatchUpConfig::default()), &scopes);
    harness.establish();
    gap(&mut harness, |harness| {
        harness.act_follow("7");
    });
    assert_eq!(followers_recovered(&harness), ["7"]);
}

#[test]
fn the_page_budget_cuts_a_read_short_and_says_so() {
    let mut catch_up = CatchUpConfig::default();
    catch_up.max_pages_per_read = 1;
    let mut harness = up_with(vec![follow()], catch_up);
    gap(&mut harness, |harness| {
        for user in 0..150 {
            harness.act_follow(&format!("u{user}"));
        }
    });
    assert_eq!(harness.asked.len(), 1);
    assert_eq!(followers_recovered(&harness).len(), 100, "one page of 100");
    assert_eq!(
        only_outcome(&harness),
        CatchUpResult::Recovered {
            read: HelixRead::ChannelFollowers,
            events: 100,
            complete: false
        }
    );
}

#[test]
fn pages_are_followed_until_the_window_is_covered() {
    let mut harness = up(vec![follow()]);
    gap(&mut harness, |harness| {
        for user in 0..150 {
            harness.act_follow(&format!("u{user}"));
        }
    });
    assert_eq!(harness.asked.len(), 2, "two pages");
    assert_eq!(
        harness.asked[1].query().last(),
        Some(&("after", "100".to_owned()))
    );
    let mut users = followers_recovered(&harness);
    users.sort();
    users.dedup();
    assert_eq!(users.len(), 150);
    assert!(matches!(
        only_outcome(&harness),
        CatchUpResult::Recovered {
            events: 150,
            complete: true,
            ..
        }
    ));
}

#[test]
fn the_read_budget_leaves_the_later_subscriptions_unrecoverable() {
    let mut catch_up = CatchUpConfig::default();
    catch_up.max_reads_per_gap = 1;
    let mut harness = up_with(vec![follow(), ban()], catch_up);
    gap(&mut harness, |harness| {
        harness.act_follow("7");
        harness.act_ban("8");
    });
    assert_eq!(harness.asked.len(), 1);
    let report = harness.reports()[0];
    assert!(matches!(
        report.subscriptions[0].result,
        CatchUpResult::Recovered { events: 1, .. }
    ));
    assert_eq!(
        report.subscriptions[1].result,
        CatchUpResult::Unrecoverable {
            reason: Unrecoverable::ReadBudget {
                read: HelixRead::BannedUsers
            }
        }
    );
}

#[test]
fn a_ban_inside_the_gap_is_recovered_and_one_delivered_live_is_not() {
    let mut harness = up(vec![ban()]);
    assert!(harness.act_ban("4"));
    gap(&mut harness, |harness| {
        harness.act_ban("6");
    });
    let banned: Vec<&str> = harness
        .recovered()
        .iter()
        .filter_map(|recovered| match &recovered.event {
            RecoveredEvent::Ban { ban } => Some(ban.user_id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(banned, ["6"]);
}

#[test]
fn redemptions_are_read_for_every_status_of_the_reward() {
    let mut harness = up(vec![redemption()]);
    gap(&mut harness, |harness| {
        harness.act_redeem("r-fulfilled", "FULFILLED");
        harness.act_redeem("r-canceled", "CANCELED");
    });
    let statuses: Vec<&str> = harness
        .asked
        .iter()
        .filter_map(|read| read.query().iter().find(|(name, _)| *name == "status"))
        .map(|(_, status)| status.as_str())
        .collect();
    assert_eq!(statuses, ["UNFULFILLED", "FULFILLED", "CANCELED"]);
    let mut ids: Vec<&str> = harness
        .recovered()
        .iter()
        .filter_map(|recovered| match &recovered.event {
            RecoveredEvent::Redemption { redemption } => Some(redemption.id.as_str()),
            _ => None,
        })
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ["r-canceled", "r-fulfilled"]);
}

#[test]
fn a_redemption_subscription_for_every_reward_is_unrecoverable() {
    let spec = eventsub_proto::SubscriptionSpec::new(
        "channel.channel_points_custom_reward_redemption.add",
        "1",
    )
    .with_condition("broadcaster_user_id", common::BROADCASTER);
    let mut harness = up(vec![spec]);
    gap(&mut harness, |_| {});
    assert!(harness.asked.is_empty());
    assert_eq!(
        only_outcome(&harness),
        CatchUpResult::Unrecoverable {
            reason: Unrecoverable::NoRewardId {
                read: HelixRead::CustomRewardRedemptions
            }
        }
    );
}

#[test]
fn a_poll_that_ended_in_the_gap_is_a_poll_end_and_not_a_poll_begin() {
    let mut harness = up(vec![poll_begin(), poll_end()]);
    assert!(harness.act_poll_begin("p1"));
    harness.advance(Duration::from_secs(30));
    gap(&mut harness, |harness| {
        harness.act_poll_end("p1");
    });
    let kinds: Vec<&str> = harness
        .recovered()
        .iter()
        .map(|recovered| match &recovered.event {
            RecoveredEvent::PollBegin { .. } => "begin",
            RecoveredEvent::PollEnd { poll } => {
                assert_eq!(poll.status, "COMPLETED");
                "end"
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(kinds, ["end"]);
}

#[test]
fn chat_is_unrecoverable() {
    let mut harness = up(vec![chat()]);
    gap(&mut harness, |harness| {
        harness.act_chat("m1");
    });
    assert!(harness.asked.is_empty());
    assert_eq!(
        only_outcome(&harness),
        CatchUpResult::Unrecoverable {
            reason: Unrecoverable::NoHelixRead
        }
    );
}

#[test]
fn the_report_comes_after_the_recovered_events() {
    let mut harness = up(vec![follow(), ban(), chat()]);
    gap(&mut harness, |harness| {
        harness.act_follow("7");
        harness.act_ban("8");
    });
    let order: Vec<&str> = harness
        .events
        .iter()
        .filter_map(|event| match event {
            Event::Resumed { .. } => Some("resumed"),
            Event::Recovered(_) => Some("recovered"),
            Event::CatchUp(_) => Some("report"),
            _ => None,
        })
        .collect();
    assert_eq!(order, ["resumed", "recovered", "recovered", "report"]);
    let report = harness.reports()[0];
    assert_eq!(
        report.subscriptions.len(),
        3,
        "one outcome per subscription"
    );
    let Some(Event::Resumed { gap }) = harness
        .events
        .iter()
        .find(|event| matches!(event, Event::Resumed { .. }))
    else {
        unreachable!()
    };
    assert_eq!((report.gap_from, report.gap_until), (gap.from, gap.until));
}

#[test]
fn a_body_that_does_not_decode_is_a_failed_read() {
    let mut harness = up(vec![follow()]);
    harness.auto_reads = false;
    gap(&mut harness, |_| {});
    harness.answer(Ok(r#"{"data":[{"user_id":7}]}"#.to_owned()));
    let CatchUpResult::Failed { read, error } = only_outcome(&harness) else {
        panic!("a failure: {:?}", harness.events)
    };
    assert_eq!(read, HelixRead::ChannelFollowers);
    assert!(matches!(error, ReadError::Malformed { .. }), "{error:?}");
}

#[test]
fn a_helix_error_is_a_failed_read_with_the_error() {
    let mut harness = up(vec![follow()]);
    harness.auto_reads = false;
    gap(&mut harness, |_| {});
    let error = RequestError::Unauthorized {
        message: "Missing scope".to_owned(),
    };
    harness.answer(Err(error.clone()));
    assert_eq!(
        only_outcome(&harness),
        CatchUpResult::Failed {
            read: HelixRead::ChannelFollowers,
            error: ReadError::Request(error)
        }
    );
    assert!(
        !harness.client.is_stopped(),
        "a read's 401 is not the token's"
    );
}

#[test]
fn a_stream_that_went_offline_during_the_gap_is_a_state_event() {
    let mut harness = Harness::unsettled(config(
        vec![stream_offline(), stream_online()],
        CatchUpConfig::default(),
    ));
    harness.world.stream = Some(("s1".to_owned(), harness.wall()));
    harness.settle();
    harness.establish();
    assert!(
        harness
            .asked
            .iter()
            .any(|read| read.read() == HelixRead::Streams),
        "the baseline is read once the session is up"
    );
    gap(&mut harness, |harness| {
        harness.act_stream_offline();
    });
    let events: Vec<&RecoveredEvent> = harness.recovered().iter().map(|r| &r.event).collect();
    assert_eq!(events.len(), 1, "{events:?}");
    let RecoveredEvent::StreamOffline {
        broadcaster_user_id,
        before,
    } = events[0]
    else {
        panic!("{events:?}")
    };
    assert_eq!(broadcaster_user_id, common::BROADCASTER);
    assert_eq!(before.as_ref().map(|stream| stream.id.as_str()), Some("s1"));
}

#[test]
fn a_stream_change_delivered_live_is_no_state_event() {
    let mut harness = up(vec![stream_offline(), stream_online()]);
    assert!(harness.act_stream_online("s2"), "delivered live");
    gap(&mut harness, |_| {});
    assert!(harness.recovered().is_empty(), "{:?}", harness.recovered());
}

#[test]
fn a_stream_that_went_online_during_the_gap_is_a_state_event() {
    let mut harness = up(vec![stream_offline(), stream_online()]);
    gap(&mut harness, |harness| {
        harness.act_stream_online("s3");
    });
    let events: Vec<&RecoveredEvent> = harness.recovered().iter().map(|r| &r.event).collect();
    assert!(
        matches!(events.as_slice(), [RecoveredEvent::StreamOnline { stream }] if stream.id == "s3"),
        "{events:?}"
    );
}

#[test]
fn without_a_baseline_a_state_read_says_so_and_invents_no_change() {
    let mut harness = Harness::unsettled(config(vec![stream_offline()], CatchUpConfig::default()));
    harness.world.fail_with = Some(Err(RequestError::Unavailable {
        message: "down".to_owned(),
    }));
    harness.settle();
    harness.establish();
    assert_eq!(
        harness.asked.len(),
        1,
        "the baseline was asked for, and failed"
    );
    harness.world.fail_with = None;
    harness.world.stream = Some(("s1".to_owned(), harness.wall()));
    gap(&mut harness, |harness| {
        harness.act_stream_offline();
    });
    assert!(harness.recovered().is_empty());
    assert_eq!(
        only_outcome(&harness),
        CatchUpResult::Unrecoverable {
            reason: Unrecoverable::NoBaseline {
                read: HelixRead::Streams
            }
        }
    );
}

#[test]
fn a_gap_during_a_catch_up_waits_and_gets_its_own_report() {
    let mut harness = up(vec![follow()]);
    harness.auto_reads = false;
    gap(&mut harness, |harness| {
        harness.act_follow("7");
    });
    assert_eq!(harness.reads.len(), 1);
    gap(&mut harness, |harness| {
        harness.act_follow("8");
    });
    assert_eq!(harness.resumed(), 2);
    assert_eq!(harness.reads.len(), 1, "one read at a time");
    harness.auto_reads = true;
    harness.settle();
    let reports = harness.reports();
    assert_eq!(reports.len(), 2);
    assert!(reports[0].gap_until <= reports[1].gap_from);
    let mut users = followers_recovered(&harness);
    users.sort();
    assert_eq!(users, ["7", "8"]);
}

#[test]
fn shutdown_abandons_the_read_in_flight_without_a_report() {
    let mut harness = up(vec![follow()]);
    harness.auto_reads = false;
    gap(&mut harness, |_| {});
    let now = harness.now;
    harness.client.shutdown(now);
    harness.settle();
    harness.answer(Ok(r#"{"data":[]}"#.to_owned()));
    assert!(harness.reports().is_empty());
    assert!(matches!(harness.events.last(), Some(Event::Stopped { .. })));
}

#[test]
fn an_answer_to_no_read_is_an_unknown_request() {
    let mut harness = up(vec![follow()]);
    harness.auto_reads = false;
    gap(&mut harness, |_| {});
    let (request, _) = harness.reads.pop_front().unwrap();
    let body = || Ok(r#"{"data":[]}"#.to_owned());
    let now = harness.now;
    assert_eq!(
        harness.client.handle_input(
            now,
            Input::CatchUpRead {
                request,
                result: body()
            }
        ),
        Ok(())
    );
    assert_eq!(
        harness.client.handle_input(
            now,
            Input::CatchUpRead {
                request,
                result: body()
            }
        ),
        Err(InputError::UnknownRequest { request })
    );
}

#[test]
fn with_catch_up_off_a_gap_is_only_reported() {
    let mut config = config(vec![follow()], CatchUpConfig::default());
    config.catch_up = None;
    let mut harness = Harness::new(config);
    harness.establish();
    gap(&mut harness, |harness| {
        harness.act_follow("7");
    });
    assert_eq!(harness.resumed(), 1);
    assert!(harness.asked.is_empty());
    assert!(harness.reports().is_empty() && harness.recovered().is_empty());
}

#[test]
fn a_subscription_created_only_after_the_gap_began_is_not_caught_up() {
    let mut harness = up(vec![follow()]);
    harness.drop_connection();
    harness.client.subscribe(ban()).unwrap();
    harness.come_back();
    let report = harness.reports()[0];
    let subscriptions: Vec<_> = report
        .subscriptions
        .iter()
        .map(|o| &o.subscription)
        .collect();
    assert_eq!(subscriptions, [&follow()]);
}

#[test]
fn followers_listed_by_total_only_are_a_missing_scope_not_no_follows() {
    // Token validation is off: the scopes are unknown, so the read is tried; Twitch answers a
    // token without the scope with 200 and only `total`.
    let mut harness = up(vec![follow()]);
    harness.world.fail_with = Some(Ok(r#"{"data":[],"total":12,"pagination":{}}"#.to_owned()));
    gap(&mut harness, |harness| {
        harness.act_follow("7");
    });
    assert_eq!(
        only_outcome(&harness),
        CatchUpResult::Unrecoverable {
            reason: Unrecoverable::MissingScope {
                read: HelixRead::ChannelFollowers,
                scopes: &["moderator:read:followers"],
            }
        }
    );
}

#[test]
fn an_answer_to_a_catch_up_read_with_catch_up_off_is_an_unknown_request() {
    let mut config = config(vec![follow()], CatchUpConfig::default());
    config.catch_up = None;
    let mut harness = Harness::new(config);
    harness.establish();
    // A request id the client did give out, for something else (a creation, answered).
    let mut other = Harness::new(common::config(vec![follow()], CatchUpConfig::default()));
    other.auto_reads = false;
    other.establish();
    gap(&mut other, |_| {});
    let (request, _) = other.reads.pop_front().unwrap();
    let now = harness.now;
    let result = Ok(r#"{"data":[]}"#.to_owned());
    assert_eq!(
        harness
            .client
            .handle_input(now, Input::CatchUpRead { request, result }),
        Err(InputError::UnknownRequest { request })
    );
}

fn channel_update() -> eventsub_proto::SubscriptionSpec {
    eventsub_proto::SubscriptionSpec::new("channel.update", "2")
        .with_condition("broadcaster_user_id", common::BROADCASTER)
}

fn retitle(harness: &mut Harness, title: &str) -> bool {
    harness.world.title = title.to_owned();
    let event = serde_json::json!({"broadcaster_user_id": common::BROADCASTER,
        "broadcaster_user_login": "caster", "broadcaster_user_name": "Caster", "title": title,
        "language": "en", "category_id": "", "category_name": "", "content_classification_labels": []});
    harness.notify(&channel_update(), &event.to_string())
}

#[test]
fn a_channel_update_in_the_gap_is_compared_with_the_last_delivered_one() {
    let mut harness = up(vec![channel_update()]);
    assert!(retitle(&mut harness, "second"));
    gap(&mut harness, |harness| {
        assert!(!retitle(harness, "third"));
    });
    let events: Vec<&RecoveredEvent> = harness.recovered().iter().map(|r| &r.event).collect();
    assert!(
        matches!(events.as_slice(), [RecoveredEvent::ChannelUpdate { before, after }]
            if before.title == "second" && after.title == "third"),
        "{events:?}"
    );
    // The next gap compares with what this one read: nothing changed, nothing is recovered.
    gap(&mut harness, |_| {});
    assert_eq!(harness.recovered().len(), 1);
    assert_eq!(harness.reports().len(), 2);
}

#[test]
fn a_handover_whose_old_socket_broke_is_a_gap_caught_up() {
    let mut harness = up(vec![follow()]);
    // Sent on the old socket, never read: the socket breaks before it is drained.
    let at = harness.wall();
    harness.world.followers.push(("lost".to_owned(), at));
    harness.advance(Duration::from_millis(300));
    harness.break_closes = true;
    harness.handover();
    assert!(
        harness
            .events
            .iter()
            .any(|event| matches!(event, Event::Reconnected { .. })),
        "{:?}",
        harness.events
    );
    assert_eq!(harness.resumed(), 1, "the broken drain is a gap");
    assert_eq!(followers_recovered(&harness), ["lost"]);
}

#[test]
fn gaps_past_the_queue_bound_join_the_last_that_waits() {
    let mut catch_up = CatchUpConfig::default();
    catch_up.max_queued_gaps = 1;
    let mut harness = up_with(vec![follow()], catch_up);
    harness.auto_reads = false;
    for user in ["a", "b", "c"] {
        gap(&mut harness, |harness| {
            harness.act_follow(user);
        });
    }
    assert_eq!(harness.resumed(), 3);
    harness.auto_reads = true;
    harness.settle();
    let gaps: Vec<_> = harness
        .events
        .iter()
        .filter_map(|event| match event {
            Event::Resumed { gap } => Some((gap.from, gap.until)),
            _ => None,
        })
        .collect();
    let reports = harness.reports();
    assert_eq!(reports.len(), 2, "the third gap joined the second");
    assert_eq!((reports[0].gap_from, reports[0].gap_until), gaps[0]);
    assert_eq!(
        (reports[1].gap_from, reports[1].gap_until),
        (gaps[1].0, gaps[2].1)
    );
    let mut users = followers_recovered(&harness);
    users.sort();
    assert_eq!(users, ["a", "b", "c"]);
}

/// The read asked for and not answered yet, answered as the world stands now (to be fed later).
fn answer_as_of_now(harness: &Harness) -> Result<String, RequestError> {
    let (_, read) = harness.reads.front().expect("a read in flight");
    harness.world.helix(read)
}

#[test]
fn a_state_answer_older_than_a_delivered_notification_does_not_overwrite_it() {
    let mut harness = Harness::unsettled(config(
        vec![stream_offline(), stream_online()],
        CatchUpConfig::default(),
    ));
    harness.auto_reads = false;
    harness.settle();
    harness.establish();
    let offline = answer_as_of_now(&harness);
    assert!(harness.act_stream_online("s1"), "delivered live");
    // The baseline read was sent before the notification and answered after it.
    harness.answer(offline);
    harness.auto_reads = true;
    harness.settle();
    gap(&mut harness, |_| {});
    assert!(
        harness.recovered().is_empty(),
        "the live stream.online was delivered, not missed: {:?}",
        harness.recovered()
    );
}

#[test]
fn a_catch_up_read_answered_after_a_delivered_notification_is_asked_again() {
    let mut harness = up(vec![stream_offline(), stream_online()]);
    harness.auto_reads = false;
    gap(&mut harness, |_| {});
    let offline = answer_as_of_now(&harness);
    assert!(harness.act_stream_online("s2"), "delivered live");
    harness.answer(offline);
    harness.auto_reads = true;
    harness.settle();
    assert!(
        harness.recovered().is_empty(),
        "an answer older than the notification is no change: {:?}",
        harness.recovered()
    );
    let streams_reads = |harness: &Harness| {
        harness
            .asked
            .iter()
            .filter(|read| read.read() == HelixRead::Streams)
            .count()
    };
    // Baseline, then per subscription one read, and the overtaken one once more.
    assert_eq!(streams_reads(&harness), 4, "{:?}", harness.asked);
    let reports = harness.reports();
    assert_eq!(reports.len(), 1);
    assert!(
        reports[0]
            .subscriptions
            .iter()
            .all(|outcome| matches!(outcome.result, CatchUpResult::Recovered { events: 0, .. }))
    );
    // The next gap compares with the stream the notification told about: nothing to recover.
    gap(&mut harness, |_| {});
    assert!(harness.recovered().is_empty(), "{:?}", harness.recovered());
}

#[test]
fn a_baseline_read_sent_before_the_gap_and_not_overtaken_is_kept() {
    let mut harness = Harness::unsettled(config(vec![stream_offline()], CatchUpConfig::default()));
    harness.world.stream = Some(("s1".to_owned(), harness.wall()));
    harness.auto_reads = false;
    harness.settle();
    harness.establish();
    let live = answer_as_of_now(&harness);
    harness.drop_connection();
    harness.advance(Duration::from_secs(10));
    // Answered while the gap is open; no notification of the channel came since it was sent.
    harness.answer(live);
    assert!(!harness.act_stream_offline(), "in the gap");
    harness.auto_reads = true;
    harness.advance(Duration::from_secs(10));
    harness.come_back();
    let events: Vec<&RecoveredEvent> = harness.recovered().iter().map(|r| &r.event).collect();
    assert!(
        matches!(events.as_slice(), [RecoveredEvent::StreamOffline { before: Some(before), .. }]
            if before.id == "s1"),
        "{events:?}"
    );
}

#[test]
fn a_baseline_read_overtaken_by_a_notification_before_the_gap_is_no_baseline() {
    let mut harness = Harness::unsettled(config(vec![channel_update()], CatchUpConfig::default()));
    harness.auto_reads = false;
    harness.settle();
    harness.establish();
    let first = answer_as_of_now(&harness);
    // Delivered after the read was sent: the answer may be older than it.
    assert!(retitle(&mut harness, "second"));
    harness.drop_connection();
    harness.advance(Duration::from_secs(10));
    harness.answer(first);
    assert!(!retitle(&mut harness, "third"), "in the gap");
    harness.auto_reads = true;
    harness.advance(Duration::from_secs(10));
    harness.come_back();
    assert!(harness.recovered().is_empty(), "{:?}", harness.recovered());
    assert_eq!(
        only_outcome(&harness),
        CatchUpResult::Unrecoverable {
            reason: Unrecoverable::NoBaseline {
                read: HelixRead::ChannelInformation
            }
        }
    );
}

fn recovered_events(harness: &Harness) -> Vec<RecoveredEvent> {
    harness
        .recovered()
        .iter()
        .map(|recovered| recovered.event.clone())
        .collect()
}

fn predictions() -> Vec<eventsub_proto::SubscriptionSpec> {
    vec![
        common::prediction_begin(),
        common::prediction_lock(),
        common::prediction_end(),
    ]
}

#[test]
fn prediction_phases_inside_the_gap_are_recovered_and_the_delivered_begin_is_not() {
    let mut harness = up(predictions());
    assert!(harness.act_prediction_begin("p1"), "delivered live");
    gap(&mut harness, |harness| {
        assert!(!harness.act_prediction_lock("p1"));
        harness.advance(Duration::from_secs(2));
        assert!(!harness.act_prediction_end("p1"));
        assert!(!harness.act_prediction_begin("p2"));
    });
    let phases: Vec<(&str, String)> = recovered_events(&harness)
        .into_iter()
        .map(|event| match event {
            RecoveredEvent::PredictionBegin { prediction } => ("begin", prediction.id),
            RecoveredEvent::PredictionLock { prediction } => ("lock", prediction.id),
            RecoveredEvent::PredictionEnd { prediction } => ("end", prediction.id),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        phases,
        [
            ("begin", "p2".to_owned()),
            ("lock", "p1".to_owned()),
            ("end", "p1".to_owned())
        ]
    );
}

#[test]
fn prediction_phases_delivered_live_are_not_recovered() {
    let mut harness = up(predictions());
    assert!(harness.act_prediction_begin("p1"));
    assert!(harness.act_prediction_lock("p1"));
    harness.advance(Duration::from_secs(2));
    assert!(harness.act_prediction_end("p1"));
    gap(&mut harness, |harness| {
        harness.advance(Duration::from_secs(1))
    });
    assert!(
        recovered_events(&harness).is_empty(),
        "{:?}",
        harness.recovered()
    );
    assert_eq!(harness.reports().len(), 1);
}

fn goals() -> Vec<eventsub_proto::SubscriptionSpec> {
    vec![common::goal_begin(), common::goal_progress()]
}

#[test]
fn a_goal_begun_and_one_progressed_in_the_gap_are_recovered_against_the_delivered_state() {
    let mut harness = up(goals());
    assert!(harness.act_goal_begin("g1"), "delivered live");
    assert!(harness.act_goal_progress("g1", 10), "delivered live");
    gap(&mut harness, |harness| {
        assert!(!harness.act_goal_progress("g1", 40));
        assert!(!harness.act_goal_begin("g2"));
    });
    let events = recovered_events(&harness);
    assert!(
        matches!(events.as_slice(), [RecoveredEvent::GoalBegin { goal }, RecoveredEvent::GoalProgress { before, after }]
            if goal.id == "g2" && before.current_amount == 10 && after.current_amount == 40),
        "{events:?}"
    );
}

#[test]
fn goal_changes_delivered_live_are_not_recovered() {
    let mut harness = up(goals());
    assert!(harness.act_goal_begin("g1"));
    assert!(harness.act_goal_progress("g1", 10));
    gap(&mut harness, |_| {});
    assert!(
        recovered_events(&harness).is_empty(),
        "{:?}",
        harness.recovered()
    );
    let report = &harness.reports()[0];
    assert!(
        report
            .subscriptions
            .iter()
            .all(|outcome| matches!(outcome.result, CatchUpResult::Recovered { events: 0, .. })),
        "{report:?}"
    );
}

#[test]
fn a_goal_that_ended_in_the_gap_is_recovered_as_it_last_was_and_one_ended_live_is_not() {
    let mut harness = up(vec![
        common::goal_begin(),
        common::goal_progress(),
        common::goal_end(),
    ]);
    assert!(harness.act_goal_begin("g1"));
    assert!(harness.act_goal_begin("g2"));
    assert!(harness.act_goal_progress("g1", 30));
    assert!(harness.act_goal_end("g2"), "ended live");
    gap(&mut harness, |harness| {
        assert!(!harness.act_goal_end("g1"));
    });
    let events = recovered_events(&harness);
    assert!(
        matches!(events.as_slice(), [RecoveredEvent::GoalEnd { before }]
            if before.id == "g1" && before.current_amount == 30),
        "{events:?}"
    );
}

#[test]
fn a_campaign_that_stopped_in_the_gap_is_recovered_and_one_stopped_live_is_not() {
    let subscriptions = vec![
        common::charity_start(),
        common::charity_progress(),
        common::charity_stop(),
    ];
    let mut harness = up(subscriptions.clone());
    assert!(harness.act_charity_start("c1"));
    assert!(harness.act_charity_progress(700));
    gap(&mut harness, |harness| {
        assert!(!harness.act_charity_stop());
    });
    let events = recovered_events(&harness);
    assert!(
        matches!(events.as_slice(), [RecoveredEvent::CharityStop { before }]
            if before.id == "c1" && before.current_amount.value == 700),
        "{events:?}"
    );

    let mut harness = up(subscriptions);
    assert!(harness.act_charity_start("c1"));
    assert!(harness.act_charity_stop(), "stopped live");
    gap(&mut harness, |_| {});
    assert!(
        recovered_events(&harness).is_empty(),
        "{:?}",
        harness.recovered()
    );
}

fn charity() -> Vec<eventsub_proto::SubscriptionSpec> {
    vec![common::charity_start(), common::charity_progress()]
}

#[test]
fn a_charity_campaign_started_in_the_gap_is_recovered() {
    let mut harness = up(charity());
    gap(&mut harness, |harness| {
        assert!(!harness.act_charity_start("c1"));
    });
    let events = recovered_events(&harness);
    assert!(
        matches!(events.as_slice(), [RecoveredEvent::CharityStart { campaign }] if campaign.id == "c1"),
        "{events:?}"
    );
}

#[test]
fn charity_progress_in_the_gap_is_recovered_against_the_delivered_progress() {
    let mut harness = up(charity());
    assert!(harness.act_charity_start("c1"), "delivered live");
    assert!(harness.act_charity_progress(500), "delivered live");
    gap(&mut harness, |harness| {
        assert!(!harness.act_charity_progress(900));
    });
    let events = recovered_events(&harness);
    assert!(
        matches!(events.as_slice(), [RecoveredEvent::CharityProgress { before, after }]
            if before.current_amount.value == 500 && after.current_amount.value == 900),
        "{events:?}"
    );
}

#[test]
fn charity_changes_delivered_live_are_not_recovered() {
    let mut harness = up(charity());
    assert!(harness.act_charity_start("c1"));
    assert!(harness.act_charity_progress(500));
    gap(&mut harness, |_| {});
    assert!(
        recovered_events(&harness).is_empty(),
        "{:?}",
        harness.recovered()
    );
}

#[test]
fn catch_up_reads_in_flight_count_as_pending_requests() {
    let mut harness = up(vec![follow(), ban()]);
    assert_eq!(harness.client.stats().pending_requests, 0);
    harness.auto_reads = false;
    gap(&mut harness, |harness| {
        harness.act_follow("7");
    });
    assert_eq!(harness.reads.len(), 1, "one read at a time");
    assert_eq!(harness.client.stats().pending_requests, 1);
    assert!(harness.answer_oldest());
    assert_eq!(harness.client.stats().pending_requests, 1, "the ban read");
    harness.client.shutdown(harness.now);
    assert_eq!(
        harness.client.stats().pending_requests,
        1,
        "an abandoned read is still run by the adapter until it answers"
    );
    assert!(harness.answer_oldest());
    assert_eq!(harness.client.stats().pending_requests, 0);
}

#[test]
fn an_unsubscribed_channel_forgets_its_state_and_reads_it_again_when_wanted_again() {
    let mut harness = Harness::unsettled(config(vec![stream_offline()], CatchUpConfig::default()));
    harness.world.stream = Some(("s1".to_owned(), harness.wall()));
    harness.settle();
    harness.establish();
    let streams_reads = |harness: &Harness| {
        harness
            .asked
            .iter()
            .filter(|read| read.read() == HelixRead::Streams)
            .count()
    };
    assert_eq!(streams_reads(&harness), 1, "the baseline");
    assert!(harness.client.unsubscribe(&stream_offline()));
    harness.settle();
    // Unheard while unsubscribed: the stream ends and another begins.
    harness.world.stream = Some(("s2".to_owned(), harness.wall()));
    harness.advance(Duration::from_secs(5));
    harness.client.subscribe(stream_offline()).unwrap();
    harness.settle();
    harness.advance(Duration::from_secs(1));
    assert_eq!(
        streams_reads(&harness),
        2,
        "read again: {:?}",
        harness.asked
    );
    gap(&mut harness, |_| {});
    assert!(
        harness.recovered().is_empty(),
        "what happened while unsubscribed is not in the gap: {:?}",
        harness.recovered()
    );
}

#[test]
fn a_goal_baseline_overtaken_by_a_goal_notification_is_read_again() {
    let mut harness = Harness::unsettled(config(goals(), CatchUpConfig::default()));
    harness.auto_reads = false;
    harness.settle();
    harness.establish();
    let no_goals = answer_as_of_now(&harness);
    assert!(harness.act_goal_begin("g1"), "delivered live");
    harness.answer(no_goals);
    let goal_reads = |harness: &Harness| {
        harness
            .asked
            .iter()
            .filter(|read| read.read() == HelixRead::CreatorGoals)
            .count()
    };
    assert_eq!(goal_reads(&harness), 2, "read again: {:?}", harness.asked);
    harness.auto_reads = true;
    harness.settle();
    gap(&mut harness, |harness| {
        assert!(!harness.act_goal_progress("g1", 30));
    });
    let events = recovered_events(&harness);
    assert!(
        matches!(events.as_slice(), [RecoveredEvent::GoalProgress { before, after }]
            if before.id == "g1" && before.current_amount == 0 && after.current_amount == 30),
        "g1 began live, so only its progress is news: {events:?}"
    );
}
