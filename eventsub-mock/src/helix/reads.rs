//! The catch-up reads of Helix, served from the world ([`super::world`]): Get Channel Followers,
//! Get Banned Users, Get Custom Reward Redemption, Get Polls, Get Predictions, Get Creator Goals,
//! Get Charity Campaign, Get Streams and Get Channel Information, with Twitch's `first`/`after`
//! pagination, scope checks (401 for a missing scope, 403 when the token's user is not the
//! broadcaster) and the followers quirk (no scope: `total` only).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::auth::helix_caller;
use super::paging::{page, pagination};
use super::reply::{Reject, json_reply};
use super::state::{MockState, MockToken, SharedState, lock};
use super::world::ChannelRecords;

/// What every read handler starts from: the shared state, the headers (who calls) and the query.
pub struct ReadCall {
    state: SharedState,
    headers: HeaderMap,
    params: Params,
}

impl FromRequestParts<SharedState> for ReadCall {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let path = parts.uri.path();
        lock(state).world.read(
            path.strip_prefix("/helix").unwrap_or(path),
            parts.uri.query(),
        );
        Ok(Self {
            state: state.clone(),
            headers: parts.headers.clone(),
            params: Params::parse(parts.uri.query().map(str::to_owned)),
        })
    }
}

/// The query string as name/value pairs, repeated names kept (`user_id=1&user_id=2`).
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(query: Option<String>) -> Self {
        Self(
            url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
                .into_owned()
                .collect(),
        )
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }

    fn required(&self, name: &str) -> Result<&str, Reject> {
        self.get(name)
            .filter(|value| !value.is_empty())
            .ok_or_else(|| Reject::bad_request(format!("Missing required parameter \"{name}\"")))
    }

    /// `first`, 1 to `max` (`default` when absent), or Twitch's 400.
    fn first(&self, default: usize, max: usize) -> Result<usize, Reject> {
        match self.get("first") {
            None => Ok(default),
            Some(text) => text
                .parse::<usize>()
                .ok()
                .filter(|first| (1..=max).contains(first))
                .ok_or_else(|| {
                    Reject::bad_request(format!("The parameter \"first\" must be 1 to {max}"))
                }),
        }
    }
}

/// The caller, checked for one of `scopes` (401 without) and, for broadcaster-only reads, for
/// being the broadcaster (403 otherwise).
fn scoped_caller(
    state: &MockState,
    headers: &HeaderMap,
    scopes: &[&str],
    broadcaster_id: &str,
) -> Result<MockToken, Reject> {
    let caller = helix_caller(state, headers)?;
    if !scopes.is_empty()
        && !caller
            .scopes
            .iter()
            .any(|scope| scopes.contains(&scope.as_str()))
    {
        return Err(Reject::unauthorized(format!(
            "Missing scope: {}",
            scopes.join(" or ")
        )));
    }
    if caller.user_id() != Some(broadcaster_id) {
        return Err(Reject::forbidden(
            "The ID in broadcaster_id must match the user ID found in the request's OAuth token.",
        ));
    }
    Ok(caller)
}

/// The caller and the `broadcaster_id` of a broadcaster-only read, once the caller passed
/// [`scoped_caller`].
fn authorized<'p>(
    state: &MockState,
    headers: &HeaderMap,
    params: &'p Params,
    scopes: &[&str],
) -> Result<(MockToken, &'p str), Reject> {
    let broadcaster_id = params.required("broadcaster_id")?;
    let caller = scoped_caller(state, headers, scopes, broadcaster_id)?;
    Ok((caller, broadcaster_id))
}

fn records<'a>(state: &'a MockState, broadcaster_id: &str) -> Option<&'a ChannelRecords> {
    state.world.channel(broadcaster_id)
}

