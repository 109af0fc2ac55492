//! Configuring and starting a client.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use eventsub_helix::{HelixClient, RetryPolicy};
use eventsub_proto::catchup::CatchUpConfig;
use eventsub_proto::recording::{RecordedClaim, RecordedShards};
use eventsub_proto::{ClaimConfig, ConduitId, Config, Pool, ShardConfig, SubscriptionSpec, Url};
use futures_util::FutureExt;
use tokio::sync::{mpsc, oneshot, watch};

use crate::driver::Driver;
use crate::error::ConnectError;
use crate::handle::{EventStream, EventSubHandle};
use crate::record::{MAX_QUEUED_BYTES, RecordTarget, Recorder};
use crate::runtime::Runtime;
use crate::token::{AccessToken, TokenProvider};
use crate::validated::FirstValidation;

/// Default capacity of the event buffer between the client task and the [`EventStream`].
pub const DEFAULT_EVENT_BUFFER: usize = 1024;

/// What the client does while the consumer's event buffer ([`EventSubBuilder::event_buffer`]) is
/// full. Either way lifecycle events (the session, gaps, revocations, the subscriptions' fate, the
/// stop) are never discarded, and memory stays bounded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Overflow {
    /// The default: once the buffer is full, stop reading the sockets until half of it is free,
    /// so a burst waits in the kernel's buffers (and then Twitch's) instead of being discarded.
    /// The core is told, so the keepalive watchdog does not take unread data for silence: it
    /// measures silence only while reading.
    /// Events that do not fit wait in the core (a batch as its one frame), not in the client task:
    /// the crate docs on backpressure list what is held.
    /// A consumer slower than the event rate for long enough makes Twitch close the socket
    /// (a gap, reported as `Disconnected` then `Resumed`).
    #[default]
    Backpressure,
    /// Keep reading: while the buffer is full, notifications (and the per-frame reports of
    /// [`Event::is_discardable`](eventsub_proto::Event::is_discardable)) are discarded, counted,
    /// and reported as [`Event::Lagged`](eventsub_proto::Event::Lagged) with the range of their
    /// `message_timestamp`, ahead of the next event delivered. Lifecycle events wait in a small
    /// queue of their own (at most 256); should it fill, reading pauses as under backpressure.
    DiscardWithLagged,
}

/// Entry point on a runtime that is a unit value: each adapter names it (`EventSub` of
/// `eventsub-tokio` is `EventSub<TokioRuntime>`), so `EventSub::builder(client_id, token)` is all an
/// app writes.
pub struct EventSub<R>(std::marker::PhantomData<fn() -> R>);

impl<R> std::fmt::Debug for EventSub<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventSub")
    }
}

impl<R: Runtime + Default> EventSub<R> {
    /// Starts configuring a client for `client_id` with a user access token (or a
    /// [`TokenProvider`] that can refresh one), against production Twitch by default.
    pub fn builder(client_id: impl Into<String>, token: impl TokenProvider) -> EventSubBuilder<R> {
        EventSubBuilder::new(R::default(), client_id, token)
    }
}

/// Configures a client on runtime `R`; made by an adapter's `EventSub::builder` (or [`EventSubBuilder::new`]
/// for any runtime), finished by [`EventSubBuilder::connect`] (returns at once; what the token's
/// validation finds arrives as events) or [`EventSubBuilder::connect_validated`] (waits for the
/// validation and returns a token that cannot work as a [`ConnectError`]).
#[must_use]
pub struct EventSubBuilder<R> {
    runtime: R,
    client_id: String,
    tokens: Arc<dyn TokenProvider>,
    config: Config,
    /// Subscriptions added by [`EventSubBuilder::subscribe`]: kept apart from `config` so that a
    /// later [`EventSubBuilder::config`] does not drop them.
    subscriptions: Vec<SubscriptionSpec>,
    /// Set by [`EventSubBuilder::conduit_shard`]: kept apart from `config` like `subscriptions`.
    shard: Option<ShardConfig>,
    /// [`EventSubBuilder::max_sessions`], kept apart so `config` does not undo it.
    max_sessions: Option<usize>,
    /// Set by [`EventSubBuilder::conduit_shards`]: the conduit and the shards this client holds.
    shards: Option<(ConduitId, Vec<u32>)>,
    /// Set by [`EventSubBuilder::claim_conduit_shards`]: the shards are claimed, not given.
    claim: Option<ClaimConfig>,
    eventsub_url: Option<String>,
    helix_url: String,
    auth_url: Option<String>,
    helix_timeout: Duration,
    helix_retry: Option<RetryPolicy>,
    event_buffer: usize,
    overflow: Overflow,
    /// Set by [`EventSubBuilder::close_timeout`]; else the config's.
    close_timeout: Option<Duration>,
    /// Set by [`EventSubBuilder::catch_up`]; else the config's.
    catch_up: Option<CatchUpConfig>,
    seed: Option<u64>,
    record: Option<RecordTarget>,
}

