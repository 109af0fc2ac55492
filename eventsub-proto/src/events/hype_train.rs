//! `channel.hype_train.*` version 2: Hype Trains begin, progress and end.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::common::{Broadcaster, Timestamp, UserId, UserLogin, rfc3339, string_enum};

string_enum! {
    /// What a contribution was made with.
    ContributionType {
        /// Bits.
        Bits => "bits",
        /// Subscriptions.
        Subscription => "subscription",
        /// Anything else (such as Power-ups).
        Other => "other",
    }
}

string_enum! {
    /// The kind of Hype Train.
    HypeTrainType {
        /// A Treasure Train.
        Treasure => "treasure",
        /// A Golden Kappa Train.
        GoldenKappa => "golden_kappa",
        /// A regular Hype Train.
        Regular => "regular",
    }
}

/// A user's contribution to a Hype Train.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Contribution<'a> {
    /// The user's id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The user's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The user's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// What it was made with.
    #[serde(rename = "type")]
    pub kind: ContributionType,
    /// Points contributed (bits are one point each; a tier 1 sub is 500).
    pub total: u64,
}

/// `channel.hype_train.begin` version 2: a Hype Train began.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HypeTrainBeginV2<'a> {
    /// The Hype Train id.
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
    /// Points contributed so far.
    pub total: u64,
    /// Points contributed at the current level.
    pub progress: u64,
    /// Points needed to reach the next level.
    pub goal: u64,
    /// The top contributors, for each kind of contribution.
    #[serde(borrow)]
    pub top_contributions: Vec<Contribution<'a>>,
    /// The current level.
    pub level: u64,
    /// The highest level any Hype Train of the channel reached.
    pub all_time_high_level: u64,
    /// The most points any Hype Train of the channel gathered.
    pub all_time_high_total: u64,
    /// For a shared train, the channels in it.
    #[serde(borrow, default)]
    pub shared_train_participants: Option<Vec<Broadcaster<'a>>>,
    /// When it began.
    #[serde(with = "rfc3339")]
    pub started_at: Timestamp,
    /// When it expires unless a contribution comes.
    #[serde(with = "rfc3339")]
    pub expires_at: Timestamp,
    /// The kind of Hype Train.
    #[serde(rename = "type")]
    pub train_type: HypeTrainType,
    /// Whether several channels share it.
    pub is_shared_train: bool,
}

/// `channel.hype_train.progress` version 2: a contribution was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HypeTrainProgressV2<'a> {
    /// The Hype Train id.
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
    /// Points contributed so far.
    pub total: u64,
    /// Points contributed at the current level.
    pub progress: u64,
    /// Points needed to reach the next level.
    pub goal: u64,
    /// The top contributors, for each kind of contribution.
    #[serde(borrow)]
    pub top_contributions: Vec<Contribution<'a>>,
    /// The current level.
    pub level: u64,
    /// For a shared train, the channels in it.
    #[serde(borrow, default)]
    pub shared_train_participants: Option<Vec<Broadcaster<'a>>>,
    /// When it began.
    #[serde(with = "rfc3339")]
    pub started_at: Timestamp,
    /// When it expires unless a contribution comes.
    #[serde(with = "rfc3339")]
    pub expires_at: Timestamp,
    /// The kind of Hype Train.
    #[serde(rename = "type")]
    pub train_type: HypeTrainType,
    /// Whether several channels share it.
    pub is_shared_train: bool,
}

/// `channel.hype_train.end` version 2: a Hype Train ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HypeTrainEndV2<'a> {
    /// The Hype Train id.
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
    /// The level reached.
    pub level: u64,
    /// Points contributed.
    pub total: u64,
    /// The top contributors, for each kind of contribution.
    #[serde(borrow)]
    pub top_contributions: Vec<Contribution<'a>>,
    /// For a shared train, the channels in it.
    #[serde(borrow, default)]
    pub shared_train_participants: Option<Vec<Broadcaster<'a>>>,
    /// The kind of Hype Train.
    #[serde(rename = "type")]
    pub train_type: HypeTrainType,
    /// Whether several channels shared it.
    pub is_shared_train: bool,
    /// When it began.
    #[serde(with = "rfc3339")]
    pub started_at: Timestamp,
    /// When it ended.
    #[serde(with = "rfc3339")]
    pub ended_at: Timestamp,
    /// When the next Hype Train may begin.
    #[serde(with = "rfc3339")]
    pub cooldown_ends_at: Timestamp,
}
