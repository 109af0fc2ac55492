//! What the mock does on its own: keepalive, the unused-connection window, the reconnect grace.

use std::time::Duration;

/// Timings and limits of a [`MockEventSub`](super::MockEventSub). [`Default`] is Twitch's;
/// [`MockConfig::fast`] shrinks every window so end-to-end tests take milliseconds, not seconds.
#[derive(Clone, Debug)]
pub struct MockConfig {
    /// Keepalive when the URL asks for none (Twitch: 10 s).
    pub default_keepalive_secs: u64,
    /// The smallest `keepalive_timeout_seconds` accepted from the query string (Twitch: 10).
    pub min_keepalive_secs: u64,
    /// The largest accepted (Twitch: 600).
    pub max_keepalive_secs: u64,
    /// How long after the welcome a fresh session may go without a subscription before close 4003.
    pub unused_window: Duration,
    /// How long after `session_reconnect` the old socket stays open before close 4004.
    pub reconnect_grace: Duration,
    /// How long the server waits for the client's answer to its close frame before dropping the
    /// socket.
    pub close_timeout: Duration,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            default_keepalive_secs: 10,
            min_keepalive_secs: 10,
            max_keepalive_secs: 600,
            unused_window: Duration::from_secs(10),
            reconnect_grace: Duration::from_secs(30),
            close_timeout: Duration::from_secs(1),
        }
    }
}

impl MockConfig {
    /// Short windows for tests: 1 s keepalive (accepting requests of 1 to 600 s), 4003 after
    /// 500 ms without a subscription, 4004 after a 2 s reconnect grace.
    pub fn fast() -> Self {
        Self {
            default_keepalive_secs: 1,
            min_keepalive_secs: 1,
            max_keepalive_secs: 600,
            unused_window: Duration::from_millis(500),
            reconnect_grace: Duration::from_secs(2),
            close_timeout: Duration::from_millis(500),
        }
    }
}
