//! What Get Custom Reward Redemption (`GET /channel_points/custom_rewards/redemptions`) lists.

use crate::events::Timestamp;
use serde::Deserialize;

use super::time_serde;

/// The reward a redemption was for.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct RedeemedReward {
    /// The reward's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its prompt; `None` when it has none.
    #[serde(default, deserialize_with = "time_serde::optional_text")]
    pub prompt: Option<String>,
    /// What it cost, in channel points.
    pub cost: u64,
}

/// One redemption of a custom reward.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct CustomRewardRedemption {
    /// The redemption's id (the event's `id`).
    pub id: String,
    /// The broadcaster's user id.
    pub broadcaster_id: String,
    /// The broadcaster's login.
    pub broadcaster_login: String,
    /// The broadcaster's display name.
    pub broadcaster_name: String,
    /// The redeeming user's id.
    pub user_id: String,
    /// The redeeming user's login.
    pub user_login: String,
    /// The redeeming user's display name.
    pub user_name: String,
    /// What the user typed; `None` when the reward asks for nothing.
    #[serde(default, deserialize_with = "time_serde::optional_text")]
    pub user_input: Option<String>,
    /// `UNFULFILLED`, `FULFILLED` or `CANCELED` (kept as text: an unknown value is data).
    pub status: String,
    /// When it was redeemed.
    #[serde(deserialize_with = "time_serde::required")]
    #[cfg_attr(feature = "serde", serde(serialize_with = "time_serde::rfc3339"))]
    pub redeemed_at: Timestamp,
    /// The reward.
    pub reward: RedeemedReward,
}
