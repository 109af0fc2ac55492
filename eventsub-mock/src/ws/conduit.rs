//! Conduits on the WebSocket side: notifications of conduit subscriptions spread over the
//! conduit's enabled shards (retried once on another shard when the chosen one fails, as Twitch
//! does), shards disabled with the status their session ended with, `conduit.shard.disabled`
//! notifications, and faults per shard.

use serde_json::Value;

use super::payloads;
use super::record::{Ended, SocketId};
use super::state::{Outgoing, Shared, SocketCommand};
use crate::helix::{DisabledShard, MockSubscription, MockTransport};

/// The subscription type Twitch notifies when a shard is disabled.
pub const SHARD_DISABLED: &str = "conduit.shard.disabled";

/// Where a notification of a conduit subscription went.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShardDelivery {
    /// The conduit.
    pub conduit_id: String,
    /// The shard that took it.
    pub shard_id: usize,
    /// 1 when the first shard chosen took it, 2 when it was retried on another one.
    pub attempt: u8,
}

/// Which shard a queued conduit notification was given to, and on which attempt: what a socket
/// that cannot send it hands back.
#[derive(Clone, Debug)]
pub(crate) struct Reroute {
    conduit_id: String,
    shard_id: usize,
    attempt: u8,
}

/// A fault injected into one shard of a conduit ([`MockEventSub::fault_shard`]).
///
/// [`MockEventSub::fault_shard`]: super::MockEventSub::fault_shard
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShardFault {
    /// The shard's session is closed with this code; the shard is disabled with the status Twitch
    /// gives that code (4000 `websocket_internal_error`, 4002 `websocket_failed_ping_pong`, 4004
    /// `websocket_failed_to_reconnect`, 4005 `websocket_network_timeout`, 4006
    /// `websocket_network_error`, others `websocket_disconnected`).
    Close(u16),
    /// The shard's TCP connection is dropped without a close frame: `websocket_network_error`.
    Drop,
    /// The shard's socket stops sending keepalives (its client should find it dead).
    Silence,
    /// The shard stays enabled but fails every delivery, so each notification routed to it is
    /// retried on another shard.
    RefuseDelivery,
    /// Undoes [`ShardFault::Silence`] and [`ShardFault::RefuseDelivery`].
    Restore,
}

/// The status Twitch gives a shard whose session ended `how`.
pub(crate) fn shard_status(how: &Ended) -> &'static str {
    match how {
        Ended::ByServer(4000) => "websocket_internal_error",
        Ended::ByServer(4001) => "websocket_received_inbound_traffic",
        Ended::ByServer(4002) => "websocket_failed_ping_pong",
        Ended::ByServer(4003) => "websocket_connection_unused",
        Ended::ByServer(4004) => "websocket_failed_to_reconnect",
        Ended::ByServer(4005) => "websocket_network_timeout",
        Ended::ByServer(4006) | Ended::Dropped => "websocket_network_error",
        Ended::ByServer(_) | Ended::ByClient(_) | Ended::Broken => "websocket_disconnected",
    }
}

impl Shared {
    /// The enabled conduit subscriptions matching `filter`, copied out of the Helix state.
    pub(crate) fn conduit_subscriptions(
        &self,
        filter: impl Fn(&MockSubscription) -> bool,
    ) -> Vec<MockSubscription> {
        crate::helix::lock(&self.helix)
            .subscriptions
            .iter()
            .filter(|s| s.is_enabled() && matches!(s.transport, MockTransport::Conduit { .. }))
            .filter(|s| filter(s))
            .cloned()
            .collect()
    }

    /// Queues `outgoing` (`copies` times) on the current socket of `session_id`, unless it is
    /// closing; the socket that took it.
    pub(crate) fn queue_on_session(
        &self,
        session_id: &str,
        outgoing: &Outgoing,
        copies: usize,
    ) -> Option<SocketId> {
        self.queue_commands(session_id, copies, || SocketCommand::Send(outgoing.clone()))
    }

