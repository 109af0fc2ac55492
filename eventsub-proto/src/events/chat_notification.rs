//! `channel.chat.notification`: the chat notices (subs, resubs, gifts, raids, announcements, …),
//! with the object of their notice type.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::channel::SubscriptionTier;
use super::chat::{Badge, ChatMessageBody};
use super::common::{Amount, UserId, UserLogin, optional_text, string_enum};

string_enum! {
    /// The kind of notice; the field of the same name holds its details.
    NoticeType {
        /// A new subscription.
        Sub => "sub",
        /// A resubscription.
        Resub => "resub",
        /// A gifted subscription.
        SubGift => "sub_gift",
        /// Gifts to the community.
        CommunitySubGift => "community_sub_gift",
        /// A gifted subscription continued as a paid one.
        GiftPaidUpgrade => "gift_paid_upgrade",
        /// A Prime subscription continued as a paid one.
        PrimePaidUpgrade => "prime_paid_upgrade",
        /// An incoming raid.
        Raid => "raid",
        /// A canceled raid.
        Unraid => "unraid",
        /// A gift paid forward.
        PayItForward => "pay_it_forward",
        /// An announcement.
        Announcement => "announcement",
        /// A new bits badge tier.
        BitsBadgeTier => "bits_badge_tier",
        /// A charity donation.
        CharityDonation => "charity_donation",
        /// A new subscription in another channel of the shared chat session.
        SharedChatSub => "shared_chat_sub",
        /// A resubscription in another channel of the shared chat session.
        SharedChatResub => "shared_chat_resub",
        /// A gifted subscription in another channel of the shared chat session.
        SharedChatSubGift => "shared_chat_sub_gift",
        /// Community gifts in another channel of the shared chat session.
        SharedChatCommunitySubGift => "shared_chat_community_sub_gift",
        /// A gift upgrade in another channel of the shared chat session.
        SharedChatGiftPaidUpgrade => "shared_chat_gift_paid_upgrade",
        /// A Prime upgrade in another channel of the shared chat session.
        SharedChatPrimePaidUpgrade => "shared_chat_prime_paid_upgrade",
        /// A raid of another channel of the shared chat session.
        SharedChatRaid => "shared_chat_raid",
        /// A gift paid forward in another channel of the shared chat session.
        SharedChatPayItForward => "shared_chat_pay_it_forward",
        /// An announcement in another channel of the shared chat session.
        SharedChatAnnouncement => "shared_chat_announcement",
    }
}

