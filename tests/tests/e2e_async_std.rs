//! End-to-end tests of `eventsub-async-std` under async-std, against the mock EventSub server (which
//! runs on a tokio runtime of its own), over real sockets on 127.0.0.1. The adapter shares its
//! driver with `eventsub-tokio`, and runs the same scenarios (`e2e/mod.rs`) on the async-io
//! runtime: the lifecycle, a reconnect in a burst with nothing lost or duplicated, keepalive
//! silence, 4003, 4007, a TCP drop with backoff, revocation, runtime subscribe and unsubscribe, a
//! graceful shutdown that deletes the subscriptions, and a slow consumer. Every test ends by
//! checking the mock's records: the client never sent a data frame.

mod e2e;

use std::sync::atomic::Ordering;

use eventsub_async_std::{AccessToken, AsyncIoRuntime, EventSub, EventSubBuilder};
use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_ID, USER_TOKEN};
use eventsub_mock::scenario::client_config;
use eventsub_mock::{MockConfig, MockEventSub};

/// The mock and the tokio runtime it runs on.
struct Mock {
    mock: MockEventSub,
    _tokio: tokio::runtime::Runtime,
}

impl std::ops::Deref for Mock {
    type Target = MockEventSub;
    fn deref(&self) -> &MockEventSub {
        &self.mock
    }
}

fn start_mock() -> Mock {
    start_mock_with(MockConfig::fast())
}

fn start_mock_with(config: MockConfig) -> Mock {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mock = tokio.block_on(MockEventSub::start(config)).unwrap();
    e2e::grant_user_token(&mock);
    Mock {
        mock,
        _tokio: tokio,
    }
}

fn builder(mock: &Mock) -> EventSubBuilder<AsyncIoRuntime> {
    e2e::against(
        EventSub::builder(CLIENT_ID, AccessToken::new(USER_TOKEN)),
        mock,
        client_config(),
    )
}

