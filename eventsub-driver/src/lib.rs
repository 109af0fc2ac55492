//! Twitch EventSub over WebSocket: the runtime-neutral async driver.
//!
//! Most users want an adapter, not this crate: `eventsub-tokio` for tokio, `eventsub-async-std` for
//! async-std and smol. Each is a [`Runtime`] implementation plus re-exports of this crate, and both
//! have the same API because it is this one. Reach for this crate directly to run the client on
//! another runtime: implement [`Runtime`] (a clock, timers, a spawn and a WebSocket connect) and
//! start it with [`EventSubBuilder::new`].
//!
//! The layers, one way only: `eventsub-proto` (the sans-IO core: every protocol decision) ←
//! this crate (sockets, timers, Helix calls over `eventsub-helix`) ← the adapters.
//!
//! # Example: a runtime of your own
//!
//! ```no_run
//! use std::time::Instant;
//! use eventsub_driver::runtime::{BoxWebSocket, Runtime, WebSocketConfig};
//! use eventsub_driver::{AccessToken, BoxFuture, EventSubBuilder, SubscriptionSpec};
//! use eventsub_proto::Url;
//!
//! #[derive(Clone)]
//! struct MyRuntime;
//!
//! impl Runtime for MyRuntime {
//!     fn now(&self) -> Instant { Instant::now() }
//!     fn sleep_until(&self, deadline: Instant) -> BoxFuture<'static, ()> {
//!         todo!("a timer of your runtime")
//!     }
//!     fn connect(&self, url: Url, config: WebSocketConfig) -> BoxFuture<'static, Result<BoxWebSocket, String>> {
//!         todo!("a tungstenite WebSocket of your runtime")
//!     }
//!     fn spawn(&self, task: BoxFuture<'static, ()>) {
//!         todo!("spawn on your runtime")
//!     }
//! }
//!
//! # fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let online = SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "12826");
//! let (handle, events) = EventSubBuilder::new(MyRuntime, "my-client-id", AccessToken::new("user-access-token"))
//!     .subscribe(online)
//!     .connect()?;
//! # Ok(()) }
//! ```
//!
//! # Typed receiving
//!
//! [`EventStream::typed`] turns the stream into a [`TypedStream`] of one subscription kind (a
//! marker of [`kinds`], such as [`kinds::ChannelFollowV2`]): each event of that kind arrives
//! decoded once, as [`Typed::Event`], its struct borrowing from the notification it owns; every
//! other event still comes, in order ([`Typed::Lifecycle`] for the session, gaps and the stop), and
//! an event that does not decode as its kind is [`Typed::Undecodable`], never dropped. The
//! [`TypedStream`] docs say what a typed consumer does about gaps.
//!
//! ```no_run
//! # async fn run(events: eventsub_driver::EventStream, handle: eventsub_driver::EventSubHandle) {
//! use eventsub_driver::kinds::ChannelFollowV2;
//!
//! let mut follows = events.typed::<ChannelFollowV2>();
//! while let Some(follow) = follows.next_event(|other| eprintln!("{other:?}")).await {
//!     println!("Thanks for the follow, {}!", follow.event().user_name);
//! }
//! # }
//! ```
//!
//! # Lifecycle
//!
//! 1. [`EventSubBuilder::connect`] checks the configuration, starts the client task and returns.
//! 2. The core asks for the token's validation (`GET /oauth2/validate`) before any socket
//!    ([`Config::validate_token`], on by default). Its answer arrives as
//!    [`Event::TokenValidated`]: whose token it is, its scopes and expiry. An app access token
//!    stops the client ([`Event::Stopped`] with
//!    [`StopReason::AppToken`](proto::StopReason::AppToken)), and so does a 401
//!    ([`StopReason::Unauthorized`](proto::StopReason::Unauthorized)), with no socket opened;
//!    Twitch being unavailable is retried with backoff. Each wanted subscription the token cannot
//!    serve (a scope it lacks, or a condition naming another user where the token's own is
//!    needed) is refused right after, with [`Event::SubscriptionFailed`]
//!    ([`SubscriptionFailure::MissingScope`](proto::SubscriptionFailure::MissingScope) or
//!    [`NotTokenUser`](proto::SubscriptionFailure::NotTokenUser)), before any Helix call.
//! 3. With something left to subscribe the client connects: [`Event::SessionReady`], then each
//!    subscription's creation. With nothing (none wanted, all refused, later all revoked) it holds
//!    no socket and says so once with [`Event::Idle`], until one is added through the handle.
//! 4. The token is validated again every [`Config::revalidate_every`](proto::Config::revalidate_every)
//!    (an hour) and after a Helix 401; drops, handovers and gaps are reported as they happen,
//!    until [`Event::Stopped`] ends the stream.
//!
//! [`EventSubBuilder::connect_validated`] waits through step 2 and turns what it found into a
//! [`ConnectError`]: [`ConnectError::AppToken`], [`ConnectError::Unauthorized`], or
//! [`ConnectError::MissingScope`] / [`ConnectError::NotTokenUser`] naming the subscription (the
//! client is then shut down before it opens a socket, so nothing is left running and nothing was
//! asked of Helix). On success the stream still starts with [`Event::TokenValidated`].
//!
//! # Catch-up after a gap
//!
//! Twitch does not replay what it sent while nobody listened. With
//! [`EventSubBuilder::catch_up`] the client asks Helix, after each gap ([`Event::Resumed`]),
//! what the subscriptions live during it missed, where a Helix read can tell
//! ([`HelixRead::for_subscription`]): each missed event arrives as [`Event::Recovered`] (in
//! Helix's shape, marked as recovered, never a repeat of what was delivered), then one
//! [`Event::CatchUp`] report for the gap says, per subscription, how many were recovered, why
//! nothing could be (no Helix read, a scope the token lacks, the read budget), or how the read
//! failed. The core decides what to read and what counts as missed; the client task only runs
//! the GETs (with the [`TokenProvider`]'s token, through the same retries and rate limit as every
//! Helix call). The reads a gap may make are bounded by [`CatchUpConfig`].
//!
//! ```no_run
//! # async fn run<R: eventsub_driver::Runtime>(builder: eventsub_driver::EventSubBuilder<R>) -> Result<(), Box<dyn std::error::Error>> {
//! use eventsub_driver::{CatchUpConfig, CatchUpResult, Event, RecoveredEvent};
//! use futures_util::StreamExt;
//!
//! let (_handle, mut events) = builder.catch_up(CatchUpConfig::default()).connect()?;
//! while let Some(event) = events.next().await {
//!     match event {
//!         Event::Recovered(recovered) => {
//!             if let RecoveredEvent::Follow { follower } = &recovered.event {
//!                 println!("missed during the gap: {} followed", follower.user_name);
//!             }
//!         }
//!         Event::CatchUp(report) => {
//!             for outcome in &report.subscriptions {
//!                 if let CatchUpResult::Unrecoverable { reason } = &outcome.result {
//!                     println!("{}: cannot know what was missed ({reason:?})", outcome.subscription);
//!                 }
//!             }
//!         }
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # More than 300 subscriptions: a session pool
//!
//! Twitch allows a user token 3 WebSocket connections with enabled subscriptions, each with at
//! most 300 ([`MAX_SESSIONS_PER_TOKEN`](proto::MAX_SESSIONS_PER_TOKEN),
//! [`MAX_SUBSCRIPTIONS_PER_CONNECTION`](proto::MAX_SUBSCRIPTIONS_PER_CONNECTION)), all under the
//! token's `max_total_cost`. By default a client is one session, and the 301st subscription is
//! refused ([`SubscribeError::TooManySubscriptions`](proto::SubscribeError::TooManySubscriptions)).
//! With [`EventSubBuilder::max_sessions`]`(3)` (or [`Config::max_sessions`](proto::Config::max_sessions))
//! the client runs a [`Pool`](proto::Pool): each subscription goes on the first session with
//! room, a second or third session is opened only when the ones it has are full, and nothing that
//! works is moved. One that fits nowhere is refused with
//! [`SubscribeError::SessionsFull`](proto::SubscribeError::SessionsFull), which names both limits;
//! one over the token's cost with
//! [`SubscribeError::CostLimitExceeded`](proto::SubscribeError::CostLimitExceeded).
//!
//! Each session has its own keepalive, reconnects, backoff and gaps: a drop of one socket is a
//! gap of that session only, while the others go on delivering, and its subscriptions are
//! re-created on a fresh session in the same slot (until Twitch notices the lost connection gone
//! it may refuse them with 429, as a fourth: they are asked for again after a backoff delay).
//! The events of every session come out of the one [`EventStream`], and each says which
//! session it concerns:
//! [`ConnId::session_index`](proto::ConnId::session_index) of the connection it names (a
//! notification's [`conn()`](proto::Notification::conn), a [`Event::Disconnected`]),
//! [`Gap::session`](proto::Gap::session) of an [`Event::Resumed`], and
//! [`SubscriptionReport::session`](proto::SubscriptionReport::session) in
//! [`EventSubHandle::subscriptions`]. The pool stops as one: a fatal close or a rejected token on
//! any session stops them all, and one [`Event::Stopped`] ends the stream.
//!
//! ```no_run
//! # async fn run<R: eventsub_driver::Runtime>(builder: eventsub_driver::EventSubBuilder<R>) -> Result<(), Box<dyn std::error::Error>> {
//! use eventsub_driver::{Event, SubscriptionSpec};
//! use futures_util::StreamExt;
//!
//! // Chat in 750 channels, read by the token's user (free: only the count limits bind).
//! let chat = (0..750).map(|n| {
//!     SubscriptionSpec::new("channel.chat.message", "1")
//!         .with_condition("broadcaster_user_id", (100_000 + n).to_string())
//!         .with_condition("user_id", "1001")
//! });
//! let builder = chat.fold(builder.max_sessions(3), |builder, spec| builder.subscribe(spec));
//! let (_handle, mut events) = builder.connect()?; // three sessions: 300, 300 and 150
//! while let Some(event) = events.next().await {
//!     match event {
//!         Event::Notification(notification) => {
//!             let session = notification.conn().session_index();
//!             println!("session {session}: {}", notification.subscription_type());
//!         }
//!         Event::Resumed { gap } => {
//!             println!("session {} missed {:?} to {:?}", gap.session, gap.from, gap.until);
//!         }
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # How it runs
//!
//! [`EventSubBuilder::connect`] spawns one task. It drains the core's outputs, then waits in one
//! `select!` on handle commands, every live socket (two during a reconnect handover), pending
//! connects, Helix calls in flight, close handshakes, and a sleep until the core's next deadline.
//! The clock is the runtime's, so a runtime with virtual time (tokio's paused clock) drives it.
//! The client never sends a text or binary frame (Twitch closes with 4001 if it does): the only
//! frame it sends is the close frame the core asks for; tungstenite answers pings.
//!
//! # Backpressure
//!
//! Events pass through a bounded buffer ([`EventSubBuilder::event_buffer`], default
//! [`DEFAULT_EVENT_BUFFER`]); [`EventSubBuilder::overflow`] chooses what happens when it is full.
//!
//! - [`Overflow::Backpressure`] (the default): once the buffer is full the task stops reading the
//!   sockets until the consumer has emptied half of it, so a burst waits in the kernel's socket
//!   buffers (and then Twitch's) instead of being discarded, and a consumer slower than the
//!   sockets is handed at least half a buffer per stretch of reading, with one wake-up of the
//!   task per stretch (not one for every few slots freed). The core is told
//!   ([`proto::Input::ReadingPaused`] and [`proto::Input::ReadingResumed`]): while nothing is
//!   read the keepalive watchdog does not run, and on resuming it is re-armed with its full
//!   window, so unread data is never taken for a dead socket. Nor is a socket being closed given up for it: after a reconnect handover the
//!   old socket is read until the server answers the close frame, whatever the pauses, since the
//!   notifications Twitch sent on it before the handover must be delivered; the close timeout
//!   ([`EventSubBuilder::close_timeout`]) counts only time spent reading. A server that keeps a
//!   closing socket busy cannot hold it for that: past
//!   [`Config::max_close_drain_bytes`](proto::Config::max_close_drain_bytes) (16 MiB) delivered
//!   after the close frame, the socket is dropped and its unread tail reported as a gap
//!   ([`Event::Resumed`]). A consumer slower than
//!   the event rate for long enough makes Twitch give up on the socket; that is reported as a gap
//!   ([`Event::Disconnected`], then [`Event::Resumed`]).
//!
//!   While the consumer has no room, the task takes only the core's actions (connects, closes,
//!   Helix calls: [`proto::Client::poll_action`]) and leaves the events in the core, so the order
//!   the consumer sees is unchanged. What is held meanwhile, exactly:
//!
//!   - the buffer: at most `event_buffer` events, each a [`Event`] (128 bytes on 64-bit targets)
//!     and what it owns; a notification shares its frame with the other events of that frame.
//!     The buffer's own storage grows with what it holds and stays at the most it held (at most
//!     `event_buffer` × 128 bytes);
//!   - the stream's batch: at most [`STREAM_BATCH`] events taken from the buffer at once and not
//!     yet handed to the consumer;
//!   - the core's queue: the events of the frames already read that did not fit, which is the rest
//!     of the last frame read before the pause (a batched notification of thousands of events is
//!     one entry holding its frame once; its events are made one at a time as room comes), plus the
//!     few lifecycle events of what goes on while paused (Helix answers, timeouts, closes);
//!   - per socket, the WebSocket's read buffer (kept at the size of the largest frame read, at
//!     most [`Config::max_frame_bytes`](proto::Config::max_frame_bytes)) and its write buffer
//!     (pongs only, at most 64 KiB); the core's duplicate filter, bounded by its
//!     configuration, as always;
//!   - the copies of frames the core keeps to reuse once the consumer drops them: at most
//!     512 KiB for the whole client, however many sessions (a frame over 16 KiB is never kept),
//!     and no more than 16 of them from the first frame (a keepalive, say) that comes once no new
//!     copy was needed for 10 seconds;
//!   - nothing in this task: no event waits here under backpressure.
//!
//!   Frames not read yet stay in the kernel's socket buffers (and then at Twitch), not on the heap.
//!   So a stalled consumer costs the buffer plus about twice the largest frame read: a batch of
//!   4,000 events in a 126 KB frame holds some 384 KB with the buffer at 16 (measured with the mock
//!   serving it in the same process, whose own write buffer is counted too), where queueing the
//!   events at once would add 4,000 events of 128 bytes.
//! - [`Overflow::DiscardWithLagged`]: the task keeps reading. Notifications (and the per-frame
//!   reports of [`Event::is_discardable`](proto::Event::is_discardable)) that do not fit are
//!   discarded and counted ([`EventStream::lagged`], [`EventSubHandle::lagged`]); as soon as there
//!   is room again the stream yields [`Event::Lagged`] with the number discarded and the range of
//!   their `message_timestamp` (`first_sent`, `last_sent`), ahead of the next event: a gap is never
//!   silent, and the consumer can catch up over Helix.
//!
//! Under both, lifecycle events (the session, gaps, revocations, the subscriptions' fate, the
//! stop) are never discarded: when they do not fit they wait, in order, in a queue of their own
//! (at most 256 under discarding; past that the sockets are not read until there is room). What
//! still waits when the client finishes follows the buffer's events in the stream.
//!
//! # Recording
//!
//! [`EventSubBuilder::record_to`] (any `std::io::Write + Send`) or
//! [`EventSubBuilder::record_to_file`] records the session so it can be replayed exactly, in a
//! test: every frame received with its arrival time (monotonic offset from the client's creation,
//! and the wall clock) and its connection, every socket opened, failed or closed (code and
//! reason), every Helix answer (subscription ids and costs, or the error), every wake-up and user
//! command. That is everything the core is fed, at the one place the driver feeds it, so nothing a
//! token travels with (the Helix calls themselves) is ever written. The format is the versioned
//! JSON lines of [`proto::recording`], documented there.
//!
//! ```no_run
//! # use std::time::Instant;
//! # use eventsub_driver::{AccessToken, Config, EventSubBuilder, Runtime, SubscriptionSpec};
//! # fn run<R: Runtime>(runtime: R) -> Result<(), Box<dyn std::error::Error>> {
//! let online = SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "12826");
//! let (handle, events) = EventSubBuilder::new(runtime, "my-client-id", AccessToken::new("user-access-token"))
//!     .subscribe(online.clone())
//!     .record_to_file("session.eventsub.jsonl")
//!     .connect()?;
//! // ... later, in a test: the same configuration, the recorded session, fake time.
//! let mut config = Config::default();
//! config.subscriptions.push(online);
//! let recording = std::fs::read_to_string("session.eventsub.jsonl")?;
//! let replayed = eventsub_driver::proto::recording::replay(config, &recording, Instant::now())?;
//! # Ok(()) }
//! ```
//!
//! Recording costs the driver one serialisation per input, not a write: lines go to a thread of
//! their own, which writes them as they come and flushes whenever it has caught up (so a crash
//! loses little). The queue is bounded ([`MAX_RECORDING_QUEUE_BYTES`]): when the writer falls that
//! far behind, or a write fails, recording stops, said once in the log at `error` level, and the
//! client goes on; what was written is a prefix of the session and still replays. When the client
//! finishes it waits a few seconds at most for the writer, so once
//! [`EventSubHandle::finished`] returns the recording is whole. With recording off the cost is a
//! branch per input.
//!
//! # Tokens
//!
//! The client asks its [`TokenProvider`] for the access token before every Helix call and every
//! token validation (`GET /oauth2/validate`, when the core asks for one), so a provider that
//! refreshes its token is always heard; after a 401 it tells the provider which token was rejected
//! and retries once with the one it gets instead. A plain [`AccessToken`] never refreshes. With the
//! `twitch_oauth2` feature, `UserTokenProvider` keeps a `twitch_oauth2::UserToken` fresh: refreshed
//! shortly before it expires and after a 401, and shared with the app so it can store the new
//! refresh token. [`EventSubBuilder::auth_url`] says where tokens are validated.
//!
//! # TLS
//!
//! Features choose the TLS of the Helix calls here (a [`Runtime`] sets up its WebSocket's; the
//! adapters offer the same names for both). Several at once resolve as the [`tls`] module says.
//!
//! | feature         | TLS                                                           | default |
//! |-----------------|---------------------------------------------------------------|---------|
//! | `rustls-ring`   | rustls, ring provider (builds with `cc` only)                 | yes     |
//! | `rustls-aws-lc` | rustls, aws-lc-rs provider                                    |         |
//! | `native-tls`    | the platform's TLS (OpenSSL: libssl-dev, pkg-config on Linux) |         |
//! | `native-roots`  | rustls trusts the platform's root certificates                | yes     |
//! | `webpki-roots`  | rustls trusts Mozilla's roots, compiled in                    |         |
//!
//! # Logging
//!
//! `tracing` spans and events for the lifecycle (connecting, open, session ready, reconnects,
//! closes with their codes, subscription calls); notifications at `debug`. The token is never
//! logged.