impl<R> std::fmt::Debug for EventSubBuilder<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No token here: only where things go.
        f.debug_struct("EventSubBuilder")
            .field("client_id", &self.client_id)
            .field("config", &self.config)
            .field("eventsub_url", &self.eventsub_url)
            .field("helix_url", &self.helix_url)
            .field("auth_url", &self.auth_url)
            .field("event_buffer", &self.event_buffer)
            .finish_non_exhaustive()
    }
}

impl<R: Runtime> EventSubBuilder<R> {
    /// Starts configuring a client on `runtime` for `client_id` with `token`, against production
    /// Twitch by default.
    pub fn new(runtime: R, client_id: impl Into<String>, token: impl TokenProvider) -> Self {
        Self {
            runtime,
            client_id: client_id.into(),
            tokens: Arc::new(token),
            config: Config::default(),
            subscriptions: Vec::new(),
            shard: None,
            max_sessions: None,
            shards: None,
            claim: None,
            eventsub_url: None,
            helix_url: eventsub_helix::DEFAULT_API_BASE_URL.to_owned(),
            auth_url: None,
            helix_timeout: Duration::from_secs(10),
            helix_retry: None,
            event_buffer: DEFAULT_EVENT_BUFFER,
            overflow: Overflow::default(),
            close_timeout: None,
            catch_up: None,
            seed: None,
            record: None,
        }
    }

