//! What makes two sightings of one event the same: the identity key of an event of a type whose
//! events a Helix read can list, whether it came as a notification or in a read.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The kinds of events a read lists one by one: a follow, a ban, a redemption, a poll's or a
/// prediction's phase. Each is told apart within its own kind only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Family {
    Follow,
    Ban,
    Redemption,
    PollBegin,
    PollEnd,
    PredictionBegin,
    PredictionLock,
    PredictionEnd,
}

impl Family {
    /// The family of the events a subscription of type `kind` delivers, when a read lists them.
    pub(crate) fn of(kind: &str) -> Option<Self> {
        Some(match kind {
            "channel.follow" => Self::Follow,
            "channel.ban" => Self::Ban,
            "channel.channel_points_custom_reward_redemption.add" => Self::Redemption,
            "channel.poll.begin" => Self::PollBegin,
            "channel.poll.end" => Self::PollEnd,
            "channel.prediction.begin" => Self::PredictionBegin,
            "channel.prediction.lock" => Self::PredictionLock,
            "channel.prediction.end" => Self::PredictionEnd,
            _ => return None,
        })
    }

    /// Whether the id is the user's (follows, bans: a user may follow or be banned again, so
    /// the time tells the sightings apart) rather than the event's own.
    fn keyed_by_user(self) -> bool {
        matches!(self, Self::Follow | Self::Ban)
    }
}

/// One event of a [`Family`], as far as telling it apart goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ItemKey {
    pub(crate) family: Family,
    pub(crate) broadcaster: String,
    /// The user's id (follows, bans) or the event's own (redemptions, polls, predictions).
    pub(crate) id: String,
    /// When it happened (Twitch's clock).
    pub(crate) at: SystemTime,
}

impl ItemKey {
    /// Whether `self` and `other` are one event: the same id of the same family in the same
    /// channel; for a user's follow or ban, also at the same time give or take `slack` (a user
    /// followed again later is another follow).
    pub(crate) fn same_as(&self, other: &Self, slack: Duration) -> bool {
        self.family == other.family
            && self.id == other.id
            && self.broadcaster == other.broadcaster
            && (!self.family.keyed_by_user() || apart(self.at, other.at) <= slack)
    }

    /// Roughly what it takes in memory: its text and a fixed part.
    pub(crate) fn bytes(&self) -> usize {
        self.broadcaster.len() + self.id.len() + std::mem::size_of::<Self>()
    }
}

fn apart(a: SystemTime, b: SystemTime) -> Duration {
    a.duration_since(b)
        .or_else(|_| b.duration_since(a))
        .unwrap_or(Duration::ZERO)
}

/// An RFC 3339 time on Twitch's clock.
pub(crate) fn parse_time(text: &str) -> Option<SystemTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok().map(Into::into)
}

/// The fields of a notification's event that name it: only these are read.
#[derive(Deserialize)]
struct EventFields<'a> {
    #[serde(borrow, default)]
    broadcaster_user_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    user_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    followed_at: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    banned_at: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    redeemed_at: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    started_at: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    locked_at: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    ended_at: Option<Cow<'a, str>>,
}

/// The key of a delivered event of `family` (its `event` JSON), or `None` when it lacks what
/// names it. `sent_at` (the message's timestamp) stands in for an event time that is missing or
/// does not parse.
pub(crate) fn delivered_key(
    family: Family,
    event: &str,
    sent_at: Option<SystemTime>,
) -> Option<ItemKey> {
    let fields: EventFields<'_> = serde_json::from_str(event).ok()?;
    let (id, at) = match family {
        Family::Follow => (fields.user_id, fields.followed_at),
        Family::Ban => (fields.user_id, fields.banned_at),
        Family::Redemption => (fields.id, fields.redeemed_at),
        Family::PollBegin | Family::PredictionBegin => (fields.id, fields.started_at),
        Family::PollEnd | Family::PredictionEnd => (fields.id, fields.ended_at),
        Family::PredictionLock => (fields.id, fields.locked_at),
    };
    let at = at.as_deref().and_then(parse_time).or(sent_at)?;
    Some(ItemKey {
        family,
        broadcaster: fields.broadcaster_user_id?.into_owned(),
        id: id?.into_owned(),
        at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_follow_is_named_by_its_user_and_time() {
        let event =
            r#"{"user_id":"7","broadcaster_user_id":"1","followed_at":"2023-01-01T00:00:00Z"}"#;
        let key = delivered_key(Family::Follow, event, None);
        let key = key.expect("every field is there"); // ok: a test's failure report
        assert_eq!((key.id.as_str(), key.broadcaster.as_str()), ("7", "1"));
        let later = ItemKey {
            at: key.at + Duration::from_secs(60),
            ..key.clone()
        };
        assert!(key.same_as(&key, Duration::from_secs(1)));
        assert!(
            !key.same_as(&later, Duration::from_secs(1)),
            "a follow again"
        );
    }

    #[test]
    fn an_event_without_its_id_has_no_key() {
        let event = r#"{"broadcaster_user_id":"1","redeemed_at":"2023-01-01T00:00:00Z"}"#;
        assert_eq!(delivered_key(Family::Redemption, event, None), None);
        assert_eq!(delivered_key(Family::Redemption, "not json", None), None);
    }
}
