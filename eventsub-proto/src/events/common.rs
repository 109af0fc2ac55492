//! What the event families share: borrowed id newtypes, timestamps, string sets with a fallback,
//! and the serde helpers that keep decoding borrowed.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// A point in time as Twitch sends it (RFC 3339, up to nanoseconds), parsed.
pub type Timestamp = time::OffsetDateTime;

macro_rules! borrowed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Borrowed from the event text when it holds no escapes.
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name<'a>(#[serde(borrow)] Cow<'a, str>);

        impl<'a> $name<'a> {
            /// Wraps an id or name, borrowed or owned.
            pub fn new(text: impl Into<Cow<'a, str>>) -> Self {
                Self(text.into())
            }

            /// The text as Twitch spells it.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// An owned copy that no longer borrows the event text.
            pub fn into_owned(self) -> $name<'static> {
                $name(Cow::Owned(self.0.into_owned()))
            }
        }

        impl fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl PartialEq<str> for $name<'_> {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name<'_> {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

borrowed_id!(
    /// The id of a Twitch user (a broadcaster, chatter, moderator…), such as `"12826"`.
    UserId
);
borrowed_id!(
    /// The login of a Twitch user: lower case, as in the channel URL, such as `"twitchdev"`.
    UserLogin
);

/// Defines an enum for a documented set of strings, with an `Unknown(String)` fallback so a value
/// Twitch adds later never fails decoding. Decoding does not allocate for a known value.
///
/// A variant may list more spellings after `|` (`Approved => "Approved" | "approved"`): they decode
/// to it too, for values whose documented spelling differs from what Twitch sends. The first one
/// is the documented spelling and the one serialized.
macro_rules! string_enum {
    (
        $(#[$doc:meta])* $name:ident {
            $($(#[$variant_doc:meta])* $variant:ident => $text:literal $(| $alias:literal)*,)*
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$variant_doc])* $variant,)*
            /// A value this version of the crate does not know, as Twitch spelled it.
            Unknown(String),
        }

        impl $name {
            /// The value as Twitch spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Unknown(text) => text,
                }
            }

            /// Reads a value as Twitch spells it.
            pub fn parse(text: &str) -> Self {
                match text {
                    $($text $(| $alias)* => Self::$variant,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str($crate::events::common::ParseVisitor(Self::parse))
            }
        }
    };
}
pub(crate) use string_enum;

/// A part of an event kept as the JSON Twitch sent, for a shape its reference does not pin down
/// yet: nothing in it is lost, and [`RawJson::get`] hands it over for decoding.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawJson<'a>(#[serde(borrow)] &'a serde_json::value::RawValue);

impl<'a> RawJson<'a> {
    /// The JSON text, as sent.
    pub fn get(&self) -> &'a str {
        self.0.get()
    }
}

impl PartialEq for RawJson<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl Eq for RawJson<'_> {}

/// JSON text that serializes as the JSON it holds, not as a string: an event kept raw goes out as
/// it came (with `serde_json`, byte for byte).
pub(crate) struct JsonText<'a>(pub(crate) &'a str);

impl Serialize for JsonText<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw: &serde_json::value::RawValue =
            serde_json::from_str(self.0).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// Visits a string and reads it with a parse function, without allocating for the text.
pub(crate) struct ParseVisitor<T>(pub(crate) fn(&str) -> T);

impl<T> serde::de::Visitor<'_> for ParseVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<T, E> {
        Ok((self.0)(text))
    }
}

/// A string borrowed when it can be: serde borrows a `Cow` only when it is the field's own type,
/// not inside an `Option`, so optional strings go through this.
#[derive(Deserialize)]
#[serde(transparent)]
struct BorrowedText<'a>(#[serde(borrow)] Cow<'a, str>);

