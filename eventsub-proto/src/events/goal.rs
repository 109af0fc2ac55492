//! `channel.goal.*`: creator goals begin, progress and end.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::common::{Timestamp, UserId, UserLogin, rfc3339, string_enum};

string_enum! {
    /// What a goal counts: the seven values the EventSub reference documents for a goal event's
    /// `type` (it spells the first `follow`, where Helix's Get Creator Goals says `follower`).
    GoalType {
        /// Followers.
        Follow => "follow",
        /// Subscription tier points, net of users who unsubscribed.
        Subscription => "subscription",
        /// Subscriptions, net of users who unsubscribed.
        SubscriptionCount => "subscription_count",
        /// Tier points of new subscriptions only (unsubscribing does not lower it).
        NewSubscription => "new_subscription",
        /// New subscriptions only (unsubscribing does not lower it).
        NewSubscriptionCount => "new_subscription_count",
        /// Bits used on the channel.
        NewBit => "new_bit",
        /// Unique users who cheered on the channel.
        NewCheerer => "new_cheerer",
    }
}

/// A goal (`channel.goal.begin`, `.progress` and `.end`; the last two fields only in `.end`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Goal<'a> {
    /// The goal id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// What the goal counts.
    #[serde(rename = "type")]
    pub goal_type: GoalType,
    /// The broadcaster's description.
    #[serde(borrow)]
    pub description: Cow<'a, str>,
    /// Whether the goal was reached (`channel.goal.end` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_achieved: Option<bool>,
    /// The amount so far (may go down when users unfollow or unsubscribe).
    pub current_amount: i64,
    /// The amount aimed at.
    pub target_amount: i64,
    /// When the goal began.
    #[serde(with = "rfc3339")]
    pub started_at: Timestamp,
    /// When it ended (`channel.goal.end` only).
    #[serde(
        default,
        with = "rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub ended_at: Option<Timestamp>,
}
