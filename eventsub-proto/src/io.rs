//! The adapter-facing surface: what goes into the core ([`Input`]) and what comes out ([`Output`]).

use std::time::SystemTime;

use url::Url;

use crate::catchup::ReadRequest;
use crate::close::ClientCloseCode;
use crate::event::Event;
use crate::ids::{ConduitId, ConnId, RequestId, SessionId, SubscriptionId};
use crate::shard::ShardAssignError;
use crate::subscription::SubscriptionSpec;
use crate::token::TokenIdentity;

/// Something that happened, fed to [`Client::handle_input`](crate::Client::handle_input).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Input<'a> {
    /// The socket asked for by [`Output::Connect`] is open.
    Opened {
        /// The connection.
        conn: ConnId,
    },
    /// The socket asked for by [`Output::Connect`] could not be opened.
    ConnectFailed {
        /// The connection.
        conn: ConnId,
        /// What went wrong, for the user.
        error: &'a str,
    },
    /// A text frame arrived.
    Text {
        /// The connection it arrived on.
        conn: ConnId,
        /// The frame.
        text: &'a str,
        /// Wall-clock time of arrival, for the stale-message check.
        received_at: SystemTime,
    },
    /// A binary frame arrived (EventSub never sends one; it is reported as an error).
    Binary {
        /// The connection it arrived on.
        conn: ConnId,
        /// The frame.
        data: &'a [u8],
    },
    /// The socket is closed: by the server (with its close frame), by the network, or after the
    /// core's own [`Output::Close`] or [`Output::Abort`]. Every connection ends with exactly one of these (or
    /// `ConnectFailed`), including ones the core closed itself.
    Closed {
        /// The connection.
        conn: ConnId,
        /// The close code, `None` when the socket dropped without a close frame.
        code: Option<u16>,
        /// The close reason text.
        reason: &'a str,
    },
    /// The adapter stopped reading every socket (its consumer's buffer is full: backpressure).
    ///
    /// Unread data is not silence: while reading is paused, the keepalive watchdog and the welcome
    /// timeout do not run, so no socket is declared dead only because nobody read it; nor does the
    /// wait for the answer to a close frame, so a socket being closed (the old one of a handover)
    /// is not given up with frames still unread in it. Opening a socket (the connect timeout) is
    /// not reading and still times out.
    ReadingPaused,
    /// The adapter reads its sockets again after [`Input::ReadingPaused`]. The keepalive watchdog
    /// of every live socket (and the welcome timeout of every socket awaiting its welcome) is
    /// re-armed from now with its full window: silence is measured only while reading. The wait
    /// for a close answer goes on with what was left of it when reading paused.
    ReadingResumed,
    /// Result of an [`Output::CreateSubscription`] request.
    SubscriptionCreated {
        /// The request.
        request: RequestId,
        /// What Helix answered.
        result: Result<Created, RequestError>,
    },
    /// Result of an [`Output::DeleteSubscription`] request.
    SubscriptionDeleted {
        /// The request.
        request: RequestId,
        /// What Helix answered.
        result: Result<(), RequestError>,
    },
    /// Result of an [`Output::ValidateToken`] request.
    TokenValidated {
        /// The request.
        request: RequestId,
        /// What `GET /oauth2/validate` answered (401: [`RequestError::Unauthorized`]).
        result: Result<TokenIdentity, RequestError>,
    },
    /// Result of an [`Output::AssignShard`] request: `Ok` when Update Conduit Shards listed the
    /// shard as updated; Twitch's per-shard error when it listed it under `errors`; the
    /// request's error when the call failed as a whole.
    ShardAssigned {
        /// The request.
        request: RequestId,
        /// What Helix answered.
        result: Result<(), ShardAssignError>,
    },
    /// Result of an [`Output::AssignShards`] request: one entry per shard of the request, in any
    /// order, each with what [`Input::ShardAssigned`] would say of it (a call that failed as a
    /// whole is that failure for every shard of it). A shard of the request missing from the list
    /// is taken as refused in a way that may pass.
    ShardsAssigned {
        /// The request.
        request: RequestId,
        /// Each shard's outcome, by shard id.
        results: Vec<(u32, Result<(), ShardAssignError>)>,
    },
    /// Result of an [`Output::ReadConduitShards`] request: the body of Helix's 200 answer to Get
    /// Conduit Shards, exactly as it came (the core decodes it), or the error.
    ConduitShardsRead {
        /// The request.
        request: RequestId,
        /// The response body, or what went wrong.
        result: Result<String, RequestError>,
    },
    /// Result of an [`Output::ResizeConduit`] request: the conduit's shard count as Update
    /// Conduits answered it, or the error.
    ConduitResized {
        /// The request.
        request: RequestId,
        /// The conduit's `shard_count` now.
        result: Result<u32, RequestError>,
    },
    /// Result of an [`Output::CatchUpRead`] request: the body of Helix's 200 answer, exactly as
    /// it came (the core decodes it), or the error.
    CatchUpRead {
        /// The request.
        request: RequestId,
        /// The response body, or what went wrong (401 included: the core treats a catch-up read's
        /// 401 as the read's failure, not the token's).
        result: Result<String, RequestError>,
    },
}

