//! Everything the mock Helix server remembers, behind one lock so a mock EventSub WebSocket server
//! in the same process can share it (sessions it opens, subscriptions it delivers to).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use serde_json::{Map, Value, json};

use super::faults::Fault;
use super::grants::Grants;
use super::world::World;

/// The state shared by the mock's handlers (and, later, a mock WebSocket server).
pub type SharedState = Arc<Mutex<MockState>>;

/// Locks the shared state; a panic in another handler does not poison it for the rest of a test.
pub fn lock(state: &SharedState) -> MutexGuard<'_, MockState> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Twitch's `max_total_cost` for a user token.
pub const USER_MAX_TOTAL_COST: u32 = eventsub_proto::DEFAULT_MAX_TOTAL_COST;
/// The mock's `max_total_cost` for an app token (Twitch's default for a client).
pub const APP_MAX_TOTAL_COST: u32 = 10_000;
/// Distinct WebSocket sessions one user token may have subscriptions on.
pub const MAX_SESSIONS_PER_USER_TOKEN: usize = 3;
/// The size of the rate-limit bucket the mock reports.
pub const RATE_LIMIT_BUCKET: u32 = 800;
/// How long after its first spent point a bucket refills, in seconds (Twitch: a minute).
pub const RATE_LIMIT_WINDOW_SECS: u64 = 60;
/// How long a token lives unless [`MockState::token_lifetime`] says otherwise: Twitch's usual
/// four hours.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(14_400);

/// Who a registered token belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenOwner {
    /// A user access token of this user.
    User {
        /// The user's id.
        user_id: String,
        /// The user's login.
        login: String,
    },
    /// An app access token.
    App,
}

/// A token the mock accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MockToken {
    /// The client id it was issued to.
    pub client_id: String,
    /// User or app.
    pub owner: TokenOwner,
    /// Its scopes.
    pub scopes: Vec<String>,
    /// When it stops being accepted (401 on every call); `None` for a token that never expires.
    pub expires_at: Option<Instant>,
}

impl MockToken {
    /// How long it is still accepted; `None` for a token that never expires.
    pub fn expires_in(&self) -> Option<Duration> {
        self.expires_at
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    /// Whether it has expired (and gets 401 everywhere).
    pub fn is_expired(&self) -> bool {
        self.expires_in().is_some_and(|left| left.is_zero())
    }

    /// `expires_in` as `/validate` reports it: whole seconds, rounded up so that a token still
    /// accepted never reads as 0 (which means "never expires").
    pub(crate) fn expires_in_secs(&self) -> u64 {
        self.expires_in().map_or(0, whole_seconds_up)
    }

    /// The user id of a user token.
    pub fn user_id(&self) -> Option<&str> {
        match &self.owner {
            TokenOwner::User { user_id, .. } => Some(user_id),
            TokenOwner::App => None,
        }
    }

    /// Whose subscriptions this token sees: the client's, narrowed to the user for user tokens.
    pub(crate) fn subscription_owner(&self) -> SubscriptionOwner {
        SubscriptionOwner {
            client_id: self.client_id.clone(),
            user_id: self.user_id().map(str::to_owned),
        }
    }
}

/// The client (and, for user tokens, user) a subscription counts against.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct SubscriptionOwner {
    pub(crate) client_id: String,
    pub(crate) user_id: Option<String>,
}

/// A transport as the mock stores it (never with a webhook secret: Twitch does not echo it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MockTransport {
    /// A WebSocket session.
    Websocket {
        /// The session id.
        session_id: String,
        /// When it connected (RFC 3339).
        connected_at: String,
    },
    /// A conduit.
    Conduit {
        /// The conduit id.
        conduit_id: String,
    },
    /// A webhook.
    Webhook {
        /// The callback URL.
        callback: String,
    },
}

