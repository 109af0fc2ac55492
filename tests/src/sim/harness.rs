//! One fake clock, one client, one fake Twitch: every output of the client is carried out at once
//! (sockets "close" as soon as the client asks), everything else waits for the test to act.

use std::time::{Duration, Instant, SystemTime};

use eventsub_proto::events::SUBSCRIPTION_TYPES;
use eventsub_proto::{
    Client, ClientCloseCode, ClockOffset, Config, ConnId, Created, Event, Input, InputError,
    Output, Pool, RequestError, RequestId, SessionId, SubscriptionId, SubscriptionSpec,
    TokenIdentity, Url, UserId,
};

/// The token's user in the harness: subscriptions on this broadcaster cost nothing.
pub const TOKEN_USER: &str = "12826";

/// Subscription types (and versions) whose condition is the broadcaster alone: on the token
/// user's own channel each costs 0 at Twitch.
pub const OWN_CHANNEL_TYPES: [(&str, &str); 14] = [
    ("stream.online", "1"),
    ("stream.offline", "1"),
    ("channel.update", "2"),
    ("channel.subscribe", "1"),
    ("channel.subscription.end", "1"),
    ("channel.subscription.gift", "1"),
    ("channel.subscription.message", "1"),
    ("channel.cheer", "1"),
    ("channel.ban", "1"),
    ("channel.unban", "1"),
    ("channel.poll.begin", "1"),
    ("channel.prediction.begin", "1"),
    ("channel.poll.end", "1"),
    ("channel.prediction.end", "1"),
];

/// The first `count` (at most 14) of [`OWN_CHANNEL_TYPES`] on `broadcaster`'s channel.
pub fn own_channel_subscriptions(broadcaster: &str, count: usize) -> Vec<SubscriptionSpec> {
    OWN_CHANNEL_TYPES
        .into_iter()
        .take(count)
        .map(|(kind, version)| {
            SubscriptionSpec::new(kind, version).with_condition("broadcaster_user_id", broadcaster)
        })
        .collect()
}

/// A user token of [`TOKEN_USER`] with every scope any known subscription type needs.
pub fn user_token_with_all_scopes() -> TokenIdentity {
    let mut scopes: Vec<&str> = SUBSCRIPTION_TYPES
        .iter()
        .flat_map(|entry| {
            entry
                .scopes
                .iter()
                .flat_map(|any_of| any_of.iter().copied())
        })
        .collect();
    scopes.sort_unstable();
    scopes.dedup();
    TokenIdentity::user("fake-client", UserId::new(TOKEN_USER), "twitchdev", scopes)
}

use super::twitch::FakeTwitch;

