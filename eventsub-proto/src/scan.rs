//! The lazy envelope: a scan of a frame that reads only what the core needs to route it.
//!
//! The core needs a notification's metadata (message id, type, timestamp, subscription type and
//! version) to drop duplicates, judge staleness and route it; the payload only has to be found.
//! [`scan`] reads the metadata exactly as [`message::parse`](crate::message::parse) does and, for
//! a notification, only finds where `payload.event` begins (and, in Twitch's order, where the
//! `payload.subscription` before it begins and ends). It takes a frame only in the layout Twitch
//! sends; for anything else (a batch, escapes in the metadata, other keys before the event, other
//! message types) it answers `None` and the caller reads the frame with the full parse.
//!
//! # What the scan checks, and what it leaves to the user's decode
//!
//! Checked eagerly, with the same outcome as the full parse:
//! - the frame starts `{"metadata":{…},"payload":` (JSON whitespace allowed between tokens);
//! - the metadata: an object of `message_id`, `message_type`, `message_timestamp` (strings) and
//!   `subscription_type`, `subscription_version` (strings or `null`), each at most once and no
//!   other key, strings without escapes or control characters;
//! - a `session_keepalive`'s payload is `{}` and nothing but whitespace follows the frame's
//!   closing bracket: that frame is then fully read, and the scan gives what the full parse gives;
//! - a `notification` has a subscription type and version in its metadata, and its payload
//!   begins `{"subscription":{…},"event":{` (the subscription's strings closed and brackets
//!   balanced, at most [`MAX_DEPTH`] deep, so that where it ends is known) or `{"event":{` (the
//!   order of a server that sorts its keys).
//!
//! Not read at all: the event (the user's decode reads it, in one pass with finding where it
//! ends), and what follows it. So a notification delivered from a scan is a frame whose event,
//! subscription after the event, and closing brackets are all unread: the decoding methods
//! ([`Notification::typed`](crate::Notification::typed),
//! [`Notification::decode`](crate::Notification::decode),
//! [`Notification::check_payload`](crate::Notification::check_payload)) check them, and a frame
//! the full parse refuses is an error there and counted as malformed (see `unchecked.rs`).

use crate::message::Metadata;
use crate::subscription_memo::SubscriptionMemo;

/// How deep the payload objects may nest for the scan to take them. The full parse allows 128
/// levels for the whole frame, and the frame puts two around the event: at this depth the
/// frame's parse could not fail on depth alone where the event's own parse succeeds.
pub(crate) const MAX_DEPTH: usize = 100;

/// A frame the scan has read.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Scanned<'a> {
    /// A `session_keepalive` whose payload is `{}`: read whole.
    Keepalive {
        /// The metadata.
        metadata: Metadata<'a>,
    },
    /// A `notification` of one event, where its payload's parts start.
    Notification {
        /// The metadata; `subscription_type` and `subscription_version` are set.
        metadata: Metadata<'a>,
        /// `payload.subscription` when it comes before the event, as text: an object whose
        /// strings and brackets balance. Empty (at the frame's end) when it comes after.
        subscription: &'a str,
        /// The frame from `payload.event`'s opening bracket to its end: where the event ends is
        /// not known.
        event: &'a str,
    },
}

/// Scans `text` (see the module documentation); `None` when the full parse must read it. A
/// notification is taken only when `notifications` is true: otherwise the scan stops after its
/// metadata.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn scan(text: &str, notifications: bool) -> Option<Scanned<'_>> {
    scan_remembering(text, notifications, None)
}

/// [`scan`], with the subscription object the client walked last: a frame carrying it byte for
/// byte where the walk would start is not walked again, and one that does not is walked and its
/// subscription remembered. The answer is [`scan`]'s.
pub(crate) fn scan_remembering<'a>(
    text: &'a str,
    notifications: bool,
    memo: Option<&mut SubscriptionMemo>,
) -> Option<Scanned<'a>> {
    let mut cursor = Cursor { text, at: 0 };
    cursor.eat(b'{')?;
    cursor.key("metadata")?;
    let metadata = cursor.metadata()?;
    cursor.eat(b',')?;
    cursor.key("payload")?;
    let scanned = match metadata.message_type.as_ref() {
        "session_keepalive" => {
            cursor.eat(b'{')?;
            cursor.eat(b'}')?;
            Scanned::Keepalive { metadata }
        }
        "notification"
            if notifications
                && metadata.subscription_type.is_some()
                && metadata.subscription_version.is_some() =>
        {
            cursor.eat(b'{')?;
            // Twitch sends the subscription first; a server that sorts its keys, the event. The
            // event is not read: its decode finds where it ends.
            cursor.eat(b'"')?;
            let subscription = match cursor.quoted_key(&["subscription", "event"])? {
                "subscription" => {
                    cursor.eat(b':')?;
                    let subscription = cursor.subscription(memo)?;
                    cursor.eat(b',')?;
                    cursor.key("event")?;
                    subscription
                }
                // Found after the event, when asked for: an empty text at the frame's end.
                "event" => {
                    cursor.eat(b':')?;
                    text.get(text.len()..)?
                }
                _ => return None,
            };
            if !cursor.peek(b'{') {
                return None;
            }
            return Some(Scanned::Notification {
                metadata,
                subscription,
                event: text.get(cursor.at..)?,
            });
        }
        _ => return None,
    };
    cursor.eat(b'}')?;
    cursor.whitespace();
    (cursor.at == text.len()).then_some(scanned)
}

