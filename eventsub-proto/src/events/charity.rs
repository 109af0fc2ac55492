//! `channel.charity_campaign.*`: charity campaigns and donations.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::common::{Amount, Timestamp, UserId, UserLogin, rfc3339};

/// `channel.charity_campaign.donate`: a user donated to the campaign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CharityDonation<'a> {
    /// The donation id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The campaign id.
    #[serde(borrow)]
    pub campaign_id: Cow<'a, str>,
    /// The broadcaster's user id.
    #[serde(borrow, alias = "broadcaster_id")]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow, alias = "broadcaster_login")]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow, alias = "broadcaster_name")]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The donor's user id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The donor's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The donor's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// The charity's name.
    #[serde(borrow)]
    pub charity_name: Cow<'a, str>,
    /// The charity's description.
    #[serde(borrow)]
    pub charity_description: Cow<'a, str>,
    /// The URL of the charity's logo.
    #[serde(borrow)]
    pub charity_logo: Cow<'a, str>,
    /// The charity's website.
    #[serde(borrow)]
    pub charity_website: Cow<'a, str>,
    /// The amount donated.
    #[serde(borrow)]
    pub amount: Amount<'a>,
}

/// `channel.charity_campaign.start`: a campaign started.
///
/// Twitch's reference names the broadcaster `broadcaster_id`, `broadcaster_login`,
/// `broadcaster_name` in the start, progress and stop events, while the Twitch CLI sends
/// `broadcaster_user_id`, `broadcaster_user_login`, `broadcaster_user_name` (the spelling Twitch staff
/// called correct for the donate event): every charity event accepts both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CharityCampaignStart<'a> {
    /// The campaign id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The broadcaster's user id.
    #[serde(borrow, alias = "broadcaster_user_id")]
    pub broadcaster_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow, alias = "broadcaster_user_login")]
    pub broadcaster_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow, alias = "broadcaster_user_name")]
    pub broadcaster_name: Cow<'a, str>,
    /// The charity's name.
    #[serde(borrow)]
    pub charity_name: Cow<'a, str>,
    /// The charity's description.
    #[serde(borrow)]
    pub charity_description: Cow<'a, str>,
    /// The URL of the charity's logo.
    #[serde(borrow)]
    pub charity_logo: Cow<'a, str>,
    /// The charity's website.
    #[serde(borrow)]
    pub charity_website: Cow<'a, str>,
    /// The amount raised so far.
    #[serde(borrow)]
    pub current_amount: Amount<'a>,
    /// The amount aimed at.
    #[serde(borrow)]
    pub target_amount: Amount<'a>,
    /// When the campaign started.
    #[serde(with = "rfc3339")]
    pub started_at: Timestamp,
}

/// `channel.charity_campaign.progress`: the campaign's amounts changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CharityCampaignProgress<'a> {
    /// The campaign id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The broadcaster's user id.
    #[serde(borrow, alias = "broadcaster_user_id")]
    pub broadcaster_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow, alias = "broadcaster_user_login")]
    pub broadcaster_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow, alias = "broadcaster_user_name")]
    pub broadcaster_name: Cow<'a, str>,
    /// The charity's name.
    #[serde(borrow)]
    pub charity_name: Cow<'a, str>,
    /// The charity's description.
    #[serde(borrow)]
    pub charity_description: Cow<'a, str>,
    /// The URL of the charity's logo.
    #[serde(borrow)]
    pub charity_logo: Cow<'a, str>,
    /// The charity's website.
    #[serde(borrow)]
    pub charity_website: Cow<'a, str>,
    /// The amount raised so far.
    #[serde(borrow)]
    pub current_amount: Amount<'a>,
    /// The amount aimed at.
    #[serde(borrow)]
    pub target_amount: Amount<'a>,
}

/// `channel.charity_campaign.stop`: a campaign stopped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CharityCampaignStop<'a> {
    /// The campaign id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The broadcaster's user id.
    #[serde(borrow, alias = "broadcaster_user_id")]
    pub broadcaster_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow, alias = "broadcaster_user_login")]
    pub broadcaster_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow, alias = "broadcaster_user_name")]
    pub broadcaster_name: Cow<'a, str>,
    /// The charity's name.
    #[serde(borrow)]
    pub charity_name: Cow<'a, str>,
    /// The charity's description.
    #[serde(borrow)]
    pub charity_description: Cow<'a, str>,
    /// The URL of the charity's logo.
    #[serde(borrow)]
    pub charity_logo: Cow<'a, str>,
    /// The charity's website.
    #[serde(borrow)]
    pub charity_website: Cow<'a, str>,
    /// The amount raised.
    #[serde(borrow)]
    pub current_amount: Amount<'a>,
    /// The amount aimed at.
    #[serde(borrow)]
    pub target_amount: Amount<'a>,
    /// When the campaign stopped.
    #[serde(with = "rfc3339")]
    pub stopped_at: Timestamp,
}
