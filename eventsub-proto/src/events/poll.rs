//! `channel.poll.*`: polls begin, progress and end.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::common::{Timestamp, UserId, UserLogin, rfc3339, string_enum};

/// A way of voting with a currency, and what one extra vote costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Voting {
    /// Whether extra votes can be bought this way.
    pub is_enabled: bool,
    /// What one vote costs.
    pub amount_per_vote: u64,
}

/// A choice of a poll that has not had votes yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PollChoice<'a> {
    /// The choice id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The choice's title.
    #[serde(borrow)]
    pub title: Cow<'a, str>,
}

/// A choice of a poll with its votes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PollChoiceVotes<'a> {
    /// The choice id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The choice's title.
    #[serde(borrow)]
    pub title: Cow<'a, str>,
    /// Votes bought with bits (Twitch no longer offers bits voting: always 0).
    #[serde(default)]
    pub bits_votes: u64,
    /// Votes bought with channel points.
    pub channel_points_votes: u64,
    /// All votes, including those bought.
    pub votes: u64,
}

/// `channel.poll.begin`: a poll began.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PollBegin<'a> {
    /// The poll id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The question.
    #[serde(borrow)]
    pub title: Cow<'a, str>,
    /// The choices.
    #[serde(borrow)]
    pub choices: Vec<PollChoice<'a>>,
    /// Voting with bits (no longer offered by Twitch).
    pub bits_voting: Voting,
    /// Voting with channel points.
    pub channel_points_voting: Voting,
    /// When the poll began.
    #[serde(with = "rfc3339")]
    pub started_at: Timestamp,
    /// When the poll ends.
    #[serde(with = "rfc3339")]
    pub ends_at: Timestamp,
}

/// `channel.poll.progress`: users voted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PollProgress<'a> {
    /// The poll id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The question.
    #[serde(borrow)]
    pub title: Cow<'a, str>,
    /// The choices with their votes so far.
    #[serde(borrow)]
    pub choices: Vec<PollChoiceVotes<'a>>,
    /// Voting with bits (no longer offered by Twitch).
    pub bits_voting: Voting,
    /// Voting with channel points.
    pub channel_points_voting: Voting,
    /// When the poll began.
    #[serde(with = "rfc3339")]
    pub started_at: Timestamp,
    /// When the poll ends.
    #[serde(with = "rfc3339")]
    pub ends_at: Timestamp,
}

string_enum! {
    /// How a poll ended.
    PollStatus {
        /// It ran its course.
        Completed => "completed",
        /// It ended and is hidden.
        Archived => "archived",
        /// It was ended early.
        Terminated => "terminated",
    }
}

/// `channel.poll.end`: a poll ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PollEnd<'a> {
    /// The poll id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The question.
    #[serde(borrow)]
    pub title: Cow<'a, str>,
    /// The choices with their final votes.
    #[serde(borrow)]
    pub choices: Vec<PollChoiceVotes<'a>>,
    /// Voting with bits (no longer offered by Twitch).
    pub bits_voting: Voting,
    /// Voting with channel points.
    pub channel_points_voting: Voting,
    /// How it ended.
    pub status: PollStatus,
    /// When the poll began.
    #[serde(with = "rfc3339")]
    pub started_at: Timestamp,
    /// When the poll ended.
    #[serde(with = "rfc3339")]
    pub ended_at: Timestamp,
}
