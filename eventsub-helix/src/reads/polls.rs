//! Get Polls (`GET /polls`): a channel's polls of the last 90 days, newest first, with their
//! status and when they started and ended.

use eventsub_proto::catchup::Poll;

use super::list::{ReadQuery, page_size};
use crate::client::HelixClient;
use crate::pagination::Pages;

/// The most polls Twitch puts on one page.
pub const MAX_POLLS_PER_PAGE: u32 = 20;

/// What [`HelixClient::polls`] asks for.
///
/// Scope: `channel:read:polls` or `channel:manage:polls`; the token's user must be the
/// broadcaster.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PollsRequest {
    /// The channel.
    pub broadcaster_id: String,
    /// Only these polls (at most 20 ids); all when empty.
    pub ids: Vec<String>,
    /// Polls per page (1 to [`MAX_POLLS_PER_PAGE`]).
    pub first: u32,
}

impl PollsRequest {
    /// The polls of `broadcaster_id`, newest first, 20 per page.
    pub fn new(broadcaster_id: impl Into<String>) -> Self {
        Self {
            broadcaster_id: broadcaster_id.into(),
            ids: Vec::new(),
            first: MAX_POLLS_PER_PAGE,
        }
    }

    /// Only the poll `id` (may be called again for more).
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.ids.push(id.into());
        self
    }

    /// `first` polls per page (clamped to 1 to [`MAX_POLLS_PER_PAGE`]).
    #[must_use]
    pub fn per_page(mut self, first: u32) -> Self {
        self.first = first;
        self
    }
}

impl HelixClient {
    /// A channel's polls, newest first (Get Polls), page by page. See [`PollsRequest`] for the
    /// scope.
    pub fn polls(&self, request: &PollsRequest) -> Pages<'_, ReadQuery<Poll>> {
        let query = request.ids.iter().fold(
            ReadQuery::new("/polls").param("broadcaster_id", request.broadcaster_id.clone()),
            |query, id| query.param("id", id.clone()),
        );
        Pages::new(
            self,
            query.param("first", page_size(request.first, MAX_POLLS_PER_PAGE)),
        )
    }
}
