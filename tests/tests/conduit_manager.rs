//! The conduit manager of `eventsub-helix` against the mock over 127.0.0.1: find or create,
//! grow-only resize, bulk assignment (1,000 shards, per-shard failures as typed results, a batch
//! failing as a whole, a rate-limited batch), conduit subscriptions and paginated shard lists.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod conduit_support;

use std::time::Instant;

use conduit_support::{APP_TOKEN, CLIENT_ID, start_mock};
use eventsub_helix::{
    AssignOptions, ConduitError, ConduitManager, FindConduit, Resize, Resized, ShardFailureReason,
    ShardStatus, Subscribed,
};
use eventsub_mock::helix::Fault;
use eventsub_proto::{SessionId, SubscriptionSpec};

fn sessions(sockets: &[conduit_support::ShardSocket]) -> Vec<(u32, SessionId)> {
    sockets
        .iter()
        .enumerate()
        .map(|(shard, socket)| (shard as u32, SessionId::new(socket.session_id.clone())))
        .collect()
}

#[tokio::test]
async fn the_only_conduit_is_created_when_missing_and_found_afterwards() {
    let mock = start_mock().await;
    let client = mock.helix_client(CLIENT_ID, APP_TOKEN);
    let only = FindConduit::OnlyOne {
        shards_if_created: 3,
    };
    let created = ConduitManager::open(client.clone(), only.clone())
        .await
        .unwrap();
    assert_eq!(created.conduit().shard_count, 3);
    let found = ConduitManager::open(client.clone(), only.clone())
        .await
        .unwrap();
    assert_eq!(found.conduit(), created.conduit());
    let by_id = ConduitManager::open(
        client.clone(),
        FindConduit::Id(created.conduit().id.clone()),
    )
    .await
    .unwrap();
    assert_eq!(by_id.conduit(), created.conduit());
    assert_eq!(
        client.conduits().await.unwrap().len(),
        1,
        "nothing created twice"
    );

    ConduitManager::open(client.clone(), FindConduit::Create { shard_count: 1 })
        .await
        .unwrap();
    let error = ConduitManager::open(client.clone(), only)
        .await
        .unwrap_err();
    assert!(
        matches!(error, ConduitError::Ambiguous { count: 2 }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_conduit_asked_for_by_an_unknown_id_is_not_found() {
    let mock = start_mock().await;
    let client = mock.helix_client(CLIENT_ID, APP_TOKEN);
    let missing = eventsub_proto::ConduitId::new("no-such-conduit");
    let error = ConduitManager::open(client, FindConduit::Id(missing.clone()))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ConduitError::NotFound { id } if *id == missing),
        "{error:?}"
    );
}

#[tokio::test]
async fn resize_grows_only_unless_asked_to_shrink() {
    let mock = start_mock().await;
    let client = mock.helix_client(CLIENT_ID, APP_TOKEN);
    let mut manager = ConduitManager::open(client, FindConduit::Create { shard_count: 4 })
        .await
        .unwrap();
    let grown = manager.resize(6, Resize::GrowOnly).await.unwrap();
    assert_eq!((grown.before, grown.after), (4, 6));
    let kept = manager.resize(2, Resize::GrowOnly).await.unwrap();
    assert_eq!((kept.before, kept.after), (6, 6));
    assert_eq!(
        manager.shards(None).await.unwrap().len(),
        6,
        "nothing removed"
    );
    let shrunk: Resized = manager.resize(2, Resize::Exact).await.unwrap();
    assert_eq!((shrunk.before, shrunk.after), (6, 2));
    assert_eq!(manager.shards(None).await.unwrap().len(), 2);
    assert_eq!(manager.client().conduits().await.unwrap()[0].shard_count, 2);
    let error = manager.resize(20_001, Resize::GrowOnly).await.unwrap_err();
    assert!(
        matches!(error, ConduitError::ShardCountOutOfRange { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_thousand_shards_are_assigned_in_batches_with_each_failure_named() {
    let mock = start_mock().await;
    let client = mock.helix_client(CLIENT_ID, APP_TOKEN);
    let manager = ConduitManager::open(client, FindConduit::Create { shard_count: 1_000 })
        .await
        .unwrap();
    let conduit_id = manager.conduit().id.as_str().to_owned();
    let sockets = conduit_support::connect_many(&mock.ws_url(), 999).await;
    let mut assignments = sessions(&sockets);
    // Shard 999 gets a session that never connected; shard 417 is refused by an injected fault.
    assignments.push((999, SessionId::new("never-connected")));
    mock.helix()
        .refuse_next_shard_update(&conduit_id, 417, "injected failure");

    let started = Instant::now();
    let report = manager.assign(&assignments).await.unwrap();
    let took = started.elapsed();
    eprintln!(
        "assigned {} shards in {took:?} over {} calls",
        report.assigned.len(),
        report.requests
    );

    assert_eq!(report.requests, 10, "100 shards per call");
    assert_eq!(report.assigned.len(), 998);
    assert_eq!(report.failed_ids(), [417, 999]);
    let reasons: Vec<String> = report
        .failed
        .iter()
        .map(|failure| match &failure.reason {
            ShardFailureReason::Refused { message, .. } => message.clone(),
            other => panic!("refused by Twitch, not {other:?}"),
        })
        .collect();
    assert_eq!(
        reasons,
        [
            "injected failure",
            "The websocket session is not connected."
        ]
    );

    // All pages of the shard list agree.
    let enabled = manager.shards(Some(ShardStatus::Enabled)).await.unwrap();
    assert_eq!(enabled.len(), 998);
    assert!(
        enabled
            .iter()
            .all(|shard| shard.id != "417" && shard.id != "999")
    );
    assert_eq!(manager.shards(None).await.unwrap().len(), 1_000);

    // The refused shard is assigned on a second try.
    let retry = [(417, SessionId::new(sockets[417].session_id.clone()))];
    assert!(manager.assign(&retry).await.unwrap().is_complete());
}

#[tokio::test]
async fn a_batch_failing_as_a_whole_marks_its_shards_and_leaves_the_rest_unsent() {
    let mock = start_mock().await;
    let client = mock.helix_client(CLIENT_ID, APP_TOKEN);
    let manager = ConduitManager::open(client, FindConduit::Create { shard_count: 30 })
        .await
        .unwrap()
        .with_assign_options(AssignOptions::default().batch_size(10));
    let sockets = conduit_support::connect_many(&mock.ws_url(), 30).await;
    // The client retries twice: three 503s fail the first call for good.
    mock.helix().inject(Fault::ServerError(503), 3);
    let report = manager.assign(&sessions(&sockets)).await.unwrap();
    assert_eq!(report.requests, 1);
    assert!(report.assigned.is_empty());
    assert_eq!(report.failed.len(), 30);
    assert!(
        report.failed[..10]
            .iter()
            .all(|failure| matches!(failure.reason, ShardFailureReason::RequestFailed(_)))
    );
    assert!(
        report.failed[10..]
            .iter()
            .all(|failure| matches!(failure.reason, ShardFailureReason::NotAttempted))
    );
    assert_eq!(
        manager
            .shards(Some(ShardStatus::Enabled))
            .await
            .unwrap()
            .len(),
        0
    );
}

#[tokio::test]
async fn a_rate_limited_batch_is_sent_again_after_the_reset() {
    let mock = start_mock().await;
    let client = mock.helix_client(CLIENT_ID, APP_TOKEN);
    let manager = ConduitManager::open(client, FindConduit::Create { shard_count: 20 })
        .await
        .unwrap()
        .with_assign_options(AssignOptions::default().batch_size(10));
    let sockets = conduit_support::connect_many(&mock.ws_url(), 20).await;
    let before = mock.helix().requests;
    mock.helix()
        .inject(Fault::RateLimited { reset_in_secs: 0 }, 1);
    let report = manager.assign(&sessions(&sockets)).await.unwrap();
    assert!(report.is_complete(), "{:?}", report.failed);
    assert_eq!(report.requests, 2);
    assert_eq!(
        mock.helix().requests - before,
        3,
        "the limited call was sent again"
    );
}

#[tokio::test]
async fn shard_ids_out_of_range_or_given_twice_are_refused_before_any_request() {
    let mock = start_mock().await;
    let client = mock.helix_client(CLIENT_ID, APP_TOKEN);
    let manager = ConduitManager::open(client, FindConduit::Create { shard_count: 2 })
        .await
        .unwrap();
    let before = mock.helix().requests;
    let session = SessionId::new("any");
    let error = manager.assign(&[(2, session.clone())]).await.unwrap_err();
    assert!(
        matches!(
            error,
            ConduitError::ShardOutOfRange {
                shard_id: 2,
                shard_count: 2
            }
        ),
        "{error:?}"
    );
    let error = manager
        .assign(&[(1, session.clone()), (1, session)])
        .await
        .unwrap_err();
    assert!(
        matches!(error, ConduitError::DuplicateShard { shard_id: 1 }),
        "{error:?}"
    );
    assert_eq!(mock.helix().requests, before);
}

#[tokio::test]
async fn subscriptions_belong_to_the_conduit_and_a_repeat_is_already_existed() {
    let mock = start_mock().await;
    let client = mock.helix_client(CLIENT_ID, APP_TOKEN);
    let manager = ConduitManager::open(client, FindConduit::Create { shard_count: 1 })
        .await
        .unwrap();
    let spec =
        SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "42");
    let Subscribed::Created(created) = manager.subscribe(&spec).await.unwrap() else {
        panic!("created the first time");
    };
    assert_eq!(
        created.subscription.transport,
        eventsub_proto::Transport::Conduit {
            conduit_id: manager.conduit().id.clone()
        }
    );
    assert!(matches!(
        manager.subscribe(&spec).await.unwrap(),
        Subscribed::AlreadyExisted
    ));
    assert_eq!(mock.helix().subscriptions.len(), 1);
}

#[tokio::test]
async fn the_shard_list_walks_every_page() {
    let mock = start_mock().await;
    mock.helix().page_size = 7;
    let client = mock.helix_client(CLIENT_ID, APP_TOKEN);
    let manager = ConduitManager::open(client, FindConduit::Create { shard_count: 50 })
        .await
        .unwrap();
    let before = mock.helix().requests;
    let shards = manager.shards(None).await.unwrap();
    let ids: Vec<String> = shards.iter().map(|shard| shard.id.clone()).collect();
    let expected: Vec<String> = (0..50).map(|id: u32| id.to_string()).collect();
    assert_eq!(ids, expected);
    assert_eq!(mock.helix().requests - before, 8, "50 shards, 7 a page");
}
