//! Two bytes as a close code.

use crate::close::CloseCode;

/// Reads two bytes as a close code and asks what it means and what follows.
pub fn close_code(data: &[u8]) {
    let code = match data {
        [high, low, ..] => u16::from_be_bytes([*high, *low]),
        _ => return,
    };
    let code = CloseCode(code);
    let _ = (code.meaning(), code.disposition(), code.to_string());
}
