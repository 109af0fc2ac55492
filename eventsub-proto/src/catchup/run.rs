//! One gap's catch-up under way: per subscription, its reads page by page, within the gap's
//! read budget, and what each found.

use std::collections::{HashMap, VecDeque};
use std::time::SystemTime;

use crate::event::Event;
use crate::io::{Output, RequestError};
use crate::subscription::SubscriptionSpec;

use super::config::CatchUpConfig;
use super::engine::{Pending, StateKey, report};
use super::items;
use super::keys::Family;
use super::plan::{self, Query};
use super::read::{HelixRead, Recovery};
use super::recovered::Recovered;
use super::remembered::Remembered;
use super::report::{CatchUp, CatchUpResult, ReadError, Unrecoverable};
use super::request::ReadRequest;
use super::state::{self, Snapshot};

/// What is left to do for one subscription.
#[derive(Debug)]
enum Work {
    Events {
        read: HelixRead,
        family: Family,
        broadcaster: String,
        /// The queries not started yet (redemptions: one per status).
        queries: VecDeque<Query>,
        /// The query being walked, and the cursor of its next page.
        query: Option<Query>,
        cursor: Option<String>,
        pages: u32,
        events: u32,
        complete: bool,
        /// Whether a read was made for it (a budget that runs out later cuts it short; before,
        /// it got none).
        started: bool,
    },
    State {
        read: HelixRead,
        key: StateKey,
        query: Query,
        /// How the channel stood before the gap (`None`: not known).
        before: Option<Box<Snapshot>>,
    },
    Done,
}

#[derive(Debug)]
struct SubscriptionRun {
    spec: SubscriptionSpec,
    outcome: Option<CatchUpResult>,
    work: Work,
}

/// A gap's catch-up.
#[derive(Debug)]
pub(crate) struct Run {
    from: SystemTime,
    until: SystemTime,
    /// The window items must fall in: the gap widened by the slack on each side.
    window: (SystemTime, SystemTime),
    subscriptions: Vec<SubscriptionRun>,
    /// The subscription whose read is asked for or next.
    current: usize,
    reads: u32,
}

impl Run {
    pub(crate) fn new(pending: Pending, baselines: &HashMap<StateKey, Snapshot>) -> Self {
        let scopes = pending.scopes.as_deref();
        let subscriptions = pending
            .subscriptions
            .into_iter()
            .map(|spec| {
                let (outcome, work) = match plan::plan(&spec, scopes) {
                    Err(reason) => (Some(CatchUpResult::Unrecoverable { reason }), Work::Done),
                    Ok(plan) => match (plan.read.recovery(), Family::of(&spec.kind)) {
                        (Recovery::Events, Some(family)) => (
                            None,
                            Work::Events {
                                read: plan.read,
                                family,
                                broadcaster: plan.broadcaster,
                                queries: plan.queries.into(),
                                query: None,
                                cursor: None,
                                pages: 0,
                                events: 0,
                                complete: true,
                                started: false,
                            },
                        ),
                        (Recovery::State, _) => {
                            let key = (plan.read, plan.broadcaster);
                            (
                                None,
                                Work::State {
                                    read: plan.read,
                                    before: baselines.get(&key).cloned().map(Box::new),
                                    key,
                                    query: plan.queries.into_iter().next().unwrap_or_default(),
                                },
                            )
                        }
                        // Every events read has its family: an invariant, kept without a panic.
                        (Recovery::Events, None) => (
                            Some(CatchUpResult::Unrecoverable {
                                reason: Unrecoverable::NoHelixRead,
                            }),
                            Work::Done,
                        ),
                    },
                };
                SubscriptionRun {
                    spec,
                    outcome,
                    work,
                }
            })
            .collect();
        Self {
            from: pending.from,
            until: pending.until,
            window: (pending.from, pending.until),
            subscriptions,
            current: 0,
            reads: 0,
        }
    }

    pub(crate) fn from(&self) -> SystemTime {
        self.from
    }

    /// The channel of the state read asked for last, while its subscription waits for it.
    pub(crate) fn asking_about(&self) -> Option<&StateKey> {
        let subscription = self.subscriptions.get(self.current)?;
        match &subscription.work {
            Work::State { key, .. } if subscription.outcome.is_none() => Some(key),
            _ => None,
        }
    }

