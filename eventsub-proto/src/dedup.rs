//! A bounded window of recently seen message ids, so duplicates are dropped and memory stays flat.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use rustc_hash::FxHashSet;

use crate::ids::MessageId;

/// Remembers message ids for at most `max_age` and at most `max_entries` of them, oldest out first.
#[derive(Debug)]
pub(crate) struct DedupWindow {
    // Ids are Twitch's random UUIDs: a fast non-cryptographic hash spreads them as well as SipHash
    // would, at a fraction of the cost on the per-notification path.
    seen: FxHashSet<MessageId>,
    arrival_order: VecDeque<(Instant, MessageId)>,
    max_entries: usize,
    max_age: Duration,
}

impl DedupWindow {
    pub(crate) fn new(max_entries: usize, max_age: Duration) -> Self {
        Self {
            seen: FxHashSet::with_capacity_and_hasher(max_entries.min(1024), Default::default()),
            arrival_order: VecDeque::with_capacity(max_entries.min(1024)),
            max_entries,
            max_age,
        }
    }

    /// Records `id`; false when it was already in the window (a duplicate).
    pub(crate) fn insert(&mut self, id: MessageId, now: Instant) -> bool {
        self.forget_older_than(now);
        if !self.seen.insert(id.clone()) {
            return false;
        }
        self.arrival_order.push_back((now, id));
        if self.arrival_order.len() > self.max_entries {
            if let Some((_, oldest)) = self.arrival_order.pop_front() {
                self.seen.remove(&oldest);
            }
        }
        true
    }

    pub(crate) fn len(&self) -> usize {
        self.arrival_order.len()
    }

    fn forget_older_than(&mut self, now: Instant) {
        while let Some((seen_at, _)) = self.arrival_order.front() {
            if now.saturating_duration_since(*seen_at) <= self.max_age {
                break;
            }
            if let Some((_, id)) = self.arrival_order.pop_front() {
                self.seen.remove(&id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> MessageId {
        MessageId::Uuid(n)
    }

    #[test]
    fn a_repeated_id_is_a_duplicate() {
        let now = Instant::now();
        let mut window = DedupWindow::new(10, Duration::from_secs(60));
        assert!(window.insert(id(1), now));
        assert!(!window.insert(id(1), now));
        assert!(window.insert(id(2), now));
    }

    #[test]
    fn window_never_holds_more_than_its_count() {
        let now = Instant::now();
        let mut window = DedupWindow::new(3, Duration::from_secs(60));
        for n in 0..100 {
            window.insert(id(n), now);
            assert!(window.len() <= 3);
            assert_eq!(window.seen.len(), window.len());
        }
        assert!(window.insert(id(0), now), "the oldest id was forgotten");
    }

    #[test]
    fn ids_older_than_the_age_are_forgotten() {
        let start = Instant::now();
        let mut window = DedupWindow::new(100, Duration::from_secs(60));
        window.insert(id(1), start);
        assert!(!window.insert(id(1), start + Duration::from_secs(60)));
        assert!(window.insert(id(1), start + Duration::from_secs(121)));
        assert_eq!(window.len(), 1);
    }
}
