//! The subscription object the lazy envelope walked last, so that the next frame carrying the same
//! bytes is not walked again.
//!
//! In Twitch's order a notification's `payload.subscription` comes before its event, and the scan
//! must find where it ends (the key after it says whether the frame is one event or a batch). Every
//! notification of one subscription carries the same object, byte for byte: its id, type, version,
//! condition, transport, creation time and cost. When the frame holds, where the walk would start,
//! the very bytes of an object the walk ended on before, the walk would read those bytes and end at
//! the same place: comparing them is the same answer for a fraction of the cost.

/// The last subscription object walked (empty before the first, or when it was too long to keep).
#[derive(Debug, Default)]
pub(crate) struct SubscriptionMemo {
    text: String,
}

impl SubscriptionMemo {
    /// The longest object remembered: a subscription with a large condition is walked every time
    /// rather than kept (the memo's heap stays under about twice this).
    pub(crate) const MAX_BYTES: usize = 512;

    /// The remembered object, as the start of `rest`, when `rest` starts with exactly its bytes.
    pub(crate) fn prefix_of<'a>(&self, rest: &'a str) -> Option<&'a str> {
        if self.text.is_empty() {
            return None;
        }
        rest.get(..self.text.len())
            .filter(|prefix| *prefix == self.text)
    }

    /// Remembers `object`, an object the walk found whole, unless it is longer than
    /// [`MAX_BYTES`](Self::MAX_BYTES) (then nothing is remembered).
    pub(crate) fn remember(&mut self, object: &str) {
        self.text.clear();
        if object.len() <= Self::MAX_BYTES {
            self.text.push_str(object);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{Scanned, scan, scan_remembering};

    /// A notification frame of Twitch's order with `subscription` and message id `id`.
    fn frame(id: &str, subscription: &str) -> String {
        format!(
            r#"{{"metadata":{{"message_id":"{id}","message_type":"notification","message_timestamp":"t","subscription_type":"x","subscription_version":"1"}},"payload":{{"subscription":{subscription},"event":{{"e":1}}}}}}"#
        )
    }

    /// Where the subscription starts in a frame made by [`frame`].
    fn rest_at_subscription(text: &str) -> &str {
        let start = text.find(r#""subscription":"#).unwrap_or_default() + 15;
        text.get(start..).unwrap_or_default()
    }

    const SUBSCRIPTION: &str = r#"{"id":"s","condition":{"user_id":"1"},"cost":0}"#;

    #[test]
    fn a_frame_carrying_the_same_subscription_is_answered_from_the_memo() {
        let mut memo = SubscriptionMemo::default();
        let first = frame("a", SUBSCRIPTION);
        assert!(memo.prefix_of(rest_at_subscription(&first)).is_none());
        let scanned = scan_remembering(&first, true, Some(&mut memo));
        assert_eq!(scanned, scan(&first, true));
        let second = frame("b", SUBSCRIPTION);
        assert_eq!(
            memo.prefix_of(rest_at_subscription(&second)),
            Some(SUBSCRIPTION)
        );
        let Some(Scanned::Notification { subscription, .. }) =
            scan_remembering(&second, true, Some(&mut memo))
        else {
            panic!("not scanned")
        };
        // The frame's own bytes, not the memo's.
        assert_eq!(subscription, SUBSCRIPTION);
        assert!(std::ptr::eq(
            subscription,
            rest_at_subscription(&second)
                .get(..SUBSCRIPTION.len())
                .unwrap_or_default()
        ));
    }

    #[test]
    fn a_subscription_that_differs_anywhere_is_walked_and_replaces_the_memo() {
        let mut memo = SubscriptionMemo::default();
        let _ = scan_remembering(&frame("a", SUBSCRIPTION), true, Some(&mut memo));
        let changed = SUBSCRIPTION.replace("\"cost\":0}", "\"cost\":1}");
        let text = frame("b", &changed);
        assert!(memo.prefix_of(rest_at_subscription(&text)).is_none());
        assert_eq!(
            scan_remembering(&text, true, Some(&mut memo)),
            scan(&text, true)
        );
        assert_eq!(
            memo.prefix_of(rest_at_subscription(&text)),
            Some(changed.as_str())
        );
        // One the walk cannot take is left to the full parse, and not remembered.
        let broken = frame("c", &format!("{{{}", "[".repeat(crate::scan::MAX_DEPTH)));
        assert_eq!(scan_remembering(&broken, true, Some(&mut memo)), None);
        assert_eq!(scan(&broken, true), None);
        assert_eq!(
            memo.prefix_of(rest_at_subscription(&text)),
            Some(changed.as_str())
        );
    }

    #[test]
    fn a_subscription_longer_than_the_limit_is_not_remembered() {
        let long = format!(r#"{{"id":"{}"}}"#, "x".repeat(SubscriptionMemo::MAX_BYTES));
        let mut memo = SubscriptionMemo::default();
        let text = frame("a", &long);
        assert_eq!(
            scan_remembering(&text, true, Some(&mut memo)),
            scan(&text, true)
        );
        assert!(memo.prefix_of(rest_at_subscription(&text)).is_none());
        assert!(memo.text.capacity() == 0);
    }
}
