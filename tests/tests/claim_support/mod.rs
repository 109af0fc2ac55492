//! A fake Twitch conduit shared by several claiming processes ([`Pool::claim_shards`]), on fake
//! time: shards with a status and a session, last-writer-wins assignment, sessions that drop,
//! reads that see the conduit as it was when they started, answers after a latency drawn from a
//! seed. Each process records what it believes it holds from its events.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant, SystemTime};

use eventsub_proto::{
    ClaimConfig, ConduitId, Config, ConnId, Event, Input, Output, Pool, RequestId,
    ShardAssignError, TokenIdentity,
};

pub const PAGE_SIZE: usize = 3;

pub fn conduit_id() -> ConduitId {
    ConduitId::new("bfcfc993-26b1-b876-44d9-afe75a379dac")
}

/// One shard at Twitch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shard {
    pub status: String,
    pub session: Option<String>,
}

impl Shard {
    fn unassigned() -> Self {
        Self {
            status: "websocket_disconnected".to_owned(),
            session: None,
        }
    }
}

/// The conduit at Twitch.
#[derive(Debug)]
pub struct Conduit {
    pub shards: Vec<Shard>,
    pub live_sessions: BTreeSet<String>,
    /// Every shard count set, in order.
    pub resizes: Vec<u32>,
}

impl Conduit {
    pub fn new(count: usize) -> Self {
        Self {
            shards: vec![Shard::unassigned(); count],
            live_sessions: BTreeSet::new(),
            resizes: Vec::new(),
        }
    }

    /// One page of Get Conduit Shards, as the conduit is now.
    pub fn page(&self, after: Option<&str>) -> String {
        let start: usize = after.map_or(0, |cursor| cursor.parse().unwrap());
        let end = (start + PAGE_SIZE).min(self.shards.len());
        let data: Vec<serde_json::Value> = (start..end)
            .map(|id| {
                let shard = &self.shards[id];
                let mut value = serde_json::json!({"id": id.to_string(), "status": shard.status});
                if let Some(session) = &shard.session {
                    value["transport"] = serde_json::json!({
                        "method": "websocket",
                        "session_id": session,
                        "connected_at": "2022-11-16T10:11:12Z",
                    });
                }
                value
            })
            .collect();
        let pagination = if end < self.shards.len() {
            serde_json::json!({"cursor": end.to_string()})
        } else {
            serde_json::json!({})
        };
        serde_json::json!({"data": data, "pagination": pagination}).to_string()
    }

    /// Update Conduit Shards for one shard: last writer wins.
    pub fn assign(&mut self, shard_id: u32, session: &str) -> Result<(), ShardAssignError> {
        let Some(shard) = self.shards.get_mut(shard_id as usize) else {
            return Err(ShardAssignError::refused(
                "invalid_shard_id",
                eventsub_proto::shard::SHARD_OUT_OF_RANGE_MESSAGE,
            ));
        };
        if !self.live_sessions.contains(session) {
            return Err(ShardAssignError::refused(
                "websocket_session_not_connected",
                "The websocket session is not connected.",
            ));
        }
        *shard = Shard {
            status: "enabled".to_owned(),
            session: Some(session.to_owned()),
        };
        Ok(())
    }

    /// A session ended: the shards on it are disabled, still naming it.
    pub fn session_ended(&mut self, session: &str) {
        self.live_sessions.remove(session);
        for shard in &mut self.shards {
            if shard.session.as_deref() == Some(session) {
                shard.status = "websocket_disconnected".to_owned();
            }
        }
    }

    /// Update Conduits: the count is set.
    pub fn resize(&mut self, count: u32) {
        self.shards.resize(count as usize, Shard::unassigned());
        self.resizes.push(count);
    }
}

/// An answer on its way to a process.
#[derive(Clone, Debug)]
enum Delivery {
    Welcome {
        conn: ConnId,
        session: String,
    },
    Closed {
        conn: ConnId,
    },
    Validated {
        request: RequestId,
    },
    Read {
        request: RequestId,
        body: String,
    },
    Resized {
        request: RequestId,
        count: u32,
    },
    Assigned {
        request: RequestId,
        result: Result<(), ShardAssignError>,
    },
    Batch {
        request: RequestId,
        results: Vec<(u32, Result<(), ShardAssignError>)>,
    },
}

/// One claiming process.
pub struct Process {
    pub pool: Option<Pool>,
    pub claim: ClaimConfig,
    pub config: Config,
    deliveries: Vec<(Instant, u64, Delivery)>,
    /// Each live connection's session, once welcomed.
    pub conns: BTreeMap<ConnId, Option<String>>,
    /// The shards it believes it holds, with when it was last assigned each.
    pub believed: BTreeMap<u32, Instant>,
    /// The session each shard was last assigned to, as its events said.
    pub assigned: BTreeMap<u32, String>,
    /// Releases of a shard that Twitch showed, at that moment, on the session it was last
    /// assigned to by this process: a release no read could justify.
    pub groundless_releases: Vec<u32>,
    pub events: Vec<Event>,
    /// Every output it asked for, in order.
    pub outputs: Vec<Output>,
}

