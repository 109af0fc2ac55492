//! The adapter takes its clock from tokio, so paused time drives it: here a server that is never
//! there, retried with backoff until the core gives up, in no real time at all.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::Duration;

use eventsub_proto::{BackoffConfig, Config, StopReason};
use eventsub_tokio::{AccessToken, Event, EventSub};
use futures_util::StreamExt;

#[tokio::test(start_paused = true)]
async fn an_unreachable_server_is_retried_with_growing_backoff_on_virtual_time() {
    // A port nothing listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = Config::default();
    config.backoff =
        BackoffConfig::new(Duration::from_secs(4), Duration::from_secs(60)).with_max_attempts(3);
    // No token server either: this is about the socket's backoff (for a subscription, else the
    // client would idle instead of connecting).
    config.validate_token = false;
    config
        .subscriptions
        .push(eventsub_proto::SubscriptionSpec::new("stream.online", "1"));
    let started = tokio::time::Instant::now();
    let (handle, mut events) = EventSub::builder("client", AccessToken::new("token"))
        .config(config)
        .eventsub_url(format!("ws://127.0.0.1:{port}/ws"))
        .helix_url("http://127.0.0.1:9/helix")
        .seed(1)
        .connect()
        .unwrap();
    let mut retries = Vec::new();
    let reason = loop {
        match events.next().await.expect("the stream ends after Stopped") {
            Event::ConnectFailed { retry_at, .. } => retries.extend(retry_at),
            Event::Stopped { reason } => break reason,
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(reason, StopReason::GaveUp { attempts: 3 });
    assert_eq!(retries.len(), 3, "three retries were scheduled");
    let gaps: Vec<Duration> = retries
        .windows(2)
        .map(|w| w[1].saturating_duration_since(w[0]))
        .collect();
    assert!(
        gaps.iter().all(|gap| *gap >= Duration::from_secs(2)),
        "backoff between attempts: {gaps:?}"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(2 + 4),
        "virtual time passed: {:?}",
        started.elapsed()
    );
    handle.finished().await;
    assert!(events.next().await.is_none());
}
