//! Parsing of EventSub WebSocket messages, borrowed from the frame.
//!
//! The envelope is parsed once, in one pass: metadata and the parts of the payload the core needs are
//! borrowed from the frame text; the event itself stays raw JSON until the user decodes it.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::FrameError;
use crate::ids::SubscriptionId;
use crate::subscription::{Subscription, SubscriptionStatus, Transport};

/// The `metadata` object every message carries.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Metadata<'a> {
    /// Unique id of the message; a repeat is a duplicate.
    #[serde(borrow)]
    pub message_id: Cow<'a, str>,
    /// The kind of message, such as `notification`.
    #[serde(borrow)]
    pub message_type: Cow<'a, str>,
    /// When Twitch sent the message (RFC 3339).
    #[serde(borrow)]
    pub message_timestamp: Cow<'a, str>,
    /// For notifications and revocations: the subscription type.
    #[serde(borrow, default)]
    pub subscription_type: Option<Cow<'a, str>>,
    /// For notifications and revocations: the subscription version.
    #[serde(borrow, default)]
    pub subscription_version: Option<Cow<'a, str>>,
}

impl<'a> Metadata<'a> {
    /// Metadata of strings borrowed from the frame.
    pub(crate) fn borrowed(
        message_id: &'a str,
        message_type: &'a str,
        message_timestamp: &'a str,
        subscription_type: Option<&'a str>,
        subscription_version: Option<&'a str>,
    ) -> Self {
        Self {
            message_id: Cow::Borrowed(message_id),
            message_type: Cow::Borrowed(message_type),
            message_timestamp: Cow::Borrowed(message_timestamp),
            subscription_type: subscription_type.map(Cow::Borrowed),
            subscription_version: subscription_version.map(Cow::Borrowed),
        }
    }
}

/// The metadata as the fast path reads it: plain borrowed strings. Twitch never escapes anything in
/// these fields; if a frame does, this fails and the frame is read again as [`Metadata`].
#[derive(Deserialize)]
pub(crate) struct PlainMetadata<'a> {
    message_id: &'a str,
    pub(crate) message_type: &'a str,
    message_timestamp: &'a str,
    #[serde(default)]
    pub(crate) subscription_type: Option<&'a str>,
    #[serde(default)]
    pub(crate) subscription_version: Option<&'a str>,
}

impl<'a> From<PlainMetadata<'a>> for Metadata<'a> {
    fn from(plain: PlainMetadata<'a>) -> Self {
        Self {
            message_id: Cow::Borrowed(plain.message_id),
            message_type: Cow::Borrowed(plain.message_type),
            message_timestamp: Cow::Borrowed(plain.message_timestamp),
            subscription_type: plain.subscription_type.map(Cow::Borrowed),
            subscription_version: plain.subscription_version.map(Cow::Borrowed),
        }
    }
}

/// `payload.session` of a welcome or reconnect message.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Session<'a> {
    /// The session id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// `connected` or `reconnecting`.
    #[serde(borrow, default)]
    pub status: Option<Cow<'a, str>>,
    /// Seconds of silence after which the socket may be considered dead (welcome only).
    #[serde(default)]
    pub keepalive_timeout_seconds: Option<u64>,
    /// Where to reconnect (reconnect only).
    #[serde(borrow, default)]
    pub reconnect_url: Option<Cow<'a, str>>,
    /// When the session connected (RFC 3339).
    #[serde(borrow, default)]
    pub connected_at: Option<Cow<'a, str>>,
}

/// `payload.subscription`, borrowed; [`SubscriptionRef::to_owned`] makes a [`Subscription`].
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct SubscriptionRef<'a> {
    /// The subscription id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// Its status (the revocation reason in a revocation).
    #[serde(borrow)]
    pub status: Cow<'a, str>,
    /// The subscription type.
    #[serde(borrow, rename = "type")]
    pub kind: Cow<'a, str>,
    /// The subscription version.
    #[serde(borrow)]
    pub version: Cow<'a, str>,
    /// Its cost.
    #[serde(default)]
    pub cost: u32,
    /// The condition, raw.
    #[serde(borrow)]
    pub condition: &'a RawValue,
    /// The transport, raw.
    #[serde(borrow)]
    pub transport: &'a RawValue,
    /// When it was created (RFC 3339).
    #[serde(borrow)]
    pub created_at: Cow<'a, str>,
}

