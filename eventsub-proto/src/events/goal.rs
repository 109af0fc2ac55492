//! `channel.goal.*`: creator goals begin, progress and end.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::common::{Timestamp, UserId, UserLogin, rfc3339, string_enum};

string_enum! {
    /// What a goal counts.
    GoalType {
        /// Followers.
        Follow => "follow",
        /// Subscription points.
        Subscription => "subscription",
        /// Subscriptions.
        SubscriptionCount => "subscription_count",
        /// New subscription points.
        NewSubscription => "new_subscription",
        /// New subscriptions.
        NewSubscriptionCount => "new_subscription_count",
        /// New bits.
        NewBit => "new_bit",
        /// New cheerers.
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
