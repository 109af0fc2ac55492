//! The Helix calls the core asks for, over `eventsub-helix`, with Helix errors mapped to the
//! core's [`RequestError`]. Every call first asks the [`TokenProvider`] for the current token, and
//! after a 401 asks it once for a fresh one and retries.

mod call;
mod catch_up;
mod claim;
mod shard;
mod validate;

use std::sync::Arc;

use eventsub_helix::{HelixClient, HelixError, TransportRequest};
use eventsub_proto::{
    Created, Input, RequestError, RequestId, SessionId, SubscriptionId, SubscriptionSpec,
};

use crate::token::{BoxFuture, TokenProvider};
use call::with_token;
pub(crate) use catch_up::read as catch_up_read;
pub(crate) use claim::{read_shards as read_conduit_shards, resize as resize_conduit};
pub(crate) use shard::assign as assign_shard;
pub(crate) use shard::assign_many as assign_shards;
pub(crate) use validate::validate;

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

#[cfg(test)]
mod tests {
    use super::*;

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
