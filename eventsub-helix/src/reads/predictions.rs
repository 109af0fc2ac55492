//! Get Predictions (`GET /predictions`): a channel's predictions of the last 90 days, newest
//! first, with their status and when they were created, locked and ended.

use eventsub_proto::events::Timestamp;
use serde::Deserialize;

use super::list::{ReadQuery, page_size};
use super::time_serde;
use crate::client::HelixClient;
use crate::pagination::Pages;

/// The most predictions Twitch puts on one page.
pub const MAX_PREDICTIONS_PER_PAGE: u32 = 25;

/// One outcome of a prediction.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
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
    pub created_at: Timestamp,
    /// When it was resolved or canceled; `None` before.
    #[serde(default, deserialize_with = "time_serde::optional")]
    pub ended_at: Option<Timestamp>,
    /// When it was locked; `None` before.
    #[serde(default, deserialize_with = "time_serde::optional")]
    pub locked_at: Option<Timestamp>,
}

/// What [`HelixClient::predictions`] asks for.
///
/// Scope: `channel:read:predictions` or `channel:manage:predictions`; the token's user must be the
/// broadcaster.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PredictionsRequest {
    /// The channel.
    pub broadcaster_id: String,
    /// Predictions per page (1 to [`MAX_PREDICTIONS_PER_PAGE`]).
    pub first: u32,
}

impl PredictionsRequest {
    /// The predictions of `broadcaster_id`, newest first, 25 per page.
    pub fn new(broadcaster_id: impl Into<String>) -> Self {
        Self {
            broadcaster_id: broadcaster_id.into(),
            first: MAX_PREDICTIONS_PER_PAGE,
        }
    }

    /// `first` predictions per page (clamped to 1 to [`MAX_PREDICTIONS_PER_PAGE`]).
    #[must_use]
    pub fn per_page(mut self, first: u32) -> Self {
        self.first = first;
        self
    }
}

impl HelixClient {
    /// A channel's predictions, newest first (Get Predictions), page by page. See
    /// [`PredictionsRequest`] for the scope.
    pub fn predictions(&self, request: &PredictionsRequest) -> Pages<'_, ReadQuery<Prediction>> {
        let query = ReadQuery::new("/predictions")
            .param("broadcaster_id", request.broadcaster_id.clone())
            .param("first", page_size(request.first, MAX_PREDICTIONS_PER_PAGE));
        Pages::new(self, query)
    }
}