impl SubscriptionRef<'_> {
    /// An owned copy, with the condition and transport decoded.
    pub fn to_owned(&self) -> Result<Subscription, FrameError> {
        let condition = decode_part(self.condition, "payload.subscription.condition")?;
        let transport: Transport = decode_part(self.transport, "payload.subscription.transport")?;
        Ok(Subscription {
            id: SubscriptionId::new(self.id.as_ref()),
            status: SubscriptionStatus::parse(&self.status),
            kind: self.kind.clone().into_owned(),
            version: self.version.clone().into_owned(),
            cost: self.cost,
            condition,
            transport,
            created_at: self.created_at.clone().into_owned(),
        })
    }
}

/// One event of a batched notification (`payload.events`).
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct BatchItem<'a> {
    /// The event's own id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The event, raw.
    #[serde(borrow)]
    pub data: &'a RawValue,
}

#[derive(Deserialize)]
struct WireEnvelope<'a, M> {
    metadata: M,
    #[serde(borrow)]
    payload: WirePayload<'a>,
}

#[derive(Deserialize)]
struct WirePayload<'a> {
    // Kept raw and read only for the (rare) welcome and reconnect: a session decoded in place would
    // make the envelope every notification moves three times its size.
    #[serde(borrow, default)]
    session: Option<&'a RawValue>,
    // Kept raw: a notification only needs the subscription's type and version, which the metadata
    // carries, so skipping it here costs no more than a bare envelope parse.
    #[serde(borrow, default)]
    subscription: Option<&'a RawValue>,
    #[serde(borrow, default)]
    event: Option<&'a RawValue>,
    // Kept raw and checked without collecting: a batch's items are read one at a time, so a
    // frame of thousands of tiny items costs no list of them.
    #[serde(borrow, default)]
    events: Option<&'a RawValue>,
}

/// The events a notification carries: one, or a batch.
#[derive(Clone, Debug)]
pub enum Events<'a> {
    /// `payload.event`.
    Single(&'a RawValue),
    /// `payload.events`.
    Batch(Batch<'a>),
}

/// `payload.events` of a batched notification: checked when the frame is parsed (every item has
/// an `id` and a `data`), then kept as the frame's text and read one item at a time, so that
/// handling a batch never holds a list of its items.
///
/// ```
/// use eventsub_proto::message::{parse, Events, Message};
/// let frame = r#"{"metadata":{"message_id":"m","message_type":"notification",
///   "message_timestamp":"2022-11-16T10:11:12Z"},"payload":{"subscription":{"id":"s",
///   "status":"enabled","type":"channel.follow","version":"2","condition":{},"transport":{},
///   "created_at":"t"},"events":[{"id":"e1","data":{"n":1}},{"id":"e2","data":{"n":2}}]}}"#;
/// let Ok(Message::Notification(notification)) = parse(frame) else { panic!() };
/// let Events::Batch(batch) = notification.events else { panic!() };
/// assert_eq!(batch.len(), 2);
/// let ids: Vec<_> = batch.iter().map(|item| item.id).collect();
/// assert_eq!(ids, ["e1", "e2"]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Batch<'a> {
    raw: &'a RawValue,
    len: usize,
}

impl<'a> Batch<'a> {
    /// Checks that `raw` is an array of items.
    fn new(raw: &'a RawValue) -> Result<Self, FrameError> {
        let CountedItems(len) = decode_part(raw, "payload.events")?;
        Ok(Self { raw, len })
    }

    /// How many events it holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The array as raw JSON.
    pub fn raw(&self) -> &'a RawValue {
        self.raw
    }

    /// Its events, read one at a time.
    pub fn iter(&self) -> BatchItems<'a> {
        BatchItems::resume(self.raw.get())
    }
}

