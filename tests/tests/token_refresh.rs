//! Tokens over the mock, end to end on tokio: the provider is asked before every Helix call, a
//! twitch_oauth2 user token that expires mid-run is refreshed with no event lost, and a token
//! rejected with 401 is refreshed once however many calls it failed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[allow(dead_code)] // the scenarios of the adapters' suites are not run here
mod e2e;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use e2e::{TestClient, WAIT, finish, within};
use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_ID, USER_REFRESH_TOKEN, USER_TOKEN};
use eventsub_mock::oauth2_client::MockOauth2Client;
use eventsub_mock::scenario::{assert_delivered_exactly_once, client_config};
use eventsub_mock::{Delivery, MockConfig, MockEventSub};
use eventsub_proto::Event;
use eventsub_tokio::twitch_oauth2::{self, ClientSecret, RefreshToken, TwitchToken, UserToken};
use eventsub_tokio::{
    AccessToken, BoxFuture, BroadcasterId, EventSub, ModeratorId, SubscriptionSpec, TokenError,
    TokenProvider, UserTokenProvider,
};

const SCOPES: &[&str] = &["moderator:read:followers"];

/// A mock whose tokens live `lifetime`, with the fixture user's token and refresh token.
async fn mock_with_token_lifetime(lifetime: Duration) -> MockEventSub {
    let mock = MockEventSub::start(MockConfig::fast()).await.unwrap();
    {
        let mut helix = mock.helix();
        helix.token_lifetime = lifetime;
        helix.add_user_token(USER_TOKEN, CLIENT_ID, USER_ID, SCOPES);
        helix.add_refresh_token(USER_REFRESH_TOKEN, USER_TOKEN);
    }
    mock
}

/// The fixture user's token as twitch_oauth2 sees it (validated against the mock).
async fn user_token(http: &MockOauth2Client) -> UserToken {
    UserToken::from_existing(
        http,
        twitch_oauth2::AccessToken::new(USER_TOKEN.to_owned()),
        RefreshToken::new(USER_REFRESH_TOKEN.to_owned()),
        None::<ClientSecret>,
    )
    .await
    .unwrap()
}

fn follows() -> SubscriptionSpec {
    SubscriptionSpec::channel_follow_v2(BroadcasterId::new(USER_ID), ModeratorId::new(USER_ID))
}

/// Reads events until every notification the mock wrote so far has arrived, adding their ids
/// to `received`.
async fn receive_all_sent(
    client: &mut TestClient,
    mock: &MockEventSub,
    received: &mut Vec<String>,
) {
    let sent = mock.records().notification_ids().len();
    while received.len() < sent {
        received.extend(client.notifications(1).await);
    }
}

