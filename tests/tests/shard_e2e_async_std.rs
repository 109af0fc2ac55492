//! `eventsub-async-std` as a conduit shard under async-std, against the mock (on a tokio runtime
//! of its own) over real sockets on 127.0.0.1: the same builder option as `eventsub-tokio`
//! (`.conduit_shard(..)`) assigns the session to the shard, and the conduit's notification
//! reaches it. Waiting is on events; the patience is a guard, not a timing assertion.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::Duration;

use eventsub_async_std::{AccessToken, EventSub};
use eventsub_helix::{ConduitManager, FindConduit};
use eventsub_mock::helix::fast_retries;
use eventsub_mock::scenario::client_config;
use eventsub_mock::{Delivery, MockConfig, MockEventSub};
use eventsub_proto::{Event, SubscriptionSpec};
use futures_util::StreamExt;
use futures_util::future::{Either, select};

const CLIENT_ID: &str = "conduit-client";
const APP_TOKEN: &str = "conduit-app-token";
const PATIENCE: Duration = Duration::from_secs(10);

async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    futures_util::pin_mut!(future);
    match select(future, async_io::Timer::after(PATIENCE)).await {
        Either::Left((output, _)) => output,
        Either::Right(_) => panic!("timed out waiting for {what}"),
    }
}

#[async_std::test]
async fn an_async_std_client_is_a_conduit_shard_with_the_same_builder_option() {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let config = MockConfig::fast().with_unused_window(Duration::from_secs(60));
    let mock = tokio.block_on(MockEventSub::start(config)).unwrap();
    mock.helix().add_app_token(APP_TOKEN, CLIENT_ID);
    // Helix over reqwest needs tokio's reactor: the manager runs on the mock's runtime.
    let manager = tokio
        .block_on(ConduitManager::open(
            mock.helix_client(CLIENT_ID, APP_TOKEN),
            FindConduit::Create { shard_count: 1 },
        ))
        .unwrap();
    let online =
        SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "42");
    tokio.block_on(manager.subscribe(&online)).unwrap();

    let (handle, mut events) = EventSub::builder(CLIENT_ID, AccessToken::new(APP_TOKEN))
        .config(client_config())
        .eventsub_url(mock.ws_url())
        .helix_url(mock.helix_url())
        .auth_url(mock.auth_url())
        .helix_retry(fast_retries())
        .conduit_shard(manager.conduit().id.clone(), 0)
        .connect()
        .unwrap();
    let mut seen = Vec::new();
    within("the shard assigned", async {
        while let Some(event) = events.next().await {
            let assigned = matches!(event, Event::ShardAssigned { .. });
            seen.push(event);
            if assigned {
                return;
            }
        }
        panic!("the stream ended: {seen:#?}");
    })
    .await;

    let routed = mock.notify_routed("stream.online", Delivery::Once);
    assert_eq!(routed.len(), 1);
    let delivered = within("the notification", async {
        loop {
            match events.next().await {
                Some(Event::Notification(notification)) => return notification,
                Some(_) => {}
                None => panic!("the stream ended"),
            }
        }
    })
    .await;
    assert_eq!(delivered.message_id().to_string(), routed[0].message_id);
    within("shutdown", handle.shutdown()).await;
}
