//! One token validation at a time for every session of a pool: the sessions of one token ask at
//! once (a pool's start, a 401 seen by several), and a thousand shards must not make a thousand
//! calls. The first request goes out; the sessions that ask while it is in flight get its answer.

use crate::ids::RequestId;
use crate::io::Output;

/// The validation in flight and who waits for its answer.
#[derive(Debug, Default)]
pub(super) struct Coalesced {
    /// The request that went out.
    in_flight: Option<RequestId>,
    /// The sessions that asked meanwhile, with their own request ids.
    waiting: Vec<(usize, RequestId)>,
}

impl Coalesced {
    /// Session `index` asks for `output`: passed on, or (a validation while one is in flight)
    /// kept to be answered with that one's result.
    pub(super) fn pass(&mut self, index: usize, output: Output) -> Option<Output> {
        let Output::ValidateToken { request } = output else {
            return Some(output);
        };
        if self.in_flight.is_some() {
            self.waiting.push((index, request));
            return None;
        }
        self.in_flight = Some(request);
        Some(output)
    }

    /// The answer to `request` came: the sessions that wait for the same answer, if `request` is
    /// the validation in flight.
    pub(super) fn answered(&mut self, request: RequestId) -> Option<Vec<(usize, RequestId)>> {
        if self.in_flight != Some(request) {
            return None;
        }
        self.in_flight = None;
        Some(std::mem::take(&mut self.waiting))
    }
}
