//! `automod.*`: messages held by AutoMod, their review, AutoMod settings and terms.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::chat::HeldMessage;
use super::common::{Timestamp, UserId, UserLogin, rfc3339, string_enum};

string_enum! {
    /// Why a message was held (version 2).
    HoldReason {
        /// AutoMod flagged it.
        Automod => "automod",
        /// It contains a blocked term.
        BlockedTerm => "blocked_term",
    }
}

string_enum! {
    /// What became of a held message.
    ///
    /// Spelled in lower case, as delivered events spell them; a capitalized spelling (`Approved`)
    /// decodes too.
    AutomodMessageStatus {
        /// A moderator approved it.
        Approved => "approved" | "Approved",
        /// A moderator denied it.
        Denied => "denied" | "Denied",
        /// Nobody reviewed it in time.
        Expired => "expired" | "Expired",
    }
}

/// Where a flagged part of a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Boundary {
    /// Index of its first character.
    pub start_pos: u64,
    /// Index of its last character.
    pub end_pos: u64,
}

/// Why AutoMod held a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AutomodReason<'a> {
    /// The category, such as `swearing`.
    #[serde(borrow)]
    pub category: Cow<'a, str>,
    /// The level of the category.
    pub level: u64,
    /// The flagged parts.
    pub boundaries: Vec<Boundary>,
}

/// The blocked terms a held message contains.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BlockedTermReason<'a> {
    /// The terms found.
    #[serde(borrow)]
    pub terms_found: Vec<BlockedTermFound<'a>>,
}

/// A blocked term found in a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BlockedTermFound<'a> {
    /// The term's id.
    #[serde(borrow)]
    pub term_id: Cow<'a, str>,
    /// Where it is.
    pub boundary: Boundary,
    /// The user id of the channel that blocked the term (shared chat can apply another's).
    #[serde(borrow)]
    pub owner_broadcaster_user_id: UserId<'a>,
    /// That channel's login.
    #[serde(borrow)]
    pub owner_broadcaster_user_login: UserLogin<'a>,
    /// That channel's display name.
    #[serde(borrow)]
    pub owner_broadcaster_user_name: Cow<'a, str>,
}

/// `automod.message.hold` version 1: AutoMod held a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AutomodMessageHoldV1<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The sender's user id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The sender's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The sender's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// The message id.
    #[serde(borrow)]
    pub message_id: Cow<'a, str>,
    /// The message.
    #[serde(borrow)]
    pub message: HeldMessage<'a>,
    /// The category that caught it.
    #[serde(borrow)]
    pub category: Cow<'a, str>,
    /// The level of the category.
    pub level: u64,
    /// When it was held.
    #[serde(with = "rfc3339")]
    pub held_at: Timestamp,
}

/// `automod.message.hold` version 2: AutoMod or a blocked term held a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AutomodMessageHoldV2<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The sender's user id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The sender's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The sender's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// The message id.
    #[serde(borrow)]
    pub message_id: Cow<'a, str>,
    /// The message.
    #[serde(borrow)]
    pub message: HeldMessage<'a>,
    /// Why it was held.
    pub reason: HoldReason,
    /// AutoMod's reason, when [`HoldReason::Automod`].
    #[serde(borrow, default)]
    pub automod: Option<AutomodReason<'a>>,
    /// The blocked terms, when [`HoldReason::BlockedTerm`].
    #[serde(borrow, default)]
    pub blocked_term: Option<BlockedTermReason<'a>>,
    /// When it was held.
    #[serde(with = "rfc3339")]
    pub held_at: Timestamp,
}

