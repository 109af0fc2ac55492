//! `channel.guest_star_*` (version `beta`): Guest Star sessions, guests and settings.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::common::{Timestamp, UserId, UserLogin, optional_text, rfc3339, string_enum};

/// `channel.guest_star_session.begin`: the host began a Guest Star session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GuestStarSessionBegin<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The session id.
    #[serde(borrow)]
    pub session_id: Cow<'a, str>,
    /// When the session began.
    #[serde(with = "rfc3339")]
    pub started_at: Timestamp,
}

/// `channel.guest_star_session.end`: a Guest Star session ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GuestStarSessionEnd<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The session id.
    #[serde(borrow)]
    pub session_id: Cow<'a, str>,
    /// When the session began.
    #[serde(with = "rfc3339")]
    pub started_at: Timestamp,
    /// When the session ended.
    #[serde(with = "rfc3339")]
    pub ended_at: Timestamp,
    /// The host's user id.
    #[serde(borrow)]
    pub host_user_id: UserId<'a>,
    /// The host's login.
    #[serde(borrow)]
    pub host_user_login: UserLogin<'a>,
    /// The host's display name.
    #[serde(borrow)]
    pub host_user_name: Cow<'a, str>,
}

string_enum! {
    /// A guest's state in a session.
    GuestState {
        /// Invited.
        Invited => "invited",
        /// Accepted the invitation.
        Accepted => "accepted",
        /// Ready to go live.
        Ready => "ready",
        /// Assigned a slot, not live.
        Backstage => "backstage",
        /// Live.
        Live => "live",
        /// Removed from the session.
        Removed => "removed",
    }
}

/// `channel.guest_star_guest.update`: a guest or a slot changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GuestStarGuestUpdate<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The session id.
    #[serde(borrow)]
    pub session_id: Cow<'a, str>,
    /// The user id of the moderator who made the change, if one did.
    #[serde(borrow, default)]
    pub moderator_user_id: Option<UserId<'a>>,
    /// That moderator's login.
    #[serde(borrow, default)]
    pub moderator_user_login: Option<UserLogin<'a>>,
    /// That moderator's display name.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub moderator_user_name: Option<Cow<'a, str>>,
    /// The guest's user id; `None` when a slot was emptied.
    #[serde(borrow, default)]
    pub guest_user_id: Option<UserId<'a>>,
    /// The guest's login.
    #[serde(borrow, default)]
    pub guest_user_login: Option<UserLogin<'a>>,
    /// The guest's display name.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub guest_user_name: Option<Cow<'a, str>>,
    /// The slot, if the guest has one.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub slot_id: Option<Cow<'a, str>>,
    /// The guest's state; `None` when the slot is empty.
    #[serde(default)]
    pub state: Option<GuestState>,
    /// The host's user id.
    #[serde(borrow)]
    pub host_user_id: UserId<'a>,
    /// The host's login.
    #[serde(borrow)]
    pub host_user_login: UserLogin<'a>,
    /// The host's display name.
    #[serde(borrow)]
    pub host_user_name: Cow<'a, str>,
    /// Whether the host shows the guest's video; `None` without a guest.
    #[serde(default)]
    pub host_video_enabled: Option<bool>,
    /// Whether the host plays the guest's audio; `None` without a guest.
    #[serde(default)]
    pub host_audio_enabled: Option<bool>,
    /// The guest's volume (0–100) as the host set it; `None` without a guest.
    #[serde(default)]
    pub host_volume: Option<u8>,
}

string_enum! {
    /// How guests are laid out.
    GroupLayout {
        /// All live guests tiled.
        Tiled => "tiled",
        /// Screenshare mode.
        Screenshare => "screenshare",
        /// A horizontal row at the top.
        HorizontalTop => "horizontal_top",
        /// A horizontal row at the bottom.
        HorizontalBottom => "horizontal_bottom",
        /// A vertical column on the left.
        VerticalLeft => "vertical_left",
        /// A vertical column on the right.
        VerticalRight => "vertical_right",
    }
}

/// `channel.guest_star_settings.update`: the host changed the Guest Star settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GuestStarSettingsUpdate<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// Whether moderators may send guests live.
    pub is_moderator_send_live_enabled: bool,
    /// How many slots the session has.
    pub slot_count: u32,
    /// Whether browser sources play guests' audio.
    pub is_browser_source_audio_enabled: bool,
    /// How guests are laid out.
    pub group_layout: GroupLayout,
}
