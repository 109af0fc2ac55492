//! The copies of frames that notifications keep, reused once the consumer has dropped them.
//!
//! Every notification owns a copy of its frame. Allocated afresh, each copy is a `malloc` on the
//! client's thread and a `free` on the consumer's, which contend for the allocator's arena (a
//! chat frame, some 1.1 KB, is above glibc's per-thread cache): about 6 % of the client's CPU in a
//! bulk stream. The ring keeps the copies it handed out, oldest first; when the oldest is no
//! longer held by anyone else, its buffer takes the next frame, so in a steady stream the copies
//! are recycled and the consumer's drop is a reference count's decrement only.
//!
//! A consumer that holds on to notifications costs nothing but the ring's own reach: when the
//! oldest copy is still held, a new one is made (and kept in the ring while it has room; else the
//! held one leaves the ring, to the consumer alone). Bounded in entries and in bytes, and a frame
//! larger than [`MAX_KEPT_FRAME_BYTES`] is never kept, so one huge frame does not stay resident.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A frame's copy, shared by the notifications made of it (and by the ring, while it keeps it).
pub(crate) type FrameText = Arc<String>;

/// The most copies a ring keeps, whatever their size: for chat frames the byte bound below holds
/// first; this one bounds the ring's own queue when the frames are small.
pub(crate) const MAX_KEPT_FRAMES: usize = 2048;
/// The most bytes of copies a ring keeps (their capacities), for all the sessions of a pool
/// together. Some 450 chat frames: a turn of frames (up to 256) and the backlog of a consumer that
/// keeps up. With half of it the oldest copy was too often still held, and most of the gain was
/// lost (`tests/BENCHMARKS.md`, eleventh session).
pub(crate) const MAX_KEPT_BYTES: usize = 512 * 1024;
/// The largest copy kept for reuse: a chat frame is about 1.1 KB, a big batch far more.
pub(crate) const MAX_KEPT_FRAME_BYTES: usize = 16 * 1024;
/// How long the ring must have done without a new copy before it lets go of all but
/// [`KEPT_WHEN_QUIET`] of them: what a burst made it keep is not held for good by a client (one
/// of many in a process, say) whose events came back to a trickle.
pub(crate) const QUIET_BEFORE_TRIM: Duration = Duration::from_secs(10);
/// How many copies a ring keeps once its traffic has been quiet for [`QUIET_BEFORE_TRIM`].
pub(crate) const KEPT_WHEN_QUIET: usize = 16;

/// The copies of frames a client has handed out, oldest first.
#[derive(Debug, Default)]
pub(crate) struct FrameRing {
    kept: VecDeque<FrameText>,
    /// The capacities of `kept` together.
    kept_bytes: usize,
    /// When the ring last had to make a new copy (its oldest still held).
    last_grown: Option<Instant>,
}

impl FrameRing {
    /// A copy of `frame` with `appended` after it, at `now`: the oldest kept buffer when nobody
    /// else holds it, else a new one.
    pub(crate) fn copy(&mut self, frame: &str, appended: &str, now: Instant) -> FrameText {
        let len = frame.len().saturating_add(appended.len());
        if len > MAX_KEPT_FRAME_BYTES {
            return Self::copy_alone(frame, appended);
        }
        if let Some(mut oldest) = self.kept.pop_front() {
            let before = oldest.capacity();
            if let Some(buffer) = Arc::get_mut(&mut oldest) {
                buffer.clear();
                buffer.reserve_exact(len);
                buffer.push_str(frame);
                buffer.push_str(appended);
                self.kept_bytes = self.kept_bytes.saturating_sub(before);
                return self.keep(oldest);
            }
            self.kept.push_front(oldest);
        }
        self.last_grown = Some(now);
        self.keep(Arc::new(joined(frame, appended, len)))
    }

    /// A copy that is not kept (nor taken from a ring).
    pub(crate) fn copy_alone(frame: &str, appended: &str) -> FrameText {
        let len = frame.len().saturating_add(appended.len());
        Arc::new(joined(frame, appended, len))
    }

