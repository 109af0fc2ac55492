//! What a fresh session asks for, and what Helix answers.

use super::{Client, Request};
use crate::error::InputError;
use crate::event::{Event, Gap, StopReason, SubscriptionFailure};
use crate::ids::{RequestId, SessionId, SubscriptionId};
use crate::io::{Created, Output, RequestError};
use crate::wanted::{SubscriptionState, Wanted, retried_after};

impl Client {
    /// What a fresh session asks for: in WebSocket mode, every wanted subscription, created at once
    /// (Twitch closes an unused session after 10 s). This is the one place that decides it.
    pub(super) fn set_up_fresh_session(&mut self, session_id: &SessionId) {
        if self.shard.is_some() {
            // Shard mode: the subscriptions are the conduit's; the session is assigned instead.
            return self.assign_fresh_session(session_id);
        }
        self.subscriptions.reported_total_cost = 0;
        self.creation_retry_at = None;
        self.creation_failures = 0;
        for index in 0..self.subscriptions.entries.len() {
            let retry = match self
                .subscriptions
                .entries
                .get(index)
                .map(|wanted| &wanted.state)
            {
                Some(SubscriptionState::Waiting) => true,
                Some(SubscriptionState::Failed { retry, .. }) => *retry,
                _ => false,
            };
            if retry {
                self.request_creation(index, session_id);
            }
        }
    }

    pub(super) fn request_creation(&mut self, index: usize, session_id: &SessionId) {
        let Some(wanted) = self.subscriptions.entries.get(index) else {
            return;
        };
        let spec = wanted.spec.clone();
        // Twitch's word on its cost, once given, beats the estimate.
        let estimated_cost = wanted.cost();
        let fits = self
            .subscriptions
            .check_fits(estimated_cost, self.config.max_subscriptions_per_connection);
        let state = match fits {
            Ok(()) => {
                let request = RequestId::next(&mut self.last_request);
                self.requests
                    .insert(request, Request::Create { orphaned: false });
                self.outputs.push_back(Output::CreateSubscription {
                    request,
                    session_id: session_id.clone(),
                    subscription: spec,
                });
                SubscriptionState::Requested {
                    request,
                    estimated_cost,
                }
            }
            Err(reason) => {
                self.emit(Event::SubscriptionFailed {
                    spec: Box::new(spec),
                    reason: reason.clone(),
                });
                SubscriptionState::Failed {
                    reason,
                    retry: true,
                }
            }
        };
        if let Some(wanted) = self.subscriptions.entries.get_mut(index) {
            wanted.state = state;
        }
    }

    pub(super) fn on_subscription_created(
        &mut self,
        request: RequestId,
        result: Result<Created, RequestError>,
    ) -> Result<(), InputError> {
        let purpose = match self.requests.get(&request) {
            Some(purpose @ Request::Create { .. }) => purpose.clone(),
            _ => return Err(InputError::UnknownRequest { request }),
        };
        self.requests.remove(&request);
        if self.stopped {
            return Ok(());
        }
        if purpose == (Request::Create { orphaned: true }) {
            if let Ok(created) = result {
                self.request_deletion(created.id);
            }
            return Ok(());
        }
        // No entry waits for it when the session it was made for is gone: the next fresh session
        // creates the subscription again.
        let Some(wanted) = self.subscriptions.by_request(request) else {
            return Ok(());
        };
        let spec = Box::new(wanted.spec.clone());
        let event = match result {
            Ok(created) => {
                wanted.state = SubscriptionState::Enabled {
                    id: Some(created.id.clone()),
                    cost: created.cost,
                };
                wanted.reported_cost = Some(created.cost);
                // Twitch's totals replace the configured and estimated ones.
                self.subscriptions.reported_total_cost = created.total_cost;
                self.subscriptions.max_total_cost = created.max_total_cost;
                self.validation.token_worked();
                Event::SubscriptionCreated { spec, created }
            }
            Err(RequestError::AlreadyExists) => {
                let cost = wanted.cost();
                wanted.state = SubscriptionState::Enabled { id: None, cost };
                Event::SubscriptionAlreadyExists { spec }
            }
            Err(RequestError::Unauthorized { message }) if !self.config.validate_token => {
                self.stop(StopReason::Unauthorized { message });
                return Ok(());
            }
            Err(error) => {
                let retry = retried_after(&error);
                let reason = SubscriptionFailure::Request(error);
                wanted.state = SubscriptionState::Failed {
                    reason: reason.clone(),
                    retry,
                };
                Event::SubscriptionFailed { spec, reason }
            }
        };
        let cost_known = matches!(event, Event::SubscriptionCreated { .. });
        self.emit(event);
        if cost_known {
            // Twitch may charge less than estimated: what that frees can be used at once.
            self.retry_for_room();
        }
        let pooled = self.is_pooled();
        let retry_later = self
            .subscriptions
            .entries
            .iter()
            .any(|wanted| wanted.retried_after_delay(pooled));
        let revalidate = self
            .subscriptions
            .entries
            .iter()
            .any(|wanted| wanted.awaits_validation());
        if revalidate {
            // Only a 401 to the validation itself stops the client: a refreshed token may fix
            // this one.
            self.revalidate_after_unauthorized();
        }
        if retry_later {
            self.schedule_creation_retry();
        } else {
            self.creation_failures = 0;
        }
        Ok(())
    }

