//! Get Creator Goals (`GET /goals`) and Get Charity Campaign (`GET /charity/campaigns`): a
//! channel's active goals and its running charity campaign. Twitch does not paginate them.

use eventsub_proto::events::Timestamp;
use serde::Deserialize;

use super::list::ReadQuery;
use super::time_serde;
use crate::client::HelixClient;
use crate::error::HelixError;

/// A creator goal in progress.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
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
    pub created_at: Timestamp,
}

/// An amount of money: `value` in the currency's smallest unit, times ten to `decimal_places`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
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

impl HelixClient {
    /// The goals in progress of a channel (Get Creator Goals). Scope: `channel:read:goals`; the
    /// token's user must be the broadcaster. A goal that ended is no longer listed.
    pub async fn creator_goals(
        &self,
        broadcaster_id: &str,
    ) -> Result<Vec<CreatorGoal>, HelixError> {
        let query = ReadQuery::new("/goals").param("broadcaster_id", broadcaster_id);
        self.read_unpaged(&query).await
    }

    /// The running charity campaign of a channel, if any (Get Charity Campaign). Scope:
    /// `channel:read:charity`; the token's user must be the broadcaster. Donations are not
    /// listed here: `current_amount` is their sum.
    pub async fn charity_campaign(
        &self,
        broadcaster_id: &str,
    ) -> Result<Option<CharityCampaign>, HelixError> {
        let query = ReadQuery::new("/charity/campaigns").param("broadcaster_id", broadcaster_id);
        Ok(self.read_unpaged(&query).await?.into_iter().next())
    }
}