/// The keys of the metadata, in Twitch's order.
const METADATA_KEYS: [&str; 5] = [
    "message_id",
    "message_type",
    "message_timestamp",
    "subscription_type",
    "subscription_version",
];

/// A position in the frame's text.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn byte(&self, at: usize) -> Option<u8> {
        self.text.as_bytes().get(at).copied()
    }

    /// Skips JSON whitespace.
    fn whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.byte(self.at) {
            self.at += 1;
        }
    }

    /// Whitespace, then `expected`.
    fn eat(&mut self, expected: u8) -> Option<()> {
        self.whitespace();
        (self.byte(self.at)? == expected).then(|| self.at += 1)
    }

    /// Whitespace, then whether `expected` comes next (not taken).
    fn peek(&mut self, expected: u8) -> bool {
        self.whitespace();
        self.byte(self.at) == Some(expected)
    }

    /// A string without escapes or control characters, borrowed.
    fn plain_string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        let end = next_special(self.text.as_bytes(), start, true)?;
        if self.byte(end)? != b'"' {
            return None;
        }
        self.at = end + 1;
        // `start` and `end` are next to ASCII quotes: character boundaries.
        self.text.get(start..end)
    }

    /// The key `name`, then its colon.
    fn key(&mut self, name: &'static str) -> Option<()> {
        self.eat(b'"')?;
        self.quoted_key(&[name])?;
        self.eat(b':')
    }

    /// After a string's opening quote: the one of `names` that is the whole string (its closing
    /// quote taken), compared in place; `None` for any other string. What
    /// [`plain_string`](Self::plain_string) and a comparison answer, without searching for the
    /// string's end: the keys are known, and most of the metadata's strings are keys.
    fn quoted_key<const N: usize>(&mut self, names: &[&'static str; N]) -> Option<&'static str> {
        let rest = self.text.as_bytes().get(self.at..)?;
        let name = names.iter().find(|name| {
            rest.starts_with(name.as_bytes()) && rest.get(name.len()) == Some(&b'"')
        })?;
        self.at += name.len() + 1;
        Some(name)
    }

    /// `null`.
    fn null(&mut self) -> Option<()> {
        self.whitespace();
        let rest = self.text.as_bytes().get(self.at..)?;
        rest.starts_with(b"null").then(|| self.at += 4)
    }

    /// After a string's opening quote: which of [`METADATA_KEYS`] the string is (its closing
    /// quote taken); `None` for any other string.
    fn metadata_key(&mut self) -> Option<usize> {
        let rest = self.text.as_bytes().get(self.at..)?;
        // Told apart by a byte or two where they differ, then compared whole.
        let index = match rest.first()? {
            b'm' => match rest.get(8..10)? {
                b"id" => 0,
                b"ty" => 1,
                b"ti" => 2,
                _ => return None,
            },
            b's' => match rest.get(13)? {
                b't' => 3,
                b'v' => 4,
                _ => return None,
            },
            _ => return None,
        };
        let name = METADATA_KEYS.get(index)?;
        if !(rest.starts_with(name.as_bytes()) && rest.get(name.len()) == Some(&b'"')) {
            return None;
        }
        self.at += name.len() + 1;
        Some(index)
    }

    /// The metadata object.
    fn metadata(&mut self) -> Option<Metadata<'a>> {
        // Per field: not seen, seen as `null`, or seen with a string.
        let mut fields: [Option<Option<&'a str>>; 5] = [None; 5];
        self.eat(b'{')?;
        loop {
            self.eat(b'"')?;
            let index = self.metadata_key()?;
            self.eat(b':')?;
            let slot = fields.get_mut(index)?;
            if slot.is_some() {
                return None; // A repeated key: the full parse reports it.
            }
            // Only the subscription's type and version may be null; null elsewhere is the full
            // parse's error to report.
            *slot = Some(if index >= 3 && self.peek(b'n') {
                self.null()?;
                None
            } else {
                Some(self.plain_string()?)
            });
            self.whitespace();
            match self.byte(self.at)? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    break;
                }
                _ => return None,
            }
        }
        let [id, kind, timestamp, subscription_type, subscription_version] = fields;
        Some(Metadata::borrowed(
            id??,
            kind??,
            timestamp??,
            subscription_type.flatten(),
            subscription_version.flatten(),
        ))
    }

    /// The subscription object: the one `memo` remembers when the frame carries its very bytes
    /// here (the walk would read those bytes and end where they end), otherwise walked and then
    /// remembered.
    fn subscription(&mut self, memo: Option<&mut SubscriptionMemo>) -> Option<&'a str> {
        let Some(memo) = memo else {
            return self.object();
        };
        self.whitespace();
        if let Some(known) = self
            .text
            .get(self.at..)
            .and_then(|rest| memo.prefix_of(rest))
        {
            self.at += known.len();
            return Some(known);
        }
        let object = self.object()?;
        memo.remember(object);
        Some(object)
    }

    /// An object, found by its brackets and strings only (not checked inside); its text.
    ///
    /// Read eight bytes at a time: each word gives the places of its quotes, backslashes and
    /// brackets at once, and only those bytes are looked at, in order. (A byte at a time, and a
    /// search per string for its end, cost most of the scan: a chat event is some 140 strings of
    /// 11 bytes on average.)
    fn object(&mut self) -> Option<&'a str> {
        self.whitespace();
        let bytes = self.text.as_bytes();
        let start = self.at;
        if bytes.get(start) != Some(&b'{') {
            return None;
        }
        let mut walk = Walk::default();
        let mut at = start;
        'words: while let Some(chunk) = bytes.get(at..at + 8) {
            let word = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).ok()?);
            // The high bit of each byte that may matter (exact for the lowest, possibly too many
            // above it: every byte flagged is looked at, so none is missed or misread).
            let mut flagged = zero_bytes(word ^ (ONES * u64::from(b'"')))
                | zero_bytes(word ^ (ONES * u64::from(b'\\')))
                // `{`, `}`, `[` and `]`, all 0x7F with bits 0x26 set (and `Y`, `_`, `y`, DEL).
                | zero_bytes((word | (ONES * 0x26)) ^ (ONES * 0x7F));
            while flagged != 0 {
                let offset = (flagged.trailing_zeros() / 8) as usize;
                flagged &= flagged - 1;
                match walk.step(*chunk.get(offset)?)? {
                    Step::On => {}
                    Step::SkipNext => {
                        // The escaped byte may be in the next word: read on from after it.
                        at += offset + 2;
                        continue 'words;
                    }
                    Step::End => return self.end_object(start, at + offset),
                }
            }
            at += 8;
        }
        // The last few bytes of the frame, one at a time.
        while let Some(&byte) = bytes.get(at) {
            match walk.step(byte)? {
                Step::On => at += 1,
                Step::SkipNext => at += 2,
                Step::End => return self.end_object(start, at),
            }
        }
        None
    }

    /// The object from `start` to the bracket at `end` that closes it.
    fn end_object(&mut self, start: usize, end: usize) -> Option<&'a str> {
        self.at = end + 1;
        // `start` and `end` are ASCII brackets: character boundaries.
        self.text.get(start..=end)
    }
}

