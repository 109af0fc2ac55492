//! Property test of conduit shard mode through the core on fake time: random runs of
//! notifications, keepalives, graceful reconnects, drops, 4003s, passing time and Helix answers to
//! the shard assignments (success, Twitch's per-shard refusal, Helix unavailable), checked after
//! every step against what Twitch requires of a shard:
//!
//! 1. an assignment is asked only for the live session, and never for a session already assigned
//!    (a graceful handover keeps it: Twitch moves the shard with its session);
//! 2. a fresh session asks for its assignment at its welcome, and a session is asked for again only
//!    after a refusal of it (so at most one assignment of it is in flight) or a fresh welcome of it
//!    (a handover that outlived its old socket);
//! 3. a gap ends (`Resumed`) only once the live session is assigned;
//! 4. no notification is delivered twice, and the client never stops (no refusal here is
//!    permanent).
//!
//! `PROPTEST_CASES` sets the number of cases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use eventsub_proto::{
    ConduitId, ConnId, Event, Input, Output, RequestError, RequestId, SessionId, ShardAssignError,
    ShardConfig, TokenIdentity,
};
use eventsub_tests::sim::{Harness, SocketState};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Step {
    Notify,
    Keepalive,
    /// Time passes (ms), the client acting on its deadlines.
    Advance(u64),
    /// Opens and welcomes the oldest pending connect.
    OpenNext,
    /// Twitch asks the live session for a graceful reconnect.
    Reconnect,
    /// The live socket drops without a close frame.
    Drop,
    /// Twitch closes the live session as unused.
    Unused,
    /// Helix answers the oldest pending assignment.
    Answer(Answer),
}

#[derive(Clone, Copy, Debug)]
enum Answer {
    Assigned,
    NotConnected,
    Unavailable,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => Just(Step::Notify),
        2 => Just(Step::Keepalive),
        2 => (0u64..4_000).prop_map(Step::Advance),
        3 => Just(Step::OpenNext),
        1 => Just(Step::Reconnect),
        1 => Just(Step::Drop),
        1 => Just(Step::Unused),
        3 => Just(Step::Answer(Answer::Assigned)),
        1 => Just(Step::Answer(Answer::NotConnected)),
        1 => Just(Step::Answer(Answer::Unavailable)),
    ]
}

/// What the reference model knows of the run.
#[derive(Default)]
struct Model {
    /// Outputs already checked.
    seen_outputs: usize,
    /// Events already checked.
    seen_events: usize,
    /// Assignments asked and not answered: request → session.
    pending: Vec<(RequestId, SessionId)>,
    /// How many times each session was asked for, refused, and welcomed as fresh (a handover
    /// that outlived its old socket is taken for a fresh session: asking again is harmless).
    asked: BTreeMap<SessionId, u32>,
    refused: BTreeMap<SessionId, u32>,
    fresh: BTreeMap<SessionId, u32>,
    /// Sessions Twitch confirmed assigned.
    assigned: BTreeSet<SessionId>,
    delivered: BTreeSet<String>,
}

fn live_conn(harness: &Harness) -> Option<ConnId> {
    let session = harness.client.session_id()?.as_str().to_owned();
    harness
        .twitch
        .open_sockets()
        .filter(|(_, socket)| {
            socket.state
                == SocketState::Welcomed {
                    session_id: session.clone(),
                }
        })
        .map(|(conn, _)| conn)
        .last()
}

