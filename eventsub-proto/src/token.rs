//! What Twitch says about the access token (`GET /oauth2/validate`), as far as the protocol cares:
//! whose it is, what it may do, and for how long.

use std::time::Duration;

use crate::ids::UserId;

/// Twitch's answer to a token validation, fed back as
/// [`Input::TokenValidated`](crate::Input::TokenValidated).
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct TokenIdentity {
    /// The client id the token was issued to.
    pub client_id: String,
    /// The user the token acts for; `None` for an app access token (which the WebSocket
    /// transport refuses).
    pub user_id: Option<UserId>,
    /// The user's login; `None` for an app access token.
    pub login: Option<String>,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// How long the token is valid from the validation; `None` when it does not expire.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "expires_in_secs",
            serialize_with = "crate::serialize::option_secs"
        )
    )]
    pub expires_in: Option<Duration>,
}

impl TokenIdentity {
    /// A user access token of `user_id` (`login`) issued to `client_id`, with `scopes`.
    ///
    /// ```
    /// use eventsub_proto::{TokenIdentity, UserId};
    /// let token = TokenIdentity::user("my-client", UserId::new("12826"), "twitchdev", ["user:read:chat"]);
    /// assert!(token.is_user_token());
    /// assert!(token.has_scope("user:read:chat"));
    /// ```
    pub fn user<S: Into<String>>(
        client_id: impl Into<String>,
        user_id: UserId,
        login: impl Into<String>,
        scopes: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            user_id: Some(user_id),
            login: Some(login.into()),
            scopes: scopes.into_iter().map(Into::into).collect(),
            expires_in: None,
        }
    }

    /// An app access token issued to `client_id`.
    ///
    /// ```
    /// use eventsub_proto::TokenIdentity;
    /// assert!(!TokenIdentity::app("my-client").is_user_token());
    /// ```
    pub fn app(client_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            user_id: None,
            login: None,
            scopes: Vec::new(),
            expires_in: None,
        }
    }

    /// The same token, expiring `expires_in` after the validation.
    #[must_use]
    pub fn with_expires_in(mut self, expires_in: Duration) -> Self {
        self.expires_in = Some(expires_in);
        self
    }

    /// Whether the token acts for a user (only such tokens may use the WebSocket transport).
    pub fn is_user_token(&self) -> bool {
        self.user_id.is_some()
    }

    /// Whether the token carries `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|granted| granted == scope)
    }
}

impl std::fmt::Debug for TokenIdentity {
    // No secret is in here (validation answers never carry the token), but say so explicitly.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenIdentity")
            .field("client_id", &self.client_id)
            .field("user_id", &self.user_id)
            .field("login", &self.login)
            .field("scopes", &self.scopes)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}