    /// Replaces the core's configuration (limits, timeouts, backoff, keepalive, ...). The
    /// subscriptions added by [`EventSubBuilder::subscribe`] are kept, whether it is called before
    /// or after this: they are created after those of `config.subscriptions` (a spec in both is
    /// wanted once).
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Adds a subscription to create on every fresh session (in either order with
    /// [`EventSubBuilder::config`]).
    pub fn subscribe(mut self, spec: SubscriptionSpec) -> Self {
        self.subscriptions.push(spec);
        self
    }

    /// The configuration the client starts with: [`EventSubBuilder::config`]'s, with the
    /// subscriptions of [`EventSubBuilder::subscribe`] after its own, and the catch-up of
    /// [`EventSubBuilder::catch_up`] if set.
    fn client_config(&self) -> Config {
        let mut config = self.config.clone();
        if let Some(shard) = &self.shard {
            config.shard = Some(shard.clone());
        }
        if let Some(catch_up) = &self.catch_up {
            config.catch_up = Some(catch_up.clone());
        }
        if let Some(sessions) = self.max_sessions {
            config.max_sessions = sessions;
        }
        for spec in &self.subscriptions {
            if !config.subscriptions.contains(spec) {
                config.subscriptions.push(spec.clone());
            }
        }
        config
    }

    /// Makes the client shard `shard_id` of conduit `conduit_id` (in either order with
    /// [`EventSubBuilder::config`]): the token must be an app access token, every fresh session
    /// is assigned to the shard (Update Conduit Shards), and the client creates no subscriptions
    /// (they belong to the conduit: create them once, with `eventsub_helix::ConduitManager`).
    /// What happens on reconnects and refusals is in [`eventsub_proto::shard`]; the events are
    /// [`Event::ShardAssigned`](eventsub_proto::Event::ShardAssigned) and
    /// [`Event::ShardFailed`](eventsub_proto::Event::ShardFailed).
    ///
    /// ```no_run
    /// # fn demo<R: eventsub_driver::Runtime + Default>(app_token: eventsub_driver::AccessToken) -> Result<(), eventsub_driver::ConnectError> {
    /// use eventsub_driver::EventSub;
    /// use eventsub_driver::proto::ConduitId;
    /// let (handle, events) = EventSub::<R>::builder("client-id", app_token)
    ///     .conduit_shard(ConduitId::new("bfcfc993-26b1-b876-44d9-afe75a379dac"), 0)
    ///     .connect()?;
    /// # let _ = (handle, events);
    /// # Ok(()) }
    /// ```
    pub fn conduit_shard(mut self, conduit_id: ConduitId, shard_id: u32) -> Self {
        self.shards = None;
        self.shard = Some(ShardConfig::new(conduit_id, shard_id));
        self
    }

    /// Lets the client hold up to `sessions` WebSocket sessions for its user token (1, the
    /// default, to [`MAX_SESSIONS_PER_TOKEN`](eventsub_proto::MAX_SESSIONS_PER_TOKEN), Twitch's
    /// limit), in either order with [`EventSubBuilder::config`]: a second or third session is
    /// opened only when the subscriptions do not fit on the ones it has (300 each), so up to 900
    /// subscriptions under the token's cost limit. The events of every session come out of the
    /// one [`EventStream`]; each says which session it came from
    /// ([`ConnId::session_index`](eventsub_proto::ConnId::session_index),
    /// [`Gap::session`](eventsub_proto::Gap::session)). See [`eventsub_proto::pool`].
    pub fn max_sessions(mut self, sessions: usize) -> Self {
        self.max_sessions = Some(sessions);
        self
    }

    /// Makes the client hold several shards of conduit `conduit_id`, one WebSocket session each
    /// (see [`EventSubBuilder::conduit_shard`] for one, and [`eventsub_proto::Pool::conduit_shards`]):
    /// the app token is validated once for all of them, their events come out of the one
    /// [`EventStream`] (a notification Twitch sends again on another shard is delivered once),
    /// and a shard Twitch refuses for good stops alone
    /// ([`Event::ShardStopped`](eventsub_proto::Event::ShardStopped)). Replaces
    /// [`EventSubBuilder::conduit_shard`].
    pub fn conduit_shards(
        mut self,
        conduit_id: ConduitId,
        shard_ids: impl IntoIterator<Item = u32>,
    ) -> Self {
        self.shard = None;
        self.shards = Some((conduit_id, shard_ids.into_iter().collect()));
        self
    }

    /// Makes the client claim up to `claim.max_shards` shards of conduit `claim.conduit_id`
    /// instead of being told which (see [`eventsub_proto::claim`] for how, and
    /// [`EventSubBuilder::conduit_shards`] for being told): it reads the conduit's shards (Get
    /// Conduit Shards), assigns a session of its own to each shard that is not enabled, reads
    /// again to learn whether it won, backs off when another process took the shard, and grows
    /// the conduit up to [`ClaimConfig::grow_to`] when asked to and every shard is held. Many
    /// processes, on many machines, share a conduit this way with no coordinator but Twitch:
    /// two of them never both believe they hold a shard for longer than one
    /// [`ClaimConfig::reread_interval`] plus one read. Every read of the listing costs one Helix
    /// call per 100 shards against the app token's rate limit.
    ///
    /// The token must be an app access token; the events are those of
    /// [`EventSubBuilder::conduit_shards`], plus
    /// [`Event::ShardClaimed`](eventsub_proto::Event::ShardClaimed) when a read confirms a
    /// claim, [`Event::ShardReleased`](eventsub_proto::Event::ShardReleased) when a shard is given
    /// up, and [`Event::ClaimFailed`](eventsub_proto::Event::ClaimFailed) when a read or a resize
    /// failed (tried again later). It cannot be combined with
    /// [`EventSubBuilder::conduit_shard`], [`EventSubBuilder::conduit_shards`], subscriptions
    /// (they belong to the conduit) or [`EventSubBuilder::max_sessions`] above 1:
    /// [`EventSubBuilder::connect`] refuses that with [`ConnectError::ClaimCombined`].
    ///
    /// ```no_run
    /// # fn demo<R: eventsub_driver::Runtime + Default>(app_token: eventsub_driver::AccessToken) -> Result<(), eventsub_driver::ConnectError> {
    /// use std::time::Duration;
    /// use eventsub_driver::{ClaimConfig, ConduitId, EventSub};
    /// let conduit = ConduitId::new("bfcfc993-26b1-b876-44d9-afe75a379dac");
    /// // Up to 4 shards, checked every 30 s; the conduit may grow to 16 shards.
    /// let claim = ClaimConfig::new(conduit, 4)
    ///     .with_reread_interval(Duration::from_secs(30))
    ///     .with_grow_to(16);
    /// let (handle, events) = EventSub::<R>::builder("client-id", app_token)
    ///     .claim_conduit_shards(claim)
    ///     .connect()?;
    /// # let _ = (handle, events);
    /// # Ok(()) }
    /// ```
    pub fn claim_conduit_shards(mut self, claim: ClaimConfig) -> Self {
        self.claim = Some(claim);
        self
    }

    /// The option set together with [`EventSubBuilder::claim_conduit_shards`] that cannot go with
    /// it, if any.
    fn combined_with_claim(&self, config: &Config) -> Option<&'static str> {
        self.claim.as_ref()?;
        // `config` carries `conduit_shard`'s shard as well as one named in `config` itself.
        if config.shard.is_some() {
            Some("conduit_shard")
        } else if self.shards.is_some() {
            Some("conduit_shards")
        } else if !config.subscriptions.is_empty() {
            Some("subscriptions")
        } else if config.max_sessions > 1 {
            Some("max_sessions")
        } else {
            None
        }
    }

