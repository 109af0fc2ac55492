//! What must hold after every step of a scenario, whatever Twitch, the network or the user did.

use std::time::{Duration, Instant, SystemTime};

use super::deliveries::Deliveries;
use crate::Pool;
use crate::config::{Config, MAX_SESSIONS_PER_TOKEN, ReconnectUrlPolicy};
use crate::event::{DisconnectCause, DropReason, Event};
use crate::ids::ConnId;
use crate::io::Output;
use crate::wanted::SubscriptionState;

/// What the adapter knows about the step just taken.
#[derive(Debug)]
pub(super) struct StepReport {
    /// The wall time frames of this step arrived at.
    pub(super) received_at: SystemTime,
    /// A socket the adapter reported gone, and why: the user must learn exactly that.
    pub(super) loss: Option<(ConnId, DisconnectCause)>,
}

impl Default for StepReport {
    fn default() -> Self {
        Self {
            received_at: SystemTime::UNIX_EPOCH,
            loss: None,
        }
    }
}

pub(super) struct Oracle {
    dedup_max_entries: usize,
    stale_after: Option<Duration>,
    reconnect_urls: ReconnectUrlPolicy,
    base_url: url::Url,
    max_sessions: usize,
    max_subscriptions_per_connection: usize,
    /// Each session's duplicate filter, modelled: each session of a pool has its own.
    deliveries: Vec<Deliveries>,
    /// The session whose socket the step's frame arrived on.
    frame_session: usize,
    stopped: bool,
    /// A validation answered with a user token: only then may a socket be opened.
    validated: bool,
}

impl Oracle {
    pub(super) fn new(config: &Config) -> Self {
        Self {
            dedup_max_entries: config.dedup_max_entries,
            stale_after: config.stale_after,
            reconnect_urls: config.reconnect_urls,
            base_url: config.url.clone(),
            max_sessions: config.max_sessions,
            max_subscriptions_per_connection: config.max_subscriptions_per_connection,
            deliveries: (0..MAX_SESSIONS_PER_TOKEN)
                .map(|_| Deliveries::new(config.dedup_max_entries, config.dedup_max_age))
                .collect(),
            frame_session: 0,
            stopped: false,
            validated: !config.validate_token,
        }
    }

    /// The adapter answered a token validation with a user token: the session that asked may
    /// connect (in a pool, before the one `TokenValidated` the user hears, which may come from
    /// another session).
    pub(super) fn validation_answered(&mut self) {
        self.validated = true;
    }

    pub(super) fn begin_step(&mut self) {
        self.frame_session = 0;
        for deliveries in &mut self.deliveries {
            deliveries.begin_step();
        }
    }

    /// The frame of this step arrives on a socket of session `session`: what it delivers went
    /// through that session's duplicate filter.
    pub(super) fn frame_on(&mut self, session: usize) {
        self.frame_session = session;
    }

    /// The frame fed in this step is a notification or revocation: it may have added its id to the
    /// client's duplicate filter (and pushed an older one out).
    pub(super) fn frame_may_enter_dedup(&mut self) {
        if let Some(deliveries) = self.deliveries.get_mut(self.frame_session) {
            deliveries.frame_may_enter();
        }
    }

    /// The duplicate filter model of the session this step's frame arrived on.
    fn deliveries(&mut self) -> Option<&mut Deliveries> {
        self.deliveries.get_mut(self.frame_session)
    }

    /// Checks one output as it is drained.
    pub(super) fn output(&mut self, output: &Output, client: &Pool, now: Instant) {
        if self.stopped {
            assert!(
                matches!(
                    output,
                    Output::Event(Event::UnsubscribeFailed { .. }) | Output::Abort { .. }
                ),
                "after Stopped only failed deletions may be reported, and unanswered closes \
                 given up: {output:?}"
            );
        }
        match output {
            Output::Connect { url, .. } => {
                assert!(
                    self.validated,
                    "connecting to {url} before the token was validated"
                );
                let followed = url.as_str().starts_with(self.base_url.as_str())
                    || self.reconnect_urls.check(url, &self.base_url).is_ok();
                assert!(followed, "connecting to {url}, which is not allowed");
            }
            Output::CreateSubscription {
                request,
                session_id,
                subscription,
            } => {
                let asking = client.session(request.session_index());
                assert_eq!(
                    asking.and_then(|session| session.session_id()),
                    Some(session_id),
                    "a subscription requested for a session that is not the live one"
                );
                assert!(
                    asking.is_some_and(|session| session
                        .subscriptions()
                        .any(|(wanted, _)| wanted == subscription)),
                    "creating {subscription} on a session that does not hold it"
                );
                assert!(
                    client
                        .subscriptions()
                        .any(|(wanted, _)| wanted == subscription),
                    "creating {subscription}, which is not wanted"
                );
                if let Some(token) = client.token() {
                    assert!(
                        crate::events::check_scopes([subscription], &token.scopes)
                            .iter()
                            .all(|problem| problem.any_of().is_none()),
                        "creating {subscription}, which the token's scopes cannot serve"
                    );
                }
            }
            Output::AssignShard {
                request,
                session_id,
                ..
            } => assert_eq!(
                client
                    .session(request.session_index())
                    .and_then(|session| session.session_id()),
                Some(session_id),
                "a shard assigned to a session that is not the live one"
            ),
            Output::Close { .. }
            | Output::Abort { .. }
            | Output::DeleteSubscription { .. }
            | Output::ValidateToken { .. }
            | Output::CatchUpRead { .. }
            | Output::AssignShards { .. }
            | Output::ReadConduitShards { .. }
            | Output::ResizeConduit { .. } => {}
            Output::Event(event) => self.event(event, now),
        }
    }

