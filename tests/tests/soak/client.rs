//! The client under test: its configuration and how it is started.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use eventsub_mock::helix::fast_retries;
use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_ID, USER_TOKEN, stream_online};
use eventsub_mock::scenario::client_config;
use eventsub_mock::{MockConfig, MockEventSub};
use eventsub_proto::{Config, Event};
use eventsub_tests::soak::FRAME_LIMIT;
use eventsub_tokio::Runtime;
use eventsub_tokio::{AccessToken, EventSub, EventSubBuilder, EventSubHandle};
use futures_util::StreamExt;
use tokio::sync::mpsc;

/// The client's configuration: the e2e one (keepalive grace 300 ms, backoff 100 ms to 1 s), with
/// the backoff reset after 200 ms of health and server-driven reconnects paced at 100 ms (faults
/// come every few hundred milliseconds here, not every few minutes: at the default 1 s pace the
/// sessions are down so often that some fault kinds find no session to be injected into), and a
/// 64 KiB frame limit (oversized frames stay cheap).
pub(crate) fn soak_config() -> Config {
    let mut config = client_config();
    config.backoff = config
        .backoff
        .with_healthy_after(Duration::from_millis(200));
    config.min_reconnect_interval = Duration::from_millis(100);
    config.max_frame_bytes = FRAME_LIMIT;
    config
}

/// How long a socket of the mock may stay silent before the client's watchdog may give it up.
pub(crate) fn silence_allowed() -> Duration {
    let keepalive = Duration::from_secs(MockConfig::fast().default_keepalive_secs);
    soak_config().keepalive_grace.window(keepalive)
}

pub(crate) type Events = mpsc::UnboundedReceiver<(Instant, Event)>;

/// The client's event buffer: small, so a stalled consumer fills it within a round and the
/// default backpressure policy (stop reading the sockets, the keepalive watch paused) is what
/// carries the client through the stall.
const EVENT_BUFFER: usize = 64;

/// Until when the soak's consumer reads no events (a stalled consumer fault); shared by every
/// client of a run.
#[derive(Clone, Debug, Default)]
pub(crate) struct Stall(Arc<Mutex<Option<Instant>>>);

impl Stall {
    /// The consumer reads nothing for `pause` from now.
    pub(crate) fn pause(&self, pause: Duration) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now() + pause);
    }

    /// Waits out a stall, if one holds.
    async fn wait(&self) {
        let until = self.0.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(until) = until {
            tokio::time::sleep_until(until.into()).await;
        }
    }
}

/// The adapter a run drives. Both share the driver; they differ in their runtime (tokio tasks, or
/// a thread of its own running async-io) and their socket stack (tokio-tungstenite, or
/// async-tungstenite over async-net).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Adapter {
    /// `eventsub-tokio`.
    Tokio,
    /// `eventsub-async-std` (async-io).
    AsyncIo,
}

impl Adapter {
    /// The adapters named in `SOAK_ADAPTERS` (`tokio`, `async-io`, comma separated; both by default).
    pub(crate) fn from_env() -> Vec<Self> {
        let names = std::env::var("SOAK_ADAPTERS").unwrap_or_else(|_| "tokio,async-io".into());
        names
            .split(',')
            .map(|name| match name.trim() {
                "tokio" => Self::Tokio,
                "async-io" => Self::AsyncIo,
                other => panic!("SOAK_ADAPTERS: unknown adapter {other:?} (tokio, async-io)"),
            })
            .collect()
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Tokio => "tokio",
            Self::AsyncIo => "async-io",
        }
    }
}

/// Starts a client subscribed to [`KIND`]; its events are forwarded as they come (stamped), so the
/// client's buffer never fills while the driver sleeps, except while `stall` holds.
pub(crate) async fn start_client(
    mock: &MockEventSub,
    seed: u64,
    adapter: Adapter,
    stall: &Stall,
) -> (EventSubHandle, Events) {
    let token = || AccessToken::new(USER_TOKEN);
    let started = match adapter {
        Adapter::Tokio => configured(EventSub::builder(CLIENT_ID, token()), mock, seed).connect(),
        Adapter::AsyncIo => configured(
            eventsub_async_std::EventSub::builder(CLIENT_ID, token()),
            mock,
            seed,
        )
        .connect(),
    };
    let (handle, mut events) = started.expect("client starts");
    let (forward, received) = mpsc::unbounded_channel();
    let stall = stall.clone();
    tokio::spawn(async move {
        loop {
            stall.wait().await;
            let Some(event) = events.next().await else {
                break;
            };
            if forward.send((Instant::now(), event)).is_err() {
                break;
            }
        }
    });
    (handle, received)
}

fn configured<R: Runtime>(
    builder: EventSubBuilder<R>,
    mock: &MockEventSub,
    seed: u64,
) -> EventSubBuilder<R> {
    builder
        .config(soak_config())
        .eventsub_url(mock.ws_url())
        .helix_url(mock.helix_url())
        .helix_retry(fast_retries())
        .helix_timeout(Duration::from_secs(2))
        .close_timeout(Duration::from_secs(1))
        .event_buffer(EVENT_BUFFER)
        .seed(seed)
        .subscribe(stream_online(USER_ID))
}
