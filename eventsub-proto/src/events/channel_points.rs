//! `channel.channel_points_*`: custom rewards, their redemptions, and automatic rewards.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::common::{Timestamp, UserId, UserLogin, rfc3339, string_enum};

/// A custom reward (`channel.channel_points_custom_reward.add`, `.update` and `.remove`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomReward<'a> {
    /// The reward id.
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
    /// Whether viewers see and can redeem it.
    pub is_enabled: bool,
    /// Whether redemptions are paused.
    pub is_paused: bool,
    /// Whether it is in stock.
    pub is_in_stock: bool,
    /// The title.
    #[serde(borrow)]
    pub title: Cow<'a, str>,
    /// The cost in channel points.
    pub cost: u64,
    /// The prompt shown to the viewer.
    #[serde(borrow)]
    pub prompt: Cow<'a, str>,
    /// Whether the viewer must type something.
    pub is_user_input_required: bool,
    /// Whether redemptions are fulfilled at once, skipping the request queue.
    pub should_redemptions_skip_request_queue: bool,
    /// The limit of redemptions per stream.
    pub max_per_stream: Limit,
    /// The limit of redemptions per user per stream.
    pub max_per_user_per_stream: Limit,
    /// The background colour (`#RRGGBB`).
    #[serde(borrow)]
    pub background_color: Cow<'a, str>,
    /// The custom image, if any.
    #[serde(borrow, default)]
    pub image: Option<Images<'a>>,
    /// The default image.
    #[serde(borrow)]
    pub default_image: Images<'a>,
    /// The cooldown between redemptions.
    pub global_cooldown: Cooldown,
    /// When the cooldown ends; `None` when not cooling down.
    #[serde(default, with = "rfc3339::option")]
    pub cooldown_expires_at: Option<Timestamp>,
    /// Redemptions in the current stream; `None` when not live or no limit is set.
    #[serde(default)]
    pub redemptions_redeemed_current_stream: Option<u64>,
}

/// A limit that can be switched off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Limit {
    /// Whether the limit applies.
    pub is_enabled: bool,
    /// The limit (0 when Twitch sends `null` for a limit that is off).
    #[serde(default, deserialize_with = "super::common::null_as_default")]
    pub value: u64,
}

/// A cooldown that can be switched off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cooldown {
    /// Whether the cooldown applies.
    pub is_enabled: bool,
    /// The cooldown in seconds (0 when Twitch sends `null` for a cooldown that is off).
    #[serde(default, deserialize_with = "super::common::null_as_default")]
    pub seconds: u64,
}

/// An image in three sizes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Images<'a> {
    /// 28×28 (custom) or 112×112 (default).
    #[serde(borrow)]
    pub url_1x: Cow<'a, str>,
    /// Twice the size.
    #[serde(borrow)]
    pub url_2x: Cow<'a, str>,
    /// Four times the size.
    #[serde(borrow)]
    pub url_4x: Cow<'a, str>,
}

string_enum! {
    /// The state of a redemption.
    RedemptionStatus {
        /// Unknown to Twitch itself (Twitch's `unknown`).
        Unspecified => "unknown",
        /// Waiting in the request queue.
        Unfulfilled => "unfulfilled",
        /// Fulfilled.
        Fulfilled => "fulfilled",
        /// Canceled (points refunded).
        Canceled => "canceled",
    }
}

/// A redemption of a custom reward (`channel.channel_points_custom_reward_redemption.add` and
/// `.update`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomRewardRedemption<'a> {
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
    /// What the user typed (empty when the reward asks for nothing).
    #[serde(borrow)]
    pub user_input: Cow<'a, str>,
    /// The state of the redemption.
    pub status: RedemptionStatus,
    /// The reward redeemed.
    #[serde(borrow)]
    pub reward: RewardSummary<'a>,
    /// When it was redeemed.
    #[serde(with = "rfc3339")]
    pub redeemed_at: Timestamp,
}

/// A reward as a redemption names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RewardSummary<'a> {
    /// The reward id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The title.
    #[serde(borrow)]
    pub title: Cow<'a, str>,
    /// The cost in channel points.
    pub cost: u64,
    /// The prompt.
    #[serde(borrow)]
    pub prompt: Cow<'a, str>,
}

