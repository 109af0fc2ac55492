//! End-to-end tests of `eventsub-tokio` against the mock EventSub server, over real sockets on
//! 127.0.0.1: the scenarios shared with `eventsub-async-std` (`e2e/mod.rs`), then token handling
//! and dropping the stream. Every test ends by checking the mock's records: the client never sent
//! a data frame.
//!
//! The mock runs with [`MockConfig::fast`] (1 s keepalive, 500 ms unused window) and the client
//! with a 300 ms keepalive grace and a 100 ms backoff scale, so the suite takes a few seconds.

mod e2e;

use e2e::{TestClient, WAIT, assert_no_data_frames, current_socket, ended, finish, within};
use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_ID, USER_TOKEN};
use eventsub_mock::scenario::client_config;
use std::time::Duration;

use eventsub_mock::{BadFrame, Ended, MockConfig, MockEventSub};
use eventsub_proto::{Config, Event};
use eventsub_tokio::{
    AccessToken, BoxFuture, EventSub, EventSubBuilder, TokenError, TokenProvider, TokioRuntime,
};
use futures_util::StreamExt;

async fn start_mock() -> MockEventSub {
    let mock = MockEventSub::start(MockConfig::fast())
        .await
        .expect("mock starts");
    e2e::grant_user_token(&mock);
    mock
}

fn builder_with(
    mock: &MockEventSub,
    token: impl TokenProvider,
    config: Config,
) -> EventSubBuilder<TokioRuntime> {
    e2e::against(EventSub::builder(CLIENT_ID, token), mock, config)
}

fn builder(mock: &MockEventSub) -> EventSubBuilder<TokioRuntime> {
    builder_with(mock, AccessToken::new(USER_TOKEN), client_config())
}

#[tokio::test]
async fn full_lifecycle_welcome_subscribe_notify_shutdown() {
    let mock = start_mock().await;
    e2e::full_lifecycle(&mock, builder(&mock)).await;
}

#[tokio::test]
async fn reconnect_in_a_burst_loses_nothing_and_duplicates_nothing() {
    let mock = start_mock().await;
    e2e::reconnect_in_a_burst(&mock, builder(&mock)).await;
}

#[tokio::test]
async fn a_reconnect_storm_over_real_sockets_never_holds_more_than_three() {
    let mock = start_mock().await;
    e2e::reconnect_storm(&mock, builder(&mock)).await;
}

#[tokio::test]
async fn keepalive_silence_is_detected_then_reconnects_resubscribes_and_resumes() {
    let mock = start_mock().await;
    e2e::keepalive_silence(&mock, builder(&mock)).await;
}

#[tokio::test]
async fn a_client_without_subscriptions_idles_and_connects_once_one_is_added() {
    let mock = start_mock().await;
    e2e::no_subscriptions_idle_until_subscribe(&mock, builder(&mock)).await;
}

#[tokio::test]
async fn a_stale_reconnect_url_gets_4007_and_the_client_recovers() {
    let mock = start_mock().await;
    e2e::stale_reconnect_url_4007(&mock, builder(&mock)).await;
}

#[tokio::test]
async fn a_tcp_drop_backs_off_then_resubscribes_and_resumes() {
    let mock = start_mock().await;
    e2e::tcp_drop(&mock, builder(&mock)).await;
}

#[tokio::test]
async fn a_batch_bomb_is_delivered_whole_one_event_at_a_time() {
    const ITEMS: usize = 4_000;
    let mock = start_mock().await;
    let builder = builder(&mock).event_buffer(2 * ITEMS);
    let mut client = e2e::subscribed(builder).await;
    let socket = current_socket(&mock).await;
    assert!(mock.inject(
        socket,
        BadFrame::BatchBomb {
            items: ITEMS,
            condition_bytes: 96 * 1024,
        }
    ));
    let mut delivered = std::collections::BTreeSet::new();
    within(Duration::from_secs(30), "every event of the batch", async {
        while delivered.len() < ITEMS {
            let event = client.events.next().await.expect("the stream goes on");
            eventsub_tests::sim::count_batch_item(&mut delivered, &event);
        }
    })
    .await;
    finish(&mock, client).await;
}

