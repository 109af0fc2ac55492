//! What a claiming pool believes it holds, for the user to inspect.

use crate::ids::SessionId;

/// One shard a [`Pool::claim_shards`](crate::Pool::claim_shards) pool holds or is claiming
/// ([`Pool::held_shards`](crate::Pool::held_shards)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HeldShard {
    /// The shard's id in the conduit.
    pub shard_id: u32,
    /// The pool session ([`ConnId::session_index`](crate::ConnId::session_index)) that holds it.
    pub session_index: usize,
    /// The session Twitch last assigned to it for this process; `None` while the claim's first
    /// assignment is pending (the shard is not believed held yet).
    pub assigned_session: Option<SessionId>,
    /// Whether a read that started after that assignment listed our session on it.
    pub confirmed: bool,
}
