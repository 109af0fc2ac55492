//! The report that closes a gap's catch-up.

use std::time::SystemTime;

use crate::io::RequestError;
#[cfg(feature = "serde")]
use crate::serialize::{request_error, rfc3339};
use crate::subscription::SubscriptionSpec;

use super::read::HelixRead;

/// What a gap's catch-up found, per subscription live during the gap
/// ([`Event::CatchUp`](crate::Event::CatchUp)); it comes after the gap's recovered events.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct CatchUp {
    /// The start of the gap (Twitch's clock).
    #[cfg_attr(feature = "serde", serde(serialize_with = "rfc3339"))]
    pub gap_from: SystemTime,
    /// The end of the gap (Twitch's clock).
    #[cfg_attr(feature = "serde", serde(serialize_with = "rfc3339"))]
    pub gap_until: SystemTime,
    /// One outcome per subscription that was live during the gap.
    pub subscriptions: Vec<CatchUpOutcome>,
}

/// What a catch-up found for one subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct CatchUpOutcome {
    /// The subscription.
    pub subscription: SubscriptionSpec,
    /// What was found.
    pub result: CatchUpResult,
}

/// What a catch-up found for one subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum CatchUpResult {
    /// The read answered: `events` recovered events were delivered for it (0: nothing was missed,
    /// as far as Helix can tell).
    Recovered {
        /// The read.
        read: HelixRead,
        /// How many recovered events were delivered.
        events: u32,
        /// `false` when the page budget ran out before the read reached the gap's start: older
        /// events of the gap may be missing.
        complete: bool,
    },
    /// Nothing can tell what it missed.
    Unrecoverable {
        /// Why.
        reason: Unrecoverable,
    },
    /// The read failed.
    Failed {
        /// The read.
        read: HelixRead,
        /// What went wrong: Helix's error, or a body that does not decode.
        error: ReadError,
    },
}

/// Why what a subscription missed during a gap cannot be known.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Unrecoverable {
    /// No Helix read tells what this type delivers (chat messages, cheers, raids, hype trains, …).
    NoHelixRead,
    /// The read needs one of `scopes`, and the token has none of them.
    MissingScope {
        /// The read.
        read: HelixRead,
        /// The scopes, any one of which would do.
        scopes: &'static [&'static str],
    },
    /// The gap's read budget ([`CatchUpConfig::max_reads_per_gap`](crate::catchup::CatchUpConfig))
    /// was spent on other subscriptions.
    ReadBudget {
        /// The read it would have needed.
        read: HelixRead,
    },
    /// Get Custom Reward Redemption needs a `reward_id`, and the subscription's condition names
    /// none (it listens to every reward): Helix cannot list the redemptions of all rewards.
    NoRewardId {
        /// The read.
        read: HelixRead,
    },
    /// The subscription's condition lacks the field the read is asked with.
    MissingCondition {
        /// The read.
        read: HelixRead,
        /// The condition's field.
        field: &'static str,
    },
    /// A state read: how things were before the gap is not known (never read, or the read
    /// failed), so no change can be told. The state after the gap was read and is the baseline
    /// of the next gap.
    NoBaseline {
        /// The read.
        read: HelixRead,
    },
}

/// Why a catch-up read failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum ReadError {
    /// Helix (or the way to it) failed; a 401 here is the read's failure (most often a missing
    /// scope), not the token's.
    #[error(transparent)]
    #[cfg_attr(feature = "serde", serde(serialize_with = "request_error"))]
    Request(RequestError),
    /// Helix answered 200 with a body that is not the read's shape.
    #[error("the body does not decode: {message}")]
    Malformed {
        /// What is wrong with it (never the body itself, which is bounded only by the adapter).
        message: String,
    },
}

impl From<RequestError> for ReadError {
    fn from(error: RequestError) -> Self {
        Self::Request(error)
    }
}
