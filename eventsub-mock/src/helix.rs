//! A mock Helix server that behaves like Twitch's for EventSub: token checks, body validation,
//! costs and limits, 409 on duplicates, pagination, conduits and shards, `/oauth2/validate`, and
//! faults on demand (429 with reset headers, 5xx, slow answers, malformed bodies).
//!
//! Its state ([`MockState`] behind [`SharedState`]) and its [`router`] are separate from the
//! running server ([`MockHelix`]) so a mock EventSub WebSocket server can share both: merge the
//! router into its own and register the sessions it welcomes with
//! [`MockState::add_known_session`].

mod auth;
#[cfg(feature = "helix-client")]
mod client;
mod conduits;
mod faults;
pub mod fixtures;
mod paging;
mod reply;
mod server;
mod state;
mod subscriptions;
mod validate;

#[cfg(feature = "helix-client")]
pub use client::{client_at, fast_retries};
pub use conduits::{MAX_CONDUITS, MAX_SHARDS};
pub use faults::Fault;
pub use server::{MockHelix, router};
pub use state::{
    APP_MAX_TOTAL_COST, MAX_SESSIONS_PER_USER_TOKEN, MockConduit, MockShard, MockState,
    MockSubscription, MockToken, MockTransport, RATE_LIMIT_BUCKET, SharedState, TokenOwner,
    USER_MAX_TOTAL_COST, lock,
};
