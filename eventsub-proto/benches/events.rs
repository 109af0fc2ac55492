//! Typed decoding of a notification's event: [`EventData::decode`] on the event JSON of the
//! `channel.chat.message` (~2 KB frame) and `channel.follow` v2 frames, beside `serde_json::Value`
//! of the same text as the reference.
//!
//! Criterion: `cargo bench -p eventsub-proto --bench events`.
//!
//! Instruction counts (callgrind; `(total(path) - total(none)) / count` is one decode):
//! ```sh
//! cargo bench -p eventsub-proto --bench events --no-run
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/deps/events-* count typed chat 5000
//! ```
//! Paths: `none` (same setup, no decode), `typed` or `value`. Events: `chat`, `follow`.
#![allow(clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::hint::black_box;

use common::{CHAT, FOLLOW};
use criterion::{Criterion, Throughput};
use eventsub_proto::events::EventData;
use serde::Deserialize;
use serde_json::value::RawValue;

/// The event JSON of a notification frame (`payload.event`), as the core hands it over.
fn event_text(frame: &str) -> String {
    #[derive(Deserialize)]
    struct Frame<'a> {
        #[serde(borrow)]
        payload: Payload<'a>,
    }
    #[derive(Deserialize)]
    struct Payload<'a> {
        #[serde(borrow)]
        event: &'a RawValue,
    }
    let frame: Frame<'_> = serde_json::from_str(frame).expect("a notification frame");
    frame.payload.event.get().to_owned()
}

const EVENTS: [(&str, &str, &str, &str); 2] = [
    ("chat", "channel.chat.message", "1", CHAT),
    ("follow", "channel.follow", "2", FOLLOW),
];

fn criterion_benches(c: &mut Criterion) {
    for (name, kind, version, frame) in EVENTS {
        let text = event_text(frame);
        let mut group = c.benchmark_group(format!("events/{name}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("typed", |b| {
            b.iter(|| {
                let data = EventData::decode(kind, version, black_box(&text)).expect("valid");
                assert!(!matches!(data, EventData::Unknown(_)));
                black_box(data);
            })
        });
        group.bench_function("serde_json_value", |b| {
            b.iter(|| {
                let value: serde_json::Value =
                    serde_json::from_str(black_box(&text)).expect("valid");
                black_box(value);
            })
        });
        group.finish();
    }
}

fn count_instructions(path: &str, event: &str, count: usize) {
    let (_, kind, version, frame) = EVENTS
        .into_iter()
        .find(|(name, ..)| *name == event)
        .expect("chat or follow");
    let texts: Vec<String> = (0..count).map(|_| event_text(frame)).collect();
    match path {
        "none" => {
            black_box(&texts);
        }
        "typed" => {
            for text in &texts {
                let data = EventData::decode(kind, version, black_box(text)).expect("valid");
                black_box(data);
            }
        }
        "value" => {
            for text in &texts {
                let value: serde_json::Value =
                    serde_json::from_str(black_box(text)).expect("valid");
                black_box(value);
            }
        }
        other => panic!("unknown path {other}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, mode, path, event, count] = args.as_slice() {
        if mode == "count" {
            count_instructions(path, event, count.parse().expect("a count"));
            return;
        }
    }
    let mut criterion = Criterion::default().configure_from_args();
    criterion_benches(&mut criterion);
    criterion.final_summary();
}
