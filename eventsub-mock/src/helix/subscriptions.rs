//! `/helix/eventsub/subscriptions`: create (with Twitch's checks and limits), list, delete.

use std::collections::{HashMap, HashSet};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

use super::auth::helix_caller;
use super::paging::{page, pagination};
use super::reply::{Reject, json_reply, parse_body, required_param};
use super::state::{
    APP_MAX_TOTAL_COST, MAX_SESSIONS_PER_USER_TOKEN, MockState, MockSubscription, MockToken,
    MockTransport, SharedState, SubscriptionOwner, USER_MAX_TOTAL_COST, lock,
};

#[derive(Deserialize)]
struct CreateBody {
    #[serde(rename = "type")]
    kind: String,
    version: String,
    condition: Map<String, Value>,
    transport: TransportBody,
}

/// The transport of a request; also the body of one shard in Update Conduit Shards.
#[derive(Deserialize)]
pub struct TransportBody {
    method: String,
    session_id: Option<String>,
    conduit_id: Option<String>,
    callback: Option<String>,
    secret: Option<String>,
}

fn required(field: Option<String>, name: &str) -> Result<String, Reject> {
    field
        .filter(|value| !value.is_empty())
        .ok_or_else(|| Reject::bad_request(format!("transport.{name} is required")))
}

impl TransportBody {
    /// The transport method as given.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// Whether a field of the transport is missing or empty.
    pub fn field_is_empty(&self, name: &str) -> bool {
        let field = match name {
            "session_id" => &self.session_id,
            "conduit_id" => &self.conduit_id,
            "callback" => &self.callback,
            _ => &self.secret,
        };
        field.as_deref().is_none_or(str::is_empty)
    }

    /// [`TransportBody::validate`] of a copy.
    pub fn validate_ref(&self, state: &MockState) -> Result<MockTransport, Reject> {
        Self {
            method: self.method.clone(),
            session_id: self.session_id.clone(),
            conduit_id: self.conduit_id.clone(),
            callback: self.callback.clone(),
            secret: self.secret.clone(),
        }
        .validate(state)
    }

    /// Checks the transport's fields (not who may use it) and returns what to store.
    pub fn validate(self, state: &MockState) -> Result<MockTransport, Reject> {
        match self.method.as_str() {
            "websocket" => {
                let session_id = required(self.session_id, "session_id")?;
                if !state.session_is_known(&session_id) {
                    return Err(Reject::bad_request(
                        "websocket session does not exist or has already disconnected",
                    ));
                }
                Ok(MockTransport::Websocket {
                    session_id,
                    connected_at: now_rfc3339(),
                })
            }
            "conduit" => Ok(MockTransport::Conduit {
                conduit_id: required(self.conduit_id, "conduit_id")?,
            }),
            "webhook" => {
                let callback = required(self.callback, "callback")?;
                let secret = required(self.secret, "secret")?;
                if !callback.starts_with("https://") {
                    return Err(Reject::bad_request("transport.callback must use https"));
                }
                if !(10..=100).contains(&secret.len()) {
                    return Err(Reject::bad_request(
                        "transport.secret must be 10 to 100 characters",
                    ));
                }
                Ok(MockTransport::Webhook { callback })
            }
            other => Err(Reject::bad_request(format!(
                "unsupported transport.method {other:?}"
            ))),
        }
    }
}

