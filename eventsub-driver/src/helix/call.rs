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

/// The body of a 200 answer as text, for a read the core decodes: Helix answers JSON, which is
/// UTF-8; anything else is a broken answer the core is told of as the read's failure.
pub(super) fn body_text(body: Vec<u8>) -> Result<String, RequestError> {
    String::from_utf8(body).map_err(|error| RequestError::Unavailable {
        message: format!(
            "Helix answered a body that is not UTF-8 (invalid at byte {})",
            error.utf8_error().valid_up_to()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utf8_body_is_handed_over_as_it_came() {
        let body = r#"{"data":[{"user_name":"Zoë"}]}"#;
        assert_eq!(body_text(body.as_bytes().to_vec()), Ok(body.to_owned()));
    }

    #[test]
    fn a_body_that_is_not_utf8_is_an_error_naming_where() {
        let result = body_text(b"{\"data\":[\xff]}".to_vec());
        let Err(RequestError::Unavailable { message }) = result else {
            panic!("not an error: {result:?}");
        };
        assert!(message.contains("byte 9"), "{message}");
    }
}
