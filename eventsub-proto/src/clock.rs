//! Twitch's clock, as seen from here: how far the local wall clock is from Twitch's, estimated from
//! the `message_timestamp` of welcome and keepalive frames, and what a local moment is on Twitch's
//! clock.
//!
//! Each control frame gives one sample, `received_at − message_timestamp`: the clocks' offset plus
//! the frame's one-way delay (never negative). The estimate is the median of the last
//! [`SAMPLES`] samples, so one frame with a timestamp far off (a server whose clock jumps, a
//! delayed frame) moves nothing; only a majority of the recent control frames does. The estimate
//! is then capped at [`Config::max_clock_correction`](crate::Config::max_clock_correction) either
//! way: whatever a server writes in its timestamps, it shifts the client's idea of Twitch's "now"
//! by no more than the cap.
//!
//! The stale check uses the estimate capped once more in the one direction that can lose events:
//! "Twitch is ahead of the local clock" makes notifications older, so there the correction is at
//! most half of [`Config::stale_after`](crate::Config::stale_after). No server, whatever its
//! control frames say, can get a notification dropped as stale that arrived less than
//! `stale_after / 2` after its own `message_timestamp` by the local clock.

use std::time::{Duration, Instant, SystemTime};

use crate::stale::system_time;

/// How many recent control-frame samples the estimate is the median of (odd: one middle).
const SAMPLES: usize = 5;

/// The least time between two samples taken from keepalives. Clocks drift by seconds a day, so a
/// sample every half minute is plenty; the limit keeps the timestamp parse (a few hundred
/// instructions) off nearly every keepalive, and a server flooding keepalives cannot make the
/// client parse each one. A welcome is always sampled: it starts a session.
pub(crate) const KEEPALIVE_SAMPLE_INTERVAL: Duration = Duration::from_secs(30);

/// How long after reading resumes the frames read are taken as possibly read late (they piled up
/// unread): no clock sample comes from them. A welcome read a second late would otherwise put
/// Twitch's clock a second ahead, and every gap's `until` with it.
pub(crate) const READ_LATE_WINDOW: Duration = Duration::from_secs(1);

/// How far the local wall clock is from Twitch's: the local time minus Twitch's at one moment.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use eventsub_proto::ClockOffset;
/// let fast = ClockOffset::local_ahead(Duration::from_secs(660));
/// let local = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
/// assert_eq!(fast.twitch_time(local), Some(SystemTime::UNIX_EPOCH + Duration::from_secs(340)));
/// assert_eq!(fast.local_ahead_by(), Duration::from_secs(660));
/// assert_eq!(fast.local_behind_by(), Duration::ZERO);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockOffset {
    /// Local minus Twitch, in nanoseconds (± 292 years).
    local_minus_twitch_nanos: i64,
}

impl ClockOffset {
    /// The clocks agree.
    pub const ZERO: Self = Self {
        local_minus_twitch_nanos: 0,
    };

    /// The local clock is `by` ahead of Twitch's (saturating at 292 years).
    pub fn local_ahead(by: Duration) -> Self {
        Self {
            local_minus_twitch_nanos: i64::try_from(by.as_nanos()).unwrap_or(i64::MAX),
        }
    }

    /// The local clock is `by` behind Twitch's (saturating at 292 years).
    pub fn local_behind(by: Duration) -> Self {
        Self {
            local_minus_twitch_nanos: i64::try_from(by.as_nanos()).map_or(i64::MIN, |nanos| -nanos),
        }
    }

    /// How far the local clock is ahead of Twitch's; zero when it is behind.
    pub fn local_ahead_by(&self) -> Duration {
        Duration::from_nanos(u64::try_from(self.local_minus_twitch_nanos).unwrap_or(0))
    }

    /// How far the local clock is behind Twitch's; zero when it is ahead.
    pub fn local_behind_by(&self) -> Duration {
        Duration::from_nanos(self.local_minus_twitch_nanos.min(0).unsigned_abs())
    }

    /// A local wall time on Twitch's clock; `None` only when that is not a `SystemTime`.
    pub fn twitch_time(&self, local: SystemTime) -> Option<SystemTime> {
        let magnitude = Duration::from_nanos(self.local_minus_twitch_nanos.unsigned_abs());
        if self.local_minus_twitch_nanos >= 0 {
            local.checked_sub(magnitude)
        } else {
            local.checked_add(magnitude)
        }
    }

