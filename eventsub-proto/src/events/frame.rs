//! A whole notification frame decoded in one pass: envelope and typed events together.
//!
//! The [`Client`](crate::Client) reads every frame's envelope (it needs the metadata of each one
//! for duplicates, staleness and routing) and keeps the event as JSON text until the user asks for
//! it, so a notification nobody decodes costs no more than its envelope. A program that holds
//! frames itself (a recording, a test, its own transport) and wants typed events right away would
//! read each event twice that way. [`parse_frame`] reads it once: Twitch sends the metadata before
//! the payload, so by the time the parser reaches the event it knows the type and version, and
//! decodes the event in place.
//!
//! ```
//! use eventsub_proto::events::EventData;
//! use eventsub_proto::events::frame::{TypedEvents, TypedFrame, parse_frame};
//!
//! let frame = r#"{"metadata":{"message_id":"befa7b53-d79d-478f-86b9-120f112b044e",
//!   "message_type":"notification","message_timestamp":"2023-11-06T18:11:47.492253549Z",
//!   "subscription_type":"channel.follow","subscription_version":"2"},
//!   "payload":{"subscription":{"id":"f1c2a387-161a-49f9-a165-0f21d7a4e1c4","status":"enabled",
//!   "type":"channel.follow","version":"2","condition":{"broadcaster_user_id":"1337",
//!   "moderator_user_id":"1337"},"transport":{"method":"websocket","session_id":"AQoQ"},
//!   "created_at":"2023-11-06T18:11:47.492253549Z","cost":0},
//!   "event":{"user_id":"1234","user_login":"cool_user","user_name":"Cool_User",
//!   "broadcaster_user_id":"1337","broadcaster_user_login":"cooler_user",
//!   "broadcaster_user_name":"Cooler_User","followed_at":"2023-11-06T18:11:47.464757833Z"}}}"#;
//! let TypedFrame::Notification(notification) = parse_frame(frame)? else { unreachable!() };
//! let TypedEvents::Single(EventData::ChannelFollowV2(follow)) = notification.events else {
//!     unreachable!()
//! };
//! assert_eq!(follow.user_login.as_str(), "cool_user");
//! # Ok::<(), eventsub_proto::FrameError>(())
//! ```

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::FrameError;
use crate::events::{EventData, SubscriptionType};
use crate::message::{self, Events, Message, Metadata, PlainMetadata};

/// A frame read by [`parse_frame`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum TypedFrame<'a> {
    /// A notification, its events typed.
    Notification(TypedNotification<'a>),
    /// Any other message, as [`message::parse`] reads it.
    Other(Message<'a>),
}

/// A notification with its events typed, borrowing from the frame.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TypedNotification<'a> {
    /// The metadata. Its `subscription_type` and `subscription_version` are always set (taken from
    /// `payload.subscription` when the frame's metadata lacks them).
    pub metadata: Metadata<'a>,
    /// The subscription the notification was sent for, raw.
    pub subscription: &'a RawValue,
    /// The event or events.
    pub events: TypedEvents<'a>,
}

/// The typed events of a notification: one, or a batch.
#[derive(Clone, Debug)]
pub enum TypedEvents<'a> {
    /// `payload.event`.
    Single(EventData<'a>),
    /// `payload.events`.
    Batch(Vec<TypedBatchItem<'a>>),
}

/// One event of a batched notification.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TypedBatchItem<'a> {
    /// The event's own id.
    pub id: Cow<'a, str>,
    /// The event.
    pub data: EventData<'a>,
}

/// Reads a frame, decoding a notification's events as their typed [`EventData`] in the same
/// pass as the envelope.
///
/// The result, and any error, is what [`message::parse`] followed by [`EventData::decode`] of
/// each event gives; an event that does not match its known type is
/// [`FrameError::InvalidField`] naming `payload.event` (or `payload.events`). A frame the single
/// pass cannot take (the payload before the metadata, escapes in the metadata, a type missing
/// from the metadata, anything malformed) is read in those two steps instead. The one frame it
/// refuses that they would take: an unknown type or version spelled with escape sequences, which
/// cannot be borrowed from the frame as [`EventData::Unknown`] requires (Twitch never escapes
/// these; [`message::parse`] reads such a frame).
///
/// The frame size limit of [`Config::max_frame_bytes`](crate::Config::max_frame_bytes) is the
/// caller's to apply.
pub fn parse_frame(text: &str) -> Result<TypedFrame<'_>, FrameError> {
    match one_pass(text) {
        Some(notification) => Ok(TypedFrame::Notification(notification)),
        None => two_passes(text),
    }
}

