//! Subscriptions: what the user wants (`SubscriptionSpec`), what Twitch reports (`Subscription`), and the
//! limits that decide up front whether a wanted subscription can exist at all.
//!
//! These types are shared with `eventsub-helix`: the Helix request body is built from a
//! `SubscriptionSpec` and Helix responses decode into `Subscription`, the same object Twitch embeds in
//! every notification and revocation.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ids::{ConduitId, SessionId, SubscriptionId};

/// Twitch's hard cap of enabled subscriptions on one WebSocket session.
pub const MAX_SUBSCRIPTIONS_PER_CONNECTION: usize = 300;

/// Twitch's default `max_total_cost` for a user token (shared by all of that token's connections).
pub const DEFAULT_MAX_TOTAL_COST: u32 = 10;

/// One subscription the user wants: its type, version and condition.
///
/// ```
/// use eventsub_proto::SubscriptionSpec;
/// let follow = SubscriptionSpec::new("channel.follow", "2")
///     .with_condition("broadcaster_user_id", "12826")
///     .with_condition("moderator_user_id", "12826");
/// assert_eq!(follow.condition_str("moderator_user_id"), Some("12826"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SubscriptionSpec {
    /// The subscription type, such as `channel.follow`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The version of the type, such as `2`.
    pub version: String,
    /// The condition object, such as `{"broadcaster_user_id": "12826"}`.
    pub condition: Map<String, Value>,
}

impl SubscriptionSpec {
    /// A subscription of `kind` at `version` with an empty condition.
    pub fn new(kind: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            version: version.into(),
            condition: Map::new(),
        }
    }

    /// Adds one string field to the condition.
    pub fn with_condition(mut self, field: impl Into<String>, value: impl Into<String>) -> Self {
        self.condition
            .insert(field.into(), Value::String(value.into()));
        self
    }

    /// A string field of the condition, if present.
    pub fn condition_str(&self, field: &str) -> Option<&str> {
        self.condition.get(field).and_then(Value::as_str)
    }

    /// The cost Twitch will most likely charge for this subscription when created with the token of
    /// `token_user_id`: 0 when that user is the one the condition is about (the broadcaster or user
    /// who authorised it), 1 otherwise. Twitch's answer (`cost` in the response) always wins.
    pub fn estimated_cost(&self, token_user_id: Option<&str>) -> u32 {
        const OWNER_FIELDS: [&str; 5] = [
            "broadcaster_user_id",
            // Twitch's older reference named channel.ad_break.begin's broadcaster this way, so raw
            // specs written after it may still do.
            "broadcaster_id",
            "user_id",
            "to_broadcaster_user_id",
            "from_broadcaster_user_id",
        ];
        let Some(owner) = token_user_id else { return 1 };
        let owned = OWNER_FIELDS
            .iter()
            .any(|field| self.condition_str(field) == Some(owner));
        if owned { 0 } else { 1 }
    }
}

impl fmt::Display for SubscriptionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} v{} {}",
            self.kind,
            self.version,
            Value::Object(self.condition.clone())
        )
    }
}

/// A subscription as Twitch reports it: in Helix responses and inside notifications and revocations.
///
/// Made by decoding Twitch's JSON, which is also how a test makes one by hand:
///
/// ```
/// use eventsub_proto::{Subscription, SubscriptionStatus};
/// let subscription: Subscription = serde_json::from_str(r#"{
///     "id": "f1c2a387-161a-49f9-a165-0f21d7a4e1c4", "status": "authorization_revoked",
///     "type": "channel.follow", "version": "2", "cost": 0,
///     "condition": {"broadcaster_user_id": "12826", "moderator_user_id": "12826"},
///     "transport": {"method": "websocket", "session_id": "AQoQexAWVYKSTIu4ec_2VAxyuhAB"},
///     "created_at": "2023-11-06T18:11:47.492253549Z"
/// }"#)?;
/// assert_eq!(subscription.status, SubscriptionStatus::AuthorizationRevoked);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Subscription {
    /// The id Twitch gave the subscription.
    pub id: SubscriptionId,
    /// Whether it is enabled, and if not why.
    pub status: SubscriptionStatus,
    /// The subscription type, such as `channel.follow`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The version of the type.
    pub version: String,
    /// What this subscription costs against `max_total_cost`.
    #[serde(default)]
    pub cost: u32,
    /// The condition it was created with.
    pub condition: Map<String, Value>,
    /// Where its notifications go.
    pub transport: Transport,
    /// When it was created (RFC 3339), as Twitch sent it.
    pub created_at: String,
}

impl Subscription {
    /// The type, version and condition of this subscription, to compare with what was asked for.
    pub fn spec(&self) -> SubscriptionSpec {
        SubscriptionSpec {
            kind: self.kind.clone(),
            version: self.version.clone(),
            condition: self.condition.clone(),
        }
    }
}

/// Where a subscription's notifications are delivered, as Twitch reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Transport {
    /// A WebSocket session.
    Websocket {
        /// The session the subscription belongs to.
        session_id: SessionId,
        /// When the session connected (RFC 3339), when Twitch says.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        connected_at: Option<String>,
        /// When the session disconnected (RFC 3339), when Twitch says.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        disconnected_at: Option<String>,
    },
    /// A conduit, which spreads notifications over its shards.
    Conduit {
        /// The conduit the subscription belongs to.
        conduit_id: ConduitId,
    },
    /// A webhook callback.
    Webhook {
        /// The HTTPS callback URL.
        callback: String,
    },
}

