//! The rules of claiming conduit shards ([`Pool::claim_shards`]), each on a fake conduit shared by
//! claiming processes on fake time (see `claim_support`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod claim_support;

use std::collections::BTreeSet;
use std::time::Duration;

use claim_support::{Latency, World, claim};
use eventsub_proto::{ClaimError, Event, Input, Output};

const REREAD: Duration = Duration::from_secs(2);

fn world(shards: usize) -> World {
    World::new(
        shards,
        Latency {
            min: Duration::from_millis(10),
            max: Duration::from_millis(50),
        },
        7,
    )
}

fn claimed(world: &World, index: usize) -> Vec<u32> {
    let mut shards = world.events_of(index, |event| match event {
        Event::ShardClaimed { shard, .. } => Some(shard.shard_id),
        _ => None,
    });
    shards.sort_unstable();
    shards
}

fn released(world: &World, index: usize) -> Vec<(u32, Option<String>)> {
    world.events_of(index, |event| match event {
        Event::ShardReleased { shard, taken_by } => Some((
            shard.shard_id,
            taken_by.as_ref().map(|session| session.as_str().to_owned()),
        )),
        _ => None,
    })
}

fn held(world: &World, index: usize) -> Vec<u32> {
    let pool = world.processes[index].pool.as_ref().unwrap();
    pool.held_shards()
        .iter()
        .map(|held| held.shard_id)
        .collect()
}

#[test]
fn a_process_claims_free_shards_up_to_its_maximum_and_each_claim_is_confirmed_once() {
    let mut world = world(5);
    world.spawn(claim(3, REREAD), 1);
    world.run_for(Duration::from_secs(10));
    assert_eq!(
        claimed(&world, 0).len(),
        3,
        "three claims, each confirmed once"
    );
    assert_eq!(held(&world, 0).len(), 3);
    let pool = world.processes[0].pool.as_ref().unwrap();
    assert!(pool.held_shards().iter().all(|held| held.confirmed));
    let enabled: Vec<usize> = (0..5)
        .filter(|id| world.conduit.shards[*id].status == "enabled")
        .collect();
    assert_eq!(enabled.len(), 3);
    for held in pool.held_shards() {
        assert_eq!(pool.shard_id(held.session_index), Some(held.shard_id));
        let at_twitch = world.conduit.shards[held.shard_id as usize].session.clone();
        assert_eq!(
            at_twitch,
            held.assigned_session.map(|s| s.as_str().to_owned())
        );
    }
    // Every page of every read was followed (5 shards, pages of 3).
    let firsts = world.outputs_of(0, |output| match output {
        Output::ReadConduitShards { after: None, .. } => Some(()),
        _ => None,
    });
    let seconds = world.outputs_of(0, |output| match output {
        Output::ReadConduitShards { after: Some(_), .. } => Some(()),
        _ => None,
    });
    assert_eq!(firsts.len(), seconds.len());
}

#[test]
fn a_claim_is_confirmed_by_a_read_asked_at_once_not_an_interval_later() {
    let mut world = world(2);
    world.spawn(claim(1, Duration::from_secs(60)), 1);
    world.run_for(Duration::from_secs(2));
    assert_eq!(
        claimed(&world, 0).len(),
        1,
        "confirmed well before the 60 s interval"
    );
}

#[test]
fn processes_that_want_the_whole_conduit_between_them_share_it_one_holder_each() {
    let mut world = world(6);
    for seed in 0..3 {
        world.spawn(claim(2, REREAD), seed + 1);
    }
    world.run_for(Duration::from_secs(60));
    let mut all = BTreeSet::new();
    for index in 0..3 {
        let held = held(&world, index);
        assert!(held.len() <= 2);
        for shard in held {
            assert!(all.insert(shard), "shard {shard} held twice");
        }
    }
    assert_eq!(all.len(), 6, "every shard held");
    assert!(
        world
            .conduit
            .shards
            .iter()
            .all(|shard| shard.status == "enabled")
    );
    assert!(world.worst_overlap <= REREAD + Duration::from_millis(100));
}

