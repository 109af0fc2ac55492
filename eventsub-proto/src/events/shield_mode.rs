//! `channel.shield_mode.*`: Shield Mode turned on or off.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::common::{Timestamp, UserId, UserLogin, rfc3339};

/// `channel.shield_mode.begin`: a moderator turned Shield Mode on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShieldModeBegin<'a> {
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
    /// When Shield Mode was turned on.
    #[serde(with = "rfc3339")]
    pub started_at: Timestamp,
}

/// `channel.shield_mode.end`: a moderator turned Shield Mode off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShieldModeEnd<'a> {
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
    /// When Shield Mode was turned off.
    #[serde(with = "rfc3339")]
    pub ended_at: Timestamp,
}