/// A paged answer: `{data, pagination}` plus `total` when given.
fn paged(
    items: Vec<Value>,
    params: &Params,
    first: usize,
    total: Option<usize>,
) -> Result<Response, Reject> {
    let (data, cursor) = page(items, params.get("after"), first)?;
    let mut body = json!({"data": data, "pagination": pagination(cursor)});
    if let (Some(total), Some(object)) = (total, body.as_object_mut()) {
        object.insert("total".to_owned(), json!(total));
    }
    Ok(json_reply(StatusCode::OK, body))
}

/// `GET /helix/channels/followers`.
pub async fn followers(call: ReadCall) -> Result<Response, Reject> {
    let state = lock(&call.state);
    let (headers, params) = (&call.headers, &call.params);
    let caller = helix_caller(&state, headers)?;
    let broadcaster_id = params.required("broadcaster_id")?;
    let first = params.first(20, 100)?;
    let all = records(&state, broadcaster_id).map_or(&[][..], |c| c.followers.as_slice());
    let total = all.len();
    // Twitch: without the scope, or when not the broadcaster, only the total.
    let allowed = caller
        .scopes
        .iter()
        .any(|s| s == "moderator:read:followers")
        && caller.user_id() == Some(broadcaster_id);
    let items: Vec<Value> = match (allowed, params.get("user_id")) {
        (false, _) => Vec::new(),
        (true, None) => all.to_vec(),
        (true, Some(user_id)) => all
            .iter()
            .filter(|f| f.get("user_id") == Some(&json!(user_id)))
            .cloned()
            .collect(),
    };
    paged(items, params, first, Some(total))
}

/// `GET /helix/moderation/banned`.
pub async fn banned(call: ReadCall) -> Result<Response, Reject> {
    let state = lock(&call.state);
    let (headers, params) = (&call.headers, &call.params);
    let scopes = ["moderation:read", "moderator:manage:banned_users"];
    let (_, broadcaster_id) = authorized(&state, headers, params, &scopes)?;
    let first = params.first(20, 100)?;
    let items = records(&state, broadcaster_id).map_or_else(Vec::new, |c| c.bans.clone());
    paged(items, params, first, None)
}

/// `GET /helix/channel_points/custom_rewards/redemptions`.
pub async fn redemptions(call: ReadCall) -> Result<Response, Reject> {
    let state = lock(&call.state);
    let (headers, params) = (&call.headers, &call.params);
    let scopes = ["channel:read:redemptions", "channel:manage:redemptions"];
    let (caller, broadcaster_id) = authorized(&state, headers, params, &scopes)?;
    let reward_id = params.required("reward_id")?;
    let owner = records(&state, broadcaster_id).and_then(|c| c.reward_owners.get(reward_id));
    if owner.is_some_and(|owner| *owner != caller.client_id) {
        return Err(Reject::forbidden(
            "The ID in the Client-Id header must match the Client ID used to create the custom reward.",
        ));
    }
    let ids = params.all("id");
    let status = match (params.get("status"), ids.is_empty()) {
        (Some(status @ ("UNFULFILLED" | "FULFILLED" | "CANCELED")), _) => Some(status),
        (Some(_), _) => return Err(Reject::bad_request("The value in status is not valid")),
        (None, true) => return Err(Reject::bad_request("Missing required parameter \"status\"")),
        (None, false) => None,
    };
    let first = params.first(20, 50)?;
    let mut items: Vec<Value> = records(&state, broadcaster_id)
        .map_or(&[][..], |c| c.redemptions.as_slice())
        .iter()
        .filter(|r| r.get("reward").and_then(|reward| reward.get("id")) == Some(&json!(reward_id)))
        .filter(|r| status.is_none_or(|status| r.get("status") == Some(&json!(status))))
        .filter(|r| ids.is_empty() || ids.iter().any(|id| r.get("id") == Some(&json!(id))))
        .cloned()
        .collect();
    if params.get("sort") == Some("NEWEST") {
        items.reverse();
    }
    paged(items, params, first, None)
}

