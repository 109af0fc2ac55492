//! Test support for the twitch-eventsub workspace.
//!
//! - [`sim`]: a sans-IO fake of Twitch's EventSub WebSocket server and a harness that drives
//!   `eventsub_proto::Client` against it on fake time — the basis of the scenario tests and the
//!   property-based simulation suite in `tests/tests/`.
//!
//! The mock EventSub and Helix servers the end-to-end tests run against are the publishable
//! `eventsub-mock` crate, used here exactly as an app's tests use it.
//! - [`secrets`]: the check that no token or secret shows in text.
//! - [`measure`]: a thread's CPU time and the process's resident memory, for the benchmarks.
//! - [`soak`]: the schedule, accounting and figures of the fault-injection soak
//!   (`tests/tests/soak/`).

pub mod chat_load;
pub mod measure;
pub mod recording_buffer;
pub mod secrets;
pub mod sim;
pub mod soak;
