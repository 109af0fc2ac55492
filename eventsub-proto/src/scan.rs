//! The lazy envelope: a scan of a frame that reads only what the core needs to route it.
//!
//! The core needs a notification's metadata (message id, type, timestamp, subscription type and
//! version) to drop duplicates, judge staleness and route it; the payload only has to be found.
//! [`scan`] reads the metadata exactly as [`message::parse`](crate::message::parse) does and, for
//! a notification, only finds where `payload.subscription` and `payload.event` begin and end. It
//! takes a frame only in the layout Twitch sends; for anything else (a batch, escapes in the
//! metadata, other keys, another order, other message types) it answers `None` and the caller reads
//! the frame with the full parse, so the scan never changes what is accepted or how.
//!
//! # What the scan checks, and what it leaves to the user's decode
//!
//! Checked eagerly, with the same outcome as the full parse:
//! - the whole frame is `{"metadata":{…},"payload":{…}}` (JSON whitespace allowed between tokens)
//!   with nothing after it;
//! - the metadata: an object of `message_id`, `message_type`, `message_timestamp` (strings) and
//!   `subscription_type`, `subscription_version` (strings or `null`), each at most once and no
//!   other key, strings without escapes or control characters;
//! - a `session_keepalive`'s payload is `{}`: that frame is then fully read, and the scan gives
//!   what the full parse gives;
//! - a `notification` has a subscription type and version in its metadata, and its payload is
//!   `{"subscription":{…},"event":{…}}` (or the two the other way round), each value an object whose strings are closed and whose
//!   brackets balance (at most [`MAX_DEPTH`] deep), so that where each ends is known.
//!
//! Left to the user (only with [`PayloadCheck::Deferred`](crate::PayloadCheck::Deferred)): that
//! the two payload objects are valid JSON inside (literals, numbers, escapes, commas, bracket
//! kinds). A notification whose event is not is delivered, and decoding it
//! ([`Notification::typed`](crate::Notification::typed),
//! [`Notification::decode`](crate::Notification::decode)) fails with the JSON error.

use crate::message::Metadata;

/// How deep the payload objects may nest for the scan to take them. The full parse allows 128
/// levels for the whole frame, and the frame puts two around the event: at this depth the
/// frame's parse could not fail on depth alone where the event's own parse succeeds.
pub(crate) const MAX_DEPTH: usize = 100;

/// A frame the scan has read.
#[derive(Clone, Debug)]
pub(crate) enum Scanned<'a> {
    /// A `session_keepalive` whose payload is `{}`: read whole.
    Keepalive {
        /// The metadata.
        metadata: Metadata<'a>,
    },
    /// A `notification` of one event, its payload found but not read.
    Notification {
        /// The metadata; `subscription_type` and `subscription_version` are set.
        metadata: Metadata<'a>,
        /// `payload.subscription`, as text: an object whose strings and brackets balance.
        subscription: &'a str,
        /// `payload.event`, as text: an object whose strings and brackets balance.
        event: &'a str,
    },
}

