//! Shard mode: assigning each fresh session to the client's conduit shard, retrying a refusal
//! on the live session, and stopping for a shard that will not come back (see
//! [`crate::shard`] for what Twitch requires).

use std::time::Instant;

use super::{Client, Request};
use crate::error::InputError;
use crate::event::{Event, StopReason};
use crate::ids::{RequestId, SessionId};
use crate::io::{Output, RequestError};
use crate::shard::{ShardAssignError, ShardConfig};
use crate::token::TokenIdentity;

/// Where the client's shard stands.
#[derive(Debug)]
pub(super) struct ShardMode {
    config: ShardConfig,
    /// The session Twitch confirmed the shard is assigned to. A graceful handover keeps the
    /// session id, so this stays right through it.
    assigned: Option<SessionId>,
    /// The assignment asked for and not answered yet, with the session it is for.
    in_flight: Option<(RequestId, SessionId)>,
    /// When to ask again after a refusal that may pass, on the same live session.
    retry_at: Option<Instant>,
    /// Consecutive refusals on this session (the backoff step).
    failures: u32,
}

impl ShardMode {
    pub(super) fn new(config: ShardConfig) -> Self {
        Self {
            config,
            assigned: None,
            in_flight: None,
            retry_at: None,
            failures: 0,
        }
    }
}

impl Client {
    /// In shard mode ([`Config::shard`](crate::Config::shard)), the shard this client is.
    pub fn shard(&self) -> Option<&ShardConfig> {
        self.shard.as_ref().map(|shard| &shard.config)
    }

    /// Whether the live session is assigned to the client's shard now (Twitch said so, on this
    /// session or on the one a graceful handover moved here). Always false outside shard mode.
    pub fn is_shard_assigned(&self) -> bool {
        self.shard.is_some() && self.session_id().is_some() && !self.shard_unassigned()
    }

    /// A fresh session in shard mode: assign it to the shard at once (Twitch closes a session
    /// nobody uses within 10 s of its welcome).
    pub(super) fn assign_fresh_session(&mut self, session_id: &SessionId) {
        if let Some(shard) = self.shard.as_mut() {
            // Even the session it was assigned to, when a handover outlived its old socket: the
            // shard may have been disabled meanwhile, so the gap lasts until Twitch says again.
            shard.assigned = None;
            shard.failures = 0;
            shard.retry_at = None;
        }
        self.request_assignment(session_id.clone());
    }

    fn request_assignment(&mut self, session_id: SessionId) {
        let Some(shard) = self.shard.as_mut() else {
            return;
        };
        let request = RequestId::next(&mut self.last_request);
        shard.in_flight = Some((request, session_id.clone()));
        shard.retry_at = None;
        let output = Output::AssignShard {
            request,
            conduit_id: shard.config.conduit_id.clone(),
            shard_id: shard.config.shard_id,
            session_id,
        };
        self.requests.insert(request, Request::AssignShard);
        self.outputs.push_back(output);
    }

    /// Whether a live session waits for its shard assignment: the gap it ends stays open.
    pub(super) fn shard_unassigned(&self) -> bool {
        self.shard
            .as_ref()
            .is_some_and(|shard| shard.assigned.as_ref() != self.session_id())
    }

    /// When a refused assignment is asked for again.
    pub(super) fn shard_retry_at(&self) -> Option<Instant> {
        self.shard.as_ref().and_then(|shard| shard.retry_at)
    }

    /// Time passed: ask again for a refused assignment whose backoff is over, if the session it
    /// was refused for is still the live one (a fresh session asks on its own).
    pub(super) fn shard_timeout(&mut self, now: Instant) {
        let Some(shard) = self.shard.as_mut() else {
            return;
        };
        if shard.retry_at.is_none_or(|at| at > now) {
            return;
        }
        shard.retry_at = None;
        if shard.in_flight.is_some() {
            return;
        }
        if let Some(session_id) = self.session_id().cloned() {
            self.request_assignment(session_id);
        }
    }

    pub(super) fn on_shard_assigned(
        &mut self,
        request: RequestId,
        result: Result<(), ShardAssignError>,
    ) -> Result<(), InputError> {
        if self.requests.get(&request) != Some(&Request::AssignShard) {
            return Err(InputError::UnknownRequest { request });
        }
        self.requests.remove(&request);
        let live_session = self.session_id().cloned();
        let Some(shard) = self.shard.as_mut() else {
            return Ok(());
        };
        let Some((_, session_id)) = shard.in_flight.take_if(|(asked, _)| *asked == request) else {
            return Ok(());
        };
        if self.stopped || live_session.as_ref() != Some(&session_id) {
            // The session it was for is gone: the fresh one asks for its own assignment.
            return Ok(());
        }
        let config = shard.config.clone();
        match result {
            Ok(()) => {
                shard.assigned = Some(session_id.clone());
                shard.failures = 0;
                self.validation.token_worked();
                let Some(conn) = self.primary else {
                    return Ok(()); // the live session was checked above: an invariant
                };
                self.emit(Event::ShardAssigned {
                    conn,
                    session_id,
                    shard: config,
                });
            }
            Err(reason) => self.shard_refused(config, reason),
        }
        Ok(())
    }

    fn shard_refused(&mut self, shard: ShardConfig, reason: ShardAssignError) {
        if reason.is_permanent() {
            self.emit(Event::ShardFailed {
                shard: shard.clone(),
                reason: reason.clone(),
                permanent: true,
                retry_at: None,
                retry_in: None,
            });
            self.stop(StopReason::ShardRefused {
                shard,
                error: reason,
            });
            return;
        }
        if let ShardAssignError::Request(RequestError::Unauthorized { message }) = &reason {
            if !self.config.validate_token {
                self.stop(StopReason::Unauthorized {
                    message: message.clone(),
                });
                return;
            }
            // A refreshed token may fix it; only a 401 to the validation itself stops.
            self.revalidate_after_unauthorized();
        }
        // Its own jitter, apart from the reconnect and creation backoffs.
        let seed = self.config.seed.rotate_left(24);
        let Some(failures) = self.shard.as_ref().map(|mode| mode.failures) else {
            return;
        };
        let delay = self.config.backoff.delay(failures, seed);
        let at = self.deadline_after(delay);
        if let Some(mode) = self.shard.as_mut() {
            mode.failures = failures.saturating_add(1);
            mode.retry_at = Some(at);
        }
        self.emit(Event::ShardFailed {
            shard,
            reason,
            permanent: false,
            retry_at: Some(at),
            retry_in: Some(delay),
        });
    }

    /// A validation answered in shard mode: conduits take an app token, so a user token stops
    /// the client (Update Conduit Shards would refuse it).
    pub(super) fn shard_token_validated(&mut self, identity: TokenIdentity) {
        if identity.user_id.is_some() {
            self.stop(StopReason::UserTokenForShard);
            return;
        }
        self.validation.reset_failures();
        self.validation.next_at = Some(self.deadline_after(self.config.revalidate_every));
        self.validation.identity = Some(identity.clone());
        self.emit(Event::TokenValidated { identity });
        if self.primary.is_none() && self.candidate.is_none() && self.reconnect_at.is_none() {
            self.connect_or_idle();
        }
    }
}