#[test]
fn a_shard_another_session_took_is_released_at_once_with_a_normal_close_and_claims_pause() {
    let mut world = world(4);
    world.spawn(claim(1, REREAD), 1);
    world.run_for(Duration::from_secs(3));
    let [shard] = held(&world, 0)[..] else {
        panic!("one shard held")
    };
    // Another process's session takes it (last writer wins).
    world.conduit.live_sessions.insert("intruder".to_owned());
    world.conduit.assign(shard, "intruder").unwrap();
    let closes_before = world.outputs_of(0, |output| match output {
        Output::Close { .. } => Some(()),
        _ => None,
    });
    world.run_for(REREAD + Duration::from_millis(200));
    assert_eq!(released(&world, 0), [(shard, Some("intruder".to_owned()))]);
    let codes = world.outputs_of(0, |output| match output {
        Output::Close { code, .. } => Some(*code),
        _ => None,
    });
    assert_eq!(codes.len(), closes_before.len() + 1);
    assert_eq!(
        codes.last().unwrap().as_u16(),
        1000,
        "the lost shard's socket ends with a normal close"
    );
    assert!(!held(&world, 0).contains(&shard));
    assert_eq!(
        world.conduit.shards[shard as usize].session.as_deref(),
        Some("intruder")
    );
    // Free shards remain, and the process takes one again, after its backoff.
    world.run_for(Duration::from_secs(10));
    for o in &world.processes[0].outputs {
        eprintln!("{o:?}");
    }
    assert_eq!(held(&world, 0).len(), 1);
    assert_ne!(held(&world, 0), [shard]);
}

#[test]
fn claims_wait_out_the_backoff_after_a_loss() {
    let mut world = world(4);
    world.spawn(claim(1, REREAD), 1);
    world.run_for(Duration::from_secs(3));
    let shard = held(&world, 0)[0];
    world.conduit.live_sessions.insert("intruder".to_owned());
    world.conduit.assign(shard, "intruder").unwrap();
    // Find when the release came, then check no new claim came before the backoff's least
    // delay (half of 200 ms).
    let mut released_at = None;
    let mut claimed_at = None;
    let until = world.now + Duration::from_secs(10);
    world.run_until(until, &mut |world| {
        let process = &world.processes[0];
        if released_at.is_none()
            && process
                .events
                .iter()
                .any(|event| matches!(event, Event::ShardReleased { .. }))
        {
            released_at = Some(world.now);
        }
        if released_at.is_some() && claimed_at.is_none() && !process.believed.is_empty() {
            claimed_at = Some(world.now);
        }
    });
    let (released_at, claimed_at) = (released_at.unwrap(), claimed_at.unwrap());
    assert!(claimed_at - released_at >= Duration::from_millis(100));
}

#[test]
fn a_shard_outside_a_shrunken_conduit_is_released_and_its_slot_reused_with_fresh_ids() {
    let mut world = world(2);
    world.spawn(claim(2, REREAD), 1);
    world.run_for(Duration::from_secs(3));
    assert_eq!(held(&world, 0), [0, 1]);
    let pool = world.processes[0].pool.as_ref().unwrap();
    let slot_of_1 = pool
        .held_shards()
        .iter()
        .find(|held| held.shard_id == 1)
        .unwrap()
        .session_index;
    // Someone shrinks the conduit, then grows it back: shard 1 is new, unassigned; the session
    // that held it is refused on its next assignment. Drop that session so it reassigns.
    world.conduit.resize(1);
    world.drop_socket(0, slot_of_1);
    world.run_for(Duration::from_secs(5));
    let released = released(&world, 0);
    assert_eq!(released, [(1, None)]);
    assert!(
        world.events_of(0, |event| match event {
            Event::ShardStopped { shard, .. } => Some(shard.shard_id),
            _ => None,
        }) == [1]
    );
    let conns_before: BTreeSet<_> = world
        .outputs_of(0, |output| match output {
            Output::Connect { conn, .. } => Some(*conn),
            _ => None,
        })
        .into_iter()
        .collect();
    world.conduit.resize(3);
    world.run_for(Duration::from_secs(10));
    let pool = world.processes[0].pool.as_ref().unwrap();
    assert_eq!(
        pool.held_shards().len(),
        2,
        "claims again up to its maximum"
    );
    assert_eq!(pool.sessions(), 2, "the stopped session's place was reused");
    let conns_after: Vec<_> = world.outputs_of(0, |output| match output {
        Output::Connect { conn, .. } => Some(*conn),
        _ => None,
    });
    let new: Vec<_> = conns_after
        .iter()
        .filter(|conn| !conns_before.contains(conn))
        .collect();
    assert!(
        new.iter().any(|conn| conn.session_index() == slot_of_1),
        "the reused place opens a connection under an id never used before: {new:?}"
    );
    // A late input for the old session's first connection reaches nobody.
    let old = *conns_before
        .iter()
        .find(|conn| conn.session_index() == slot_of_1)
        .unwrap();
    let pool = world.processes[0].pool.as_mut().unwrap();
    let late = pool.handle_input(
        world.now,
        Input::Closed {
            conn: old,
            code: None,
            reason: "",
        },
    );
    assert!(
        late.is_err(),
        "the old connection is unknown to the new session"
    );
}

