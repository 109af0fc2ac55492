//! A mock Helix server that behaves like Twitch's for EventSub: token checks, body validation,
//! costs and limits, 409 on duplicates, pagination, conduits and shards, and faults on demand (429
//! with reset headers, 5xx, slow answers, malformed bodies); and the OAuth server beside it:
//! `/oauth2/validate`, `/oauth2/token` (refresh token, device code and client credentials grants),
//! `/oauth2/device` and `/oauth2/revoke`, with token lifetimes ([`MockState::token_lifetime`],
//! [`MockState::set_token_expires_in`]) so a token can expire mid-run: an expired token gets 401
//! everywhere.
//!
//! The OAuth routes live under `/oauth2/`, the root twitch_oauth2's `TWITCH_OAUTH2_URL` names
//! ([`MockHelix::twitch_oauth2_url`]).
//!
//! The catch-up reads (Get Channel Followers, Get Banned Users, Get Custom Reward Redemption, Get
//! Polls, Get Predictions, Get Creator Goals, Get Charity Campaign, Get Streams, Get Channel
//! Information) are served from [`MockState::world`], the same [`world::World`] the mock EventSub
//! server sends its notifications from.
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
mod grants;
mod oauth;
mod paging;
mod reads;
mod reply;
mod server;
mod shards;
mod state;
mod subscriptions;
mod validate;
pub mod world;

#[cfg(feature = "helix-client")]
pub use client::{client_at, fast_retries};
pub use conduits::{MAX_CONDUITS, MAX_SHARDS};
pub use faults::Fault;
pub use grants::{DEVICE_CODE_LIFETIME, DeviceFlow, Grants};
pub use oauth::DEVICE_CODE_GRANT;
pub use server::{MockHelix, router};
pub use shards::DisabledShard;
pub use state::{
    APP_MAX_TOTAL_COST, DEFAULT_TOKEN_LIFETIME, MAX_SESSIONS_PER_USER_TOKEN, MockConduit,
    MockShard, MockState, MockSubscription, MockToken, MockTransport, RATE_LIMIT_BUCKET,
    RATE_LIMIT_WINDOW_SECS, SharedState, TokenOwner, USER_MAX_TOTAL_COST, lock,
};
