//! Where the user access token comes from: a provider asked before every Helix call and every
//! validation, and told when Helix rejected the token it gave.

use std::future::Future;
use std::pin::Pin;

pub use eventsub_helix::AccessToken;

/// A boxed future, as returned by [`TokenProvider::token`] and [`TokenProvider::refresh`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Supplies the access token for Helix calls and token validation.
///
/// The client asks [`TokenProvider::token`] before **every** Helix call and every validation, so
/// a provider that refreshes its token on its own schedule (before it expires, say) is always
/// heard. When Helix answers 401 all the same, [`TokenProvider::refresh`] is told which token was
/// rejected and asked for another; the call is retried once with it. When there is none, the 401
/// reaches the core, which stops the client
/// ([`StopReason::Unauthorized`](eventsub_proto::StopReason::Unauthorized)).
///
/// A plain [`AccessToken`] is a provider that never refreshes. With the `twitch_oauth2` feature,
/// `UserTokenProvider` refreshes a `twitch_oauth2::UserToken`.
///
/// ```
/// use std::sync::Mutex;
/// use eventsub_driver::{AccessToken, BoxFuture, TokenError, TokenProvider};
///
/// struct Refreshing(Mutex<AccessToken>);
///
/// impl TokenProvider for Refreshing {
///     fn token(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
///         let current = match self.0.lock() {
///             Ok(token) => Ok(token.clone()),
///             Err(_) => Err(TokenError::unavailable("lock poisoned")),
///         };
///         Box::pin(async move { current })
///     }
///     fn refresh<'a>(
///         &'a self,
///         rejected: &'a AccessToken,
///     ) -> BoxFuture<'a, Result<Option<AccessToken>, TokenError>> {
///         Box::pin(async move {
///             let fresh = AccessToken::new("refreshed-token"); // ask your OAuth server here
///             let mut current = self.0.lock().map_err(|_| TokenError::unavailable("lock poisoned"))?;
///             // Another call may have refreshed already: then its token is the answer.
///             if *current == *rejected {
///                 *current = fresh;
///             }
///             Ok(Some(current.clone()))
///         })
///     }
/// }
/// ```
pub trait TokenProvider: Send + Sync + 'static {
    /// The token to use now. Asked before every Helix call and every validation, so keep it
    /// cheap when nothing changed (a lock and a clone).
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>>;

    /// A new token after Helix (or the validation endpoint) rejected `rejected` with 401; `None`
    /// (the default) when there is none. Several calls in flight may be rejected with the same
    /// token: a provider refreshes once and hands the others the token it already has.
    fn refresh<'a>(
        &'a self,
        rejected: &'a AccessToken,
    ) -> BoxFuture<'a, Result<Option<AccessToken>, TokenError>> {
        let _ = rejected;
        Box::pin(async { Ok(None) })
    }
}

/// A shared provider: the app keeps a clone of the `Arc` to reach its own provider while the
/// client runs.
impl<T: TokenProvider> TokenProvider for std::sync::Arc<T> {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        self.as_ref().token()
    }

    fn refresh<'a>(
        &'a self,
        rejected: &'a AccessToken,
    ) -> BoxFuture<'a, Result<Option<AccessToken>, TokenError>> {
        self.as_ref().refresh(rejected)
    }
}

impl TokenProvider for AccessToken {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        Box::pin(async { Ok(self.clone()) })
    }
}

/// Why a [`TokenProvider`] has no token to give. Its message is shown to the user and logged:
/// never put a token in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// There is no valid token and none can be had (the refresh token was refused, the grant
    /// revoked): the call fails as a 401 would, and the client stops.
    #[error("no valid access token: {message}")]
    Rejected {
        /// What went wrong.
        message: String,
    },
    /// No token for now (the OAuth server is unreachable or failing): the call counts as
    /// unavailable, and the core retries as it does after a Helix outage.
    #[error("access token unavailable: {message}")]
    Unavailable {
        /// What went wrong.
        message: String,
    },
}

impl TokenError {
    /// [`TokenError::Rejected`] with `message`.
    ///
    /// ```
    /// # use eventsub_driver::TokenError;
    /// let error = TokenError::rejected("refresh token revoked");
    /// assert_eq!(error.to_string(), "no valid access token: refresh token revoked");
    /// ```
    pub fn rejected(message: impl Into<String>) -> Self {
        Self::Rejected {
            message: message.into(),
        }
    }

    /// [`TokenError::Unavailable`] with `message`.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::Unavailable {
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_access_token_is_its_own_provider_and_never_refreshes() {
        let token = AccessToken::new("t");
        let given = futures_lite::future::block_on(token.token());
        assert_eq!(given, Ok(AccessToken::new("t")));
        let refreshed = futures_lite::future::block_on(token.refresh(&token));
        assert_eq!(refreshed, Ok(None));
    }
}
