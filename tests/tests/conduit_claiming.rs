//! Processes that claim a conduit's shards, with no coordinator but the conduit itself: real OS
//! processes against the mock on 127.0.0.1.
//!
//! 1. Three processes claim 2 shards each of a conduit of 6. A stream of notifications runs while
//!    one is SIGKILLed and started again. Every notification the mock routed is delivered exactly
//!    once across the processes, apart from those the mock could not route and those it wrote into
//!    the killed process's socket (both counted, the latter checked to be on that socket only: a
//!    WebSocket has no acknowledgements, so what the kernel took just before or after the kill is
//!    gone, and neither Twitch nor the mock re-routes it). The killed process's shards come back,
//!    to the restarted process (the survivors hold their 2 already), and all 6 end enabled.
//! 2. Two processes that want 3 shards each, allowed to grow the conduit to 6, find a conduit of
//!    4: they end with 6 shards, 3 each, none held by both.
//!
//! As in `conduit_processes`, the processes are this test's own executable run as
//! `conduit_claiming --shard-process …` (the `conduit_shard` example's code, compiled in), hence
//! `harness = false`: `main` decides which role it plays.
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
use eventsub_proto::SubscriptionSpec;
use shard::{Allocation, ClaimArgs, ShardArgs};
use supervise::{Seen, ShardProcess, Supervisor, claimed_by, notifications};

const KILL_TEST: &str = "a_sigkilled_claiming_process_loses_nothing_routed_and_reclaims_its_shards";
const GROW_TEST: &str = "claiming_processes_grow_the_conduit_to_hold_what_they_want";
const CLIENT_ID: &str = "conduit-claiming-client";
const APP_TOKEN: &str = "conduit-claiming-app-token";
/// How long any one wait may take (a guard against hanging, not a timing assertion).
const PATIENCE: Duration = Duration::from_secs(30);
/// How often each process reads the conduit's shards again: the shortest the core allows, so that
/// a lost race is settled soon.
const REREAD: Duration = Duration::from_secs(1);
const ONLINE: &str = "stream.online";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(shard::ROLE_FLAG) {
        return shard::main_with(args.into_iter().skip(1));
    }
    if args.iter().any(|arg| arg == "--list") {
        println!("{KILL_TEST}: test\n{GROW_TEST}: test");
        return ExitCode::SUCCESS;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut ran = 0;
    if supervise::selected(&args, "claiming_arguments_are_read") {
        claiming_arguments_are_read();
        println!("test claiming_arguments_are_read ... ok");
        ran += 1;
    }
    if supervise::selected(&args, KILL_TEST) {
        runtime
            .block_on(a_sigkilled_claiming_process_loses_nothing_routed_and_reclaims_its_shards());
        println!("test {KILL_TEST} ... ok");
        ran += 1;
    }
    if supervise::selected(&args, GROW_TEST) {
        runtime.block_on(claiming_processes_grow_the_conduit_to_hold_what_they_want());
        println!("test {GROW_TEST} ... ok");
        ran += 1;
    }
    println!("test result: ok. {ran} passed");
    ExitCode::SUCCESS
}

/// `--claim MAX [--grow-to N] [--reread-secs S]`, and nothing that mixes claiming with shard ids.
fn claiming_arguments_are_read() {
    let parse = |line: &str| ShardArgs::parse(line.split_whitespace().map(str::to_owned));
    assert_eq!(
        parse("--conduit c --claim 2").unwrap().allocation,
        Allocation::Claim(ClaimArgs {
            max_shards: 2,
            grow_to: None,
            reread_interval: None,
        })
    );
    assert_eq!(
        parse("--conduit c --claim 3 --grow-to 6 --reread-secs 1.5")
            .unwrap()
            .allocation,
        Allocation::Claim(ClaimArgs {
            max_shards: 3,
            grow_to: Some(6),
            reread_interval: Some(Duration::from_millis(1500)),
        })
    );
    for refused in [
        "--conduit c --claim 0",
        "--conduit c --claim x",
        "--conduit c --grow-to 6",
        "--conduit c --reread-secs 1",
        "--conduit c --claim 2 --reread-secs -1",
        "--conduit c --claim 2 --shards 0..2",
        "--conduit c --claim 2 --ordinal 0 --count 2 --total 4",
    ] {
        assert!(parse(refused).is_err(), "{refused} was accepted");
    }
}

