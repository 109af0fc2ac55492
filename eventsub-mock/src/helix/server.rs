//! The router (mergeable into another one that shares the state) and a running server on
//! 127.0.0.1 with a programmatic handle.

use std::net::SocketAddr;

use axum::Router;
use axum::routing::{get, post};
use tokio::sync::oneshot;

use super::faults::{Fault, apply};
use super::state::{MockState, SharedState, lock};
use super::{conduits, oauth, reads, subscriptions, validate};

/// The mock's routes (`/helix/eventsub/...`, the catch-up reads served from the world, and `/oauth2/validate`, `/oauth2/token`,
/// `/oauth2/device` and `/oauth2/revoke`) over `state`, with fault injection and rate-limit headers on every answer.
pub fn router(state: SharedState) -> Router {
    Router::new()
        .route(
            "/helix/eventsub/subscriptions",
            get(subscriptions::list)
                .post(subscriptions::create)
                .delete(subscriptions::delete),
        )
        .route(
            "/helix/eventsub/conduits",
            get(conduits::list)
                .post(conduits::create)
                .patch(conduits::update)
                .delete(conduits::delete),
        )
        .route(
            "/helix/eventsub/conduits/shards",
            get(conduits::list_shards).patch(conduits::update_shards),
        )
        .route("/helix/channels/followers", get(reads::followers))
        .route("/helix/moderation/banned", get(reads::banned))
        .route(
            "/helix/channel_points/custom_rewards/redemptions",
            get(reads::redemptions),
        )
        .route("/helix/polls", get(reads::polls))
        .route("/helix/predictions", get(reads::predictions))
        .route("/helix/goals", get(reads::goals))
        .route("/helix/charity/campaigns", get(reads::charity))
        .route("/helix/streams", get(reads::streams))
        .route("/helix/channels", get(reads::channels))
        .route("/oauth2/validate", get(validate::validate))
        .route("/oauth2/token", post(oauth::token))
        .route("/oauth2/device", post(oauth::device))
        .route("/oauth2/revoke", post(oauth::revoke))
        .layer(axum::middleware::from_fn_with_state(state.clone(), apply))
        .with_state(state)
}

/// A running mock Helix server; it stops when dropped.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use eventsub_mock::helix::MockHelix;
/// let mock = MockHelix::start().await?;
/// mock.state().add_user_token("user-token", "client", "1234", &[]);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct MockHelix {
    addr: SocketAddr,
    state: SharedState,
    shutdown: Option<oneshot::Sender<()>>,
}

impl MockHelix {
    /// Starts a mock with empty state on 127.0.0.1 and a free port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(SharedState::default()).await
    }

    /// Starts a mock over existing (possibly shared) state.
    pub async fn start_with(state: SharedState) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (shutdown, stopped) = oneshot::channel::<()>();
        let app = router(state.clone());
        tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = stopped.await;
            });
            if let Err(error) = serve.await {
                eprintln!("mock helix server stopped: {error}");
            }
        });
        Ok(Self {
            addr,
            state,
            shutdown: Some(shutdown),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The Helix base URL (`http://127.0.0.1:PORT/helix`).
    pub fn api_base_url(&self) -> String {
        format!("http://{}/helix", self.addr)
    }

    /// The OAuth base URL (`http://127.0.0.1:PORT/oauth2`).
    pub fn auth_base_url(&self) -> String {
        format!("http://{}/oauth2", self.addr)
    }

    /// The OAuth root as twitch_oauth2's `TWITCH_OAUTH2_URL` wants it, with its trailing slash
    /// (`http://127.0.0.1:PORT/oauth2/`): `token`, `device` and `validate` are appended to it.
    pub fn twitch_oauth2_url(&self) -> String {
        format!("http://{}/oauth2/", self.addr)
    }

    /// A `twitch_oauth2` HTTP client whose calls to Twitch's OAuth server reach this mock
    /// (feature `twitch_oauth2`).
    #[cfg(feature = "twitch_oauth2")]
    pub fn oauth2_client(&self) -> crate::oauth2_client::MockOauth2Client {
        crate::oauth2_client::MockOauth2Client::new(&self.twitch_oauth2_url())
    }

    /// The shared state, locked: register tokens, inject faults, inspect what was created.
    pub fn state(&self) -> std::sync::MutexGuard<'_, MockState> {
        lock(&self.state)
    }

    /// The shared state itself, to hand to another server (such as a mock WebSocket server).
    pub fn shared_state(&self) -> SharedState {
        self.state.clone()
    }

    /// Makes the next `count` requests meet `fault`.
    pub fn inject(&self, fault: Fault, count: usize) {
        self.state().inject(fault, count);
    }

    /// How many requests reached the server.
    pub fn request_count(&self) -> u64 {
        self.state().requests
    }
}

impl Drop for MockHelix {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
