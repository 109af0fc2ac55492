//! The client state machine: inputs and time in, outputs out.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime};

use url::Url;

use crate::close::{ClientCloseCode, CloseCode, CloseDisposition};
use crate::config::Config;
use crate::connection::{ConnState, Connection};
use crate::dedup::DedupWindow;
use crate::error::{ConfigError, FrameError, InputError, SubscribeError};
use crate::event::{
    DisconnectCause, DropReason, Event, Gap, Notification, Revocation, StopReason,
    SubscriptionFailure,
};
use crate::ids::{ConnId, MessageId, RequestId, SessionId, SubscriptionId};
use crate::io::{Created, Input, Output, RequestError};
use crate::message::{self, Events, Message, Metadata, SubscriptionRef};
use crate::subscription::SubscriptionSpec;
use crate::wanted::{SubscriptionState, Wanted, WantedSubscriptions};

/// How a connection that is being opened will take over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Takeover {
    /// Opened at a `session_reconnect` URL: the session and its subscriptions move over.
    Handover,
    /// Opened at the base URL: a new session, subscriptions must be created.
    Fresh,
}

#[derive(Clone, Copy, Debug)]
struct Candidate {
    conn: ConnId,
    takeover: Takeover,
}

/// What an outstanding Helix request was for.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Request {
    Create {
        /// The user unsubscribed while it was in flight: delete it if it gets created.
        orphaned: bool,
    },
    Delete(SubscriptionId),
}

/// What follows the loss of a connection.
#[derive(Clone, Debug)]
enum Retry {
    /// Open a fresh connection now.
    Now,
    /// Open a fresh connection at this time.
    At(Instant),
    /// A connection is already being opened (a handover under way): let it finish.
    UnderWay,
    /// Stop for good.
    Stop(StopReason),
}

#[derive(Clone, Debug)]
struct GapStart {
    began: Instant,
    last_frame_before: Option<SystemTime>,
}

/// Counters for monitoring and tests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Notifications and revocations dropped as duplicates.
    pub duplicates_dropped: u64,
    /// Notifications dropped as stale.
    pub stale_dropped: u64,
    /// Message ids the duplicate filter holds now.
    pub dedup_entries: usize,
    /// Sockets the core knows of (open, opening or closing).
    pub connections: usize,
}

/// The EventSub WebSocket client, without I/O.
///
/// Feed it [`Input`]s and the passing of time; drain [`Output`]s; sleep until [`Client::poll_timeout`].
/// See the crate documentation for the whole driving loop.
#[derive(Debug)]
pub struct Client {
    config: Config,
    fresh_url: Url,
    connections: Vec<Connection>,
    /// The connection whose session holds the subscriptions.
    primary: Option<ConnId>,
    /// The connection being opened to take over from the primary (or to become the first one).
    candidate: Option<Candidate>,
    /// When to open the next fresh connection, while backing off.
    reconnect_at: Option<Instant>,
    /// Consecutive failed attempts since the last healthy session.
    failures: u32,
    gap: Option<GapStart>,
    subscriptions: WantedSubscriptions,
    requests: HashMap<RequestId, Request>,
    dedup: DedupWindow,
    outputs: VecDeque<Output>,
    last_conn: u64,
    last_request: u64,
    now: Instant,
    last_frame_at: Option<SystemTime>,
    stopped: bool,
    stats: Stats,
}

impl Client {
    /// A client that starts connecting at once: the first output is [`Output::Connect`].
    pub fn new(config: Config, now: Instant) -> Result<Self, ConfigError> {
        let fresh_url = config.validate()?;
        let mut subscriptions = WantedSubscriptions::new(config.max_total_cost);
        for spec in &config.subscriptions {
            let wanted = Wanted::new(spec.clone(), config.token_user_id.as_deref());
            subscriptions.add(wanted, config.max_subscriptions_per_connection)?;
        }
        let mut client = Self {
            dedup: DedupWindow::new(config.dedup_max_entries, config.dedup_max_age),
            config,
            fresh_url,
            connections: Vec::new(),
            primary: None,
            candidate: None,
            reconnect_at: None,
            failures: 0,
            gap: None,
            subscriptions,
            requests: HashMap::new(),
            outputs: VecDeque::new(),
            last_conn: 0,
            last_request: 0,
            now,
            last_frame_at: None,
            stopped: false,
            stats: Stats::default(),
        };
        client.open_candidate(Takeover::Fresh, client.fresh_url.clone());
        Ok(client)
    }

