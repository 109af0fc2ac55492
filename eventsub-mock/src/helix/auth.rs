//! Who is calling: `Client-Id` and `Authorization: Bearer` for Helix, `Authorization: OAuth` for
//! validation, each looked up in the registered tokens.

use axum::http::{HeaderMap, header};

use super::reply::Reject;
use super::state::{MockState, MockToken};

fn authorization<'a>(headers: &'a HeaderMap, scheme: &str) -> Option<&'a str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (given_scheme, token) = value.split_once(' ')?;
    given_scheme
        .eq_ignore_ascii_case(scheme)
        .then_some(token.trim())
        .filter(|token| !token.is_empty())
}

/// The token record of a Helix call, or the 401 Twitch would send.
pub fn helix_caller(state: &MockState, headers: &HeaderMap) -> Result<MockToken, Reject> {
    let client_id = headers
        .get("client-id")
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| Reject::unauthorized("Client-Id header required"))?;
    let token = authorization(headers, "Bearer")
        .ok_or_else(|| Reject::unauthorized("OAuth token is missing"))?;
    let record = state
        .token(token)
        .ok_or_else(|| Reject::unauthorized("Invalid OAuth token"))?;
    if record.client_id != client_id {
        return Err(Reject::unauthorized(
            "Client ID and OAuth token do not match",
        ));
    }
    Ok(record.clone())
}

/// The token record of an app-token-only call (conduits); a user token gets the 401 the
/// reference documents ("Authorization header required with an app access token").
pub fn app_caller(state: &MockState, headers: &HeaderMap) -> Result<MockToken, Reject> {
    let caller = helix_caller(state, headers)?;
    match caller.user_id() {
        None => Ok(caller),
        Some(_) => Err(Reject::unauthorized(
            "Authorization header required with an app access token",
        )),
    }
}

/// The token record of a validation call (`Authorization: OAuth`).
pub fn validate_caller(state: &MockState, headers: &HeaderMap) -> Result<MockToken, Reject> {
    authorization(headers, "OAuth")
        .and_then(|token| state.token(token))
        .cloned()
        .ok_or_else(|| Reject::unauthorized("invalid access token"))
}
