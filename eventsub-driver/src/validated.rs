//! Waiting for the first token validation, for
//! [`EventSubBuilder::connect_validated`](crate::EventSubBuilder::connect_validated): the driver
//! watches the core and settles the outcome as soon as the core has decided. The decisions are
//! the core's (which token it refuses, which subscription the token cannot serve); this only
//! reads them.

use eventsub_proto::{Event, Pool, StopReason, SubscriptionFailure, SubscriptionState};
use tokio::sync::oneshot;

use crate::error::{ConnectError, Refusal};

/// The two ways the core refuses a subscription for the token it validated.
enum Refused {
    MissingScope(Vec<&'static [&'static str]>),
    NotTokenUser {
        field: String,
        named: String,
        token_user: String,
    },
}

/// What `connect_validated` is told: the token works for every wanted subscription, or why not.
pub(crate) type Outcome = Result<(), ConnectError>;

/// The first validation's outcome, still to be settled.
#[derive(Debug)]
pub(crate) struct FirstValidation {
    reply: oneshot::Sender<Outcome>,
    /// The client id the client was built for, named when the token turns out to be an app's.
    client_id: String,
}

impl FirstValidation {
    pub(crate) fn new(reply: oneshot::Sender<Outcome>, client_id: String) -> Self {
        Self { reply, client_id }
    }

    /// The outcome, once the core has validated a user token: every wanted subscription the core
    /// refused for it, or none. (The core refuses them in the same step that takes the answer, so
    /// this is read right after the input that carried it, before its outputs are carried out.)
    pub(crate) fn decided_by(client: &Pool) -> Option<Outcome> {
        client.token()?;
        let mut refusals: Vec<(Refusal, Refused)> = client
            .subscriptions()
            .filter_map(|(spec, state)| {
                let SubscriptionState::Failed {
                    reason,
                    retry: false,
                } = state
                else {
                    return None;
                };
                let refused = match reason {
                    SubscriptionFailure::MissingScope { missing, .. } => {
                        Refused::MissingScope(missing.clone())
                    }
                    SubscriptionFailure::NotTokenUser {
                        field,
                        named,
                        token_user,
                        ..
                    } => Refused::NotTokenUser {
                        field: field.clone(),
                        named: named.clone(),
                        token_user: token_user.clone(),
                    },
                    // Helix's refusals: none can have come before the token was known.
                    _ => return None,
                };
                let refusal = Refusal {
                    spec: spec.clone(),
                    reason: reason.clone(),
                };
                Some((refusal, refused))
            })
            .collect();
        if refusals.is_empty() {
            return Some(Ok(()));
        }
        let (first, refused) = refusals.remove(0);
        let also_refused = refusals.into_iter().map(|(refusal, _)| refusal).collect();
        let spec = Box::new(first.spec);
        Some(Err(match refused {
            Refused::MissingScope(missing) => ConnectError::MissingScope {
                spec,
                missing,
                also_refused,
            },
            Refused::NotTokenUser {
                field,
                named,
                token_user,
            } => ConnectError::NotTokenUser {
                spec,
                field,
                named,
                token_user,
                also_refused,
            },
        }))
    }

    /// The outcome when the client stopped before a user token was validated.
    pub(crate) fn stopped(&self, reason: &StopReason) -> ConnectError {
        match reason {
            StopReason::AppToken => ConnectError::AppToken {
                client_id: self.client_id.clone(),
            },
            StopReason::Unauthorized { message } => ConnectError::Unauthorized {
                message: message.clone(),
            },
            other => ConnectError::Stopped {
                reason: other.clone(),
            },
        }
    }

    /// The outcome `event` settles, if any: a stop before the token was known.
    pub(crate) fn settled_by(&self, event: &Event) -> Option<Outcome> {
        match event {
            Event::Stopped { reason } => Some(Err(self.stopped(reason))),
            _ => None,
        }
    }

    /// Tells `connect_validated` (which may have stopped waiting: then nobody needs to know).
    pub(crate) fn settle(self, outcome: Outcome) {
        let _ = self.reply.send(outcome);
    }
}
