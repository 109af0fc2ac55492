//! Moderation: bans, unbans, unban requests, moderators, VIPs, warnings and suspicious users.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::chat::HeldFragment;
use super::common::{Timestamp, UserId, UserLogin, optional_text, rfc3339, string_enum};

/// `channel.ban`: a user was banned or timed out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelBan<'a> {
    /// The banned user's id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The banned user's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The banned user's display name.
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
    /// The moderator's user id.
    #[serde(borrow)]
    pub moderator_user_id: UserId<'a>,
    /// The moderator's login.
    #[serde(borrow)]
    pub moderator_user_login: UserLogin<'a>,
    /// The moderator's display name.
    #[serde(borrow)]
    pub moderator_user_name: Cow<'a, str>,
    /// The reason given.
    #[serde(borrow)]
    pub reason: Cow<'a, str>,
    /// When the ban began.
    #[serde(with = "rfc3339")]
    pub banned_at: Timestamp,
    /// When a timeout ends; `None` for a permanent ban.
    #[serde(default, with = "rfc3339::option")]
    pub ends_at: Option<Timestamp>,
    /// Whether the ban is permanent (not a timeout).
    pub is_permanent: bool,
}

/// `channel.unban`: a user was unbanned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelUnban<'a> {
    /// The unbanned user's id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The unbanned user's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The unbanned user's display name.
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
    /// The moderator's user id.
    #[serde(borrow)]
    pub moderator_user_id: UserId<'a>,
    /// The moderator's login.
    #[serde(borrow)]
    pub moderator_user_login: UserLogin<'a>,
    /// The moderator's display name.
    #[serde(borrow)]
    pub moderator_user_name: Cow<'a, str>,
}

/// A user's role in a channel changed, or they acknowledged a warning: the broadcaster and the
/// user, nothing else (`channel.moderator.add`/`remove`, `channel.vip.add`/`remove`,
/// `channel.warning.acknowledge`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelUserChange<'a> {
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
}

/// `channel.moderator.add`: the user became a moderator.
pub type ChannelModeratorAdd<'a> = ChannelUserChange<'a>;
/// `channel.moderator.remove`: the user is no longer a moderator.
pub type ChannelModeratorRemove<'a> = ChannelUserChange<'a>;
/// `channel.vip.add`: the user became a VIP.
pub type ChannelVipAdd<'a> = ChannelUserChange<'a>;
/// `channel.vip.remove`: the user is no longer a VIP.
pub type ChannelVipRemove<'a> = ChannelUserChange<'a>;
/// `channel.warning.acknowledge`: the user acknowledged a warning.
pub type ChannelWarningAcknowledge<'a> = ChannelUserChange<'a>;

/// `channel.unban_request.create`: a user asked to be unbanned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelUnbanRequestCreate<'a> {
    /// The request's id.
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
    /// The requesting user's id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The requesting user's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The requesting user's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// The request's text.
    #[serde(borrow)]
    pub text: Cow<'a, str>,
    /// When the request was made.
    #[serde(with = "rfc3339")]
    pub created_at: Timestamp,
}

string_enum! {
    /// How an unban request was resolved.
    UnbanRequestStatus {
        /// Approved: the user is unbanned.
        Approved => "approved",
        /// Withdrawn by the user.
        Canceled => "canceled",
        /// Denied.
        Denied => "denied",
    }
}

/// `channel.unban_request.resolve`: an unban request was approved, denied or withdrawn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelUnbanRequestResolve<'a> {
    /// The request's id.
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
    /// The resolving moderator's user id; `None` when the user withdrew the request.
    #[serde(borrow, default)]
    pub moderator_user_id: Option<UserId<'a>>,
    /// The resolving moderator's login.
    #[serde(borrow, default)]
    pub moderator_user_login: Option<UserLogin<'a>>,
    /// The resolving moderator's display name.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub moderator_user_name: Option<Cow<'a, str>>,
    /// The requesting user's id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The requesting user's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The requesting user's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// The moderator's note, if any.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub resolution_text: Option<Cow<'a, str>>,
    /// How it was resolved.
    pub status: UnbanRequestStatus,
}

/// `channel.warning.send`: a moderator warned a user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelWarningSend<'a> {
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
    /// The warned user's id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The warned user's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The warned user's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// The reason given, if any.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub reason: Option<Cow<'a, str>>,
    /// The chat rules cited, if any.
    #[serde(borrow, default)]
    pub chat_rules_cited: Option<Vec<Cow<'a, str>>>,
}

string_enum! {
    /// How a suspicious user is treated.
    LowTrustStatus {
        /// Not treated as suspicious.
        None => "none",
        /// Their messages are shown to moderators.
        ActiveMonitoring => "active_monitoring",
        /// Their messages are shown to moderators only.
        Restricted => "restricted",
    }
}

string_enum! {
    /// Why a user is treated as suspicious.
    ///
    /// Spelled as delivered events spell them; the reference has also spelled them `manual`,
    /// `ban_evader_detector` and `shared_channel_ban`, which decode to the same values.
    SuspiciousUserType {
        /// A moderator marked them.
        ManuallyAdded => "manually_added" | "manual",
        /// Detected as a possible ban evader.
        BanEvader => "ban_evader" | "ban_evader_detector",
        /// Banned in a channel that shares bans with this one.
        BannedInSharedChannel => "banned_in_shared_channel" | "shared_channel_ban",
    }
}

string_enum! {
    /// How likely a user evades a ban.
    BanEvasionEvaluation {
        /// Not evaluated (Twitch's `unknown`).
        NotEvaluated => "unknown",
        /// Possibly.
        Possible => "possible",
        /// Likely.
        Likely => "likely",
    }
}

/// `channel.suspicious_user.message`: a user treated as suspicious sent a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelSuspiciousUserMessage<'a> {
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
    /// How the user is treated.
    pub low_trust_status: LowTrustStatus,
    /// The channels that banned the user and share bans with this one.
    #[serde(borrow, default, deserialize_with = "super::common::null_as_default")]
    pub shared_ban_channel_ids: Vec<UserId<'a>>,
    /// Why the user is suspicious.
    #[serde(default, deserialize_with = "super::common::null_as_default")]
    pub types: Vec<SuspiciousUserType>,
    /// How likely the user evades a ban.
    pub ban_evasion_evaluation: BanEvasionEvaluation,
    /// The message.
    #[serde(borrow)]
    pub message: SuspiciousMessage<'a>,
}

/// The message of a suspicious user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SuspiciousMessage<'a> {
    /// The message id.
    #[serde(borrow)]
    pub message_id: Cow<'a, str>,
    /// The whole text.
    #[serde(borrow)]
    pub text: Cow<'a, str>,
    /// The text split into text, cheermotes and emotes.
    #[serde(borrow)]
    pub fragments: Vec<HeldFragment<'a>>,
}

/// `channel.suspicious_user.update`: a moderator changed how a suspicious user is treated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelSuspiciousUserUpdate<'a> {
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
    /// The user's id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The user's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The user's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// How the user is now treated.
    pub low_trust_status: LowTrustStatus,
}