impl<'a> IntoIterator for Batch<'a> {
    type Item = BatchItem<'a>;
    type IntoIter = BatchItems<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a> IntoIterator for &Batch<'a> {
    type Item = BatchItem<'a>;
    type IntoIter = BatchItems<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The events of a [`Batch`], each read from the text when it is asked for.
#[derive(Clone, Debug)]
pub struct BatchItems<'a> {
    /// What is left of the array: from its `[`, or from just after the last item read.
    rest: &'a str,
}

impl<'a> BatchItems<'a> {
    /// Reads the items of the array text `rest`: all of it (from its `[`), or what is left after
    /// the items already read (as [`BatchItems::rest`] gave it).
    pub(crate) fn resume(rest: &'a str) -> Self {
        Self { rest }
    }

    /// What is left of the array text, to resume from.
    pub(crate) fn rest(&self) -> &'a str {
        self.rest
    }
}

impl<'a> Iterator for BatchItems<'a> {
    type Item = BatchItem<'a>;

    fn next(&mut self) -> Option<BatchItem<'a>> {
        // The array was checked when the frame was parsed, so each step finds an item or the end;
        // should it not, the iteration ends rather than fail.
        let text = self.rest.trim_start();
        let text = text
            .strip_prefix('[')
            .or_else(|| text.strip_prefix(','))
            .unwrap_or(text);
        let mut items = serde_json::Deserializer::from_str(text).into_iter::<BatchItem<'a>>();
        let item = items.next().and_then(Result::ok);
        self.rest = match item {
            Some(_) => text.get(items.byte_offset()..).unwrap_or_default(),
            None => "",
        };
        item
    }
}

/// Counts the items of `payload.events`, checking each one's shape, without keeping any.
struct CountedItems(usize);

impl<'de> Deserialize<'de> for CountedItems {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Counter;
        impl<'de> serde::de::Visitor<'de> for Counter {
            type Value = CountedItems;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("an array of events with `id` and `data`")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<CountedItems, A::Error> {
                let mut count = 0usize;
                while seq.next_element::<BatchItem<'de>>()?.is_some() {
                    count += 1;
                }
                Ok(CountedItems(count))
            }
        }
        deserializer.deserialize_seq(Counter)
    }
}

/// A parsed message, borrowing from the frame.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Message<'a> {
    /// `session_welcome`: the session is ready for subscriptions.
    Welcome {
        /// The metadata.
        metadata: Metadata<'a>,
        /// The session id.
        session_id: Cow<'a, str>,
        /// The keepalive Twitch will keep, in seconds (at least 1).
        keepalive_timeout_seconds: u64,
    },
    /// `session_keepalive`.
    Keepalive {
        /// The metadata.
        metadata: Metadata<'a>,
    },
    /// `notification`.
    Notification(NotificationMessage<'a>),
    /// `session_reconnect`: move to `reconnect_url`.
    Reconnect {
        /// The metadata.
        metadata: Metadata<'a>,
        /// `payload.session.reconnect_url`, the only place Twitch puts it.
        reconnect_url: Cow<'a, str>,
    },
    /// `revocation`: Twitch ended a subscription.
    Revocation {
        /// The metadata.
        metadata: Metadata<'a>,
        /// The revoked subscription; its status says why.
        subscription: SubscriptionRef<'a>,
    },
    /// A message type this version does not know; reported and otherwise ignored.
    Unknown {
        /// The metadata.
        metadata: Metadata<'a>,
    },
}

/// A `notification` message, borrowed from the frame.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct NotificationMessage<'a> {
    /// The metadata. Its `subscription_type` and `subscription_version` are always set: taken from
    /// `payload.subscription` when the frame's metadata lacks them.
    pub metadata: Metadata<'a>,
    /// The subscription it was sent for, raw.
    pub subscription: &'a RawValue,
    /// The event or events.
    pub events: Events<'a>,
}

