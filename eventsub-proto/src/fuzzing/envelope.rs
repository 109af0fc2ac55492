//! Arbitrary bytes as one frame.

use crate::events::EventData;
use crate::events::frame::{TypedEvents, TypedFrame, parse_frame};
use crate::message::{self, Events, Message};

/// Parses arbitrary bytes as one frame: a message or a typed error, never a panic. A frame read
/// whole with its events typed ([`parse_frame`], one pass when it can) must agree with the envelope
/// parse followed by a typed decode of each event. The lazy envelope (`scan`) must agree with
/// the full parse on every frame it takes, through the notification the core delivers for it
/// (`scan::assert_agrees_with_the_full_parse`).
pub fn envelope(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        let _ = message::parse_bytes(data);
        return;
    };
    crate::scan::assert_agrees_with_the_full_parse(text);
    let (Ok(Message::Notification(notification)), Ok(typed)) =
        (message::parse(text), parse_frame(text))
    else {
        assert_same_outcome(text);
        return;
    };
    let TypedFrame::Notification(typed) = typed else {
        panic!("a notification read as another message")
    };
    let kind = notification.subscription_type();
    let version = notification.subscription_version();
    let same = |json: &serde_json::value::RawValue, data: &EventData<'_>| {
        EventData::decode(kind, version, json.get()).ok().as_ref() == Some(data)
    };
    match (&notification.events, &typed.events) {
        (Events::Single(raw), TypedEvents::Single(data)) => {
            assert!(same(raw, data));
        }
        (Events::Batch(raw), TypedEvents::Batch(data)) => {
            assert_eq!(raw.len(), data.len());
            for (raw, data) in raw.iter().zip(data) {
                assert_eq!(raw.id, data.id);
                assert!(same(raw.data, &data.data));
            }
        }
        _ => panic!("single and batch mixed up"),
    }
    assert_eq!(notification.metadata, typed.metadata);
    assert_eq!(notification.subscription.get(), typed.subscription.get());
}

/// Where either read fails or the frame is no notification: the same error, or both read it as
/// the same kind of message (a notification the typed read refuses is an event of the wrong shape,
/// or an unknown type spelled with escapes).
fn assert_same_outcome(text: &str) {
    match (message::parse(text), parse_frame(text)) {
        (Err(envelope), typed) => assert_eq!(typed.err(), Some(envelope)),
        (Ok(Message::Notification(_)), Err(crate::FrameError::InvalidField { field, .. })) => {
            assert!(
                matches!(
                    field,
                    "payload.event" | "payload.events" | "metadata.subscription_type"
                ),
                "{field}"
            );
        }
        (Ok(Message::Notification(_)), other) => panic!("notification read as {other:?}"),
        (Ok(_), typed) => assert!(matches!(typed, Ok(TypedFrame::Other(_))), "{typed:?}"),
    }
}
