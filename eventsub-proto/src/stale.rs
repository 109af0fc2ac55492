//! The stale-message check: is a notification's `message_timestamp` older than the threshold?
//!
//! Parsing an RFC 3339 timestamp for every notification is a noticeable share of the per-message
//! cost, so the check compares text first: Twitch writes timestamps in one fixed-width UTC form
//! (`2023-11-06T18:11:47.492253549Z`), whose order as text is their order in time. The cut-off
//! ("received minus threshold") is formatted once per second of arrival; only a timestamp in the
//! very same second as the cut-off, or one in another form, is parsed in full.
//!
//! The full parse is `time`'s RFC 3339 parser, the one the typed events use: one time crate. It
//! costs about 200 instructions more per parse than humantime's did, which only a message in the
//! cut-off's own second (or a stale one) pays: at most 2 % of a notification's cost in the core.

use std::cmp::Ordering;
use std::time::{Duration, SystemTime};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `YYYY-MM-DDTHH:MM:SS`: the part of a timestamp compared as text.
const SECONDS_PREFIX: usize = 19;

#[derive(Debug)]
pub(crate) struct StaleCheck {
    threshold: Option<Duration>,
    /// Whole seconds since the epoch of the last cut-off, and that second as text.
    cutoff: Option<(u64, String)>,
    /// The last arrival time asked about and its cut-off's whole seconds: the frames of one read
    /// share their arrival time, so the cut-off is worked out once for all of them.
    last_arrival: Option<(SystemTime, u64)>,
}

impl StaleCheck {
    pub(crate) fn new(threshold: Option<Duration>) -> Self {
        Self {
            threshold,
            cutoff: None,
            last_arrival: None,
        }
    }

    /// How old the message was on arrival, if that is more than the threshold. `received_at` is
    /// the arrival on Twitch's clock (the client takes the estimated offset of the local one out).
    pub(crate) fn age_if_stale(
        &mut self,
        message_timestamp: &str,
        received_at: SystemTime,
    ) -> Option<Duration> {
        let threshold = self.threshold?;
        let cutoff_seconds = match self.last_arrival {
            Some((arrival, seconds)) if arrival == received_at => seconds,
            _ => {
                let seconds = received_at
                    .checked_sub(threshold)?
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .ok()?
                    .as_secs();
                self.last_arrival = Some((received_at, seconds));
                seconds
            }
        };
        if self
            .cutoff
            .as_ref()
            .is_none_or(|(seconds, _)| *seconds != cutoff_seconds)
        {
            // RFC 3339 spells the years up to 9999 only (and `time` holds no later ones): a later
            // cut-off is judged on the exact time.
            self.cutoff = i64::try_from(cutoff_seconds)
                .ok()
                .and_then(|seconds| OffsetDateTime::from_unix_timestamp(seconds).ok())
                .and_then(|cutoff| cutoff.format(&Rfc3339).ok())
                .map(|text| (cutoff_seconds, text));
        }
        let cutoff_prefix = self
            .cutoff
            .as_ref()
            .and_then(|(_, text)| text.get(..SECONDS_PREFIX));
        let order = canonical_seconds(message_timestamp)
            .zip(cutoff_prefix)
            .map(|(prefix, cutoff_prefix)| prefix.cmp(cutoff_prefix));
        match order {
            // Sent after the cut-off's second: fresh.
            Some(Ordering::Greater) => None,
            // Sent before the cut-off's second: stale; the exact age is for the report.
            Some(Ordering::Less) => exact_age(message_timestamp, received_at),
            // The cut-off's own second, or a form (or a year) not compared as text: decide on the
            // exact time.
            Some(Ordering::Equal) | None => {
                exact_age(message_timestamp, received_at).filter(|age| *age > threshold)
            }
        }
    }
}

/// The seconds prefix of a timestamp in Twitch's fixed-width UTC form, if it is in that form.
fn canonical_seconds(timestamp: &str) -> Option<&str> {
    let bytes = timestamp.as_bytes();
    let shaped = bytes.len() > SECONDS_PREFIX
        && timestamp.ends_with('Z')
        && matches!(bytes.get(SECONDS_PREFIX), Some(b'.' | b'Z'))
        && bytes.get(4) == Some(&b'-')
        && bytes.get(7) == Some(&b'-')
        && bytes.get(10) == Some(&b'T')
        && bytes.get(13) == Some(&b':')
        && bytes.get(16) == Some(&b':')
        // A leap second (`:60`) sorts after `:59` as text but is read as `:59`: compare it exactly.
        && bytes.get(17) != Some(&b'6');
    if shaped {
        timestamp.get(..SECONDS_PREFIX)
    } else {
        None
    }
}

/// A timestamp we cannot read is no evidence of staleness: deliver rather than lose.
fn exact_age(timestamp: &str, received_at: SystemTime) -> Option<Duration> {
    let sent_at = system_time(timestamp)?;
    received_at.duration_since(sent_at).ok()
}

