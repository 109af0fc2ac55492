//! Conduits and their shards over real HTTP: CRUD, limits, paginated shards with a status filter,
//! and shard updates that partly fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use eventsub_helix::{
    HelixError, MAX_CONDUITS_PER_CLIENT, MAX_SHARDS_PER_CONDUIT, ShardStatus, ShardUpdate,
    TransportRequest, WebhookSecret,
};
use eventsub_mock::helix::fixtures::{APP_TOKEN, CLIENT_ID, USER_TOKEN, start_with_fixtures};
use eventsub_proto::{ConduitId, SubscriptionSpec, Transport};

#[tokio::test]
async fn conduits_are_created_listed_resized_and_deleted() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, APP_TOKEN);
    assert!(client.conduits().await.unwrap().is_empty());

    let conduit = client.create_conduit(5).await.unwrap();
    assert_eq!(conduit.shard_count, 5);
    assert_eq!(
        client.conduits().await.unwrap(),
        std::slice::from_ref(&conduit)
    );

    let resized = client.update_conduit(&conduit.id, 2).await.unwrap();
    assert_eq!(resized.shard_count, 2);
    let shards = client
        .conduit_shards(conduit.id.clone(), None)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(shards.len(), 2);

    let subscription =
        SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "42");
    client
        .create_subscription(
            &subscription,
            &TransportRequest::conduit(conduit.id.clone()),
        )
        .await
        .unwrap();
    client.delete_conduit(&conduit.id).await.unwrap();
    assert!(client.conduits().await.unwrap().is_empty());
    assert!(
        mock.state().subscriptions.is_empty(),
        "deleted with their conduit"
    );
}

#[tokio::test]
async fn missing_conduits_are_404() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, APP_TOKEN);
    let missing = ConduitId::new("no-such-conduit");
    for error in [
        client.update_conduit(&missing, 1).await.unwrap_err(),
        client.delete_conduit(&missing).await.unwrap_err(),
        client
            .conduit_shards_page(&missing, None, None)
            .await
            .unwrap_err(),
    ] {
        assert!(matches!(error, HelixError::NotFound { .. }), "{error:?}");
    }
}

