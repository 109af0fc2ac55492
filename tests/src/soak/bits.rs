//! A growable set of small numbers as bits: the soak remembers every message id it ever saw sent or
//! delivered at one bit each, so its own memory does not hide a leak in the client.

/// A set of `u64`s, one bit each up to the largest.
#[derive(Clone, Debug, Default)]
pub struct Bits {
    words: Vec<u64>,
}

impl Bits {
    /// Adds `number`; returns whether it was new.
    pub fn insert(&mut self, number: u64) -> bool {
        let (word, bit) = Self::place(number);
        if self.words.len() <= word {
            self.words.resize(word + 1, 0);
        }
        let Some(slot) = self.words.get_mut(word) else {
            return false;
        };
        let new = *slot & bit == 0;
        *slot |= bit;
        new
    }

    /// Whether `number` is in the set.
    pub fn contains(&self, number: u64) -> bool {
        let (word, bit) = Self::place(number);
        self.words.get(word).is_some_and(|slot| slot & bit != 0)
    }

    /// The bytes the set holds.
    pub fn heap_bytes(&self) -> usize {
        self.words.capacity() * std::mem::size_of::<u64>()
    }

    fn place(number: u64) -> (usize, u64) {
        ((number / 64) as usize, 1 << (number % 64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_report_novelty_and_membership_sticks() {
        let mut bits = Bits::default();
        assert!(bits.insert(130));
        assert!(!bits.insert(130));
        assert!(bits.contains(130));
        assert!(!bits.contains(129));
        assert!(!bits.contains(1 << 40), "far past the end");
    }
}
