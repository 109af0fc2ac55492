//! Ready-made `eventsub-helix` clients pointed at a mock (feature `helix-client`), with retries
//! fast enough for tests.

use std::time::Duration;

use eventsub_helix::{AccessToken, HelixClient, RetryPolicy};

use super::MockHelix;

impl MockHelix {
    /// A client for this mock with fast retries (1 ms backoff, at most 5 ms wait for a reset,
    /// 2 retries) and a 2 s timeout, so tests stay quick.
    pub fn client(&self, client_id: &str, token: &str) -> HelixClient {
        self.client_with(client_id, token, fast_retries(), Duration::from_secs(2))
    }

    /// A client for this mock with the given retry policy and timeout.
    pub fn client_with(
        &self,
        client_id: &str,
        token: &str,
        retry: RetryPolicy,
        timeout: Duration,
    ) -> HelixClient {
        client_at(
            &self.api_base_url(),
            &self.auth_base_url(),
            client_id,
            token,
            retry,
            timeout,
        )
    }
}

/// A Helix client for a mock at these base URLs.
pub fn client_at(
    api_base_url: &str,
    auth_base_url: &str,
    client_id: &str,
    token: &str,
    retry: RetryPolicy,
    timeout: Duration,
) -> HelixClient {
    let built = HelixClient::builder(client_id, AccessToken::new(token))
        .api_base_url(api_base_url)
        .auth_base_url(auth_base_url)
        .retry_policy(retry)
        .timeout(timeout)
        .build();
    match built {
        Ok(client) => client,
        // The URLs are made from a socket address; they always parse.
        Err(error) => panic!("mock URLs are valid: {error}"),
    }
}

/// The retry policy of [`MockHelix::client`]: 2 retries, millisecond waits.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::new(2)
        .with_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .with_max_reset_wait(Duration::from_millis(5))
}
