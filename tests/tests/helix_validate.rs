//! Token validation over real HTTP against the mock's `/oauth2/validate`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::Duration;

use eventsub_helix::{HelixError, TokenKind};
use eventsub_mock::helix::fixtures::{
    APP_TOKEN, CLIENT_ID, USER_ID, USER_TOKEN, start_with_fixtures,
};

#[tokio::test]
async fn validate_reports_a_user_token_with_its_user_and_scopes() {
    let mock = start_with_fixtures().await.unwrap();
    let info = mock
        .client(CLIENT_ID, USER_TOKEN)
        .validate_token()
        .await
        .unwrap();
    assert_eq!(info.kind(), TokenKind::User);
    assert_eq!(info.client_id, CLIENT_ID);
    assert_eq!(info.user_id.as_deref(), Some(USER_ID));
    assert_eq!(info.login.as_deref(), Some("user1001"));
    assert!(info.has_scope("moderator:read:followers"));
    assert_eq!(info.expires_in(), Some(Duration::from_secs(14_400)));
    assert_eq!(info.require_websocket_capable().unwrap(), USER_ID);
    assert!(matches!(
        info.require_app_token(),
        Err(HelixError::UserTokenForAppOnly)
    ));
}

#[tokio::test]
async fn validate_reports_an_app_token_and_refuses_it_for_websocket() {
    let mock = start_with_fixtures().await.unwrap();
    let info = mock
        .client(CLIENT_ID, APP_TOKEN)
        .validate_token()
        .await
        .unwrap();
    assert_eq!(info.kind(), TokenKind::App);
    assert_eq!(info.user_id, None);
    assert_eq!(info.login, None);
    assert!(info.scopes.is_empty());
    info.require_app_token().unwrap();
    let error = info.require_websocket_capable().unwrap_err();
    assert!(matches!(error, HelixError::AppTokenForWebsocket));
    assert!(error.to_string().contains("user access token"));
}

#[tokio::test]
async fn validate_with_an_unknown_token_is_unauthorized() {
    let mock = start_with_fixtures().await.unwrap();
    let error = mock
        .client(CLIENT_ID, "expired-token")
        .validate_token()
        .await
        .unwrap_err();
    assert!(error.is_unauthorized(), "{error:?}");
    assert!(error.to_string().contains("invalid access token"));
}
