//! Get Channel Followers (`GET /channels/followers`): who follows a channel, newest first, with
//! `followed_at`.

use eventsub_proto::catchup::ChannelFollower;

use super::list::{ReadQuery, page_size};
use crate::client::HelixClient;
use crate::pagination::Pages;

/// The most followers Twitch puts on one page.
pub const MAX_FOLLOWERS_PER_PAGE: u32 = 100;

/// What [`HelixClient::channel_followers`] asks for.
///
/// Scope: `moderator:read:followers`, and the token's user must be the broadcaster or one of its
/// moderators. Without them Twitch does not fail: it answers with the `total` only and no
/// followers ([`ReadPage::total`](crate::ReadPage::total)), so a caller must check the scope
/// itself before reading the list as "nobody followed".
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FollowersRequest {
    /// The channel.
    pub broadcaster_id: String,
    /// Only this user (to ask "does X follow?").
    pub user_id: Option<String>,
    /// Followers per page (1 to [`MAX_FOLLOWERS_PER_PAGE`]).
    pub first: u32,
}

impl FollowersRequest {
    /// All followers of `broadcaster_id`, 100 per page.
    pub fn new(broadcaster_id: impl Into<String>) -> Self {
        Self {
            broadcaster_id: broadcaster_id.into(),
            user_id: None,
            first: MAX_FOLLOWERS_PER_PAGE,
        }
    }

    /// Only whether `user_id` follows.
    #[must_use]
    pub fn user(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }

    /// `first` followers per page (clamped to 1 to [`MAX_FOLLOWERS_PER_PAGE`]).
    #[must_use]
    pub fn per_page(mut self, first: u32) -> Self {
        self.first = first;
        self
    }
}

impl HelixClient {
    /// The followers of a channel, newest first (Get Channel Followers), page by page; bound the
    /// walk with [`Pages::collect_pages`]. See [`FollowersRequest`] for the scope.
    pub fn channel_followers(
        &self,
        request: &FollowersRequest,
    ) -> Pages<'_, ReadQuery<ChannelFollower>> {
        let query = ReadQuery::new("/channels/followers")
            .param("broadcaster_id", request.broadcaster_id.clone())
            .param_opt("user_id", request.user_id.as_deref())
            .param("first", page_size(request.first, MAX_FOLLOWERS_PER_PAGE));
        Pages::new(self, query)
    }
}