    /// Lets go of all but [`KEPT_WHEN_QUIET`] copies, the oldest first, when none had to be made
    /// for [`QUIET_BEFORE_TRIM`].
    pub(crate) fn trim_if_quiet(&mut self, now: Instant) {
        if self.kept.len() <= KEPT_WHEN_QUIET {
            return;
        }
        let quiet = self
            .last_grown
            .is_none_or(|grown| now.saturating_duration_since(grown) >= QUIET_BEFORE_TRIM);
        if !quiet {
            return;
        }
        while self.kept.len() > KEPT_WHEN_QUIET {
            let Some(oldest) = self.kept.pop_front() else {
                break;
            };
            self.kept_bytes = self.kept_bytes.saturating_sub(oldest.capacity());
        }
    }

    /// Keeps `text` for reuse when the ring has room, making room by letting the oldest go when
    /// it is full.
    fn keep(&mut self, text: FrameText) -> FrameText {
        let capacity = text.capacity();
        while self.kept.len() >= MAX_KEPT_FRAMES
            || self.kept_bytes.saturating_add(capacity) > MAX_KEPT_BYTES
        {
            let Some(oldest) = self.kept.pop_front() else {
                break;
            };
            self.kept_bytes = self.kept_bytes.saturating_sub(oldest.capacity());
        }
        self.kept_bytes = self.kept_bytes.saturating_add(capacity);
        self.kept.push_back(Arc::clone(&text));
        text
    }

    /// How many copies the ring keeps, and their bytes.
    #[cfg(test)]
    pub(crate) fn kept(&self) -> (usize, usize) {
        (self.kept.len(), self.kept_bytes)
    }
}

