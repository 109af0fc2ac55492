//! Get Predictions (`GET /predictions`): a channel's predictions of the last 90 days, newest
//! first, with their status and when they were created, locked and ended.

use eventsub_proto::catchup::Prediction;

use super::list::{ReadQuery, page_size};
use crate::client::HelixClient;
use crate::pagination::Pages;

/// The most predictions Twitch puts on one page.
pub const MAX_PREDICTIONS_PER_PAGE: u32 = 25;

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
