//! The subscriptions the user wants and where each one stands on the current session.

use crate::error::SubscribeError;
use crate::event::{Inactive, SubscriptionFailure};
use crate::ids::{RequestId, SubscriptionId};
use crate::io::RequestError;
use crate::subscription::SubscriptionSpec;

/// Where one wanted subscription stands.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubscriptionState {
    /// Not on the current session: it will be created on the next fresh session.
    Waiting,
    /// Creation was asked for and no answer came yet.
    Requested {
        /// The request.
        request: RequestId,
        /// The cost it is expected to have.
        estimated_cost: u32,
    },
    /// It exists on the current session (`id` is unknown when Twitch answered 409).
    Enabled {
        /// Its id.
        id: Option<SubscriptionId>,
        /// What it costs.
        cost: u32,
    },
    /// Creation failed; `retry` says whether it is tried again. On the live session: after a
    /// backoff delay when Helix was unavailable or answered 404 or 5xx; after the token was
    /// validated again when Helix answered 401; as soon as cost or room frees up (an unsubscribe,
    /// a revocation, a deletion) when a limit refused it (the core's or Helix's 429). On every
    /// fresh session too. Not at all (`retry: false`) after a 400 or 403 or for a missing scope,
    /// until it is subscribed again.
    Failed {
        /// Why.
        reason: SubscriptionFailure,
        /// Whether it is tried again.
        retry: bool,
    },
    /// Twitch revoked it; it is not re-created until it is subscribed again.
    Revoked,
}

/// One wanted subscription in a [`SubscriptionsReport`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SubscriptionReport {
    /// What is wanted.
    pub spec: SubscriptionSpec,
    /// Where it stands.
    pub state: SubscriptionState,
    /// Its id at Twitch, while it exists and Twitch told it.
    pub id: Option<SubscriptionId>,
    /// What it costs: what Twitch reported when it was last created, else the estimate.
    pub cost: u32,
    /// Whether `cost` is what Twitch reported (not an estimate).
    pub cost_reported: bool,
    /// Which session of a [`Pool`](crate::Pool) holds it: 0 for the first (and always for a
    /// client that is not pooled).
    pub session: usize,
}

/// Every wanted subscription and the token's cost totals, as
/// [`Client::subscriptions_report`](crate::Client::subscriptions_report) gives them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SubscriptionsReport {
    /// The wanted subscriptions, in the order they were asked for.
    pub subscriptions: Vec<SubscriptionReport>,
    /// The token's total cost on the current session: Twitch's latest `total_cost` (adjusted
    /// for what was deleted or revoked since), or what the client knows is enabled, if more.
    pub total_cost: u32,
    /// The token's `max_total_cost`: Twitch's latest, else the configured one.
    pub max_total_cost: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct Wanted {
    pub(crate) spec: SubscriptionSpec,
    pub(crate) estimated_cost: u32,
    /// The cost Twitch reported when it was last created: it beats the estimate from then on,
    /// on later sessions too.
    pub(crate) reported_cost: Option<u32>,
    pub(crate) state: SubscriptionState,
}

/// Whether a creation that failed with `error` is tried again (and when is up to
/// [`Wanted::awaits_retry`], [`Wanted::awaits_validation`] and [`Wanted::awaits_room`]).
pub(crate) fn retried_after(error: &RequestError) -> bool {
    match error {
        RequestError::Rejected {
            status: 400,
            message,
        } => session_gone(message),
        RequestError::Rejected { status, .. } => matches!(status, 404 | 429 | 500..=599),
        RequestError::AlreadyExists
        | RequestError::Unavailable { .. }
        | RequestError::Unauthorized { .. } => true,
    }
}

/// Whether a 400 says the WebSocket session is gone ("websocket transport session does not exist
/// or has already disconnected"): not the subscription's fault. The session's close follows (a
/// 4003 for a welcome read too late, say), and the next session creates it; until then it is
/// asked for again after the backoff delay, should the socket stay open.
fn session_gone(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("session")
        && (message.contains("does not exist") || message.contains("disconnected"))
}