fn joined(frame: &str, appended: &str, len: usize) -> String {
    let mut text = String::with_capacity(len);
    text.push_str(frame);
    text.push_str(appended);
    text
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_dropped_copy_takes_the_next_frame() {
        let mut ring = FrameRing::default();
        let now = Instant::now();
        let first = ring.copy("first frame", "", now);
        let buffer = first.as_ptr();
        drop(first);
        let second = ring.copy("second", "+appended", now);
        assert_eq!(second.as_str(), "second+appended");
        assert_eq!(
            second.as_ptr(),
            buffer,
            "the dropped copy's buffer was reused"
        );
        assert_eq!(ring.kept().0, 1);
    }

    #[test]
    fn a_held_copy_is_never_written_over() {
        let mut ring = FrameRing::default();
        let now = Instant::now();
        let held = ring.copy("held", "", now);
        let next = ring.copy("next", "", now);
        assert_eq!(held.as_str(), "held");
        assert_eq!(next.as_str(), "next");
        assert_ne!(held.as_ptr(), next.as_ptr());
        assert_eq!(ring.kept().0, 2);
    }

    #[test]
    fn the_ring_keeps_at_most_its_entries_and_lets_held_copies_go() {
        let mut ring = FrameRing::default();
        let now = Instant::now();
        let held: Vec<FrameText> = (0..MAX_KEPT_FRAMES + 10)
            .map(|_| ring.copy("x", "", now))
            .collect();
        assert_eq!(ring.kept().0, MAX_KEPT_FRAMES);
        // The copies let go are still whole, the consumer's alone.
        assert!(held.iter().all(|text| text.as_str() == "x"));
        assert_eq!(Arc::strong_count(&held[0]), 1);
        assert_eq!(Arc::strong_count(&held[MAX_KEPT_FRAMES + 9]), 2);
    }

    #[test]
    fn the_ring_keeps_at_most_its_bytes() {
        let mut ring = FrameRing::default();
        let now = Instant::now();
        let frame = "y".repeat(MAX_KEPT_FRAME_BYTES);
        let held: Vec<FrameText> = (0..64).map(|_| ring.copy(&frame, "", now)).collect();
        let (entries, bytes) = ring.kept();
        assert!(bytes <= MAX_KEPT_BYTES, "{bytes}");
        assert_eq!(entries, MAX_KEPT_BYTES / MAX_KEPT_FRAME_BYTES);
        assert_eq!(held.len(), 64);
    }

    #[test]
    fn a_frame_too_large_to_keep_is_copied_alone() {
        let mut ring = FrameRing::default();
        let now = Instant::now();
        let big = "z".repeat(MAX_KEPT_FRAME_BYTES + 1);
        let text = ring.copy(&big, "", now);
        assert_eq!(text.as_str(), big);
        assert_eq!(ring.kept(), (0, 0));
        // Nor does a kept buffer grow past the limit: the large frame gets its own copy.
        drop(ring.copy("small", "", now));
        let text = ring.copy(&big[1..], "!", now);
        assert_eq!(text.len(), MAX_KEPT_FRAME_BYTES + 1);
        assert_eq!(Arc::strong_count(&text), 1);
        assert_eq!(ring.kept().0, 1);
    }

    #[test]
    fn a_reused_buffer_that_grows_is_counted_at_its_new_size() {
        let mut ring = FrameRing::default();
        let now = Instant::now();
        drop(ring.copy("small", "", now));
        let grown = ring.copy(&"w".repeat(8000), "", now);
        assert_eq!(ring.kept(), (1, grown.capacity()));
        assert!(grown.capacity() >= 8000);
    }

    #[test]
    fn a_ring_quiet_for_a_while_lets_go_of_what_a_burst_made_it_keep() {
        let mut ring = FrameRing::default();
        let burst = Instant::now();
        // A burst the consumer holds on to: every copy is new.
        let held: Vec<FrameText> = (0..100).map(|_| ring.copy("x", "", burst)).collect();
        assert_eq!(ring.kept().0, 100);
        drop(held);
        // Reusing what was dropped is not growing: the ring stays as long as it is not quiet.
        let soon = burst + QUIET_BEFORE_TRIM / 2;
        ring.trim_if_quiet(soon);
        drop(ring.copy("y", "", soon));
        assert_eq!(ring.kept().0, 100);
        ring.trim_if_quiet(burst + QUIET_BEFORE_TRIM);
        assert_eq!(ring.kept().0, KEPT_WHEN_QUIET);
        drop(ring.copy("z", "", burst + QUIET_BEFORE_TRIM));
        assert_eq!(ring.kept().1, KEPT_WHEN_QUIET * "x".len());
    }

    #[test]
    fn a_ring_that_keeps_growing_is_not_trimmed() {
        let mut ring = FrameRing::default();
        let start = Instant::now();
        let mut held = Vec::new();
        for second in 0..30_u64 {
            // Each second the consumer holds one more copy than the ring has: it grows.
            let now = start + Duration::from_secs(second);
            ring.trim_if_quiet(now);
            held.push(ring.copy("x", "", now));
        }
        assert_eq!(ring.kept().0, 30);
        assert_eq!(held.len(), 30);
    }

    proptest! {
        /// Whatever is copied, held, dropped and trimmed, every held copy reads as what was copied
        /// into it, and the ring stays within its bounds.
        #[test]
        fn held_copies_keep_their_text(
            steps in proptest::collection::vec((0_usize..3_000, any::<bool>()), 1..300),
        ) {
            let mut ring = FrameRing::default();
            let start = Instant::now();
            let mut held: Vec<(FrameText, String)> = Vec::new();
            for (index, (len, keep)) in steps.into_iter().enumerate() {
                let frame = format!("{index}:{}", "f".repeat(len));
                // A frame a second: quiet spells trim the ring now and then.
                let now = start + Duration::from_secs(index as u64);
                ring.trim_if_quiet(now);
                let text = ring.copy(&frame, "end", now);
                prop_assert_eq!(text.as_str(), format!("{frame}end"));
                if keep {
                    held.push((text, format!("{frame}end")));
                } else if let Some(first) = held.first() {
                    // Drop the oldest held copy now and then, as a consumer does.
                    if index % 3 == 0 {
                        prop_assert_eq!(first.0.as_str(), first.1.as_str());
                        held.remove(0);
                    }
                }
                for (text, expected) in &held {
                    prop_assert_eq!(text.as_str(), expected.as_str());
                }
                let (entries, bytes) = ring.kept();
                prop_assert!(entries <= MAX_KEPT_FRAMES && bytes <= MAX_KEPT_BYTES);
            }
        }
    }
}
