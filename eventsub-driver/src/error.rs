//! Typed errors of the adapter.

use eventsub_proto::{ConfigError, SubscribeError};

/// Why [`EventSubBuilder::connect`](crate::EventSubBuilder::connect) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The EventSub URL does not parse.
    #[error("invalid EventSub URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it does not parse.
        reason: String,
    },
    /// The core refused the configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The Helix client could not be built (an invalid Helix URL).
    #[error(transparent)]
    Helix(#[from] eventsub_helix::HelixError),
    /// The recording asked for cannot start (its file cannot be created, say).
    #[error("cannot start recording: {0}")]
    Recording(#[source] std::io::Error),
}

/// Why a command on an [`EventSubHandle`](crate::EventSubHandle) failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HandleError {
    /// The core refused the subscription (already wanted, over a limit, stopped).
    #[error(transparent)]
    Subscribe(#[from] SubscribeError),
    /// The client has stopped; no command reaches it any more.
    #[error("the EventSub client has stopped")]
    Stopped,
}
