//! Sans-IO core of a Twitch EventSub WebSocket client.
//!
//! [`Client`] is a pure state machine: it is fed what happened ([`Input`]: a socket opened, a frame
//! arrived, a socket closed, a Helix call returned) and the passing of time, and it answers with
//! what to do ([`Output`]: open a socket, close one, create or delete a subscription, hand an
//! [`Event`] to the user) and when to wake it next. It never reads a clock, opens a socket, spawns
//! a thread or draws a random number it was not given, so every protocol decision — when a socket
//! is dead, where to reconnect, what to resubscribe, which duplicate to drop, how long to back off —
//! can be tested on fake time. (Its hash tables key their hashing per process, as std's do, so that
//! ids a server picks cannot be made to collide: that decides where an id is stored, never an
//! output.) The runtime adapters (`eventsub-tokio`, `eventsub-async-std`) do the I/O.
//!
//! It can never make the client send a text or binary frame to Twitch (which answers with close
//! 4001): no [`Output`] expresses one.
//!
//! A delivered [`Notification`] keeps its event as JSON text; [`Notification::typed`] decodes it
//! into [`EventData`] (a struct per subscription type and version, see [`events`]).
//! [`events::frame::parse_frame`] reads a frame held outside a client straight into typed events,
//! in one pass.
//!
//! # Lifecycle
//!
//! - **Know the token.** With [`Config::validate_token`] (the default) the first output is
//!   [`Output::ValidateToken`]: no socket is opened before Twitch's answer. An app token stops the
//!   client ([`StopReason::AppToken`]), a 401 too ([`StopReason::Unauthorized`]); an answer that
//!   says nothing about the token (Twitch unavailable) is asked again with backoff. A good answer
//!   is reported ([`Event::TokenValidated`]), names the user costs are estimated for, and refuses
//!   every subscription whose type needs a scope the token lacks
//!   ([`SubscriptionFailure::MissingScope`], and [`SubscribeError::MissingScope`] from
//!   [`Client::subscribe`] from then on), or whose condition names another user where the type
//!   needs the token's own ([`SubscriptionFailure::NotTokenUser`]), before any Helix call. The token is validated again every
//!   [`Config::revalidate_every`] (an hour by default, as Twitch asks), and when Helix answers a
//!   creation with 401 (with backoff, so a server cannot loop it): only a 401 to the validation
//!   itself stops the client.
//! - **Sessions.** A fresh session creates every wanted subscription at once; a lost one is a gap
//!   ([`Event::Disconnected`] … [`Event::Resumed`]); a graceful handover is
//!   [`Event::Reconnected`].
//! - **Costs from Twitch.** Each subscription remembers the cost Twitch reported when it was
//!   created and uses it instead of the estimate from then on, on later sessions too; the
//!   `total_cost` and `max_total_cost` of Twitch's answers replace the configured ones. One a limit
//!   refused is asked for again on the live session as soon as cost frees up (an unsubscribe, a
//!   revocation, a deletion). [`Client::subscriptions_report`] shows it all.
//! - **Idle.** When nothing can be subscribed (none wanted, or every one revoked or failed for
//!   good), the client holds no socket (Twitch would close it with 4003): it closes what it has,
//!   reports [`Event::Idle`] once, and connects again when a subscription is added. A revoked or
//!   failed subscription may be subscribed again.
//! - **Conduit shards.** With [`Config::shard`] the client is one shard of a conduit, with an app
//!   token: each fresh session is assigned to the shard ([`Output::AssignShard`],
//!   [`Event::ShardAssigned`]) instead of creating subscriptions, a graceful handover keeps the
//!   assignment, and a refusal is [`Event::ShardFailed`] with Twitch's reason (see [`shard`]).
//!   A [`Pool::conduit_shards`] holds many shards and sends their assignments together
//!   ([`Output::AssignShards`], up to [`MAX_SHARDS_PER_ASSIGNMENT`] per Update Conduit Shards
//!   call).
//!
//! # Features
//!
//! - `twitch_types`: conversions between this crate's ids and those of the `twitch_types` crate
//!   (the ids of `twitch_api`), in the `interop` module: ids from a `twitch_api` app go straight
//!   into the [`SubscriptionSpec`] builders, typed events' ids straight into `twitch_api` calls.
//! - `serde`: [`Event`] and all its parts implement `Serialize`, so an app can log or forward them
//!   as JSON lines; the shape, and what becomes of the `Instant`s, is on [`Event`].
//! - `fuzzing`: the fuzz targets' entry points; not for applications.
//!
//! # Driving loop
//!
//! ```
//! use std::time::{Duration, Instant, SystemTime};
//! use eventsub_proto::{Client, Config, Event, Input, Output, SubscriptionSpec, TokenIdentity, UserId};
//!
//! let mut config = Config::default();
//! config.seed = 42; // adapters draw this at random
//! config.subscriptions.push(
//!     SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "12826"),
//! );
//! let mut now = Instant::now();
//! let mut client = Client::new(config, now)?;
//!
//! // 1. Drain outputs, in order, after creating the client and after every input. First the
//! //    token is validated: the adapter calls `GET /oauth2/validate` and feeds the answer.
//! let Some(Output::ValidateToken { request }) = client.poll_output() else { unreachable!() };
//! let token = TokenIdentity::user("my-client", UserId::new("12826"), "twitchdev", Vec::<String>::new());
//! client.handle_input(now, Input::TokenValidated { request, result: Ok(token) })?;
//! let Some(Output::Event(Event::TokenValidated { .. })) = client.poll_output() else { unreachable!() };
//! let Some(Output::Connect { conn, url }) = client.poll_output() else { unreachable!() };
//! assert_eq!(url.as_str(), "wss://eventsub.wss.twitch.tv/ws");
//!
//! // 2. Feed what the socket did.
//! client.handle_input(now, Input::Opened { conn })?;
//! let welcome = r#"{"metadata":{"message_id":"96a3f3b5-5dec-4eed-908e-e11ee657416c",
//!     "message_type":"session_welcome","message_timestamp":"2022-11-16T10:11:12.634234626Z"},
//!     "payload":{"session":{"id":"AQoQexAWVYKSTIu4ec_2VAxyuhAB","status":"connected",
//!     "keepalive_timeout_seconds":10,"reconnect_url":null,"connected_at":"2022-11-16T10:11:12Z"}}}"#;
//! client.handle_input(now, Input::Text { conn, text: welcome, received_at: SystemTime::now() })?;
//!
//! // The fresh session asks at once for every subscription (Twitch's 10 s window).
//! while let Some(output) = client.poll_output() {
//!     match output {
//!         Output::Event(Event::SessionReady { session_id, .. }) => {
//!             assert_eq!(session_id.as_str(), "AQoQexAWVYKSTIu4ec_2VAxyuhAB");
//!         }
//!         Output::CreateSubscription { request, session_id, subscription } => {
//!             // The adapter calls Helix, then feeds Input::SubscriptionCreated { request, .. }.
//!             assert_eq!(subscription.kind, "stream.online");
//!         }
//!         other => panic!("unexpected {other:?}"),
//!     }
//! }
//!
//! // 3. Sleep until the next deadline (or the next input), then tell the client time passed.
//! let wake_at = client.poll_timeout().ok_or("the keepalive watch should be running")?;
//! assert_eq!(wake_at, now + Duration::from_secs(13)); // keepalive 10 s + 20% + 1 s
//! now = wake_at;
//! client.handle_timeout(now);
//! // Silence that long means a dead socket: close it and start afresh.
//! assert!(matches!(client.poll_output(), Some(Output::Close { .. })));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # When the user has no room (backpressure)
//!
//! An adapter whose user cannot take events now stops reading its sockets and says so
//! ([`Input::ReadingPaused`], later [`Input::ReadingResumed`]): the deadlines that wait for the
//! server (welcome, keepalive, the answer to a close frame) stand still meanwhile. It drains
//! [`Client::poll_action`] instead of [`Client::poll_output`]: the connects, closes and Helix
//! requests are carried out, the events stay in the core in their order ([`Client::holds_events`]),
//! a batched notification's as one entry holding its frame, until the user has room.
#![warn(missing_docs)]

