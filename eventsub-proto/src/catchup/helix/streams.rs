//! What Get Streams (`GET /streams`) and Get Channel Information (`GET /channels`) say: state to compare.

use crate::events::Timestamp;
use serde::Deserialize;

use super::time_serde;

/// A live stream. A channel that is offline is simply not listed.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Stream {
    /// The stream's id (`stream.online`'s `id`).
    pub id: String,
    /// The broadcaster's user id.
    pub user_id: String,
    /// The broadcaster's login.
    pub user_login: String,
    /// The broadcaster's display name.
    pub user_name: String,
    /// The category's id; `None` when unset.
    #[serde(default, deserialize_with = "time_serde::optional_text")]
    pub game_id: Option<String>,
    /// The category's name; `None` when unset.
    #[serde(default, deserialize_with = "time_serde::optional_text")]
    pub game_name: Option<String>,
    /// `live` (or `""` on error, kept as text).
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The title.
    #[serde(default)]
    pub title: String,
    /// Viewers now.
    #[serde(default)]
    pub viewer_count: u64,
    /// When it went live.
    #[serde(deserialize_with = "time_serde::required")]
    #[cfg_attr(feature = "serde", serde(serialize_with = "time_serde::rfc3339"))]
    pub started_at: Timestamp,
    /// The language (ISO 639-1, or `other`).
    #[serde(default)]
    pub language: String,
}

/// A channel's information.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct ChannelInformation {
    /// The broadcaster's user id.
    pub broadcaster_id: String,
    /// The broadcaster's login.
    pub broadcaster_login: String,
    /// The broadcaster's display name.
    pub broadcaster_name: String,
    /// The language (ISO 639-1, or `other`).
    #[serde(default)]
    pub broadcaster_language: String,
    /// The category's id; `None` when unset.
    #[serde(default, deserialize_with = "time_serde::optional_text")]
    pub game_id: Option<String>,
    /// The category's name; `None` when unset.
    #[serde(default, deserialize_with = "time_serde::optional_text")]
    pub game_name: Option<String>,
    /// The title.
    #[serde(default)]
    pub title: String,
    /// The content classification labels.
    #[serde(default, deserialize_with = "time_serde::list")]
    pub content_classification_labels: Vec<String>,
    /// Whether it is branded content; `None` when Twitch does not say.
    #[serde(default)]
    pub is_branded_content: Option<bool>,
}
