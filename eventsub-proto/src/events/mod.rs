//! Typed events: one struct per subscription type and version, decoded from the event JSON of a
//! [`Notification`](crate::Notification), borrowing its strings.
//!
//! Everything here derives from one table, the `registry!` invocation below: the
//! [`EventData`] variants and their decoder, the [`SUBSCRIPTION_TYPES`] list (condition fields and
//! required scopes), a builder on [`SubscriptionSpec`] per type, and a marker type per type and
//! version in [`kinds`] (implementing [`SubscriptionKind`]) for code generic over one kind. A type
//! or version missing from the table still decodes, as [`EventData::Unknown`] with its raw JSON.
//!
//! The table holds every type Twitch's EventSub reference documents for the WebSocket transport.
//! Four documented types are left out on purpose: `drop.entitlement.grant`,
//! `extension.bits_transaction.create`, `user.authorization.grant` and
//! `user.authorization.revoke`. Their reference entries say they are "only supported by Webhooks
//! and Conduits, and cannot be used with WebSockets" (transports: Webhook, Conduit; app access
//! token only), so no WebSocket session can subscribe to them. Should one reach this client
//! anyway, through a conduit whose shard is this session, it arrives as [`EventData::Unknown`].
//!
//! ```
//! use eventsub_proto::{BroadcasterId, ModeratorId, SubscriptionSpec};
//! use eventsub_proto::events::{EventData, check_scopes};
//!
//! let follow =
//!     SubscriptionSpec::channel_follow_v2(BroadcasterId::new("12826"), ModeratorId::new("12826"));
//! assert_eq!((follow.kind.as_str(), follow.version.as_str()), ("channel.follow", "2"));
//!
//! // Before subscribing: which subscriptions would fail for a missing scope?
//! let problems = check_scopes([&follow], ["user:read:chat"]);
//! assert_eq!(problems[0].any_of(), Some(&["moderator:read:followers"][..]));
//!
//! let json = r#"{"user_id":"1234","user_login":"cool_user","user_name":"Cool_User",
//!     "broadcaster_user_id":"12826","broadcaster_user_login":"twitch",
//!     "broadcaster_user_name":"Twitch","followed_at":"2023-11-06T18:11:47.464757833Z"}"#;
//! let EventData::ChannelFollowV2(event) = EventData::decode("channel.follow", "2", json)? else {
//!     unreachable!()
//! };
//! assert_eq!(event.user_login.as_str(), "cool_user");
//! assert_eq!(event.followed_at.nanosecond(), 464_757_833);
//! # Ok::<(), serde_json::Error>(())
//! ```

use serde::{Serialize, Serializer};

use crate::subscription::SubscriptionSpec;

pub mod automod;
pub mod channel;
pub mod channel_points;
pub mod charity;
pub mod chat;
pub mod chat_notification;
mod common;
pub mod conduit;
pub mod custom_power_up;
pub mod frame;
pub mod goal;
pub mod guest_star;
pub mod hype_train;
pub mod moderate;
pub mod moderation;
pub mod poll;
pub mod prediction;
pub mod shield_mode;
pub mod shoutout;
pub mod stream;
pub mod user;

mod kind;
pub(crate) mod scopes;

pub use common::{Amount, RawJson, Timestamp, User, UserId, UserLogin};
pub use kind::SubscriptionKind;
pub use scopes::{ScopeProblem, check_scopes};

/// A subscription type and version this crate knows: its condition and the scopes it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SubscriptionType {
    /// The type, such as `channel.follow`.
    pub kind: &'static str,
    /// The version, such as `2`.
    pub version: &'static str,
    /// The condition fields, one list per documented alternative (most types have one; `channel.raid`
    /// takes either the source or the target broadcaster, the channel points reward types take an
    /// optional `reward_id`).
    pub conditions: &'static [&'static [&'static str]],
    /// The scopes the user access token needs: every group must be satisfied, each by any one of its
    /// scopes. Empty when the type needs no scope (but Twitch may still require that the condition
    /// names the token's user).
    pub scopes: &'static [&'static [&'static str]],
}

impl SubscriptionType {
    /// The entry for a type and version, if this crate knows it.
    pub fn find(kind: &str, version: &str) -> Option<&'static Self> {
        SUBSCRIPTION_TYPES
            .iter()
            .find(|entry| entry.kind == kind && entry.version == version)
    }

    /// The scope groups `token_scopes` does not satisfy: for each, any one of its scopes would do.
    pub fn missing_scopes<'s>(
        &self,
        token_scopes: &'s [&'s str],
    ) -> impl Iterator<Item = &'static [&'static str]> + 's {
        self.scopes
            .iter()
            .copied()
            .filter(move |any_of| !any_of.iter().any(|scope| token_scopes.contains(scope)))
    }
}

