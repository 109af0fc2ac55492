//! Where each subscription goes: the first session with room, a new session only when every one
//! is full, never a move of one that works.

use crate::client::Client;
use crate::config::Config;
use crate::error::{ConfigError, SubscribeError};
use crate::subscription::SubscriptionSpec;
use crate::wanted::{CostParts, Wanted};

/// Where [`place`] puts a subscription.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Placement {
    /// On this session.
    On(usize),
    /// On a session yet to be opened.
    NewSession,
}

/// The configured subscriptions, split over the fewest sessions that hold them: the first
/// [`Config::max_subscriptions_per_connection`] on the first session, and so on. Refused when
/// one is asked for twice, or when they need more than [`Config::max_sessions`].
pub(super) fn initial_groups(
    subscriptions: Vec<SubscriptionSpec>,
    config: &Config,
) -> Result<Vec<Vec<SubscriptionSpec>>, ConfigError> {
    for (index, spec) in subscriptions.iter().enumerate() {
        if subscriptions
            .iter()
            .take(index)
            .any(|earlier| earlier == spec)
        {
            return Err(SubscribeError::AlreadySubscribed {
                spec: Box::new(spec.clone()),
            }
            .into());
        }
    }
    let per_session = config.max_subscriptions_per_connection;
    let capacity = per_session.saturating_mul(config.max_sessions);
    if let Some(spec) = subscriptions.get(capacity) {
        return Err(full(spec, config).into());
    }
    let mut groups: Vec<Vec<SubscriptionSpec>> = Vec::new();
    let mut rest = subscriptions.into_iter().peekable();
    while rest.peek().is_some() {
        groups.push(rest.by_ref().take(per_session).collect());
    }
    if groups.is_empty() {
        groups.push(Vec::new());
    }
    Ok(groups)
}

/// Where `spec` goes among `members`, or why it cannot be added.
pub(super) fn place(
    spec: &SubscriptionSpec,
    members: &[Client],
    config: &Config,
) -> Result<Placement, SubscribeError> {
    if members.iter().any(|member| member.wants_active(spec)) {
        return Err(SubscribeError::AlreadySubscribed {
            spec: Box::new(spec.clone()),
        });
    }
    check_cost(spec, members, config)?;
    let per_session = config.max_subscriptions_per_connection;
    let has_room = |member: &Client| member.active_subscriptions() < per_session;
    // One that was revoked or failed for good starts over where it was, if there is room there
    // (else where there is: it did not work, so nothing that works moves).
    if let Some(index) = members.iter().position(|member| member.wants(spec)) {
        if members.get(index).is_some_and(has_room) {
            return Ok(Placement::On(index));
        }
    }
    if let Some(index) = members.iter().position(has_room) {
        return Ok(Placement::On(index));
    }
    if members.len() < config.max_sessions {
        return Ok(Placement::NewSession);
    }
    Err(full(spec, config))
}

/// Refuses `spec` when its estimated cost would bring the token's total over its maximum,
/// counting every session (only once the token's user is known: an estimate for an unknown
/// user says nothing, as on a single session).
fn check_cost(
    spec: &SubscriptionSpec,
    members: &[Client],
    config: &Config,
) -> Result<(), SubscribeError> {
    let Some(user) = members.iter().find_map(Client::token_user_id) else {
        return Ok(());
    };
    let cost = Wanted::new(spec.clone(), Some(user)).cost();
    // Also what waits to be created again on a session that is down: it comes back.
    let active = members
        .iter()
        .map(|member| member.cost_parts().active)
        .fold(0u32, u32::saturating_add);
    let would_be = committed_cost(members).max(active).saturating_add(cost);
    let max_total_cost = max_total_cost(members, config);
    if cost > 0 && would_be > max_total_cost {
        return Err(SubscribeError::CostLimitExceeded {
            spec: Box::new(spec.clone()),
            cost,
            would_be,
            max_total_cost,
        });
    }
    Ok(())
}

/// The token's committed cost over every session: Twitch's latest `total_cost` (which counts
/// the whole token) or what the sessions know is enabled, if more, plus what is being created.
pub(super) fn committed_cost(members: &[Client]) -> u32 {
    let total =
        members
            .iter()
            .map(Client::cost_parts)
            .fold(CostParts::default(), |total, parts| CostParts {
                reported: total.reported.max(parts.reported),
                enabled: total.enabled.saturating_add(parts.enabled),
                in_flight: total.in_flight.saturating_add(parts.in_flight),
                active: total.active.saturating_add(parts.active),
            });
    total
        .reported
        .max(total.enabled)
        .saturating_add(total.in_flight)
}

/// The token's `max_total_cost`: the lowest any session heard from Twitch (or was configured
/// with), so that no session's view is exceeded.
pub(super) fn max_total_cost(members: &[Client], config: &Config) -> u32 {
    members
        .iter()
        .map(Client::max_total_cost)
        .min()
        .unwrap_or(config.max_total_cost)
}

fn full(spec: &SubscriptionSpec, config: &Config) -> SubscribeError {
    SubscribeError::SessionsFull {
        spec: Box::new(spec.clone()),
        sessions: config.max_sessions,
        per_session: config.max_subscriptions_per_connection,
    }
}
