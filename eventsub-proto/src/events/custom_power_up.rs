//! `channel.custom_power_up_redemption.add`: a viewer bought one of the broadcaster's own
//! Power-ups with bits.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::channel_points::RedemptionStatus;
use super::common::{Timestamp, UserId, UserLogin, rfc3339};

/// `channel.custom_power_up_redemption.add`: a viewer redeemed a custom Power-up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomPowerUpRedemptionAdd<'a> {
    /// The redemption id.
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
    /// The redeeming user's id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The redeeming user's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The redeeming user's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// What the user typed (empty when the Power-up asks for nothing).
    #[serde(borrow)]
    pub user_input: Cow<'a, str>,
    /// The state of the redemption.
    pub status: RedemptionStatus,
    /// The Power-up redeemed.
    #[serde(borrow)]
    pub custom_power_up: CustomPowerUp<'a>,
    /// When it was redeemed.
    #[serde(with = "rfc3339")]
    pub redeemed_at: Timestamp,
}

/// A custom Power-up as its redemption names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomPowerUp<'a> {
    /// The Power-up id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The title.
    #[serde(borrow)]
    pub title: Cow<'a, str>,
    /// The cost in bits.
    pub bits: u64,
    /// The prompt shown to the viewer.
    #[serde(borrow)]
    pub prompt: Cow<'a, str>,
}
