//! Twitch's limits for user tokens on the websocket transport, enforced by the mock and reported
//! by the client as `LimitExceeded` (a 429 that retrying cannot fix, so it is not retried).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use eventsub_helix::{HelixError, TransportRequest};
use eventsub_mock::helix::fixtures::{
    CLIENT_ID, ClientShorthands, OTHER_USER_TOKEN, USER_ID, USER_TOKEN, start_with_fixtures,
    stream_online,
};
use eventsub_proto::{MAX_SUBSCRIPTIONS_PER_CONNECTION, SubscriptionSpec};

fn assert_limit(error: HelixError, needle: &str) {
    assert!(
        matches!(error, HelixError::LimitExceeded { .. }),
        "{error:?}"
    );
    assert!(error.message().unwrap().contains(needle), "{error}");
}

#[tokio::test]
async fn total_cost_stops_at_ten_for_a_user_token_but_free_subscriptions_still_work() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, USER_TOKEN);
    let session = TransportRequest::websocket("session-a");
    for broadcaster in 0..10 {
        let created = client
            .create_subscription(&stream_online(&format!("9{broadcaster}")), &session)
            .await
            .unwrap();
        assert_eq!(created.total_cost, broadcaster + 1);
    }
    let requests = mock.request_count();
    let error = client
        .create_subscription(&stream_online("eleventh"), &session)
        .await
        .unwrap_err();
    assert_limit(error, "max_total_cost");
    assert_eq!(mock.request_count(), requests + 1, "a limit is not retried");

    // Cost 0: the token's own user in broadcaster_user_id or user_id.
    client
        .create_subscription(&stream_online(USER_ID), &session)
        .await
        .unwrap();
    let own_user = SubscriptionSpec::new("user.update", "1").with_condition("user_id", USER_ID);
    let created = client
        .create_subscription(&own_user, &session)
        .await
        .unwrap();
    assert_eq!((created.total_cost, created.total), (10, 12));

    // The cost is per token: another user still has the whole budget.
    mock.client(CLIENT_ID, OTHER_USER_TOKEN)
        .subscribe_online("91", "session-b")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_websocket_session_holds_at_most_300_enabled_subscriptions() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, USER_TOKEN);
    let session = TransportRequest::websocket("busy-session");
    for index in 0..MAX_SUBSCRIPTIONS_PER_CONNECTION {
        // Free subscriptions (own user id), distinct by type so none is a duplicate.
        let spec = SubscriptionSpec::new(format!("mock.type.{index}"), "1")
            .with_condition("broadcaster_user_id", USER_ID);
        client.create_subscription(&spec, &session).await.unwrap();
    }
    let one_more = SubscriptionSpec::new("mock.type.extra", "1")
        .with_condition("broadcaster_user_id", USER_ID);
    let error = client
        .create_subscription(&one_more, &session)
        .await
        .unwrap_err();
    assert_limit(error, "subscriptions on this websocket transport");
    // Another session of the same token is fine.
    client
        .create_subscription(&one_more, &TransportRequest::websocket("quiet-session"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_user_token_has_subscriptions_on_at_most_three_sessions() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, USER_TOKEN);
    for session in ["s1", "s2", "s3"] {
        client.subscribe_online(USER_ID, session).await.unwrap();
    }
    let error = client.subscribe_online(USER_ID, "s4").await.unwrap_err();
    assert_limit(error, "websocket transports");

    // A disconnected session no longer counts.
    mock.state().disconnect_session("s1");
    client.subscribe_online(USER_ID, "s4").await.unwrap();
}
