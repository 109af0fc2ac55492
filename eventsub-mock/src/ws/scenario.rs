//! Scripted traffic shared by the end-to-end tests of both adapters, and the check that goes with
//! it.

use std::collections::HashSet;
use std::time::Duration;

use eventsub_proto::{BackoffConfig, Config, KeepaliveGrace, ReconnectUrlPolicy};

use super::record::{Records, SocketId};
use super::server::{Delivery, MockEventSub};

/// A client configuration that suits [`MockConfig::fast`](super::MockConfig::fast): the mock's own
/// `ws://` reconnect URLs followed ([`ReconnectUrlPolicy::SameHostAsUrl`]), a socket silent for
/// keepalive + 300 ms declared dead, backoff from 100 ms up to 1 s, 2 s to connect and to be
/// welcomed.
pub fn client_config() -> Config {
    let mut config = Config::default();
    config.reconnect_urls = ReconnectUrlPolicy::SameHostAsUrl;
    config.keepalive_grace = KeepaliveGrace::new(0, Duration::from_millis(300));
    config.backoff = BackoffConfig::new(Duration::from_millis(100), Duration::from_secs(1));
    config.connect_timeout = Duration::from_secs(2);
    config.welcome_timeout = Duration::from_secs(2);
    config
}

/// Starts a [`MockConfig::fast`](super::MockConfig::fast) mock that accepts the fixtures' user
/// token ([`USER_TOKEN`](crate::helix::fixtures::USER_TOKEN) of
/// [`USER_ID`](crate::helix::fixtures::USER_ID) for
/// [`CLIENT_ID`](crate::helix::fixtures::CLIENT_ID), refreshed with
/// [`USER_REFRESH_TOKEN`](crate::helix::fixtures::USER_REFRESH_TOKEN)) with `scopes`: what a test
/// or an example of an app needs before pointing a client at it.
pub async fn start_with_user_token(scopes: &[&str]) -> std::io::Result<MockEventSub> {
    use crate::helix::fixtures::{CLIENT_ID, USER_ID, USER_REFRESH_TOKEN, USER_TOKEN};
    let mock = MockEventSub::start(super::MockConfig::fast()).await?;
    {
        let mut helix = mock.helix();
        helix.add_user_token(USER_TOKEN, CLIENT_ID, USER_ID, scopes);
        helix.add_refresh_token(USER_REFRESH_TOKEN, USER_TOKEN);
    }
    Ok(mock)
}

/// One round of a notification burst across a graceful reconnect: at round `reconnect_at` the
/// mock sends `session_reconnect` on `socket`; every round sends one notification of `kind`, every
/// fifth on every open socket of the session (the same message on the old and the new socket
/// during the handover), every third one more delivered twice. Returns the message ids sent.
pub fn burst_round(
    mock: &MockEventSub,
    kind: &str,
    round: usize,
    reconnect_at: usize,
    socket: SocketId,
) -> Vec<String> {
    if round == reconnect_at {
        assert!(mock.reconnect(socket).is_some(), "the socket is open");
    }
    let delivery = if round % 5 == 0 {
        Delivery::EverySocket
    } else {
        Delivery::Once
    };
    let mut sent = mock.notify(kind, delivery);
    if round % 3 == 0 {
        sent.extend(mock.notify(kind, Delivery::Twice));
    }
    sent
}

/// Asserts that `received` (message ids in delivery order) holds every notification of `sent`
/// exactly once, and that the mock's records agree with `sent`.
pub fn assert_delivered_exactly_once(records: &Records, sent: &[String], received: &[String]) {
    assert_eq!(
        records.notification_ids(),
        sent,
        "the mock's record matches what was sent"
    );
    let sent_set: HashSet<&String> = sent.iter().collect();
    let received_set: HashSet<&String> = received.iter().collect();
    assert_eq!(received_set, sent_set, "nothing lost, nothing extra");
    assert_eq!(received.len(), sent.len(), "nothing delivered twice");
}