/// What a [`Harness`] drives: a [`Client`], or a [`Pool`] of them (driven exactly alike).
pub trait Driven {
    /// Makes it from `config` at `now`.
    fn start(config: Config, now: Instant) -> Self;
    /// See [`Client::handle_input`].
    fn handle_input(&mut self, now: Instant, input: Input<'_>) -> Result<(), InputError>;
    /// See [`Client::handle_timeout`].
    fn handle_timeout(&mut self, now: Instant);
    /// See [`Client::poll_output`].
    fn poll_output(&mut self) -> Option<Output>;
    /// See [`Client::poll_timeout`].
    fn poll_timeout(&self) -> Option<Instant>;
}

impl Driven for Client {
    fn start(config: Config, now: Instant) -> Self {
        Client::new(config, now).expect("valid config")
    }
    fn handle_input(&mut self, now: Instant, input: Input<'_>) -> Result<(), InputError> {
        Client::handle_input(self, now, input)
    }
    fn handle_timeout(&mut self, now: Instant) {
        Client::handle_timeout(self, now);
    }
    fn poll_output(&mut self) -> Option<Output> {
        Client::poll_output(self)
    }
    fn poll_timeout(&self) -> Option<Instant> {
        Client::poll_timeout(self)
    }
}

impl Driven for Pool {
    fn start(config: Config, now: Instant) -> Self {
        Pool::new(config, now).expect("valid config")
    }
    fn handle_input(&mut self, now: Instant, input: Input<'_>) -> Result<(), InputError> {
        Pool::handle_input(self, now, input)
    }
    fn handle_timeout(&mut self, now: Instant) {
        Pool::handle_timeout(self, now);
    }
    fn poll_output(&mut self) -> Option<Output> {
        Pool::poll_output(self)
    }
    fn poll_timeout(&self) -> Option<Instant> {
        Pool::poll_timeout(self)
    }
}

/// A subscription the client asked to create and nobody answered yet.
#[derive(Clone, Debug)]
pub struct PendingCreate {
    /// The request.
    pub request: RequestId,
    /// The session it is for.
    pub session_id: SessionId,
    /// What to create.
    pub subscription: SubscriptionSpec,
    /// When it was asked for.
    pub asked_at: Instant,
}

/// The client (or pool) and the fake server on one fake clock.
#[derive(Debug)]
pub struct Harness<C = Client> {
    /// The client under test.
    pub client: C,
    /// The fake server.
    pub twitch: FakeTwitch,
    /// Fake monotonic time.
    pub now: Instant,
    /// Fake wall time, moved with `now`.
    pub wall: SystemTime,
    /// Every event the client delivered, in order.
    pub events: Vec<Event>,
    /// Every output the client produced, with the time, in order.
    pub outputs: Vec<(Instant, Output)>,
    /// `Connect`s not yet opened or failed by the test.
    pub pending_connects: Vec<(ConnId, Url)>,
    /// `CreateSubscription`s not yet answered.
    pub pending_creates: Vec<PendingCreate>,
    /// `DeleteSubscription`s not yet answered.
    pub pending_deletes: Vec<(RequestId, SubscriptionId)>,
    /// Every `Close` the client asked for: connection, code, time.
    pub client_closes: Vec<(ConnId, ClientCloseCode, Instant)>,
    /// Every `Abort` the client asked for: connection, time.
    pub aborts: Vec<(ConnId, Instant)>,
    /// Leave sockets the client closes open until the test ends them with
    /// [`Harness::server_close`] (by default the server answers every close at once).
    pub hold_closes: bool,
    /// Sockets whose closes the server leaves unanswered (a stalled network: nothing gets
    /// through either way), whatever `hold_closes` says.
    pub unanswered_closes: std::collections::BTreeSet<ConnId>,
    /// How far the local clock (`wall`) is from Twitch's, once [`Harness::twitch_clock`] made the
    /// frames carry Twitch's time (by default they carry one fixed timestamp).
    pub twitch_offset: Option<ClockOffset>,
    /// How token validations are answered: at once with this (by default a user token of
    /// [`TOKEN_USER`] with every scope), or, when `None`, left in
    /// [`Harness::pending_validations`] for the test to answer.
    pub token: Option<TokenIdentity>,
    /// `ValidateToken`s not yet answered (only while `token` is `None`).
    pub pending_validations: Vec<RequestId>,
}

impl Harness<Client> {
    /// A harness whose client starts at once; its token validation is answered with a user token
    /// with every scope, so its first `Connect` is pending.
    pub fn new(config: Config) -> Self {
        Self::with_token(config, Some(user_token_with_all_scopes()))
    }

    /// A harness whose validations are answered with `token`, or left pending when `None`.
    pub fn with_token(config: Config, token: Option<TokenIdentity>) -> Self {
        Self::driving(config, token)
    }

    /// A config for tests: one subscription of the token owner's channel (cost 0).
    pub fn config() -> Config {
        let mut config = Config::default();
        config.url = Url::parse("wss://eventsub.fake-twitch.test/ws").expect("valid URL");
        config.subscriptions = vec![
            SubscriptionSpec::new("channel.follow", "1")
                .with_condition("broadcaster_user_id", "12826"),
        ];
        config.token_user_id = Some(TOKEN_USER.to_owned());
        config
    }
}

impl Harness<Pool> {
    /// A harness driving a [`Pool`] made from `config`; token validations are answered like
    /// [`Harness::new`]'s.
    pub fn pool(config: Config) -> Self {
        Self::driving(config, Some(user_token_with_all_scopes()))
    }
}

impl<C: Driven> Harness<C> {
    /// A harness driving what `config` makes; validations are answered with `token`, or left
    /// pending when `None`.
    pub fn driving(config: Config, token: Option<TokenIdentity>) -> Self {
        let now = Instant::now();
        let client = C::start(config, now);
        let mut harness = Self {
            client,
            twitch: FakeTwitch::default(),
            now,
            // 2022-11-16T10:11:12Z, the time the frames carry, so nothing is stale by default.
            wall: SystemTime::UNIX_EPOCH + Duration::from_secs(1_668_593_472),
            events: Vec::new(),
            outputs: Vec::new(),
            pending_connects: Vec::new(),
            pending_creates: Vec::new(),
            pending_deletes: Vec::new(),
            client_closes: Vec::new(),
            aborts: Vec::new(),
            hold_closes: false,
            unanswered_closes: std::collections::BTreeSet::new(),
            twitch_offset: None,
            token,
            pending_validations: Vec::new(),
        };
        harness.drain();
        harness
    }

