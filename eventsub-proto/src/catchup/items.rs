//! Events reads: the items of a page, each with its identity key, the time that puts it in (or
//! out of) a gap's window, and the recovered event it stands for.

use std::time::SystemTime;

use crate::events::Timestamp;

use super::helix::{BannedUser, ChannelFollower, CustomRewardRedemption, Poll, Prediction};
use super::keys::{Family, ItemKey};
use super::page;
use super::recovered::RecoveredEvent;
use super::report::ReadError;

/// One item of an events read.
#[derive(Debug)]
pub(crate) struct Item {
    /// Its key and the time of the event the subscription stands for; `None` when that event
    /// has not happened (a poll that has not ended, for `channel.poll.end`).
    pub(crate) key: Option<ItemKey>,
    /// The latest time the item names: a page whose oldest item is older than the window has
    /// nothing older inside it (Helix lists newest first, one poll or prediction at a time).
    pub(crate) latest: SystemTime,
    pub(crate) event: RecoveredEvent,
}

fn at(timestamp: &Timestamp) -> SystemTime {
    (*timestamp).into()
}

/// One page of an events read.
pub(crate) struct ItemsPage {
    pub(crate) items: Vec<Item>,
    pub(crate) cursor: Option<String>,
    /// Get Channel Followers without its scope (or for another broadcaster's token) answers 200
    /// with only `total`: followers there are, but none is listed. That is not "no follows".
    pub(crate) hidden: bool,
}

/// The items of one page of the read for `family` about `broadcaster`, and the next cursor.
pub(crate) fn decode(
    family: Family,
    broadcaster: &str,
    body: &str,
) -> Result<ItemsPage, ReadError> {
    let mut hidden = false;
    let (items, cursor) = decode_items(family, broadcaster, body, &mut hidden)?;
    Ok(ItemsPage {
        items,
        cursor,
        hidden,
    })
}

fn decode_items(
    family: Family,
    broadcaster: &str,
    body: &str,
    hidden: &mut bool,
) -> Result<(Vec<Item>, Option<String>), ReadError> {
    let key = |id: &str, at: SystemTime| ItemKey {
        family,
        broadcaster: broadcaster.to_owned(),
        id: id.to_owned(),
        at,
    };
    let items = match family {
        Family::Follow => {
            let page = page::decode_page::<ChannelFollower>(body)?;
            *hidden = page.items.is_empty() && page.total.is_some_and(|total| total > 0);
            let (followers, cursor) = (page.items, page.cursor);
            let items = followers.into_iter().map(|follower| {
                let when = at(&follower.followed_at);
                Item {
                    key: Some(key(&follower.user_id, when)),
                    latest: when,
                    event: RecoveredEvent::Follow { follower },
                }
            });
            (items.collect(), cursor)
        }
        Family::Ban => {
            let (bans, cursor) = page::decode::<BannedUser>(body)?;
            let items = bans.into_iter().map(|ban| {
                let when = at(&ban.created_at);
                Item {
                    key: Some(key(&ban.user_id, when)),
                    latest: when,
                    event: RecoveredEvent::Ban { ban },
                }
            });
            (items.collect(), cursor)
        }
        Family::Redemption => {
            let (redemptions, cursor) = page::decode::<CustomRewardRedemption>(body)?;
            let items = redemptions.into_iter().map(|redemption| {
                let when = at(&redemption.redeemed_at);
                Item {
                    key: Some(key(&redemption.id, when)),
                    latest: when,
                    event: RecoveredEvent::Redemption { redemption },
                }
            });
            (items.collect(), cursor)
        }
        Family::PollBegin | Family::PollEnd => {
            let (polls, cursor) = page::decode::<Poll>(body)?;
            let items = polls.into_iter().map(|poll| {
                let started = at(&poll.started_at);
                let ended = poll.ended_at.as_ref().map(at);
                let latest = ended.unwrap_or(started).max(started);
                let id = poll.id.clone();
                let (when, event) = if family == Family::PollBegin {
                    (Some(started), RecoveredEvent::PollBegin { poll })
                } else {
                    (ended, RecoveredEvent::PollEnd { poll })
                };
                Item {
                    key: when.map(|when| key(&id, when)),
                    latest,
                    event,
                }
            });
            (items.collect(), cursor)
        }
        Family::PredictionBegin | Family::PredictionLock | Family::PredictionEnd => {
            let (predictions, cursor) = page::decode::<Prediction>(body)?;
            let items = predictions.into_iter().map(|prediction| {
                let created = at(&prediction.created_at);
                let locked = prediction.locked_at.as_ref().map(at);
                let ended = prediction.ended_at.as_ref().map(at);
                let latest = [Some(created), locked, ended]
                    .into_iter()
                    .flatten()
                    .max()
                    .unwrap_or(created);
                let id = prediction.id.clone();
                let (when, event) = match family {
                    Family::PredictionBegin => (
                        Some(created),
                        RecoveredEvent::PredictionBegin { prediction },
                    ),
                    Family::PredictionLock => {
                        (locked, RecoveredEvent::PredictionLock { prediction })
                    }
                    _ => (ended, RecoveredEvent::PredictionEnd { prediction }),
                };
                Item {
                    key: when.map(|when| key(&id, when)),
                    latest,
                    event,
                }
            });
            (items.collect(), cursor)
        }
    };
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PREDICTION: &str = r#"{"data":[{"id":"pr1","broadcaster_id":"1","broadcaster_login":"c",
        "broadcaster_name":"C","title":"?","winning_outcome_id":"o1","outcomes":[],
        "prediction_window":60,"status":"RESOLVED","created_at":"2023-01-01T00:00:00Z",
        "locked_at":"2023-01-01T00:01:00Z","ended_at":"2023-01-01T00:02:00Z"}],"pagination":{}}"#;

    fn phase(family: Family) -> (Option<SystemTime>, SystemTime, &'static str) {
        let page = decode(family, "1", PREDICTION).expect("a prediction"); // ok: a test's failure report
        let item = page.items.into_iter().next().expect("one item"); // ok: a test's failure report
        let variant = match item.event {
            RecoveredEvent::PredictionBegin { .. } => "begin",
            RecoveredEvent::PredictionLock { .. } => "lock",
            RecoveredEvent::PredictionEnd { .. } => "end",
            _ => "other",
        };
        (item.key.map(|key| key.at), item.latest, variant)
    }

    #[test]
    fn each_prediction_phase_is_timed_by_its_own_field() {
        let at = |text| crate::catchup::keys::parse_time(text);
        let end = at("2023-01-01T00:02:00Z").expect("valid"); // ok: a test's failure report
        assert_eq!(
            phase(Family::PredictionBegin),
            (at("2023-01-01T00:00:00Z"), end, "begin")
        );
        assert_eq!(
            phase(Family::PredictionLock),
            (at("2023-01-01T00:01:00Z"), end, "lock")
        );
        assert_eq!(phase(Family::PredictionEnd), (Some(end), end, "end"));
    }

    #[test]
    fn a_poll_still_running_has_no_end_to_recover() {
        let body = r#"{"data":[{"id":"p1","broadcaster_id":"1","broadcaster_login":"c",
            "broadcaster_name":"C","title":"?","choices":[],"status":"ACTIVE","duration":60,
            "started_at":"2023-01-01T00:00:00Z","ended_at":null}]}"#;
        let page = decode(Family::PollEnd, "1", body).expect("a poll"); // ok: a test's failure report
        assert!(page.items.iter().all(|item| item.key.is_none()));
    }
}
