//! The faults the soak injects, by kind.

use std::fmt;
use std::time::Duration;

use eventsub_mock::BadFrame;
use eventsub_mock::helix::Fault as HelixFault;

/// The frame size the soak's client accepts (its `max_frame_bytes`); an
/// oversized frame is half as large again.
pub const FRAME_LIMIT: usize = 64 * 1024;

/// The events in the soak's batch bomb.
pub const BATCH_BOMB_ITEMS: usize = 1500;

/// One fault, aimed at the socket that carries the session at the time (Helix faults at the next
/// Helix requests).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// `session_reconnect` with a valid URL: a graceful handover.
    GracefulReconnect,
    /// `session_reconnect` with a URL that gets 4007.
    StaleReconnect,
    /// The TCP connection dropped without a close frame.
    Drop,
    /// A close frame with this code (4000–4007) and Twitch's reason for it.
    Close(u16),
    /// Keepalives stop: only the client's watchdog can tell the socket is dead.
    Silence,
    /// A notification already sent, sent once more later (same message id).
    SendAgain,
    /// Every frame of the next `frames` sent on the socket waits `per_frame` first.
    Delay {
        /// The wait before each frame.
        per_frame: Duration,
        /// How many notifications are delayed.
        frames: usize,
    },
    /// A faulty frame.
    Bad(BadFrame),
    /// The server stops reading and sends `pings` pings as fast as the client takes them: the
    /// client must end the socket whose pongs stay unread (a reported `Disconnected`), then
    /// reconnect.
    PingFlood {
        /// How many pings at most (the mock stops when the socket breaks).
        pings: u64,
    },
    /// The server's clock moves `by` away from this machine's (`ahead` or behind) and stays there
    /// until the next skew: every later `message_timestamp` is shifted. Fresh notifications must
    /// still be delivered, not dropped as stale.
    ClockSkew {
        /// How far.
        by: Duration,
        /// Whether the server's clock is ahead (else behind).
        ahead: bool,
    },
    /// The soak's consumer reads no events for `pause` while the mock goes on sending: under the
    /// default backpressure policy the client stops reading its sockets with its event buffer
    /// full, loses nothing (no `Lagged`) and keeps its session (the keepalive watch is paused
    /// while frames wait unread).
    StalledConsumer {
        /// How long the consumer reads nothing.
        pause: Duration,
    },
    /// A server stuck in a reconnect loop: `count` `session_reconnect`s, one every `every`, each
    /// on the socket that carries the session then. The client paces its handovers and must never
    /// hold more than three sockets (the peak is checked over the whole soak).
    ReconnectStorm {
        /// How many `session_reconnect`s.
        count: usize,
        /// The time between two of them.
        every: Duration,
    },
    /// The next `count` Helix requests meet this fault (the client retries twice: a count of 3
    /// makes a creation fail).
    Helix {
        /// What they meet.
        fault: HelixFault,
        /// How many requests.
        count: usize,
    },
}

impl Fault {
    /// Whether the fault ends the session (the client must notice, reconnect and resubscribe).
    pub fn breaks_session(&self) -> bool {
        matches!(
            self,
            Self::StaleReconnect
                | Self::Drop
                | Self::Close(_)
                | Self::Silence
                | Self::PingFlood { .. }
                | Self::Bad(BadFrame::Oversized { .. })
        )
    }

    /// The oversized frame the soak injects.
    pub fn oversized() -> Self {
        Self::Bad(BadFrame::Oversized {
            bytes: FRAME_LIMIT + FRAME_LIMIT / 2,
        })
    }

    /// The ping flood the soak injects: far more pings than the loopback's socket buffers hold,
    /// so the client's pongs get stuck and it ends the socket (within a fraction of a second).
    pub fn ping_flood() -> Self {
        Self::PingFlood { pings: 2_000_000 }
    }

    /// The batch bomb the soak injects: a notification of 1,500 events (`payload.events`) whose
    /// subscription carries 1,000 bytes of condition, just under the frame limit (a larger one
    /// would be an oversized frame). Each event must reach the consumer once.
    pub fn batch_bomb() -> Self {
        Self::Bad(BadFrame::BatchBomb {
            items: BATCH_BOMB_ITEMS,
            condition_bytes: 1000,
        })
    }

    /// Every kind once (all eight close codes, Helix 429 and 5xx, within and beyond the retries),
    /// so even a short run meets each of them.
    pub fn every_kind() -> Vec<Self> {
        let mut kinds = vec![
            Self::GracefulReconnect,
            Self::StaleReconnect,
            Self::Drop,
            Self::Silence,
            Self::SendAgain,
            Self::Delay {
                per_frame: Duration::from_millis(2),
                frames: 20,
            },
            Self::Bad(BadFrame::NotJson),
            Self::Bad(BadFrame::MissingFields),
            Self::oversized(),
            Self::ping_flood(),
            Self::batch_bomb(),
            Self::StalledConsumer {
                pause: Duration::from_millis(1500),
            },
            Self::ClockSkew {
                by: Duration::from_secs(180),
                ahead: false,
            },
            Self::ReconnectStorm {
                count: 6,
                every: Duration::from_millis(30),
            },
            Self::Helix {
                fault: HelixFault::RateLimited { reset_in_secs: 0 },
                count: 1,
            },
            Self::Helix {
                fault: HelixFault::ServerError(503),
                count: 2,
            },
            Self::Helix {
                fault: HelixFault::ServerError(500),
                count: 3,
            },
        ];
        kinds.extend((4000..=4007).map(Self::Close));
        kinds
    }

    /// The name faults are counted under.
    pub fn kind(&self) -> String {
        match self {
            Self::GracefulReconnect => "graceful reconnect".to_owned(),
            Self::StaleReconnect => "stale reconnect (4007)".to_owned(),
            Self::Drop => "TCP drop".to_owned(),
            Self::Close(code) => format!("close {code}"),
            Self::Silence => "keepalive silence".to_owned(),
            Self::SendAgain => "duplicate sent again later".to_owned(),
            Self::Delay { .. } => "delayed frames".to_owned(),
            Self::Bad(BadFrame::NotJson) => "frame not JSON".to_owned(),
            Self::Bad(BadFrame::MissingFields) => "frame missing fields".to_owned(),
            Self::Bad(BadFrame::Oversized { .. }) => "oversized frame".to_owned(),
            Self::Bad(BadFrame::BatchBomb { .. }) => "batch bomb".to_owned(),
            Self::ReconnectStorm { .. } => "reconnect storm".to_owned(),
            Self::PingFlood { .. } => "ping flood".to_owned(),
            Self::ClockSkew { .. } => "clock skew".to_owned(),
            Self::StalledConsumer { .. } => "stalled consumer".to_owned(),
            Self::Helix {
                fault: HelixFault::RateLimited { .. },
                count,
            } => format!("helix 429 x{count}"),
            Self::Helix {
                fault: HelixFault::ServerError(status),
                count,
            } => format!("helix {status} x{count}"),
            Self::Helix { fault, count } => format!("helix {fault:?} x{count}"),
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kind())
    }
}
