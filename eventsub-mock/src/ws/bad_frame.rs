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
    fn a_frame_that_is_not_json_does_not_parse() {
        let text = BadFrame::NotJson.text(&Frames::default(), "id");
        assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
    }
}
