//! The catch-up's property: over random schedules of what a channel does (follows, bans,
//! redemptions, polls, predictions, the stream going on and off, goals, a charity campaign),
//! interleaved with drops and handovers, what the client delivered live and what it recovered
//! after each gap are, together, everything that happened (for the types a Helix read lists),
//! with no duplicates; the state the app can tell from them (live or not, goals, charity) is the
//! channel's; the reads stay within the budget; and every `Resumed` gets exactly one `CatchUp`.
//!
//! Fast by default; `PROPTEST_CASES=1000 cargo test -p eventsub-proto --test catch_up_property`
//! for a longer run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use eventsub_proto::Event;
use eventsub_proto::catchup::{CatchUpConfig, CatchUpResult, RecoveredEvent};
use proptest::prelude::*;

use common::{
    Harness, ban, chat, config, follow, poll_end, redemption, stream_offline, stream_online,
};
use common::{
    charity_progress, charity_start, goal_begin, goal_progress, prediction_begin, prediction_end,
    prediction_lock,
};

#[derive(Clone, Debug)]
enum Act {
    Follow,
    Ban,
    Redeem(usize),
    Poll,
    Stream,
    Chat,
    /// Begins a prediction, locks the one open, or resolves the one locked.
    Prediction,
    /// Begins a goal, or moves the amount of goal `n` (of those in progress).
    Goal(usize),
    /// Starts the campaign, or raises its amount.
    Charity,
}

#[derive(Clone, Debug)]
enum Step {
    Act(Act),
    Wait(u64),
    /// The network drops for a while; these happen meanwhile.
    Drop {
        secs: u64,
        during: Vec<Act>,
    },
    /// Two drops in a row, the second while the first one's catch-up still waits for Helix.
    DoubleDrop {
        first: Vec<Act>,
        second: Vec<Act>,
    },
    /// A drop, then Helix slow: after `reads_first` reads of the catch-up were answered, each
    /// of `after` happens live while a read is in flight, and that read's answer (served when
    /// it was asked) arrives after it.
    SlowHelix {
        during: Vec<Act>,
        reads_first: usize,
        after: Vec<Act>,
    },
    Handover,
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        3 => Just(Act::Follow),
        2 => Just(Act::Ban),
        2 => (0usize..3).prop_map(Act::Redeem),
        1 => Just(Act::Poll),
        1 => Just(Act::Stream),
        1 => Just(Act::Chat),
        2 => Just(Act::Prediction),
        2 => (0usize..4).prop_map(Act::Goal),
        1 => Just(Act::Charity),
    ]
}

/// What may happen live while a catch-up read is in flight. Goal and charity notifications are
/// left out: one delivered during a gap's catch-up leaves that gap without a baseline for their
/// read (said `NoBaseline` in its report), which the app's state cannot then match.
fn live_during_a_read() -> impl Strategy<Value = Act> {
    prop_oneof![
        2 => Just(Act::Follow),
        1 => Just(Act::Ban),
        1 => (0usize..3).prop_map(Act::Redeem),
        1 => Just(Act::Poll),
        1 => Just(Act::Prediction),
        3 => Just(Act::Stream),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => act().prop_map(Step::Act),
        2 => (0u64..20).prop_map(Step::Wait),
        3 => (1u64..40, prop::collection::vec(act(), 0..8))
            .prop_map(|(secs, during)| Step::Drop { secs, during }),
        1 => (prop::collection::vec(act(), 0..4), prop::collection::vec(act(), 0..4))
            .prop_map(|(first, second)| Step::DoubleDrop { first, second }),
        2 => (
            prop::collection::vec(act(), 0..4),
            0usize..16,
            prop::collection::vec(live_during_a_read(), 1..4),
        )
            .prop_map(|(during, reads_first, after)| Step::SlowHelix { during, reads_first, after }),
        1 => Just(Step::Handover),
    ]
}

/// The fake channel's own counters, for unique ids.
#[derive(Default)]
struct Ids {
    next: usize,
    poll_open: Option<String>,
    /// The prediction open, and whether it is locked.
    prediction: Option<(String, bool)>,
    stream: bool,
}

/// The most goals in progress at once.
const MAX_GOALS: usize = 3;

const STATUSES: [&str; 3] = ["UNFULFILLED", "FULFILLED", "CANCELED"];

