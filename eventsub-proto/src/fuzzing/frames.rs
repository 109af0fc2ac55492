//! EventSub messages as JSON values, shaped as Twitch sends them, for the targets that drive a
//! client; values rather than text so the structure-aware target can damage them field by field.

use serde_json::{Value, json};

use crate::subscription::SubscriptionSpec;

/// What every message of one frame shares.
pub(crate) struct Envelope<'a> {
    pub(crate) message_id: &'a str,
    pub(crate) timestamp: &'a str,
    pub(crate) session_id: &'a str,
}

impl Envelope<'_> {
    /// A message of `message_type` with `payload`.
    pub(crate) fn message(&self, message_type: &str, payload: Value) -> Value {
        json!({
            "metadata": {
                "message_id": self.message_id,
                "message_type": message_type,
                "message_timestamp": self.timestamp,
            },
            "payload": payload,
        })
    }

    fn session(
        &self,
        status: &str,
        keepalive_seconds: Option<u64>,
        reconnect_url: Option<&str>,
    ) -> Value {
        json!({"session": {
            "id": self.session_id,
            "status": status,
            "keepalive_timeout_seconds": keepalive_seconds,
            "reconnect_url": reconnect_url,
            "recovery_url": null,
            "connected_at": self.timestamp,
        }})
    }

    /// A `session_welcome`.
    pub(crate) fn welcome(&self, keepalive_seconds: u64) -> Value {
        self.message(
            "session_welcome",
            self.session("connected", Some(keepalive_seconds), None),
        )
    }

    /// A `session_keepalive`.
    pub(crate) fn keepalive(&self) -> Value {
        self.message("session_keepalive", json!({}))
    }

    /// A `session_reconnect` to `url`, where Twitch puts it: `payload.session.reconnect_url`.
    pub(crate) fn reconnect(&self, url: &str) -> Value {
        self.message(
            "session_reconnect",
            self.session("reconnecting", None, Some(url)),
        )
    }

    /// The subscription object of a notification or revocation.
    pub(crate) fn subscription(&self, id: &str, status: &str, spec: &SubscriptionSpec) -> Value {
        json!({
            "id": id,
            "status": status,
            "type": spec.kind,
            "version": spec.version,
            "cost": 0,
            "condition": spec.condition,
            "transport": {"method": "websocket", "session_id": self.session_id},
            "created_at": self.timestamp,
        })
    }

    /// A `notification` carrying `events`: one as `payload.event`, or (with `batch`) all of them as
    /// `payload.events`.
    pub(crate) fn notification(
        &self,
        subscription: Value,
        events: Vec<Value>,
        batch: bool,
    ) -> Value {
        let payload = if batch {
            let items: Vec<Value> = events
                .into_iter()
                .enumerate()
                .map(|(index, data)| json!({"id": format!("item-{index}"), "data": data}))
                .collect();
            json!({"subscription": subscription, "events": items})
        } else {
            let event = events.into_iter().next().unwrap_or_else(|| json!({}));
            json!({"subscription": subscription, "event": event})
        };
        self.about_subscription("notification", payload)
    }

    /// A `revocation` of `subscription` (its `status` is the reason).
    pub(crate) fn revocation(&self, subscription: Value) -> Value {
        self.about_subscription("revocation", json!({"subscription": subscription}))
    }

    /// A message about `payload.subscription`, whose type and version Twitch repeats in the metadata.
    fn about_subscription(&self, message_type: &str, payload: Value) -> Value {
        let field = |name| payload.pointer(name).cloned().unwrap_or(Value::Null);
        let (kind, version) = (field("/subscription/type"), field("/subscription/version"));
        let mut message = self.message(message_type, payload);
        if let Some(metadata) = message.get_mut("metadata").and_then(Value::as_object_mut) {
            metadata.insert("subscription_type".to_owned(), kind);
            metadata.insert("subscription_version".to_owned(), version);
        }
        message
    }
}