/// An event whose type and version this crate does not know (or that could not be typed): it is
/// delivered as it came, never as an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnknownEvent<'a> {
    /// The subscription type.
    pub kind: &'a str,
    /// The subscription version.
    pub version: &'a str,
    /// The event's JSON text, as sent.
    pub json: &'a str,
}

impl Serialize for UnknownEvent<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        common::JsonText(self.json).serialize(serializer)
    }
}

/// The id type of a condition field: one role, one type (a helper of [`builders!`]).
macro_rules! condition_id {
    (broadcaster_user_id) => {
        crate::ids::BroadcasterId
    };
    (from_broadcaster_user_id) => {
        crate::ids::BroadcasterId
    };
    (to_broadcaster_user_id) => {
        crate::ids::BroadcasterId
    };
    (moderator_user_id) => {
        crate::ids::ModeratorId
    };
    (user_id) => {
        crate::ids::UserId
    };
    (reward_id) => {
        crate::ids::RewardId
    };
    (client_id) => {
        crate::ids::ClientId
    };
    (conduit_id) => {
        crate::ids::ConduitId
    };
}

/// The name of [`condition_id!`]'s type, for the builders' docs.
macro_rules! condition_id_doc {
    (broadcaster_user_id) => {
        "[`BroadcasterId`](crate::BroadcasterId)"
    };
    (from_broadcaster_user_id) => {
        "[`BroadcasterId`](crate::BroadcasterId)"
    };
    (to_broadcaster_user_id) => {
        "[`BroadcasterId`](crate::BroadcasterId)"
    };
    (moderator_user_id) => {
        "[`ModeratorId`](crate::ModeratorId)"
    };
    (user_id) => {
        "[`UserId`](crate::UserId)"
    };
    (reward_id) => {
        "[`RewardId`](crate::RewardId)"
    };
    (client_id) => {
        "[`ClientId`](crate::ClientId)"
    };
    (conduit_id) => {
        "[`ConduitId`](crate::ConduitId)"
    };
}

