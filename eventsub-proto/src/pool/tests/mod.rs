//! The pool through its public surface, with a hand-driven fake of Twitch: every output is
//! carried out at once (a connect opens and is welcomed, a creation succeeds, a validation names
//! the token's user, a shard is assigned).

mod batch;
mod sessions;
mod shards;

use std::time::{Duration, Instant, SystemTime};

use super::Pool;
use crate::{
    BroadcasterId, Config, ConnId, Created, Event, Input, Output, RequestError, SubscriptionId,
    SubscriptionSpec, TokenIdentity, UserId,
};

const TOKEN_USER: &str = "12826";

fn online(n: usize) -> SubscriptionSpec {
    SubscriptionSpec::stream_online(BroadcasterId::new(n.to_string()))
}

fn config(sessions: usize, per_session: usize, subscriptions: usize) -> Config {
    Config {
        max_sessions: sessions,
        max_subscriptions_per_connection: per_session,
        subscriptions: (0..subscriptions).map(online).collect(),
        ..Config::default()
    }
}

/// The `message_timestamp` of the fake's frames, as the local clock reads it on arrival.
fn stamped() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_668_593_472)
}

fn welcome(conn: ConnId) -> String {
    format!(
        r#"{{"metadata":{{"message_id":"w-{conn}","message_type":"session_welcome","message_timestamp":"2022-11-16T10:11:12Z"}},"payload":{{"session":{{"id":"session-{conn}","status":"connected","keepalive_timeout_seconds":10,"reconnect_url":null,"connected_at":"2022-11-16T10:11:12Z"}}}}}}"#
    )
}

/// Feeds `input` to `pool` at `now`; a refused input fails the test.
fn feed(pool: &mut Pool, now: Instant, input: Input<'_>) {
    pool.handle_input(now, input)
        .unwrap_or_else(|error| panic!("{error}")); // ok: a test; a refused input is its failure
}

/// The fake carries out a connect: the socket opens and its welcome comes.
fn open_and_welcome(pool: &mut Pool, now: Instant, conn: ConnId) {
    feed(pool, now, Input::Opened { conn });
    let text = welcome(conn);
    feed(
        pool,
        now,
        Input::Text {
            conn,
            text: &text,
            received_at: stamped(),
        },
    );
}

/// Twitch's refusal of a shard id outside the conduit: permanent.
fn refused_for_good() -> crate::ShardAssignError {
    crate::ShardAssignError::refused("invalid_shard", crate::shard::SHARD_OUT_OF_RANGE_MESSAGE)
}

/// The pool, its fake clock, and what came out of it.
struct Run {
    pool: Pool,
    now: Instant,
    events: Vec<Event>,
    /// Live connections, by session.
    conns: Vec<ConnId>,
    created: usize,
    validations: usize,
    /// Answer validations with a 401.
    reject_token: bool,
    /// What a validation says (a user token of [`TOKEN_USER`] unless a test says otherwise).
    identity: TokenIdentity,
    assigned: usize,
    /// Refuse this shard for good.
    refuse_shard: Option<u32>,
    /// The size of each batch of assignments, in the order they went out.
    batches: Vec<usize>,
}

impl Run {
    fn new(config: Config) -> Self {
        let now = Instant::now();
        let pool = Pool::new(config, now).unwrap_or_else(|error| panic!("{error}")); // ok: a test
        let mut run = Self::of(pool, now);
        run.settle();
        run
    }

    fn of(pool: Pool, now: Instant) -> Self {
        Self::of_with(pool, now, |_| {})
    }

    /// A run of `pool`, set up by `setup` before the pool's first outputs are carried out
    /// (call [`Run::settle`] next).
    fn of_with(pool: Pool, now: Instant, setup: impl FnOnce(&mut Self)) -> Self {
        let mut run = Self {
            pool,
            now,
            events: Vec::new(),
            conns: Vec::new(),
            created: 0,
            validations: 0,
            reject_token: false,
            identity: TokenIdentity::user(
                "client",
                UserId::new(TOKEN_USER),
                "caster",
                Vec::<String>::new(),
            ),
            assigned: 0,
            refuse_shard: None,
            batches: Vec::new(),
        };
        setup(&mut run);
        run
    }

