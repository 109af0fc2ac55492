//! Tokens and webhook secrets never show in `Debug`, `Display` or errors (logs: `helix_log_redaction.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::Duration;

use eventsub_helix::{
    AccessToken, HelixClient, ShardUpdate, SubscriptionFilter, TransportRequest, WebhookSecret,
};
use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_TOKEN, start_with_fixtures};
use eventsub_mock::helix::{Fault, fast_retries};

const SECRET_TOKEN: &str = "very-secret-token-value";
const WEBHOOK_SECRET: &str = "very-secret-webhook";

fn assert_hidden(text: &str) {
    eventsub_tests::secrets::assert_hidden(text, &[SECRET_TOKEN, USER_TOKEN, WEBHOOK_SECRET]);
}

#[test]
fn token_and_secret_types_print_redacted() {
    let token = AccessToken::new(SECRET_TOKEN);
    assert_hidden(&format!("{token:?} {token}"));
    assert_eq!(token.expose_secret(), SECRET_TOKEN);
    let transport =
        TransportRequest::webhook("https://example.test", WebhookSecret::new(WEBHOOK_SECRET));
    assert_hidden(&format!("{transport:?}"));
    assert_hidden(&format!("{:?}", ShardUpdate::new(0, transport)));
}

#[test]
fn client_debug_hides_the_token() {
    let client = HelixClient::builder(CLIENT_ID, AccessToken::new(SECRET_TOKEN))
        .build()
        .unwrap();
    let debug = format!(
        "{client:?} {:#?}",
        client.with_token(AccessToken::new(SECRET_TOKEN))
    );
    assert_hidden(&debug);
    assert!(debug.contains(CLIENT_ID));
}

#[tokio::test]
async fn errors_never_carry_the_token() {
    let mock = start_with_fixtures().await.unwrap();
    let unauthorized = mock
        .client(CLIENT_ID, SECRET_TOKEN)
        .subscriptions_page(&SubscriptionFilter::All, None)
        .await
        .unwrap_err();
    let client = mock.client_with(
        CLIENT_ID,
        USER_TOKEN,
        fast_retries(),
        Duration::from_millis(50),
    );
    mock.inject(Fault::Slow(Duration::from_secs(1)), 1);
    let timeout = client.validate_token().await.unwrap_err();
    mock.inject(Fault::RateLimited { reset_in_secs: 1 }, 3);
    let rate_limited = client.validate_token().await.unwrap_err();
    mock.inject(Fault::ServerError(500), 3);
    let server = client.conduits().await.unwrap_err();
    for error in [unauthorized, timeout, rate_limited, server] {
        assert_hidden(&format!("{error} {error:?}"));
    }
}
