//! The line types of a recording and how each field is spelled in JSON.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::reader::RecordingError;
use crate::backoff::BackoffConfig;
use crate::claim::ClaimConfig;
use crate::ids::ConduitId;
use crate::io::{Created, RequestError};
use crate::shard::ShardAssignError;
use crate::subscription::SubscriptionSpec;
use crate::token::TokenIdentity;

/// The `format` of a recording's header line.
pub const FORMAT: &str = "eventsub-recording";

/// The version of the line format this crate writes and reads.
pub const VERSION: u32 = 1;

/// The first line of a recording.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// The line format's version ([`VERSION`]).
    pub version: u32,
    /// The wall clock when the client was created (`at_ns` 0).
    #[serde(with = "wall_time")]
    pub started_at: SystemTime,
    /// The backoff jitter seed the client ran with; a replay uses it.
    pub seed: u64,
    /// Whether every time the adapter told the core that time passed is a `timeout` line. Without
    /// them (a hand-written recording) a replay wakes the core at its own deadlines instead.
    #[serde(default)]
    pub timeouts: bool,
    /// What wrote it, such as `eventsub-driver 0.1.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorder: Option<String>,
    /// The conduit shards the client held, when it was a pool of them
    /// ([`Pool::conduit_shards`](crate::Pool::conduit_shards)): a replay builds the same pool.
    /// Absent (older recordings, any other client): a replay builds [`Pool::new`](crate::Pool::new).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shards: Option<RecordedShards>,
    /// The claims of a recorded pool that claimed its shards ([`Pool::claim_shards`](crate::Pool::claim_shards));
    /// absent otherwise (and in recordings written before pools claimed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<RecordedClaim>,
}

/// How a recorded pool claimed its shards ([`Header::claim`]): its [`ClaimConfig`], so that a
/// replay claims exactly as it did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordedClaim {
    /// The conduit's id.
    pub conduit_id: String,
    /// [`ClaimConfig::max_shards`].
    pub max_shards: usize,
    /// [`ClaimConfig::reread_interval`], in milliseconds.
    pub reread_interval_ms: u64,
    /// [`ClaimConfig::grow_to`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grow_to: Option<u32>,
    /// The first wait of [`ClaimConfig::backoff`], in milliseconds.
    pub backoff_initial_ms: u64,
    /// The longest wait of [`ClaimConfig::backoff`], in milliseconds.
    pub backoff_max_ms: u64,
}

impl RecordedClaim {
    /// What a recording says of `claim`.
    pub fn of(claim: &ClaimConfig) -> Self {
        let millis = |duration: Duration| u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        Self {
            conduit_id: claim.conduit_id.as_str().to_owned(),
            max_shards: claim.max_shards,
            reread_interval_ms: millis(claim.reread_interval),
            grow_to: claim.grow_to,
            backoff_initial_ms: millis(claim.backoff.initial),
            backoff_max_ms: millis(claim.backoff.max),
        }
    }

    /// The claim configuration it records (checked when the replay's pool is made).
    pub fn to_config(&self) -> ClaimConfig {
        let backoff = BackoffConfig::new(
            Duration::from_millis(self.backoff_initial_ms),
            Duration::from_millis(self.backoff_max_ms),
        );
        let claim = ClaimConfig::new(ConduitId::new(self.conduit_id.clone()), self.max_shards)
            .with_reread_interval(Duration::from_millis(self.reread_interval_ms))
            .with_backoff(backoff);
        match self.grow_to {
            Some(cap) => claim.with_grow_to(cap),
            None => claim,
        }
    }
}

/// The conduit and shards of a recorded pool of shards ([`Header::shards`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordedShards {
    /// The conduit's id.
    pub conduit_id: String,
    /// The shards, in the pool's order (session `n` holds `shard_ids[n]`).
    pub shard_ids: Vec<u32>,
}

impl RecordedShards {
    /// Shards `shard_ids` of conduit `conduit_id`, in the pool's order.
    pub fn new(conduit_id: impl Into<String>, shard_ids: Vec<u32>) -> Self {
        Self {
            conduit_id: conduit_id.into(),
            shard_ids,
        }
    }
}

