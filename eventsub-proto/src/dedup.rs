//! A bounded window of recently seen message ids, so duplicates are dropped and memory stays flat.

use std::collections::hash_map::RandomState;
use std::collections::{HashSet, VecDeque};
use std::hash::BuildHasher;
use std::time::{Duration, Instant};

use foldhash::fast::RandomState as FoldState;

use crate::ids::MessageId;

/// The most heap one remembered id can take, whatever the id, with the window full and turning
/// over: its slot in the hash set (16 bytes and a control byte) and its slot in the arrival queue
/// (32 bytes). The queue's capacity doubles, so it has at most 2 slots per id. The set has fewer
/// than 32/7 ≈ 4.6: it first grows to hold the ids at a load of 7/8 (up to 2.3 slots per id), and
/// erasing leaves tombstones that, once they use up its room, make a table more than half full
/// double rather than clean up in place. So at most 4.6 × 17 + 2 × 32 ≈ 142 bytes, rounded up.
/// The byte limit is turned into an entry limit with it.
pub(crate) const BYTES_PER_ENTRY: usize = 144;

/// What the window keeps of a message id: 128 bits, whatever the id's length.
///
/// A UUID is kept as its value. Any other id is kept as a 128-bit keyed digest (two SipHash-1-3
/// of it under process-random keys): its length costs nothing, and a server that does not know
/// the keys cannot make two ids collide, nor an id collide with a UUID, other than by chance
/// (2^-128 per pair).
type Key = u128;

/// Remembers message ids for at most `max_age` and at most `max_entries` of them (fewer when
/// `max_bytes` allows fewer), oldest out first.
#[derive(Debug)]
pub(crate) struct DedupWindow {
    // A UUID key is whatever the server sent, so the set's hash must be keyed too: with an unkeyed
    // one (FxHash, before) a server could send UUIDs that all hash alike, and every insert would
    // then probe the whole window. foldhash is keyed per process and costs a few instructions.
    seen: HashSet<Key, FoldState>,
    arrival_order: VecDeque<(Instant, Key)>,
    max_entries: usize,
    max_age: Duration,
    digest_keys: (RandomState, RandomState),
    /// Whether the set has been given the room that turning over a full window needs (see
    /// [`DedupWindow::insert`]).
    sized_for_turnover: bool,
}

impl DedupWindow {
    pub(crate) fn new(max_entries: usize, max_bytes: usize, max_age: Duration) -> Self {
        let max_entries = max_entries.min(max_bytes / BYTES_PER_ENTRY).max(1);
        Self {
            seen: HashSet::with_capacity_and_hasher(max_entries.min(1024), FoldState::default()),
            arrival_order: VecDeque::with_capacity(max_entries.min(1024)),
            max_entries,
            max_age,
            digest_keys: (RandomState::new(), RandomState::new()),
            sized_for_turnover: false,
        }
    }

    fn key(&self, id: &MessageId) -> Key {
        match id {
            MessageId::Uuid(value) => value.as_u128(),
            MessageId::Other(text) => {
                let high = u128::from(self.digest_keys.0.hash_one(text.as_ref()));
                let low = u128::from(self.digest_keys.1.hash_one(text.as_ref()));
                (high << 64) | low
            }
        }
    }

    /// Records `id`; false when it was already in the window (a duplicate).
    pub(crate) fn insert(&mut self, id: &MessageId, now: Instant) -> bool {
        self.forget_older_than(now);
        let key = self.key(id);
        if !self.seen.insert(key) {
            return false;
        }
        self.arrival_order.push_back((now, key));
        if self.arrival_order.len() > self.max_entries {
            if let Some((_, oldest)) = self.arrival_order.pop_front() {
                self.seen.remove(&oldest);
            }
        }
        if !self.sized_for_turnover && self.seen.len() >= self.max_entries {
            // Turning a full window over leaves tombstones in the set, and a table whose ids
            // fill more than half its capacity doubles when they use up its room, at some random
            // point of the run (see `BYTES_PER_ENTRY`). Doubling now, once, to room for twice the
            // window, makes that point the moment the window fills: from then on the set cleans
            // up in place and the window's heap stays flat. The queue holds one id more than
            // the window for a moment at each insert: room for that too.
            let room = 2 * (self.max_entries + 1);
            self.seen.reserve(room.saturating_sub(self.seen.len()));
            self.arrival_order.reserve(1);
            self.sized_for_turnover = true;
        }
        true
    }

    pub(crate) fn len(&self) -> usize {
        self.arrival_order.len()
    }

    /// The heap the window holds, given the most its set's `capacity()` was seen to report. That
    /// is `items + room left`, which tombstones lower; but right after the table grows it has none,
    /// so the most seen is the table's whole capacity: `7b/8` keys for `b` buckets (a power of
    /// two, at least 8 here). hashbrown allocates `b` keys, `b` control bytes and one more group
    /// of 16.
    #[cfg(test)]
    fn heap_bytes(&self, most_set_capacity: usize) -> usize {
        let buckets = (most_set_capacity * 8 / 7).next_power_of_two();
        let set = buckets * (size_of::<Key>() + 1) + 16;
        let queue = self.arrival_order.capacity() * size_of::<(Instant, Key)>();
        set + queue
    }

