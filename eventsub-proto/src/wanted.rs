//! The subscriptions the user wants and where each one stands on the current session.

use crate::error::SubscribeError;
use crate::event::SubscriptionFailure;
use crate::ids::{RequestId, SubscriptionId};
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
    /// Creation failed; `retry` says whether the next fresh session tries again.
    Failed {
        /// Why.
        reason: SubscriptionFailure,
        /// Whether it is tried again on the next fresh session.
        retry: bool,
    },
    /// Twitch revoked it; it is not re-created.
    Revoked,
}

#[derive(Clone, Debug)]
pub(crate) struct Wanted {
    pub(crate) spec: SubscriptionSpec,
    pub(crate) state: SubscriptionState,
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
        if self.occupying() >= limit {
            return Err(SubscriptionFailure::TooManySubscriptions { limit });
        }
        let would_be = self.committed_cost().saturating_add(estimated_cost);
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

    pub(crate) fn any_requested(&self) -> bool {
        self.entries
            .iter()
            .any(|wanted| matches!(wanted.state, SubscriptionState::Requested { .. }))
    }
}

/// Checks a whole list of wanted subscriptions up front.
pub(crate) fn check_initial(
    specs: &[SubscriptionSpec],
    token_user_id: Option<&str>,
    max_total_cost: u32,
    limit: usize,
) -> Result<(), SubscribeError> {
    let mut total_cost = 0u32;
    for (index, spec) in specs.iter().enumerate() {
        if specs.iter().take(index).any(|earlier| earlier == spec) {
            return Err(SubscribeError::AlreadySubscribed {
                spec: Box::new(spec.clone()),
            });
        }
        if index >= limit {
            return Err(SubscribeError::TooManySubscriptions {
                spec: Box::new(spec.clone()),
                limit,
            });
        }
        let cost = spec.estimated_cost(token_user_id);
        total_cost = total_cost.saturating_add(cost);
        if cost > 0 && total_cost > max_total_cost {
            return Err(SubscribeError::CostLimitExceeded {
                spec: Box::new(spec.clone()),
                cost,
                would_be: total_cost,
                max_total_cost,
            });
        }
    }
    Ok(())
}