    fn feed(&mut self, input: Input<'_>) {
        feed(&mut self.pool, self.now, input);
    }

    /// What the fake answers for `shard_id`'s assignment.
    fn assign(&mut self, shard_id: u32) -> Result<(), crate::ShardAssignError> {
        if self.refuse_shard == Some(shard_id) {
            Err(refused_for_good())
        } else {
            self.assigned += 1;
            Ok(())
        }
    }

    /// Carries out every output until there is none: those that are out at once together, as
    /// an adapter runs its requests side by side. A deadline within the window of shard
    /// assignments is waited for (the batch it sends is part of settling).
    fn settle(&mut self) {
        loop {
            let outputs: Vec<Output> = std::iter::from_fn(|| self.pool.poll_output()).collect();
            if outputs.is_empty() {
                let window = Config::default().shard_assign_window;
                match self.pool.poll_timeout() {
                    Some(at) if self.now.checked_add(window).is_some_and(|end| at <= end) => {
                        self.now = self.now.max(at);
                        self.pool.handle_timeout(self.now);
                        continue;
                    }
                    _ => return,
                }
            }
            for output in outputs {
                self.carry_out(output);
            }
        }
    }

    fn carry_out(&mut self, output: Output) {
        {
            match output {
                Output::Connect { conn, .. } => {
                    self.conns.push(conn);
                    open_and_welcome(&mut self.pool, self.now, conn);
                }
                Output::ValidateToken { request } => {
                    self.validations += 1;
                    let result = if self.reject_token {
                        Err(RequestError::Unauthorized {
                            message: "invalid access token".to_owned(),
                        })
                    } else {
                        Ok(self.identity.clone())
                    };
                    self.feed(Input::TokenValidated { request, result });
                }
                Output::CreateSubscription { request, .. } => {
                    self.created += 1;
                    let id = SubscriptionId::new(format!("sub-{}", self.created));
                    let result = Ok(Created::new(id, 0, 0, 10));
                    self.feed(Input::SubscriptionCreated { request, result });
                }
                Output::Close { conn, .. } | Output::Abort { conn } => {
                    self.conns.retain(|live| *live != conn);
                    self.feed(Input::Closed {
                        conn,
                        code: Some(1000),
                        reason: "",
                    });
                }
                Output::AssignShard {
                    request, shard_id, ..
                } => {
                    let result = self.assign(shard_id);
                    self.feed(Input::ShardAssigned { request, result });
                }
                Output::AssignShards {
                    request, shards, ..
                } => {
                    self.batches.push(shards.len());
                    let results = shards
                        .iter()
                        .map(|shard| (shard.shard_id, self.assign(shard.shard_id)))
                        .collect();
                    self.feed(Input::ShardsAssigned { request, results });
                }
                Output::Event(event) => self.events.push(event),
                _ => {}
            }
        }
    }

    /// The sessions of the live connections, in order (the sessions' outputs interleave in no
    /// set order).
    fn sessions_of_connects(&self) -> Vec<usize> {
        let mut sessions: Vec<usize> = self.conns.iter().map(ConnId::session_index).collect();
        sessions.sort_unstable();
        sessions
    }

    /// The reasons of every [`Event::Stopped`] so far.
    fn stop_reasons(&self) -> Vec<&crate::StopReason> {
        self.events
            .iter()
            .filter_map(|event| match event {
                Event::Stopped { reason } => Some(reason),
                _ => None,
            })
            .collect()
    }

    fn count(&self, matches: impl Fn(&Event) -> bool) -> usize {
        self.events.iter().filter(|event| matches(event)).count()
    }

    fn per_session(&self) -> Vec<usize> {
        let report = self.pool.subscriptions_report();
        let mut counts = vec![0; self.pool.sessions()];
        for subscription in report.subscriptions {
            if let Some(count) = counts.get_mut(subscription.session) {
                *count += 1;
            }
        }
        counts
    }
}