/// A successful Create EventSub Subscription answer (HTTP 202).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Created {
    /// The new subscription's id.
    pub id: SubscriptionId,
    /// What it costs.
    pub cost: u32,
    /// The token's total cost now.
    pub total_cost: u32,
    /// The token's maximum total cost.
    pub max_total_cost: u32,
}

impl Created {
    /// The answer for subscription `id` costing `cost`, which brought the token's total cost to
    /// `total_cost` of at most `max_total_cost` (the response's `total_cost` and
    /// `max_total_cost`).
    ///
    /// ```
    /// use eventsub_proto::{Created, SubscriptionId};
    /// let created = Created::new(SubscriptionId::new("f1c2a387"), 1, 3, 10);
    /// assert_eq!(created.id.as_str(), "f1c2a387");
    /// assert_eq!((created.cost, created.total_cost, created.max_total_cost), (1, 3, 10));
    /// ```
    pub fn new(id: SubscriptionId, cost: u32, total_cost: u32, max_total_cost: u32) -> Self {
        Self {
            id,
            cost,
            total_cost,
            max_total_cost,
        }
    }
}

/// A failed Helix request, as far as the protocol cares.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum RequestError {
    /// 409: the subscription already exists; for creation this is as good as success.
    #[error("already exists")]
    AlreadyExists,
    /// 401: the token is invalid or expired.
    #[error("unauthorized: {message}")]
    Unauthorized {
        /// Twitch's message.
        message: String,
    },
    /// Another 4xx: this request will not succeed as it is (missing scope, bad condition, limits).
    #[error("rejected with HTTP {status}: {message}")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// Twitch's message.
        message: String,
    },
    /// 429, 5xx, a timeout or a network failure that outlasted the adapter's retries.
    #[error("unavailable: {message}")]
    Unavailable {
        /// What went wrong.
        message: String,
    },
}