/// The notification read in one pass, or `None` for every frame the two passes must read.
fn one_pass(text: &str) -> Option<TypedNotification<'_>> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let notification = deserializer.deserialize_map(FrameVisitor).ok()?;
    deserializer.end().ok().and(notification)
}

/// The envelope, then each event: the general path, and the one that names what is wrong.
fn two_passes<'a>(text: &'a str) -> Result<TypedFrame<'a>, FrameError> {
    let notification = match message::parse(text)? {
        Message::Notification(notification) => notification,
        other => return Ok(TypedFrame::Other(other)),
    };
    let (kind, version) = borrowed_kind(&notification.metadata)?;
    let decode = |json: &'a RawValue, field| decode_event(kind, version, json, field);
    let events = match notification.events {
        Events::Single(event) => TypedEvents::Single(decode(event, "payload.event")?),
        Events::Batch(batch) => TypedEvents::Batch(
            batch
                .into_iter()
                .map(|item| {
                    let data = decode(item.data, "payload.events")?;
                    Ok(TypedBatchItem { id: item.id, data })
                })
                .collect::<Result<_, FrameError>>()?,
        ),
    };
    Ok(TypedFrame::Notification(TypedNotification {
        metadata: notification.metadata,
        subscription: notification.subscription,
        events,
    }))
}

fn decode_event<'a>(
    kind: &'a str,
    version: &'a str,
    json: &'a RawValue,
    field: &'static str,
) -> Result<EventData<'a>, FrameError> {
    EventData::decode(kind, version, json.get()).map_err(|error| FrameError::InvalidField {
        field,
        detail: error.to_string(),
    })
}

/// Type and version borrowed from the frame; unescaped ones only if the registry knows them.
fn borrowed_kind<'a>(metadata: &Metadata<'a>) -> Result<(&'a str, &'a str), FrameError> {
    let invalid = |detail: &str| FrameError::InvalidField {
        field: "metadata.subscription_type",
        detail: detail.to_owned(),
    };
    match (&metadata.subscription_type, &metadata.subscription_version) {
        (Some(Cow::Borrowed(kind)), Some(Cow::Borrowed(version))) => Ok((kind, version)),
        (Some(kind), Some(version)) => SubscriptionType::find(kind, version)
            .map(|entry| (entry.kind, entry.version))
            .ok_or_else(|| {
                invalid(
                    "an unknown type or version spelled with escape sequences cannot be borrowed \
                     from the frame; read it with message::parse",
                )
            }),
        _ => Err(invalid("absent from a parsed notification")),
    }
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum EnvelopeKey {
    Metadata,
    Payload,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum PayloadKey {
    Session,
    Subscription,
    Event,
    Events,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum BatchItemKey {
    Id,
    Data,
    #[serde(other)]
    Other,
}

/// A string borrowed from the frame unless it has escapes.
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

/// The envelope, with the payload typed in place when the metadata came first. `None` sends the
/// frame down the two-pass path, which either reads it or names what is wrong with it.
struct FrameVisitor;

impl<'de> Visitor<'de> for FrameVisitor {
    type Value = Option<TypedNotification<'de>>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an EventSub message")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut metadata: Option<PlainMetadata<'de>> = None;
        let mut payload = None;
        while let Some(key) = map.next_key()? {
            match key {
                EnvelopeKey::Metadata if metadata.is_none() => metadata = Some(map.next_value()?),
                EnvelopeKey::Payload if payload.is_none() => {
                    let typed_as = metadata
                        .as_ref()
                        .filter(|metadata| metadata.message_type == "notification")
                        .and_then(|metadata| {
                            metadata
                                .subscription_type
                                .zip(metadata.subscription_version)
                        });
                    let Some((kind, version)) = typed_as else {
                        return Ok(None);
                    };
                    payload = Some(map.next_value_seed(PayloadSeed { kind, version })?);
                }
                EnvelopeKey::Metadata => return Err(de::Error::duplicate_field("metadata")),
                EnvelopeKey::Payload => return Err(de::Error::duplicate_field("payload")),
                EnvelopeKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let (Some(metadata), Some(payload)) = (metadata, payload) else {
            return Ok(None);
        };
        let Some(subscription) = payload.subscription else {
            return Ok(None);
        };
        let events = match (payload.event, payload.events) {
            (Some(event), _) => TypedEvents::Single(event),
            (None, Some(batch)) => TypedEvents::Batch(batch),
            (None, None) => return Ok(None),
        };
        Ok(Some(TypedNotification {
            metadata: metadata.into(),
            subscription,
            events,
        }))
    }
}

struct TypedPayload<'a> {
    subscription: Option<&'a RawValue>,
    event: Option<EventData<'a>>,
    events: Option<Vec<TypedBatchItem<'a>>>,
}

/// Reads a notification's payload, typing its events as `kind` at `version`.
#[derive(Clone, Copy)]
struct PayloadSeed<'a> {
    kind: &'a str,
    version: &'a str,
}

impl<'de> DeserializeSeed<'de> for PayloadSeed<'de> {
    type Value = TypedPayload<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PayloadSeed<'de> {
    type Value = TypedPayload<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a notification payload")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut payload = TypedPayload {
            subscription: None,
            event: None,
            events: None,
        };
        let mut seen = [false; 4];
        let [session_seen, subscription_seen, event_seen, events_seen] = &mut seen;
        while let Some(key) = map.next_key()? {
            match key {
                PayloadKey::Session => {
                    once(session_seen, "session")?;
                    map.next_value::<IgnoredAny>()?;
                }
                PayloadKey::Subscription => {
                    once(subscription_seen, "subscription")?;
                    payload.subscription = map.next_value()?;
                }
                PayloadKey::Event => {
                    once(event_seen, "event")?;
                    payload.event = map.next_value_seed(Nullable(EventSeed(self)))?;
                }
                PayloadKey::Events => {
                    once(events_seen, "events")?;
                    payload.events = map.next_value_seed(Nullable(BatchSeed(self)))?;
                }
                PayloadKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(payload)
    }
}

/// A field read twice is an error, as the derived envelope makes it.
fn once<E: de::Error>(seen: &mut bool, field: &'static str) -> Result<(), E> {
    if std::mem::replace(seen, true) {
        Err(E::duplicate_field(field))
    } else {
        Ok(())
    }
}

/// `null` as `None`, anything else through the inner seed.
struct Nullable<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Nullable<S> {
    type Value = Option<S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Nullable<S> {
    type Value = Option<S::Value>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an event or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(deserializer).map(Some)
    }
}

/// One event, typed.
struct EventSeed<'a>(PayloadSeed<'a>);

