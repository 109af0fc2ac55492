//! Close codes: what each one means and what the client does next.

use std::fmt;

/// A WebSocket close code received from the server (or 1006 when the socket dropped without one).
///
/// A plain code value: the number is the whole of it (RFC 6455 makes a close code a `u16`, and
/// every `u16` is one the server may send), so the field is public and the type is not
/// `#[non_exhaustive]`; there is nothing to add to it and no invariant to guard. Build one as
/// `CloseCode(4003)` or from a `u16`, read it as `.0` or into a `u16`:
///
/// ```
/// use eventsub_proto::{CloseCode, CloseDisposition};
/// let code = CloseCode::from(4003);
/// assert_eq!(code, CloseCode::CONNECTION_UNUSED);
/// assert_eq!(u16::from(code), 4003);
/// assert_eq!(code.disposition(), CloseDisposition::ReconnectNow);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct CloseCode(pub u16);

impl CloseCode {
    /// Normal closure.
    pub const NORMAL: Self = Self(1000);
    /// The server is going away.
    pub const GOING_AWAY: Self = Self(1001);
    /// The socket dropped without a close frame.
    pub const ABNORMAL: Self = Self(1006);
    /// Twitch: internal server error.
    pub const INTERNAL_SERVER_ERROR: Self = Self(4000);
    /// Twitch: the client sent inbound traffic (any text or binary frame).
    pub const CLIENT_SENT_INBOUND_TRAFFIC: Self = Self(4001);
    /// Twitch: the client failed a ping-pong.
    pub const CLIENT_FAILED_PING_PONG: Self = Self(4002);
    /// Twitch: no subscription was created within the window after the welcome.
    pub const CONNECTION_UNUSED: Self = Self(4003);
    /// Twitch: the reconnect was not completed within the grace time.
    pub const RECONNECT_GRACE_TIME_EXPIRED: Self = Self(4004);
    /// Twitch: network timeout.
    pub const NETWORK_TIMEOUT: Self = Self(4005);
    /// Twitch: network error.
    pub const NETWORK_ERROR: Self = Self(4006);
    /// Twitch: the reconnect URL is no longer valid.
    pub const INVALID_RECONNECT: Self = Self(4007);

    /// What the code means, in Twitch's words where it is Twitch's code.
    pub fn meaning(self) -> &'static str {
        match self.0 {
            1000 => "normal closure",
            1001 => "going away",
            1006 => "abnormal closure (no close frame)",
            4000 => "internal server error",
            4001 => "client sent inbound traffic",
            4002 => "client failed ping-pong",
            4003 => "connection unused",
            4004 => "reconnect grace time expired",
            4005 => "network timeout",
            4006 => "network error",
            4007 => "invalid reconnect",
            _ => "unknown close code",
        }
    }

    /// What the client does after the server closed the live session's socket with this code. On a
    /// socket that was never welcomed (a handover or fresh candidate) no code is fatal: the client
    /// never sent anything there, so [`CloseDisposition::Stop`] counts as a failed attempt, retried
    /// with backoff.
    pub fn disposition(self) -> CloseDisposition {
        match self.0 {
            // We sent a frame: reconnecting would only repeat the fault.
            4001 => CloseDisposition::Stop,
            // The session is gone but nothing is wrong with the path to Twitch: start afresh at once
            // (the 10 s window and the backoff's attempt count keep this from becoming a tight loop).
            4003 | 4004 | 4007 => CloseDisposition::ReconnectNow,
            _ => CloseDisposition::ReconnectWithBackoff,
        }
    }
}

impl From<u16> for CloseCode {
    fn from(code: u16) -> Self {
        Self(code)
    }
}

impl From<CloseCode> for u16 {
    fn from(code: CloseCode) -> Self {
        code.0
    }
}

impl fmt::Display for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.0, self.meaning())
    }
}

/// What the client does after a connection ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseDisposition {
    /// Stop for good: retrying cannot help.
    Stop,
    /// Open a fresh connection to the base URL and resubscribe, without waiting (unless failures
    /// repeat, then with backoff).
    ReconnectNow,
    /// Open a fresh connection to the base URL after a backoff delay, and resubscribe.
    ReconnectWithBackoff,
}

/// The close code the client itself sends. Only these two exist, and a close frame is the only
/// frame the client ever sends: the core has no way to express a text or binary frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ClientCloseCode {
    /// 1000: we are done with this socket (handover finished, or shutdown).
    Normal,
    /// 1001: we are abandoning this socket (it went silent or never welcomed us).
    GoingAway,
}

impl ClientCloseCode {
    /// The numeric code to put in the close frame.
    pub fn as_u16(self) -> u16 {
        match self {
            Self::Normal => 1000,
            Self::GoingAway => 1001,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inbound_traffic_close_is_fatal() {
        assert_eq!(CloseCode(4001).disposition(), CloseDisposition::Stop);
    }

    #[test]
    fn unused_grace_expired_and_invalid_reconnect_restart_at_once() {
        for code in [4003, 4004, 4007] {
            assert_eq!(
                CloseCode(code).disposition(),
                CloseDisposition::ReconnectNow,
                "{code}"
            );
        }
    }

    #[test]
    fn every_other_code_backs_off() {
        for code in [1000, 1001, 1006, 1011, 4000, 4002, 4005, 4006, 4999, 0] {
            assert_eq!(
                CloseCode(code).disposition(),
                CloseDisposition::ReconnectWithBackoff,
                "{code}"
            );
        }
    }

    #[test]
    fn a_code_converts_to_and_from_its_number() {
        assert_eq!(CloseCode::from(4007), CloseCode::INVALID_RECONNECT);
        assert_eq!(u16::from(CloseCode::ABNORMAL), 1006);
    }

    #[test]
    fn codes_explain_themselves() {
        assert_eq!(CloseCode(4003).to_string(), "4003 (connection unused)");
        assert_eq!(CloseCode(4242).meaning(), "unknown close code");
    }
}