#[test]
fn a_session_that_drops_keeps_its_shard_and_assigns_it_again() {
    let mut world = world(2);
    world.spawn(claim(1, REREAD), 1);
    world.run_for(Duration::from_secs(3));
    let shard = held(&world, 0)[0];
    world.drop_socket(0, 0);
    world.run_for(Duration::from_secs(10));
    assert_eq!(held(&world, 0), [shard]);
    assert!(released(&world, 0).is_empty());
    assert_eq!(world.conduit.shards[shard as usize].status, "enabled");
    assert_eq!(claimed(&world, 0), [shard], "confirmed once per claim");
}

#[test]
fn a_process_grows_the_conduit_when_every_shard_is_held_up_to_its_cap() {
    let mut world = world(2);
    // Five wanted in all, four allowed.
    world.spawn(claim(2, REREAD).with_grow_to(4), 1);
    world.spawn(claim(3, REREAD).with_grow_to(4), 2);
    world.run_for(Duration::from_secs(30));
    assert_eq!(
        world.conduit.shards.len(),
        4,
        "grown to the cap, not past it"
    );
    assert!(world.conduit.resizes.iter().all(|count| *count <= 4));
    assert!(
        world
            .conduit
            .resizes
            .windows(2)
            .all(|pair| pair[0] <= pair[1])
    );
    let total: usize = (0..2).map(|index| held(&world, index).len()).sum();
    assert_eq!(total, 4);
    assert!(
        world
            .conduit
            .shards
            .iter()
            .all(|shard| shard.status == "enabled")
    );
}

#[test]
fn without_grow_to_the_conduit_is_never_resized() {
    let mut world = world(1);
    world.spawn(claim(3, REREAD), 1);
    world.run_for(Duration::from_secs(10));
    assert!(world.conduit.resizes.is_empty());
    assert_eq!(held(&world, 0), [0]);
}

