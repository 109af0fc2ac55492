//! Token validation (`GET /oauth2/validate`) with the provider's token, answered to the core as
//! [`Input::TokenValidated`].

use std::sync::Arc;

use eventsub_helix::{HelixClient, TokenInfo};
use eventsub_proto::{Input, RequestError, RequestId, TokenIdentity, UserId};

use super::HelixDone;
use super::call::with_token;
use crate::token::{BoxFuture, TokenProvider};

/// Validates the provider's current token (`GET /oauth2/validate`) and reports what Twitch says
/// about it as [`Input::TokenValidated`].
pub(crate) fn validate(
    helix: HelixClient,
    tokens: Arc<dyn TokenProvider>,
    request: RequestId,
) -> BoxFuture<'static, HelixDone> {
    Box::pin(async move {
        let result = validate_token(&helix, tokens.as_ref()).await;
        HelixDone {
            input: Input::TokenValidated { request, result },
        }
    })
}

/// What Twitch says about the provider's current token (after one refresh on 401).
async fn validate_token(
    helix: &HelixClient,
    tokens: &dyn TokenProvider,
) -> Result<TokenIdentity, RequestError> {
    let result = with_token(helix, tokens, |client| async move {
        client.validate_token().await
    })
    .await;
    match result {
        Ok(info) => {
            let identity = identity(info);
            // Who and for how long, never the token itself.
            tracing::info!(user_id = ?identity.user_id, scopes = identity.scopes.len(), expires_in = ?identity.expires_in, "token validated");
            Ok(identity)
        }
        Err(error) => {
            tracing::warn!(%error, "validating the token failed");
            Err(error.request_error())
        }
    }
}

