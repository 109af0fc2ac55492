//! The seeded random fault schedule: rounds of notifications with faults between them.
//!
//! A round is 20 to 150 notifications. Between any two, with small probabilities, comes a fault
//! that keeps the session (a graceful reconnect, a reconnect storm, the server's clock moved up to
//! four minutes either way, the consumer stalled for 0.2–2 s, a batch bomb, a duplicate sent again later, delayed frames, a
//! frame that is not JSON or lacks fields, a Helix 429 or 5xx) or a pause of a few milliseconds, so
//! faults land at varied moments of the client's life: mid-burst, mid-handover, mid-resubscription.
//! Two rounds in three carry a fault that breaks the session (a TCP drop, a close code 4000–4007,
//! keepalive silence, a ping flood, an oversized frame, a stale reconnect URL) at a random position, sometimes a
//! second one that then hits the client while it is still recovering. One notification in twelve
//! is delivered twice on its socket or on every socket of the session (which, during a handover,
//! puts it on the old and the new socket). The first rounds also carry every kind of fault once,
//! in a shuffled order, so even a short run meets all of them.

use std::time::Duration;

use super::fault::Fault;
use super::rng::Rng;
use eventsub_mock::helix::Fault as HelixFault;
use eventsub_mock::{BadFrame, Delivery};

/// One thing the driver does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Send one notification of the soak's subscription.
    Notify(Delivery),
    /// Inject a fault.
    Fault(Fault),
    /// Wait a little, so the next step lands at another moment.
    Pause(Duration),
}

/// Rounds of steps, all from one seed.
#[derive(Clone, Debug)]
pub struct Schedule {
    rng: Rng,
    /// Faults not met yet, taken one per round until none is left.
    coverage: Vec<Fault>,
}

impl Schedule {
    /// The schedule of `seed`.
    pub fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let mut coverage = Fault::every_kind();
        rng.shuffle(&mut coverage);
        Self { rng, coverage }
    }

    /// The next round's steps.
    pub fn round(&mut self) -> Vec<Step> {
        let notifications = self.rng.range(20, 150) as usize;
        let mut placed: Vec<(usize, Fault)> = Vec::new();
        if let Some(fault) = self.coverage.pop() {
            placed.push((self.rng.index(notifications), fault));
        }
        if self.rng.chance(650) {
            placed.push((self.rng.index(notifications), self.session_breaking()));
            if self.rng.chance(300) {
                placed.push((self.rng.index(notifications), self.session_breaking()));
            }
        }
        let mut steps = Vec::with_capacity(notifications + notifications / 8 + placed.len());
        for position in 0..notifications {
            for (_, fault) in placed.iter().filter(|(at, _)| *at == position) {
                steps.push(Step::Fault(fault.clone()));
            }
            steps.push(Step::Notify(self.delivery()));
            if self.rng.chance(40) {
                steps.push(Step::Fault(self.session_keeping()));
            }
            if self.rng.chance(30) {
                steps.push(Step::Pause(Duration::from_millis(self.rng.range(1, 10))));
            }
        }
        steps
    }

    fn delivery(&mut self) -> Delivery {
        *self
            .rng
            .weighted(&[
                (920, Delivery::Once),
                (40, Delivery::Twice),
                (40, Delivery::EverySocket),
            ])
            .unwrap_or(&Delivery::Once)
    }

    fn session_breaking(&mut self) -> Fault {
        let mut choices = vec![
            (6, Fault::Drop),
            (2, Fault::Silence),
            (3, Fault::oversized()),
            (3, Fault::StaleReconnect),
            (2, Fault::ping_flood()),
            // 4001 ends the client for good (it must not reconnect): rarer, it costs a restart.
            (1, Fault::Close(4001)),
        ];
        choices
            .extend([4000, 4002, 4003, 4004, 4005, 4006, 4007].map(|code| (2, Fault::Close(code))));
        self.rng.weighted(&choices).cloned().unwrap_or(Fault::Drop)
    }

    fn session_keeping(&mut self) -> Fault {
        let delay = Fault::Delay {
            per_frame: Duration::from_millis(self.rng.range(1, 3)),
            frames: self.rng.range(5, 40) as usize,
        };
        let status = *self
            .rng
            .weighted(&[(1, 500), (1, 502), (1, 503)])
            .unwrap_or(&503);
        let count = self.rng.range(1, 3) as usize;
        let helix = if self.rng.chance(500) {
            HelixFault::RateLimited { reset_in_secs: 0 }
        } else {
            HelixFault::ServerError(status)
        };
        let storm = Fault::ReconnectStorm {
            count: self.rng.range(3, 8) as usize,
            every: Duration::from_millis(self.rng.range(5, 60)),
        };
        // Within four minutes either way: a real clock does not jump, and the client's stale check
        // (10 min, the offset estimated at each welcome and capped at 5 min that way) holds a
        // jump of up to 8 min between two estimates, which is what the mock's jumps here are.
        let skew = Fault::ClockSkew {
            by: Duration::from_secs(self.rng.range(0, 240)),
            ahead: self.rng.chance(500),
        };
        let stall = Fault::StalledConsumer {
            pause: Duration::from_millis(self.rng.range(200, 2000)),
        };
        let choices = [
            (3, Fault::GracefulReconnect),
            (1, stall),
            (1, Fault::batch_bomb()),
            (1, storm),
            (1, skew),
            (4, Fault::SendAgain),
            (2, delay),
            (2, Fault::Bad(BadFrame::NotJson)),
            (2, Fault::Bad(BadFrame::MissingFields)),
            (
                2,
                Fault::Helix {
                    fault: helix,
                    count,
                },
            ),
        ];
        self.rng
            .weighted(&choices)
            .cloned()
            .unwrap_or(Fault::SendAgain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_replays_the_same_rounds() {
        let (mut a, mut b) = (Schedule::new(9), Schedule::new(9));
        for _ in 0..5 {
            assert_eq!(a.round(), b.round());
        }
    }

    #[test]
    fn the_first_rounds_meet_every_kind_of_fault() {
        let mut schedule = Schedule::new(1);
        let kinds = Fault::every_kind().len();
        let met: Vec<Fault> = (0..kinds)
            .flat_map(|_| schedule.round())
            .filter_map(|step| match step {
                Step::Fault(fault) => Some(fault),
                _ => None,
            })
            .collect();
        for kind in Fault::every_kind() {
            assert!(
                met.iter().any(|fault| fault.kind() == kind.kind()),
                "{kind} never comes"
            );
        }
    }
}
