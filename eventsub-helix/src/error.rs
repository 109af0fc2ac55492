//! What can go wrong talking to Helix, one variant per thing a caller reacts to differently.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The rate-limit headers of a Helix response (`Ratelimit-Limit`, `Ratelimit-Remaining`,
/// `Ratelimit-Reset`). Any of them may be missing, for example on the mock servers.
///
/// ```
/// use eventsub_helix::RateLimit;
/// let limit = RateLimit::default().with_limit(800).with_remaining(0).with_reset(1_700_000_000);
/// assert!(limit.is_exhausted());
/// assert!(!RateLimit::default().with_remaining(5).is_exhausted());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// How many points the bucket holds (`Ratelimit-Limit`).
    pub limit: Option<u32>,
    /// How many points are left (`Ratelimit-Remaining`).
    pub remaining: Option<u32>,
    /// When the bucket refills, in Unix seconds (`Ratelimit-Reset`).
    pub reset: Option<u64>,
}

impl RateLimit {
    /// The bucket holds `limit` points.
    #[must_use]
    pub fn with_limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// `remaining` points are left.
    #[must_use]
    pub fn with_remaining(mut self, remaining: u32) -> Self {
        self.remaining = Some(remaining);
        self
    }

    /// The bucket refills at `reset`, in Unix seconds.
    #[must_use]
    pub fn with_reset(mut self, reset: u64) -> Self {
        self.reset = Some(reset);
        self
    }

    /// Reads the rate-limit headers; unparsable values count as missing.
    pub fn from_headers(headers: &reqwest::header::HeaderMap) -> Self {
        fn number<T: std::str::FromStr>(
            headers: &reqwest::header::HeaderMap,
            name: &str,
        ) -> Option<T> {
            headers.get(name)?.to_str().ok()?.trim().parse().ok()
        }
        Self {
            limit: number(headers, "ratelimit-limit"),
            remaining: number(headers, "ratelimit-remaining"),
            reset: number(headers, "ratelimit-reset"),
        }
    }

    /// Whether the bucket is known to be empty, or its size is unknown (a 429 without headers is
    /// taken as an empty bucket).
    pub fn is_exhausted(&self) -> bool {
        self.remaining.is_none_or(|remaining| remaining == 0)
    }

    /// How long from `now` until the bucket refills; zero when the reset is unknown or past.
    pub fn wait_until_reset(&self, now: SystemTime) -> Duration {
        let now_secs = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since_epoch| since_epoch.as_secs());
        self.reset.map_or(Duration::ZERO, |reset| {
            Duration::from_secs(reset.saturating_sub(now_secs))
        })
    }
}

/// An error from a Helix or token-validation call.
///
/// Tokens and secrets never appear in it: messages come from Twitch's error body, and transport
/// errors name at most the URL, which carries no credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HelixError {
    /// 400: the request was malformed or the condition invalid; `message` is Twitch's.
    #[error("bad request (400): {message}")]
    BadRequest {
        /// Twitch's explanation.
        message: String,
    },
    /// 401: the token is invalid or expired, or does not match the client id. Refresh it and try
    /// again.
    #[error("unauthorized (401): {message}")]
    Unauthorized {
        /// Twitch's explanation.
        message: String,
    },
    /// 403: the token lacks a scope, or is the wrong kind for the transport (an app token with
    /// the websocket transport, a user token with conduits or webhooks).
    #[error("forbidden (403): {message}")]
    Forbidden {
        /// Twitch's explanation.
        message: String,
    },
    /// 404: the subscription, conduit or shard does not exist.
    #[error("not found (404): {message}")]
    NotFound {
        /// Twitch's explanation.
        message: String,
    },
    /// 409: the same subscription (type, version, condition and transport) already exists. Callers
    /// that only want it to exist can treat this as success.
    #[error("subscription already exists (409): {message}")]
    AlreadyExists {
        /// Twitch's explanation.
        message: String,
    },
    /// 429 while the rate-limit bucket still had points: a subscription limit was hit (total cost,
    /// subscriptions per session, websocket sessions per token). Retrying will not help.
    #[error("limit exceeded (429): {message}")]
    LimitExceeded {
        /// Twitch's explanation, such as `number of websocket transports limit exceeded`.
        message: String,
    },
    /// 429 with an empty rate-limit bucket, still so after the retries the policy allows.
    #[error("rate limited (429) after {attempts} attempts; bucket resets at Unix time {reset:?}", reset = rate_limit.reset)]
    RateLimited {
        /// The rate-limit headers of the last answer.
        rate_limit: RateLimit,
        /// How many requests were made.
        attempts: u32,
    },
    /// 5xx, still so after the retries the policy allows.
    #[error("server error ({status}) after {attempts} attempts: {message}")]
    Server {
        /// The HTTP status.
        status: u16,
        /// Twitch's explanation, if the body had one.
        message: String,
        /// How many requests were made.
        attempts: u32,
    },
    /// Any other non-success status.
    #[error("unexpected status ({status}): {message}")]
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// Twitch's explanation, if the body had one.
        message: String,
    },
    /// No complete answer within the client's timeout.
    #[error("request timed out")]
    Timeout,
    /// The request could not be sent or the answer not read (connection refused, reset, TLS).
    #[error("transport failure: {0}")]
    Transport(#[source] reqwest::Error),
    /// The response body was longer than the client reads
    /// ([`HelixClientBuilder::max_body_bytes`](crate::HelixClientBuilder::max_body_bytes)); it
    /// was not read to its end.
    #[error("response body larger than the limit of {limit} bytes")]
    BodyTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A success status with a body that is not what the endpoint returns.
    #[error("malformed response body: {0}")]
    MalformedBody(#[source] serde_json::Error),
    /// The call needs a user access token, but the token is an app access token (the websocket
    /// transport only takes user tokens).
    #[error(
        "an app access token cannot be used with the websocket transport; use a user access token"
    )]
    AppTokenForWebsocket,
    /// The call needs an app access token, but the token is a user access token (conduits and
    /// webhooks only take app tokens).
    #[error(
        "a user access token cannot be used with conduits or webhooks; use an app access token"
    )]
    UserTokenForAppOnly,
    /// The request body could not be encoded as JSON.
    #[error("could not encode the request body: {0}")]
    Encode(#[source] serde_json::Error),
    /// TLS could not be set up, or an `https://` URL in a build without TLS.
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    /// A read was asked for more ids than its endpoint takes in one request.
    #[error("{count} ids given; the endpoint takes at most {max}")]
    TooManyIds {
        /// How many were given.
        count: usize,
        /// How many the endpoint takes.
        max: usize,
    },
    /// A base URL given to the builder is not a valid absolute URL.
    #[error("invalid base URL {url:?}")]
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
    },
}

