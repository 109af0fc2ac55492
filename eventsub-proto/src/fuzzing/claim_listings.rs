//! A pool that claims its shards, fed arbitrary Get Conduit Shards pages and Update Conduits
//! answers: the listing is untrusted network input, and the claims must stay bounded whatever it
//! says.

use std::time::{Duration, Instant, SystemTime};

use crate::claim::ClaimConfig;
use crate::config::Config;
use crate::ids::{ConduitId, RequestId};
use crate::io::{Input, Output, RequestError};
use crate::pool::Pool;

/// The most shards the fuzzed pool wants.
const MAX_WANTED: usize = 8;

/// Runs a claiming pool through the steps in `data` (separated by `0x00`). Each step's first byte
/// says what happens: below `0xA0` the read in flight is answered with the rest of the step as
/// its body; `0xA0..0xB0` it fails; `0xB0..0xC0` the resize in flight is answered with the next two
/// bytes as the shard count, `0xC0..0xD0` it fails; `0xD0..0xE0` time passes (1 to 16 s);
/// `0xE0..0xF0` every socket asked for opens and is welcomed (session `s1`, `s2`, … in order, so
/// a listing can name them) and every batch of assignments succeeds; above, the pool shuts down.
///
/// After every step: no panic, at most one read and one resize in flight, no more shards held
/// than wanted, and no more sessions than twice that (released ones are reused once closed).
pub fn claim_listings(data: &[u8]) {
    let Some((&first, steps)) = data.split_first() else {
        return;
    };
    let wanted = usize::from(first) % MAX_WANTED + 1;
    let config = Config {
        validate_token: false,
        seed: u64::from(first),
        ..Config::default()
    };
    let claim = ClaimConfig::new(ConduitId::new("fuzz"), wanted).with_grow_to(64);
    let start = Instant::now();
    let Ok(pool) = Pool::claim_shards(config, claim, start) else {
        return;
    };
    let mut run = Run {
        pool,
        now: start,
        reads: Vec::new(),
        resizes: Vec::new(),
        connects: Vec::new(),
        welcomed: 0,
        wanted,
    };
    run.drain();
    for step in steps.split(|byte| *byte == 0) {
        run.step(step);
        run.drain();
        run.check();
    }
}

struct Run {
    pool: Pool,
    now: Instant,
    reads: Vec<RequestId>,
    resizes: Vec<RequestId>,
    connects: Vec<crate::ConnId>,
    welcomed: u64,
    wanted: usize,
}

impl Run {
    fn step(&mut self, step: &[u8]) {
        let Some((&op, rest)) = step.split_first() else {
            return;
        };
        match op {
            0x00..=0x9F => {
                if let Some(request) = self.reads.pop() {
                    let body = String::from_utf8_lossy(rest).into_owned();
                    self.feed(Input::ConduitShardsRead {
                        request,
                        result: Ok(body),
                    });
                }
            }
            0xA0..=0xAF => {
                if let Some(request) = self.reads.pop() {
                    let result = Err(unavailable());
                    self.feed(Input::ConduitShardsRead { request, result });
                }
            }
            0xB0..=0xBF => {
                if let Some(request) = self.resizes.pop() {
                    let count = match rest {
                        [high, low, ..] => u16::from_be_bytes([*high, *low]),
                        _ => 0,
                    };
                    let result = Ok(u32::from(count));
                    self.feed(Input::ConduitResized { request, result });
                }
            }
            0xC0..=0xCF => {
                if let Some(request) = self.resizes.pop() {
                    let result = Err(unavailable());
                    self.feed(Input::ConduitResized { request, result });
                }
            }
            0xD0..=0xDF => {
                let seconds = u64::from(op & 0x0F) + 1;
                self.now += Duration::from_secs(seconds);
                self.pool.handle_timeout(self.now);
            }
            0xE0..=0xEF => {
                for conn in std::mem::take(&mut self.connects) {
                    self.welcomed += 1;
                    self.feed(Input::Opened { conn });
                    let text = welcome(self.welcomed);
                    self.feed(Input::Text {
                        conn,
                        text: &text,
                        received_at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_668_593_472),
                    });
                }
            }
            _ => self.pool.shutdown(self.now),
        }
    }

    fn feed(&mut self, input: Input<'_>) {
        // An input the pool refuses (a request it forgot) is the fuzzer's own doing.
        let _ = self.pool.handle_input(self.now, input);
    }

    /// Carries out what the pool asks: reads and resizes wait for a step to answer them, sockets
    /// for one to open them; closes are done at once and assignments succeed at once.
    fn drain(&mut self) {
        while let Some(output) = self.pool.poll_output() {
            match output {
                Output::ReadConduitShards { request, .. } => self.reads.push(request),
                Output::ResizeConduit { request, .. } => self.resizes.push(request),
                Output::Connect { conn, .. } => self.connects.push(conn),
                Output::Close { conn, .. } | Output::Abort { conn } => {
                    self.connects.retain(|pending| *pending != conn);
                    self.feed(Input::Closed {
                        conn,
                        code: Some(1000),
                        reason: "",
                    });
                }
                Output::AssignShards {
                    request, shards, ..
                } => {
                    let results = shards
                        .iter()
                        .map(|shard| (shard.shard_id, Ok(())))
                        .collect();
                    self.feed(Input::ShardsAssigned { request, results });
                }
                Output::AssignShard { request, .. } => {
                    self.feed(Input::ShardAssigned {
                        request,
                        result: Ok(()),
                    });
                }
                _ => {}
            }
        }
    }

    fn check(&self) {
        assert!(self.reads.len() <= 1, "two reads of the conduit in flight");
        assert!(
            self.resizes.len() <= 1,
            "two resizes of the conduit in flight"
        );
        let held = self.pool.held_shards().len();
        assert!(
            held <= self.wanted,
            "{held} shards held, {} wanted",
            self.wanted
        );
        assert!(
            self.pool.sessions() <= 2 * self.wanted,
            "{} sessions for {} wanted shards",
            self.pool.sessions(),
            self.wanted
        );
    }
}

fn unavailable() -> RequestError {
    RequestError::Unavailable {
        message: "fuzzed failure".to_owned(),
    }
}

/// A welcome naming session `s{n}`.
fn welcome(n: u64) -> String {
    format!(
        r#"{{"metadata":{{"message_id":"w{n}","message_type":"session_welcome","message_timestamp":"2022-11-16T10:11:12Z"}},"payload":{{"session":{{"id":"s{n}","status":"connected","keepalive_timeout_seconds":10,"reconnect_url":null,"connected_at":"2022-11-16T10:11:12Z"}}}}}}"#
    )
}
