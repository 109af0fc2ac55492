//! Instruction counts per message, for callgrind where wall-clock timing is noisy: runs one path over
//! `count` distinct frames, so `(total(path) - total(none)) / count` is the cost of one message
//! (`none` builds the same frames and client and does nothing with them).
//!
//! ```sh
//! cargo bench -p eventsub-proto --bench instructions --no-run
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/deps/instructions-* client chat 10000
//! ```
//! Paths: `none`, `bare` (serde_json of the borrowed envelope, payload as `&RawValue`) or `client`
//! (`handle_input` + draining `poll_output`). Frames: `chat`, `follow`, `keepalive`.
#![allow(clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use eventsub_proto::{Client, Config, Created, Input, Output, SubscriptionId, SubscriptionSpec};
use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Deserialize)]
#[allow(dead_code)] // read by serde only: this is the parse being measured
struct BareEnvelope<'a> {
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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` runs every bench binary with `--bench`: do nothing then.
    if args.len() != 4 {
        return;
    }
    let frame = match args[2].as_str() {
        "chat" => include_str!("frames/channel_chat_message.json"),
        "follow" => include_str!("frames/channel_follow_v2.json"),
        "keepalive" => include_str!("frames/session_keepalive.json"),
        other => panic!("unknown frame {other}"),
    };
    let count: usize = args[3].parse().expect("a count");
    let key = "\"message_id\":\"";
    let start = frame.find(key).expect("message id") + key.len();
    let frames: Vec<String> = (0..count.max(1))
        .map(|n| {
            let id = format!("befa7b53-d79d-478f-86b9-{n:012x}");
            format!("{}{id}{}", &frame[..start], &frame[start + id.len()..])
        })
        .collect();
    let (mut client, conn, now) = live_client();
    let received_at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_699_294_307);
    match args[1].as_str() {
        "none" => {
            black_box((&frames, &mut client));
        }
        "bare" => {
            for text in frames.iter().take(count) {
                let envelope: BareEnvelope<'_> =
                    serde_json::from_str(black_box(text)).expect("valid");
                black_box(envelope);
            }
        }
        "client" => {
            for text in frames.iter().take(count) {
                client
                    .handle_input(
                        now,
                        Input::Text {
                            conn,
                            text: black_box(text),
                            received_at,
                        },
                    )
                    .expect("known");
                while let Some(output) = client.poll_output() {
                    let _ = black_box(output);
                }
            }
        }
        other => panic!("unknown path {other}"),
    }
}

fn live_client() -> (Client, eventsub_proto::ConnId, Instant) {
    let now = Instant::now();
    let config = Config {
        subscriptions: vec![
            SubscriptionSpec::new("channel.follow", "2").with_condition("broadcaster_user_id", "1"),
        ],
        token_user_id: Some("1".into()),
        // Small enough that the window is full (and evicting) for most of the run: steady state.
        dedup_max_entries: 1024,
        ..Config::default()
    };
    let mut client = Client::new(config, now).expect("valid config");
    let Some(Output::Connect { conn, .. }) = client.poll_output() else {
        panic!("no connect")
    };
    client
        .handle_input(now, Input::Opened { conn })
        .expect("known");
    let welcome = include_str!("frames/session_welcome.json");
    let received_at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_699_294_307);
    client
        .handle_input(
            now,
            Input::Text {
                conn,
                text: welcome,
                received_at,
            },
        )
        .expect("known");
    while let Some(output) = client.poll_output() {
        if let Output::CreateSubscription { request, .. } = output {
            let result = Ok(Created {
                id: SubscriptionId::new("s"),
                cost: 0,
                total_cost: 0,
                max_total_cost: 10,
            });
            client
                .handle_input(now, Input::SubscriptionCreated { request, result })
                .expect("known");
        }
    }
    while client.poll_output().is_some() {}
    (client, conn, now)
}