mod builder;
mod driver;
mod error;
mod event_channel;
mod handle;
mod helix;
#[cfg(feature = "twitch_oauth2")]
mod oauth;
mod readers;
mod record;
mod room;
pub mod runtime;
mod socket;
#[cfg(test)]
mod test_support;
mod token;
mod typed;
mod typed_notification;
mod validated;

/// The sans-IO core, whole: typed events (`proto::events`), ids, configuration and errors.
pub use eventsub_proto as proto;

/// TLS chosen by features, one setup for Helix and the WebSocket (eventsub-helix's): a
/// [`Runtime`] hands `tls::rustls_config()` to its WebSocket connector.
pub use eventsub_helix::tls;

pub use builder::{DEFAULT_EVENT_BUFFER, EventSub, EventSubBuilder, Overflow};
pub use error::{ConnectError, HandleError, Refusal};
/// Catch-up after a gap ([`EventSubBuilder::catch_up`]): its limits, the recovered events and
/// the per-gap report, and the Helix reads' shapes.
pub use eventsub_proto::catchup;
pub use eventsub_proto::catchup::{
    CatchUp, CatchUpConfig, CatchUpOutcome, CatchUpResult, HelixRead, ReadError, Recovered,
    RecoveredEvent, Unrecoverable,
};
/// Claiming conduit shards ([`EventSubBuilder::claim_conduit_shards`]): how, and its limits.
pub use eventsub_proto::claim;
pub use eventsub_proto::claim::{ClaimConfig, ClaimError};
pub use eventsub_proto::{BackoffConfig, Config, Event, SubscriptionSpec};
/// The id types of subscription conditions, one per role, for the `SubscriptionSpec` builders.
pub use eventsub_proto::{BroadcasterId, ClientId, ConduitId, ModeratorId, RewardId, UserId};
pub use handle::{EventStream, EventSubHandle, STREAM_BATCH};
pub use helix::request_error;
#[cfg(feature = "twitch_oauth2")]
pub use oauth::{DEFAULT_REFRESH_MARGIN, UserTokenProvider};
pub use record::MAX_QUEUED_BYTES as MAX_RECORDING_QUEUE_BYTES;
pub use runtime::Runtime;
pub use token::{AccessToken, BoxFuture, TokenError, TokenProvider};
/// The OAuth crate of [`UserTokenProvider`] (feature `twitch_oauth2`), so an app uses the same
/// version: `UserToken`, `DeviceUserTokenBuilder`, scopes.
#[cfg(feature = "twitch_oauth2")]
pub use twitch_oauth2;
pub use typed::{Typed, TypedStream};
pub use typed_notification::{DecodeError, TypedNotification};

pub use eventsub_proto::events::SubscriptionKind;
/// The subscription kinds to receive typed ([`EventStream::typed`]), one marker type per subscription
/// type and version: `kinds::ChannelFollowV2`, `kinds::StreamOnline`, ...
pub use eventsub_proto::events::kinds;
