//! The identity keys of the events delivered or recovered around gaps, bounded in count and
//! bytes: what a catch-up must not recover (again).

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use super::keys::ItemKey;

/// Keys in the order they were seen; the oldest go first when a bound is reached.
#[derive(Debug)]
pub(crate) struct Remembered {
    keys: VecDeque<ItemKey>,
    bytes: usize,
    max_keys: usize,
    max_bytes: usize,
}

impl Remembered {
    pub(crate) fn new(max_keys: usize, max_bytes: usize) -> Self {
        Self {
            keys: VecDeque::new(),
            bytes: 0,
            max_keys,
            max_bytes,
        }
    }

    /// Whether an event the same as `key` was seen.
    pub(crate) fn seen(&self, key: &ItemKey, slack: Duration) -> bool {
        self.keys.iter().any(|known| known.same_as(key, slack))
    }

    pub(crate) fn insert(&mut self, key: ItemKey) {
        self.bytes += key.bytes();
        self.keys.push_back(key);
        while self.keys.len() > self.max_keys || self.bytes > self.max_bytes {
            let Some(oldest) = self.keys.pop_front() else {
                break;
            };
            self.bytes = self.bytes.saturating_sub(oldest.bytes());
        }
    }

    /// Forgets the oldest keys while they are from before `horizon`: no gap's window can reach
    /// them any more.
    pub(crate) fn forget_before(&mut self, horizon: SystemTime) {
        while self.keys.front().is_some_and(|oldest| oldest.at < horizon) {
            if let Some(oldest) = self.keys.pop_front() {
                self.bytes = self.bytes.saturating_sub(oldest.bytes());
            }
        }
    }

    pub(crate) fn clear(&mut self) {
        self.keys.clear();
        self.bytes = 0;
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catchup::keys::Family;

    fn key(id: usize, at: u64) -> ItemKey {
        ItemKey {
            family: Family::Redemption,
            broadcaster: "1".to_owned(),
            id: format!("redemption-{id}"),
            at: SystemTime::UNIX_EPOCH + Duration::from_secs(at),
        }
    }

    #[test]
    fn the_keys_are_bounded_in_count_and_bytes_oldest_first() {
        let mut remembered = Remembered::new(3, usize::MAX);
        for id in 0..5 {
            remembered.insert(key(id, 10));
        }
        assert_eq!(remembered.len(), 3);
        assert!(!remembered.seen(&key(1, 10), Duration::ZERO));
        assert!(remembered.seen(&key(4, 10), Duration::ZERO));
        let one = key(0, 10).bytes();
        let mut small = Remembered::new(usize::MAX, one * 2);
        for id in 0..5 {
            small.insert(key(id, 10));
        }
        assert!(small.len() <= 2);
    }

    #[test]
    fn keys_from_before_the_horizon_are_forgotten() {
        let mut remembered = Remembered::new(100, usize::MAX);
        remembered.insert(key(0, 10));
        remembered.insert(key(1, 20));
        remembered.forget_before(SystemTime::UNIX_EPOCH + Duration::from_secs(15));
        assert!(!remembered.seen(&key(0, 10), Duration::ZERO));
        assert!(remembered.seen(&key(1, 20), Duration::ZERO));
    }
}
