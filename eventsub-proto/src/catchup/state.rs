//! State reads: how a channel stands (live or not, its information, its goals, its charity
//! campaign), and the recovered events a change across a gap stands for.

use serde::Deserialize;

use super::helix::{ChannelInformation, CharityCampaign, CreatorGoal, Stream};
use super::page;
use super::read::HelixRead;
use super::recovered::RecoveredEvent;
use super::report::ReadError;

/// The most goals kept per channel (Twitch lets a channel run a handful at once).
const MAX_GOALS: usize = 20;

/// Whether a channel is live, as far as is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Live {
    Offline,
    /// Live with stream `id`; `stream` is what Get Streams said, when it was read (a
    /// `stream.online` notification gives only the id).
    Live {
        id: String,
        stream: Option<Box<Stream>>,
    },
}

/// How a channel stood, for one state read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Snapshot {
    Stream(Live),
    Channel(Option<ChannelInformation>),
    Goals(Vec<CreatorGoal>),
    Charity(Option<CharityCampaign>),
}

/// The snapshot a state read's body gives.
pub(crate) fn decode(
    read: HelixRead,
    broadcaster: &str,
    body: &str,
) -> Result<Snapshot, ReadError> {
    Ok(match read {
        HelixRead::Streams => {
            let (streams, _) = page::decode::<Stream>(body)?;
            let live = streams
                .into_iter()
                .find(|stream| stream.user_id == broadcaster);
            Snapshot::Stream(live.map_or(Live::Offline, |stream| Live::Live {
                id: stream.id.clone(),
                stream: Some(Box::new(stream)),
            }))
        }
        HelixRead::ChannelInformation => {
            let (channels, _) = page::decode::<ChannelInformation>(body)?;
            Snapshot::Channel(
                channels
                    .into_iter()
                    .find(|channel| channel.broadcaster_id == broadcaster),
            )
        }
        HelixRead::CreatorGoals => {
            let (mut goals, _) = page::decode::<CreatorGoal>(body)?;
            goals.truncate(MAX_GOALS);
            Snapshot::Goals(goals)
        }
        HelixRead::CharityCampaign => {
            let (campaigns, _) = page::decode::<CharityCampaign>(body)?;
            Snapshot::Charity(campaigns.into_iter().next())
        }
        other => {
            return Err(ReadError::Malformed {
                message: format!("{} is not a state read", other.name()),
            });
        }
    })
}

