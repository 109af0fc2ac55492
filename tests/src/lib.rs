//! Test support for the twitch-eventsub workspace.
//!
//! - [`sim`]: a sans-IO fake of Twitch's EventSub WebSocket server and a harness that drives
//!   `eventsub_proto::Client` against it on fake time — the basis of the scenario tests and the
//!   property-based simulation suite in `tests/tests/`.
//! - [`mock_helix`]: a mock Helix server on 127.0.0.1 that behaves like Twitch's, for tests of
//!   `eventsub-helix` over real HTTP.
//! - [`mock_eventsub`]: a mock EventSub WebSocket server on 127.0.0.1 that serves the mock Helix
//!   API on the same port, for end-to-end tests of the runtime adapters over real sockets.
//! - [`measure`]: a thread's CPU time and the process's resident memory, for the benchmarks.
//! - [`soak`]: the schedule, accounting and figures of the fault-injection soak
//!   (`tests/tests/soak/`).

pub mod measure;
pub mod mock_eventsub;
pub mod mock_helix;
pub mod sim;
pub mod soak;
