//! Token validation (`GET /oauth2/validate`): who a token belongs to, and whether it is a user
//! or an app token.

use std::time::Duration;

use reqwest::Method;
use serde::{Deserialize, Deserializer};

use crate::client::{Call, HelixClient, Service};
use crate::error::HelixError;

/// Whether a token acts for a user or for the application alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A user access token: required for the websocket transport.
    User,
    /// An app access token: required for conduits and webhooks.
    App,
}

/// What Twitch says about a token.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TokenInfo {
    /// The client id the token was issued to.
    pub client_id: String,
    /// The user's login; `None` for app tokens.
    #[serde(default)]
    pub login: Option<String>,
    /// The user's id; `None` for app tokens.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The scopes granted (app tokens usually have none).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub scopes: Vec<String>,
    /// Seconds until the token expires; 0 for tokens without an expiry.
    #[serde(default)]
    pub expires_in: u64,
}

fn null_as_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(deserializer)?.unwrap_or_default())
}

impl TokenInfo {
    /// A user token when Twitch names a user, else an app token.
    pub fn kind(&self) -> TokenKind {
        if self.user_id.is_some() {
            TokenKind::User
        } else {
            TokenKind::App
        }
    }

    /// Whether the token carries `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|granted| granted == scope)
    }

    /// How long until the token expires; `None` for a token without an expiry.
    pub fn expires_in(&self) -> Option<Duration> {
        (self.expires_in > 0).then(|| Duration::from_secs(self.expires_in))
    }

    /// The user id, if the token can create websocket subscriptions; an app token gives
    /// [`HelixError::AppTokenForWebsocket`].
    ///
    /// ```
    /// # use eventsub_helix::{HelixError, TokenInfo};
    /// let app: TokenInfo = serde_json::from_str(
    ///     r#"{"client_id":"abc","scopes":[],"expires_in":5000}"#)?;
    /// assert!(matches!(app.require_websocket_capable(), Err(HelixError::AppTokenForWebsocket)));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn require_websocket_capable(&self) -> Result<&str, HelixError> {
        self.user_id
            .as_deref()
            .ok_or(HelixError::AppTokenForWebsocket)
    }

    /// `Ok` for an app token, as conduits and webhooks need; a user token gives
    /// [`HelixError::UserTokenForAppOnly`].
    pub fn require_app_token(&self) -> Result<(), HelixError> {
        match self.kind() {
            TokenKind::App => Ok(()),
            TokenKind::User => Err(HelixError::UserTokenForAppOnly),
        }
    }
}

impl HelixClient {
    /// Validates the client's token (`GET {auth_base}/validate`). Twitch asks apps to do this at
    /// start-up and hourly; a 401 ([`HelixError::Unauthorized`]) means the token is no longer good.
    pub async fn validate_token(&self) -> Result<TokenInfo, HelixError> {
        self.send_json(&Call::new(Method::GET, Service::Auth, "/validate"))
            .await
    }
}