/// What the core asks of the adapter, drained in order from
/// [`Client::poll_output`](crate::Client::poll_output).
///
/// There is deliberately no variant that writes a text or binary frame: the EventSub server closes
/// any connection that sends one (4001), so the core cannot even express it.
#[must_use = "outputs are instructions the adapter must carry out"]
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Output {
    /// Open a WebSocket to `url` and report [`Input::Opened`] or [`Input::ConnectFailed`].
    Connect {
        /// The name of the new connection.
        conn: ConnId,
        /// Where to connect, exactly as given (a reconnect URL is used verbatim).
        url: Url,
    },
    /// Close this socket with this code (or abandon the connect attempt), then report
    /// [`Input::Closed`] once it is gone. Frames that still arrive before then must be fed in: keep
    /// reading the socket until the server answers the close (what it sent before it saw the
    /// close, such as the last notifications on the old socket of a handover, is delivered). How
    /// long to wait is the core's: when the server leaves the close unanswered for
    /// [`Config::close_timeout`](crate::Config::close_timeout) of reading time, an
    /// [`Output::Abort`] for the socket follows.
    Close {
        /// The connection.
        conn: ConnId,
        /// The code to send.
        code: ClientCloseCode,
    },
    /// Drop this socket (or abandon the connect attempt) at once, without a close handshake, then
    /// report [`Input::Closed`]. Used for sockets that never carried a session (a superseded
    /// handover candidate, one that was never welcomed), so they do not linger while a close
    /// handshake times out, and for a socket whose [`Output::Close`] the server left unanswered
    /// for the close timeout (also after [`Event::Stopped`](crate::Event::Stopped): it settles
    /// what is open).
    Abort {
        /// The connection.
        conn: ConnId,
    },
    /// Create this subscription over Helix for this WebSocket session and report
    /// [`Input::SubscriptionCreated`].
    CreateSubscription {
        /// The name of the request.
        request: RequestId,
        /// The session it belongs to.
        session_id: SessionId,
        /// What to create.
        subscription: SubscriptionSpec,
    },
    /// Delete this subscription over Helix and report [`Input::SubscriptionDeleted`].
    DeleteSubscription {
        /// The name of the request.
        request: RequestId,
        /// The subscription to delete.
        id: SubscriptionId,
    },
    /// Validate the current access token (`GET /oauth2/validate`, with the token the provider
    /// gives now) and report [`Input::TokenValidated`].
    ValidateToken {
        /// The name of the request.
        request: RequestId,
    },
    /// Run this Helix GET (with the current token; retried as every Helix call is) and report
    /// [`Input::CatchUpRead`] with the body. Only with
    /// [`Config::catch_up`](crate::Config::catch_up) set. The core asks for one at a time: after
    /// a gap's [`Event::Resumed`](crate::Event::Resumed), and, outside gaps, to read the
    /// baseline of the state subscriptions (see [`catchup`](crate::catchup)). It does not need
    /// the socket: run it whatever the connections do.
    CatchUpRead {
        /// The name of the request.
        request: RequestId,
        /// The path and query.
        read: ReadRequest,
    },
    /// Assign this WebSocket session to shard `shard_id` of conduit `conduit_id` (Update Conduit
    /// Shards, with the current app token) and report [`Input::ShardAssigned`]. Only in shard
    /// mode ([`Config::shard`](crate::Config::shard)), once per fresh session.
    AssignShard {
        /// The name of the request.
        request: RequestId,
        /// The conduit.
        conduit_id: ConduitId,
        /// The shard.
        shard_id: u32,
        /// The session to assign to it.
        session_id: SessionId,
    },
    /// Assign each of these WebSocket sessions to its shard of conduit `conduit_id`, in one Update
    /// Conduit Shards call (with the current app token), and report [`Input::ShardsAssigned`].
    /// A [`Pool`](crate::Pool) of shards gathers its sessions' assignments into calls of at most
    /// [`MAX_SHARDS_PER_ASSIGNMENT`] shards, so that many shards cost few calls of the app
    /// token's rate limit.
    AssignShards {
        /// The name of the request.
        request: RequestId,
        /// The conduit.
        conduit_id: ConduitId,
        /// The shards and the session each is to point at.
        shards: Vec<ShardSession>,
    },
    /// Read one page of Get Conduit Shards for `conduit_id` (with the current app token; `after`
    /// is the cursor of the page before, `None` for the first) and report
    /// [`Input::ConduitShardsRead`] with the body. Asked for by a pool that claims its shards.
    ReadConduitShards {
        /// The name of the request.
        request: RequestId,
        /// The conduit.
        conduit_id: ConduitId,
        /// The cursor of the previous page's `pagination`, exactly as Twitch sent it.
        after: Option<String>,
    },
    /// Set the shard count of conduit `conduit_id` to `shard_count` (Update Conduits) and report
    /// [`Input::ConduitResized`]. Asked for by a pool that claims its shards and may grow the
    /// conduit; never to shrink it.
    ResizeConduit {
        /// The name of the request.
        request: RequestId,
        /// The conduit.
        conduit_id: ConduitId,
        /// The shard count to set.
        shard_count: u32,
    },
    /// Hand this event to the user.
    Event(Event),
}

/// The most shards one [`Output::AssignShards`] names: Update Conduit Shards takes a list, and
/// `eventsub-helix`'s conduit manager sends 100 per call.
pub const MAX_SHARDS_PER_ASSIGNMENT: usize = 100;

/// One shard of an [`Output::AssignShards`] and the WebSocket session it is to point at.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct ShardSession {
    /// The shard's id in the conduit.
    pub shard_id: u32,
    /// The session to assign to it.
    pub session_id: SessionId,
}

impl ShardSession {
    /// Shard `shard_id`, to point at `session_id`.
    pub fn new(shard_id: u32, session_id: SessionId) -> Self {
        Self {
            shard_id,
            session_id,
        }
    }
}