impl Wanted {
    pub(crate) fn new(spec: SubscriptionSpec, token_user_id: Option<&str>) -> Self {
        Self {
            estimated_cost: spec.estimated_cost(token_user_id),
            reported_cost: None,
            spec,
            state: SubscriptionState::Waiting,
        }
    }

    /// What it costs: Twitch's word once given, else the estimate.
    pub(crate) fn cost(&self) -> u32 {
        self.reported_cost.unwrap_or(self.estimated_cost)
    }

    /// Whether its creation failed in a way that may pass with time (Helix unavailable, 404 as
    /// from a wrong URL, 5xx, a 400 saying the session is gone): it is retried on the live session after a backoff delay, and until
    /// it exists a gap is not over.
    pub(crate) fn awaits_retry(&self) -> bool {
        match &self.state {
            SubscriptionState::Failed {
                reason: SubscriptionFailure::Request(error),
                retry: true,
            } => match error {
                RequestError::Unavailable { .. }
                | RequestError::Rejected {
                    status: 404 | 500..=599,
                    ..
                } => true,
                RequestError::Rejected {
                    status: 400,
                    message,
                } => session_gone(message),
                _ => false,
            },
            _ => false,
        }
    }

    /// Whether it is asked for again after the creation backoff delay: what Helix could not serve
    /// ([`Wanted::awaits_retry`]), and in a session of a pool (`pooled`) also what Helix refused
    /// with 429. A pool's limits can pass with time there: Twitch counts a connection it has not
    /// yet noticed gone as one of the token's three websocket transports, so the fresh session
    /// that replaces a dropped one is refused as a fourth until Twitch lets go of the old one,
    /// and nothing on the fresh session would free room for it.
    pub(crate) fn retried_after_delay(&self, pooled: bool) -> bool {
        self.awaits_retry()
            || (pooled
                && matches!(
                    self.state,
                    SubscriptionState::Failed {
                        reason: SubscriptionFailure::Request(RequestError::Rejected {
                            status: 429,
                            ..
                        }),
                        retry: true,
                    }
                ))
    }

    /// Whether Helix answered 401 to its creation: it is asked for again once the token was
    /// validated again, and until it exists a gap is not over.
    pub(crate) fn awaits_validation(&self) -> bool {
        matches!(
            self.state,
            SubscriptionState::Failed {
                reason: SubscriptionFailure::Request(RequestError::Unauthorized { .. }),
                retry: true,
            }
        )
    }

    /// Whether a limit refused it (the core's, or Helix's 429): it is asked for again when cost
    /// or room frees up. It does not hold a gap open: that does not pass with time.
    pub(crate) fn awaits_room(&self) -> bool {
        matches!(
            self.state,
            SubscriptionState::Failed {
                reason: SubscriptionFailure::TooManySubscriptions { .. }
                    | SubscriptionFailure::CostLimitExceeded { .. }
                    | SubscriptionFailure::Request(RequestError::Rejected { status: 429, .. }),
                retry: true,
            }
        )
    }

    /// Why it is not created any more, if it is not.
    pub(crate) fn inactive(&self) -> Option<Inactive> {
        match &self.state {
            SubscriptionState::Revoked => Some(Inactive::Revoked),
            SubscriptionState::Failed {
                reason,
                retry: false,
            } => Some(Inactive::Failed {
                reason: reason.clone(),
            }),
            _ => None,
        }
    }

    /// Whether it is or will be created (so it counts against the limits).
    pub(crate) fn is_active(&self) -> bool {
        self.inactive().is_none()
    }

    pub(crate) fn report(&self) -> SubscriptionReport {
        let id = match &self.state {
            SubscriptionState::Enabled { id, .. } => id.clone(),
            _ => None,
        };
        let cost = match self.state {
            SubscriptionState::Enabled { cost, .. } => cost,
            _ => self.cost(),
        };
        SubscriptionReport {
            spec: self.spec.clone(),
            state: self.state.clone(),
            id,
            cost,
            cost_reported: self.reported_cost.is_some(),
            session: 0,
        }
    }
}

