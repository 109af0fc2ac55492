//! An event recovered over Helix after a gap.

use std::time::SystemTime;

#[cfg(feature = "serde")]
use crate::serialize::rfc3339;
use crate::subscription::SubscriptionSpec;

use super::helix::{
    BannedUser, ChannelFollower, ChannelInformation, CharityCampaign, CreatorGoal,
    CustomRewardRedemption, Poll, Prediction, Stream,
};

/// What a subscription would have delivered during a gap, as a Helix read tells it
/// ([`Event::Recovered`](crate::Event::Recovered)). It is not a notification: Twitch never sent
/// it to this client, and it carries Helix's shape, not the event's (no message id; fields Helix
/// does not give are absent).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Recovered {
    /// The subscription it stands for.
    pub subscription: SubscriptionSpec,
    /// The start of the gap (Twitch's clock), as in [`Gap::from`](crate::Gap::from).
    #[cfg_attr(feature = "serde", serde(serialize_with = "rfc3339"))]
    pub gap_from: SystemTime,
    /// The end of the gap (Twitch's clock), as in [`Gap::until`](crate::Gap::until).
    #[cfg_attr(feature = "serde", serde(serialize_with = "rfc3339"))]
    pub gap_until: SystemTime,
    /// What happened.
    pub event: RecoveredEvent,
}

/// What happened during a gap, by subscription type. Event reads give one per item Helix listed
/// inside the gap; state reads give one per change between before and after the gap.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum RecoveredEvent {
    /// `channel.follow`: a follower whose `followed_at` is inside the gap.
    Follow {
        /// What Get Channel Followers listed.
        follower: ChannelFollower,
    },
    /// `channel.ban`: a ban or timeout whose `created_at` is inside the gap and that is still in
    /// force (Get Banned Users lists no other).
    Ban {
        /// What Get Banned Users listed.
        ban: BannedUser,
    },
    /// `channel.channel_points_custom_reward_redemption.add`: a redemption whose `redeemed_at` is
    /// inside the gap.
    Redemption {
        /// What Get Custom Reward Redemption listed.
        redemption: CustomRewardRedemption,
    },
    /// `channel.poll.begin`: a poll that started inside the gap.
    PollBegin {
        /// The poll as Get Polls lists it now.
        poll: Poll,
    },
    /// `channel.poll.end`: a poll that ended inside the gap.
    PollEnd {
        /// The poll as Get Polls lists it now.
        poll: Poll,
    },
    /// `channel.prediction.begin`: a prediction created inside the gap.
    PredictionBegin {
        /// The prediction as Get Predictions lists it now.
        prediction: Prediction,
    },
    /// `channel.prediction.lock`: a prediction locked inside the gap.
    PredictionLock {
        /// The prediction as Get Predictions lists it now.
        prediction: Prediction,
    },
    /// `channel.prediction.end`: a prediction that ended inside the gap.
    PredictionEnd {
        /// The prediction as Get Predictions lists it now.
        prediction: Prediction,
    },
    /// `channel.goal.begin`: a goal in progress now that was not before the gap.
    GoalBegin {
        /// The goal as Get Creator Goals lists it now.
        goal: CreatorGoal,
    },
    /// `channel.goal.progress`: a goal whose amount changed across the gap.
    GoalProgress {
        /// The goal before the gap.
        before: CreatorGoal,
        /// The goal now.
        after: CreatorGoal,
    },
    /// `channel.goal.end`: a goal in progress before the gap that is no longer listed. Get
    /// Creator Goals lists only goals in progress, so whether it was achieved, and when it ended,
    /// is not known: the goal is as it last was before the gap.
    GoalEnd {
        /// The goal as it was before the gap.
        before: CreatorGoal,
    },
    /// `channel.charity_campaign.start`: a campaign running now that was not before the gap.
    CharityStart {
        /// The campaign as Get Charity Campaign says now.
        campaign: CharityCampaign,
    },
    /// `channel.charity_campaign.progress`: a campaign whose amounts changed across the gap.
    CharityProgress {
        /// The campaign before the gap.
        before: CharityCampaign,
        /// The campaign now.
        after: CharityCampaign,
    },
    /// `channel.charity_campaign.stop`: the campaign running before the gap is no longer (none
    /// runs now, or another does). When it stopped and its final amount are not known: the
    /// campaign is as it last was before the gap.
    CharityStop {
        /// The campaign as it was before the gap.
        before: CharityCampaign,
    },
    /// `stream.online`: live now, offline (or another stream) before the gap.
    StreamOnline {
        /// The stream as Get Streams lists it now.
        stream: Stream,
    },
    /// `stream.offline`: live before the gap, offline now.
    StreamOffline {
        /// The broadcaster.
        broadcaster_user_id: String,
        /// The stream as it was before the gap, when it was read.
        before: Option<Stream>,
    },
    /// `channel.update`: the channel's information changed across the gap.
    ChannelUpdate {
        /// The information before the gap.
        before: ChannelInformation,
        /// The information now.
        after: ChannelInformation,
    },
}