/// Latencies of the fake network.
#[derive(Clone, Copy, Debug)]
pub struct Latency {
    pub min: Duration,
    pub max: Duration,
}

/// The conduit and the processes sharing it.
pub struct World {
    pub now: Instant,
    pub conduit: Conduit,
    pub processes: Vec<Process>,
    pub latency: Latency,
    /// The latency of reads alone, when set.
    pub read_latency: Option<Duration>,
    rng: u64,
    next_session: u64,
    sequence: u64,
    /// Longest overlap seen: two processes believing one shard, since the later's assignment.
    pub worst_overlap: Duration,
    overlap_since: BTreeMap<u32, Instant>,
}

impl World {
    pub fn new(shards: usize, latency: Latency, seed: u64) -> Self {
        Self {
            now: Instant::now(),
            conduit: Conduit::new(shards),
            processes: Vec::new(),
            latency,
            read_latency: None,
            rng: seed | 1,
            next_session: 0,
            sequence: 0,
            worst_overlap: Duration::ZERO,
            overlap_since: BTreeMap::new(),
        }
    }

    fn random(&mut self) -> u64 {
        // xorshift64: the run replays from its seed.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    fn delay(&mut self) -> Duration {
        let span = self
            .latency
            .max
            .saturating_sub(self.latency.min)
            .as_millis() as u64;
        let extra = if span == 0 {
            0
        } else {
            self.random() % (span + 1)
        };
        self.latency.min + Duration::from_millis(extra)
    }

    /// Starts a process claiming up to `max_shards`; returns its index.
    pub fn spawn(&mut self, claim: ClaimConfig, seed: u64) -> usize {
        let mut config = Config::default();
        config.validate_token = false;
        config.seed = seed;
        let pool = Pool::claim_shards(config.clone(), claim.clone(), self.now).unwrap();
        self.processes.push(Process {
            pool: Some(pool),
            claim,
            config,
            deliveries: Vec::new(),
            conns: BTreeMap::new(),
            believed: BTreeMap::new(),
            assigned: BTreeMap::new(),
            groundless_releases: Vec::new(),
            events: Vec::new(),
            outputs: Vec::new(),
        });
        let index = self.processes.len() - 1;
        self.drain(index);
        index
    }

    /// Process `index` dies: its sockets end (Twitch disables their shards), it knows nothing.
    pub fn kill(&mut self, index: usize) {
        let process = &mut self.processes[index];
        process.pool = None;
        process.deliveries.clear();
        process.believed.clear();
        process.assigned.clear();
        let sessions: Vec<String> = process.conns.values().flatten().cloned().collect();
        process.conns.clear();
        for session in sessions {
            self.conduit.session_ended(&session);
        }
    }

    /// Process `index` starts again (a fresh pool, the same claim, a new seed).
    pub fn restart(&mut self, index: usize, seed: u64) {
        self.kill(index);
        let process = &mut self.processes[index];
        process.config.seed = seed;
        process.pool = Some(
            Pool::claim_shards(process.config.clone(), process.claim.clone(), self.now).unwrap(),
        );
        self.drain(index);
    }

    /// One live socket of process `index` drops (the `pick`th, modulo).
    pub fn drop_socket(&mut self, index: usize, pick: usize) {
        let process = &mut self.processes[index];
        let live: Vec<(ConnId, String)> = process
            .conns
            .iter()
            .filter_map(|(conn, session)| Some((*conn, session.clone()?)))
            .collect();
        if live.is_empty() {
            return;
        }
        let (conn, session) = live[pick % live.len()].clone();
        process.conns.remove(&conn);
        self.conduit.session_ended(&session);
        if let Some(pool) = self.processes[index].pool.as_mut() {
            let _ = pool.handle_input(
                self.now,
                Input::Closed {
                    conn,
                    code: None,
                    reason: "",
                },
            );
        }
        self.drain(index);
    }

    /// Hands out process `index`'s outputs, carrying each out.
    fn drain(&mut self, index: usize) {
        loop {
            let Some(output) = self.processes[index]
                .pool
                .as_mut()
                .and_then(Pool::poll_output)
            else {
                return;
            };
            self.processes[index].outputs.push(output.clone());
            self.carry_out(index, output);
        }
    }

    fn schedule(&mut self, index: usize, latency: Duration, delivery: Delivery) {
        self.sequence += 1;
        let at = self.now + latency;
        let sequence = self.sequence;
        self.processes[index]
            .deliveries
            .push((at, sequence, delivery));
    }

