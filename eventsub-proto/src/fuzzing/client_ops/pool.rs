//! The fixed sets a scenario chooses from: subscriptions, message ids, URLs, revocation reasons.

use crate::subscription::SubscriptionSpec;

/// The token's user: subscriptions about this user cost 0, others 1.
pub(super) const TOKEN_USER: &str = "1";

/// What the adapter's token validations answer: a user token of [`TOKEN_USER`] that can read
/// followers and chat but not moderate (so `channel.ban` is refused for its scope).
pub(super) fn token() -> crate::token::TokenIdentity {
    crate::token::TokenIdentity::user(
        "fuzz-client",
        crate::ids::UserId::new(TOKEN_USER),
        "fuzzer",
        ["moderator:read:followers", "user:read:chat"],
    )
}

/// A subscription type, its version and its condition's fields.
type Entry = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// The subscriptions a scenario can want: some free, some costing 1.
const SUBSCRIPTIONS: [Entry; 8] = [
    ("stream.online", "1", &[("broadcaster_user_id", "1")]),
    (
        "channel.follow",
        "2",
        &[("broadcaster_user_id", "1"), ("moderator_user_id", "1")],
    ),
    (
        "channel.chat.message",
        "1",
        &[("broadcaster_user_id", "2"), ("user_id", "1")],
    ),
    ("stream.online", "1", &[("broadcaster_user_id", "2")]),
    ("channel.update", "2", &[("broadcaster_user_id", "3")]),
    ("channel.raid", "1", &[("to_broadcaster_user_id", "4")]),
    ("channel.ban", "1", &[("broadcaster_user_id", "1")]),
    ("user.update", "1", &[("user_id", "5")]),
];

/// Subscription `index` of the pool (modulo its size).
pub(super) fn subscription(index: u8) -> SubscriptionSpec {
    let (kind, version, condition) = SUBSCRIPTIONS
        .get(usize::from(index) % SUBSCRIPTIONS.len())
        .copied()
        .unwrap_or(("stream.online", "1", &[]));
    condition.iter().fold(
        SubscriptionSpec::new(kind, version),
        |spec, (field, value)| spec.with_condition(*field, *value),
    )
}

/// How many subscriptions the pool holds.
pub(super) const SUBSCRIPTION_COUNT: u8 = SUBSCRIPTIONS.len() as u8;

/// Message id `index` of a pool of 16 UUIDs, so the fuzzer repeats ids often.
pub(super) fn message_id(index: u8) -> String {
    uuid::Uuid::from_u128(0x5eed_0000_0000_4000_8000_0000_0000_0000 | u128::from(index % 16))
        .hyphenated()
        .to_string()
}

/// A UUID no pool id and no other fresh id equals.
pub(super) fn fresh_message_id(counter: u64) -> String {
    uuid::Uuid::from_u128(0xf7e5_0000_0000_4000_8000_0000_0000_0000 | u128::from(counter))
        .hyphenated()
        .to_string()
}

/// Where fresh connections go.
pub(super) const BASE_URL: &str = "wss://eventsub.fuzz.test/ws";

/// Why Twitch revokes a subscription (and one status that is no reason at all).
pub(super) fn revocation_status(index: u8) -> &'static str {
    const STATUSES: [&str; 6] = [
        "authorization_revoked",
        "user_removed",
        "version_removed",
        "notification_failures_exceeded",
        "moderator_removed",
        "enabled",
    ];
    STATUSES
        .get(usize::from(index) % STATUSES.len())
        .copied()
        .unwrap_or("user_removed")
}
