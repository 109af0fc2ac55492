//! The client's configuration for a scenario's [`Setup`].

use std::time::Duration;

use url::Url;

use super::ops::Setup;
use super::pool;
use crate::backoff::BackoffConfig;
use crate::config::{Config, KeepaliveGrace, PayloadCheck, ReconnectUrlPolicy};

/// The client's configuration for `setup`, every number mapped into its valid range.
pub(super) fn config(setup: &Setup) -> Config {
    let seconds = |value: u64| Duration::from_secs(value);
    let Ok(url) = Url::parse(pool::BASE_URL) else {
        panic!("the base URL is a constant that parses");
    };
    Config {
        url,
        keepalive_timeout: setup
            .keepalive_seconds
            .map(|value| seconds(10 + u64::from(value) % 591)),
        keepalive_grace: KeepaliveGrace {
            percent: u32::from(setup.grace_percent),
            fixed: Duration::from_millis(u64::from(setup.grace_fixed_millis)),
        },
        subscriptions: (0..pool::SUBSCRIPTION_COUNT)
            .filter(|index| setup.initial_subscriptions & (1 << index) != 0)
            .map(pool::subscription)
            .collect(),
        // Learned from the validation the adapter answers (with the same user) when the seed's
        // low bit is set; preset otherwise.
        token_user_id: (setup.seed & 1 == 0).then(|| pool::TOKEN_USER.to_owned()),
        validate_token: true,
        // Short, so that runs revalidate.
        revalidate_every: seconds(30),
        max_total_cost: u32::from(setup.max_total_cost),
        max_subscriptions_per_connection: 1 + usize::from(
            setup.max_subscriptions_per_connection % 16,
        ),
        connect_timeout: seconds(1 + u64::from(setup.connect_timeout_seconds)),
        welcome_timeout: seconds(1 + u64::from(setup.welcome_timeout_seconds)),
        // The welcome timeout's draw: a server that leaves a close unanswered meets it too.
        close_timeout: seconds(1 + u64::from(setup.welcome_timeout_seconds)),
        // Small, so that runs meet a closing socket dropped for what it keeps sending.
        max_close_drain_bytes: 1 + usize::from(setup.grace_fixed_millis) * 16,
        backoff: BackoffConfig {
            initial: Duration::from_millis(1 + u64::from(setup.backoff_initial_millis)),
            max: seconds(u64::from(setup.backoff_max_seconds)),
            max_attempts: setup.max_attempts.map(u32::from),
            healthy_after: seconds(60),
        },
        seed: setup.seed,
        // The lazy envelope when the seed's second bit is set.
        payload_check: if setup.seed & 2 == 0 {
            PayloadCheck::Eager
        } else {
            PayloadCheck::Deferred
        },
        dedup_max_entries: 1 + usize::from(setup.dedup_entries % 32),
        // Far above 32 entries: the oracle models the count limit alone.
        dedup_max_bytes: Config::default().dedup_max_bytes,
        dedup_max_age: seconds(1 + u64::from(setup.dedup_age_seconds)),
        max_frame_bytes: 64 << (setup.max_frame_exponent % 15),
        stale_after: setup
            .stale_after_seconds
            .map(|value| seconds(u64::from(value))),
        max_clock_correction: Config::default().max_clock_correction,
        reconnect_urls: if setup.same_host_reconnect_urls {
            ReconnectUrlPolicy::SameHostAsUrl
        } else {
            ReconnectUrlPolicy::Twitch
        },
        delete_subscriptions_on_shutdown: setup.delete_subscriptions_on_shutdown,
        catch_up: None,
        shard: None,
        // One to three sessions, from the seed's third and fourth bits.
        max_sessions: 1 + usize::from(u8::try_from((setup.seed >> 2) % 3).unwrap_or(0)),
        min_reconnect_interval: Duration::from_secs(1),
        // No shards in these scenarios: the window is never used.
        shard_assign_window: Duration::from_millis(50),
    }
}
