//! The Helix calls the core asks for, over `eventsub-helix`, with Helix errors mapped to the
//! core's [`RequestError`] and one retry after a token refresh on 401.

use std::future::Future;
use std::sync::Arc;

use eventsub_helix::{HelixClient, HelixError, TokenInfo, TransportRequest};
use eventsub_proto::{
    Created, Input, RequestError, RequestId, SessionId, SubscriptionId, SubscriptionSpec,
    TokenIdentity, UserId,
};

use crate::token::{BoxFuture, TokenProvider};

/// A finished call, ready to feed to the core, and the client with a refreshed token if the call
/// refreshed it.
pub(crate) struct HelixDone {
    pub(crate) input: Input<'static>,
    pub(crate) refreshed: Option<HelixClient>,
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

/// Runs `call`; on 401 asks `tokens` for a new token and runs it once more with it.
async fn with_refresh<T, F, Fut>(
    helix: HelixClient,
    tokens: Arc<dyn TokenProvider>,
    call: F,
) -> (Result<T, HelixError>, Option<HelixClient>)
where
    F: Fn(HelixClient) -> Fut,
    Fut: Future<Output = Result<T, HelixError>>,
{
    match call(helix.clone()).await {
        Err(error) if error.is_unauthorized() => match tokens.refresh().await {
            Some(token) => {
                tracing::info!("helix answered 401; retrying once with a refreshed token");
                let refreshed = helix.with_token(token);
                (call(refreshed.clone()).await, Some(refreshed))
            }
            None => (Err(error), None),
        },
        result => (result, None),
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
        let (result, refreshed) = with_refresh(helix, tokens, |client| {
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
                Err(request_error(&error))
            }
        };
        HelixDone {
            input: Input::SubscriptionCreated { request, result },
            refreshed,
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
        let (result, refreshed) = with_refresh(helix, tokens, |client| {
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
                result: result.map_err(|error| request_error(&error)),
            },
            refreshed,
        }
    })
}

/// Validates the current token (`GET /oauth2/validate`) for the core; on 401 once more with a
/// refreshed token. A 401 that stays reaches the core, which stops.
pub(crate) fn validate(
    helix: HelixClient,
    tokens: Arc<dyn TokenProvider>,
    request: RequestId,
) -> BoxFuture<'static, HelixDone> {
    Box::pin(async move {
        let (result, refreshed) = with_refresh(helix, tokens, |client| async move {
            client.validate_token().await
        })
        .await;
        let result = match result {
            Ok(info) => {
                tracing::info!(user_id = ?info.user_id, login = ?info.login, scopes = info.scopes.len(), "token validated");
                Ok(identity(info))
            }
            Err(error) => {
                tracing::warn!(%error, "validating the token failed");
                Err(request_error(&error))
            }
        };
        HelixDone {
            input: Input::TokenValidated { request, result },
            refreshed,
        }
    })
}

/// What the core needs of a validation answer.
fn identity(info: TokenInfo) -> TokenIdentity {
    let expires_in = info.expires_in();
    let identity = match info.user_id {
        Some(user_id) => TokenIdentity::user(
            info.client_id,
            UserId::new(user_id),
            info.login.unwrap_or_default(),
            info.scopes,
        ),
        None => TokenIdentity::app(info.client_id),
    };
    match expires_in {
        Some(expires_in) => identity.with_expires_in(expires_in),
        None => identity,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> String {
        "m".to_owned()
    }

    #[test]
    fn a_validation_answer_becomes_the_cores_token_identity() {
        let user: TokenInfo = serde_json::from_str(
            r#"{"client_id":"c","login":"twitchdev","user_id":"12826","scopes":["user:read:chat"],"expires_in":5000}"#,
        )
        .unwrap_or_else(|error| panic!("a valid answer: {error}"));
        let user = identity(user);
        assert_eq!(user.user_id, Some(UserId::new("12826")));
        assert!(user.has_scope("user:read:chat"));
        assert_eq!(user.expires_in, Some(std::time::Duration::from_secs(5000)));
        let app: TokenInfo =
            serde_json::from_str(r#"{"client_id":"c","scopes":[],"expires_in":0}"#)
                .unwrap_or_else(|error| panic!("a valid answer: {error}"));
        let app = identity(app);
        assert!(!app.is_user_token());
        assert_eq!(app.expires_in, None);
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