/// What a session's subscriptions commit of the token's `max_total_cost`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct CostParts {
    /// Twitch's latest `total_cost` (the whole token's), adjusted for what was freed since.
    pub(crate) reported: u32,
    /// What the session's enabled subscriptions cost.
    pub(crate) enabled: u32,
    /// The estimates of those being created.
    pub(crate) in_flight: u32,
    /// What every subscription that is or will be created costs (Twitch's word where given, else
    /// the estimate): also those waiting for the session to be up again.
    pub(crate) active: u32,
}

/// The wanted subscriptions, in the order the user asked for them.
#[derive(Debug, Default)]
pub(crate) struct WantedSubscriptions {
    pub(crate) entries: Vec<Wanted>,
    /// `total_cost` from Twitch's latest answer on the current session.
    pub(crate) reported_total_cost: u32,
    pub(crate) max_total_cost: u32,
}

impl WantedSubscriptions {
    pub(crate) fn new(max_total_cost: u32) -> Self {
        Self {
            entries: Vec::new(),
            reported_total_cost: 0,
            max_total_cost,
        }
    }

    /// Subscriptions that occupy a place on the current connection.
    pub(crate) fn occupying(&self) -> usize {
        self.entries
            .iter()
            .filter(|wanted| {
                matches!(
                    wanted.state,
                    SubscriptionState::Requested { .. } | SubscriptionState::Enabled { .. }
                )
            })
            .count()
    }

    /// Cost committed on the current session: what Twitch last reported (or what we know is
    /// enabled, if more) plus what is still being created.
    pub(crate) fn committed_cost(&self) -> u32 {
        let parts = self.cost_parts();
        parts
            .reported
            .max(parts.enabled)
            .saturating_add(parts.in_flight)
    }

    /// The parts of [`WantedSubscriptions::committed_cost`], for a pool to add up over its
    /// sessions (Twitch's `total_cost` counts the whole token; what is enabled or in flight is
    /// each session's own).
    pub(crate) fn cost_parts(&self) -> CostParts {
        let (enabled, in_flight) =
            self.entries
                .iter()
                .fold((0u32, 0u32), |(enabled, in_flight), wanted| {
                    match wanted.state {
                        SubscriptionState::Enabled { cost, .. } => {
                            (enabled.saturating_add(cost), in_flight)
                        }
                        SubscriptionState::Requested { estimated_cost, .. } => {
                            (enabled, in_flight.saturating_add(estimated_cost))
                        }
                        _ => (enabled, in_flight),
                    }
                });
        let active = self
            .entries
            .iter()
            .filter(|wanted| wanted.is_active())
            .fold(0u32, |total, wanted| {
                total.saturating_add(match wanted.state {
                    SubscriptionState::Enabled { cost, .. } => cost,
                    _ => wanted.cost(),
                })
            });
        CostParts {
            reported: self.reported_total_cost,
            enabled,
            in_flight,
            active,
        }
    }

    /// Whether a subscription of this cost fits next to what occupies the current session, and if not why.
    pub(crate) fn check_fits(
        &self,
        estimated_cost: u32,
        limit: usize,
    ) -> Result<(), SubscriptionFailure> {
        self.limits(
            self.occupying(),
            self.committed_cost(),
            estimated_cost,
            limit,
        )
    }

