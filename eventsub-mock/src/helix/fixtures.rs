//! Ready-made tokens for tests: one client id, two users and an app.

#[cfg(feature = "helix-client")]
use std::future::Future;

#[cfg(feature = "helix-client")]
use eventsub_helix::{CreatedSubscription, HelixClient, HelixError, TransportRequest};
use eventsub_proto::SubscriptionSpec;

use super::server::MockHelix;

/// The client id all fixture tokens belong to.
pub const CLIENT_ID: &str = "mock-client-id";
/// A user token of [`USER_ID`] with the `moderator:read:followers` scope.
pub const USER_TOKEN: &str = "user-token-of-1001";
/// The user of [`USER_TOKEN`].
pub const USER_ID: &str = "1001";
/// A refresh token for [`USER_TOKEN`] (`POST /oauth2/token` with `grant_type=refresh_token`
/// gives a new token of [`USER_ID`] with the same scopes, and revokes [`USER_TOKEN`]).
pub const USER_REFRESH_TOKEN: &str = "refresh-token-of-1001";
/// A user token of [`OTHER_USER_ID`] without scopes.
pub const OTHER_USER_TOKEN: &str = "user-token-of-2002";
/// The user of [`OTHER_USER_TOKEN`].
pub const OTHER_USER_ID: &str = "2002";
/// An app token of [`CLIENT_ID`].
pub const APP_TOKEN: &str = "app-token-of-mock-client";

/// Starts a mock with the fixture tokens registered ([`USER_TOKEN`] with its
/// [`USER_REFRESH_TOKEN`]) and `channel.follow` requiring
/// `moderator:read:followers`.
pub async fn start_with_fixtures() -> std::io::Result<MockHelix> {
    let mock = MockHelix::start().await?;
    {
        let mut state = mock.state();
        state.add_user_token(
            USER_TOKEN,
            CLIENT_ID,
            USER_ID,
            &["moderator:read:followers"],
        );
        state.add_refresh_token(USER_REFRESH_TOKEN, USER_TOKEN);
        state.add_user_token(OTHER_USER_TOKEN, CLIENT_ID, OTHER_USER_ID, &[]);
        state.add_app_token(APP_TOKEN, CLIENT_ID);
        state.required_scopes.insert(
            "channel.follow".to_owned(),
            "moderator:read:followers".to_owned(),
        );
    }
    Ok(mock)
}

/// `stream.online` v1 for `broadcaster`: free for that broadcaster's own token, cost 1 otherwise.
pub fn stream_online(broadcaster: &str) -> SubscriptionSpec {
    SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", broadcaster)
}

/// Shorthands for the calls the tests make most (feature `helix-client`).
#[cfg(feature = "helix-client")]
pub trait ClientShorthands {
    /// Creates [`stream_online`] for `broadcaster` on the websocket session `session_id`.
    fn subscribe_online(
        &self,
        broadcaster: &str,
        session_id: &str,
    ) -> impl Future<Output = Result<CreatedSubscription, HelixError>> + Send;
}

#[cfg(feature = "helix-client")]
impl ClientShorthands for HelixClient {
    async fn subscribe_online(
        &self,
        broadcaster: &str,
        session_id: &str,
    ) -> Result<CreatedSubscription, HelixError> {
        let spec = stream_online(broadcaster);
        self.create_subscription(&spec, &TransportRequest::websocket(session_id))
            .await
    }
}
