//! What the mock does on its own: keepalive, the unused-connection window, the reconnect grace.

use std::time::Duration;

/// Timings and limits of a [`MockEventSub`](super::MockEventSub). [`Default`] is Twitch's;
/// [`MockConfig::fast`] shrinks every window so end-to-end tests take milliseconds, not seconds.
/// Change either with the `with_*` methods (or by setting its fields):
///
/// ```
/// use std::time::Duration;
/// use eventsub_mock::MockConfig;
/// let patient = MockConfig::fast().with_unused_window(Duration::from_secs(5));
/// assert_eq!(patient.unused_window, Duration::from_secs(5));
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
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

    /// Keepalive when the URL asks for none, in seconds.
    #[must_use]
    pub fn with_default_keepalive_secs(mut self, secs: u64) -> Self {
        self.default_keepalive_secs = secs;
        self
    }

    /// Accepts `keepalive_timeout_seconds` from `min_secs` to `max_secs` in the query string.
    #[must_use]
    pub fn with_keepalive_range(mut self, min_secs: u64, max_secs: u64) -> Self {
        self.min_keepalive_secs = min_secs;
        self.max_keepalive_secs = max_secs;
        self
    }

    /// Closes a fresh session with 4003 when it has no subscription `unused_window` after its
    /// welcome.
    #[must_use]
    pub fn with_unused_window(mut self, unused_window: Duration) -> Self {
        self.unused_window = unused_window;
        self
    }

    /// Closes the old socket with 4004 `reconnect_grace` after `session_reconnect`.
    #[must_use]
    pub fn with_reconnect_grace(mut self, reconnect_grace: Duration) -> Self {
        self.reconnect_grace = reconnect_grace;
        self
    }

    /// Drops a socket whose client has not answered the server's close frame within
    /// `close_timeout`.
    #[must_use]
    pub fn with_close_timeout(mut self, close_timeout: Duration) -> Self {
        self.close_timeout = close_timeout;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(config: &MockConfig) -> (u64, u64, u64, Duration, Duration, Duration) {
        (
            config.default_keepalive_secs,
            config.min_keepalive_secs,
            config.max_keepalive_secs,
            config.unused_window,
            config.reconnect_grace,
            config.close_timeout,
        )
    }

    #[test]
    fn each_setter_sets_its_own_fields() {
        let base = MockConfig::default();
        let (default_keepalive, min, max, unused, grace, close) = fields(&base);
        let seven = Duration::from_secs(7);
        assert_eq!(
            fields(&base.clone().with_default_keepalive_secs(3)),
            (3, min, max, unused, grace, close)
        );
        assert_eq!(
            fields(&base.clone().with_keepalive_range(2, 9)),
            (default_keepalive, 2, 9, unused, grace, close)
        );
        assert_eq!(
            fields(&base.clone().with_unused_window(seven)),
            (default_keepalive, min, max, seven, grace, close)
        );
        assert_eq!(
            fields(&base.clone().with_reconnect_grace(seven)),
            (default_keepalive, min, max, unused, seven, close)
        );
        assert_eq!(
            fields(&base.with_close_timeout(seven)),
            (default_keepalive, min, max, unused, grace, seven)
        );
    }
}