mod backoff;
pub mod catchup;
pub mod claim;
mod client;
mod clock;
mod close;
mod config;
mod connection;
mod dedup;
mod error;
mod event;
pub mod events;
// Only with the `fuzzing` feature: the fuzz targets' entry points, not for applications.
mod frame_ring;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod idle;
mod ids;
// Only with the `twitch_types` feature: conversions to and from the ids of `twitch_api`.
#[cfg(feature = "twitch_types")]
pub mod interop;
mod io;
pub mod message;
pub mod pool;
pub mod recording;
mod scan;
mod stale;
// Only with the `serde` feature: what the derives of the events cannot say.
#[cfg(feature = "serde")]
mod serialize;
pub mod shard;
mod subscription;
mod subscription_memo;
mod token;
mod unchecked;
mod wanted;

pub use backoff::BackoffConfig;
pub use claim::{ClaimConfig, ClaimError};
pub use client::{Client, Stats};
pub use clock::ClockOffset;
pub use close::{ClientCloseCode, CloseCode, CloseDisposition};
pub use config::{
    Config, KeepaliveGrace, MAX_MIN_RECONNECT_INTERVAL, MAX_SESSIONS_PER_TOKEN,
    MAX_SHARD_ASSIGN_WINDOW, MAX_TIMEOUT, PayloadCheck, ReconnectUrlPolicy, TWITCH_EVENTSUB_URL,
    check_not_too_long,
};
pub use error::{ConfigError, FrameError, InputError, SubscribeError};
pub use event::{
    DisconnectCause, DropReason, Event, Gap, IdleReason, Inactive, LagTally, Notification,
    Revocation, StopReason, SubscriptionFailure,
};
pub use events::EventData;
pub use ids::{
    BroadcasterId, ClientId, ConduitId, ConnId, MessageId, ModeratorId, RequestId, RewardId,
    SessionId, SubscriptionId, UserId,
};
pub use io::{Created, Input, MAX_SHARDS_PER_ASSIGNMENT, Output, RequestError, ShardSession};
pub use pool::Pool;
pub use shard::{ShardAssignError, ShardConfig};
pub use subscription::{
    DEFAULT_MAX_TOTAL_COST, MAX_SUBSCRIPTIONS_PER_CONNECTION, Subscription, SubscriptionSpec,
    SubscriptionStatus, Transport,
};
pub use token::TokenIdentity;
pub use url::Url;
/// The UUID type of [`MessageId::Uuid`], so that no matching `uuid` dependency is needed.
pub use uuid::Uuid;
pub use wanted::{SubscriptionReport, SubscriptionState, SubscriptionsReport};
