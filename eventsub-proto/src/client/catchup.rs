//! The client's side of the catch-up ([`crate::catchup`]): what it tells the catch-up (gaps
//! opening and ending, notifications delivered, the session settled, answers) and the outputs it
//! carries out for it. With [`Config::catch_up`](crate::Config::catch_up) unset, each hook is one
//! check of an `Option`.

use std::time::SystemTime;

use super::Client;
use super::frames::RoutedEvents;
use crate::catchup::engine::Delivered;
use crate::error::InputError;
use crate::event::Gap;
use crate::ids::RequestId;
use crate::io::RequestError;
use crate::wanted::SubscriptionState;

impl Client {
    /// A gap opens or widens at `from`: the subscriptions enabled until now were live in it.
    pub(super) fn catch_up_gap_opening(&mut self, from: SystemTime) {
        let Some(engine) = self.catch_up.as_deref_mut() else {
            return;
        };
        let live = self
            .subscriptions
            .entries
            .iter()
            .filter(|wanted| matches!(wanted.state, SubscriptionState::Enabled { .. }))
            .map(|wanted| &wanted.spec);
        engine.gap_opening(from, live);
    }

    /// The open gap ended without a `Resumed` (idle).
    pub(super) fn catch_up_gap_abandoned(&mut self) {
        if let Some(engine) = self.catch_up.as_deref_mut() {
            engine.gap_abandoned();
        }
    }

    /// `Resumed { gap }` was emitted: its catch-up starts (or waits for the one under way).
    pub(super) fn catch_up_resumed(&mut self, gap: &Gap) {
        let Some(engine) = self.catch_up.as_deref_mut() else {
            return;
        };
        let entries = &self.subscriptions.entries;
        let still_wanted = |spec: &crate::SubscriptionSpec| {
            entries
                .iter()
                .any(|wanted| wanted.spec == *spec && wanted.state != SubscriptionState::Revoked)
        };
        let scopes = self
            .validation
            .identity
            .as_ref()
            .map(|identity| identity.scopes.clone());
        engine.resumed(gap.from, gap.until, still_wanted, scopes);
        self.catch_up_pump();
    }

    /// A notification of type `kind` is delivered.
    pub(super) fn catch_up_delivered(
        &mut self,
        kind: &str,
        events: &RoutedEvents<'_>,
        message_timestamp: &str,
    ) {
        let Some(engine) = self.catch_up.as_deref_mut() else {
            return;
        };
        let events = match events {
            // An unchecked event is read for its keys the same way: one that is not JSON has none.
            RoutedEvents::Single(event) | RoutedEvents::Unchecked(event) => {
                Delivered::Single(event)
            }
            RoutedEvents::Batch(items) => Delivered::Batch(items),
        };
        engine.delivered(kind, events, message_timestamp);
    }

    /// After every input: once the session is settled (live, no gap, nothing being created),
    /// the state subscriptions' baselines are read where missing.
    pub(super) fn catch_up_after_input(&mut self) {
        let pooled = self.is_pooled();
        let Some(engine) = self.catch_up.as_deref_mut() else {
            return;
        };
        let settled = self.primary.is_some()
            && self.gap.is_none()
            && !self.stopped
            && !self.subscriptions.any_pending(pooled);
        if settled && engine.baselines_due() {
            let enabled = self
                .subscriptions
                .entries
                .iter()
                .filter(|wanted| matches!(wanted.state, SubscriptionState::Enabled { .. }))
                .map(|wanted| &wanted.spec);
            let scopes = self
                .validation
                .identity
                .as_ref()
                .map(|identity| identity.scopes.as_slice());
            engine.want_baselines(enabled, scopes);
            self.catch_up_pump();
        }
    }

    /// A subscription was created: its channel may need a baseline.
    pub(super) fn catch_up_subscription_answered(&mut self) {
        if let Some(engine) = self.catch_up.as_deref_mut() {
            engine.check_baselines();
        }
    }

    /// The answer to an `Output::CatchUpRead`.
    pub(super) fn on_catch_up_read(
        &mut self,
        request: RequestId,
        result: Result<String, RequestError>,
    ) -> Result<(), InputError> {
        let Some(engine) = self.catch_up.as_deref_mut() else {
            return Err(InputError::UnknownRequest { request });
        };
        let mut out = Vec::new();
        engine.on_read(request, result, &mut out)?;
        for output in out {
            self.outputs.push_back(output);
        }
        self.catch_up_pump();
        Ok(())
    }

    /// The client stops: reads waiting or in flight are abandoned.
    pub(super) fn catch_up_stop(&mut self) {
        if let Some(engine) = self.catch_up.as_deref_mut() {
            engine.stop();
        }
    }

    /// A subscription is no longer wanted: the state kept for its channel goes unless another
    /// subscription still needs it (memory stays bounded by what is subscribed to).
    pub(super) fn catch_up_unsubscribed(&mut self) {
        let Some(engine) = self.catch_up.as_deref_mut() else {
            return;
        };
        let wanted = self
            .subscriptions
            .entries
            .iter()
            .filter(|wanted| wanted.state != SubscriptionState::Revoked)
            .map(|wanted| &wanted.spec);
        engine.keep_baselines_of(wanted);
    }

    /// The catch-up reads in flight, for [`Stats::pending_requests`](crate::Stats).
    pub(super) fn catch_up_pending_reads(&self) -> usize {
        self.catch_up
            .as_deref()
            .map_or(0, crate::catchup::engine::Engine::pending_reads)
    }

    fn catch_up_pump(&mut self) {
        let Some(engine) = self.catch_up.as_deref_mut() else {
            return;
        };
        let mut out = Vec::new();
        engine.pump(&mut self.last_request, &mut out);
        for output in out {
            self.outputs.push_back(output);
        }
    }
}