    /// Whether this client is one session of a [`Pool`](crate::Pool) of several.
    pub(super) fn is_pooled(&self) -> bool {
        self.config.max_sessions > 1
    }

    /// Helix could not serve a creation on the live session: ask again after a backoff delay (one
    /// timer for all of them), before Twitch closes a session left without subscriptions.
    fn schedule_creation_retry(&mut self) {
        if self.creation_retry_at.is_some() {
            return;
        }
        // Its own jitter, apart from the reconnect backoff's.
        let seed = self.config.seed.rotate_left(32);
        let delay = self.config.backoff.delay(self.creation_failures, seed);
        self.creation_failures = self.creation_failures.saturating_add(1);
        self.creation_retry_at = Some(self.deadline_after(delay));
    }

    /// Asks the live session again for every subscription that `waits` says waits for it.
    pub(super) fn retry_creations_where(&mut self, waits: impl Fn(&Wanted) -> bool) {
        let Some(session_id) = self.session_id().cloned() else {
            return; // the session is gone: the next fresh one asks for everything
        };
        for index in 0..self.subscriptions.entries.len() {
            if self.subscriptions.entries.get(index).is_some_and(&waits) {
                self.request_creation(index, &session_id);
            }
        }
    }

    /// Cost or room freed up (an unsubscribe, a revocation, a deletion): asks the live session
    /// for every subscription a limit refused that fits now. One that still does not fit waits,
    /// without another failure report.
    pub(super) fn retry_for_room(&mut self) {
        let Some(session_id) = self.session_id().cloned() else {
            return; // the next fresh session asks for everything
        };
        let limit = self.config.max_subscriptions_per_connection;
        for index in 0..self.subscriptions.entries.len() {
            // Checked one at a time: each one asked for takes up some of what was freed.
            let fits = self.subscriptions.entries.get(index).is_some_and(|wanted| {
                wanted.awaits_room() && self.subscriptions.check_fits(wanted.cost(), limit).is_ok()
            });
            if fits {
                self.request_creation(index, &session_id);
            }
        }
    }

    pub(super) fn on_subscription_deleted(
        &mut self,
        request: RequestId,
        result: Result<(), RequestError>,
    ) -> Result<(), InputError> {
        let Some(Request::Delete(id)) = self.requests.get(&request).cloned() else {
            return Err(InputError::UnknownRequest { request });
        };
        self.requests.remove(&request);
        match result {
            // 404: already gone, which is what was wanted. Its cost is free at Twitch now too.
            Ok(()) | Err(RequestError::Rejected { status: 404, .. }) => {
                if !self.stopped {
                    self.retry_for_room();
                }
            }
            Err(error) => self.emit(Event::UnsubscribeFailed { id, error }),
        }
        Ok(())
    }

    /// Ends the open gap once a session is live and no creation is outstanding or waiting for a
    /// retry: after an answer, but also after the last outstanding one was unsubscribed, revoked or
    /// made moot. A subscription over a limit does not hold it open: that does not pass with time.
    pub(super) fn resume_if_complete(&mut self) {
        if self.gap.is_none()
            || self.primary.is_none()
            || self.subscriptions.any_pending(self.is_pooled())
            || self.shard_unassigned()
        {
            return;
        }
        if let Some(start) = self.gap.take() {
            // The subscriptions existed by the time their creation was answered: now.
            let until = self
                .twitch_clock
                .twitch_time_at(self.now)
                .unwrap_or(start.from);
            let gap = Gap::new(start.from, until, start.lost_at, self.now)
                .in_session(usize::from(self.session));
            self.catch_up_resumed_after(gap);
        }
    }

    /// Emits `Resumed { gap }`, then starts its catch-up (when on): the catch-up's outputs
    /// come after it.
    fn catch_up_resumed_after(&mut self, gap: Gap) {
        if self.catch_up.is_none() {
            self.emit(Event::Resumed { gap });
            return;
        }
        self.emit(Event::Resumed { gap: gap.clone() });
        self.catch_up_resumed(&gap);
    }

    pub(super) fn request_deletion(&mut self, id: SubscriptionId) {
        let request = RequestId::next(&mut self.last_request);
        self.requests.insert(request, Request::Delete(id.clone()));
        self.outputs
            .push_back(Output::DeleteSubscription { request, id });
    }
}
