//! Answers shaped like Twitch's: JSON bodies, and error bodies `{error, status, message}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An error answer; handlers return `Result<Response, Reject>` and use `?`.
#[derive(Debug)]
pub struct Reject {
    status: StatusCode,
    message: String,
}

impl Reject {
    /// An error with `status` and Twitch-style `message`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// 400 Bad Request.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 401 Unauthorized.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    /// 403 Forbidden.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// 404 Not Found.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 429 for a limit (not an empty rate-limit bucket: the bucket headers stay normal).
    pub fn limit(message: impl Into<String>) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, message)
    }
}

/// The body Twitch sends with an error status.
pub fn error_body(status: StatusCode, message: &str) -> Value {
    json!({
        "error": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "message": message,
    })
}

impl IntoResponse for Reject {
    fn into_response(self) -> Response {
        (self.status, Json(error_body(self.status, &self.message))).into_response()
    }
}

/// A JSON answer with `status`.
pub fn json_reply(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

/// A required query parameter, or the 400 Twitch answers without it.
pub fn required_param<'a>(
    query: &'a std::collections::HashMap<String, String>,
    name: &str,
) -> Result<&'a str, Reject> {
    query
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| Reject::bad_request(format!("missing required parameter {name}")))
}

/// Parses a JSON request body, answering 400 with the parser's complaint when it does not fit.
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Reject> {
    serde_json::from_slice(body)
        .map_err(|error| Reject::bad_request(format!("invalid request body: {error}")))
}
