//! Turning what an adapter feeds the core into recording lines, numbering connections and
//! requests the way a replay will find them again.

use std::borrow::Cow;
use std::collections::HashMap;
use std::time::{Instant, SystemTime};

use super::line::{Entry, Line, ShardResultLine};
use crate::ids::{ConnId, RequestId};
use crate::io::{Input, Output};

/// Makes the lines of a recording; the adapter writes them out. Sans-IO like the core: it is given
/// the times, and borrows the frames it is shown.
///
/// Show it every [`Output`] the client gives (before carrying it out) and every [`Input`] fed to
/// the client (with the same `now`); add a [`Entry::Timeout`] line for each `handle_timeout` and a
/// command line for each `subscribe`, `unsubscribe` and `shutdown` through [`Transcriber::line`].
#[derive(Debug)]
pub struct Transcriber {
    start: Instant,
    conns: HashMap<ConnId, u64>,
    requests: HashMap<RequestId, u64>,
    last_conn: u64,
    last_request: u64,
}

impl Transcriber {
    /// A transcriber for a client created at `start` (`at_ns` 0).
    pub fn new(start: Instant) -> Self {
        Self {
            start,
            conns: HashMap::new(),
            requests: HashMap::new(),
            last_conn: 0,
            last_request: 0,
        }
    }

    /// A line with `entry` that happened at `now` (wall clock `wall`).
    pub fn line<'a>(&self, now: Instant, wall: SystemTime, entry: Entry<'a>) -> Line<'a> {
        Line {
            at: now.saturating_duration_since(self.start),
            wall,
            entry,
        }
    }

    /// The number of a connection; 0 for one the transcriber never saw asked for.
    fn conn(&self, conn: ConnId) -> u64 {
        self.conns.get(&conn).copied().unwrap_or(0)
    }

    /// The line of an input fed to the client at `now`. `wall` is the wall clock now; a text
    /// frame's line takes its `received_at` instead, which is what the core was told.
    pub fn input<'a>(&mut self, now: Instant, wall: SystemTime, input: &Input<'a>) -> Line<'a> {
        let (wall, entry) = match *input {
            Input::Opened { conn } => (
                wall,
                Entry::Opened {
                    conn: self.conn(conn),
                },
            ),
            Input::ConnectFailed { conn, error } => (
                wall,
                Entry::ConnectFailed {
                    // Every connection ends with exactly one `Closed` or `ConnectFailed`.
                    conn: self.conns.remove(&conn).unwrap_or(0),
                    error: Cow::Borrowed(error),
                },
            ),
            Input::Text {
                conn,
                text,
                received_at,
            } => (
                received_at,
                Entry::Text {
                    conn: self.conn(conn),
                    text: Cow::Borrowed(text),
                },
            ),
            Input::Binary { conn, data } => (
                wall,
                Entry::Binary {
                    conn: self.conn(conn),
                    data: Cow::Borrowed(data),
                },
            ),
            Input::Closed { conn, code, reason } => (
                wall,
                Entry::Closed {
                    conn: self.conns.remove(&conn).unwrap_or(0),
                    code,
                    reason: Cow::Borrowed(reason),
                },
            ),
            Input::ReadingPaused => (wall, Entry::ReadingPaused),
            Input::ReadingResumed => (wall, Entry::ReadingResumed),
            Input::SubscriptionCreated {
                request,
                ref result,
            } => (
                wall,
                Entry::SubscriptionCreated {
                    request: self.requests.remove(&request).unwrap_or(0),
                    result: result.clone(),
                },
            ),
            Input::SubscriptionDeleted {
                request,
                ref result,
            } => (
                wall,
                Entry::SubscriptionDeleted {
                    request: self.requests.remove(&request).unwrap_or(0),
                    result: result.clone(),
                },
            ),
            Input::TokenValidated {
                request,
                ref result,
            } => (
                wall,
                Entry::TokenValidated {
                    request: self.requests.remove(&request).unwrap_or(0),
                    result: result.clone(),
                },
            ),
            Input::CatchUpRead {
                request,
                ref result,
            } => (
                wall,
                Entry::CatchUpRead {
                    request: self.requests.remove(&request).unwrap_or(0),
                    result: result.clone(),
                },
            ),
            Input::ShardAssigned {
                request,
                ref result,
            } => (
                wall,
                Entry::ShardAssigned {
                    request: self.requests.remove(&request).unwrap_or(0),
                    result: result.clone(),
                },
            ),
            Input::ShardsAssigned {
                request,
                ref results,
            } => (
                wall,
                Entry::ShardsAssigned {
                    request: self.requests.remove(&request).unwrap_or(0),
                    results: results
                        .iter()
                        .map(|(shard, result)| ShardResultLine::new(*shard, result.clone()))
                        .collect(),
                },
            ),
            Input::ConduitShardsRead {
                request,
                ref result,
            } => (
                wall,
                Entry::ConduitShardsRead {
                    request: self.requests.remove(&request).unwrap_or(0),
                    result: result.clone(),
                },
            ),
            Input::ConduitResized {
                request,
                ref result,
            } => (
                wall,
                Entry::ConduitResized {
                    request: self.requests.remove(&request).unwrap_or(0),
                    result: result.clone(),
                },
            ),
        };
        self.line(now, wall, entry)
    }

    /// The line of an output, if it is one that is recorded (`connect`, `close`); numbers the
    /// connections and requests it names either way. Show it every output, in order.
    pub fn output<'a>(
        &mut self,
        now: Instant,
        wall: SystemTime,
        output: &'a Output,
    ) -> Option<Line<'a>> {
        let entry = match output {
            Output::Connect { conn, url } => {
                self.last_conn += 1;
                self.conns.insert(*conn, self.last_conn);
                Entry::Connect {
                    conn: self.last_conn,
                    url: Cow::Borrowed(url.as_str()),
                }
            }
            Output::Close { conn, code } => Entry::Close {
                conn: self.conn(*conn),
                code: code.as_u16(),
            },
            Output::Abort { conn } => Entry::Abort {
                conn: self.conn(*conn),
            },
            Output::CreateSubscription { request, .. }
            | Output::DeleteSubscription { request, .. }
            | Output::ValidateToken { request }
            | Output::CatchUpRead { request, .. }
            | Output::AssignShard { request, .. }
            | Output::AssignShards { request, .. }
            | Output::ReadConduitShards { request, .. }
            | Output::ResizeConduit { request, .. } => {
                self.last_request += 1;
                self.requests.insert(*request, self.last_request);
                return None;
            }
            Output::Event(_) => return None,
        };
        Some(self.line(now, wall, entry))
    }
}
