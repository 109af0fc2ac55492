//! Hand-built scenarios of realistic sessions, written out as the seed corpus of `client_ops`
//! (`fuzz/corpus/client_ops/seed-<name>`) with [`Scenario::to_bytes`]. The stable test
//! `tests/tests/fuzz_corpus.rs` checks that the files are current and rewrites them when run with
//! `WRITE_FUZZ_SEEDS=1`.

use super::Scenario;
use super::ops::{
    ClockStep, CreateOutcome, Damage, DeleteOutcome, Frame, MessageIdChoice, ReconnectUrl, Sent,
    Setup, Step, WallClock, WrongValue,
};
use crate::fuzzing::text::Text;

/// The seed scenarios, by name.
pub fn seeds() -> Vec<(&'static str, Scenario)> {
    vec![
        ("handover", handover()),
        ("drop_backoff_resubscribe", drop_backoff_resubscribe()),
        ("close_codes", close_codes()),
        ("damaged_frames", damaged_frames()),
        ("stale_and_clocks", stale_and_clocks()),
        ("subscriptions", subscriptions()),
        ("small_dedup_window", small_dedup_window()),
        ("reconnect_urls", reconnect_urls()),
    ]
}

/// Twitch's defaults and the library's, one subscription wanted up front.
fn setup() -> Setup {
    Setup {
        dedup_entries: 31,
        dedup_age_seconds: 599,
        max_frame_exponent: 14,
        stale_after_seconds: Some(600),
        same_host_reconnect_urls: false,
        delete_subscriptions_on_shutdown: false,
        max_attempts: None,
        backoff_initial_millis: 999,
        backoff_max_seconds: 120,
        grace_percent: 20,
        grace_fixed_millis: 1000,
        keepalive_seconds: None,
        initial_subscriptions: 0b1,
        max_subscriptions_per_connection: 15,
        max_total_cost: 10,
        seed: 42,
        connect_timeout_seconds: 9,
        welcome_timeout_seconds: 9,
    }
}

fn intact(conn: u8, frame: Frame) -> Step {
    Step::Text {
        conn,
        frame,
        damage: Damage::Intact,
    }
}

fn welcome(conn: u8) -> Step {
    intact(
        conn,
        Frame::Welcome {
            keepalive_seconds: 10,
        },
    )
}

fn notify(conn: u8, id: MessageIdChoice) -> Step {
    intact(
        conn,
        Frame::Notification {
            id,
            kind: 0,
            sent: Sent::Now,
            batch: 0,
        },
    )
}

fn pooled(index: u8) -> MessageIdChoice {
    MessageIdChoice::Pool { index }
}

fn later(millis: u32) -> Step {
    Step::Time {
        step: ClockStep {
            millis,
            backwards: false,
            wall: WallClock::Follows,
        },
    }
}

fn created(cost: u8) -> Step {
    Step::Created {
        request: 0,
        outcome: CreateOutcome::Created {
            cost,
            total_cost: u16::from(cost),
            max_total_cost: 10,
        },
    }
}

fn closed(conn: u8, code: Option<u16>, reason: &str) -> Step {
    Step::Closed {
        conn,
        code,
        reason: Text::from(reason),
    }
}

/// Opens the first socket and welcomes it, creating the wanted subscription.
fn session() -> Vec<Step> {
    vec![Step::Opened { conn: 0 }, welcome(0), created(0)]
}

fn scenario(setup: Setup, steps: impl IntoIterator<Item = Vec<Step>>) -> Scenario {
    Scenario {
        setup,
        steps: steps.into_iter().flatten().collect(),
    }
}

/// A graceful `session_reconnect`: the old socket delivers until the new one is welcomed, a
/// duplicate on both sockets is delivered once, then the new socket goes silent.
fn handover() -> Scenario {
    let setup = Setup {
        initial_subscriptions: 0b11,
        ..setup()
    };
    scenario(
        setup,
        [
            session(),
            vec![
                Step::Created {
                    request: 0,
                    outcome: CreateOutcome::Conflict,
                },
                notify(0, pooled(1)),
                later(1000),
                intact(0, Frame::Keepalive),
                intact(
                    0,
                    Frame::Reconnect {
                        url: ReconnectUrl::Wss { index: 1 },
                    },
                ),
                Step::Opened { conn: 1 },
                notify(0, pooled(2)),
                welcome(1),
                notify(0, pooled(2)),
                notify(1, MessageIdChoice::Upper { index: 2 }),
                closed(0, Some(1000), ""),
                intact(
                    0,
                    Frame::Notification {
                        id: MessageIdChoice::Fresh,
                        kind: 7,
                        sent: Sent::Now,
                        batch: 3,
                    },
                ),
                Step::Wake,
                closed(0, Some(1001), ""),
                Step::Opened { conn: 0 },
                welcome(0),
            ],
        ],
    )
}

