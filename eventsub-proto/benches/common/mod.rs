//! What the benches share: the frames, the bare-parse baseline and a client with a live session.
#![allow(dead_code)] // each bench uses its own part of this module

use std::time::{Duration, Instant, SystemTime};

use eventsub_proto::{
    Client, Config, ConnId, Created, Input, Output, PayloadCheck, SubscriptionId, SubscriptionSpec,
};
use serde::Deserialize;
use serde_json::value::RawValue;

pub const CHAT: &str = include_str!("../frames/channel_chat_message.json");
pub const FOLLOW: &str = include_str!("../frames/channel_follow_v2.json");
pub const KEEPALIVE: &str = include_str!("../frames/session_keepalive.json");
pub const WELCOME: &str = include_str!("../frames/session_welcome.json");
pub const RECONNECT: &str = include_str!("../frames/session_reconnect.json");
pub const REVOCATION: &str = include_str!("../frames/revocation.json");

/// The floor any client pays: the envelope borrowed from the frame, the payload skipped as raw JSON.
#[derive(Deserialize)]
#[allow(dead_code)] // fields are read by serde only: this is the parse being measured
pub struct BareEnvelope<'a> {
    #[serde(borrow)]
    metadata: BareMetadata<'a>,
    #[serde(borrow)]
    payload: &'a RawValue,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct BareMetadata<'a> {
    message_id: &'a str,
    message_type: &'a str,
    message_timestamp: &'a str,
    subscription_type: Option<&'a str>,
    subscription_version: Option<&'a str>,
}

/// `count` copies of `frame`, each with its own message id, as a real socket delivers them.
pub fn distinct(frame: &str, count: usize) -> Vec<String> {
    let key = "\"message_id\":\"";
    let start = frame.find(key).expect("frame has a message id") + key.len();
    (0..count)
        .map(|n| {
            let id = format!("befa7b53-d79d-478f-86b9-{n:012x}");
            format!("{}{id}{}", &frame[..start], &frame[start + id.len()..])
        })
        .collect()
}

/// The frames' `message_timestamp` (2023-11-06T18:11:47Z), so the stale check runs and passes.
pub fn wall_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_699_294_307)
}

/// A client whose session is live and whose subscription exists, outputs drained.
pub fn live_client(dedup_max_entries: usize) -> (Client, ConnId, Instant) {
    live_client_checking(dedup_max_entries, PayloadCheck::Eager)
}

/// [`live_client`] with `payload_check`.
pub fn live_client_checking(
    dedup_max_entries: usize,
    payload_check: PayloadCheck,
) -> (Client, ConnId, Instant) {
    let now = Instant::now();
    let mut config = Config::default();
    config.payload_check = payload_check;
    config.subscriptions = vec![
        SubscriptionSpec::new("channel.follow", "2").with_condition("broadcaster_user_id", "1"),
    ];
    config.token_user_id = Some("1".into());
    // No token validation: the session comes first, as before the core learned to validate.
    config.validate_token = false;
    config.dedup_max_entries = dedup_max_entries;
    // The window is sized by its count alone, up to the 10^6 ids of the dedup bench.
    config.dedup_max_bytes = usize::MAX;
    let mut client = Client::new(config, now).expect("valid config");
    let Some(Output::Connect { conn, .. }) = client.poll_output() else {
        panic!("no connect")
    };
    client
        .handle_input(now, Input::Opened { conn })
        .expect("known");
    let received_at = wall_time();
    client
        .handle_input(
            now,
            Input::Text {
                conn,
                text: WELCOME,
                received_at,
            },
        )
        .expect("known");
    while let Some(output) = client.poll_output() {
        if let Output::CreateSubscription { request, .. } = output {
            let result = Ok(Created::new(SubscriptionId::new("s"), 0, 0, 10));
            client
                .handle_input(now, Input::SubscriptionCreated { request, result })
                .expect("known");
        }
    }
    (client, conn, now)
}
