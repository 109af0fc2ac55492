//! Knowing the token: validating it before the first socket and every `revalidate_every` after,
//! what an answer changes (the token's user, refused scopes), and validating again when Helix
//! answers 401.

use std::time::Instant;

use super::{Client, Request};
use crate::error::InputError;
use crate::event::{Event, StopReason, SubscriptionFailure};
use crate::events::{SubscriptionType, check_scopes};
use crate::ids::RequestId;
use crate::io::{Output, RequestError};
use crate::subscription::SubscriptionSpec;
use crate::token::TokenIdentity;
use crate::wanted::SubscriptionState;

/// Where token validation stands.
#[derive(Debug, Default)]
pub(super) struct Validation {
    /// What the latest successful validation said.
    pub(super) identity: Option<TokenIdentity>,
    /// The validation asked for and not answered yet.
    pub(super) request: Option<RequestId>,
    /// When to validate next: the periodic revalidation, a retry, or after a Helix 401.
    pub(super) next_at: Option<Instant>,
    /// Consecutive validations that failed without an answer about the token (the backoff step).
    failures: u32,
    /// Consecutive Helix 401s since a creation last succeeded (the backoff step of validating
    /// again for them): a server answering 401 to creations and 200 to validations meets a
    /// growing delay, never a loop.
    unauthorized_streak: u32,
}

impl Validation {
    /// A validation answered: the backoff of failed ones starts over.
    pub(super) fn reset_failures(&mut self) {
        self.failures = 0;
    }

    /// A creation succeeded: the token works.
    pub(super) fn token_worked(&mut self) {
        self.unauthorized_streak = 0;
    }
}

/// Condition fields that must name the token's own user when the type needs authorization (has
/// scopes): the moderator acting, or the user reading chat or whispers.
const TOKEN_USER_FIELDS: [&str; 2] = ["moderator_user_id", "user_id"];

/// Why the token cannot serve `spec`, if it cannot: a scope it lacks, or a condition naming
/// another user where the type needs the token's own. `None` for a type this crate does not know
/// (Twitch decides then).
pub(super) fn refusal(
    spec: &SubscriptionSpec,
    identity: &TokenIdentity,
) -> Option<SubscriptionFailure> {
    let missing = missing_scopes(spec, identity);
    if !missing.is_empty() {
        return Some(SubscriptionFailure::MissingScope {
            subscription_type: spec.kind.clone(),
            version: spec.version.clone(),
            missing,
        });
    }
    let needs_authorization = SubscriptionType::find(&spec.kind, &spec.version)
        .is_some_and(|entry| !entry.scopes.is_empty());
    let token_user = identity.user_id.as_ref()?.as_str();
    if !needs_authorization {
        return None;
    }
    TOKEN_USER_FIELDS.iter().find_map(|field| {
        let named = spec.condition_str(field)?;
        (named != token_user).then(|| SubscriptionFailure::NotTokenUser {
            subscription_type: spec.kind.clone(),
            version: spec.version.clone(),
            field: (*field).to_owned(),
            named: named.to_owned(),
            token_user: token_user.to_owned(),
        })
    })
}

/// The scope groups `identity` lacks for `spec` (empty for a type this crate does not know:
/// Twitch decides then).
pub(super) fn missing_scopes(
    spec: &SubscriptionSpec,
    identity: &TokenIdentity,
) -> Vec<&'static [&'static str]> {
    check_scopes([spec], &identity.scopes)
        .iter()
        .filter_map(|problem| problem.any_of())
        .collect()
}

impl Client {
    /// Whether the token is known well enough to connect: validated, or validation is off.
    pub(super) fn token_known(&self) -> bool {
        !self.config.validate_token || self.validation.identity.is_some()
    }

    /// Asks for a validation now, unless one is outstanding.
    pub(super) fn ask_validation(&mut self) {
        if self.validation.request.is_some() {
            return;
        }
        let request = RequestId::next(&mut self.last_request);
        self.requests.insert(request, Request::Validate);
        self.validation.request = Some(request);
        self.validation.next_at = None;
        self.outputs.push_back(Output::ValidateToken { request });
    }

    /// Validates again no sooner than the backoff of the current streak of 401s allows.
    pub(super) fn revalidate_after_unauthorized(&mut self) {
        if self.validation.request.is_some() {
            return; // its answer settles it
        }
        let seed = self.config.seed.rotate_left(48);
        let delay = self
            .config
            .backoff
            .delay(self.validation.unauthorized_streak, seed);
        self.validation.unauthorized_streak = self.validation.unauthorized_streak.saturating_add(1);
        let at = self.deadline_after(delay);
        self.validation.next_at = Some(self.validation.next_at.map_or(at, |next| next.min(at)));
    }

    pub(super) fn on_token_validated(
        &mut self,
        request: RequestId,
        result: Result<TokenIdentity, RequestError>,
    ) -> Result<(), InputError> {
        if self.requests.get(&request) != Some(&Request::Validate) {
            return Err(InputError::UnknownRequest { request });
        }
        self.requests.remove(&request);
        self.validation.request = None;
        if self.stopped {
            return Ok(());
        }
        let identity = match result {
            Ok(identity) => identity,
            Err(RequestError::Unauthorized { message }) => {
                self.stop(StopReason::Unauthorized { message });
                return Ok(());
            }
            // Not an answer about the token: ask again after a backoff delay, and go on with what
            // is known meanwhile.
            Err(_) => {
                let seed = self.config.seed.rotate_left(16);
                let delay = self.config.backoff.delay(self.validation.failures, seed);
                self.validation.failures = self.validation.failures.saturating_add(1);
                self.validation.next_at = Some(self.deadline_after(delay));
                return Ok(());
            }
        };
        if self.shard.is_some() {
            self.shard_token_validated(identity);
            return Ok(());
        }
        let Some(user_id) = identity.user_id.clone() else {
            self.stop(StopReason::AppToken);
            return Ok(());
        };
        self.validation.failures = 0;
        self.validation.next_at = Some(self.deadline_after(self.config.revalidate_every));
        self.token_user_id = Some(user_id.as_str().to_owned());
        for wanted in &mut self.subscriptions.entries {
            wanted.estimated_cost = wanted.spec.estimated_cost(self.token_user_id.as_deref());
        }
        self.validation.identity = Some(identity.clone());
        self.emit(Event::TokenValidated { identity });
        self.refuse_missing_scopes();
        // Creations Helix answered 401 are asked for again with the token it now vouches for.
        self.retry_creations_where(|wanted| wanted.awaits_validation());
        if !self.idle
            && self.primary.is_none()
            && self.candidate.is_none()
            && self.reconnect_at.is_none()
        {
            self.connect_or_idle();
        }
        Ok(())
    }

    /// Refuses, before any Helix call, every subscription still to be created that the token
    /// cannot serve (see [`refusal`]).
    fn refuse_missing_scopes(&mut self) {
        let Some(identity) = self.validation.identity.clone() else {
            return;
        };
        let mut refused = Vec::new();
        for wanted in &mut self.subscriptions.entries {
            let to_create = matches!(
                wanted.state,
                SubscriptionState::Waiting | SubscriptionState::Failed { retry: true, .. }
            );
            if !to_create {
                continue;
            }
            let Some(reason) = refusal(&wanted.spec, &identity) else {
                continue;
            };
            wanted.state = SubscriptionState::Failed {
                reason: reason.clone(),
                retry: false,
            };
            refused.push(Event::SubscriptionFailed {
                spec: Box::new(wanted.spec.clone()),
                reason,
            });
        }
        for event in refused {
            self.emit(event);
        }
    }
}
