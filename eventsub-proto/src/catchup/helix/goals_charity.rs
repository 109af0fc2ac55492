//! What Get Creator Goals (`GET /goals`) and Get Charity Campaign (`GET /charity/campaigns`) say.

use crate::events::Timestamp;
use serde::Deserialize;

use super::time_serde;

/// A creator goal in progress.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct CreatorGoal {
    /// The goal's id (the events' `id`).
    pub id: String,
    /// The broadcaster's user id.
    pub broadcaster_id: String,
    /// The broadcaster's login.
    pub broadcaster_login: String,
    /// The broadcaster's display name.
    pub broadcaster_name: String,
    /// `follower`, `subscription`, `subscription_count`, `new_subscription` or
    /// `new_subscription_count` (kept as text).
    #[serde(rename = "type")]
    pub kind: String,
    /// The broadcaster's description; `None` when empty.
    #[serde(default, deserialize_with = "time_serde::optional_text")]
    pub description: Option<String>,
    /// Where the goal stands.
    pub current_amount: i64,
    /// Where it ends.
    pub target_amount: i64,
    /// When it was created.
    #[serde(deserialize_with = "time_serde::required")]
    #[cfg_attr(feature = "serde", serde(serialize_with = "time_serde::rfc3339"))]
    pub created_at: Timestamp,
}

/// An amount of money: `value` in the currency's smallest unit, times ten to `decimal_places`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct CharityAmount {
    /// The amount in the smallest unit (5.50 USD: 550 with two decimal places).
    pub value: i64,
    /// How many decimal places `value` has.
    pub decimal_places: u32,
    /// The ISO-4217 currency code.
    pub currency: String,
}

/// A running charity campaign. Helix gives no start time: only what the campaign is now.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct CharityCampaign {
    /// The campaign's id (the events' `id`).
    pub id: String,
    /// The broadcaster's user id.
    pub broadcaster_id: String,
    /// The broadcaster's login.
    pub broadcaster_login: String,
    /// The broadcaster's display name.
    pub broadcaster_name: String,
    /// The charity's name.
    pub charity_name: String,
    /// The charity's description.
    #[serde(default, deserialize_with = "time_serde::optional_text")]
    pub charity_description: Option<String>,
    /// The charity's logo URL.
    #[serde(default, deserialize_with = "time_serde::optional_text")]
    pub charity_logo: Option<String>,
    /// The charity's website.
    #[serde(default, deserialize_with = "time_serde::optional_text")]
    pub charity_website: Option<String>,
    /// Raised so far.
    pub current_amount: CharityAmount,
    /// The goal; `None` when the campaign has none.
    #[serde(default)]
    pub target_amount: Option<CharityAmount>,
}
