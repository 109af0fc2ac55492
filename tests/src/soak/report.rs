//! The figures of a run, printed at its end.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use super::ledger::LedgerTally;
use super::observer::ObserverTally;
use super::rss::RssSummary;

/// How often a fault was injected, and how often it found nothing to act on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultCount {
    /// Injected.
    pub applied: u64,
    /// Skipped (no socket carried a session then, a handover was under way, or nothing to resend),
    /// and tried again later.
    pub skipped: u64,
}

/// Everything the run measured.
#[derive(Clone, Debug)]
pub struct Figures {
    /// The schedule's seed.
    pub seed: u64,
    /// Rounds run.
    pub rounds: u64,
    /// Clients started (a 4001 stops one for good; the next takes over).
    pub clients: u64,
    /// How long the run took.
    pub duration: Duration,
    /// Attempts to notify that found no session holding the subscription (inside gaps).
    pub unsent_attempts: u64,
    /// The most WebSocket connections the mock saw open at once over the run (the client holds
    /// at most three, even in a reconnect storm).
    pub peak_open_sockets: usize,
    /// Faults by kind.
    pub faults: BTreeMap<String, FaultCount>,
    /// The mock's side.
    pub ledger: LedgerTally,
    /// The client's side.
    pub observer: ObserverTally,
    /// Resident memory.
    pub rss: Option<RssSummary>,
    /// The RSS growth allowed.
    pub rss_bound: u64,
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn table(f: &mut fmt::Formatter<'_>, title: &str, rows: &BTreeMap<String, u64>) -> fmt::Result {
    writeln!(f, "{title}:")?;
    for (kind, count) in rows {
        writeln!(f, "  {kind:<45} {count:>8}")?;
    }
    Ok(())
}

impl fmt::Display for Figures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ledger = &self.ledger;
        let observer = &self.observer;
        writeln!(f, "soak: seed {}", self.seed)?;
        writeln!(
            f,
            "duration {:.1?}, {} rounds, {} client(s)",
            self.duration, self.rounds, self.clients
        )?;
        writeln!(
            f,
            "notifications: {} messages sent ({} frames on the wire), {} owed, {} delivered \
             ({} beyond the guarantee), {} lost in gaps; {} attempts found no session",
            ledger.messages_sent,
            ledger.notification_frames,
            ledger.messages_owed,
            ledger.messages_delivered,
            ledger.delivered_beyond_guarantee,
            ledger.messages_lost,
            self.unsent_attempts
        )?;
        writeln!(
            f,
            "batch bomb events: {} owed, {} delivered",
            ledger.batch_items_owed, observer.batch_items
        )?;
        writeln!(
            f,
            "gaps reported: {} (total {:.1?}, longest {:.1?}); sockets opened: {}, at most {} at once",
            observer.gaps,
            observer.gap_time,
            observer.longest_gap,
            ledger.sockets_opened,
            self.peak_open_sockets
        )?;
        writeln!(f, "faults (applied / skipped):")?;
        for (kind, count) in &self.faults {
            writeln!(f, "  {kind:<45} {:>8} / {}", count.applied, count.skipped)?;
        }
        table(
            f,
            "faulty frames reaching a live socket",
            &ledger.injected_live,
        )?;
        table(
            f,
            "frames the client reported malformed",
            &observer.malformed,
        )?;
        table(f, "disconnect causes the client reported", &observer.causes)?;
        table(f, "client events", &observer.events)?;
        table(f, "socket endings in the mock", &ledger.endings)?;
        match &self.rss {
            Some(rss) => writeln!(
                f,
                "RSS: first {:.1} MiB, last {:.1} MiB, peak {:.1} MiB; median after warm-up \
                 {:.1} MiB, over the last quarter {:.1} MiB: growth {:.2} MiB (bound {:.1} MiB)",
                mib(rss.first),
                mib(rss.last),
                mib(rss.peak),
                mib(rss.baseline),
                mib(rss.settled),
                mib(rss.growth()),
                mib(self.rss_bound)
            ),
            None => writeln!(f, "RSS: too few samples"),
        }
    }
}