impl Header {
    /// The header of a recording that starts at `started_at` with jitter seed `seed`, written by
    /// an adapter that records its timeouts.
    pub fn new(started_at: SystemTime, seed: u64) -> Self {
        Self {
            format: FORMAT.to_owned(),
            version: VERSION,
            started_at,
            seed,
            timeouts: true,
            recorder: None,
            shards: None,
            claim: None,
        }
    }

    /// The header as one line of JSON, without the newline.
    pub fn to_json(&self) -> Result<String, RecordingError> {
        serde_json::to_string(self).map_err(|error| RecordingError::Encode {
            detail: error.to_string(),
        })
    }
}

/// One line after the header: when, and what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Line<'a> {
    /// Time since the client was created, on the monotonic clock the core was given
    /// (`at_ns`, in nanoseconds).
    #[serde(rename = "at_ns", with = "nanos")]
    pub at: Duration,
    /// The wall clock then (for a text frame: when it arrived, as the core was told).
    #[serde(with = "wall_time")]
    pub wall: SystemTime,
    /// What happened.
    #[serde(flatten)]
    pub entry: Entry<'a>,
}

impl Line<'_> {
    /// The line as JSON, without the newline.
    pub fn to_json(&self) -> Result<String, RecordingError> {
        serde_json::to_string(self).map_err(|error| RecordingError::Encode {
            detail: error.to_string(),
        })
    }

    /// The line with everything it borrows copied.
    pub fn into_owned(self) -> Line<'static> {
        Line {
            at: self.at,
            wall: self.wall,
            entry: self.entry.into_owned(),
        }
    }
}

