//! Create, list, filter, paginate and delete EventSub subscriptions over real HTTP, and the
//! request errors Twitch answers (400, 401, 403, 404, 409).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use eventsub_helix::{HelixError, SubscriptionFilter, TransportRequest, WebhookSecret};
use eventsub_mock::helix::fixtures::{
    APP_TOKEN, CLIENT_ID, ClientShorthands, OTHER_USER_TOKEN, USER_ID, USER_TOKEN,
    start_with_fixtures, stream_online,
};
use eventsub_proto::{SubscriptionSpec, SubscriptionStatus, Transport};

#[tokio::test]
async fn create_websocket_subscription_returns_it_with_the_token_totals() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, USER_TOKEN);
    let created = client.subscribe_online(USER_ID, "session-a").await.unwrap();
    assert_eq!(created.subscription.status, SubscriptionStatus::Enabled);
    assert_eq!(created.subscription.kind, "stream.online");
    assert_eq!(created.subscription.cost, 0);
    assert!(matches!(
        &created.subscription.transport,
        Transport::Websocket { session_id, connected_at: Some(_), .. } if session_id.as_str() == "session-a"
    ));
    assert_eq!(
        (created.total, created.total_cost, created.max_total_cost),
        (1, 0, 10)
    );
    let paid = client.subscribe_online("999", "session-a").await.unwrap();
    assert_eq!(paid.subscription.cost, 1);
    assert_eq!((paid.total, paid.total_cost), (2, 1));
}

#[tokio::test]
async fn create_conduit_subscription_with_an_app_token() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, APP_TOKEN);
    let conduit = client.create_conduit(1).await.unwrap();
    let created = client
        .create_subscription(
            &stream_online("42"),
            &TransportRequest::conduit(conduit.id.clone()),
        )
        .await
        .unwrap();
    assert_eq!(
        created.subscription.transport,
        Transport::Conduit {
            conduit_id: conduit.id
        }
    );
    assert_eq!(created.max_total_cost, 10_000);
}

#[tokio::test]
async fn create_webhook_subscription_sends_the_secret_but_never_gets_it_back() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, APP_TOKEN);
    let transport = TransportRequest::webhook(
        "https://example.test/callback",
        WebhookSecret::new("a-webhook-secret"),
    );
    let created = client
        .create_subscription(&stream_online("42"), &transport)
        .await
        .unwrap();
    assert_eq!(
        created.subscription.status,
        SubscriptionStatus::WebhookCallbackVerificationPending
    );
    assert_eq!(
        created.subscription.transport,
        Transport::Webhook {
            callback: "https://example.test/callback".into()
        }
    );
    assert!(!format!("{transport:?} {created:?}").contains("a-webhook-secret"));
}

#[tokio::test]
async fn duplicate_subscription_is_409_already_exists() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, USER_TOKEN);
    let transport = TransportRequest::websocket("session-a");
    client
        .create_subscription(&stream_online(USER_ID), &transport)
        .await
        .unwrap();
    let error = client
        .create_subscription(&stream_online(USER_ID), &transport)
        .await
        .unwrap_err();
    assert!(error.is_already_exists(), "{error:?}");
    assert!(matches!(error, HelixError::AlreadyExists { .. }));
    // Same subscription on another session is not a duplicate.
    client.subscribe_online(USER_ID, "session-b").await.unwrap();
}

#[tokio::test]
async fn invalid_body_is_400_with_twitchs_message() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, USER_TOKEN);
    let no_condition = SubscriptionSpec::new("stream.online", "1");
    let error = client
        .create_subscription(&no_condition, &TransportRequest::websocket("session-a"))
        .await
        .unwrap_err();
    assert!(matches!(error, HelixError::BadRequest { .. }), "{error:?}");
    assert!(error.message().unwrap().contains("condition"));
    assert_eq!(mock.request_count(), 1, "a 400 is not retried");
}

#[tokio::test]
async fn unknown_token_is_401_distinct_from_other_errors() {
    let mock = start_with_fixtures().await.unwrap();
    let error = mock
        .client(CLIENT_ID, "revoked-token")
        .subscribe_online(USER_ID, "session-a")
        .await
        .unwrap_err();
    assert!(error.is_unauthorized());
    assert!(matches!(error, HelixError::Unauthorized { .. }));
}

#[tokio::test]
async fn client_id_not_matching_the_token_is_401() {
    let mock = start_with_fixtures().await.unwrap();
    let error = mock
        .client("another-client", USER_TOKEN)
        .subscriptions_page(&SubscriptionFilter::All, None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, HelixError::Unauthorized { .. }),
        "{error:?}"
    );
    assert!(error.message().unwrap().contains("do not match"));
}

#[tokio::test]
async fn revoked_token_turns_401_so_callers_refresh() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, USER_TOKEN);
    client
        .subscriptions_page(&SubscriptionFilter::All, None)
        .await
        .unwrap();
    mock.state().revoke_token(USER_TOKEN);
    assert!(
        client
            .subscriptions_page(&SubscriptionFilter::All, None)
            .await
            .unwrap_err()
            .is_unauthorized()
    );
    let refreshed = client.with_token(eventsub_helix::AccessToken::new(OTHER_USER_TOKEN));
    refreshed
        .subscriptions_page(&SubscriptionFilter::All, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn app_token_with_websocket_transport_is_403() {
    let mock = start_with_fixtures().await.unwrap();
    let error = mock
        .client(CLIENT_ID, APP_TOKEN)
        .subscribe_online("42", "session-a")
        .await
        .unwrap_err();
    assert!(matches!(error, HelixError::Forbidden { .. }), "{error:?}");
    assert!(error.message().unwrap().contains("user access token"));
}

#[tokio::test]
async fn user_token_with_conduit_transport_is_403() {
    let mock = start_with_fixtures().await.unwrap();
    let conduit = mock
        .client(CLIENT_ID, APP_TOKEN)
        .create_conduit(1)
        .await
        .unwrap();
    let error = mock
        .client(CLIENT_ID, USER_TOKEN)
        .create_subscription(
            &stream_online(USER_ID),
            &TransportRequest::conduit(conduit.id),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, HelixError::Forbidden { .. }), "{error:?}");
}