    /// Feeds one input. `Err` only for inputs that name something the client does not know.
    pub fn handle_input(&mut self, now: Instant, input: Input<'_>) -> Result<(), InputError> {
        self.advance_clock(now);
        match input {
            Input::Opened { conn } => {
                let welcome_deadline = self.deadline_after(self.config.welcome_timeout);
                self.connection_mut(conn)?.opened(welcome_deadline);
            }
            Input::ConnectFailed { conn, error } => self.connection_ended(
                conn,
                DisconnectCause::ConnectFailed {
                    error: error.to_owned(),
                },
            )?,
            Input::Closed { conn, code, reason } => self.connection_ended(
                conn,
                DisconnectCause::Closed {
                    code: code.map_or(CloseCode::ABNORMAL, CloseCode),
                    reason: reason.to_owned(),
                },
            )?,
            Input::Text {
                conn,
                text,
                received_at,
            } => self.on_text(conn, text, received_at)?,
            Input::Binary { conn, data } => {
                self.heard_from(conn)?;
                if !self.stopped {
                    let error = FrameError::Binary { len: data.len() };
                    self.emit(Event::MalformedFrame { conn, error });
                }
            }
            Input::SubscriptionCreated { request, result } => {
                self.on_subscription_created(request, result)?
            }
            Input::SubscriptionDeleted { request, result } => {
                self.on_subscription_deleted(request, result)?
            }
        }
        Ok(())
    }

