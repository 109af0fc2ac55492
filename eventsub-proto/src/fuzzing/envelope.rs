//! Arbitrary bytes as one frame.

/// Parses arbitrary bytes as one frame: a message or a typed error, never a panic.
pub fn envelope(data: &[u8]) {
    let _ = crate::message::parse_bytes(data);
}
