//! The client: configuration, and the one request loop every endpoint goes through (headers,
//! retries of 429 and 5xx, status to error mapping, rate-limit bookkeeping).

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{HelixError, RateLimit};
use crate::retry::{RetryPolicy, sleep};
use crate::secret::AccessToken;

/// Production Helix base URL.
pub const DEFAULT_API_BASE_URL: &str = "https://api.twitch.tv/helix";
/// Production OAuth base URL (token validation).
pub const DEFAULT_AUTH_BASE_URL: &str = "https://id.twitch.tv/oauth2";
/// How long one request may take, from sending to the end of the body, unless configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The most bytes of one response body that are read, unless configured: 4 MiB, far above any
/// Helix page (100 subscriptions of a few hundred bytes each) and far below what hurts.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// A Helix client for one client id and one access token.
///
/// Cheap to clone: clones share the connection pool and the last seen rate-limit state. Its
/// `Debug` output never shows the token.
///
/// ```
/// use eventsub_helix::{AccessToken, HelixClient};
/// let client = HelixClient::builder("my-client-id", AccessToken::new("secret-token"))
///     .api_base_url("http://127.0.0.1:8080/helix")
///     .build()?;
/// assert!(!format!("{client:?}").contains("secret-token"));
/// # Ok::<(), eventsub_helix::HelixError>(())
/// ```
#[derive(Clone)]
pub struct HelixClient {
    http: reqwest::Client,
    api_base: Url,
    auth_base: Url,
    client_id: String,
    token: AccessToken,
    timeout: Duration,
    max_body_bytes: usize,
    retry: RetryPolicy,
    rate_limit: Arc<Mutex<Option<RateLimit>>>,
}

impl fmt::Debug for HelixClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HelixClient")
            .field("api_base", &self.api_base.as_str())
            .field("auth_base", &self.auth_base.as_str())
            .field("client_id", &self.client_id)
            .field("token", &self.token)
            .field("timeout", &self.timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// Configures a [`HelixClient`]; made by [`HelixClient::builder`].
#[derive(Debug)]
#[must_use]
pub struct HelixClientBuilder {
    client_id: String,
    token: AccessToken,
    api_base: String,
    auth_base: String,
    timeout: Duration,
    max_body_bytes: usize,
    retry: RetryPolicy,
    http: Option<reqwest::Client>,
}

impl HelixClientBuilder {
    /// The Helix base URL, such as `http://127.0.0.1:8080/helix` for a mock server.
    pub fn api_base_url(mut self, url: impl Into<String>) -> Self {
        self.api_base = url.into();
        self
    }

    /// The OAuth base URL, under which `/validate` lives.
    pub fn auth_base_url(mut self, url: impl Into<String>) -> Self {
        self.auth_base = url.into();
        self
    }

    /// How long one request may take before it fails with [`HelixError::Timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The most bytes of a response body that are read
    /// ([`DEFAULT_MAX_BODY_BYTES`] unless set). A longer body is not read to its end: the request
    /// fails with [`HelixError::BodyTooLarge`], holding at most about this much.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// How 429 and 5xx answers are retried.
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Uses an existing reqwest client (sharing its pool and settings) instead of a new one.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Checks the URLs and builds the client.
    pub fn build(self) -> Result<HelixClient, HelixError> {
        let http = match self.http {
            Some(http) => http,
            None => http_client()?,
        };
        Ok(HelixClient {
            http,
            api_base: base_url(&self.api_base)?,
            auth_base: base_url(&self.auth_base)?,
            client_id: self.client_id,
            token: self.token,
            timeout: self.timeout,
            max_body_bytes: self.max_body_bytes,
            retry: self.retry,
            rate_limit: Arc::new(Mutex::new(None)),
        })
    }
}

/// How many idle connections to Helix are kept open for the next calls.
const MAX_IDLE_CONNECTIONS: usize = 4;

/// A reqwest client with the TLS backend the features select ([`crate::tls`]).
fn http_client() -> Result<reqwest::Client, HelixError> {
    http_client_builder()?
        .build()
        .map_err(HelixError::Transport)
}

/// A reqwest client builder with the TLS backend the features select ([`crate::tls`]).
pub(crate) fn http_client_builder() -> Result<reqwest::ClientBuilder, HelixError> {
    let builder = reqwest::Client::builder()
        .user_agent(concat!("eventsub-helix/", env!("CARGO_PKG_VERSION")))
        // A burst of calls opens several connections; a few stay open for the next burst, not
        // all of them with their buffers.
        .pool_max_idle_per_host(MAX_IDLE_CONNECTIONS);
    #[cfg(feature = "native-tls")]
    let builder = builder.tls_backend_native();
    // Our own config with its provider chosen explicitly: reqwest's `rustls-no-provider` would
    // otherwise look for a process-wide default provider, and panic without one.
    #[cfg(all(
        not(feature = "native-tls"),
        any(feature = "rustls-ring", feature = "rustls-aws-lc")
    ))]
    let builder = {
        let config = crate::tls::rustls_config()?;
        builder.tls_backend_preconfigured(rustls::ClientConfig::clone(&config))
    };
    Ok(builder)
}

