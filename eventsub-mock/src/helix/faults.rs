//! Faults the mock can be told to answer with, and the middleware that applies them (and stamps
//! every answer with rate-limit headers).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::reply::Reject;
use super::state::{RATE_LIMIT_BUCKET, SharedState, lock};

/// What the next request meets instead of (or before) a normal answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 429 with an empty bucket (`Ratelimit-Remaining: 0`) refilling this many seconds from now.
    RateLimited {
        /// Seconds until `Ratelimit-Reset`.
        reset_in_secs: u64,
    },
    /// This 5xx status with a Twitch-style error body.
    ServerError(u16),
    /// The normal answer, after this delay.
    Slow(Duration),
    /// 200 with a body that is not JSON.
    MalformedBody,
    /// 200 with a JSON body of at least this many bytes (whitespace after `{"data":[`), streamed
    /// in chunks with no `Content-Length`, so a client finds out how long it is only by reading it.
    OversizedBody {
        /// How many bytes the body has at least.
        bytes: usize,
    },
}

/// The chunk an oversized body is made of (a static, so the mock holds nothing per chunk).
static PADDING: [u8; 64 * 1024] = [b' '; 64 * 1024];

/// A body of at least `bytes` bytes, made lazily chunk by chunk.
fn oversized_body(bytes: usize) -> axum::body::Body {
    let opening = axum::body::Bytes::from_static(b"{\"data\":[");
    let padding =
        (0..bytes.div_ceil(PADDING.len())).map(|_| axum::body::Bytes::from_static(&PADDING));
    let chunks = std::iter::once(opening)
        .chain(padding)
        .map(Ok::<_, std::convert::Infallible>);
    axum::body::Body::from_stream(futures_util::stream::iter(chunks))
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

fn set_rate_limit(headers: &mut HeaderMap, remaining: u32, reset: u64) {
    headers.insert("ratelimit-limit", HeaderValue::from(RATE_LIMIT_BUCKET));
    headers.insert("ratelimit-remaining", HeaderValue::from(remaining));
    headers.insert("ratelimit-reset", HeaderValue::from(reset));
}

/// Counts the request, applies the next injected fault if any, and adds rate-limit headers.
pub async fn apply(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    // The bucket is the caller's own: Bearer for Helix, OAuth for validation, none for the rest.
    let token = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .map_or("", |(_, token)| token.trim())
        .to_owned();
    let (fault, (remaining, reset)) = {
        let mut state = lock(&state);
        state.requests += 1;
        let bucket = state.spend_rate_limit(&token, unix_now());
        (state.take_fault(), bucket)
    };
    let mut response = match fault {
        Some(Fault::RateLimited { reset_in_secs }) => {
            let mut response =
                Reject::new(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests").into_response();
            set_rate_limit(response.headers_mut(), 0, unix_now() + reset_in_secs);
            return response;
        }
        Some(Fault::ServerError(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Reject::new(status, "Internal Server Error").into_response()
        }
        Some(Fault::MalformedBody) => (
            StatusCode::OK,
            [("content-type", "application/json")],
            "{\"data\": [{\"id\": ",
        )
            .into_response(),
        Some(Fault::OversizedBody { bytes }) => (
            StatusCode::OK,
            [("content-type", "application/json")],
            oversized_body(bytes),
        )
            .into_response(),
        Some(Fault::Slow(delay)) => {
            tokio::time::sleep(delay).await;
            next.run(request).await
        }
        None => next.run(request).await,
    };
    set_rate_limit(response.headers_mut(), remaining, reset);
    response
}

#[cfg(test)]
mod tests {
    use super::super::state::{MockState, RATE_LIMIT_BUCKET, RATE_LIMIT_WINDOW_SECS};

    #[test]
    fn each_token_spends_its_own_bucket_which_refills_after_a_minute() {
        let mut state = MockState::default();
        let start = 1_000;
        assert_eq!(
            state.spend_rate_limit("a", start),
            (RATE_LIMIT_BUCKET - 1, start + RATE_LIMIT_WINDOW_SECS)
        );
        assert_eq!(
            state.spend_rate_limit("a", start + 1).0,
            RATE_LIMIT_BUCKET - 2
        );
        assert_eq!(
            state.spend_rate_limit("b", start + 1).0,
            RATE_LIMIT_BUCKET - 1,
            "another client's calls do not drain it"
        );
        let refilled = state.spend_rate_limit("a", start + RATE_LIMIT_WINDOW_SECS);
        assert_eq!(
            refilled,
            (RATE_LIMIT_BUCKET - 1, start + 2 * RATE_LIMIT_WINDOW_SECS)
        );
        for _ in 0..RATE_LIMIT_BUCKET * 2 {
            state.spend_rate_limit("c", start);
        }
        assert_eq!(
            state.spend_rate_limit("c", start).0,
            1,
            "never empty by itself"
        );
    }
}
