//! Notification and revocation frames with realistic payloads, built from a subscription the mock
//! Helix server created.

use serde_json::{Map, Value, json};

use crate::frames::Frames;
use crate::helix::MockSubscription;

fn condition_id(condition: &Map<String, Value>, field: &str) -> String {
    condition
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or("12826")
        .to_owned()
}

fn user(prefix: &str, id: &str) -> Map<String, Value> {
    let mut user = Map::new();
    user.insert(format!("{prefix}_id"), json!(id));
    user.insert(format!("{prefix}_login"), json!(format!("user{id}")));
    user.insert(format!("{prefix}_name"), json!(format!("User{id}")));
    user
}

/// The `event` object Twitch sends for a subscription of `kind` with `condition`; `sequence`
/// makes each one distinct. Common types get their documented shape, others a plausible one.
pub fn event_payload(
    kind: &str,
    condition: &Map<String, Value>,
    sequence: u64,
    timestamp: &str,
) -> Value {
    let broadcaster = condition_id(condition, "broadcaster_user_id");
    let mut event = user("broadcaster_user", &broadcaster);
    let chatter = format!("{}", 5000 + sequence);
    let extra = match kind {
        "channel.follow" => {
            event.extend(user("user", &chatter));
            json!({"followed_at": timestamp})
        }
        "stream.online" => json!({
            "id": format!("{}", 9_001_000 + sequence),
            "type": "live",
            "started_at": timestamp,
        }),
        "stream.offline" => json!({}),
        "channel.subscribe" => {
            event.extend(user("user", &chatter));
            json!({"tier": "1000", "is_gift": false})
        }
        "channel.cheer" => {
            event.extend(user("user", &chatter));
            json!({"is_anonymous": false, "message": format!("Cheer100 number {sequence}"), "bits": 100})
        }
        "channel.update" => json!({
            "title": format!("Stream title #{sequence}"),
            "language": "en",
            "category_id": "509658",
            "category_name": "Just Chatting",
            "content_classification_labels": [],
        }),
        "channel.chat.message" => {
            event.extend(user("chatter_user", &chatter));
            let text = format!("hello chat, message {sequence}");
            json!({
                "message_id": format!("cc106a89-1814-919d-454c-{sequence:012x}"),
                "message": {"text": text, "fragments": [
                    {"type": "text", "text": text, "cheermote": null, "emote": null, "mention": null}
                ]},
                "color": "#00FF7F",
                "badges": [],
                "message_type": "text",
                "cheer": null,
                "reply": null,
                "channel_points_custom_reward_id": null,
            })
        }
        _ => json!({"sequence": sequence, "occurred_at": timestamp}),
    };
    if let Value::Object(extra) = extra {
        event.extend(extra);
    }
    Value::Object(event)
}

fn metadata(
    message_id: &str,
    message_type: &str,
    subscription: &MockSubscription,
    timestamp: &str,
) -> Value {
    json!({
        "message_id": message_id,
        "message_type": message_type,
        "message_timestamp": timestamp,
        "subscription_type": subscription.kind,
        "subscription_version": subscription.version,
    })
}

/// A `notification` frame for `subscription`.
pub fn notification(
    frames: &Frames,
    message_id: &str,
    subscription: &MockSubscription,
    sequence: u64,
) -> String {
    let event = event_payload(
        &subscription.kind,
        &subscription.condition,
        sequence,
        &frames.timestamp,
    );
    notification_with(frames, message_id, subscription, &event)
}

/// A `notification` frame for `subscription` carrying `event` (such as one the world made).
pub fn notification_with(
    frames: &Frames,
    message_id: &str,
    subscription: &MockSubscription,
    event: &Value,
) -> String {
    json!({
        "metadata": metadata(message_id, "notification", subscription, &frames.timestamp),
        "payload": {"subscription": subscription.to_json(), "event": event},
    })
    .to_string()
}

/// A `revocation` frame for `subscription` (whose `status` says why).
pub fn revocation(frames: &Frames, message_id: &str, subscription: &MockSubscription) -> String {
    json!({
        "metadata": metadata(message_id, "revocation", subscription, &frames.timestamp),
        "payload": {"subscription": subscription.to_json()},
    })
    .to_string()
}