/// An abrupt drop, a refused connect, backoff, and resubscription on a fresh session.
fn drop_backoff_resubscribe() -> Scenario {
    scenario(
        setup(),
        [
            session(),
            vec![
                notify(0, pooled(3)),
                closed(0, None, ""),
                Step::Wake,
                Step::ConnectFailed {
                    conn: 0,
                    error: Text::from("connection refused"),
                },
                Step::Wake,
                Step::Opened { conn: 0 },
                welcome(0),
                Step::Created {
                    request: 0,
                    outcome: CreateOutcome::Unavailable {
                        message: Text::from("503"),
                    },
                },
                notify(0, pooled(3)),
                notify(0, pooled(4)),
                closed(0, Some(4003), "connection unused"),
                Step::Wake,
                Step::Opened { conn: 0 },
                welcome(0),
                created(0),
            ],
        ],
    )
}

/// Twitch's close codes, each with its reason, until 4001 stops the client; then late inputs.
fn close_codes() -> Scenario {
    let mut steps = session();
    for (code, reason) in [
        (4000, "internal server error"),
        (4004, "reconnect grace time expired"),
        (4007, "invalid reconnect"),
        (4005, "network timeout"),
    ] {
        steps.extend([
            closed(0, Some(code), reason),
            Step::Wake,
            Step::Opened { conn: 0 },
            welcome(0),
            created(0),
        ]);
    }
    steps.extend([
        closed(0, Some(4001), "sending outgoing messages is not allowed"),
        Step::LateFrame { conn: 0 },
        Step::LateAnswer { request: 0 },
        Step::Subscribe { spec: 1 },
    ]);
    scenario(setup(), [steps])
}

/// Every kind of damage on every kind of message, a binary frame and a frame over the limit.
fn damaged_frames() -> Scenario {
    let setup = Setup {
        max_frame_exponent: 4,
        ..setup()
    };
    let damages = [
        Damage::Truncated { at: 40 },
        Damage::FlippedByte { at: 12, mask: 0x20 },
        Damage::SwappedLeaves {
            first: 0,
            second: 1,
        },
        Damage::WrongType {
            at: 3,
            value: WrongValue::Integer { value: 7 },
        },
        Damage::WrongType {
            at: 9,
            value: WrongValue::Null,
        },
        Damage::Removed { at: 2 },
    ];
    let frames = [
        Frame::Notification {
            id: MessageIdChoice::Fresh,
            kind: 30,
            sent: Sent::Now,
            batch: 0,
        },
        Frame::Revocation {
            id: MessageIdChoice::Fresh,
            subscription: 0,
            status: 0,
        },
        Frame::Keepalive,
    ];
    let mut steps = session();
    for (index, damage) in damages.into_iter().enumerate() {
        let frame = frames
            .get(index % frames.len())
            .cloned()
            .unwrap_or(Frame::Keepalive);
        steps.push(Step::Text {
            conn: 0,
            frame,
            damage,
        });
    }
    steps.extend([
        intact(
            0,
            Frame::Raw {
                text: Text::from("{\"metadata\":"),
            },
        ),
        intact(
            0,
            Frame::Unknown {
                message_type: Text::from("session_future"),
            },
        ),
        Step::Binary { conn: 0, len: 3 },
        intact(
            0,
            Frame::Notification {
                id: MessageIdChoice::Fresh,
                kind: 12,
                sent: Sent::Now,
                batch: 3,
            },
        ),
        intact(
            0,
            Frame::Revocation {
                id: pooled(5),
                subscription: 0,
                status: 1,
            },
        ),
    ]);
    scenario(setup, [steps])
}