    /// Adds a wanted subscription if it can ever fit, counting every subscription that is or will
    /// be created (not the revoked or permanently failed ones); the cost only when `check_cost`
    /// (an estimate for an unknown token user says nothing). One that is wanted but was revoked or
    /// failed for good is wanted again: it starts over. Returns its index.
    pub(crate) fn add(
        &mut self,
        wanted: Wanted,
        limit: usize,
        check_cost: bool,
    ) -> Result<usize, SubscribeError> {
        let spec = Box::new(wanted.spec.clone());
        let existing = self
            .entries
            .iter()
            .position(|entry| entry.spec == wanted.spec);
        if let Some(index) = existing {
            if self.entries.get(index).is_some_and(Wanted::is_active) {
                return Err(SubscribeError::AlreadySubscribed { spec });
            }
        }
        let active = self.entries.iter().filter(|entry| entry.is_active());
        let cost = active.clone().fold(0u32, |total, entry| {
            total.saturating_add(match entry.state {
                SubscriptionState::Enabled { cost, .. } => cost,
                _ => entry.cost(),
            })
        });
        let committed = cost.max(self.reported_total_cost);
        let cost = if check_cost { wanted.cost() } else { 0 };
        match self.limits(active.count(), committed, cost, limit) {
            Ok(()) => match existing.and_then(|index| self.entries.get_mut(index)) {
                Some(entry) => {
                    // Twitch's last word on its cost still holds.
                    entry.estimated_cost = wanted.estimated_cost;
                    entry.state = SubscriptionState::Waiting;
                    existing.ok_or(SubscribeError::AlreadySubscribed { spec })
                }
                None => {
                    self.entries.push(wanted);
                    Ok(self.entries.len() - 1)
                }
            },
            Err(SubscriptionFailure::CostLimitExceeded {
                cost,
                would_be,
                max_total_cost,
            }) => Err(SubscribeError::CostLimitExceeded {
                spec,
                cost,
                would_be,
                max_total_cost,
            }),
            // The only other refusal `limits` gives.
            Err(_) => Err(SubscribeError::TooManySubscriptions { spec, limit }),
        }
    }

    /// Whether one more subscription of `estimated_cost` fits beside `count` others committing
    /// `committed_cost`: Twitch's two limits, in one place.
    fn limits(
        &self,
        count: usize,
        committed_cost: u32,
        estimated_cost: u32,
        limit: usize,
    ) -> Result<(), SubscriptionFailure> {
        if count >= limit {
            return Err(SubscriptionFailure::TooManySubscriptions { limit });
        }
        let would_be = committed_cost.saturating_add(estimated_cost);
        if estimated_cost > 0 && would_be > self.max_total_cost {
            return Err(SubscriptionFailure::CostLimitExceeded {
                cost: estimated_cost,
                would_be,
                max_total_cost: self.max_total_cost,
            });
        }
        Ok(())
    }

    /// The session is gone: everything on it must be created again on the next fresh session.
    pub(crate) fn session_lost(&mut self) {
        self.reported_total_cost = 0;
        for wanted in &mut self.entries {
            if matches!(
                wanted.state,
                SubscriptionState::Requested { .. } | SubscriptionState::Enabled { .. }
            ) {
                wanted.state = SubscriptionState::Waiting;
            }
        }
    }

    pub(crate) fn by_request(&mut self, request: RequestId) -> Option<&mut Wanted> {
        self.entries.iter_mut().find(|wanted| {
            matches!(wanted.state, SubscriptionState::Requested { request: r, .. } if r == request)
        })
    }

    /// Whether some subscription is being created, or waits to be retried on the live session
    /// (after a delay, or after the token was validated again). In a session of a pool
    /// (`pooled`) a 429 is retried after the delay too (see [`Wanted::retried_after_delay`]):
    /// until it is created its events are not coming, so a gap is not over.
    pub(crate) fn any_pending(&self, pooled: bool) -> bool {
        self.entries.iter().any(|wanted| {
            matches!(wanted.state, SubscriptionState::Requested { .. })
                || wanted.retried_after_delay(pooled)
                || wanted.awaits_validation()
        })
    }

    /// Whether any wanted subscription is or will be created.
    pub(crate) fn any_active(&self) -> bool {
        self.entries.iter().any(Wanted::is_active)
    }

