//! The core's cost per message: `handle_input` + draining `poll_output` for realistic frames, beside a
//! bare serde_json parse of the borrowed envelope with the payload as `&RawValue` (the floor any
//! client pays), measured in the same run.
//!
//! Run: `cargo bench -p eventsub-proto --bench core`.
#![allow(clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::hint::black_box;

use common::{BareEnvelope, CHAT, FOLLOW, KEEPALIVE, distinct, live_client, wall_time};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use eventsub_proto::Input;

/// More distinct frames than the dedup window holds, so every frame the client sees is new (as on
/// a real socket) and the window keeps evicting.
const DISTINCT_FRAMES: usize = 16_384;

fn bench_frame(c: &mut Criterion, name: &str, frame: &str) {
    let frames = distinct(frame, DISTINCT_FRAMES);
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
        let (mut client, conn, now) = live_client(10_000);
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