#[async_std::test]
async fn full_lifecycle_welcome_subscribe_notify_shutdown() {
    let mock = start_mock();
    e2e::full_lifecycle(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn reconnect_in_a_burst_loses_nothing_and_duplicates_nothing() {
    let mock = start_mock();
    e2e::reconnect_in_a_burst(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn a_reconnect_storm_over_real_sockets_never_holds_more_than_three() {
    let mock = start_mock();
    e2e::reconnect_storm(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn keepalive_silence_is_detected_then_reconnects_resubscribes_and_resumes() {
    let mock = start_mock();
    e2e::keepalive_silence(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn a_client_without_subscriptions_idles_and_connects_once_one_is_added() {
    let mock = start_mock();
    e2e::no_subscriptions_idle_until_subscribe(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn a_stale_reconnect_url_gets_4007_and_the_client_recovers() {
    let mock = start_mock();
    e2e::stale_reconnect_url_4007(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn a_tcp_drop_backs_off_then_resubscribes_and_resumes() {
    let mock = start_mock();
    e2e::tcp_drop(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn a_revocation_reaches_the_user() {
    let mock = start_mock();
    e2e::revocation(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn subscriptions_are_added_and_removed_at_runtime() {
    let mock = start_mock();
    e2e::runtime_subscriptions(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn graceful_shutdown_closes_with_1000_and_deletes_the_subscriptions() {
    let mock = start_mock();
    e2e::graceful_shutdown(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn discarding_with_lagged_a_slow_consumer_never_makes_the_client_miss_keepalives() {
    let mock = start_mock();
    e2e::slow_consumer(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn by_default_a_slow_consumer_loses_nothing_and_the_session_survives() {
    let mock = start_mock();
    e2e::backpressure_by_default(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn lifecycle_events_are_never_discarded_when_the_buffer_is_full() {
    let mock = start_mock();
    e2e::lifecycle_events_are_never_discarded(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn a_burst_to_a_consumer_spending_5us_per_event_loses_nothing_under_backpressure() {
    let mock = start_mock();
    e2e::burst_to_a_slow_consumer(&mock, builder(&mock), 20_000).await;
}

#[async_std::test]
async fn a_slow_consumer_is_read_for_in_stretches_of_half_its_buffer() {
    let mock = start_mock();
    e2e::a_slow_consumer_is_read_for_in_stretches(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn a_typed_stream_yields_each_follow_decoded_in_order_after_the_lifecycle() {
    let mock = start_mock();
    e2e::typed::follows_arrive_decoded_in_order_after_the_lifecycle(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn a_typed_stream_reports_other_notifications_and_undecodable_events_in_order() {
    let mock = start_mock();
    e2e::typed::other_notifications_and_undecodable_events_are_reported_in_order(
        &mock,
        builder(&mock),
    )
    .await;
}

#[async_std::test]
async fn a_dropped_socket_reaches_a_typed_consumer_as_disconnected_then_resumed() {
    let mock = start_mock();
    e2e::typed::a_dropped_socket_reaches_a_typed_consumer_as_a_gap(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn next_event_hands_everything_but_the_kind_to_the_closure_in_order() {
    let mock = start_mock();
    e2e::typed::next_event_hands_everything_else_to_the_closure_in_order(&mock, builder(&mock))
        .await;
}

#[async_std::test]
async fn a_server_close_is_answered_with_the_clients_close_frame() {
    let mock = start_mock();
    e2e::server_close_is_answered(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn shutdown_ends_within_the_close_timeout_while_a_creation_hangs_in_helix() {
    let mock = start_mock();
    e2e::shutdown_is_bounded_while_helix_hangs(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn shutdown_ends_within_the_close_timeout_plus_its_deletes_under_an_hour_long_429() {
    let mock = start_mock();
    e2e::shutdown_is_bounded_under_a_long_rate_limit(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn a_closing_socket_under_continuous_traffic_is_let_go_past_its_drain_bytes() {
    let mock = start_mock();
    e2e::closing_under_continuous_traffic_is_let_go(&mock, builder(&mock)).await;
}

/// The client ran on the adapter's thread of its own, and that thread had exited (its
/// thread-locals destroyed, the last thing a thread does) when the shutdown returned.
#[async_std::test]
async fn shutdown_returns_only_once_the_client_thread_has_exited() {
    let mock = start_mock();
    let witnessed = e2e::task_end::shut_down_on(&mock, AsyncIoRuntime, true).await;
    assert_eq!(
        witnessed.thread_name.lock().unwrap().as_deref(),
        Some(eventsub_async_std::CLIENT_THREAD_NAME),
        "the task ran on the adapter's own thread"
    );
    assert!(
        witnessed.thread_exited.load(Ordering::SeqCst),
        "shutdown returned while the client thread was still running"
    );
}

#[async_std::test]
async fn a_shutdown_ends_while_the_full_event_buffer_is_not_read() {
    let mock = start_mock();
    e2e::shutdown_with_a_full_buffer_unread(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn a_handover_while_the_consumer_is_stalled_delivers_everything_the_old_socket_carried() {
    // Twitch's 30 s reconnect grace: the old socket is the client's to close.
    let mock = start_mock_with(
        MockConfig::fast().with_reconnect_grace(std::time::Duration::from_secs(30)),
    );
    e2e::handover_while_the_consumer_is_stalled(&mock, builder(&mock)).await;
}

fn builder_with_token(mock: &Mock, token: &str) -> EventSubBuilder<AsyncIoRuntime> {
    e2e::against(
        EventSub::builder(CLIENT_ID, AccessToken::new(token)),
        mock,
        client_config(),
    )
}

/// An app token of the fixture client, from the mock's client-credentials grant (asked on the
/// mock's tokio runtime: the OAuth client is reqwest's).
fn app_token(mock: &Mock) -> String {
    use eventsub_async_std::twitch_oauth2::{AppAccessToken, ClientId, ClientSecret, TwitchToken};
    let token = mock
        ._tokio
        .block_on(AppAccessToken::get_app_access_token(
            &mock.oauth2_client(),
            ClientId::new(CLIENT_ID.to_owned()),
            ClientSecret::new("secret".to_owned()),
            vec![],
        ))
        .expect("the mock grants an app token");
    token.token().secret().to_owned()
}

#[async_std::test]
async fn an_app_token_is_refused_at_connect() {
    let mock = start_mock();
    let app = app_token(&mock);
    e2e::token::app_token_refused_at_connect(&mock, || {
        builder_with_token(&mock, &app)
            .subscribe(eventsub_mock::helix::fixtures::stream_online(USER_ID))
    })
    .await;
}

#[async_std::test]
async fn a_missing_scope_is_refused_before_any_helix_call() {
    let mock = start_mock();
    e2e::token::missing_scope_refused_before_any_helix_call(&mock, || {
        builder_with_token(&mock, e2e::token::UNSCOPED_TOKEN)
    })
    .await;
}

#[async_std::test]
async fn twelve_own_channel_subscriptions_survive_three_drops() {
    let mock = start_mock();
    assert!(
        client_config().token_user_id.is_none(),
        "learned from validation only"
    );
    e2e::token::twelve_own_channel_subscriptions_survive_drops(&mock, builder(&mock)).await;
}

#[async_std::test]
async fn a_client_whose_only_subscription_is_revoked_idles_without_a_socket_until_resubscribed() {
    let mock = start_mock();
    e2e::token::revoking_the_only_subscription_idles_until_resubscribed(&mock, builder(&mock))
        .await;
}

#[async_std::test]
async fn an_unknown_token_is_refused_at_connect_as_unauthorized() {
    let mock = start_mock();
    e2e::token::unknown_token_refused_at_connect(&mock, builder_with_token(&mock, "no-such-token"))
        .await;
}

#[async_std::test]
async fn a_condition_naming_another_moderator_is_refused_at_connect() {
    let mock = start_mock();
    e2e::token::another_users_condition_refused_at_connect(&mock, builder(&mock)).await;
}