/// Where the object starting at `start` in `text` ends (just after its closing bracket), found by
/// its brackets and strings only, as [`scan`] finds the subscription; `None` when there is no
/// object there, or its end is not found.
pub(crate) fn object_end(text: &str, start: usize) -> Option<usize> {
    let mut cursor = Cursor { text, at: start };
    cursor.object()?;
    Some(cursor.at)
}

/// Eight ones, one per byte.
const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of each zero byte of `word` (exact for the lowest one; a byte above a zero byte
/// may be flagged too).
fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & (ONES * 0x80)
}

/// Where [`Cursor::object`] is: inside a string or not, and how deep.
#[derive(Default)]
struct Walk {
    in_string: bool,
    depth: usize,
}

/// What one byte does to a [`Walk`].
enum Step {
    /// Go on with the next byte.
    On,
    /// A backslash in a string: the next byte is escaped, whatever it is (only `\"` matters).
    SkipNext,
    /// The bracket that closes the object.
    End,
}

impl Walk {
    /// Takes `byte`; `None` when the object cannot be taken (too deep, or closed more than opened).
    fn step(&mut self, byte: u8) -> Option<Step> {
        if self.in_string {
            match byte {
                b'"' => self.in_string = false,
                b'\\' => return Some(Step::SkipNext),
                _ => {}
            }
            return Some(Step::On);
        }
        match byte {
            b'"' => self.in_string = true,
            b'{' | b'[' => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return None;
                }
            }
            b'}' | b']' => {
                self.depth = self.depth.checked_sub(1)?;
                if self.depth == 0 {
                    return Some(Step::End);
                }
            }
            _ => {}
        }
        Some(Step::On)
    }
}

/// Where the first `"` or `\\` (or, with `control`, byte below 0x20) is in `bytes` from `at`; `None`
/// when there is none. Reads eight bytes at a time: strings are most of a frame.
fn next_special(bytes: &[u8], mut at: usize, control: bool) -> Option<usize> {
    while let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).ok()?);
        let mut found = zero_bytes(word ^ (ONES * u64::from(b'"')))
            | zero_bytes(word ^ (ONES * u64::from(b'\\')));
        if control {
            found |= zero_bytes(word & (ONES * 0xE0));
        }
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let rest = bytes.get(at..)?;
    let offset = rest
        .iter()
        .position(|&byte| byte == b'"' || byte == b'\\' || (control && byte < 0x20))?;
    Some(at + offset)
}

