//! Replaying a recording through a fresh client on fake time.

use std::io::BufRead;
use std::time::Instant;

use super::line::{Entry, Header, Line};
use super::reader::{RecordingError, RecordingReader};
use crate::config::Config;
use crate::error::ConfigError;
use crate::event::Event;
use crate::ids::{ConduitId, ConnId, RequestId};
use crate::io::{Input, Output};
use crate::pool::Pool;

/// The most deadlines a replay without `timeout` lines acts on before one line: more means the
/// core keeps asking to be woken in the past, which is a bug, not a recording.
const MAX_DEADLINES_PER_LINE: usize = 10_000;

/// Why a replay stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The recording cannot be read.
    #[error(transparent)]
    Recording(#[from] RecordingError),
    /// The configuration given for the replay is refused by the core.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The recording names a connection the replaying client did not ask for (so far): it was
    /// recorded with another configuration or another version of the core, or was edited.
    #[error("line {line}: the replaying client never asked for connection {conn}")]
    UnknownConnection {
        /// The line number.
        line: usize,
        /// The recorded connection number.
        conn: u64,
    },
    /// The recording answers a Helix request the replaying client did not make (so far).
    #[error("line {line}: the replaying client never made request {request}")]
    UnknownRequest {
        /// The line number.
        line: usize,
        /// The recorded request number.
        request: u64,
    },
    /// A line's time is beyond what an `Instant` can hold from the replay's base.
    #[error("line {line}: its time is out of range")]
    TimeOutOfRange {
        /// The line number.
        line: usize,
    },
}

/// Drives a fresh [`Pool`] (a client, or several sessions with [`Config::max_sessions`]) through a recording, line by line, on fake time, and collects its
/// events.
///
/// Times are the recorded ones, as offsets from `base`. Recorded connection and request numbers
/// are mapped to the replaying client's [`ConnId`]s and [`RequestId`]s in the order it asks for
/// them, which is the recorded order when the configuration is the same. Inputs the client
/// refuses are skipped, as the adapter that recorded them skipped them. When the header says
/// `timeouts` were recorded, `timeout` lines are the only wake-ups (exactly what the recording
/// adapter did); otherwise the client is woken at its own deadlines up to each line's time.
#[derive(Debug)]
pub struct Replayer {
    client: Pool,
    base: Instant,
    recorded_timeouts: bool,
    conns: Vec<ConnId>,
    requests: Vec<RequestId>,
    events: Vec<Event>,
}

impl Replayer {
    /// A replayer for a recording with `header`: a client with `config` (and the recorded jitter
    /// seed) created at `base`; a pool of the recorded conduit shards when the header names them
    /// ([`Header::shards`]), or one claiming as recorded ([`Header::claim`]).
    pub fn new(mut config: Config, header: &Header, base: Instant) -> Result<Self, ReplayError> {
        config.seed = header.seed;
        let client = match (&header.claim, &header.shards) {
            (Some(claim), _) => Pool::claim_shards(config, claim.to_config(), base)?,
            (None, Some(shards)) => Pool::conduit_shards(
                config,
                ConduitId::new(shards.conduit_id.clone()),
                shards.shard_ids.iter().copied(),
                base,
            )?,
            (None, None) => Pool::new(config, base)?,
        };
        let mut replayer = Self {
            client,
            base,
            recorded_timeouts: header.timeouts,
            conns: Vec::new(),
            requests: Vec::new(),
            events: Vec::new(),
        };
        replayer.drain();
        Ok(replayer)
    }

    /// The replaying client.
    pub fn client(&self) -> &Pool {
        &self.client
    }

    /// The events so far.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Hands over the events so far.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// The replaying client's connection for a recorded connection number.
    pub fn conn(&self, recorded: u64) -> Option<ConnId> {
        let index = usize::try_from(recorded.checked_sub(1)?).ok()?;
        self.conns.get(index).copied()
    }

    fn request(&self, recorded: u64) -> Option<RequestId> {
        let index = usize::try_from(recorded.checked_sub(1)?).ok()?;
        self.requests.get(index).copied()
    }

    fn drain(&mut self) {
        while let Some(output) = self.client.poll_output() {
            match output {
                Output::Connect { conn, .. } => self.conns.push(conn),
                Output::CreateSubscription { request, .. }
                | Output::DeleteSubscription { request, .. }
                | Output::ValidateToken { request }
                | Output::CatchUpRead { request, .. }
                | Output::AssignShard { request, .. }
                | Output::AssignShards { request, .. }
                | Output::ReadConduitShards { request, .. }
                | Output::ResizeConduit { request, .. } => self.requests.push(request),
                Output::Event(event) => self.events.push(event),
                // Closing is the recording's business: its `closed` line follows.
                Output::Close { .. } | Output::Abort { .. } => {}
            }
        }
    }