    /// Answers the oldest pending validation with `result`.
    pub fn answer_validation(&mut self, result: Result<TokenIdentity, RequestError>) {
        assert!(
            !self.pending_validations.is_empty(),
            "no pending validation"
        );
        let request = self.pending_validations.remove(0);
        self.feed(Input::TokenValidated { request, result });
    }

    /// Carries out every output the client has.
    pub fn drain(&mut self) {
        loop {
            let mut closed_now = Vec::new();
            let mut validations = Vec::new();
            while let Some(output) = self.client.poll_output() {
                match &output {
                    Output::Connect { conn, url } => {
                        self.twitch.accept(*conn, url.clone());
                        self.pending_connects.push((*conn, url.clone()));
                    }
                    Output::Close { conn, code }
                        if self.hold_closes || self.unanswered_closes.contains(conn) =>
                    {
                        self.client_closes.push((*conn, *code, self.now));
                    }
                    Output::Close { conn, code } => {
                        self.client_closes.push((*conn, *code, self.now));
                        self.twitch.closed(*conn, true);
                        self.pending_connects.retain(|(pending, _)| pending != conn);
                        closed_now.push((*conn, Some(1000)));
                    }
                    // Dropped at once, whatever `hold_closes` says: no handshake to wait for.
                    Output::Abort { conn } => {
                        self.aborts.push((*conn, self.now));
                        self.twitch.closed(*conn, true);
                        self.pending_connects.retain(|(pending, _)| pending != conn);
                        closed_now.push((*conn, None));
                    }
                    Output::CreateSubscription {
                        request,
                        session_id,
                        subscription,
                    } => self.pending_creates.push(PendingCreate {
                        request: *request,
                        session_id: session_id.clone(),
                        subscription: subscription.clone(),
                        asked_at: self.now,
                    }),
                    Output::DeleteSubscription { request, id } => {
                        self.pending_deletes.push((*request, id.clone()))
                    }
                    Output::ValidateToken { request } => match &self.token {
                        Some(token) => validations.push((*request, token.clone())),
                        None => self.pending_validations.push(*request),
                    },
                    Output::Event(event) => self.events.push(event.clone()),
                    _ => {}
                }
                self.outputs.push((self.now, output));
            }
            if closed_now.is_empty() && validations.is_empty() {
                return;
            }
            for (request, token) in validations {
                self.input(Input::TokenValidated {
                    request,
                    result: Ok(token),
                });
            }
            for (conn, code) in closed_now {
                self.input(Input::Closed {
                    conn,
                    code,
                    reason: "",
                });
            }
        }
    }

    fn input(&mut self, input: Input<'_>) {
        // Errors here are the adapter's (unknown ids); the harness only names what exists.
        let _ = self.client.handle_input(self.now, input);
    }

    /// Feeds an input and carries out what follows.
    pub fn feed(&mut self, input: Input<'_>) {
        self.input(input);
        self.drain();
    }

    /// Delivers `text` on `conn` now.
    pub fn send(&mut self, conn: ConnId, text: &str) {
        let received_at = self.wall;
        self.feed(Input::Text {
            conn,
            text,
            received_at,
        });
    }

    /// The oldest pending connect, if any.
    pub fn next_connect(&self) -> Option<ConnId> {
        self.pending_connects.first().map(|(conn, _)| *conn)
    }

    /// The server accepts `conn`.
    pub fn open(&mut self, conn: ConnId) {
        self.pending_connects
            .retain(|(pending, _)| *pending != conn);
        self.twitch.open(conn);
        self.feed(Input::Opened { conn });
    }

    /// The connect of `conn` fails.
    pub fn fail_connect(&mut self, conn: ConnId) {
        self.pending_connects
            .retain(|(pending, _)| *pending != conn);
        self.twitch.closed(conn, false);
        self.feed(Input::ConnectFailed {
            conn,
            error: "connection refused",
        });
    }

    /// The server sends the welcome on `conn`.
    pub fn welcome(&mut self, conn: ConnId) {
        if let Some(text) = self.twitch.welcome(conn, self.now) {
            self.send(conn, &text);
        }
    }

    /// Opens and welcomes the oldest pending connect; returns it.
    pub fn connect_next(&mut self) -> ConnId {
        let conn = self.next_connect().expect("a pending connect");
        self.open(conn);
        self.welcome(conn);
        conn
    }