#[tokio::test]
async fn a_revocation_reaches_the_user() {
    let mock = start_mock().await;
    e2e::revocation(&mock, builder(&mock)).await;
}

#[tokio::test]
async fn subscriptions_are_added_and_removed_at_runtime() {
    let mock = start_mock().await;
    e2e::runtime_subscriptions(&mock, builder(&mock)).await;
}

#[tokio::test]
async fn graceful_shutdown_closes_with_1000_and_deletes_the_subscriptions() {
    let mock = start_mock().await;
    e2e::graceful_shutdown(&mock, builder(&mock)).await;
}

#[tokio::test]
async fn discarding_with_lagged_a_slow_consumer_never_makes_the_client_miss_keepalives() {
    let mock = start_mock().await;
    e2e::slow_consumer(&mock, builder(&mock)).await;
}

#[tokio::test]
async fn by_default_a_slow_consumer_loses_nothing_and_the_session_survives() {
    let mock = start_mock().await;
    e2e::backpressure_by_default(&mock, builder(&mock)).await;
}

#[tokio::test]
async fn lifecycle_events_are_never_discarded_when_the_buffer_is_full() {
    let mock = start_mock().await;
    e2e::lifecycle_events_are_never_discarded(&mock, builder(&mock)).await;
}

#[tokio::test]
async fn a_burst_to_a_consumer_spending_5us_per_event_loses_nothing_under_backpressure() {
    let mock = start_mock().await;
    e2e::burst_to_a_slow_consumer(&mock, builder(&mock), 20_000).await;
}

/// On a multi-thread runtime, so that the client task reads while this test consumes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_consumer_is_read_for_in_stretches_of_half_its_buffer() {
    let mock = start_mock().await;
    e2e::a_slow_consumer_is_read_for_in_stretches(&mock, builder(&mock)).await;
}

#[tokio::test]
async fn a_handover_while_the_consumer_is_stalled_delivers_everything_the_old_socket_carried() {
    // Twitch's 30 s reconnect grace: the old socket is the client's to close.
    let config = MockConfig::fast().with_reconnect_grace(Duration::from_secs(30));
    let mock = MockEventSub::start(config).await.expect("mock starts");
    e2e::grant_user_token(&mock);
    e2e::handover_while_the_consumer_is_stalled(&mock, builder(&mock)).await;
}

/// Starts with a token Helix rejects; refreshes to the fixture's.
struct RefreshingToken;

impl TokenProvider for RefreshingToken {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        Box::pin(async { Ok(AccessToken::new("expired-token")) })
    }

    fn refresh<'a>(
        &'a self,
        _rejected: &'a AccessToken,
    ) -> BoxFuture<'a, Result<Option<AccessToken>, TokenError>> {
        Box::pin(async { Ok(Some(AccessToken::new(USER_TOKEN))) })
    }
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_once_and_the_call_retried() {
    let mock = start_mock().await;
    let client = e2e::subscribed(builder_with(&mock, RefreshingToken, client_config())).await;
    finish(&mock, client).await;
}

#[tokio::test]
async fn a_rejected_token_without_refresh_stops_the_client() {
    let mock = start_mock().await;
    let expired = AccessToken::new("expired-token");
    let builder = builder_with(&mock, expired, client_config())
        .subscribe(eventsub_mock::helix::fixtures::stream_online(USER_ID));
    let mut client = TestClient::connect(builder).await;
    let stopped = client
        .until("stopped", |e| matches!(e, Event::Stopped { .. }))
        .await;
    assert!(
        matches!(
            stopped,
            Event::Stopped {
                reason: eventsub_proto::StopReason::Unauthorized { .. }
            }
        ),
        "{stopped:?}"
    );
    within(WAIT, "finished", client.handle.finished()).await;
    assert!(
        e2e::eventually(|| mock.sockets().is_empty()).await,
        "the socket was closed"
    );
    assert_no_data_frames(&mock);
}

