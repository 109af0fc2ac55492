//! A [`TokenProvider`] over `twitch_oauth2`'s [`UserToken`] (feature `twitch_oauth2`): refreshed
//! with its refresh token shortly before it expires and after a 401, and shared with the app so
//! the fresh token can be stored.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use twitch_oauth2::client::Client;
use twitch_oauth2::tokens::errors::RefreshTokenError;
use twitch_oauth2::{RequestParseError, TwitchToken, UserToken};

use crate::token::{AccessToken, BoxFuture, TokenError, TokenProvider};

/// How long before its expiry a token is refreshed unless configured: Twitch's tokens live about
/// four hours.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// Called with the token after each refresh, to store it.
type OnRefresh = Arc<dyn Fn(&UserToken) + Send + Sync>;

/// A user access token from `twitch_oauth2` that refreshes itself (feature `twitch_oauth2`).
///
/// Asked for the token (before every Helix call and validation), it refreshes the token with its
/// refresh token first when it expires within [`UserTokenProvider::refresh_margin`] (5 minutes by
/// default); after a 401 it refreshes at once, unless another call already did. Refreshes happen
/// under an async lock, one at a time: calls waiting meanwhile get the fresh token. Clones share
/// the token, so keep one to read the current token ([`UserTokenProvider::user_token`]) or learn
/// of each refresh ([`UserTokenProvider::on_refresh`]) and store it: Twitch may rotate the
/// refresh token with every refresh.
///
/// `C` is twitch_oauth2's HTTP client; [`UserTokenProvider::new`] makes a reqwest one with the
/// TLS the features select and a request timeout. Give yours a timeout too: every Helix call
/// waits while a refresh is under way.
///
/// ```no_run
/// use eventsub_driver::{EventSubBuilder, Runtime, UserTokenProvider};
/// use twitch_oauth2::{AccessToken, RefreshToken, UserToken};
///
/// # async fn run<R: Runtime>(runtime: R) -> Result<(), Box<dyn std::error::Error>> {
/// let http = eventsub_driver::tls::reqwest_client()?;
/// let token = UserToken::from_existing(
///     &http,
///     AccessToken::new("stored-access-token".to_owned()),
///     RefreshToken::new("stored-refresh-token".to_owned()),
///     None::<twitch_oauth2::ClientSecret>, // a public client (device code flow) has none
/// )
/// .await?;
/// let tokens = UserTokenProvider::with_client(http, token)
///     .on_refresh(|token| println!("store the new refresh token of {}", token.login));
/// let (handle, events) = EventSubBuilder::new(runtime, "my-client-id", tokens.clone()).connect()?;
/// // ... later, the token as it is now (refreshed or not):
/// let current = tokens.user_token().await;
/// # Ok(()) }
/// ```
pub struct UserTokenProvider<C = reqwest::Client> {
    shared: Arc<Shared<C>>,
    refresh_margin: Duration,
    on_refresh: Option<OnRefresh>,
}

struct Shared<C> {
    http: C,
    token: Mutex<UserToken>,
}

impl<C> Clone for UserTokenProvider<C> {
    fn clone(&self) -> Self {
        Self {
            shared: self.shared.clone(),
            refresh_margin: self.refresh_margin,
            on_refresh: self.on_refresh.clone(),
        }
    }
}

impl<C> std::fmt::Debug for UserTokenProvider<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Neither token: only how it refreshes.
        f.debug_struct("UserTokenProvider")
            .field("refresh_margin", &self.refresh_margin)
            .finish_non_exhaustive()
    }
}

impl UserTokenProvider<reqwest::Client> {
    /// A provider of `token` that refreshes it over a reqwest client with the TLS the features
    /// select ([`tls::reqwest_client`](crate::tls::reqwest_client)).
    pub fn new(token: UserToken) -> Result<Self, eventsub_helix::HelixError> {
        Ok(Self::with_client(
            eventsub_helix::tls::reqwest_client()?,
            token,
        ))
    }
}

