//! `channel.*`: channel updates, follows, subscriptions, cheers, bits, raids and ad breaks.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::common::{
    RawJson, Timestamp, UserId, UserLogin, lenient, optional_text, rfc3339, string_enum,
};

string_enum! {
    /// A subscription tier.
    SubscriptionTier {
        /// Tier 1 (also Prime).
        Tier1 => "1000",
        /// Tier 2.
        Tier2 => "2000",
        /// Tier 3.
        Tier3 => "3000",
    }
}

/// `channel.update` version 2: the broadcaster changed the title, language, category or content
/// classification labels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelUpdate<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The stream title.
    #[serde(borrow)]
    pub title: Cow<'a, str>,
    /// The language (ISO 639-1), `other` when not a supported language.
    #[serde(borrow)]
    pub language: Cow<'a, str>,
    /// The category id.
    #[serde(borrow)]
    pub category_id: Cow<'a, str>,
    /// The category name.
    #[serde(borrow)]
    pub category_name: Cow<'a, str>,
    /// The content classification label ids in effect.
    #[serde(borrow)]
    pub content_classification_labels: Vec<Cow<'a, str>>,
}

/// `channel.follow` version 2: a user followed the broadcaster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelFollow<'a> {
    /// The follower's user id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The follower's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The follower's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// When the follow happened.
    #[serde(with = "rfc3339")]
    pub followed_at: Timestamp,
}

/// `channel.ad_break.begin`: an ad break began.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelAdBreakBegin<'a> {
    /// How long the ad break lasts, in seconds. (Twitch's example sends it as a string; both
    /// decode.)
    #[serde(deserialize_with = "lenient")]
    pub duration_seconds: u32,
    /// When the ad break began.
    #[serde(with = "rfc3339")]
    pub started_at: Timestamp,
    /// Whether it was scheduled by Ads Manager rather than run by a person.
    #[serde(deserialize_with = "lenient")]
    pub is_automatic: bool,
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The user id of who started the ad break (the broadcaster for an automatic one).
    #[serde(borrow)]
    pub requester_user_id: UserId<'a>,
    /// The requester's login.
    #[serde(borrow)]
    pub requester_user_login: UserLogin<'a>,
    /// The requester's display name.
    #[serde(borrow)]
    pub requester_user_name: Cow<'a, str>,
}

string_enum! {
    /// How bits were used.
    BitsUseType {
        /// A cheer in chat.
        Cheer => "cheer",
        /// A Power-up.
        PowerUp => "power_up",
        /// A Power-up the broadcaster made.
        CustomPowerUp => "custom_power_up",
        /// A combo (no longer sent, kept for older events).
        Combo => "combo",
    }
}

string_enum! {
    /// The kind of a fragment of a message sent with bits.
    BitsFragmentType {
        /// Plain text.
        Text => "text",
        /// A cheermote.
        Cheermote => "cheermote",
        /// An emote.
        Emote => "emote",
    }
}

string_enum! {
    /// The kind of a Power-up.
    PowerUpType {
        /// A message effect.
        MessageEffect => "message_effect",
        /// An on-screen celebration.
        Celebration => "celebration",
        /// A gigantified emote.
        GigantifyAnEmote => "gigantify_an_emote",
    }
}

/// `channel.bits.use`: a user used bits (a cheer, a Power-up or a custom Power-up).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelBitsUse<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The user's id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The user's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The user's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// How many bits were used.
    pub bits: u64,
    /// How they were used.
    #[serde(rename = "type")]
    pub use_type: BitsUseType,
    /// The chat message sent with them, if any.
    #[serde(borrow, default)]
    pub message: Option<BitsMessage<'a>>,
    /// The Power-up, for [`BitsUseType::PowerUp`].
    #[serde(borrow, default)]
    pub power_up: Option<PowerUp<'a>>,
    /// The broadcaster's own Power-up, for [`BitsUseType::CustomPowerUp`], as sent: Twitch's
    /// reference example shows it only as `null`, and the libraries that read it disagree on its
    /// fields, so they are not typed yet.
    #[serde(borrow, default)]
    pub custom_power_up: Option<RawJson<'a>>,
}

/// A chat message sent with bits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BitsMessage<'a> {
    /// The whole text.
    #[serde(borrow)]
    pub text: Cow<'a, str>,
    /// The text split into text, cheermotes and emotes.
    #[serde(borrow)]
    pub fragments: Vec<BitsFragment<'a>>,
}

/// One fragment of a [`BitsMessage`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BitsFragment<'a> {
    /// The fragment's text.
    #[serde(borrow)]
    pub text: Cow<'a, str>,
    /// What the fragment is.
    #[serde(rename = "type")]
    pub kind: BitsFragmentType,
    /// The emote, for an emote fragment: its id, set, owner and formats, as in a chat message.
    #[serde(borrow, default)]
    pub emote: Option<super::chat::Emote<'a>>,
    /// The cheermote, for a cheermote fragment.
    #[serde(borrow, default)]
    pub cheermote: Option<super::chat::Cheermote<'a>>,
}