    /// A time on Twitch's clock on the local clock; `None` only when that is not a `SystemTime`.
    pub fn local_time(&self, twitch: SystemTime) -> Option<SystemTime> {
        let inverse = Self {
            local_minus_twitch_nanos: self.local_minus_twitch_nanos.saturating_neg(),
        };
        inverse.twitch_time(twitch)
    }

    /// `local − twitch`, saturating at ± 292 years.
    fn between(local: SystemTime, twitch: SystemTime) -> Self {
        match local.duration_since(twitch) {
            Ok(ahead) => Self::local_ahead(ahead),
            Err(behind) => Self::local_behind(behind.duration()),
        }
    }

    /// Capped at `ahead` with the local clock ahead and at `behind` with it behind.
    fn clamped(self, ahead: Duration, behind: Duration) -> Self {
        let ahead = i64::try_from(ahead.as_nanos()).unwrap_or(i64::MAX);
        let behind = i64::try_from(behind.as_nanos()).unwrap_or(i64::MAX);
        Self {
            local_minus_twitch_nanos: self.local_minus_twitch_nanos.clamp(-behind, ahead),
        }
    }
}

/// The estimate of Twitch's clock the client keeps.
#[derive(Clone, Debug)]
pub(crate) struct TwitchClock {
    cap: Duration,
    /// The cap of the stale check's correction with the local clock behind.
    stale_cap_behind: Duration,
    /// The latest samples, oldest overwritten first.
    samples: [ClockOffset; SAMPLES],
    sampled: usize,
    next: usize,
    /// The median of the samples, capped.
    offset: ClockOffset,
    /// `offset` capped for the stale check.
    stale_offset: ClockOffset,
    /// The monotonic and local wall clock at the latest control frame: how a moment of the
    /// monotonic clock (a gap's end) is placed on the wall clock.
    pairing: Option<(Instant, SystemTime)>,
    /// When the latest sample was taken (monotonic).
    sampled_at: Option<Instant>,
    /// Frames read before this moment (monotonic) are no samples: the adapter paused reading
    /// until shortly before, so they may have waited unread, and their `received_at` (when read)
    /// would add the wait to the offset. `None` while reading is paused counts as "until further
    /// notice" through `paused`.
    read_late_until: Option<Instant>,
    /// The adapter does not read its sockets now: frames still fed were read before the pause
    /// began, or are handed out late.
    paused: bool,
}

impl TwitchClock {
    /// A clock corrected by at most `cap`, and for a stale check of `stale_after` by at most
    /// half of that with the local clock behind.
    pub(crate) fn new(cap: Duration, stale_after: Option<Duration>) -> Self {
        Self {
            cap,
            stale_cap_behind: stale_after.map_or(cap, |stale_after| cap.min(stale_after / 2)),
            samples: [ClockOffset::ZERO; SAMPLES],
            sampled: 0,
            next: 0,
            offset: ClockOffset::ZERO,
            stale_offset: ClockOffset::ZERO,
            pairing: None,
            sampled_at: None,
            read_late_until: None,
            paused: false,
        }
    }

    /// The adapter stopped reading: frames read from now on may have waited unread.
    pub(crate) fn reading_paused(&mut self) {
        self.paused = true;
    }

    /// The adapter reads again at `now`: what piled up while it did not is read first, late, for
    /// about [`READ_LATE_WINDOW`]; no sample is taken meanwhile.
    pub(crate) fn reading_resumed(&mut self, now: Instant) {
        self.paused = false;
        self.read_late_until = now.checked_add(READ_LATE_WINDOW);
    }

    /// Whether a frame read at `now` may have waited unread (see `read_late_until`).
    fn maybe_read_late(&self, now: Instant) -> bool {
        self.paused || self.read_late_until.is_some_and(|until| now < until)
    }

    /// A welcome sent at `message_timestamp` arrived at `received_at` (local wall clock), at `now`
    /// (monotonic): always a sample.
    pub(crate) fn welcome(
        &mut self,
        message_timestamp: &str,
        received_at: SystemTime,
        now: Instant,
    ) {
        self.pairing = Some((now, received_at));
        if !self.maybe_read_late(now) {
            self.sample(message_timestamp, received_at, now);
        }
    }

