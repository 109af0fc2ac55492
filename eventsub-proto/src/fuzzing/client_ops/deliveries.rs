//! The duplicate oracle: which message ids the client's filter must still hold, from what the
//! scenario fed it, so a re-delivery is flagged exactly when the filter promised to catch it.
//!
//! The filter (`Config::dedup_max_entries`, `Config::dedup_max_age`) forgets an id once it is older
//! than the age or once that many newer ids came in. Which frames added an id is not all visible
//! from outside (a revocation whose subscription cannot be read adds its id and reports no id), so
//! every frame that parses as a notification or revocation is counted as one that may have: an
//! upper bound on the newer ids, hence a lower bound on what the filter still holds.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::ids::MessageId;

/// When an id last entered the filter.
#[derive(Clone, Copy, Debug)]
struct Entered {
    at: Instant,
    /// Frames counted as entering, this one included.
    frames: u64,
    step: u64,
}

#[derive(Debug)]
pub(super) struct Deliveries {
    max_entries: u64,
    max_age: Duration,
    /// Frames so far that may each have added one id.
    frames: u64,
    /// `frames` before this step's frame.
    frames_before_step: u64,
    step: u64,
    entered: HashMap<MessageId, Entered>,
}

impl Deliveries {
    pub(super) fn new(max_entries: usize, max_age: Duration) -> Self {
        Self {
            max_entries: u64::try_from(max_entries).unwrap_or(u64::MAX),
            max_age,
            frames: 0,
            frames_before_step: 0,
            step: 0,
            entered: HashMap::new(),
        }
    }

    pub(super) fn begin_step(&mut self) {
        self.step += 1;
        self.frames_before_step = self.frames;
    }

    pub(super) fn frame_may_enter(&mut self) {
        if self.frames == self.frames_before_step {
            self.frames += 1;
        }
    }

    /// `id` went through the filter as new at `now` (the client's clock): it was delivered, or
    /// dropped for another reason. A delivery the filter should have caught is a duplicate.
    pub(super) fn observe(&mut self, id: &MessageId, now: Instant, delivered: bool) {
        // The step's frame went through the filter, whatever the adapter's parse said of it (the
        // deferred payload check reads some frames the full parse refuses).
        self.frame_may_enter();
        if let Some(entered) = self.entered.get(id) {
            // The events of one batch share their message's id.
            if delivered && entered.step != self.step {
                let newer = self.frames_before_step.saturating_sub(entered.frames);
                let age = now.saturating_duration_since(entered.at);
                assert!(
                    newer >= self.max_entries || age > self.max_age,
                    "{id:?} delivered again {age:?} after it entered the duplicate filter, with at \
                     most {newer} newer ids (the filter holds {} for {:?})",
                    self.max_entries,
                    self.max_age
                );
            }
        }
        let entered = Entered {
            at: now,
            frames: self.frames_before_step + 1,
            step: self.step,
        };
        self.entered.insert(id.clone(), entered);
    }
}