/// Notifies `stream.online` (and `channel.follow` when `with_follows`) every 25 ms for `how_long`;
/// the ids the mock queued.
async fn notify_for(mock: &MockEventSub, how_long: Duration, with_follows: bool) -> Vec<String> {
    let mut sent = Vec::new();
    let until = tokio::time::Instant::now() + how_long;
    while tokio::time::Instant::now() < until {
        sent.extend(mock.notify("stream.online", Delivery::Once));
        if with_follows {
            sent.extend(mock.notify("channel.follow", Delivery::Once));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    sent
}

#[tokio::test]
async fn a_user_token_that_expires_mid_run_is_refreshed_and_no_event_is_lost() {
    let lifetime = Duration::from_secs(2);
    let mock = mock_with_token_lifetime(lifetime).await;
    let http = mock.oauth2_client();
    let stored: Arc<Mutex<Vec<String>>> = Arc::default();
    let store = stored.clone();
    let tokens = UserTokenProvider::with_client(http.clone(), user_token(&http).await)
        .refresh_margin(Duration::from_millis(500))
        .on_refresh(move |token| {
            let refresh = token.refresh_token.as_ref().map(|t| t.secret().to_owned());
            store.lock().unwrap().extend(refresh);
        });
    let builder = e2e::against(
        EventSub::builder(CLIENT_ID, tokens.clone()),
        &mock,
        client_config(),
    );
    let mut client = e2e::subscribed(builder).await;
    let mut received = Vec::new();

    // Events flow while the first token runs out.
    let mut sent = notify_for(&mock, lifetime + Duration::from_millis(500), false).await;
    assert!(
        mock.helix()
            .token_record(USER_TOKEN)
            .is_none_or(|t| t.is_expired()),
        "the first token has expired (or was replaced)"
    );
    // A Helix call after the expiry: the provider refreshes first, and the call succeeds.
    client.handle.subscribe(follows()).await.unwrap();
    // Notifications still come meanwhile: keep them.
    while let Event::Notification(n) = client
        .until("the follow's creation", |e| {
            matches!(
                e,
                Event::Notification(_) | Event::SubscriptionCreated { .. }
            )
        })
        .await
    {
        received.push(n.message_id().to_string());
    }
    assert!(mock.helix().grants.issued >= 1, "refreshed");

    // The refreshed token runs out too; then the socket drops, and both subscriptions are
    // created again on the new session, with a token refreshed once more.
    sent.extend(notify_for(&mock, lifetime + Duration::from_millis(300), true).await);
    within(
        WAIT,
        "everything sent so far",
        receive_all_sent(&mut client, &mock, &mut received),
    )
    .await;
    let issued_before_drop = mock.helix().grants.issued;
    let socket = e2e::current_socket(&mock).await;
    assert!(mock.drop_socket(socket));
    client
        .until("resumed", |e| matches!(e, Event::Resumed { .. }))
        .await;
    assert_eq!(mock.live_subscriptions(), 2, "both created again");
    assert!(
        mock.helix().grants.issued > issued_before_drop,
        "refreshed again"
    );

    sent.extend(notify_for(&mock, Duration::from_millis(300), true).await);
    within(
        WAIT,
        "everything sent",
        receive_all_sent(&mut client, &mock, &mut received),
    )
    .await;
    assert_delivered_exactly_once(&mock.records(), &sent, &received);
    assert!(
        !client.saw(|e| matches!(e, Event::SubscriptionFailed { .. } | Event::Stopped { .. })),
        "no call failed: {:#?}",
        client.seen
    );

    // The app learnt of every refresh, and the provider holds the newest token.
    let stored = stored.lock().unwrap().clone();
    assert_eq!(stored.len() as u64, mock.helix().grants.issued);
    let current = tokens.user_token().await;
    assert_eq!(
        current
            .refresh_token
            .as_ref()
            .map(|t| t.secret().to_owned()),
        stored.last().cloned()
    );
    assert!(!current.is_elapsed());
    finish(&mock, client).await;
}

/// Hands out whatever token the test sets, counting each ask; refreshes never.
struct Counting {
    token: Mutex<AccessToken>,
    asked: AtomicUsize,
}

impl TokenProvider for Counting {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        let token = self.token.lock().unwrap().clone();
        Box::pin(async move { Ok(token) })
    }
}

#[tokio::test]
async fn the_provider_is_asked_for_the_token_before_every_helix_call() {
    let mock = MockEventSub::start(MockConfig::fast()).await.unwrap();
    e2e::grant_user_token(&mock);
    mock.helix()
        .add_user_token("second-token-of-1001", CLIENT_ID, USER_ID, SCOPES);
    let tokens = Arc::new(Counting {
        token: Mutex::new(AccessToken::new(USER_TOKEN)),
        asked: AtomicUsize::new(0),
    });
    let mut config = client_config();
    config.delete_subscriptions_on_shutdown = true;
    let builder = e2e::against(EventSub::builder(CLIENT_ID, tokens.clone()), &mock, config);
    let mut client = e2e::subscribed(builder).await;

    // The app switches tokens and the first one stops working: the next call sends the new one.
    *tokens.token.lock().unwrap() = AccessToken::new("second-token-of-1001");
    mock.helix().revoke_token(USER_TOKEN);
    client.handle.subscribe(follows()).await.unwrap();
    client.subscribed().await;
    assert!(client.handle.unsubscribe(follows()).await.unwrap());
    assert!(
        e2e::deleted(&mock, "channel.follow").await,
        "deleted over Helix"
    );
    let events = client.shutdown().await;
    assert!(matches!(events.last(), Some(Event::Stopped { .. })));
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::SubscriptionFailed { .. })),
        "{events:#?}"
    );
    // Two creations and two deletes (one asked for, one at shutdown), at least; every one of
    // them, and nothing else, asked first.
    let requests = mock.helix().requests;
    assert!(requests >= 4, "{requests} Helix calls");
    assert_eq!(tokens.asked.load(Ordering::SeqCst) as u64, requests);
    e2e::assert_no_data_frames(&mock);
}

