//! Reconnect URLs and close reasons: what Twitch hands the client as text, and what the user must
//! learn from it.

use std::time::{Instant, SystemTime};

use arbitrary::{Arbitrary, Unstructured};
use url::Url;

use super::frames::Envelope;
use crate::Client;
use crate::close::CloseCode;
use crate::config::{Config, ReconnectUrlPolicy};
use crate::event::{DisconnectCause, Event, StopReason};
use crate::ids::ConnId;
use crate::io::{Input, Output};

const TIMESTAMP: &str = "2024-05-01T12:00:00.123456789Z";

/// Sends a live session a `session_reconnect` to an arbitrary URL, then closes its sockets with an
/// arbitrary code and reason, and checks that:
/// - the URL is followed exactly when it parses and the reconnect URL policy allows it
///   ([`ReconnectUrlPolicy::Twitch`], or [`ReconnectUrlPolicy::SameHostAsUrl`] when asked for),
///   verbatim; otherwise it is reported as rejected, as sent;
/// - every close reaches the user with its code (1006 when there was none) and its reason text,
///   whatever its length or content; a 4001 on the live session's socket also stops the client
///   with that reason (on the new socket it is a failed handover).
///
/// Layout: a flag byte (bit 0: the same-host policy; bit 1: close the new socket before the old one;
/// bit 2: the close carries a code), the code (`u16`, little-endian), the URL's length (`u16`,
/// little-endian) and bytes; the rest is the close reason. Invalid UTF-8 is replaced.
pub fn url_and_close_reason(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let (Ok(flags), Ok(code), Ok(url_len)) = (
        u8::arbitrary(&mut u),
        u16::arbitrary(&mut u),
        u16::arbitrary(&mut u),
    ) else {
        return;
    };
    let Ok(url) = u.bytes(usize::from(url_len).min(u.len())) else {
        return;
    };
    let url = String::from_utf8_lossy(url);
    let reason = String::from_utf8_lossy(u.take_rest());
    let policy = if flags & 1 != 0 {
        ReconnectUrlPolicy::SameHostAsUrl
    } else {
        ReconnectUrlPolicy::Twitch
    };
    let close_new_first = flags & 2 != 0;
    let code = (flags & 4 != 0).then_some(code);

    let now = Instant::now();
    // Straight to a live session with something to subscribe: this is about the handover.
    let config = Config {
        reconnect_urls: policy,
        validate_token: false,
        subscriptions: vec![crate::subscription::SubscriptionSpec::new(
            "stream.online",
            "1",
        )],
        ..Config::default()
    };
    let base = config.url.clone();
    let Ok(mut client) = Client::new(config, now) else {
        panic!("the default config is valid");
    };
    let old = live_session(&mut client, now);
    let envelope = Envelope {
        message_id: "reconnect",
        timestamp: TIMESTAMP,
        session_id: "session",
    };
    let frame = envelope.reconnect(&url).to_string();
    feed(
        &mut client,
        now,
        Input::Text {
            conn: old,
            text: &frame,
            received_at: SystemTime::UNIX_EPOCH,
        },
    );
    let new = followed_as_required(&drain(&mut client), &url, policy, &base);

    if let Some(new) = new.filter(|_| close_new_first) {
        close_and_check(&mut client, now, new, code, &reason, false);
    }
    if !client.is_stopped() {
        close_and_check(&mut client, now, old, code, &reason, true);
    }
}

/// A seed for [`url_and_close_reason`]: the reconnect URL, the flags, and the close.
pub fn url_and_close_reason_seed(
    url: &str,
    same_host_policy: bool,
    close_new_first: bool,
    code: Option<u16>,
    reason: &str,
) -> Vec<u8> {
    let flags =
        u8::from(same_host_policy) | u8::from(close_new_first) << 1 | u8::from(code.is_some()) << 2;
    let mut seed = vec![flags];
    seed.extend_from_slice(&code.unwrap_or(0).to_le_bytes());
    let url = url.as_bytes();
    let url = url
        .get(..url.len().min(usize::from(u16::MAX)))
        .unwrap_or_default();
    seed.extend_from_slice(&u16::try_from(url.len()).unwrap_or(u16::MAX).to_le_bytes());
    seed.extend_from_slice(url);
    seed.extend_from_slice(reason.as_bytes());
    seed
}

