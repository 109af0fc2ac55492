//! A `twitch_oauth2` HTTP client for tests (feature `twitch_oauth2`): it sends what twitch_oauth2
//! addresses to Twitch's OAuth server (`https://id.twitch.tv/oauth2/...`) to a mock's `/oauth2/`
//! instead, so twitch_oauth2's own flows (device code, refresh, validation) run against the mock.
//!
//! twitch_oauth2 can also be pointed at a mock with its `mock_api` feature and the
//! `TWITCH_OAUTH2_URL` environment variable ([`MockEventSub::twitch_oauth2_url`]), but it reads
//! the variable once per process, and setting one is `unsafe` once threads run: a test binary
//! with a mock per test cannot use that. This client needs neither.
//!
//! ```
//! use eventsub_mock::{MockConfig, MockEventSub};
//! use twitch_oauth2::{DeviceUserTokenBuilder, TwitchToken};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! let mock = MockEventSub::start(MockConfig::fast()).await?;
//! let http = mock.oauth2_client();
//! // The mock's user authorizes every device code at once (see `helix::DeviceFlow`).
//! let mut device = DeviceUserTokenBuilder::new("my-client-id", vec![]);
//! let code = device.start(&http).await?;
//! println!("go to {}", code.verification_uri);
//! let token = device.wait_for_code(&http, tokio::time::sleep).await?;
//! assert_eq!(token.user_id.as_str(), eventsub_mock::helix::fixtures::USER_ID);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })
//! # }
//! ```
//!
//! [`MockEventSub::twitch_oauth2_url`]: crate::MockEventSub::twitch_oauth2_url

use std::future::Future;

/// Where twitch_oauth2 sends its OAuth calls without `mock_api`.
pub const TWITCH_OAUTH2_ROOT: &str = "https://id.twitch.tv/oauth2/";

/// A `twitch_oauth2::client::Client` over reqwest that sends calls to Twitch's OAuth server to a
/// mock's instead (and everything else where it was going). Cheap to clone.
#[derive(Clone, Debug)]
pub struct MockOauth2Client {
    http: reqwest::Client,
    /// The mock's OAuth root, with its trailing slash.
    root: String,
}

impl MockOauth2Client {
    /// A client for the mock whose OAuth root is `twitch_oauth2_url`
    /// (`http://127.0.0.1:PORT/oauth2/`, as [`MockEventSub::twitch_oauth2_url`] gives it).
    ///
    /// [`MockEventSub::twitch_oauth2_url`]: crate::MockEventSub::twitch_oauth2_url
    pub fn new(twitch_oauth2_url: &str) -> Self {
        let http = match eventsub_helix::tls::reqwest_client() {
            Ok(http) => http,
            // Only a TLS setup can fail, and a build that has TLS has it set up for Helix too.
            Err(error) => panic!("a reqwest client for the mock builds: {error}"),
        };
        let root = format!("{}/", twitch_oauth2_url.trim_end_matches('/'));
        Self { http, root }
    }

    /// Where a request for `uri` goes: the mock for Twitch's OAuth server, else `uri` itself.
    fn redirect(&self, uri: &str) -> Option<http::Uri> {
        let path = uri.strip_prefix(TWITCH_OAUTH2_ROOT)?;
        format!("{}{path}", self.root).parse().ok()
    }
}

impl twitch_oauth2::client::Client for MockOauth2Client {
    type Error = reqwest::Error;

    fn req(
        &self,
        mut request: http::Request<Vec<u8>>,
    ) -> impl Future<Output = Result<http::Response<Vec<u8>>, Self::Error>> + Send + use<> {
        if let Some(uri) = self.redirect(&request.uri().to_string()) {
            *request.uri_mut() = uri;
        }
        twitch_oauth2::client::Client::req(&self.http, request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_to_twitchs_oauth_server_go_to_the_mock_and_others_stay() {
        let client = MockOauth2Client::new("http://127.0.0.1:9/oauth2");
        assert_eq!(
            client
                .redirect("https://id.twitch.tv/oauth2/token?client_id=a")
                .map(|uri| uri.to_string()),
            Some("http://127.0.0.1:9/oauth2/token?client_id=a".to_owned())
        );
        assert_eq!(client.redirect("http://127.0.0.1:9/oauth2/token"), None);
    }
}
