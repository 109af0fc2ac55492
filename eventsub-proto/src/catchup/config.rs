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
}

impl Default for CatchUpConfig {
    fn default() -> Self {
        Self {
            max_reads_per_gap: 32,
            max_pages_per_read: 5,
            slack: Duration::from_secs(1),
        }
    }
}
