//! What can go wrong claiming shards: a read of the conduit's shards, its body, a resize.

use crate::io::RequestError;

/// Why a step of claiming failed ([`Event::ClaimFailed`](crate::Event::ClaimFailed)); the step
/// is tried again after a backoff delay.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum ClaimError {
    /// Get Conduit Shards failed as a request.
    #[error("reading the conduit's shards failed: {0}")]
    Read(RequestError),
    /// Get Conduit Shards answered a body that cannot be a listing of shards.
    #[error("the conduit's shard listing is unusable: {0}")]
    Listing(ListingError),
    /// Update Conduits (growing the conduit) failed.
    #[error("growing the conduit failed: {0}")]
    Resize(RequestError),
}

/// What is wrong with a Get Conduit Shards body (untrusted network input).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum ListingError {
    /// Not JSON of the listing's shape.
    #[error("not a shard listing: {detail}")]
    Malformed {
        /// What the decoder said, kept short.
        detail: String,
    },
    /// A shard id that is not a number below the most shards a conduit has.
    #[error("shard id `{id}` is not a shard number")]
    BadShardId {
        /// The id as sent, kept short.
        id: String,
    },
    /// More shards, over all pages, than a conduit can have.
    #[error("more than {max} shards listed")]
    TooManyShards {
        /// The most accepted.
        max: usize,
    },
    /// A pagination cursor longer than any Twitch sends.
    #[error("a pagination cursor of {len} bytes, over the most of {max}")]
    CursorTooLong {
        /// Its length.
        len: usize,
        /// The most accepted.
        max: usize,
    },
    /// More pages than a conduit's shards can fill.
    #[error("more than {max} pages in one read")]
    TooManyPages {
        /// The most accepted.
        max: u32,
    },
    /// A body larger than any listing page.
    #[error("a page of {len} bytes, over the most of {max}")]
    PageTooLarge {
        /// Its length.
        len: usize,
        /// The most accepted.
        max: usize,
    },
}