    /// The EventSub WebSocket URL (default `wss://eventsub.wss.twitch.tv/ws`), such as a mock
    /// server's `ws://127.0.0.1:PORT/ws`.
    pub fn eventsub_url(mut self, url: impl Into<String>) -> Self {
        self.eventsub_url = Some(url.into());
        self
    }

    /// The Helix base URL (default `https://api.twitch.tv/helix`).
    pub fn helix_url(mut self, url: impl Into<String>) -> Self {
        self.helix_url = url.into();
        self
    }

    /// The OAuth base URL the token is validated under (`{url}/validate`), such as a mock
    /// server's `http://127.0.0.1:PORT/oauth2`. By default Twitch's (`https://id.twitch.tv/oauth2`)
    /// while [`EventSubBuilder::helix_url`] is Twitch's too, and `/oauth2` on the Helix URL's host
    /// when that points elsewhere (where `eventsub-mock` serves it), so a fake token meant for a
    /// mock never goes to Twitch.
    pub fn auth_url(mut self, url: impl Into<String>) -> Self {
        self.auth_url = Some(url.into());
        self
    }

    /// How long one Helix call may take (default 10 s); past it the call counts as unavailable.
    pub fn helix_timeout(mut self, timeout: Duration) -> Self {
        self.helix_timeout = timeout;
        self
    }

    /// How Helix 429 and 5xx answers are retried (default: eventsub-helix's policy).
    pub fn helix_retry(mut self, retry: RetryPolicy) -> Self {
        self.helix_retry = Some(retry);
        self
    }

    /// Capacity of the event buffer (default [`DEFAULT_EVENT_BUFFER`]); see the crate docs on
    /// backpressure.
    pub fn event_buffer(mut self, capacity: usize) -> Self {
        self.event_buffer = capacity.max(1);
        self
    }

    /// What happens while the event buffer is full (default [`Overflow::Backpressure`]); see the
    /// crate docs on backpressure.
    pub fn overflow(mut self, overflow: Overflow) -> Self {
        self.overflow = overflow;
        self
    }

    /// How long the server gets to answer a close frame before the socket is dropped (default:
    /// [`Config::close_timeout`], 5 s); it counts only while the sockets are read (see the crate
    /// docs on backpressure). Sets [`Config::close_timeout`], whatever [`EventSubBuilder::config`]
    /// says. At most [`MAX_TIMEOUT`](eventsub_proto::MAX_TIMEOUT): [`EventSubBuilder::connect`]
    /// refuses a longer one with [`ConfigError::DurationTooLong`](eventsub_proto::ConfigError).
    pub fn close_timeout(mut self, timeout: Duration) -> Self {
        self.close_timeout = Some(timeout);
        self
    }

    /// Catches up over Helix after every gap, within `limits` (see the crate docs on catch-up):
    /// after each [`Event::Resumed`](eventsub_proto::Event::Resumed), what the subscriptions
    /// missed and a Helix read can tell arrives as
    /// [`Event::Recovered`](eventsub_proto::Event::Recovered), then one
    /// [`Event::CatchUp`](eventsub_proto::Event::CatchUp) report per gap. Off by default. Sets
    /// [`Config::catch_up`], whatever [`EventSubBuilder::config`] says.
    ///
    /// ```no_run
    /// # fn run<R: eventsub_driver::Runtime>(builder: eventsub_driver::EventSubBuilder<R>) {
    /// use eventsub_driver::CatchUpConfig;
    /// let builder = builder.catch_up(CatchUpConfig::default());
    /// # }
    /// ```
    pub fn catch_up(mut self, limits: CatchUpConfig) -> Self {
        self.catch_up = Some(limits);
        self
    }

