//! How much a catch-up may ask of Helix.

use std::time::Duration;

/// The bounds of a catch-up ([`Config::catch_up`](crate::Config::catch_up)): Helix has a rate
/// limit, and a long gap in a busy channel must not turn into an unbounded walk.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CatchUpConfig {
    /// The most reads (Helix requests, pages included) one gap may make; subscriptions beyond it
    /// are reported [`Unrecoverable::ReadBudget`](crate::catchup::Unrecoverable::ReadBudget).
    pub max_reads_per_gap: u32,
    /// The most pages one read may walk; a read cut short says so
    /// ([`CatchUpResult::Recovered::complete`](crate::catchup::CatchUpResult::Recovered)).
    pub max_pages_per_read: u32,
    /// How far the window is widened on each side of the gap's bounds, for the error of the
    /// clock offset and Twitch's own timestamps; what was delivered inside it is not recovered
    /// twice.
    pub slack: Duration,
    /// The most identity keys (a follower's user id, a redemption's id, …) of the events
    /// delivered or recovered around gaps that are kept to tell what was already seen; the oldest
    /// go first. Past it, an event delivered long before a gap's end may be recovered again.
    pub max_remembered_keys: usize,
    /// The most bytes those keys may take (their text), the same way.
    pub max_remembered_bytes: usize,
    /// The most gaps whose catch-up waits for the one under way; one more is merged into the
    /// last that waits (its report then covers both, from the earlier start to the later end).
    pub max_queued_gaps: usize,
}

impl Default for CatchUpConfig {
    fn default() -> Self {
        Self {
            max_reads_per_gap: 32,
            max_pages_per_read: 5,
            slack: Duration::from_secs(1),
            max_remembered_keys: 10_000,
            max_remembered_bytes: 1 << 20,
            max_queued_gaps: 8,
        }
    }
}