#[tokio::test]
async fn a_token_revoked_mid_run_is_refreshed_after_the_401_and_the_call_retried() {
    let mock = mock_with_token_lifetime(Duration::from_secs(3_600)).await;
    let http = mock.oauth2_client();
    let tokens = UserTokenProvider::with_client(http.clone(), user_token(&http).await);
    let builder = e2e::against(
        EventSub::builder(CLIENT_ID, tokens.clone()),
        &mock,
        client_config(),
    );
    let mut client = e2e::subscribed(builder).await;
    // Valid for an hour as far as the provider knows, but Twitch no longer takes it.
    mock.helix().revoke_token(USER_TOKEN);
    client.handle.subscribe(follows()).await.unwrap();
    client.subscribed().await;
    assert_eq!(mock.helix().grants.issued, 1);
    assert_eq!(mock.live_subscriptions(), 2);
    let sent = mock.notify("channel.follow", Delivery::Once);
    assert_eq!(client.notifications(1).await, sent);
    finish(&mock, client).await;
}

#[tokio::test]
async fn calls_rejected_with_the_same_token_share_one_refresh() {
    let mock = mock_with_token_lifetime(Duration::from_secs(3_600)).await;
    let http = mock.oauth2_client();
    let tokens = UserTokenProvider::with_client(http.clone(), user_token(&http).await);
    let rejected = tokens.token().await.unwrap();
    let (first, second) =
        futures_util::future::join(tokens.refresh(&rejected), tokens.refresh(&rejected)).await;
    let (first, second) = (first.unwrap().unwrap(), second.unwrap().unwrap());
    assert_eq!(first, second);
    assert_ne!(first, rejected);
    assert_eq!(mock.helix().grants.issued, 1, "one refresh");
    assert_eq!(tokens.token().await.unwrap(), first);
    // The refresh token was rotated: the provider holds the new one.
    let held = tokens.user_token().await.refresh_token.unwrap();
    assert_ne!(held.secret(), USER_REFRESH_TOKEN);
}

/// A token that has run out, with `refresh_token`, as twitch_oauth2 would hold it.
fn expired_token(refresh_token: &str) -> UserToken {
    UserToken::from_existing_unchecked(
        twitch_oauth2::AccessToken::new(USER_TOKEN.to_owned()),
        RefreshToken::new(refresh_token.to_owned()),
        twitch_oauth2::ClientId::new(CLIENT_ID.to_owned()),
        None::<ClientSecret>,
        twitch_types::UserName::new("user1001".to_owned()),
        twitch_types::UserId::new(USER_ID.to_owned()),
        None,
        Some(Duration::ZERO),
    )
}

#[tokio::test]
async fn an_expired_token_whose_refresh_is_refused_is_rejected_and_keeps_its_refresh_token() {
    let mock = mock_with_token_lifetime(Duration::from_secs(3_600)).await;
    let tokens = UserTokenProvider::with_client(mock.oauth2_client(), expired_token("unknown"));
    let error = tokens.token().await.unwrap_err();
    assert!(matches!(error, TokenError::Rejected { .. }), "{error:?}");
    assert!(
        error.to_string().contains("Invalid refresh token"),
        "{error}"
    );
    assert!(tokens.user_token().await.refresh_token.is_some());
}

#[tokio::test]
async fn an_unreachable_oauth_server_leaves_the_token_unavailable_not_rejected() {
    // Port 9 (discard) on 127.0.0.1: nothing listens, the connection is refused.
    let tokens = UserTokenProvider::with_client(
        MockOauth2Client::new("http://127.0.0.1:9/oauth2/"),
        expired_token(USER_REFRESH_TOKEN),
    );
    let error = tokens.token().await.unwrap_err();
    assert!(matches!(error, TokenError::Unavailable { .. }), "{error:?}");
    // The grant survives the outage, for the next try.
    let kept = tokens.user_token().await.refresh_token.unwrap();
    assert_eq!(kept.secret(), USER_REFRESH_TOKEN);
    // Debug shows neither token.
    let shown = format!("{tokens:?}");
    assert!(
        !shown.contains(USER_TOKEN) && !shown.contains(USER_REFRESH_TOKEN),
        "{shown}"
    );
}
