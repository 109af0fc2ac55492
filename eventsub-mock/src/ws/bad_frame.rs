//! Frames Twitch never sends, injected on a socket to prove the client reports them and loses
//! nothing else.

use serde_json::json;

use crate::frames::Frames;

/// A faulty frame for [`MockEventSub::inject`](super::MockEventSub::inject).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BadFrame {
    /// Text that is not JSON (an envelope cut off in the middle).
    NotJson,
    /// Valid JSON shaped like a `notification` whose payload lacks `subscription` and `event`.
    MissingFields,
    /// A well-formed `session_keepalive` padded to `bytes` bytes, to exceed a client's frame limit.
    Oversized {
        /// The frame's length.
        bytes: usize,
    },
    /// A well-formed batched `notification` (`channel.follow` v1, `payload.events`) of `items`
    /// events whose subscription's condition is padded with `condition_bytes` bytes: valid, but a
    /// client that copies the subscription into each event holds `items` times it.
    BatchBomb {
        /// How many events.
        items: usize,
        /// The padding of the subscription's condition.
        condition_bytes: usize,
    },
}

impl BadFrame {
    /// The frame's text, with `message_id` where it has one.
    pub(crate) fn text(self, frames: &Frames, message_id: &str) -> String {
        match self {
            Self::NotJson => format!(
                "{{\"metadata\":{{\"message_id\":\"{message_id}\",\"message_type\":\"notifica"
            ),
            Self::MissingFields => json!({
                "metadata": {
                    "message_id": message_id,
                    "message_type": "notification",
                    "message_timestamp": frames.timestamp,
                    "subscription_type": "stream.online",
                    "subscription_version": "1",
                },
                "payload": {},
            })
            .to_string(),
            Self::Oversized { bytes } => {
                let bare = json!({
                    "metadata": {
                        "message_id": message_id,
                        "message_type": "session_keepalive",
                        "message_timestamp": frames.timestamp,
                    },
                    "payload": {"padding": ""},
                })
                .to_string();
                // The padding goes inside the empty string, so the frame stays valid JSON.
                let padding = "x".repeat(bytes.saturating_sub(bare.len()));
                bare.replacen("\"padding\":\"\"", &format!("\"padding\":\"{padding}\""), 1)
            }
            Self::BatchBomb {
                items,
                condition_bytes,
            } => frames.batch_notification(
                message_id,
                "batch-bomb",
                "channel.follow",
                items,
                condition_bytes,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_frames_have_the_asked_length_and_stay_json() {
        let text = BadFrame::Oversized { bytes: 5000 }.text(&Frames::default(), "id");
        assert_eq!(text.len(), 5000);
        assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
    }

    #[test]
    fn a_batch_bomb_is_json_with_its_items_and_padding() {
        let text = BadFrame::BatchBomb {
            items: 3,
            condition_bytes: 100,
        }
        .text(&Frames::default(), "id");
        let frame: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let events = frame
            .pointer("/payload/events")
            .and_then(|events| events.as_array());
        assert_eq!(events.map(Vec::len), Some(3));
        let padding = frame
            .pointer("/payload/subscription/condition/padding")
            .and_then(|padding| padding.as_str());
        assert_eq!(padding.map(str::len), Some(100));
    }

    #[test]
    fn a_frame_that_is_not_json_does_not_parse() {
        let text = BadFrame::NotJson.text(&Frames::default(), "id");
        assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
    }
}
