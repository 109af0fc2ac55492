//! Claiming conduit shards: several processes, on several machines, share one conduit's shards
//! without a coordinator of their own. Twitch's conduit is the distributed engine; each process
//! reads the conduit's shards (Get Conduit Shards), takes the ones nobody holds, and reads again
//! to learn whether it won (the last assignment wins at Twitch).
//!
//! What a [`Pool::claim_shards`](crate::Pool::claim_shards) pool does:
//! - **Reads** every page of the conduit's shards, at start, at least every
//!   [`ClaimConfig::reread_interval`], and at once after one of its sessions was assigned to a
//!   shard (one read in flight at a time). A failed read (a Helix error, a body that cannot be a
//!   listing) is reported ([`Event::ClaimFailed`](crate::Event::ClaimFailed)) and tried again
//!   after a backoff delay; what is held stays held.
//! - **Claims** the shards that are not `enabled` (disabled, pointing at a dead session, never
//!   assigned, or in a status this crate does not know: no notification reaches them), except a
//!   webhook being verified, and that it does not hold already: up to `max_shards` in all, in an
//!   order drawn from [`Config::seed`](crate::Config::seed), so that processes reading the same
//!   listing at once pick apart. Each claim is one session, assigned to its shard as in
//!   [`Pool::conduit_shards`](crate::Pool::conduit_shards).
//! - **Believes** it holds a shard from its [`Event::ShardAssigned`](crate::Event::ShardAssigned)
//!   on. The first complete read that *started after* that assignment settles it: it lists our
//!   session ([`Event::ShardClaimed`](crate::Event::ShardClaimed), once per claim), or another
//!   one: the claim is lost, its session closed at once
//!   ([`Event::ShardReleased`](crate::Event::ShardReleased)), and no new claim is made for a
//!   backoff delay (reset after a read without conflict). A read that started before the
//!   assignment proves nothing about it.
//! - **The promise:** two processes never both believe they hold a shard for longer than one
//!   `reread_interval` plus one read's duration (the time from a read's first page asked to its
//!   last page answered), counted from the later of their latest assignments of the shard, as
//!   long as reads succeed. Why: every held shard is checked by a read that starts at most
//!   `reread_interval` after the previous one started (or when the one in flight ends, if a read
//!   takes longer than that), and the first read that starts after the other process's
//!   assignment lists the last writer, so the earlier writer releases it when that read ends. A
//!   session that reconnects assigns its shard again, which starts the count anew: the new
//!   assignment is the later one, and the other process's next read settles it.
//! - **A session that drops** keeps its shard: Twitch shows it disabled, the session reconnects
//!   and assigns its shard again; if another process took it meanwhile, the next read settles it.
//! - **Grows** the conduit, with [`ClaimConfig::grow_to`], when no shard is free and the process
//!   holds fewer than it wants: it sets `shard_count` to the listing's count plus what it lacks,
//!   capped; two processes growing at once set the count, they do not add to it, so the conduit
//!   never runs away. A process never asks for fewer shards than its latest listing showed (but
//!   see [`ClaimConfig::grow_to`] for a race between two growths).
//! - A shard Twitch refuses for good (outside a conduit that shrank) is released like a lost one.
//!   A refused token stops the pool.
//!
//! A process that dies loses no event Twitch can re-route: Twitch sends it to the conduit's other
//! enabled shards, and the shard, disabled, is claimed by another process at its next read.

mod config;
mod error;
mod listing;

pub use config::{ClaimConfig, MAX_CONDUIT_SHARDS, MIN_REREAD_INTERVAL};
pub use error::{ClaimError, ListingError};
pub use listing::{MAX_CURSOR_BYTES, MAX_PAGE_BYTES, MAX_PAGES_PER_READ};
mod held;
pub(crate) mod state;

pub use held::HeldShard;
#[cfg(test)]
mod tests;
