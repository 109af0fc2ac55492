//! Catch-up after a gap: what Twitch did not replay, recovered over Helix (opt-in,
//! [`Config::catch_up`](crate::Config::catch_up)).
//!
//! Twitch does not replay what it sent while nobody listened. When a gap ends
//! ([`Event::Resumed`](crate::Event::Resumed)), the core looks at every subscription that was live
//! during it and, where a Helix read can tell what happened ([`HelixRead::for_subscription`]),
//! asks for it ([`Output::CatchUpRead`](crate::Output::CatchUpRead)); the adapter only runs the
//! GET and feeds the body back ([`Input::CatchUpRead`](crate::Input::CatchUpRead)).
//!
//! - *Events* reads (follows, bans, redemptions, polls, predictions) give timestamped items: each
//!   one inside the gap that was not delivered becomes an [`Event::Recovered`](crate::Event::Recovered).
//! - *State* reads (streams, channel information, goals, charity) are compared with how things
//!   were before the gap: a change is a recovered state event.
//! - Types no read can tell about (chat, cheers, raids, …), and reads the token has no scope for,
//!   are named unrecoverable.
//!
//! An [`Event::CatchUp`](crate::Event::CatchUp) report for the gap follows the recovered events.
//! Recovered events carry Helix's own shapes ([`helix`] models): what Helix does not say is
//! absent, never invented.

mod config;
pub(crate) mod engine;
pub mod helix;
mod items;
mod keys;
mod page;
mod plan;
mod read;
mod recovered;
mod remembered;
mod report;
mod request;
mod run;
mod state;

pub use config::CatchUpConfig;
pub use helix::{
    BannedUser, ChannelFollower, ChannelInformation, CharityAmount, CharityCampaign, CreatorGoal,
    CustomRewardRedemption, Poll, PollChoice, Prediction, PredictionOutcome, RedeemedReward,
    Stream,
};
pub use read::{HelixRead, Recovery};
pub use recovered::{Recovered, RecoveredEvent};
pub use report::{CatchUp, CatchUpOutcome, CatchUpResult, ReadError, Unrecoverable};
pub use request::ReadRequest;