/// The builders of one registry entry (a helper of [`registry!`]).
macro_rules! builders {
    ($kind:literal, $version:literal, $scopes:expr, $(fn $builder:ident($($field:ident),*))|+) => {
        $(
            #[doc = concat!("A `", $kind, "` version ", $version, " subscription. Its condition:")]
            #[doc = ""]
            $(#[doc = concat!("- `", stringify!($field), "`: a ", condition_id_doc!($field))])*
            #[doc = ""]
            #[doc = concat!("Scopes (every group; any one scope of a group):", $scopes, " (none if empty).")]
            pub fn $builder($($field: impl Into<condition_id!($field)>),*) -> Self {
                Self::new($kind, $version)$(.with_condition(stringify!($field), $field.into()))*
            }
        )+
    };
}

/// Defines the registry: for each `Variant(family::Struct) = "type" v "version"`, its builders
/// (one per condition alternative) and its scope groups.
macro_rules! registry {
    ($(
        $(#[$doc:meta])*
        $variant:ident($family:ident::$event:ident) = $kind:literal v $version:literal,
        $(fn $builder:ident($($field:ident),*))|+,
        scopes [$([$($scope:literal),+]),*];
    )*) => {
        /// A typed event, keyed by subscription type and version.
        ///
        /// Serializes as the event JSON alone (without type and version), so
        /// `EventData::decode(kind, version, &serde_json::to_string(&data)?)` gives `data` back.
        #[derive(Clone, Debug, PartialEq, Eq, Serialize)]
        #[serde(untagged)]
        #[non_exhaustive]
        // Every event is boxed: unboxed, the enum is as large as its largest event (channel.moderate,
        // almost 2 KB), and each move of any event through the decoder's layers copied all of it,
        // which cost more than the allocation does.
        pub enum EventData<'a> {
            $(
                $(#[$doc])*
                #[doc = concat!("\n\n`", $kind, "` version ", $version, ".")]
                $variant(Box<$family::$event<'a>>),
            )*
            /// A type or version this crate does not know: delivered raw.
            Unknown(UnknownEvent<'a>),
        }

        impl<'a> EventData<'a> {
            /// Decodes the event JSON of a `kind` subscription at `version`, borrowing strings from
            /// `json`. An unknown type or version is [`EventData::Unknown`], not an error; the error
            /// is for JSON that does not match its known type.
            pub fn decode(kind: &'a str, version: &'a str, json: &'a str) -> Result<Self, serde_json::Error> {
                match (kind, version) {
                    $(($kind, $version) => serde_json::from_str(json).map(|event| Self::$variant(Box::new(event))),)*
                    _ => Ok(Self::Unknown(UnknownEvent { kind, version, json })),
                }
            }

            /// Decodes the event a deserializer stands at, as [`EventData::decode`] does from text:
            /// the frame parser's single pass ([`frame::parse_frame`]) reads the event in place.
            pub(crate) fn deserialize_as<D: serde::Deserializer<'a>>(
                kind: &'a str,
                version: &'a str,
                deserializer: D,
            ) -> Result<Self, D::Error> {
                match (kind, version) {
                    $(($kind, $version) => serde::Deserialize::deserialize(deserializer).map(|event| Self::$variant(Box::new(event))),)*
                    _ => <&'a serde_json::value::RawValue as serde::Deserialize<'a>>::deserialize(deserializer)
                        .map(|raw| Self::Unknown(UnknownEvent { kind, version, json: raw.get() })),
                }
            }

            /// The subscription type, such as `channel.follow`.
            pub fn kind(&self) -> &'a str {
                match self {
                    $(Self::$variant(_) => $kind,)*
                    Self::Unknown(unknown) => unknown.kind,
                }
            }

            /// The subscription version, such as `2`.
            pub fn version(&self) -> &'a str {
                match self {
                    $(Self::$variant(_) => $version,)*
                    Self::Unknown(unknown) => unknown.version,
                }
            }
        }

        /// Every subscription type and version of the registry as a type (a unit struct named as
        /// its [`EventData`] variant), for code generic over the events of one subscription: see
        /// [`SubscriptionKind`]. The adapters' typed streams take one
        /// (`events.typed::<kinds::ChannelFollowV2>()`).
        pub mod kinds {
            use super::kind::sealed::Sealed;
            use super::{EventData, SubscriptionKind};

            $(
                $(#[$doc])*
                #[doc = concat!("\n\n`", $kind, "` version ", $version, ": its event is [`",
                    stringify!($event), "`](super::", stringify!($family), "::", stringify!($event), ").")]
                #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
                pub struct $variant;

                impl Sealed for $variant {}

                impl SubscriptionKind for $variant {
                    const KIND: &'static str = $kind;
                    const VERSION: &'static str = $version;
                    type Event<'a> = super::$family::$event<'a>;

                    fn decode(json: &str) -> Result<EventData<'_>, serde_json::Error> {
                        serde_json::from_str(json).map(|event| EventData::$variant(Box::new(event)))
                    }

                    fn deserialize_in<'a>(
                        deserializer: &mut serde_json::Deserializer<serde_json::de::StrRead<'a>>,
                    ) -> Result<EventData<'a>, serde_json::Error> {
                        serde::Deserialize::deserialize(deserializer)
                            .map(|event| EventData::$variant(Box::new(event)))
                    }

                    fn event<'d, 'a>(data: &'d EventData<'a>) -> Option<&'d Self::Event<'a>> {
                        match data {
                            EventData::$variant(event) => Some(event),
                            _ => None,
                        }
                    }
                }
            )*

            /// Calls `visitor` with every kind, for the tests that check all of them.
            #[cfg(test)]
            pub(crate) fn visit_every_kind(visitor: &mut impl super::kind::tests::KindVisitor) {
                $(visitor.visit::<$variant>();)*
            }
        }

        /// Every subscription type and version this crate types, builds and checks scopes for.
        pub const SUBSCRIPTION_TYPES: &[SubscriptionType] = &[$(
            SubscriptionType {
                kind: $kind,
                version: $version,
                conditions: &[$(&[$(stringify!($field)),*]),+],
                scopes: &[$(&[$($scope),+]),*],
            },
        )*];

        /// Builders: one per subscription type, version and condition shape, taking exactly the
        /// condition's fields, each as the id type of its role ([`BroadcasterId`](crate::BroadcasterId),
        /// [`ModeratorId`](crate::ModeratorId), [`UserId`](crate::UserId),
        /// [`RewardId`](crate::RewardId), [`ClientId`](crate::ClientId),
        /// [`ConduitId`](crate::ConduitId)), so ids passed in the wrong order do not compile:
        ///
        /// ```compile_fail
        /// use eventsub_proto::{BroadcasterId, ModeratorId, SubscriptionSpec};
        /// let broadcaster = BroadcasterId::new("12826");
        /// let moderator = ModeratorId::new("141981764");
        /// // The moderator where the broadcaster goes: error[E0277].
        /// let follow = SubscriptionSpec::channel_follow_v2(moderator, broadcaster);
        /// ```
        ///
        /// Neither do bare strings, which could be in either order:
        ///
        /// ```compile_fail
        /// use eventsub_proto::SubscriptionSpec;
        /// let follow = SubscriptionSpec::channel_follow_v2("12826", "141981764");
        /// ```
        ///
        /// ```
        /// use eventsub_proto::{BroadcasterId, ModeratorId, SubscriptionSpec};
        /// let broadcaster = BroadcasterId::new("12826");
        /// let follow = SubscriptionSpec::channel_follow_v2(&broadcaster, ModeratorId::new("141981764"));
        /// let online = SubscriptionSpec::stream_online(&broadcaster); // a reference converts too
        /// assert_eq!(follow.condition_str("moderator_user_id"), Some("141981764"));
        /// assert_eq!(online.condition_str("broadcaster_user_id"), Some("12826"));
        /// ```
        impl SubscriptionSpec {
            $(
                builders! {
                    $kind, $version,
                    concat!($(" (any of", $(" `", $scope, "`",)+ ")",)*),
                    $(fn $builder($($field),*))|+
                }
            )*
        }
    };
}

