//! Conduit shards in the mock's state: which are enabled and where, what a session's end does to
//! them, and per-shard refusals of Update Conduit Shards.

use serde_json::{Value, json};

use super::state::{MockState, MockTransport};

/// A shard that was just disabled because its websocket session ended: what a
/// `conduit.shard.disabled` notification reports.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DisabledShard {
    /// The conduit.
    pub conduit_id: String,
    /// The client id owning the conduit.
    pub client_id: String,
    /// The shard id.
    pub shard_id: usize,
    /// The status it was disabled with (such as `websocket_disconnected`).
    pub status: String,
    /// Its transport as Twitch reports it, with `disconnected_at`.
    pub transport: Value,
}

impl DisabledShard {
    /// The `event` of the `conduit.shard.disabled` notification.
    pub fn event(&self) -> Value {
        json!({
            "conduit_id": self.conduit_id,
            "shard_id": self.shard_id.to_string(),
            "status": self.status,
            "transport": self.transport,
        })
    }
}

impl MockState {
    /// Ends a session with `status` (`websocket_disconnected`, `websocket_network_error`, …):
    /// its subscriptions and the conduit shards assigned to it take that status, the shards a
    /// `disconnected_at`. Returns the shards that were enabled until now, for
    /// `conduit.shard.disabled`.
    pub fn end_session(&mut self, session_id: &str, status: &str) -> Vec<DisabledShard> {
        let on_session = |transport: &MockTransport| transport.session_id() == Some(session_id);
        for subscription in &mut self.subscriptions {
            if on_session(&subscription.transport) && subscription.is_enabled() {
                subscription.status = status.to_owned();
            }
        }
        let now = super::subscriptions::now_rfc3339();
        let mut disabled = Vec::new();
        for conduit in &mut self.conduits {
            for (shard_id, shard) in conduit.shards.iter_mut().enumerate() {
                if !shard.transport.as_ref().is_some_and(on_session) || !shard.is_enabled() {
                    continue;
                }
                shard.status = status.to_owned();
                shard.disconnected_at = Some(now.clone());
                disabled.push(DisabledShard {
                    conduit_id: conduit.id.clone(),
                    client_id: conduit.client_id.clone(),
                    shard_id,
                    status: status.to_owned(),
                    transport: shard.transport_json().unwrap_or_default(),
                });
            }
        }
        if let Some(known) = &mut self.known_sessions {
            known.remove(session_id);
        }
        disabled
    }

    /// Whether a websocket session holds a subscription or is a conduit shard's transport: a
    /// session that is neither is closed with 4003 when its window ends.
    pub fn session_in_use(&self, session_id: &str) -> bool {
        let on_session = |transport: &MockTransport| transport.session_id() == Some(session_id);
        self.subscriptions
            .iter()
            .any(|s| s.is_enabled() && on_session(&s.transport))
            || self
                .conduits
                .iter()
                .flat_map(|c| c.shards.iter())
                .any(|shard| shard.is_enabled() && shard.transport.as_ref().is_some_and(on_session))
    }

    /// The enabled websocket shards of `conduit_id` as `(shard id, session id)`, by shard id.
    pub fn enabled_shards(&self, conduit_id: &str) -> Vec<(usize, String)> {
        self.conduits
            .iter()
            .filter(|c| c.id == conduit_id)
            .flat_map(|c| c.shards.iter().enumerate())
            .filter(|(_, shard)| shard.is_enabled())
            .filter_map(|(id, shard)| {
                Some((id, shard.transport.as_ref()?.session_id()?.to_owned()))
            })
            .collect()
    }

    /// The websocket session shard `shard_id` of `conduit_id` is assigned to, enabled or not.
    pub fn shard_session(&self, conduit_id: &str, shard_id: usize) -> Option<String> {
        let conduit = self.conduits.iter().find(|c| c.id == conduit_id)?;
        let shard = conduit.shards.get(shard_id)?;
        Some(shard.transport.as_ref()?.session_id()?.to_owned())
    }

    /// Fault: the next Update Conduit Shards that names shard `shard_id` of `conduit_id` lists
    /// it under `errors` with this `message` (and code `internal_error`) instead of assigning it.
    pub fn refuse_next_shard_update(&mut self, conduit_id: &str, shard_id: usize, message: &str) {
        self.shard_update_refusals
            .insert((conduit_id.to_owned(), shard_id), message.to_owned());
    }

    pub(crate) fn take_shard_update_refusal(
        &mut self,
        conduit_id: &str,
        shard_id: usize,
    ) -> Option<String> {
        self.shard_update_refusals
            .remove(&(conduit_id.to_owned(), shard_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helix::{MockConduit, MockShard};

    fn state_with_shards(sessions: &[Option<&str>]) -> MockState {
        let mut state = MockState::default();
        let shards = sessions
            .iter()
            .map(|session| {
                let mut shard = MockShard::unassigned();
                if let Some(session_id) = session {
                    shard.status = "enabled".to_owned();
                    shard.transport = Some(MockTransport::Websocket {
                        session_id: (*session_id).to_owned(),
                        connected_at: "2025-01-01T00:00:00Z".to_owned(),
                    });
                }
                shard
            })
            .collect();
        state.conduits.push(MockConduit {
            id: "conduit".to_owned(),
            client_id: "client".to_owned(),
            shards,
        });
        state
    }

    #[test]
    fn only_enabled_websocket_shards_take_notifications() {
        let state = state_with_shards(&[Some("a"), None, Some("c")]);
        assert_eq!(
            state.enabled_shards("conduit"),
            [(0, "a".to_owned()), (2, "c".to_owned())]
        );
        assert!(state.enabled_shards("other").is_empty());
    }

    #[test]
    fn a_session_ending_disables_its_shards_once_with_the_status() {
        let mut state = state_with_shards(&[Some("a"), Some("b"), Some("a")]);
        assert!(state.session_in_use("a"));
        let disabled = state.end_session("a", "websocket_network_error");
        let ids: Vec<usize> = disabled.iter().map(|shard| shard.shard_id).collect();
        assert_eq!(ids, [0, 2]);
        assert!(
            disabled
                .iter()
                .all(|shard| shard.status == "websocket_network_error")
        );
        assert!(disabled[0].transport["disconnected_at"].is_string());
        assert_eq!(disabled[0].event()["shard_id"], "0");
        assert!(!state.session_in_use("a"));
        assert_eq!(state.enabled_shards("conduit"), [(1, "b".to_owned())]);
        assert!(
            state.end_session("a", "websocket_disconnected").is_empty(),
            "a disabled shard is not disabled again"
        );
        let listed = state.conduits[0].shards[0].to_json(0);
        assert_eq!(listed["status"], "websocket_network_error");
        assert!(listed["transport"]["disconnected_at"].is_string());
    }

    #[test]
    fn a_shard_update_refusal_applies_once() {
        let mut state = state_with_shards(&[None]);
        state.refuse_next_shard_update("conduit", 0, "busy");
        assert_eq!(
            state.take_shard_update_refusal("conduit", 0).as_deref(),
            Some("busy")
        );
        assert_eq!(state.take_shard_update_refusal("conduit", 0), None);
    }
}
