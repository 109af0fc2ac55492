//! The typed event decoder fed an arbitrary (type, version, payload).

use arbitrary::{Arbitrary, Unstructured};

use super::encode::Encode;
use super::text::Text;
use crate::events::{EventData, SUBSCRIPTION_TYPES, SubscriptionType};

/// First bytes from here on name the type (and version) as text instead of by registry index.
const KNOWN_KIND_OTHER_VERSION: u8 = 0xF0;
const ANY_KIND_AND_VERSION: u8 = 0xF8;

/// Decodes a payload as the typed event of a subscription type and version chosen by `data`, and
/// checks what [`EventData`] promises: a known pair decodes to its own variant or fails, an
/// unknown one is delivered raw and never fails, and a decoded event serializes back to JSON that
/// decodes to the same event.
///
/// Layout, so the fuzzer reaches every registered pair often and other pairs now and then:
/// - first byte below `0xF0`: the pair at that index (modulo the registry's length) of
///   [`SUBSCRIPTION_TYPES`]; the payload is the rest;
/// - `0xF0..=0xF7`: the type of the registry entry at the next byte, a version given as text
///   (one length byte, then the bytes), then the payload;
/// - `0xF8..=0xFF`: type and version both given as text, then the payload.
///
/// Invalid UTF-8 is replaced, since the decoder takes `&str` (a frame is checked for UTF-8 before).
pub fn typed_event(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let mut u = Unstructured::new(rest);
    let named = |u: &mut Unstructured<'_>| Text::arbitrary(u).map(|text| text.0);
    let pair = if selector < KNOWN_KIND_OTHER_VERSION {
        registry_entry(selector).map(|entry| (entry.kind.to_owned(), entry.version.to_owned()))
    } else if selector < ANY_KIND_AND_VERSION {
        let entry = u8::arbitrary(&mut u).ok().and_then(registry_entry);
        entry
            .zip(named(&mut u).ok())
            .map(|(entry, version)| (entry.kind.to_owned(), version))
    } else {
        named(&mut u).ok().zip(named(&mut u).ok())
    };
    let Some((kind, version)) = pair else {
        return;
    };
    check_decode(&kind, &version, &String::from_utf8_lossy(u.take_rest()));
}

/// A seed for [`typed_event`] naming the type and version as text (so it keeps its meaning when
/// the registry grows or is reordered), with `payload` as the event JSON.
pub fn typed_event_seed(kind: &str, version: &str, payload: &[u8]) -> Vec<u8> {
    let mut seed = vec![ANY_KIND_AND_VERSION];
    Text::from(kind).encode(&mut seed);
    Text::from(version).encode(&mut seed);
    seed.extend_from_slice(payload);
    seed
}

fn registry_entry(index: u8) -> Option<&'static SubscriptionType> {
    SUBSCRIPTION_TYPES.get(usize::from(index) % SUBSCRIPTION_TYPES.len().max(1))
}

fn check_decode(kind: &str, version: &str, json: &str) {
    let known = SubscriptionType::find(kind, version).is_some();
    let event = match EventData::decode(kind, version, json) {
        Ok(event) => event,
        Err(error) => {
            assert!(
                known,
                "{kind} v{version} is not known, yet decoding failed: {error}"
            );
            return;
        }
    };
    assert_eq!(
        (event.kind(), event.version()),
        (kind, version),
        "the event names another type than it was decoded as"
    );
    if let EventData::Unknown(unknown) = &event {
        assert!(!known, "{kind} v{version} is known, yet delivered raw");
        assert_eq!(
            unknown.json, json,
            "a raw event must be delivered as it came"
        );
        return;
    }
    assert!(known, "{kind} v{version} is not known, yet typed");
    let text = match serde_json::to_string(&event) {
        Ok(text) => text,
        Err(error) => panic!("{kind} v{version}: a decoded event does not serialize: {error}"),
    };
    match EventData::decode(kind, version, &text) {
        Ok(again) => assert_eq!(
            again, event,
            "{kind} v{version}: serialized as {text}, decodes to another event"
        ),
        Err(error) => panic!("{kind} v{version}: serialized as {text}, fails to decode: {error}"),
    }
}
