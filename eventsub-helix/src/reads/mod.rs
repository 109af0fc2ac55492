//! The Helix reads a catch-up after a gap uses: typed requests and responses, each going through
//! the client's one request loop (retries, rate limit, body cap, typed errors), the paginated ones
//! walked with a caller-given bound ([`Pages::collect_pages`](crate::Pages::collect_pages)).
//! [`HelixRead`] says which read serves which subscription type and what scope it needs.

mod bans;
#[cfg(test)]
mod decode_tests;
mod followers;
mod goals_charity;
mod list;
mod polls;
mod predictions;
mod redemptions;
mod streams;

pub use bans::{BannedUsersRequest, MAX_BANS_PER_PAGE};
// The reads' shapes and catalogue live in the core, which decides a catch-up from them.
pub use eventsub_proto::catchup::{
    BannedUser, ChannelFollower, ChannelInformation, CharityAmount, CharityCampaign, CreatorGoal,
    CustomRewardRedemption, HelixRead, Poll, PollChoice, Prediction, PredictionOutcome, Recovery,
    RedeemedReward, Stream,
};
pub use followers::{FollowersRequest, MAX_FOLLOWERS_PER_PAGE};
pub use list::{ReadPage, ReadQuery};
pub use polls::{MAX_POLLS_PER_PAGE, PollsRequest};
pub use predictions::{MAX_PREDICTIONS_PER_PAGE, PredictionsRequest};
pub use redemptions::{MAX_REDEMPTIONS_PER_PAGE, RedemptionStatus, RedemptionsRequest};
pub use streams::MAX_IDS_PER_STATE_READ;