registry! {
    // automod
    /// A message was held by AutoMod.
    AutomodMessageHoldV1(automod::AutomodMessageHoldV1) = "automod.message.hold" v "1",
        fn automod_message_hold_v1(broadcaster_user_id, moderator_user_id),
        scopes [["moderator:manage:automod"]];
    /// A message was held by AutoMod or a blocked term.
    AutomodMessageHoldV2(automod::AutomodMessageHoldV2) = "automod.message.hold" v "2",
        fn automod_message_hold_v2(broadcaster_user_id, moderator_user_id),
        scopes [["moderator:manage:automod"]];
    /// A held message was approved, denied or expired.
    AutomodMessageUpdateV1(automod::AutomodMessageUpdateV1) = "automod.message.update" v "1",
        fn automod_message_update_v1(broadcaster_user_id, moderator_user_id),
        scopes [["moderator:manage:automod"]];
    /// A held message (AutoMod or blocked term) was approved, denied or expired.
    AutomodMessageUpdateV2(automod::AutomodMessageUpdateV2) = "automod.message.update" v "2",
        fn automod_message_update_v2(broadcaster_user_id, moderator_user_id),
        scopes [["moderator:manage:automod"]];
    /// The AutoMod settings changed.
    AutomodSettingsUpdate(automod::AutomodSettingsUpdate) = "automod.settings.update" v "1",
        fn automod_settings_update(broadcaster_user_id, moderator_user_id),
        scopes [["moderator:read:automod_settings"]];
    /// The blocked or permitted terms changed.
    AutomodTermsUpdate(automod::AutomodTermsUpdate) = "automod.terms.update" v "1",
        fn automod_terms_update(broadcaster_user_id, moderator_user_id),
        scopes [["moderator:manage:automod"]];

    // channel
    /// Title, language, category or content labels changed.
    ChannelUpdateV2(channel::ChannelUpdate) = "channel.update" v "2",
        fn channel_update_v2(broadcaster_user_id),
        scopes [];
    /// A user followed.
    ChannelFollowV2(channel::ChannelFollow) = "channel.follow" v "2",
        fn channel_follow_v2(broadcaster_user_id, moderator_user_id),
        scopes [["moderator:read:followers"]];
    /// An ad break began.
    ChannelAdBreakBegin(channel::ChannelAdBreakBegin) = "channel.ad_break.begin" v "1",
        fn channel_ad_break_begin(broadcaster_user_id),
        scopes [["channel:read:ads"]];
    /// Bits were used (cheers, Power-ups).
    ChannelBitsUse(channel::ChannelBitsUse) = "channel.bits.use" v "1",
        fn channel_bits_use(broadcaster_user_id),
        scopes [["bits:read"]];
    /// A user subscribed.
    ChannelSubscribe(channel::ChannelSubscribe) = "channel.subscribe" v "1",
        fn channel_subscribe(broadcaster_user_id),
        scopes [["channel:read:subscriptions"]];
    /// A subscription ended.
    ChannelSubscriptionEnd(channel::ChannelSubscriptionEnd) = "channel.subscription.end" v "1",
        fn channel_subscription_end(broadcaster_user_id),
        scopes [["channel:read:subscriptions"]];
    /// Subscriptions were gifted.
    ChannelSubscriptionGift(channel::ChannelSubscriptionGift) = "channel.subscription.gift" v "1",
        fn channel_subscription_gift(broadcaster_user_id),
        scopes [["channel:read:subscriptions"]];
    /// A resubscription message.
    ChannelSubscriptionMessage(channel::ChannelSubscriptionMessage) = "channel.subscription.message" v "1",
        fn channel_subscription_message(broadcaster_user_id),
        scopes [["channel:read:subscriptions"]];
    /// A user cheered.
    ChannelCheer(channel::ChannelCheer) = "channel.cheer" v "1",
        fn channel_cheer(broadcaster_user_id),
        scopes [["bits:read"]];
    /// A viewer redeemed one of the broadcaster's own Power-ups.
    ChannelCustomPowerUpRedemptionAdd(custom_power_up::CustomPowerUpRedemptionAdd) =
        "channel.custom_power_up_redemption.add" v "1",
        fn channel_custom_power_up_redemption_add(broadcaster_user_id),
        scopes [["bits:read"]];
    /// A raid, from or to the broadcaster.
    ChannelRaid(channel::ChannelRaid) = "channel.raid" v "1",
        fn channel_raid_from(from_broadcaster_user_id) | fn channel_raid_to(to_broadcaster_user_id),
        scopes [];

    // moderation
    /// A user was banned or timed out.
    ChannelBan(moderation::ChannelBan) = "channel.ban" v "1",
        fn channel_ban(broadcaster_user_id),
        scopes [["channel:moderate"]];
    /// A user was unbanned.
    ChannelUnban(moderation::ChannelUnban) = "channel.unban" v "1",
        fn channel_unban(broadcaster_user_id),
        scopes [["channel:moderate"]];
    /// A user asked to be unbanned.
    ChannelUnbanRequestCreate(moderation::ChannelUnbanRequestCreate) = "channel.unban_request.create" v "1",
        fn channel_unban_request_create(broadcaster_user_id, moderator_user_id),
        scopes [["moderator:read:unban_requests", "moderator:manage:unban_requests"]];
    /// An unban request was resolved.
    ChannelUnbanRequestResolve(moderation::ChannelUnbanRequestResolve) = "channel.unban_request.resolve" v "1",
        fn channel_unban_request_resolve(broadcaster_user_id, moderator_user_id),
        scopes [["moderator:read:unban_requests", "moderator:manage:unban_requests"]];
    /// A moderator acted (version 1).
    ChannelModerateV1(moderate::ChannelModerate) = "channel.moderate" v "1",
        fn channel_moderate_v1(broadcaster_user_id, moderator_user_id),
        scopes [
            ["moderator:read:blocked_terms", "moderator:manage:blocked_terms"],
            ["moderator:read:chat_settings", "moderator:manage:chat_settings"],
            ["moderator:read:unban_requests", "moderator:manage:unban_requests"],
            ["moderator:read:banned_users", "moderator:manage:banned_users"],
            ["moderator:read:chat_messages", "moderator:manage:chat_messages"],
            ["moderator:read:moderators"],
            ["moderator:read:vips"]
        ];
    /// A moderator acted (version 2: with warnings).
    ChannelModerateV2(moderate::ChannelModerate) = "channel.moderate" v "2",
        fn channel_moderate_v2(broadcaster_user_id, moderator_user_id),
        scopes [
            ["moderator:read:blocked_terms", "moderator:manage:blocked_terms"],
            ["moderator:read:chat_settings", "moderator:manage:chat_settings"],
            ["moderator:read:unban_requests", "moderator:manage:unban_requests"],
            ["moderator:read:banned_users", "moderator:manage:banned_users"],
            ["moderator:read:chat_messages", "moderator:manage:chat_messages"],
            ["moderator:read:warnings", "moderator:manage:warnings"],
            ["moderator:read:moderators"],
            ["moderator:read:vips"]
        ];
    /// A moderator added to the channel.
    ChannelModeratorAdd(moderation::ChannelModeratorAdd) = "channel.moderator.add" v "1",
        fn channel_moderator_add(broadcaster_user_id),
        scopes [["moderation:read"]];
    /// A moderator removed from the channel.
    ChannelModeratorRemove(moderation::ChannelModeratorRemove) = "channel.moderator.remove" v "1",
        fn channel_moderator_remove(broadcaster_user_id),
        scopes [["moderation:read"]];
    /// A VIP added to the channel.
    ChannelVipAdd(moderation::ChannelVipAdd) = "channel.vip.add" v "1",
        fn channel_vip_add(broadcaster_user_id),
        scopes [["channel:read:vips", "channel:manage:vips"]];
    /// A VIP removed from the channel.
    ChannelVipRemove(moderation::ChannelVipRemove) = "channel.vip.remove" v "1",
        fn channel_vip_remove(broadcaster_user_id),
        scopes [["channel:read:vips", "channel:manage:vips"]];
    /// A user acknowledged a warning.
    ChannelWarningAcknowledge(moderation::ChannelWarningAcknowledge) = "channel.warning.acknowledge" v "1",
        fn channel_warning_acknowledge(broadcaster_user_id, moderator_user_id),
        scopes [["moderator:read:warnings", "moderator:manage:warnings"]];
    /// A user was warned.
    ChannelWarningSend(moderation::ChannelWarningSend) = "channel.warning.send" v "1",
        fn channel_warning_send(broadcaster_user_id, moderator_user_id),
        scopes [["moderator:read:warnings", "moderator:manage:warnings"]];
    /// A suspicious user sent a message.
    ChannelSuspiciousUserMessage(moderation::ChannelSuspiciousUserMessage) = "channel.suspicious_user.message" v "1",
        fn channel_suspicious_user_message(broadcaster_user_id, moderator_user_id),
        scopes [["moderator:read:suspicious_users"]];
    /// A user's suspicious status changed.
    ChannelSuspiciousUserUpdate(moderation::ChannelSuspiciousUserUpdate) = "channel.suspicious_user.update" v "1",
        fn channel_suspicious_user_update(broadcaster_user_id, moderator_user_id),
        scopes [["moderator:read:suspicious_users"]];

    // channel points
    /// An automatic reward was redeemed (version 1).
    ChannelPointsAutomaticRewardRedemptionAddV1(channel_points::AutomaticRewardRedemptionAddV1) =
        "channel.channel_points_automatic_reward_redemption.add" v "1",
        fn channel_points_automatic_reward_redemption_add_v1(broadcaster_user_id),
        scopes [["channel:read:redemptions", "channel:manage:redemptions"]];
    /// An automatic reward was redeemed (version 2: message fragments, reward object).
    ChannelPointsAutomaticRewardRedemptionAddV2(channel_points::AutomaticRewardRedemptionAddV2) =
        "channel.channel_points_automatic_reward_redemption.add" v "2",
        fn channel_points_automatic_reward_redemption_add_v2(broadcaster_user_id),
        scopes [["channel:read:redemptions", "channel:manage:redemptions"]];
    /// A custom reward was created.
    ChannelPointsCustomRewardAdd(channel_points::CustomReward) = "channel.channel_points_custom_reward.add" v "1",
        fn channel_points_custom_reward_add(broadcaster_user_id),
        scopes [["channel:read:redemptions", "channel:manage:redemptions"]];
    /// A custom reward was updated.
    ChannelPointsCustomRewardUpdate(channel_points::CustomReward) = "channel.channel_points_custom_reward.update" v "1",
        fn channel_points_custom_reward_update(broadcaster_user_id)
        | fn channel_points_custom_reward_update_of(broadcaster_user_id, reward_id),
        scopes [["channel:read:redemptions", "channel:manage:redemptions"]];
    /// A custom reward was removed.
    ChannelPointsCustomRewardRemove(channel_points::CustomReward) = "channel.channel_points_custom_reward.remove" v "1",
        fn channel_points_custom_reward_remove(broadcaster_user_id)
        | fn channel_points_custom_reward_remove_of(broadcaster_user_id, reward_id),
        scopes [["channel:read:redemptions", "channel:manage:redemptions"]];
    /// A custom reward was redeemed.
    ChannelPointsCustomRewardRedemptionAdd(channel_points::CustomRewardRedemption) =
        "channel.channel_points_custom_reward_redemption.add" v "1",
        fn channel_points_custom_reward_redemption_add(broadcaster_user_id)
        | fn channel_points_custom_reward_redemption_add_of(broadcaster_user_id, reward_id),
        scopes [["channel:read:redemptions", "channel:manage:redemptions"]];
    /// A redemption was fulfilled or canceled.
    ChannelPointsCustomRewardRedemptionUpdate(channel_points::CustomRewardRedemption) =
        "channel.channel_points_custom_reward_redemption.update" v "1",
        fn channel_points_custom_reward_redemption_update(broadcaster_user_id)
        | fn channel_points_custom_reward_redemption_update_of(broadcaster_user_id, reward_id),
        scopes [["channel:read:redemptions", "channel:manage:redemptions"]];

    // polls and predictions
    /// A poll began.
    ChannelPollBegin(poll::PollBegin) = "channel.poll.begin" v "1",
        fn channel_poll_begin(broadcaster_user_id),
        scopes [["channel:read:polls", "channel:manage:polls"]];
    /// Users voted in a poll.
    ChannelPollProgress(poll::PollProgress) = "channel.poll.progress" v "1",
        fn channel_poll_progress(broadcaster_user_id),
        scopes [["channel:read:polls", "channel:manage:polls"]];
    /// A poll ended.
    ChannelPollEnd(poll::PollEnd) = "channel.poll.end" v "1",
        fn channel_poll_end(broadcaster_user_id),
        scopes [["channel:read:polls", "channel:manage:polls"]];
    /// A prediction began.
    ChannelPredictionBegin(prediction::PredictionBegin) = "channel.prediction.begin" v "1",
        fn channel_prediction_begin(broadcaster_user_id),
        scopes [["channel:read:predictions", "channel:manage:predictions"]];
    /// Users predicted.
    ChannelPredictionProgress(prediction::PredictionProgress) = "channel.prediction.progress" v "1",
        fn channel_prediction_progress(broadcaster_user_id),
        scopes [["channel:read:predictions", "channel:manage:predictions"]];
    /// A prediction was locked.
    ChannelPredictionLock(prediction::PredictionLock) = "channel.prediction.lock" v "1",
        fn channel_prediction_lock(broadcaster_user_id),
        scopes [["channel:read:predictions", "channel:manage:predictions"]];
    /// A prediction ended.
    ChannelPredictionEnd(prediction::PredictionEnd) = "channel.prediction.end" v "1",
        fn channel_prediction_end(broadcaster_user_id),
        scopes [["channel:read:predictions", "channel:manage:predictions"]];

    // hype train, goals, charity
    /// A hype train began.
    ChannelHypeTrainBeginV2(hype_train::HypeTrainBeginV2) = "channel.hype_train.begin" v "2",
        fn channel_hype_train_begin_v2(broadcaster_user_id),
        scopes [["channel:read:hype_train"]];
    /// A hype train progressed.
    ChannelHypeTrainProgressV2(hype_train::HypeTrainProgressV2) = "channel.hype_train.progress" v "2",
        fn channel_hype_train_progress_v2(broadcaster_user_id),
        scopes [["channel:read:hype_train"]];
    /// A hype train ended.
    ChannelHypeTrainEndV2(hype_train::HypeTrainEndV2) = "channel.hype_train.end" v "2",
        fn channel_hype_train_end_v2(broadcaster_user_id),
        scopes [["channel:read:hype_train"]];
    /// A goal began.
    ChannelGoalBegin(goal::Goal) = "channel.goal.begin" v "1",
        fn channel_goal_begin(broadcaster_user_id),
        scopes [["channel:read:goals"]];
    /// A goal progressed.
    ChannelGoalProgress(goal::Goal) = "channel.goal.progress" v "1",
        fn channel_goal_progress(broadcaster_user_id),
        scopes [["channel:read:goals"]];
    /// A goal ended.
    ChannelGoalEnd(goal::Goal) = "channel.goal.end" v "1",
        fn channel_goal_end(broadcaster_user_id),
        scopes [["channel:read:goals"]];
    /// A user donated to the charity campaign.
    ChannelCharityCampaignDonate(charity::CharityDonation) = "channel.charity_campaign.donate" v "1",
        fn channel_charity_campaign_donate(broadcaster_user_id),
        scopes [["channel:read:charity"]];
    /// A charity campaign started.
    ChannelCharityCampaignStart(charity::CharityCampaignStart) = "channel.charity_campaign.start" v "1",
        fn channel_charity_campaign_start(broadcaster_user_id),
        scopes [["channel:read:charity"]];
    /// A charity campaign progressed.
    ChannelCharityCampaignProgress(charity::CharityCampaignProgress) = "channel.charity_campaign.progress" v "1",
        fn channel_charity_campaign_progress(broadcaster_user_id),
        scopes [["channel:read:charity"]];
    /// A charity campaign stopped.
    ChannelCharityCampaignStop(charity::CharityCampaignStop) = "channel.charity_campaign.stop" v "1",
        fn channel_charity_campaign_stop(broadcaster_user_id),
        scopes [["channel:read:charity"]];

    // shield mode, shoutouts
    /// Shield mode was turned on.
    ChannelShieldModeBegin(shield_mode::ShieldModeBegin) = "channel.shield_mode.begin" v "1",
        fn channel_shield_mode_begin(broadcaster_user_id, moderator_user_id),
        scopes [["moderator:read:shield_mode", "moderator:manage:shield_mode"]];
    /// Shield mode was turned off.
    ChannelShieldModeEnd(shield_mode::ShieldModeEnd) = "channel.shield_mode.end" v "1",
        fn channel_shield_mode_end(broadcaster_user_id, moderator_user_id),
        scopes [["moderator:read:shield_mode", "moderator:manage:shield_mode"]];
    /// The broadcaster gave a shoutout.
    ChannelShoutoutCreate(shoutout::ShoutoutCreate) = "channel.shoutout.create" v "1",
        fn channel_shoutout_create(broadcaster_user_id, moderator_user_id),
        scopes [["moderator:read:shoutouts", "moderator:manage:shoutouts"]];
    /// The broadcaster received a shoutout.
    ChannelShoutoutReceive(shoutout::ShoutoutReceive) = "channel.shoutout.receive" v "1",
        fn channel_shoutout_receive(broadcaster_user_id, moderator_user_id),
        scopes [["moderator:read:shoutouts", "moderator:manage:shoutouts"]];

    // chat
    /// A chat message.
    ChannelChatMessage(chat::ChatMessage) = "channel.chat.message" v "1",
        fn channel_chat_message(broadcaster_user_id, user_id),
        scopes [["user:read:chat"]];
    /// A chat notice: subs, resubs, gifts, raids, announcements…
    ChannelChatNotification(chat_notification::ChatNotification) = "channel.chat.notification" v "1",
        fn channel_chat_notification(broadcaster_user_id, user_id),
        scopes [["user:read:chat"]];
    /// The chat was cleared.
    ChannelChatClear(chat::ChatClear) = "channel.chat.clear" v "1",
        fn channel_chat_clear(broadcaster_user_id, user_id),
        scopes [["user:read:chat"]];
    /// A user's messages were cleared.
    ChannelChatClearUserMessages(chat::ChatClearUserMessages) = "channel.chat.clear_user_messages" v "1",
        fn channel_chat_clear_user_messages(broadcaster_user_id, user_id),
        scopes [["user:read:chat"]];
    /// A message was deleted.
    ChannelChatMessageDelete(chat::ChatMessageDelete) = "channel.chat.message_delete" v "1",
        fn channel_chat_message_delete(broadcaster_user_id, user_id),
        scopes [["user:read:chat"]];
    /// The chat settings changed.
    ChannelChatSettingsUpdate(chat::ChatSettingsUpdate) = "channel.chat_settings.update" v "1",
        fn channel_chat_settings_update(broadcaster_user_id, user_id),
        scopes [["user:read:chat"]];
    /// The user's message was held by AutoMod.
    ChannelChatUserMessageHold(chat::ChatUserMessageHold) = "channel.chat.user_message_hold" v "1",
        fn channel_chat_user_message_hold(broadcaster_user_id, user_id),
        scopes [["user:read:chat"]];
    /// The user's held message was approved, denied or became invalid.
    ChannelChatUserMessageUpdate(chat::ChatUserMessageUpdate) = "channel.chat.user_message_update" v "1",
        fn channel_chat_user_message_update(broadcaster_user_id, user_id),
        scopes [["user:read:chat"]];
    // The reference says "No authorization required" for the three shared chat types: no scope
    // (a WebSocket still subscribes with a user access token).
    /// The channel joined a shared chat session.
    ChannelSharedChatBegin(chat::SharedChatBegin) = "channel.shared_chat.begin" v "1",
        fn channel_shared_chat_begin(broadcaster_user_id),
        scopes [];
    /// The shared chat session changed.
    ChannelSharedChatUpdate(chat::SharedChatUpdate) = "channel.shared_chat.update" v "1",
        fn channel_shared_chat_update(broadcaster_user_id),
        scopes [];
    /// The channel left a shared chat session.
    ChannelSharedChatEnd(chat::SharedChatEnd) = "channel.shared_chat.end" v "1",
        fn channel_shared_chat_end(broadcaster_user_id),
        scopes [];

    // guest star (beta)
    /// A Guest Star session began.
    ChannelGuestStarSessionBegin(guest_star::GuestStarSessionBegin) = "channel.guest_star_session.begin" v "beta",
        fn channel_guest_star_session_begin(broadcaster_user_id, moderator_user_id),
        scopes [["channel:read:guest_star", "channel:manage:guest_star", "moderator:read:guest_star", "moderator:manage:guest_star"]];
    /// A Guest Star session ended.
    ChannelGuestStarSessionEnd(guest_star::GuestStarSessionEnd) = "channel.guest_star_session.end" v "beta",
        fn channel_guest_star_session_end(broadcaster_user_id, moderator_user_id),
        scopes [["channel:read:guest_star", "channel:manage:guest_star", "moderator:read:guest_star", "moderator:manage:guest_star"]];
    /// A Guest Star guest or slot changed.
    ChannelGuestStarGuestUpdate(guest_star::GuestStarGuestUpdate) = "channel.guest_star_guest.update" v "beta",
        fn channel_guest_star_guest_update(broadcaster_user_id, moderator_user_id),
        scopes [["channel:read:guest_star", "channel:manage:guest_star", "moderator:read:guest_star", "moderator:manage:guest_star"]];
    /// The Guest Star settings changed.
    ChannelGuestStarSettingsUpdate(guest_star::GuestStarSettingsUpdate) = "channel.guest_star_settings.update" v "beta",
        fn channel_guest_star_settings_update(broadcaster_user_id, moderator_user_id),
        scopes [["channel:read:guest_star", "channel:manage:guest_star", "moderator:read:guest_star", "moderator:manage:guest_star"]];

    // conduit
    /// Twitch disabled a shard of a conduit (needs an app access token: for conduit shards).
    ConduitShardDisabled(conduit::ConduitShardDisabled) = "conduit.shard.disabled" v "1",
        fn conduit_shard_disabled(client_id) | fn conduit_shard_disabled_of(client_id, conduit_id),
        scopes [];

    // stream, user
    /// The stream went live.
    StreamOnline(stream::StreamOnline) = "stream.online" v "1",
        fn stream_online(broadcaster_user_id),
        scopes [];
    /// The stream went offline.
    StreamOffline(stream::StreamOffline) = "stream.offline" v "1",
        fn stream_offline(broadcaster_user_id),
        scopes [];
    /// The user's account changed.
    UserUpdate(user::UserUpdate) = "user.update" v "1",
        fn user_update(user_id),
        scopes [];
    /// The user received a whisper.
    UserWhisperMessage(user::WhisperMessage) = "user.whisper.message" v "1",
        fn user_whisper_message(user_id),
        scopes [["user:read:whispers", "user:manage:whispers"]];
}