    /// A fixed seed for the backoff jitter (default: a random one per client), to replay a run.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Records the session to `writer`: every frame received (with its arrival time on the
    /// monotonic and the wall clock, and its connection), every socket opened, failed or closed
    /// (with code and reason), every Helix answer (ids and costs), every timeout and user command,
    /// as the JSON lines of [`eventsub_proto::recording`], which
    /// [`replay`](eventsub_proto::recording::replay) runs through a fresh core on fake time and
    /// `eventsub-mock` plays back to a real client. Tokens are never written: only what the core
    /// is fed is. See the crate docs on recording for what it costs and how it stops.
    pub fn record_to(mut self, writer: impl std::io::Write + Send + 'static) -> Self {
        self.record = Some(RecordTarget::writer(writer));
        self
    }

    /// [`EventSubBuilder::record_to`] a file at `path`, created (or truncated) by
    /// [`EventSubBuilder::connect`].
    pub fn record_to_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.record = Some(RecordTarget::File(path.into()));
        self
    }

    /// Starts the client task on the runtime and returns at once, without waiting for the
    /// network: the task connects in the background, and what happens arrives on the returned
    /// stream ([`Event::SessionReady`](eventsub_proto::Event::SessionReady) once the first
    /// session is welcomed, then the subscriptions' fate). The handle controls the client.
    /// Errors only for a configuration that cannot work. (On tokio, call it within a tokio
    /// runtime: it spawns one task.)
    ///
    /// The token is validated before the first socket (see the crate docs on the lifecycle), and
    /// what that finds arrives as events, not as an error: first
    /// [`Event::TokenValidated`](eventsub_proto::Event::TokenValidated); an app token or a 401
    /// ends the stream with [`Event::Stopped`](eventsub_proto::Event::Stopped) (reason
    /// [`StopReason::AppToken`](eventsub_proto::StopReason::AppToken) or
    /// [`StopReason::Unauthorized`](eventsub_proto::StopReason::Unauthorized)) without a socket
    /// opened; a subscription the token's scopes or user cannot serve is refused with
    /// [`Event::SubscriptionFailed`](eventsub_proto::Event::SubscriptionFailed)
    /// ([`SubscriptionFailure::MissingScope`](eventsub_proto::SubscriptionFailure::MissingScope)
    /// or [`NotTokenUser`](eventsub_proto::SubscriptionFailure::NotTokenUser)) before any Helix
    /// call, while the others go on (with none left, the client reports
    /// [`Event::Idle`](eventsub_proto::Event::Idle) and holds no socket).
    /// [`EventSubBuilder::connect_validated`] waits for that outcome and returns it as a
    /// [`ConnectError`] instead.
    pub fn connect(self) -> Result<(EventSubHandle, EventStream), ConnectError> {
        self.start(None)
    }

    /// Starts the client like [`EventSubBuilder::connect`], then waits for the first token
    /// validation (`GET /oauth2/validate`, before any socket) and returns its outcome: `Ok` when
    /// the token is a user access token that can serve every wanted subscription, with
    /// [`Event::TokenValidated`](eventsub_proto::Event::TokenValidated) still first in the stream;
    /// otherwise an error that says what cannot work, with nothing left running:
    ///
    /// - [`ConnectError::AppToken`]: an app access token (the WebSocket transport needs a user's);
    /// - [`ConnectError::Unauthorized`]: Twitch answered 401 (invalid, expired or revoked);
    /// - [`ConnectError::MissingScope`] or [`ConnectError::NotTokenUser`]: a wanted subscription
    ///   the token cannot serve, named with the missing scopes (or the user its condition must
    ///   name), and every other one in `also_refused`. The client is shut down as soon as the
    ///   core refuses it, before any socket is opened or subscription asked of Helix, and the
    ///   client task is gone when this returns.
    ///
    /// A validation that fails without an answer about the token (Twitch unreachable, 5xx) is
    /// retried with backoff, and this waits meanwhile: bound it with the runtime's timeout if
    /// that matters (dropping the future drops the handle and the stream, which shuts the client
    /// down). Subscriptions added later through the handle are checked by the core as
    /// [`EventSubHandle::subscribe`] says. Errors with [`ConnectError::ValidationOff`] when
    /// [`Config::validate_token`] is off, and as `connect` for a configuration that cannot work.
    ///
    /// ```no_run
    /// # async fn run<R: eventsub_driver::Runtime>(builder: eventsub_driver::EventSubBuilder<R>) {
    /// use eventsub_driver::ConnectError;
    ///
    /// match builder.connect_validated().await {
    ///     Ok((handle, events)) => { /* the token serves every subscription: read `events` */ }
    ///     Err(ConnectError::MissingScope { spec, missing, .. }) => {
    ///         eprintln!("ask the user again, with the scopes {missing:?} for {spec}");
    ///     }
    ///     Err(error) => eprintln!("cannot start: {error}"),
    /// }
    /// # }
    /// ```
    pub async fn connect_validated(self) -> Result<(EventSubHandle, EventStream), ConnectError> {
        if !self.config.validate_token {
            return Err(ConnectError::ValidationOff);
        }
        let (reply, outcome) = oneshot::channel();
        let first_validation = FirstValidation::new(reply, self.client_id.clone());
        let (handle, events) = self.start(Some(first_validation))?;
        let refused = match outcome.await {
            Ok(Ok(())) => return Ok((handle, events)),
            Ok(Err(refused)) => refused,
            Err(_) => ConnectError::TaskEnded,
        };
        // The client has stopped (or is stopping: a refused subscription shut it down). Nobody
        // reads its events any more; wait until its sockets and task are gone.
        drop(events);
        handle.finished().await;
        Err(refused)
    }

    fn start(
        self,
        first_validation: Option<FirstValidation>,
    ) -> Result<(EventSubHandle, EventStream), ConnectError> {
        let mut config = self.client_config();
        if let Some(option) = self.combined_with_claim(&config) {
            return Err(ConnectError::ClaimCombined { option });
        }
        if let Some(close_timeout) = self.close_timeout {
            config.close_timeout = close_timeout;
        }
        let close_timeout = config.close_timeout;
        eventsub_proto::check_not_too_long("close_timeout", close_timeout)?;
        eventsub_proto::check_not_too_long("helix_timeout", self.helix_timeout)?;
        if let Some(url) = self.eventsub_url {
            config.url = Url::parse(&url).map_err(|error| ConnectError::InvalidUrl {
                url: url.clone(),
                reason: error.to_string(),
            })?;
        }
        config.seed = self
            .seed
            .unwrap_or_else(|| RandomState::new().hash_one(std::process::id()));
        // The sockets held at once (a handover's second socket aside): the read buffers share
        // a budget.
        let sessions = match (&self.claim, &self.shards) {
            (Some(claim), _) => claim.max_shards,
            (None, Some((_, shard_ids))) => shard_ids.len(),
            (None, None) => config.max_sessions,
        };
        // The write buffer is bounded too: a server flooding pings while it stops reading would
        // otherwise queue pongs without limit (see `socket`).
        let websocket_config = tungstenite::protocol::WebSocketConfig::default()
            .max_message_size(Some(config.max_frame_bytes))
            .max_frame_size(Some(config.max_frame_bytes))
            .read_buffer_size(crate::socket::read_buffer_bytes(sessions))
            .write_buffer_size(crate::socket::WRITE_BUFFER_BYTES)
            .max_write_buffer_size(crate::socket::MAX_WRITE_BUFFER_BYTES);
        // No token here: every call asks the provider for the current one (`helix/call.rs`),
        // so this placeholder is never sent.
        let auth_url = self
            .auth_url
            .unwrap_or_else(|| default_auth_url(&self.helix_url));
        let mut helix = HelixClient::builder(self.client_id, AccessToken::new(""))
            .api_base_url(self.helix_url)
            .auth_base_url(auth_url)
            .timeout(self.helix_timeout);
        if let Some(retry) = self.helix_retry {
            helix = helix.retry_policy(retry);
        }
        let helix = helix.build()?;
        let seed = config.seed;
        let start = self.runtime.now();
        // A replay of the recording builds the same pool of shards.
        let recorded_shards = self.shards.as_ref().map(|(conduit_id, shard_ids)| {
            RecordedShards::new(conduit_id.as_str(), shard_ids.clone())
        });
        let recorded_claim = self.claim.as_ref().map(RecordedClaim::of);
        let client = match (self.claim, self.shards) {
            (Some(claim), _) => Pool::claim_shards(config, claim, start)?,
            (None, Some((conduit_id, shard_ids))) => {
                Pool::conduit_shards(config, conduit_id, shard_ids, start)?
            }
            (None, None) => Pool::new(config, start)?,
        };
        let shard_ids: Arc<[u32]> = (0..client.sessions())
            .map_while(|index| client.shard_id(index))
            .collect();
        let recorder = match self.record {
            Some(target) => {
                let out = target.open().map_err(ConnectError::Recording)?;
                Some(
                    Recorder::start(
                        out,
                        start,
                        seed,
                        recorded_shards,
                        recorded_claim,
                        MAX_QUEUED_BYTES,
                    )
                    .map_err(ConnectError::Recording)?,
                )
            }
            None => None,
        };
        let (commands, command_receiver) = mpsc::channel(64);
        let (events, event_receiver) = crate::event_channel::channel(self.event_buffer);
        let (finished, finished_receiver) = watch::channel(false);
        let lagged = Arc::new(AtomicU64::new(0));
        let leftover: Arc<std::sync::Mutex<std::collections::VecDeque<eventsub_proto::Event>>> =
            Arc::default();
        let driver = Driver {
            runtime: self.runtime.clone(),
            client,
            helix,
            tokens: self.tokens,
            commands: command_receiver,
            events,
            lagged: lagged.clone(),
            finished,
            websocket_config,
            close_timeout,
            helix_timeout: self.helix_timeout,
            overflow: self.overflow,
            waiting: std::collections::VecDeque::new(),
            lag: eventsub_proto::LagTally::default(),
            reading_paused: false,
            room_marks: crate::room::RoomMarks::new(self.event_buffer, self.overflow),
            room_wanted: false,
            leftover: leftover.clone(),
            recorder,
            first_validation,
            staged: Vec::new(),
            turn_clock: None,
        };
        let task_gone = self.runtime.spawn_joinable(Box::pin(driver.run())).shared();
        Ok((
            EventSubHandle {
                commands,
                shard_ids,
                lagged: lagged.clone(),
                finished: finished_receiver,
                task_gone,
            },
            EventStream {
                events: event_receiver,
                lagged,
                leftover,
                batch: Vec::with_capacity(crate::handle::STREAM_BATCH),
            },
        ))
    }
}

