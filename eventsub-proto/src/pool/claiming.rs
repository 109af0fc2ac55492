//! A pool that claims its shards of a conduit instead of being told them (see [`crate::claim`]):
//! it starts with no session, and opens or closes one per shard as its claims decide.

use std::time::Instant;

use super::{Kind, Pool};
use crate::claim::state::{Claims, Decision};
use crate::claim::{ClaimConfig, HeldShard};
use crate::client::Client;
use crate::config::Config;
use crate::error::{ConfigError, InputError};
use crate::event::{Event, StopReason};
use crate::ids::RequestId;
use crate::io::{Input, Output};
use crate::shard::ShardConfig;

impl Pool {
    /// Claims shards of conduit `claim.conduit_id` among other processes doing the same, with no
    /// coordinator but the conduit (see [`crate::claim`] for the rules and the promise): up to
    /// `claim.max_shards` shards, one WebSocket session each, driven and merged as in
    /// [`Pool::conduit_shards`]. It starts with no session: it validates the token (with
    /// [`Config::validate_token`]), reads the conduit's shards, and opens a session for each
    /// shard it claims. Claims confirmed come as [`Event::ShardClaimed`], lost ones as
    /// [`Event::ShardReleased`], failed reads as [`Event::ClaimFailed`].
    ///
    /// `config` must not name a shard or subscriptions itself (they belong to the conduit).
    ///
    /// ```
    /// use std::time::Instant;
    /// use eventsub_proto::{ClaimConfig, ConduitId, Config, Output, Pool};
    /// let mut config = Config::default();
    /// config.validate_token = false;
    /// let claim = ClaimConfig::new(ConduitId::new("bfcfc993-26b1-b876-44d9-afe75a379dac"), 2);
    /// let mut pool = Pool::claim_shards(config, claim, Instant::now())?;
    /// assert!(matches!(pool.poll_output(), Some(Output::ReadConduitShards { after: None, .. })));
    /// assert_eq!(pool.sessions(), 0);
    /// # Ok::<(), eventsub_proto::ConfigError>(())
    /// ```
    pub fn claim_shards(
        config: Config,
        claim: ClaimConfig,
        now: Instant,
    ) -> Result<Self, ConfigError> {
        config.validate()?;
        claim.validate()?;
        if config.shard.is_some() {
            return Err(ConfigError::ShardNamedTwice);
        }
        // What every claim's session will be must be a valid config (no subscriptions, one
        // session): refused now, not at the first claim.
        member_config(&config, ShardConfig::new(claim.conduit_id.clone(), 0)).validate()?;
        let claims = Claims::new(claim, config.seed, config.validate_token, now);
        let mut pool = Self::of(config, Vec::new(), Kind::Claim, now);
        pool.claims = Some(Box::new(claims));
        pool.claim_step();
        Ok(pool)
    }

    /// The shards this pool holds or is claiming, by shard id: the pool session of each, the
    /// session last assigned to it, whether a read confirmed it. Empty for other pools.
    pub fn held_shards(&self) -> Vec<HeldShard> {
        self.claims
            .as_ref()
            .map(|claims| claims.held_shards())
            .unwrap_or_default()
    }

    /// The answer to one of the claims' own requests.
    pub(super) fn claim_answered(
        &mut self,
        input: Input<'_>,
        request: RequestId,
    ) -> Result<(), InputError> {
        let Some(claims) = self.claims.as_mut() else {
            return Err(InputError::UnknownRequest { request });
        };
        let result = match input {
            Input::TokenValidated { result, .. } => claims.token_validated(request, result),
            Input::ConduitShardsRead { result, .. } => {
                claims.page_read(request, result, &mut self.last_request)
            }
            Input::ConduitResized { result, .. } => claims.resized(request, result),
            _ => Err(InputError::UnknownRequest { request }),
        };
        self.claim_step();
        result
    }

    /// Lets the claims ask for what is due, and carries out their decisions.
    pub(super) fn claim_step(&mut self) {
        let Some(claims) = self.claims.as_mut() else {
            return;
        };
        claims.tick(self.now, &mut self.last_request);
        if let Some(reason) = claims.stop_reason().cloned() {
            if !self.merge.stopping() {
                self.stop_all(reason);
            }
            return;
        }
        let mut reusable = None;
        while let Some(decision) = self
            .claims
            .as_mut()
            .and_then(|claims| claims.pop_decision())
        {
            match decision {
                Decision::Claim(shard_id) => {
                    let free = reusable.get_or_insert_with(|| self.reusable_slots());
                    let slot = free.pop();
                    self.open_claim(shard_id, slot);
                }
                Decision::Release(slot) => {
                    if let Some(member) = self.members.get_mut(slot) {
                        member.shutdown(self.now);
                    }
                    self.touch(slot);
                }
            }
        }
    }

