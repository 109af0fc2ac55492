//! The catch-up's own state, apart from the client's: the gaps waiting for their catch-up, the
//! one under way, the read in flight, the baselines of the state reads and the keys of what was
//! already seen. It decides; the client only hands it what happened and carries out its outputs.

use std::collections::{HashMap, VecDeque};
use std::time::SystemTime;

use crate::error::InputError;
use crate::event::Event;
use crate::ids::RequestId;
use crate::io::{Output, RequestError};
use crate::message::BatchItems;
use crate::subscription::SubscriptionSpec;

use super::config::CatchUpConfig;
use super::keys::{self, Family};
use super::plan::{self, Query};
use super::read::{HelixRead, Recovery};
use super::remembered::Remembered;
use super::report::{CatchUp, CatchUpOutcome, CatchUpResult, ReadError, Unrecoverable};
use super::request::ReadRequest;
use super::run::Run;
use super::state::{self, Snapshot};

/// A state read's subject: the read and the channel.
pub(crate) type StateKey = (HelixRead, String);

/// A notification's events, as the client routed them.
pub(crate) enum Delivered<'a> {
    Single(&'a str),
    /// `payload.events`, an array already checked.
    Batch(&'a str),
}

/// A gap whose catch-up waits for its turn.
#[derive(Debug)]
pub(crate) struct Pending {
    pub(crate) from: SystemTime,
    pub(crate) until: SystemTime,
    pub(crate) subscriptions: Vec<SubscriptionSpec>,
    /// The token's scopes when the gap ended, if it was validated.
    pub(crate) scopes: Option<Vec<String>>,
}

/// A read asked for and not answered yet. `overtaken`: a notification about the read's channel
/// (a state read's) was delivered since it was sent, so its answer may be older than what the
/// notification taught and must not replace it.
#[derive(Debug)]
enum InFlight {
    Gap {
        request: RequestId,
        overtaken: bool,
    },
    /// A state read outside gaps. Its answer describes the channel at some moment after it was
    /// sent; when no notification of the channel came since, nothing changed between the send
    /// and a gap that opened meanwhile (its `from` is the last frame read, and every change
    /// before it was notified), so it is a valid baseline for that gap too.
    Baseline {
        request: RequestId,
        key: StateKey,
        overtaken: bool,
    },
    /// Asked for before the client stopped: its answer is taken and ignored.
    Abandoned(RequestId),
}

impl InFlight {
    fn request(&self) -> RequestId {
        match self {
            Self::Gap { request, .. }
            | Self::Baseline { request, .. }
            | Self::Abandoned(request) => *request,
        }
    }
}

/// The catch-up of a client whose [`Config::catch_up`](crate::Config::catch_up) is set.
#[derive(Debug)]
pub(crate) struct Engine {
    config: CatchUpConfig,
    remembered: Remembered,
    baselines: HashMap<StateKey, Snapshot>,
    /// The subscriptions live at some moment of the gap that is open.
    gap_live: Vec<SubscriptionSpec>,
    /// The start of the gap that is open.
    open_from: Option<SystemTime>,
    queued: VecDeque<Pending>,
    run: Option<Run>,
    baseline_queue: VecDeque<(StateKey, Query)>,
    in_flight: Option<InFlight>,
    /// The subscriptions' baselines may be missing: check once the session is settled.
    baselines_due: bool,
    stopped: bool,
}

impl Engine {
    pub(crate) fn new(config: CatchUpConfig) -> Self {
        Self {
            remembered: Remembered::new(config.max_remembered_keys, config.max_remembered_bytes),
            config,
            baselines: HashMap::new(),
            gap_live: Vec::new(),
            open_from: None,
            queued: VecDeque::new(),
            run: None,
            baseline_queue: VecDeque::new(),
            in_flight: None,
            baselines_due: true,
            stopped: false,
        }
    }

    /// A gap opens (or widens) at `from`; `live` were live just before.
    pub(crate) fn gap_opening<'a>(
        &mut self,
        from: SystemTime,
        live: impl Iterator<Item = &'a SubscriptionSpec>,
    ) {
        match self.open_from {
            None => self.open_from = Some(from),
            Some(open) => self.open_from = Some(open.min(from)),
        }
        for spec in live {
            if !self.gap_live.contains(spec) {
                self.gap_live.push(spec.clone());
            }
        }
    }

    /// The open gap ended without being resumed (the client went idle): nothing to catch up.
    pub(crate) fn gap_abandoned(&mut self) {
        self.open_from = None;
        self.gap_live.clear();
    }

    /// The open gap ended at `until` ([`Event::Resumed`]): its catch-up is queued for the
    /// subscriptions live during it that `still_wanted`.
    pub(crate) fn resumed(
        &mut self,
        from: SystemTime,
        until: SystemTime,
        still_wanted: impl Fn(&SubscriptionSpec) -> bool,
        scopes: Option<Vec<String>>,
    ) {
        self.open_from = None;
        let mut subscriptions = std::mem::take(&mut self.gap_live);
        subscriptions.retain(|spec| still_wanted(spec));
        let pending = Pending {
            from,
            until,
            subscriptions,
            scopes,
        };
        if self.queued.len() < self.config.max_queued_gaps.max(1) {
            self.queued.push_back(pending);
        } else if let Some(last) = self.queued.back_mut() {
            // Bounded: the newest gap joins the last that waits.
            last.from = last.from.min(pending.from);
            last.until = last.until.max(pending.until);
            for spec in pending.subscriptions {
                if !last.subscriptions.contains(&spec) {
                    last.subscriptions.push(spec);
                }
            }
            last.scopes = pending.scopes;
        }
    }

    /// Whether the baselines should be checked now that the session settled.
    pub(crate) fn baselines_due(&self) -> bool {
        self.baselines_due && !self.stopped
    }

    pub(crate) fn check_baselines(&mut self) {
        self.baselines_due = true;
    }

    /// Queues a baseline read for each state subscription of `enabled` whose channel has none.
    pub(crate) fn want_baselines<'a>(
        &mut self,
        enabled: impl Iterator<Item = &'a SubscriptionSpec>,
        scopes: Option<&[String]>,
    ) {
        self.baselines_due = false;
        for spec in enabled {
            let Some(read) = HelixRead::for_subscription(&spec.kind) else {
                continue;
            };
            if read.recovery() != Recovery::State {
                continue;
            }
            let Ok(plan) = plan::plan(spec, scopes) else {
                continue; // no scope, no condition: the report says so after a gap
            };
            let key = (plan.read, plan.broadcaster);
            let asked = self.baseline_queue.iter().any(|(queued, _)| *queued == key)
                || matches!(&self.in_flight, Some(InFlight::Baseline { key: asked, .. }) if *asked == key);
            if self.baselines.contains_key(&key) || asked {
                continue;
            }
            if let Some(query) = plan.queries.into_iter().next() {
                self.baseline_queue.push_back((key, query));
            }
        }
    }

    /// Keeps the state of the channels `wanted` still need and forgets the rest (a channel no
    /// longer subscribed to is read again if it is wanted again: what it was then is no
    /// baseline for a later gap). A baseline read in flight for one forgotten is ignored.
    pub(crate) fn keep_baselines_of<'a>(
        &mut self,
        wanted: impl Iterator<Item = &'a SubscriptionSpec>,
    ) {
        let needed: Vec<StateKey> = wanted
            .filter_map(|spec| plan::plan(spec, None).ok())
            .filter(|plan| plan.read.recovery() == Recovery::State)
            .map(|plan| (plan.read, plan.broadcaster))
            .collect();
        self.baselines.retain(|key, _| needed.contains(key));
        self.baseline_queue.retain(|(key, _)| needed.contains(key));
        if let Some(InFlight::Baseline { key, overtaken, .. }) = &mut self.in_flight {
            if !needed.contains(key) {
                *overtaken = true;
            }
        }
    }

    /// A notification was delivered: remember what names it (events) or how the channel stands
    /// now (state).
    pub(crate) fn delivered(&mut self, kind: &str, events: Delivered<'_>, message_timestamp: &str) {
        let each = |engine: &mut Self, event: &str| {
            engine.delivered_event(kind, event, message_timestamp);
        };
        match events {
            // Under the lazy envelope the event runs on to the frame's end: its first value is
            // the event (one that is not JSON names nothing, as before).
            Delivered::Single(event) => {
                let mut values = serde_json::Deserializer::from_str(event)
                    .into_iter::<&serde_json::value::RawValue>();
                if let Some(Ok(event)) = values.next() {
                    each(self, event.get());
                }
            }
            Delivered::Batch(items) => {
                for item in BatchItems::resume(items) {
                    each(self, item.data.get());
                }
            }
        }
    }

    fn delivered_event(&mut self, kind: &str, event: &str, message_timestamp: &str) {
        if let Some(family) = Family::of(kind) {
            let sent_at = keys::parse_time(message_timestamp);
            if let Some(key) = keys::delivered_key(family, event, sent_at) {
                if !self.remembered.seen(&key, self.config.slack) {
                    self.remembered.insert(key);
                }
            }
            if let Some(sent_at) = sent_at {
                self.forget_before(sent_at);
            }
        } else if let Some(read) = state::read_changed_by(kind) {
            // Charity events name the channel `broadcaster_id`, the others `broadcaster_user_id`.
            #[derive(serde::Deserialize)]
            struct Broadcaster {
                #[serde(default)]
                broadcaster_user_id: Option<String>,
                #[serde(default)]
                broadcaster_id: Option<String>,
            }
            let Ok(Broadcaster {
                broadcaster_user_id,
                broadcaster_id,
            }) = serde_json::from_str(event)
            else {
                return;
            };
            let Some(broadcaster) = broadcaster_user_id.or(broadcaster_id) else {
                return;
            };
            let key = (read, broadcaster);
            self.overtake(&key);
            let now = state::after_notification(kind, event, self.baselines.get(&key));
            match &now {
                Some(snapshot) => {
                    self.baselines.insert(key.clone(), snapshot.clone());
                }
                None => {
                    self.baselines.remove(&key);
                    self.baselines_due = true;
                }
            }
            // Delivered, so not missed: the catch-up under way compares from here.
            if let Some(run) = &mut self.run {
                run.delivered_state(&key, now);
            }
        }
    }

    /// A notification about `key` was delivered: the state read of it in flight, if any, was
    /// sent before and may be answered with an older state.
    fn overtake(&mut self, key: &StateKey) {
        let asking_now = self.run.as_ref().and_then(Run::asking_about);
        match &mut self.in_flight {
            Some(InFlight::Baseline {
                key: asked,
                overtaken,
                ..
            }) if asked == key => *overtaken = true,
            Some(InFlight::Gap { overtaken, .. }) if asking_now == Some(key) => *overtaken = true,
            _ => {}
        }
    }

    /// Forgets the keys no window can reach any more: older than the earliest gap start still to
    /// be caught up (or than `now`), by twice the slack.
    fn forget_before(&mut self, now: SystemTime) {
        let earliest = [Some(now), self.open_from, self.run.as_ref().map(Run::from)]
            .into_iter()
            .flatten()
            .chain(self.queued.iter().map(|pending| pending.from))
            .min()
            .unwrap_or(now);
        let margin = self.config.slack.saturating_mul(2);
        if let Some(horizon) = earliest.checked_sub(margin) {
            self.remembered.forget_before(horizon);
        }
    }

    /// The catch-up reads asked for and not answered yet (an abandoned one too: the adapter
    /// still runs it).
    pub(crate) fn pending_reads(&self) -> usize {
        usize::from(self.in_flight.is_some())
    }

    /// Carries the catch-up on as far as it goes without an answer: the next read (one at a
    /// time), or a finished gap's report and the next gap.
    pub(crate) fn pump(&mut self, last_request: &mut u64, out: &mut Vec<Output>) {
        if self.stopped {
            return;
        }
        while self.in_flight.is_none() {
            if self.run.is_none() {
                let Some(pending) = self.queued.pop_front() else {
                    break;
                };
                self.run = Some(Run::new(pending, &self.baselines));
            }
            let Some(run) = &mut self.run else {
                break;
            };
            if let Some(read) = run.next_request(&self.config) {
                let request = RequestId::next(last_request);
                self.in_flight = Some(InFlight::Gap {
                    request,
                    overtaken: false,
                });
                out.push(Output::CatchUpRead { request, read });
                return;
            }
            if let Some(run) = self.run.take() {
                out.push(Output::Event(Event::CatchUp(Box::new(run.report()))));
            }
        }
        let settled = self.in_flight.is_none()
            && self.run.is_none()
            && self.queued.is_empty()
            && self.open_from.is_none();
        if settled {
            if let Some((key, query)) = self.baseline_queue.pop_front() {
                let request = RequestId::next(last_request);
                let read = ReadRequest::new(key.0, query);
                self.in_flight = Some(InFlight::Baseline {
                    request,
                    key,
                    overtaken: false,
                });
                out.push(Output::CatchUpRead { request, read });
            }
        }
    }

    /// The answer to a catch-up read; `Err` when no read of that name is in flight.
    pub(crate) fn on_read(
        &mut self,
        request: RequestId,
        result: Result<String, RequestError>,
        out: &mut Vec<Output>,
    ) -> Result<(), InputError> {
        match self.in_flight.take() {
            Some(InFlight::Gap {
                request: asked,
                overtaken,
            }) if asked == request => {
                if overtaken {
                    // Older than the notification: the run asks again (from its budget), and
                    // compares from what the notification taught until then.
                } else if let Some(run) = &mut self.run {
                    run.answered(
                        result,
                        &mut self.remembered,
                        &mut self.baselines,
                        &self.config,
                        out,
                    );
                }
            }
            Some(InFlight::Baseline {
                request: asked,
                key,
                overtaken,
            }) if asked == request => {
                if overtaken {
                    // The notification moved the baseline or dropped it (goals, charity): read
                    // again where it is missing.
                    self.baselines_due = true;
                } else if let Ok(snapshot) = result
                    .map_err(ReadError::from)
                    .and_then(|body| state::decode(key.0, &key.1, &body))
                {
                    self.baselines.insert(key, snapshot);
                }
            }
            Some(InFlight::Abandoned(asked)) if asked == request => {}
            other => {
                self.in_flight = other;
                return Err(InputError::UnknownRequest { request });
            }
        }
        Ok(())
    }

    /// The client stopped: what waits is abandoned, no report follows (nothing does after
    /// `Stopped`), and the answer of the read in flight is taken and ignored.
    pub(crate) fn stop(&mut self) {
        self.stopped = true;
        self.in_flight = self
            .in_flight
            .take()
            .map(|in_flight| InFlight::Abandoned(in_flight.request()));
        self.run = None;
        self.queued.clear();
        self.baseline_queue.clear();
        self.gap_live.clear();
        self.remembered.clear();
    }
}

/// The report of a run whose subscriptions all have their outcome.
pub(crate) fn report(
    from: SystemTime,
    until: SystemTime,
    outcomes: impl Iterator<Item = (SubscriptionSpec, Option<CatchUpResult>)>,
) -> CatchUp {
    CatchUp {
        gap_from: from,
        gap_until: until,
        subscriptions: outcomes
            .map(|(subscription, result)| CatchUpOutcome {
                subscription,
                // Every subscription has its outcome once the run asks for nothing more: an
                // invariant, kept without a panic.
                result: result.unwrap_or(CatchUpResult::Unrecoverable {
                    reason: Unrecoverable::NoHelixRead,
                }),
            })
            .collect(),
    }
}
