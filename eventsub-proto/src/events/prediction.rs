//! `channel.prediction.*`: predictions begin, progress, lock and end.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::common::{Timestamp, UserId, UserLogin, optional_text, rfc3339, string_enum};

string_enum! {
    /// The colour of a prediction outcome.
    OutcomeColor {
        /// Blue (the first outcome).
        Blue => "blue",
        /// Pink (the other outcomes).
        Pink => "pink",
    }
}

/// An outcome of a prediction before anyone predicted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Outcome<'a> {
    /// The outcome id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The outcome's title.
    #[serde(borrow)]
    pub title: Cow<'a, str>,
    /// Its colour.
    pub color: OutcomeColor,
}

/// An outcome of a prediction with what users predicted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OutcomePredictions<'a> {
    /// The outcome id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The outcome's title.
    #[serde(borrow)]
    pub title: Cow<'a, str>,
    /// Its colour.
    pub color: OutcomeColor,
    /// How many users chose it.
    #[serde(default)]
    pub users: u64,
    /// How many channel points were spent on it.
    #[serde(default)]
    pub channel_points: u64,
    /// The users who spent the most on it (up to 10).
    #[serde(borrow, default, deserialize_with = "super::common::null_as_default")]
    pub top_predictors: Vec<TopPredictor<'a>>,
}

/// A user who spent many channel points on an outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TopPredictor<'a> {
    /// The user's id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The user's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The user's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// Points won (0 when lost); `None` until the prediction is resolved.
    #[serde(default)]
    pub channel_points_won: Option<u64>,
    /// Points spent.
    pub channel_points_used: u64,
}

/// `channel.prediction.begin`: a prediction began.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PredictionBegin<'a> {
    /// The prediction id.
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
    /// The outcomes.
    #[serde(borrow)]
    pub outcomes: Vec<Outcome<'a>>,
    /// When the prediction began.
    #[serde(with = "rfc3339")]
    pub started_at: Timestamp,
    /// When it locks.
    #[serde(with = "rfc3339")]
    pub locks_at: Timestamp,
}

/// `channel.prediction.progress`: users predicted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PredictionProgress<'a> {
    /// The prediction id.
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
    /// The outcomes with the predictions so far.
    #[serde(borrow)]
    pub outcomes: Vec<OutcomePredictions<'a>>,
    /// When the prediction began.
    #[serde(with = "rfc3339")]
    pub started_at: Timestamp,
    /// When it locks.
    #[serde(with = "rfc3339")]
    pub locks_at: Timestamp,
}

/// `channel.prediction.lock`: a prediction was locked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PredictionLock<'a> {
    /// The prediction id.
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
    /// The outcomes with the final predictions.
    #[serde(borrow)]
    pub outcomes: Vec<OutcomePredictions<'a>>,
    /// When the prediction began.
    #[serde(with = "rfc3339")]
    pub started_at: Timestamp,
    /// When it was locked.
    #[serde(with = "rfc3339")]
    pub locked_at: Timestamp,
}

string_enum! {
    /// How a prediction ended.
    PredictionStatus {
        /// A winning outcome was chosen.
        Resolved => "resolved",
        /// Canceled: points refunded.
        Canceled => "canceled",
    }
}

/// `channel.prediction.end`: a prediction was resolved or canceled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PredictionEnd<'a> {
    /// The prediction id.
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
    /// The winning outcome's id; `None` when canceled.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub winning_outcome_id: Option<Cow<'a, str>>,
    /// The outcomes with the final predictions.
    #[serde(borrow)]
    pub outcomes: Vec<OutcomePredictions<'a>>,
    /// How it ended.
    pub status: PredictionStatus,
    /// When the prediction began.
    #[serde(with = "rfc3339")]
    pub started_at: Timestamp,
    /// When it ended.
    #[serde(with = "rfc3339")]
    pub ended_at: Timestamp,
}
