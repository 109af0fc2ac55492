//! `channel.chat.*`, `channel.chat_settings.update` and `channel.shared_chat.*`: chat messages and
//! what happens to them, chat settings, shared chat sessions.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::common::{Broadcaster, UserId, UserLogin, optional_text, string_enum};

string_enum! {
    /// The kind of a chat message fragment.
    FragmentType {
        /// Plain text.
        Text => "text",
        /// A cheermote.
        Cheermote => "cheermote",
        /// An emote.
        Emote => "emote",
        /// A mention of a user.
        Mention => "mention",
    }
}

string_enum! {
    /// The kind of a chat message.
    ChatMessageType {
        /// A plain message.
        Text => "text",
        /// Highlighted with channel points.
        ChannelPointsHighlighted => "channel_points_highlighted",
        /// Sent in sub-only mode with channel points.
        ChannelPointsSubOnly => "channel_points_sub_only",
        /// The user's first message in the channel.
        UserIntro => "user_intro",
        /// With a Power-up message effect.
        PowerUpsMessageEffect => "power_ups_message_effect",
        /// With a gigantified emote Power-up.
        PowerUpsGigantifiedEmote => "power_ups_gigantified_emote",
    }
}

string_enum! {
    /// An image format of an emote.
    EmoteFormat {
        /// A static image.
        Static => "static",
        /// An animated image.
        Animated => "animated",
    }
}

/// `channel.chat.message`: a user sent a message to the chat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatMessage<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The chatter's user id.
    #[serde(borrow)]
    pub chatter_user_id: UserId<'a>,
    /// The chatter's login.
    #[serde(borrow)]
    pub chatter_user_login: UserLogin<'a>,
    /// The chatter's display name.
    #[serde(borrow)]
    pub chatter_user_name: Cow<'a, str>,
    /// The message id.
    #[serde(borrow)]
    pub message_id: Cow<'a, str>,
    /// The message.
    #[serde(borrow)]
    pub message: ChatMessageBody<'a>,
    /// The kind of message.
    pub message_type: ChatMessageType,
    /// The chatter's badges.
    #[serde(borrow)]
    pub badges: Vec<Badge<'a>>,
    /// The bits cheered, for a cheer.
    #[serde(default)]
    pub cheer: Option<Cheer>,
    /// The chatter's name colour (`#RRGGBB`), empty when they never chose one.
    #[serde(borrow)]
    pub color: Cow<'a, str>,
    /// The message this one replies to, for a reply.
    #[serde(borrow, default)]
    pub reply: Option<Reply<'a>>,
    /// The custom reward redeemed with the message, if any.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub channel_points_custom_reward_id: Option<Cow<'a, str>>,
    /// The animation of a Power-up message effect, if any.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub channel_points_animation_id: Option<Cow<'a, str>>,
    /// In a shared chat session, the user id of the channel the message was sent in.
    #[serde(borrow, default)]
    pub source_broadcaster_user_id: Option<UserId<'a>>,
    /// In a shared chat session, the login of the channel the message was sent in.
    #[serde(borrow, default)]
    pub source_broadcaster_user_login: Option<UserLogin<'a>>,
    /// In a shared chat session, the display name of the channel the message was sent in.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub source_broadcaster_user_name: Option<Cow<'a, str>>,
    /// In a shared chat session, the message id in the channel it was sent in.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub source_message_id: Option<Cow<'a, str>>,
    /// In a shared chat session, the chatter's badges in the channel the message was sent in.
    #[serde(borrow, default)]
    pub source_badges: Option<Vec<Badge<'a>>>,
    /// In a shared chat session, whether the message is shown only in the channel it was sent in.
    #[serde(default)]
    pub is_source_only: Option<bool>,
}

/// The text of a chat message, split into fragments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatMessageBody<'a> {
    /// The whole text.
    #[serde(borrow)]
    pub text: Cow<'a, str>,
    /// The text split into text, cheermotes, emotes and mentions.
    #[serde(borrow)]
    pub fragments: Vec<Fragment<'a>>,
}

