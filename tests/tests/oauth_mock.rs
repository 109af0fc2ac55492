//! The mock's OAuth server over real HTTP, driven through twitch_oauth2 (its parsers are the
//! practical reference for Twitch's shapes; without its `mock_api` feature it also insists on
//! `Content-Type: application/json`): `/oauth2/token` (refresh token, device code, client
//! credentials), `/oauth2/device`, and token lifetimes on `/oauth2/validate` and Helix.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::{Duration, Instant};

use eventsub_helix::{HelixError, TokenKind};
use eventsub_mock::helix::fixtures::{
    CLIENT_ID, ClientShorthands, USER_ID, USER_REFRESH_TOKEN, USER_TOKEN, start_with_fixtures,
};
use eventsub_mock::helix::{DeviceFlow, MockHelix};
use eventsub_tokio::twitch_oauth2::tokens::errors::{
    DeviceUserTokenExchangeError, RefreshTokenError,
};
use eventsub_tokio::twitch_oauth2::{
    AppAccessToken, ClientId, ClientSecret, DeviceUserTokenBuilder, RefreshToken,
    RequestParseError, Scope, TwitchToken,
};

fn client_id() -> ClientId {
    ClientId::new(CLIENT_ID.to_owned())
}

/// Twitch's message of a refused token request.
fn twitch_message<E: std::error::Error + Send + Sync + 'static>(
    error: &RefreshTokenError<E>,
) -> String {
    match error {
        RefreshTokenError::RequestParseError(RequestParseError::TwitchError(answer)) => {
            assert_eq!(answer.status.as_u16(), 400);
            answer.message.clone()
        }
        other => panic!("not Twitch's refusal: {other:?}"),
    }
}

#[tokio::test]
async fn a_refresh_token_gives_a_new_token_of_the_same_user_and_scopes_and_is_used_up() {
    let mock = start_with_fixtures().await.unwrap();
    let http = mock.oauth2_client();
    let refresh = RefreshToken::new(USER_REFRESH_TOKEN.to_owned());
    let (access, expires_in, rotated) = refresh
        .refresh_token(&http, &client_id(), None)
        .await
        .unwrap();
    assert_eq!(expires_in, Duration::from_secs(14_400));
    let rotated = rotated.expect("a new refresh token");
    assert_ne!(rotated.secret(), USER_REFRESH_TOKEN);

    let info = mock
        .client(CLIENT_ID, access.secret())
        .validate_token()
        .await
        .unwrap();
    assert_eq!(info.user_id.as_deref(), Some(USER_ID));
    assert!(info.has_scope("moderator:read:followers"));
    // The token it replaced is revoked, and the refresh token is good once.
    let old = mock.client(CLIENT_ID, USER_TOKEN).validate_token().await;
    assert!(old.unwrap_err().is_unauthorized());
    let again = refresh
        .refresh_token(&http, &client_id(), None)
        .await
        .unwrap_err();
    assert_eq!(twitch_message(&again), "Invalid refresh token");
    // The rotated one works.
    rotated
        .refresh_token(&http, &client_id(), None)
        .await
        .unwrap();
    assert_eq!(mock.state().grants.issued, 2);
}

#[tokio::test]
async fn a_refresh_token_of_another_client_is_refused() {
    let mock = start_with_fixtures().await.unwrap();
    let refused = RefreshToken::new(USER_REFRESH_TOKEN.to_owned())
        .refresh_token(
            &mock.oauth2_client(),
            &ClientId::new("another-client".to_owned()),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(twitch_message(&refused), "Invalid refresh token");
    mock.client(CLIENT_ID, USER_TOKEN)
        .validate_token()
        .await
        .expect("the token is untouched");
}

#[tokio::test]
async fn the_device_code_flow_through_twitch_oauth2_gives_a_user_token_with_the_scopes_asked() {
    let mock = MockHelix::start().await.unwrap();
    let http = mock.oauth2_client();
    let mut device = DeviceUserTokenBuilder::new(
        CLIENT_ID,
        vec![Scope::ModeratorReadFollowers, Scope::UserReadChat],
    );
    let code = device.start(&http).await.unwrap();
    assert_eq!(code.user_code.len(), 8);
    assert_eq!(code.interval, 5);
    assert_eq!(code.expires_in, 1_800);
    assert!(
        code.verification_uri
            .starts_with(&format!("http://{}/activate?", mock.addr())),
        "{}",
        code.verification_uri
    );
    let started = Instant::now();
    let token = device
        .wait_for_code(&http, tokio::time::sleep)
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "authorized at once: no poll interval waited"
    );
    assert_eq!(token.user_id.as_str(), USER_ID);
    assert_eq!(token.login.as_str(), "user1001");
    assert!(token.refresh_token.is_some());
    let scopes: Vec<&str> = token.scopes().iter().map(|scope| scope.as_str()).collect();
    assert_eq!(scopes, ["moderator:read:followers", "user:read:chat"]);
    // The token works on Helix, and the device code was good once.
    mock.client(CLIENT_ID, token.access_token.secret())
        .subscribe_online(USER_ID, "any-session")
        .await
        .unwrap();
    let reused = device.try_finish(&http).await.unwrap_err();
    assert!(matches!(
        reused,
        DeviceUserTokenExchangeError::TokenParseError(RequestParseError::TwitchError(ref answer))
            if answer.message == "invalid device code"
    ));
}

