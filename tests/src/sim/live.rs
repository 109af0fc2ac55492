//! One client whose session is live, fed frames directly on fake time: the fixture of the memory
//! tests, which count every byte the client holds and so want nothing else running.

use std::time::{Duration, Instant, SystemTime};

use eventsub_proto::{Client, Config, ConnId, Created, Event, Input, Output, SubscriptionId};

use super::Frames;

/// A client on fake time whose session is live with its subscriptions created.
pub struct LiveSession {
    /// The client.
    pub client: Client,
    /// Its live connection.
    pub conn: ConnId,
    /// The fake clock.
    pub now: Instant,
    /// The wall time given with every frame: the frames' own `message_timestamp`, so the stale
    /// check runs and passes.
    pub received_at: SystemTime,
}

impl LiveSession {
    /// Connects a client made from `config` (answering its token validation with a user token
    /// holding every scope) and welcomes it.
    pub fn start(config: Config) -> Self {
        let now = Instant::now();
        let mut client = Client::new(config, now).expect("valid config");
        let mut first = client.poll_output();
        if let Some(Output::ValidateToken { request }) = first {
            let result = Ok(super::user_token_with_all_scopes());
            client
                .handle_input(now, Input::TokenValidated { request, result })
                .expect("the validation it asked for");
            // Past the `TokenValidated` event.
            first = std::iter::from_fn(|| client.poll_output())
                .find(|output| !matches!(output, Output::Event(_)));
        }
        let Some(Output::Connect { conn, .. }) = first else {
            panic!("the client connects first, once the token is validated")
        };
        let received_at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_668_593_472);
        let mut session = Self {
            client,
            conn,
            now,
            received_at,
        };
        session.input(Input::Opened { conn });
        let welcome = Frames::default().welcome("00000000-0000-4000-8000-000000000000", "s", 10);
        session.text(&welcome);
        session
    }

    /// Feeds `input` and carries out the outputs, dropping the events.
    pub fn input(&mut self, input: Input<'_>) {
        self.feed(input);
        self.drain(drop);
    }

    /// Feeds `input` without draining.
    pub fn feed(&mut self, input: Input<'_>) {
        self.client
            .handle_input(self.now, input)
            .expect("a known connection");
    }

    /// Feeds one frame on the live connection and carries out the outputs, dropping the events.
    pub fn text(&mut self, text: &str) {
        let (conn, received_at) = (self.conn, self.received_at);
        self.input(Input::Text {
            conn,
            text,
            received_at,
        });
    }

    /// Carries out the outputs: subscriptions are created, events go to `on_event` one at a time
    /// (as a user would take them). The session must stay up.
    pub fn drain(&mut self, mut on_event: impl FnMut(Event)) {
        while let Some(output) = self.client.poll_output() {
            match output {
                Output::CreateSubscription { request, .. } => {
                    let created = Created::new(SubscriptionId::new("sub"), 0, 0, 10);
                    self.client
                        .handle_input(
                            self.now,
                            Input::SubscriptionCreated {
                                request,
                                result: Ok(created),
                            },
                        )
                        .expect("a known request");
                }
                Output::Event(event) => on_event(event),
                Output::Close { .. } | Output::Connect { .. } => {
                    panic!("the session should stay up: {output:?}")
                }
                _ => {}
            }
        }
    }

    /// Lets `by` pass on the fake clock.
    pub fn advance(&mut self, by: Duration) {
        self.now += by;
        self.client.handle_timeout(self.now);
        self.drain(drop);
    }
}

/// One `channel.follow` notification frame whose message id is rewritten for each send: its last
/// twelve characters become the count in hex (rendering JSON per notification would make a long
/// run take minutes in a debug build).
pub struct NumberedNotifications {
    frame: String,
    id_end: usize,
    sent: u64,
}

impl NumberedNotifications {
    /// Frames whose message id is `id` with its last twelve characters numbered.
    pub fn new(id: &str) -> Self {
        let frame = Frames::default().notification(id, "s", "channel.follow", 0);
        let id_end = frame.find(id).expect("the id is in the frame") + id.len();
        Self {
            frame,
            id_end,
            sent: 0,
        }
    }

    /// The next frame, with a message id not sent before.
    pub fn next_frame(&mut self) -> &str {
        self.sent += 1;
        let digits = format!("{:012x}", self.sent);
        self.frame
            .replace_range(self.id_end - digits.len()..self.id_end, &digits);
        &self.frame
    }

    /// The frame last returned by [`NumberedNotifications::next_frame`], sent again.
    pub fn again(&self) -> &str {
        &self.frame
    }
}