/// Twitch's OAuth URL for Twitch's Helix; for any other Helix, `/oauth2` on its host.
fn default_auth_url(helix_url: &str) -> String {
    if helix_url.trim_end_matches('/') == eventsub_helix::DEFAULT_API_BASE_URL {
        return eventsub_helix::DEFAULT_AUTH_BASE_URL.to_owned();
    }
    match Url::parse(helix_url) {
        Ok(mut url) if !url.cannot_be_a_base() => {
            url.set_path("/oauth2");
            url.set_query(None);
            url.to_string()
        }
        // The Helix client refuses such a URL with its own error at `connect`.
        _ => eventsub_helix::DEFAULT_AUTH_BASE_URL.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::{BoxWebSocket, WebSocketConfig};
    use crate::token::BoxFuture;

    #[test]
    fn the_oauth_url_follows_a_helix_url_that_is_not_twitchs() {
        assert_eq!(
            default_auth_url("https://api.twitch.tv/helix/"),
            "https://id.twitch.tv/oauth2"
        );
        assert_eq!(
            default_auth_url("http://127.0.0.1:8080/helix"),
            "http://127.0.0.1:8080/oauth2"
        );
        assert_eq!(default_auth_url("not a url"), "https://id.twitch.tv/oauth2");
    }

    /// A runtime that is never run: the builder only needs its type here.
    #[derive(Clone)]
    struct NoRuntime;

    impl Runtime for NoRuntime {
        fn now(&self) -> std::time::Instant {
            std::time::Instant::now()
        }
        fn sleep_until(&self, _: std::time::Instant) -> BoxFuture<'static, ()> {
            Box::pin(std::future::pending())
        }
        fn connect(
            &self,
            _: Url,
            _: WebSocketConfig,
        ) -> BoxFuture<'static, Result<BoxWebSocket, String>> {
            Box::pin(async { Err("no sockets in this test".to_owned()) })
        }
        fn spawn(&self, _: BoxFuture<'static, ()>) {}
    }

    fn spec(broadcaster: &str) -> SubscriptionSpec {
        SubscriptionSpec::new("stream.online", "1")
            .with_condition("broadcaster_user_id", broadcaster)
    }

    #[test]
    fn connect_validated_refuses_a_config_that_does_not_validate_the_token() {
        let mut config = Config::default();
        config.validate_token = false;
        let builder = EventSubBuilder::new(NoRuntime, "client", AccessToken::new("t"))
            .config(config)
            .subscribe(spec("1"));
        let refused = futures_lite::future::block_on(builder.connect_validated());
        assert!(
            matches!(refused, Err(ConnectError::ValidationOff)),
            "{refused:?}"
        );
    }

    #[test]
    fn catch_up_is_off_unless_asked_for_and_survives_a_later_config() {
        let plain = EventSubBuilder::new(NoRuntime, "client", AccessToken::new("t"));
        assert_eq!(plain.client_config().catch_up, None);
        let mut limits = CatchUpConfig::default();
        limits.max_reads_per_gap = 3;
        let builder = EventSubBuilder::new(NoRuntime, "client", AccessToken::new("t"))
            .catch_up(limits.clone())
            .config(Config::default());
        assert_eq!(builder.client_config().catch_up, Some(limits.clone()));
        let mut config = Config::default();
        config.catch_up = Some(CatchUpConfig::default());
        let from_config =
            EventSubBuilder::new(NoRuntime, "client", AccessToken::new("t")).config(config);
        assert_eq!(
            from_config.client_config().catch_up,
            Some(CatchUpConfig::default())
        );
        let overridden = from_config.catch_up(limits.clone());
        assert_eq!(overridden.client_config().catch_up, Some(limits));
    }

    fn claim() -> ClaimConfig {
        ClaimConfig::new(ConduitId::new("conduit"), 2)
    }

    fn app_client() -> EventSubBuilder<NoRuntime> {
        EventSubBuilder::new(NoRuntime, "client", AccessToken::new("t"))
    }

    #[test]
    fn claiming_goes_with_no_other_way_of_choosing_shards_nor_subscriptions() {
        let mut two_sessions = Config::default();
        two_sessions.max_sessions = 2;
        let mut named_shard = Config::default();
        named_shard.shard = Some(ShardConfig::new(ConduitId::new("conduit"), 0));
        let combined = [
            (
                app_client().conduit_shard(ConduitId::new("conduit"), 0),
                "conduit_shard",
            ),
            (app_client().config(named_shard), "conduit_shard"),
            (
                app_client().conduit_shards(ConduitId::new("conduit"), 0..2),
                "conduit_shards",
            ),
            (app_client().subscribe(spec("1")), "subscriptions"),
            (app_client().max_sessions(3), "max_sessions"),
            (app_client().config(two_sessions), "max_sessions"),
        ];
        for (builder, expected) in combined {
            // Either order: the conflict is found when connecting.
            let refused = builder.claim_conduit_shards(claim()).connect();
            assert!(
                matches!(&refused, Err(ConnectError::ClaimCombined { option }) if *option == expected),
                "{expected}: {:?}",
                refused.err()
            );
        }
        let refused = app_client()
            .claim_conduit_shards(claim())
            .conduit_shards(ConduitId::new("conduit"), [0])
            .connect();
        assert!(matches!(
            refused,
            Err(ConnectError::ClaimCombined {
                option: "conduit_shards"
            })
        ));
    }

    #[test]
    fn a_claiming_client_alone_starts() {
        let started = app_client().claim_conduit_shards(claim()).connect();
        assert!(started.is_ok(), "{:?}", started.err());
        let mut bad = claim();
        bad.max_shards = 0;
        let refused = app_client().claim_conduit_shards(bad).connect();
        assert!(
            matches!(refused, Err(ConnectError::Config(_))),
            "{:?}",
            refused.err()
        );
    }

    #[test]
    fn config_and_subscribe_compose_in_either_order() {
        let mut config = Config::default();
        config.subscriptions.push(spec("1"));
        let after = EventSubBuilder::new(NoRuntime, "client", AccessToken::new("t"))
            .subscribe(spec("2"))
            .config(config.clone())
            .subscribe(spec("1"));
        let before = EventSubBuilder::new(NoRuntime, "client", AccessToken::new("t"))
            .config(config)
            .subscribe(spec("2"));
        for builder in [after, before] {
            assert_eq!(
                builder.client_config().subscriptions,
                [spec("1"), spec("2")]
            );
        }
    }
}
