//! Typed decoding of a notification's event: [`EventData::decode`] on the event JSON of the
//! `channel.chat.message` (~2 KB frame) and `channel.follow` v2 frames, beside `serde_json::Value`
//! of the same text as the reference; and whole frames to typed events, as
//! `twitch_api::eventsub::Event::parse_websocket` does: [`parse_frame`] (one pass) beside the
//! envelope parse followed by the typed decode (two passes).
//!
//! Criterion: `cargo bench -p eventsub-proto --bench events`.
//!
//! Instruction counts (callgrind; `(total(path) - total(none)) / count` is one decode):
//! ```sh
//! cargo bench -p eventsub-proto --bench events --no-run
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/deps/events-* count typed chat 5000
//! ```
//! Paths: `none` (same setup, no decode), `typed` or `value` (the event JSON); `frame` ([`parse_frame`]
//! of the whole frame) or `two_pass` ([`message::parse`] then [`EventData::decode`]). Events: `chat`,
//! `follow`.
#![allow(clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::hint::black_box;

use common::{CHAT, FOLLOW};
use criterion::{Criterion, Throughput};
use eventsub_proto::events::EventData;
use eventsub_proto::events::frame::{TypedEvents, TypedFrame, parse_frame};
use eventsub_proto::message::{self, Events, Message};
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
        group.bench_function("whole_frame_one_pass", |b| {
            b.iter(|| black_box(frame_one_pass(black_box(frame))))
        });
        group.bench_function("whole_frame_two_passes", |b| {
            b.iter(|| black_box(frame_two_passes(black_box(frame))))
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

/// A notification frame to its typed event in one pass.
fn frame_one_pass(frame: &str) -> EventData<'_> {
    match parse_frame(frame).expect("valid") {
        TypedFrame::Notification(notification) => match notification.events {
            TypedEvents::Single(data) => data,
            TypedEvents::Batch(_) => panic!("a batch"),
        },
        _ => panic!("not a notification"),
    }
}

/// A notification frame to its typed event: the envelope, then the event.
fn frame_two_passes(frame: &str) -> EventData<'_> {
    let Ok(Message::Notification(notification)) = message::parse(frame) else {
        panic!("not a notification")
    };
    let Events::Single(event) = notification.events else {
        panic!("a batch")
    };
    let (kind, version) = (
        notification.metadata.subscription_type.expect("set"),
        notification.metadata.subscription_version.expect("set"),
    );
    let (std::borrow::Cow::Borrowed(kind), std::borrow::Cow::Borrowed(version)) = (kind, version)
    else {
        panic!("escaped")
    };
    EventData::decode(kind, version, event.get()).expect("valid")
}

fn count_instructions(path: &str, event: &str, count: usize) {
    let (_, kind, version, frame) = EVENTS
        .into_iter()
        .find(|(name, ..)| *name == event)
        .expect("chat or follow");
    let texts: Vec<String> = (0..count).map(|_| event_text(frame)).collect();
    let frames: Vec<String> = (0..count).map(|_| frame.to_owned()).collect();
    match path {
        "none" => {
            black_box((&texts, &frames));
        }
        "frame" => {
            for frame in &frames {
                black_box(frame_one_pass(black_box(frame)));
            }
        }
        "two_pass" => {
            for frame in &frames {
                black_box(frame_two_passes(black_box(frame)));
            }
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