    /// A keepalive, likewise: a sample if the latest is [`KEEPALIVE_SAMPLE_INTERVAL`] old.
    pub(crate) fn keepalive(
        &mut self,
        message_timestamp: &str,
        received_at: SystemTime,
        now: Instant,
    ) {
        self.pairing = Some((now, received_at));
        let due = self.sampled_at.is_none_or(|sampled_at| {
            now.saturating_duration_since(sampled_at) >= KEEPALIVE_SAMPLE_INTERVAL
        });
        if due && !self.maybe_read_late(now) {
            self.sample(message_timestamp, received_at, now);
        }
    }

    /// One sample. A timestamp that does not parse is none.
    fn sample(&mut self, message_timestamp: &str, received_at: SystemTime, now: Instant) {
        self.sampled_at = Some(now);
        let Some(sent_at) = system_time(message_timestamp) else {
            return;
        };
        if let Some(slot) = self.samples.get_mut(self.next) {
            *slot = ClockOffset::between(received_at, sent_at);
        }
        self.next = (self.next + 1) % SAMPLES;
        self.sampled = (self.sampled + 1).min(SAMPLES);
        let mut recent = self.samples;
        let recent = recent.get_mut(..self.sampled).unwrap_or_default();
        recent.sort_unstable();
        let median = recent
            .get(recent.len() / 2)
            .copied()
            .unwrap_or(ClockOffset::ZERO);
        self.offset = median.clamped(self.cap, self.cap);
        self.stale_offset = median.clamped(self.cap, self.stale_cap_behind);
    }

    /// The estimated offset (zero before the first control frame).
    pub(crate) fn offset(&self) -> ClockOffset {
        self.offset
    }

    /// A local wall time on Twitch's clock.
    pub(crate) fn twitch_time(&self, local: SystemTime) -> Option<SystemTime> {
        self.offset.twitch_time(local)
    }

    /// Twitch's "now" for the stale check, at the local wall time `received_at`.
    pub(crate) fn stale_check_now(&self, received_at: SystemTime) -> Option<SystemTime> {
        self.stale_offset.twitch_time(received_at)
    }