#[tokio::test]
async fn a_device_code_is_pending_until_the_configured_delay_has_passed() {
    let mock = MockHelix::start().await.unwrap();
    let delay = Duration::from_millis(1_500);
    {
        let mut state = mock.state();
        let flow: &mut DeviceFlow = &mut state.grants.device_flow;
        flow.authorize_after = Some(delay);
        flow.interval_secs = 1;
    }
    let http = mock.oauth2_client();
    let mut device = DeviceUserTokenBuilder::new(CLIENT_ID, vec![]);
    let started = Instant::now();
    device.start(&http).await.unwrap();
    let pending = device.try_finish(&http).await.unwrap_err();
    assert!(pending.is_pending(), "{pending:?}");
    let token = device
        .wait_for_code(&http, tokio::time::sleep)
        .await
        .unwrap();
    assert!(started.elapsed() >= delay);
    assert_eq!(token.user_id.as_str(), USER_ID);
}

#[tokio::test]
async fn a_device_code_the_test_authorizes_is_exchanged_once_authorized() {
    let mock = MockHelix::start().await.unwrap();
    mock.state().grants.device_flow.authorize_after = None;
    mock.state().grants.device_flow.user_id = "4242".to_owned();
    let http = mock.oauth2_client();
    let mut device = DeviceUserTokenBuilder::new(CLIENT_ID, vec![]);
    let user_code = device.start(&http).await.unwrap().user_code.clone();
    assert!(device.try_finish(&http).await.unwrap_err().is_pending());
    assert!(mock.state().authorize_device(&user_code));
    assert!(!mock.state().authorize_device("NOSUCHCD"));
    let token = device.try_finish(&http).await.unwrap();
    assert_eq!(token.user_id.as_str(), "4242");
}

#[tokio::test]
async fn client_credentials_give_an_app_token() {
    let mock = MockHelix::start().await.unwrap();
    let token = AppAccessToken::get_app_access_token(
        &mock.oauth2_client(),
        client_id(),
        ClientSecret::new("secret".to_owned()),
        vec![],
    )
    .await
    .unwrap();
    let info = mock
        .client(CLIENT_ID, token.access_token.secret())
        .validate_token()
        .await
        .unwrap();
    assert_eq!(info.kind(), TokenKind::App);
}

#[tokio::test]
async fn validation_reports_the_lifetime_left_and_an_expired_token_gets_401_everywhere() {
    let mock = start_with_fixtures().await.unwrap();
    assert!(
        mock.state()
            .set_token_expires_in(USER_TOKEN, Duration::from_millis(89_500))
    );
    let client = mock.client(CLIENT_ID, USER_TOKEN);
    let info = client.validate_token().await.unwrap();
    assert_eq!(
        info.expires_in(),
        Some(Duration::from_secs(90)),
        "rounded up"
    );

    mock.state()
        .set_token_expires_in(USER_TOKEN, Duration::from_millis(300));
    client.subscribe_online(USER_ID, "s1").await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let validate = client.validate_token().await.unwrap_err();
    assert!(validate.is_unauthorized(), "{validate:?}");
    assert!(validate.to_string().contains("invalid access token"));
    let helix = client.subscribe_online(USER_ID, "s2").await.unwrap_err();
    assert!(
        matches!(helix, HelixError::Unauthorized { .. }),
        "{helix:?}"
    );
    assert!(mock.state().token_record(USER_TOKEN).unwrap().is_expired());
    assert!(!mock.state().set_token_expires_in("unknown", Duration::ZERO));
}

#[tokio::test]
async fn tokens_the_oauth_server_issues_live_the_configured_lifetime() {
    let mock = start_with_fixtures().await.unwrap();
    mock.state().token_lifetime = Duration::from_millis(1_200);
    let http = mock.oauth2_client();
    let (access, expires_in, _) = RefreshToken::new(USER_REFRESH_TOKEN.to_owned())
        .refresh_token(&http, &client_id(), None)
        .await
        .unwrap();
    assert_eq!(
        expires_in,
        Duration::from_secs(2),
        "whole seconds, rounded up"
    );
    let client = mock.client(CLIENT_ID, access.secret());
    client.validate_token().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    assert!(client.validate_token().await.unwrap_err().is_unauthorized());
}

#[tokio::test]
async fn the_token_endpoint_refuses_what_it_does_not_know() {
    let mock = start_with_fixtures().await.unwrap();
    let http = eventsub_helix::tls::reqwest_client().unwrap();
    let url = format!("{}token", mock.twitch_oauth2_url());
    let answer = |form: &'static str| {
        let request = http
            .post(url.clone())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let body: serde_json::Value =
                serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
            (
                status,
                body["message"].as_str().unwrap_or_default().to_owned(),
            )
        }
    };
    assert_eq!(
        answer("client_id=mock-client-id&grant_type=password").await,
        (400, "unsupported_grant_type".to_owned())
    );
    assert_eq!(
        answer("grant_type=refresh_token&refresh_token=x").await,
        (400, "missing client_id".to_owned())
    );
    assert_eq!(
        answer("client_id=mock-client-id&grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=nope").await,
        (400, "invalid device code".to_owned())
    );
}

#[tokio::test]
async fn a_revoked_token_gets_401_and_cannot_be_revoked_twice() {
    let mock = start_with_fixtures().await.unwrap();
    let http = mock.oauth2_client();
    let token = eventsub_tokio::twitch_oauth2::AccessToken::new(USER_TOKEN.to_owned());
    token.revoke_token(&http, &client_id()).await.unwrap();
    let validate = mock.client(CLIENT_ID, USER_TOKEN).validate_token().await;
    assert!(validate.unwrap_err().is_unauthorized());
    assert!(token.revoke_token(&http, &client_id()).await.is_err());
}
