//! EventSub messages as Twitch writes them: what the mock server sends, and what a test can feed
//! the sans-IO core directly.

use serde_json::{Value, json};
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

/// How Twitch writes `message_timestamp`: UTC, nanoseconds (formatting fails only past 9999).
pub(crate) const MESSAGE_TIMESTAMP: &[BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z");

/// Builds the JSON text of EventSub messages.
///
/// ```
/// use eventsub_mock::frames::Frames;
/// let frames = Frames::default().with_timestamp("2025-06-01T12:00:00Z");
/// assert!(frames.keepalive("m-1").contains("2025-06-01T12:00:00Z"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Frames {
    /// The `message_timestamp` put in every message.
    pub timestamp: String,
}

impl Default for Frames {
    fn default() -> Self {
        Self {
            timestamp: "2022-11-16T10:11:12.634234626Z".to_owned(),
        }
    }
}

impl Frames {
    /// Stamps every message with `timestamp` (RFC 3339) as its `message_timestamp`.
    #[must_use]
    pub fn with_timestamp(mut self, timestamp: impl Into<String>) -> Self {
        self.timestamp = timestamp.into();
        self
    }

    fn metadata(&self, message_id: &str, message_type: &str) -> Value {
        json!({
            "message_id": message_id,
            "message_type": message_type,
            "message_timestamp": self.timestamp,
        })
    }

    /// The metadata of a message about a subscription of `kind` v1.
    fn subscription_metadata(&self, message_id: &str, message_type: &str, kind: &str) -> Value {
        json!({
            "message_id": message_id,
            "message_type": message_type,
            "message_timestamp": self.timestamp,
            "subscription_type": kind,
            "subscription_version": "1",
        })
    }

    /// A `session_welcome`.
    pub fn welcome(&self, message_id: &str, session_id: &str, keepalive_seconds: u64) -> String {
        json!({
            "metadata": self.metadata(message_id, "session_welcome"),
            "payload": {"session": {
                "id": session_id,
                "status": "connected",
                "keepalive_timeout_seconds": keepalive_seconds,
                "reconnect_url": null,
                "recovery_url": null,
                "connected_at": self.timestamp,
            }}
        })
        .to_string()
    }

    /// A `session_keepalive`.
    pub fn keepalive(&self, message_id: &str) -> String {
        json!({"metadata": self.metadata(message_id, "session_keepalive"), "payload": {}})
            .to_string()
    }

    /// A `session_reconnect` pointing at `url` (in `payload.session.reconnect_url`).
    pub fn reconnect(&self, message_id: &str, session_id: &str, url: &str) -> String {
        json!({
            "metadata": self.metadata(message_id, "session_reconnect"),
            "payload": {"session": {
                "id": session_id,
                "status": "reconnecting",
                "keepalive_timeout_seconds": null,
                "reconnect_url": url,
                "recovery_url": null,
                "connected_at": self.timestamp,
            }}
        })
        .to_string()
    }

    fn subscription(&self, kind: &str, session_id: &str, status: &str) -> Value {
        json!({
            "id": format!("sub-{kind}"),
            "status": status,
            "type": kind,
            "version": "1",
            "cost": 0,
            "condition": {"broadcaster_user_id": "12826"},
            "transport": {"method": "websocket", "session_id": session_id},
            "created_at": self.timestamp,
        })
    }

    /// A `notification` of `kind` v1 whose event carries `sequence`.
    pub fn notification(
        &self,
        message_id: &str,
        session_id: &str,
        kind: &str,
        sequence: u64,
    ) -> String {
        let metadata = self.subscription_metadata(message_id, "notification", kind);
        json!({
            "metadata": metadata,
            "payload": {
                "subscription": self.subscription(kind, session_id, "enabled"),
                "event": {"sequence": sequence, "broadcaster_user_id": "12826"},
            }
        })
        .to_string()
    }

    /// A `revocation` of `kind` v1 with `status` as the reason.
    pub fn revocation(
        &self,
        message_id: &str,
        session_id: &str,
        kind: &str,
        status: &str,
    ) -> String {
        let metadata = self.subscription_metadata(message_id, "revocation", kind);
        json!({
            "metadata": metadata,
            "payload": {"subscription": self.subscription(kind, session_id, status)}
        })
        .to_string()
    }
}
