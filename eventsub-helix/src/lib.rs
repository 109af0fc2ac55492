//! Helix REST client for Twitch EventSub: token validation, EventSub subscriptions and Conduits.
//!
//! One [`HelixClient`] holds a client id and an access token and talks to configurable base URLs,
//! so the same code runs against production, the Twitch CLI's mock server and the project's test
//! server. Every call goes through one request loop that
//!
//! - sends `Client-Id` and `Authorization: Bearer` (or `OAuth` for validation),
//! - retries 429 answers with an empty rate-limit bucket after `Ratelimit-Reset`, and 5xx answers
//!   with exponential backoff, both bounded by a [`RetryPolicy`],
//! - remembers the last rate-limit headers ([`HelixClient::rate_limit`]),
//! - maps everything else to a typed [`HelixError`]: 401 is distinct so callers refresh the token,
//!   409 is [`HelixError::AlreadyExists`] so "make sure it exists" callers can treat it as success.
//!
//! Tokens and webhook secrets are wrapped in types over [`secrecy`]'s `SecretString` (zeroized on
//! drop) whose `Debug` and `Display` print `[redacted]`; nothing in this crate logs or formats them.
//!
//! Shared types come from [`eventsub_proto`]: a request body is built from a
//! [`SubscriptionSpec`](eventsub_proto::SubscriptionSpec) and responses decode into
//! [`Subscription`](eventsub_proto::Subscription).
//!
//! Waiting between retries uses `tokio::time::sleep` (reqwest needs a tokio reactor anyway).
//!
//! # Catch-up reads
//!
//! Twitch does not replay what it sent while nobody listened. These reads tell what happened
//! during a gap, for the subscription types that have one ([`HelixRead::for_subscription`]).
//! *Events* reads list timestamped items: each one after the gap's start may be a missed event.
//! *State* reads say how things are now: compare with before the gap. Helix's shapes are not the
//! events': fields Helix does not give are absent (`None`), never invented. Paginated reads are
//! walked with a bound on pages ([`Pages::collect_pages`]).
//!
//! | subscription type | Helix read | scope (any one) | gives |
//! |---|---|---|---|
//! | `channel.follow` | Get Channel Followers ([`HelixClient::channel_followers`]) | `moderator:read:followers` (without it Twitch answers `total` only) | events, by `followed_at` |
//! | `channel.ban` | Get Banned Users ([`HelixClient::banned_users`]) | `moderation:read`, `moderator:manage:banned_users` | events, by `created_at` (bans still in force) |
//! | `channel.channel_points_custom_reward_redemption.add` | Get Custom Reward Redemption ([`HelixClient::custom_reward_redemptions`]) | `channel:read:redemptions`, `channel:manage:redemptions` | events, by `redeemed_at`, per reward the app's client id created |
//! | `channel.poll.begin`, `channel.poll.end` | Get Polls ([`HelixClient::polls`]) | `channel:read:polls`, `channel:manage:polls` | events: `started_at`, `ended_at`, `status` |
//! | `channel.prediction.begin`, `.lock`, `.end` | Get Predictions ([`HelixClient::predictions`]) | `channel:read:predictions`, `channel:manage:predictions` | events: `created_at`, `locked_at`, `ended_at`, `status` |
//! | `channel.goal.begin`, `.progress`, `.end` | Get Creator Goals ([`HelixClient::creator_goals`]) | `channel:read:goals` | state (goals in progress; an ended goal is gone) |
//! | `channel.charity_campaign.start`, `.progress`, `.stop` | Get Charity Campaign ([`HelixClient::charity_campaign`]) | `channel:read:charity` | state (the running campaign, its amount) |
//! | `stream.online`, `stream.offline` | Get Streams ([`HelixClient::streams_of`]) | none | state (live with `started_at`, or absent) |
//! | `channel.update` | Get Channel Information ([`HelixClient::channel_information`]) | none | state (title, category, language, labels) |
//! | anything else (chat, cheers, raids, hype trains, …) | none | — | unrecoverable |
//!
//! The client's catch-up (`eventsub-driver`'s `catch_up`) lets the core choose each read's path,
//! query and page, and runs it with [`HelixClient::get_raw`]: the same request loop, the body
//! handed back undecoded for the core to decode.
//!
//! [`HelixRead::missing_scopes`] tells, before a read, whether the token can make it, so a missing
//! scope can be reported as "unrecoverable: missing scope" rather than as an error. Ask it first:
//! Twitch answers a missing scope with 401 (the same [`HelixError::Unauthorized`] as an expired
//! token) on most reads, and Get Channel Followers answers it with an empty list. Most reads also
//! need the token's user to be the broadcaster (403 otherwise).
//!
//! ```no_run
//! use eventsub_helix::{FollowersRequest, HelixClient, HelixError};
//! # async fn run(client: HelixClient) -> Result<(), HelixError> {
//! // At most 5 pages (500 followers), newest first.
//! let walked = client.channel_followers(&FollowersRequest::new("1234")).collect_pages(5).await?;
//! for follower in &walked.items {
//!     println!("{} followed at {}", follower.user_name, follower.followed_at);
//! }
//! # Ok(()) }
//! ```
//!
//! # TLS
//!
//! Chosen by features, the same ones (and the same setup) as the WebSocket's in the adapters; the
//! [`tls`] module says how several at once are resolved.
//!
//! | feature         | TLS                                                          | default |
//! |-----------------|--------------------------------------------------------------|---------|
//! | `rustls-ring`   | rustls, ring provider (builds with `cc` only)                | yes     |
//! | `rustls-aws-lc` | rustls, aws-lc-rs provider                                   |         |
//! | `native-tls`    | the platform's TLS (OpenSSL: libssl-dev, pkg-config on Linux) |         |
//! | `native-roots`  | rustls trusts the platform's root certificates               | yes     |
//! | `webpki-roots`  | rustls trusts Mozilla's roots, compiled in                   |         |
//!
//! Without any TLS feature the crate builds for `http://` only (such as the mock server), and an
//! `https://` call fails with [`HelixError::Tls`].
//!
//! # Example
//!
//! ```no_run
//! use eventsub_helix::{AccessToken, HelixClient, HelixError, SubscriptionFilter, TransportRequest};
//! use eventsub_proto::SubscriptionSpec;
//!
//! # async fn run() -> Result<(), HelixError> {
//! let client = HelixClient::builder("my-client-id", AccessToken::new("user-access-token")).build()?;
//!
//! // A websocket subscription needs a user token.
//! let token = client.validate_token().await?;
//! let user_id = token.require_websocket_capable()?;
//!
//! let spec = SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", user_id);
//! match client.create_subscription(&spec, &TransportRequest::websocket("AQoQexAWVYKSTIu4ec_2VAxyuhAB")).await {
//!     Ok(created) => println!("created {}", created.subscription.id),
//!     Err(error) if error.is_already_exists() => println!("already there"),
//!     Err(error) if error.is_unauthorized() => println!("refresh the token"),
//!     Err(error) => return Err(error),
//! }
//!
//! // Walk every page of the token's subscriptions.
//! let all = client.subscriptions(SubscriptionFilter::All).collect_all().await?;
//! println!("{} subscriptions", all.len());
//! # Ok(()) }
//! ```