impl Model {
    /// Checks everything the client did since the last check.
    fn check(&mut self, harness: &Harness) {
        for event in &harness.events[self.seen_events..] {
            if let Event::SessionReady { session_id, .. } = event {
                *self.fresh.entry(session_id.clone()).or_default() += 1;
                self.assigned.remove(session_id);
            }
        }
        for (_, output) in &harness.outputs[self.seen_outputs..] {
            if let Output::AssignShard {
                request,
                session_id,
                ..
            } = output
            {
                assert_eq!(
                    harness.client.session_id(),
                    Some(session_id),
                    "(1) an assignment for a session that is not the live one"
                );
                assert!(
                    !self.assigned.contains(session_id),
                    "(1) an assigned session asked for again (a graceful handover keeps it)"
                );
                let asked = self.asked.entry(session_id.clone()).or_default();
                *asked += 1;
                let refused = self.refused.get(session_id).copied().unwrap_or(0);
                let fresh = self.fresh.get(session_id).copied().unwrap_or(0);
                assert!(
                    *asked <= refused + fresh,
                    "(2) asked again without a refusal"
                );
                self.pending.push((*request, session_id.clone()));
            }
        }
        self.seen_outputs = harness.outputs.len();
        for event in &harness.events[self.seen_events..] {
            match event {
                Event::SessionReady { session_id, .. } => {
                    assert!(
                        self.asked.contains_key(session_id),
                        "(2) a fresh session not assigned at its welcome"
                    );
                }
                Event::ShardAssigned { session_id, .. } => {
                    self.assigned.insert(session_id.clone());
                }
                Event::Resumed { .. } => {
                    let live = harness.client.session_id().cloned();
                    assert!(
                        live.is_some_and(|session| self.assigned.contains(&session)),
                        "(3) a gap ended before the live session was assigned"
                    );
                }
                Event::Notification(notification) => {
                    assert!(
                        self.delivered.insert(notification.message_id().to_string()),
                        "(4) delivered twice"
                    );
                }
                Event::Stopped { reason } => panic!("(4) stopped: {reason}"),
                _ => {}
            }
        }
        self.seen_events = harness.events.len();
    }
}

fn apply(harness: &mut Harness, model: &mut Model, step: &Step) {
    match step {
        Step::Notify => {
            if let Some(conn) = live_conn(harness) {
                harness.notify(conn);
            }
        }
        Step::Keepalive => {
            if let Some(conn) = live_conn(harness) {
                harness.keepalive(conn);
            }
        }
        Step::Advance(ms) => harness.advance(Duration::from_millis(*ms)),
        Step::OpenNext => {
            if harness.next_connect().is_some() {
                harness.connect_next();
            }
        }
        Step::Reconnect => {
            if let Some(conn) = live_conn(harness) {
                harness.reconnect(conn);
            }
        }
        Step::Drop => {
            if let Some(conn) = live_conn(harness) {
                harness.server_close(conn, None);
            }
        }
        Step::Unused => {
            if let Some(conn) = live_conn(harness) {
                harness.server_close(conn, Some(4003));
            }
        }
        Step::Answer(answer) => {
            if model.pending.is_empty() {
                return;
            }
            let (request, session_id) = model.pending.remove(0);
            let result = match answer {
                Answer::Assigned => Ok(()),
                Answer::NotConnected => Err(ShardAssignError::refused(
                    "websocket_session_not_connected",
                    "The websocket session is not connected.",
                )),
                Answer::Unavailable => Err(ShardAssignError::Request(RequestError::Unavailable {
                    message: "503".to_owned(),
                })),
            };
            let live = harness.client.session_id() == Some(&session_id);
            if result.is_err() && live {
                *model.refused.entry(session_id).or_default() += 1;
            }
            harness.feed(Input::ShardAssigned { request, result });
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_shard_is_assigned_once_per_fresh_session_and_never_after_a_handover(
        steps in proptest::collection::vec(step(), 1..60)
    ) {
        let mut config = Harness::config();
        config.subscriptions.clear();
        config.token_user_id = None;
        config.shard = Some(ShardConfig::new(ConduitId::new("conduit"), 0));
        let mut harness = Harness::with_token(config, Some(TokenIdentity::app("client")));
        let mut model = Model::default();
        model.check(&harness);
        for step in &steps {
            apply(&mut harness, &mut model, step);
            model.check(&harness);
        }
    }
}