/// The current time as Twitch writes it (UTC, microseconds).
pub fn now_rfc3339() -> String {
    const TWITCH: &[BorrowedFormatItem<'_>] =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    // Formatting fails only for a year past 9999.
    OffsetDateTime::now_utc().format(TWITCH).unwrap_or_default()
}

/// Twitch's rule: free when the token's user is the one the condition is about.
fn cost(caller: &MockToken, condition: &Map<String, Value>) -> u32 {
    let owns = |field: &str| {
        caller.user_id().is_some()
            && condition.get(field).and_then(Value::as_str) == caller.user_id()
    };
    if owns("broadcaster_user_id") || owns("user_id") {
        0
    } else {
        1
    }
}

/// 403 when the token is the wrong kind for the transport; 400 for an unknown conduit.
fn check_transport_access(
    state: &MockState,
    caller: &MockToken,
    transport: &MockTransport,
) -> Result<(), Reject> {
    match (transport, caller.user_id()) {
        (MockTransport::Websocket { .. }, None) => Err(Reject::forbidden(
            "the websocket transport requires a user access token, not an app access token",
        )),
        (MockTransport::Conduit { .. } | MockTransport::Webhook { .. }, Some(_)) => Err(
            Reject::forbidden("the conduit and webhook transports require an app access token"),
        ),
        (MockTransport::Conduit { conduit_id }, None) => {
            let owned = state
                .conduits
                .iter()
                .any(|c| &c.id == conduit_id && c.client_id == caller.client_id);
            if owned {
                Ok(())
            } else {
                Err(Reject::bad_request("conduit not found"))
            }
        }
        _ => Ok(()),
    }
}

/// 429 when a user token's websocket limits would be exceeded.
fn check_websocket_limits(
    state: &MockState,
    owner: &SubscriptionOwner,
    session_id: &str,
) -> Result<(), Reject> {
    let sessions: HashSet<&str> = state
        .subscriptions_of(owner)
        .filter(|s| s.is_enabled())
        .filter_map(|s| s.transport.session_id())
        .collect();
    if !sessions.contains(session_id) && sessions.len() >= MAX_SESSIONS_PER_USER_TOKEN {
        return Err(Reject::limit(
            "number of websocket transports limit exceeded",
        ));
    }
    let on_session = state
        .subscriptions
        .iter()
        .filter(|s| s.is_enabled() && s.transport.session_id() == Some(session_id))
        .count();
    if on_session >= eventsub_proto::MAX_SUBSCRIPTIONS_PER_CONNECTION {
        return Err(Reject::limit(
            "number of subscriptions on this websocket transport limit exceeded",
        ));
    }
    Ok(())
}

fn max_total_cost(caller: &MockToken) -> u32 {
    if caller.user_id().is_some() {
        USER_MAX_TOTAL_COST
    } else {
        APP_MAX_TOTAL_COST
    }
}

/// `POST /helix/eventsub/subscriptions`.
pub async fn create(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Reject> {
    let mut state = lock(&state);
    let caller = helix_caller(&state, &headers)?;
    let request: CreateBody = parse_body(&body)?;
    if request.kind.is_empty() || request.version.is_empty() {
        return Err(Reject::bad_request("type and version are required"));
    }
    if request.condition.is_empty() || !request.condition.values().all(Value::is_string) {
        return Err(Reject::bad_request(
            "condition must be a non-empty object of strings",
        ));
    }
    let transport = request.transport.validate(&state)?;
    check_transport_access(&state, &caller, &transport)?;
    if let Some(scope) = state.required_scopes.get(&request.kind) {
        if !caller.scopes.contains(scope) {
            return Err(Reject::forbidden(format!(
                "subscription missing proper authorization: requires scope {scope}"
            )));
        }
    }
    let owner = caller.subscription_owner();
    let duplicate = state.subscriptions_of(&owner).any(|s| {
        s.kind == request.kind
            && s.version == request.version
            && s.condition == request.condition
            && s.transport.same_destination(&transport)
    });
    if duplicate {
        return Err(Reject::new(
            StatusCode::CONFLICT,
            "subscription already exists",
        ));
    }
    if let Some(session_id) = transport.session_id() {
        check_websocket_limits(&state, &owner, session_id)?;
    }
    let cost = cost(&caller, &request.condition);
    let max_total_cost = max_total_cost(&caller);
    if state.total_cost(&owner) + cost > max_total_cost {
        return Err(Reject::limit(
            "total cost of subscriptions exceeds max_total_cost",
        ));
    }
    let status = match transport {
        MockTransport::Webhook { .. } => "webhook_callback_verification_pending",
        _ => "enabled",
    };
    let subscription = MockSubscription {
        id: state.next_id(),
        owner: owner.clone(),
        status: status.to_owned(),
        kind: request.kind,
        version: request.version,
        condition: request.condition,
        transport,
        cost,
        created_at: now_rfc3339(),
    };
    let data = subscription.to_json();
    state.subscriptions.push(subscription);
    let body = json!({
        "data": [data],
        "total": state.subscriptions_of(&owner).count(),
        "total_cost": state.total_cost(&owner),
        "max_total_cost": max_total_cost,
    });
    Ok(json_reply(StatusCode::ACCEPTED, body))
}

fn matches_filter(subscription: &MockSubscription, name: &str, value: &str) -> bool {
    match name {
        "status" => subscription.status == value,
        "type" => subscription.kind == value,
        "subscription_id" => subscription.id == value,
        // user_id matches any user id field of the condition.
        _ => subscription
            .condition
            .iter()
            .any(|(field, id)| field.ends_with("user_id") && id.as_str() == Some(value)),
    }
}

/// `GET /helix/eventsub/subscriptions`.
pub async fn list(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Reject> {
    let state = lock(&state);
    let caller = helix_caller(&state, &headers)?;
    let filters: Vec<(&str, &str)> = ["status", "type", "user_id", "subscription_id"]
        .into_iter()
        .filter_map(|name| required_param(&query, name).ok().map(|value| (name, value)))
        .collect();
    if filters.len() > 1 {
        return Err(Reject::bad_request(
            "only one of status, type, user_id and subscription_id may be given",
        ));
    }
    let owner = caller.subscription_owner();
    let matching: Vec<Value> = state
        .subscriptions_of(&owner)
        .filter(|s| {
            filters
                .iter()
                .all(|(name, value)| matches_filter(s, name, value))
        })
        .map(MockSubscription::to_json)
        .collect();
    let (data, cursor) = page(
        matching,
        query.get("after").map(String::as_str),
        state.page_size,
    )?;
    let body = json!({
        "data": data,
        "total": state.subscriptions_of(&owner).count(),
        "total_cost": state.total_cost(&owner),
        "max_total_cost": max_total_cost(&caller),
        "pagination": pagination(cursor),
    });
    Ok(json_reply(StatusCode::OK, body))
}

/// `DELETE /helix/eventsub/subscriptions?id=`.
pub async fn delete(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Reject> {
    let mut state = lock(&state);
    let caller = helix_caller(&state, &headers)?;
    let id = required_param(&query, "id")?;
    let owner = caller.subscription_owner();
    let position = state
        .subscriptions
        .iter()
        .position(|s| s.id == id && s.owner == owner)
        .ok_or_else(|| Reject::not_found("subscription not found"))?;
    state.subscriptions.remove(position);
    Ok(StatusCode::NO_CONTENT.into_response())
}