    /// A moment of the monotonic clock on Twitch's clock, through the latest pairing; `None` before
    /// the first control frame.
    pub(crate) fn twitch_time_at(&self, at: Instant) -> Option<SystemTime> {
        let (paired_at, wall) = self.pairing?;
        let local = match at.checked_duration_since(paired_at) {
            Some(after) => wall.checked_add(after)?,
            None => wall.checked_sub(paired_at.saturating_duration_since(at))?,
        };
        self.twitch_time(local)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_699_294_307 + seconds)
    }

    fn timestamp(time: SystemTime) -> String {
        let seconds = time
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        time::OffsetDateTime::from_unix_timestamp(i64::try_from(seconds).unwrap_or(0))
            .ok()
            .and_then(|time| {
                time.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default()
    }

    #[test]
    fn the_offset_is_the_median_of_recent_control_frames() {
        let mut clock = TwitchClock::new(15 * MINUTE, None);
        let now = Instant::now();
        // The local clock is 11 minutes fast; frames take 0 to 2 s.
        for (sent, delay) in [(0, 1), (10, 0), (20, 2), (30, 1), (40, 1)] {
            clock.welcome(&timestamp(at(sent)), at(sent + 660 + delay), now);
        }
        assert_eq!(
            clock.offset(),
            ClockOffset::local_ahead(661 * Duration::from_secs(1))
        );
        // Two wild frames out of five move nothing.
        clock.welcome(&timestamp(at(50 + 86_400)), at(51 + 660), now);
        clock.welcome(&timestamp(at(0)), at(61 + 660), now);
        assert_eq!(
            clock.offset(),
            ClockOffset::local_ahead(Duration::from_secs(661))
        );
    }

    #[test]
    fn keepalives_are_sampled_at_most_once_per_interval() {
        let start = Instant::now();
        let mut clock = TwitchClock::new(15 * MINUTE, None);
        clock.welcome(&timestamp(at(0)), at(0), start);
        // A flood of keepalives 11 minutes off within the interval: not one is read.
        for second in 1..30 {
            let now = start + Duration::from_secs(second);
            clock.keepalive(&timestamp(at(0)), at(660), now);
        }
        assert_eq!(clock.offset(), ClockOffset::ZERO);
        // From the interval on, each due keepalive is a sample.
        for round in 1..=3 {
            let now = start + KEEPALIVE_SAMPLE_INTERVAL * round;
            clock.keepalive(&timestamp(at(0)), at(660), now);
        }
        assert_eq!(clock.offset(), ClockOffset::local_ahead(11 * MINUTE));
    }

    #[test]
    fn frames_read_while_paused_or_just_after_are_no_samples() {
        let start = Instant::now();
        let mut clock = TwitchClock::new(15 * MINUTE, None);
        clock.welcome(&timestamp(at(0)), at(0), start);
        // Reading pauses; welcomes that waited unread are read 5 s late, while paused (the rest
        // of a batch) and just after the resume.
        clock.reading_paused();
        clock.welcome(&timestamp(at(10)), at(15), start + Duration::from_secs(15));
        clock.reading_resumed(start + Duration::from_secs(20));
        for late in 0..3 {
            let now = start + Duration::from_secs(20) + Duration::from_millis(300 * late);
            clock.welcome(&timestamp(at(14)), at(20), now);
        }
        assert_eq!(clock.offset(), ClockOffset::ZERO, "no late frame moved it");
        // Past the window, frames are samples again.
        let later = start + Duration::from_secs(20) + READ_LATE_WINDOW;
        clock.welcome(&timestamp(at(30)), at(32), later);
        clock.welcome(&timestamp(at(40)), at(42), later);
        assert_eq!(
            clock.offset(),
            ClockOffset::local_ahead(Duration::from_secs(2))
        );
    }

    #[test]
    fn the_correction_is_capped_either_way() {
        let now = Instant::now();
        let mut clock = TwitchClock::new(15 * MINUTE, None);
        clock.welcome(&timestamp(at(0)), at(86_400), now);
        assert_eq!(clock.offset(), ClockOffset::local_ahead(15 * MINUTE));
        let mut clock = TwitchClock::new(15 * MINUTE, None);
        clock.welcome(&timestamp(at(86_400)), at(0), now);
        assert_eq!(clock.offset(), ClockOffset::local_behind(15 * MINUTE));
        let mut clock = TwitchClock::new(Duration::ZERO, None);
        clock.welcome(&timestamp(at(0)), at(600), now);
        assert_eq!(clock.offset(), ClockOffset::ZERO);
        clock.welcome("not a time", at(600), now);
        assert_eq!(clock.offset(), ClockOffset::ZERO);
    }

    #[test]
    fn the_stale_check_believes_twitch_ahead_by_at_most_half_the_threshold() {
        let now = Instant::now();
        let mut clock = TwitchClock::new(15 * MINUTE, Some(10 * MINUTE));
        clock.welcome(&timestamp(at(86_400)), at(0), now);
        assert_eq!(clock.offset(), ClockOffset::local_behind(15 * MINUTE));
        assert_eq!(clock.stale_check_now(at(0)), Some(at(300)));
        clock.welcome(&timestamp(at(0)), at(86_400), now);
        clock.welcome(&timestamp(at(0)), at(86_400), now);
        assert_eq!(clock.offset(), ClockOffset::local_ahead(15 * MINUTE));
        assert_eq!(clock.stale_check_now(at(900)), Some(at(0)));
    }

    #[test]
    fn a_monotonic_moment_is_placed_on_twitchs_clock_through_the_latest_pairing() {
        let now = Instant::now();
        let mut clock = TwitchClock::new(15 * MINUTE, None);
        assert_eq!(clock.twitch_time_at(now), None);
        clock.welcome(&timestamp(at(0)), at(660), now);
        let later = now + Duration::from_secs(13);
        assert_eq!(clock.twitch_time_at(later), Some(at(13)));
        assert_eq!(clock.twitch_time_at(now), Some(at(0)));
    }

    #[test]
    fn offsets_convert_both_ways_and_saturate() {
        let behind = ClockOffset::local_behind(MINUTE);
        assert_eq!(behind.twitch_time(at(0)), Some(at(60)));
        assert_eq!(behind.local_time(at(60)), Some(at(0)));
        assert_eq!(behind.local_behind_by(), MINUTE);
        assert_eq!(behind.local_ahead_by(), Duration::ZERO);
        assert_eq!(
            ClockOffset::local_ahead(Duration::MAX).local_ahead_by(),
            Duration::from_nanos(i64::MAX.unsigned_abs())
        );
    }
}
