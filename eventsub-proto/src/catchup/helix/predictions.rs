//! What Get Predictions (`GET /predictions`) lists: a prediction and its outcomes.

use crate::events::Timestamp;
use serde::Deserialize;

use super::time_serde;

/// One outcome of a prediction.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct PredictionOutcome {
    /// The outcome's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// How many users predicted it.
    #[serde(default)]
    pub users: u64,
    /// How many channel points they spent on it.
    #[serde(default)]
    pub channel_points: u64,
    /// `BLUE` or `PINK` (kept as text).
    #[serde(default)]
    pub color: String,
}

/// A prediction.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Prediction {
    /// The prediction's id (the events' `id`).
    pub id: String,
    /// The broadcaster's user id.
    pub broadcaster_id: String,
    /// The broadcaster's login.
    pub broadcaster_login: String,
    /// The broadcaster's display name.
    pub broadcaster_name: String,
    /// The question.
    pub title: String,
    /// The outcome that won; `None` until resolved.
    #[serde(default, deserialize_with = "time_serde::optional_text")]
    pub winning_outcome_id: Option<String>,
    /// The outcomes.
    #[serde(default, deserialize_with = "time_serde::list")]
    pub outcomes: Vec<PredictionOutcome>,
    /// How long users may predict, in seconds.
    #[serde(default)]
    pub prediction_window: u64,
    /// `ACTIVE`, `LOCKED`, `RESOLVED` or `CANCELED` (kept as text).
    pub status: String,
    /// When it was created.
    #[serde(deserialize_with = "time_serde::required")]
    #[cfg_attr(feature = "serde", serde(serialize_with = "time_serde::rfc3339"))]
    pub created_at: Timestamp,
    /// When it was resolved or canceled; `None` before.
    #[serde(default, deserialize_with = "time_serde::optional")]
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "time_serde::option_rfc3339")
    )]
    pub ended_at: Option<Timestamp>,
    /// When it was locked; `None` before.
    #[serde(default, deserialize_with = "time_serde::optional")]
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "time_serde::option_rfc3339")
    )]
    pub locked_at: Option<Timestamp>,
}
