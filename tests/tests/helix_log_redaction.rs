//! Tokens and webhook secrets never show in the logs, even at trace level.
//!
//! Alone in its test binary on purpose: `tracing` caches per call site whether anyone listens, so a
//! test on another thread that reaches the same call sites with no subscriber could make them
//! silent for this test's thread-local one (the log capture then missed "helix request" now and
//! then).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use eventsub_helix::{TransportRequest, WebhookSecret};
use eventsub_mock::helix::Fault;
use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_TOKEN, start_with_fixtures};
use eventsub_proto::SubscriptionSpec;

const SECRET_TOKEN: &str = "very-secret-token-value";
const WEBHOOK_SECRET: &str = "very-secret-webhook";

fn assert_hidden(text: &str) {
    eventsub_tests::secrets::assert_hidden(text, &[SECRET_TOKEN, USER_TOKEN, WEBHOOK_SECRET]);
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
