//! `channel.moderate` versions 1 and 2: every moderator action in one event, with the object of
//! its action.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::common::{Timestamp, User, UserId, UserLogin, optional_text, rfc3339, string_enum};

string_enum! {
    /// The moderator action; the field of the same name (for `shared_chat_*`, the `shared_chat_*`
    /// field) holds its details.
    ModerateAction {
        /// Ban a user.
        Ban => "ban",
        /// Time a user out.
        Timeout => "timeout",
        /// Unban a user.
        Unban => "unban",
        /// End a timeout.
        Untimeout => "untimeout",
        /// Clear the chat.
        Clear => "clear",
        /// Emote-only mode on.
        EmoteOnly => "emoteonly",
        /// Emote-only mode off.
        EmoteOnlyOff => "emoteonlyoff",
        /// Follower-only mode on.
        Followers => "followers",
        /// Follower-only mode off.
        FollowersOff => "followersoff",
        /// Unique-chat mode on.
        UniqueChat => "uniquechat",
        /// Unique-chat mode off.
        UniqueChatOff => "uniquechatoff",
        /// Slow mode on.
        Slow => "slow",
        /// Slow mode off.
        SlowOff => "slowoff",
        /// Subscriber-only mode on.
        Subscribers => "subscribers",
        /// Subscriber-only mode off.
        SubscribersOff => "subscribersoff",
        /// Start a raid.
        Raid => "raid",
        /// Cancel a raid.
        Unraid => "unraid",
        /// Delete a message.
        Delete => "delete",
        /// Make a user a moderator.
        Mod => "mod",
        /// Remove a moderator.
        Unmod => "unmod",
        /// Make a user a VIP.
        Vip => "vip",
        /// Remove a VIP.
        Unvip => "unvip",
        /// Block a term.
        AddBlockedTerm => "add_blocked_term",
        /// Permit a term.
        AddPermittedTerm => "add_permitted_term",
        /// Unblock a term.
        RemoveBlockedTerm => "remove_blocked_term",
        /// Stop permitting a term.
        RemovePermittedTerm => "remove_permitted_term",
        /// Approve an unban request.
        ApproveUnbanRequest => "approve_unban_request",
        /// Deny an unban request.
        DenyUnbanRequest => "deny_unban_request",
        /// Warn a user (version 2).
        Warn => "warn",
        /// Ban a user in another channel of the shared chat session.
        SharedChatBan => "shared_chat_ban",
        /// Unban a user in another channel of the shared chat session.
        SharedChatUnban => "shared_chat_unban",
        /// Time a user out in another channel of the shared chat session.
        SharedChatTimeout => "shared_chat_timeout",
        /// End a timeout in another channel of the shared chat session.
        SharedChatUntimeout => "shared_chat_untimeout",
        /// Delete a message in another channel of the shared chat session.
        SharedChatDelete => "shared_chat_delete",
    }
}

