//! The channel itself: goals, charity campaigns, the stream going on and off, its information.

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{Happening, World, push_newest, rfc3339, user_fields, with};

impl World {
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
}