impl MockTransport {
    /// The transport as Twitch reports it.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Websocket {
                session_id,
                connected_at,
            } => {
                json!({"method": "websocket", "session_id": session_id, "connected_at": connected_at})
            }
            Self::Conduit { conduit_id } => json!({"method": "conduit", "conduit_id": conduit_id}),
            Self::Webhook { callback } => json!({"method": "webhook", "callback": callback}),
        }
    }

    /// Whether two transports deliver to the same place (timestamps aside).
    pub fn same_destination(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Websocket { session_id: a, .. }, Self::Websocket { session_id: b, .. }) => {
                a == b
            }
            _ => self == other,
        }
    }

    /// The session id of a websocket transport.
    pub fn session_id(&self) -> Option<&str> {
        match self {
            Self::Websocket { session_id, .. } => Some(session_id),
            _ => None,
        }
    }
}

/// A subscription the mock created.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct MockSubscription {
    /// Its id.
    pub id: String,
    pub(crate) owner: SubscriptionOwner,
    /// Its status as Twitch spells it.
    pub status: String,
    /// Its type.
    pub kind: String,
    /// Its version.
    pub version: String,
    /// Its condition.
    pub condition: Map<String, Value>,
    /// Where it delivers.
    pub transport: MockTransport,
    /// Its cost.
    pub cost: u32,
    /// When it was created (RFC 3339).
    pub created_at: String,
}

impl MockSubscription {
    /// Whether it is enabled (only enabled subscriptions count against limits).
    pub fn is_enabled(&self) -> bool {
        self.status == "enabled"
    }

    /// The subscription as Twitch reports it.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "status": self.status,
            "type": self.kind,
            "version": self.version,
            "cost": self.cost,
            "condition": self.condition,
            "transport": self.transport.to_json(),
            "created_at": self.created_at,
        })
    }
}

/// One shard of a mock conduit.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MockShard {
    /// Its status as Twitch spells it.
    pub status: String,
    /// What it is assigned to; `None` until assigned.
    pub transport: Option<MockTransport>,
    /// When its websocket session ended (RFC 3339); `None` while it is up or was never assigned.
    pub disconnected_at: Option<String>,
}

impl MockShard {
    pub(crate) fn unassigned() -> Self {
        Self {
            status: "websocket_disconnected".to_owned(),
            transport: None,
            disconnected_at: None,
        }
    }

    /// Whether notifications may be routed to it.
    pub fn is_enabled(&self) -> bool {
        self.status == "enabled"
    }

    /// The shard's transport as Twitch reports it, `disconnected_at` included once it ended.
    pub fn transport_json(&self) -> Option<Value> {
        let mut transport = self.transport.as_ref()?.to_json();
        if let (Some(at), Some(object)) = (&self.disconnected_at, transport.as_object_mut()) {
            object.insert("disconnected_at".to_owned(), json!(at));
        }
        Some(transport)
    }

    /// The shard as Twitch reports it.
    pub fn to_json(&self, id: usize) -> Value {
        let mut shard = json!({"id": id.to_string(), "status": self.status});
        if let (Some(transport), Some(object)) = (self.transport_json(), shard.as_object_mut()) {
            object.insert("transport".to_owned(), transport);
        }
        shard
    }
}

/// A conduit of the mock.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MockConduit {
    /// Its id.
    pub id: String,
    /// The client id that owns it.
    pub client_id: String,
    /// Its shards; the shard id is the index.
    pub shards: Vec<MockShard>,
}

impl MockConduit {
    /// The conduit as Twitch reports it.
    pub fn to_json(&self) -> Value {
        json!({"id": self.id, "shard_count": self.shards.len()})
    }
}