/// Scans `text` (see the module documentation); `None` when the full parse must read it. A
/// notification is taken only when `notifications` is true: otherwise the scan stops after its
/// metadata.
pub(crate) fn scan(text: &str, notifications: bool) -> Option<Scanned<'_>> {
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
            // Twitch sends the subscription first; a server that sorts its keys, the event.
            let (first, second) = (cursor.plain_string()?, {
                cursor.eat(b':')?;
                cursor.object()?
            });
            cursor.eat(b',')?;
            let (subscription, event) = match first {
                "subscription" => {
                    cursor.key("event")?;
                    (second, cursor.object()?)
                }
                "event" => {
                    cursor.key("subscription")?;
                    (cursor.object()?, second)
                }
                _ => return None,
            };
            cursor.eat(b'}')?;
            Scanned::Notification {
                metadata,
                subscription,
                event,
            }
        }
        _ => return None,
    };
    cursor.eat(b'}')?;
    cursor.whitespace();
    (cursor.at == text.len()).then_some(scanned)
}

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
    fn key(&mut self, name: &str) -> Option<()> {
        (self.plain_string()? == name).then_some(())?;
        self.eat(b':')
    }

    /// `null`.
    fn null(&mut self) -> Option<()> {
        self.whitespace();
        let rest = self.text.as_bytes().get(self.at..)?;
        rest.starts_with(b"null").then(|| self.at += 4)
    }

    /// The metadata object.
    fn metadata(&mut self) -> Option<Metadata<'a>> {
        const NAMES: [&str; 5] = [
            "message_id",
            "message_type",
            "message_timestamp",
            "subscription_type",
            "subscription_version",
        ];
        // Per field: not seen, seen as `null`, or seen with a string.
        let mut fields: [Option<Option<&'a str>>; 5] = [None; 5];
        self.eat(b'{')?;
        loop {
            let key = self.plain_string()?;
            self.eat(b':')?;
            let index = NAMES.iter().position(|name| *name == key)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{self, Events, Message};

    const CHAT: &str = include_str!("../benches/frames/channel_chat_message.json");
    const KEEPALIVE: &str = include_str!("../benches/frames/session_keepalive.json");

    #[test]
    fn a_chat_notification_is_scanned_to_the_same_metadata_and_parts_as_the_full_parse() {
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
        assert_eq!(event, parsed_event.get());
    }

    #[test]
    fn a_payload_with_the_event_first_is_scanned_too() {
        let frame = r#"{"metadata":{"message_id":"m","message_type":"notification","message_timestamp":"t","subscription_type":"x","subscription_version":"1"},"payload":{"event":{"e":1},"subscription":{"s":2}}}"#;
        let Some(Scanned::Notification {
            subscription,
            event,
            ..
        }) = scan(frame, true)
        else {
            panic!("not scanned")
        };
        assert_eq!((subscription, event), (r#"{"s":2}"#, r#"{"e":1}"#));
        agrees_with_the_full_parse(frame);
    }

    #[test]
    fn a_keepalive_is_read_whole() {
        let Some(Scanned::Keepalive { metadata }) = scan(KEEPALIVE, true) else {
            panic!("the keepalive is not scanned")
        };
        assert_eq!(&metadata, message::parse(KEEPALIVE).unwrap().metadata()); // ok: a unit test; a panic is its failure report
    }

    #[test]
    fn anything_unusual_is_left_to_the_full_parse() {
        let notification = r#"{"metadata":{"message_id":"m","message_type":"notification","message_timestamp":"t","subscription_type":"x","subscription_version":"1"},"payload":{"subscription":{},"event":{}}}"#;
        assert!(scan(notification, true).is_some());
        assert!(scan(notification, false).is_none());
        for unusual in [
            notification.replace(r#""m""#, r#""\u006d""#),
            notification.replace(r#""message_id":"m","#, ""),
            notification.replace(
                r#""subscription_version":"1""#,
                r#""subscription_version":null"#,
            ),
            notification.replace(
                r#""message_id":"m""#,
                r#""message_id":"m","message_id":"m""#,
            ),
            notification.replace(r#""message_id":"m""#, r#""message_id":"m","other":1"#),
            notification.replace(r#""event":{}"#, r#""events":[]"#),
            notification.replace(r#""event":{}"#, r#""event":{"a":"}"}"#) + " x",
            notification.replace(r#""event":{}"#, r#""event":{"a":"\"}"#),
            notification.replace(r#""event":{}"#, r#""event":[]"#),
            notification.replace(r#""event":{}"#, r#""subscription":{}"#),
            notification.replace(
                r#""message_type":"notification""#,
                r#""message_type":"revocation""#,
            ),
            notification.replace(
                r#""event":{}"#,
                &format!(
                    r#""event":{{{}{}}}"#,
                    "[".repeat(MAX_DEPTH),
                    "]".repeat(MAX_DEPTH)
                ),
            ),
        ] {
            assert!(scan(&unusual, true).is_none(), "scanned {unusual}");
        }
    }

    #[test]
    fn an_event_that_is_no_json_inside_is_found_and_left_to_the_decode() {
        let frame = r#"{"metadata":{"message_id":"m","message_type":"notification","message_timestamp":"t","subscription_type":"x","subscription_version":"1"},"payload":{"subscription":{},"event":{"a":tru,"b":"\"}"]}}"#;
        let Some(Scanned::Notification { event, .. }) = scan(frame, true) else {
            panic!("not scanned")
        };
        assert_eq!(event, r#"{"a":tru,"b":"\"}"]"#);
        assert!(message::parse(frame).is_err());
    }

    /// What the envelope fuzz target checks (`fuzzing::envelope`), on every frame the scan takes.
    fn agrees_with_the_full_parse(text: &str) {
        let Some(scanned) = scan(text, true) else {
            return;
        };
        match (scanned, message::parse(text)) {
            (Scanned::Keepalive { metadata }, Ok(Message::Keepalive { metadata: parsed })) => {
                assert_eq!(metadata, parsed);
            }
            (
                Scanned::Notification {
                    metadata,
                    subscription,
                    event,
                },
                Ok(Message::Notification(parsed)),
            ) => {
                assert_eq!(metadata, parsed.metadata, "{text}");
                assert_eq!(subscription, parsed.subscription.get(), "{text}");
                let Events::Single(parsed_event) = parsed.events else {
                    panic!("a batch scanned as one event: {text}")
                };
                assert_eq!(event, parsed_event.get(), "{text}");
            }
            (
                Scanned::Notification {
                    subscription,
                    event,
                    ..
                },
                Err(crate::FrameError::InvalidJson { .. }),
            ) => {
                let invalid =
                    |part: &str| serde_json::from_str::<serde::de::IgnoredAny>(part).is_err();
                assert!(invalid(subscription) || invalid(event), "{text}");
            }
            (scanned, parsed) => panic!("scanned {scanned:?}, parsed {parsed:?}: {text}"),
        }
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
                let Some(Scanned::Notification { event: found, .. }) = scan(&text, true) else {
                    panic!("not scanned: {text}")
                };
                assert_eq!(found, event);
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
        for end in 0..whole.len() {
            if let Some(text) = whole.get(..end) {
                assert!(scan(text, true).is_none(), "scanned a cut frame: {text}");
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
        assert!(scan(CHAT.trim_end(), true).is_some());
        for end in 0..CHAT.trim_end().len() {
            if let Some(text) = CHAT.get(..end) {
                assert!(scan(text, true).is_none(), "scanned a cut frame at {end}");
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
                let Some(Scanned::Notification { event: found, .. }) = scan(&text, true) else {
                    panic!("valid but not scanned: {text}")
                };
                let Events::Single(parsed_event) = parsed.events else { panic!("a batch") };
                proptest::prop_assert_eq!(found, parsed_event.get());
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
            let Some(Scanned::Notification { event: found, .. }) = scan(&text, true) else {
                panic!("valid but not scanned: {text}")
            };
            proptest::prop_assert_eq!(found, event.as_str());
            agrees_with_the_full_parse(&text);
        }
    }
}