    fn carry_out(&mut self, index: usize, output: Output) {
        let latency = self.delay();
        match output {
            Output::Connect { conn, .. } => {
                self.processes[index].conns.insert(conn, None);
                self.next_session += 1;
                let session = format!("session-{}", self.next_session);
                self.schedule(index, latency, Delivery::Welcome { conn, session });
            }
            Output::Close { conn, .. } | Output::Abort { conn } => {
                if let Some(Some(session)) = self.processes[index].conns.remove(&conn) {
                    self.conduit.session_ended(&session);
                }
                self.schedule(index, latency, Delivery::Closed { conn });
            }
            Output::ValidateToken { request } => {
                self.schedule(index, latency, Delivery::Validated { request });
            }
            Output::ReadConduitShards { request, after, .. } => {
                // The snapshot is the conduit as the read starts.
                let body = self.conduit.page(after.as_deref());
                let latency = self.read_latency.unwrap_or(latency);
                self.schedule(index, latency, Delivery::Read { request, body });
            }
            Output::ResizeConduit {
                request,
                shard_count,
                ..
            } => {
                self.conduit.resize(shard_count);
                self.schedule(
                    index,
                    latency,
                    Delivery::Resized {
                        request,
                        count: shard_count,
                    },
                );
            }
            Output::AssignShard {
                request,
                shard_id,
                session_id,
                ..
            } => {
                let result = self.conduit.assign(shard_id, session_id.as_str());
                self.schedule(index, latency, Delivery::Assigned { request, result });
            }
            Output::AssignShards {
                request, shards, ..
            } => {
                let results = shards
                    .iter()
                    .map(|shard| {
                        (
                            shard.shard_id,
                            self.conduit
                                .assign(shard.shard_id, shard.session_id.as_str()),
                        )
                    })
                    .collect();
                self.schedule(index, latency, Delivery::Batch { request, results });
            }
            Output::Event(event) => self.believe(index, event),
            _ => {}
        }
    }

    /// What the process believes after `event`.
    fn believe(&mut self, index: usize, event: Event) {
        let process = &mut self.processes[index];
        match &event {
            Event::ShardAssigned {
                shard, session_id, ..
            } => {
                process.believed.insert(shard.shard_id, self.now);
                process
                    .assigned
                    .insert(shard.shard_id, session_id.as_str().to_owned());
            }
            Event::ShardReleased { shard, .. } => {
                process.believed.remove(&shard.shard_id);
                let ours = process.assigned.remove(&shard.shard_id);
                let at_twitch = self.conduit.shards.get(shard.shard_id as usize);
                if at_twitch.is_some_and(|at_twitch| {
                    at_twitch.status == "enabled" && at_twitch.session == ours
                }) {
                    process.groundless_releases.push(shard.shard_id);
                }
            }
            Event::ShardStopped { shard, .. } => {
                process.believed.remove(&shard.shard_id);
            }
            Event::Stopped { .. } => {
                process.believed.clear();
                process.assigned.clear();
            }
            _ => {}
        }
        process.events.push(event);
    }

