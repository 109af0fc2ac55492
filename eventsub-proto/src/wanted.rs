//! The subscriptions the user wants and where each one stands on the current session.

use crate::error::SubscribeError;
use crate::event::SubscriptionFailure;
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
    /// Creation failed; `retry` says whether it is tried again: after a backoff delay on the live
    /// session when Helix was unavailable (429, 5xx, a timeout), else on the next fresh session.
    Failed {
        /// Why.
        reason: SubscriptionFailure,
        /// Whether it is tried again.
        retry: bool,
    },
    /// Twitch revoked it; it is not re-created.
    Revoked,
}

#[derive(Clone, Debug)]
pub(crate) struct Wanted {
    pub(crate) spec: SubscriptionSpec,
    pub(crate) estimated_cost: u32,
    pub(crate) state: SubscriptionState,
}

impl Wanted {
    pub(crate) fn new(spec: SubscriptionSpec, token_user_id: Option<&str>) -> Self {
        Self {
            estimated_cost: spec.estimated_cost(token_user_id),
            spec,
            state: SubscriptionState::Waiting,
        }
    }

    /// Whether its creation failed only because Helix was unavailable: it is retried on the live
    /// session, and until it exists a gap is not over.
    pub(crate) fn awaits_retry(&self) -> bool {
        matches!(
            self.state,
            SubscriptionState::Failed {
                reason: SubscriptionFailure::Request(RequestError::Unavailable { .. }),
                ..
            }
        )
    }

    /// Whether it is or will be created (so it counts against the limits).
    fn is_active(&self) -> bool {
        !matches!(
            self.state,
            SubscriptionState::Revoked | SubscriptionState::Failed { retry: false, .. }
        )
    }
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

    pub(crate) fn contains(&self, spec: &SubscriptionSpec) -> bool {
        self.entries.iter().any(|wanted| &wanted.spec == spec)
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
        self.reported_total_cost
            .max(enabled)
            .saturating_add(in_flight)
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
    /// be created (not the revoked or permanently failed ones). Returns its index.
    pub(crate) fn add(&mut self, wanted: Wanted, limit: usize) -> Result<usize, SubscribeError> {
        let spec = Box::new(wanted.spec.clone());
        if self.contains(&wanted.spec) {
            return Err(SubscribeError::AlreadySubscribed { spec });
        }
        let active = self.entries.iter().filter(|entry| entry.is_active());
        let cost = active.clone().fold(0u32, |total, entry| {
            total.saturating_add(match entry.state {
                SubscriptionState::Enabled { cost, .. } => cost,
                _ => entry.estimated_cost,
            })
        });
        let committed = cost.max(self.reported_total_cost);
        match self.limits(active.count(), committed, wanted.estimated_cost, limit) {
            Ok(()) => {
                self.entries.push(wanted);
                Ok(self.entries.len() - 1)
            }
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

    /// Whether some subscription is being created, or waits to be retried on the live session.
    pub(crate) fn any_pending(&self) -> bool {
        self.entries.iter().any(|wanted| {
            matches!(wanted.state, SubscriptionState::Requested { .. }) || wanted.awaits_retry()
        })
    }
}
