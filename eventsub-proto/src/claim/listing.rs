//! Reading one page of Get Conduit Shards: untrusted network input, bounded before use.

use serde::Deserialize;

use super::config::MAX_CONDUIT_SHARDS;
use super::error::ListingError;
use crate::ids::SessionId;

/// The longest pagination cursor kept (Twitch's are far shorter).
pub const MAX_CURSOR_BYTES: usize = 1024;
/// The most pages one read follows: enough for the largest conduit in small pages.
pub const MAX_PAGES_PER_READ: u32 = 1_000;
/// The largest page body read (a page of 100 shards is some 30 kB).
pub const MAX_PAGE_BYTES: usize = 1 << 20;
/// The longest session id kept (Twitch's are 40-odd characters).
const MAX_SESSION_ID_BYTES: usize = 256;
/// How much of an unusable value an error repeats.
const MAX_DETAIL_CHARS: usize = 64;

/// Where a shard stands, as far as claiming cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ShardStatus {
    /// Notifications reach it: someone holds it.
    Enabled,
    /// A webhook is being verified for it: someone is setting it up right now.
    VerificationPending,
    /// Any other status, known (`websocket_disconnected`, `notification_failures_exceeded`, …)
    /// or not: no notification reaches it, so it is free to take.
    Disabled,
}

/// One shard as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ListedShard {
    pub(crate) id: u32,
    pub(crate) status: ShardStatus,
    /// The websocket session it points at, if it points at one.
    pub(crate) session_id: Option<SessionId>,
}

/// One page: its shards and the cursor of the next, if any.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Page {
    pub(crate) shards: Vec<ListedShard>,
    pub(crate) cursor: Option<String>,
}

#[derive(Deserialize)]
struct Body<'a> {
    #[serde(borrow)]
    data: Vec<RawShard<'a>>,
    #[serde(default, borrow)]
    pagination: Option<Pagination<'a>>,
}

#[derive(Deserialize)]
struct RawShard<'a> {
    #[serde(borrow)]
    id: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    status: std::borrow::Cow<'a, str>,
    #[serde(default, borrow)]
    transport: Option<Transport<'a>>,
}

#[derive(Deserialize)]
struct Transport<'a> {
    #[serde(default, borrow)]
    method: Option<std::borrow::Cow<'a, str>>,
    #[serde(default, borrow)]
    session_id: Option<std::borrow::Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Pagination<'a> {
    #[serde(default, borrow)]
    cursor: Option<std::borrow::Cow<'a, str>>,
}

/// Reads one page; `room` is how many more shards the read may take in all.
pub(crate) fn parse_page(body: &str, room: usize) -> Result<Page, ListingError> {
    if body.len() > MAX_PAGE_BYTES {
        return Err(ListingError::PageTooLarge {
            len: body.len(),
            max: MAX_PAGE_BYTES,
        });
    }
    let body: Body<'_> = serde_json::from_str(body).map_err(|error| ListingError::Malformed {
        detail: shortened(&error.to_string()),
    })?;
    if body.data.len() > room {
        return Err(ListingError::TooManyShards {
            max: MAX_CONDUIT_SHARDS as usize,
        });
    }
    let shards = body
        .data
        .into_iter()
        .map(listed)
        .collect::<Result<Vec<_>, _>>()?;
    let cursor = body
        .pagination
        .and_then(|pagination| pagination.cursor)
        .filter(|cursor| !cursor.is_empty());
    if let Some(cursor) = &cursor {
        if cursor.len() > MAX_CURSOR_BYTES {
            return Err(ListingError::CursorTooLong {
                len: cursor.len(),
                max: MAX_CURSOR_BYTES,
            });
        }
    }
    Ok(Page {
        shards,
        cursor: cursor.map(std::borrow::Cow::into_owned),
    })
}

fn listed(raw: RawShard<'_>) -> Result<ListedShard, ListingError> {
    let id = raw
        .id
        .parse::<u32>()
        .ok()
        .filter(|id| *id < MAX_CONDUIT_SHARDS)
        .ok_or_else(|| ListingError::BadShardId {
            id: shortened(&raw.id),
        })?;
    let status = match &*raw.status {
        "enabled" => ShardStatus::Enabled,
        "webhook_callback_verification_pending" => ShardStatus::VerificationPending,
        _ => ShardStatus::Disabled,
    };
    let session_id = match raw.transport {
        Some(Transport {
            method,
            session_id: Some(session_id),
        }) if method.as_deref().is_none_or(|method| method == "websocket") => {
            if session_id.len() > MAX_SESSION_ID_BYTES {
                return Err(ListingError::Malformed {
                    detail: format!("shard {id}: a session id over {MAX_SESSION_ID_BYTES} bytes"),
                });
            }
            Some(SessionId::new(session_id.into_owned()))
        }
        _ => None,
    };
    Ok(ListedShard {
        id,
        status,
        session_id,
    })
}

fn shortened(text: &str) -> String {
    text.chars().take(MAX_DETAIL_CHARS).collect()
}
