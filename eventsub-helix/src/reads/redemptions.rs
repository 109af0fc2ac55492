//! Get Custom Reward Redemption (`GET /channel_points/custom_rewards/redemptions`): the
//! redemptions of one reward, with `redeemed_at`.

use eventsub_proto::catchup::CustomRewardRedemption;

use super::list::{ReadQuery, page_size};
use crate::client::HelixClient;
use crate::pagination::Pages;

/// The most redemptions Twitch puts on one page.
pub const MAX_REDEMPTIONS_PER_PAGE: u32 = 50;

/// The status of a redemption, as Get Custom Reward Redemption filters by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RedemptionStatus {
    /// Waiting for the broadcaster (`UNFULFILLED`).
    Unfulfilled,
    /// Done (`FULFILLED`).
    Fulfilled,
    /// Refunded (`CANCELED`).
    Canceled,
}

impl RedemptionStatus {
    /// The status as Twitch spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unfulfilled => "UNFULFILLED",
            Self::Fulfilled => "FULFILLED",
            Self::Canceled => "CANCELED",
        }
    }
}

/// What [`HelixClient::custom_reward_redemptions`] asks for.
///
/// Scope: `channel:read:redemptions` or `channel:manage:redemptions`; the token's user must be the
/// broadcaster, and Twitch lists only redemptions of rewards created by the same client id (the
/// rewards "the app manages"; 403 for another app's reward). One reward per request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedemptionsRequest {
    /// The channel.
    pub broadcaster_id: String,
    /// The reward.
    pub reward_id: String,
    /// Only redemptions in this status (Twitch requires one).
    pub status: RedemptionStatus,
    /// Newest first instead of oldest first.
    pub newest_first: bool,
    /// Redemptions per page (1 to [`MAX_REDEMPTIONS_PER_PAGE`]).
    pub first: u32,
}

impl RedemptionsRequest {
    /// The `status` redemptions of `reward_id` in `broadcaster_id`, newest first, 50 per page.
    pub fn new(
        broadcaster_id: impl Into<String>,
        reward_id: impl Into<String>,
        status: RedemptionStatus,
    ) -> Self {
        Self {
            broadcaster_id: broadcaster_id.into(),
            reward_id: reward_id.into(),
            status,
            newest_first: true,
            first: MAX_REDEMPTIONS_PER_PAGE,
        }
    }

    /// Oldest first (Twitch's default) instead.
    #[must_use]
    pub fn oldest_first(mut self) -> Self {
        self.newest_first = false;
        self
    }

    /// `first` redemptions per page (clamped to 1 to [`MAX_REDEMPTIONS_PER_PAGE`]).
    #[must_use]
    pub fn per_page(mut self, first: u32) -> Self {
        self.first = first;
        self
    }
}

impl HelixClient {
    /// The redemptions of one custom reward (Get Custom Reward Redemption), page by page. See
    /// [`RedemptionsRequest`] for the scope and which rewards Twitch shows.
    pub fn custom_reward_redemptions(
        &self,
        request: &RedemptionsRequest,
    ) -> Pages<'_, ReadQuery<CustomRewardRedemption>> {
        let sort = if request.newest_first {
            "NEWEST"
        } else {
            "OLDEST"
        };
        let query = ReadQuery::new("/channel_points/custom_rewards/redemptions")
            .param("broadcaster_id", request.broadcaster_id.clone())
            .param("reward_id", request.reward_id.clone())
            .param("status", request.status.as_str())
            .param("sort", sort)
            .param("first", page_size(request.first, MAX_REDEMPTIONS_PER_PAGE));
        Pages::new(self, query)
    }
}