/// Stale and skewed timestamps, wall-clock jumps, an instant reported late, keepalive expiry.
fn stale_and_clocks() -> Scenario {
    let setup = Setup {
        stale_after_seconds: Some(60),
        keepalive_seconds: Some(20),
        ..setup()
    };
    let sent = |sent| {
        intact(
            0,
            Frame::Notification {
                id: MessageIdChoice::Fresh,
                kind: 1,
                sent,
                batch: 0,
            },
        )
    };
    let clock = |millis, backwards, wall| Step::Time {
        step: ClockStep {
            millis,
            backwards,
            wall,
        },
    };
    scenario(
        setup,
        [
            session(),
            vec![
                sent(Sent::SecondsAgo { seconds: 120 }),
                sent(Sent::SecondsAgo { seconds: 30 }),
                sent(Sent::SecondsAhead { seconds: 30 }),
                sent(Sent::Other {
                    text: Text::from("2024-05-01T11:59:00+00:00"),
                }),
                sent(Sent::Other {
                    text: Text::from("yesterday"),
                }),
                clock(5000, false, WallClock::Jumps { seconds: -3600 }),
                sent(Sent::SecondsAgo { seconds: 61 }),
                clock(2000, true, WallClock::Stands),
                clock(1000, false, WallClock::Jumps { seconds: 86_400 }),
                sent(Sent::Now),
                Step::Wake,
            ],
        ],
    )
}

/// Subscribing and unsubscribing around requests in flight, costs near the ceiling, deletion on
/// shutdown, and a 401 that stops the client.
fn subscriptions() -> Scenario {
    let setup = Setup {
        initial_subscriptions: 0,
        max_total_cost: 2,
        delete_subscriptions_on_shutdown: true,
        ..setup()
    };
    scenario(
        setup,
        [vec![
            Step::Subscribe { spec: 0 },
            Step::Subscribe { spec: 3 },
            Step::Opened { conn: 0 },
            welcome(0),
            Step::Subscribe { spec: 4 },
            Step::Subscribe { spec: 5 },
            created(1),
            Step::Unsubscribe { spec: 4 },
            created(1),
            Step::Deleted {
                request: 0,
                outcome: DeleteOutcome::NotFound,
            },
            Step::Created {
                request: 0,
                outcome: CreateOutcome::Rejected {
                    status: 403,
                    message: Text::from("missing scope"),
                },
            },
            created(0),
            Step::Subscribe { spec: 6 },
            Step::Created {
                request: 0,
                outcome: CreateOutcome::Unauthorized {
                    message: Text::from("invalid token"),
                },
            },
            Step::Subscribe { spec: 7 },
            Step::Shutdown,
        ]],
    )
}

/// A duplicate filter of two ids and five seconds: old ids come back and are delivered again.
fn small_dedup_window() -> Scenario {
    let setup = Setup {
        dedup_entries: 1,
        dedup_age_seconds: 4,
        ..setup()
    };
    scenario(
        setup,
        [
            session(),
            vec![
                notify(0, pooled(1)),
                notify(0, pooled(1)),
                notify(0, pooled(2)),
                notify(0, pooled(3)),
                notify(0, pooled(1)),
                later(6000),
                notify(0, pooled(3)),
                notify(0, pooled(3)),
                notify(
                    0,
                    MessageIdChoice::Other {
                        text: Text::from("mock-1"),
                    },
                ),
                notify(
                    0,
                    MessageIdChoice::Other {
                        text: Text::from("mock-1"),
                    },
                ),
            ],
        ],
    )
}

/// Reconnect URLs that are followed, refused or not URLs at all, then a reconnect whose new
/// socket never welcomes.
fn reconnect_urls() -> Scenario {
    let setup = Setup {
        same_host_reconnect_urls: true,
        ..setup()
    };
    let reconnect = |url| intact(0, Frame::Reconnect { url });
    scenario(
        setup,
        [
            session(),
            vec![
                reconnect(ReconnectUrl::Other {
                    text: Text::from("http://eventsub.fuzz.test/ws"),
                }),
                reconnect(ReconnectUrl::Other {
                    text: Text::from("not a url"),
                }),
                reconnect(ReconnectUrl::Ws { port: 80 }),
                Step::Opened { conn: 1 },
                reconnect(ReconnectUrl::Wss { index: 2 }),
                Step::Wake,
                Step::Wake,
                closed(0, Some(4004), "reconnect grace time expired"),
            ],
        ],
    )
}
