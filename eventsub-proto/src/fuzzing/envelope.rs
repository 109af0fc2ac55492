//! Arbitrary bytes as one frame.

use crate::event::{Notification, NotificationParts};
use crate::events::EventData;
use crate::events::frame::{TypedEvents, TypedFrame, parse_frame};
use crate::ids::{ConnId, MessageId};
use crate::message::{self, Events, Message};
use crate::scan::{Scanned, scan};
use crate::unchecked::MalformedCount;

/// Parses arbitrary bytes as one frame: a message or a typed error, never a panic. A frame read
/// whole with its events typed ([`parse_frame`], one pass when it can) must agree with the envelope
/// parse followed by a typed decode of each event. The lazy envelope (`scan`) must agree with
/// the full parse on every frame it takes (`assert_scan_agrees`).
pub fn envelope(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        let _ = message::parse_bytes(data);
        return;
    };
    assert_scan_agrees(text);
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

/// The lazy envelope against the full parse. A frame the scan leaves to the full parse is not its
/// concern. One it takes:
/// - a keepalive: the full parse reads the same keepalive, with the same metadata;
/// - a notification: the full parse reads a notification of one event with the same metadata and
///   the same subscription and event text; or it refuses the frame, and then only because the
///   subscription or the event is not valid JSON, which the user's decode then reports (the
///   scan's deferred check). Either way the scan never accepts a frame for a reason of its own.
fn assert_scan_agrees(text: &str) {
    let Some(scanned) = scan(text, true) else {
        return;
    };
    let parsed = message::parse(text);
    match scanned {
        Scanned::Keepalive { metadata } => {
            let Ok(Message::Keepalive { metadata: parsed }) = parsed else {
                panic!("a keepalive the full parse reads as {parsed:?}")
            };
            assert_eq!(metadata, parsed);
        }
        Scanned::Notification {
            metadata,
            subscription,
            event,
        } => {
            // What the core delivers for it under the deferred check, and what finds it broken.
            let malformed = MalformedCount::default();
            let message_id = MessageId::parse(&metadata.message_id);
            let parts = NotificationParts {
                conn: ConnId::next(&mut 0),
                message_id: &message_id,
                message_timestamp: &metadata.message_timestamp,
                subscription_type: metadata.subscription_type.as_deref().unwrap_or_default(),
                subscription_version: metadata.subscription_version.as_deref().unwrap_or_default(),
                subscription,
                unchecked: Some(&malformed),
            };
            let delivered = Notification::single(&parts, text, event);
            assert_eq!(delivered.event_json(), event);
            match parsed {
                Ok(Message::Notification(parsed)) => {
                    assert_eq!(metadata, parsed.metadata);
                    assert_eq!(subscription, parsed.subscription.get());
                    let Events::Single(parsed_event) = parsed.events else {
                        panic!("a batch scanned as one event")
                    };
                    assert_eq!(event, parsed_event.get());
                    assert!(delivered.check_payload().is_ok(), "{text}");
                    assert_eq!(malformed.get(), 0);
                }
                Err(crate::FrameError::InvalidJson { .. }) => {
                    let invalid =
                        |part: &str| serde_json::from_str::<serde::de::IgnoredAny>(part).is_err();
                    assert!(
                        invalid(subscription) || invalid(event),
                        "the full parse refuses a frame whose scanned parts are valid JSON: {text}"
                    );
                    // Never silently taken for JSON: the decode says so, and counts it once.
                    assert!(delivered.check_payload().is_err());
                    assert!(invalid(event) <= delivered.typed().is_err(), "{text}");
                    assert_eq!(malformed.get(), 1, "{text}");
                }
                other => panic!("a notification the full parse reads as {other:?}"),
            }
        }
    }
}