/// An RFC 3339 timestamp (such as a `message_timestamp`) as a wall time, if it is one since the
/// Unix epoch. The sum is checked: a hostile timestamp panics nowhere, on no platform.
pub(crate) fn system_time(timestamp: &str) -> Option<SystemTime> {
    let parsed = OffsetDateTime::parse(timestamp, &Rfc3339).ok()?;
    let seconds = u64::try_from(parsed.unix_timestamp()).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::new(seconds, parsed.nanosecond()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_a_full_parse_around_the_cutoff() -> Result<(), &'static str> {
        let received = system_time("2023-11-06T18:21:47.500000000Z").ok_or("a valid time")?;
        let mut check = StaleCheck::new(Some(Duration::from_secs(600)));
        let cases = [
            ("2023-11-06T18:11:46.999999999Z", true),
            ("2023-11-06T18:11:47.499999999Z", true),
            ("2023-11-06T18:11:47.500000000Z", false),
            ("2023-11-06T18:11:47.600000000Z", false),
            ("2023-11-06T18:11:48Z", false),
            ("2023-11-06T18:21:47Z", false),
            ("2023-11-05T18:21:47Z", true),
            ("2023-11-06T18:11:47+00:00", true),
            ("not a time", false),
        ];
        for (timestamp, stale) in cases {
            assert_eq!(
                check.age_if_stale(timestamp, received).is_some(),
                stale,
                "{timestamp}"
            );
        }
        assert_eq!(
            check.age_if_stale("2023-11-06T18:01:47.500000000Z", received),
            Some(Duration::from_secs(1200))
        );
        Ok(())
    }

    proptest::proptest! {
        /// One check asked about many arrivals, each for several frames (as the frames of one
        /// read share theirs), answers as a fresh check does each time: what it keeps of earlier
        /// arrivals never decides a later one.
        #[test]
        fn a_check_reused_across_arrivals_answers_as_a_fresh_one(
            arrivals in proptest::collection::vec(
                (0_u64..4_000, proptest::collection::vec(0_u64..4_000, 1..4)),
                1..40,
            ),
        ) {
            let base = 1_699_294_307_u64;
            let threshold = Some(Duration::from_secs(600));
            let mut reused = StaleCheck::new(threshold);
            for (arrival, sent) in arrivals {
                let received = SystemTime::UNIX_EPOCH + Duration::from_millis(base * 1000 + arrival * 500);
                for sent in sent {
                    let sent_at = SystemTime::UNIX_EPOCH + Duration::from_millis(base * 1000 + sent * 500);
                    let timestamp = time::OffsetDateTime::from(sent_at)
                        .format(&Rfc3339)
                        .unwrap_or_default();
                    proptest::prop_assert_eq!(
                        reused.age_if_stale(&timestamp, received),
                        StaleCheck::new(threshold).age_if_stale(&timestamp, received),
                        "{} at {:?}", timestamp, received
                    );
                }
            }
        }
    }

    #[test]
    fn a_wall_clock_past_the_year_9999_still_judges_instead_of_panicking() {
        // Found by the `client_ops` fuzz target: RFC 3339 cannot spell a cut-off after 9999.
        let year_10000 = SystemTime::UNIX_EPOCH + Duration::from_secs(253_402_300_800);
        let mut check = StaleCheck::new(Some(Duration::from_secs(600)));
        let received = year_10000 + Duration::from_secs(601);
        assert_eq!(
            check.age_if_stale("9999-12-31T23:59:59Z", received),
            Some(Duration::from_secs(602))
        );
        assert_eq!(check.age_if_stale("not a time", received), None);
        assert_eq!(check.age_if_stale("9999-12-31T23:59:59Z", year_10000), None);
    }

    #[test]
    fn a_leap_second_is_judged_as_the_last_instant_of_the_second_before() {
        // ":60" is read as ":59.999999999" (only as the last second of a month, UTC); as text it
        // sorts after the cut-off's ":59", so it is judged on the exact time.
        let received = system_time("2017-01-01T00:10:00.100Z");
        let mut check = StaleCheck::new(Some(Duration::from_secs(600)));
        let age = |check: &mut StaleCheck, timestamp| {
            received.and_then(|received| check.age_if_stale(timestamp, received))
        };
        assert_eq!(
            age(&mut check, "2016-12-31T23:59:60.5Z"),
            Some(Duration::new(600, 100_000_001))
        );
        assert_eq!(age(&mut check, "2017-01-01T00:00:00.2Z"), None);
        // A leap second elsewhere is no time at all: no evidence of staleness.
        assert_eq!(age(&mut check, "2016-12-31T18:11:60.100Z"), None);
    }

    #[test]
    fn timestamps_before_the_epoch_or_unreadable_are_no_wall_time() {
        assert_eq!(system_time("1969-12-31T23:59:59Z"), None);
        assert_eq!(system_time("0001-01-01T00:00:00Z"), None);
        assert_eq!(system_time("2023-11-06 18:11:47"), None);
        assert_eq!(
            system_time("1970-01-01T00:00:01.000000002+00:00"),
            Some(SystemTime::UNIX_EPOCH + Duration::new(1, 2))
        );
    }

    #[test]
    fn no_threshold_means_never_stale() {
        let mut check = StaleCheck::new(None);
        assert_eq!(
            check.age_if_stale("1970-01-01T00:00:00Z", SystemTime::now()),
            None
        );
    }
}
