//! A catch-up read the core asks for: one Helix GET, its body handed back as text. What to read,
//! which page, and what the answer means are the core's; this only runs the call.

use std::sync::Arc;

use eventsub_helix::HelixClient;
use eventsub_proto::catchup::ReadRequest;
use eventsub_proto::{Input, RequestId};

use super::HelixDone;
use super::call::{body_text, with_token};
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
            Ok(body) => body_text(body).inspect_err(|error| {
                tracing::warn!(%error, path = read.path(), "a catch-up read failed");
            }),
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
