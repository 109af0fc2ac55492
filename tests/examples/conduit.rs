//! A conduit's shards in two OS processes, against the embedded mock (no account, no network):
//!
//! ```sh
//! cargo run -p eventsub-tests --example conduit             # told their shards: 0 and 1
//! cargo run -p eventsub-tests --example conduit -- --claim  # claiming theirs, growing the conduit
//! ```
//!
//! It creates a conduit of 2 shards with a `stream.online` and a `conduit.shard.disabled`
//! subscription, starts two shard processes, sends events, SIGKILLs the second process, shows the
//! survivor hearing `conduit.shard.disabled` and taking every event, starts the second process
//! again, and prints a timeline and the counts. It exits 0 only if every routed event was
//! delivered exactly once.
//!
//! Told their shards, process A holds shard 0 and process B shard 1. Claiming
//! (`--claim 2 --grow-to 4` each), the two find 2 shards for 4 wanted, grow the conduit to 4 and
//! share them out, 2 each, by reading the conduit's shards; the restarted B claims the 2 shards
//! its dead self held (A holds the 2 it wants).
//!
//! The shard processes are this executable run as `conduit --shard-process …`: the same code as
//! the `conduit_shard` example (`conduit/shard.rs`), so the demo needs nothing else built.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "conduit/shard.rs"]
#[allow(dead_code)]
mod shard;
#[path = "conduit/supervise.rs"]
#[allow(dead_code)]
mod supervise;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use eventsub_helix::{ConduitManager, FindConduit};
use eventsub_mock::{Delivery, MockConfig, MockEventSub};
use eventsub_proto::SubscriptionSpec;
use shard::ShardArgs;
use supervise::{Seen, Supervisor, claimed_by, notifications};

const CLIENT_ID: &str = "conduit-demo-client";
const APP_TOKEN: &str = "conduit-demo-app-token";
const ONLINE: &str = "stream.online";
const DISABLED: &str = "conduit.shard.disabled";
/// How long any one step may take before the demo gives up.
const PATIENCE: Duration = Duration::from_secs(15);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(shard::ROLE_FLAG) {
        return shard::main_with(args.into_iter().skip(1));
    }
    let mode = match args.first().map(String::as_str) {
        None => Mode::Told,
        Some("--claim") => Mode::Claiming,
        Some(other) => {
            eprintln!("unknown argument {other:?}; the only one is --claim");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(demo(mode))
}

/// How the shard processes come to hold their shards.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Each is told its shard: A shard 0, B shard 1.
    Told,
    /// Each claims 2, and may grow the conduit to 4.
    Claiming,
}

/// How many shards each claiming process wants.
const CLAIM_EACH: usize = 2;
/// The shard count a claiming process may grow the conduit to: what both want.
const GROW_TO: u32 = 4;

/// How often a claiming process reads the conduit's shards again.
const REREAD: Duration = Duration::from_secs(1);

/// Prints what happened, as it happens, with the time since the start.
struct Timeline {
    started: Instant,
}

impl Timeline {
    fn note(&self, what: impl std::fmt::Display) {
        let at = self.started.elapsed();
        println!("  {:>7.1} ms  {what}", at.as_secs_f64() * 1000.0);
    }
}

/// The arguments of the process holding `shard_id` when told, or claiming.
fn shard_args(mock: &MockEventSub, conduit_id: &str, mode: Mode, shard_id: u32) -> Vec<String> {
    let mut args = vec![shard::ROLE_FLAG.to_owned()];
    args.extend(match mode {
        Mode::Told => ShardArgs::for_mock(mock, conduit_id, shard_id..shard_id + 1),
        Mode::Claiming => {
            ShardArgs::for_mock_claiming(mock, conduit_id, CLAIM_EACH, Some(GROW_TO), REREAD)
        }
    });
    args
}

/// Whether process `number` holds its shards: assigned (told), or 2 claims confirmed.
fn holds(seen: &[Seen], number: usize, mode: Mode) -> bool {
    match mode {
        Mode::Told => seen
            .iter()
            .any(|s| s.process == number && s.line.kind == "assigned"),
        Mode::Claiming => claimed_by(seen, number).len() == CLAIM_EACH,
    }
}

