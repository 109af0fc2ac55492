//! Where the user access token comes from, and how a rejected one is replaced.

use std::future::Future;
use std::pin::Pin;

pub use eventsub_helix::AccessToken;

/// A boxed future, as returned by [`TokenProvider::refresh`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Supplies the user access token for Helix calls.
///
/// A plain [`AccessToken`] is a provider that never refreshes. Implement this trait to refresh:
/// when Helix answers 401, [`TokenProvider::refresh`] is asked for a new token and the call is
/// retried once with it (and later calls use it too). When it gives none, the 401 reaches the core,
/// which stops the client ([`StopReason::Unauthorized`](eventsub_proto::StopReason::Unauthorized)).
///
/// ```
/// use eventsub_driver::{AccessToken, BoxFuture, TokenProvider};
///
/// struct Refreshing;
/// impl TokenProvider for Refreshing {
///     fn token(&self) -> AccessToken {
///         AccessToken::new("current-token")
///     }
///     fn refresh(&self) -> BoxFuture<'_, Option<AccessToken>> {
///         Box::pin(async { Some(AccessToken::new("refreshed-token")) }) // call your OAuth server here
///     }
/// }
/// ```
pub trait TokenProvider: Send + Sync + 'static {
    /// The token to start with.
    fn token(&self) -> AccessToken;

    /// A new token after Helix rejected the current one; `None` (the default) when there is none.
    fn refresh(&self) -> BoxFuture<'_, Option<AccessToken>> {
        Box::pin(async { None })
    }
}

impl TokenProvider for AccessToken {
    fn token(&self) -> AccessToken {
        self.clone()
    }
}