/// The recovered events of a subscription of type `kind` about `broadcaster` that the change
/// from `before` to `after` stands for: real differences only.
pub(crate) fn changes(
    kind: &str,
    broadcaster: &str,
    before: &Snapshot,
    after: &Snapshot,
) -> Vec<RecoveredEvent> {
    match (before, after) {
        (Snapshot::Stream(before), Snapshot::Stream(after)) => {
            stream_changes(kind, broadcaster, before, after)
        }
        (Snapshot::Channel(Some(before)), Snapshot::Channel(Some(after))) => {
            let changed = before.title != after.title
                || before.broadcaster_language != after.broadcaster_language
                || before.game_id != after.game_id
                || before.content_classification_labels != after.content_classification_labels;
            if kind == "channel.update" && changed {
                vec![RecoveredEvent::ChannelUpdate {
                    before: before.clone(),
                    after: after.clone(),
                }]
            } else {
                Vec::new()
            }
        }
        // Gone from the goals in progress: ended (achieved or not, Helix does not say).
        (Snapshot::Goals(before), Snapshot::Goals(after)) if kind == "channel.goal.end" => before
            .iter()
            .filter(|earlier| !after.iter().any(|goal| goal.id == earlier.id))
            .map(|earlier| RecoveredEvent::GoalEnd {
                before: earlier.clone(),
            })
            .collect(),
        (Snapshot::Goals(before), Snapshot::Goals(after)) => after
            .iter()
            .filter_map(|goal| {
                let earlier = before.iter().find(|earlier| earlier.id == goal.id);
                match (kind, earlier) {
                    ("channel.goal.begin", None) => {
                        Some(RecoveredEvent::GoalBegin { goal: goal.clone() })
                    }
                    ("channel.goal.progress", Some(earlier))
                        if earlier.current_amount != goal.current_amount =>
                    {
                        Some(RecoveredEvent::GoalProgress {
                            before: earlier.clone(),
                            after: goal.clone(),
                        })
                    }
                    _ => None,
                }
            })
            .collect(),
        // The campaign before is not the one now (none, or another): it stopped in the gap.
        (Snapshot::Charity(Some(before)), Snapshot::Charity(after))
            if kind == "channel.charity_campaign.stop"
                && after.as_ref().is_none_or(|after| after.id != before.id) =>
        {
            vec![RecoveredEvent::CharityStop {
                before: before.clone(),
            }]
        }
        (Snapshot::Charity(before), Snapshot::Charity(Some(after))) => {
            let same = before.as_ref().filter(|before| before.id == after.id);
            match (kind, same) {
                ("channel.charity_campaign.start", None) => vec![RecoveredEvent::CharityStart {
                    campaign: after.clone(),
                }],
                ("channel.charity_campaign.progress", Some(before))
                    if before.current_amount != after.current_amount
                        || before.target_amount != after.target_amount =>
                {
                    vec![RecoveredEvent::CharityProgress {
                        before: before.clone(),
                        after: after.clone(),
                    }]
                }
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

fn stream_changes(
    kind: &str,
    broadcaster: &str,
    before: &Live,
    after: &Live,
) -> Vec<RecoveredEvent> {
    let (went_offline, came_online) = match (before, after) {
        (Live::Offline, Live::Offline) => (false, false),
        (Live::Offline, Live::Live { .. }) => (false, true),
        (Live::Live { .. }, Live::Offline) => (true, false),
        // Another stream now: the one before ended and a new one began, both in the gap.
        (Live::Live { id: was, .. }, Live::Live { id: now, .. }) => (was != now, was != now),
    };
    match (kind, after) {
        ("stream.offline", _) if went_offline => {
            let before = match before {
                Live::Live { stream, .. } => stream.as_deref().cloned(),
                Live::Offline => None,
            };
            vec![RecoveredEvent::StreamOffline {
                broadcaster_user_id: broadcaster.to_owned(),
                before,
            }]
        }
        (
            "stream.online",
            Live::Live {
                stream: Some(stream),
                ..
            },
        ) if came_online => {
            vec![RecoveredEvent::StreamOnline {
                stream: Stream::clone(stream),
            }]
        }
        _ => Vec::new(),
    }
}

/// The fields of a `channel.update` event that Get Channel Information also has.
#[derive(Deserialize)]
struct ChannelUpdate {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    category_id: Option<String>,
    #[serde(default)]
    category_name: Option<String>,
    #[serde(default)]
    content_classification_labels: Option<Vec<String>>,
}

/// `snapshot` after a delivered state notification of type `kind` (its `event` JSON): how the
/// channel stands now, as far as the notification tells. `None` when it cannot tell (the
/// snapshot is then no longer known).
pub(crate) fn after_notification(
    kind: &str,
    event: &str,
    snapshot: Option<&Snapshot>,
) -> Option<Snapshot> {
    #[derive(Deserialize)]
    struct Online {
        id: String,
    }
    match kind {
        "stream.offline" => Some(Snapshot::Stream(Live::Offline)),
        "stream.online" => {
            let online: Online = serde_json::from_str(event).ok()?;
            let stream = match snapshot {
                Some(Snapshot::Stream(Live::Live { id, stream })) if *id == online.id => {
                    stream.clone()
                }
                _ => None,
            };
            Some(Snapshot::Stream(Live::Live {
                id: online.id,
                stream,
            }))
        }
        "channel.update" => {
            let Some(Snapshot::Channel(Some(channel))) = snapshot else {
                return None;
            };
            let update: ChannelUpdate = serde_json::from_str(event).ok()?;
            let mut channel = channel.clone();
            let empty_is_none = |text: String| (!text.is_empty()).then_some(text);
            channel.title = update.title.unwrap_or(channel.title);
            channel.broadcaster_language = update.language.unwrap_or(channel.broadcaster_language);
            channel.game_id = update.category_id.and_then(empty_is_none);
            channel.game_name = update.category_name.and_then(empty_is_none);
            if let Some(labels) = update.content_classification_labels {
                channel.content_classification_labels = labels;
            }
            Some(Snapshot::Channel(Some(channel)))
        }
        // Goals and charity: the events' shapes are not Helix's; read again instead.
        _ => None,
    }
}

/// The state read whose snapshot a notification of type `kind` changes.
pub(crate) fn read_changed_by(kind: &str) -> Option<HelixRead> {
    Some(match kind {
        "stream.online" | "stream.offline" => HelixRead::Streams,
        "channel.update" => HelixRead::ChannelInformation,
        "channel.goal.begin" | "channel.goal.progress" | "channel.goal.end" => {
            HelixRead::CreatorGoals
        }
        "channel.charity_campaign.start"
        | "channel.charity_campaign.progress"
        | "channel.charity_campaign.donate"
        | "channel.charity_campaign.stop" => HelixRead::CharityCampaign,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHANNEL: &str = r#"{"data":[{"broadcaster_id":"1","broadcaster_login":"c","broadcaster_name":"C",
        "broadcaster_language":"en","game_id":"","game_name":"","title":"TITLE",
        "content_classification_labels":[],"is_branded_content":false}]}"#;

    fn channel(title: &str) -> Snapshot {
        decode(
            HelixRead::ChannelInformation,
            "1",
            &CHANNEL.replace("TITLE", title),
        )
        .expect("a channel") // ok: a test's failure report
    }

    fn goals(amounts: &[(&str, i64)]) -> Snapshot {
        let items: Vec<String> = amounts
            .iter()
            .map(|(id, amount)| {
                format!(
                    r#"{{"id":"{id}","broadcaster_id":"1","broadcaster_login":"c","broadcaster_name":"C",
                    "type":"follower","description":"","current_amount":{amount},"target_amount":100,
                    "created_at":"2023-01-01T00:00:00Z"}}"#
                )
            })
            .collect();
        let body = format!(r#"{{"data":[{}]}}"#, items.join(","));
        decode(HelixRead::CreatorGoals, "1", &body).expect("goals") // ok: a test's failure report
    }

    #[test]
    fn a_changed_title_is_a_channel_update_and_the_same_is_none() {
        let (before, after) = (channel("old"), channel("new"));
        let events = changes("channel.update", "1", &before, &after);
        assert!(
            matches!(events.as_slice(), [RecoveredEvent::ChannelUpdate { before, after }]
            if before.title == "old" && after.title == "new")
        );
        assert!(changes("channel.update", "1", &before, &before).is_empty());
    }

    #[test]
    fn a_channel_update_delivered_moves_the_baseline() {
        let before = channel("old");
        let event = r#"{"broadcaster_user_id":"1","title":"new","language":"en","category_id":"",
            "category_name":"","content_classification_labels":[]}"#;
        let moved = after_notification("channel.update", event, Some(&before));
        assert_eq!(moved, Some(channel("new")));
    }

    #[test]
    fn a_new_goal_is_a_begin_and_a_moved_amount_is_progress() {
        let before = goals(&[("g1", 5)]);
        let after = goals(&[("g1", 9), ("g2", 0)]);
        let begun = changes("channel.goal.begin", "1", &before, &after);
        assert!(
            matches!(begun.as_slice(), [RecoveredEvent::GoalBegin { goal }] if goal.id == "g2")
        );
        let progress = changes("channel.goal.progress", "1", &before, &after);
        assert!(
            matches!(progress.as_slice(), [RecoveredEvent::GoalProgress { before, after }]
            if before.current_amount == 5 && after.current_amount == 9)
        );
        assert!(changes("channel.goal.progress", "1", &after, &after).is_empty());
    }

    #[test]
    fn a_goal_no_longer_in_progress_is_an_end_with_its_last_known_state() {
        let before = goals(&[("g1", 5), ("g2", 7)]);
        let after = goals(&[("g2", 9), ("g3", 0)]);
        let ended = changes("channel.goal.end", "1", &before, &after);
        assert!(
            matches!(ended.as_slice(), [RecoveredEvent::GoalEnd { before }]
            if before.id == "g1" && before.current_amount == 5)
        );
        assert!(changes("channel.goal.end", "1", &after, &after).is_empty());
        // An end is no begin nor progress, and those are no end.
        assert!(
            changes("channel.goal.begin", "1", &before, &after)
                .iter()
                .all(|event| matches!(event, RecoveredEvent::GoalBegin { .. }))
        );
    }

    fn charity(id: Option<&str>, cents: i64) -> Snapshot {
        let data = id.map_or_else(String::new, |id| {
            format!(
                r#"{{"id":"{id}","broadcaster_id":"1","broadcaster_login":"c","broadcaster_name":"C",
                "charity_name":"X","charity_description":"","charity_logo":"","charity_website":"",
                "current_amount":{{"value":{cents},"decimal_places":2,"currency":"USD"}},
                "target_amount":{{"value":100000,"decimal_places":2,"currency":"USD"}}}}"#
            )
        });
        let body = format!(r#"{{"data":[{data}]}}"#);
        decode(HelixRead::CharityCampaign, "1", &body).expect("charity") // ok: a test's failure report
    }

    #[test]
    fn a_campaign_gone_or_replaced_is_a_stop_and_the_same_one_is_not() {
        let stopped = |before: &Snapshot, after: &Snapshot| {
            changes("channel.charity_campaign.stop", "1", before, after)
        };
        let running = charity(Some("c1"), 500);
        let gone = stopped(&running, &charity(None, 0));
        assert!(
            matches!(gone.as_slice(), [RecoveredEvent::CharityStop { before }] if before.id == "c1")
        );
        let replaced = stopped(&running, &charity(Some("c2"), 0));
        assert!(
            matches!(replaced.as_slice(), [RecoveredEvent::CharityStop { before }] if before.id == "c1")
        );
        assert!(stopped(&running, &charity(Some("c1"), 900)).is_empty());
        assert!(stopped(&charity(None, 0), &charity(Some("c1"), 0)).is_empty());
        // A replaced campaign is also a start for a start subscription.
        let started = changes(
            "channel.charity_campaign.start",
            "1",
            &running,
            &charity(Some("c2"), 0),
        );
        assert!(matches!(
            started.as_slice(),
            [RecoveredEvent::CharityStart { .. }]
        ));
    }

    #[test]
    fn the_same_stream_is_no_change_and_another_is_offline_then_online() {
        let live = |id: &str| {
            Snapshot::Stream(Live::Live {
                id: id.to_owned(),
                stream: None,
            })
        };
        assert!(changes("stream.offline", "1", &live("a"), &live("a")).is_empty());
        let offline = changes("stream.offline", "1", &live("a"), &live("b"));
        assert!(matches!(
            offline.as_slice(),
            [RecoveredEvent::StreamOffline { .. }]
        ));
        // Online needs what Get Streams says: a snapshot without it invents nothing.
        assert!(changes("stream.online", "1", &live("a"), &live("b")).is_empty());
    }
}