/// A newest-first list of the broadcaster's (polls, predictions), optionally only some ids.
async fn by_id_list(
    call: &ReadCall,
    scopes: &[&str],
    max_first: usize,
    list: fn(&ChannelRecords) -> &[Value],
) -> Result<Response, Reject> {
    let state = lock(&call.state);
    let (headers, params) = (&call.headers, &call.params);
    let (_, broadcaster_id) = authorized(&state, headers, params, scopes)?;
    let first = params.first(max_first, max_first)?;
    let ids = params.all("id");
    let items: Vec<Value> = records(&state, broadcaster_id)
        .map_or(&[][..], list)
        .iter()
        .filter(|item| ids.is_empty() || ids.iter().any(|id| item.get("id") == Some(&json!(id))))
        .cloned()
        .collect();
    paged(items, params, first, None)
}

/// `GET /helix/polls`.
pub async fn polls(call: ReadCall) -> Result<Response, Reject> {
    let scopes = ["channel:read:polls", "channel:manage:polls"];
    by_id_list(&call, &scopes, 20, |c| &c.polls).await
}

/// `GET /helix/predictions`.
pub async fn predictions(call: ReadCall) -> Result<Response, Reject> {
    let scopes = ["channel:read:predictions", "channel:manage:predictions"];
    by_id_list(&call, &scopes, 25, |c| &c.predictions).await
}

/// An unpaged list of the broadcaster's (goals, the charity campaign).
fn unpaged(
    call: &ReadCall,
    scope: &str,
    items: fn(&ChannelRecords) -> Vec<Value>,
) -> Result<Response, Reject> {
    let state = lock(&call.state);
    let (headers, params) = (&call.headers, &call.params);
    let (_, broadcaster_id) = authorized(&state, headers, params, &[scope])?;
    let data = records(&state, broadcaster_id).map_or_else(Vec::new, items);
    Ok(json_reply(StatusCode::OK, json!({"data": data})))
}

/// `GET /helix/goals`.
pub async fn goals(call: ReadCall) -> Result<Response, Reject> {
    unpaged(&call, "channel:read:goals", |c| c.goals.clone())
}

/// `GET /helix/charity/campaigns`.
pub async fn charity(call: ReadCall) -> Result<Response, Reject> {
    unpaged(&call, "channel:read:charity", |c| {
        c.charity.iter().cloned().collect()
    })
}

/// The ids of a state read (1 to 100), or Twitch's 400.
fn state_ids<'a>(params: &'a Params, name: &str) -> Result<Vec<&'a str>, Reject> {
    let ids = params.all(name);
    if ids.len() > 100 {
        return Err(Reject::bad_request(format!(
            "At most 100 {name} parameters"
        )));
    }
    Ok(ids)
}

/// `GET /helix/streams` (by `user_id`; no scope).
pub async fn streams(call: ReadCall) -> Result<Response, Reject> {
    let state = lock(&call.state);
    let (headers, params) = (&call.headers, &call.params);
    helix_caller(&state, headers)?;
    let first = params.first(20, 100)?;
    let ids = state_ids(params, "user_id")?;
    let items: Vec<Value> = state
        .world
        .channels
        .iter()
        .filter(|(id, _)| ids.is_empty() || ids.contains(&id.as_str()))
        .filter_map(|(_, channel)| channel.stream.clone())
        .collect();
    paged(items, params, first, None)
}

/// `GET /helix/channels` (no scope).
pub async fn channels(call: ReadCall) -> Result<Response, Reject> {
    let state = lock(&call.state);
    let (headers, params) = (&call.headers, &call.params);
    helix_caller(&state, headers)?;
    let ids = state_ids(params, "broadcaster_id")?;
    if ids.is_empty() {
        return Err(Reject::bad_request(
            "Missing required parameter \"broadcaster_id\"",
        ));
    }
    let data: Vec<Value> = ids
        .iter()
        .filter_map(|id| records(&state, id)?.information.clone())
        .collect();
    Ok(json_reply(StatusCode::OK, json!({"data": data})))
}
