//! `/helix/eventsub/conduits` and `/helix/eventsub/conduits/shards` (app tokens only).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::app_caller;
use super::paging::{page, pagination};
use super::reply::{Reject, json_reply, parse_body, required_param};
use super::state::{
    MockConduit, MockShard, MockState, MockToken, MockTransport, SharedState, lock,
};
use super::subscriptions::TransportBody;

/// The most conduits one client id may have.
pub const MAX_CONDUITS: usize = 5;
/// The most shards one conduit may have.
pub const MAX_SHARDS: usize = 20_000;

fn check_shard_count(shard_count: usize) -> Result<(), Reject> {
    if (1..=MAX_SHARDS).contains(&shard_count) {
        Ok(())
    } else {
        Err(Reject::bad_request(format!(
            "shard_count must be between 1 and {MAX_SHARDS}"
        )))
    }
}

/// The caller (app tokens only) and the parsed body of a conduit request.
fn app_request<T: serde::de::DeserializeOwned>(
    state: &MockState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(MockToken, T), Reject> {
    let caller = app_caller(state, headers)?;
    Ok((caller, parse_body(body)?))
}

fn conduit_mut<'a>(
    state: &'a mut MockState,
    client_id: &str,
    id: &str,
) -> Result<&'a mut MockConduit, Reject> {
    state
        .conduits
        .iter_mut()
        .find(|c| c.id == id && c.client_id == client_id)
        .ok_or_else(|| Reject::not_found("conduit not found"))
}

/// `GET /helix/eventsub/conduits`.
pub async fn list(
    State(state): State<SharedState>,
    headers: HeaderMap,
) -> Result<Response, Reject> {
    let state = lock(&state);
    let caller = app_caller(&state, &headers)?;
    let data: Vec<Value> = state
        .conduits
        .iter()
        .filter(|c| c.client_id == caller.client_id)
        .map(MockConduit::to_json)
        .collect();
    Ok(json_reply(StatusCode::OK, json!({ "data": data })))
}

#[derive(Deserialize)]
struct CreateBody {
    shard_count: usize,
}

