//! The core's cost per message: `handle_input` + draining `poll_output` for realistic frames, beside a
//! bare serde_json parse of the borrowed envelope with the payload as `&RawValue` (the floor any
//! client pays), measured in the same run.
//!
//! Run: `cargo bench -p eventsub-proto --bench core`.
#![allow(clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use eventsub_proto::{Client, Config, Created, Input, Output, SubscriptionId, SubscriptionSpec};
use serde::Deserialize;
use serde_json::value::RawValue;

const CHAT: &str = include_str!("frames/channel_chat_message.json");
const FOLLOW: &str = include_str!("frames/channel_follow_v2.json");
const KEEPALIVE: &str = include_str!("frames/session_keepalive.json");
const WELCOME: &str = include_str!("frames/session_welcome.json");

/// Frames with distinct message ids, more of them than the dedup window holds, so every frame the
/// client sees is new (as on a real socket) and the window keeps evicting.
const DISTINCT_FRAMES: usize = 16_384;

#[derive(Deserialize)]
#[allow(dead_code)] // fields are read by serde only: this is the parse being measured
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

fn distinct(frame: &str) -> Vec<String> {
    let key = "\"message_id\":\"";
    let start = frame.find(key).expect("frame has a message id") + key.len();
    (0..DISTINCT_FRAMES)
        .map(|n| {
            let id = format!("befa7b53-d79d-478f-86b9-{n:012x}");
            format!("{}{id}{}", &frame[..start], &frame[start + id.len()..])
        })
        .collect()
}

fn live_client() -> (Client, eventsub_proto::ConnId, Instant) {
    let now = Instant::now();
    let config = Config {
        subscriptions: vec![
            SubscriptionSpec::new("channel.follow", "2").with_condition("broadcaster_user_id", "1"),
        ],
        token_user_id: Some("1".into()),
        dedup_max_entries: 10_000,
        ..Config::default()
    };
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

/// The frames' `message_timestamp` (2023-11-06T18:11:47Z), so the stale check runs and passes.
fn wall_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_699_294_307)
}

fn bench_frame(c: &mut Criterion, name: &str, frame: &str) {
    let frames = distinct(frame);
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(frame.len() as u64));
    group.bench_function("bare_serde_envelope", |b| {
        let mut next = 0;
        b.iter(|| {
            let text = &frames[next % DISTINCT_FRAMES];
            next += 1;
            let envelope: BareEnvelope<'_> = serde_json::from_str(black_box(text)).expect("valid");
            black_box(envelope);
        })
    });
    group.bench_function("client_handle_input_and_poll", |b| {
        let (mut client, conn, now) = live_client();
        let received_at = wall_time();
        let mut next = 0;
        b.iter(|| {
            let text = &frames[next % DISTINCT_FRAMES];
            next += 1;
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
        })
    });
    group.finish();
}

fn core(c: &mut Criterion) {
    bench_frame(c, "channel_chat_message", CHAT);
    bench_frame(c, "channel_follow_v2", FOLLOW);
    bench_frame(c, "session_keepalive", KEEPALIVE);
}

criterion_group!(benches, core);
criterion_main!(benches);
