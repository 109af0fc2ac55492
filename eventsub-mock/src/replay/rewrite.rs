//! What a replayed frame needs changed to work against a server that is not the recorded one: the
//! reconnect URL (this server, not the recorded one) and, optionally, `message_timestamp` (as old
//! relative to now as it was relative to its recorded arrival, so the client does not drop it as
//! stale). Everything else goes out byte for byte.

use std::time::SystemTime;

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::frames::MESSAGE_TIMESTAMP;

/// A frame prepared for sending, and the session it welcomes, if it is a `session_welcome`.
pub(crate) struct Prepared {
    pub(crate) text: String,
    pub(crate) welcomed_session: Option<String>,
}

/// `text` with the first JSON string `old` replaced by `new`; `None` when `old` is not spelled
/// that way in it.
fn replace_string(text: &str, old: &str, new: &str) -> Option<String> {
    let old = serde_json::to_string(old).ok()?;
    let new = serde_json::to_string(new).ok()?;
    text.contains(&old).then(|| text.replacen(&old, &new, 1))
}

/// `timestamp` moved by as much as the clock moved from `recorded` to `now`; `None` when it is no
/// RFC 3339 time or would leave the years 0 to 9999.
fn shifted(timestamp: &str, recorded: SystemTime, now: SystemTime) -> Option<String> {
    let time = OffsetDateTime::parse(timestamp, &Rfc3339).ok()?;
    let moved = match now.duration_since(recorded) {
        Ok(later) => time.checked_add(later.try_into().ok()?)?,
        Err(earlier) => time.checked_sub(earlier.duration().try_into().ok()?)?,
    };
    moved.format(MESSAGE_TIMESTAMP).ok()
}

/// Prepares a recorded text frame: reconnect URLs point at `reconnect_url`, and with `shift`
/// (the frame's recorded arrival and now) the timestamp moves with the clock. A frame that is not
/// JSON goes out as recorded.
pub(crate) fn prepare(
    text: &str,
    reconnect_url: &str,
    shift: Option<(SystemTime, SystemTime)>,
) -> Prepared {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return Prepared {
            text: text.to_owned(),
            welcomed_session: None,
        };
    };
    let message_type = value
        .pointer("/metadata/message_type")
        .and_then(Value::as_str);
    let mut out = text.to_owned();
    if message_type == Some("session_reconnect") {
        if let Some(old) = value
            .pointer("/payload/session/reconnect_url")
            .and_then(Value::as_str)
        {
            out = match replace_string(&out, old, reconnect_url) {
                Some(replaced) => replaced,
                // Spelled with escapes the search missed: write the whole frame anew.
                None => {
                    let mut value = value.clone();
                    if let Some(url) = value.pointer_mut("/payload/session/reconnect_url") {
                        *url = Value::String(reconnect_url.to_owned());
                    }
                    value.to_string()
                }
            };
        }
    }
    if let Some((recorded, now)) = shift {
        if let Some(timestamp) = value
            .pointer("/metadata/message_timestamp")
            .and_then(Value::as_str)
        {
            if let Some(new) = shifted(timestamp, recorded, now) {
                // The metadata comes first in Twitch's frames: its timestamp is the first one.
                out = replace_string(&out, timestamp, &new).unwrap_or(out);
            }
        }
    }
    let welcomed_session = (message_type == Some("session_welcome"))
        .then(|| value.pointer("/payload/session/id").and_then(Value::as_str))
        .flatten()
        .map(str::to_owned);
    Prepared {
        text: out,
        welcomed_session,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECONNECT: &str = r#"{"metadata":{"message_id":"r","message_type":"session_reconnect","message_timestamp":"2022-11-16T10:11:12.5Z"},"payload":{"session":{"id":"s","status":"reconnecting","keepalive_timeout_seconds":null,"reconnect_url":"wss://eventsub.wss.twitch.tv/ws?id=abc","connected_at":"2022-11-16T10:11:12Z"}}}"#;

    #[test]
    fn a_reconnect_url_points_at_the_replaying_server() {
        let prepared = prepare(RECONNECT, "ws://127.0.0.1:9/ws", None);
        assert_eq!(
            prepared.text,
            RECONNECT.replace(
                "wss://eventsub.wss.twitch.tv/ws?id=abc",
                "ws://127.0.0.1:9/ws"
            )
        );
    }

    #[test]
    fn a_timestamp_moves_with_the_clock() -> Result<(), time::error::Parse> {
        let at = |text| OffsetDateTime::parse(text, &Rfc3339).map(SystemTime::from);
        let recorded = at("2022-11-16T10:11:13Z")?;
        let now = at("2025-01-01T00:00:01Z")?;
        let prepared = prepare(RECONNECT, "ws://x/ws", Some((recorded, now)));
        assert!(
            prepared
                .text
                .contains(r#""message_timestamp":"2025-01-01T00:00:00.500000000Z""#),
            "{}",
            prepared.text
        );
        assert!(
            prepared
                .text
                .contains(r#""connected_at":"2022-11-16T10:11:12Z""#)
        );
        Ok(())
    }

    #[test]
    fn a_frame_that_is_not_json_goes_out_as_recorded() {
        let prepared = prepare(
            "not {json",
            "ws://x/ws",
            Some((SystemTime::now(), SystemTime::now())),
        );
        assert_eq!(prepared.text, "not {json");
        assert_eq!(prepared.welcomed_session, None);
    }
}
