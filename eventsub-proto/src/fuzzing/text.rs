//! Length-prefixed text for structure-aware inputs.

use arbitrary::{Arbitrary, Unstructured};

use super::encode::Encode;

/// Text of up to 255 bytes: one length byte, then the bytes (invalid UTF-8 replaced).
///
/// `String`'s own `Arbitrary` takes its length from the end of the input, which depends on how
/// much input is left; a length prefix keeps a step's encoding independent of what follows, so
/// hand-built scenarios can be written out as seeds (`Scenario::to_bytes`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text(pub String);

impl Text {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl<'a> Arbitrary<'a> for Text {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let len = usize::from(u8::arbitrary(u)?);
        let bytes = u.bytes(len.min(u.len()))?;
        Ok(Self(String::from_utf8_lossy(bytes).into_owned()))
    }
}

impl Encode for Text {
    fn encode(&self, out: &mut Vec<u8>) {
        // Longer text cannot be expressed; hand-built seeds stay well below.
        let bytes = self.0.as_bytes();
        let bytes = bytes.get(..bytes.len().min(255)).unwrap_or_default();
        out.push(u8::try_from(bytes.len()).unwrap_or(u8::MAX));
        out.extend_from_slice(bytes);
    }
}