#[tokio::test]
async fn dropping_the_event_stream_shuts_the_client_down() {
    let mock = start_mock().await;
    let client = e2e::subscribed(builder(&mock)).await;
    let socket = current_socket(&mock).await;
    let TestClient { handle, events, .. } = client;
    drop(events);
    within(WAIT, "finished", handle.finished()).await;
    assert!(ended(&mock, socket, Ended::ByClient(Some(1000))).await);
    assert_no_data_frames(&mock);
}

/// A blast far larger than the event buffer reaches a consumer that runs on the client's own
/// current-thread runtime, with nothing discarded: the driver gives the consumer a turn whenever
/// the buffer is half full instead of filling it from tungstenite's read buffer, then discarding.
#[tokio::test]
async fn a_flood_reaches_a_consumer_on_the_same_runtime_without_discarding() {
    let mock = start_mock().await;
    let mut client = e2e::subscribed(builder(&mock).event_buffer(64)).await;
    let blast = mock.blast("stream.online", 5_000).expect("subscribed");
    let received = within(WAIT, "the whole blast", client.notifications(5_000)).await;
    assert_eq!(client.handle.lagged(), 0, "nothing discarded");
    assert_eq!(received.first(), Some(&blast.message_id(0)));
    assert_eq!(received.last(), Some(&blast.message_id(4_999)));
    finish(&mock, client).await;
}

#[tokio::test]
async fn a_typed_stream_yields_each_follow_decoded_in_order_after_the_lifecycle() {
    let mock = start_mock().await;
    e2e::typed::follows_arrive_decoded_in_order_after_the_lifecycle(&mock, builder(&mock)).await;
}

#[tokio::test]
async fn a_typed_stream_reports_other_notifications_and_undecodable_events_in_order() {
    let mock = start_mock().await;
    e2e::typed::other_notifications_and_undecodable_events_are_reported_in_order(
        &mock,
        builder(&mock),
    )
    .await;
}

#[tokio::test]
async fn a_dropped_socket_reaches_a_typed_consumer_as_disconnected_then_resumed() {
    let mock = start_mock().await;
    e2e::typed::a_dropped_socket_reaches_a_typed_consumer_as_a_gap(&mock, builder(&mock)).await;
}

#[tokio::test]
async fn next_event_hands_everything_but_the_kind_to_the_closure_in_order() {
    let mock = start_mock().await;
    e2e::typed::next_event_hands_everything_else_to_the_closure_in_order(&mock, builder(&mock))
        .await;
}

#[tokio::test]
async fn a_server_close_is_answered_with_the_clients_close_frame() {
    let mock = start_mock().await;
    e2e::server_close_is_answered(&mock, builder(&mock)).await;
}

#[tokio::test]
async fn a_close_timeout_too_long_to_compute_is_refused_by_the_builder_not_a_panic() {
    let mock = start_mock().await;
    let refused = builder(&mock)
        .close_timeout(std::time::Duration::MAX)
        .connect()
        .map(|_| ());
    assert!(
        matches!(
            refused,
            Err(eventsub_tokio::ConnectError::Config(
                eventsub_proto::ConfigError::DurationTooLong {
                    field: "close_timeout",
                    ..
                }
            ))
        ),
        "{refused:?}"
    );
    let client = e2e::subscribed(builder(&mock).close_timeout(eventsub_proto::MAX_TIMEOUT)).await;
    finish(&mock, client).await;
}

#[tokio::test]
async fn shutdown_ends_within_the_close_timeout_while_a_creation_hangs_in_helix() {
    let mock = start_mock().await;
    e2e::shutdown_is_bounded_while_helix_hangs(&mock, builder(&mock)).await;
}

