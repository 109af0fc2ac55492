//! A notification delivered with its payload unread ([`PayloadCheck::Deferred`]): where its parts
//! are found when they are asked for, and how a frame that is not what the full parse accepts is
//! still reported, and counted as a malformed frame once.
//!
//! The core's scan (`scan.rs`) reads a notification's metadata and finds where its event starts;
//! in Twitch's order (`"subscription":{…},"event":{…}`) it has also found the subscription, in a
//! sorted order (`"event":{…},"subscription":{…}`) not. Nothing after the event's opening bracket
//! has been read. From there:
//! - a decode of the event ([`Notification::typed`], [`Notification::decode`]) reads it in place,
//!   from its start in the frame, with a `serde_json` deserializer that stops at the end of the
//!   value: the one pass that decodes it also finds where it ends. What follows must then be the
//!   closing brackets of the payload and the frame (after the subscription, in the sorted order,
//!   whose first and last brackets only are looked at: its inside is the subscription's decode's
//!   to check, as before). When it is not, the full parse decides (a layout the scan does not
//!   know, such as another key after the event, is taken as the full parse takes it);
//! - [`Notification::event_json`] finds the event's end on first use by its brackets and strings,
//!   as the scan finds the subscription's, and keeps it;
//! - [`Notification::check_payload`] is exact: `Ok` when the full parse would have taken the
//!   frame, the full parse's verdict otherwise (it runs only when the quick checks fail).
//!
//! A frame found broken by any of them counts once in the client's malformed frames.
//!
//! [`PayloadCheck::Deferred`]: crate::PayloadCheck::Deferred
//! [`Notification::typed`]: crate::Notification::typed
//! [`Notification::decode`]: crate::Notification::decode
//! [`Notification::event_json`]: crate::Notification::event_json
//! [`Notification::check_payload`]: crate::Notification::check_payload

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

use serde::de::{Error as _, IgnoredAny};
use serde_json::de::StrRead;

use crate::message::{self, Events, Message};
use crate::scan;

/// The malformed frames of one client: those the core refused, and those whose payload a decode
/// found not to be JSON after delivery. Shared by the client and its unchecked notifications.
#[derive(Clone, Debug, Default)]
pub(crate) struct MalformedCount(Arc<AtomicU64>);

impl MalformedCount {
    /// One more malformed frame.
    pub(crate) fn add_one(&self) {
        // Only a count: nothing is ordered by it.
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// How many so far.
    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Where the parts of a notification delivered unread are in its frame, as far as the core found
/// them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Layout<'t> {
    /// The whole frame.
    pub(crate) frame: &'t str,
    /// Where the event's opening bracket is.
    pub(crate) event_start: usize,
    /// The subscription when it comes before the event (Twitch's order), found by the core;
    /// `None` when it comes after the event.
    pub(crate) subscription: Option<&'t str>,
}

/// JSON's whitespace (not Unicode's).
const WHITESPACE: [char; 4] = [' ', '\n', '\t', '\r'];

impl<'t> Layout<'t> {
    /// Where the closing brackets of the payload and the frame start: the frame without them
    /// (and the whitespace around them) at its end. `None` when it does not end with them.
    fn closing_start(&self) -> Option<usize> {
        let body = self.frame.trim_end_matches(WHITESPACE).strip_suffix('}')?;
        let body = body.trim_end_matches(WHITESPACE).strip_suffix('}')?;
        Some(body.trim_end_matches(WHITESPACE).len())
    }

    /// Whether nothing but whitespace and the closing brackets of the payload and of the frame
    /// follow `at`.
    fn closes_at(&self, at: usize) -> bool {
        self.closing_start().is_some_and(|start| {
            at <= start
                && self
                    .frame
                    .get(at..start)
                    .is_some_and(|between| between.trim_matches(WHITESPACE).is_empty())
        })
    }

