//! Property test of claiming conduit shards ([`Pool::claim_shards`]): two to four processes share
//! a fake conduit (`claim_support`: last-writer-wins assignment, reads that see the conduit as it
//! was when they started, answers after random latencies), while their sockets drop and the
//! processes die and start again. Checked after every instant something happened:
//!
//! 1. no shard is believed held by two processes for longer than one reread interval plus the
//!    longest a read can take, counted from the later of their latest assignments of it (a
//!    session that reconnects assigns its shard again, which starts the count anew);
//! 2. no process holds more than its `max_shards`, and none releases a shard that Twitch shows, at
//!    that moment, on the session the process last assigned to it (a release must come from a
//!    read that started after that assignment);
//! 3. the conduit never has more shards than the processes' `grow_to` cap, and never fewer than
//!    it started with. (It may shrink below a count another process set: Update Conduits sets the
//!    count, so a process growing from a listing that predates another's growth sets a lower
//!    one; see `ClaimConfig::grow_to`.)
//!
//! And once the faults stop and a few intervals pass, when the live processes want at least the
//! conduit's shards between them: every shard is held by exactly one live process, confirmed,
//! and enabled at Twitch on that process's session.
//!
//! `PROPTEST_CASES` sets the number of cases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod claim_support;

use std::time::Duration;

use claim_support::{Latency, PAGE_SIZE, World, claim};
use proptest::prelude::*;

const REREAD: Duration = Duration::from_secs(2);

#[derive(Clone, Debug)]
enum Fault {
    /// Time passes (ms).
    Advance(u64),
    /// A socket of a process drops.
    Drop { process: usize, pick: usize },
    /// A process dies.
    Kill(usize),
    /// A process starts again (a dead one comes back; a live one dies first).
    Restart { process: usize, seed: u64 },
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        6 => (0u64..3_000).prop_map(Fault::Advance),
        3 => (0usize..4, 0usize..8).prop_map(|(process, pick)| Fault::Drop { process, pick }),
        1 => (0usize..4).prop_map(Fault::Kill),
        2 => (0usize..4, any::<u64>()).prop_map(|(process, seed)| Fault::Restart { process, seed }),
    ]
}

#[derive(Clone, Debug)]
struct Setup {
    shards: usize,
    /// Each process's `max_shards`.
    wants: Vec<usize>,
    grow_to: Option<u32>,
    latency_max_ms: u64,
    seed: u64,
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        1usize..7,
        prop::collection::vec(1usize..4, 2..=4),
        prop::option::of(1u32..10),
        0u64..400,
        any::<u64>(),
    )
        .prop_map(|(shards, wants, grow_to, latency_max_ms, seed)| Setup {
            shards,
            wants,
            // A cap below the start would be no cap: at least the conduit's count.
            grow_to: grow_to.map(|cap| cap.max(shards as u32)),
            latency_max_ms,
            seed,
        })
}

fn run(setup: &Setup, faults: &[Fault]) -> Result<(), TestCaseError> {
    let latency = Latency {
        min: Duration::ZERO,
        max: Duration::from_millis(setup.latency_max_ms),
    };
    let mut world = World::new(setup.shards, latency, setup.seed);
    let claims: Vec<_> = setup
        .wants
        .iter()
        .map(|wants| {
            let claim = claim(*wants, REREAD);
            match setup.grow_to {
                Some(cap) => claim.with_grow_to(cap),
                None => claim,
            }
        })
        .collect();
    for (index, claim) in claims.iter().enumerate() {
        world.spawn(claim.clone(), setup.seed.wrapping_add(index as u64));
    }
    let most_shards = setup.grow_to.map_or(setup.shards, |cap| cap as usize);
    let pages = most_shards.div_ceil(PAGE_SIZE).max(1) as u32;
    let longest_read = latency.max * pages;
    let bound = REREAD + longest_read;
    let violation = std::cell::RefCell::new(None);
    let check = |world: &World| {
        let mut violation = violation.borrow_mut();
        if violation.is_some() {
            return;
        }
        for (shard, holders) in world.believers() {
            if holders.len() >= 2 {
                let latest = holders.iter().map(|(_, since)| *since).max().unwrap();
                if world.now - latest > bound {
                    *violation = Some(format!(
                        "shard {shard} believed by {holders:?} for {:?} (bound {bound:?})",
                        world.now - latest
                    ));
                }
            }
        }
        for (index, process) in world.processes.iter().enumerate() {
            if !process.groundless_releases.is_empty() {
                *violation = Some(format!(
                    "process {index} released {:?} while Twitch showed its own session on it",
                    process.groundless_releases
                ));
            }
            if let Some(pool) = &process.pool {
                if pool.held_shards().len() > process.claim.max_shards {
                    *violation = Some(format!("process {index} holds more than it wants"));
                }
            }
        }
        let count = world.conduit.shards.len();
        if count < setup.shards || setup.grow_to.is_some_and(|cap| count > cap as usize) {
            *violation = Some(format!("the conduit has {count} shards"));
        }
    };
    let processes = setup.wants.len();
    for fault in faults {
        match fault {
            Fault::Advance(ms) => {
                let until = world.now + Duration::from_millis(*ms);
                world.run_until(until, &mut &check);
            }
            Fault::Drop { process, pick } => world.drop_socket(process % processes, *pick),
            Fault::Kill(process) => world.kill(process % processes),
            Fault::Restart { process, seed } => world.restart(process % processes, *seed),
        }
        if let Some(violation) = violation.borrow_mut().take() {
            return Err(TestCaseError::fail(violation));
        }
    }
    // The faults stop: a few intervals, and the backoffs, settle it.
    let until = world.now + REREAD * 20;
    world.run_until(until, &mut &check);
    if let Some(violation) = violation.borrow_mut().take() {
        return Err(TestCaseError::fail(violation));
    }
    let live_wants: usize = world
        .processes
        .iter()
        .filter(|process| process.pool.is_some())
        .map(|process| process.claim.max_shards)
        .sum();
    if live_wants < world.conduit.shards.len() {
        return Ok(());
    }
    for (id, shard) in world.conduit.shards.iter().enumerate() {
        let holders: Vec<(usize, bool, Option<String>)> = world
            .processes
            .iter()
            .enumerate()
            .filter_map(|(index, process)| {
                let held = process
                    .pool
                    .as_ref()?
                    .held_shards()
                    .into_iter()
                    .find(|held| held.shard_id as usize == id)?;
                Some((
                    index,
                    held.confirmed,
                    world.session_of(index, held.session_index),
                ))
            })
            .collect();
        prop_assert_eq!(holders.len(), 1, "shard {} held by {:?}", id, holders);
        let (_, confirmed, session) = &holders[0];
        prop_assert!(*confirmed, "shard {} not confirmed", id);
        prop_assert_eq!(&shard.status, "enabled");
        prop_assert_eq!(&shard.session, session, "shard {}", id);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64),
        ..ProptestConfig::default()
    })]

    #[test]
    fn claimed_shards_settle_on_one_holder_each(
        setup in setup(),
        faults in prop::collection::vec(fault(), 0..40),
    ) {
        run(&setup, &faults)?;
    }
}