fn perform(harness: &mut Harness, ids: &mut Ids, act: &Act) {
    ids.next += 1;
    let n = ids.next;
    match act {
        Act::Follow => {
            harness.act_follow(&format!("f{n}"));
        }
        Act::Ban => {
            harness.act_ban(&format!("b{n}"));
        }
        Act::Redeem(status) => {
            harness.act_redeem(&format!("r{n}"), STATUSES[*status]);
        }
        // One poll at a time, as on Twitch: begin one, or end the one running.
        Act::Poll => match ids.poll_open.take() {
            Some(poll) => {
                harness.act_poll_end(&poll);
            }
            None => {
                let poll = format!("p{n}");
                harness.act_poll_begin(&poll);
                ids.poll_open = Some(poll);
            }
        },
        Act::Stream => {
            if ids.stream {
                harness.act_stream_offline();
            } else {
                harness.act_stream_online(&format!("s{n}"));
            }
            ids.stream = !ids.stream;
        }
        Act::Chat => {
            harness.act_chat(&format!("c{n}"));
        }
        Act::Prediction => match ids.prediction.take() {
            None => {
                let prediction = format!("pr{n}");
                harness.act_prediction_begin(&prediction);
                ids.prediction = Some((prediction, false));
            }
            Some((prediction, false)) => {
                harness.act_prediction_lock(&prediction);
                ids.prediction = Some((prediction, true));
            }
            Some((prediction, true)) => {
                harness.act_prediction_end(&prediction);
            }
        },
        Act::Goal(which) => {
            let goals = &harness.world.goals;
            if goals.len() < MAX_GOALS && *which >= goals.len() {
                harness.act_goal_begin(&format!("g{n}"));
            } else if let Some((id, amount, _)) = goals.get(which % goals.len().max(1)).cloned() {
                harness.act_goal_progress(&id, amount + 10);
            }
        }
        Act::Charity => match harness.world.charity.clone() {
            None => {
                harness.act_charity_start(&format!("ch{n}"));
            }
            Some((_, raised)) => {
                harness.act_charity_progress(raised + 100);
            }
        },
    }
    // Twitch's timestamps move on between two happenings.
    harness.advance(Duration::from_millis(300));
}

fn run(steps: &[Step], catch_up: CatchUpConfig) -> Harness {
    let subscriptions = vec![
        follow(),
        ban(),
        redemption(),
        poll_end(),
        stream_offline(),
        stream_online(),
        chat(),
        prediction_begin(),
        prediction_lock(),
        prediction_end(),
        goal_begin(),
        goal_progress(),
        charity_start(),
        charity_progress(),
    ];
    let mut harness = Harness::new(config(subscriptions, catch_up));
    harness.establish();
    let mut ids = Ids::default();
    for step in steps {
        match step {
            Step::Act(act) => perform(&mut harness, &mut ids, act),
            Step::Wait(secs) => harness.advance(Duration::from_secs(*secs)),
            Step::Drop { secs, during } => {
                harness.drop_connection();
                for act in during {
                    perform(&mut harness, &mut ids, act);
                }
                harness.advance(Duration::from_secs(*secs));
                harness.come_back();
            }
            Step::DoubleDrop { first, second } => {
                harness.auto_reads = false;
                for during in [first, second] {
                    harness.drop_connection();
                    for act in during {
                        perform(&mut harness, &mut ids, act);
                    }
                    harness.advance(Duration::from_secs(3));
                    harness.come_back();
                }
                harness.auto_reads = true;
                harness.settle();
            }
            Step::SlowHelix {
                during,
                reads_first,
                after,
            } => {
                harness.auto_reads = false;
                harness.serve_when_asked = true;
                harness.drop_connection();
                for act in during {
                    perform(&mut harness, &mut ids, act);
                }
                harness.advance(Duration::from_secs(3));
                harness.come_back();
                for _ in 0..*reads_first {
                    harness.answer_oldest();
                }
                for act in after {
                    perform(&mut harness, &mut ids, act);
                    harness.answer_oldest();
                }
                harness.auto_reads = true;
                harness.settle();
                harness.serve_when_asked = false;
            }
            Step::Handover => harness.handover(),
        }
    }
    harness.settle();
    harness
}