/// A mock with an app token and a conduit of `shard_count` shards holding one `stream.online`
/// subscription; the conduit's id.
async fn mock_with_conduit(shard_count: u32) -> (MockEventSub, String) {
    // Sessions a lost claim leaves behind are closed by their process; nothing here should meet
    // the unused-session window.
    let config = MockConfig::fast().with_unused_window(Duration::from_secs(60));
    let mock = MockEventSub::start(config).await.unwrap();
    mock.helix().add_app_token(APP_TOKEN, CLIENT_ID);
    let manager = ConduitManager::open(
        mock.helix_client(CLIENT_ID, APP_TOKEN),
        FindConduit::Create { shard_count },
    )
    .await
    .unwrap();
    let online = SubscriptionSpec::new(ONLINE, "1").with_condition("broadcaster_user_id", "42");
    assert!(matches!(
        manager.subscribe(&online).await.unwrap(),
        Subscribed::Created(_)
    ));
    let conduit_id = manager.conduit().id.as_str().to_owned();
    (mock, conduit_id)
}

/// The claiming processes of a test and the supervisor following them.
struct Claimers<'a> {
    mock: &'a MockEventSub,
    conduit_id: String,
    max_shards: usize,
    grow_to: Option<u32>,
    supervisor: Supervisor,
    running: BTreeMap<usize, ShardProcess>,
}

impl Claimers<'_> {
    /// Starts a claiming process; its supervisor's number.
    fn start(&mut self) -> usize {
        let program = std::env::current_exe().unwrap();
        let mut args = vec![shard::ROLE_FLAG.to_owned()];
        args.extend(ShardArgs::for_mock_claiming(
            self.mock,
            &self.conduit_id,
            self.max_shards,
            self.grow_to,
            REREAD,
        ));
        let process = self.supervisor.spawn(&program, &args, CLIENT_ID, APP_TOKEN);
        let number = process.number;
        self.running.insert(number, process);
        number
    }

    /// SIGKILLs process `number`.
    fn kill(&mut self, number: usize) {
        self.running.remove(&number).unwrap().kill();
    }

    /// The processes still running.
    fn live(&self) -> Vec<usize> {
        self.running.keys().copied().collect()
    }
}

/// The conduit's shards as the mock holds them: `(shard count, enabled shard → its session)`.
fn shard_table(mock: &MockEventSub, conduit_id: &str) -> (usize, BTreeMap<u32, String>) {
    let helix = mock.helix();
    let count = helix
        .conduits
        .iter()
        .find(|conduit| conduit.id == conduit_id)
        .map_or(0, |conduit| conduit.shards.len());
    let enabled = helix
        .enabled_shards(conduit_id)
        .into_iter()
        .map(|(shard, session)| (u32::try_from(shard).unwrap(), session))
        .collect();
    (count, enabled)
}

/// Whether the conduit has `shard_count` shards, all enabled, and the `live` processes hold them
/// `per_process` each by their lines, on the very sessions the mock shows: what "the shards are
/// shared out" means, seen from both sides. `None` when so; what is not so otherwise.
fn shared_out(
    mock: &MockEventSub,
    conduit_id: &str,
    seen: &[Seen],
    live: &[usize],
    shard_count: usize,
    per_process: usize,
) -> Option<String> {
    let (count, enabled) = shard_table(mock, conduit_id);
    if count != shard_count || enabled.len() != shard_count {
        return Some(format!(
            "the conduit has {count} shards, enabled: {enabled:?}"
        ));
    }
    let mut holders: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for &number in live {
        let held = claimed_by(seen, number);
        if held.len() != per_process {
            return Some(format!("process {number} holds {held:?}"));
        }
        for (shard, session) in held {
            if enabled.get(&shard) != Some(&session) {
                return Some(format!(
                    "process {number} believes it holds shard {shard} on {session}; the mock: {enabled:?}"
                ));
            }
            holders.entry(shard).or_default().push(number);
        }
    }
    holders
        .iter()
        .find(|(_, by)| by.len() > 1)
        .map(|(shard, by)| format!("shard {shard} held by processes {by:?}"))
}

/// Notifications sent over the conduit at a steady pace, and the message ids the mock routed.
struct Stream<'a> {
    mock: &'a MockEventSub,
    pace: tokio::time::Interval,
    routed: Vec<String>,
}

impl<'a> Stream<'a> {
    fn new(mock: &'a MockEventSub) -> Self {
        Self {
            mock,
            pace: tokio::time::interval(Duration::from_millis(2)),
            routed: Vec::new(),
        }
    }

