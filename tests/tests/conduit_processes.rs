//! A conduit's shards held by real OS processes against the mock, one port for all of them:
//! three shard processes, a stream of notifications, one process SIGKILLed mid-stream and started
//! again. Every notification is delivered exactly once across the processes, apart from those the
//! mock could not route (counted) and those the mock wrote into the killed process's socket
//! (counted: written just before the kill and not yet printed, or after it but before the mock saw
//! the socket end, when the write still succeeds and there is nothing to retry), and the killed
//! process's shard comes back.
//!
//! The shard processes are this test's own executable run as
//! `conduit_processes --shard-process …`: the code of the `conduit_shard` example
//! (`tests/examples/conduit/shard.rs`), compiled in here because
//! `cargo test --test conduit_processes` does not build examples, and a `[[bin]]` could not use the
//! dev-dependency `eventsub-tokio`. Hence `harness = false`: `main` decides which role it plays.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../examples/conduit/accounting.rs"]
mod accounting;
#[path = "../examples/conduit/shard.rs"]
#[allow(dead_code)]
mod shard;
#[path = "../examples/conduit/supervise.rs"]
#[allow(dead_code)]
mod supervise;

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use eventsub_helix::{ConduitManager, FindConduit, Subscribed};
use eventsub_mock::{Delivery, MockConfig, MockEventSub};
use eventsub_proto::{SubscriptionSpec, Transport};
use shard::{Allocation, ShardArgs};
use supervise::{Seen, ShardProcess, Supervisor, notifications};

const TEST_NAME: &str = "a_sigkilled_shard_process_loses_nothing_routed_and_its_shard_comes_back";
const CLIENT_ID: &str = "conduit-processes-client";
const APP_TOKEN: &str = "conduit-processes-app-token";
/// How long any one wait may take (a guard against hanging, not a timing assertion).
const PATIENCE: Duration = Duration::from_secs(15);
const ONLINE: &str = "stream.online";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(shard::ROLE_FLAG) {
        return shard::main_with(args.into_iter().skip(1));
    }
    if args.iter().any(|arg| arg == "--list") {
        println!("{TEST_NAME}: test");
        return ExitCode::SUCCESS;
    }
    if !supervise::selected(&args, TEST_NAME) {
        println!("running 0 tests ({TEST_NAME} filtered out)");
        return ExitCode::SUCCESS;
    }
    println!("running 1 test: {TEST_NAME}");
    static_allocation_reads_a_range_or_an_ordinal_and_a_count();
    println!("test static_allocation_reads_a_range_or_an_ordinal_and_a_count ... ok");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(a_sigkilled_shard_process_loses_nothing_routed_and_its_shard_comes_back());
    println!("test {TEST_NAME} ... ok");
    ExitCode::SUCCESS
}

/// The shard ids a process is told: `--shards A..B` is a block, `--ordinal K --count N --total S`
/// is every N-th shard from K (a StatefulSet ordinal); nonsense is refused.
fn static_allocation_reads_a_range_or_an_ordinal_and_a_count() {
    let parse = |line: &str| ShardArgs::parse(line.split_whitespace().map(str::to_owned));
    let shards = |line: &str| parse(line).unwrap().allocation;
    assert_eq!(
        shards("--conduit c --shards 2..5"),
        Allocation::Static(vec![2, 3, 4])
    );
    assert_eq!(
        shards("--conduit c --shards 7"),
        Allocation::Static(vec![7])
    );
    assert_eq!(
        shards("--conduit c --ordinal 1 --count 3 --total 8"),
        Allocation::Static(vec![1, 4, 7])
    );
    assert_eq!(
        shards("--conduit c --ordinal 0 --count 1 --total 3"),
        Allocation::Static(vec![0, 1, 2])
    );
    for refused in [
        "--shards 0..2",
        "--conduit c",
        "--conduit c --shards 3..3",
        "--conduit c --ordinal 3 --count 3 --total 8",
        "--conduit c --ordinal 0 --count 0 --total 8",
        "--conduit c --shards 0..2 --ordinal 0 --count 2 --total 4",
        "--conduit c --shards x",
        "--conduit c --shards 0..2 --claim 2",
    ] {
        assert!(parse(refused).is_err(), "{refused} was accepted");
    }
}

/// The shard processes of the test, by shard id, and the supervisor following them.
struct Processes<'a> {
    mock: &'a MockEventSub,
    conduit_id: String,
    supervisor: Supervisor,
    running: BTreeMap<u32, ShardProcess>,
}