impl NotificationMessage<'_> {
    /// The subscription type, such as `channel.follow`.
    pub fn subscription_type(&self) -> &str {
        self.metadata
            .subscription_type
            .as_deref()
            .unwrap_or_default()
    }

    /// The subscription version, such as `2`.
    pub fn subscription_version(&self) -> &str {
        self.metadata
            .subscription_version
            .as_deref()
            .unwrap_or_default()
    }
}

impl<'a> Message<'a> {
    /// The message's metadata.
    pub fn metadata(&self) -> &Metadata<'a> {
        match self {
            Self::Welcome { metadata, .. }
            | Self::Keepalive { metadata }
            | Self::Notification(NotificationMessage { metadata, .. })
            | Self::Reconnect { metadata, .. }
            | Self::Revocation { metadata, .. }
            | Self::Unknown { metadata } => metadata,
        }
    }
}

/// The most seconds of keepalive the core honours; Twitch's documented maximum is 600.
const MAX_KEEPALIVE_SECONDS: u64 = 3600;

/// Parses a frame's text into a [`Message`].
///
/// ```
/// use eventsub_proto::message::{parse, Message};
/// let frame = r#"{"metadata":{"message_id":"84c1e79a-2a4b-4c13-ba0b-4312293e9308",
///   "message_type":"session_keepalive","message_timestamp":"2022-11-16T10:11:22.634234626Z"},
///   "payload":{}}"#;
/// assert!(matches!(parse(frame), Ok(Message::Keepalive { .. })));
/// ```
pub fn parse(text: &str) -> Result<Message<'_>, FrameError> {
    let (mut metadata, payload) =
        match serde_json::from_str::<WireEnvelope<'_, PlainMetadata<'_>>>(text) {
            Ok(envelope) => (Metadata::from(envelope.metadata), envelope.payload),
            // Possibly an escape sequence in a metadata string: read again, unescaping. A frame that is
            // wrong in another way fails again, with the same error.
            Err(error) if error.is_data() => {
                let envelope: WireEnvelope<'_, Metadata<'_>> = serde_json::from_str(text)?;
                (envelope.metadata, envelope.payload)
            }
            Err(error) => return Err(error.into()),
        };
    let missing = |field| FrameError::MissingField {
        message_type: metadata.message_type.to_string(),
        field,
    };
    let message = match metadata.message_type.as_ref() {
        "session_welcome" => {
            let session = payload.session.ok_or_else(|| missing("payload.session"))?;
            let session = session_of(session)?;
            let seconds = session
                .keepalive_timeout_seconds
                .ok_or_else(|| missing("payload.session.keepalive_timeout_seconds"))?;
            if !(1..=MAX_KEEPALIVE_SECONDS).contains(&seconds) {
                return Err(FrameError::InvalidField {
                    field: "payload.session.keepalive_timeout_seconds",
                    detail: format!("{seconds} is outside 1..={MAX_KEEPALIVE_SECONDS}"),
                });
            }
            Message::Welcome {
                session_id: session.id,
                keepalive_timeout_seconds: seconds,
                metadata,
            }
        }
        "session_keepalive" => Message::Keepalive { metadata },
        "notification" => {
            let subscription = payload
                .subscription
                .ok_or_else(|| missing("payload.subscription"))?;
            let events = match (payload.event, payload.events) {
                (Some(event), _) => Events::Single(event),
                (None, Some(batch)) => Events::Batch(Batch::new(batch)?),
                (None, None) => return Err(missing("payload.event")),
            };
            if metadata.subscription_type.is_none() || metadata.subscription_version.is_none() {
                let parsed = subscription_ref(subscription)?;
                metadata.subscription_type = Some(parsed.kind);
                metadata.subscription_version = Some(parsed.version);
            }
            Message::Notification(NotificationMessage {
                metadata,
                subscription,
                events,
            })
        }
        "session_reconnect" => {
            // The forum bug: the URL lives at payload.session.reconnect_url, never payload.reconnect_url.
            let session = payload.session.map(session_of).transpose()?;
            let reconnect_url = session
                .and_then(|session| session.reconnect_url)
                .ok_or_else(|| missing("payload.session.reconnect_url"))?;
            Message::Reconnect {
                metadata,
                reconnect_url,
            }
        }
        "revocation" => {
            let subscription = payload
                .subscription
                .ok_or_else(|| missing("payload.subscription"))?;
            let subscription = subscription_ref(subscription)?;
            Message::Revocation {
                metadata,
                subscription,
            }
        }
        _ => Message::Unknown { metadata },
    };
    Ok(message)
}

