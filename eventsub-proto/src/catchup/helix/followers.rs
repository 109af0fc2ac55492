//! What Get Channel Followers (`GET /channels/followers`) lists: a follower with `followed_at`.

use crate::events::Timestamp;
use serde::Deserialize;

use super::time_serde;

/// One follower of a channel.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct ChannelFollower {
    /// The follower's user id.
    pub user_id: String,
    /// The follower's login.
    pub user_login: String,
    /// The follower's display name.
    pub user_name: String,
    /// When they followed.
    #[serde(deserialize_with = "time_serde::required")]
    #[cfg_attr(feature = "serde", serde(serialize_with = "time_serde::rfc3339"))]
    pub followed_at: Timestamp,
}
