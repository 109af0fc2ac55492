//! The Helix reads a catch-up after a gap uses: typed requests and responses, each going through
//! the client's one request loop (retries, rate limit, body cap, typed errors), the paginated ones
//! walked with a caller-given bound ([`Pages::collect_pages`](crate::Pages::collect_pages)).
//! [`HelixRead`] says which read serves which subscription type and what scope it needs.

mod bans;
mod catalog;
#[cfg(test)]
mod decode_tests;
mod followers;
mod goals_charity;
mod list;
mod polls;
mod predictions;
mod redemptions;
mod streams;
mod time_serde;

pub use bans::{BannedUser, BannedUsersRequest, MAX_BANS_PER_PAGE};
pub use catalog::{HelixRead, Recovery};
pub use followers::{ChannelFollower, FollowersRequest, MAX_FOLLOWERS_PER_PAGE};
pub use goals_charity::{CharityAmount, CharityCampaign, CreatorGoal};
pub use list::{ReadPage, ReadQuery};
pub use polls::{MAX_POLLS_PER_PAGE, Poll, PollChoice, PollsRequest};
pub use predictions::{
    MAX_PREDICTIONS_PER_PAGE, Prediction, PredictionOutcome, PredictionsRequest,
};
pub use redemptions::{
    CustomRewardRedemption, MAX_REDEMPTIONS_PER_PAGE, RedeemedReward, RedemptionStatus,
    RedemptionsRequest,
};
pub use streams::{ChannelInformation, MAX_IDS_PER_STATE_READ, Stream};