    /// A subscription that existed on the current session is gone (unsubscribed, revoked): what
    /// it cost is free again.
    pub(crate) fn freed(&mut self, cost: u32) {
        self.reported_total_cost = self.reported_total_cost.saturating_sub(cost);
    }

    /// Every wanted subscription and the cost totals.
    pub(crate) fn report(&self) -> SubscriptionsReport {
        SubscriptionsReport {
            subscriptions: self.entries.iter().map(Wanted::report).collect(),
            total_cost: self.committed_cost(),
            max_total_cost: self.max_total_cost,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(status: u16) -> RequestError {
        RequestError::Rejected {
            status,
            message: String::new(),
        }
    }

    fn failed(error: RequestError) -> Wanted {
        let mut wanted = Wanted::new(SubscriptionSpec::new("stream.online", "1"), None);
        wanted.state = SubscriptionState::Failed {
            retry: retried_after(&error),
            reason: SubscriptionFailure::Request(error),
        };
        wanted
    }

    #[test]
    fn what_a_later_try_could_fix_is_retried_and_400_and_403_are_final() {
        for status in [404, 500, 503] {
            assert!(failed(rejected(status)).awaits_retry(), "{status}");
        }
        let unavailable = RequestError::Unavailable {
            message: String::new(),
        };
        assert!(failed(unavailable).awaits_retry());
        assert!(failed(rejected(429)).awaits_room());
        let unauthorized = RequestError::Unauthorized {
            message: String::new(),
        };
        assert!(failed(unauthorized).awaits_validation());
        for status in [400, 403] {
            let wanted = failed(rejected(status));
            assert!(!wanted.is_active(), "{status}");
            assert!(!wanted.awaits_retry() && !wanted.awaits_room());
        }
    }

    #[test]
    fn a_400_saying_the_session_is_gone_is_retried_and_other_400s_stay_final() {
        let gone = |message: &str| {
            failed(RequestError::Rejected {
                status: 400,
                message: message.to_owned(),
            })
        };
        for message in [
            "websocket transport session does not exist or has already disconnected",
            "websocket session does not exist or has already disconnected",
        ] {
            assert!(gone(message).awaits_retry(), "{message}");
            assert!(gone(message).is_active(), "{message}");
        }
        for message in ["invalid condition", "the version is not supported"] {
            assert!(!gone(message).awaits_retry(), "{message}");
            assert!(!gone(message).is_active(), "{message}");
        }
    }

    #[test]
    fn a_session_of_a_pool_asks_again_after_a_delay_for_what_helix_refused_with_429() {
        assert!(failed(rejected(429)).retried_after_delay(true));
        assert!(
            !failed(rejected(429)).retried_after_delay(false),
            "alone, a session waits for room"
        );
        for pooled in [false, true] {
            assert!(failed(rejected(503)).retried_after_delay(pooled));
            assert!(!failed(rejected(400)).retried_after_delay(pooled), "final");
        }
    }

    #[test]
    fn a_revoked_subscription_may_be_wanted_again_and_keeps_twitchs_cost() {
        let spec = SubscriptionSpec::new("stream.online", "1");
        let mut subscriptions = WantedSubscriptions::new(10);
        let index = subscriptions
            .add(Wanted::new(spec.clone(), None), 300, true)
            .unwrap_or_else(|error| panic!("{error}"));
        assert!(matches!(
            subscriptions.add(Wanted::new(spec.clone(), None), 300, true),
            Err(SubscribeError::AlreadySubscribed { .. })
        ));
        if let Some(wanted) = subscriptions.entries.get_mut(index) {
            wanted.reported_cost = Some(0);
            wanted.state = SubscriptionState::Revoked;
        }
        assert_eq!(
            subscriptions.add(Wanted::new(spec, None), 300, true),
            Ok(index)
        );
        let again = subscriptions.entries.get(index);
        assert!(again.is_some_and(|wanted| wanted.state == SubscriptionState::Waiting));
        assert_eq!(again.map(Wanted::cost), Some(0));
    }
}
