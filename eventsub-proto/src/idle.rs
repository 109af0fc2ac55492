//! What [`Event::Idle`](crate::Event::Idle) says: each wanted subscription that cannot be created,
//! and why.

use crate::event::SubscriptionFailure;
use crate::subscription::SubscriptionSpec;

/// A wanted subscription that cannot be created, and why: one entry of
/// [`Event::Idle`](crate::Event::Idle).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct IdleReason {
    /// The subscription.
    pub spec: SubscriptionSpec,
    /// Why it cannot be created.
    pub why: Inactive,
}

impl IdleReason {
    /// `spec` cannot be created because of `why`.
    pub fn new(spec: SubscriptionSpec, why: Inactive) -> Self {
        Self { spec, why }
    }
}

/// Why a wanted subscription is not created any more (until it is subscribed again).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Inactive {
    /// Twitch revoked it.
    Revoked,
    /// Its creation failed for good (a 400 or 403, a scope the token lacks).
    Failed {
        /// Why.
        reason: SubscriptionFailure,
    },
}
