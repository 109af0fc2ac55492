//! The mock's world: what happened in each channel (follows, bans, redemptions, polls,
//! predictions, goals, charity, the stream, the channel's information). The mock EventSub server
//! sends a notification for each thing that happens (to whoever listens), and the mock Helix
//! reads serve the same records, so something that happened while nobody listened is still
//! visible over Helix, as on Twitch.
//!
//! Records are kept in Helix's own JSON shape; each change also yields a [`Happening`]: the
//! subscription type and `event` object the EventSub side sends for it.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::frames::MESSAGE_TIMESTAMP;

mod channel;
mod people;
#[cfg(test)]
mod tests;
mod votes;

/// The most records of one kind a channel keeps (the oldest go first): a long test cannot grow
/// the mock without bound.
pub const MAX_RECORDS_PER_KIND: usize = 10_000;

/// Something that happened in the world, as the EventSub side sends it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Happening {
    /// The subscription type it is delivered on, such as `channel.follow`.
    pub kind: &'static str,
    /// The channel it happened in (matched against `broadcaster_user_id` conditions).
    pub broadcaster_id: String,
    /// The reward of a redemption (matched against a `reward_id` condition, when there is one).
    pub reward_id: Option<String>,
    /// The `event` object of the notification.
    pub event: Value,
    /// The id of what was made (a poll, prediction, goal, redemption, campaign or stream), if any.
    pub id: Option<String>,
}

/// A custom channel points reward, as a redemption names it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MockReward {
    /// The reward's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// What it costs, in channel points.
    pub cost: u64,
}

impl MockReward {
    /// Reward `id`, titled `title`, costing `cost` points.
    pub fn new(id: impl Into<String>, title: impl Into<String>, cost: u64) -> Self {
        Self {
            id: id.into(),
            title: title.into(),
            cost,
        }
    }
}

/// One channel's records, in Helix's shapes.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ChannelRecords {
    /// Get Channel Followers items, newest first.
    pub followers: Vec<Value>,
    /// Get Banned Users items (bans in force), newest first.
    pub bans: Vec<Value>,
    /// Get Custom Reward Redemption items, oldest first.
    pub redemptions: Vec<Value>,
    /// Get Polls items, newest first.
    pub polls: Vec<Value>,
    /// Get Predictions items, newest first.
    pub predictions: Vec<Value>,
    /// Get Creator Goals items (goals in progress).
    pub goals: Vec<Value>,
    /// Get Charity Campaign's item, while a campaign runs.
    pub charity: Option<Value>,
    /// Get Streams' item, while live.
    pub stream: Option<Value>,
    /// Get Channel Information's item; `None` until the channel's information is first set.
    pub information: Option<Value>,
    /// The client id that created each custom reward (by reward id): Twitch shows a reward's
    /// redemptions only to that client. A reward not listed here is shown to any client.
    pub reward_owners: BTreeMap<String, String>,
}

/// Every channel's records, and the counter the ids are made from.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct World {
    /// The channels, by broadcaster id.
    pub channels: BTreeMap<String, ChannelRecords>,
    /// Every catch-up read that reached the mock, answered or refused, oldest first: its path
    /// under `/helix` and its query as sent (`/polls?broadcaster_id=1`), at most
    /// [`MAX_RECORDS_PER_KIND`] (the oldest go first). A test proves with it what a client read,
    /// or that it read nothing.
    pub reads: Vec<String>,
    next: u64,
}

/// `{prefix}_id`, `{prefix}_login`, `{prefix}_name` of user `id` (login `user{id}`, name
/// `User{id}`, as the mock's other payloads).
pub(crate) fn user_fields(prefix: &str, id: &str) -> Map<String, Value> {
    let mut user = Map::new();
    user.insert(format!("{prefix}_id"), json!(id));
    user.insert(format!("{prefix}_login"), json!(format!("user{id}")));
    user.insert(format!("{prefix}_name"), json!(format!("User{id}")));
    user
}

fn with(mut fields: Map<String, Value>, extra: Value) -> Value {
    if let Value::Object(extra) = extra {
        fields.extend(extra);
    }
    Value::Object(fields)
}

fn merged(first: Map<String, Value>, second: Map<String, Value>, extra: Value) -> Value {
    let mut fields = first;
    fields.extend(second);
    with(fields, extra)
}

/// How Twitch writes a timestamp.
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(MESSAGE_TIMESTAMP).unwrap_or_default()
}

/// Pushes `record` to the front (newest first), dropping the oldest past the bound.
fn push_newest(list: &mut Vec<Value>, record: Value) {
    list.insert(0, record);
    list.truncate(MAX_RECORDS_PER_KIND);
}

impl World {
    fn id(&mut self, kind: &str) -> String {
        self.next += 1;
        format!("{kind}-{:08x}-0000-4000-8000-{:012x}", self.next, self.next)
    }

    /// Records a catch-up read of `path` (under `/helix`) with `query`.
    pub(crate) fn read(&mut self, path: &str, query: Option<&str>) {
        if self.reads.len() >= MAX_RECORDS_PER_KIND {
            self.reads.remove(0);
        }
        self.reads.push(match query {
            Some(query) => format!("{path}?{query}"),
            None => path.to_owned(),
        });
    }

    /// The catch-up reads of `path` (under `/helix`, such as `/moderation/banned`) made so far.
    pub fn reads_of(&self, path: &str) -> usize {
        self.reads
            .iter()
            .filter(|read| read.split('?').next() == Some(path))
            .count()
    }

    /// The records of `broadcaster_id` (empty when nothing happened there).
    pub fn channel(&self, broadcaster_id: &str) -> Option<&ChannelRecords> {
        self.channels.get(broadcaster_id)
    }

    fn channel_mut(&mut self, broadcaster_id: &str) -> &mut ChannelRecords {
        self.channels.entry(broadcaster_id.to_owned()).or_default()
    }

    fn happening(kind: &'static str, broadcaster_id: &str, event: Value) -> Happening {
        Happening {
            kind,
            broadcaster_id: broadcaster_id.to_owned(),
            reward_id: None,
            event,
            id: None,
        }
    }

    fn next_number(&mut self) -> u64 {
        self.next += 1;
        self.next
    }
}