/// `channel.chat.notification`: a chat notice. Exactly the field named by
/// [`ChatNotification::notice_type`] is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatNotification<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
    /// The user id of who caused the notice (for an anonymous gift, Twitch's anonymous user).
    #[serde(borrow)]
    pub chatter_user_id: UserId<'a>,
    /// Their login.
    #[serde(borrow)]
    pub chatter_user_login: UserLogin<'a>,
    /// Their display name.
    #[serde(borrow)]
    pub chatter_user_name: Cow<'a, str>,
    /// Whether they are anonymous.
    pub chatter_is_anonymous: bool,
    /// Their name colour (`#RRGGBB`), empty when never chosen.
    #[serde(borrow)]
    pub color: Cow<'a, str>,
    /// Their badges.
    #[serde(borrow)]
    pub badges: Vec<Badge<'a>>,
    /// The message Twitch shows for the notice.
    #[serde(borrow)]
    pub system_message: Cow<'a, str>,
    /// The message id.
    #[serde(borrow)]
    pub message_id: Cow<'a, str>,
    /// The user's own message, if any (empty text when none).
    #[serde(borrow)]
    pub message: ChatMessageBody<'a>,
    /// The kind of notice.
    pub notice_type: NoticeType,
    /// For `sub`.
    #[serde(default)]
    pub sub: Option<Sub>,
    /// For `resub`.
    #[serde(borrow, default)]
    pub resub: Option<Resub<'a>>,
    /// For `sub_gift`.
    #[serde(borrow, default)]
    pub sub_gift: Option<SubGift<'a>>,
    /// For `community_sub_gift`.
    #[serde(borrow, default)]
    pub community_sub_gift: Option<CommunitySubGift<'a>>,
    /// For `gift_paid_upgrade`.
    #[serde(borrow, default)]
    pub gift_paid_upgrade: Option<Gifter<'a>>,
    /// For `prime_paid_upgrade`.
    #[serde(default)]
    pub prime_paid_upgrade: Option<PrimePaidUpgrade>,
    /// For `raid`.
    #[serde(borrow, default)]
    pub raid: Option<Raid<'a>>,
    /// For `unraid` (no details).
    #[serde(default)]
    pub unraid: Option<Unraid>,
    /// For `pay_it_forward`.
    #[serde(borrow, default)]
    pub pay_it_forward: Option<Gifter<'a>>,
    /// For `announcement`.
    #[serde(default)]
    pub announcement: Option<Announcement>,
    /// For `bits_badge_tier`.
    #[serde(default)]
    pub bits_badge_tier: Option<BitsBadgeTier>,
    /// For `charity_donation`.
    #[serde(borrow, default)]
    pub charity_donation: Option<CharityDonation<'a>>,
    /// For `shared_chat_sub`.
    #[serde(default)]
    pub shared_chat_sub: Option<Sub>,
    /// For `shared_chat_resub`.
    #[serde(borrow, default)]
    pub shared_chat_resub: Option<Resub<'a>>,
    /// For `shared_chat_sub_gift`.
    #[serde(borrow, default)]
    pub shared_chat_sub_gift: Option<SubGift<'a>>,
    /// For `shared_chat_community_sub_gift`.
    #[serde(borrow, default)]
    pub shared_chat_community_sub_gift: Option<CommunitySubGift<'a>>,
    /// For `shared_chat_gift_paid_upgrade`.
    #[serde(borrow, default)]
    pub shared_chat_gift_paid_upgrade: Option<Gifter<'a>>,
    /// For `shared_chat_prime_paid_upgrade`.
    #[serde(default)]
    pub shared_chat_prime_paid_upgrade: Option<PrimePaidUpgrade>,
    /// For `shared_chat_raid`.
    #[serde(borrow, default)]
    pub shared_chat_raid: Option<Raid<'a>>,
    /// For `shared_chat_pay_it_forward`.
    #[serde(borrow, default)]
    pub shared_chat_pay_it_forward: Option<Gifter<'a>>,
    /// For `shared_chat_announcement`.
    #[serde(default)]
    pub shared_chat_announcement: Option<Announcement>,
    /// In a shared chat session, the user id of the channel the notice happened in.
    #[serde(borrow, default)]
    pub source_broadcaster_user_id: Option<UserId<'a>>,
    /// In a shared chat session, that channel's login.
    #[serde(borrow, default)]
    pub source_broadcaster_user_login: Option<UserLogin<'a>>,
    /// In a shared chat session, that channel's display name.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub source_broadcaster_user_name: Option<Cow<'a, str>>,
    /// In a shared chat session, the message id in that channel.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub source_message_id: Option<Cow<'a, str>>,
    /// In a shared chat session, the user's badges in that channel.
    #[serde(borrow, default)]
    pub source_badges: Option<Vec<Badge<'a>>>,
}

/// A new subscription.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Sub {
    /// The tier.
    pub sub_tier: SubscriptionTier,
    /// Whether it is a Prime subscription.
    pub is_prime: bool,
    /// Months bought.
    pub duration_months: u64,
}