fn session_of(raw: &RawValue) -> Result<Session<'_>, FrameError> {
    decode_part(raw, "payload.session")
}

fn subscription_ref(raw: &RawValue) -> Result<SubscriptionRef<'_>, FrameError> {
    decode_part(raw, "payload.subscription")
}

/// Decodes a part of the frame kept raw; a wrong shape names the part.
fn decode_part<'a, T: Deserialize<'a>>(
    raw: &'a RawValue,
    field: &'static str,
) -> Result<T, FrameError> {
    serde_json::from_str(raw.get()).map_err(|error| FrameError::InvalidField {
        field,
        detail: error.to_string(),
    })
}

/// Parses a frame's raw bytes: checks UTF-8 first, then as [`parse`].
pub fn parse_bytes(bytes: &[u8]) -> Result<Message<'_>, FrameError> {
    let text = std::str::from_utf8(bytes).map_err(|error| FrameError::InvalidUtf8 {
        valid_up_to: error.valid_up_to(),
    })?;
    parse(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WELCOME: &str = r#"{"metadata":{"message_id":"96a3f3b5-5dec-4eed-908e-e11ee657416c","message_type":"session_welcome","message_timestamp":"2022-11-16T10:11:12.634234626Z"},"payload":{"session":{"id":"AQoQexAWVYKSTIu4ec_2VAxyuhAB","status":"connected","keepalive_timeout_seconds":10,"reconnect_url":null,"recovery_url":null,"connected_at":"2022-11-16T10:11:12.634234626Z"}}}"#;

    #[test]
    fn welcome_gives_session_id_and_keepalive() {
        let Ok(Message::Welcome {
            session_id,
            keepalive_timeout_seconds,
            ..
        }) = parse(WELCOME)
        else {
            panic!("not a welcome")
        };
        assert_eq!(session_id, "AQoQexAWVYKSTIu4ec_2VAxyuhAB");
        assert_eq!(keepalive_timeout_seconds, 10);
    }

    #[test]
    fn envelope_strings_are_borrowed_from_the_frame() -> Result<(), Box<dyn std::error::Error>> {
        let message = parse(WELCOME)?;
        assert!(matches!(message.metadata().message_id, Cow::Borrowed(_)));
        Ok(())
    }

    #[test]
    fn a_session_of_the_wrong_shape_names_the_field() {
        let frame = WELCOME.replace(
            r#""keepalive_timeout_seconds":10"#,
            r#""keepalive_timeout_seconds":"ten""#,
        );
        let Err(FrameError::InvalidField { field, .. }) = parse(&frame) else {
            panic!("accepted a keepalive that is not a number")
        };
        assert_eq!(field, "payload.session");
    }

    #[test]
    fn reconnect_url_is_read_from_payload_session_only() {
        let wrong_place = r#"{"metadata":{"message_id":"1","message_type":"session_reconnect","message_timestamp":"2022-11-16T10:11:12Z"},"payload":{"reconnect_url":"wss://elsewhere","session":{"id":"s","status":"reconnecting","keepalive_timeout_seconds":null,"reconnect_url":null}}}"#;
        assert_eq!(
            parse(wrong_place).unwrap_err(),
            FrameError::MissingField {
                message_type: "session_reconnect".into(),
                field: "payload.session.reconnect_url"
            }
        );
        let right = wrong_place.replace(
            r#""reconnect_url":null"#,
            r#""reconnect_url":"wss://eventsub.wss.twitch.tv/ws?id=1""#,
        );
        let Ok(Message::Reconnect { reconnect_url, .. }) = parse(&right) else {
            panic!("not a reconnect")
        };
        assert_eq!(reconnect_url, "wss://eventsub.wss.twitch.tv/ws?id=1");
    }

    #[test]
    fn batched_notification_keeps_every_event() {
        let frame = r#"{"metadata":{"message_id":"m","message_type":"notification","message_timestamp":"2022-11-16T10:11:12Z","subscription_type":"channel.follow","subscription_version":"2"},"payload":{"subscription":{"id":"s","status":"enabled","type":"channel.follow","version":"2","cost":0,"condition":{},"transport":{"method":"websocket","session_id":"x"},"created_at":"2022-11-16T10:11:12Z"},"events":[{"id":"e1","data":{"n":1}},{"id":"e2","data":{"n":2}}]}}"#;
        let Ok(Message::Notification(NotificationMessage {
            events: Events::Batch(batch),
            ..
        })) = parse(frame)
        else {
            panic!("not a batch")
        };
        let data: Vec<&str> = batch.iter().map(|item| item.data.get()).collect();
        assert_eq!(data, [r#"{"n":1}"#, r#"{"n":2}"#]);
    }

    #[test]
    fn batch_items_are_read_one_at_a_time_whatever_the_spacing_or_escapes() {
        let frame = r#"{"metadata":{"message_id":"m","message_type":"notification","message_timestamp":"t","subscription_type":"channel.follow","subscription_version":"2"},"payload":{"subscription":{},"events": [ {"id":"e\u0031","data":{"n":1}} ,
            {"data":[2],"id":"e2","extra":true}, {"id":"e3","data":"three"} ]}}"#;
        let Ok(Message::Notification(NotificationMessage {
            events: Events::Batch(batch),
            ..
        })) = parse(frame)
        else {
            panic!("not a batch")
        };
        assert_eq!(batch.len(), 3);
        let items: Vec<(String, &str)> = batch
            .iter()
            .map(|item| (item.id.into_owned(), item.data.get()))
            .collect();
        assert_eq!(
            items,
            [
                ("e1".to_owned(), r#"{"n":1}"#),
                ("e2".to_owned(), "[2]"),
                ("e3".to_owned(), r#""three""#)
            ]
        );
    }

    #[test]
    fn a_batch_item_without_an_id_is_a_malformed_frame() {
        let frame = r#"{"metadata":{"message_id":"m","message_type":"notification","message_timestamp":"t","subscription_type":"channel.follow","subscription_version":"2"},"payload":{"subscription":{},"events":[{"id":"e1","data":{}},{"data":{}}]}}"#;
        assert!(matches!(
            parse(frame),
            Err(FrameError::InvalidField {
                field: "payload.events",
                ..
            })
        ));
    }

    #[test]
    fn a_notification_without_type_in_its_metadata_takes_it_from_the_subscription() {
        let frame = r#"{"metadata":{"message_id":"m","message_type":"notification","message_timestamp":"2022-11-16T10:11:12Z","subscription_type":"stream.online"},"payload":{"subscription":{"id":"s","status":"enabled","type":"channel.follow","version":"2","cost":0,"condition":{},"transport":{"method":"websocket","session_id":"x"},"created_at":"2022-11-16T10:11:12Z"},"event":{"n":1}}}"#;
        let Ok(Message::Notification(notification)) = parse(frame) else {
            panic!("not a notification")
        };
        // Type and version come as a pair: half of them from the metadata is not trusted.
        assert_eq!(notification.subscription_type(), "channel.follow");
        assert_eq!(notification.subscription_version(), "2");
        assert_eq!(
            notification.metadata.subscription_type.as_deref(),
            Some("channel.follow")
        );

        let frame = frame.replace(r#""type":"channel.follow","#, "");
        assert!(matches!(
            parse(&frame),
            Err(FrameError::InvalidField {
                field: "payload.subscription",
                ..
            })
        ));
    }
    #[test]
    fn unknown_message_type_is_not_an_error() {
        let frame = r#"{"metadata":{"message_id":"m","message_type":"session_teleport","message_timestamp":"t"},"payload":{"anything":[1,2]}}"#;
        assert!(matches!(parse(frame), Ok(Message::Unknown { .. })));
    }

    #[test]
    fn metadata_strings_are_borrowed_unless_escaped() {
        let frame = r#"{"metadata":{"message_id":"m","message_type":"notification","message_timestamp":"t","subscription_type":"channel.follow","subscription_version":"2"},"payload":{"subscription":{},"event":{}}}"#;
        let Ok(Message::Notification(NotificationMessage { metadata, .. })) = parse(frame) else {
            panic!("not a notification")
        };
        assert!(matches!(
            metadata.subscription_type,
            Some(Cow::Borrowed("channel.follow"))
        ));
        assert!(matches!(
            metadata.subscription_version,
            Some(Cow::Borrowed("2"))
        ));
        let escaped = frame.replace("channel.follow", "channel\\u002efollow");
        let Ok(Message::Notification(NotificationMessage { metadata, .. })) = parse(&escaped)
        else {
            panic!("not a notification")
        };
        assert_eq!(
            metadata.subscription_type.as_deref(),
            Some("channel.follow")
        );
        let null = frame
            .replace("\"2\"", "null")
            .replace("\"notification\"", "\"session_keepalive\"");
        let Ok(message) = parse(&null) else {
            panic!("null version must parse")
        };
        assert_eq!(message.metadata().subscription_version, None);
    }

    #[test]
    fn escaped_strings_still_parse() -> Result<(), Box<dyn std::error::Error>> {
        let frame = r#"{"metadata":{"message_id":"a\u0062c","message_type":"session_keepalive","message_timestamp":"t"},"payload":{}}"#;
        assert_eq!(parse(frame)?.metadata().message_id, "abc");
        Ok(())
    }

    #[test]
    fn bad_input_gives_typed_errors() {
        assert!(matches!(parse("{"), Err(FrameError::InvalidJson { .. })));
        assert!(matches!(parse("[]"), Err(FrameError::InvalidJson { .. })));
        assert!(matches!(
            parse(r#"{"metadata":{"message_type":"session_keepalive"},"payload":{}}"#),
            Err(FrameError::InvalidJson { .. })
        ));
        assert_eq!(
            parse_bytes(b"{\"\xff\"}").unwrap_err(),
            FrameError::InvalidUtf8 { valid_up_to: 2 }
        );
        let zero_keepalive = WELCOME.replace(
            "\"keepalive_timeout_seconds\":10",
            "\"keepalive_timeout_seconds\":0",
        );
        assert!(matches!(
            parse(&zero_keepalive),
            Err(FrameError::InvalidField { .. })
        ));
        let no_event = r#"{"metadata":{"message_id":"m","message_type":"notification","message_timestamp":"t"},"payload":{"subscription":{"id":"s","status":"enabled","type":"x","version":"1","condition":{},"transport":{},"created_at":"t"}}}"#;
        assert!(matches!(
            parse(no_event),
            Err(FrameError::MissingField {
                field: "payload.event",
                ..
            })
        ));
    }

    #[test]
    fn revocation_subscription_becomes_owned_with_its_reason()
    -> Result<(), Box<dyn std::error::Error>> {
        let frame = r#"{"metadata":{"message_id":"m","message_type":"revocation","message_timestamp":"t","subscription_type":"channel.follow","subscription_version":"2"},"payload":{"subscription":{"id":"f1","status":"authorization_revoked","type":"channel.follow","version":"2","cost":0,"condition":{"broadcaster_user_id":"12826"},"transport":{"method":"websocket","session_id":"AQ"},"created_at":"2022-11-16T10:11:12.464757833Z"}}}"#;
        let Ok(Message::Revocation { subscription, .. }) = parse(frame) else {
            panic!("not a revocation")
        };
        let owned = subscription.to_owned()?;
        assert_eq!(owned.status, SubscriptionStatus::AuthorizationRevoked);
        assert_eq!(
            owned.spec().condition_str("broadcaster_user_id"),
            Some("12826")
        );
        Ok(())
    }
}