    fn queue_commands(
        &self,
        session_id: &str,
        copies: usize,
        command: impl Fn() -> SocketCommand,
    ) -> Option<SocketId> {
        let inner = self.lock();
        let socket = inner.sessions.get(session_id)?.current;
        let entry = inner.sockets.get(&socket).filter(|entry| !entry.closing)?;
        let taken = (0..copies).fold(false, |taken, _| {
            entry.commands.send(command()).is_ok() || taken
        });
        taken.then_some(socket)
    }

    /// Delivers `outgoing` over one enabled shard of `conduit_id`: the next one in turn, or, when
    /// that one fails (no live socket, or [`ShardFault::RefuseDelivery`]), the one after it. When
    /// both fail, or no shard is enabled, the message is counted as unrouted. A socket that ends
    /// before sending it hands it back ([`Shared::reroute`]).
    pub(crate) fn route_to_conduit(
        &self,
        conduit_id: &str,
        outgoing: &Outgoing,
        copies: usize,
    ) -> Option<(SocketId, ShardDelivery)> {
        self.route(conduit_id, outgoing, copies, None)
    }

    /// A notification a shard's socket took but could not send: its second attempt, on another
    /// shard, or unrouted when this was the second.
    pub(crate) fn reroute(&self, outgoing: &Outgoing, reroute: &Reroute) {
        if reroute.attempt >= 2 {
            self.lock().unrouted.push(outgoing.message_id.clone());
        } else {
            let _ = self.route(&reroute.conduit_id, outgoing, 1, Some(reroute.shard_id));
        }
    }

    /// Tries the shards in turn: two of them for a first delivery, one other than `failed_shard`
    /// for a retry.
    fn route(
        &self,
        conduit_id: &str,
        outgoing: &Outgoing,
        copies: usize,
        failed_shard: Option<usize>,
    ) -> Option<(SocketId, ShardDelivery)> {
        let shards: Vec<(usize, String)> = crate::helix::lock(&self.helix)
            .enabled_shards(conduit_id)
            .into_iter()
            .filter(|(shard_id, _)| Some(*shard_id) != failed_shard)
            .collect();
        let first = {
            let mut inner = self.lock();
            let turn = inner
                .conduit_turns
                .entry(conduit_id.to_owned())
                .or_default();
            let first = *turn;
            *turn = turn.wrapping_add(1);
            first
        };
        let (tries, first_attempt) = match failed_shard {
            None => (shards.len().min(2), 1),
            Some(_) => (shards.len().min(1), 2),
        };
        for (step, attempt) in (first_attempt..=2u8).enumerate().take(tries) {
            let index = first.wrapping_add(step) % shards.len().max(1);
            let Some((shard_id, session_id)) = shards.get(index) else {
                continue;
            };
            let refused = self
                .lock()
                .refusing_shards
                .contains(&(conduit_id.to_owned(), *shard_id));
            if refused {
                continue;
            }
            let reroute = Reroute {
                conduit_id: conduit_id.to_owned(),
                shard_id: *shard_id,
                attempt,
            };
            let queued = self.queue_commands(session_id, copies, || {
                SocketCommand::SendRouted(outgoing.clone(), reroute.clone())
            });
            if let Some(socket) = queued {
                let delivery = ShardDelivery {
                    conduit_id: conduit_id.to_owned(),
                    shard_id: *shard_id,
                    attempt,
                };
                return Some((socket, delivery));
            }
        }
        self.lock().unrouted.push(outgoing.message_id.clone());
        None
    }

    /// Ends `session_id` for Helix with the status `how` gives shards, and tells the subscribers
    /// of `conduit.shard.disabled` about each shard that was disabled.
    pub(crate) fn end_helix_session(&self, session_id: &str, how: &Ended) {
        let disabled = crate::helix::lock(&self.helix).end_session(session_id, shard_status(how));
        for shard in disabled {
            self.announce_disabled(&shard);
        }
    }

