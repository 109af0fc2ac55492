//! A fake Twitch for the catch-up tests, on fake time: an EventSub server that delivers what
//! happens while the client listens, and a Helix that answers the catch-up's reads from the
//! same history (only what Helix would show).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

pub mod acts;
pub mod world;

use std::collections::VecDeque;
use std::time::{Duration, Instant, SystemTime};

use eventsub_proto::catchup::{CatchUpConfig, ReadRequest};
use eventsub_proto::{
    Client, Config, ConnId, Created, Event, Input, Output, RequestError, RequestId, SubscriptionId,
    SubscriptionSpec, TokenIdentity, UserId,
};

pub use world::World;

/// The broadcaster every subscription is about (also the token's user).
pub const BROADCASTER: &str = "1001";
/// The reward the redemption subscription names.
pub const REWARD: &str = "reward-1";

pub fn follow() -> SubscriptionSpec {
    SubscriptionSpec::new("channel.follow", "2")
        .with_condition("broadcaster_user_id", BROADCASTER)
        .with_condition("moderator_user_id", BROADCASTER)
}
pub fn ban() -> SubscriptionSpec {
    SubscriptionSpec::new("channel.ban", "1").with_condition("broadcaster_user_id", BROADCASTER)
}
pub fn redemption() -> SubscriptionSpec {
    SubscriptionSpec::new("channel.channel_points_custom_reward_redemption.add", "1")
        .with_condition("broadcaster_user_id", BROADCASTER)
        .with_condition("reward_id", REWARD)
}
pub fn poll_end() -> SubscriptionSpec {
    SubscriptionSpec::new("channel.poll.end", "1")
        .with_condition("broadcaster_user_id", BROADCASTER)
}
pub fn poll_begin() -> SubscriptionSpec {
    SubscriptionSpec::new("channel.poll.begin", "1")
        .with_condition("broadcaster_user_id", BROADCASTER)
}
pub fn stream_offline() -> SubscriptionSpec {
    SubscriptionSpec::new("stream.offline", "1").with_condition("broadcaster_user_id", BROADCASTER)
}
pub fn stream_online() -> SubscriptionSpec {
    SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", BROADCASTER)
}
pub fn prediction_begin() -> SubscriptionSpec {
    by_broadcaster("channel.prediction.begin")
}
pub fn prediction_lock() -> SubscriptionSpec {
    by_broadcaster("channel.prediction.lock")
}
pub fn prediction_end() -> SubscriptionSpec {
    by_broadcaster("channel.prediction.end")
}
pub fn goal_begin() -> SubscriptionSpec {
    by_broadcaster("channel.goal.begin")
}
pub fn goal_progress() -> SubscriptionSpec {
    by_broadcaster("channel.goal.progress")
}
pub fn goal_end() -> SubscriptionSpec {
    by_broadcaster("channel.goal.end")
}
pub fn charity_stop() -> SubscriptionSpec {
    by_broadcaster("channel.charity_campaign.stop")
}
pub fn charity_start() -> SubscriptionSpec {
    by_broadcaster("channel.charity_campaign.start")
}
pub fn charity_progress() -> SubscriptionSpec {
    by_broadcaster("channel.charity_campaign.progress")
}
fn by_broadcaster(kind: &str) -> SubscriptionSpec {
    SubscriptionSpec::new(kind, "1").with_condition("broadcaster_user_id", BROADCASTER)
}
pub fn chat() -> SubscriptionSpec {
    SubscriptionSpec::new("channel.chat.message", "1")
        .with_condition("broadcaster_user_id", BROADCASTER)
        .with_condition("user_id", BROADCASTER)
}

/// A config with these subscriptions and catch-up on; no token validation unless `scopes`.
pub fn config(subscriptions: Vec<SubscriptionSpec>, catch_up: CatchUpConfig) -> Config {
    let mut config = Config::default();
    config.subscriptions = subscriptions;
    config.validate_token = false;
    config.token_user_id = Some(BROADCASTER.to_owned());
    config.catch_up = Some(catch_up);
    config
}