/// Everything the mock remembers.
#[derive(Debug)]
#[non_exhaustive]
pub struct MockState {
    pub(crate) tokens: HashMap<String, MockToken>,
    /// Subscriptions in creation order (Twitch lists the oldest first).
    pub subscriptions: Vec<MockSubscription>,
    /// Conduits in creation order.
    pub conduits: Vec<MockConduit>,
    pub(crate) faults: VecDeque<Fault>,
    /// How many items one list page holds.
    pub page_size: usize,
    /// When `Some`, websocket session ids must be in the set (a mock WebSocket server adds the
    /// sessions it welcomed); when `None`, any session id is accepted as given.
    pub known_sessions: Option<HashSet<String>>,
    /// Scopes a subscription type requires (type → scope).
    pub required_scopes: HashMap<String, String>,
    /// How many requests reached the server, faults included.
    pub requests: u64,
    /// How many Update Conduit Shards calls reached their handler (a call names one shard or
    /// many: the count is what a client spends of its rate limit on assignments).
    pub shard_update_calls: u64,
    /// How long the tokens registered from now on live ([`MockState::add_user_token`],
    /// [`MockState::add_app_token`], and those the OAuth endpoints issue); default
    /// [`DEFAULT_TOKEN_LIFETIME`]. Short lifetimes make a token expire mid-run.
    pub token_lifetime: Duration,
    /// Refresh tokens, device codes and the device flow's settings (`/oauth2/token`,
    /// `/oauth2/device`).
    pub grants: Grants,
    /// What happened in each channel: what the catch-up reads serve, and what the mock EventSub
    /// server's `world()` records as it sends.
    pub world: World,
    /// Per-shard refusals for the next Update Conduit Shards
    /// ([`MockState::refuse_next_shard_update`]).
    pub(super) shard_update_refusals: HashMap<(String, usize), String>,
    /// Per token: when its bucket's window began (Unix seconds) and the points spent since.
    rate_buckets: HashMap<String, (u64, u32)>,
    next_id: u64,
}

impl Default for MockState {
    fn default() -> Self {
        Self {
            tokens: HashMap::new(),
            subscriptions: Vec::new(),
            conduits: Vec::new(),
            faults: VecDeque::new(),
            page_size: 100,
            known_sessions: None,
            required_scopes: HashMap::new(),
            requests: 0,
            shard_update_calls: 0,
            token_lifetime: DEFAULT_TOKEN_LIFETIME,
            grants: Grants::default(),
            world: World::default(),
            shard_update_refusals: HashMap::new(),
            rate_buckets: HashMap::new(),
            next_id: 0,
        }
    }
}

impl MockState {
    /// Accepts `token` as a user access token of `user_id` for `client_id`.
    pub fn add_user_token(&mut self, token: &str, client_id: &str, user_id: &str, scopes: &[&str]) {
        let owner = TokenOwner::User {
            user_id: user_id.to_owned(),
            login: format!("user{user_id}"),
        };
        self.add_token(token, client_id, owner, scopes);
    }

    /// Accepts `token` as an app access token for `client_id`.
    pub fn add_app_token(&mut self, token: &str, client_id: &str) {
        self.add_token(token, client_id, TokenOwner::App, &[]);
    }

    fn add_token(&mut self, token: &str, client_id: &str, owner: TokenOwner, scopes: &[&str]) {
        let scopes = scopes.iter().map(|scope| (*scope).to_owned()).collect();
        self.insert_token(token.to_owned(), client_id.to_owned(), owner, scopes);
    }

    /// Registers `token`, living [`MockState::token_lifetime`] from now.
    pub(crate) fn insert_token(
        &mut self,
        token: String,
        client_id: String,
        owner: TokenOwner,
        scopes: Vec<String>,
    ) {
        let record = MockToken {
            client_id,
            owner,
            scopes,
            expires_at: Instant::now().checked_add(self.token_lifetime),
        };
        self.tokens.insert(token, record);
    }

    /// Forgets a token: it now gets 401, like an expired or revoked one.
    pub fn revoke_token(&mut self, token: &str) {
        self.tokens.remove(token);
    }

    /// Makes a registered token expire `expires_in` from now (`Duration::ZERO`: at once); false
    /// for an unknown token.
    pub fn set_token_expires_in(&mut self, token: &str, expires_in: Duration) -> bool {
        match self.tokens.get_mut(token) {
            Some(record) => {
                record.expires_at = Instant::now().checked_add(expires_in);
                true
            }
            None => false,
        }
    }