/// A scan remembering the subscription it walked last gives the answer of one that does not,
/// whatever it remembers: here the chat frame's subscription (which `text`, made from that frame,
/// may carry changed anywhere, or cut), and `text`'s own.
#[cfg(any(test, feature = "fuzzing"))]
fn assert_remembering_agrees(text: &str) {
    const CHAT: &str = include_str!("../benches/frames/channel_chat_message.json");
    let expected = scan(text, true);
    let mut memo = SubscriptionMemo::default();
    let _ = scan_remembering(CHAT, true, Some(&mut memo));
    assert_eq!(
        scan_remembering(text, true, Some(&mut memo)),
        expected,
        "{text}"
    );
    // Now remembering `text`'s own subscription, when it had one to walk.
    assert_eq!(
        scan_remembering(text, true, Some(&mut memo)),
        expected,
        "{text}"
    );
}

/// The lazy envelope against the full parse, on one frame: what the envelope fuzz target
/// (`fuzzing::envelope`) and the scan's tests check. A frame the scan leaves to the full parse is
/// not its concern. One it takes:
/// - a keepalive: the full parse reads the same keepalive, with the same metadata;
/// - a notification: the notification the core delivers for it, its parts asked for in three
///   orders (decode first, raw text first, check first), agrees with the full parse. When the full
///   parse reads a notification of one event, with the same metadata: the same event and
///   subscription text, the same typed event (or the same failure), and nothing counted. When it
///   refuses the frame: [`Notification::check_payload`](crate::Notification::check_payload)
///   fails, the frame is counted exactly once however often it is decoded, and a decode of the
///   event succeeds only when the subscription is what is broken (its own decode's to report).
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn assert_agrees_with_the_full_parse(text: &str) {
    use serde::de::IgnoredAny;
    use serde_json::value::RawValue;

    use crate::event::{Notification, NotificationParts};
    use crate::events::EventData;
    use crate::ids::{ConnId, MessageId};
    use crate::message::{self, Events, Message};
    use crate::unchecked::MalformedCount;

    assert_remembering_agrees(text);
    let Some(scanned) = scan(text, true) else {
        return;
    };
    let parsed = message::parse(text);
    let (metadata, subscription, event) = match scanned {
        Scanned::Keepalive { metadata } => {
            let Ok(Message::Keepalive { metadata: parsed }) = parsed else {
                panic!("a keepalive the full parse reads as {parsed:?}: {text}")
            };
            assert_eq!(metadata, parsed);
            return;
        }
        Scanned::Notification {
            metadata,
            subscription,
            event,
        } => (metadata, subscription, event),
    };
    assert!(event.starts_with('{') && text.ends_with(event), "{text}");
    let kind = metadata.subscription_type.as_deref().unwrap_or_default();
    let version = metadata.subscription_version.as_deref().unwrap_or_default();
    let message_id = MessageId::parse(&metadata.message_id);
    // What the core delivers for the frame under the deferred check.
    let deliver = |malformed: &MalformedCount| {
        let parts = NotificationParts {
            conn: ConnId::next(&mut 0),
            message_id: &message_id,
            message_timestamp: &metadata.message_timestamp,
            subscription_type: kind,
            subscription_version: version,
            subscription,
            unchecked: Some(malformed),
            // The ring's clock only: when nothing was copied for a while.
            now: std::time::Instant::now(),
        };
        Notification::single(
            &mut crate::frame_ring::FrameRing::default(),
            &parts,
            text,
            event,
        )
    };
    match parsed {
        Ok(Message::Notification(parsed)) => {
            assert_eq!(metadata, parsed.metadata, "{text}");
            let Events::Single(parsed_event) = parsed.events else {
                panic!("a batch scanned as one event: {text}")
            };
            let (parsed_event, parsed_subscription) =
                (parsed_event.get(), parsed.subscription.get());
            let expected = EventData::decode(kind, version, parsed_event).ok();
            let malformed = MalformedCount::default();
            let decoded_first = deliver(&malformed);
            assert_eq!(decoded_first.typed().ok(), expected, "{text}");
            assert_eq!(decoded_first.event_json(), parsed_event, "{text}");
            assert_eq!(
                decoded_first.subscription_json(),
                parsed_subscription,
                "{text}"
            );
            assert!(decoded_first.check_payload().is_ok(), "{text}");
            let text_first = deliver(&malformed);
            assert_eq!(text_first.event_json(), parsed_event, "{text}");
            assert_eq!(
                text_first.subscription_json(),
                parsed_subscription,
                "{text}"
            );
            let raw = text_first.decode::<&RawValue>().map(RawValue::get);
            assert_eq!(raw.ok(), Some(parsed_event), "{text}");
            assert_eq!(text_first.typed().ok(), expected, "{text}");
            let checked_first = deliver(&malformed);
            assert!(checked_first.check_payload().is_ok(), "{text}");
            assert!(checked_first.decode::<IgnoredAny>().is_ok(), "{text}");
            assert_eq!(checked_first.event_json(), parsed_event, "{text}");
            assert_eq!(
                malformed.get(),
                0,
                "a sound frame counted as malformed: {text}"
            );
        }
        Err(_) => {
            for order in 0..3 {
                let malformed = MalformedCount::default();
                let delivered = deliver(&malformed);
                let (typed, decoded, checked) = match order {
                    0 => {
                        let typed = delivered.typed().is_ok();
                        let decoded = delivered.decode::<IgnoredAny>().is_ok();
                        (typed, decoded, delivered.check_payload().is_ok())
                    }
                    1 => {
                        let _ = delivered.event_json();
                        let checked = delivered.check_payload().is_ok();
                        let decoded = delivered.decode::<IgnoredAny>().is_ok();
                        (delivered.typed().is_ok(), decoded, checked)
                    }
                    _ => {
                        let checked = delivered.check_payload().is_ok();
                        let _ = delivered.subscription();
                        let typed = delivered.typed().is_ok();
                        (typed, delivered.decode::<IgnoredAny>().is_ok(), checked)
                    }
                };
                assert!(
                    !checked,
                    "a frame the full parse refuses checked sound: {text}"
                );
                if typed || decoded {
                    // The event and the layout around it are sound: the subscription is not.
                    let subscription = delivered.subscription_json();
                    assert!(
                        serde_json::from_str::<IgnoredAny>(subscription).is_err(),
                        "a frame the full parse refuses decoded, its subscription sound: {text}"
                    );
                    assert!(delivered.subscription().is_err(), "{text}");
                }
                assert_eq!(malformed.get(), 1, "not counted once: {text}");
            }
        }
        Ok(other) => panic!("a notification the full parse reads as {other:?}: {text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{self, Events, Message};

    const CHAT: &str = include_str!("../benches/frames/channel_chat_message.json");
    const KEEPALIVE: &str = include_str!("../benches/frames/session_keepalive.json");

    /// Where `part` starts in `text`, when it is a slice of it.
    fn offset(text: &str, part: &str) -> usize {
        (part.as_ptr() as usize) - (text.as_ptr() as usize)
    }

    #[test]
    fn a_chat_notification_is_scanned_to_the_same_metadata_and_the_start_of_its_event() {
        let Some(Scanned::Notification {
            metadata,
            subscription,
            event,
        }) = scan(CHAT, true)
        else {
            panic!("the chat frame is not scanned")
        };
        let Ok(Message::Notification(parsed)) = message::parse(CHAT) else {
            panic!("not a notification")
        };
        assert_eq!(metadata, parsed.metadata);
        assert_eq!(subscription, parsed.subscription.get());
        let Events::Single(parsed_event) = parsed.events else {
            panic!("a batch")
        };
        // The event is not read: the scan gives the frame from its start on.
        assert_eq!(offset(CHAT, event), offset(CHAT, parsed_event.get()));
        assert_eq!(event.len(), CHAT.len() - offset(CHAT, event));
        assert_agrees_with_the_full_parse(CHAT);
    }

    #[test]
    fn a_payload_with_the_event_first_is_scanned_up_to_the_event() {
        let frame = r#"{"metadata":{"message_id":"m","message_type":"notification","message_timestamp":"t","subscription_type":"x","subscription_version":"1"},"payload":{"event":{"e":1},"subscription":{"s":2}}}"#;
        let Some(Scanned::Notification {
            subscription,
            event,
            ..
        }) = scan(frame, true)
        else {
            panic!("not scanned")
        };
        assert_eq!(
            (subscription, event),
            ("", r#"{"e":1},"subscription":{"s":2}}}"#)
        );
        assert_eq!(offset(frame, subscription), frame.len());
        assert_agrees_with_the_full_parse(frame);
    }

    #[test]
    fn a_keepalive_is_read_whole() {
        let Some(Scanned::Keepalive { metadata }) = scan(KEEPALIVE, true) else {
            panic!("the keepalive is not scanned")
        };
        assert_eq!(&metadata, message::parse(KEEPALIVE).unwrap().metadata()); // ok: a unit test; a panic is its failure report
    }

    /// A notification with an empty subscription and event.
    const EMPTY: &str = r#"{"metadata":{"message_id":"m","message_type":"notification","message_timestamp":"t","subscription_type":"x","subscription_version":"1"},"payload":{"subscription":{},"event":{}}}"#;

    #[test]
    fn anything_unusual_before_the_event_is_left_to_the_full_parse() {
        assert!(scan(EMPTY, true).is_some());
        assert!(scan(EMPTY, false).is_none());
        for unusual in [
            EMPTY.replace(r#""m""#, r#""\u006d""#),
            EMPTY.replace(r#""message_id":"m","#, ""),
            EMPTY.replace(
                r#""subscription_version":"1""#,
                r#""subscription_version":null"#,
            ),
            EMPTY.replace(
                r#""message_id":"m""#,
                r#""message_id":"m","message_id":"m""#,
            ),
            EMPTY.replace(r#""message_id":"m""#, r#""message_id":"m","other":1"#),
            EMPTY.replace(r#""event":{}"#, r#""events":[]"#),
            EMPTY.replace(r#""event":{}"#, r#""event":[]"#),
            EMPTY.replace(r#""event":{}"#, r#""event":null"#),
            EMPTY.replace(r#""event":{}"#, r#""subscription":{}"#),
            EMPTY.replace(r#""subscription":{},"#, r#""session":{},"#),
            EMPTY.replace(r#""payload":{"#, r#""payload":{"x":1,"#),
            EMPTY.replace(r#""subscription":{}"#, r#""subscription":{"a":"}"#),
            EMPTY.replace(
                r#""message_type":"notification""#,
                r#""message_type":"revocation""#,
            ),
            EMPTY.replace(
                r#""subscription":{}"#,
                &format!(
                    r#""subscription":{{{}{}}}"#,
                    "[".repeat(MAX_DEPTH),
                    "]".repeat(MAX_DEPTH)
                ),
            ),
        ] {
            assert!(scan(&unusual, true).is_none(), "scanned {unusual}");
            assert_agrees_with_the_full_parse(&unusual);
        }
    }

    #[test]
    fn anything_after_the_event_is_taken_and_read_as_the_full_parse_reads_it() {
        let sorted = EMPTY.replace(
            r#""subscription":{},"event":{}"#,
            r#""event":{},"subscription":{}"#,
        );
        let deep = format!("{{\"k\":{}{}}}", "[".repeat(150), "]".repeat(150));
        let mut sound = Vec::new();
        for frame in [EMPTY, sorted.as_str()] {
            for (from, to) in [
                // Sound: other keys, whitespace, an event nested deeper than the scan walks.
                (r#""event":{}"#, r#""event":{} , "other":[1]"#.to_owned()),
                (r#""event":{}"#, r#""event":{},"events":[]"#.to_owned()),
                (r#""event":{}"#, format!(r#""event":{deep}"#)),
                ("}}", " } \n\t}\r ".to_owned()),
                // Broken: junk after, brackets of the wrong kind, an event cut short, a key twice.
                ("}}", "}} x".to_owned()),
                ("}}", "}]".to_owned()),
                ("}}", "}".to_owned()),
                (r#""event":{}"#, r#""event":{"a":"\"}"#.to_owned()),
                (r#""event":{}"#, r#""event":{"a":1]"#.to_owned()),
                (r#""event":{}"#, r#""event":{},"event":{}"#.to_owned()),
                (r#""event":{}"#, r#""event":{}{}"#.to_owned()),
                (
                    r#""event":{}"#,
                    r#""event":{},"subscription":{}"#.to_owned(),
                ),
                (r#""subscription":{}"#, r#""subscription":{}{}"#.to_owned()),
                (
                    r#""subscription":{}"#,
                    r#""subscription":{"a":tru}"#.to_owned(),
                ),
                (r#""subscription":{}"#, r#""subscription":{}}{}"#.to_owned()),
            ] {
                let changed = frame.replacen(from, &to, 1);
                // A subscription before the event is the scan's to read.
                let after_the_event = frame == sorted || !from.contains("subscription");
                assert!(
                    scan(&changed, true).is_some() || !after_the_event,
                    "{changed}"
                );
                assert_agrees_with_the_full_parse(&changed);
                sound.push(message::parse(&changed).is_ok());
            }
        }
        // Both outcomes were met: the oracle was asked about sound and broken frames alike.
        assert!(sound.contains(&true) && sound.contains(&false));
    }

    #[test]
    fn an_event_that_is_no_json_inside_is_left_to_the_decode() {
        let frame = r#"{"metadata":{"message_id":"m","message_type":"notification","message_timestamp":"t","subscription_type":"x","subscription_version":"1"},"payload":{"subscription":{},"event":{"a":tru,"b":"\"}"]}}"#;
        let Some(Scanned::Notification { event, .. }) = scan(frame, true) else {
            panic!("not scanned")
        };
        assert_eq!(event, r#"{"a":tru,"b":"\"}"]}}"#);
        assert!(message::parse(frame).is_err());
        assert_agrees_with_the_full_parse(frame);
    }

    /// What the envelope fuzz target checks (`fuzzing::envelope`), on every frame the scan takes.
    fn agrees_with_the_full_parse(text: &str) {
        assert_agrees_with_the_full_parse(text);
    }

    /// The event text of the notification the core delivers for `text` (decoded first, so that
    /// the decode finds its end), when the scan takes it.
    fn delivered_event(text: &str) -> Option<String> {
        let Scanned::Notification {
            metadata,
            subscription,
            event,
        } = scan(text, true)?
        else {
            return None;
        };
        let malformed = crate::unchecked::MalformedCount::default();
        let message_id = crate::ids::MessageId::parse(&metadata.message_id);
        let parts = crate::event::NotificationParts {
            conn: crate::ids::ConnId::next(&mut 0),
            message_id: &message_id,
            message_timestamp: &metadata.message_timestamp,
            subscription_type: metadata.subscription_type.as_deref().unwrap_or_default(),
            subscription_version: metadata.subscription_version.as_deref().unwrap_or_default(),
            subscription,
            unchecked: Some(&malformed),
            // The ring's clock only: when nothing was copied for a while.
            now: std::time::Instant::now(),
        };
        let delivered = crate::event::Notification::single(
            &mut crate::frame_ring::FrameRing::default(),
            &parts,
            text,
            event,
        );
        let _ = delivered.decode::<serde::de::IgnoredAny>();
        Some(delivered.event_json().to_owned())
    }

    #[test]
    fn escapes_and_brackets_in_strings_are_read_wherever_they_fall_in_a_word() {
        let frame = |event: &str| {
            format!(
                r#"{{"metadata":{{"message_id":"m","message_type":"notification","message_timestamp":"t","subscription_type":"x","subscription_version":"1"}},"payload":{{"subscription":{{"s":"]"}},"event":{event}}}}}"#
            )
        };
        for pad in 0..17 {
            let pad = "p".repeat(pad);
            for inner in [r#"\""#, r#"\\"#, r#"\\\""#, "}", "]{[", r#"\u007d"#] {
                let event = format!(r#"{{"a{pad}":"{pad}{inner}{pad}","b":[{{}},"{inner}"]}}"#);
                let text = frame(&event);
                assert_eq!(delivered_event(&text), Some(event), "{text}");
                agrees_with_the_full_parse(&text);
            }
        }
    }

    #[test]
    fn every_one_byte_change_of_real_frames_is_scanned_as_the_full_parse_reads_it() {
        for frame in [CHAT, KEEPALIVE] {
            let bytes = frame.as_bytes();
            for at in 0..bytes.len() {
                for replacement in [
                    &b""[..],
                    b"\"",
                    b"\\",
                    b"{",
                    b"}",
                    b"[",
                    b"]",
                    b",",
                    b":",
                    b" ",
                    b"\n",
                    b"x",
                    b"1",
                    b"null",
                    b"\"\"",
                ] {
                    let mut changed = bytes[..at].to_vec();
                    changed.extend_from_slice(replacement);
                    changed.extend_from_slice(&bytes[at + 1..]);
                    if let Ok(text) = std::str::from_utf8(&changed) {
                        agrees_with_the_full_parse(text);
                    }
                }
            }
        }
    }

    /// A notification frame whose event is `event` (any text).
    fn frame_with_event(event: &str) -> String {
        format!(
            r#"{{"metadata":{{"message_id":"m","message_type":"notification","message_timestamp":"t","subscription_type":"x","subscription_version":"1"}},"payload":{{"subscription":{{"s":"]"}},"event":{event}}}}}"#
        )
    }

    /// The object at the start of `text` as a byte at a time finds it: what [`Cursor::object`]
    /// must answer, word by word.
    fn object_a_byte_at_a_time(text: &str) -> Option<&str> {
        let bytes = text.as_bytes();
        if bytes.first() != Some(&b'{') {
            return None;
        }
        let mut walk = Walk::default();
        let mut at = 0;
        while let Some(&byte) = bytes.get(at) {
            match walk.step(byte)? {
                Step::On => at += 1,
                Step::SkipNext => at += 2,
                Step::End => return text.get(..=at),
            }
        }
        None
    }

    /// [`Cursor::object`] on `text`.
    fn object_of(text: &str) -> Option<&str> {
        Cursor { text, at: 0 }.object()
    }

    /// Checks one event text wherever it falls in a word: the object found agrees with a byte at
    /// a time, the frame's scan with the full parse.
    fn check_at_every_offset(event: &str) {
        for pad in 0..9 {
            let shifted = format!("{{{}\"\":{event}}}", " ".repeat(pad));
            assert_eq!(
                object_of(&shifted),
                object_a_byte_at_a_time(&shifted),
                "{shifted}"
            );
            agrees_with_the_full_parse(&frame_with_event(&shifted));
        }
        assert_eq!(object_of(event), object_a_byte_at_a_time(event), "{event}");
        agrees_with_the_full_parse(&frame_with_event(event));
    }

    #[test]
    fn escapes_brackets_and_multi_byte_characters_in_strings_are_read_at_every_offset() {
        for inner in [
            r#"\""#,
            r#"\\"#,
            r#"\\\""#,
            r#"\\\\"#,
            r#"a\"}]"#,
            r#"\\"}"#,
            "{[}]",
            "é",
            "日本語",
            "😀}",
            "\u{7f}\u{80}",
            "Y_y",
        ] {
            for pad in 0..17 {
                let pad = "p".repeat(pad);
                check_at_every_offset(&format!(r#"{{"{pad}":"{pad}{inner}{pad}"}}"#));
                check_at_every_offset(&format!(
                    r#"{{"a":["{inner}",{{"{inner}":[]}}],"{pad}":1}}"#
                ));
            }
        }
    }

    #[test]
    fn a_frame_ending_anywhere_is_scanned_as_the_full_parse_reads_it() {
        let event = r#"{"a":"x\"y\\","b":[{"c":"]}é"},{}],"d":"😀"}"#;
        let whole = frame_with_event(event);
        let event_start = whole.len() - event.len() - 2;
        for end in 0..whole.len() {
            if let Some(text) = whole.get(..end) {
                // Cut before the event's start, the frame is the full parse's; after, it is
                // taken, and every decode of it fails and counts it.
                assert_eq!(scan(text, true).is_some(), end > event_start, "{text}");
                agrees_with_the_full_parse(text);
            }
        }
        for end in 0..event.len() {
            if let Some(text) = event.get(..end) {
                assert_eq!(object_of(text), None, "{text}");
                assert_eq!(object_a_byte_at_a_time(text), None, "{text}");
            }
        }
        agrees_with_the_full_parse(&whole);
        for end in 0..CHAT.len() {
            if let Some(text) = CHAT.get(..end) {
                agrees_with_the_full_parse(text);
            }
        }
    }

    #[test]
    fn nesting_is_taken_up_to_the_limit_at_every_offset() {
        for depth in [MAX_DEPTH - 3, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1] {
            for pad in 0..9 {
                let pad = " ".repeat(pad);
                // The event itself is one level.
                let inner = depth.saturating_sub(1);
                let event = format!("{{{pad}\"k\":{}{}}}", "[".repeat(inner), "]".repeat(inner));
                check_at_every_offset(&event);
                let taken = object_of(&event).is_some();
                assert_eq!(taken, depth <= MAX_DEPTH, "depth {depth}");
                let mixed = format!(
                    "{{{pad}\"k\":{}1{}}}",
                    "[{\"a\":".repeat(inner / 2),
                    "}]".repeat(inner / 2)
                );
                check_at_every_offset(&mixed);
            }
        }
    }

    #[test]
    fn the_first_closing_bracket_at_depth_one_ends_the_object_whatever_its_kind() {
        // Bracket kinds are the decode's to check: the scan ends the object where a byte walk does.
        for pad in 0..9 {
            let spaces = " ".repeat(pad);
            let text = format!("{{{spaces}]]]]]]]]]]]]");
            assert_eq!(object_of(&text), Some(format!("{{{spaces}]").as_str()));
            check_at_every_offset(&format!("{{{spaces}]]]]]]]]]]]]"));
            check_at_every_offset(&format!("{{{spaces}[}}]]]]]]]]]]]]"));
        }
    }

    #[test]
    fn the_lowest_zero_byte_is_found_exactly() {
        for word in [
            0u64,
            u64::MAX,
            0x0100,
            0x0001_0000_0000_0100,
            0x8000_0000_0000_0001,
        ] {
            let lowest = (0..8).find(|byte| (word >> (byte * 8)) & 0xFF == 0);
            let flagged = zero_bytes(word);
            let found = (flagged != 0).then(|| flagged.trailing_zeros() / 8);
            assert_eq!(found, lowest, "{word:#x}");
        }
    }

    /// Pieces of JSON-ish text, to build random inputs from.
    const PIECES: [&str; 22] = [
        "{", "}", "[", "]", "\"", "\\", "\\\"", "\\\\", ",", ":", " ", "\n", "a", "key", "1",
        "-2.5e3", "true", "null", "é", "😀", "\"text\"", "\u{1}",
    ];

    fn json_ish() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(&PIECES[..]), 0..64)
            .prop_map(|pieces| pieces.concat())
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = proptest::prop_oneof![
            proptest::strategy::Just(Value::Null),
            proptest::prelude::any::<bool>().prop_map(Value::Bool),
            proptest::prelude::any::<i32>().prop_map(Value::from),
            "[a-z\"\\\\{}\\[\\]é😀 ]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(6, 48, 6, |inner| {
            proptest::prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map("[a-z\"\\\\{}]{0,6}", inner, 0..6)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    use proptest::prelude::Strategy as _;

    proptest::proptest! {
        #[test]
        fn the_scan_agrees_with_serde_json_on_random_json_ish_events(
            body in json_ish(),
            pad in 0usize..8,
        ) {
            let event = format!("{{{}{body}", " ".repeat(pad));
            proptest::prop_assert_eq!(object_of(&event), object_a_byte_at_a_time(&event));
            let text = frame_with_event(&event);
            agrees_with_the_full_parse(&text);
            // What serde_json reads whole, the scan takes, with the same event.
            if let Ok(Message::Notification(parsed)) = message::parse(&text) {
                let Events::Single(parsed_event) = parsed.events else { panic!("a batch") };
                proptest::prop_assert_eq!(delivered_event(&text), Some(parsed_event.get().to_owned()));
            }
        }

        #[test]
        fn the_scan_finds_every_json_object_serde_json_writes(
            fields in proptest::collection::btree_map("[a-z\"\\\\{}é]{0,6}", json_value(), 0..8),
            pretty in proptest::prelude::any::<bool>(),
            trailing in json_ish(),
        ) {
            let value = serde_json::Value::Object(fields.into_iter().collect());
            let written = if pretty {
                serde_json::to_string_pretty(&value)
            } else {
                serde_json::to_string(&value)
            };
            let event = written.map_err(|error| proptest::test_runner::TestCaseError::fail(error.to_string()))?;
            let followed = format!("{event}{trailing}");
            proptest::prop_assert_eq!(object_of(&followed), Some(event.as_str()));
            let text = frame_with_event(&event);
            proptest::prop_assert_eq!(delivered_event(&text), Some(event.clone()));
            agrees_with_the_full_parse(&text);
        }
    }
}
