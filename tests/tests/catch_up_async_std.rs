//! Catch-up after a gap under `eventsub-async-std` (async-std), against the mock (on a tokio
//! runtime of its own) over 127.0.0.1: the same builder option as the tokio adapter's, and the
//! same scenario (`catch_up/any_runtime.rs`), on the async-io runtime.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "catch_up/any_runtime.rs"]
mod any_runtime;

use any_runtime::BROADCASTER;
use eventsub_async_std::{AccessToken, EventSub};
use eventsub_mock::{MockConfig, MockEventSub};

const CLIENT: &str = "catch-up-client";
const TOKEN: &str = "token-of-1001";

#[async_std::test]
async fn a_follow_missed_in_a_drop_is_recovered_under_async_std() {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mock = tokio
        .block_on(MockEventSub::start(MockConfig::fast()))
        .unwrap();
    mock.helix().add_user_token(
        TOKEN,
        CLIENT,
        BROADCASTER,
        &["moderator:read:followers", "user:read:chat"],
    );
    let builder = EventSub::builder(CLIENT, AccessToken::new(TOKEN))
        .config(eventsub_mock::scenario::client_config())
        .eventsub_url(mock.ws_url())
        .helix_url(mock.helix_url());
    any_runtime::a_follow_missed_in_a_drop_is_recovered(&mock, builder).await;
}