#[tokio::test]
async fn shutdown_ends_within_the_close_timeout_plus_its_deletes_under_an_hour_long_429() {
    let mock = start_mock().await;
    e2e::shutdown_is_bounded_under_a_long_rate_limit(&mock, builder(&mock)).await;
}

#[tokio::test]
async fn a_closing_socket_under_continuous_traffic_is_let_go_past_its_drain_bytes() {
    let mock = start_mock().await;
    e2e::closing_under_continuous_traffic_is_let_go(&mock, builder(&mock)).await;
}

/// On a multi-thread runtime (the client task on a worker, this test on the main thread), the
/// shutdown returns only once the task's future is gone, not when it last said it was finishing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_returns_only_once_the_client_task_is_gone() {
    let mock = start_mock().await;
    let witnessed = e2e::task_end::shut_down_on(&mock, TokioRuntime, false).await;
    assert!(
        witnessed
            .thread_name
            .lock()
            .unwrap()
            .as_deref()
            .is_some_and(|name| name.contains("tokio")),
        "the task ran on a worker: {:?}",
        witnessed.thread_name
    );
}

#[tokio::test]
async fn a_shutdown_ends_while_the_full_event_buffer_is_not_read() {
    let mock = start_mock().await;
    e2e::shutdown_with_a_full_buffer_unread(&mock, builder(&mock)).await;
}

/// An app token of the fixture client, from the mock's client-credentials grant.
async fn app_token(mock: &MockEventSub) -> String {
    use eventsub_tokio::twitch_oauth2::{AppAccessToken, ClientId, ClientSecret, TwitchToken};
    let token = AppAccessToken::get_app_access_token(
        &mock.oauth2_client(),
        ClientId::new(CLIENT_ID.to_owned()),
        ClientSecret::new("secret".to_owned()),
        vec![],
    )
    .await
    .expect("the mock grants an app token");
    token.token().secret().to_owned()
}

#[tokio::test]
async fn an_app_token_is_refused_at_connect() {
    let mock = start_mock().await;
    let app = app_token(&mock).await;
    e2e::token::app_token_refused_at_connect(&mock, || {
        builder_with(&mock, AccessToken::new(app.clone()), client_config())
            .subscribe(eventsub_mock::helix::fixtures::stream_online(USER_ID))
    })
    .await;
}

#[tokio::test]
async fn a_missing_scope_is_refused_before_any_helix_call() {
    let mock = start_mock().await;
    e2e::token::missing_scope_refused_before_any_helix_call(&mock, || {
        builder_with(
            &mock,
            AccessToken::new(e2e::token::UNSCOPED_TOKEN),
            client_config(),
        )
    })
    .await;
}

#[tokio::test]
async fn twelve_own_channel_subscriptions_survive_three_drops() {
    let mock = start_mock().await;
    let config = client_config();
    assert!(
        config.token_user_id.is_none(),
        "learned from validation only"
    );
    e2e::token::twelve_own_channel_subscriptions_survive_drops(
        &mock,
        builder_with(&mock, AccessToken::new(USER_TOKEN), config),
    )
    .await;
}

#[tokio::test]
async fn a_client_whose_only_subscription_is_revoked_idles_without_a_socket_until_resubscribed() {
    let mock = start_mock().await;
    e2e::token::revoking_the_only_subscription_idles_until_resubscribed(&mock, builder(&mock))
        .await;
}

#[tokio::test]
async fn an_unknown_token_is_refused_at_connect_as_unauthorized() {
    let mock = start_mock().await;
    e2e::token::unknown_token_refused_at_connect(
        &mock,
        builder_with(&mock, AccessToken::new("no-such-token"), client_config()),
    )
    .await;
}

#[tokio::test]
async fn a_condition_naming_another_moderator_is_refused_at_connect() {
    let mock = start_mock().await;
    e2e::token::another_users_condition_refused_at_connect(&mock, builder(&mock)).await;
}
