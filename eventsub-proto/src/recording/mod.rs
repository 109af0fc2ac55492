//! Recordings: what an adapter fed the core, line by line, so a session can be replayed exactly.
//!
//! A recording is JSON lines. The first line is a [`Header`] (format name, version, start time,
//! jitter seed); every other line is a [`Line`]: when it happened — `at_ns`, nanoseconds of the
//! monotonic clock since the client was created, and `wall`, the wall clock in RFC 3339 — and what
//! happened ([`Entry`], tagged by `kind`). An adapter writes one line for each input it feeds
//! ([`Input`](crate::Input): `opened`, `connect_failed`, `text`, `binary`, `closed`,
//! `subscription_created`, `subscription_deleted`), each time it tells the core that time passed
//! (`timeout`), each user command (`subscribe`, `unsubscribe`, `shutdown`), and for the two outputs
//! that name sockets (`connect`, `close`). Connections and Helix requests are numbered from 1 in
//! the order the core asked for them, since the core's own ids cannot be written down and minted
//! again. Nothing secret is in it: tokens never reach the core.
//!
//! ```text
//! {"format":"eventsub-recording","version":1,"started_at":"2025-06-01T12:00:00.5Z","seed":7,"timeouts":true}
//! {"at_ns":0,"wall":"2025-06-01T12:00:00.5Z","kind":"connect","conn":1,"url":"wss://eventsub.wss.twitch.tv/ws"}
//! {"at_ns":48211520,"wall":"2025-06-01T12:00:00.54821152Z","kind":"opened","conn":1}
//! {"at_ns":96023118,"wall":"2025-06-01T12:00:00.596023118Z","kind":"text","conn":1,"text":"{\"metadata\":{...}}"}
//! ```
//!
//! [`Transcriber`] makes the lines (an adapter writes them out); [`RecordingReader`] and
//! [`Recording::parse`] read them back, with errors that name the line; [`replay`] drives a fresh
//! [`Client`](crate::Client) through a recording on fake time and returns its events.
//!
//! # Example: record by hand, then replay
//!
//! ```
//! use std::time::{Duration, Instant, SystemTime};
//! use eventsub_proto::recording::{self, Header, Transcriber};
//! use eventsub_proto::{Client, Config, Event, Input, Output, SubscriptionSpec, TokenIdentity, UserId};
//!
//! let (start, wall) = (Instant::now(), SystemTime::now());
//! let mut config = Config::default();
//! config.seed = 7;
//! config.subscriptions.push(SubscriptionSpec::new("stream.online", "1"));
//! let mut client = Client::new(config.clone(), start)?;
//! let mut transcriber = Transcriber::new(start);
//! let mut text = Header::new(wall, config.seed).to_json()?;
//! let mut write = |line: recording::Line<'_>| -> Result<(), recording::RecordingError> {
//!     text.push('\n');
//!     text.push_str(&line.to_json()?);
//!     Ok(())
//! };
//! // The token is validated first; the answer is recorded (what it says, never the token).
//! let Some(output) = client.poll_output() else { unreachable!() };
//! if let Some(line) = transcriber.output(start, wall, &output) { write(line)?; }
//! let Output::ValidateToken { request } = output else { unreachable!() };
//! let token = TokenIdentity::user("my-client", UserId::new("12826"), "twitchdev", Vec::<String>::new());
//! let validated = Input::TokenValidated { request, result: Ok(token) };
//! write(transcriber.input(start, wall, &validated))?;
//! client.handle_input(start, validated)?;
//! let Some(Output::Event(Event::TokenValidated { .. })) = client.poll_output() else { unreachable!() };
//! let Some(output) = client.poll_output() else { unreachable!() };
//! if let Some(line) = transcriber.output(start, wall, &output) { write(line)?; }
//! let Output::Connect { conn, .. } = output else { unreachable!() };
//! let opened = Input::Opened { conn };
//! let now = start + Duration::from_millis(40);
//! write(transcriber.input(now, wall, &opened))?;
//! client.handle_input(now, opened)?;
//!
//! // Replay it on fake time: the same config, any base instant.
//! let events = recording::replay(config, &text, Instant::now())?;
//! // No welcome yet: the validation is all there is to tell the user.
//! assert!(matches!(events.as_slice(), [Event::TokenValidated { .. }]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod line;
mod reader;
mod replay;
mod transcriber;

pub use line::{
    Entry, FORMAT, Header, Line, RecordedClaim, RecordedShards, ShardResultLine, VERSION,
};
pub use reader::{MAX_LINE_BYTES, Recording, RecordingError, RecordingReader};
pub use replay::{ReplayError, Replayer, replay, replay_reader};
pub use transcriber::Transcriber;

#[cfg(test)]
mod tests;
