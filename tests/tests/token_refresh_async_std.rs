//! The twitch_oauth2 provider under async-std: its refreshes (reqwest, which needs a tokio
//! reactor) run inside the adapter's Helix calls, so they work on async-io as on tokio. The mock
//! serves from a tokio runtime of its own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[allow(dead_code)] // the scenarios of the adapters' suites are not run here
mod e2e;

use std::time::Duration;

use eventsub_async_std::twitch_oauth2::{self, ClientSecret, RefreshToken, UserToken};
use eventsub_async_std::{
    BroadcasterId, EventSub, ModeratorId, SubscriptionSpec, UserTokenProvider,
};
use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_ID, USER_REFRESH_TOKEN, USER_TOKEN};
use eventsub_mock::scenario::client_config;
use eventsub_mock::{MockConfig, MockEventSub};

#[async_std::test]
async fn on_async_std_an_expiring_token_is_refreshed_first_and_a_revoked_one_after_its_401() {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let lifetime = Duration::from_secs(1);
    let mock = tokio
        .block_on(MockEventSub::start(MockConfig::fast()))
        .unwrap();
    {
        let mut helix = mock.helix();
        helix.token_lifetime = lifetime;
        helix.add_user_token(
            USER_TOKEN,
            CLIENT_ID,
            USER_ID,
            &["moderator:read:followers"],
        );
        helix.add_refresh_token(USER_REFRESH_TOKEN, USER_TOKEN);
    }
    let http = mock.oauth2_client();
    let token = tokio
        .block_on(UserToken::from_existing(
            &http,
            twitch_oauth2::AccessToken::new(USER_TOKEN.to_owned()),
            RefreshToken::new(USER_REFRESH_TOKEN.to_owned()),
            None::<ClientSecret>,
        ))
        .unwrap();
    let tokens =
        UserTokenProvider::with_client(http, token).refresh_margin(Duration::from_millis(300));
    let builder = e2e::against(
        EventSub::builder(CLIENT_ID, tokens.clone()),
        &mock,
        client_config(),
    );
    let mut client = e2e::subscribed(builder).await;
    let follows =
        SubscriptionSpec::channel_follow_v2(BroadcasterId::new(USER_ID), ModeratorId::new(USER_ID));

    // Past the first token's life: the provider refreshes before the call.
    async_io::Timer::after(lifetime + Duration::from_millis(200)).await;
    client.handle.subscribe(follows.clone()).await.unwrap();
    client.subscribed().await;
    assert_eq!(mock.helix().grants.issued, 1);

    // The fresh token is revoked under the provider's feet: the delete meets a 401, the provider
    // refreshes, and the retry goes through.
    let current = tokens.user_token().await.access_token.secret().to_owned();
    mock.helix().revoke_token(&current);
    assert!(client.handle.unsubscribe(follows).await.unwrap());
    assert!(
        e2e::deleted(&mock, "channel.follow").await,
        "deleted over Helix"
    );
    assert_eq!(mock.helix().grants.issued, 2);
    e2e::finish(&mock, client).await;
}