    /// The next read, or `None` when every subscription has its outcome.
    pub(crate) fn next_request(&mut self, config: &CatchUpConfig) -> Option<ReadRequest> {
        let window_start = self.from.checked_sub(config.slack).unwrap_or(self.from);
        let window_end = self.until.checked_add(config.slack).unwrap_or(self.until);
        self.window = (window_start, window_end);
        let budget_left = |reads: u32| reads < config.max_reads_per_gap;
        while let Some(subscription) = self.subscriptions.get_mut(self.current) {
            if subscription.outcome.is_some() {
                self.current += 1;
                continue;
            }
            match &mut subscription.work {
                Work::Events {
                    read,
                    queries,
                    query,
                    cursor,
                    pages,
                    events,
                    complete,
                    started,
                    ..
                } => {
                    if query.is_none() {
                        let Some(next) = queries.pop_front() else {
                            subscription.outcome = Some(CatchUpResult::Recovered {
                                read: *read,
                                events: *events,
                                complete: *complete,
                            });
                            continue;
                        };
                        *query = Some(next);
                        *cursor = None;
                        *pages = 0;
                    }
                    if !budget_left(self.reads) {
                        subscription.outcome = Some(if *started {
                            CatchUpResult::Recovered {
                                read: *read,
                                events: *events,
                                complete: false,
                            }
                        } else {
                            CatchUpResult::Unrecoverable {
                                reason: Unrecoverable::ReadBudget { read: *read },
                            }
                        });
                        continue;
                    }
                    self.reads += 1;
                    *started = true;
                    let mut asked = query.clone().unwrap_or_default();
                    asked.extend(cursor.clone().map(|cursor| ("after", cursor)));
                    return Some(ReadRequest::new(*read, asked));
                }
                Work::State { read, query, .. } => {
                    if !budget_left(self.reads) {
                        subscription.outcome = Some(CatchUpResult::Unrecoverable {
                            reason: Unrecoverable::ReadBudget { read: *read },
                        });
                        continue;
                    }
                    self.reads += 1;
                    return Some(ReadRequest::new(*read, query.clone()));
                }
                Work::Done => {
                    subscription
                        .outcome
                        .get_or_insert(CatchUpResult::Unrecoverable {
                            reason: Unrecoverable::NoHelixRead,
                        });
                }
            }
        }
        None
    }

    /// The answer to the read asked for last: recovered events go to `out` at once.
    pub(crate) fn answered(
        &mut self,
        result: Result<String, RequestError>,
        remembered: &mut Remembered,
        baselines: &mut HashMap<StateKey, Snapshot>,
        config: &CatchUpConfig,
        out: &mut Vec<Output>,
    ) {
        let (from, until, window) = (self.from, self.until, self.window);
        let Some(subscription) = self.subscriptions.get_mut(self.current) else {
            return;
        };
        let spec = &subscription.spec;
        let recovered = |event| {
            Output::Event(Event::Recovered(Box::new(Recovered {
                subscription: spec.clone(),
                gap_from: from,
                gap_until: until,
                event,
            })))
        };
        match &mut subscription.work {
            Work::Events {
                read,
                family,
                broadcaster,
                query,
                cursor,
                pages,
                events,
                complete,
                ..
            } => {
                let page = result
                    .map_err(ReadError::from)
                    .and_then(|body| items::decode(*family, broadcaster, &body));
                let (items, next) = match page {
                    Ok(page) if page.hidden => {
                        subscription.outcome = Some(CatchUpResult::Unrecoverable {
                            reason: Unrecoverable::MissingScope {
                                read: *read,
                                scopes: read.scopes(),
                            },
                        });
                        return;
                    }
                    Ok(page) => (page.items, page.cursor),
                    Err(error) => {
                        subscription.outcome = Some(CatchUpResult::Failed { read: *read, error });
                        return;
                    }
                };
                *pages += 1;
                let oldest = items.iter().map(|item| item.latest).min();
                for item in items {
                    let Some(key) = item.key else {
                        continue;
                    };
                    let inside = window.0 <= key.at && key.at <= window.1;
                    if !inside || remembered.seen(&key, config.slack) {
                        continue;
                    }
                    remembered.insert(key);
                    *events = events.saturating_add(1);
                    out.push(recovered(item.event));
                }
                // Newest first: a page that reaches before the window ends the walk.
                let more = next.is_some() && oldest.is_some_and(|oldest| oldest >= window.0);
                if more && *pages < config.max_pages_per_read {
                    *cursor = next;
                } else {
                    if more {
                        *complete = false;
                    }
                    *query = None;
                    *cursor = None;
                }
            }
            Work::State {
                read, key, before, ..
            } => {
                let after = result
                    .map_err(ReadError::from)
                    .and_then(|body| state::decode(*read, &key.1, &body));
                let after = match after {
                    Ok(after) => after,
                    Err(error) => {
                        subscription.outcome = Some(CatchUpResult::Failed { read: *read, error });
                        return;
                    }
                };
                subscription.outcome = Some(match before {
                    None => CatchUpResult::Unrecoverable {
                        reason: Unrecoverable::NoBaseline { read: *read },
                    },
                    Some(before) => {
                        let changes = state::changes(&spec.kind, &key.1, before, &after);
                        let count = u32::try_from(changes.len()).unwrap_or(u32::MAX);
                        out.extend(changes.into_iter().map(recovered));
                        CatchUpResult::Recovered {
                            read: *read,
                            events: count,
                            complete: true,
                        }
                    }
                });
                baselines.insert(key.clone(), after);
            }
            Work::Done => {}
        }
    }

    /// A state notification was delivered: the subscriptions of `key` not read yet compare from
    /// how it says the channel stands (`None`: not known).
    pub(crate) fn delivered_state(&mut self, key: &StateKey, now: Option<Snapshot>) {
        for subscription in &mut self.subscriptions {
            if subscription.outcome.is_some() {
                continue;
            }
            if let Work::State {
                key: subject,
                before,
                ..
            } = &mut subscription.work
            {
                if subject == key {
                    *before = now.clone().map(Box::new);
                }
            }
        }
    }

    pub(crate) fn report(self) -> CatchUp {
        report(
            self.from,
            self.until,
            self.subscriptions
                .into_iter()
                .map(|subscription| (subscription.spec, subscription.outcome)),
        )
    }
}