/// One fragment of a chat message: what it is, its text, and the object of its kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Fragment<'a> {
    /// What the fragment is.
    #[serde(rename = "type")]
    pub kind: FragmentType,
    /// The fragment's text.
    #[serde(borrow)]
    pub text: Cow<'a, str>,
    /// The cheermote, for a cheermote fragment.
    #[serde(borrow, default)]
    pub cheermote: Option<Cheermote<'a>>,
    /// The emote, for an emote fragment.
    #[serde(borrow, default)]
    pub emote: Option<Emote<'a>>,
    /// The user mentioned, for a mention fragment.
    #[serde(borrow, default)]
    pub mention: Option<super::common::User<'a>>,
}

/// A cheermote in a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cheermote<'a> {
    /// The name part of the cheermote (`cheer` in `Cheer100`).
    #[serde(borrow)]
    pub prefix: Cow<'a, str>,
    /// The bits cheered.
    pub bits: u64,
    /// The tier level of the cheermote.
    pub tier: u64,
}

/// An emote in a chat message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Emote<'a> {
    /// The emote id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The emote set id.
    #[serde(borrow)]
    pub emote_set_id: Cow<'a, str>,
    /// The user id of the broadcaster who owns the emote.
    #[serde(borrow)]
    pub owner_id: UserId<'a>,
    /// The formats the emote comes in.
    pub format: Vec<EmoteFormat>,
}

/// An emote as messages other than chat messages name one: its id and set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EmoteRef<'a> {
    /// The emote id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The emote set id.
    #[serde(borrow)]
    pub emote_set_id: Cow<'a, str>,
}

/// A chat badge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Badge<'a> {
    /// The badge set, such as `subscriber`.
    #[serde(borrow)]
    pub set_id: Cow<'a, str>,
    /// The badge within the set, such as `12`.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// More about the badge: for `subscriber`, the months subscribed.
    #[serde(borrow)]
    pub info: Cow<'a, str>,
}

/// The bits of a cheer message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cheer {
    /// The bits cheered.
    pub bits: u64,
}

/// What a chat message replies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Reply<'a> {
    /// The id of the message replied to.
    #[serde(borrow)]
    pub parent_message_id: Cow<'a, str>,
    /// The text of the message replied to.
    #[serde(borrow)]
    pub parent_message_body: Cow<'a, str>,
    /// The user id of its sender.
    #[serde(borrow)]
    pub parent_user_id: UserId<'a>,
    /// The display name of its sender.
    #[serde(borrow)]
    pub parent_user_name: Cow<'a, str>,
    /// The login of its sender.
    #[serde(borrow)]
    pub parent_user_login: UserLogin<'a>,
    /// The id of the message that started the thread.
    #[serde(borrow)]
    pub thread_message_id: Cow<'a, str>,
    /// The user id of the thread's first sender.
    #[serde(borrow)]
    pub thread_user_id: UserId<'a>,
    /// The display name of the thread's first sender.
    #[serde(borrow)]
    pub thread_user_name: Cow<'a, str>,
    /// The login of the thread's first sender.
    #[serde(borrow)]
    pub thread_user_login: UserLogin<'a>,
}

/// `channel.chat.clear`: a moderator or bot cleared the chat.
pub type ChatClear<'a> = Broadcaster<'a>;

/// `channel.chat.clear_user_messages`: a user's messages were cleared (ban or timeout).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatClearUserMessages<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The user id of the user whose messages were cleared.
    #[serde(borrow)]
    pub target_user_id: UserId<'a>,
    /// Their login.
    #[serde(borrow)]
    pub target_user_login: UserLogin<'a>,
    /// Their display name.
    #[serde(borrow)]
    pub target_user_name: Cow<'a, str>,
}

/// `channel.chat.message_delete`: a moderator deleted a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatMessageDelete<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The user id of the message's sender.
    #[serde(borrow)]
    pub target_user_id: UserId<'a>,
    /// Their login.
    #[serde(borrow)]
    pub target_user_login: UserLogin<'a>,
    /// Their display name.
    #[serde(borrow)]
    pub target_user_name: Cow<'a, str>,
    /// The deleted message's id.
    #[serde(borrow)]
    pub message_id: Cow<'a, str>,
}