impl HelixError {
    /// Whether the token should be refreshed (or replaced) before trying again.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Self::Unauthorized { .. })
    }

    /// Whether the subscription already existed; for "make sure it exists" callers this is success.
    pub fn is_already_exists(&self) -> bool {
        matches!(self, Self::AlreadyExists { .. })
    }

    /// Twitch's explanation, for the errors that come with one.
    ///
    /// ```
    /// # use eventsub_helix::HelixError;
    /// assert_eq!(HelixError::Timeout.message(), None);
    /// ```
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::BadRequest { message }
            | Self::Unauthorized { message }
            | Self::Forbidden { message }
            | Self::NotFound { message }
            | Self::AlreadyExists { message }
            | Self::LimitExceeded { message }
            | Self::Server { message, .. }
            | Self::UnexpectedStatus { message, .. } => Some(message),
            _ => None,
        }
    }

    /// Maps a client-side error status and Twitch's message to its variant.
    pub(crate) fn from_status(status: u16, message: String) -> Self {
        match status {
            400 => Self::BadRequest { message },
            401 => Self::Unauthorized { message },
            403 => Self::Forbidden { message },
            404 => Self::NotFound { message },
            409 => Self::AlreadyExists { message },
            429 => Self::LimitExceeded { message },
            _ => Self::UnexpectedStatus { status, message },
        }
    }
}

impl From<reqwest::Error> for HelixError {
    fn from(error: reqwest::Error) -> Self {
        if error.is_timeout() {
            Self::Timeout
        } else {
            Self::Transport(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    #[test]
    fn rate_limit_headers_are_read_and_bad_values_ignored() {
        let mut headers = HeaderMap::new();
        headers.insert("Ratelimit-Limit", HeaderValue::from_static("800"));
        headers.insert(
            "Ratelimit-Remaining",
            HeaderValue::from_static("not a number"),
        );
        headers.insert("Ratelimit-Reset", HeaderValue::from_static("1700000060"));
        let limit = RateLimit::from_headers(&headers);
        assert_eq!(
            limit,
            RateLimit {
                limit: Some(800),
                remaining: None,
                reset: Some(1_700_000_060)
            }
        );
        assert!(
            limit.is_exhausted(),
            "unknown remaining counts as exhausted"
        );
    }

    #[test]
    fn each_setter_sets_its_own_header() {
        let none = RateLimit::default();
        assert_eq!(
            none.with_limit(800),
            RateLimit {
                limit: Some(800),
                ..none
            }
        );
        assert_eq!(
            none.with_remaining(0),
            RateLimit {
                remaining: Some(0),
                ..none
            }
        );
        assert_eq!(
            none.with_reset(1_700_000_000),
            RateLimit {
                reset: Some(1_700_000_000),
                ..none
            }
        );
    }

    #[test]
    fn wait_until_reset_counts_from_now_and_never_goes_negative() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let limit = RateLimit {
            reset: Some(1_700_000_003),
            ..RateLimit::default()
        };
        assert_eq!(limit.wait_until_reset(now), Duration::from_secs(3));
        let past = RateLimit {
            reset: Some(1),
            ..RateLimit::default()
        };
        assert_eq!(past.wait_until_reset(now), Duration::ZERO);
    }

    #[test]
    fn statuses_map_to_their_variants() {
        let message = || "m".to_owned();
        assert!(matches!(
            HelixError::from_status(400, message()),
            HelixError::BadRequest { .. }
        ));
        assert!(HelixError::from_status(401, message()).is_unauthorized());
        assert!(matches!(
            HelixError::from_status(403, message()),
            HelixError::Forbidden { .. }
        ));
        assert!(matches!(
            HelixError::from_status(404, message()),
            HelixError::NotFound { .. }
        ));
        assert!(HelixError::from_status(409, message()).is_already_exists());
        assert!(matches!(
            HelixError::from_status(429, message()),
            HelixError::LimitExceeded { .. }
        ));
        assert!(matches!(
            HelixError::from_status(418, message()),
            HelixError::UnexpectedStatus { status: 418, .. }
        ));
    }
}
