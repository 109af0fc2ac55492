//! The mock EventSub WebSocket server.
//!
//! One port serves the WebSocket at `/ws` and the mock Helix API ([`crate::helix`]) on shared
//! state: a session the WebSocket side welcomes is a known session for Helix, and the
//! subscriptions created over Helix for a session are what the mock delivers notifications for.
//!
//! Like Twitch it sends `session_welcome` on connect (with `keepalive_timeout_seconds` from the
//! query string, refused with HTTP 400 outside the configured range), keepalives when idle, 4003
//! when a fresh session gets no subscription within the window, 4001 on any client text or binary
//! frame, `session_reconnect` on command with a fresh URL (the old socket stays open until the
//! client closes it, or 4004 after the grace), 4007 for a stale reconnect URL, notifications and
//! revocations on command, and any close code on command. Faults: abrupt TCP drop, silence (no
//! keepalives), delay, duplicate delivery on one socket or across the old and new socket of a
//! reconnect, a frame sent again later, faulty frames ([`BadFrame`]: not JSON, fields missing,
//! oversized), a server that keeps sending and never reads, so never answers the client's close
//! frame ([`MockEventSub::flood_notifications`], [`MockEventSub::reconnect_then_flood`]), and a
//! server stuck in a reconnect loop ([`MockEventSub::reconnect_storm`]; with
//! [`MockEventSub::peak_open_sockets`] a test sees how many sockets the client held at once). It
//! records every frame it sent and received ([`Records`]) so a test can prove what was lost or
//! duplicated. For load tests, [`MockEventSub::blast`] sends many notifications back to back and
//! records them as one entry.
//!
//! [`MockEventSub::world`] makes things happen in a channel (a follow, a ban, a poll ending, the
//! stream going offline, …): the mock records them in the world the Helix catch-up reads serve,
//! and notifies the subscriptions listening, if any. [`MockEventSub::hold_connections`] makes a
//! client's reconnect wait at the door, so a test acts inside a gap whatever the client's backoff;
//! the world logs every catch-up read it served
//! ([`World::reads`](crate::helix::world::World::reads)).
//!

mod bad_frame;
mod blast;
mod conduit;
mod config;
mod hold;
pub(crate) mod listener;
pub mod payloads;
mod record;
pub mod scenario;
mod server;
mod socket;
mod state;
mod world;

pub use bad_frame::BadFrame;
pub use blast::{Blast, FLOOD_NOTIFICATIONS};
pub use conduit::{SHARD_DISABLED, ShardDelivery, ShardFault};
pub use config::MockConfig;
pub use record::{Ended, Received, Record, Records, SentFrame, SocketId};
pub use server::{Delivery, MockEventSub, Routed, SocketInfo, wait_until, within};
pub(crate) use state::frames_now;
pub use state::{message_number, message_number_of};
pub use world::{Happened, WorldHandle};
