//! Polls and predictions: begun, ended, resolved.

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{Happening, World, push_newest, rfc3339, user_fields, with};

impl World {
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
}
