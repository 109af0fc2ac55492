//! Entry points of the fuzz targets in `fuzz/` and of the stable test that replays their corpus
//! (`tests/tests/fuzz_corpus.rs`). Compiled only with the `fuzzing` feature: applications never
//! build `arbitrary`.
//!
//! Every entry point takes arbitrary bytes, so a cargo-fuzz target is one line and a corpus file
//! replays on the stable toolchain through exactly the code the fuzzer ran. None of them may
//! panic on any input; the ones that drive a [`Client`](crate::Client) assert its invariants
//! (memory bounded, no duplicate delivery, closes reported with their code and reason) after
//! every step, so a broken invariant is a crash the fuzzer keeps.
//!
//! | target | what it feeds |
//! |---|---|
//! | [`envelope`] | arbitrary bytes as one frame |
//! | [`close_code`] | two bytes as a close code |
//! | [`client_inputs`] | a byte-coded sequence of raw inputs |
//! | [`typed_event`] | a (type, version, payload) triple to the typed event decoder |
//! | [`client_ops`] | a structure-aware scenario ([`Scenario`]) built with `arbitrary` |
//! | [`url_and_close_reason`] | a reconnect URL and a close code and reason |
//! | [`claim_listings`] | Get Conduit Shards pages and Update Conduits answers to a claiming pool |

mod claim_listings;
mod client_inputs;
mod client_ops;
mod close_code;
mod encode;
mod envelope;
mod frames;
mod text;
mod typed_event;
mod url_and_close_reason;

pub use claim_listings::claim_listings;
pub use client_inputs::client_inputs;
pub use client_ops::{
    ClockStep, CreateOutcome, Damage, DeleteOutcome, Frame, MessageIdChoice, ReconnectUrl,
    Scenario, Sent, Setup, Step, WallClock, WrongValue, client_ops, seeds as client_ops_seeds,
};
pub use close_code::close_code;
pub use envelope::envelope;
pub use text::Text;
pub use typed_event::{typed_event, typed_event_seed};
pub use url_and_close_reason::{url_and_close_reason, url_and_close_reason_seed};
