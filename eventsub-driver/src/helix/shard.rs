//! Assigning sessions to their conduit shards (Update Conduit Shards: one shard for a lone
//! client, a batch of up to 100 for a pool of shards), with Twitch's per-shard answer mapped to
//! what the core needs.

use std::sync::Arc;

use eventsub_helix::{HelixClient, ShardUpdate, ShardUpdateResult, TransportRequest};
use eventsub_proto::{
    ConduitId, Input, RequestError, RequestId, SessionId, ShardAssignError, ShardSession,
};

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

/// Assigns each of `shards` to its session in one call, and answers with each shard's outcome.
pub(crate) fn assign_many(
    helix: HelixClient,
    tokens: Arc<dyn TokenProvider>,
    request: RequestId,
    conduit_id: ConduitId,
    shards: Vec<ShardSession>,
) -> BoxFuture<'static, HelixDone> {
    Box::pin(async move {
        let updates: Vec<ShardUpdate> = shards
            .iter()
            .map(|shard| {
                ShardUpdate::new(
                    shard.shard_id,
                    TransportRequest::websocket(shard.session_id.clone()),
                )
            })
            .collect();
        let answer = with_token(&helix, tokens.as_ref(), |client| {
            let (conduit_id, updates) = (conduit_id.clone(), updates.clone());
            async move { client.update_conduit_shards(&conduit_id, &updates).await }
        })
        .await
        .map_err(|error| error.request_error());
        let shard_ids: Vec<u32> = shards.iter().map(|shard| shard.shard_id).collect();
        let results = outcomes(answer.as_ref(), &shard_ids);
        let failed = results.iter().filter(|(_, result)| result.is_err()).count();
        match &answer {
            Ok(_) => {
                tracing::info!(%conduit_id, shards = shard_ids.len(), failed, "shards assigned")
            }
            Err(error) => {
                tracing::warn!(%conduit_id, shards = shard_ids.len(), %error, "assigning the shards failed")
            }
        }
        HelixDone {
            input: Input::ShardsAssigned { request, results },
        }
    })
}

/// Each of `shard_ids`' outcome: as [`outcome`] reads Twitch's answer, or the whole call's
/// failure for every one of them.
pub(crate) fn outcomes(
    answer: Result<&ShardUpdateResult, &RequestError>,
    shard_ids: &[u32],
) -> Vec<(u32, Result<(), ShardAssignError>)> {
    shard_ids
        .iter()
        .map(|&shard_id| {
            let result = match answer {
                Ok(answer) => outcome(answer, shard_id),
                Err(error) => Err(ShardAssignError::Request(error.clone())),
            };
            (shard_id, result)
        })
        .collect()
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
    fn a_batch_answer_gives_each_shard_its_own_outcome() {
        let answer = answer(
            r#"{"data":[{"id":"1","status":"enabled","transport":{"method":"websocket","session_id":"s1"}}],"errors":[{"id":"2","message":"The websocket session is not connected.","code":"websocket_session_not_connected"}]}"#,
        );
        let results = outcomes(Ok(&answer), &[1, 2, 3]);
        assert_eq!(results.len(), 3);
        assert_eq!(results.first(), Some(&(1, Ok(()))));
        assert_eq!(
            results.get(1),
            Some(&(
                2,
                Err(ShardAssignError::refused(
                    "websocket_session_not_connected",
                    "The websocket session is not connected."
                ))
            ))
        );
        assert!(matches!(
            results.get(2),
            Some((
                3,
                Err(ShardAssignError::Request(RequestError::Unavailable { .. }))
            ))
        ));
    }

    #[test]
    fn a_failed_batch_call_is_every_shards_failure() {
        let error = RequestError::Rejected {
            status: 404,
            message: "conduit not found".to_owned(),
        };
        let results = outcomes(Err(&error), &[4, 5]);
        assert_eq!(
            results,
            [
                (4, Err(ShardAssignError::Request(error.clone()))),
                (5, Err(ShardAssignError::Request(error))),
            ]
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