/// Whether every shard process `number` believes it holds (its claims) is enabled on the very
/// session it claimed it with, in the mock's table. Two processes that read the table at once may
/// both claim a shard and both see their own assignment confirmed; the first to have assigned
/// learns otherwise at its next read (within `REREAD` plus a read) and releases it: until then the
/// lines alone do not say who holds what.
fn agrees_with_the_mock(
    mock: &MockEventSub,
    conduit_id: &str,
    seen: &[Seen],
    number: usize,
) -> bool {
    let enabled = mock.helix().enabled_shards(conduit_id);
    claimed_by(seen, number).iter().all(|(shard, session)| {
        enabled.iter().any(|(id, holder)| {
            u32::try_from(*id).is_ok_and(|id| id == *shard) && holder == session
        })
    })
}

/// What process `number` holds, for the timeline.
fn held(seen: &[Seen], number: usize, mode: Mode, told: u32) -> String {
    match mode {
        Mode::Told => format!("shard {told}"),
        Mode::Claiming => format!(
            "shards {:?} (claimed)",
            claimed_by(seen, number).keys().collect::<Vec<_>>()
        ),
    }
}

/// Sends `count` `stream.online` events; the message ids the mock routed.
fn send(mock: &MockEventSub, count: usize) -> Vec<String> {
    (0..count)
        .flat_map(|_| mock.notify_routed(ONLINE, Delivery::Once))
        .map(|routed| routed.message_id)
        .collect()
}

fn delivered_count(seen: &[Seen]) -> usize {
    notifications(seen, ONLINE).count()
}

