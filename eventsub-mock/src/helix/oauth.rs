//! The OAuth endpoints a token provider talks to: `POST /oauth2/token` (refresh token, device
//! code and client credentials grants), `POST /oauth2/device` (the device code flow's start) and
//! `POST /oauth2/revoke`, in Twitch's shapes. Parameters are read from the query string and from a form body alike:
//! Twitch accepts both, and clients (twitch_oauth2 among them) use both.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::grants::Issued;
use super::reply::{Reject, json_reply};
use super::state::{SharedState, lock, whole_seconds_up};

/// The device code grant's `grant_type`.
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The request's parameters: the query string's, then the form body's (which win).
fn params(query: Option<&str>, body: &[u8]) -> HashMap<String, String> {
    let from_query = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes());
    let from_body = url::form_urlencoded::parse(body);
    from_query
        .chain(from_body)
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// An OAuth request as the handlers read it: its parameters, wherever they were sent, and the
/// `client_id` every OAuth endpoint requires.
pub struct OauthRequest {
    params: HashMap<String, String>,
    client_id: String,
}

impl<S: Send + Sync> FromRequest<S> for OauthRequest {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let query = request.uri().query().map(str::to_owned);
        let body = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let params = params(query.as_deref(), &body);
        let client_id = required(&params, "client_id")
            .map_err(IntoResponse::into_response)?
            .to_owned();
        Ok(Self { params, client_id })
    }
}

impl OauthRequest {
    fn required(&self, name: &str) -> Result<&str, Reject> {
        required(&self.params, name)
    }
}

fn required<'a>(params: &'a HashMap<String, String>, name: &str) -> Result<&'a str, Reject> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|value| !value.is_empty())
        .ok_or_else(|| Reject::bad_request(format!("missing {name}")))
}

/// Space-separated scopes (`scope` or `scopes`), as a list.
fn scopes(params: &HashMap<String, String>) -> Vec<String> {
    params
        .get("scopes")
        .or_else(|| params.get("scope"))
        .map(|scopes| scopes.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// A token answer: `{access_token, expires_in, refresh_token, scope, token_type}`.
fn issued(issued: Issued) -> Response {
    let mut body = json!({
        "access_token": issued.access_token,
        "expires_in": whole_seconds_up(issued.expires_in),
        "scope": issued.scopes,
        "token_type": "bearer",
    });
    if let (Some(refresh_token), Some(object)) = (issued.refresh_token, body.as_object_mut()) {
        object.insert("refresh_token".to_owned(), refresh_token.into());
    }
    json_reply(StatusCode::OK, body)
}

/// `POST /oauth2/token`.
pub async fn token(
    State(state): State<SharedState>,
    request: OauthRequest,
) -> Result<Response, Reject> {
    let client_id = request.client_id.as_str();
    let mut state = lock(&state);
    let answer = match request.required("grant_type")? {
        "refresh_token" => state.refresh(request.required("refresh_token")?, client_id)?,
        DEVICE_CODE_GRANT => {
            state.exchange_device_code(request.required("device_code")?, client_id)?
        }
        "client_credentials" => {
            request.required("client_secret")?;
            state.issue_app_token(client_id)
        }
        _ => return Err(Reject::bad_request("unsupported_grant_type")),
    };
    Ok(issued(answer))
}

/// `POST /oauth2/revoke`: the token (of `client_id`) gets 401 from now on; 200 with no body.
pub async fn revoke(
    State(state): State<SharedState>,
    request: OauthRequest,
) -> Result<Response, Reject> {
    let token = request.required("token")?;
    let mut state = lock(&state);
    match state.token_record(token) {
        Some(record) if record.client_id == request.client_id => {
            state.revoke_token(token);
            Ok(StatusCode::OK.into_response())
        }
        _ => Err(Reject::bad_request("Invalid token")),
    }
}

/// `POST /oauth2/device`: `{device_code, expires_in, interval, user_code, verification_uri}`.
pub async fn device(
    State(state): State<SharedState>,
    headers: HeaderMap,
    request: OauthRequest,
) -> Result<Response, Reject> {
    let mut state = lock(&state);
    let (device_code, user_code, lifetime) =
        state.start_device_flow(&request.client_id, scopes(&request.params));
    // Where the user would go: this server's, so nothing in a test points at Twitch.
    let host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .unwrap_or("127.0.0.1");
    let verification_uri = format!("http://{host}/activate?public=true&device-code={user_code}");
    Ok(json_reply(
        StatusCode::OK,
        json!({
            "device_code": device_code,
            "expires_in": whole_seconds_up(lifetime),
            "interval": state.grants.device_flow.interval_secs,
            "user_code": user_code,
            "verification_uri": verification_uri,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_come_from_the_query_and_the_form_body_which_wins() {
        let params = params(
            Some("client_id=a&scopes=x%20y"),
            b"client_id=b&grant_type=refresh_token",
        );
        assert_eq!(params.get("client_id").map(String::as_str), Some("b"));
        assert_eq!(scopes(&params), ["x", "y"]);
        assert_eq!(required(&params, "grant_type").ok(), Some("refresh_token"));
        assert!(required(&params, "device_code").is_err());
    }
}