mod client;
mod conduit_manager;
mod conduits;
mod error;
mod pagination;
mod raw;
mod reads;
mod retry;
mod secret;
mod shard_assignment;
mod subscriptions;
pub mod tls;
mod validate;

/// The secret types' crate: an [`AccessToken`] converts from its `SecretString`.
pub use secrecy;

pub use client::{
    DEFAULT_API_BASE_URL, DEFAULT_AUTH_BASE_URL, DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT,
    HelixClient, HelixClientBuilder,
};
pub use conduit_manager::{ConduitError, ConduitManager, FindConduit, Resize, Resized, Subscribed};
pub use conduits::{
    Conduit, ConduitShard, MAX_CONDUITS_PER_CLIENT, MAX_SHARDS_PER_CONDUIT, ShardPage, ShardQuery,
    ShardStatus, ShardUpdate, ShardUpdateError, ShardUpdateResult,
};
pub use error::{HelixError, RateLimit};
pub use pagination::{Collected, Page, PageQuery, Pages};
pub use reads::*;
pub use retry::RetryPolicy;
pub use secret::{AccessToken, WebhookSecret};
pub use shard_assignment::{
    AssignOptions, AssignmentReport, DEFAULT_SHARD_BATCH, ShardFailure, ShardFailureReason,
};
pub use subscriptions::{
    CreatedSubscription, SubscriptionFilter, SubscriptionPage, SubscriptionQuery, TransportRequest,
};
pub use validate::{TokenInfo, TokenKind};