impl<'de> DeserializeSeed<'de> for EventSeed<'de> {
    type Value = EventData<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        EventData::deserialize_as(self.0.kind, self.0.version, deserializer)
    }
}

/// `payload.events`, each item's data typed.
struct BatchSeed<'a>(PayloadSeed<'a>);

impl<'de> DeserializeSeed<'de> for BatchSeed<'de> {
    type Value = Vec<TypedBatchItem<'de>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for BatchSeed<'de> {
    type Value = Vec<TypedBatchItem<'de>>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a list of events")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element_seed(BatchItemSeed(self.0))? {
            items.push(item);
        }
        Ok(items)
    }
}

/// `{"id": …, "data": …}`, the data typed.
struct BatchItemSeed<'a>(PayloadSeed<'a>);

impl<'de> DeserializeSeed<'de> for BatchItemSeed<'de> {
    type Value = TypedBatchItem<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for BatchItemSeed<'de> {
    type Value = TypedBatchItem<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a batched event")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut id, mut data) = (None, None);
        while let Some(key) = map.next_key()? {
            match key {
                BatchItemKey::Id if id.is_none() => id = Some(map.next_value::<Text<'de>>()?.0),
                BatchItemKey::Data if data.is_none() => {
                    data = Some(map.next_value_seed(EventSeed(self.0))?);
                }
                BatchItemKey::Id => return Err(de::Error::duplicate_field("id")),
                BatchItemKey::Data => return Err(de::Error::duplicate_field("data")),
                BatchItemKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(TypedBatchItem {
            id: id.ok_or_else(|| de::Error::missing_field("id"))?,
            data: data.ok_or_else(|| de::Error::missing_field("data"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const METADATA: &str = r#""metadata":{"message_id":"m","message_type":"notification","message_timestamp":"2023-11-06T18:11:47.492253549Z","subscription_type":"channel.follow","subscription_version":"2"}"#;
    const SUBSCRIPTION: &str = r#""subscription":{"id":"s","status":"enabled","type":"channel.follow","version":"2","condition":{},"transport":{"method":"websocket","session_id":"x"},"created_at":"2023-11-06T18:11:47Z","cost":0}"#;
    const FOLLOW: &str = r#"{"user_id":"1234","user_login":"cool_user","user_name":"Cool_User","broadcaster_user_id":"1337","broadcaster_user_login":"cooler_user","broadcaster_user_name":"Cooler_User","followed_at":"2023-11-06T18:11:47.464757833Z"}"#;

    fn single<'a>(frame: &TypedFrame<'a>) -> Option<EventData<'a>> {
        match frame {
            TypedFrame::Notification(TypedNotification {
                events: TypedEvents::Single(event),
                ..
            }) => Some(event.clone()),
            _ => None,
        }
    }

    fn follow() -> EventData<'static> {
        EventData::decode("channel.follow", "2", FOLLOW).unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn metadata_first_types_the_event_in_the_same_pass() {
        let frame = format!(r#"{{{METADATA},"payload":{{{SUBSCRIPTION},"event":{FOLLOW}}}}}"#);
        let Some(notification) = one_pass(&frame) else {
            panic!("not read in one pass")
        };
        assert!(matches!(&notification.events, TypedEvents::Single(event) if *event == follow()));
        assert_eq!(notification.metadata.message_id, "m");
        assert!(notification.subscription.get().starts_with(r#"{"id":"s""#));
    }

    #[test]
    fn payload_before_metadata_is_read_in_two_passes_to_the_same_result() {
        let frame = format!(r#"{{"payload":{{"event":{FOLLOW},{SUBSCRIPTION}}},{METADATA}}}"#);
        assert!(one_pass(&frame).is_none());
        let parsed = parse_frame(&frame).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(single(&parsed), Some(follow()));
    }

    #[test]
    fn a_batch_types_each_item_and_an_unknown_type_stays_raw() {
        let metadata = METADATA.replace("channel.follow", "channel.brand_new");
        let frame = format!(
            r#"{{{metadata},"payload":{{{SUBSCRIPTION},"events":[{{"id":"e1","data":{{"n":1}}}},{{"data":[2],"id":"e2"}}]}}}}"#
        );
        let Some(TypedNotification {
            events: TypedEvents::Batch(batch),
            ..
        }) = one_pass(&frame)
        else {
            panic!("not a batch read in one pass")
        };
        let items: Vec<(&str, &str, &str)> = batch
            .iter()
            .map(|item| match &item.data {
                EventData::Unknown(unknown) => (item.id.as_ref(), unknown.kind, unknown.json),
                other => panic!("typed as {}", other.kind()),
            })
            .collect();
        assert_eq!(
            items,
            [
                ("e1", "channel.brand_new", r#"{"n":1}"#),
                ("e2", "channel.brand_new", "[2]")
            ]
        );
    }

    #[test]
    fn an_event_of_the_wrong_shape_names_the_event() {
        let frame =
            format!(r#"{{{METADATA},"payload":{{{SUBSCRIPTION},"event":{{"user_id":5}}}}}}"#);
        assert!(one_pass(&frame).is_none());
        assert!(matches!(
            parse_frame(&frame),
            Err(FrameError::InvalidField {
                field: "payload.event",
                ..
            })
        ));
    }

    #[test]
    fn escaped_metadata_is_unescaped_for_a_known_type_and_refused_for_an_unknown_one() {
        let escaped = METADATA.replace("channel.follow", r"channel\u002efollow");
        let frame = format!(r#"{{{escaped},"payload":{{{SUBSCRIPTION},"event":{FOLLOW}}}}}"#);
        let parsed = parse_frame(&frame).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(single(&parsed), Some(follow()));

        let unknown = frame.replace("follow", "brand_new");
        assert!(matches!(
            parse_frame(&unknown),
            Err(FrameError::InvalidField {
                field: "metadata.subscription_type",
                ..
            })
        ));
    }

    #[test]
    fn other_messages_and_bad_frames_read_as_message_parse_reads_them() {
        let keepalive = r#"{"metadata":{"message_id":"k","message_type":"session_keepalive","message_timestamp":"2023-11-06T18:11:47Z"},"payload":{}}"#;
        assert!(matches!(
            parse_frame(keepalive),
            Ok(TypedFrame::Other(Message::Keepalive { .. }))
        ));
        let twice = format!(
            r#"{{{METADATA},"payload":{{{SUBSCRIPTION},"event":{FOLLOW},"event":{FOLLOW}}}}}"#
        );
        let session_twice = format!(
            r#"{{{METADATA},"payload":{{"session":null,{SUBSCRIPTION},"event":{FOLLOW},"session":1}}}}"#
        );
        for frame in [&twice, &session_twice, "{", "[]", r#"{"metadata":{}}"#] {
            assert_eq!(
                parse_frame(frame).err(),
                message::parse(frame).err(),
                "{frame}"
            );
        }
    }
}
