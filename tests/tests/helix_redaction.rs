//! Tokens and webhook secrets never show in `Debug`, `Display`, errors or logs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use eventsub_helix::{
    AccessToken, HelixClient, ShardUpdate, SubscriptionFilter, TransportRequest, WebhookSecret,
};
use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_TOKEN, start_with_fixtures};
use eventsub_mock::helix::{Fault, fast_retries};
use eventsub_proto::SubscriptionSpec;

const SECRET_TOKEN: &str = "very-secret-token-value";
const WEBHOOK_SECRET: &str = "very-secret-webhook";

fn assert_hidden(text: &str) {
    assert!(!text.contains(SECRET_TOKEN), "token leaked: {text}");
    assert!(!text.contains(USER_TOKEN), "token leaked: {text}");
    assert!(
        !text.contains(WEBHOOK_SECRET),
        "webhook secret leaked: {text}"
    );
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

/// A log sink shared with the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn debug_logs_never_carry_the_token_or_secret() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mock = start_with_fixtures().await.unwrap();
    mock.state().add_app_token(SECRET_TOKEN, CLIENT_ID);
    let client = mock.client(CLIENT_ID, SECRET_TOKEN);
    mock.inject(Fault::ServerError(500), 1);
    client.validate_token().await.unwrap();
    let spec =
        SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "1");
    let transport =
        TransportRequest::webhook("https://example.test", WebhookSecret::new(WEBHOOK_SECRET));
    client.create_subscription(&spec, &transport).await.unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("helix request"), "logs were captured: {logs}");
    assert!(logs.contains("helix retry"));
    assert_hidden(&logs);
}
