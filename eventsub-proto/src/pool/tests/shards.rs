//! Shards of one conduit.

use std::time::{Duration, Instant};

use super::{Run, stamped};
use crate::pool::Pool;
use crate::{
    ConduitId, Config, ConfigError, Event, Input, ShardConfig, StopReason, SubscribeError,
    SubscriptionSpec, TokenIdentity, UserId,
};

fn conduit() -> ConduitId {
    ConduitId::new("bfcfc993-26b1-b876-44d9-afe75a379dac")
}

fn shards(ids: &[u32], refuse: Option<u32>) -> Run {
    let now = Instant::now();
    let pool = Pool::conduit_shards(Config::default(), conduit(), ids.iter().copied(), now)
        .unwrap_or_else(|error| panic!("{error}")); // ok: a test
    let mut run = Run::of_with(pool, now, |run| {
        run.identity = TokenIdentity::app("client");
        run.refuse_shard = refuse;
    });
    run.settle();
    run
}

fn notification(message_id: &str) -> String {
    format!(
        r#"{{"metadata":{{"message_id":"{message_id}","message_type":"notification","message_timestamp":"2022-11-16T10:11:12Z","subscription_type":"stream.online","subscription_version":"1"}},"payload":{{"subscription":{{"id":"s","status":"enabled","type":"stream.online","version":"1","cost":0,"condition":{{"broadcaster_user_id":"1"}},"transport":{{"method":"conduit","conduit_id":"c"}},"created_at":"2022-11-16T10:11:12Z"}},"event":{{"n":1}}}}}}"#
    )
}

#[test]
fn the_token_is_validated_once_for_every_shard_and_each_shard_is_assigned() {
    let run = shards(&[4, 5, 6], None);
    assert_eq!(run.validations, 1, "one call answers the three shards");
    assert_eq!(run.assigned, 3);
    let mut assigned: Vec<(usize, u32)> = run
        .events
        .iter()
        .filter_map(|event| match event {
            Event::ShardAssigned { conn, shard, .. } => {
                Some((conn.session_index(), shard.shard_id))
            }
            _ => None,
        })
        .collect();
    // Each shard in the pool's place for it (the sessions' outputs interleave in no set order).
    assigned.sort_unstable();
    assert_eq!(assigned, [(0, 4), (1, 5), (2, 6)]);
    assert_eq!(
        run.count(|event| matches!(event, Event::TokenValidated { .. })),
        1
    );
}

#[test]
fn a_notification_sent_again_on_another_shard_is_delivered_once() {
    let mut run = shards(&[0, 1], None);
    let conns = run.conns.clone();
    for conn in conns {
        let text = notification("f1c2a387-3a1e-4c1d-b6a4-7a6bd0b6a7c5");
        run.feed(Input::Text {
            conn,
            text: &text,
            received_at: stamped(),
        });
        run.settle();
    }
    assert_eq!(
        run.count(|event| matches!(event, Event::Notification(_))),
        1
    );
    let stats = run.pool.stats();
    assert_eq!(stats.duplicates_dropped, 1);
    assert!(stats.dedup_entries >= 1);
}

#[test]
fn the_shards_share_the_pools_one_ring_of_frame_copies() {
    let mut run = shards(&[0, 1, 2], None);
    let conns = run.conns.clone();
    let ids = [
        "f1c2a387-3a1e-4c1d-b6a4-7a6bd0b6a7c5",
        "a6f8e1f2-0d5b-4a43-9c55-1b8f1bb2b2f0",
        "0c9d5a2e-6a0b-4c7e-8a45-9f1e7d3c2b10",
    ];
    for (conn, id) in conns.iter().zip(ids) {
        let text = notification(id);
        run.feed(Input::Text {
            conn: *conn,
            text: &text,
            received_at: stamped(),
        });
        run.settle();
    }
    assert_eq!(
        run.count(|event| matches!(event, Event::Notification(_))),
        3
    );
    assert_eq!(run.pool.frames.kept().0, 3, "one ring for the three shards");
    for member in &run.pool.members {
        assert_eq!(
            member.kept_frames(),
            (0, 0),
            "no session keeps a ring of its own"
        );
    }
    // Once the consumer has dropped them, the copies are reused, not added to.
    run.events.clear();
    let text = notification("5e0b3c1d-8f7a-4b2e-9d6c-3a1f0e9b8c7d");
    run.feed(Input::Text {
        conn: conns[1],
        text: &text,
        received_at: stamped(),
    });
    run.settle();
    assert_eq!(
        run.count(|event| matches!(event, Event::Notification(_))),
        1
    );
    assert_eq!(run.pool.frames.kept().0, 3);
}