    /// Waits for the next tick of the pace, then sends 3 notifications.
    async fn round(&mut self) {
        self.pace.tick().await;
        for _ in 0..3 {
            self.routed.extend(
                self.mock
                    .notify_routed(ONLINE, Delivery::Once)
                    .into_iter()
                    .map(|routed| routed.message_id),
            );
        }
    }
}

async fn a_sigkilled_claiming_process_loses_nothing_routed_and_reclaims_its_shards() {
    let started = Instant::now();
    let (mock, conduit_id) = mock_with_conduit(6).await;
    let mut claimers = Claimers {
        mock: &mock,
        conduit_id: conduit_id.clone(),
        max_shards: 2,
        grow_to: None,
        supervisor: Supervisor::default(),
        running: BTreeMap::new(),
    };
    let first: Vec<usize> = (0..3).map(|_| claimers.start()).collect();
    let live = claimers.live();
    claimers
        .supervisor
        .until(PATIENCE, "6 shards held, 2 by each process", |seen| {
            shared_out(&mock, &conduit_id, seen, &live, 6, 2).is_none()
        })
        .await;
    let races_lost_at_start = released(&claimers.supervisor.seen);

    // Everyone alive: each notification delivered, spread over the 3 processes.
    let mut stream = Stream::new(&mock);
    for _ in 0..10 {
        stream.round().await;
    }
    assert_eq!(stream.routed.len(), 30, "every shard enabled: all routed");
    claimers
        .supervisor
        .until(PATIENCE, "the first 30 delivered", |seen| {
            notifications(seen, ONLINE).count() >= 30
        })
        .await;
    for &number in &first {
        assert!(
            !claimers
                .supervisor
                .notifications_of(number, ONLINE)
                .is_empty(),
            "process {number} received nothing"
        );
    }

    // The stream runs on; one process is killed in the middle of it, and the stream goes on until
    // the mock has disabled both its shards.
    let victim = first[1];
    let victim_shards = claimed_by(&claimers.supervisor.seen, victim);
    let victim_sessions: BTreeSet<String> = claimers
        .supervisor
        .sessions_of(victim)
        .into_iter()
        .collect();
    for _ in 0..10 {
        stream.round().await;
    }
    let sent_before_kill = stream.routed.len();
    let written_before_kill: BTreeSet<String> = mock
        .records()
        .sent_notifications()
        .into_iter()
        .map(|frame| frame.message_id.clone())
        .collect();
    claimers.kill(victim);
    let deadline = Instant::now() + PATIENCE;
    loop {
        assert!(
            Instant::now() < deadline,
            "the victim's shards {victim_shards:?} never disabled"
        );
        stream.round().await;
        let (_, enabled) = shard_table(&mock, &conduit_id);
        if victim_shards
            .keys()
            .all(|shard| enabled.get(shard) != victim_shards.get(shard))
        {
            break;
        }
    }
    let sent_while_dying = stream.routed.len() - sent_before_kill;

    // Started again, it claims the two shards the survivors do not want (they hold their 2), and
    // receives on them while the stream goes on.
    let restarted = claimers.start();
    let live = claimers.live();
    let deadline = Instant::now() + PATIENCE;
    loop {
        assert!(
            Instant::now() < deadline,
            "the restarted process never held the victim's shards; lines:\n{}",
            supervise::describe_lines(&claimers.supervisor.seen)
        );
        stream.round().await;
        claimers.supervisor.collect();
        let seen = &claimers.supervisor.seen;
        let receiving = claimers
            .supervisor
            .notifications_of(restarted, ONLINE)
            .len()
            >= 5;
        if receiving && shared_out(&mock, &conduit_id, seen, &live, 6, 2).is_none() {
            break;
        }
    }
    let sent_after_restart = stream.routed.len() - sent_before_kill - sent_while_dying;
    let reclaimed = claimed_by(&claimers.supervisor.seen, restarted);
    assert_eq!(
        reclaimed.keys().collect::<Vec<_>>(),
        victim_shards.keys().collect::<Vec<_>>(),
        "the killed process's shards come back, to the restarted one"
    );
    let routed = std::mem::take(&mut stream.routed);
    drop(stream);

    // Settle: each routed notification is delivered, unrouted, or was written to the killed
    // process's socket (and died with it). Nothing else may be missing; nothing may come twice;
    // each process delivered only what went out on its own sessions.
    claimers
        .supervisor
        .until(
            PATIENCE,
            "every routed notification accounted for",
            |seen| accounting::settled(&mock, seen, ONLINE, &routed, &victim_sessions),
        )
        .await;
    let counts = accounting::account(
        &mock,
        &claimers.supervisor,
        ONLINE,
        &routed,
        &victim_sessions,
    );
    let seen = &claimers.supervisor.seen;

    // At the end: all 6 shards enabled, 2 on each live process's sessions, none believed held by
    // two processes.
    let live = claimers.live();
    if let Some(problem) = shared_out(&mock, &conduit_id, seen, &live, 6, 2) {
        panic!("at the end: {problem}");
    }

    let lost_before_kill = counts
        .lost_with_victim
        .iter()
        .filter(|id| written_before_kill.contains(*id))
        .count();
    println!(
        "conduit_claiming: conduit of 6 shards, 3 processes claiming 2 each; process {victim} (shards {:?}) SIGKILLed mid-stream, started again as process {restarted}",
        victim_shards.keys().collect::<Vec<_>>()
    );
    println!(
        "  claims lost to another process while sharing out: {races_lost_at_start} at the start, {} in all",
        released(seen)
    );
    println!(
        "  notifications routed: {} (30 with every process alive, {} more up to the kill, {sent_while_dying} between the kill and the mock disabling its shards, {sent_after_restart} until the restarted process held them and received)",
        routed.len(),
        sent_before_kill - 30
    );
    for number in first.iter().copied().chain([restarted]) {
        println!(
            "  delivered by process {number} (shards {:?}): {}",
            claimed_by(seen, number).keys().collect::<Vec<_>>(),
            claimers.supervisor.notifications_of(number, ONLINE).len()
        );
    }
    println!(
        "  delivered exactly once: {}; twice: 0; unrouted (mock): {} ({} of them routed first, then handed back); written to the killed process's socket and lost with it: {} ({lost_before_kill} written before the kill)",
        counts.delivered,
        counts.unrouted,
        counts.unrouted_after_routing,
        counts.lost_with_victim.len(),
    );
    println!("  wall time: {:?}", started.elapsed());
}

