//! Assigning the client's session to its conduit shard (Update Conduit Shards, one shard), with
//! Twitch's per-shard answer mapped to what the core needs.

use std::sync::Arc;

use eventsub_helix::{HelixClient, ShardUpdate, ShardUpdateResult, TransportRequest};
use eventsub_proto::{ConduitId, Input, RequestError, RequestId, SessionId, ShardAssignError};

use super::HelixDone;
use super::call::with_token;
use crate::token::{BoxFuture, TokenProvider};

/// Assigns `session_id` to shard `shard_id` of `conduit_id`.
pub(crate) fn assign(
    helix: HelixClient,
    tokens: Arc<dyn TokenProvider>,
    request: RequestId,
    conduit_id: ConduitId,
    shard_id: u32,
    session_id: SessionId,
) -> BoxFuture<'static, HelixDone> {
    Box::pin(async move {
        let update = ShardUpdate::new(shard_id, TransportRequest::websocket(session_id));
        let answer = with_token(&helix, tokens.as_ref(), |client| {
            let (conduit_id, update) = (conduit_id.clone(), update.clone());
            async move { client.update_conduit_shards(&conduit_id, &[update]).await }
        })
        .await;
        let result = match answer {
            Ok(answer) => outcome(&answer, shard_id),
            Err(error) => Err(ShardAssignError::Request(error.request_error())),
        };
        match &result {
            Ok(()) => tracing::info!(%conduit_id, shard_id, "shard assigned"),
            Err(error) => {
                tracing::warn!(%conduit_id, shard_id, %error, "assigning the shard failed")
            }
        }
        HelixDone {
            input: Input::ShardAssigned { request, result },
        }
    })
}

/// What Twitch's answer says of shard `shard_id`: updated, refused with its `code` and
/// `message`, or (listed nowhere) an answer that may be better next time.
pub(crate) fn outcome(answer: &ShardUpdateResult, shard_id: u32) -> Result<(), ShardAssignError> {
    let is_ours = |id: &str| id.parse::<u32>().is_ok_and(|id| id == shard_id);
    if answer.updated.iter().any(|shard| is_ours(&shard.id)) {
        return Ok(());
    }
    match answer.errors.iter().find(|error| is_ours(&error.id)) {
        Some(error) => Err(ShardAssignError::refused(&error.code, &error.message)),
        None => Err(ShardAssignError::Request(RequestError::Unavailable {
            message: format!(
                "Twitch's answer lists shard {shard_id} neither as updated nor as failed"
            ),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(json: &str) -> ShardUpdateResult {
        serde_json::from_str(json).unwrap() // ok: a constant answer in a test
    }

    #[test]
    fn an_updated_shard_is_assigned() {
        let answer = answer(
            r#"{"data":[{"id":"3","status":"enabled","transport":{"method":"websocket","session_id":"s"}}],"errors":[]}"#,
        );
        assert_eq!(outcome(&answer, 3), Ok(()));
    }

    #[test]
    fn a_shard_listed_under_errors_carries_twitchs_code_and_message() {
        let answer = answer(
            r#"{"data":[],"errors":[{"id":"3","message":"The websocket session is not connected.","code":"websocket_session_not_connected"}]}"#,
        );
        assert_eq!(
            outcome(&answer, 3),
            Err(ShardAssignError::refused(
                "websocket_session_not_connected",
                "The websocket session is not connected."
            ))
        );
    }

    #[test]
    fn a_shard_listed_nowhere_may_pass() {
        let answer = answer(r#"{"data":[],"errors":[{"id":"4","message":"m","code":"c"}]}"#);
        assert!(matches!(
            outcome(&answer, 3),
            Err(ShardAssignError::Request(RequestError::Unavailable { .. }))
        ));
    }
}
