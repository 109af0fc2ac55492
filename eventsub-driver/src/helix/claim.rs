//! The two calls of a client that claims its conduit shards: one page of Get Conduit Shards,
//! handed back as the body's text (which shards are free, and whether a claim was won, the core
//! decides), and Update Conduits to grow the conduit. This only runs the calls.

use std::sync::Arc;

use eventsub_helix::HelixClient;
use eventsub_proto::{ConduitId, Input, RequestId};

use super::HelixDone;
use super::call::{body_text, with_token};
use crate::token::{BoxFuture, TokenProvider};

/// Reads the page of conduit `conduit_id`'s shards after the cursor `after` (the first page for
/// `None`) and reports the body of Helix's 200 answer, or the error.
pub(crate) fn read_shards(
    helix: HelixClient,
    tokens: Arc<dyn TokenProvider>,
    request: RequestId,
    conduit_id: ConduitId,
    after: Option<String>,
) -> BoxFuture<'static, HelixDone> {
    Box::pin(async move {
        let result = with_token(&helix, tokens.as_ref(), |client| {
            let (conduit_id, after) = (conduit_id.clone(), after.clone());
            async move {
                client
                    .conduit_shards_page_body(&conduit_id, after.as_deref())
                    .await
            }
        })
        .await;
        let result = match result {
            Ok(body) => body_text(body),
            Err(error) => Err(error.request_error()),
        };
        if let Err(error) = &result {
            tracing::warn!(%conduit_id, %error, "reading the conduit's shards failed");
        }
        HelixDone {
            input: Input::ConduitShardsRead { request, result },
        }
    })
}

/// Sets conduit `conduit_id`'s shard count to `shard_count` and reports the count Helix answered.
pub(crate) fn resize(
    helix: HelixClient,
    tokens: Arc<dyn TokenProvider>,
    request: RequestId,
    conduit_id: ConduitId,
    shard_count: u32,
) -> BoxFuture<'static, HelixDone> {
    Box::pin(async move {
        let result = with_token(&helix, tokens.as_ref(), |client| {
            let conduit_id = conduit_id.clone();
            async move { client.update_conduit(&conduit_id, shard_count).await }
        })
        .await;
        let result = match result {
            Ok(conduit) => {
                tracing::info!(%conduit_id, shard_count = conduit.shard_count, "conduit resized");
                Ok(conduit.shard_count)
            }
            Err(error) => {
                tracing::warn!(%conduit_id, shard_count, %error, "resizing the conduit failed");
                Err(error.request_error())
            }
        };
        HelixDone {
            input: Input::ConduitResized { request, result },
        }
    })
}