impl<C: Client + 'static> UserTokenProvider<C> {
    /// A provider of `token` that refreshes it over `http`.
    pub fn with_client(http: C, token: UserToken) -> Self {
        Self {
            shared: Arc::new(Shared {
                http,
                token: Mutex::new(token),
            }),
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            on_refresh: None,
        }
    }

    /// How long before its expiry the token is refreshed when asked for (default
    /// [`DEFAULT_REFRESH_MARGIN`]). Keep it well below the token's lifetime: a margin past it
    /// refreshes on every call.
    #[must_use]
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Calls `store` with the token after each refresh (under the provider's lock: keep it
    /// short), so the app can persist the new access and refresh token.
    #[must_use]
    pub fn on_refresh(mut self, store: impl Fn(&UserToken) + Send + Sync + 'static) -> Self {
        self.on_refresh = Some(Arc::new(store));
        self
    }

    /// The token as it is now, refreshed or not: to store, or to call Twitch with.
    pub async fn user_token(&self) -> UserToken {
        self.shared.token.lock().await.clone()
    }

    /// Refreshes `token` in place; on failure it keeps its refresh token (twitch_oauth2 takes it
    /// out before asking), so a passing outage does not lose the grant.
    async fn refresh_locked(&self, token: &mut UserToken) -> Result<(), TokenError> {
        let kept = token.refresh_token.clone();
        match token.refresh_token(&self.shared.http).await {
            Ok(()) => {
                tracing::info!(expires_in = ?token.expires_in(), "user token refreshed");
                if let Some(store) = &self.on_refresh {
                    store(token);
                }
                Ok(())
            }
            Err(error) => {
                if token.refresh_token.is_none() {
                    token.refresh_token = kept;
                }
                let error = refresh_error(&error);
                tracing::warn!(%error, "refreshing the user token failed");
                Err(error)
            }
        }
    }

    fn needs_refresh(&self, token: &UserToken) -> bool {
        !token.never_expiring
            && token.refresh_token.is_some()
            && token.expires_in() <= self.refresh_margin
    }
}

/// What a failed refresh means for the client: Twitch refusing the refresh token (400/401) is
/// final; anything else (network, 5xx, an odd answer) may pass.
fn refresh_error<E: std::error::Error + Send + Sync + 'static>(
    error: &RefreshTokenError<E>,
) -> TokenError {
    let message = format!("refreshing the user token: {error}");
    match error {
        RefreshTokenError::RequestParseError(RequestParseError::TwitchError(answer))
            if answer.status.is_client_error() =>
        {
            TokenError::rejected(format!("{message} ({answer})"))
        }
        RefreshTokenError::NoRefreshToken | RefreshTokenError::NoClientSecretFound => {
            TokenError::rejected(message)
        }
        _ => TokenError::unavailable(message),
    }
}

/// twitch_oauth2's token as ours (both keep it secret; the copy is zeroized with ours).
fn access_token(token: &UserToken) -> AccessToken {
    AccessToken::new(token.access_token.secret().to_owned())
}

impl<C: Client + 'static> TokenProvider for UserTokenProvider<C> {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        Box::pin(async move {
            let mut token = self.shared.token.lock().await;
            if self.needs_refresh(&token) {
                if let Err(error) = self.refresh_locked(&mut token).await {
                    // Early is not late: a token still valid is still worth a try.
                    if token.is_elapsed() {
                        return Err(error);
                    }
                }
            }
            Ok(access_token(&token))
        })
    }

    fn refresh<'a>(
        &'a self,
        rejected: &'a AccessToken,
    ) -> BoxFuture<'a, Result<Option<AccessToken>, TokenError>> {
        Box::pin(async move {
            let mut token = self.shared.token.lock().await;
            // Another call was rejected with the same token and refreshed it already.
            if token.access_token.secret() != rejected.expose_secret() {
                return Ok(Some(access_token(&token)));
            }
            if token.refresh_token.is_none() {
                return Ok(None);
            }
            self.refresh_locked(&mut token).await?;
            Ok(Some(access_token(&token)))
        })
    }
}