/// `automod.message.update` version 1: a held message was approved, denied or expired.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AutomodMessageUpdateV1<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The sender's user id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The sender's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The sender's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// The reviewing moderator's user id.
    #[serde(borrow)]
    pub moderator_user_id: UserId<'a>,
    /// The moderator's login.
    #[serde(borrow)]
    pub moderator_user_login: UserLogin<'a>,
    /// The moderator's display name.
    #[serde(borrow)]
    pub moderator_user_name: Cow<'a, str>,
    /// The message id.
    #[serde(borrow)]
    pub message_id: Cow<'a, str>,
    /// The message.
    #[serde(borrow)]
    pub message: HeldMessage<'a>,
    /// The category that caught it.
    #[serde(borrow)]
    pub category: Cow<'a, str>,
    /// The level of the category.
    pub level: u64,
    /// What became of it.
    pub status: AutomodMessageStatus,
    /// When it was held.
    #[serde(with = "rfc3339")]
    pub held_at: Timestamp,
}

/// `automod.message.update` version 2: a held message (AutoMod or blocked term) was approved,
/// denied or expired.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AutomodMessageUpdateV2<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The sender's user id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The sender's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The sender's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// The reviewing moderator's user id.
    #[serde(borrow)]
    pub moderator_user_id: UserId<'a>,
    /// The moderator's login.
    #[serde(borrow)]
    pub moderator_user_login: UserLogin<'a>,
    /// The moderator's display name.
    #[serde(borrow)]
    pub moderator_user_name: Cow<'a, str>,
    /// The message id.
    #[serde(borrow)]
    pub message_id: Cow<'a, str>,
    /// The message.
    #[serde(borrow)]
    pub message: HeldMessage<'a>,
    /// Why it was held.
    pub reason: HoldReason,
    /// AutoMod's reason, when [`HoldReason::Automod`].
    #[serde(borrow, default)]
    pub automod: Option<AutomodReason<'a>>,
    /// The blocked terms, when [`HoldReason::BlockedTerm`].
    #[serde(borrow, default)]
    pub blocked_term: Option<BlockedTermReason<'a>>,
    /// What became of it.
    pub status: AutomodMessageStatus,
    /// When it was held.
    #[serde(with = "rfc3339")]
    pub held_at: Timestamp,
}

/// `automod.settings.update`: the AutoMod settings changed (levels 0 to 4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AutomodSettingsUpdate<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The moderator's user id.
    #[serde(borrow)]
    pub moderator_user_id: UserId<'a>,
    /// The moderator's login.
    #[serde(borrow)]
    pub moderator_user_login: UserLogin<'a>,
    /// The moderator's display name.
    #[serde(borrow)]
    pub moderator_user_name: Cow<'a, str>,
    /// Bullying.
    pub bullying: u8,
    /// The overall level, when the settings were set by it; `None` when set one by one.
    #[serde(default)]
    pub overall_level: Option<u8>,
    /// Disability discrimination.
    pub disability: u8,
    /// Racial, ethnic or religious discrimination.
    pub race_ethnicity_or_religion: u8,
    /// Misogyny.
    pub misogyny: u8,
    /// Discrimination on sexuality, sex or gender.
    pub sexuality_sex_or_gender: u8,
    /// Hostility.
    pub aggression: u8,
    /// Sexual terms.
    pub sex_based_terms: u8,
    /// Profanity.
    pub swearing: u8,
}

string_enum! {
    /// What changed in the terms lists.
    TermsAction {
        /// Terms permitted.
        AddPermitted => "add_permitted",
        /// Terms no longer permitted.
        RemovePermitted => "remove_permitted",
        /// Terms blocked.
        AddBlocked => "add_blocked",
        /// Terms no longer blocked.
        RemoveBlocked => "remove_blocked",
    }
}

/// `automod.terms.update`: blocked or permitted terms were added or removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AutomodTermsUpdate<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The moderator's user id.
    #[serde(borrow)]
    pub moderator_user_id: UserId<'a>,
    /// The moderator's login.
    #[serde(borrow)]
    pub moderator_user_login: UserLogin<'a>,
    /// The moderator's display name.
    #[serde(borrow)]
    pub moderator_user_name: Cow<'a, str>,
    /// What changed.
    pub action: TermsAction,
    /// Whether a moderator did it from an AutoMod review.
    pub from_automod: bool,
    /// The terms.
    #[serde(borrow)]
    pub terms: Vec<Cow<'a, str>>,
}