    fn deliver(&mut self, index: usize, delivery: Delivery) {
        let now = self.now;
        if let Delivery::Welcome { conn, .. } = &delivery {
            if !self.processes[index].conns.contains_key(conn) {
                return; // closed meanwhile
            }
        }
        let Some(pool) = self.processes[index].pool.as_mut() else {
            return;
        };
        // Late answers for what a process forgot are the adapter's to ignore.
        let _ = match delivery {
            Delivery::Welcome { conn, session } => {
                let _ = pool.handle_input(now, Input::Opened { conn });
                let text = welcome(&session);
                self.conduit.live_sessions.insert(session.clone());
                self.processes[index].conns.insert(conn, Some(session));
                let pool = self.processes[index].pool.as_mut().unwrap();
                pool.handle_input(
                    now,
                    Input::Text {
                        conn,
                        text: &text,
                        received_at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_668_593_472),
                    },
                )
            }
            Delivery::Closed { conn } => pool.handle_input(
                now,
                Input::Closed {
                    conn,
                    code: Some(1000),
                    reason: "",
                },
            ),
            Delivery::Validated { request } => pool.handle_input(
                now,
                Input::TokenValidated {
                    request,
                    result: Ok(TokenIdentity::app("client")),
                },
            ),
            Delivery::Read { request, body } => pool.handle_input(
                now,
                Input::ConduitShardsRead {
                    request,
                    result: Ok(body),
                },
            ),
            Delivery::Resized { request, count } => pool.handle_input(
                now,
                Input::ConduitResized {
                    request,
                    result: Ok(count),
                },
            ),
            Delivery::Assigned { request, result } => {
                pool.handle_input(now, Input::ShardAssigned { request, result })
            }
            Delivery::Batch { request, results } => {
                pool.handle_input(now, Input::ShardsAssigned { request, results })
            }
        };
        self.drain(index);
    }

    /// The next instant something happens, if before `until`.
    fn next_instant(&self, until: Instant) -> Option<Instant> {
        self.processes
            .iter()
            .flat_map(|process| {
                let deliveries = process.deliveries.iter().map(|(at, _, _)| *at);
                let timeout = process.pool.as_ref().and_then(Pool::poll_timeout);
                deliveries.chain(timeout)
            })
            .filter(|at| *at <= until)
            .min()
    }

    /// Runs until `until`, calling `check` after every instant something happened.
    pub fn run_until(&mut self, until: Instant, check: &mut dyn FnMut(&World)) {
        while let Some(at) = self.next_instant(until) {
            self.now = self.now.max(at);
            for index in 0..self.processes.len() {
                let due: Vec<(Instant, u64, Delivery)> = {
                    let process = &mut self.processes[index];
                    let mut due = Vec::new();
                    process.deliveries.retain(|entry| {
                        if entry.0 <= at {
                            due.push(entry.clone());
                            false
                        } else {
                            true
                        }
                    });
                    due
                };
                let mut due = due;
                due.sort_by_key(|(at, sequence, _)| (*at, *sequence));
                for (_, _, delivery) in due {
                    self.deliver(index, delivery);
                }
                let timed_out = self.processes[index]
                    .pool
                    .as_ref()
                    .and_then(Pool::poll_timeout)
                    .is_some_and(|deadline| deadline <= at);
                if timed_out {
                    if let Some(pool) = self.processes[index].pool.as_mut() {
                        pool.handle_timeout(at);
                    }
                    self.drain(index);
                }
            }
            self.track_overlaps();
            check(self);
        }
        self.now = self.now.max(until);
    }

    /// Runs for `span`.
    pub fn run_for(&mut self, span: Duration) {
        let until = self.now + span;
        self.run_until(until, &mut |_| {});
    }

    /// Who believes each shard.
    pub fn believers(&self) -> BTreeMap<u32, Vec<(usize, Instant)>> {
        let mut believers: BTreeMap<u32, Vec<(usize, Instant)>> = BTreeMap::new();
        for (index, process) in self.processes.iter().enumerate() {
            for (shard, since) in &process.believed {
                believers.entry(*shard).or_default().push((index, *since));
            }
        }
        believers
    }

    /// The current overlap of each shard believed by two processes or more, measured from the
    /// latest assignment among them.
    fn track_overlaps(&mut self) {
        let believers = self.believers();
        self.overlap_since.clear();
        for (shard, holders) in believers {
            if holders.len() < 2 {
                continue;
            }
            let latest = holders.iter().map(|(_, since)| *since).max().unwrap();
            self.overlap_since.insert(shard, latest);
            self.worst_overlap = self.worst_overlap.max(self.now - latest);
        }
    }

    /// Every output of process `index` matching `pick`.
    pub fn outputs_of<T>(&self, index: usize, pick: impl Fn(&Output) -> Option<T>) -> Vec<T> {
        self.processes[index]
            .outputs
            .iter()
            .filter_map(pick)
            .collect()
    }

    /// The events of process `index` matching `pick`.
    pub fn events_of<T>(&self, index: usize, pick: impl Fn(&Event) -> Option<T>) -> Vec<T> {
        self.processes[index]
            .events
            .iter()
            .filter_map(pick)
            .collect()
    }

    /// The session id of process `index`'s connection in pool session `session_index`.
    pub fn session_of(&self, index: usize, session_index: usize) -> Option<String> {
        self.processes[index]
            .conns
            .iter()
            .find(|(conn, _)| conn.session_index() == session_index)
            .and_then(|(_, session)| session.clone())
    }
}

/// A welcome whose keepalive is Twitch's longest, so that a quiet fake session is not taken for
/// a dead one.
pub fn welcome(session: &str) -> String {
    format!(
        r#"{{"metadata":{{"message_id":"w-{session}","message_type":"session_welcome","message_timestamp":"2022-11-16T10:11:12Z"}},"payload":{{"session":{{"id":"{session}","status":"connected","keepalive_timeout_seconds":600,"reconnect_url":null,"connected_at":"2022-11-16T10:11:12Z"}}}}}}"#
    )
}

/// A claim of conduit [`conduit_id`] for up to `max_shards`, read again every `reread`, backing
/// off from 200 ms to 2 s.
pub fn claim(max_shards: usize, reread: Duration) -> ClaimConfig {
    ClaimConfig::new(conduit_id(), max_shards)
        .with_reread_interval(reread)
        .with_backoff(eventsub_proto::BackoffConfig::new(
            Duration::from_millis(200),
            Duration::from_secs(2),
        ))
}