/// A resubscription.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Resub<'a> {
    /// Total months subscribed.
    pub cumulative_months: u64,
    /// Months bought.
    pub duration_months: u64,
    /// Consecutive months; `None` when not shared.
    #[serde(default)]
    pub streak_months: Option<u64>,
    /// The tier.
    pub sub_tier: SubscriptionTier,
    /// Whether it is a Prime subscription.
    pub is_prime: bool,
    /// Whether it was a gift.
    pub is_gift: bool,
    /// For a gift, whether the gifter is anonymous.
    #[serde(default)]
    pub gifter_is_anonymous: Option<bool>,
    /// For a gift, the gifter's user id.
    #[serde(borrow, default)]
    pub gifter_user_id: Option<UserId<'a>>,
    /// For a gift, the gifter's display name.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub gifter_user_name: Option<Cow<'a, str>>,
    /// For a gift, the gifter's login.
    #[serde(borrow, default)]
    pub gifter_user_login: Option<UserLogin<'a>>,
}

/// A gifted subscription.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SubGift<'a> {
    /// Months gifted.
    pub duration_months: u64,
    /// Subscriptions the gifter gifted in the channel; `None` when anonymous or not shared.
    #[serde(default)]
    pub cumulative_total: Option<u64>,
    /// The recipient's user id.
    #[serde(borrow)]
    pub recipient_user_id: UserId<'a>,
    /// The recipient's display name.
    #[serde(borrow)]
    pub recipient_user_name: Cow<'a, str>,
    /// The recipient's login.
    #[serde(borrow)]
    pub recipient_user_login: UserLogin<'a>,
    /// The tier.
    pub sub_tier: SubscriptionTier,
    /// The community gift it is part of, if any.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub community_gift_id: Option<Cow<'a, str>>,
}

/// Subscriptions gifted to the community.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CommunitySubGift<'a> {
    /// The community gift's id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// How many were gifted.
    pub total: u64,
    /// The tier.
    pub sub_tier: SubscriptionTier,
    /// Subscriptions the gifter gifted in the channel; `None` when anonymous or not shared.
    #[serde(default)]
    pub cumulative_total: Option<u64>,
}

/// Who gifted a subscription that was continued or paid forward.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Gifter<'a> {
    /// Whether the gifter is anonymous.
    pub gifter_is_anonymous: bool,
    /// The gifter's user id; `None` when anonymous.
    #[serde(borrow, default)]
    pub gifter_user_id: Option<UserId<'a>>,
    /// The gifter's display name; `None` when anonymous.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub gifter_user_name: Option<Cow<'a, str>>,
    /// The gifter's login; `None` when anonymous.
    #[serde(borrow, default)]
    pub gifter_user_login: Option<UserLogin<'a>>,
}

/// A Prime subscription continued as a paid one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PrimePaidUpgrade {
    /// The tier.
    pub sub_tier: SubscriptionTier,
}

/// An incoming raid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Raid<'a> {
    /// The raiding channel's user id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The raiding channel's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// The raiding channel's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// Viewers coming along.
    pub viewer_count: u64,
    /// The raiding channel's profile image.
    #[serde(borrow)]
    pub profile_image_url: Cow<'a, str>,
}

/// A canceled raid: Twitch sends an empty object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Unraid {}

string_enum! {
    /// The colour of an announcement.
    ///
    /// Documented in lower case; chat's own notices (IRC) spell it in upper case, which decodes
    /// too.
    AnnouncementColor {
        /// The channel's accent colour.
        Primary => "primary" | "PRIMARY",
        /// Blue.
        Blue => "blue" | "BLUE",
        /// Green.
        Green => "green" | "GREEN",
        /// Orange.
        Orange => "orange" | "ORANGE",
        /// Purple.
        Purple => "purple" | "PURPLE",
    }
}

/// An announcement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Announcement {
    /// Its colour.
    pub color: AnnouncementColor,
}

/// A new bits badge tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BitsBadgeTier {
    /// The tier reached.
    pub tier: u64,
}

/// A charity donation announced in chat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CharityDonation<'a> {
    /// The charity's name.
    #[serde(borrow)]
    pub charity_name: Cow<'a, str>,
    /// The amount.
    #[serde(borrow)]
    pub amount: Amount<'a>,
}