#[tokio::test]
async fn missing_scope_is_403() {
    let mock = start_with_fixtures().await.unwrap();
    let follow = SubscriptionSpec::new("channel.follow", "2")
        .with_condition("broadcaster_user_id", "2002")
        .with_condition("moderator_user_id", "2002");
    let error = mock
        .client(CLIENT_ID, OTHER_USER_TOKEN)
        .create_subscription(&follow, &TransportRequest::websocket("session-a"))
        .await
        .unwrap_err();
    assert!(matches!(error, HelixError::Forbidden { .. }), "{error:?}");
    assert!(
        error
            .message()
            .unwrap()
            .contains("moderator:read:followers")
    );
}

#[tokio::test]
async fn unknown_session_is_400_once_the_mock_tracks_sessions() {
    let mock = start_with_fixtures().await.unwrap();
    mock.state().add_known_session("welcomed-session");
    let client = mock.client(CLIENT_ID, USER_TOKEN);
    client
        .subscribe_online(USER_ID, "welcomed-session")
        .await
        .unwrap();
    let error = client
        .subscribe_online(USER_ID, "never-welcomed")
        .await
        .unwrap_err();
    assert!(matches!(error, HelixError::BadRequest { .. }), "{error:?}");
}

#[tokio::test]
async fn delete_removes_the_subscription_and_a_second_delete_is_404() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, USER_TOKEN);
    let created = client.subscribe_online(USER_ID, "session-a").await.unwrap();
    let id = created.subscription.id;
    client.delete_subscription(&id).await.unwrap();
    assert!(
        client
            .subscriptions(SubscriptionFilter::All)
            .collect_all()
            .await
            .unwrap()
            .is_empty()
    );
    let error = client.delete_subscription(&id).await.unwrap_err();
    assert!(matches!(error, HelixError::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn list_walks_every_page_following_the_cursor() {
    let mock = start_with_fixtures().await.unwrap();
    mock.state().page_size = 2;
    let client = mock.client(CLIENT_ID, USER_TOKEN);
    for broadcaster in ["1", "2", "3", "4", "5"] {
        client.subscribe_online(broadcaster, "s").await.unwrap();
    }
    let mut pages = client.subscriptions(SubscriptionFilter::All);
    let mut sizes = Vec::new();
    let mut seen = Vec::new();
    while let Some(page) = pages.next_page().await.unwrap() {
        assert_eq!(page.total, 5);
        assert_eq!(page.total_cost, 5);
        sizes.push(page.subscriptions.len());
        seen.extend(page.subscriptions.iter().map(|s| {
            s.spec()
                .condition_str("broadcaster_user_id")
                .unwrap()
                .to_owned()
        }));
    }
    assert_eq!(sizes, [2, 2, 1]);
    assert_eq!(seen, ["1", "2", "3", "4", "5"], "oldest first, none twice");
    assert!(pages.next_page().await.unwrap().is_none(), "stays finished");
    let all = client
        .subscriptions(SubscriptionFilter::All)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
}

#[tokio::test]
async fn list_filters_by_status_type_user_and_id() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, USER_TOKEN);
    let first = client
        .subscribe_online(USER_ID, "old-session")
        .await
        .unwrap();
    let update =
        SubscriptionSpec::new("channel.update", "2").with_condition("broadcaster_user_id", "3003");
    client
        .create_subscription(&update, &TransportRequest::websocket("new-session"))
        .await
        .unwrap();
    mock.state().disconnect_session("old-session");

    let count = |filter: SubscriptionFilter| {
        let client = client.clone();
        async move { client.subscriptions(filter).collect_all().await.unwrap() }
    };
    let enabled = count(SubscriptionFilter::Status(SubscriptionStatus::Enabled)).await;
    assert_eq!(enabled.len(), 1);
    assert_eq!(enabled[0].kind, "channel.update");
    let disconnected = count(SubscriptionFilter::Status(
        SubscriptionStatus::WebsocketDisconnected,
    ))
    .await;
    assert_eq!(disconnected.len(), 1);
    assert_eq!(disconnected[0].id, first.subscription.id);
    assert_eq!(
        count(SubscriptionFilter::Type("channel.update".into()))
            .await
            .len(),
        1
    );
    assert_eq!(
        count(SubscriptionFilter::UserId("3003".into())).await.len(),
        1
    );
    let by_id = count(SubscriptionFilter::SubscriptionId(
        first.subscription.id.clone(),
    ))
    .await;
    assert_eq!(by_id.len(), 1);
    assert_eq!(by_id[0].id, first.subscription.id);
    assert_eq!(count(SubscriptionFilter::All).await.len(), 2);
}

#[tokio::test]
async fn each_token_sees_only_its_own_websocket_subscriptions() {
    let mock = start_with_fixtures().await.unwrap();
    mock.client(CLIENT_ID, USER_TOKEN)
        .subscribe_online(USER_ID, "s")
        .await
        .unwrap();
    let others = mock
        .client(CLIENT_ID, OTHER_USER_TOKEN)
        .subscriptions(SubscriptionFilter::All)
        .collect_all()
        .await
        .unwrap();
    assert!(others.is_empty());
}
