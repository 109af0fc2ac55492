//! Envelope parsing per message type: [`eventsub_proto::message::parse`] (the core's one parse of a
//! frame) beside a bare serde_json parse of the borrowed envelope with the payload as `&RawValue`,
//! for a welcome, a keepalive, a `channel.chat.message` and a `channel.follow` v2 notification, a
//! reconnect and a revocation.
//!
//! Criterion: `cargo bench -p eventsub-proto --bench envelope`.
//!
//! Instruction counts (callgrind; `(total(path) - total(none)) / count` is one parse):
//! ```sh
//! cargo bench -p eventsub-proto --bench envelope --no-run
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/deps/envelope-* count parse welcome 5000
//! ```
//! Paths: `none` (same setup, no parse), `bare` or `parse`. Frames: `welcome`, `keepalive`, `chat`,
//! `follow`, `reconnect`, `revocation`.
#![allow(clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::hint::black_box;

use common::{BareEnvelope, CHAT, FOLLOW, KEEPALIVE, RECONNECT, REVOCATION, WELCOME};
use criterion::{Criterion, Throughput};
use eventsub_proto::message::{self, Message};

const FRAMES: [(&str, &str); 6] = [
    ("welcome", WELCOME),
    ("keepalive", KEEPALIVE),
    ("chat", CHAT),
    ("follow", FOLLOW),
    ("reconnect", RECONNECT),
    ("revocation", REVOCATION),
];

/// The core's parse, checked to have understood the frame (an `Unknown` would be a broken bench).
fn parse(text: &str) -> Message<'_> {
    let parsed = message::parse(text).expect("a valid frame");
    assert!(!matches!(parsed, Message::Unknown { .. }));
    parsed
}

fn bare(text: &str) -> BareEnvelope<'_> {
    serde_json::from_str(text).expect("a valid envelope")
}

fn criterion_benches(c: &mut Criterion) {
    for (name, frame) in FRAMES {
        let mut group = c.benchmark_group(format!("envelope/{name}"));
        group.throughput(Throughput::Bytes(frame.len() as u64));
        group.bench_function("bare_serde_envelope", |b| {
            b.iter(|| black_box(bare(black_box(frame))))
        });
        group.bench_function("message_parse", |b| {
            b.iter(|| black_box(parse(black_box(frame))))
        });
        group.finish();
    }
}

fn count_instructions(path: &str, frame: &str, count: usize) {
    let (_, frame) = FRAMES
        .into_iter()
        .find(|(name, _)| *name == frame)
        .expect("a known frame name");
    // Each parse gets its own copy, as each frame off a socket is a fresh buffer.
    let texts: Vec<String> = (0..count).map(|_| frame.to_owned()).collect();
    match path {
        "none" => {
            black_box(&texts);
        }
        "bare" => {
            for text in &texts {
                black_box(bare(black_box(text)));
            }
        }
        "parse" => {
            for text in &texts {
                black_box(parse(black_box(text)));
            }
        }
        other => panic!("unknown path {other}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, mode, path, frame, count] = args.as_slice() {
        if mode == "count" {
            count_instructions(path, frame, count.parse().expect("a count"));
            return;
        }
    }
    let mut criterion = Criterion::default().configure_from_args();
    criterion_benches(&mut criterion);
    criterion.final_summary();
}