/// What the core needs of a validation answer.
fn identity(info: TokenInfo) -> TokenIdentity {
    let expires_in = info.expires_in();
    let mut identity = TokenIdentity::app(info.client_id);
    identity.user_id = info.user_id.map(UserId::new);
    identity.login = info.login;
    identity.scopes = info.scopes;
    identity.expires_in = expires_in;
    identity
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use eventsub_helix::HelixError;
    use eventsub_mock::helix::MockHelix;
    use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_ID, USER_TOKEN, start_with_fixtures};

    use super::super::call::token_request_error;
    use super::*;
    use crate::token::{AccessToken, TokenError};
    /// Gives `current`, counting each ask; on a refresh after 401 switches to `fresh` (if any).
    struct Counting {
        current: Mutex<AccessToken>,
        fresh: Option<AccessToken>,
        asked: AtomicUsize,
        refreshed: AtomicUsize,
    }

    impl Counting {
        fn new(current: &str, fresh: Option<&str>) -> Arc<Self> {
            Arc::new(Self {
                current: Mutex::new(AccessToken::new(current)),
                fresh: fresh.map(AccessToken::new),
                asked: AtomicUsize::new(0),
                refreshed: AtomicUsize::new(0),
            })
        }

        fn current(&self) -> AccessToken {
            self.current
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone()
        }
    }

    impl TokenProvider for Counting {
        fn token(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
            self.asked.fetch_add(1, Ordering::SeqCst);
            let current = self.current();
            Box::pin(async move { Ok(current) })
        }

        fn refresh<'a>(
            &'a self,
            _rejected: &'a AccessToken,
        ) -> BoxFuture<'a, Result<Option<AccessToken>, TokenError>> {
            self.refreshed.fetch_add(1, Ordering::SeqCst);
            if let Some(fresh) = &self.fresh {
                *self
                    .current
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = fresh.clone();
            }
            let fresh = self.fresh.clone();
            Box::pin(async move { Ok(fresh) })
        }
    }

    /// Has no token at all.
    struct Broken;

    impl TokenProvider for Broken {
        fn token(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
            Box::pin(async { Err(TokenError::unavailable("the OAuth server is down")) })
        }
    }

    fn helix_for(mock: &MockHelix) -> Result<HelixClient, HelixError> {
        HelixClient::builder(CLIENT_ID, AccessToken::new(""))
            .api_base_url(mock.api_base_url())
            .auth_base_url(mock.auth_base_url())
            .build()
    }

    #[tokio::test]
    async fn validation_reports_the_user_scopes_and_lifetime_of_the_providers_token()
    -> Result<(), Box<dyn std::error::Error>> {
        let mock = start_with_fixtures().await?;
        let tokens = Counting::new(USER_TOKEN, None);
        let identity = validate_token(&helix_for(&mock)?, tokens.as_ref()).await?;
        assert_eq!(identity.client_id, CLIENT_ID);
        assert_eq!(identity.user_id, Some(UserId::new(USER_ID)));
        assert_eq!(identity.login.as_deref(), Some("user1001"));
        assert!(identity.has_scope("moderator:read:followers"));
        assert!(identity.expires_in.is_some_and(|left| left.as_secs() > 0));
        assert_eq!(tokens.asked.load(Ordering::SeqCst), 1);
        assert_eq!(tokens.refreshed.load(Ordering::SeqCst), 0);
        Ok(())
    }

    #[tokio::test]
    async fn validation_of_a_rejected_token_refreshes_once_and_validates_the_fresh_one()
    -> Result<(), Box<dyn std::error::Error>> {
        let mock = start_with_fixtures().await?;
        let tokens = Counting::new("expired-token", Some(USER_TOKEN));
        let identity = validate_token(&helix_for(&mock)?, tokens.as_ref()).await?;
        assert_eq!(identity.user_id, Some(UserId::new(USER_ID)));
        assert_eq!(tokens.refreshed.load(Ordering::SeqCst), 1);
        assert_eq!(mock.request_count(), 2, "the rejected try and the retry");
        Ok(())
    }

    #[tokio::test]
    async fn validation_of_a_rejected_token_without_a_refresh_is_unauthorized()
    -> Result<(), Box<dyn std::error::Error>> {
        let mock = start_with_fixtures().await?;
        let tokens = Counting::new("expired-token", None);
        let result = validate_token(&helix_for(&mock)?, tokens.as_ref()).await;
        assert!(
            matches!(result, Err(RequestError::Unauthorized { .. })),
            "{result:?}"
        );
        assert_eq!(tokens.refreshed.load(Ordering::SeqCst), 1);
        Ok(())
    }

    #[tokio::test]
    async fn an_app_token_validates_as_an_identity_without_a_user()
    -> Result<(), Box<dyn std::error::Error>> {
        let mock = start_with_fixtures().await?;
        let tokens = Counting::new(eventsub_mock::helix::fixtures::APP_TOKEN, None);
        let identity = validate_token(&helix_for(&mock)?, tokens.as_ref()).await?;
        assert!(!identity.is_user_token());
        assert_eq!(identity.login, None);
        Ok(())
    }

    #[tokio::test]
    async fn a_provider_without_a_token_fails_the_call_without_asking_helix()
    -> Result<(), Box<dyn std::error::Error>> {
        let mock = start_with_fixtures().await?;
        let result = validate_token(&helix_for(&mock)?, &Broken).await;
        assert_eq!(
            result,
            Err(RequestError::Unavailable {
                message: "the OAuth server is down".to_owned()
            })
        );
        assert_eq!(mock.request_count(), 0);
        let rejected = TokenError::rejected("refresh token revoked");
        assert!(matches!(
            token_request_error(&rejected),
            RequestError::Unauthorized { .. }
        ));
        Ok(())
    }

    #[tokio::test]
    async fn every_call_asks_the_provider_for_the_token_it_sends()
    -> Result<(), Box<dyn std::error::Error>> {
        let mock = start_with_fixtures().await?;
        let helix = helix_for(&mock)?;
        let tokens = Counting::new(USER_TOKEN, None);
        for _ in 0..3 {
            validate_token(&helix, tokens.as_ref()).await?;
        }
        // The provider now gives another token: the next call sends it, not the old one.
        *tokens
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = AccessToken::new("revoked");
        let result = validate_token(&helix, tokens.as_ref()).await;
        assert!(matches!(result, Err(RequestError::Unauthorized { .. })));
        assert_eq!(tokens.asked.load(Ordering::SeqCst), 4);
        Ok(())
    }
}
