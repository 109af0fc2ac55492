//! Which Helix read can tell what happened to which subscription type during a gap, what it
//! needs, and whether it gives events or a state.

/// A Helix read that can tell what a subscription type would have delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum HelixRead {
    /// Get Channel Followers.
    ChannelFollowers,
    /// Get Banned Users.
    BannedUsers,
    /// Get Custom Reward Redemption
    ///.
    CustomRewardRedemptions,
    /// Get Polls.
    Polls,
    /// Get Predictions.
    Predictions,
    /// Get Creator Goals.
    CreatorGoals,
    /// Get Charity Campaign.
    CharityCampaign,
    /// Get Streams.
    Streams,
    /// Get Channel Information
    ///.
    ChannelInformation,
}

/// What a read tells about a gap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Recovery {
    /// Timestamped items: each one after the gap's start is an event that may have been missed.
    Events,
    /// Only how things are now: compared with how they were before the gap, a change is a state
    /// event.
    State,
}

impl HelixRead {
    /// Every read, in the order of the crate docs' table.
    pub const ALL: [Self; 9] = [
        Self::ChannelFollowers,
        Self::BannedUsers,
        Self::CustomRewardRedemptions,
        Self::Polls,
        Self::Predictions,
        Self::CreatorGoals,
        Self::CharityCampaign,
        Self::Streams,
        Self::ChannelInformation,
    ];

    /// The read that can tell what a subscription of type `kind` would have delivered, if one
    /// exists. Types without one (chat messages, cheers, raids, hype trains, …) get `None`: what
    /// they sent during a gap cannot be known.
    ///
    /// ```
    /// use eventsub_proto::catchup::{HelixRead, Recovery};
    /// let read = HelixRead::for_subscription("channel.follow");
    /// assert_eq!(read, Some(HelixRead::ChannelFollowers));
    /// assert_eq!(read.map(HelixRead::recovery), Some(Recovery::Events));
    /// assert_eq!(HelixRead::for_subscription("channel.chat.message"), None);
    /// ```
    pub fn for_subscription(kind: &str) -> Option<Self> {
        Some(match kind {
            "channel.follow" => Self::ChannelFollowers,
            "channel.ban" => Self::BannedUsers,
            "channel.channel_points_custom_reward_redemption.add" => Self::CustomRewardRedemptions,
            "channel.poll.begin" | "channel.poll.end" => Self::Polls,
            "channel.prediction.begin" | "channel.prediction.lock" | "channel.prediction.end" => {
                Self::Predictions
            }
            "channel.goal.begin" | "channel.goal.progress" | "channel.goal.end" => {
                Self::CreatorGoals
            }
            "channel.charity_campaign.start"
            | "channel.charity_campaign.progress"
            | "channel.charity_campaign.stop" => Self::CharityCampaign,
            "stream.online" | "stream.offline" => Self::Streams,
            "channel.update" => Self::ChannelInformation,
            _ => return None,
        })
    }

    /// Twitch's name of the endpoint.
    pub fn name(self) -> &'static str {
        match self {
            Self::ChannelFollowers => "Get Channel Followers",
            Self::BannedUsers => "Get Banned Users",
            Self::CustomRewardRedemptions => "Get Custom Reward Redemption",
            Self::Polls => "Get Polls",
            Self::Predictions => "Get Predictions",
            Self::CreatorGoals => "Get Creator Goals",
            Self::CharityCampaign => "Get Charity Campaign",
            Self::Streams => "Get Streams",
            Self::ChannelInformation => "Get Channel Information",
        }
    }

    /// The Helix path, under the API base URL.
    pub fn path(self) -> &'static str {
        match self {
            Self::ChannelFollowers => "/channels/followers",
            Self::BannedUsers => "/moderation/banned",
            Self::CustomRewardRedemptions => "/channel_points/custom_rewards/redemptions",
            Self::Polls => "/polls",
            Self::Predictions => "/predictions",
            Self::CreatorGoals => "/goals",
            Self::CharityCampaign => "/charity/campaigns",
            Self::Streams => "/streams",
            Self::ChannelInformation => "/channels",
        }
    }

    /// The scopes of which the user access token needs any one; empty when any token will do.
    /// Spelled as Twitch (and `eventsub_proto::events`) spell them.
    pub fn scopes(self) -> &'static [&'static str] {
        match self {
            Self::ChannelFollowers => &["moderator:read:followers"],
            Self::BannedUsers => &["moderation:read", "moderator:manage:banned_users"],
            Self::CustomRewardRedemptions => {
                &["channel:read:redemptions", "channel:manage:redemptions"]
            }
            Self::Polls => &["channel:read:polls", "channel:manage:polls"],
            Self::Predictions => &["channel:read:predictions", "channel:manage:predictions"],
            Self::CreatorGoals => &["channel:read:goals"],
            Self::CharityCampaign => &["channel:read:charity"],
            Self::Streams | Self::ChannelInformation => &[],
        }
    }

    /// The scopes this read would need that `token_scopes` lacks: `None` when the token has one
    /// of [`scopes`](Self::scopes) (or none is needed), else all of them (any one would do).
    ///
    /// ```
    /// use eventsub_proto::catchup::HelixRead;
    /// assert_eq!(HelixRead::Polls.missing_scopes(&["channel:manage:polls"]), None);
    /// assert_eq!(
    ///     HelixRead::CreatorGoals.missing_scopes(&["channel:read:polls"]),
    ///     Some(&["channel:read:goals"][..])
    /// );
    /// ```
    pub fn missing_scopes(self, token_scopes: &[&str]) -> Option<&'static [&'static str]> {
        let needed = self.scopes();
        let satisfied =
            needed.is_empty() || needed.iter().any(|scope| token_scopes.contains(scope));
        (!satisfied).then_some(needed)
    }

    /// Whether the read gives timestamped events or a state to compare.
    pub fn recovery(self) -> Recovery {
        match self {
            Self::ChannelFollowers
            | Self::BannedUsers
            | Self::CustomRewardRedemptions
            | Self::Polls
            | Self::Predictions => Recovery::Events,
            Self::CreatorGoals
            | Self::CharityCampaign
            | Self::Streams
            | Self::ChannelInformation => Recovery::State,
        }
    }
}