    /// The record of an accepted token: registered, and not expired.
    pub fn token(&self, token: &str) -> Option<&MockToken> {
        self.tokens.get(token).filter(|record| !record.is_expired())
    }

    /// The record of a registered token, expired or not.
    pub fn token_record(&self, token: &str) -> Option<&MockToken> {
        self.tokens.get(token)
    }

    /// Makes the next `count` requests (any endpoint) meet `fault`.
    pub fn inject(&mut self, fault: Fault, count: usize) {
        self.faults.extend(std::iter::repeat_n(fault, count));
    }

    pub(crate) fn take_fault(&mut self) -> Option<Fault> {
        self.faults.pop_front()
    }

    /// Marks a session as existing; from then on only known sessions are accepted.
    pub fn add_known_session(&mut self, session_id: &str) {
        self.known_sessions
            .get_or_insert_with(HashSet::new)
            .insert(session_id.to_owned());
    }

    /// Whether a websocket session id is acceptable.
    pub fn session_is_known(&self, session_id: &str) -> bool {
        self.known_sessions
            .as_ref()
            .is_none_or(|known| known.contains(session_id))
    }

    /// Ends a session: its subscriptions become `websocket_disconnected` (they no longer count
    /// against limits) and conduit shards on it too.
    pub fn disconnect_session(&mut self, session_id: &str) {
        self.end_session(session_id, "websocket_disconnected");
    }

    /// A fresh id shaped like a UUID.
    pub fn next_id(&mut self) -> String {
        self.next_id += 1;
        format!("00000000-0000-4000-8000-{:012x}", self.next_id)
    }

    /// Spends one point of the rate-limit bucket of `token` (Twitch keeps one per token, so
    /// several clients on one mock do not drain each other's) at `now_unix` seconds: what is
    /// left and when the bucket refills (Unix seconds). A bucket refills a minute after its
    /// first point was spent; it is never empty (emptiness is a fault to inject).
    pub fn spend_rate_limit(&mut self, token: &str, now_unix: u64) -> (u32, u64) {
        let bucket = self
            .rate_buckets
            .entry(token.to_owned())
            .or_insert((now_unix, 0));
        if now_unix >= bucket.0.saturating_add(RATE_LIMIT_WINDOW_SECS) {
            *bucket = (now_unix, 0);
        }
        bucket.1 = bucket.1.saturating_add(1);
        let remaining = RATE_LIMIT_BUCKET.saturating_sub(bucket.1).max(1);
        (remaining, bucket.0.saturating_add(RATE_LIMIT_WINDOW_SECS))
    }

    /// What the rate-limit bucket has left if all requests so far had one token: one point less
    /// per request, never empty (emptiness is a fault to inject).
    pub fn rate_limit_remaining(&self) -> u32 {
        let used = u32::try_from(self.requests).unwrap_or(u32::MAX);
        RATE_LIMIT_BUCKET.saturating_sub(used).max(1)
    }

    /// The subscriptions `owner` sees.
    pub(crate) fn subscriptions_of<'a>(
        &'a self,
        owner: &'a SubscriptionOwner,
    ) -> impl Iterator<Item = &'a MockSubscription> + 'a {
        self.subscriptions.iter().filter(move |s| &s.owner == owner)
    }

    /// The summed cost of `owner`'s enabled subscriptions.
    pub(crate) fn total_cost(&self, owner: &SubscriptionOwner) -> u32 {
        self.subscriptions_of(owner)
            .filter(|s| s.is_enabled())
            .map(|s| s.cost)
            .sum()
    }
}

/// Whole seconds of `duration`, rounded up.
pub(crate) fn whole_seconds_up(duration: Duration) -> u64 {
    duration
        .as_secs()
        .saturating_add(u64::from(duration.subsec_nanos() > 0))
}