/// `channel.moderate` (versions 1 and 2; `warn` only in 2): a moderator acted. Exactly the field
/// named by [`ChannelModerate::action`] is set (none for actions without details, such as
/// `clear`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelModerate<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// In a shared chat session, the user id of the channel where the action happened; `None` for
    /// this channel.
    #[serde(borrow, default)]
    pub source_broadcaster_user_id: Option<UserId<'a>>,
    /// In a shared chat session, that channel's login.
    #[serde(borrow, default)]
    pub source_broadcaster_user_login: Option<UserLogin<'a>>,
    /// In a shared chat session, that channel's display name.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub source_broadcaster_user_name: Option<Cow<'a, str>>,
    /// The moderator's user id.
    #[serde(borrow)]
    pub moderator_user_id: UserId<'a>,
    /// The moderator's login.
    #[serde(borrow)]
    pub moderator_user_login: UserLogin<'a>,
    /// The moderator's display name.
    #[serde(borrow)]
    pub moderator_user_name: Cow<'a, str>,
    /// What the moderator did.
    pub action: ModerateAction,
    /// For `followers`.
    #[serde(default)]
    pub followers: Option<FollowersMode>,
    /// For `slow`.
    #[serde(default)]
    pub slow: Option<SlowMode>,
    /// For `vip`.
    #[serde(borrow, default)]
    pub vip: Option<User<'a>>,
    /// For `unvip`.
    #[serde(borrow, default)]
    pub unvip: Option<User<'a>>,
    /// For `mod`.
    #[serde(borrow, default, rename = "mod")]
    pub mod_: Option<User<'a>>,
    /// For `unmod`.
    #[serde(borrow, default)]
    pub unmod: Option<User<'a>>,
    /// For `ban`.
    #[serde(borrow, default)]
    pub ban: Option<Ban<'a>>,
    /// For `unban`.
    #[serde(borrow, default)]
    pub unban: Option<User<'a>>,
    /// For `timeout`.
    #[serde(borrow, default)]
    pub timeout: Option<Timeout<'a>>,
    /// For `untimeout`.
    #[serde(borrow, default)]
    pub untimeout: Option<User<'a>>,
    /// For `raid`.
    #[serde(borrow, default)]
    pub raid: Option<Raid<'a>>,
    /// For `unraid`.
    #[serde(borrow, default)]
    pub unraid: Option<User<'a>>,
    /// For `delete`.
    #[serde(borrow, default)]
    pub delete: Option<Delete<'a>>,
    /// For the blocked and permitted term actions.
    #[serde(borrow, default)]
    pub automod_terms: Option<AutomodTerms<'a>>,
    /// For `approve_unban_request` and `deny_unban_request`.
    #[serde(borrow, default)]
    pub unban_request: Option<UnbanRequest<'a>>,
    /// For `warn` (version 2).
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub warn: Option<Warn<'a>>,
    /// For `shared_chat_ban`.
    #[serde(borrow, default)]
    pub shared_chat_ban: Option<Ban<'a>>,
    /// For `shared_chat_unban`.
    #[serde(borrow, default)]
    pub shared_chat_unban: Option<User<'a>>,
    /// For `shared_chat_timeout`.
    #[serde(borrow, default)]
    pub shared_chat_timeout: Option<Timeout<'a>>,
    /// For `shared_chat_untimeout`.
    #[serde(borrow, default)]
    pub shared_chat_untimeout: Option<User<'a>>,
    /// For `shared_chat_delete`.
    #[serde(borrow, default)]
    pub shared_chat_delete: Option<Delete<'a>>,
}

/// Follower-only mode turned on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FollowersMode {
    /// How long a user must have followed, in minutes.
    pub follow_duration_minutes: u64,
}

/// Slow mode turned on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SlowMode {
    /// The wait between a user's messages, in seconds.
    pub wait_time_seconds: u64,
}

/// A ban.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Ban<'a> {
    /// The banned user's id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The banned user's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The banned user's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// The reason, if given.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub reason: Option<Cow<'a, str>>,
}

/// A timeout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Timeout<'a> {
    /// The user's id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The user's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The user's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// The reason, if given.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub reason: Option<Cow<'a, str>>,
    /// When the timeout ends.
    #[serde(with = "rfc3339")]
    pub expires_at: Timestamp,
}

/// A raid started by a moderator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Raid<'a> {
    /// The raided channel's user id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The raided channel's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The raided channel's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// Viewers going along.
    pub viewer_count: u64,
}

/// A deleted message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Delete<'a> {
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
    /// The message text.
    #[serde(borrow)]
    pub message_body: Cow<'a, str>,
}

string_enum! {
    /// Whether terms were added or removed.
    TermsChange {
        /// Added.
        Add => "add",
        /// Removed.
        Remove => "remove",
    }
}

string_enum! {
    /// Which terms list changed.
    TermsList {
        /// The blocked terms.
        Blocked => "blocked",
        /// The permitted terms.
        Permitted => "permitted",
    }
}

/// Blocked or permitted terms changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AutomodTerms<'a> {
    /// Added or removed.
    pub action: TermsChange,
    /// Which list.
    pub list: TermsList,
    /// The terms.
    #[serde(borrow)]
    pub terms: Vec<Cow<'a, str>>,
    /// Whether it was done from an AutoMod review.
    pub from_automod: bool,
}

/// An unban request resolved by a moderator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UnbanRequest<'a> {
    /// Approved (or denied).
    pub is_approved: bool,
    /// The requesting user's id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The requesting user's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The requesting user's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// The moderator's message.
    #[serde(borrow)]
    pub moderator_message: Cow<'a, str>,
}

/// A warning.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Warn<'a> {
    /// The warned user's id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The warned user's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The warned user's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// The reason, if given.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub reason: Option<Cow<'a, str>>,
    /// The chat rules cited, if any.
    #[serde(borrow, default)]
    pub chat_rules_cited: Option<Vec<Cow<'a, str>>>,
}