/// `POST /helix/eventsub/conduits`.
pub async fn create(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Reject> {
    let mut state = lock(&state);
    let (caller, request): (_, CreateBody) = app_request(&state, &headers, &body)?;
    check_shard_count(request.shard_count)?;
    let owned = state
        .conduits
        .iter()
        .filter(|c| c.client_id == caller.client_id)
        .count();
    if owned >= MAX_CONDUITS {
        return Err(Reject::limit("conduit limit reached"));
    }
    let conduit = MockConduit {
        id: state.next_id(),
        client_id: caller.client_id,
        shards: vec![MockShard::unassigned(); request.shard_count],
    };
    let data = conduit.to_json();
    state.conduits.push(conduit);
    Ok(json_reply(StatusCode::OK, json!({ "data": [data] })))
}

#[derive(Deserialize)]
struct UpdateBody {
    id: String,
    shard_count: usize,
}

/// `PATCH /helix/eventsub/conduits`: shards above the new count go away.
pub async fn update(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Reject> {
    let mut state = lock(&state);
    let (caller, request): (_, UpdateBody) = app_request(&state, &headers, &body)?;
    check_shard_count(request.shard_count)?;
    let conduit = conduit_mut(&mut state, &caller.client_id, &request.id)?;
    conduit
        .shards
        .resize(request.shard_count, MockShard::unassigned());
    let data = conduit.to_json();
    Ok(json_reply(StatusCode::OK, json!({ "data": [data] })))
}

/// `DELETE /helix/eventsub/conduits?id=`: its subscriptions go with it.
pub async fn delete(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Reject> {
    let mut state = lock(&state);
    let caller = app_caller(&state, &headers)?;
    let id = required_param(&query, "id")?;
    conduit_mut(&mut state, &caller.client_id, id)?;
    state
        .conduits
        .retain(|c| !(c.id == id && c.client_id == caller.client_id));
    state.subscriptions.retain(
        |s| !matches!(&s.transport, MockTransport::Conduit { conduit_id } if conduit_id == id),
    );
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /helix/eventsub/conduits/shards?conduit_id=&status=&after=`.
pub async fn list_shards(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Reject> {
    let mut state = lock(&state);
    let caller = app_caller(&state, &headers)?;
    let id = required_param(&query, "conduit_id")?;
    let page_size = state.page_size;
    let conduit = conduit_mut(&mut state, &caller.client_id, id)?;
    let status = query.get("status");
    let shards: Vec<Value> = conduit
        .shards
        .iter()
        .enumerate()
        .filter(|(_, shard)| status.is_none_or(|status| &shard.status == status))
        .map(|(id, shard)| shard.to_json(id))
        .collect();
    let (data, cursor) = page(shards, query.get("after").map(String::as_str), page_size)?;
    Ok(json_reply(
        StatusCode::OK,
        json!({ "data": data, "pagination": pagination(cursor) }),
    ))
}

#[derive(Deserialize)]
struct ShardBody {
    id: String,
    transport: TransportBody,
}

#[derive(Deserialize)]
struct UpdateShardsBody {
    conduit_id: String,
    shards: Vec<ShardBody>,
}

fn shard_error(id: &str, message: &str, code: &str) -> Value {
    json!({ "id": id, "message": message, "code": code })
}

/// Checks one shard of an update: its index and transport, or its entry under `errors`. The
/// messages are those of Twitch's reference; the codes are the mock's own (the reference names a
/// `code` field without listing its values).
fn accept_shard(
    request: &UpdateShardsBody,
    shard: &ShardBody,
    state: &mut MockState,
) -> Result<(usize, MockTransport), Value> {
    let refuse = |message: &str, code: &str| shard_error(&shard.id, message, code);
    let shard_count = state
        .conduits
        .iter()
        .find(|c| c.id == request.conduit_id)
        .map_or(0, |c| c.shards.len());
    let index = shard
        .id
        .parse::<usize>()
        .ok()
        .filter(|index| *index < shard_count)
        .ok_or_else(|| {
            refuse(
                "The shard id is outside of the conduit's range.",
                "invalid_shard_id",
            )
        })?;
    if let Some(message) = state.take_shard_update_refusal(&request.conduit_id, index) {
        return Err(refuse(&message, "internal_error"));
    }
    let transport = &shard.transport;
    match transport.method() {
        "websocket" if transport.field_is_empty("session_id") => Err(refuse(
            "The session_id field is required if you specify the WebSocket transport method.",
            "missing_session_id",
        )),
        "webhook" if transport.field_is_empty("callback") => Err(refuse(
            "The callback field is required if you specify the webhook transport method.",
            "missing_callback",
        )),
        "websocket" | "webhook" => match transport.validate_ref(state) {
            Ok(transport) => Ok((index, transport)),
            Err(_) if transport.method() == "websocket" => Err(refuse(
                "The websocket session is not connected.",
                "websocket_session_not_connected",
            )),
            Err(_) => Err(refuse(
                "The URL in the transport's callback field is not valid. The URL must use the HTTPS protocol and the 443 port number.",
                "invalid_callback",
            )),
        },
        _ => Err(refuse(
            "The value specified in the method field is not valid.",
            "invalid_method",
        )),
    }
}

/// `PATCH /helix/eventsub/conduits/shards`: each shard succeeds or fails on its own (202 with
/// `data` and `errors`); only a missing conduit or a malformed body fails the whole call.
pub async fn update_shards(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Reject> {
    let mut state = lock(&state);
    state.shard_update_calls += 1;
    let (caller, request): (_, UpdateShardsBody) = app_request(&state, &headers, &body)?;
    conduit_mut(&mut state, &caller.client_id, &request.conduit_id)?;
    let mut updated = Vec::new();
    let mut errors = Vec::new();
    for shard in &request.shards {
        let (index, transport) = match accept_shard(&request, shard, &mut state) {
            Ok(accepted) => accepted,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        let conduit = conduit_mut(&mut state, &caller.client_id, &request.conduit_id)?;
        let Some(stored) = conduit.shards.get_mut(index) else {
            continue; // checked by `accept_shard` under the same lock
        };
        stored.status = match transport {
            MockTransport::Webhook { .. } => "webhook_callback_verification_pending",
            _ => "enabled",
        }
        .to_owned();
        stored.transport = Some(transport);
        stored.disconnected_at = None;
        updated.push(stored.to_json(index));
    }
    Ok(json_reply(
        StatusCode::ACCEPTED,
        json!({ "data": updated, "errors": errors }),
    ))
}
