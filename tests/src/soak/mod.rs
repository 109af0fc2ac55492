//! The parts of the fault-injection soak (`tests/tests/soak.rs`): the mock EventSub server sends
//! notifications to an adapter-driven client over real sockets while a seeded random schedule
//! injects faults, and the run is judged from the mock's records and the client's events.
//!
//! - [`schedule`]: the seeded rounds of notifications, faults and pauses ([`Fault`] kinds);
//! - [`ledger`]: which notifications the client owes (when a socket is *live*), and whether each
//!   was delivered exactly once;
//! - [`observer`]: the client's events: deliveries, gaps and their catch-up windows, counts;
//! - [`rss`]: resident memory over the run;
//! - [`report`]: the figures printed at the end.

pub mod bits;
pub mod clock;
pub mod fault;
pub mod ledger;
pub mod observer;
pub mod report;
pub mod rng;
pub mod rss;
pub mod schedule;

pub use fault::{FRAME_LIMIT, Fault};
pub use schedule::{Schedule, Step};