/// Connects and welcomes the first socket; returns it.
fn live_session(client: &mut Client, now: Instant) -> ConnId {
    let Some(Output::Connect { conn, .. }) = client.poll_output() else {
        panic!("a new client connects first");
    };
    feed(client, now, Input::Opened { conn });
    let envelope = Envelope {
        message_id: "welcome",
        timestamp: TIMESTAMP,
        session_id: "session",
    };
    let welcome = envelope.welcome(10).to_string();
    feed(
        client,
        now,
        Input::Text {
            conn,
            text: &welcome,
            received_at: SystemTime::UNIX_EPOCH,
        },
    );
    let outputs = drain(client);
    assert!(
        outputs
            .iter()
            .any(|output| matches!(output, Output::Event(Event::SessionReady { .. }))),
        "the welcome did not make a session: {outputs:?}"
    );
    conn
}

/// Checks the reaction to a reconnect to `url`; returns the new connection if it was followed.
fn followed_as_required(
    outputs: &[Output],
    url: &str,
    policy: ReconnectUrlPolicy,
    base: &Url,
) -> Option<ConnId> {
    let connects: Vec<(ConnId, &Url)> = outputs
        .iter()
        .filter_map(|output| match output {
            Output::Connect { conn, url } => Some((*conn, url)),
            _ => None,
        })
        .collect();
    let rejections: Vec<(&str, &str)> = outputs
        .iter()
        .filter_map(|output| match output {
            Output::Event(Event::ReconnectUrlRejected { url, reason, .. }) => {
                Some((url.as_str(), reason.as_str()))
            }
            _ => None,
        })
        .collect();
    match Url::parse(url) {
        Ok(parsed) if policy.check(&parsed, base).is_ok() => {
            assert!(rejections.is_empty(), "{url:?} is followable, yet rejected");
            let [(conn, followed)] = connects.as_slice() else {
                panic!("{url:?} must be followed by exactly one connect: {outputs:?}");
            };
            assert_eq!(
                **followed, parsed,
                "the reconnect URL must be used verbatim"
            );
            Some(*conn)
        }
        _ => {
            assert!(
                connects.is_empty(),
                "{url:?} must not be followed: {outputs:?}"
            );
            let [(reported, why)] = rejections.as_slice() else {
                panic!("{url:?} must be reported as rejected once: {outputs:?}");
            };
            assert_eq!(*reported, url, "the rejected URL must be reported as sent");
            assert!(!why.is_empty(), "a rejection says why");
            None
        }
    }
}

/// Closes `conn` with `code` and `reason`; the user must learn both.
fn close_and_check(
    client: &mut Client,
    now: Instant,
    conn: ConnId,
    code: Option<u16>,
    reason: &str,
    live_session: bool,
) {
    feed(client, now, Input::Closed { conn, code, reason });
    let outputs = drain(client);
    let expected = DisconnectCause::Closed {
        code: CloseCode(code.unwrap_or(CloseCode::ABNORMAL.0)),
        reason: reason.to_owned(),
    };
    let reported = outputs.iter().any(|output| match output {
        Output::Event(
            Event::Disconnected {
                conn: lost, cause, ..
            }
            | Event::ConnectFailed {
                conn: lost, cause, ..
            },
        ) => *lost == conn && *cause == expected,
        _ => false,
    });
    assert!(
        reported,
        "close {code:?} {reason:?} of {conn} not reported as such: {outputs:?}"
    );
    if live_session && code == Some(CloseCode::CLIENT_SENT_INBOUND_TRAFFIC.0) {
        let stopped = StopReason::InboundTrafficRejected {
            reason: reason.to_owned(),
        };
        assert!(
            outputs
                .iter()
                .any(|output| matches!(output, Output::Event(Event::Stopped { reason }) if *reason == stopped)),
            "4001 must stop the client with its reason: {outputs:?}"
        );
    }
}

fn feed(client: &mut Client, now: Instant, input: Input<'_>) {
    if let Err(error) = client.handle_input(now, input) {
        panic!("an input naming a live connection was refused: {error}");
    }
}

fn drain(client: &mut Client) -> Vec<Output> {
    std::iter::from_fn(|| client.poll_output()).collect()
}
