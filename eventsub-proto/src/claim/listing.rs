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

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &str) -> Result<Page, ListingError> {
        parse_page(body, MAX_CONDUIT_SHARDS as usize)
    }

    #[test]
    fn a_page_gives_each_shard_its_status_and_session_and_the_next_cursor()
    -> Result<(), ListingError> {
        let body = r#"{"data":[
            {"id":"0","status":"enabled","transport":{"method":"websocket","session_id":"s0","connected_at":"2022-11-16T10:11:12Z"}},
            {"id":"1","status":"websocket_disconnected","transport":{"method":"websocket","session_id":"s1","connected_at":"x","disconnected_at":"y"}},
            {"id":"2","status":"websocket_disconnected"},
            {"id":"3","status":"webhook_callback_verification_pending","transport":{"method":"webhook","callback":"https://example.com"}},
            {"id":"4","status":"some_status_twitch_adds_later"}
        ],"pagination":{"cursor":"next-page"}}"#;
        let page = page(body)?;
        let seen: Vec<(u32, ShardStatus, Option<&str>)> = page
            .shards
            .iter()
            .map(|shard| {
                (
                    shard.id,
                    shard.status,
                    shard.session_id.as_ref().map(SessionId::as_str),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (0, ShardStatus::Enabled, Some("s0")),
                (1, ShardStatus::Disabled, Some("s1")),
                (2, ShardStatus::Disabled, None),
                (3, ShardStatus::VerificationPending, None),
                (4, ShardStatus::Disabled, None),
            ]
        );
        assert_eq!(page.cursor.as_deref(), Some("next-page"));
        Ok(())
    }

    #[test]
    fn the_last_page_has_no_cursor_however_it_says_so() -> Result<(), ListingError> {
        for body in [
            r#"{"data":[],"pagination":{}}"#,
            r#"{"data":[]}"#,
            r#"{"data":[],"pagination":{"cursor":""}}"#,
            r#"{"data":[],"pagination":null}"#,
        ] {
            assert_eq!(page(body)?.cursor, None, "{body}");
        }
        Ok(())
    }

    #[test]
    fn a_body_that_is_not_a_listing_is_a_typed_error() {
        for body in [
            "",
            "not json",
            "[]",
            r#"{"data":{}}"#,
            r#"{"data":[{"id":"0"}]}"#,
            r#"{"data":[{"id":0,"status":"enabled"}]}"#,
        ] {
            assert!(
                matches!(page(body), Err(ListingError::Malformed { .. })),
                "{body}"
            );
        }
    }

    #[test]
    fn shard_ids_must_be_numbers_below_the_largest_conduit() -> Result<(), ListingError> {
        for id in ["-1", "zero", "20000", "99999999999", "1.5"] {
            let body = format!(r#"{{"data":[{{"id":"{id}","status":"enabled"}}]}}"#);
            assert!(
                matches!(page(&body), Err(ListingError::BadShardId { .. })),
                "{id}"
            );
        }
        let body = r#"{"data":[{"id":"19999","status":"enabled"}]}"#;
        let ids: Vec<u32> = page(body)?.shards.iter().map(|shard| shard.id).collect();
        assert_eq!(ids, [19_999]);
        Ok(())
    }

    #[test]
    fn sizes_from_the_network_are_bounded() {
        let cursor = "c".repeat(MAX_CURSOR_BYTES + 1);
        let body = format!(r#"{{"data":[],"pagination":{{"cursor":"{cursor}"}}}}"#);
        assert!(matches!(
            page(&body),
            Err(ListingError::CursorTooLong { .. })
        ));
        let session = "s".repeat(MAX_SESSION_ID_BYTES + 1);
        let body = format!(
            r#"{{"data":[{{"id":"0","status":"enabled","transport":{{"method":"websocket","session_id":"{session}"}}}}]}}"#
        );
        assert!(matches!(page(&body), Err(ListingError::Malformed { .. })));
        let huge = format!(
            r#"{{"data":[],"padding":"{}"}}"#,
            "x".repeat(MAX_PAGE_BYTES)
        );
        assert!(matches!(
            page(&huge),
            Err(ListingError::PageTooLarge { .. })
        ));
        let two = r#"{"data":[{"id":"0","status":"enabled"},{"id":"1","status":"enabled"}]}"#;
        assert!(matches!(
            parse_page(two, 1),
            Err(ListingError::TooManyShards { .. })
        ));
        assert!(parse_page(two, 2).is_ok());
    }

    #[test]
    fn an_error_repeats_little_of_what_it_was_sent() {
        let id = "x".repeat(10_000);
        let body = format!(r#"{{"data":[{{"id":"{id}","status":"enabled"}}]}}"#);
        let Err(ListingError::BadShardId { id }) = page(&body) else {
            panic!("a bad id");
        };
        assert_eq!(id.chars().count(), MAX_DETAIL_CHARS);
    }
}