/// A Power-up bought with bits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PowerUp<'a> {
    /// The kind of Power-up.
    #[serde(rename = "type")]
    pub kind: PowerUpType,
    /// The emote, for a gigantified emote.
    #[serde(borrow, default)]
    pub emote: Option<PowerUpEmote<'a>>,
    /// The message effect's id, for a message effect.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub message_effect_id: Option<Cow<'a, str>>,
}

/// An emote named by id and name only (a Power-up's emote, an unlocked reward emote): unlike the
/// emote of a message fragment, it carries no set, owner or formats.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PowerUpEmote<'a> {
    /// The emote id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The emote's token as typed in chat, such as `Kappa`.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
}

/// `channel.subscribe` and `channel.subscription.end`: a user subscribed, or a subscription ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelSubscribe<'a> {
    /// The subscriber's user id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The subscriber's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The subscriber's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The tier.
    pub tier: SubscriptionTier,
    /// Whether the subscription was a gift.
    pub is_gift: bool,
}

/// `channel.subscription.end`: same fields as [`ChannelSubscribe`].
pub type ChannelSubscriptionEnd<'a> = ChannelSubscribe<'a>;

/// `channel.subscription.gift`: a user gifted subscriptions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelSubscriptionGift<'a> {
    /// The gifter's user id; `None` for an anonymous gift.
    #[serde(borrow, default)]
    pub user_id: Option<UserId<'a>>,
    /// The gifter's login; `None` for an anonymous gift.
    #[serde(borrow, default)]
    pub user_login: Option<UserLogin<'a>>,
    /// The gifter's display name; `None` for an anonymous gift.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub user_name: Option<Cow<'a, str>>,
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// How many subscriptions were gifted.
    pub total: u64,
    /// Their tier.
    pub tier: SubscriptionTier,
    /// How many the user has gifted in the channel; `None` when anonymous or not shared.
    #[serde(default)]
    pub cumulative_total: Option<u64>,
    /// Whether the gift was anonymous.
    pub is_anonymous: bool,
}

/// `channel.subscription.message`: a user shared a resubscription message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelSubscriptionMessage<'a> {
    /// The subscriber's user id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The subscriber's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The subscriber's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The tier.
    pub tier: SubscriptionTier,
    /// The message.
    #[serde(borrow)]
    pub message: SubscriptionMessageText<'a>,
    /// Total months subscribed.
    pub cumulative_months: u64,
    /// Consecutive months subscribed; `None` when the user does not share it.
    #[serde(default)]
    pub streak_months: Option<u64>,
    /// Months of the subscription bought.
    pub duration_months: u64,
}

/// The text of a resubscription message, with where its emotes are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SubscriptionMessageText<'a> {
    /// The text.
    #[serde(borrow)]
    pub text: Cow<'a, str>,
    /// The emotes in it; empty when none (Twitch may send `null`).
    #[serde(borrow, default, deserialize_with = "super::common::null_as_default")]
    pub emotes: Vec<EmotePosition<'a>>,
}

/// Where an emote sits in a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EmotePosition<'a> {
    /// Index of its first character.
    pub begin: u64,
    /// Index of its last character.
    pub end: u64,
    /// The emote id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
}

/// `channel.cheer`: a user cheered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelCheer<'a> {
    /// Whether the cheer was anonymous.
    pub is_anonymous: bool,
    /// The user's id; `None` when anonymous.
    #[serde(borrow, default)]
    pub user_id: Option<UserId<'a>>,
    /// The user's login; `None` when anonymous.
    #[serde(borrow, default)]
    pub user_login: Option<UserLogin<'a>>,
    /// The user's display name; `None` when anonymous.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub user_name: Option<Cow<'a, str>>,
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The message sent with the cheer.
    #[serde(borrow)]
    pub message: Cow<'a, str>,
    /// How many bits were cheered.
    pub bits: u64,
}

/// `channel.raid`: a broadcaster raided another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelRaid<'a> {
    /// The raiding broadcaster's user id.
    #[serde(borrow)]
    pub from_broadcaster_user_id: UserId<'a>,
    /// The raiding broadcaster's login.
    #[serde(borrow)]
    pub from_broadcaster_user_login: UserLogin<'a>,
    /// The raiding broadcaster's display name.
    #[serde(borrow)]
    pub from_broadcaster_user_name: Cow<'a, str>,
    /// The raided broadcaster's user id.
    #[serde(borrow)]
    pub to_broadcaster_user_id: UserId<'a>,
    /// The raided broadcaster's login.
    #[serde(borrow)]
    pub to_broadcaster_user_login: UserLogin<'a>,
    /// The raided broadcaster's display name.
    #[serde(borrow)]
    pub to_broadcaster_user_name: Cow<'a, str>,
    /// How many viewers came along.
    pub viewers: u64,
}
