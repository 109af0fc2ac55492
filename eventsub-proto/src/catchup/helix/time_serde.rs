//! How the reads decode Twitch's timestamps into [`Timestamp`](crate::events::Timestamp)
//! (the type the typed events use), including Helix's ways of saying "none".

use crate::events::Timestamp;
use serde::{Deserialize, Deserializer};
use time::format_description::well_known::Rfc3339;

/// A required RFC 3339 timestamp.
pub(crate) fn required<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
    let text = String::deserialize(deserializer)?;
    Timestamp::parse(&text, &Rfc3339)
        .map_err(|error| serde::de::Error::custom(format!("timestamp {text:?}: {error}")))
}

/// An optional timestamp: missing, `null` and `""` are `None` (Get Banned Users sends
/// `expires_at: ""` for a permanent ban).
pub(crate) fn optional<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Timestamp>, D::Error> {
    match Option::<String>::deserialize(deserializer)? {
        None => Ok(None),
        Some(text) if text.is_empty() => Ok(None),
        Some(text) => Timestamp::parse(&text, &Rfc3339)
            .map(Some)
            .map_err(|error| serde::de::Error::custom(format!("timestamp {text:?}: {error}"))),
    }
}

/// An optional text: missing, `null` and `""` are `None` (Helix sends `""` for "not set").
pub(crate) fn optional_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.filter(|text| !text.is_empty()))
}

/// A list that may be `null`.
pub(crate) fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// A timestamp written back as RFC 3339, as Twitch writes it.
#[cfg(feature = "serde")]
pub(crate) fn rfc3339<S: serde::Serializer>(
    timestamp: &Timestamp,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let text = timestamp
        .format(&Rfc3339)
        .map_err(|error| serde::ser::Error::custom(format!("timestamp: {error}")))?;
    serializer.serialize_str(&text)
}

/// An optional timestamp written back as RFC 3339, or `null`.
#[cfg(feature = "serde")]
pub(crate) fn option_rfc3339<S: serde::Serializer>(
    timestamp: &Option<Timestamp>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match timestamp {
        Some(timestamp) => rfc3339(timestamp, serializer),
        None => serializer.serialize_none(),
    }
}