    /// Time passed. Expired deadlines act; calling it before [`Client::poll_timeout`] is a no-op.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.advance_clock(now);
        if self.stopped {
            return;
        }
        let mut expired: Vec<(Instant, ConnId)> = self
            .connections
            .iter()
            .filter_map(|conn| {
                conn.deadline
                    .filter(|at| *at <= now)
                    .map(|at| (at, conn.id))
            })
            .collect();
        expired.sort();
        for (_, conn) in expired {
            let Some(connection) = self.connections.iter().find(|c| c.id == conn) else {
                continue;
            };
            let cause = match &connection.state {
                ConnState::Connecting => DisconnectCause::ConnectTimeout,
                ConnState::AwaitingWelcome => DisconnectCause::WelcomeTimeout,
                ConnState::Live {
                    last_message_at, ..
                } => DisconnectCause::KeepaliveTimeout {
                    silent_for: now.saturating_duration_since(*last_message_at),
                },
                ConnState::Closing => continue,
            };
            self.abandon(conn, cause);
            if self.stopped {
                return;
            }
        }
        if self.reconnect_at.is_some_and(|at| at <= now) {
            self.reconnect_at = None;
            self.open_candidate(Takeover::Fresh, self.fresh_url.clone());
        }
    }

    /// The next output to carry out, in order. Drain until `None` after every input.
    #[must_use]
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// When the client next needs [`Client::handle_timeout`]; `None` when nothing is scheduled.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.stopped {
            return None;
        }
        self.connections
            .iter()
            .filter_map(|conn| conn.deadline)
            .chain(self.reconnect_at)
            .min()
    }

    /// Adds a subscription. It is created on the live session at once (if there is one) and on
    /// every fresh session after. Refused up front when it cannot fit.
    pub fn subscribe(&mut self, spec: SubscriptionSpec) -> Result<(), SubscribeError> {
        if self.stopped {
            return Err(SubscribeError::Stopped);
        }
        let wanted = Wanted::new(spec, self.config.token_user_id.as_deref());
        let index = self
            .subscriptions
            .add(wanted, self.config.max_subscriptions_per_connection)?;
        if let Some(session_id) = self.session_id().cloned() {
            self.request_creation(index, &session_id);
        }
        Ok(())
    }

    /// Removes a subscription: it is deleted over Helix if it exists, and not created again.
    /// Returns whether it was wanted.
    pub fn unsubscribe(&mut self, spec: &SubscriptionSpec) -> bool {
        let Some(index) = self
            .subscriptions
            .entries
            .iter()
            .position(|wanted| &wanted.spec == spec)
        else {
            return false;
        };
        let wanted = self.subscriptions.entries.remove(index);
        match wanted.state {
            SubscriptionState::Enabled { id: Some(id), .. } => self.request_deletion(id),
            SubscriptionState::Requested { request, .. } => {
                self.requests
                    .insert(request, Request::Create { orphaned: true });
            }
            _ => {}
        }
        true
    }

    /// Stops: closes every socket with 1000 (and, if configured, deletes the subscriptions this
    /// client created), then emits [`Event::Stopped`]. Inputs after this only settle what is open.
    pub fn shutdown(&mut self, now: Instant) {
        self.advance_clock(now);
        if self.stopped {
            return;
        }
        if self.config.delete_subscriptions_on_shutdown {
            let ids: Vec<SubscriptionId> = self
                .subscriptions
                .entries
                .iter()
                .filter_map(|wanted| match &wanted.state {
                    SubscriptionState::Enabled { id: Some(id), .. } => Some(id.clone()),
                    _ => None,
                })
                .collect();
            for id in ids {
                self.request_deletion(id);
            }
        }
        self.stop(StopReason::Shutdown);
    }

    /// Whether the client has stopped for good.
    pub fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// The session id of the live session, if there is one.
    pub fn session_id(&self) -> Option<&SessionId> {
        let primary = self.primary?;
        self.connections
            .iter()
            .find(|conn| conn.id == primary)
            .and_then(Connection::session_id)
    }

    /// Every wanted subscription and where it stands.
    pub fn subscriptions(&self) -> impl Iterator<Item = (&SubscriptionSpec, &SubscriptionState)> {
        self.subscriptions
            .entries
            .iter()
            .map(|wanted| (&wanted.spec, &wanted.state))
    }

    /// Counters, including the size of the duplicate filter.
    pub fn stats(&self) -> Stats {
        Stats {
            dedup_entries: self.dedup.len(),
            connections: self.connections.len(),
            ..self.stats.clone()
        }
    }

    // ---- frames -------------------------------------------------------------------------------

    /// Any frame, even one we cannot read, shows the socket is alive. Returns whether it is closing.
    fn heard_from(&mut self, conn: ConnId) -> Result<bool, InputError> {
        let now = self.now;
        let connection = self.connection_mut(conn)?;
        connection.heard_from(now);
        Ok(connection.is_closing())
    }

    fn on_text(
        &mut self,
        conn: ConnId,
        text: &str,
        received_at: SystemTime,
    ) -> Result<(), InputError> {
        let closing = self.heard_from(conn)?;
        if self.stopped {
            return Ok(());
        }
        self.last_frame_at = Some(received_at);
        let parsed = if text.len() > self.config.max_frame_bytes {
            Err(FrameError::TooLarge {
                len: text.len(),
                limit: self.config.max_frame_bytes,
            })
        } else {
            message::parse(text)
        };
        let message = match parsed {
            Ok(message) => message,
            Err(error) => {
                self.emit(Event::MalformedFrame { conn, error });
                return Ok(());
            }
        };
        match message {
            Message::Notification {
                metadata,
                subscription,
                events,
            } => self.on_notification(conn, metadata, &subscription, events, received_at),
            Message::Revocation {
                metadata,
                subscription,
            } => self.on_revocation(conn, &metadata, &subscription),
            // A closing socket only still matters for the events it delivers.
            _ if closing => {}
            Message::Welcome {
                metadata,
                session_id,
                keepalive_timeout_seconds,
            } => self.on_welcome(
                conn,
                &metadata,
                SessionId::new(session_id),
                Duration::from_secs(keepalive_timeout_seconds),
            ),
            Message::Keepalive { .. } => {}
            Message::Reconnect {
                metadata,
                reconnect_url,
            } => self.on_reconnect(conn, &metadata, &reconnect_url),
            Message::Unknown { metadata } => self.emit(Event::UnknownMessage {
                conn,
                message_type: metadata.message_type.into_owned(),
            }),
        }
        Ok(())
    }

    fn on_welcome(
        &mut self,
        conn: ConnId,
        metadata: &Metadata<'_>,
        session_id: SessionId,
        keepalive: Duration,
    ) {
        let Some(candidate) = self.candidate.filter(|candidate| candidate.conn == conn) else {
            self.emit(Event::UnexpectedMessage {
                conn,
                message_type: metadata.message_type.to_string(),
                detail: "a welcome on a connection that already has its session",
            });
            return;
        };
        self.candidate = None;
        let silence_allowed = self.config.keepalive_grace.window(keepalive);
        let now = self.now;
        if let Ok(connection) = self.connection_mut(conn) {
            connection.go_live(session_id.clone(), keepalive, silence_allowed, now);
        }
        // The old socket is closed only now that the new one is welcomed: nothing is missed.
        if let Some(old) = self.primary.replace(conn) {
            self.close(old, ClientCloseCode::Normal);
            if candidate.takeover == Takeover::Fresh {
                // The old session's subscriptions die with it; until they exist on the new one,
                // events can be missed: that is a gap, and it is reported as one.
                self.subscriptions.session_lost();
                self.gap.get_or_insert(GapStart {
                    began: now,
                    last_frame_before: self.last_frame_at,
                });
            }
        }
        self.reconnect_at = None;
        // A handover moves the session's subscriptions; after a gap they may be gone, so a handover
        // that outlived its old socket is treated as a fresh session (409s then mean "still there").
        if candidate.takeover == Takeover::Handover && self.gap.is_none() {
            self.failures = 0;
            self.emit(Event::Reconnected { conn, session_id });
        } else {
            self.emit(Event::SessionReady {
                conn,
                session_id: session_id.clone(),
                keepalive,
            });
            self.set_up_fresh_session(&session_id);
        }
    }

    /// What a fresh session asks for: in WebSocket mode, every wanted subscription, created at once
    /// (Twitch closes an unused session after 10 s). This is the one place that decides it.
    fn set_up_fresh_session(&mut self, session_id: &SessionId) {
        self.subscriptions.reported_total_cost = 0;
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
        self.resume_if_complete();
    }

    fn request_creation(&mut self, index: usize, session_id: &SessionId) {
        let Some(wanted) = self.subscriptions.entries.get(index) else {
            return;
        };
        let spec = wanted.spec.clone();
        let estimated_cost = wanted.estimated_cost;
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
                    spec,
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

    fn on_reconnect(&mut self, conn: ConnId, metadata: &Metadata<'_>, reconnect_url: &str) {
        if self.primary != Some(conn) {
            self.emit(Event::UnexpectedMessage {
                conn,
                message_type: metadata.message_type.to_string(),
                detail: "a reconnect on a connection that is not the live session",
            });
            return;
        }
        let url = match Url::parse(reconnect_url) {
            Ok(url) => url,
            Err(error) => {
                self.emit(Event::ReconnectUrlRejected {
                    conn,
                    url: reconnect_url.to_owned(),
                    reason: error.to_string(),
                });
                return;
            }
        };
        let allowed = url.scheme() == "wss"
            || (url.scheme() == "ws" && self.config.allow_insecure_reconnect_url);
        if !allowed {
            self.emit(Event::ReconnectUrlRejected {
                conn,
                url: reconnect_url.to_owned(),
                reason: format!(
                    "scheme `{}` is not followed (only wss://, or ws:// when allow_insecure_reconnect_url is set)",
                    url.scheme()
                ),
            });
            return;
        }
        // A newer reconnect supersedes any connection still being opened.
        self.reconnect_at = None;
        self.open_candidate(Takeover::Handover, url);
    }

    fn on_notification(
        &mut self,
        conn: ConnId,
        metadata: Metadata<'_>,
        subscription: &SubscriptionRef<'_>,
        events: Events<'_>,
        received_at: SystemTime,
    ) {
        let message_id = MessageId::parse(&metadata.message_id);
        if !self.dedup.insert(message_id.clone(), self.now) {
            self.stats.duplicates_dropped += 1;
            return;
        }
        if let Some(age) = self.stale_age(&metadata.message_timestamp, received_at) {
            self.stats.stale_dropped += 1;
            self.emit(Event::Dropped {
                conn,
                message_id,
                reason: DropReason::Stale { age },
            });
            return;
        }
        let subscription_type: Box<str> = metadata
            .subscription_type
            .as_deref()
            .unwrap_or(&subscription.kind)
            .into();
        let subscription_version: Box<str> = metadata
            .subscription_version
            .as_deref()
            .unwrap_or(&subscription.version)
            .into();
        let notification = |event: &serde_json::value::RawValue, batch_item_id| Notification {
            conn,
            message_id: message_id.clone(),
            message_timestamp: metadata.message_timestamp.as_ref().into(),
            subscription_type: subscription_type.clone(),
            subscription_version: subscription_version.clone(),
            subscription_id: SubscriptionId::new(subscription.id.as_ref()),
            batch_item_id,
            event: event.to_owned(),
        };
        match events {
            Events::Single(event) => {
                let event = Event::Notification(notification(event, None));
                self.emit(event);
            }
            Events::Batch(batch) => {
                for item in batch {
                    let event =
                        Event::Notification(notification(item.data, Some(item.id.as_ref().into())));
                    self.emit(event);
                }
            }
        }
    }

    fn stale_age(&self, message_timestamp: &str, received_at: SystemTime) -> Option<Duration> {
        let threshold = self.config.stale_after?;
        // A timestamp we cannot read is not evidence of staleness: deliver rather than lose.
        let sent_at = humantime::parse_rfc3339_weak(message_timestamp).ok()?;
        let age = received_at.duration_since(sent_at).ok()?;
        (age > threshold).then_some(age)
    }

    fn on_revocation(
        &mut self,
        conn: ConnId,
        metadata: &Metadata<'_>,
        subscription: &SubscriptionRef<'_>,
    ) {
        let message_id = MessageId::parse(&metadata.message_id);
        if !self.dedup.insert(message_id.clone(), self.now) {
            self.stats.duplicates_dropped += 1;
            return;
        }
        let subscription = match subscription.to_owned() {
            Ok(subscription) => subscription,
            Err(error) => {
                self.emit(Event::MalformedFrame { conn, error });
                return;
            }
        };
        let revoked_spec = subscription.spec();
        if let Some(wanted) = self.subscriptions.entries.iter_mut().find(|wanted| {
            wanted.spec == revoked_spec
                || matches!(&wanted.state, SubscriptionState::Enabled { id: Some(id), .. } if *id == subscription.id)
        }) {
            wanted.state = SubscriptionState::Revoked;
        }
        self.emit(Event::Revocation(Revocation {
            conn,
            message_id,
            subscription,
        }));
    }

    // ---- Helix results --------------------------------------------------------------------------

    fn on_subscription_created(
        &mut self,
        request: RequestId,
        result: Result<Created, RequestError>,
    ) -> Result<(), InputError> {
        let purpose = self
            .requests
            .remove(&request)
            .ok_or(InputError::UnknownRequest { request })?;
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
        let spec = wanted.spec.clone();
        let event = match result {
            Ok(created) => {
                wanted.state = SubscriptionState::Enabled {
                    id: Some(created.id.clone()),
                    cost: created.cost,
                };
                self.subscriptions.reported_total_cost = created.total_cost;
                self.subscriptions.max_total_cost = created.max_total_cost;
                Event::SubscriptionCreated { spec, created }
            }
            Err(RequestError::AlreadyExists) => {
                let cost = wanted.estimated_cost;
                wanted.state = SubscriptionState::Enabled { id: None, cost };
                Event::SubscriptionAlreadyExists { spec }
            }
            Err(RequestError::Unauthorized { message }) => {
                self.stop(StopReason::Unauthorized { message });
                return Ok(());
            }
            Err(error) => {
                let retry = matches!(error, RequestError::Unavailable { .. });
                let reason = SubscriptionFailure::Request(error);
                wanted.state = SubscriptionState::Failed {
                    reason: reason.clone(),
                    retry,
                };
                Event::SubscriptionFailed { spec, reason }
            }
        };
        self.emit(event);
        self.resume_if_complete();
        Ok(())
    }

    fn on_subscription_deleted(
        &mut self,
        request: RequestId,
        result: Result<(), RequestError>,
    ) -> Result<(), InputError> {
        let Some(Request::Delete(id)) = self.requests.remove(&request) else {
            return Err(InputError::UnknownRequest { request });
        };
        match result {
            // 404: already gone, which is what was wanted.
            Ok(()) | Err(RequestError::Rejected { status: 404, .. }) => {}
            Err(error) => self.emit(Event::UnsubscribeFailed { id, error }),
        }
        Ok(())
    }

    fn resume_if_complete(&mut self) {
        if self.primary.is_none() || self.subscriptions.any_requested() {
            return;
        }
        if let Some(start) = self.gap.take() {
            self.emit(Event::Resumed {
                gap: Gap {
                    began: start.began,
                    ended: self.now,
                    last_frame_before: start.last_frame_before,
                },
            });
        }
    }

    // ---- connection lifecycle -------------------------------------------------------------------

    fn open_candidate(&mut self, takeover: Takeover, url: Url) {
        if let Some(previous) = self.candidate.take() {
            self.close(previous.conn, ClientCloseCode::Normal);
        }
        let conn = ConnId::next(&mut self.last_conn);
        let deadline = self.deadline_after(self.config.connect_timeout);
        self.connections
            .push(Connection::connecting(conn, deadline));
        self.candidate = Some(Candidate { conn, takeover });
        self.outputs.push_back(Output::Connect { conn, url });
    }

    /// The core gives up on a connection (timeout): close it and act as if it ended.
    fn abandon(&mut self, conn: ConnId, cause: DisconnectCause) {
        let live_since = self.live_since(conn);
        self.close(conn, ClientCloseCode::GoingAway);
        self.after_connection_lost(conn, cause, live_since);
    }

    /// The adapter reports a socket gone.
    fn connection_ended(&mut self, conn: ConnId, cause: DisconnectCause) -> Result<(), InputError> {
        let index = self
            .connections
            .iter()
            .position(|connection| connection.id == conn)
            .ok_or(InputError::UnknownConnection { conn })?;
        let connection = self.connections.swap_remove(index);
        if !connection.is_closing() && !self.stopped {
            self.after_connection_lost(conn, cause, connection.live_since());
        }
        Ok(())
    }

    fn after_connection_lost(
        &mut self,
        conn: ConnId,
        cause: DisconnectCause,
        live_since: Option<Instant>,
    ) {
        let was_primary = self.primary == Some(conn);
        let was_candidate = self
            .candidate
            .is_some_and(|candidate| candidate.conn == conn);
        if !(was_primary || was_candidate) {
            return; // a socket we were already done with
        }
        if was_primary {
            self.primary = None;
            if live_since.is_some_and(|since| {
                self.now.saturating_duration_since(since) >= self.config.backoff.healthy_after
            }) {
                self.failures = 0;
            }
            self.subscriptions.session_lost();
            if self.gap.is_none() {
                self.gap = Some(GapStart {
                    began: self.now,
                    last_frame_before: self.last_frame_at,
                });
            }
        } else {
            self.candidate = None;
        }
        let disposition = match &cause {
            DisconnectCause::Closed { code, .. } => code.disposition(),
            DisconnectCause::KeepaliveTimeout { .. } => CloseDisposition::ReconnectNow,
            _ => CloseDisposition::ReconnectWithBackoff,
        };
        let retry = match (&cause, disposition) {
            (DisconnectCause::Closed { reason, .. }, CloseDisposition::Stop) => {
                Retry::Stop(StopReason::InboundTrafficRejected {
                    reason: reason.clone(),
                })
            }
            _ => self.plan_retry(disposition),
        };
        let retry_at = match retry {
            Retry::Now => Some(self.now),
            Retry::At(at) => Some(at),
            Retry::UnderWay | Retry::Stop(_) => None,
        };
        self.emit(if was_primary {
            Event::Disconnected {
                conn,
                cause,
                retry_at,
            }
        } else {
            Event::ConnectFailed {
                conn,
                cause,
                retry_at,
            }
        });
        match retry {
            Retry::Now => self.open_candidate(Takeover::Fresh, self.fresh_url.clone()),
            Retry::At(at) => self.reconnect_at = Some(at),
            Retry::UnderWay => {}
            Retry::Stop(reason) => self.stop(reason),
        }
    }

    /// When the next connection attempt starts after a loss. Counts the attempt.
    fn plan_retry(&mut self, disposition: CloseDisposition) -> Retry {
        if self.candidate.is_some() {
            return Retry::UnderWay;
        }
        if let Some(max) = self.config.backoff.max_attempts {
            if self.failures >= max {
                return Retry::Stop(StopReason::GaveUp {
                    attempts: self.failures,
                });
            }
        }
        // "At once" only for the first failure in a row: a server that keeps closing at once
        // still meets a growing backoff, never a tight loop.
        let delay = if disposition == CloseDisposition::ReconnectNow && self.failures == 0 {
            Duration::ZERO
        } else {
            self.config.backoff.delay(self.failures, self.config.seed)
        };
        self.failures = self.failures.saturating_add(1);
        if delay.is_zero() {
            Retry::Now
        } else {
            Retry::At(self.deadline_after(delay))
        }
    }

    fn stop(&mut self, reason: StopReason) {
        if self.stopped {
            return;
        }
        let open: Vec<ConnId> = self
            .connections
            .iter()
            .filter(|connection| !connection.is_closing())
            .map(|connection| connection.id)
            .collect();
        for conn in open {
            self.close(conn, ClientCloseCode::Normal);
        }
        self.primary = None;
        self.candidate = None;
        self.reconnect_at = None;
        self.stopped = true;
        self.emit(Event::Stopped { reason });
    }

    fn close(&mut self, conn: ConnId, code: ClientCloseCode) {
        if let Ok(connection) = self.connection_mut(conn) {
            if !connection.is_closing() {
                connection.start_closing();
                self.outputs.push_back(Output::Close { conn, code });
            }
        }
    }

    fn request_deletion(&mut self, id: SubscriptionId) {
        let request = RequestId::next(&mut self.last_request);
        self.requests.insert(request, Request::Delete(id.clone()));
        self.outputs
            .push_back(Output::DeleteSubscription { request, id });
    }

    // ---- small helpers --------------------------------------------------------------------------

    fn emit(&mut self, event: Event) {
        self.outputs.push_back(Output::Event(event));
    }

    fn advance_clock(&mut self, now: Instant) {
        // Time only moves forward; a stale `now` from a racing adapter is read as "no time passed".
        self.now = self.now.max(now);
    }

    fn deadline_after(&self, delay: Duration) -> Instant {
        self.now.checked_add(delay).unwrap_or(self.now)
    }

    fn connection_mut(&mut self, conn: ConnId) -> Result<&mut Connection, InputError> {
        self.connections
            .iter_mut()
            .find(|connection| connection.id == conn)
            .ok_or(InputError::UnknownConnection { conn })
    }

    fn live_since(&self, conn: ConnId) -> Option<Instant> {
        self.connections
            .iter()
            .find(|connection| connection.id == conn)
            .and_then(Connection::live_since)
    }
}
