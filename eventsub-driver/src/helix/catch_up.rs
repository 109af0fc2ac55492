//! A catch-up read the core asks for: one Helix GET, its body handed back as text. What to read,
//! which page, and what the answer means are the core's; this only runs the call.

use std::sync::Arc;

use eventsub_helix::HelixClient;
use eventsub_proto::catchup::ReadRequest;
use eventsub_proto::{Input, RequestError, RequestId};

use super::HelixDone;
use super::call::with_token;
use crate::token::{BoxFuture, TokenProvider};

/// Runs `read` with the provider's token (refreshed once after a 401, as every call) and reports
/// the body of Helix's 200 answer, or the error.
pub(crate) fn read(
    helix: HelixClient,
    tokens: Arc<dyn TokenProvider>,
    request: RequestId,
    read: ReadRequest,
) -> BoxFuture<'static, HelixDone> {
    Box::pin(async move {
        let result = with_token(&helix, tokens.as_ref(), |client| {
            let read = read.clone();
            async move { client.get_raw(read.path(), read.query()).await }
        })
        .await;
        let result = match result {
            Ok(body) => body_text(body),
            Err(error) => {
                tracing::warn!(%error, path = read.path(), "a catch-up read failed");
                Err(error.request_error())
            }
        };
        HelixDone {
            input: Input::CatchUpRead { request, result },
        }
    })
}

/// The body as text: Helix answers JSON, which is UTF-8; anything else is a broken answer the
/// core reports as the read's failure.
fn body_text(body: Vec<u8>) -> Result<String, RequestError> {
    String::from_utf8(body).map_err(|error| {
        let message = format!(
            "Helix answered a body that is not UTF-8 (invalid at byte {})",
            error.utf8_error().valid_up_to()
        );
        tracing::warn!(%message, "a catch-up read failed");
        RequestError::Unavailable { message }
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
