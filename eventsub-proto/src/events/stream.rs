//! `stream.*`: the stream went live or offline.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::common::{Timestamp, UserId, UserLogin, rfc3339, string_enum};

string_enum! {
    /// The kind of live stream.
    StreamType {
        /// A live stream.
        Live => "live",
        /// A playlist.
        Playlist => "playlist",
        /// A watch party.
        WatchParty => "watch_party",
        /// A premiere.
        Premiere => "premiere",
        /// A rerun.
        Rerun => "rerun",
    }
}

/// `stream.online`: the broadcaster started a stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StreamOnline<'a> {
    /// The stream's id.
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
    /// The kind of stream.
    #[serde(rename = "type")]
    pub stream_type: StreamType,
    /// When the stream started.
    #[serde(with = "rfc3339")]
    pub started_at: Timestamp,
}

/// `stream.offline`: the broadcaster stopped a stream.
pub type StreamOffline<'a> = super::common::Broadcaster<'a>;
