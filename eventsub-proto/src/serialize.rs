//! `Serialize` for the events (feature `serde`): the parts a derive cannot say. The shape and the
//! reasons for it are described on [`Event`](crate::Event).

use std::time::{Duration, SystemTime};

use serde::ser::{Error as _, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::event::{Gap, Notification};
use crate::io::RequestError;

/// A duration as seconds (a number with a fraction).
pub(crate) fn secs<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(duration.as_secs_f64())
}

/// An optional duration as seconds, or `null`.
pub(crate) fn option_secs<S: Serializer>(
    duration: &Option<Duration>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    duration
        .map(|duration| duration.as_secs_f64())
        .serialize(serializer)
}

/// [`SubscriptionFailure::Request`](crate::SubscriptionFailure::Request) as
/// `{"kind": "request", "error": {…}}`: the error has a `kind` of its own, which would collide
/// with the failure's if the two were one object.
pub(crate) fn request_error<S: Serializer>(
    error: &RequestError,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut request = serializer.serialize_struct("Request", 1)?;
    request.serialize_field("error", error)?;
    request.end()
}

/// A wall-clock time as RFC 3339 in UTC, with nanoseconds (as Twitch writes its timestamps).
struct Rfc3339(SystemTime);

impl Serialize for Rfc3339 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let since_epoch = match self.0.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(after) => time::Duration::try_from(after).ok(),
            Err(before) => time::Duration::try_from(before.duration())
                .ok()
                .map(|before| -before),
        };
        let text = since_epoch
            .and_then(|offset| time::OffsetDateTime::UNIX_EPOCH.checked_add(offset))
            .and_then(|at| {
                at.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .ok_or_else(|| S::Error::custom("a wall-clock time outside RFC 3339's years"))?;
        serializer.serialize_str(&text)
    }
}

/// A wall-clock time as RFC 3339 in UTC.
pub(crate) fn rfc3339<S: Serializer>(at: &SystemTime, serializer: S) -> Result<S::Ok, S::Error> {
    Rfc3339(*at).serialize(serializer)
}

/// An optional wall-clock time as RFC 3339, or `null`.
pub(crate) fn option_rfc3339<S: Serializer>(
    at: &Option<SystemTime>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    at.map(Rfc3339).serialize(serializer)
}

impl Serialize for Gap {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut gap = serializer.serialize_struct("Gap", 4)?;
        gap.serialize_field("from", &Rfc3339(self.from))?;
        gap.serialize_field("until", &Rfc3339(self.until))?;
        gap.serialize_field("duration_secs", &self.duration().as_secs_f64())?;
        gap.serialize_field("recovery_secs", &self.recovery_time().as_secs_f64())?;
        // Said only for a pool's later sessions: a lone client's gaps read as they always did.
        if self.session != 0 {
            gap.serialize_field("session", &self.session)?;
        }
        gap.end()
    }
}

/// The metadata, then the subscription and the event as the JSON Twitch sent (objects, not
/// strings): nothing is decoded, so a notification of a type this crate does not know serializes
/// just as well. A part delivered unchecked that is not JSON ([`Notification::check_payload`])
/// goes out as a string of its text instead: the output stays JSON, a consumer tells it by its
/// type, and the frame is counted as malformed as by any decode that finds it.
impl Serialize for Notification {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut notification = serializer.serialize_struct("Notification", 8)?;
        notification.serialize_field("conn", &self.conn())?;
        notification.serialize_field("message_id", self.message_id())?;
        notification.serialize_field("message_timestamp", self.message_timestamp())?;
        notification.serialize_field("subscription_type", self.subscription_type())?;
        notification.serialize_field("subscription_version", self.subscription_version())?;
        notification.serialize_field("batch_item_id", &self.batch_item_id())?;
        notification
            .serialize_field("subscription", &PayloadPart(self, self.subscription_json()))?;
        notification.serialize_field("event", &PayloadPart(self, self.event_json()))?;
        notification.end()
    }
}

/// A part of a notification's payload: as the JSON it is, or as a string when it is not JSON.
struct PayloadPart<'a>(&'a Notification, &'a str);

impl Serialize for PayloadPart<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let PayloadPart(notification, text) = *self;
        match serde_json::from_str::<&serde_json::value::RawValue>(text) {
            Ok(raw) => raw.serialize(serializer),
            Err(_) => {
                // Only a part delivered unchecked can get here; this counts its frame.
                let _ = notification.check_payload();
                serializer.serialize_str(text)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_clock_times_are_rfc_3339_in_utc_with_nanoseconds() -> Result<(), serde_json::Error> {
        let at = SystemTime::UNIX_EPOCH + Duration::new(1_699_294_307, 492_253_549);
        assert_eq!(
            serde_json::to_string(&Rfc3339(at))?,
            "\"2023-11-06T18:11:47.492253549Z\""
        );
        let before_1970 = SystemTime::UNIX_EPOCH - Duration::from_secs(86_400);
        assert_eq!(
            serde_json::to_string(&Rfc3339(before_1970))?,
            "\"1969-12-31T00:00:00Z\""
        );
        Ok(())
    }

    #[test]
    fn a_wall_clock_time_past_year_9999_is_an_error_not_a_panic() {
        let far = SystemTime::UNIX_EPOCH + Duration::from_secs(300_000_000_000);
        assert!(serde_json::to_string(&Rfc3339(far)).is_err());
    }
}