    /// Every session stops; the pool's [`Event::Stopped`] says `reason`.
    pub(super) fn stop_all(&mut self, reason: StopReason) {
        if let Some(claims) = self.claims.as_mut() {
            claims.stop(reason);
        }
        self.merge.stop_from(0);
        for member in &mut self.members {
            member.shutdown(self.now);
        }
        self.touch_all();
    }

    /// Pool sessions that stopped, hold no socket and no output, and no claim: a new claim
    /// takes one of them before the pool grows (last in the list first).
    fn reusable_slots(&self) -> Vec<usize> {
        let mut free: Vec<usize> = (0..self.members.len())
            .filter(|index| {
                self.claims
                    .as_ref()
                    .is_some_and(|claims| claims.shard_of(*index).is_none())
                    && !self.activity.is_queued(*index)
                    && self.members.get(*index).is_some_and(|member| {
                        member.is_stopped() && member.stats().connections == 0
                    })
            })
            .collect();
        free.reverse();
        free
    }

    /// A session for the claim of `shard_id`, in `slot` (a stopped session's) or a new one.
    fn open_claim(&mut self, shard_id: u32, slot: Option<usize>) {
        let Some(claims) = self.claims.as_mut() else {
            return;
        };
        let config = member_config(
            &self.template,
            ShardConfig::new(claims.conduit_id(), shard_id),
        );
        let index = slot.unwrap_or(self.members.len());
        let member = match self.members.get(index) {
            Some(previous) => {
                Client::in_session_after(config, self.now, super::session_number(index), previous)
            }
            None => Client::in_session(config, self.now, super::session_number(index)),
        };
        let Ok(member) = member else {
            // Checked by `claim_shards`: a valid template makes a valid session.
            claims.not_placed(shard_id);
            return;
        };
        match self.members.get_mut(index) {
            Some(place) => {
                *place = member;
                self.activity.replaced(index);
            }
            None => self.members.push(member),
        }
        claims.placed(shard_id, index);
        self.touch(index);
    }

    /// The claims' next request or event.
    pub(super) fn claim_output(&mut self) -> Option<Output> {
        let claims = self.claims.as_mut()?;
        if let Some(request) = claims.pop_request() {
            // The token's validation is shared with the sessions that ask meanwhile.
            return self
                .validation
                .pass(usize::from(crate::ids::POOL_SESSION), request);
        }
        claims.pop_event().map(Output::Event)
    }

    /// The claims' next request (for [`Pool::poll_action`]).
    pub(super) fn claim_action(&mut self) -> Option<Output> {
        let request = self.claims.as_mut()?.pop_request()?;
        self.validation
            .pass(usize::from(crate::ids::POOL_SESSION), request)
    }

    /// What session `index`'s `output` tells the claims; what of it goes on to the user.
    pub(super) fn claim_seen(&mut self, index: usize, output: Output) -> Option<Output> {
        let Some(claims) = self.claims.as_mut() else {
            return Some(output);
        };
        match &output {
            Output::Event(Event::ShardAssigned { session_id, .. }) => {
                claims.assigned(index, session_id.clone());
                self.claim_step();
                Some(output)
            }
            Output::Event(Event::Stopped { .. }) => {
                // Stopping as a whole, or released by the claims: the pool's own events say it.
                if claims.stop_reason().is_some() || !claims.stopped_alone(index) {
                    return None;
                }
                self.claim_step();
                Some(output)
            }
            _ => Some(output),
        }
    }

    /// The pool's one [`Event::Stopped`], once the claims stopped and every session did.
    pub(super) fn claim_final_stop(&mut self) -> Option<Output> {
        if !self.members.iter().all(Client::is_stopped) {
            return None;
        }
        let reason = self.claims.as_mut()?.take_final_stop()?;
        Some(Output::Event(Event::Stopped { reason }))
    }

    /// Whether the claiming pool has stopped for good.
    pub(super) fn claims_stopped(&self) -> bool {
        self.claims
            .as_ref()
            .is_some_and(|claims| claims.stop_reason().is_some())
            && self.members.iter().all(Client::is_stopped)
    }
}

/// The config of the session that holds `shard`, made from the pool's.
fn member_config(template: &Config, shard: ShardConfig) -> Config {
    let seed = template
        .seed
        .wrapping_add(u64::from(shard.shard_id).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    Config {
        shard: Some(shard),
        // As in `conduit_shards`: the pool's filter across the shards sees every message.
        dedup_max_entries: 1,
        dedup_max_bytes: crate::dedup::BYTES_PER_ENTRY,
        // Each session its own jitter, so that sessions dropped together do not retry together.
        seed,
        ..template.clone()
    }
}
