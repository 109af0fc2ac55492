//! Everything the caller decides up front: URLs, subscriptions, limits, timeouts and the jitter seed.

use std::time::Duration;

use url::{Host, Url};

use crate::backoff::BackoffConfig;
use crate::catchup::CatchUpConfig;
use crate::error::{ConfigError, SubscribeError};
use crate::shard::ShardConfig;
use crate::subscription::{
    DEFAULT_MAX_TOTAL_COST, MAX_SUBSCRIPTIONS_PER_CONNECTION, SubscriptionSpec,
};

/// Twitch's production EventSub WebSocket URL.
pub const TWITCH_EVENTSUB_URL: &str = "wss://eventsub.wss.twitch.tv/ws";

/// The longest timeout, grace or backoff delay a [`Config`] (and the driver's builder) accepts: a
/// day. [`Client::new`](crate::Client::new) refuses longer ones with
/// [`ConfigError::DurationTooLong`], so every deadline the client computes fits in an `Instant`.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(86_400);

/// How much silence past `keepalive_timeout_seconds` is tolerated before a socket is declared dead:
/// `keepalive * percent / 100 + fixed`.
///
/// ```
/// use std::time::Duration;
/// use eventsub_proto::KeepaliveGrace;
/// let grace = KeepaliveGrace::new(50, Duration::from_secs(2));
/// assert_eq!(grace.window(Duration::from_secs(10)), Duration::from_secs(17));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeepaliveGrace {
    /// Proportional part, in percent of the keepalive.
    pub percent: u32,
    /// Fixed part.
    pub fixed: Duration,
}

impl Default for KeepaliveGrace {
    fn default() -> Self {
        Self {
            percent: 20,
            fixed: Duration::from_secs(1),
        }
    }
}

impl KeepaliveGrace {
    /// A grace of `percent` of the keepalive plus `fixed`.
    pub fn new(percent: u32, fixed: Duration) -> Self {
        Self { percent, fixed }
    }

    /// The longest silence tolerated on a session with this keepalive.
    ///
    /// Saturates at `Duration::MAX` instead of overflowing; [`Config`] refuses a grace whose window
    /// passes [`MAX_TIMEOUT`].
    pub fn window(&self, keepalive: Duration) -> Duration {
        let proportional = keepalive
            .checked_mul(self.percent)
            .map_or(Duration::MAX, |product| product / 100);
        keepalive
            .saturating_add(proportional)
            .saturating_add(self.fixed)
    }
}

/// Which `session_reconnect` URLs the client follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReconnectUrlPolicy {
    /// Twitch only: `wss://`, a DNS name that is `twitch.tv` or under it, no user name or password,
    /// the default port. IP literals, look-alike names (IDN is compared in its punycode form) and
    /// percent-encoded tricks never match.
    #[default]
    Twitch,
    /// The host of [`Config::url`] and the port it names (if any), over `ws://` or `wss://`, no user
    /// name or password: for local and mock servers, which hand out URLs to themselves.
    SameHostAsUrl,
}

