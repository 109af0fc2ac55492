//! One Helix call with the provider's token: asked for before the call, refreshed once after a
//! 401; and what a failure means for the protocol.

use std::future::Future;

use eventsub_helix::{HelixClient, HelixError};
use eventsub_proto::RequestError;

use crate::token::{TokenError, TokenProvider};

/// Why a call failed: Helix said no, or the provider had no token to call with.
#[derive(Debug)]
pub(super) enum CallError {
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
    pub(super) fn request_error(&self) -> RequestError {
        match self {
            Self::Helix(error) => super::request_error(error),
            Self::Token(error) => token_request_error(error),
        }
    }
}

/// What the protocol makes of a provider without a token: a rejected grant is as final as a 401,
/// anything else may pass.
pub(super) fn token_request_error(error: &TokenError) -> RequestError {
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
pub(super) async fn with_token<T, F, Fut>(
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