    fn forget_older_than(&mut self, now: Instant) {
        while let Some((seen_at, _)) = self.arrival_order.front() {
            if now.saturating_duration_since(*seen_at) <= self.max_age {
                break;
            }
            if let Some((_, key)) = self.arrival_order.pop_front() {
                self.seen.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> MessageId {
        MessageId::Uuid(uuid::Uuid::from_u128(n))
    }

    fn window(max_entries: usize) -> DedupWindow {
        DedupWindow::new(max_entries, usize::MAX, Duration::from_secs(60))
    }

    #[test]
    fn a_repeated_id_is_a_duplicate() {
        let now = Instant::now();
        let mut window = window(10);
        assert!(window.insert(&id(1), now));
        assert!(!window.insert(&id(1), now));
        assert!(window.insert(&id(2), now));
    }

    #[test]
    fn a_repeated_non_uuid_id_is_a_duplicate_and_differs_from_others() {
        let now = Instant::now();
        let mut window = window(10);
        let long = MessageId::parse(&"x".repeat(4096));
        assert!(window.insert(&long, now));
        assert!(!window.insert(&MessageId::parse(&"x".repeat(4096)), now));
        assert!(window.insert(&MessageId::parse(&"x".repeat(4095)), now));
        assert!(window.insert(&MessageId::parse("mock-1"), now));
        assert!(!window.insert(&MessageId::parse("mock-1"), now));
    }

    #[test]
    fn window_never_holds_more_than_its_count() {
        let now = Instant::now();
        let mut window = window(3);
        for n in 0..100 {
            window.insert(&id(n), now);
            assert!(window.len() <= 3);
            assert_eq!(window.seen.len(), window.len());
        }
        assert!(window.insert(&id(0), now), "the oldest id was forgotten");
    }

    /// UUIDs a server could pick so that FxHash (which the window used before) gives them all one
    /// hash: FxHash of a `u128` is `((lo × K) + hi) × K`, rotated, so `hi = c − lo × K` fixes it.
    fn fx_colliding_ids(count: u64) -> Vec<u128> {
        const K: u64 = 0xf1357aea2e62a9c5;
        (1..=count)
            .map(|lo| {
                let hi = 0x1234_5678_u64.wrapping_sub(lo.wrapping_mul(K));
                (u128::from(hi) << 64) | u128::from(lo)
            })
            .collect()
    }

    #[test]
    fn ids_chosen_to_collide_are_spread_over_the_set() {
        let ids = fx_colliding_ids(4096);
        let fx = rustc_hash::FxBuildHasher;
        let fx_hashes: HashSet<u64> = ids.iter().map(|id| fx.hash_one(id)).collect();
        assert_eq!(fx_hashes.len(), 1, "the ids collide under FxHash");

        let now = Instant::now();
        let mut window = window(10_000);
        for &n in &ids {
            assert!(window.insert(&id(n), now));
        }
        assert!(!window.insert(&id(ids[7]), now), "still a duplicate");
        // The set's buckets come from a hash's low bits: 4,096 keys hashed at random fill about
        // 2,590 of 4,096 buckets; colliding ones fill one.
        let buckets: HashSet<u64> = ids
            .iter()
            .map(|n| window.seen.hasher().hash_one(n) & 0xfff)
            .collect();
        assert!(buckets.len() > 2_300, "{} buckets of 4,096", buckets.len());
    }

    /// Twitch's ids are random UUIDs, turned over long enough that the set's tombstones would have
    /// made it double at some point (see [`BYTES_PER_ENTRY`]): the heap must stay in the bound,
    /// and not move once the window is full. The counts sit where the doubling costs most: 1,000
    /// and 4,097 ids take 133 and 131 bytes each. 112 bytes, the bound before, fails here; without
    /// the sizing at the first fill, the heap moves.
    #[test]
    fn the_heap_stays_in_the_bound_per_entry_with_random_ids() {
        const CHURN: usize = 200;
        let now = Instant::now();
        let mut rng = fastrand::Rng::with_seed(7);
        for max_entries in [1, 100, 1_000, 4_097, 7_169] {
            let mut window = window(max_entries);
            let (mut set_capacity, mut most, mut when_full) = (0, 0, None);
            for _ in 0..CHURN * max_entries.max(100) {
                window.insert(&id(rng.u128(..)), now);
                set_capacity = set_capacity.max(window.seen.capacity());
                let held = window.heap_bytes(set_capacity);
                if window.len() == max_entries {
                    let first = *when_full.get_or_insert(held);
                    assert_eq!(
                        held, first,
                        "{max_entries} ids: the heap moved after filling"
                    );
                }
                most = most.max(held);
            }
            assert!(
                most <= max_entries * BYTES_PER_ENTRY + 256,
                "{most} bytes for {max_entries} ids"
            );
        }
    }

    #[test]
    fn the_byte_limit_lowers_the_count() {
        let now = Instant::now();
        let mut window = DedupWindow::new(1000, 10 * BYTES_PER_ENTRY, Duration::from_secs(60));
        for n in 0..100 {
            window.insert(&id(n), now);
        }
        assert_eq!(window.len(), 10);
    }

    #[test]
    fn ids_older_than_the_age_are_forgotten() {
        let start = Instant::now();
        let mut window = DedupWindow::new(100, usize::MAX, Duration::from_secs(60));
        window.insert(&id(1), start);
        assert!(!window.insert(&id(1), start + Duration::from_secs(60)));
        assert!(window.insert(&id(1), start + Duration::from_secs(121)));
        assert_eq!(window.len(), 1);
    }
}