/// What one line records. Connections (`conn`) and Helix requests (`request`) are numbered from 1
/// in the order the core asked for them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Entry<'a> {
    /// Output: the core asked for connection `conn` to `url`.
    Connect {
        /// The connection.
        conn: u64,
        /// Where to.
        url: Cow<'a, str>,
    },
    /// Output: the core asked for connection `conn` to be closed with `code`.
    Close {
        /// The connection.
        conn: u64,
        /// The close code the client sends.
        code: u16,
    },
    /// Output: the core asked for connection `conn` to be dropped without a close handshake.
    Abort {
        /// The connection.
        conn: u64,
    },
    /// Input: the socket is open.
    Opened {
        /// The connection.
        conn: u64,
    },
    /// Input: the socket could not be opened.
    ConnectFailed {
        /// The connection.
        conn: u64,
        /// What went wrong.
        error: Cow<'a, str>,
    },
    /// Input: a text frame arrived.
    Text {
        /// The connection.
        conn: u64,
        /// The frame, exactly.
        text: Cow<'a, str>,
    },
    /// Input: a binary frame arrived (as hex).
    Binary {
        /// The connection.
        conn: u64,
        /// The frame.
        #[serde(with = "hex")]
        data: Cow<'a, [u8]>,
    },
    /// Input: the socket is closed.
    Closed {
        /// The connection.
        conn: u64,
        /// The close code; `null` when it ended without a close frame.
        code: Option<u16>,
        /// The close reason.
        reason: Cow<'a, str>,
    },
    /// Input: what Helix answered to a creation.
    SubscriptionCreated {
        /// The request.
        request: u64,
        /// The answer: `{"ok":{"id":..,"cost":..,"total_cost":..,"max_total_cost":..}}` or
        /// `{"err":{"kind":"rejected","status":403,"message":".."}}`.
        #[serde(with = "created_result")]
        result: Result<Created, RequestError>,
    },
    /// Input: what Helix answered to a deletion.
    SubscriptionDeleted {
        /// The request.
        request: u64,
        /// The answer: `{"ok":null}` or an `err` as for a creation.
        #[serde(with = "deleted_result")]
        result: Result<(), RequestError>,
    },
    /// Input: what Twitch answered to a token validation (never the token itself).
    TokenValidated {
        /// The request.
        request: u64,
        /// The answer: `{"ok":{"client_id":..,"user_id":..,"login":..,"scopes":[..],"expires_in_secs":..}}`
        /// (`user_id` and `login` null for an app token, `expires_in_secs` null when it does not
        /// expire) or an `err` as for a creation.
        #[serde(with = "validated_result")]
        result: Result<TokenIdentity, RequestError>,
    },
    /// Input: what Helix answered to a catch-up read.
    CatchUpRead {
        /// The request.
        request: u64,
        /// The answer: `{"ok":"<the body>"}` or an `err` as for a creation.
        #[serde(with = "read_result")]
        result: Result<String, RequestError>,
    },
    /// Input: what Helix answered to a shard assignment.
    ShardAssigned {
        /// The request.
        request: u64,
        /// The answer: `{"ok":null}`, `{"err":{"kind":"refused","code":"..","message":".."}}`
        /// (Twitch's per-shard error) or `{"err":{"kind":"request","error":{..}}}` (an `err` as
        /// for a creation).
        #[serde(with = "assigned_result")]
        result: Result<(), ShardAssignError>,
    },
    /// Input: what Helix answered to a batch of shard assignments.
    ShardsAssigned {
        /// The request.
        request: u64,
        /// Each shard's answer: `[{"shard":3,"result":{"ok":null}}, ..]`, each `result` spelled
        /// as for [`Entry::ShardAssigned`].
        results: Vec<ShardResultLine>,
    },
    /// Input: what Helix answered to a read of the conduit's shards.
    ConduitShardsRead {
        /// The request.
        request: u64,
        /// The answer: `{"ok":"<the body>"}` or an `err` as for a creation.
        #[serde(with = "read_result")]
        result: Result<String, RequestError>,
    },
    /// Input: what Helix answered to a resize of the conduit.
    ConduitResized {
        /// The request.
        request: u64,
        /// The answer: `{"ok":<shard count>}` or an `err` as for a creation.
        #[serde(with = "resized_result")]
        result: Result<u32, RequestError>,
    },
    /// Input: the adapter stopped reading its sockets (its consumer's buffer is full).
    ReadingPaused,
    /// Input: the adapter reads its sockets again.
    ReadingResumed,
    /// The adapter told the core that time passed (`handle_timeout`).
    Timeout,
    /// The user added a subscription.
    Subscribe {
        /// What.
        spec: SubscriptionSpec,
    },
    /// The user removed a subscription.
    Unsubscribe {
        /// What.
        spec: SubscriptionSpec,
    },
    /// The user shut the client down (or dropped its event stream).
    Shutdown,
}

impl Entry<'_> {
    /// The connection the line is about, if any.
    pub fn conn(&self) -> Option<u64> {
        match self {
            Self::Connect { conn, .. }
            | Self::Close { conn, .. }
            | Self::Abort { conn }
            | Self::Opened { conn }
            | Self::ConnectFailed { conn, .. }
            | Self::Text { conn, .. }
            | Self::Binary { conn, .. }
            | Self::Closed { conn, .. } => Some(*conn),
            _ => None,
        }
    }

    /// The entry with everything it borrows copied.
    pub fn into_owned(self) -> Entry<'static> {
        let owned = |text: Cow<'_, str>| Cow::Owned(text.into_owned());
        match self {
            Self::Connect { conn, url } => Entry::Connect {
                conn,
                url: owned(url),
            },
            Self::Close { conn, code } => Entry::Close { conn, code },
            Self::Abort { conn } => Entry::Abort { conn },
            Self::Opened { conn } => Entry::Opened { conn },
            Self::ConnectFailed { conn, error } => Entry::ConnectFailed {
                conn,
                error: owned(error),
            },
            Self::Text { conn, text } => Entry::Text {
                conn,
                text: owned(text),
            },
            Self::Binary { conn, data } => Entry::Binary {
                conn,
                data: Cow::Owned(data.into_owned()),
            },
            Self::Closed { conn, code, reason } => Entry::Closed {
                conn,
                code,
                reason: owned(reason),
            },
            Self::SubscriptionCreated { request, result } => {
                Entry::SubscriptionCreated { request, result }
            }
            Self::SubscriptionDeleted { request, result } => {
                Entry::SubscriptionDeleted { request, result }
            }
            Self::TokenValidated { request, result } => Entry::TokenValidated { request, result },
            Self::CatchUpRead { request, result } => Entry::CatchUpRead { request, result },
            Self::ShardAssigned { request, result } => Entry::ShardAssigned { request, result },
            Self::ShardsAssigned { request, results } => Entry::ShardsAssigned { request, results },
            Self::ConduitShardsRead { request, result } => {
                Entry::ConduitShardsRead { request, result }
            }
            Self::ConduitResized { request, result } => Entry::ConduitResized { request, result },
            Self::ReadingPaused => Entry::ReadingPaused,
            Self::ReadingResumed => Entry::ReadingResumed,
            Self::Timeout => Entry::Timeout,
            Self::Subscribe { spec } => Entry::Subscribe { spec },
            Self::Unsubscribe { spec } => Entry::Unsubscribe { spec },
            Self::Shutdown => Entry::Shutdown,
        }
    }
}

