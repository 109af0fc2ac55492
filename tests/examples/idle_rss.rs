//! Resident memory of a process that holds only a tokio client: idle, then (optionally) under load.
//!
//! ```sh
//! cargo run --release -p eventsub-tests --example idle_rss                      # idle only
//! cargo run --release -p eventsub-tests --example idle_rss -- --load 200000     # then a blast
//! cargo run --release -p eventsub-tests --example idle_rss -- --multi-thread    # #[tokio::main]'s runtime
//! ```
//! This process runs the mock EventSub server (1 s keepalives) and starts itself again as a child
//! that runs only the client: a current-thread runtime (or, with `--multi-thread`, tokio's default
//! multi-thread one), one `channel.chat.message` subscription, and a task counting what the event
//! stream delivers. The child idles for five keepalives and prints its `VmRSS` and `VmHWM`; with
//! `--load N` the mock then blasts N notifications at it and it prints what it delivered, its CPU
//! time and its memory again.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "../benches/load/mod.rs"]
mod load;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_ID, USER_TOKEN};
use eventsub_mock::{MockConfig, MockEventSub};
use eventsub_tests::measure::{Resident, process_cpu_time};
use load::{KIND, Tally};

const IDLE: Duration = Duration::from_secs(5);
/// What the child prints when it is ready to be loaded.
const READY_FOR_LOAD: &str = "ready for load";

fn resident() -> String {
    Resident::now().map_or_else(|| "no /proc/self/status".to_owned(), |r| r.to_string())
}

/// The child: the client and nothing else.
fn client(ws_url: &str, helix_url: &str, load: u64, multi_thread: bool) {
    let runtime = if multi_thread {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    }
    .enable_all()
    .build()
    .expect("runtime");
    runtime.block_on(async {
        let (handle, events) = load::connect_subscribed(ws_url, helix_url).await;
        let tally = Arc::new(Tally::default());
        tokio::spawn(load::tally_events(events, tally.clone()));
        println!("subscribed: {}", resident());
        tokio::time::sleep(IDLE).await;
        println!("idle for {IDLE:?} (1 s keepalives): {}", resident());
        if load > 0 {
            let cpu_before = process_cpu_time().expect("schedstat");
            println!("{READY_FOR_LOAD}");
            let start = Instant::now();
            while tally.settled() < load {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            let wall = start.elapsed();
            let cpu = process_cpu_time().expect("schedstat") - cpu_before;
            println!(
                "load: {} delivered, {} discarded for a full event buffer, in {wall:.3?} ({:.0} delivered/s)",
                tally.notifications(),
                tally.lagged(),
                tally.notifications() as f64 / wall.as_secs_f64()
            );
            println!(
                "load: process CPU {cpu:.3?} = {:.3?} per 10,000 events; {}",
                cpu * 10_000 / load as u32,
                resident()
            );
        }
        handle.shutdown().await;
    });
}

/// The parent: the mock, and the child's report.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let multi_thread = args.iter().any(|arg| arg == "--multi-thread");
    if let [_, mode, ws_url, helix_url, load, ..] = args.as_slice() {
        if mode == "client" {
            return client(
                ws_url,
                helix_url,
                load.parse().expect("a count"),
                multi_thread,
            );
        }
    }
    let load: u64 = args
        .iter()
        .position(|arg| arg == "--load")
        .and_then(|at| args.get(at + 1))
        .map_or(0, |count| count.parse().expect("--load takes a count"));
    let runtime = tokio::runtime::Runtime::new().expect("mock runtime");
    let mock = runtime
        .block_on(MockEventSub::start(MockConfig::fast()))
        .expect("mock starts");
    mock.helix()
        .add_user_token(USER_TOKEN, CLIENT_ID, USER_ID, &["user:read:chat"]);
    let mut child = Command::new(std::env::current_exe().expect("own path"))
        .args([
            "client",
            &mock.ws_url(),
            &mock.helix_url(),
            &load.to_string(),
        ])
        .args(multi_thread.then_some("--multi-thread"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("child starts");
    let flavor = if multi_thread {
        "multi-thread"
    } else {
        "current-thread"
    };
    println!("client process {} ({flavor} runtime):", child.id());
    let stdout = child.stdout.take().expect("piped stdout");
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("child output");
        if line == READY_FOR_LOAD {
            let blast = mock.blast(KIND, load).expect("a live subscription");
            println!("  blasting {load} notifications of {} B", blast.frame_bytes);
        } else {
            println!("  {line}");
        }
    }
    let status = child.wait().expect("child ends");
    assert!(status.success(), "client process failed: {status}");
}