async fn demo(mode: Mode) -> ExitCode {
    println!("timeline:");
    let timeline = Timeline {
        started: Instant::now(),
    };
    let config = MockConfig::fast().with_unused_window(Duration::from_secs(60));
    let mock = MockEventSub::start(config).await.expect("the mock starts");
    mock.helix().add_app_token(APP_TOKEN, CLIENT_ID);
    let manager = ConduitManager::open(
        mock.helix_client(CLIENT_ID, APP_TOKEN),
        FindConduit::Create { shard_count: 2 },
    )
    .await
    .expect("a conduit");
    let conduit_id = manager.conduit().id.as_str().to_owned();
    let online = SubscriptionSpec::new(ONLINE, "1").with_condition("broadcaster_user_id", "42");
    manager.subscribe(&online).await.expect("subscribed");
    manager
        .subscribe_shard_disabled()
        .await
        .expect("subscribed to conduit.shard.disabled");
    timeline.note(format!(
        "mock on {}; conduit {conduit_id} of 2 shards; subscribed to {ONLINE} and {DISABLED}",
        mock.addr()
    ));

    let program = std::env::current_exe().expect("own path");
    let mut supervisor = Supervisor::default();
    let first = supervisor.spawn(
        &program,
        &shard_args(&mock, &conduit_id, mode, 0),
        CLIENT_ID,
        APP_TOKEN,
    );
    let mut second = Some(supervisor.spawn(
        &program,
        &shard_args(&mock, &conduit_id, mode, 1),
        CLIENT_ID,
        APP_TOKEN,
    ));
    let (a, b) = (first.number, second.as_ref().map_or(1, |p| p.number));
    supervisor
        .until(PATIENCE, "both processes holding their shards", |seen| {
            [a, b]
                .iter()
                .all(|&n| holds(seen, n, mode) && agrees_with_the_mock(&mock, &conduit_id, seen, n))
        })
        .await;
    timeline.note(format!(
        "process A (#{a}) holds {}, process B (#{b}) holds {}; the conduit has {} shards",
        held(&supervisor.seen, a, mode, 0),
        held(&supervisor.seen, b, mode, 1),
        shard_count(&manager).await
    ));

    let mut routed = send(&mock, 10);
    let want = routed.len();
    supervisor
        .until(PATIENCE, "the first 10 events", |seen| {
            delivered_count(seen) >= want
        })
        .await;
    timeline.note(format!(
        "10 events sent: A got {}, B got {}",
        supervisor.notifications_of(a, ONLINE).len(),
        supervisor.notifications_of(b, ONLINE).len()
    ));

    let b_held: Vec<u32> = match mode {
        Mode::Told => vec![1],
        Mode::Claiming => claimed_by(&supervisor.seen, b).into_keys().collect(),
    };
    second.take().expect("B runs").kill();
    timeline.note("B killed with SIGKILL (no close frame, no goodbye)");
    let disabled_heard = b_held.len();
    supervisor
        .until(
            PATIENCE,
            "the survivor to hear that B's shards are disabled",
            |seen| {
                notifications(seen, DISABLED)
                    .filter(|(process, _)| *process == a)
                    .count()
                    >= disabled_heard
            },
        )
        .await;
    for &shard_id in &b_held {
        let status = shard_state(&manager, shard_id).await;
        timeline.note(format!(
            "A received {DISABLED}: the mock disabled shard {shard_id} ({status})"
        ));
    }

    let a_before = supervisor.notifications_of(a, ONLINE).len();
    routed.extend(send(&mock, 10));
    let want = routed.len();
    supervisor
        .until(PATIENCE, "10 events with B dead", |seen| {
            delivered_count(seen) >= want
        })
        .await;
    timeline.note(format!(
        "10 events sent with B dead: A got {} of them",
        supervisor.notifications_of(a, ONLINE).len() - a_before
    ));

    let restarted = supervisor.spawn(
        &program,
        &shard_args(&mock, &conduit_id, mode, 1),
        CLIENT_ID,
        APP_TOKEN,
    );
    let b2 = restarted.number;
    supervisor
        .until(PATIENCE, "B holding its shards again", |seen| {
            holds(seen, b2, mode)
        })
        .await;
    let mut states = Vec::new();
    for &shard_id in &b_held {
        states.push(format!(
            "{shard_id} {}",
            shard_state(&manager, shard_id).await
        ));
    }
    timeline.note(format!(
        "B started again (#{b2}): holds {}, assigned to its new sessions ({})",
        held(&supervisor.seen, b2, mode, 1),
        states.join(", ")
    ));

    let a_before = supervisor.notifications_of(a, ONLINE).len();
    routed.extend(send(&mock, 10));
    let want = routed.len();
    supervisor
        .until(PATIENCE, "10 events with B back", |seen| {
            delivered_count(seen) >= want
        })
        .await;
    timeline.note(format!(
        "10 events sent with B back: A got {}, B got {}",
        supervisor.notifications_of(a, ONLINE).len() - a_before,
        supervisor.notifications_of(b2, ONLINE).len()
    ));

    let mut times: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, id) in notifications(&supervisor.seen, ONLINE) {
        *times.entry(id).or_default() += 1;
    }
    let twice = times.values().filter(|&&n| n > 1).count();
    let lost = routed
        .iter()
        .filter(|id| !times.contains_key(id.as_str()))
        .count();
    let unrouted = mock.unrouted().len();
    println!(
        "counts: {} routed, {} delivered exactly once, {twice} twice, {lost} lost, {unrouted} unrouted by the mock",
        routed.len(),
        times.values().filter(|&&n| n == 1).count(),
    );
    drop((first, restarted));
    if twice == 0 && lost == 0 && routed.len() == 30 {
        println!("ok: nothing routed was lost or duplicated");
        ExitCode::SUCCESS
    } else {
        println!("FAILED: something routed was lost or duplicated");
        ExitCode::FAILURE
    }
}

/// The conduit's shard count: how many shards Get Conduit Shards lists.
async fn shard_count(manager: &ConduitManager) -> usize {
    manager
        .shards(None)
        .await
        .expect("Get Conduit Shards")
        .len()
}

/// The status Get Conduit Shards gives shard `shard_id`.
async fn shard_state(manager: &ConduitManager, shard_id: u32) -> String {
    let shards = manager.shards(None).await.expect("Get Conduit Shards");
    let shard = shards
        .iter()
        .find(|shard| shard.id == shard_id.to_string())
        .expect("the shard exists");
    shard.status.as_str().to_owned()
}
