//! The shapes of the Helix reads a catch-up uses, as Twitch sends them (`data` items). Fields
//! Helix leaves empty (`""`, `null`) are `None`. `eventsub-helix` fetches them; the core decides
//! from them.

mod bans;
mod followers;
mod goals_charity;
mod polls;
mod predictions;
mod redemptions;
mod streams;
mod time_serde;

pub use bans::BannedUser;
pub use followers::ChannelFollower;
pub use goals_charity::{CharityAmount, CharityCampaign, CreatorGoal};
pub use polls::{Poll, PollChoice};
pub use predictions::{Prediction, PredictionOutcome};
pub use redemptions::{CustomRewardRedemption, RedeemedReward};
pub use streams::{ChannelInformation, Stream};
