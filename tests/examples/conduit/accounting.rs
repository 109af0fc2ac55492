//! What became of each notification the mock routed over a conduit while one shard process was
//! killed: delivered (once), unrouted (the mock says so), or written into the killed process's
//! socket and gone with it. Shared by the tests `conduit_processes` and `conduit_claiming`.

use std::collections::{BTreeMap, BTreeSet};

use eventsub_mock::MockEventSub;

use super::supervise::{Seen, Supervisor, notifications};

/// Whether every one of `routed` (notifications of type `kind`) is accounted for: delivered by a
/// process, unrouted by the mock, or written to one of `victim_sessions` (the killed process's).
pub fn settled(
    mock: &MockEventSub,
    seen: &[Seen],
    kind: &str,
    routed: &[String],
    victim_sessions: &BTreeSet<String>,
) -> bool {
    let delivered: BTreeSet<&str> = notifications(seen, kind).map(|(_, id)| id).collect();
    let unrouted: BTreeSet<String> = mock.unrouted().into_iter().collect();
    let to_victim: BTreeSet<String> = mock
        .records()
        .sent_notifications()
        .into_iter()
        .filter(|frame| victim_sessions.contains(&frame.session_id))
        .map(|frame| frame.message_id.clone())
        .collect();
    routed.iter().all(|id| {
        delivered.contains(id.as_str()) || unrouted.contains(id) || to_victim.contains(id)
    })
}

/// The counts of a settled run ([`settled`]).
#[derive(Debug)]
pub struct Accounting {
    /// Delivered, each exactly once.
    pub delivered: usize,
    /// Every message id the mock could not route, this run's routed ones or not.
    pub unrouted: usize,
    /// Routed, then handed back by the shards it was given to and unrouted.
    pub unrouted_after_routing: usize,
    /// Written into the killed process's socket and lost with it.
    pub lost_with_victim: Vec<String>,
}

/// Checks that nothing of `routed` came twice, that each process delivered only what the mock
/// sent on its own sessions (its `assigned` lines), and that whatever is missing is unrouted or
/// went out on one of `victim_sessions`; the counts. Panics, saying what, otherwise.
pub fn account(
    mock: &MockEventSub,
    supervisor: &Supervisor,
    kind: &str,
    routed: &[String],
    victim_sessions: &BTreeSet<String>,
) -> Accounting {
    let mut delivered: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (process, id) in notifications(&supervisor.seen, kind) {
        delivered.entry(id).or_default().push(process);
    }
    let twice: Vec<_> = delivered
        .iter()
        .filter(|(_, processes)| processes.len() > 1)
        .collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");

    let records = mock.records();
    let sent_on: BTreeMap<&str, &str> = records
        .sent_notifications()
        .into_iter()
        .map(|frame| (frame.message_id.as_str(), frame.session_id.as_str()))
        .collect();
    for (id, by) in &delivered {
        let session = sent_on.get(id).unwrap_or_else(|| panic!("{id} never sent"));
        let process = by.first().copied().unwrap_or_default();
        assert!(
            supervisor.sessions_of(process).iter().any(|s| s == session),
            "{id} went out on {session}, not a session of process {process}"
        );
    }

    let unrouted: BTreeSet<String> = mock.unrouted().into_iter().collect();
    let routed_set: BTreeSet<&str> = routed.iter().map(String::as_str).collect();
    assert_eq!(
        routed_set.len(),
        routed.len(),
        "the mock reused a message id"
    );
    let lost_with_victim: Vec<String> = routed
        .iter()
        .filter(|id| !delivered.contains_key(id.as_str()) && !unrouted.contains(*id))
        .cloned()
        .collect();
    for id in &lost_with_victim {
        let session = sent_on.get(id.as_str()).copied().unwrap_or_default();
        assert!(
            victim_sessions.contains(session),
            "{id} lost, though it went out on {session}, a live process's session"
        );
    }
    // A notification no shard took at once never reached `routed`; one handed back when both
    // tries failed did: the mock counts both kinds as unrouted, and nothing else vanished.
    assert!(delivered.keys().all(|id| routed_set.contains(id)));
    let unrouted_after_routing = unrouted
        .iter()
        .filter(|id| routed_set.contains(id.as_str()))
        .count();
    assert_eq!(
        delivered.len() + lost_with_victim.len() + unrouted_after_routing,
        routed.len(),
        "routed = delivered + lost with the killed process + unrouted after routing"
    );
    Accounting {
        delivered: delivered.len(),
        unrouted: unrouted.len(),
        unrouted_after_routing,
        lost_with_victim,
    }
}
