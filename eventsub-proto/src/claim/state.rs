//! The claim state machine, without I/O or clients: when to read the conduit's shards, which to
//! claim, which claims a read confirms or shows lost, when to grow the conduit. The pool carries
//! out its decisions (a session per claim, closing a lost one's).

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use super::config::ClaimConfig;
use super::error::{ClaimError, ListingError};
use super::held::HeldShard;
use super::listing::{self, ListedShard, MAX_PAGES_PER_READ, ShardStatus};
use crate::error::InputError;
use crate::event::{Event, StopReason};
use crate::ids::{RequestId, SessionId};
use crate::io::{Output, RequestError};
use crate::shard::ShardConfig;
use crate::token::TokenIdentity;

/// What the pool must do for the claims.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Open a session for this shard, and tell [`Claims::placed`] which pool session it is.
    Claim(u32),
    /// Close the session at this pool index: its shard is not ours any more.
    Release(usize),
}

/// One shard this process holds or claims.
#[derive(Debug)]
struct Held {
    /// The pool session that holds it, once placed.
    slot: Option<usize>,
    /// The session last assigned to it, and the count of assignments seen when it was (a read
    /// that started with at least that count started after it).
    assigned: Option<(SessionId, u64)>,
    confirmed: bool,
}

/// The read of every page in flight.
#[derive(Debug)]
struct Read {
    request: RequestId,
    /// Assignments seen when the read started: later ones are not in its snapshot.
    started_after: u64,
    started_at: Instant,
    pages: u32,
    shards: Vec<ListedShard>,
}

/// Where the token's validation stands, before the first read.
#[derive(Debug, PartialEq, Eq)]
enum Token {
    Known,
    /// To ask for (at the instant).
    AskAt(Instant),
    Asked(RequestId),
}

/// The claim state of one pool.
#[derive(Debug)]
pub(crate) struct Claims {
    config: ClaimConfig,
    seed: u64,
    token: Token,
    token_failures: u32,
    read: Option<Read>,
    next_read_at: Instant,
    /// An assignment came while a read was in flight: read again as soon as it ends.
    reread_after_current: bool,
    read_failures: u32,
    resize: Option<RequestId>,
    grow_paused_until: Option<Instant>,
    resize_failures: u32,
    held: BTreeMap<u32, Held>,
    by_slot: BTreeMap<usize, u32>,
    assignments_seen: u64,
    /// Consecutive reads that showed a claim lost (the backoff step).
    conflicts: u32,
    claims_paused_until: Option<Instant>,
    /// Completed reads (the shuffle of each is drawn from the seed and this).
    rounds: u64,
    requests: VecDeque<Output>,
    events: VecDeque<Event>,
    decisions: VecDeque<Decision>,
    stop: Option<StopReason>,
    /// Whether the pool's [`Event::Stopped`] was handed out.
    stop_emitted: bool,
    now: Instant,
}

impl Claims {
    /// Claims as `config` says; the token is validated first when `validate_token`.
    pub(crate) fn new(config: ClaimConfig, seed: u64, validate_token: bool, now: Instant) -> Self {
        Self {
            config,
            seed,
            token: if validate_token {
                Token::AskAt(now)
            } else {
                Token::Known
            },
            token_failures: 0,
            read: None,
            next_read_at: now,
            reread_after_current: false,
            read_failures: 0,
            resize: None,
            grow_paused_until: None,
            resize_failures: 0,
            held: BTreeMap::new(),
            by_slot: BTreeMap::new(),
            assignments_seen: 0,
            conflicts: 0,
            claims_paused_until: None,
            rounds: 0,
            requests: VecDeque::new(),
            events: VecDeque::new(),
            decisions: VecDeque::new(),
            stop: None,
            stop_emitted: false,
            now,
        }
    }

    fn shard(&self, shard_id: u32) -> ShardConfig {
        ShardConfig::new(self.config.conduit_id.clone(), shard_id)
    }

    fn after(&self, delay: Duration) -> Instant {
        // Delays are bounded by `MAX_TIMEOUT`: only an `Instant` near its end could overflow.
        self.now.checked_add(delay).unwrap_or(self.now)
    }

    /// Time passed: asks for what is due (the token's validation, a read).
    pub(crate) fn tick(&mut self, now: Instant, ids: &mut u64) {
        self.now = self.now.max(now);
        if self.stop.is_some() {
            return;
        }
        match self.token {
            Token::Known => {}
            Token::AskAt(at) if at <= self.now => {
                let request = RequestId::next(ids);
                self.token = Token::Asked(request);
                self.requests.push_back(Output::ValidateToken { request });
                return;
            }
            Token::AskAt(_) | Token::Asked(_) => return,
        }
        if self.read.is_none() && self.next_read_at <= self.now {
            let request = RequestId::next(ids);
            self.read = Some(Read {
                request,
                started_after: self.assignments_seen,
                started_at: self.now,
                pages: 1,
                shards: Vec::new(),
            });
            self.requests.push_back(Output::ReadConduitShards {
                request,
                conduit_id: self.config.conduit_id.clone(),
                after: None,
            });
        }
    }

