//! Instruction counts per message, for callgrind where wall-clock timing is noisy: runs one path over
//! `count` distinct frames, so `(total(path) - total(none)) / count` is the cost of one message
//! (`none` builds the same frames and client and does nothing with them).
//!
//! ```sh
//! cargo bench -p eventsub-proto --bench instructions --no-run
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/deps/instructions-* client chat 5000
//! ```
//! Paths: `none`, `bare` (serde_json of the borrowed envelope, payload as `&RawValue`), `client`
//! (`handle_input` + draining `poll_output`, with `PayloadCheck::Eager`: the whole frame read) or
//! `lazy` (the same with `PayloadCheck::Deferred`, the default: the lazy envelope); and the same
//! two with what a consumer does with each notification: `client-typed` and `lazy-typed`
//! (`Notification::typed`), `client-json` and `lazy-json` (`Notification::event_json`); `frame`
//! (`events::frame::parse_frame`: envelope and typed event in one pass, no client).
//! Frames: `chat`, `follow`, `keepalive`.
#![allow(clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::hint::black_box;

use common::{BareEnvelope, CHAT, FOLLOW, KEEPALIVE, distinct, live_client_checking, wall_time};
use eventsub_proto::{Event, Input, Output, PayloadCheck};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` runs every bench binary with `--bench`: do nothing then.
    if args.len() != 4 {
        return;
    }
    let frame = match args[2].as_str() {
        "chat" => CHAT,
        "follow" => FOLLOW,
        "keepalive" => KEEPALIVE,
        other => panic!("unknown frame {other}"),
    };
    let count: usize = args[3].parse().expect("a count");
    let frames = distinct(frame, count.max(1));
    // A window small enough to be full (and evicting) for most of the run: the steady state.
    let (path, consumer) = args[1].split_once('-').unwrap_or((args[1].as_str(), ""));
    let payload_check = if path == "lazy" {
        PayloadCheck::Deferred
    } else {
        PayloadCheck::Eager
    };
    let (mut client, conn, now) = live_client_checking(1024, payload_check);
    let received_at = wall_time();
    match path {
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
        "frame" => {
            for text in frames.iter().take(count) {
                let _ = black_box(
                    eventsub_proto::events::frame::parse_frame(black_box(text)).expect("valid"),
                );
            }
        }
        "client" | "lazy" => {
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
                    match (consumer, &output) {
                        ("typed", Output::Event(Event::Notification(notification))) => {
                            let _ = black_box(notification.typed().expect("decodes"));
                        }
                        ("json", Output::Event(Event::Notification(notification))) => {
                            let _ = black_box(notification.event_json());
                        }
                        ("" | "typed" | "json", _) => {}
                        (other, _) => panic!("unknown consumer {other}"),
                    }
                    let _ = black_box(output);
                }
            }
        }
        other => panic!("unknown path {other}"),
    }
}