/// A wall time in RFC 3339 with nanoseconds (`2025-06-01T12:00:00.123456789Z`); `None` outside the
/// years 1 to 9999.
pub(crate) fn format_wall(time: SystemTime) -> Option<String> {
    let nanos = match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => i128::try_from(after.as_nanos()).ok()?,
        Err(before) => -i128::try_from(before.duration().as_nanos()).ok()?,
    };
    let utc = time::OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()?;
    utc.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// Reads what [`format_wall`] writes (any RFC 3339 time).
pub(crate) fn parse_wall(text: &str) -> Option<SystemTime> {
    let parsed =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    let nanos = parsed.unix_timestamp_nanos();
    let magnitude = nanos.unsigned_abs();
    let offset = Duration::new(
        u64::try_from(magnitude / 1_000_000_000).ok()?,
        u32::try_from(magnitude % 1_000_000_000).ok()?,
    );
    if nanos >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(offset)
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(offset)
    }
}

mod wall_time {
    use std::borrow::Cow;
    use std::time::SystemTime;

    use serde::de::Error as _;
    use serde::ser::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(time: &SystemTime, out: S) -> Result<S::Ok, S::Error> {
        let text = super::format_wall(*time)
            .ok_or_else(|| S::Error::custom("wall time outside the years 1 to 9999"))?;
        out.serialize_str(&text)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<SystemTime, D::Error> {
        let text = Cow::<str>::deserialize(input)?;
        super::parse_wall(&text)
            .ok_or_else(|| D::Error::custom(format!("`{text}` is not an RFC 3339 time")))
    }
}

mod nanos {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(at: &Duration, out: S) -> Result<S::Ok, S::Error> {
        // 584 years of nanoseconds fit; a longer run saturates.
        out.serialize_u64(u64::try_from(at.as_nanos()).unwrap_or(u64::MAX))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<Duration, D::Error> {
        u64::deserialize(input).map(Duration::from_nanos)
    }
}

mod hex {
    use std::borrow::Cow;
    use std::fmt::Write as _;

    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(data: &[u8], out: S) -> Result<S::Ok, S::Error> {
        let mut text = String::with_capacity(data.len() * 2);
        for byte in data.iter() {
            let _ = write!(text, "{byte:02x}");
        }
        out.serialize_str(&text)
    }

    pub(super) fn deserialize<'de, 'a, D: Deserializer<'de>>(
        input: D,
    ) -> Result<Cow<'a, [u8]>, D::Error> {
        let text = Cow::<str>::deserialize(input)?;
        let digits = text.as_bytes();
        if digits.len() % 2 != 0 {
            return Err(D::Error::custom("hex data of odd length"));
        }
        digits
            .chunks_exact(2)
            .map(|pair| {
                std::str::from_utf8(pair)
                    .ok()
                    .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                    .ok_or_else(|| D::Error::custom("data is not hex"))
            })
            .collect::<Result<Vec<u8>, _>>()
            .map(Cow::Owned)
    }
}