/// Parses a base URL; a trailing slash is dropped so paths can be appended.
fn base_url(url: &str) -> Result<Url, HelixError> {
    let invalid = || HelixError::InvalidBaseUrl {
        url: url.to_owned(),
    };
    let parsed = Url::parse(url.trim_end_matches('/')).map_err(|_| invalid())?;
    if parsed.cannot_be_a_base() {
        return Err(invalid());
    }
    Ok(parsed)
}

/// Which service a request goes to; they differ in base URL and authorization scheme.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Service {
    /// Helix: `Authorization: Bearer`, plus `Client-Id`.
    Helix,
    /// The OAuth server: `Authorization: OAuth`.
    Auth,
}

/// One request, described once and sent as often as the retry policy allows.
#[derive(Debug)]
pub(crate) struct Call {
    method: Method,
    service: Service,
    path: &'static str,
    query: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
}

impl Call {
    pub(crate) fn new(method: Method, service: Service, path: &'static str) -> Self {
        Self {
            method,
            service,
            path,
            query: Vec::new(),
            body: None,
        }
    }

    /// Adds a query parameter.
    pub(crate) fn query(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.query.push((name, value.into()));
        self
    }

    /// Adds a query parameter when there is a value.
    pub(crate) fn query_opt(self, name: &'static str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    /// Sets a JSON body.
    pub(crate) fn json(mut self, body: &impl Serialize) -> Result<Self, HelixError> {
        self.body = Some(serde_json::to_vec(body).map_err(HelixError::Encode)?);
        Ok(self)
    }
}

impl HelixClient {
    /// Starts configuring a client for `client_id` and `token`, with production URLs, a 30 s
    /// timeout and the default [`RetryPolicy`].
    pub fn builder(client_id: impl Into<String>, token: AccessToken) -> HelixClientBuilder {
        HelixClientBuilder {
            client_id: client_id.into(),
            token,
            api_base: DEFAULT_API_BASE_URL.to_owned(),
            auth_base: DEFAULT_AUTH_BASE_URL.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            retry: RetryPolicy::default(),
            http: None,
        }
    }

    /// A client with the same settings and connection pool but another token, such as a refreshed
    /// one. Its rate-limit state starts empty: Twitch keeps buckets per token.
    #[must_use]
    pub fn with_token(&self, token: AccessToken) -> Self {
        Self {
            token,
            rate_limit: Arc::new(Mutex::new(None)),
            ..self.clone()
        }
    }

    /// The client id sent as `Client-Id`.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The Helix base URL.
    pub fn api_base_url(&self) -> &str {
        self.api_base.as_str()
    }

    /// The OAuth base URL.
    pub fn auth_base_url(&self) -> &str {
        self.auth_base.as_str()
    }

    /// The rate-limit headers of the last answer that had any (`Ratelimit-Remaining` and friends).
    pub fn rate_limit(&self) -> Option<RateLimit> {
        *self
            .rate_limit
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn remember_rate_limit(&self, rate_limit: RateLimit) {
        if rate_limit != RateLimit::default() {
            *self
                .rate_limit
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(rate_limit);
        }
    }

    fn url(&self, call: &Call) -> Url {
        let base = match call.service {
            Service::Helix => &self.api_base,
            Service::Auth => &self.auth_base,
        };
        let mut url = base.clone();
        url.set_path(&format!(
            "{}{}",
            base.path().trim_end_matches('/'),
            call.path
        ));
        if !call.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&call.query);
        }
        url
    }

