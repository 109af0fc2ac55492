//! Rate limits, server errors, timeouts, malformed bodies and transport failures, injected into
//! the mock and met by the client over real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use eventsub_helix::{AccessToken, HelixClient, HelixError, RetryPolicy, SubscriptionFilter};
use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_TOKEN, start_with_fixtures};
use eventsub_mock::helix::{Fault, RATE_LIMIT_BUCKET, fast_retries};

async fn list(client: &HelixClient) -> Result<usize, HelixError> {
    let page = client
        .subscriptions_page(&SubscriptionFilter::All, None)
        .await?;
    Ok(page.subscriptions.len())
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn rate_limit_headers_of_the_last_answer_are_readable() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, USER_TOKEN);
    assert_eq!(client.rate_limit(), None);
    list(&client).await.unwrap();
    let first = client.rate_limit().unwrap();
    assert_eq!(first.limit, Some(RATE_LIMIT_BUCKET));
    assert!(first.reset.unwrap() >= unix_now());
    list(&client).await.unwrap();
    let second = client.rate_limit().unwrap();
    assert!(second.remaining.unwrap() < first.remaining.unwrap());
}

#[tokio::test]
async fn rate_limited_request_is_retried_after_the_reset_then_succeeds() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, USER_TOKEN);
    // The reset is 30 s away; the policy caps the wait at 5 ms.
    mock.inject(Fault::RateLimited { reset_in_secs: 30 }, 2);
    assert_eq!(list(&client).await.unwrap(), 0);
    assert_eq!(mock.request_count(), 3);
    assert!(client.rate_limit().unwrap().remaining.unwrap() > 0);
}

#[tokio::test]
async fn rate_limit_that_outlasts_the_retries_is_an_error_with_the_reset() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, USER_TOKEN);
    mock.inject(Fault::RateLimited { reset_in_secs: 30 }, 3);
    let error = list(&client).await.unwrap_err();
    match &error {
        HelixError::RateLimited {
            rate_limit,
            attempts,
        } => {
            assert_eq!(*attempts, 3);
            assert_eq!(rate_limit.remaining, Some(0));
            let reset = rate_limit.reset.unwrap();
            assert!((unix_now() + 25..=unix_now() + 31).contains(&reset));
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert!(error.to_string().contains("429"));
    assert_eq!(client.rate_limit().unwrap().remaining, Some(0));
    assert_eq!(mock.request_count(), 3);
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff_then_succeed() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, USER_TOKEN);
    mock.inject(Fault::ServerError(503), 1);
    mock.inject(Fault::ServerError(500), 1);
    assert_eq!(list(&client).await.unwrap(), 0);
    assert_eq!(mock.request_count(), 3);
}

#[tokio::test]
async fn server_errors_that_outlast_the_retries_are_an_error() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, USER_TOKEN);
    mock.inject(Fault::ServerError(502), 5);
    let error = list(&client).await.unwrap_err();
    assert!(
        matches!(
            error,
            HelixError::Server {
                status: 502,
                attempts: 3,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(mock.request_count(), 3);
}

#[tokio::test]
async fn no_retries_means_one_request() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client_with(
        CLIENT_ID,
        USER_TOKEN,
        RetryPolicy::none(),
        Duration::from_secs(2),
    );
    mock.inject(Fault::ServerError(500), 1);
    assert!(matches!(
        list(&client).await.unwrap_err(),
        HelixError::Server { attempts: 1, .. }
    ));
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn slow_answer_within_the_timeout_succeeds() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, USER_TOKEN);
    mock.inject(Fault::Slow(Duration::from_millis(50)), 1);
    assert_eq!(list(&client).await.unwrap(), 0);
}

#[tokio::test]
async fn slow_answer_past_the_timeout_is_a_timeout() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client_with(
        CLIENT_ID,
        USER_TOKEN,
        fast_retries(),
        Duration::from_millis(100),
    );
    mock.inject(Fault::Slow(Duration::from_secs(2)), 1);
    let started = std::time::Instant::now();
    let error = list(&client).await.unwrap_err();
    assert!(matches!(error, HelixError::Timeout), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn malformed_body_is_its_own_error() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, USER_TOKEN);
    mock.inject(Fault::MalformedBody, 1);
    let error = list(&client).await.unwrap_err();
    assert!(matches!(error, HelixError::MalformedBody(_)), "{error:?}");
    assert_eq!(mock.request_count(), 1, "a malformed body is not retried");
}

#[tokio::test]
async fn refused_connection_is_a_transport_failure() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = HelixClient::builder(CLIENT_ID, AccessToken::new(USER_TOKEN))
        .api_base_url(format!("http://{addr}/helix"))
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let error = list(&client).await.unwrap_err();
    assert!(matches!(error, HelixError::Transport(_)), "{error:?}");
}

#[tokio::test]
async fn an_invalid_base_url_is_refused_at_build_time() {
    let error = HelixClient::builder(CLIENT_ID, AccessToken::new(USER_TOKEN))
        .api_base_url("not a url")
        .build()
        .unwrap_err();
    assert!(
        matches!(error, HelixError::InvalidBaseUrl { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_body_past_the_default_limit_is_refused_with_the_limit() {
    let mock = start_with_fixtures().await.unwrap();
    let client = mock.client(CLIENT_ID, USER_TOKEN);
    mock.inject(
        Fault::OversizedBody {
            bytes: eventsub_helix::DEFAULT_MAX_BODY_BYTES + 1,
        },
        1,
    );
    let error = list(&client).await.unwrap_err();
    assert!(
        matches!(
            error,
            HelixError::BodyTooLarge {
                limit: eventsub_helix::DEFAULT_MAX_BODY_BYTES
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("4194304 bytes"), "{error}");
    assert_eq!(mock.request_count(), 1, "an oversized body is not retried");
    // The next answer is normal again.
    assert_eq!(list(&client).await.unwrap(), 0);
}

#[tokio::test]
async fn the_body_limit_is_configurable_on_the_builder() {
    let mock = start_with_fixtures().await.unwrap();
    let client = HelixClient::builder(CLIENT_ID, AccessToken::new(USER_TOKEN))
        .api_base_url(mock.api_base_url())
        .retry_policy(fast_retries())
        .max_body_bytes(16 * 1024)
        .build()
        .unwrap();
    assert_eq!(list(&client).await.unwrap(), 0, "a small answer fits");
    mock.inject(Fault::OversizedBody { bytes: 64 * 1024 }, 1);
    let error = list(&client).await.unwrap_err();
    assert!(
        matches!(error, HelixError::BodyTooLarge { limit: 16_384 }),
        "{error:?}"
    );
}