/// Deserializes an optional (missing or `null`) string, borrowing it from the input when it holds
/// no escapes. Use with `#[serde(borrow, default, deserialize_with = "…")]`.
pub(crate) fn optional_text<'de: 'a, 'a, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Cow<'a, str>>, D::Error> {
    Ok(Option::<BorrowedText<'a>>::deserialize(deserializer)?.map(|text| text.0))
}

/// Deserializes a JSON `null` (or a missing field, with `default`) as the type's default value:
/// Twitch sends `null` for some empty lists.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Deserializes a value sent either as itself or as a string holding it (`60` or `"60"`,
/// `false` or `"false"`): Twitch's examples and payloads disagree for a few fields.
pub(crate) fn lenient<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + std::str::FromStr,
    T::Err: fmt::Display,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ValueOrText<'a, T> {
        Value(T),
        Text(#[serde(borrow)] Cow<'a, str>),
    }
    match ValueOrText::<T>::deserialize(deserializer)? {
        ValueOrText::Value(value) => Ok(value),
        ValueOrText::Text(text) => text.parse().map_err(serde::de::Error::custom),
    }
}

/// RFC 3339 timestamps, with nanoseconds, as serde `with` modules.
pub(crate) mod rfc3339 {
    pub(crate) use time::serde::rfc3339::{deserialize, serialize};

    /// For `Option<Timestamp>` fields (missing or `null` is `None`).
    pub(crate) mod option {
        pub(crate) use time::serde::rfc3339::option::{deserialize, serialize};
    }
}

/// A user as most events name one: id, login and display name.
///
/// Events spell the three fields with a prefix (`broadcaster_user_id`…); the event structs keep
/// Twitch's flat field names, and this type is what nested objects with plain
/// `user_id`/`user_login`/`user_name` decode to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User<'a> {
    /// The user's id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The user's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The user's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
}

/// An event (or a nested object) that names only a broadcaster: `stream.offline`,
/// `channel.chat.clear`, shared chat participants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Broadcaster<'a> {
    /// The broadcaster's user id.
    #[serde(borrow)]
    pub broadcaster_user_id: UserId<'a>,
    /// The broadcaster's login.
    #[serde(borrow)]
    pub broadcaster_user_login: UserLogin<'a>,
    /// The broadcaster's display name.
    #[serde(borrow)]
    pub broadcaster_user_name: Cow<'a, str>,
}

/// An amount of money: `value` in the currency's smallest unit times ten to the `decimal_places`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Amount<'a> {
    /// The amount in the smallest unit (for 5.50 USD: 550 with two decimal places).
    pub value: i64,
    /// How many decimal places `value` has (chat notifications spell it `decimal_place`).
    #[serde(alias = "decimal_place")]
    pub decimal_places: u32,
    /// The ISO-4217 currency code, such as `USD`.
    #[serde(borrow)]
    pub currency: Cow<'a, str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    string_enum! {
        /// A test set.
        Colour { Red => "red" | "RED", }
    }

    #[derive(Deserialize)]
    struct Holder<'a> {
        #[serde(borrow, default, deserialize_with = "optional_text")]
        text: Option<Cow<'a, str>>,
        #[serde(borrow)]
        id: UserId<'a>,
    }

    #[test]
    fn optional_text_and_ids_borrow_from_the_input() -> Result<(), serde_json::Error> {
        let holder: Holder<'_> = serde_json::from_str(r#"{"text":"hi","id":"1"}"#)?;
        assert!(matches!(holder.text, Some(Cow::Borrowed("hi"))));
        assert!(matches!(holder.id.0, Cow::Borrowed("1")));
        let escaped: Holder<'_> = serde_json::from_str(r#"{"text":"a\"b","id":"1"}"#)?;
        assert_eq!(escaped.text.as_deref(), Some("a\"b"));
        let missing: Holder<'_> = serde_json::from_str(r#"{"id":"1"}"#)?;
        assert_eq!(missing.text, None);
        Ok(())
    }

    #[test]
    fn unknown_strings_are_kept() -> Result<(), serde_json::Error> {
        let known: Colour = serde_json::from_str("\"red\"")?;
        assert_eq!(known, Colour::Red);
        let other_spelling: Colour = serde_json::from_str("\"RED\"")?;
        assert_eq!(other_spelling.as_str(), "red");
        let new: Colour = serde_json::from_str("\"blue\"")?;
        assert_eq!(new, Colour::Unknown("blue".into()));
        assert_eq!(serde_json::to_string(&new)?, "\"blue\"");
        Ok(())
    }
}