macro_rules! statuses {
    ($($(#[$doc:meta])* $variant:ident => $text:literal,)*) => {
        /// The status of a subscription. Twitch adds values over time; an unknown one is kept as
        /// [`SubscriptionStatus::Other`], never an error.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum SubscriptionStatus {
            $($(#[$doc])* $variant,)*
            /// A status this version of the crate does not know, as Twitch spelled it.
            Other(String),
        }

        impl SubscriptionStatus {
            /// The status as Twitch spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(text) => text,
                }
            }

            /// Reads a status as Twitch spells it.
            pub fn parse(text: &str) -> Self {
                match text {
                    $($text => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }
    };
}

statuses! {
    /// Delivering notifications.
    Enabled => "enabled",
    /// Waiting for a webhook callback to be verified.
    WebhookCallbackVerificationPending => "webhook_callback_verification_pending",
    /// A webhook callback failed verification.
    WebhookCallbackVerificationFailed => "webhook_callback_verification_failed",
    /// A webhook callback failed too often.
    NotificationFailuresExceeded => "notification_failures_exceeded",
    /// The user revoked the authorization the subscription relied on.
    AuthorizationRevoked => "authorization_revoked",
    /// The moderator in the condition is no longer a moderator.
    ModeratorRemoved => "moderator_removed",
    /// A user in the condition was removed (deleted or banned from Twitch).
    UserRemoved => "user_removed",
    /// The user in the condition was banned from the chat.
    ChatUserBanned => "chat_user_banned",
    /// Twitch no longer supports this version of the type.
    VersionRemoved => "version_removed",
    /// The beta type is under maintenance.
    BetaMaintenance => "beta_maintenance",
    /// The WebSocket session disconnected.
    WebsocketDisconnected => "websocket_disconnected",
    /// The client did not answer a ping.
    WebsocketFailedPingPong => "websocket_failed_ping_pong",
    /// The client sent a frame to the server.
    WebsocketReceivedInboundTraffic => "websocket_received_inbound_traffic",
    /// The session had no subscription in time.
    WebsocketConnectionUnused => "websocket_connection_unused",
    /// Twitch had an internal error on the session.
    WebsocketInternalError => "websocket_internal_error",
    /// The session timed out at the network level.
    WebsocketNetworkTimeout => "websocket_network_timeout",
    /// The session had a network error.
    WebsocketNetworkError => "websocket_network_error",
    /// The client did not complete a reconnect.
    WebsocketFailedToReconnect => "websocket_failed_to_reconnect",
    /// The conduit the subscription belonged to was deleted.
    ConduitDeleted => "conduit_deleted",
}

impl fmt::Display for SubscriptionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for SubscriptionStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SubscriptionStatus {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Self::parse(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscription_from_the_reference_decodes() -> Result<(), Box<dyn std::error::Error>> {
        let json = r#"{"id":"f1c2a387-161a-49f9-a165-0f21d7a4e1c4","status":"enabled","type":"channel.follow",
            "version":"2","cost":0,"condition":{"broadcaster_user_id":"12826","moderator_user_id":"12826"},
            "transport":{"method":"websocket","session_id":"AQoQexAWVYKSTIu4ec_2VAxyuhAB"},
            "created_at":"2022-11-16T10:11:12.464757833Z"}"#;
        let subscription: Subscription = serde_json::from_str(json)?;
        assert_eq!(subscription.status, SubscriptionStatus::Enabled);
        assert_eq!(
            subscription.transport,
            Transport::Websocket {
                session_id: SessionId::new("AQoQexAWVYKSTIu4ec_2VAxyuhAB"),
                connected_at: None,
                disconnected_at: None
            }
        );
        assert_eq!(
            subscription.spec().condition_str("broadcaster_user_id"),
            Some("12826")
        );
        Ok(())
    }

    #[test]
    fn unknown_status_is_data_not_an_error() -> Result<(), Box<dyn std::error::Error>> {
        let status: SubscriptionStatus = serde_json::from_str("\"brand_new_reason\"")?;
        assert_eq!(status, SubscriptionStatus::Other("brand_new_reason".into()));
        assert_eq!(serde_json::to_string(&status)?, "\"brand_new_reason\"");
        Ok(())
    }

    #[test]
    fn cost_is_zero_only_for_the_token_owner() {
        let spec = SubscriptionSpec::new("channel.follow", "2")
            .with_condition("broadcaster_user_id", "1")
            .with_condition("moderator_user_id", "2");
        assert_eq!(spec.estimated_cost(Some("1")), 0);
        assert_eq!(spec.estimated_cost(Some("2")), 1);
        assert_eq!(spec.estimated_cost(None), 1);
        let ad_break = SubscriptionSpec::new("channel.ad_break.begin", "1")
            .with_condition("broadcaster_id", "1");
        assert_eq!(ad_break.estimated_cost(Some("1")), 0);
    }

    #[test]
    fn spec_serializes_as_the_helix_body_fields() -> Result<(), Box<dyn std::error::Error>> {
        let spec =
            SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "7");
        assert_eq!(
            serde_json::to_value(&spec)?,
            serde_json::json!({"type":"stream.online","version":"1","condition":{"broadcaster_user_id":"7"}})
        );
        Ok(())
    }
}
