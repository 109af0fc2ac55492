//! Sans-IO core of a Twitch EventSub WebSocket client.
#![warn(missing_docs)]

mod backoff;
mod client;
mod close;
mod config;
mod connection;
mod dedup;
mod error;
mod event;
mod ids;
mod io;
pub mod message;
mod subscription;
mod wanted;

pub use backoff::BackoffConfig;
pub use client::{Client, Stats};
pub use close::{ClientCloseCode, CloseCode, CloseDisposition};
pub use config::{Config, KeepaliveGrace, TWITCH_EVENTSUB_URL};
pub use error::{ConfigError, FrameError, InputError, SubscribeError};
pub use event::{
    DisconnectCause, DropReason, Event, Gap, Notification, Revocation, StopReason,
    SubscriptionFailure,
};
pub use ids::{ConduitId, ConnId, MessageId, RequestId, SessionId, SubscriptionId};
pub use io::{Created, Input, Output, RequestError};
pub use subscription::{
    DEFAULT_MAX_TOTAL_COST, MAX_SUBSCRIPTIONS_PER_CONNECTION, Subscription, SubscriptionSpec,
    SubscriptionStatus, Transport,
};
pub use url::Url;
pub use wanted::SubscriptionState;
