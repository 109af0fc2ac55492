//! What Get Polls (`GET /polls`) lists: a poll and its choices.

use crate::events::Timestamp;
use serde::Deserialize;

use super::time_serde;

/// One choice of a poll.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct PollChoice {
    /// The choice's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Votes in all.
    #[serde(default)]
    pub votes: u64,
    /// Votes cast with channel points.
    #[serde(default)]
    pub channel_points_votes: u64,
}

/// A poll.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Poll {
    /// The poll's id (the events' `id`).
    pub id: String,
    /// The broadcaster's user id.
    pub broadcaster_id: String,
    /// The broadcaster's login.
    pub broadcaster_login: String,
    /// The broadcaster's display name.
    pub broadcaster_name: String,
    /// The question.
    pub title: String,
    /// The choices and their votes.
    #[serde(default, deserialize_with = "time_serde::list")]
    pub choices: Vec<PollChoice>,
    /// Whether viewers may buy extra votes with channel points.
    #[serde(default)]
    pub channel_points_voting_enabled: bool,
    /// Channel points per extra vote.
    #[serde(default)]
    pub channel_points_per_vote: u64,
    /// `ACTIVE`, `COMPLETED`, `TERMINATED`, `ARCHIVED`, `MODERATED` or `INVALID` (kept as text).
    pub status: String,
    /// How long it runs, in seconds.
    #[serde(default)]
    pub duration: u64,
    /// When it started.
    #[serde(deserialize_with = "time_serde::required")]
    #[cfg_attr(feature = "serde", serde(serialize_with = "time_serde::rfc3339"))]
    pub started_at: Timestamp,
    /// When it ended; `None` while it runs.
    #[serde(default, deserialize_with = "time_serde::optional")]
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "time_serde::option_rfc3339")
    )]
    pub ended_at: Option<Timestamp>,
}