    /// Sends `conduit.shard.disabled` for `shard` to every enabled subscription of that type of
    /// the shard's client (and conduit, when the condition names one).
    fn announce_disabled(&self, shard: &DisabledShard) {
        let wants = |s: &MockSubscription| {
            let condition = |field: &str| s.condition.get(field).and_then(Value::as_str);
            s.kind == SHARD_DISABLED
                && s.is_enabled()
                && condition("client_id") == Some(shard.client_id.as_str())
                && condition("conduit_id").is_none_or(|id| id == shard.conduit_id)
        };
        let subscribers: Vec<MockSubscription> = crate::helix::lock(&self.helix)
            .subscriptions
            .iter()
            .filter(|s| wants(s))
            .cloned()
            .collect();
        for subscription in subscribers {
            let message_id = self.lock().message_id();
            let outgoing = Outgoing {
                text: payloads::notification_with(
                    &self.frames(),
                    &message_id,
                    &subscription,
                    &shard.event(),
                ),
                message_id,
                message_type: "notification",
                subscription_type: Some(SHARD_DISABLED.to_owned()),
            };
            match &subscription.transport {
                MockTransport::Conduit { conduit_id } => {
                    let _ = self.route_to_conduit(conduit_id, &outgoing, 1);
                }
                MockTransport::Websocket { session_id, .. } => {
                    let _ = self.queue_on_session(session_id, &outgoing, 1);
                }
                MockTransport::Webhook { .. } => {}
            }
        }
    }

    /// Applies `fault` to shard `shard_id` of `conduit_id`; false when there is no such shard, or
    /// it has no session with a live socket to act on (for the faults that act on one).
    pub(crate) fn fault_shard(&self, conduit_id: &str, shard_id: usize, fault: ShardFault) -> bool {
        let exists = crate::helix::lock(&self.helix)
            .conduits
            .iter()
            .any(|c| c.id == conduit_id && shard_id < c.shards.len());
        if !exists {
            return false;
        }
        let key = (conduit_id.to_owned(), shard_id);
        let socket = || {
            let session_id = crate::helix::lock(&self.helix).shard_session(conduit_id, shard_id)?;
            let inner = self.lock();
            inner
                .sessions
                .get(&session_id)
                .map(|session| session.current)
        };
        let command = match fault {
            ShardFault::RefuseDelivery => {
                self.lock().refusing_shards.insert(key);
                return true;
            }
            ShardFault::Restore => {
                self.lock().refusing_shards.remove(&key);
                SocketCommand::Silence(false)
            }
            ShardFault::Close(code) => SocketCommand::Close {
                code,
                reason: "shard fault".to_owned(),
            },
            ShardFault::Drop => SocketCommand::Drop,
            ShardFault::Silence => SocketCommand::Silence(true),
        };
        let restored = fault == ShardFault::Restore;
        match socket() {
            Some(socket) => self.command(socket, command) || restored,
            None => restored,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_codes_map_to_the_shard_statuses_of_twitchs_reference() {
        let cases = [
            (Ended::ByServer(4000), "websocket_internal_error"),
            (Ended::ByServer(4001), "websocket_received_inbound_traffic"),
            (Ended::ByServer(4002), "websocket_failed_ping_pong"),
            (Ended::ByServer(4003), "websocket_connection_unused"),
            (Ended::ByServer(4004), "websocket_failed_to_reconnect"),
            (Ended::ByServer(4005), "websocket_network_timeout"),
            (Ended::ByServer(4006), "websocket_network_error"),
            (Ended::Dropped, "websocket_network_error"),
            (Ended::ByClient(Some(1000)), "websocket_disconnected"),
            (Ended::Broken, "websocket_disconnected"),
            (Ended::ByServer(1001), "websocket_disconnected"),
        ];
        for (how, status) in cases {
            assert_eq!(shard_status(&how), status, "{how:?}");
        }
    }
}