    /// When [`Claims::tick`] is next needed.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        if self.stop.is_some() {
            return None;
        }
        match self.token {
            Token::AskAt(at) => Some(at),
            Token::Asked(_) => None,
            Token::Known => self.read.is_none().then_some(self.next_read_at),
        }
    }

    /// The answer to the token validation asked before the first read.
    pub(crate) fn token_validated(
        &mut self,
        request: RequestId,
        result: Result<TokenIdentity, RequestError>,
    ) -> Result<(), InputError> {
        if self.token != Token::Asked(request) {
            return Err(InputError::UnknownRequest { request });
        }
        match result {
            // Conduits take an app access token; a user token names its user.
            Ok(identity) if identity.user_id.is_some() => self.stop(StopReason::UserTokenForShard),
            Ok(identity) => {
                self.token = Token::Known;
                self.next_read_at = self.now;
                self.events.push_back(Event::TokenValidated { identity });
            }
            Err(RequestError::Unauthorized { message }) => {
                self.stop(StopReason::Unauthorized { message });
            }
            Err(_) => {
                let seed = self.seed.rotate_left(16);
                let delay = step(&self.config.backoff, &mut self.token_failures, seed);
                self.token = Token::AskAt(self.after(delay));
            }
        }
        Ok(())
    }

    /// A page of the read in flight came (or its request failed).
    pub(crate) fn page_read(
        &mut self,
        request: RequestId,
        result: Result<String, RequestError>,
        ids: &mut u64,
    ) -> Result<(), InputError> {
        let Some(read) = self.read.as_mut().filter(|read| read.request == request) else {
            return Err(InputError::UnknownRequest { request });
        };
        if self.stop.is_some() {
            self.read = None; // stopping: the answer changes nothing
            return Ok(());
        }
        let body = match result {
            Ok(body) => body,
            Err(error) => {
                self.read_failed(ClaimError::Read(error));
                return Ok(());
            }
        };
        let room = (super::MAX_CONDUIT_SHARDS as usize).saturating_sub(read.shards.len());
        let page = match listing::parse_page(&body, room) {
            Ok(page) => page,
            Err(error) => {
                self.read_failed(ClaimError::Listing(error));
                return Ok(());
            }
        };
        read.shards.extend(page.shards);
        let Some(cursor) = page.cursor else {
            if let Some(read) = self.read.take() {
                self.read_complete(read, ids);
            }
            return Ok(());
        };
        if read.pages >= MAX_PAGES_PER_READ {
            self.read_failed(ClaimError::Listing(ListingError::TooManyPages {
                max: MAX_PAGES_PER_READ,
            }));
            return Ok(());
        }
        read.pages += 1;
        read.request = RequestId::next(ids);
        self.requests.push_back(Output::ReadConduitShards {
            request: read.request,
            conduit_id: self.config.conduit_id.clone(),
            after: Some(cursor),
        });
        Ok(())
    }

    /// The read failed: told, and tried again after a backoff delay no longer than the reread
    /// interval (the held shards must still be checked that often).
    fn read_failed(&mut self, error: ClaimError) {
        self.read = None;
        let seed = self.seed.rotate_left(32) ^ self.rounds;
        let delay = step(&self.config.backoff, &mut self.read_failures, seed)
            .min(self.config.reread_interval);
        let retry_at = self.after(delay);
        self.next_read_at = retry_at;
        self.events.push_back(Event::ClaimFailed {
            error,
            retry_at,
            retry_in: delay,
        });
    }

    /// A complete listing: settle the claims it can speak for, then claim or grow.
    fn read_complete(&mut self, read: Read, ids: &mut u64) {
        self.read_failures = 0;
        self.rounds = self.rounds.wrapping_add(1);
        self.next_read_at = if self.reread_after_current {
            self.now
        } else {
            read.started_at
                .checked_add(self.config.reread_interval)
                .unwrap_or(self.now)
        };
        self.reread_after_current = false;
        let listed: BTreeMap<u32, ListedShard> = read
            .shards
            .into_iter()
            .map(|shard| (shard.id, shard))
            .collect();
        let lost = self.settle(&listed, read.started_after);
        if lost {
            self.pause_claims();
        } else {
            self.conflicts = 0;
        }
        if self
            .claims_paused_until
            .is_some_and(|until| until > self.now)
        {
            return;
        }
        self.claim_or_grow(&listed, ids);
    }

    /// Confirms or releases every held shard the listing can speak for (a read that started
    /// after its latest assignment). Whether a claim was lost.
    fn settle(&mut self, listed: &BTreeMap<u32, ListedShard>, started_after: u64) -> bool {
        let mut lost = Vec::new();
        for (shard_id, held) in &mut self.held {
            let Some((ours, assigned_when)) = &held.assigned else {
                continue; // not assigned yet: nothing to settle
            };
            if started_after < *assigned_when {
                continue; // the read's snapshot predates the assignment
            }
            let on_shard = listed.get(shard_id).map(|shard| shard.session_id.as_ref());
            match on_shard {
                Some(Some(listed)) if listed == ours => {
                    if !held.confirmed {
                        held.confirmed = true;
                        self.events.push_back(Event::ShardClaimed {
                            shard: ShardConfig::new(self.config.conduit_id.clone(), *shard_id),
                            session_id: ours.clone(),
                        });
                    }
                }
                // Another session, none, or not in the conduit any more.
                Some(other) => lost.push((*shard_id, other.cloned())),
                None => lost.push((*shard_id, None)),
            }
        }
        let any = !lost.is_empty();
        for (shard_id, taken_by) in lost {
            self.release(shard_id, taken_by, true);
        }
        any
    }

    /// Takes free shards, in a seeded order, up to `max_shards`; or grows the conduit when none
    /// is free and it may.
    fn claim_or_grow(&mut self, listed: &BTreeMap<u32, ListedShard>, ids: &mut u64) {
        let wanted = self.config.max_shards.saturating_sub(self.held.len());
        if wanted == 0 {
            return;
        }
        let mut free: Vec<u32> = listed
            .values()
            .filter(|shard| shard.status == ShardStatus::Disabled)
            .map(|shard| shard.id)
            .filter(|id| !self.held.contains_key(id))
            .collect();
        if free.is_empty() {
            self.grow(listed.len(), wanted, ids);
            return;
        }
        let mut rng =
            fastrand::Rng::with_seed(self.seed ^ self.rounds.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        rng.shuffle(&mut free);
        for shard_id in free.into_iter().take(wanted) {
            self.held.insert(
                shard_id,
                Held {
                    slot: None,
                    assigned: None,
                    confirmed: false,
                },
            );
            self.decisions.push_back(Decision::Claim(shard_id));
        }
    }

    /// Raises the conduit's shard count by what this process lacks, within the cap.
    fn grow(&mut self, count: usize, wanted: usize, ids: &mut u64) {
        let Some(cap) = self.config.grow_to else {
            return;
        };
        if self.resize.is_some() || self.grow_paused_until.is_some_and(|until| until > self.now) {
            return;
        }
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        let wanted = u32::try_from(wanted).unwrap_or(u32::MAX);
        let target = count.saturating_add(wanted).min(cap);
        if target <= count {
            return; // at the cap (or past it): never shrink
        }
        let request = RequestId::next(ids);
        self.resize = Some(request);
        self.requests.push_back(Output::ResizeConduit {
            request,
            conduit_id: self.config.conduit_id.clone(),
            shard_count: target,
        });
    }

    /// Update Conduits answered: read again at once (the new shards are free; growing again waits
    /// a re-read interval), or try growing again after a backoff delay.
    pub(crate) fn resized(
        &mut self,
        request: RequestId,
        result: Result<u32, RequestError>,
    ) -> Result<(), InputError> {
        if self.resize != Some(request) {
            return Err(InputError::UnknownRequest { request });
        }
        self.resize = None;
        if self.stop.is_some() {
            return Ok(());
        }
        match result {
            Ok(_) => {
                self.resize_failures = 0;
                // At most one growth a re-read interval: a conduit that answers the resize but
                // does not grow (or another process setting it back) must not drive a loop of
                // resizes and reads.
                self.grow_paused_until = Some(self.after(self.config.reread_interval));
                self.read_soon();
            }
            Err(error) => {
                let seed = self.seed.rotate_left(24);
                let delay = step(&self.config.backoff, &mut self.resize_failures, seed);
                let retry_at = self.after(delay);
                self.grow_paused_until = Some(retry_at);
                self.events.push_back(Event::ClaimFailed {
                    error: ClaimError::Resize(error),
                    retry_at,
                    retry_in: delay,
                });
            }
        }
        Ok(())
    }

    /// A claim was lost: no new claim (nor growth) for the next backoff delay, after which a
    /// read comes at once, not a whole interval later.
    fn pause_claims(&mut self) {
        let seed = self.seed.rotate_left(40) ^ self.rounds;
        let delay = step(&self.config.backoff, &mut self.conflicts, seed);
        let until = self.after(delay);
        self.claims_paused_until = Some(until);
        if self.read.is_none() {
            self.next_read_at = self.next_read_at.min(until);
        }
    }

    /// A read as soon as one may start (one in flight at a time).
    fn read_soon(&mut self) {
        if self.read.is_some() {
            self.reread_after_current = true;
        } else {
            self.next_read_at = self.now;
        }
    }

    /// Gives `shard_id` up: its session is closed (`close`) unless it stopped already.
    fn release(&mut self, shard_id: u32, taken_by: Option<SessionId>, close: bool) {
        let Some(held) = self.held.remove(&shard_id) else {
            return;
        };
        if let Some(slot) = held.slot {
            self.by_slot.remove(&slot);
            if close {
                self.decisions.push_back(Decision::Release(slot));
            }
        }
        self.events.push_back(Event::ShardReleased {
            shard: self.shard(shard_id),
            taken_by,
        });
    }

    /// The pool opened pool session `slot` for the claim of `shard_id`.
    pub(crate) fn placed(&mut self, shard_id: u32, slot: usize) {
        if let Some(held) = self.held.get_mut(&shard_id) {
            held.slot = Some(slot);
            self.by_slot.insert(slot, shard_id);
        }
    }

    /// The pool could not open a session for the claim of `shard_id`: it is not claimed.
    pub(crate) fn not_placed(&mut self, shard_id: u32) {
        self.held.remove(&shard_id);
    }

    /// Pool session `slot` said Twitch assigned `session_id` to its shard: believed held from
    /// now; a read that starts from now on settles it, and one is asked for at once.
    pub(crate) fn assigned(&mut self, slot: usize, session_id: SessionId) {
        let Some(held) = self
            .by_slot
            .get(&slot)
            .and_then(|shard_id| self.held.get_mut(shard_id))
        else {
            return;
        };
        self.assignments_seen = self.assignments_seen.saturating_add(1);
        held.assigned = Some((session_id, self.assignments_seen));
        self.read_soon();
    }

    /// Pool session `slot` stopped on its own (its shard refused for good, or out of
    /// attempts): released like a lost claim. Whether the slot held a claim.
    pub(crate) fn stopped_alone(&mut self, slot: usize) -> bool {
        let Some(shard_id) = self.by_slot.get(&slot).copied() else {
            return false;
        };
        self.release(shard_id, None, false);
        self.pause_claims();
        true
    }

    /// The shard pool session `slot` holds for the claims, if any.
    pub(crate) fn shard_of(&self, slot: usize) -> Option<u32> {
        self.by_slot.get(&slot).copied()
    }

    /// Every shard held or being claimed.
    pub(crate) fn held_shards(&self) -> Vec<HeldShard> {
        self.held
            .iter()
            .filter_map(|(shard_id, held)| {
                Some(HeldShard {
                    shard_id: *shard_id,
                    session_index: held.slot?,
                    assigned_session: held.assigned.as_ref().map(|(session, _)| session.clone()),
                    confirmed: held.confirmed,
                })
            })
            .collect()
    }

    /// No more reads or claims; the pool stops for `reason` (the first one given).
    pub(crate) fn stop(&mut self, reason: StopReason) {
        self.stop.get_or_insert(reason);
    }

    /// The reason of the pool's [`Event::Stopped`], once: when it stopped and every event of the
    /// claims was handed out.
    pub(crate) fn take_final_stop(&mut self) -> Option<StopReason> {
        if self.stop_emitted || !self.events.is_empty() {
            return None;
        }
        let reason = self.stop.clone()?;
        self.stop_emitted = true;
        Some(reason)
    }

    /// Whether the pool's [`Event::Stopped`] is due and not handed out.
    pub(crate) fn final_stop_pending(&self) -> bool {
        self.stop.is_some() && !self.stop_emitted
    }

    /// The conduit.
    pub(crate) fn conduit_id(&self) -> crate::ids::ConduitId {
        self.config.conduit_id.clone()
    }

    /// Why the pool stops, once it does.
    pub(crate) fn stop_reason(&self) -> Option<&StopReason> {
        self.stop.as_ref()
    }

    /// The next request to make (a validation, a read, a resize).
    pub(crate) fn pop_request(&mut self) -> Option<Output> {
        self.requests.pop_front()
    }

    /// The next event for the user.
    pub(crate) fn pop_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Whether events wait.
    pub(crate) fn holds_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// The next thing the pool must do.
    pub(crate) fn pop_decision(&mut self) -> Option<Decision> {
        self.decisions.pop_front()
    }
}

/// The delay after `failures` failures in a row, counting this one.
fn step(backoff: &crate::backoff::BackoffConfig, failures: &mut u32, seed: u64) -> Duration {
    let delay = backoff.delay(*failures, seed);
    *failures = failures.saturating_add(1);
    delay
}