#[test]
fn the_pools_ring_lets_go_of_a_bursts_copies_at_a_keepalive_after_a_quiet_spell() {
    let mut run = shards(&[0], None);
    let conn = run.conns[0];
    let burst = crate::frame_ring::KEPT_WHEN_QUIET + 24;
    for n in 0..burst {
        // The events are held (in `run.events`): every copy is a new one.
        let text = notification(&format!("5e0b3c1d-8f7a-4b2e-9d6c-{n:012x}"));
        run.feed(Input::Text {
            conn,
            text: &text,
            received_at: stamped(),
        });
        run.settle();
    }
    assert_eq!(run.pool.frames.kept().0, burst);
    run.events.clear();
    let keepalive = r#"{"metadata":{"message_id":"k1","message_type":"session_keepalive","message_timestamp":"2022-11-16T10:11:12Z"},"payload":{}}"#;
    run.now += crate::frame_ring::QUIET_BEFORE_TRIM / 2;
    run.feed(Input::Text {
        conn,
        text: keepalive,
        received_at: stamped(),
    });
    assert_eq!(run.pool.frames.kept().0, burst, "not quiet for long enough");
    run.now += crate::frame_ring::QUIET_BEFORE_TRIM / 2;
    run.feed(Input::Text {
        conn,
        text: keepalive,
        received_at: stamped(),
    });
    assert_eq!(run.pool.frames.kept().0, crate::frame_ring::KEPT_WHEN_QUIET);
}

#[test]
fn a_shard_refused_for_good_stops_alone() {
    let mut run = shards(&[0, 9, 1], Some(9));
    assert_eq!(run.assigned, 2);
    let stopped: Vec<(&ShardConfig, &StopReason)> = run
        .events
        .iter()
        .filter_map(|event| match event {
            Event::ShardStopped { shard, reason } => Some((shard, reason)),
            _ => None,
        })
        .collect();
    assert_eq!(stopped.len(), 1, "{stopped:?}");
    assert!(matches!(
        stopped.first(),
        Some((shard, StopReason::ShardRefused { .. })) if shard.shard_id == 9
    ));
    assert_eq!(run.count(|event| matches!(event, Event::Stopped { .. })), 0);
    assert!(!run.pool.is_stopped());
    assert_eq!(run.conns.len(), 2, "the other shards keep their sockets");
    run.pool.shutdown(run.now);
    run.settle();
    assert!(matches!(
        run.events.last(),
        Some(Event::Stopped {
            reason: StopReason::Shutdown
        })
    ));
    assert_eq!(run.count(|event| matches!(event, Event::Stopped { .. })), 1);
}

#[test]
fn a_user_token_stops_every_shard_at_once() {
    let now = Instant::now();
    let pool = Pool::conduit_shards(Config::default(), conduit(), [0, 1], now)
        .unwrap_or_else(|error| panic!("{error}")); // ok: a test
    let run = Run::of_with(pool, now, |run| {
        run.identity =
            TokenIdentity::user("client", UserId::new("1"), "someone", Vec::<String>::new());
    });
    let mut run = run;
    run.settle();
    assert!(run.pool.is_stopped());
    let stops = run.stop_reasons();
    assert!(
        matches!(stops.as_slice(), [StopReason::UserTokenForShard]),
        "{stops:?}"
    );
    assert_eq!(
        run.count(|event| matches!(event, Event::ShardStopped { .. })),
        0
    );
}

#[test]
fn a_pool_of_shards_takes_no_subscription_and_refuses_a_bad_list() {
    let mut run = shards(&[0], None);
    assert!(matches!(
        run.pool
            .subscribe(SubscriptionSpec::new("stream.online", "1")),
        Err(SubscribeError::ShardMode { .. })
    ));
    let now = Instant::now();
    let make = |ids: Vec<u32>, config: Config| Pool::conduit_shards(config, conduit(), ids, now);
    assert!(matches!(
        make(vec![], Config::default()),
        Err(ConfigError::ZeroLimit { .. })
    ));
    assert!(matches!(
        make(vec![3, 1, 3], Config::default()),
        Err(ConfigError::DuplicateShard { shard_id: 3 })
    ));
    let named = Config {
        shard: Some(ShardConfig::new(conduit(), 0)),
        ..Config::default()
    };
    assert!(matches!(
        make(vec![1], named),
        Err(ConfigError::ShardNamedTwice)
    ));
    assert!(matches!(
        make((0..20_001).collect(), Config::default()),
        Err(ConfigError::TooManyShards { count: 20_001, .. })
    ));
}

#[test]
fn the_token_validations_are_reported_after_the_first_shard_stopped_alone() {
    let now = Instant::now();
    let config = Config {
        revalidate_every: Duration::from_secs(5),
        ..Config::default()
    };
    let pool = Pool::conduit_shards(config, conduit(), [9, 0, 1], now)
        .unwrap_or_else(|error| panic!("{error}")); // ok: a test
    let mut run = Run::of_with(pool, now, |run| {
        run.identity = TokenIdentity::app("client");
        run.refuse_shard = Some(9);
    });
    run.settle();
    let validated = |run: &Run| run.count(|event| matches!(event, Event::TokenValidated { .. }));
    assert_eq!(validated(&run), 1);
    assert!(run.pool.session(0).is_some_and(crate::Client::is_stopped));
    let until = now + Duration::from_secs(6);
    while let Some(at) = run.pool.poll_timeout().filter(|at| *at <= until) {
        run.now = run.now.max(at);
        run.pool.handle_timeout(run.now);
        run.settle();
    }
    assert_eq!(
        run.validations, 2,
        "the two running shards revalidated once"
    );
    assert_eq!(validated(&run), 2, "and the user heard of it");
}