/// `channel.chat_settings.update`: the chat settings changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatSettingsUpdate<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// Emote-only mode.
    pub emote_mode: bool,
    /// Follower-only mode.
    pub follower_mode: bool,
    /// In follower-only mode, how long a user must have followed, in minutes.
    #[serde(default)]
    pub follower_mode_duration_minutes: Option<u64>,
    /// Slow mode.
    pub slow_mode: bool,
    /// In slow mode, the wait between a user's messages, in seconds.
    #[serde(default)]
    pub slow_mode_wait_time_seconds: Option<u64>,
    /// Subscriber-only mode.
    pub subscriber_mode: bool,
    /// Unique-chat mode (no repeated messages).
    pub unique_chat_mode: bool,
}

/// A message held for review, split into fragments (AutoMod, chat holds, suspicious users).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HeldMessage<'a> {
    /// The whole text.
    #[serde(borrow)]
    pub text: Cow<'a, str>,
    /// The text split into text, cheermotes and emotes.
    #[serde(borrow)]
    pub fragments: Vec<HeldFragment<'a>>,
}

/// One fragment of a [`HeldMessage`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HeldFragment<'a> {
    /// What the fragment is (text, cheermote or emote).
    #[serde(rename = "type")]
    pub kind: FragmentType,
    /// The fragment's text.
    #[serde(borrow)]
    pub text: Cow<'a, str>,
    /// The cheermote, for a cheermote fragment.
    #[serde(borrow, default)]
    pub cheermote: Option<Cheermote<'a>>,
    /// The emote, for an emote fragment.
    #[serde(borrow, default)]
    pub emote: Option<EmoteRef<'a>>,
}

/// `channel.chat.user_message_hold`: AutoMod held the user's message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatUserMessageHold<'a> {
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
    /// The message id.
    #[serde(borrow)]
    pub message_id: Cow<'a, str>,
    /// The message.
    #[serde(borrow)]
    pub message: HeldMessage<'a>,
}

string_enum! {
    /// What became of a held message, as the sender sees it: Twitch documents exactly `approved`,
    /// `denied` and `invalid` for `channel.chat.user_message_update` (no `expired`, unlike
    /// `automod.message.update`; any other value decodes as `Unknown`).
    HeldMessageStatus {
        /// A moderator approved it: it was sent to chat.
        Approved => "approved",
        /// A moderator denied it: it was not sent.
        Denied => "denied",
        /// Neither approved nor denied (Twitch lists the value without describing it further).
        Invalid => "invalid",
    }
}

/// `channel.chat.user_message_update`: the user's held message was approved, denied or became
/// invalid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatUserMessageUpdate<'a> {
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
    /// What became of the message.
    pub status: HeldMessageStatus,
    /// The message id.
    #[serde(borrow)]
    pub message_id: Cow<'a, str>,
    /// The message.
    #[serde(borrow)]
    pub message: HeldMessage<'a>,
}

/// `channel.shared_chat.begin` and `channel.shared_chat.update`: a shared chat session began or
/// its participants changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SharedChatBegin<'a> {
    /// The session id.
    #[serde(borrow)]
    pub session_id: Cow<'a, str>,
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The user id of the host channel.
    #[serde(borrow)]
    pub host_broadcaster_user_id: UserId<'a>,
    /// The login of the host channel.
    #[serde(borrow)]
    pub host_broadcaster_user_login: UserLogin<'a>,
    /// The display name of the host channel.
    #[serde(borrow)]
    pub host_broadcaster_user_name: Cow<'a, str>,
    /// The channels in the session.
    #[serde(borrow)]
    pub participants: Vec<Broadcaster<'a>>,
}

/// `channel.shared_chat.update`: same fields as [`SharedChatBegin`].
pub type SharedChatUpdate<'a> = SharedChatBegin<'a>;

/// `channel.shared_chat.end`: the channel left a shared chat session, or it ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SharedChatEnd<'a> {
    /// The session id.
    #[serde(borrow)]
    pub session_id: Cow<'a, str>,
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The user id of the host channel.
    #[serde(borrow)]
    pub host_broadcaster_user_id: UserId<'a>,
    /// The login of the host channel.
    #[serde(borrow)]
    pub host_broadcaster_user_login: UserLogin<'a>,
    /// The display name of the host channel.
    #[serde(borrow)]
    pub host_broadcaster_user_name: Cow<'a, str>,
}