    /// Plays one line; `number` is its line number, for errors.
    pub fn play(&mut self, number: usize, line: &Line<'_>) -> Result<(), ReplayError> {
        let now = self
            .base
            .checked_add(line.at)
            .ok_or(ReplayError::TimeOutOfRange { line: number })?;
        if !self.recorded_timeouts {
            self.run_deadlines_until(now);
        }
        let conn = |recorded: u64| {
            self.conn(recorded).ok_or(ReplayError::UnknownConnection {
                line: number,
                conn: recorded,
            })
        };
        let request = |recorded: u64| {
            self.request(recorded).ok_or(ReplayError::UnknownRequest {
                line: number,
                request: recorded,
            })
        };
        let input = match &line.entry {
            // The client asked for these itself; the line only proves it did by then.
            Entry::Connect { conn: recorded, .. }
            | Entry::Close { conn: recorded, .. }
            | Entry::Abort { conn: recorded } => {
                conn(*recorded)?;
                None
            }
            Entry::Opened { conn: recorded } => Some(Input::Opened {
                conn: conn(*recorded)?,
            }),
            Entry::ConnectFailed {
                conn: recorded,
                error,
            } => Some(Input::ConnectFailed {
                conn: conn(*recorded)?,
                error,
            }),
            Entry::Text {
                conn: recorded,
                text,
            } => Some(Input::Text {
                conn: conn(*recorded)?,
                text,
                received_at: line.wall,
            }),
            Entry::Binary {
                conn: recorded,
                data,
            } => Some(Input::Binary {
                conn: conn(*recorded)?,
                data,
            }),
            Entry::Closed {
                conn: recorded,
                code,
                reason,
            } => Some(Input::Closed {
                conn: conn(*recorded)?,
                code: *code,
                reason,
            }),
            Entry::SubscriptionCreated {
                request: recorded,
                result,
            } => Some(Input::SubscriptionCreated {
                request: request(*recorded)?,
                result: result.clone(),
            }),
            Entry::SubscriptionDeleted {
                request: recorded,
                result,
            } => Some(Input::SubscriptionDeleted {
                request: request(*recorded)?,
                result: result.clone(),
            }),
            Entry::TokenValidated {
                request: recorded,
                result,
            } => Some(Input::TokenValidated {
                request: request(*recorded)?,
                result: result.clone(),
            }),
            Entry::CatchUpRead {
                request: recorded,
                result,
            } => Some(Input::CatchUpRead {
                request: request(*recorded)?,
                result: result.clone(),
            }),
            Entry::ShardAssigned {
                request: recorded,
                result,
            } => Some(Input::ShardAssigned {
                request: request(*recorded)?,
                result: result.clone(),
            }),
            Entry::ShardsAssigned {
                request: recorded,
                results,
            } => Some(Input::ShardsAssigned {
                request: request(*recorded)?,
                results: results
                    .iter()
                    .map(|line| (line.shard, line.result.clone()))
                    .collect(),
            }),
            Entry::ConduitShardsRead {
                request: recorded,
                result,
            } => Some(Input::ConduitShardsRead {
                request: request(*recorded)?,
                result: result.clone(),
            }),
            Entry::ConduitResized {
                request: recorded,
                result,
            } => Some(Input::ConduitResized {
                request: request(*recorded)?,
                result: result.clone(),
            }),
            Entry::ReadingPaused => Some(Input::ReadingPaused),
            Entry::ReadingResumed => Some(Input::ReadingResumed),
            Entry::Timeout => {
                self.client.handle_timeout(now);
                None
            }
            Entry::Subscribe { spec } => {
                // Refused or not, as it was when recorded.
                let _ = self.client.subscribe(spec.clone());
                None
            }
            Entry::Unsubscribe { spec } => {
                self.client.unsubscribe(spec);
                None
            }
            Entry::Shutdown => {
                self.client.shutdown(now);
                None
            }
        };
        if let Some(input) = input {
            // The recording adapter skipped what the core refused; so does the replay.
            let _ = self.client.handle_input(now, input);
        }
        self.drain();
        Ok(())
    }

    /// Wakes the client at each of its deadlines up to `now`.
    fn run_deadlines_until(&mut self, now: Instant) {
        for _ in 0..MAX_DEADLINES_PER_LINE {
            match self.client.poll_timeout() {
                Some(deadline) if deadline <= now => {
                    self.client.handle_timeout(deadline);
                    self.drain();
                }
                _ => return,
            }
        }
    }
}

/// Replays the recording `text` through a fresh client with `config` (and the recorded jitter
/// seed) on fake time from `base`; returns every event the client gave, in order.
///
/// `config` should be the one the recorded client ran with: its subscriptions, limits and timeouts
/// decide what the client does with what it is fed, and with
/// [`ReconnectUrlPolicy::SameHostAsUrl`](crate::ReconnectUrlPolicy::SameHostAsUrl) its URL decides
/// which reconnect URLs are followed (the URL of the recording's first `connect` line).
pub fn replay(config: Config, text: &str, base: Instant) -> Result<Vec<Event>, ReplayError> {
    replay_reader(config, text.as_bytes(), base)
}

/// [`replay`] from a reader, one line at a time.
pub fn replay_reader(
    config: Config,
    reader: impl BufRead,
    base: Instant,
) -> Result<Vec<Event>, ReplayError> {
    let reader = RecordingReader::new(reader)?;
    let mut replayer = Replayer::new(config, reader.header(), base)?;
    for line in reader {
        let (number, line) = line?;
        replayer.play(number, &line)?;
    }
    Ok(replayer.take_events())
}
