//! How a notification delivered with its payload unchecked ([`PayloadCheck::Deferred`]) still
//! gets a payload that is not JSON counted as a malformed frame: the client's count is shared
//! with every such notification, and the decode that finds the payload broken adds it, once.
//!
//! [`PayloadCheck::Deferred`]: crate::PayloadCheck::Deferred

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

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

/// What a notification whose payload was not checked before delivery carries: where it reports
/// a payload found not to be JSON, and whether it did.
#[derive(Debug)]
pub(crate) struct Unchecked {
    count: MalformedCount,
    /// A notification is one frame: decoding it twice (the event, then the subscription) counts
    /// it once.
    reported: AtomicBool,
}

impl Unchecked {
    pub(crate) fn new(count: &MalformedCount) -> Self {
        Self {
            count: count.clone(),
            reported: AtomicBool::new(false),
        }
    }

    /// Checks the parts that were delivered unchecked; the first time one is found not to be JSON
    /// counts the frame as malformed.
    pub(crate) fn check(&self, parts: [&str; 2]) -> Result<(), serde_json::Error> {
        for part in parts {
            if let Err(error) = serde_json::from_str::<serde::de::IgnoredAny>(part) {
                if !self.reported.swap(true, Ordering::Relaxed) {
                    self.count.add_one();
                }
                return Err(error);
            }
        }
        Ok(())
    }
}

impl Clone for Unchecked {
    /// A clone is the same frame: once reported, its clones are too (and one made before the
    /// report counts it again only if it is decoded on its own, which is the rare path).
    fn clone(&self) -> Self {
        Self {
            count: self.count.clone(),
            reported: AtomicBool::new(self.reported.load(Ordering::Relaxed)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_that_is_not_json_is_counted_once_however_often_it_is_checked() {
        let count = MalformedCount::default();
        let unchecked = Unchecked::new(&count);
        assert!(unchecked.check(["{}", r#"{"a":1}"#]).is_ok());
        assert_eq!(count.get(), 0);
        for _ in 0..3 {
            assert!(unchecked.check(["{}", r#"{"a":tru}"#]).is_err());
        }
        assert_eq!(count.get(), 1);
        assert!(unchecked.clone().check(["{", "{}"]).is_err());
        assert_eq!(
            count.get(),
            1,
            "a clone of a reported notification is reported"
        );
        assert!(Unchecked::new(&count).check(["{", "{}"]).is_err());
        assert_eq!(count.get(), 2, "another notification counts on its own");
    }

    mod through_the_client {
        use std::time::{Instant, SystemTime};

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