string_enum! {
    /// The kind of an automatic reward.
    AutomaticRewardType {
        /// Send a message in sub-only mode.
        SingleMessageBypassSubMode => "single_message_bypass_sub_mode",
        /// Send a highlighted message.
        SendHighlightedMessage => "send_highlighted_message",
        /// Unlock a random sub emote.
        RandomSubEmoteUnlock => "random_sub_emote_unlock",
        /// Unlock a chosen sub emote.
        ChosenSubEmoteUnlock => "chosen_sub_emote_unlock",
        /// Unlock a chosen modified sub emote.
        ChosenModifiedSubEmoteUnlock => "chosen_modified_sub_emote_unlock",
        /// A Power-up message effect (version 1 only: version 2 leaves Power-ups to
        /// `channel.bits.use`).
        MessageEffect => "message_effect",
        /// A Power-up gigantified emote (version 1 only).
        GigantifyAnEmote => "gigantify_an_emote",
        /// A Power-up on-screen celebration (version 1 only).
        Celebration => "celebration",
    }
}

/// `channel.channel_points_automatic_reward_redemption.add` version 2: a viewer redeemed an
/// automatic reward.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AutomaticRewardRedemptionAddV2<'a> {
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
    /// The redemption id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The reward.
    #[serde(borrow)]
    pub reward: AutomaticReward<'a>,
    /// The message sent with it, if any.
    #[serde(borrow, default)]
    pub message: Option<RewardMessage<'a>>,
    /// When it was redeemed.
    #[serde(with = "rfc3339")]
    pub redeemed_at: Timestamp,
}

/// An automatic reward.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AutomaticReward<'a> {
    /// The kind of reward.
    #[serde(rename = "type")]
    pub kind: AutomaticRewardType,
    /// The cost in channel points.
    pub channel_points: u64,
    /// The emote unlocked, for an emote reward.
    #[serde(borrow, default)]
    pub emote: Option<super::channel::PowerUpEmote<'a>>,
}

/// A message sent with an automatic reward.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RewardMessage<'a> {
    /// The whole text.
    #[serde(borrow)]
    pub text: Cow<'a, str>,
    /// The text split into text and emotes.
    #[serde(borrow)]
    pub fragments: Vec<RewardFragment<'a>>,
}

/// One fragment of a [`RewardMessage`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RewardFragment<'a> {
    /// The fragment's text.
    #[serde(borrow)]
    pub text: Cow<'a, str>,
    /// What the fragment is (text or emote).
    #[serde(rename = "type")]
    pub kind: super::chat::FragmentType,
    /// The emote, for an emote fragment.
    #[serde(borrow, default)]
    pub emote: Option<EmoteId<'a>>,
}

/// An emote named by its id alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EmoteId<'a> {
    /// The emote id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
}

/// `channel.channel_points_automatic_reward_redemption.add` version 1: a viewer redeemed an
/// automatic reward.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AutomaticRewardRedemptionAddV1<'a> {
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
    /// The redemption id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The reward.
    #[serde(borrow)]
    pub reward: AutomaticRewardV1<'a>,
    /// The message sent with it.
    #[serde(borrow)]
    pub message: super::channel::SubscriptionMessageText<'a>,
    /// What the user typed, if the reward asks for it.
    #[serde(borrow, default, deserialize_with = "super::common::optional_text")]
    pub user_input: Option<Cow<'a, str>>,
    /// When it was redeemed.
    #[serde(with = "rfc3339")]
    pub redeemed_at: Timestamp,
}

/// An automatic reward, as version 1 describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AutomaticRewardV1<'a> {
    /// The kind of reward.
    #[serde(rename = "type")]
    pub kind: AutomaticRewardType,
    /// The cost in channel points.
    pub cost: u64,
    /// The emote unlocked, for an emote reward.
    #[serde(borrow, default)]
    pub unlocked_emote: Option<super::channel::PowerUpEmote<'a>>,
}
