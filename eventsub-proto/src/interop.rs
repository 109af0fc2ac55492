//! Conversions between this crate's ids and those of [`twitch_types`], the id types of the
//! `twitch_api` ecosystem (feature `twitch_types`).
//!
//! - Into the builders: every role id converts from a `twitch_types` id of its kind, owned or
//!   borrowed, so an id a `twitch_api` call returned goes straight in. A `twitch_types::UserId`
//!   says nothing about the role it plays, so it converts into [`BroadcasterId`], [`ModeratorId`]
//!   and [`UserId`] alike: only ids typed by their role catch a swap.
//! - Back out: every role id converts into its `twitch_types` id, and lends itself as the borrowed
//!   form (`AsRef`, and `twitch_types::IntoCow` for a reference, which is what `twitch_api`'s
//!   calls take).
//! - From typed events: [`events::UserId`] and [`events::UserLogin`] lend themselves as
//!   `twitch_types::UserIdRef` and `twitch_types::UserNameRef` without a copy, and convert into the
//!   owned forms.
//!
//! [`ClientId`](crate::ClientId) has no counterpart: `twitch_types` has no client id type (the
//! `twitch_oauth2` crate does, outside this ecosystem's common ids); use
//! `ClientId::new(client_id.as_str())`.
//!
//! ```
//! use eventsub_proto::{BroadcasterId, ModeratorId, SubscriptionSpec};
//!
//! // Ids as a twitch_api app holds them.
//! let broadcaster = twitch_types::UserId::from_static("12826");
//! let moderator: &twitch_types::UserIdRef = twitch_types::UserIdRef::from_static("141981764");
//! let follow = SubscriptionSpec::channel_follow_v2(&broadcaster, moderator);
//! assert_eq!(follow.condition_str("broadcaster_user_id"), Some("12826"));
//!
//! // And back.
//! let id: twitch_types::UserId = BroadcasterId::new("12826").into();
//! assert_eq!(id, broadcaster);
//! ```

use std::borrow::Cow;

use crate::events;
use crate::ids::{BroadcasterId, ConduitId, ModeratorId, RewardId, UserId};

/// Both ways between one of our ids and the `twitch_types` id (owned and borrowed) of its kind.
macro_rules! both_ways {
    ($ours:ident, $theirs:ident, $theirs_ref:ident) => {
        impl From<twitch_types::$theirs> for $ours {
            fn from(id: twitch_types::$theirs) -> Self {
                Self::new(id.take())
            }
        }

        impl From<&twitch_types::$theirs> for $ours {
            fn from(id: &twitch_types::$theirs) -> Self {
                Self::new(id.as_str())
            }
        }

        impl From<&twitch_types::$theirs_ref> for $ours {
            fn from(id: &twitch_types::$theirs_ref) -> Self {
                Self::new(id.as_str())
            }
        }

        impl From<$ours> for twitch_types::$theirs {
            fn from(id: $ours) -> Self {
                Self::new(String::from(id))
            }
        }

        impl AsRef<twitch_types::$theirs_ref> for $ours {
            fn as_ref(&self) -> &twitch_types::$theirs_ref {
                twitch_types::$theirs_ref::from_str(self.as_str())
            }
        }

        impl<'a> twitch_types::IntoCow<'a, twitch_types::$theirs_ref> for &'a $ours {
            fn into_cow(self) -> Cow<'a, twitch_types::$theirs_ref> {
                Cow::Borrowed(self.as_ref())
            }
        }
    };
}

both_ways!(BroadcasterId, UserId, UserIdRef);
both_ways!(ModeratorId, UserId, UserIdRef);
both_ways!(UserId, UserId, UserIdRef);
both_ways!(RewardId, RewardId, RewardIdRef);
both_ways!(ConduitId, ConduitId, ConduitIdRef);

/// A typed event's borrowed id or login, lent as the `twitch_types` borrowed form and copied into
/// the owned one.
macro_rules! from_event {
    ($ours:ident, $theirs:ident, $theirs_ref:ident) => {
        impl AsRef<twitch_types::$theirs_ref> for events::$ours<'_> {
            fn as_ref(&self) -> &twitch_types::$theirs_ref {
                twitch_types::$theirs_ref::from_str(self.as_str())
            }
        }

        impl<'a> twitch_types::IntoCow<'a, twitch_types::$theirs_ref> for &'a events::$ours<'_> {
            fn into_cow(self) -> Cow<'a, twitch_types::$theirs_ref> {
                Cow::Borrowed(self.as_ref())
            }
        }

        impl From<events::$ours<'_>> for twitch_types::$theirs {
            fn from(id: events::$ours<'_>) -> Self {
                Self::new(id.as_str().to_owned())
            }
        }

        impl From<&events::$ours<'_>> for twitch_types::$theirs {
            fn from(id: &events::$ours<'_>) -> Self {
                Self::new(id.as_str().to_owned())
            }
        }
    };
}

from_event!(UserId, UserId, UserIdRef);
from_event!(UserLogin, UserName, UserNameRef);
