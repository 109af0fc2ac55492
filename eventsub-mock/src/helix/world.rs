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

    /// `client_id` created the custom reward `reward_id` of `broadcaster_id`: from now on only it
    /// may read the reward's redemptions (403 for another client, as on Twitch).
    pub fn create_reward(&mut self, broadcaster_id: &str, reward_id: &str, client_id: &str) {
        self.channel_mut(broadcaster_id)
            .reward_owners
            .insert(reward_id.to_owned(), client_id.to_owned());
    }

    /// `user_id` follows `broadcaster_id` at `now` (`channel.follow`).
    pub fn follow(
        &mut self,
        broadcaster_id: &str,
        user_id: &str,
        now: OffsetDateTime,
    ) -> Happening {
        let at = rfc3339(now);
        let record = with(user_fields("user", user_id), json!({"followed_at": at}));
        push_newest(&mut self.channel_mut(broadcaster_id).followers, record);
        let event = merged(
            user_fields("user", user_id),
            user_fields("broadcaster_user", broadcaster_id),
            json!({"followed_at": at}),
        );
        Self::happening("channel.follow", broadcaster_id, event)
    }

    /// `moderator_id` bans `user_id` in `broadcaster_id` at `now`: for `timeout_secs` seconds, or
    /// for good when `None` (`channel.ban`).
    pub fn ban(
        &mut self,
        broadcaster_id: &str,
        user_id: &str,
        moderator_id: &str,
        reason: &str,
        timeout_secs: Option<u32>,
        now: OffsetDateTime,
    ) -> Happening {
        let at = rfc3339(now);
        let ends_at = timeout_secs.map(|secs| rfc3339(now + time::Duration::seconds(secs.into())));
        let mut record = user_fields("user", user_id);
        record.extend(user_fields("moderator", moderator_id));
        let record = with(
            record,
            json!({
                "created_at": at,
                "expires_at": ends_at.clone().unwrap_or_default(),
                "reason": reason,
            }),
        );
        let bans = &mut self.channel_mut(broadcaster_id).bans;
        bans.retain(|ban| ban.get("user_id") != Some(&json!(user_id)));
        push_newest(bans, record);
        let mut event = user_fields("user", user_id);
        event.extend(user_fields("broadcaster_user", broadcaster_id));
        event.extend(user_fields("moderator_user", moderator_id));
        let event = with(
            event,
            json!({
                "reason": reason,
                "banned_at": at,
                "ends_at": ends_at,
                "is_permanent": timeout_secs.is_none(),
            }),
        );
        Self::happening("channel.ban", broadcaster_id, event)
    }

    /// `user_id` redeems `reward` in `broadcaster_id` at `now`, typing `input`
    /// (`channel.channel_points_custom_reward_redemption.add`).
    pub fn redeem(
        &mut self,
        broadcaster_id: &str,
        reward: &MockReward,
        user_id: &str,
        input: &str,
        now: OffsetDateTime,
    ) -> Happening {
        let reward_id = reward.id.as_str();
        let id = self.id("redemption");
        let at = rfc3339(now);
        let reward =
            json!({"id": reward_id, "title": reward.title, "prompt": "", "cost": reward.cost});
        let record = merged(
            user_fields("broadcaster", broadcaster_id),
            user_fields("user", user_id),
            json!({
                "id": id,
                "user_input": input,
                "status": "UNFULFILLED",
                "redeemed_at": at,
                "reward": reward,
            }),
        );
        let redemptions = &mut self.channel_mut(broadcaster_id).redemptions;
        redemptions.push(record);
        if redemptions.len() > MAX_RECORDS_PER_KIND {
            redemptions.remove(0);
        }
        let event = merged(
            user_fields("broadcaster_user", broadcaster_id),
            user_fields("user", user_id),
            json!({
                "id": id,
                "user_input": input,
                "status": "unfulfilled",
                "redeemed_at": at,
                "reward": reward,
            }),
        );
        Happening {
            reward_id: Some(reward_id.to_owned()),
            id: Some(id),
            ..Self::happening(
                "channel.channel_points_custom_reward_redemption.add",
                broadcaster_id,
                event,
            )
        }
    }

    /// A poll `title` with `choices` begins in `broadcaster_id` at `now`, running
    /// `duration_secs` (`channel.poll.begin`); [`Happening::id`] is the poll's id.
    pub fn begin_poll(
        &mut self,
        broadcaster_id: &str,
        title: &str,
        choices: &[&str],
        duration_secs: u32,
        now: OffsetDateTime,
    ) -> Happening {
        let id = self.id("poll");
        let at = rfc3339(now);
        let ends_at = rfc3339(now + time::Duration::seconds(duration_secs.into()));
        let choices: Vec<Value> = choices
            .iter()
            .enumerate()
            .map(|(index, choice)| {
                json!({"id": format!("{id}-choice-{index}"), "title": choice, "votes": 0,
                       "channel_points_votes": 0, "bits_votes": 0})
            })
            .collect();
        let record = with(
            user_fields("broadcaster", broadcaster_id),
            json!({
                "id": id, "title": title, "choices": choices,
                "bits_voting_enabled": false, "bits_per_vote": 0,
                "channel_points_voting_enabled": false, "channel_points_per_vote": 0,
                "status": "ACTIVE", "duration": duration_secs, "started_at": at, "ended_at": null,
            }),
        );
        push_newest(&mut self.channel_mut(broadcaster_id).polls, record);
        let event = with(
            user_fields("broadcaster_user", broadcaster_id),
            json!({
                "id": id, "title": title, "choices": choices,
                "channel_points_voting": {"is_enabled": false, "amount_per_vote": 0},
                "started_at": at, "ends_at": ends_at,
            }),
        );
        Happening {
            id: Some(id),
            ..Self::happening("channel.poll.begin", broadcaster_id, event)
        }
    }

    /// Poll `poll_id` ends at `now` with `status` (`COMPLETED`, `TERMINATED` or `ARCHIVED`)
    /// (`channel.poll.end`); `None` for an unknown poll.
    pub fn end_poll(
        &mut self,
        broadcaster_id: &str,
        poll_id: &str,
        status: &str,
        now: OffsetDateTime,
    ) -> Option<Happening> {
        let at = rfc3339(now);
        let poll = self
            .channel_mut(broadcaster_id)
            .polls
            .iter_mut()
            .find(|poll| poll.get("id") == Some(&json!(poll_id)))?;
        let object = poll.as_object_mut()?;
        object.insert("status".to_owned(), json!(status));
        object.insert("ended_at".to_owned(), json!(at));
        let event = with(
            user_fields("broadcaster_user", broadcaster_id),
            json!({
                "id": poll_id,
                "title": object.get("title"),
                "choices": object.get("choices"),
                "channel_points_voting": {"is_enabled": false, "amount_per_vote": 0},
                "status": status.to_ascii_lowercase(),
                "started_at": object.get("started_at"),
                "ended_at": at,
            }),
        );
        Some(Happening {
            id: Some(poll_id.to_owned()),
            ..Self::happening("channel.poll.end", broadcaster_id, event)
        })
    }

    /// A prediction `title` with two `outcomes` begins at `now`, open for `window_secs`
    /// (`channel.prediction.begin`); [`Happening::id`] is its id.
    pub fn begin_prediction(
        &mut self,
        broadcaster_id: &str,
        title: &str,
        outcomes: [&str; 2],
        window_secs: u32,
        now: OffsetDateTime,
    ) -> Happening {
        let id = self.id("prediction");
        let at = rfc3339(now);
        let locks_at = rfc3339(now + time::Duration::seconds(window_secs.into()));
        let outcomes: Vec<Value> = outcomes
            .iter()
            .zip(["BLUE", "PINK"])
            .enumerate()
            .map(|(index, (outcome, color))| {
                json!({"id": format!("{id}-outcome-{index}"), "title": outcome, "users": 0,
                       "channel_points": 0, "top_predictors": null, "color": color})
            })
            .collect();
        let record = with(
            user_fields("broadcaster", broadcaster_id),
            json!({
                "id": id, "title": title, "winning_outcome_id": null, "outcomes": outcomes,
                "prediction_window": window_secs, "status": "ACTIVE", "created_at": at,
                "ended_at": null, "locked_at": null,
            }),
        );
        push_newest(&mut self.channel_mut(broadcaster_id).predictions, record);
        let event = with(
            user_fields("broadcaster_user", broadcaster_id),
            json!({"id": id, "title": title, "outcomes": outcomes, "started_at": at, "locks_at": locks_at}),
        );
        Happening {
            id: Some(id),
            ..Self::happening("channel.prediction.begin", broadcaster_id, event)
        }
    }

    /// Prediction `prediction_id` is resolved at `now` with outcome number `winner` (0 or 1)
    /// (`channel.prediction.end`); `None` for an unknown prediction or outcome.
    pub fn resolve_prediction(
        &mut self,
        broadcaster_id: &str,
        prediction_id: &str,
        winner: usize,
        now: OffsetDateTime,
    ) -> Option<Happening> {
        let at = rfc3339(now);
        let prediction = self
            .channel_mut(broadcaster_id)
            .predictions
            .iter_mut()
            .find(|prediction| prediction.get("id") == Some(&json!(prediction_id)))?;
        let object = prediction.as_object_mut()?;
        let winning = object
            .get("outcomes")?
            .as_array()?
            .get(winner)?
            .get("id")?
            .clone();
        object.insert("status".to_owned(), json!("RESOLVED"));
        object.insert("winning_outcome_id".to_owned(), winning.clone());
        object.insert("ended_at".to_owned(), json!(at));
        if object.get("locked_at").is_none_or(Value::is_null) {
            object.insert("locked_at".to_owned(), json!(at));
        }
        let event = with(
            user_fields("broadcaster_user", broadcaster_id),
            json!({
                "id": prediction_id, "title": object.get("title"),
                "winning_outcome_id": winning, "outcomes": object.get("outcomes"),
                "status": "resolved", "started_at": object.get("created_at"), "ended_at": at,
            }),
        );
        Some(Happening {
            id: Some(prediction_id.to_owned()),
            ..Self::happening("channel.prediction.end", broadcaster_id, event)
        })
    }

    /// A goal of `goal_type` (such as `follower`) towards `target` begins at `now`
    /// (`channel.goal.begin`); [`Happening::id`] is its id.
    pub fn begin_goal(
        &mut self,
        broadcaster_id: &str,
        goal_type: &str,
        target: i64,
        now: OffsetDateTime,
    ) -> Happening {
        let id = self.id("goal");
        let at = rfc3339(now);
        let record = with(
            user_fields("broadcaster", broadcaster_id),
            json!({"id": id, "type": goal_type, "description": "", "current_amount": 0,
                   "target_amount": target, "created_at": at}),
        );
        push_newest(&mut self.channel_mut(broadcaster_id).goals, record);
        let event = with(
            user_fields("broadcaster_user", broadcaster_id),
            json!({"id": id, "type": goal_type, "description": "", "current_amount": 0,
                   "target_amount": target, "started_at": at}),
        );
        Happening {
            id: Some(id),
            ..Self::happening("channel.goal.begin", broadcaster_id, event)
        }
    }

    /// Goal `goal_id` reaches `current` (`channel.goal.progress`); `None` for an unknown goal.
    pub fn goal_progress(
        &mut self,
        broadcaster_id: &str,
        goal_id: &str,
        current: i64,
    ) -> Option<Happening> {
        let goal = self
            .channel_mut(broadcaster_id)
            .goals
            .iter_mut()
            .find(|goal| goal.get("id") == Some(&json!(goal_id)))?;
        let object = goal.as_object_mut()?;
        object.insert("current_amount".to_owned(), json!(current));
        let event = with(
            user_fields("broadcaster_user", broadcaster_id),
            json!({"id": goal_id, "type": object.get("type"), "description": "",
                   "current_amount": current, "target_amount": object.get("target_amount"),
                   "started_at": object.get("created_at")}),
        );
        Some(Happening {
            id: Some(goal_id.to_owned()),
            ..Self::happening("channel.goal.progress", broadcaster_id, event)
        })
    }

    /// A charity campaign for `charity_name` towards `target_cents` USD cents starts
    /// (`channel.charity_campaign.start`); [`Happening::id`] is its id.
    pub fn start_charity(
        &mut self,
        broadcaster_id: &str,
        charity_name: &str,
        target_cents: i64,
        now: OffsetDateTime,
    ) -> Happening {
        let id = self.id("charity");
        let amount = |value: i64| json!({"value": value, "decimal_places": 2, "currency": "USD"});
        let record = with(
            user_fields("broadcaster", broadcaster_id),
            json!({"id": id, "charity_name": charity_name, "charity_description": "",
                   "charity_logo": "", "charity_website": "",
                   "current_amount": amount(0), "target_amount": amount(target_cents)}),
        );
        self.channel_mut(broadcaster_id).charity = Some(record);
        let event = with(
            user_fields("broadcaster_user", broadcaster_id),
            json!({"id": id, "charity_name": charity_name, "charity_description": "",
                   "charity_logo": "", "charity_website": "",
                   "current_amount": amount(0), "target_amount": amount(target_cents),
                   "started_at": rfc3339(now)}),
        );
        Happening {
            id: Some(id),
            ..Self::happening("channel.charity_campaign.start", broadcaster_id, event)
        }
    }

    /// The running campaign's total rises by `cents` (`channel.charity_campaign.progress`);
    /// `None` when no campaign runs.
    pub fn charity_progress(&mut self, broadcaster_id: &str, cents: i64) -> Option<Happening> {
        let campaign = self.channel_mut(broadcaster_id).charity.as_mut()?;
        let object = campaign.as_object_mut()?;
        let current = object
            .get("current_amount")
            .and_then(|amount| amount.get("value"))
            .and_then(Value::as_i64)
            .unwrap_or(0)
            .saturating_add(cents);
        let amount = json!({"value": current, "decimal_places": 2, "currency": "USD"});
        object.insert("current_amount".to_owned(), amount.clone());
        let event = with(
            user_fields("broadcaster_user", broadcaster_id),
            json!({"id": object.get("id"), "charity_name": object.get("charity_name"),
                   "current_amount": amount, "target_amount": object.get("target_amount")}),
        );
        Some(Self::happening(
            "channel.charity_campaign.progress",
            broadcaster_id,
            event,
        ))
    }

    /// `broadcaster_id` goes live at `now` (`stream.online`); [`Happening::id`] is the stream's
    /// id.
    pub fn stream_online(&mut self, broadcaster_id: &str, now: OffsetDateTime) -> Happening {
        let id = format!("{}", 40_000_000 + self.next_number());
        let at = rfc3339(now);
        let channel = self.channel_mut(broadcaster_id);
        let title = channel
            .information
            .as_ref()
            .and_then(|info| info.get("title"))
            .cloned()
            .unwrap_or_else(|| json!(""));
        let record = with(
            user_fields("user", broadcaster_id),
            json!({"id": id, "game_id": "509658", "game_name": "Just Chatting", "type": "live",
                   "title": title, "tags": [], "viewer_count": 0, "started_at": at,
                   "language": "en", "thumbnail_url": "", "tag_ids": [], "is_mature": false}),
        );
        channel.stream = Some(record);
        let event = with(
            user_fields("broadcaster_user", broadcaster_id),
            json!({"id": id, "type": "live", "started_at": at}),
        );
        Happening {
            id: Some(id),
            ..Self::happening("stream.online", broadcaster_id, event)
        }
    }

    /// `broadcaster_id` goes offline (`stream.offline`).
    pub fn stream_offline(&mut self, broadcaster_id: &str) -> Happening {
        self.channel_mut(broadcaster_id).stream = None;
        let event = Value::Object(user_fields("broadcaster_user", broadcaster_id));
        Self::happening("stream.offline", broadcaster_id, event)
    }

    /// `broadcaster_id` sets its title and category (`channel.update`).
    pub fn update_channel(
        &mut self,
        broadcaster_id: &str,
        title: &str,
        category_id: &str,
        category_name: &str,
    ) -> Happening {
        let record = with(
            user_fields("broadcaster", broadcaster_id),
            json!({"broadcaster_language": "en", "game_id": category_id,
                   "game_name": category_name, "title": title, "delay": 0, "tags": [],
                   "content_classification_labels": [], "is_branded_content": false}),
        );
        self.channel_mut(broadcaster_id).information = Some(record);
        let event = with(
            user_fields("broadcaster_user", broadcaster_id),
            json!({"title": title, "language": "en", "category_id": category_id,
                   "category_name": category_name, "content_classification_labels": []}),
        );
        Self::happening("channel.update", broadcaster_id, event)
    }

    fn next_number(&mut self) -> u64 {
        self.next += 1;
        self.next
    }
}