    /// In the sorted order, the subscription as it stands after the event ending at `event_end`:
    /// `,"subscription":` then everything up to the closing brackets, which must start with `{`
    /// and end with `}` (its inside is not looked at). `None` when the frame is not so.
    fn subscription_after(&self, event_end: usize) -> Option<&'t str> {
        let rest = self.frame.get(event_end..)?.trim_start_matches(WHITESPACE);
        let rest = rest.strip_prefix(',')?.trim_start_matches(WHITESPACE);
        let rest = rest
            .strip_prefix("\"subscription\"")?
            .trim_start_matches(WHITESPACE);
        let rest = rest.strip_prefix(':')?.trim_start_matches(WHITESPACE);
        let start = self.frame.len().checked_sub(rest.len())?;
        let subscription = self.frame.get(start..self.closing_start()?)?;
        (subscription.starts_with('{') && subscription.ends_with('}')).then_some(subscription)
    }

    /// Whether the frame around an event ending at `event_end` is in the layout the scan found
    /// (its subscription's inside aside).
    fn closes_after_event(&self, event_end: usize) -> bool {
        match self.subscription {
            Some(_) => self.closes_at(event_end),
            None => self.subscription_after(event_end).is_some(),
        }
    }

    /// The subscription and the event as the full parse reads the frame, when it takes it as a
    /// notification of one event starting where the scan found it.
    fn full_parse(&self) -> Result<(&'t str, &'t str), serde_json::Error> {
        match message::parse(self.frame) {
            Ok(Message::Notification(notification)) => match notification.events {
                Events::Single(event)
                    if event.get().as_ptr() as usize
                        == (self.frame.as_ptr() as usize).wrapping_add(self.event_start) =>
                {
                    Ok((notification.subscription.get(), event.get()))
                }
                // A frame the scan took has `"event"` where it found it: the full parse reads
                // that one (or refuses the frame).
                _ => Err(serde_json::Error::custom(
                    "the frame's event is not where the scan found it",
                )),
            },
            Ok(_) => Err(serde_json::Error::custom(
                "the frame is not read as a notification",
            )),
            Err(error) => Err(serde_json::Error::custom(error)),
        }
    }
}

/// What a notification whose payload was not read before delivery carries: where it reports a
/// frame found broken, whether it did, and where its event ends once found.
#[derive(Debug)]
pub(crate) struct Unchecked {
    count: MalformedCount,
    /// A notification is one frame: decoding it twice (the event, then the subscription) counts
    /// it once.
    reported: AtomicBool,
    /// Where the event ends in the frame, once found: `0` while not known (an event never ends
    /// at the frame's start), [`NOT_FOUND`] when it has no end.
    event_end: AtomicU32,
}

/// [`Unchecked::event_end`] of an event whose end cannot be found (a frame cut short, or not
/// what the full parse takes).
const NOT_FOUND: u32 = u32::MAX;

impl Unchecked {
    pub(crate) fn new(count: &MalformedCount) -> Self {
        Self {
            count: count.clone(),
            reported: AtomicBool::new(false),
            event_end: AtomicU32::new(0),
        }
    }

    /// Counts the frame as malformed, the first time.
    fn report(&self) {
        if !self.reported.swap(true, Ordering::Relaxed) {
            self.count.add_one();
        }
    }

    /// Keeps where the event ends. Frames are bounded far below 4 GiB (`Config::max_frame_bytes`);
    /// an end that does not fit is not kept.
    fn keep_event_end(&self, end: usize) {
        if let Ok(end) = u32::try_from(end) {
            // Only a cache: whoever finds the end finds the same one.
            self.event_end.store(end, Ordering::Relaxed);
        }
    }

    /// Where the event ends: kept, or found by its brackets and strings (or, for a frame not in
    /// the scan's layout, by the full parse) and kept. `None` when it has no end.
    fn event_end(&self, layout: Layout<'_>) -> Option<usize> {
        match self.event_end.load(Ordering::Relaxed) {
            0 => {}
            NOT_FOUND => return None,
            end => return Some(end as usize),
        }
        let found = scan::object_end(layout.frame, layout.event_start).or_else(|| {
            let (_, event) = layout.full_parse().ok()?;
            Some(layout.event_start.saturating_add(event.len()))
        });
        match found {
            Some(end) => self.keep_event_end(end),
            None => self.event_end.store(NOT_FOUND, Ordering::Relaxed),
        }
        found
    }