    fn event(&mut self, event: &Event, now: Instant) {
        match event {
            Event::Notification(notification) => {
                // The user's side of a notification: accessors and typed decoding never panic.
                let _ = (notification.subscription(), notification.batch_item_id());
                let _ = notification.typed();
                if let Some(deliveries) = self.deliveries() {
                    deliveries.observe(notification.message_id(), now, true);
                }
            }
            Event::Revocation(revocation) => {
                if let Some(deliveries) = self.deliveries() {
                    deliveries.observe(&revocation.message_id, now, true);
                }
            }
            Event::Dropped {
                message_id,
                reason: DropReason::Stale { age },
                ..
            } => {
                let Some(threshold) = self.stale_after else {
                    panic!("{message_id} dropped as stale with no stale_after set");
                };
                assert!(
                    *age > threshold,
                    "{message_id} dropped as stale at age {age:?}, within {threshold:?}"
                );
                if let Some(deliveries) = self.deliveries() {
                    deliveries.observe(message_id, now, false);
                }
            }
            Event::Stopped { .. } => self.stopped = true,
            Event::TokenValidated { .. } => self.validated = true,
            _ => {}
        }
    }

    /// Checks the outputs of one step as a whole.
    pub(super) fn step_done(&mut self, outputs: &[Output], report: &StepReport) {
        let events = || {
            outputs.iter().filter_map(|output| match output {
                Output::Event(event) => Some(event),
                _ => None,
            })
        };
        if let Some((conn, cause)) = &report.loss {
            let reported = events().any(|event| match event {
                Event::Disconnected {
                    conn: lost,
                    cause: why,
                    ..
                }
                | Event::ConnectFailed {
                    conn: lost,
                    cause: why,
                    ..
                } => lost == conn && why == cause,
                _ => false,
            });
            assert!(
                reported,
                "{conn} ended ({cause:?}) and the user was not told so: {outputs:?}"
            );
        }
        for event in events() {
            let Event::Reconnected { conn, .. } = event else {
                continue;
            };
            assert!(
                !outputs.iter().any(|output| matches!(
                    output,
                    Output::CreateSubscription { request, .. }
                        if request.session_index() == conn.session_index()
                )),
                "a graceful handover resubscribed: {outputs:?}"
            );
        }
        if let Some(threshold) = self.stale_after {
            for event in events() {
                let Event::Notification(notification) = event else {
                    continue;
                };
                // The core compares timestamps as text first; a full parse must agree.
                let sent = crate::stale::system_time(notification.message_timestamp());
                let age = sent.and_then(|sent| report.received_at.duration_since(sent).ok());
                assert!(
                    age.is_none_or(|age| age <= threshold),
                    "a notification {age:?} old was delivered, past stale_after {threshold:?}: {notification:?}"
                );
            }
        }
    }

    /// Checks the client's state after a step: memory within the configured bounds, and the
    /// sockets and Helix requests it keeps exactly those the adapter holds (and the validations
    /// of a pool's sessions that wait for the one in flight).
    pub(super) fn state(
        &self,
        client: &Pool,
        held: &[usize],
        open: &[usize],
        in_flight: usize,
        validation_in_flight: bool,
    ) {
        let stats = client.stats();
        assert!(
            client.sessions() <= self.max_sessions,
            "{} sessions, over the pool's {}",
            client.sessions(),
            self.max_sessions
        );
        for index in 0..client.sessions() {
            let Some(session) = client.session(index) else {
                continue;
            };
            let dedup = session.stats().dedup_entries;
            assert!(
                dedup <= self.dedup_max_entries,
                "session {index}'s duplicate filter holds {dedup} ids, over its bound of {}",
                self.dedup_max_entries
            );
            let active = session
                .subscriptions()
                .filter(|(_, state)| {
                    !matches!(
                        state,
                        SubscriptionState::Revoked | SubscriptionState::Failed { retry: false, .. }
                    )
                })
                .count();
            assert!(
                active <= self.max_subscriptions_per_connection,
                "session {index} holds {active} active subscriptions, over its limit of {}",
                self.max_subscriptions_per_connection
            );
            let sockets = held.get(index).copied().unwrap_or(0);
            assert_eq!(
                session.stats().connections,
                sockets,
                "session {index} knows {} sockets, the adapter holds {sockets} of it",
                session.stats().connections
            );
            let open = open.get(index).copied().unwrap_or(0);
            assert!(
                open <= 2,
                "{open} sockets of session {index} open that the client has not asked to close (at most the live one and its successor)"
            );
        }
        let report = client.subscriptions_report();
        assert!(
            report
                .subscriptions
                .iter()
                .all(|entry| entry.session < client.sessions()),
            "a subscription reported on a session the pool does not have"
        );
        let held: usize = held.iter().sum();
        assert_eq!(
            stats.connections, held,
            "the client knows {} sockets, the adapter holds {held}",
            stats.connections
        );
        // A pool asks for one token validation at a time: a session that asks while one is in
        // flight keeps its own request, answered with that one's result.
        let waiting = client.sessions().saturating_sub(1);
        let validating = if validation_in_flight { waiting } else { 0 };
        assert!(
            (in_flight..=in_flight + validating).contains(&stats.pending_requests),
            "the client keeps {} requests, the adapter has {in_flight} in flight (a validation \
             in flight: {validation_in_flight})",
            stats.pending_requests
        );
        if self.stopped && held == 0 {
            assert_eq!(
                client.poll_timeout(),
                None,
                "a stopped client with no socket asks to be woken"
            );
        }
    }
}