impl Processes<'_> {
    /// Starts a process holding shard `shard_id` alone; its supervisor's number.
    fn start(&mut self, shard_id: u32) -> usize {
        let program = std::env::current_exe().unwrap();
        let mut args = vec![shard::ROLE_FLAG.to_owned()];
        args.extend(ShardArgs::for_mock(
            self.mock,
            &self.conduit_id,
            shard_id..shard_id + 1,
        ));
        let process = self.supervisor.spawn(&program, &args, CLIENT_ID, APP_TOKEN);
        let number = process.number;
        self.running.insert(shard_id, process);
        number
    }
}

fn assigned(seen: &[Seen], number: usize) -> bool {
    seen.iter()
        .any(|seen| seen.process == number && seen.line.kind == "assigned")
}

async fn shard_status(manager: &ConduitManager, shard_id: u32) -> (String, Option<String>) {
    let shards = manager.shards(None).await.unwrap();
    let shard = shards
        .iter()
        .find(|shard| shard.id == shard_id.to_string())
        .unwrap();
    let session = match &shard.transport {
        Some(Transport::Websocket { session_id, .. }) => Some(session_id.to_string()),
        _ => None,
    };
    (shard.status.as_str().to_owned(), session)
}

async fn a_sigkilled_shard_process_loses_nothing_routed_and_its_shard_comes_back() {
    let started = Instant::now();
    let config = MockConfig::fast().with_unused_window(Duration::from_secs(60));
    let mock = MockEventSub::start(config).await.unwrap();
    mock.helix().add_app_token(APP_TOKEN, CLIENT_ID);
    let manager = ConduitManager::open(
        mock.helix_client(CLIENT_ID, APP_TOKEN),
        FindConduit::Create { shard_count: 3 },
    )
    .await
    .unwrap();
    let conduit_id = manager.conduit().id.as_str().to_owned();
    let online = SubscriptionSpec::new(ONLINE, "1").with_condition("broadcaster_user_id", "42");
    assert!(matches!(
        manager.subscribe(&online).await.unwrap(),
        Subscribed::Created(_)
    ));

    let mut processes = Processes {
        mock: &mock,
        conduit_id,
        supervisor: Supervisor::default(),
        running: BTreeMap::new(),
    };
    let first: Vec<usize> = (0..3).map(|shard_id| processes.start(shard_id)).collect();
    processes
        .supervisor
        .until(PATIENCE, "all 3 shards assigned", |seen| {
            first.iter().all(|&number| assigned(seen, number))
        })
        .await;

    // Everyone alive: each notification delivered, spread over the 3 processes.
    let mut routed: Vec<String> = Vec::new();
    for _ in 0..30 {
        routed.extend(
            mock.notify_routed(ONLINE, Delivery::Once)
                .into_iter()
                .map(|r| r.message_id),
        );
    }
    assert_eq!(routed.len(), 30, "every shard enabled: all routed");
    processes
        .supervisor
        .until(PATIENCE, "the first 30 delivered", |seen| {
            notifications(seen, ONLINE).count() >= 30
        })
        .await;
    for &number in &first {
        assert!(
            !processes
                .supervisor
                .notifications_of(number, ONLINE)
                .is_empty(),
            "process {number} received nothing"
        );
    }

    // The stream runs on; shard 1's process is killed in the middle of it, and the stream goes on
    // until the mock has disabled shard 1.
    const VICTIM: u32 = 1;
    let victim = first[VICTIM as usize];
    let victim_sessions = processes.supervisor.sessions_of(victim);
    let mut pace = tokio::time::interval(Duration::from_millis(2));
    let mut sent_before_kill = 0;
    let mut killed_at = None;
    let mut sent_while_dying = 0;
    let mut written_before_kill = BTreeSet::new();
    let deadline = Instant::now() + PATIENCE;
    loop {
        assert!(Instant::now() < deadline, "shard 1 never disabled");
        pace.tick().await;
        for _ in 0..3 {
            let batch = mock.notify_routed(ONLINE, Delivery::Once);
            match killed_at {
                None => sent_before_kill += 1,
                Some(_) => sent_while_dying += 1,
            }
            routed.extend(batch.into_iter().map(|r| r.message_id));
        }
        if killed_at.is_none() && sent_before_kill >= 30 {
            // What was written before the kill may still have been unread by the process.
            written_before_kill = mock
                .records()
                .sent_notifications()
                .into_iter()
                .map(|frame| frame.message_id.clone())
                .collect();
            processes.running.remove(&VICTIM).unwrap().kill();
            killed_at = Some(Instant::now());
        } else if killed_at.is_some() && shard_status(&manager, VICTIM).await.0 != "enabled" {
            break;
        }
    }
    let (disabled_status, _) = shard_status(&manager, VICTIM).await;

    // Started again: the shard is assigned to the new process's session and receives again while
    // the stream goes on.
    let restarted = processes.start(VICTIM);
    let mut sent_after_restart = 0;
    let deadline = Instant::now() + PATIENCE;
    loop {
        assert!(
            Instant::now() < deadline,
            "the restarted process never received"
        );
        pace.tick().await;
        for _ in 0..3 {
            sent_after_restart += 1;
            routed.extend(
                mock.notify_routed(ONLINE, Delivery::Once)
                    .into_iter()
                    .map(|r| r.message_id),
            );
        }
        processes.supervisor.collect();
        // Both, in either order: the mock routes to the shard as soon as the assignment is made,
        // so the first notifications may arrive before the Helix answer that makes
        // `ShardAssigned`.
        let receiving = processes
            .supervisor
            .notifications_of(restarted, ONLINE)
            .len()
            >= 5;
        if receiving && assigned(&processes.supervisor.seen, restarted) {
            break;
        }
    }
    let new_sessions = processes.supervisor.sessions_of(restarted);
    assert_eq!(new_sessions.len(), 1, "assigned once: {new_sessions:?}");
    assert!(!victim_sessions.contains(&new_sessions[0]));
    assert_eq!(
        shard_status(&manager, VICTIM).await,
        ("enabled".to_owned(), Some(new_sessions[0].clone())),
        "shard 1 is the restarted process's again"
    );

    // Settle: each routed notification is delivered, unrouted, or was written to the killed
    // process's socket (and died with it). Nothing else may be missing; nothing may come twice.
    let victim_sessions: BTreeSet<String> = victim_sessions.into_iter().collect();
    processes
        .supervisor
        .until(
            PATIENCE,
            "every routed notification accounted for",
            |seen| accounting::settled(&mock, seen, ONLINE, &routed, &victim_sessions),
        )
        .await;
    let counts = accounting::account(
        &mock,
        &processes.supervisor,
        ONLINE,
        &routed,
        &victim_sessions,
    );
    let lost_with_victim = &counts.lost_with_victim;
    let seen = &processes.supervisor.seen;

    println!(
        "conduit_processes: conduit of 3 shards, 3 shard processes; shard {VICTIM}'s process SIGKILLed mid-stream, started again"
    );
    println!(
        "  notifications routed: {} (30 with every process alive, {sent_before_kill} in the stream before the kill, {sent_while_dying} between the kill and the mock disabling shard {VICTIM} as {disabled_status}, {sent_after_restart} after the restart)",
        routed.len()
    );
    for (number, label) in first
        .iter()
        .map(|&n| (n, format!("process {n} (shard {n})")))
        .chain([(
            restarted,
            format!("process {restarted} (shard {VICTIM}, restarted)"),
        )])
    {
        println!(
            "  delivered by {label}: {}",
            processes.supervisor.notifications_of(number, ONLINE).len()
        );
    }
    let lost_before_kill = lost_with_victim
        .iter()
        .filter(|id| written_before_kill.contains(*id))
        .count();
    println!(
        "  delivered exactly once: {}; twice: 0; unrouted (mock): {} ({} of them routed first, then handed back); written to the killed process's socket and lost with it: {} ({lost_before_kill} written before the kill, {} after it, before the mock saw the socket end)",
        counts.delivered,
        counts.unrouted,
        counts.unrouted_after_routing,
        lost_with_victim.len(),
        lost_with_victim.len() - lost_before_kill,
    );
    let early = seen
        .iter()
        .enumerate()
        .filter(|(at, line)| {
            line.line.kind == "notification"
                && !seen[..*at]
                    .iter()
                    .any(|before| before.process == line.process && before.line.kind == "assigned")
        })
        .count();
    println!("  notifications a process printed before its first ShardAssigned: {early}");
    println!("  wall time: {:?}", started.elapsed());
    drop(processes);
}