    fn request(&self, call: &Call, url: Url) -> reqwest::RequestBuilder {
        let request = self
            .http
            .request(call.method.clone(), url)
            .timeout(self.timeout);
        let request = match call.service {
            Service::Helix => request
                .header("Client-Id", &self.client_id)
                .bearer_auth(self.token.expose_secret()),
            Service::Auth => request.header(
                reqwest::header::AUTHORIZATION,
                format!("OAuth {}", self.token.expose_secret()),
            ),
        };
        match &call.body {
            Some(body) => request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone()),
            None => request,
        }
    }

    /// Sends `call`, retrying 429 (empty bucket) and 5xx as the policy allows; returns the body
    /// of the first success.
    pub(crate) async fn send(&self, call: &Call) -> Result<Vec<u8>, HelixError> {
        let url = self.url(call);
        crate::tls::require_tls_for(url.as_str())?;
        let mut attempts: u32 = 0;
        loop {
            attempts += 1;
            tracing::debug!(method = %call.method, path = call.path, attempts, "helix request");
            let response = self.request(call, url.clone()).send().await?;
            let status = response.status();
            let rate_limit = RateLimit::from_headers(response.headers());
            self.remember_rate_limit(rate_limit);
            let body = read_body(response, self.max_body_bytes).await?;
            tracing::debug!(status = status.as_u16(), remaining = ?rate_limit.remaining, "helix response");
            if status.is_success() {
                return Ok(body);
            }
            let may_retry = attempts <= self.retry.max_retries;
            let wait = if status == StatusCode::TOO_MANY_REQUESTS && rate_limit.is_exhausted() {
                if !may_retry {
                    return Err(HelixError::RateLimited {
                        rate_limit,
                        attempts,
                    });
                }
                match rate_limit.reset {
                    Some(_) => self
                        .retry
                        .reset_wait(rate_limit.wait_until_reset(SystemTime::now())),
                    None => self.retry.backoff(attempts - 1),
                }
            } else if status.is_server_error() {
                if !may_retry {
                    return Err(HelixError::Server {
                        status: status.as_u16(),
                        message: error_message(status, &body),
                        attempts,
                    });
                }
                self.retry.backoff(attempts - 1)
            } else {
                return Err(HelixError::from_status(
                    status.as_u16(),
                    error_message(status, &body),
                ));
            };
            tracing::debug!(?wait, status = status.as_u16(), "helix retry");
            sleep(wait).await;
        }
    }

    /// Sends `call` and decodes the success body as `T`.
    pub(crate) async fn send_json<T: DeserializeOwned>(
        &self,
        call: &Call,
    ) -> Result<T, HelixError> {
        let body = self.send(call).await?;
        serde_json::from_slice(&body).map_err(HelixError::MalformedBody)
    }
}

/// Reads a response body chunk by chunk, stopping as soon as it would pass `limit` bytes: a server
/// cannot make the client hold more than `limit` plus one chunk, whatever it announces or sends.
async fn read_body(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, HelixError> {
    let too_large = || HelixError::BodyTooLarge { limit };
    // An announced length over the limit is refused before anything is read.
    if response
        .content_length()
        .is_some_and(|announced| announced > limit as u64)
    {
        return Err(too_large());
    }
    // The announced length only sizes the first allocation, and never past the limit.
    let expected = response
        .content_length()
        .and_then(|announced| usize::try_from(announced).ok())
        .unwrap_or(0);
    let mut body = Vec::with_capacity(expected.min(limit));
    while let Some(chunk) = response.chunk().await? {
        if chunk.len() > limit.saturating_sub(body.len()) {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Twitch's `message` (or `error`) from an error body, or the status's reason phrase.
fn error_message(status: StatusCode, body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        message: Option<String>,
        error: Option<String>,
    }
    serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .and_then(|body| body.message.filter(|m| !m.is_empty()).or(body.error))
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("unknown").to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn error_message_prefers_twitchs_message_then_error_then_the_reason() {
        let status = StatusCode::BAD_REQUEST;
        let full = br#"{"error":"Bad Request","status":400,"message":"invalid condition"}"#;
        assert_eq!(error_message(status, full), "invalid condition");
        let bare = br#"{"error":"Bad Request","status":400,"message":""}"#;
        assert_eq!(error_message(status, bare), "Bad Request");
        assert_eq!(error_message(status, b"<html>"), "Bad Request");
    }

    #[test]
    fn a_client_builds_with_the_tls_backend_the_features_select() {
        // With two rustls providers compiled in, or none, this must not panic either.
        let client = HelixClient::builder("id", AccessToken::new("t")).build();
        assert!(client.is_ok(), "{client:?}");
    }

    #[tokio::test]
    #[cfg(not(any(
        feature = "rustls-ring",
        feature = "rustls-aws-lc",
        feature = "native-tls"
    )))]
    async fn an_https_call_in_a_build_without_tls_says_so() -> Result<(), HelixError> {
        let client = HelixClient::builder("id", AccessToken::new("t")).build()?;
        let error = client.validate_token().await.unwrap_err();
        assert!(matches!(error, HelixError::Tls(_)), "{error:?}");
        Ok(())
    }

    #[test]
    fn paths_and_queries_append_to_the_base_url() -> Result<(), HelixError> {
        let client = HelixClient::builder("id", AccessToken::new("t"))
            .api_base_url("http://127.0.0.1:1/mock/helix/")
            .build()?;
        let call = Call::new(Method::GET, Service::Helix, "/eventsub/subscriptions")
            .query("type", "channel.follow")
            .query_opt("after", None);
        assert_eq!(
            client.url(&call).as_str(),
            "http://127.0.0.1:1/mock/helix/eventsub/subscriptions?type=channel.follow"
        );
        let validate = Call::new(Method::GET, Service::Auth, "/validate");
        assert_eq!(
            client.url(&validate).as_str(),
            "https://id.twitch.tv/oauth2/validate"
        );
        Ok(())
    }
}
