//! When a turn of frames ends for want of room in the consumer's buffer, and how much room the
//! driver waits for before it goes on.
//!
//! Under backpressure the driver reads until the buffer is full, then waits until half of it is
//! free: every stretch of reading hands over at least half the buffer. Resuming as soon as one
//! slot was free had a consumer slower than the sockets take what was ready, then wake the driver
//! for every few slots it freed (as many as the stream takes at once), each wake-up a trip
//! across threads when the consumer runs on another one.

use crate::builder::Overflow;

/// The marks for one buffer, in free slots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RoomMarks {
    /// A turn of frames ends when less room than this is left. Under backpressure one slot (the
    /// turn ends when the buffer is full, and reading pauses); when discarding half the buffer, so
    /// that a consumer on the driver's runtime gets its turn before anything is discarded.
    pub(crate) low: usize,
    /// How much room the driver waits for before it reads again (under backpressure half the
    /// buffer), or before it hands over the lifecycle events that wait while reading goes on (one
    /// slot). Always at least one slot, never more than the buffer.
    pub(crate) resume: usize,
}

impl RoomMarks {
    /// The marks for a buffer of `capacity` events under `overflow`.
    pub(crate) fn new(capacity: usize, overflow: Overflow) -> Self {
        let capacity = capacity.max(1);
        match overflow {
            Overflow::Backpressure => Self {
                low: 1,
                resume: (capacity / 2).max(1),
            },
            Overflow::DiscardWithLagged => Self {
                low: capacity / 2,
                resume: 1,
            },
        }
    }

    /// Whether a turn must end with `room` free.
    pub(crate) fn filling_up(self, room: usize) -> bool {
        room < self.low
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_backpressure_a_turn_ends_when_full_and_reading_resumes_at_half_free() {
        let marks = RoomMarks::new(1024, Overflow::Backpressure);
        assert_eq!(
            marks,
            RoomMarks {
                low: 1,
                resume: 512
            }
        );
        assert!(marks.filling_up(0));
        assert!(!marks.filling_up(1));
    }

    #[test]
    fn when_discarding_a_turn_ends_at_half_full_and_one_slot_is_waited_for() {
        let marks = RoomMarks::new(1024, Overflow::DiscardWithLagged);
        assert_eq!(
            marks,
            RoomMarks {
                low: 512,
                resume: 1
            }
        );
        assert!(marks.filling_up(511));
        assert!(!marks.filling_up(512));
    }

    #[test]
    fn every_stretch_of_reading_under_backpressure_is_half_the_buffer() {
        for capacity in 0..=4096 {
            let marks = RoomMarks::new(capacity, Overflow::Backpressure);
            // From the resume mark to a full buffer: at least half of it.
            assert!(marks.resume >= capacity.max(1) / 2, "capacity {capacity}");
            // Resuming never meets the end of a turn at once.
            assert!(!marks.filling_up(marks.resume), "capacity {capacity}");
        }
    }

    #[test]
    fn the_room_waited_for_fits_every_buffer() {
        for overflow in [Overflow::Backpressure, Overflow::DiscardWithLagged] {
            for capacity in 0..=4096 {
                let marks = RoomMarks::new(capacity, overflow);
                assert!(
                    (1..=capacity.max(1)).contains(&marks.resume),
                    "{overflow:?} {capacity}: {marks:?}"
                );
            }
        }
    }
}