/// How many `released` lines (claims given up) the processes printed.
fn released(seen: &[Seen]) -> usize {
    seen.iter()
        .filter(|seen| seen.line.kind == "released")
        .count()
}

async fn claiming_processes_grow_the_conduit_to_hold_what_they_want() {
    let started = Instant::now();
    let (mock, conduit_id) = mock_with_conduit(4).await;
    let mut claimers = Claimers {
        mock: &mock,
        conduit_id: conduit_id.clone(),
        max_shards: 3,
        grow_to: Some(6),
        supervisor: Supervisor::default(),
        running: BTreeMap::new(),
    };
    for _ in 0..2 {
        claimers.start();
    }
    let live = claimers.live();
    claimers
        .supervisor
        .until(
            PATIENCE,
            "the conduit grown to 6 shards, 3 held by each process",
            |seen| shared_out(&mock, &conduit_id, seen, &live, 6, 3).is_none(),
        )
        .await;

    // The conduit was grown to the cap and no further, however many processes asked.
    let (count, enabled) = shard_table(&mock, &conduit_id);
    assert_eq!(count, 6);
    assert_eq!(enabled.len(), 6);
    // One notification per shard's turn reaches a process: the grown shards deliver too.
    let mut stream = Stream::new(&mock);
    for _ in 0..4 {
        stream.round().await;
    }
    assert_eq!(stream.routed.len(), 12, "every shard enabled: all routed");
    let routed = std::mem::take(&mut stream.routed);
    claimers
        .supervisor
        .until(PATIENCE, "the 12 delivered", |seen| {
            let delivered: BTreeSet<&str> = notifications(seen, ONLINE).map(|(_, id)| id).collect();
            routed.iter().all(|id| delivered.contains(id.as_str()))
        })
        .await;
    let seen = &claimers.supervisor.seen;
    assert_eq!(
        notifications(seen, ONLINE).count(),
        12,
        "each delivered once"
    );
    println!(
        "conduit_claiming: conduit of 4 shards, 2 processes claiming 3 each, allowed to grow it to 6: 6 shards, held {:?} and {:?}; claims lost on the way: {}; wall time {:?}",
        claimed_by(seen, live[0]).keys().collect::<Vec<_>>(),
        claimed_by(seen, live[1]).keys().collect::<Vec<_>>(),
        released(seen),
        started.elapsed()
    );
}