#[test]
fn a_malformed_listing_is_a_failed_read_reported_and_retried() {
    let mut world = world(2);
    world.spawn(claim(1, REREAD), 1);
    // The first read's answer is replaced by garbage.
    let request = world.processes[0]
        .outputs
        .iter()
        .find_map(|output| match output {
            Output::ReadConduitShards { request, .. } => Some(*request),
            _ => None,
        })
        .unwrap();
    let pool = world.processes[0].pool.as_mut().unwrap();
    pool.handle_input(
        world.now,
        Input::ConduitShardsRead {
            request,
            result: Ok(r#"{"data":[{"id":"zero","status":"enabled"}]}"#.to_owned()),
        },
    )
    .unwrap();
    let failures: Vec<_> = std::iter::from_fn(|| pool.poll_output())
        .filter_map(|output| match output {
            Output::Event(Event::ClaimFailed {
                error, retry_in, ..
            }) => Some((error, retry_in)),
            _ => None,
        })
        .collect();
    assert_eq!(failures.len(), 1);
    assert!(matches!(failures[0].0, ClaimError::Listing(_)));
    assert!(failures[0].1 <= REREAD);
    // The stale delivery of that read is ignored; the retry claims.
    world.run_for(Duration::from_secs(5));
    assert_eq!(held(&world, 0).len(), 1);
}

#[test]
fn a_read_that_started_before_an_assignment_proves_nothing_about_it() {
    let mut world = world(2);
    world.read_latency = Some(Duration::from_millis(1_500));
    world.spawn(claim(1, REREAD), 1);
    world.run_for(Duration::from_secs(6));
    let shard = held(&world, 0)[0];
    let reads = |world: &World| {
        world
            .outputs_of(0, |output| match output {
                Output::ReadConduitShards { .. } => Some(()),
                _ => None,
            })
            .len()
    };
    // Just after a periodic read starts, the session drops: its fresh session is assigned
    // while the read is in flight, and the read lists the old, disabled session.
    let before = reads(&world);
    while reads(&world) == before {
        world.run_for(Duration::from_millis(10));
    }
    world.drop_socket(0, 0);
    world.run_for(Duration::from_secs(8));
    assert!(
        released(&world, 0).is_empty(),
        "the read in flight during the new assignment did not count against it"
    );
    assert_eq!(held(&world, 0), [shard]);
    let pool = world.processes[0].pool.as_ref().unwrap();
    let held = &pool.held_shards()[0];
    assert_eq!(
        held.assigned_session
            .as_ref()
            .map(|s| s.as_str().to_owned()),
        world.conduit.shards[shard as usize].session
    );
}

fn drain(pool: &mut eventsub_proto::Pool) -> Vec<Output> {
    std::iter::from_fn(|| pool.poll_output()).collect()
}

#[test]
fn the_token_is_validated_once_before_the_first_read_and_a_refused_one_stops_the_pool() {
    use eventsub_proto::{Config, Pool, RequestError, StopReason, TokenIdentity, UserId};
    let now = std::time::Instant::now();
    let answers = [
        (Ok(TokenIdentity::app("client")), None),
        (
            Err(RequestError::Unauthorized {
                message: "invalid access token".to_owned(),
            }),
            Some("unauthorized"),
        ),
        (
            Ok(TokenIdentity::user(
                "client",
                UserId::new("1"),
                "login",
                Vec::<String>::new(),
            )),
            Some("user token"),
        ),
    ];
    for (answer, stops) in answers {
        let mut pool = Pool::claim_shards(Config::default(), claim(1, REREAD), now).unwrap();
        let outputs = drain(&mut pool);
        let [Output::ValidateToken { request }] = outputs[..] else {
            panic!("one validation first: {outputs:?}");
        };
        pool.handle_input(
            now,
            Input::TokenValidated {
                request,
                result: answer,
            },
        )
        .unwrap();
        let outputs = drain(&mut pool);
        match stops {
            None => {
                let validated =
                    |output: &Output| matches!(output, Output::Event(Event::TokenValidated { .. }));
                let read = |output: &Output| {
                    matches!(output, Output::ReadConduitShards { after: None, .. })
                };
                assert!(outputs.iter().any(validated), "{outputs:?}");
                assert!(outputs.iter().any(read), "{outputs:?}");
                assert!(!pool.is_stopped());
            }
            Some(why) => {
                let reasons: Vec<&StopReason> = outputs
                    .iter()
                    .filter_map(|output| match output {
                        Output::Event(Event::Stopped { reason }) => Some(reason),
                        _ => None,
                    })
                    .collect();
                assert_eq!(reasons.len(), 1, "{why}: {outputs:?}");
                assert!(pool.is_stopped(), "{why}");
                assert!(
                    !outputs
                        .iter()
                        .any(|output| matches!(output, Output::ReadConduitShards { .. })),
                    "{why}"
                );
            }
        }
    }
}

#[test]
fn shutdown_closes_every_claimed_session_and_stops_once() {
    let mut world = world(3);
    world.spawn(claim(2, REREAD), 1);
    world.run_for(Duration::from_secs(3));
    assert_eq!(held(&world, 0).len(), 2);
    let now = world.now;
    world.processes[0].pool.as_mut().unwrap().shutdown(now);
    world.run_for(Duration::from_secs(5));
    let pool = world.processes[0].pool.as_ref().unwrap();
    assert!(pool.is_stopped());
    let stops = world.events_of(0, |event| match event {
        Event::Stopped { reason } => Some(reason.clone()),
        _ => None,
    });
    assert_eq!(stops.len(), 1);
    assert!(matches!(stops[0], eventsub_proto::StopReason::Shutdown));
    assert!(world.processes[0].conns.is_empty(), "every socket closed");
    assert!(pool.poll_timeout().is_none(), "no read after the stop");
}
