//! The structure-aware target: a [`Scenario`] decoded with `arbitrary` drives a client through
//! valid and damaged frames, closes, connect failures, clock steps, Helix answers and user calls,
//! and the oracle checks the client's invariants after every step.

mod adapter;
mod damage;
mod deliveries;
mod helix;
mod ops;
mod oracle;
mod pool;
mod seeds;
mod setup;
mod twitch;

use arbitrary::{Arbitrary, Unstructured};

pub use ops::{
    ClockStep, CreateOutcome, Damage, DeleteOutcome, Frame, MessageIdChoice, ReconnectUrl, Sent,
    Setup, Step, WallClock, WrongValue,
};
pub use seeds::seeds;

use super::encode::Encode;

/// A whole run: the client's configuration, then steps until the input ends.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Scenario {
    /// The configuration.
    pub setup: Setup,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

impl Scenario {
    /// Decodes a scenario: the setup, then steps while input is left. `None` only if `arbitrary`
    /// refuses the setup.
    pub fn from_bytes(data: &[u8]) -> Option<Self> {
        let mut u = Unstructured::new(data);
        let setup = Setup::arbitrary(&mut u).ok()?;
        let mut steps = Vec::new();
        while !u.is_empty() {
            let Ok(step) = Step::arbitrary(&mut u) else {
                break;
            };
            steps.push(step);
        }
        Some(Self { setup, steps })
    }

    /// The bytes [`Scenario::from_bytes`] decodes into this scenario: how hand-built scenarios
    /// become seed files.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.setup.encode(&mut out);
        for step in &self.steps {
            step.encode(&mut out);
        }
        out
    }
}

/// Decodes `data` as a [`Scenario`] and runs it, checking after every step that the client does
/// not panic, keeps its memory within the configured bounds, knows exactly the sockets the adapter
/// holds, never delivers a message id its duplicate filter promised to catch, never delivers a
/// notification past `stale_after`, tells the user the code and reason of every close it did not
/// ask for, never resubscribes on a graceful handover, and (by construction) never asks for a
/// frame to be sent to Twitch.
pub fn client_ops(data: &[u8]) {
    let Some(scenario) = Scenario::from_bytes(data) else {
        return;
    };
    let Some(mut adapter) = adapter::Adapter::new(&scenario.setup) else {
        return;
    };
    for step in &scenario.steps {
        adapter.step(step);
    }
}
