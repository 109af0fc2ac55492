//! Test support for the twitch-eventsub workspace.
//!
//! [`sim`] holds a sans-IO fake of Twitch's EventSub WebSocket server and a harness that drives
//! `eventsub_proto::Client` against it on fake time: the basis of the scenario tests and the
//! property-based simulation suite in `tests/tests/`.
//
// Test support: a broken test setup should fail loudly, so `expect` and indexing are fine here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

pub mod sim;
