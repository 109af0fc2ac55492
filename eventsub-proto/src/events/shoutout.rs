//! `channel.shoutout.*`: shoutouts given and received.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::common::{Timestamp, UserId, UserLogin, rfc3339};

/// `channel.shoutout.create`: the broadcaster (or a moderator) gave a shoutout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShoutoutCreate<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The user id of the broadcaster who received the shoutout.
    #[serde(borrow)]
    pub to_broadcaster_user_id: UserId<'a>,
    /// The login of the broadcaster who received the shoutout.
    #[serde(borrow)]
    pub to_broadcaster_user_login: UserLogin<'a>,
    /// The display name of the broadcaster who received the shoutout.
    #[serde(borrow)]
    pub to_broadcaster_user_name: Cow<'a, str>,
    /// The user id of the moderator who sent it (the broadcaster if they did).
    #[serde(borrow)]
    pub moderator_user_id: UserId<'a>,
    /// The moderator's login.
    #[serde(borrow)]
    pub moderator_user_login: UserLogin<'a>,
    /// The moderator's display name.
    #[serde(borrow)]
    pub moderator_user_name: Cow<'a, str>,
    /// Viewers watching when the shoutout was sent.
    pub viewer_count: u64,
    /// When the shoutout was sent.
    #[serde(with = "rfc3339")]
    pub started_at: Timestamp,
    /// When the broadcaster may send another shoutout.
    #[serde(with = "rfc3339")]
    pub cooldown_ends_at: Timestamp,
    /// When the broadcaster may shout out the same channel again.
    #[serde(with = "rfc3339")]
    pub target_cooldown_ends_at: Timestamp,
}

/// `channel.shoutout.receive`: the broadcaster received a shoutout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShoutoutReceive<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The user id of the broadcaster who gave the shoutout.
    #[serde(borrow)]
    pub from_broadcaster_user_id: UserId<'a>,
    /// The login of the broadcaster who gave the shoutout.
    #[serde(borrow)]
    pub from_broadcaster_user_login: UserLogin<'a>,
    /// The display name of the broadcaster who gave the shoutout.
    #[serde(borrow)]
    pub from_broadcaster_user_name: Cow<'a, str>,
    /// Viewers watching the giving channel when the shoutout was sent.
    pub viewer_count: u64,
    /// When the shoutout was sent.
    #[serde(with = "rfc3339")]
    pub started_at: Timestamp,
}