#[tokio::test]
async fn a_client_has_at_most_five_conduits_of_at_most_20000_shards() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, APP_TOKEN);
    let error = client
        .create_conduit(MAX_SHARDS_PER_CONDUIT + 1)
        .await
        .unwrap_err();
    assert!(matches!(error, HelixError::BadRequest { .. }), "{error:?}");
    client.create_conduit(MAX_SHARDS_PER_CONDUIT).await.unwrap();
    for _ in 1..MAX_CONDUITS_PER_CLIENT {
        client.create_conduit(1).await.unwrap();
    }
    let error = client.create_conduit(1).await.unwrap_err();
    assert!(
        matches!(error, HelixError::LimitExceeded { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn conduits_need_an_app_token() {
    let mock = start_with_fixtures().await.unwrap();
    let error = mock
        .client(CLIENT_ID, USER_TOKEN)
        .create_conduit(1)
        .await
        .unwrap_err();
    assert!(error.is_unauthorized(), "{error:?}");
}

#[tokio::test]
async fn shard_updates_report_failed_shards_without_failing_the_call() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, APP_TOKEN);
    let conduit = client.create_conduit(3).await.unwrap();
    let result = client
        .update_conduit_shards(
            &conduit.id,
            &[
                ShardUpdate::new(0, TransportRequest::websocket("session-zero")),
                ShardUpdate::new(
                    1,
                    TransportRequest::webhook(
                        "https://example.test/hook",
                        WebhookSecret::new("shard-secret-1"),
                    ),
                ),
                ShardUpdate::new(7, TransportRequest::websocket("session-seven")),
                ShardUpdate::new(2, TransportRequest::conduit(conduit.id.clone())),
            ],
        )
        .await
        .unwrap();
    assert!(!result.is_complete());
    let updated: Vec<&str> = result.updated.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(updated, ["0", "1"]);
    assert_eq!(result.updated[0].status, ShardStatus::Enabled);
    assert!(matches!(
        &result.updated[0].transport,
        Some(Transport::Websocket { session_id, .. }) if session_id.as_str() == "session-zero"
    ));
    assert_eq!(
        result.updated[1].status,
        ShardStatus::WebhookCallbackVerificationPending
    );
    let failed: Vec<&str> = result.errors.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(failed, ["7", "2"]);
    assert!(
        result
            .errors
            .iter()
            .all(|e| !e.message.is_empty() && !e.code.is_empty())
    );
}

#[tokio::test]
async fn shards_are_paginated_and_filtered_by_status() {
    let mock = start_with_fixtures().await.unwrap();
    mock.state().page_size = 4;
    let client = mock.client(CLIENT_ID, APP_TOKEN);
    let conduit = client.create_conduit(10).await.unwrap();
    let updates: Vec<ShardUpdate> = [1, 4, 8]
        .into_iter()
        .map(|id| ShardUpdate::new(id, TransportRequest::websocket(format!("session-{id}"))))
        .collect();
    assert!(
        client
            .update_conduit_shards(&conduit.id, &updates)
            .await
            .unwrap()
            .is_complete()
    );

    let mut pages = client.conduit_shards(conduit.id.clone(), None);
    let mut sizes = Vec::new();
    let mut ids = Vec::new();
    while let Some(page) = pages.next_page().await.unwrap() {
        sizes.push(page.shards.len());
        ids.extend(page.shards.into_iter().map(|s| s.id));
    }
    assert_eq!(sizes, [4, 4, 2]);
    assert_eq!(ids, (0..10).map(|id| id.to_string()).collect::<Vec<_>>());

    let enabled = client
        .conduit_shards(conduit.id.clone(), Some(ShardStatus::Enabled))
        .collect_all()
        .await
        .unwrap();
    let enabled_ids: Vec<&str> = enabled.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(enabled_ids, ["1", "4", "8"]);

    mock.state().disconnect_session("session-4");
    let disconnected = client
        .conduit_shards(conduit.id, Some(ShardStatus::WebsocketDisconnected))
        .collect_all()
        .await
        .unwrap();
    assert_eq!(disconnected.len(), 8);
    assert!(
        disconnected
            .iter()
            .any(|s| s.id == "4" && s.transport.is_some())
    );
    assert!(
        disconnected
            .iter()
            .any(|s| s.id == "0" && s.transport.is_none())
    );
}

/// The undecoded page a claiming client's core reads: every status, paged by the cursor it
/// carries, and each page's body exactly what the typed page decodes.
#[tokio::test]
async fn a_page_of_shards_comes_undecoded_and_pages_on_by_its_cursor() {
    let mock = start_with_fixtures().await.unwrap();
    mock.state().page_size = 4;
    let client = mock.client(CLIENT_ID, APP_TOKEN);
    let conduit = client.create_conduit(6).await.unwrap();
    let update = ShardUpdate::new(5, TransportRequest::websocket("session-5"));
    client
        .update_conduit_shards(&conduit.id, &[update])
        .await
        .unwrap();

    let mut after: Option<String> = None;
    let mut ids = Vec::new();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let body = client
            .conduit_shards_page_body(&conduit.id, after.as_deref())
            .await
            .unwrap();
        let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let typed = client
            .conduit_shards_page(&conduit.id, None, after.as_deref())
            .await
            .unwrap();
        let shards = page["data"].as_array().unwrap();
        assert_eq!(shards.len(), typed.shards.len());
        for shard in shards {
            ids.push(shard["id"].as_str().unwrap().to_owned());
            statuses.push(shard["status"].as_str().unwrap().to_owned());
        }
        after = page["pagination"]["cursor"].as_str().map(str::to_owned);
        assert_eq!(after, typed.cursor);
        if after.is_none() {
            break;
        }
    }
    assert_eq!(after, None, "the pages end");
    assert_eq!(ids, ["0", "1", "2", "3", "4", "5"]);
    assert_eq!(statuses[5], "enabled");
    assert!(statuses[..5].iter().all(|status| status != "enabled"));

    let missing = ConduitId::new("no-such-conduit");
    let error = client
        .conduit_shards_page_body(&missing, None)
        .await
        .unwrap_err();
    assert!(matches!(error, HelixError::NotFound { .. }), "{error:?}");
}