    /// Answers every pending creation (with success, unless [`FakeTwitch::limits`] refuse),
    /// charging cost 1 for channels other than the token owner's (`12826`), as Twitch does.
    pub fn create_all(&mut self) {
        for pending in std::mem::take(&mut self.pending_creates) {
            // The answer was fed to the client; the tests read it from the events.
            let _ = self.create(pending);
        }
    }

    /// Answers one pending creation as the fake Twitch decides (see [`FakeTwitch::create`]):
    /// it charges cost 1 for channels other than [`TOKEN_USER`]'s. Returns the answer.
    pub fn create(&mut self, pending: PendingCreate) -> Result<Created, RequestError> {
        let cost = pending.subscription.estimated_cost(Some(TOKEN_USER));
        let result = self.twitch.create(
            pending.session_id.as_str(),
            SubscriptionId::new(format!("sub-{}", pending.request)),
            pending.subscription,
            cost,
        );
        self.feed(Input::SubscriptionCreated {
            request: pending.request,
            result: result.clone(),
        });
        result
    }

    /// Answers every pending creation with `error`.
    pub fn fail_all_creates(&mut self, error: RequestError) {
        for pending in std::mem::take(&mut self.pending_creates) {
            self.feed(Input::SubscriptionCreated {
                request: pending.request,
                result: Err(error.clone()),
            });
        }
    }

    /// Connects, welcomes and creates every subscription: a fully live client. Returns the socket.
    pub fn establish(&mut self) -> ConnId {
        let conn = self.connect_next();
        self.create_all();
        conn
    }

    /// The server sends a fresh notification on `conn`; returns its message id.
    pub fn notify(&mut self, conn: ConnId) -> String {
        let (message_id, text) = self.twitch.notification(conn).expect("known socket");
        self.send(conn, &text);
        message_id
    }

    /// The server sends a keepalive on `conn`.
    pub fn keepalive(&mut self, conn: ConnId) {
        let text = self.twitch.keepalive();
        self.send(conn, &text);
    }

    /// The server sends `session_reconnect` on `conn`.
    pub fn reconnect(&mut self, conn: ConnId) {
        if let Some(text) = self.twitch.reconnect(conn, false) {
            self.send(conn, &text);
        }
    }

    /// The server (or the network, with `None`) closes `conn`.
    pub fn server_close(&mut self, conn: ConnId, code: Option<u16>) {
        self.pending_connects
            .retain(|(pending, _)| *pending != conn);
        self.twitch.closed(conn, false);
        self.feed(Input::Closed {
            conn,
            code,
            reason: "closed by fake twitch",
        });
    }

    /// From now on every frame carries Twitch's time as its `message_timestamp`, Twitch's clock
    /// being `offset` from the local one (`wall`); it moves with the fake time.
    pub fn twitch_clock(&mut self, offset: ClockOffset) {
        self.twitch_offset = Some(offset);
        self.stamp();
    }

    /// Twitch's time now, when [`Harness::twitch_clock`] set it (else the local wall time).
    pub fn twitch_now(&self) -> SystemTime {
        self.twitch_offset
            .and_then(|offset| offset.twitch_time(self.wall))
            .unwrap_or(self.wall)
    }

    fn stamp(&mut self) {
        if self.twitch_offset.is_some() {
            self.twitch.frames.timestamp = rfc3339(self.twitch_now());
        }
    }

    /// Moves both clocks forward and lets the client act on its deadlines.
    pub fn advance(&mut self, by: Duration) {
        self.now += by;
        self.wall += by;
        self.stamp();
        self.client.handle_timeout(self.now);
        self.drain();
    }

    /// Moves to the client's next deadline (if any) and acts on it; returns whether there was one.
    pub fn advance_to_next_timeout(&mut self) -> bool {
        match self.client.poll_timeout() {
            Some(at) => {
                let by = at.saturating_duration_since(self.now);
                self.advance(by);
                true
            }
            None => false,
        }
    }

    /// Message ids of every delivered notification, in order.
    pub fn delivered(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|event| match event {
                Event::Notification(notification) => Some(notification.message_id().to_string()),
                _ => None,
            })
            .collect()
    }

    /// Events delivered since index `from`.
    pub fn events_since(&self, from: usize) -> &[Event] {
        self.events.get(from..).unwrap_or(&[])
    }
}

/// A wall time as Twitch writes its timestamps (RFC 3339, UTC, nanoseconds).
pub fn rfc3339(at: SystemTime) -> String {
    time::OffsetDateTime::from(at)
        .format(&time::format_description::well_known::Rfc3339)
        .expect("a time in RFC 3339's years")
}