/// How a [`RequestError`] is spelled: `{"kind":"rejected","status":403,"message":".."}`.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum ErrorLine {
    AlreadyExists,
    Unauthorized { message: String },
    Rejected { status: u16, message: String },
    Unavailable { message: String },
}

impl From<&RequestError> for ErrorLine {
    fn from(error: &RequestError) -> Self {
        match error.clone() {
            RequestError::AlreadyExists => Self::AlreadyExists,
            RequestError::Unauthorized { message } => Self::Unauthorized { message },
            RequestError::Rejected { status, message } => Self::Rejected { status, message },
            RequestError::Unavailable { message } => Self::Unavailable { message },
        }
    }
}

impl From<ErrorLine> for RequestError {
    fn from(error: ErrorLine) -> Self {
        match error {
            ErrorLine::AlreadyExists => Self::AlreadyExists,
            ErrorLine::Unauthorized { message } => Self::Unauthorized { message },
            ErrorLine::Rejected { status, message } => Self::Rejected { status, message },
            ErrorLine::Unavailable { message } => Self::Unavailable { message },
        }
    }
}

/// How a Helix answer is spelled: `{"ok": ..}` or `{"err": ..}`.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ResultLine<T> {
    Ok(T),
    Err(ErrorLine),
}

#[derive(Serialize, Deserialize)]
struct CreatedLine {
    id: crate::ids::SubscriptionId,
    cost: u32,
    total_cost: u32,
    max_total_cost: u32,
}

mod created_result {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{CreatedLine, ResultLine};
    use crate::io::{Created, RequestError};

    pub(super) fn serialize<S: Serializer>(
        result: &Result<Created, RequestError>,
        out: S,
    ) -> Result<S::Ok, S::Error> {
        let line = match result {
            Ok(created) => ResultLine::Ok(CreatedLine {
                id: created.id.clone(),
                cost: created.cost,
                total_cost: created.total_cost,
                max_total_cost: created.max_total_cost,
            }),
            Err(error) => ResultLine::Err(error.into()),
        };
        line.serialize(out)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        input: D,
    ) -> Result<Result<Created, RequestError>, D::Error> {
        Ok(match ResultLine::<CreatedLine>::deserialize(input)? {
            ResultLine::Ok(created) => Ok(Created {
                id: created.id,
                cost: created.cost,
                total_cost: created.total_cost,
                max_total_cost: created.max_total_cost,
            }),
            ResultLine::Err(error) => Err(error.into()),
        })
    }
}

#[derive(Serialize, Deserialize)]
struct IdentityLine {
    client_id: String,
    user_id: Option<crate::ids::UserId>,
    login: Option<String>,
    scopes: Vec<String>,
    expires_in_secs: Option<f64>,
}

mod validated_result {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{IdentityLine, ResultLine};
    use crate::io::RequestError;
    use crate::token::TokenIdentity;

    pub(super) fn serialize<S: Serializer>(
        result: &Result<TokenIdentity, RequestError>,
        out: S,
    ) -> Result<S::Ok, S::Error> {
        let line = match result {
            Ok(identity) => ResultLine::Ok(IdentityLine {
                client_id: identity.client_id.clone(),
                user_id: identity.user_id.clone(),
                login: identity.login.clone(),
                scopes: identity.scopes.clone(),
                expires_in_secs: identity.expires_in.map(|d| d.as_secs_f64()),
            }),
            Err(error) => ResultLine::Err(error.into()),
        };
        line.serialize(out)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        input: D,
    ) -> Result<Result<TokenIdentity, RequestError>, D::Error> {
        Ok(match ResultLine::<IdentityLine>::deserialize(input)? {
            ResultLine::Ok(line) => Ok(TokenIdentity {
                client_id: line.client_id,
                user_id: line.user_id,
                login: line.login,
                scopes: line.scopes,
                // A recording is untrusted input: a negative, infinite or huge span is no expiry.
                expires_in: line
                    .expires_in_secs
                    .and_then(|secs| Duration::try_from_secs_f64(secs).ok()),
            }),
            ResultLine::Err(error) => Err(error.into()),
        })
    }
}

