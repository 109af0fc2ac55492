//! Deterministic simulation: a fake Twitch ([`FakeTwitch`]) and a [`Harness`] that connects it to a
//! real `eventsub_proto::Client` with one fake clock.

mod harness;
mod twitch;

pub use eventsub_mock::frames::Frames;
pub use harness::{Harness, PendingCreate};
pub use twitch::{FakeSocket, FakeTwitch, SentNotification, SocketState};