/// Each key with how many times it was seen.
fn counted(keys: impl Iterator<Item = String>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for key in keys {
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

/// What the client handed out for the listed types: (type, key) per delivered notification and
/// per recovered event.
fn seen(harness: &Harness) -> BTreeMap<String, usize> {
    let delivered = harness.delivered().into_iter().filter_map(|(kind, event)| {
        let field = match kind.as_str() {
            "channel.follow" | "channel.ban" => "user_id",
            "channel.channel_points_custom_reward_redemption.add"
            | "channel.poll.end"
            | "channel.prediction.begin"
            | "channel.prediction.lock"
            | "channel.prediction.end"
            | "channel.goal.begin"
            | "channel.charity_campaign.start" => "id",
            _ => return None,
        };
        Some(format!("{kind}/{}", event[field].as_str().unwrap()))
    });
    let recovered = harness.recovered().into_iter().filter_map(|recovered| {
        Some(match &recovered.event {
            RecoveredEvent::Follow { follower } => format!("channel.follow/{}", follower.user_id),
            RecoveredEvent::Ban { ban } => format!("channel.ban/{}", ban.user_id),
            RecoveredEvent::Redemption { redemption } => format!(
                "channel.channel_points_custom_reward_redemption.add/{}",
                redemption.id
            ),
            RecoveredEvent::PollEnd { poll } => format!("channel.poll.end/{}", poll.id),
            RecoveredEvent::PredictionBegin { prediction } => {
                format!("channel.prediction.begin/{}", prediction.id)
            }
            RecoveredEvent::PredictionLock { prediction } => {
                format!("channel.prediction.lock/{}", prediction.id)
            }
            RecoveredEvent::PredictionEnd { prediction } => {
                format!("channel.prediction.end/{}", prediction.id)
            }
            // A goal begins, a campaign starts, once: a state read must not tell it again.
            RecoveredEvent::GoalBegin { goal } => format!("channel.goal.begin/{}", goal.id),
            RecoveredEvent::CharityStart { campaign } => {
                format!("channel.charity_campaign.start/{}", campaign.id)
            }
            _ => return None,
        })
    });
    counted(delivered.chain(recovered))
}

/// Everything the fake channel did, for the listed types.
fn happened(harness: &Harness) -> BTreeMap<String, usize> {
    let world = &harness.world;
    let follows = world
        .followers
        .iter()
        .map(|(user, _)| format!("channel.follow/{user}"));
    let bans = world
        .bans
        .iter()
        .map(|(user, _)| format!("channel.ban/{user}"));
    let redemptions = world
        .redemptions
        .iter()
        .map(|(id, _, _)| format!("channel.channel_points_custom_reward_redemption.add/{id}"));
    let polls = world
        .polls
        .iter()
        .filter(|poll| poll.ended_at.is_some())
        .map(|poll| format!("channel.poll.end/{}", poll.id));
    let predictions = world.predictions.iter().flat_map(|prediction| {
        let phases = [
            ("begin", true),
            ("lock", prediction.locked_at.is_some()),
            ("end", prediction.ended_at.is_some()),
        ];
        phases
            .into_iter()
            .filter(|(_, done)| *done)
            .map(|(phase, _)| format!("channel.prediction.{phase}/{}", prediction.id))
    });
    let goals = world
        .goals
        .iter()
        .map(|(id, _, _)| format!("channel.goal.begin/{id}"));
    let campaigns = world
        .charity
        .iter()
        .map(|(id, _)| format!("channel.charity_campaign.start/{id}"));
    counted(
        follows
            .chain(bans)
            .chain(redemptions)
            .chain(polls)
            .chain(predictions)
            .chain(goals)
            .chain(campaigns),
    )
}

/// The goals in progress and the charity campaign (id → amount), as the app can tell from what
/// it was handed.
fn app_sees_goals_and_charity(harness: &Harness) -> (BTreeMap<String, i64>, Option<(String, i64)>) {
    let mut goals = BTreeMap::new();
    let mut charity = None;
    for event in &harness.events {
        match event {
            Event::Notification(notification) => {
                let event: serde_json::Value =
                    serde_json::from_str(notification.event_json()).unwrap();
                let id = event["id"].as_str().unwrap_or_default().to_owned();
                match notification.subscription_type() {
                    "channel.goal.begin" | "channel.goal.progress" => {
                        goals.insert(id, event["current_amount"].as_i64().unwrap());
                    }
                    "channel.charity_campaign.start" | "channel.charity_campaign.progress" => {
                        charity = Some((id, event["current_amount"]["value"].as_i64().unwrap()));
                    }
                    _ => {}
                }
            }
            Event::Recovered(recovered) => match &recovered.event {
                RecoveredEvent::GoalBegin { goal: after }
                | RecoveredEvent::GoalProgress { after, .. } => {
                    goals.insert(after.id.clone(), after.current_amount);
                }
                RecoveredEvent::CharityStart { campaign: after }
                | RecoveredEvent::CharityProgress { after, .. } => {
                    charity = Some((after.id.clone(), after.current_amount.value));
                }
                _ => {}
            },
            _ => {}
        }
    }
    (goals, charity)
}

fn world_goals_and_charity(harness: &Harness) -> (BTreeMap<String, i64>, Option<(String, i64)>) {
    let goals = harness
        .world
        .goals
        .iter()
        .map(|(id, amount, _)| (id.clone(), *amount))
        .collect();
    (goals, harness.world.charity.clone())
}

/// Whether the stream is live, as the app can tell from what it was handed. No recovered change
/// tells what the app knew: no offline while it knows the stream offline, no online of the
/// stream it knows live (a state answer older than a delivered notification would).
fn app_sees_live(harness: &Harness) -> bool {
    let mut live: Option<String> = None;
    for event in &harness.events {
        let (online, told) = match event {
            Event::Notification(notification) => {
                let event: serde_json::Value =
                    serde_json::from_str(notification.event_json()).unwrap();
                match notification.subscription_type() {
                    "stream.online" => {
                        (Some(event["id"].as_str().unwrap().to_owned()), "delivered")
                    }
                    "stream.offline" => (None, "delivered"),
                    _ => continue,
                }
            }
            Event::Recovered(recovered) => match &recovered.event {
                RecoveredEvent::StreamOnline { stream } => (Some(stream.id.clone()), "recovered"),
                RecoveredEvent::StreamOffline { .. } => (None, "recovered"),
                _ => continue,
            },
            _ => continue,
        };
        // A delivered change is the truth even when it repeats what the app knew (what came
        // between was in a gap and overtaken by it); a recovered one must be news.
        assert!(
            told == "delivered" || live != online,
            "{told} {online:?} while the app knew {live:?}"
        );
        live = online;
    }
    live.is_some()
}

/// Every `Resumed` is followed by its own `CatchUp`, in order, and each report names every
/// subscription live in its gap once.
fn check_reports(harness: &Harness) {
    let mut open = 0usize;
    let mut reports = 0usize;
    for event in &harness.events {
        match event {
            Event::Resumed { .. } => open += 1,
            Event::CatchUp(report) => {
                reports += 1;
                assert!(reports <= open, "a report without its Resumed");
                let mut kinds: Vec<&str> = report
                    .subscriptions
                    .iter()
                    .map(|outcome| outcome.subscription.kind.as_str())
                    .collect();
                let total = kinds.len();
                kinds.dedup();
                assert_eq!(kinds.len(), total, "one outcome per subscription");
            }
            _ => {}
        }
    }
    assert_eq!(reports, open, "one CatchUp per Resumed");
}

/// The reads while a gap waits for its report are that gap's (catch-ups run one at a time, and
/// baselines are read only while none waits): at most the budget.
fn check_budget(harness: &Harness, max_reads: u32) {
    let mut reads_for_oldest_gap = 0u32;
    let mut waiting = 0usize;
    for mark in &harness.timeline {
        match mark {
            common::Mark::Read if waiting > 0 => reads_for_oldest_gap += 1,
            common::Mark::Read => {}
            common::Mark::Resumed => waiting += 1,
            common::Mark::Report => {
                assert!(
                    reads_for_oldest_gap <= max_reads,
                    "{reads_for_oldest_gap} reads for one gap"
                );
                reads_for_oldest_gap = 0;
                waiting = waiting.saturating_sub(1);
            }
        }
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn recovered_and_delivered_are_everything_that_happened_once(
        steps in prop::collection::vec(step(), 1..24)
    ) {
        let harness = run(&steps, CatchUpConfig::default());
        prop_assert!(!harness.client.is_stopped());
        let seen = seen(&harness);
        let duplicates: Vec<_> = seen.iter().filter(|(_, count)| **count > 1).collect();
        prop_assert!(duplicates.is_empty(), "duplicates: {:?}", duplicates);
        prop_assert_eq!(seen, happened(&harness));
        prop_assert_eq!(app_sees_live(&harness), harness.world.stream.is_some());
        prop_assert_eq!(app_sees_goals_and_charity(&harness), world_goals_and_charity(&harness));
        check_reports(&harness);
        check_budget(&harness, CatchUpConfig::default().max_reads_per_gap);
    }

    #[test]
    fn with_small_budgets_nothing_is_doubled_and_what_is_missing_is_said(
        steps in prop::collection::vec(step(), 1..24),
        max_reads in 1u32..6,
        max_pages in 1u32..3,
    ) {
        let mut catch_up = CatchUpConfig::default();
        catch_up.max_reads_per_gap = max_reads;
        catch_up.max_pages_per_read = max_pages;
        let harness = run(&steps, catch_up);
        let seen = seen(&harness);
        let happened = happened(&harness);
        for (key, count) in &seen {
            prop_assert_eq!(*count, 1, "{} twice", key);
            prop_assert!(happened.contains_key(key), "{} never happened", key);
        }
        // Whatever is missing belongs to a gap whose report said it may be.
        let all_whole = harness.reports().iter().all(|report| {
            report.subscriptions.iter().all(|outcome| match &outcome.result {
                CatchUpResult::Recovered { complete, .. } => *complete,
                CatchUpResult::Unrecoverable { .. } => outcome.subscription.kind == "channel.chat.message",
                _ => false,
            })
        });
        if all_whole {
            prop_assert_eq!(&seen, &happened);
        }
        check_reports(&harness);
        check_budget(&harness, max_reads);
    }
}