impl ReconnectUrlPolicy {
    /// Whether `url` may be followed when fresh connections go to `base`; `Err` says why not.
    pub fn check(self, url: &Url, base: &Url) -> Result<(), String> {
        if !url.username().is_empty() || url.password().is_some() {
            return Err("a reconnect URL with a user name or password is not followed".to_owned());
        }
        match self {
            Self::Twitch => {
                if url.scheme() != "wss" {
                    return Err(format!(
                        "scheme `{}` is not followed (only wss://)",
                        url.scheme()
                    ));
                }
                // `Url` has already decoded percent-escapes and turned IDN into punycode, and
                // parsed IP literals apart from names.
                let on_twitch = matches!(url.host(), Some(Host::Domain(name))
                    if name == TWITCH_DOMAIN || name.ends_with(TWITCH_SUBDOMAIN_SUFFIX));
                if !on_twitch {
                    return Err(format!(
                        "host `{}` is not twitch.tv or under it",
                        url.host_str().unwrap_or_default()
                    ));
                }
                if url.port().is_some() {
                    return Err("only the default port is followed".to_owned());
                }
            }
            Self::SameHostAsUrl => {
                if !matches!(url.scheme(), "ws" | "wss") {
                    return Err(format!(
                        "scheme `{}` is not followed (only ws:// or wss://)",
                        url.scheme()
                    ));
                }
                if url.host() != base.host() || url.port() != base.port() {
                    return Err(format!(
                        "host `{}` is not the configured URL's host and port",
                        url.host_str().unwrap_or_default()
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The longest [`Config::min_reconnect_interval`]: a handover that waits longer risks Twitch's
/// 30 s reconnect grace (close 4004), once the wait for a closing socket is added.
pub const MAX_MIN_RECONNECT_INTERVAL: Duration = Duration::from_secs(10);

/// The longest [`Config::shard_assign_window`]: a fresh session must be assigned to its shard
/// within Twitch's 10 s, and the call itself takes time (and may be retried).
pub const MAX_SHARD_ASSIGN_WINDOW: Duration = Duration::from_secs(1);

const TWITCH_DOMAIN: &str = "twitch.tv";
const TWITCH_SUBDOMAIN_SUFFIX: &str = ".twitch.tv";

/// Configuration of a [`Client`](crate::Client). Start from [`Config::default`] and set what differs.
///
/// ```
/// use std::time::Duration;
/// use eventsub_proto::{Config, SubscriptionSpec};
/// let mut config = Config::default();
/// config.seed = 0x5eed; // from the adapter's randomness, so backoff jitter differs per client
/// config.keepalive_timeout = Some(Duration::from_secs(30));
/// config.subscriptions.push(
///     SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "12826"),
/// );
/// ```
///
/// The struct is `#[non_exhaustive]`, so a field added later breaks no caller: outside this crate
/// a struct literal, even one ending in `..Config::default()`, does not compile.
///
/// ```compile_fail,E0639
/// use std::time::Duration;
/// use eventsub_proto::Config;
/// let config = Config {
///     keepalive_timeout: Some(Duration::from_secs(30)),
///     ..Config::default()
/// };
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Config {
    /// Where fresh connections go. Defaults to [`TWITCH_EVENTSUB_URL`]; `ws://` is allowed here for
    /// local servers.
    pub url: Url,
    /// Keepalive to ask Twitch for (10 to 600 s), added to the URL as `keepalive_timeout_seconds`;
    /// `None` leaves it to Twitch.
    pub keepalive_timeout: Option<Duration>,
    /// Extra silence tolerated past the keepalive before a socket is declared dead.
    pub keepalive_grace: KeepaliveGrace,
    /// The subscriptions to create on every fresh session.
    pub subscriptions: Vec<SubscriptionSpec>,
    /// The user id of the token's owner, to estimate subscription costs until Twitch says
    /// otherwise: a preset for when [`Config::validate_token`] is off, or for the time before the
    /// first validation answers. A validation's user replaces it.
    pub token_user_id: Option<String>,
    /// Validate the token (`GET /oauth2/validate`, [`Output::ValidateToken`](crate::Output::ValidateToken))
    /// before the first socket and every [`Config::revalidate_every`] after, as Twitch asks of
    /// apps. The answer tells the token's user (for costs), refuses an app token
    /// ([`StopReason::AppToken`](crate::StopReason::AppToken); in shard mode, [`Config::shard`],
    /// it is a user token that is refused) and the subscriptions the token's
    /// scopes cannot serve ([`SubscriptionFailure::MissingScope`](crate::SubscriptionFailure::MissingScope)),
    /// before any Helix call. On by default.
    pub validate_token: bool,
    /// How often the token is validated again while the client runs (default one hour, as Twitch
    /// requires). Not zero, at most [`MAX_TIMEOUT`].
    pub revalidate_every: Duration,
    /// Twitch's `max_total_cost` for the token until a response says otherwise.
    pub max_total_cost: u32,
    /// Enabled subscriptions allowed on one connection.
    pub max_subscriptions_per_connection: usize,
    /// How long opening a socket may take.
    pub connect_timeout: Duration,
    /// How long after opening the `session_welcome` may take.
    pub welcome_timeout: Duration,
    /// How long the server gets to answer the client's close frame, counted only while the
    /// adapter reads ([`Input::ReadingPaused`](crate::Input::ReadingPaused) stops the count): the
    /// socket is read until the answer comes, since what the server sent before it must be read
    /// (after a handover, the old socket's last notifications). Past it the socket is dropped
    /// ([`Output::Abort`](crate::Output::Abort)).
    pub close_timeout: Duration,
    /// How many bytes a socket may still deliver after the client's close frame before the
    /// client stops waiting for the answer and drops it (default 16 MiB). `close_timeout` counts
    /// reading time only, so that a stalled consumer loses nothing of what the old socket of a
    /// handover still carries (Twitch's last frames, far below this); this bounds a server that
    /// keeps a closing socket busy faster than the consumer takes the events. What the dropped
    /// socket still carried is lost, and reported as a gap when it carried the session.
    pub max_close_drain_bytes: usize,
    /// Backoff between reconnect attempts.
    pub backoff: BackoffConfig,
    /// Seed of the backoff jitter. Give each client its own (the adapters draw one at random).
    pub seed: u64,
    /// How many message ids the duplicate filter remembers.
    pub dedup_max_entries: usize,
    /// How many bytes of heap the duplicate filter may hold (4 MiB by default, room for about
    /// 29,000 ids); it remembers fewer than `dedup_max_entries` ids when they would not fit. Every id
    /// takes the same room whatever its length: a UUID is kept as its 128-bit value, any other id
    /// as a 128-bit keyed digest, so a long id from a hostile server costs no more than a UUID.
    pub dedup_max_bytes: usize,
    /// How long the duplicate filter remembers a message id.
    pub dedup_max_age: Duration,
    /// Frames larger than this are refused: the core reports one it is given as
    /// [`Event::MalformedFrame`](crate::Event::MalformedFrame) with
    /// [`FrameError::TooLarge`](crate::FrameError::TooLarge) and goes on. The adapters set the same
    /// limit on the WebSocket, which cannot skip a message it has not read whole: there a larger
    /// frame ends the connection (`Disconnected`, code 1006, the reason naming the size) and a gap
    /// is reported until a fresh session is up.
    pub max_frame_bytes: usize,
    /// How much of a notification's payload the core checks before delivering it
    /// ([`PayloadCheck::Deferred`] by default: what routing needs; the rest when decoded).
    pub payload_check: PayloadCheck,
    /// Drop notifications whose `message_timestamp` is older than this on Twitch's clock, reporting
    /// each drop. Twitch's "now" is the wall time given with each frame corrected by the offset
    /// estimated from the welcome and keepalive timestamps (see
    /// [`Client::clock_offset`](crate::Client::clock_offset)), so a local clock that is off does
    /// not make fresh notifications stale. `None` keeps them all.
    pub stale_after: Option<Duration>,
    /// The most the estimated offset between the local wall clock and Twitch's may correct, either
    /// way (gap bounds, [`Client::clock_offset`](crate::Client::clock_offset)). A local clock
    /// further off than this is corrected by this much only. Zero turns the correction off.
    ///
    /// For the stale check, the correction that makes notifications older (Twitch's clock ahead of
    /// the local one) is capped at `stale_after / 2` as well: whatever timestamps a server puts in
    /// its welcome and keepalive frames, a notification is dropped as stale only when it arrived
    /// more than `stale_after / 2` after its `message_timestamp` by the local clock. A local clock
    /// more than that behind Twitch's lets some notifications older than `stale_after` through
    /// (delivered, not lost); one up to this cap ahead is corrected in full.
    pub max_clock_correction: Duration,
    /// Which `session_reconnect` URLs are followed. A server-chosen URL is a request to connect
    /// anywhere, so by default only Twitch's own hosts are ([`ReconnectUrlPolicy::Twitch`]); mock
    /// servers need [`ReconnectUrlPolicy::SameHostAsUrl`]. A URL refused is reported as
    /// [`Event::ReconnectUrlRejected`](crate::Event::ReconnectUrlRejected) and handled as a failed
    /// handover.
    pub reconnect_urls: ReconnectUrlPolicy,
    /// The shortest time between two connections the server makes the client open without a
    /// backoff wait: handovers (`session_reconnect`) and immediate fresh reconnects (after 4003,
    /// 4004, 4007 or a silent socket). A server looping on those meets this pace, never a tight
    /// loop. A handover also waits until no socket is still closing, so that sockets stay few.
    /// At most [`MAX_MIN_RECONNECT_INTERVAL`], so that a handover still fits in Twitch's 30 s
    /// reconnect grace.
    pub min_reconnect_interval: Duration,
    /// On shutdown, ask for the subscriptions this client created to be deleted.
    pub delete_subscriptions_on_shutdown: bool,
    /// Catch up over Helix after every gap ([`catchup`](crate::catchup)); `None` (the default)
    /// does not: a gap is only reported ([`Event::Resumed`](crate::Event::Resumed)), and no
    /// [`Output::CatchUpRead`](crate::Output::CatchUpRead) is ever asked for. With it, every
    /// `Resumed` is followed by the gap's [`Event::Recovered`](crate::Event::Recovered) events
    /// and one [`Event::CatchUp`](crate::Event::CatchUp), and the state subscriptions' channels
    /// are read once each session settles (the baseline a gap is compared with).
    pub catch_up: Option<CatchUpConfig>,
    /// Be shard `shard_id` of conduit `conduit_id` ([`crate::shard`]): each fresh session is
    /// assigned to the shard ([`Output::AssignShard`](crate::Output::AssignShard)) instead of
    /// creating subscriptions, which belong to the conduit. The token must be an app access
    /// token (validation refuses a user token with
    /// [`StopReason::UserTokenForShard`](crate::StopReason::UserTokenForShard)), and
    /// [`Config::subscriptions`] must be empty. `None` (the default): WebSocket mode, with a user
    /// access token.
    pub shard: Option<ShardConfig>,
    /// How many WebSocket sessions a [`Pool`](crate::Pool) may hold for this token: 1 (the
    /// default) to [`MAX_SESSIONS_PER_TOKEN`] (Twitch's limit of connections per user token).
    /// A pool opens a second or third session only when the subscriptions do not fit on the
    /// ones it has ([`Config::max_subscriptions_per_connection`] each). Only 1 in shard mode: a
    /// conduit shard is one session. A [`Client`](crate::Client) is always one session and
    /// ignores it.
    pub max_sessions: usize,
    /// How long a [`Pool`](crate::Pool) of conduit shards holds its sessions' shard assignments
    /// to send them together: one Update Conduit Shards call names up to
    /// [`MAX_SHARDS_PER_ASSIGNMENT`](crate::MAX_SHARDS_PER_ASSIGNMENT) shards, and Twitch's
    /// app-token budget (800 points a minute) would not pay for one call per shard of a thousand.
    /// A batch goes out when it is full, or this long after its first assignment was held: each
    /// assignment waits at most this long, far inside Twitch's 10 s before it closes a session
    /// nobody uses. 50 ms by default, at most [`MAX_SHARD_ASSIGN_WINDOW`]; zero sends what the
    /// sessions asked for in one turn. A lone [`Client`](crate::Client) ignores it.
    pub shard_assign_window: Duration,
}

/// Twitch's limit of WebSocket connections (with enabled subscriptions) per user access token.
pub const MAX_SESSIONS_PER_TOKEN: usize = 3;

impl Default for Config {
    fn default() -> Self {
        Self {
            url: Url::parse(TWITCH_EVENTSUB_URL)
                .unwrap_or_else(|_| unreachable!("constant URL parses")),
            keepalive_timeout: None,
            keepalive_grace: KeepaliveGrace::default(),
            subscriptions: Vec::new(),
            token_user_id: None,
            validate_token: true,
            revalidate_every: Duration::from_secs(60 * 60),
            max_total_cost: DEFAULT_MAX_TOTAL_COST,
            max_subscriptions_per_connection: MAX_SUBSCRIPTIONS_PER_CONNECTION,
            connect_timeout: Duration::from_secs(10),
            welcome_timeout: Duration::from_secs(10),
            close_timeout: Duration::from_secs(5),
            max_close_drain_bytes: 16 << 20,
            backoff: BackoffConfig::default(),
            seed: 0,
            dedup_max_entries: 10_000,
            dedup_max_bytes: 4 << 20,
            dedup_max_age: Duration::from_secs(600),
            max_frame_bytes: 1 << 20,
            payload_check: PayloadCheck::Deferred,
            stale_after: Some(Duration::from_secs(600)),
            max_clock_correction: Duration::from_secs(15 * 60),
            reconnect_urls: ReconnectUrlPolicy::Twitch,
            min_reconnect_interval: Duration::from_secs(1),
            delete_subscriptions_on_shutdown: false,
            catch_up: None,
            shard: None,
            max_sessions: 1,
            shard_assign_window: Duration::from_millis(50),
        }
    }
}

impl Config {
    /// Checks the config and returns the URL fresh connections use.
    pub(crate) fn validate(&self) -> Result<Url, ConfigError> {
        if !matches!(self.url.scheme(), "ws" | "wss") {
            return Err(ConfigError::NotWebSocketUrl {
                url: self.url.to_string(),
            });
        }
        for (field, value) in [
            (
                "max_subscriptions_per_connection",
                self.max_subscriptions_per_connection,
            ),
            ("dedup_max_entries", self.dedup_max_entries),
            ("max_frame_bytes", self.max_frame_bytes),
            ("max_close_drain_bytes", self.max_close_drain_bytes),
        ] {
            if value == 0 {
                return Err(ConfigError::ZeroLimit { field });
            }
        }
        // Below one entry's worth, the filter would remember nothing.
        if self.dedup_max_bytes < crate::dedup::BYTES_PER_ENTRY {
            return Err(ConfigError::LimitTooSmall {
                field: "dedup_max_bytes",
                minimum: crate::dedup::BYTES_PER_ENTRY,
            });
        }
        for (field, value) in [
            ("connect_timeout", self.connect_timeout),
            ("welcome_timeout", self.welcome_timeout),
            ("close_timeout", self.close_timeout),
            ("backoff.initial", self.backoff.initial),
            ("dedup_max_age", self.dedup_max_age),
            ("min_reconnect_interval", self.min_reconnect_interval),
            ("revalidate_every", self.revalidate_every),
        ] {
            if value.is_zero() {
                return Err(ConfigError::ZeroDuration { field });
            }
        }
        if self.min_reconnect_interval > MAX_MIN_RECONNECT_INTERVAL {
            return Err(ConfigError::DurationTooLong {
                field: "min_reconnect_interval",
                max: MAX_MIN_RECONNECT_INTERVAL,
            });
        }
        for (field, value) in [
            ("connect_timeout", self.connect_timeout),
            ("welcome_timeout", self.welcome_timeout),
            ("close_timeout", self.close_timeout),
            ("backoff.initial", self.backoff.initial),
            ("backoff.max", self.backoff.max),
            ("backoff.healthy_after", self.backoff.healthy_after),
            ("revalidate_every", self.revalidate_every),
            // The silence tolerated on the longest keepalive Twitch allows.
            (
                "keepalive_grace",
                self.keepalive_grace.window(Duration::from_secs(600)),
            ),
        ] {
            check_not_too_long(field, value)?;
        }
        if self.shard_assign_window > MAX_SHARD_ASSIGN_WINDOW {
            return Err(ConfigError::DurationTooLong {
                field: "shard_assign_window",
                max: MAX_SHARD_ASSIGN_WINDOW,
            });
        }
        if !(1..=MAX_SESSIONS_PER_TOKEN).contains(&self.max_sessions) {
            return Err(ConfigError::SessionsOutOfRange {
                sessions: self.max_sessions,
            });
        }
        if self.shard.is_some() && self.max_sessions != 1 {
            return Err(ConfigError::SessionsInShardMode {
                sessions: self.max_sessions,
            });
        }
        if let (Some(_), Some(spec)) = (&self.shard, self.subscriptions.first()) {
            // A shard's subscriptions are the conduit's, created once by whoever manages it.
            return Err(ConfigError::Subscription(SubscribeError::ShardMode {
                spec: Box::new(spec.clone()),
            }));
        }
        let mut url = self.url.clone();
        if let Some(keepalive) = self.keepalive_timeout {
            let seconds = keepalive.as_secs();
            if !(10..=600).contains(&seconds) || keepalive.subsec_nanos() != 0 {
                return Err(ConfigError::KeepaliveOutOfRange { seconds });
            }
            url.query_pairs_mut()
                .append_pair("keepalive_timeout_seconds", &seconds.to_string());
        }
        Ok(url)
    }
}

/// Refuses `value` for `field` when it is longer than [`MAX_TIMEOUT`].
///
/// ```
/// use std::time::Duration;
/// use eventsub_proto::{ConfigError, MAX_TIMEOUT, check_not_too_long};
/// assert!(check_not_too_long("close_timeout", Duration::from_secs(5)).is_ok());
/// assert_eq!(
///     check_not_too_long("close_timeout", Duration::MAX),
///     Err(ConfigError::DurationTooLong { field: "close_timeout", max: MAX_TIMEOUT })
/// );
/// ```
pub fn check_not_too_long(field: &'static str, value: Duration) -> Result<(), ConfigError> {
    if value > MAX_TIMEOUT {
        return Err(ConfigError::DurationTooLong {
            field,
            max: MAX_TIMEOUT,
        });
    }
    Ok(())
}

/// How much of a notification's payload the core reads before delivering it.
///
/// The core needs only a notification's metadata to drop duplicates, judge staleness and route
/// it. Reading the rest (the subscription and the event, most of the frame) only checks that it
/// is JSON, and the user's decode reads it again anyway: by default that check is left to the
/// decode, so a frame is read once.
///
/// Either way a payload that is not JSON is never taken for JSON: it is an error from whatever
/// decodes it, and one malformed frame in [`Stats::malformed_frames`](crate::Stats::malformed_frames).
/// What differs is when it is found, and so whether the notification is delivered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum PayloadCheck {
    /// The whole frame is read as JSON before a notification is delivered: one that is not is
    /// reported as [`Event::MalformedFrame`](crate::Event::MalformedFrame) and not delivered.
    Eager,
    /// The default. A notification in the layout Twitch sends (`{"metadata":{…},"payload":
    /// {"subscription":{…},"event":{…}}}` or the two the other way round, metadata without
    /// escapes) is delivered after its metadata is read and its event's start found, without
    /// reading the event or what follows it. Whether the frame is JSON is found when the user
    /// decodes it: [`Notification::typed`](crate::Notification::typed),
    /// [`Notification::decode`](crate::Notification::decode) and
    /// [`Notification::subscription`](crate::Notification::subscription) then fail with the JSON
    /// error, [`Notification::check_payload`](crate::Notification::check_payload) checks both
    /// parts, and the first failure counts the frame in
    /// [`Stats::malformed_frames`](crate::Stats::malformed_frames).
    /// [`Notification::event_json`](crate::Notification::event_json) and
    /// [`Notification::subscription_json`](crate::Notification::subscription_json) may then be
    /// text that is not JSON. Any other frame is read whole, as with [`PayloadCheck::Eager`].
    #[default]
    Deferred,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_grace_is_twenty_percent_plus_one_second() {
        assert_eq!(
            KeepaliveGrace::default().window(Duration::from_secs(10)),
            Duration::from_secs(13)
        );
    }

    #[test]
    fn new_grace_sets_both_parts() {
        let grace = KeepaliveGrace::new(35, Duration::from_millis(250));
        assert_eq!(grace.percent, 35);
        assert_eq!(grace.fixed, Duration::from_millis(250));
    }

    #[test]
    fn requested_keepalive_goes_into_the_url() -> Result<(), Box<dyn std::error::Error>> {
        let config = Config {
            keepalive_timeout: Some(Duration::from_secs(30)),
            ..Config::default()
        };
        assert_eq!(
            config.validate()?.as_str(),
            "wss://eventsub.wss.twitch.tv/ws?keepalive_timeout_seconds=30"
        );
        Ok(())
    }

    #[test]
    fn keepalive_outside_twitch_range_is_refused() {
        for seconds in [0, 9, 601] {
            let config = Config {
                keepalive_timeout: Some(Duration::from_secs(seconds)),
                ..Config::default()
            };
            assert_eq!(
                config.validate(),
                Err(ConfigError::KeepaliveOutOfRange { seconds })
            );
        }
    }

    #[test]
    fn a_min_reconnect_interval_past_ten_seconds_is_refused() {
        let config = Config {
            min_reconnect_interval: Duration::from_secs(11),
            ..Config::default()
        };
        assert_eq!(
            config.validate(),
            Err(ConfigError::DurationTooLong {
                field: "min_reconnect_interval",
                max: MAX_MIN_RECONNECT_INTERVAL,
            })
        );
    }

    #[test]
    fn a_shard_assign_window_past_a_second_is_refused() {
        let config = Config {
            shard_assign_window: Duration::from_millis(1_001),
            ..Config::default()
        };
        assert_eq!(
            config.validate(),
            Err(ConfigError::DurationTooLong {
                field: "shard_assign_window",
                max: MAX_SHARD_ASSIGN_WINDOW,
            })
        );
        let zero = Config {
            shard_assign_window: Duration::ZERO,
            ..Config::default()
        };
        assert!(zero.validate().is_ok());
    }

    #[test]
    fn revalidation_every_zero_or_past_a_day_is_refused() {
        let zero = Config {
            revalidate_every: Duration::ZERO,
            ..Config::default()
        };
        assert_eq!(
            zero.validate(),
            Err(ConfigError::ZeroDuration {
                field: "revalidate_every"
            })
        );
        let too_long = Config {
            revalidate_every: MAX_TIMEOUT + Duration::from_secs(1),
            ..Config::default()
        };
        assert_eq!(
            too_long.validate(),
            Err(ConfigError::DurationTooLong {
                field: "revalidate_every",
                max: MAX_TIMEOUT
            })
        );
        let defaults = Config::default();
        assert!(defaults.validate_token);
        assert_eq!(defaults.revalidate_every, Duration::from_secs(3600));
    }

    #[test]
    fn zero_min_reconnect_interval_is_refused() {
        let config = Config {
            min_reconnect_interval: Duration::ZERO,
            ..Config::default()
        };
        assert_eq!(
            config.validate(),
            Err(ConfigError::ZeroDuration {
                field: "min_reconnect_interval"
            })
        );
    }

    #[test]
    fn a_huge_grace_has_a_saturated_window_instead_of_a_panic() {
        let grace = KeepaliveGrace::new(u32::MAX, Duration::MAX);
        assert_eq!(grace.window(Duration::from_secs(600)), Duration::MAX);
    }

    #[test]
    fn durations_too_long_to_work_are_refused_with_a_typed_error() {
        let huge_grace = Config {
            keepalive_grace: KeepaliveGrace::new(20, Duration::MAX),
            ..Config::default()
        };
        let huge_percent = Config {
            keepalive_grace: KeepaliveGrace::new(u32::MAX, Duration::ZERO),
            ..Config::default()
        };
        let huge_connect = Config {
            connect_timeout: Duration::MAX,
            ..Config::default()
        };
        let huge_welcome = Config {
            welcome_timeout: MAX_TIMEOUT + Duration::from_nanos(1),
            ..Config::default()
        };
        for (config, field) in [
            (huge_grace, "keepalive_grace"),
            (huge_percent, "keepalive_grace"),
            (huge_connect, "connect_timeout"),
            (huge_welcome, "welcome_timeout"),
        ] {
            assert_eq!(
                config.validate(),
                Err(ConfigError::DurationTooLong {
                    field,
                    max: MAX_TIMEOUT
                })
            );
        }
        let longest = Config {
            connect_timeout: MAX_TIMEOUT,
            ..Config::default()
        };
        assert!(longest.validate().is_ok(), "a day is still accepted");
    }

    #[test]
    fn non_websocket_url_is_refused() -> Result<(), Box<dyn std::error::Error>> {
        let config = Config {
            url: Url::parse("https://example.com/ws")?,
            ..Config::default()
        };
        assert!(matches!(
            config.validate(),
            Err(ConfigError::NotWebSocketUrl { .. })
        ));
        Ok(())
    }
}