mod deleted_result {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::ResultLine;
    use crate::io::RequestError;

    pub(super) fn serialize<S: Serializer>(
        result: &Result<(), RequestError>,
        out: S,
    ) -> Result<S::Ok, S::Error> {
        let line = match result {
            Ok(()) => ResultLine::Ok(()),
            Err(error) => ResultLine::Err(error.into()),
        };
        line.serialize(out)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        input: D,
    ) -> Result<Result<(), RequestError>, D::Error> {
        Ok(match ResultLine::<()>::deserialize(input)? {
            ResultLine::Ok(()) => Ok(()),
            ResultLine::Err(error) => Err(error.into()),
        })
    }
}

mod read_result {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::ResultLine;
    use crate::io::RequestError;

    pub(super) fn serialize<S: Serializer>(
        result: &Result<String, RequestError>,
        out: S,
    ) -> Result<S::Ok, S::Error> {
        let line = match result {
            Ok(body) => ResultLine::Ok(body.as_str()),
            Err(error) => ResultLine::Err(error.into()),
        };
        line.serialize(out)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        input: D,
    ) -> Result<Result<String, RequestError>, D::Error> {
        Ok(match ResultLine::<String>::deserialize(input)? {
            ResultLine::Ok(body) => Ok(body),
            ResultLine::Err(error) => Err(error.into()),
        })
    }
}

/// One shard's answer in a batch of assignments ([`Entry::ShardsAssigned`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShardResultLine {
    /// The shard's id.
    pub shard: u32,
    /// Its answer, spelled as for [`Entry::ShardAssigned`].
    #[serde(with = "assigned_result")]
    pub result: Result<(), ShardAssignError>,
}

impl ShardResultLine {
    /// Shard `shard`'s answer `result`.
    pub fn new(shard: u32, result: Result<(), ShardAssignError>) -> Self {
        Self { shard, result }
    }
}

mod resized_result {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::ResultLine;
    use crate::io::RequestError;

    pub(super) fn serialize<S: Serializer>(
        result: &Result<u32, RequestError>,
        out: S,
    ) -> Result<S::Ok, S::Error> {
        let line = match result {
            Ok(count) => ResultLine::Ok(*count),
            Err(error) => ResultLine::Err(error.into()),
        };
        line.serialize(out)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        input: D,
    ) -> Result<Result<u32, RequestError>, D::Error> {
        Ok(match ResultLine::<u32>::deserialize(input)? {
            ResultLine::Ok(count) => Ok(count),
            ResultLine::Err(error) => Err(error.into()),
        })
    }
}

/// How a shard assignment's answer is spelled: `{"ok":null}` or `{"err": ..}`.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum AssignedLine {
    Ok(()),
    Err(ShardErrorLine),
}

/// How a [`ShardAssignError`] is spelled.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum ShardErrorLine {
    Refused { code: String, message: String },
    Request { error: ErrorLine },
}

mod assigned_result {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{AssignedLine, ShardErrorLine};
    use crate::shard::ShardAssignError;

    pub(super) fn serialize<S: Serializer>(
        result: &Result<(), ShardAssignError>,
        out: S,
    ) -> Result<S::Ok, S::Error> {
        let line = match result {
            Ok(()) => AssignedLine::Ok(()),
            Err(ShardAssignError::Refused { code, message }) => {
                AssignedLine::Err(ShardErrorLine::Refused {
                    code: code.clone(),
                    message: message.clone(),
                })
            }
            Err(ShardAssignError::Request(error)) => AssignedLine::Err(ShardErrorLine::Request {
                error: error.into(),
            }),
        };
        line.serialize(out)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        input: D,
    ) -> Result<Result<(), ShardAssignError>, D::Error> {
        Ok(match AssignedLine::deserialize(input)? {
            AssignedLine::Ok(()) => Ok(()),
            AssignedLine::Err(ShardErrorLine::Refused { code, message }) => {
                Err(ShardAssignError::Refused { code, message })
            }
            AssignedLine::Err(ShardErrorLine::Request { error }) => {
                Err(ShardAssignError::Request(error.into()))
            }
        })
    }
}
