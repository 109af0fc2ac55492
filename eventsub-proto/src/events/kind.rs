//! [`SubscriptionKind`]: one subscription type and version as a Rust type, so code can be generic
//! over "the events of one subscription" (the adapters' typed streams are).

use super::EventData;

/// One subscription type and version of the registry, as a type: the markers in
/// [`kinds`](super::kinds) (`kinds::ChannelFollowV2`, ...) implement it, one per [`EventData`]
/// variant, with the same names.
///
/// It says which notifications are of the kind ([`SubscriptionKind::KIND`],
/// [`SubscriptionKind::VERSION`]), how to decode their event JSON, and how to pick the kind's event
/// out of an [`EventData`]. Sealed: only the registry implements it, so a notification decoded by
/// [`SubscriptionKind::decode`] is always the kind's own variant.
///
/// ```
/// use eventsub_proto::events::SubscriptionKind;
/// use eventsub_proto::events::kinds::ChannelFollowV2;
///
/// assert_eq!((ChannelFollowV2::KIND, ChannelFollowV2::VERSION), ("channel.follow", "2"));
/// let json = r#"{"user_id":"1234","user_login":"cool_user","user_name":"Cool_User",
///     "broadcaster_user_id":"12826","broadcaster_user_login":"twitch",
///     "broadcaster_user_name":"Twitch","followed_at":"2023-11-06T18:11:47.464757833Z"}"#;
/// let data = ChannelFollowV2::decode(json)?;
/// let follow = ChannelFollowV2::event(&data).ok_or("a follow decodes as a follow")?;
/// assert_eq!(follow.user_name, "Cool_User");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait SubscriptionKind:
    sealed::Sealed + Copy + Default + std::fmt::Debug + Send + Sync + 'static
{
    /// The subscription type, such as `channel.follow`.
    const KIND: &'static str;
    /// The subscription version, such as `2`.
    const VERSION: &'static str;
    /// The typed event (such as [`ChannelFollow`](super::channel::ChannelFollow)), borrowing strings
    /// from the JSON it was decoded from.
    type Event<'a>: std::fmt::Debug + Send + Sync;

    /// Decodes the event JSON of a notification of this kind into this kind's [`EventData`]
    /// variant (what `EventData::decode(Self::KIND, Self::VERSION, json)` gives), borrowing from
    /// `json`. The error is for JSON that does not match the kind's documented shape.
    fn decode(json: &str) -> Result<EventData<'_>, serde_json::Error>;

    /// Decodes this kind's event from where `deserializer` stands, as [`SubscriptionKind::decode`]
    /// does from text, leaving the deserializer just after it: how
    /// [`Notification::typed_as`](crate::Notification::typed_as) reads an event in place in its
    /// frame.
    #[doc(hidden)]
    fn deserialize_in<'a>(
        deserializer: &mut serde_json::Deserializer<serde_json::de::StrRead<'a>>,
    ) -> Result<EventData<'a>, serde_json::Error>;

    /// This kind's event in `data`; `None` when `data` is of another kind.
    fn event<'d, 'a>(data: &'d EventData<'a>) -> Option<&'d Self::Event<'a>>;

    /// Whether a notification of subscription type `kind` at `version` is of this kind.
    fn matches(kind: &str, version: &str) -> bool {
        kind == Self::KIND && version == Self::VERSION
    }
}

/// Keeps [`SubscriptionKind`] to the registry's markers: the typed streams rely on `decode`
/// producing the variant `event` picks, which the registry macro guarantees by generating both
/// from one entry.
pub(super) mod sealed {
    /// Implemented by the registry's markers only.
    pub trait Sealed {}
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::{EventData, SUBSCRIPTION_TYPES, SubscriptionType, kinds};
    use super::SubscriptionKind;

    /// Something done for every kind of the registry ([`kinds::visit_every_kind`]).
    pub(crate) trait KindVisitor {
        fn visit<K: SubscriptionKind>(&mut self);
    }

    /// The documented example of a type, as the integration tests keep it.
    fn fixture(kind: &str, version: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/events")
            .join(format!("{kind}.v{version}.json"));
        std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
    }

    struct DecodesItsFixture {
        seen: Vec<(&'static str, &'static str)>,
    }

    impl KindVisitor for DecodesItsFixture {
        fn visit<K: SubscriptionKind>(&mut self) {
            let json = fixture(K::KIND, K::VERSION);
            let data = K::decode(&json).unwrap_or_else(|error| panic!("{}: {error}", K::KIND));
            assert!(K::event(&data).is_some(), "{} picks its own event", K::KIND);
            assert_eq!((data.kind(), data.version()), (K::KIND, K::VERSION));
            let untyped = EventData::decode(K::KIND, K::VERSION, &json).ok();
            assert_eq!(
                Some(&data),
                untyped.as_ref(),
                "{}: same as EventData::decode",
                K::KIND
            );
            assert!(K::matches(K::KIND, K::VERSION));
            assert!(SubscriptionType::find(K::KIND, K::VERSION).is_some());
            self.seen.push((K::KIND, K::VERSION));
        }
    }

    #[test]
    fn every_kind_decodes_its_documented_example_into_the_variant_it_picks() {
        let mut check = DecodesItsFixture { seen: Vec::new() };
        kinds::visit_every_kind(&mut check);
        assert_eq!(
            check.seen.len(),
            SUBSCRIPTION_TYPES.len(),
            "one kind per registry entry"
        );
    }

    #[test]
    fn a_kind_picks_nothing_out_of_another_kinds_event() {
        let json = fixture("stream.online", "1");
        let online = kinds::StreamOnline::decode(&json).unwrap(); // ok: a unit test over the documented example
        assert!(kinds::ChannelFollowV2::event(&online).is_none());
        assert!(!kinds::ChannelFollowV2::matches("stream.online", "1"));
        assert!(!kinds::ChannelFollowV2::matches("channel.follow", "1"));
    }

    #[test]
    fn a_kind_reports_json_that_does_not_match_its_shape() {
        assert!(kinds::ChannelFollowV2::decode(r#"{"user_id": 5}"#).is_err());
    }
}
