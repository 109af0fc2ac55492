//! One process holding 1,000 shards of one conduit (issue 14's scale benchmark), not a timed test:
//! it reports, for the client process alone (a child process, so the mock's work is not counted):
//! the time until every shard is assigned (`Event::ShardAssigned` for each) and the Update Conduit
//! Shards calls that took (Twitch's app-token budget is 800 points a minute), its RSS and CPU while
//! idle (keepalives only, Twitch's 10 s), and the notifications per second it receives when the
//! mock spreads a stream over the shards, with the CPU per notification.
//!
//! ```sh
//! cargo bench -p eventsub-tests --bench conduit_scale
//! # CONDUIT_SCALE_SHARDS=1000  CONDUIT_SCALE_IDLE_SECS=30  CONDUIT_SCALE_NOTIFICATIONS=20000
//! # CONDUIT_SCALE_CLIENT_PREFIX="valgrind --tool=massif ..." (the client under a profiler)
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "../examples/conduit/shard.rs"]
#[allow(dead_code)]
mod shard;
#[path = "../examples/conduit/supervise.rs"]
#[allow(dead_code)]
mod supervise;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use eventsub_helix::{ConduitManager, FindConduit, Subscribed};
use eventsub_mock::{Delivery, MockConfig, MockEventSub};
use eventsub_proto::SubscriptionSpec;
use eventsub_tests::measure;
use supervise::{Seen, Supervisor};

const CLIENT_ID: &str = "conduit-scale-client";
const APP_TOKEN: &str = "conduit-scale-app-token";
const ONLINE: &str = "stream.online";

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// The client process's CPU time so far (every thread, to the nanosecond).
fn cpu_time(pid: u32) -> Duration {
    measure::process_cpu_time_of(pid).expect("read the client's /proc")
}

/// The client process's resident set and its peak, in MiB.
fn rss_mib(pid: u32) -> (f64, f64) {
    let resident = measure::Resident::of(pid).expect("read the client's /proc status");
    (
        resident.rss_kib as f64 / 1024.0,
        resident.peak_kib as f64 / 1024.0,
    )
}

fn assigned_count(seen: &[Seen]) -> usize {
    let mut shards: Vec<u32> = seen
        .iter()
        .filter(|s| s.line.kind == "assigned")
        .filter_map(|s| s.line.shard())
        .collect();
    shards.sort_unstable();
    shards.dedup();
    shards.len()
}