    /// The event's text: from its start to its end, or to the frame's end when it has none.
    pub(crate) fn event<'t>(&self, layout: Layout<'t>) -> &'t str {
        let rest = layout.frame.get(layout.event_start..).unwrap_or_default();
        match self.event_end(layout) {
            Some(end) => layout.frame.get(layout.event_start..end).unwrap_or(rest),
            None => rest,
        }
    }

    /// The subscription's text. After the event (the sorted order), everything between
    /// `,"subscription":` and the closing brackets when that is JSON; otherwise the full parse's
    /// (another key after it), or that text (a broken frame: its decode fails).
    pub(crate) fn subscription<'t>(&self, layout: Layout<'t>) -> &'t str {
        if let Some(subscription) = layout.subscription {
            return subscription;
        }
        let after = self
            .event_end(layout)
            .and_then(|end| layout.subscription_after(end));
        match after {
            Some(subscription) if is_json(subscription) => subscription,
            _ => layout
                .full_parse()
                .map(|(subscription, _)| subscription)
                .unwrap_or(after.unwrap_or_default()),
        }
    }

    /// Whether the full parse would have taken the frame: found by the quick checks when it would
    /// (the layout the scan found, both parts JSON), by the full parse otherwise. A frame it
    /// refuses is the error, and is counted once.
    pub(crate) fn check(&self, layout: Layout<'_>) -> Result<(), serde_json::Error> {
        let sound = self.event_end(layout).is_some_and(|end| {
            let subscription = match layout.subscription {
                Some(subscription) => layout.closes_at(end).then_some(subscription),
                None => layout.subscription_after(end),
            };
            let event = layout.frame.get(layout.event_start..end);
            subscription
                .zip(event)
                .is_some_and(|(subscription, event)| is_json(subscription) && is_json(event))
        });
        if sound {
            return Ok(());
        }
        layout.full_parse().map(drop).inspect_err(|_| self.report())
    }

    /// Reads the event with `read`, from its start in the frame: `read` stops at the end of the
    /// value, which is then kept as the event's end; what follows must close the frame as the
    /// scan's layout does, or the full parse must take the frame. A frame found broken is
    /// counted once.
    pub(crate) fn decode<'t, T>(
        &self,
        layout: Layout<'t>,
        read: impl FnOnce(&mut serde_json::Deserializer<StrRead<'t>>) -> Result<T, serde_json::Error>,
    ) -> Result<T, serde_json::Error> {
        let rest = layout.frame.get(layout.event_start..).unwrap_or_default();
        let mut deserializer = serde_json::Deserializer::from_str(rest);
        let value = match read(&mut deserializer) {
            Ok(value) => value,
            Err(error) => {
                // Not the event's shape, or not JSON: only the latter is a malformed frame.
                let _ = self.check(layout);
                return Err(error);
            }
        };
        // A stream started here reports where the reader stands: just after the value.
        let end = layout
            .event_start
            .saturating_add(deserializer.into_iter::<IgnoredAny>().byte_offset());
        self.keep_event_end(end);
        if layout.closes_after_event(end) {
            return Ok(value);
        }
        // Another layout (a key after the event), or a broken frame: the full parse decides.
        match layout.full_parse() {
            Ok((_, event)) if layout.event_start.saturating_add(event.len()) == end => Ok(value),
            Ok(_) => Err(serde_json::Error::custom(
                "the event's end is not where the full parse finds it",
            )),
            Err(error) => {
                self.report();
                Err(error)
            }
        }
    }
}

/// Whether `text` is one JSON value (with whitespace around it).
fn is_json(text: &str) -> bool {
    serde_json::from_str::<IgnoredAny>(text).is_ok()
}

