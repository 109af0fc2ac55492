//! Deterministic simulation: a fake Twitch ([`FakeTwitch`]) and a [`Harness`] that connects it to a
//! real `eventsub_proto::Client` with one fake clock.

mod frames;
mod harness;
mod twitch;

pub use frames::Frames;
pub use harness::{Harness, PendingCreate};
pub use twitch::{FakeSocket, FakeTwitch, SentNotification, SocketState};
