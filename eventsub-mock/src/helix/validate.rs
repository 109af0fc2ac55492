//! `GET /oauth2/validate`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::auth::validate_caller;
use super::reply::{Reject, json_reply};
use super::state::{SharedState, TokenOwner, lock};

/// What Twitch says about a token: app tokens have no `login` or `user_id`.
pub async fn validate(
    State(state): State<SharedState>,
    headers: HeaderMap,
) -> Result<Response, Reject> {
    let token = validate_caller(&lock(&state), &headers)?;
    let body = match &token.owner {
        TokenOwner::User { user_id, login } => json!({
            "client_id": token.client_id,
            "login": login,
            "scopes": token.scopes,
            "user_id": user_id,
            "expires_in": token.expires_in_secs(),
        }),
        TokenOwner::App => json!({
            "client_id": token.client_id,
            "scopes": token.scopes,
            "expires_in": token.expires_in_secs(),
        }),
    };
    Ok(json_reply(StatusCode::OK, body))
}