impl Clone for Unchecked {
    /// A clone is the same frame: once reported, its clones are too (and one made before the
    /// report counts it again only if it is decoded on its own, which is the rare path).
    fn clone(&self) -> Self {
        Self {
            count: self.count.clone(),
            reported: AtomicBool::new(self.reported.load(Ordering::Relaxed)),
            event_end: AtomicU32::new(self.event_end.load(Ordering::Relaxed)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A notification frame with `payload` as its payload.
    fn frame(payload: &str) -> String {
        format!(
            r#"{{"metadata":{{"message_id":"m","message_type":"notification","message_timestamp":"t","subscription_type":"x","subscription_version":"1"}},"payload":{payload}}}"#
        )
    }

    /// The layout the scan finds in `frame`.
    fn layout(frame: &str) -> Layout<'_> {
        let Some(crate::scan::Scanned::Notification {
            subscription,
            event,
            ..
        }) = crate::scan::scan(frame, true)
        else {
            panic!("not scanned: {frame}")
        };
        Layout {
            frame,
            event_start: frame.len() - event.len(),
            subscription: Some(subscription).filter(|text| !text.is_empty()),
        }
    }

    #[test]
    fn a_broken_frame_is_counted_once_however_often_it_is_checked() {
        let count = MalformedCount::default();
        let sound = frame(r#"{"subscription":{},"event":{"a":1}}"#);
        assert!(Unchecked::new(&count).check(layout(&sound)).is_ok());
        assert_eq!(count.get(), 0);
        let broken = frame(r#"{"subscription":{},"event":{"a":tru}}"#);
        let unchecked = Unchecked::new(&count);
        for _ in 0..3 {
            assert!(unchecked.check(layout(&broken)).is_err());
            assert!(
                unchecked
                    .decode(layout(&broken), |de| serde::Deserialize::deserialize(de)
                        .map(|_: IgnoredAny| ()))
                    .is_err()
            );
        }
        assert_eq!(count.get(), 1);
        assert!(unchecked.clone().check(layout(&broken)).is_err());
        assert_eq!(
            count.get(),
            1,
            "a clone of a reported notification is reported"
        );
        assert!(Unchecked::new(&count).check(layout(&broken)).is_err());
        assert_eq!(count.get(), 2, "another notification counts on its own");
    }

    #[test]
    fn a_decode_finds_and_keeps_the_end_of_the_event_in_either_order() {
        for payload in [
            r#"{"subscription":{"s":"}"},"event":{"e":"\"}"}}"#,
            r#"{"event":{"e":"\"}"},"subscription":{"s":"}"}}"#,
        ] {
            let text = frame(payload);
            let count = MalformedCount::default();
            let unchecked = Unchecked::new(&count);
            let decoded = unchecked.decode(layout(&text), |de| {
                <&serde_json::value::RawValue as serde::Deserialize>::deserialize(de)
            });
            assert_eq!(decoded.map(|raw| raw.get()).ok(), Some(r#"{"e":"\"}"}"#));
            assert_ne!(unchecked.event_end.load(Ordering::Relaxed), 0, "kept");
            assert_eq!(unchecked.event(layout(&text)), r#"{"e":"\"}"}"#);
            assert_eq!(unchecked.subscription(layout(&text)), r#"{"s":"}"}"#);
            assert!(unchecked.check(layout(&text)).is_ok());
            assert_eq!(count.get(), 0);
        }
    }

    #[test]
    fn the_closing_brackets_are_found_with_json_whitespace_only() {
        let text = frame(r#"{"subscription":{},"event":{}} "#) + "\n";
        let layout = layout(&text);
        let end = layout.event_start + 2;
        assert!(layout.closes_at(end));
        assert!(!layout.closes_at(end - 1));
        // A no-break space is whitespace to Rust, not to JSON.
        let text = frame(r#"{"subscription":{},"event":{}}"#) + "\u{a0}";
        assert!(!self::layout(&text).closes_at(end));
    }

    mod through_the_client {
        use std::time::{Instant, SystemTime};

        use crate::events::kinds::ChannelFollowV2;
        use crate::{Client, Config, ConnId, Event, Input, Notification, Output, PayloadCheck};

        const WELCOME: &str = include_str!("../benches/frames/session_welcome.json");
        const FOLLOW: &str = include_str!("../benches/frames/channel_follow_v2.json");

        /// A client with a live session (nothing to subscribe but a session to read).
        fn live(payload_check: PayloadCheck) -> (Client, ConnId, Instant) {
            let now = Instant::now();
            let config = Config {
                payload_check,
                validate_token: false,
                subscriptions: vec![
                    crate::SubscriptionSpec::new("channel.follow", "2")
                        .with_condition("broadcaster_user_id", "1"),
                ],
                ..Config::default()
            };
            let mut client = Client::new(config, now).unwrap(); // ok: a unit test; a panic is its failure report
            let Some(Output::Connect { conn, .. }) = client.poll_output() else {
                panic!("no connect")
            };
            client.handle_input(now, Input::Opened { conn }).unwrap(); // ok: a unit test
            client
                .handle_input(
                    now,
                    Input::Text {
                        conn,
                        text: WELCOME,
                        received_at: SystemTime::UNIX_EPOCH,
                    },
                )
                .unwrap(); // ok: a unit test
            while client.poll_output().is_some() {}
            (client, conn, now)
        }

        /// What the client makes of `frame`: its events.
        fn read(client: &mut Client, conn: ConnId, now: Instant, frame: &str) -> Vec<Event> {
            client
                .handle_input(
                    now,
                    Input::Text {
                        conn,
                        text: frame,
                        received_at: SystemTime::UNIX_EPOCH,
                    },
                )
                .unwrap(); // ok: a unit test
            std::iter::from_fn(|| client.poll_output())
                .filter_map(|output| match output {
                    Output::Event(event) => Some(event),
                    _ => None,
                })
                .collect()
        }

        fn notification(events: Vec<Event>) -> Notification {
            match events.as_slice() {
                [Event::Notification(notification)] => notification.clone(),
                other => panic!("not one notification: {other:?}"),
            }
        }

        /// The follow frame with its event's `user_id` value broken (`"1234"` becomes `1234x`).
        fn broken_event() -> String {
            FOLLOW.replacen(r#""user_id":"1234""#, r#""user_id":1234x"#, 1)
        }

        #[test]
        fn the_payload_check_is_deferred_by_default() {
            assert_eq!(Config::default().payload_check, PayloadCheck::Deferred);
        }

        #[test]
        fn a_deferred_event_that_is_not_json_is_an_error_of_every_decode_and_one_malformed_frame() {
            let (mut client, conn, now) = live(PayloadCheck::default());
            let sound = notification(read(&mut client, conn, now, FOLLOW));
            assert!(!sound.payload_checked());
            assert!(sound.typed().is_ok() && sound.check_payload().is_ok());
            assert_eq!(client.stats().malformed_frames, 0);

            let frame = broken_event().replace("120f112b044f", "120f112b0450");
            let broken = notification(read(&mut client, conn, now, &frame));
            assert_eq!(client.stats().malformed_frames, 0, "not decoded yet");
            assert!(broken.typed().is_err());
            assert_eq!(client.stats().malformed_frames, 1);
            assert!(broken.decode::<serde::de::IgnoredAny>().is_err());
            assert!(broken.check_payload().is_err());
            assert!(broken.subscription().is_ok(), "the subscription is sound");
            assert_eq!(
                client.stats().malformed_frames,
                1,
                "one frame, counted once"
            );
        }

        #[test]
        fn a_deferred_subscription_that_is_not_json_is_found_by_its_decode() {
            let (mut client, conn, now) = live(PayloadCheck::Deferred);
            let frame = FOLLOW.replacen(r#""cost":0"#, r#""cost":-"#, 1);
            let broken = notification(read(&mut client, conn, now, &frame));
            assert!(broken.typed().is_ok(), "the event is sound");
            assert_eq!(client.stats().malformed_frames, 0);
            assert!(broken.subscription().is_err());
            assert_eq!(client.stats().malformed_frames, 1);
        }

        #[test]
        fn an_unknown_kind_is_checked_before_its_raw_json_is_handed_out() {
            let (mut client, conn, now) = live(PayloadCheck::Deferred);
            let frame = broken_event().replace(
                r#""subscription_type":"channel.follow""#,
                r#""subscription_type":"channel.unheard_of""#,
            );
            let broken = notification(read(&mut client, conn, now, &frame));
            assert!(broken.typed().is_err());
            assert_eq!(client.stats().malformed_frames, 1);
        }

        /// The follow frame with its payload's keys sorted (the event first), as a server that
        /// sorts its keys sends it.
        fn sorted() -> String {
            let parsed: serde_json::Value = serde_json::from_str(FOLLOW).unwrap(); // ok: a unit test
            serde_json::to_string(&parsed).unwrap() // ok: a unit test
        }

        #[test]
        fn an_event_before_its_subscription_is_delivered_unread_and_decodes() {
            let (mut client, conn, now) = live(PayloadCheck::Deferred);
            let frame = sorted();
            assert!(frame.find(r#""event""#) < frame.find(r#""subscription":{"#));
            let delivered = notification(read(&mut client, conn, now, &frame));
            assert!(!delivered.payload_checked());
            assert!(delivered.typed().is_ok());
            assert_eq!(
                delivered.typed_as::<ChannelFollowV2>().ok(),
                delivered.typed().ok()
            );
            assert!(delivered.subscription().is_ok());
            assert!(delivered.event_json().ends_with('}'));
            assert!(delivered.check_payload().is_ok());
            assert_eq!(client.stats().malformed_frames, 0);
        }

        #[test]
        fn junk_after_the_event_is_an_error_of_the_decode_and_one_malformed_frame() {
            let (mut client, conn, now) = live(PayloadCheck::Deferred);
            for (at, frame) in [
                ("12", FOLLOW.trim_end().to_owned() + "x"),
                ("13", sorted() + ",{}"),
            ] {
                let frame = frame.replace("120f112b044f", &format!("120f112b04{at}"));
                let broken = notification(read(&mut client, conn, now, &frame));
                let before = client.stats().malformed_frames;
                assert!(broken.typed_as::<ChannelFollowV2>().is_err(), "{frame}");
                assert!(broken.typed().is_err(), "{frame}");
                assert!(broken.decode::<serde::de::IgnoredAny>().is_err());
                assert!(broken.check_payload().is_err());
                assert_eq!(client.stats().malformed_frames, before + 1, "{frame}");
            }
        }

        #[test]
        fn an_eager_check_refuses_the_frame_and_counts_it() {
            let (mut client, conn, now) = live(PayloadCheck::Eager);
            let events = read(&mut client, conn, now, &broken_event());
            assert!(
                matches!(events.as_slice(), [Event::MalformedFrame { .. }]),
                "{events:?}"
            );
            assert_eq!(client.stats().malformed_frames, 1);
            assert!(notification(read(&mut client, conn, now, FOLLOW)).payload_checked());
        }

        #[cfg(feature = "serde")]
        #[test]
        fn a_deferred_part_that_is_not_json_serializes_as_a_string_of_its_text() {
            let (mut client, conn, now) = live(PayloadCheck::Deferred);
            let broken = notification(read(&mut client, conn, now, &broken_event()));
            let json = serde_json::to_value(Event::Notification(broken.clone())).unwrap(); // ok: a unit test
            assert_eq!(json["event"], serde_json::Value::from(broken.event_json()));
            assert!(json["subscription"].is_object(), "{json}");
            assert_eq!(client.stats().malformed_frames, 1);
        }
    }
}
