//! The test's eyes on the client: every event it delivered, in order, and waiting for the next
//! one that matters.

use std::time::Duration;

use eventsub_mock::within;
use eventsub_tokio::{Event, EventStream, Recovered};
use futures_util::StreamExt;

/// How long one awaited event may take to come; a bound on a hang, never a measurement.
pub const WAIT: Duration = Duration::from_secs(15);

/// The client's events, as delivered.
pub struct Watch {
    events: EventStream,
    /// Every event delivered so far, in order.
    pub seen: Vec<Event>,
}

impl Watch {
    pub fn new(events: EventStream) -> Self {
        Self {
            events,
            seen: Vec::new(),
        }
    }

    /// The next event that `matches`, within [`WAIT`]; the others are kept in `seen` too.
    pub async fn until(&mut self, what: &str, matches: impl Fn(&Event) -> bool) -> Event {
        within(WAIT, what, async {
            loop {
                let event = self.events.next().await.expect("the client runs");
                self.seen.push(event.clone());
                if matches(&event) {
                    return event;
                }
            }
        })
        .await
    }

    /// Waits until every message id of `sent` was delivered as a notification.
    pub async fn delivered(&mut self, sent: &[String]) {
        while !sent.iter().all(|id| self.notification_ids().contains(id)) {
            self.until("a notification", |e| matches!(e, Event::Notification(_)))
                .await;
        }
    }

    /// The message ids of the notifications delivered so far, in order, repeats included.
    pub fn notification_ids(&self) -> Vec<String> {
        self.seen
            .iter()
            .filter_map(|event| match event {
                Event::Notification(n) => Some(n.message_id().to_string()),
                _ => None,
            })
            .collect()
    }

    /// The recovered events delivered after the `seen` index `from`.
    pub fn recovered_since(&self, from: usize) -> Vec<&Recovered> {
        self.seen
            .iter()
            .skip(from)
            .filter_map(|event| match event {
                Event::Recovered(recovered) => Some(recovered.as_ref()),
                _ => None,
            })
            .collect()
    }
}
