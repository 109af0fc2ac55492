//! One shard process of a conduit, told its shard ids statically (a range, or an ordinal and a
//! count such as a Kubernetes StatefulSet's): one shard client per shard id, one stdout line per
//! delivered notification and lifecycle event. The demo (`--example conduit`) and the test
//! `conduit_processes` run this same code as their child processes.
//!
//! ```sh
//! TWITCH_CLIENT_ID=… TWITCH_APP_TOKEN=… \
//!   cargo run -p eventsub-tests --example conduit_shard -- --conduit <id> --ordinal 2 --count 4 --total 16
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "conduit/shard.rs"]
#[allow(dead_code)]
mod shard;

fn main() -> std::process::ExitCode {
    shard::main_with(std::env::args().skip(1))
}
