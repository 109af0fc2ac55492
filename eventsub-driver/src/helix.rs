//! The Helix calls the core asks for, over `eventsub-helix`, with Helix errors mapped to the
//! core's [`RequestError`]. Every call first asks the [`TokenProvider`] for the current token, and
//! after a 401 asks it once for a fresh one and retries.

use std::future::Future;
use std::sync::Arc;

use eventsub_helix::{HelixClient, HelixError, TokenInfo, TransportRequest};
use eventsub_proto::{
    Created, Input, RequestError, RequestId, SessionId, SubscriptionId, SubscriptionSpec,
    TokenIdentity, UserId,
};

use crate::token::{BoxFuture, TokenError, TokenProvider};

/// A finished call, ready to feed to the core.
pub(crate) struct HelixDone {
    pub(crate) input: Input<'static>,
}

/// Maps a Helix error to what the protocol needs to know: 409 is "already exists", 401
/// "unauthorized", other 4xx (a limit's 429 included) "rejected", and everything that may pass
/// (an empty rate-limit bucket, 5xx, timeouts, transport failures) "unavailable".
pub fn request_error(error: &HelixError) -> RequestError {
    let message = error
        .message()
        .map_or_else(|| error.to_string(), str::to_owned);
    match error {
        HelixError::AlreadyExists { .. } => RequestError::AlreadyExists,
        HelixError::Unauthorized { .. } => RequestError::Unauthorized { message },
        HelixError::BadRequest { .. } => RequestError::Rejected {
            status: 400,
            message,
        },
        HelixError::Forbidden { .. } | HelixError::AppTokenForWebsocket => RequestError::Rejected {
            status: 403,
            message,
        },
        HelixError::NotFound { .. } => RequestError::Rejected {
            status: 404,
            message,
        },
        HelixError::LimitExceeded { .. } => RequestError::Rejected {
            status: 429,
            message,
        },
        HelixError::UnexpectedStatus { status, .. } if (400..500).contains(status) => {
            RequestError::Rejected {
                status: *status,
                message,
            }
        }
        _ => RequestError::Unavailable { message },
    }
}

/// Why a call failed: Helix said no, or the provider had no token to call with.
#[derive(Debug)]
enum CallError {
    Helix(HelixError),
    Token(TokenError),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Helix(error) => error.fmt(f),
            Self::Token(error) => error.fmt(f),
        }
    }
}

impl CallError {
    fn request_error(&self) -> RequestError {
        match self {
            Self::Helix(error) => request_error(error),
            Self::Token(error) => token_request_error(error),
        }
    }
}

/// What the protocol makes of a provider without a token: a rejected grant is as final as a 401,
/// anything else may pass.
fn token_request_error(error: &TokenError) -> RequestError {
    match error {
        TokenError::Rejected { message } => RequestError::Unauthorized {
            message: message.clone(),
        },
        TokenError::Unavailable { message } => RequestError::Unavailable {
            message: message.clone(),
        },
    }
}

/// Runs `call` with the provider's current token; on 401 tells the provider which token was
/// rejected and runs `call` once more with the one it gives instead.
async fn with_token<T, F, Fut>(
    helix: &HelixClient,
    tokens: &dyn TokenProvider,
    call: F,
) -> Result<T, CallError>
where
    F: Fn(HelixClient) -> Fut,
    Fut: Future<Output = Result<T, HelixError>>,
{
    let token = tokens.token().await.map_err(CallError::Token)?;
    match call(helix.with_token(token.clone())).await {
        Err(error) if error.is_unauthorized() => match tokens.refresh(&token).await {
            Ok(Some(fresh)) => {
                tracing::info!("the token was rejected (401); retrying once with a refreshed one");
                call(helix.with_token(fresh))
                    .await
                    .map_err(CallError::Helix)
            }
            Ok(None) => Err(CallError::Helix(error)),
            Err(refresh_failed) => {
                tracing::warn!(error = %refresh_failed, "the token was rejected (401) and refreshing it failed");
                Err(CallError::Token(refresh_failed))
            }
        },
        result => result.map_err(CallError::Helix),
    }
}

/// Creates `spec` on the websocket session `session_id`.
pub(crate) fn create(
    helix: HelixClient,
    tokens: Arc<dyn TokenProvider>,
    request: RequestId,
    session_id: SessionId,
    spec: SubscriptionSpec,
) -> BoxFuture<'static, HelixDone> {
    Box::pin(async move {
        let transport = TransportRequest::websocket(session_id);
        let result = with_token(&helix, tokens.as_ref(), |client| {
            let (spec, transport) = (spec.clone(), transport.clone());
            async move { client.create_subscription(&spec, &transport).await }
        })
        .await;
        let result = match result {
            Ok(created) => {
                tracing::info!(kind = %created.subscription.kind, id = %created.subscription.id, cost = created.subscription.cost, "subscription created");
                Ok(Created::new(
                    created.subscription.id,
                    created.subscription.cost,
                    created.total_cost,
                    created.max_total_cost,
                ))
            }
            Err(error) => {
                tracing::warn!(%error, "creating a subscription failed");
                Err(error.request_error())
            }
        };
        HelixDone {
            input: Input::SubscriptionCreated { request, result },
        }
    })
}

/// Deletes the subscription `id`.
pub(crate) fn delete(
    helix: HelixClient,
    tokens: Arc<dyn TokenProvider>,
    request: RequestId,
    id: SubscriptionId,
) -> BoxFuture<'static, HelixDone> {
    Box::pin(async move {
        let result = with_token(&helix, tokens.as_ref(), |client| {
            let id = id.clone();
            async move { client.delete_subscription(&id).await }
        })
        .await;
        if let Err(error) = &result {
            tracing::warn!(%error, "deleting a subscription failed");
        }
        HelixDone {
            input: Input::SubscriptionDeleted {
                request,
                result: result.map_err(|error| error.request_error()),
            },
        }
    })
}

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

    use eventsub_mock::helix::MockHelix;
    use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_ID, USER_TOKEN, start_with_fixtures};

    use super::*;
    use crate::token::AccessToken;

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

    fn message() -> String {
        "m".to_owned()
    }

    #[test]
    fn helix_errors_map_to_what_the_protocol_needs() {
        let cases = [
            (
                HelixError::AlreadyExists { message: message() },
                RequestError::AlreadyExists,
            ),
            (
                HelixError::Unauthorized { message: message() },
                RequestError::Unauthorized { message: message() },
            ),
            (
                HelixError::BadRequest { message: message() },
                RequestError::Rejected {
                    status: 400,
                    message: message(),
                },
            ),
            (
                HelixError::Forbidden { message: message() },
                RequestError::Rejected {
                    status: 403,
                    message: message(),
                },
            ),
            (
                HelixError::LimitExceeded { message: message() },
                RequestError::Rejected {
                    status: 429,
                    message: message(),
                },
            ),
            (
                HelixError::UnexpectedStatus {
                    status: 418,
                    message: message(),
                },
                RequestError::Rejected {
                    status: 418,
                    message: message(),
                },
            ),
            (
                HelixError::Server {
                    status: 503,
                    message: message(),
                    attempts: 3,
                },
                RequestError::Unavailable { message: message() },
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(request_error(&error), expected, "{error}");
        }
        assert!(matches!(
            request_error(&HelixError::Timeout),
            RequestError::Unavailable { .. }
        ));
        let rate_limited = HelixError::RateLimited {
            rate_limit: Default::default(),
            attempts: 3,
        };
        assert!(matches!(
            request_error(&rate_limited),
            RequestError::Unavailable { .. }
        ));
    }
}
