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

/// The items of one page of the read for `family` about `broadcaster`, and the next cursor.
pub(crate) fn decode(
    family: Family,
    broadcaster: &str,
    body: &str,
) -> Result<(Vec<Item>, Option<String>), ReadError> {
    let key = |id: &str, at: SystemTime| ItemKey {
        family,
        broadcaster: broadcaster.to_owned(),
        id: id.to_owned(),
        at,
    };
    let items = match family {
        Family::Follow => {
            let (followers, cursor) = page::decode::<ChannelFollower>(body)?;
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
