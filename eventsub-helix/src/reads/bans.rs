//! Get Banned Users (`GET /moderation/banned`): the bans and timeouts in force in a channel, with
//! `created_at`.

use eventsub_proto::catchup::BannedUser;

use super::list::{ReadQuery, page_size};
use crate::client::HelixClient;
use crate::pagination::Pages;

/// The most bans Twitch puts on one page.
pub const MAX_BANS_PER_PAGE: u32 = 100;

/// What [`HelixClient::banned_users`] asks for.
///
/// Scope: `moderation:read` or `moderator:manage:banned_users`; the token's user must be the
/// broadcaster (403 otherwise). Only bans in force are listed: a ban lifted meanwhile is gone.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BannedUsersRequest {
    /// The channel.
    pub broadcaster_id: String,
    /// Bans per page (1 to [`MAX_BANS_PER_PAGE`]).
    pub first: u32,
}

impl BannedUsersRequest {
    /// All bans in force in `broadcaster_id`, 100 per page.
    pub fn new(broadcaster_id: impl Into<String>) -> Self {
        Self {
            broadcaster_id: broadcaster_id.into(),
            first: MAX_BANS_PER_PAGE,
        }
    }

    /// `first` bans per page (clamped to 1 to [`MAX_BANS_PER_PAGE`]).
    #[must_use]
    pub fn per_page(mut self, first: u32) -> Self {
        self.first = first;
        self
    }
}

impl HelixClient {
    /// The bans and timeouts in force in a channel (Get Banned Users), page by page. See
    /// [`BannedUsersRequest`] for the scope.
    pub fn banned_users(&self, request: &BannedUsersRequest) -> Pages<'_, ReadQuery<BannedUser>> {
        let query = ReadQuery::new("/moderation/banned")
            .param("broadcaster_id", request.broadcaster_id.clone())
            .param("first", page_size(request.first, MAX_BANS_PER_PAGE));
        Pages::new(self, query)
    }
}