fn received(seen: &[Seen]) -> u64 {
    seen.iter()
        .filter(|s| s.line.kind == "received")
        .filter_map(|s| s.line.field("count")?.parse().ok())
        .max()
        .unwrap_or(0)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(shard::ROLE_FLAG) {
        return shard::main_with(args.into_iter().skip(1));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(bench());
    ExitCode::SUCCESS
}

async fn bench() {
    let shards = u32::try_from(env_number("CONDUIT_SCALE_SHARDS", 1_000)).unwrap();
    let idle = Duration::from_secs(env_number("CONDUIT_SCALE_IDLE_SECS", 30));
    let notifications = env_number("CONDUIT_SCALE_NOTIFICATIONS", 20_000);
    // Twitch's windows: a 10 s keepalive; the unused window is long, as every session is assigned.
    let config = MockConfig::default().with_unused_window(Duration::from_secs(60));
    let mock = MockEventSub::start(config).await.unwrap();
    mock.helix().add_app_token(APP_TOKEN, CLIENT_ID);
    let manager = ConduitManager::open(
        mock.helix_client(CLIENT_ID, APP_TOKEN),
        FindConduit::Create {
            shard_count: shards,
        },
    )
    .await
    .unwrap();
    let conduit_id = manager.conduit().id.as_str().to_owned();
    let online = SubscriptionSpec::new(ONLINE, "1").with_condition("broadcaster_user_id", "42");
    assert!(matches!(
        manager.subscribe(&online).await.unwrap(),
        Subscribed::Created(_)
    ));

    let mut args = vec![shard::ROLE_FLAG.to_owned()];
    args.extend(shard::ShardArgs::for_mock(&mock, &conduit_id, 0..shards));
    args.push("--count-only".to_owned());
    let mut supervisor = Supervisor::default();
    let started = Instant::now();
    let mut program = std::env::current_exe().unwrap();
    // `CONDUIT_SCALE_CLIENT_PREFIX="valgrind --tool=massif --massif-out-file=/tmp/m.%p"` runs the
    // client under a profiler (its figures are then the profiler's, not the client's).
    if let Ok(prefix) = std::env::var("CONDUIT_SCALE_CLIENT_PREFIX") {
        let mut words = prefix.split_whitespace().map(str::to_owned);
        let wrapper = words
            .next()
            .expect("a program in CONDUIT_SCALE_CLIENT_PREFIX");
        let mut wrapped: Vec<String> = words.collect();
        wrapped.push(program.display().to_string());
        wrapped.append(&mut args);
        args = wrapped;
        program = wrapper.into();
    }
    let calls_before = mock.helix().shard_update_calls;
    let process = supervisor.spawn(&program, &args, CLIENT_ID, APP_TOKEN);
    let pid = process.pid();
    let everyone = usize::try_from(shards).unwrap();
    supervisor
        .until(Duration::from_secs(120), "every shard assigned", |seen| {
            assigned_count(seen) >= everyone
        })
        .await;
    let assign_time = started.elapsed();
    let assign_calls = mock.helix().shard_update_calls - calls_before;
    let (rss_assigned, _) = rss_mib(pid);
    println!(
        "conduit_scale: {shards} shards in one client process (pid {pid}), mock in the bench process"
    );
    println!(
        "  all {shards} assigned after {:.2} s (process start included) in {assign_calls} Update Conduit Shards calls; RSS then {rss_assigned:.1} MiB",
        assign_time.as_secs_f64()
    );

    // Idle: keepalives only.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (cpu_before, wall_before) = (cpu_time(pid), Instant::now());
    tokio::time::sleep(idle).await;
    let idle_cpu = cpu_time(pid).saturating_sub(cpu_before);
    let idle_wall = wall_before.elapsed();
    let (rss_idle, _) = rss_mib(pid);
    println!(
        "  idle for {:.1} s: CPU {:.3} s = {:.2} % of a core; RSS {rss_idle:.1} MiB",
        idle_wall.as_secs_f64(),
        idle_cpu.as_secs_f64(),
        100.0 * idle_cpu.as_secs_f64() / idle_wall.as_secs_f64()
    );

    // A stream spread over the shards by the mock.
    let (cpu_before, wall_before) = (cpu_time(pid), Instant::now());
    let mut routed = 0u64;
    let mut unrouted = 0u64;
    let mut sent = 0u64;
    while sent < notifications {
        let batch = mock.notify_routed(ONLINE, Delivery::Once);
        routed += batch.len() as u64;
        unrouted += u64::from(batch.is_empty());
        sent += 1;
        if sent % 1_000 == 0 {
            // Let the client's reads keep up with the mock's writes.
            tokio::task::yield_now().await;
        }
    }
    let want = routed - routed % 1_000;
    supervisor
        .until(Duration::from_secs(300), "the stream received", |seen| {
            received(seen) >= want
        })
        .await;
    let stream_wall = wall_before.elapsed();
    let stream_cpu = cpu_time(pid).saturating_sub(cpu_before);
    let (rss_after, peak) = rss_mib(pid);
    println!(
        "  stream: {routed} routed ({unrouted} unrouted), {want} counted received in {:.2} s = {:.0} notifications/s; client CPU {:.2} µs per notification",
        stream_wall.as_secs_f64(),
        want as f64 / stream_wall.as_secs_f64(),
        stream_cpu.as_secs_f64() * 1e6 / want.max(1) as f64
    );
    println!("  RSS after the stream {rss_after:.1} MiB, peak {peak:.1} MiB");
    // Stopped by itself (a profiler wrapping it writes its report then).
    if !process.finish(Duration::from_secs(120)) {
        println!("  the client did not exit within 120 s of its stdin's end: killed");
    }
}
