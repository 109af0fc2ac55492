//! What Get Banned Users (`GET /moderation/banned`) lists: a ban or timeout in force, with `created_at`.

use crate::events::Timestamp;
use serde::Deserialize;

use super::time_serde;

/// A ban or timeout in force.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct BannedUser {
    /// The banned user's id.
    pub user_id: String,
    /// The banned user's login.
    pub user_login: String,
    /// The banned user's display name.
    pub user_name: String,
    /// When a timeout ends; `None` for a permanent ban (Twitch sends `""`).
    #[serde(default, deserialize_with = "time_serde::optional")]
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "time_serde::option_rfc3339")
    )]
    pub expires_at: Option<Timestamp>,
    /// When the ban was made.
    #[serde(deserialize_with = "time_serde::required")]
    #[cfg_attr(feature = "serde", serde(serialize_with = "time_serde::rfc3339"))]
    pub created_at: Timestamp,
    /// The reason given; `None` when there was none.
    #[serde(default, deserialize_with = "time_serde::optional_text")]
    pub reason: Option<String>,
    /// The moderator's user id.
    pub moderator_id: String,
    /// The moderator's login.
    pub moderator_login: String,
    /// The moderator's display name.
    pub moderator_name: String,
}

impl BannedUser {
    /// Whether it is a timeout rather than a permanent ban.
    pub fn is_timeout(&self) -> bool {
        self.expires_at.is_some()
    }
}