pub fn rfc3339(at: SystemTime) -> String {
    time::OffsetDateTime::from(at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// A read asked for or a report handed out, in the order they came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Read,
    Resumed,
    Report,
}

/// The client, the fake Twitch around it, and everything it said.
pub struct Harness {
    pub client: Client,
    pub now: Instant,
    start: Instant,
    epoch: SystemTime,
    pub world: World,
    /// The socket whose session carries the subscriptions.
    pub live: Option<ConnId>,
    session: u64,
    /// Connections asked for and not yet opened.
    connects: VecDeque<ConnId>,
    /// Whether the network is down: connection attempts fail.
    pub down: bool,
    creates: Vec<(RequestId, SubscriptionSpec)>,
    validations: Vec<RequestId>,
    closes: Vec<ConnId>,
    /// Catch-up reads asked for and not answered yet.
    pub reads: VecDeque<(RequestId, ReadRequest)>,
    /// Every catch-up read asked for.
    pub asked: Vec<ReadRequest>,
    /// Whether reads are answered by the world as soon as asked.
    pub auto_reads: bool,
    /// Whether Helix serves a read when it is asked and the answer arrives later (it may then
    /// be older than notifications delivered meanwhile); otherwise as the world stands when
    /// it is answered.
    pub serve_when_asked: bool,
    /// The answers served when asked, by request.
    served: Vec<(RequestId, Result<String, RequestError>)>,
    /// The token's scopes, when the client validates its token.
    pub scopes: Option<Vec<String>>,
    pub events: Vec<Event>,
    /// Reads and reports in order.
    pub timeline: Vec<Mark>,
    messages: u64,
    last_keepalive: Instant,
    handover_to: Option<ConnId>,
    /// Whether the sockets the client closes break instead of answering its close (what they
    /// still carried is lost).
    pub break_closes: bool,
}

impl Harness {
    pub fn new(config: Config) -> Self {
        let mut harness = Self::unsettled(config);
        harness.settle();
        harness
    }

    /// A harness whose client validates a token with `scopes`.
    pub fn with_scopes(mut config: Config, scopes: &[&str]) -> Self {
        config.validate_token = true;
        let mut harness = Self::unsettled(config);
        harness.scopes = Some(scopes.iter().map(|scope| (*scope).to_owned()).collect());
        harness.settle();
        harness
    }

    /// A harness that has not carried out the client's first outputs yet (set the world up first).
    pub fn unsettled(config: Config) -> Self {
        let start = Instant::now();
        Self {
            client: Client::new(config, start).unwrap(),
            now: start,
            start,
            epoch: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            world: World::new(BROADCASTER),
            live: None,
            session: 0,
            connects: VecDeque::new(),
            down: false,
            creates: Vec::new(),
            validations: Vec::new(),
            closes: Vec::new(),
            reads: VecDeque::new(),
            asked: Vec::new(),
            auto_reads: true,
            serve_when_asked: false,
            served: Vec::new(),
            scopes: None,
            events: Vec::new(),
            timeline: Vec::new(),
            messages: 0,
            last_keepalive: start,
            handover_to: None,
            break_closes: false,
        }
    }

    /// Twitch's clock (the same as the local wall clock here).
    pub fn wall(&self) -> SystemTime {
        self.epoch + self.now.saturating_duration_since(self.start)
    }

    fn input(&mut self, input: Input<'_>) {
        self.client.handle_input(self.now, input).unwrap();
    }

    fn drain(&mut self) {
        while let Some(output) = self.client.poll_output() {
            match output {
                Output::Connect { conn, .. } => self.connects.push_back(conn),
                Output::CreateSubscription {
                    request,
                    subscription,
                    ..
                } => self.creates.push((request, subscription)),
                Output::ValidateToken { request } => self.validations.push(request),
                Output::Close { conn, .. } | Output::Abort { conn } => self.closes.push(conn),
                Output::CatchUpRead { request, read } => {
                    self.timeline.push(Mark::Read);
                    if self.serve_when_asked {
                        self.served.push((request, self.world.helix(&read)));
                    }
                    self.asked.push(read.clone());
                    self.reads.push_back((request, read));
                }
                Output::Event(event) => {
                    match event {
                        Event::CatchUp(_) => self.timeline.push(Mark::Report),
                        Event::Resumed { .. } => self.timeline.push(Mark::Resumed),
                        _ => {}
                    }
                    self.events.push(event);
                }
                Output::DeleteSubscription { .. } => {}
                other => panic!("unexpected output {other:?}"),
            }
        }
    }

    /// Carries out everything the client asked for, until it asks for nothing more.
    pub fn settle(&mut self) {
        loop {
            self.drain();
            if let Some(request) = self.validations.pop() {
                let scopes = self.scopes.clone().unwrap_or_default();
                let identity =
                    TokenIdentity::user("client", UserId::new(BROADCASTER), "caster", scopes);
                self.input(Input::TokenValidated {
                    request,
                    result: Ok(identity),
                });
                continue;
            }
            if let Some(conn) = self.closes.pop() {
                if self.live == Some(conn) {
                    self.live = None;
                }
                let code = if self.break_closes { None } else { Some(1000) };
                self.input(Input::Closed {
                    conn,
                    code,
                    reason: "",
                });
                continue;
            }
            if let Some(conn) = self.connects.pop_front() {
                if self.down {
                    self.input(Input::ConnectFailed {
                        conn,
                        error: "network down",
                    });
                } else {
                    self.input(Input::Opened { conn });
                    let handover = self.handover_to.take().is_some();
                    if !handover {
                        self.session += 1;
                    }
                    let welcome = self.welcome();
                    self.text(conn, &welcome);
                    self.live = Some(conn);
                }
                continue;
            }
            if let Some((request, spec)) = self.creates.pop() {
                let id = SubscriptionId::new(format!("sub-{}", spec.kind));
                self.input(Input::SubscriptionCreated {
                    request,
                    result: Ok(Created::new(id, 0, 0, 10)),
                });
                continue;
            }
            if self.auto_reads {
                if let Some((request, read)) = self.reads.pop_front() {
                    let result = self
                        .take_served(request)
                        .unwrap_or_else(|| self.world.helix(&read));
                    self.input(Input::CatchUpRead { request, result });
                    continue;
                }
            }
            break;
        }
    }

    fn take_served(&mut self, request: RequestId) -> Option<Result<String, RequestError>> {
        let at = self
            .served
            .iter()
            .position(|(served, _)| *served == request)?;
        Some(self.served.remove(at).1)
    }

    /// Answers the oldest read asked for, with what Helix served when it was asked (or serves
    /// now); returns whether one was asked for.
    pub fn answer_oldest(&mut self) -> bool {
        let Some((request, read)) = self.reads.pop_front() else {
            return false;
        };
        let result = self
            .take_served(request)
            .unwrap_or_else(|| self.world.helix(&read));
        self.input(Input::CatchUpRead { request, result });
        self.settle();
        true
    }

    /// Answers the oldest read asked for with `result`.
    pub fn answer(&mut self, result: Result<String, RequestError>) {
        let (request, _) = self.reads.pop_front().expect("a read was asked for");
        self.input(Input::CatchUpRead { request, result });
        self.settle();
    }

    fn next_message_id(&mut self) -> String {
        self.messages += 1;
        format!("message-{}", self.messages)
    }

    fn text(&mut self, conn: ConnId, text: &str) {
        let received_at = self.wall();
        self.input(Input::Text {
            conn,
            text,
            received_at,
        });
    }

    fn welcome(&mut self) -> String {
        let id = self.next_message_id();
        format!(
            r#"{{"metadata":{{"message_id":"{id}","message_type":"session_welcome","message_timestamp":"{}"}},"payload":{{"session":{{"id":"session-{}","status":"connected","connected_at":"{}","keepalive_timeout_seconds":10,"reconnect_url":null}}}}}}"#,
            rfc3339(self.wall()),
            self.session,
            rfc3339(self.wall())
        )
    }

    /// Sends a notification of `spec`'s type with this event on the live socket, if any.
    /// Returns whether it was sent.
    pub fn notify(&mut self, spec: &SubscriptionSpec, event: &str) -> bool {
        let Some(conn) = self.live else {
            return false;
        };
        let wanted = self.client.subscriptions().any(|(wanted, state)| {
            wanted == spec && matches!(state, eventsub_proto::SubscriptionState::Enabled { .. })
        });
        if !wanted {
            return false;
        }
        let id = self.next_message_id();
        let at = rfc3339(self.wall());
        let condition = serde_json::to_string(&spec.condition).unwrap();
        let frame = format!(
            r#"{{"metadata":{{"message_id":"{id}","message_type":"notification","message_timestamp":"{at}","subscription_type":"{kind}","subscription_version":"{version}"}},"payload":{{"subscription":{{"id":"sub-{kind}","status":"enabled","type":"{kind}","version":"{version}","cost":0,"condition":{condition},"transport":{{"method":"websocket","session_id":"session-{session}"}},"created_at":"{at}"}},"event":{event}}}}}"#,
            kind = spec.kind,
            version = spec.version,
            session = self.session,
        );
        self.text(conn, &frame);
        self.settle();
        true
    }

    fn keepalive(&mut self, conn: ConnId) {
        let id = self.next_message_id();
        let frame = format!(
            r#"{{"metadata":{{"message_id":"{id}","message_type":"session_keepalive","message_timestamp":"{}"}},"payload":{{}}}}"#,
            rfc3339(self.wall())
        );
        self.text(conn, &frame);
    }

    /// Lets `by` pass in steps of at most a second, with keepalives on the live socket.
    pub fn advance(&mut self, by: Duration) {
        let until = self.now + by;
        while self.now < until {
            let step = (until - self.now).min(Duration::from_secs(1));
            self.now += step;
            if let Some(conn) = self.live {
                if self.now.saturating_duration_since(self.last_keepalive) >= Duration::from_secs(5)
                {
                    self.last_keepalive = self.now;
                    self.keepalive(conn);
                }
            }
            self.client.handle_timeout(self.now);
            self.settle();
        }
    }

    /// Connects and sets up the first session.
    pub fn establish(&mut self) {
        for _ in 0..30 {
            if self.live.is_some() {
                return;
            }
            self.advance(Duration::from_secs(1));
        }
        panic!("no session: {:?}", self.events);
    }

    /// The network drops the live socket and stays down.
    pub fn drop_connection(&mut self) {
        let conn = self.live.take().expect("a live socket");
        self.down = true;
        self.input(Input::Closed {
            conn,
            code: None,
            reason: "",
        });
        self.settle();
    }

    /// The network is back: waits until the client has its session again.
    pub fn come_back(&mut self) {
        self.down = false;
        for _ in 0..600 {
            if self.live.is_some() {
                return;
            }
            self.advance(Duration::from_millis(500));
        }
        panic!("no session again: {:?}", self.events);
    }

    /// Twitch asks for a handover; the new socket takes the session over.
    pub fn handover(&mut self) {
        let conn = self.live.expect("a live socket");
        let id = self.next_message_id();
        let frame = format!(
            r#"{{"metadata":{{"message_id":"{id}","message_type":"session_reconnect","message_timestamp":"{}"}},"payload":{{"session":{{"id":"session-{}","status":"reconnecting","connected_at":"{}","keepalive_timeout_seconds":null,"reconnect_url":"wss://eventsub.wss.twitch.tv/ws?reconnect={id}"}}}}}}"#,
            rfc3339(self.wall()),
            self.session,
            rfc3339(self.wall())
        );
        self.handover_to = Some(conn);
        self.text(conn, &frame);
        for _ in 0..10 {
            self.settle();
            if self.live != Some(conn) {
                return;
            }
            self.advance(Duration::from_millis(500));
        }
    }

    /// The recovered events handed out, in order.
    pub fn recovered(&self) -> Vec<&eventsub_proto::catchup::Recovered> {
        self.events
            .iter()
            .filter_map(|event| match event {
                Event::Recovered(recovered) => Some(&**recovered),
                _ => None,
            })
            .collect()
    }

    /// The catch-up reports handed out, in order.
    pub fn reports(&self) -> Vec<&eventsub_proto::catchup::CatchUp> {
        self.events
            .iter()
            .filter_map(|event| match event {
                Event::CatchUp(report) => Some(&**report),
                _ => None,
            })
            .collect()
    }

    /// The notifications delivered, as (type, event JSON).
    pub fn delivered(&self) -> Vec<(String, serde_json::Value)> {
        self.events
            .iter()
            .filter_map(|event| match event {
                Event::Notification(notification) => Some((
                    notification.subscription_type().to_owned(),
                    serde_json::from_str(notification.event_json()).unwrap(),
                )),
                _ => None,
            })
            .collect()
    }

    /// How many `Resumed` were handed out.
    pub fn resumed(&self) -> usize {
        self.events
            .iter()
            .filter(|event| matches!(event, Event::Resumed { .. }))
            .count()
    }
}
